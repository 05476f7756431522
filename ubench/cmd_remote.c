// SPDX-License-Identifier: GPL-2.0
/*
 * ubench remote: one caller drains one target, for the CPU pairs of a plan
 * (default classes: one pair per distance class), each variant, under each
 * --target-load: owner (the default: the backend's owner thread does the
 * variant's local ops on the target, flat out, at --owner-rate, or --fill
 * K entries before each drain), idle, busy (a SCHED_OTHER spinner on the
 * target) or fifo (a SCHED_FIFO spinner; needs root), the last three only
 * with --drain-empty (their batches are empty: every drain would skip),
 * owner-preempted (module on PREEMPT_RT; --drainer-policy other|fifo) or
 * filled-idle (an owner adds --fill entries, default 32, then sleeps until
 * the next drain: an idle CPU with a filled batch).
 * Metrics
 * drain_latency (ns, one drain; never a skipped or stalled one),
 * skipped_drains, drained_entries (per drain), stall_latency (runs with
 * stalls: each stalled drain's full time),
 * owner_op_cost and owner_op_cost_alone (owner loads) and stalled
 * (workqueue drains that gave up at --wait-bound: a target that never runs
 * the work shows up as stalls, never as a hang; the default bound depends
 * on the load, see SCENARIO_WAIT_BOUND_MS).
 */
#include <string.h>

#include "commands.h"
#include "scenario.h"

#define REMOTE_DEFAULT_ITERATIONS	1000
#define REMOTE_DEFAULT_WARMUP		20
#define REMOTE_DEFAULT_PLAN		TOPO_PLAN_CLASSES

static int remote_variant(struct scenario_env *env, const struct remote_params *p,
			  const struct plan_set *pair, enum target_load load,
			  enum qpwbench_variant v)
{
	static struct qpwbench_drain_stats ds;	/* 23 KiB: not on the stack */
	struct qpwbench_run run;
	const struct qpwbench_result *res = &run.result;
	struct scenario_row row = {
		.scenario = QPWBENCH_SCENARIO_REMOTE, .variant = v,
		.cpus = pair->cpus, .n_cpus = 2, .distance = pair->distance,
		.metric = &METRIC_DRAIN_LATENCY, .target_load = target_load_name(load),
	};
	int rc;

	scenario_request(&run, QPWBENCH_SCENARIO_REMOTE, v, pair->cpus[0], &pair->cpus[1], 1);
	run.iterations = p->c.iterations;
	run.warmup = p->c.warmup;
	run.wait_bound_ns = p->wait_bound_ns ? p->wait_bound_ns : scenario_wait_bound_ns(load);
	scenario_request_load(env, &run, load, &p->d, &ds);
	rc = scenario_run(env, &run);
	if (rc)
		return rc;
	scenario_stats_ns(env, &run, &row.stats);
	scenario_ticks(&run, &row);
	if (scenario_drain_rows(env, &row, &run, &ds, NULL))
		return EXIT_FAILED;
	row.metric = &METRIC_STALLED;
	row.has_ticks = false;
	row.secondary = true;
	stats_single(&row.stats, (double)res->stalls);
	return scenario_row(env, &row) ? EXIT_FAILED : EXIT_OK;
}

int remote_measure(struct scenario_env *env, const struct remote_params *p)
{
	struct scenario_plan plan;
	int rc = scenario_check_drain_opts(env, p->load, &p->d);

	if (!rc)
		rc = scenario_plan_build(env, p->c.plan, p->c.cpus, p->c.n_cpus, &plan);
	if (rc)
		return rc;
	for (unsigned int s = 0; s < plan.n_sets && !rc; s++) {
		const struct plan_set *pair = &plan.sets[s];

		if (pair->n != 2) {
			scenario_error(env, "remote needs a plan of CPU pairs (classes, pairs), not sets of %u",
				       pair->n);
			rc = EXIT_USAGE;
			break;
		}
		for (unsigned int load = 0; load < TARGET_NR_LOADS && !rc; load++) {
			struct spinners spin;
			char err[256];

			if (!p->load[load])
				continue;
			/* Load only: nothing recorded, so no recording window. */
			if (target_load_start(&spin, target_load_harness(load, scenario_kmod(env)),
					      &pair->cpus[1], 1, 0, err, sizeof(err))) {
				scenario_error(env, "--target-load %s: %s", target_load_name(load), err);
				rc = EXIT_USAGE;
				break;
			}
			scenario_point_begin(env);
			for (uint32_t r = 0; r < p->c.repeat && !rc; r++) {
				rc = scenario_point_run(env, r);
				for (unsigned int v = 0; v < QPWBENCH_NR_VARIANTS && !rc; v++)
					if (p->c.variant[v])
						rc = remote_variant(env, p, pair, load, v);
			}
			scenario_point_end(env);
			target_load_stop(&spin);
		}
	}
	scenario_plan_free(&plan);
	return rc;
}

static const struct option remote_options[] = {
	{ "target-load", required_argument, NULL, OPTS_OWN_BASE },
	{ "wait-bound", required_argument, NULL, OPTS_OWN_BASE + 1 },
	SCENARIO_DRAIN_OPTIONS(OPTS_OWN_BASE + 2),
	{ 0 },
};

static int remote_option(struct ubench_opts *o, int val, const char *arg)
{
	struct remote_params *p = o->ctx;

	if (val == OPTS_OWN_BASE)
		return scenario_loads_option(o, arg, p->load);
	if (val == OPTS_OWN_BASE + 1)
		return scenario_wait_bound_option(o, arg, &p->wait_bound_ns);
	return scenario_drain_option(o, (unsigned int)(val - OPTS_OWN_BASE - 2), arg, &p->d);
}

static const struct opts_command remote_command = {
	.name = "remote",
	.summary = "one caller drains one target, per CPU pair and target load (drain_latency, stalled)",
	.common = OPT_CPUS | OPT_PLAN | OPT_VARIANT | OPT_BACKEND | OPT_OUTPUT | OPT_EVENTS | OPT_REPEAT |
		  OPT_ITERATIONS | OPT_WARMUP,
	.own = remote_options,
	.own_help = "  --target-load LIST   owner (the variant's local ops on the target), idle, busy (SCHED_OTHER\n"
		    "                       spinner), fifo (SCHED_FIFO spinner, root), owner-preempted (module on\n"
		    "                       PREEMPT_RT: a FIFO task preempts the owner holding its lock), filled-idle\n"
		    "                       (an owner fills --fill entries, then sleeps until the next drain), or all\n"
		    "                       (all but owner-preempted; default owner); idle, busy and fifo leave the\n"
		    "                       batch empty: with --drain-empty only\n"
		    SCENARIO_HELP_WAIT_BOUND(SCENARIO_WAIT_BOUND_MS_STR ", " SCENARIO_WAIT_BOUND_FIFO_MS_STR " with a fifo load")
		    SCENARIO_HELP_DRAIN_OPTIONS,
	.handle = remote_option,
	.default_plan = REMOTE_DEFAULT_PLAN,
	.default_iterations = REMOTE_DEFAULT_ITERATIONS,
	.default_warmup = REMOTE_DEFAULT_WARMUP,
};

static int measure(struct scenario_env *env, const struct ubench_opts *o, const void *params)
{
	(void)o;
	return remote_measure(env, params);
}

int cmd_remote(int argc, char **argv)
{
	struct remote_params p = { .load = { [TARGET_LOAD_OWNER] = true } };

	return scenario_main(&remote_command, argc, argv, &p.c, &p, measure);
}
