// SPDX-License-Identifier: GPL-2.0
/*
 * ubench local: the fast-path cost of each variant, per CPU. On one CPU at
 * a time, --iterations samples of --batch local ops; each sample gives the
 * per-op cost (metric op_cost, ns, net of the timer overhead; a ticks
 * column where a tick counter exists). Each CPU starts with a null-op
 * calibration row (variant null-op, metric timer_overhead: timed empty
 * regions, as refscale's noop), whose p50 / batch is what op_cost is net
 * of (the subtracted_ns column). With --repeat the variants take turns.
 * --concurrent runs every CPU at once instead (QPWBENCH_RUN_CONCURRENT):
 * global's cost is its shared line, which one CPU at a time never
 * contends; one row per variant with all the CPUs (n_cpus > 1),
 * calibrated on the first.
 */
#include <math.h>

#include "commands.h"
#include "scenario.h"

#define LOCAL_DEFAULT_BATCH		64
#define LOCAL_DEFAULT_ITERATIONS	2000
#define LOCAL_DEFAULT_WARMUP		100

int local_measure(struct scenario_env *env, const struct local_params *p)
{
	/* --concurrent: one point, every CPU at once, calibrated on the first. */
	unsigned int points = p->concurrent ? 1 : p->c.n_cpus;

	for (unsigned int i = 0; i < points; i++) {
		const unsigned int *cpu = &p->c.cpus[i];
		const unsigned int *set = p->concurrent ? p->c.cpus : cpu;
		unsigned int n = p->concurrent ? p->c.n_cpus : 1;
		struct scenario_row cal = {
			.scenario = QPWBENCH_SCENARIO_LOCAL, .variant = SCENARIO_NULL_OP,
			.cpus = cpu, .n_cpus = 1, .metric = &METRIC_TIMER_OVERHEAD,
		};
		double step, per_op;
		int rc = scenario_calibrate(env, *cpu, p->c.iterations, &cal.stats, &step);

		if (rc)
			return rc;
		if (scenario_row(env, &cal))
			return EXIT_FAILED;
		/* What each op's figure is net of: the empty region's p50, spread over the batch. */
		per_op = isnan(cal.stats.p50) ? 0 : cal.stats.p50 / p->batch;
		scenario_point_begin(env);
		for (uint32_t r = 0; r < p->c.repeat; r++) {
			if (scenario_point_run(env, r))
				return EXIT_FAILED;
			for (unsigned int v = 0; v < QPWBENCH_NR_VARIANTS; v++) {
				struct qpwbench_run run;
				struct scenario_row row = {
					.scenario = QPWBENCH_SCENARIO_LOCAL, .variant = v,
					.cpus = set, .n_cpus = n, .metric = &METRIC_OP_COST,
				};

				if (!p->c.variant[v])
					continue;
				scenario_request(&run, QPWBENCH_SCENARIO_LOCAL, v, *cpu, set, n);
				if (p->concurrent)
					run.flags |= QPWBENCH_RUN_CONCURRENT;
				run.batch = p->batch;
				run.iterations = p->c.iterations;
				run.warmup = p->c.warmup;
				rc = scenario_run(env, &run);
				if (rc)
					return rc;
				scenario_stats_ns(env, &run, &row.stats);
				stats_subtract(&row.stats, per_op);
				row.subtracted_ns = per_op;
				/* Ticks per op: over the samples actually run, not those asked for. */
				scenario_ticks(&run, &row);
				row.ticks /= run.batch;
				if (scenario_row(env, &row))
					return EXIT_FAILED;
			}
		}
		scenario_point_end(env);
	}
	return EXIT_OK;
}

static const struct option local_options[] = {
	{ "batch", required_argument, NULL, OPTS_OWN_BASE },
	{ "concurrent", no_argument, NULL, OPTS_OWN_BASE + 1 },
	{ 0 },
};

static int local_option(struct ubench_opts *o, int val, const char *arg)
{
	struct local_params *p = o->ctx;
	uint64_t batch;

	if (val == OPTS_OWN_BASE + 1) {
		p->concurrent = true;
		return 0;
	}
	if (opts_u64(o, "--batch", arg, 1, QPWBENCH_MAX_BATCH, &batch))
		return -1;
	p->batch = (uint32_t)batch;
	return 0;
}

static const struct opts_command local_command = {
	.name = "local",
	.summary = "fast-path cost of one local op, per variant and CPU (metric op_cost)",
	.common = OPT_CPUS | OPT_VARIANT | OPT_BACKEND | OPT_OUTPUT | OPT_EVENTS | OPT_REPEAT |
		  OPT_ITERATIONS | OPT_WARMUP,
	.own = local_options,
	.own_help = "  --batch N            local ops per timed sample (default " SCENARIO_STR(LOCAL_DEFAULT_BATCH)
		    ", at most " SCENARIO_STR(QPWBENCH_MAX_BATCH) ")\n"
		    "  --concurrent         every CPU of --cpus at once (a shared lock is contended): one row per\n"
		    "                       variant for the whole set, n_cpus > 1\n",
	.handle = local_option,
	.default_iterations = LOCAL_DEFAULT_ITERATIONS,
	.default_warmup = LOCAL_DEFAULT_WARMUP,
};

static int measure(struct scenario_env *env, const struct ubench_opts *o, const void *params)
{
	(void)o;
	return local_measure(env, params);
}

int cmd_local(int argc, char **argv)
{
	struct local_params p = { .batch = LOCAL_DEFAULT_BATCH };

	return scenario_main(&local_command, argc, argv, &p.c, &p, measure);
}
