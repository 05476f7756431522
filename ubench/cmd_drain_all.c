// SPDX-License-Identifier: GPL-2.0
/*
 * ubench drain-all: the caller (--caller, default the first CPU) drains
 * every CPU of a set, for the growing sets of a plan (default ramp: N = 1,
 * 2, ... CPUs in topology order). Workqueue variants queue on all, then wait
 * for all (parallel); lock variants drain one CPU after the other on the
 * caller (serial). The caller drains the step's CPUs but itself (N, the
 * rows' cpus and n_cpus, counts those). Under each --target-load (default
 * owner: the backend's owner threads do local ops on every drained CPU).
 * Metrics drain_all_latency (ns; drains only: a drain that skipped every
 * CPU counts in skipped_drains, one that stalled in stalled, its full time
 * in stall_latency), drained_entries, owner_op_cost(_alone). The crossover, per load, is DESIGN.md's one method
 * (stats_crossover(), which qpwreport uses too): where the least-squares
 * lines p50 = a + b*N of qpw-on (serial) and wq (parallel) meet.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "scenario.h"

#define DRAIN_ALL_DEFAULT_ITERATIONS	500
#define DRAIN_ALL_DEFAULT_WARMUP	20
#define DRAIN_ALL_DEFAULT_PLAN		TOPO_PLAN_RAMP

/* The (N, p50) of every run of the crossover's two variants, for stats_crossover(). */
struct points {
	double *n, *p50;
	size_t len;
};

/* One variant drains targets[0..n), the plan step's CPUs but the caller. */
static int drain_all_variant(struct scenario_env *env, const struct drain_all_params *p,
			     const struct plan_set *set, const unsigned int *targets, unsigned int n,
			     enum target_load load, enum qpwbench_variant v, struct points *pts)
{
	static struct qpwbench_drain_stats ds;	/* 23 KiB: not on the stack */
	struct qpwbench_run run;
	const struct qpwbench_result *res = &run.result;
	struct scenario_row row = {
		.scenario = QPWBENCH_SCENARIO_DRAIN_ALL, .variant = v,
		.cpus = targets, .n_cpus = n,
		.distance = set->distance,
		.metric = &METRIC_DRAIN_ALL_LATENCY, .target_load = target_load_name(load),
	};
	bool measured;
	int rc;

	scenario_request(&run, QPWBENCH_SCENARIO_DRAIN_ALL, v, scenario_caller(&p->c, p->caller),
			 targets, n);
	run.iterations = p->c.iterations;
	run.warmup = p->c.warmup;
	run.wait_bound_ns = p->wait_bound_ns ? p->wait_bound_ns : scenario_wait_bound_ns(load);
	scenario_request_load(env, &run, load, &p->d, &ds);
	rc = scenario_run(env, &run);
	if (rc)
		return rc;
	scenario_stats_ns(env, &run, &row.stats);
	scenario_ticks(&run, &row);
	if (scenario_drain_rows(env, &row, &run, &ds, &measured))
		return EXIT_FAILED;
	if (pts && measured) {
		pts->n[pts->len] = n;
		pts->p50[pts->len++] = row.stats.p50;
	}
	row.metric = &METRIC_STALLED;
	row.has_ticks = false;
	row.secondary = true;
	stats_single(&row.stats, (double)res->stalls);
	return scenario_row(env, &row) ? EXIT_FAILED : EXIT_OK;
}

/*
 * DESIGN.md's crossover (stats_crossover(), the method qpwreport uses too):
 * the serial inline drain (qpw-on) against the parallel workqueue (wq),
 * under a load whose owners fill the targets' batches (otherwise a drain
 * moves nothing the two could differ on).
 */
static void report_crossover(struct scenario_env *env, enum target_load load,
			     const struct points *serial, const struct points *parallel)
{
	const char *s = variant_name(QPWBENCH_VARIANT_QPW_ON), *par = variant_name(QPWBENCH_VARIANT_WQ);
	struct crossover x;

	if (!target_load_fills(load)) {
		scenario_note(env, "crossover: not measurable under %s: no owners fill the targets' batches",
			      target_load_name(load));
		return;
	}
	if (stats_crossover(serial->n, serial->p50, serial->len, parallel->n, parallel->p50,
			    parallel->len, &x)) {
		scenario_note(env, "crossover: needs %s (serial inline) and %s (parallel workqueue) drains", s, par);
		return;
	}
	if (!x.measurable)
		scenario_note(env, "crossover: not measurable here (N=%.0f..%.0f): a line fit needs %d sizes or more of N, the CPUs drained besides the caller",
			      x.min_n, x.max_n, STATS_CROSSOVER_MIN_SIZES);
	else if (!x.found)
		scenario_note(env, "crossover: none: the fits do not cross (%s faster throughout N=%.0f..%.0f)",
			      x.serial_first ? s : par, x.min_n, x.max_n);
	else
		scenario_note(env, "crossover: N*=%.1f (95%% %.1f..%.1f, %s N=%.0f..%.0f): %s faster below N*, %s above",
			      x.n, x.lo, x.hi, x.measured ? "measured within" : "extrapolated outside",
			      x.min_n, x.max_n, x.below_serial ? s : par, x.below_serial ? par : s);
}

int drain_all_measure(struct scenario_env *env, const struct drain_all_params *p)
{
	struct points serial = { 0 }, parallel = { 0 };
	struct scenario_plan plan;
	int rc = scenario_check_drain_opts(env, p->load, &p->d);
	size_t cap;

	if (!rc && p->c.n_cpus == 1 && p->c.cpus[0] == scenario_caller(&p->c, p->caller)) {
		scenario_error(env, "drain-all drains the CPUs besides the caller (%u): --cpus selects none",
			       p->c.cpus[0]);
		rc = EXIT_USAGE;
	}
	if (!rc)
		rc = scenario_plan_build(env, p->c.plan, p->c.cpus, p->c.n_cpus, &plan);
	if (rc)
		return rc;
	cap = (size_t)plan.n_sets * p->c.repeat;
	serial.n = calloc(cap, sizeof(double));
	serial.p50 = calloc(cap, sizeof(double));
	parallel.n = calloc(cap, sizeof(double));
	parallel.p50 = calloc(cap, sizeof(double));
	if (!serial.n || !serial.p50 || !parallel.n || !parallel.p50) {
		scenario_error(env, "out of memory");
		rc = EXIT_FAILED;
	}
	for (unsigned int load = 0; load < TARGET_NR_LOADS && !rc; load++) {
		if (!p->load[load])
			continue;
		serial.len = parallel.len = 0;
		for (unsigned int s = 0; s < plan.n_sets && !rc; s++) {
			const struct plan_set *set = &plan.sets[s];
			unsigned int caller = scenario_caller(&p->c, p->caller);
			unsigned int targets[QPWBENCH_MAX_CPUS], n = 0;
			struct spinners spin;
			char err[256];

			/*
			 * N counts the CPUs drained besides the caller: its own
			 * batch has no owner, and lru_add_drain_all() drains it
			 * locally, not remotely. A step of the caller alone has none.
			 */
			for (unsigned int i = 0; i < set->n; i++)
				if (set->cpus[i] != caller)
					targets[n++] = set->cpus[i];
			if (!n)
				continue;
			if (target_load_start(&spin, target_load_harness(load, scenario_kmod(env)),
					      targets, n, 0, err, sizeof(err))) {
				scenario_error(env, "--target-load %s: %s", target_load_name(load), err);
				rc = EXIT_USAGE;
				break;
			}
			scenario_point_begin(env);
			for (uint32_t r = 0; r < p->c.repeat && !rc; r++) {
				rc = scenario_point_run(env, r);
				for (unsigned int v = 0; v < QPWBENCH_NR_VARIANTS && !rc; v++)
					if (p->c.variant[v])
						rc = drain_all_variant(env, p, set, targets, n, load, v,
								       v == QPWBENCH_VARIANT_QPW_ON ? &serial :
								       v == QPWBENCH_VARIANT_WQ ? &parallel : NULL);
			}
			scenario_point_end(env);
			target_load_stop(&spin);
		}
		if (!rc) {
			scenario_note(env, "target load %s:", target_load_name(load));
			report_crossover(env, load, &serial, &parallel);
		}
	}
	free(serial.n), free(serial.p50), free(parallel.n), free(parallel.p50);
	scenario_plan_free(&plan);
	return rc;
}

static const struct option drain_all_options[] = {
	{ "caller", required_argument, NULL, OPTS_OWN_BASE },
	{ "wait-bound", required_argument, NULL, OPTS_OWN_BASE + 1 },
	{ "target-load", required_argument, NULL, OPTS_OWN_BASE + 2 },
	SCENARIO_DRAIN_OPTIONS(OPTS_OWN_BASE + 3),
	{ 0 },
};

static int drain_all_option(struct ubench_opts *o, int val, const char *arg)
{
	struct drain_all_params *p = o->ctx;

	if (val == OPTS_OWN_BASE)
		return scenario_caller_option(o, arg, &p->caller);
	if (val == OPTS_OWN_BASE + 1)
		return scenario_wait_bound_option(o, arg, &p->wait_bound_ns);
	if (val == OPTS_OWN_BASE + 2)
		return scenario_loads_option(o, arg, p->load);
	return scenario_drain_option(o, (unsigned int)(val - OPTS_OWN_BASE - 3), arg, &p->d);
}

static const struct opts_command drain_all_command = {
	.name = "drain-all",
	.summary = "the caller drains N CPUs besides itself, N over a plan: parallel workqueue vs serial inline, and the crossover",
	.common = OPT_CPUS | OPT_PLAN | OPT_VARIANT | OPT_BACKEND | OPT_OUTPUT | OPT_EVENTS | OPT_REPEAT |
		  OPT_ITERATIONS | OPT_WARMUP,
	.own = drain_all_options,
	.own_help = SCENARIO_HELP_CALLER("")
		    SCENARIO_HELP_WAIT_BOUND(SCENARIO_WAIT_BOUND_MS_STR ", " SCENARIO_WAIT_BOUND_FIFO_MS_STR " with a fifo load")
		    "  --target-load LIST   what runs on the drained CPUs: owner, idle, busy, fifo, owner-preempted\n"
		    "                       (module on PREEMPT_RT), filled-idle (an owner fills --fill entries, then\n"
		    "                       sleeps until the next drain), or all (all but owner-preempted; default\n"
		    "                       owner); idle, busy and fifo leave the batches empty: with --drain-empty only\n"
		    SCENARIO_HELP_DRAIN_OPTIONS,
	.handle = drain_all_option,
	.default_plan = DRAIN_ALL_DEFAULT_PLAN,
	.default_iterations = DRAIN_ALL_DEFAULT_ITERATIONS,
	.default_warmup = DRAIN_ALL_DEFAULT_WARMUP,
};

static int measure(struct scenario_env *env, const struct ubench_opts *o, const void *params)
{
	(void)o;
	return drain_all_measure(env, params);
}

int cmd_drain_all(int argc, char **argv)
{
	struct drain_all_params p = {
		.caller = SCENARIO_CALLER_FIRST,
		.load = { [TARGET_LOAD_OWNER] = true },
	};

	return scenario_main(&drain_all_command, argc, argv, &p.c, &p, measure);
}
