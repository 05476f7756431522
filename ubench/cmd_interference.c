// SPDX-License-Identifier: GPL-2.0
/*
 * ubench interference: what an RT task on the drained CPUs sees. A
 * SCHED_FIFO spinner runs on every CPU of --cpus but the caller (--caller,
 * default the first CPU) while the caller drains them all at --rate for
 * --duration, per variant. Each spinner records, per drain period, the
 * largest gap between two reads of its clock (metric target_gap: how long
 * something else had its CPU) and its context switches (metric
 * target_ctx_switches). Needs root (SCHED_FIFO) and two CPUs.
 *
 * On the module the spinners are its own (QPWBENCH_LOAD_FIFO): it can
 * make them give their CPU up at the wait bound, so a queued drain never
 * waits for RT throttling, and they end with the run. It merges their
 * records: one row per metric over all targets (gaps of every spinner;
 * switches as a mean per target, what the user model's per-target rows
 * give the report). The user model has no FIFO load: the harness runs
 * them, one row per target.
 */
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "scenario.h"

#define INTERFERENCE_DEFAULT_RATE_HZ	1000
#define INTERFERENCE_DEFAULT_DURATION	(1000ULL * 1000000ULL)
#define NSEC_PER_SEC			1000000000ULL

/* The module's spinners' rows: one per metric over all targets. */
static int interference_kmod_rows(struct scenario_env *env, const unsigned int *targets,
				  unsigned int n, enum qpwbench_variant v, unsigned int caller,
				  const struct qpwbench_run *run, const struct qpwbench_drain_stats *ds)
{
	struct scenario_row row = {
		.scenario = QPWBENCH_SCENARIO_INTERFERENCE, .variant = v,
		.cpus = targets, .n_cpus = n,
		.distance = n == 1 ? scenario_distance(env, caller, targets[0]) : NULL,
		.metric = &METRIC_TARGET_GAP,
		.target_load = target_load_name(TARGET_LOAD_FIFO),
	};

	hist_stats(&ds->target_gap, 1000.0, &row.stats);
	if (scenario_row(env, &row))
		return EXIT_FAILED;
	row.metric = &METRIC_TARGET_CTX_SWITCHES;
	stats_single(&row.stats, (double)run->result.target_switches / n);
	return scenario_row(env, &row) ? EXIT_FAILED : EXIT_OK;
}

static int interference_variant(struct scenario_env *env, const struct interference_params *p,
				unsigned int caller, const unsigned int *targets, unsigned int n,
				enum qpwbench_variant v)
{
	struct spinners *spin = malloc(sizeof(*spin));
	struct qpwbench_drain_stats *ds = calloc(1, sizeof(*ds));
	bool kmod = scenario_kmod(env);
	struct qpwbench_run run;
	const struct qpwbench_result *res = &run.result;
	struct stats drain;
	char err[256];
	int rc;

	if (!spin || !ds) {
		scenario_error(env, "out of memory");
		free(spin);
		free(ds);
		return EXIT_FAILED;
	}
	if (target_load_start(spin, kmod ? TARGET_LOAD_IDLE : TARGET_LOAD_FIFO, targets, n,
			      NSEC_PER_SEC / p->rate_hz, err, sizeof(err))) {
		scenario_error(env, "the RT spinner on the targets: %s", err);
		free(spin);
		free(ds);
		return EXIT_USAGE;
	}
	scenario_request(&run, QPWBENCH_SCENARIO_INTERFERENCE, v, caller, targets, n);
	run.rate_hz = p->rate_hz;
	run.duration_ns = p->c.duration_ns;
	run.wait_bound_ns = p->wait_bound_ns;
	/*
	 * The spinner's batch is empty, and a drain would skip it: drain it
	 * anyway, as lru_cache_disable() drains every CPU, so that the
	 * interference of each mechanism shows.
	 */
	run.drain_flags = QPWBENCH_DRAIN_EMPTY;
	if (kmod) {
		run.target_load = QPWBENCH_LOAD_FIFO;
		run.drain_stats = (uintptr_t)ds;
	}
	target_load_record(spin);
	rc = scenario_run(env, &run);
	target_load_stop(spin);
	if (kmod && !rc)
		rc = interference_kmod_rows(env, targets, n, v, caller, &run, ds);
	for (unsigned int i = 0; i < n && !rc && !kmod; i++) {
		const struct spinner_record *rec = &spin->rec[i];
		struct scenario_row row = {
			.scenario = QPWBENCH_SCENARIO_INTERFERENCE, .variant = v,
			.cpus = &targets[i], .n_cpus = 1,
			.distance = scenario_distance(env, caller, targets[i]),
			.metric = &METRIC_TARGET_GAP,
			.target_load = target_load_name(TARGET_LOAD_FIFO),
		};

		/* The spinners keep histograms only: their gaps' percentiles are the histogram's. */
		hist_stats(&rec->gaps, 1000.0, &row.stats);
		if (scenario_row(env, &row))
			rc = EXIT_FAILED;
		row.metric = &METRIC_TARGET_CTX_SWITCHES;
		stats_single(&row.stats, (double)rec->ctx_switches);
		if (!rc && scenario_row(env, &row))
			rc = EXIT_FAILED;
	}
	if (!rc) {
		scenario_stats_ns(env, &run, &drain);
		scenario_note(env, "  %s: %llu drains of %u CPU(s), p50 %.1f ns, %llu stalled; work ran %llu times on the targets, %llu on the caller",
			      variant_name(v), (unsigned long long)drain.samples, n, drain.p50,
			      res->stalls, res->ran_on_target, res->ran_on_caller);
	}
	free(spin);
	free(ds);
	return rc;
}

int interference_measure(struct scenario_env *env, const struct interference_params *p)
{
	unsigned int caller = scenario_caller(&p->c, p->caller);
	unsigned int *targets;
	unsigned int n = 0;
	int rc = EXIT_OK;

	targets = malloc(p->c.n_cpus * sizeof(*targets));
	if (!targets) {
		scenario_error(env, "out of memory");
		return EXIT_FAILED;
	}
	for (unsigned int i = 0; i < p->c.n_cpus; i++)
		if (p->c.cpus[i] != caller)
			targets[n++] = p->c.cpus[i];
	if (!n) {
		scenario_error(env, "interference needs a target CPU besides the caller (CPU %u): select two or more with --cpus",
			       caller);
		rc = EXIT_USAGE;
	}
	scenario_point_begin(env);
	for (uint32_t r = 0; r < p->c.repeat && !rc; r++) {
		rc = scenario_point_run(env, r);
		for (unsigned int v = 0; v < QPWBENCH_NR_VARIANTS && !rc; v++)
			if (p->c.variant[v])
				rc = interference_variant(env, p, caller, targets, n, v);
	}
	scenario_point_end(env);
	free(targets);
	return rc;
}

static const struct option interference_options[] = {
	{ "caller", required_argument, NULL, OPTS_OWN_BASE },
	{ "rate", required_argument, NULL, OPTS_OWN_BASE + 1 },
	{ "wait-bound", required_argument, NULL, OPTS_OWN_BASE + 2 },
	{ 0 },
};

static int interference_option(struct ubench_opts *o, int val, const char *arg)
{
	struct interference_params *p = o->ctx;

	switch (val) {
	case OPTS_OWN_BASE:
		return scenario_caller_option(o, arg, &p->caller);
	case OPTS_OWN_BASE + 1:
		return opts_u64(o, "--rate", arg, 1, QPWBENCH_MAX_RATE_HZ, &p->rate_hz);
	default:
		return scenario_wait_bound_option(o, arg, &p->wait_bound_ns);
	}
}

static const struct opts_command interference_command = {
	.name = "interference",
	.summary = "gaps and context switches an RT spinner on the targets sees while the caller drains (root)",
	.common = OPT_CPUS | OPT_VARIANT | OPT_BACKEND | OPT_OUTPUT | OPT_EVENTS | OPT_REPEAT | OPT_DURATION,
	.own = interference_options,
	.own_help = SCENARIO_HELP_CALLER("; the others are targets")
		    "  --rate HZ            drains per second (default " SCENARIO_STR(INTERFERENCE_DEFAULT_RATE_HZ) ")\n"
		    SCENARIO_HELP_WAIT_BOUND(SCENARIO_WAIT_BOUND_FIFO_MS_STR),
	.handle = interference_option,
	.default_duration_ns = INTERFERENCE_DEFAULT_DURATION,
};

static int measure(struct scenario_env *env, const struct ubench_opts *o, const void *params)
{
	(void)o;
	return interference_measure(env, params);
}

int cmd_interference(int argc, char **argv)
{
	struct interference_params p = {
		.caller = SCENARIO_CALLER_FIRST,
		.rate_hz = INTERFERENCE_DEFAULT_RATE_HZ,
		.wait_bound_ns = scenario_wait_bound_ns(TARGET_LOAD_FIFO),
	};

	return scenario_main(&interference_command, argc, argv, &p.c, &p, measure);
}
