// SPDX-License-Identifier: GPL-2.0
/*
 * ubench sweep: the default measurement set into one CSV, what scripts/run
 * runs: c2c (the c2c command itself, plan classes, into the same files),
 * local (one CPU at a time, then --concurrent), remote by class with owner
 * targets filling half a batch before each drain (--fill 32) and idle
 * targets with the same filled batch (target_load owner and filled-idle,
 * as ubench remote writes them), drain-all over the ramp under the same
 * two loads with its crossover, and a
 * short stress. Sized to finish in about a minute on a 2-CPU machine; each step says how long it took. Exit 1 when a step found
 * a problem (stress lost ops), 2 when one could not run; the other steps
 * still run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "core/progress.h"
#include "scenario.h"

/* Per-step sizes: enough samples for stable medians, small enough for the time budget. */
#define SWEEP_LOCAL_ITERATIONS		10000
#define SWEEP_LOCAL_WARMUP		100
#define SWEEP_LOCAL_BATCH		64
#define SWEEP_REMOTE_ITERATIONS		1000
#define SWEEP_DRAIN_ITERATIONS		1000
#define SWEEP_DRAIN_WARMUP		20
#define SWEEP_STRESS_OPS		2000000
/*
 * Owner loads fill half a batch before each drain: back-to-back drains
 * outpace a flat-out owner (most of them then find the batch empty and skip
 * it), so the sweep's owner rows use the deterministic cold-line drain.
 */
#define SWEEP_OWNER_FILL		(QPWBENCH_BATCH_ENTRIES / 2)

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Worse of two exit codes: usage beats failed beats ok. */
static int worse(int a, int b)
{
	return a > b ? a : b;
}

static int step_done(struct scenario_env *env, const char *step, double t0, int rc)
{
	scenario_note(env, "sweep: %s %s in %.1f s", step, rc ? "FAILED" : "done", now_s() - t0);
	return rc;
}

/* c2c by distance class on the same CPUs, into the same outputs. */
static int sweep_c2c(const struct ubench_opts *o)
{
	char cpus[4096], repeat[16];
	char *argv[14];
	int argc = 0;

	topo_format_cpus(cpus, sizeof(cpus), o->cpus, o->n_cpus);
	snprintf(repeat, sizeof(repeat), "%u", o->repeat);
	argv[argc++] = "c2c";
	argv[argc++] = "--plan";
	argv[argc++] = "classes";
	argv[argc++] = "--cpus";
	argv[argc++] = cpus;
	argv[argc++] = "--repeat";
	argv[argc++] = repeat;
	if (o->csv) {
		argv[argc++] = "--csv";
		argv[argc++] = (char *)o->csv;
	}
	if (o->json) {
		argv[argc++] = "--json";
		argv[argc++] = (char *)o->json;
	}
	if (o->events) {
		argv[argc++] = "--events";
		argv[argc++] = (char *)o->events;
	}
	argv[argc] = NULL;
	/* With --csv - its rows go straight onto the sweep's stream, under the one header. */
	if (o->csv && !strcmp(o->csv, "-"))
		return cmd_c2c_continue(argc, argv);
	return cmd_c2c(argc, argv);
}

static int sweep(struct scenario_env *env, const struct ubench_opts *o,
		 const struct scenario_common *c)
{
	struct local_params local = { .c = *c, .batch = SWEEP_LOCAL_BATCH };
	/*
	 * Busy owners on the targets (drains find filled batches), then idle
	 * targets whose batch an owner filled before it went to sleep
	 * (filled-idle): both figures in every sweep, and every drain drains
	 * something (an idle target's empty batch would be a skip, or with
	 * --drain-empty a drain of nothing).
	 */
	struct remote_params remote = {
		.c = *c, .load = { [TARGET_LOAD_OWNER] = true },
		.d = { .fill_set = true, .fill = SWEEP_OWNER_FILL },
	};
	struct remote_params remote_idle = {
		.c = *c, .load = { [TARGET_LOAD_FILLED_IDLE] = true },
		.d = { .fill_set = true, .fill = SWEEP_OWNER_FILL },
	};
	struct drain_all_params drain = {
		.c = *c, .caller = SCENARIO_CALLER_FIRST,
		.load = { [TARGET_LOAD_OWNER] = true },
		.d = { .fill_set = true, .fill = SWEEP_OWNER_FILL },
	};
	struct drain_all_params drain_idle = {
		.c = *c, .caller = SCENARIO_CALLER_FIRST,
		.load = { [TARGET_LOAD_FILLED_IDLE] = true },
		.d = { .fill_set = true, .fill = SWEEP_OWNER_FILL },
	};
	struct stress_params stress = { .c = *c, .caller = SCENARIO_CALLER_FIRST };
	double t0 = now_s(), t;
	int rc = EXIT_OK;
	struct progress pr;
	bool two = c->n_cpus > 1;

	/*
	 * Step weights, in tenths of a second of the project's 2-CPU VM's 5.3 s
	 * sweep (user model, Dec 2026): local 0.1 s, local --concurrent 0.1,
	 * c2c 3.2, remote 0.5, remote idle 0.4, drain-all 0.5, drain-all idle
	 * 0.4, stress 0.1.
	 */
	progress_start(&pr, "sweep", 4 + (two ? 4 : 0), 1 + 5 + 4 + 1 + (two ? 1 + 32 + 5 + 4 : 0));

	local.c.iterations = SWEEP_LOCAL_ITERATIONS;
	local.c.warmup = SWEEP_LOCAL_WARMUP;
	t = now_s();
	progress_step(&pr, "local", 1);
	rc = worse(rc, step_done(env, "local", t, local_measure(env, &local)));
	/* Every CPU at once: global's shared lock contended (a row per variant, n_cpus > 1). */
	if (c->n_cpus > 1) {
		local.concurrent = true;
		t = now_s();
		progress_step(&pr, "local --concurrent", 1);
		rc = worse(rc, step_done(env, "local --concurrent", t, local_measure(env, &local)));
		local.concurrent = false;
	}

	if (c->n_cpus < 2) {
		scenario_error(env, "c2c and remote need two CPUs, --cpus selects one: skipped");
		rc = worse(rc, EXIT_USAGE);
	} else {
		t = now_s();
		progress_step(&pr, "c2c", 32);
		rc = worse(rc, step_done(env, "c2c", t, sweep_c2c(o)));

		remote.c.plan = TOPO_PLAN_CLASSES;
		remote.c.iterations = SWEEP_REMOTE_ITERATIONS;
		remote.c.warmup = SWEEP_DRAIN_WARMUP;
		t = now_s();
		progress_step(&pr, "remote", 5);
		rc = worse(rc, step_done(env, "remote", t, remote_measure(env, &remote)));
		remote_idle.c = remote.c;
		t = now_s();
		progress_step(&pr, "remote --target-load filled-idle", 4);
		rc = worse(rc, step_done(env, "remote --target-load filled-idle", t,
					 remote_measure(env, &remote_idle)));
	}

	drain.c.plan = TOPO_PLAN_RAMP;
	drain.c.iterations = SWEEP_DRAIN_ITERATIONS;
	drain.c.warmup = SWEEP_DRAIN_WARMUP;
	t = now_s();
	progress_step(&pr, "drain-all", 5);
	rc = worse(rc, step_done(env, "drain-all", t, drain_all_measure(env, &drain)));
	drain_idle.c = drain.c;
	t = now_s();
	progress_step(&pr, "drain-all --target-load filled-idle", 4);
	rc = worse(rc, step_done(env, "drain-all --target-load filled-idle", t,
				 drain_all_measure(env, &drain_idle)));

	stress.c.iterations = SWEEP_STRESS_OPS;
	t = now_s();
	progress_step(&pr, "stress", 1);
	rc = worse(rc, step_done(env, "stress", t, stress_measure(env, &stress)));
	progress_end(&pr);

	scenario_note(env, "sweep: finished in %.1f s", now_s() - t0);
	return rc;
}

static int measure(struct scenario_env *env, const struct ubench_opts *o, const void *params)
{
	return sweep(env, o, params);
}

static const struct opts_command sweep_command = {
	.name = "sweep",
	.summary = "the default set (c2c classes, local, remote by class, drain-all ramp, short stress) in one CSV",
	.common = OPT_CPUS | OPT_VARIANT | OPT_BACKEND | OPT_OUTPUT | OPT_EVENTS | OPT_REPEAT,
};

int cmd_sweep(int argc, char **argv)
{
	struct scenario_common c;

	return scenario_main(&sweep_command, argc, argv, &c, &c, measure);
}
