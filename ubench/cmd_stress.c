// SPDX-License-Identifier: GPL-2.0
/*
 * ubench stress: every CPU of --cpus does --iterations local ops while the
 * caller (--caller, default the first CPU) drains them all, continuously,
 * until the ops are done. Then every op must be accounted for: on the
 * shared list (drained, by a drain or by a full batch's flush) or still in
 * a batch. lost_ops = done - drained - remaining, per variant, must be 0
 * (negative means entries were counted twice); any other value is a
 * locking bug and the command exits 1. So does a checksum that differs
 * (the values drained plus remaining against the closed-form sum of every
 * value added: a lost entry and a double count do not cancel there), and
 * drains that found no entry at all (they did not overlap the ops).
 */
#include "commands.h"
#include "scenario.h"

#define STRESS_DEFAULT_OPS	1000000
/*
 * Stress leaves the wait bound to the backend (QPWBENCH_DEFAULT_WAIT_BOUND_NS,
 * stalls only cost it time); --help quotes it from here, checked to agree.
 */
#define STRESS_WAIT_BOUND_S	1
_Static_assert(STRESS_WAIT_BOUND_S * 1000000000ULL == QPWBENCH_DEFAULT_WAIT_BOUND_NS,
	       "stress --help quotes the backend's default wait bound");

/*
 * The sum (mod 2^64) of the entry values a complete run adds: CPU c adds
 * (c << 40) + 0, 1, ..., iterations - 1 (qpwbench.h's stress contract).
 */
static uint64_t stress_sum(const struct stress_params *p)
{
	uint64_t n = p->c.iterations, sum = 0;

	for (unsigned int i = 0; i < p->c.n_cpus; i++)
		sum += n * ((uint64_t)p->c.cpus[i] << 40) + n * (n - 1) / 2;
	return sum;
}

int stress_measure(struct scenario_env *env, const struct stress_params *p)
{
	bool lost_any = false;

	scenario_point_begin(env);
	for (uint32_t r = 0; r < p->c.repeat; r++) {
		if (scenario_point_run(env, r))
			return EXIT_FAILED;
		for (unsigned int v = 0; v < QPWBENCH_NR_VARIANTS; v++) {
			struct qpwbench_run run;
			const struct qpwbench_result *res = &run.result;
			struct scenario_row row = {
				.scenario = QPWBENCH_SCENARIO_STRESS, .variant = v,
				.cpus = p->c.cpus, .n_cpus = p->c.n_cpus, .metric = &METRIC_LOST_OPS,
			};
			unsigned long long expected = p->c.iterations * p->c.n_cpus;
			long long lost;
			int rc;

			if (!p->c.variant[v])
				continue;
			scenario_request(&run, QPWBENCH_SCENARIO_STRESS, v,
					 scenario_caller(&p->c, p->caller), p->c.cpus, p->c.n_cpus);
			run.iterations = p->c.iterations;
			run.wait_bound_ns = p->wait_bound_ns;
			rc = scenario_run(env, &run);
			if (rc)
				return rc;
			lost = (long long)(res->ops_done - res->ops_drained - res->ops_remaining);
			stats_single(&row.stats, (double)lost);
			if (scenario_row(env, &row))
				return EXIT_FAILED;
			scenario_note(env, "  %s: %llu ops done, %llu drained, %llu remaining; %llu CPU drains, %llu stalled; %.1f ms, %.1f Mops/s",
				      variant_name(v), res->ops_done, res->ops_drained,
				      res->ops_remaining, res->drains, res->stalls,
				      (double)res->elapsed_ns / 1e6,
				      res->elapsed_ns ? (double)res->ops_done * 1e3 / (double)res->elapsed_ns : 0);
			if (lost) {
				scenario_error(env, "stress %s: %lld ops lost (done %llu - drained %llu - remaining %llu)",
					       variant_name(v), lost, res->ops_done, res->ops_drained,
					       res->ops_remaining);
				lost_any = true;
			}
			if (res->flags & QPWBENCH_RES_INTERRUPTED)
				continue;
			if (res->ops_done != expected) {
				scenario_error(env, "stress %s: %llu ops done, %llu requested",
					       variant_name(v), res->ops_done, expected);
				lost_any = true;
			}
			if (res->sum_drained + res->sum_remaining != stress_sum(p)) {
				scenario_error(env, "stress %s: entry values drained %#llx + remaining %#llx != %#llx added: an entry lost and another counted twice",
					       variant_name(v), res->sum_drained, res->sum_remaining,
					       (unsigned long long)stress_sum(p));
				lost_any = true;
			}
			if (v != QPWBENCH_VARIANT_GLOBAL && !res->entries_drained) {
				scenario_error(env, "stress %s: no drain found an entry: the drains did not overlap the ops",
					       variant_name(v));
				lost_any = true;
			}
		}
	}
	scenario_point_end(env);
	return lost_any ? EXIT_FAILED : EXIT_OK;
}

static const struct option stress_options[] = {
	{ "caller", required_argument, NULL, OPTS_OWN_BASE },
	{ "wait-bound", required_argument, NULL, OPTS_OWN_BASE + 1 },
	{ 0 },
};

static int stress_option(struct ubench_opts *o, int val, const char *arg)
{
	struct stress_params *p = o->ctx;

	if (val == OPTS_OWN_BASE)
		return scenario_caller_option(o, arg, &p->caller);
	return scenario_wait_bound_option(o, arg, &p->wait_bound_ns);
}

static const struct opts_command stress_command = {
	.name = "stress",
	.summary = "concurrent local ops and remote drains; every op accounted for (metric lost_ops, exit 1 if any is lost)",
	.common = OPT_CPUS | OPT_VARIANT | OPT_BACKEND | OPT_OUTPUT | OPT_EVENTS | OPT_REPEAT | OPT_ITERATIONS,
	.own = stress_options,
	.own_help = SCENARIO_HELP_CALLER("")
		    SCENARIO_HELP_WAIT_BOUND("the backend's, " SCENARIO_STR(STRESS_WAIT_BOUND_S) "s"),
	.iterations_help = "local ops per CPU",
	.handle = stress_option,
	.default_iterations = STRESS_DEFAULT_OPS,
};

static int measure(struct scenario_env *env, const struct ubench_opts *o, const void *params)
{
	(void)o;
	return stress_measure(env, params);
}

int cmd_stress(int argc, char **argv)
{
	struct stress_params p = { .caller = SCENARIO_CALLER_FIRST };

	return scenario_main(&stress_command, argc, argv, &p.c, &p, measure);
}
