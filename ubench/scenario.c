// SPDX-License-Identifier: GPL-2.0
/* The backend scenarios' shared plumbing; see scenario.h. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "core/timer.h"
#include "model/model.h"
#include "scenario.h"

const struct metric METRIC_OP_COST = { "op_cost", "ns" };
const struct metric METRIC_TIMER_OVERHEAD = { "timer_overhead", "ns" };
const struct metric METRIC_DRAIN_LATENCY = { "drain_latency", "ns" };
const struct metric METRIC_STALLED = { "stalled", "count" };
const struct metric METRIC_DRAIN_ALL_LATENCY = { "drain_all_latency", "ns" };
const struct metric METRIC_TARGET_GAP = { "target_gap", "ns" };
const struct metric METRIC_TARGET_CTX_SWITCHES = { "target_ctx_switches", "count" };
const struct metric METRIC_LOST_OPS = { "lost_ops", "count" };
const struct metric METRIC_DRAINED_ENTRIES = { "drained_entries", "count" };
const struct metric METRIC_OWNER_OP_COST = { "owner_op_cost", "ns" };
const struct metric METRIC_OWNER_OP_COST_ALONE = { "owner_op_cost_alone", "ns" };
const struct metric METRIC_TARGET_INVOLUNTARY_SWITCHES = { "target_involuntary_switches", "count" };
const struct metric METRIC_HELD_DRAINS = { "held_drains", "count" };
const struct metric METRIC_SKIPPED_DRAINS = { "skipped_drains", "count" };
const struct metric METRIC_STALL_LATENCY = { "stall_latency", "ns" };

#define NAME_ENTRY(id, name) name,
static const char *const scenario_names[] = { QPWBENCH_SCENARIOS(NAME_ENTRY) };
static const char *const variant_names[] = { QPWBENCH_VARIANTS(NAME_ENTRY) };
#undef NAME_ENTRY

const char *scenario_name(enum qpwbench_scenario scenario)
{
	return scenario < QPWBENCH_NR_SCENARIOS ? scenario_names[scenario] : "?";
}

const char *variant_name(enum qpwbench_variant variant)
{
	return variant < QPWBENCH_NR_VARIANTS ? variant_names[variant] : "?";
}

void scenario_error(const struct scenario_env *env, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ubench %s: ", env->cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void scenario_note(struct scenario_env *env, const char *fmt, ...)
{
	va_list ap;

	if (env->quiet)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* Calibration runs: enough regions for a p50 and a smallest step, quickly. */
#define CALIBRATION_ITERATIONS	2000

int scenario_calibrate(struct scenario_env *env, unsigned int cpu, uint64_t iterations,
		       struct stats *stats, double *step_ns)
{
	struct qpwbench_run run;
	uint64_t step = UINT64_MAX;
	int rc;

	scenario_request(&run, QPWBENCH_SCENARIO_LOCAL, QPWBENCH_VARIANT_WQ, cpu, &cpu, 1);
	run.flags = QPWBENCH_RUN_NULL_OP;
	run.batch = 1;
	run.iterations = iterations;
	run.warmup = 100;
	rc = scenario_run(env, &run);
	if (rc)
		return rc;
	scenario_stats_ns(env, &run, stats);
	for (uint32_t i = 0; i < run.result.samples_kept; i++)
		if (env->raw[i] && env->raw[i] < step)
			step = env->raw[i];
	*step_ns = step == UINT64_MAX ? NAN : (double)step / 1000.0;
	return 0;
}

/*
 * The resolution and overhead every row carries: the user backend's are
 * the harness timer's (timer.h); the module times with local_clock(), so
 * its are a null-op calibration's on the first selected CPU.
 */
static int scenario_timer(struct scenario_env *env, const struct ubench_opts *o)
{
	const struct timer_info *t = timer_get_info();
	struct stats st;
	double step;
	int rc;

	if (strcmp(env->backend->name, "kmod")) {
		env->resolution_ns = t->resolution_ns;
		env->timer_overhead_ns = t->overhead_ns;
		return 0;
	}
	rc = scenario_calibrate(env, o->n_cpus ? o->cpus[0] : 0, CALIBRATION_ITERATIONS, &st, &step);
	if (rc) {
		scenario_env_close(env, 0);
		return rc;
	}
	/* local_clock() counts nanoseconds: no finer than 1 ns. */
	env->resolution_ns = isnan(step) || step < 1 ? 1 : step;
	env->timer_overhead_ns = st.p50;
	return 0;
}

int scenario_env_open(struct scenario_env *env, const struct ubench_opts *o)
{
	char err[256];
	int ret;

	memset(env, 0, sizeof(*env));
	env->cmd = o->cmd->name;
	env->backend = backend_by_name(o->backend, err, sizeof(err));
	if (!env->backend) {
		scenario_error(env, "%s", err);
		return EXIT_USAGE;
	}
	ret = env->backend->open(err, sizeof(err));
	if (ret) {
		scenario_error(env, "%s", err);
		return EXIT_USAGE;
	}
	env->topo = o->topo;
	env->lock_mode = o->lock_mode;
	if (counters_session_init(&env->counters, o->events, err, sizeof(err))) {
		scenario_error(env, "--events: %s", err);
		env->backend->close();
		return EXIT_USAGE;
	}
	output_init(&env->out, run_meta_get());
	for (size_t i = 0; !ret && i < env->counters.n_columns; i++)
		ret = output_add_column(&env->out, env->counters.names[i], err, sizeof(err));
	if (ret || output_start(&env->out, o->csv, o->json, err, sizeof(err))) {
		scenario_error(env, "%s", err);
		scenario_env_close(env, 0);
		return EXIT_USAGE;
	}
	env->quiet = output_uses_stdout(&env->out);
	env->raw = malloc(QPWBENCH_MAX_RAW_SAMPLES * sizeof(*env->raw));
	if (!env->raw) {
		scenario_error(env, "out of memory");
		scenario_env_close(env, 0);
		return EXIT_FAILED;
	}
	return scenario_timer(env, o);
}

int scenario_env_close(struct scenario_env *env, int rc)
{
	char err[256];

	if (output_sync(&env->out, err, sizeof(err))) {
		scenario_error(env, "%s", err);
		rc = EXIT_FAILED;
	}
	counters_session_free(&env->counters);
	output_close(&env->out);
	env->backend->close();
	free(env->raw);
	env->raw = NULL;
	return rc;
}

const char *scenario_distance(const struct scenario_env *env, unsigned int a, unsigned int b)
{
	enum topo_class c = topo_distance(env->topo, a, b);

	return c == TOPO_CLASS_NONE ? NULL : topo_class_name(c);
}

int scenario_plan_build(struct scenario_env *env, enum topo_plan_kind plan,
			const unsigned int *cpus, unsigned int n, struct scenario_plan *out)
{
	hwloc_bitmap_t set = hwloc_bitmap_alloc();
	char err[256];
	int ret;

	memset(out, 0, sizeof(*out));
	if (!set) {
		scenario_error(env, "out of memory");
		return EXIT_FAILED;
	}
	for (unsigned int i = 0; i < n; i++)
		hwloc_bitmap_set(set, cpus[i]);
	ret = topo_plan_build(env->topo, plan, set, &out->tp, err, sizeof(err));
	hwloc_bitmap_free(set);
	if (ret) {
		scenario_error(env, "plan %s: %s", topo_plan_name(plan), err);
		return EXIT_USAGE;
	}
	out->n_sets = out->tp.n_steps;
	out->sets = calloc(out->n_sets, sizeof(*out->sets));
	if (!out->sets) {
		topo_plan_free(&out->tp);
		scenario_error(env, "out of memory");
		return EXIT_FAILED;
	}
	for (unsigned int i = 0; i < out->n_sets; i++) {
		const struct topo_step *step = &out->tp.steps[i];

		out->sets[i].cpus = step->cpus;
		out->sets[i].n = step->n;
		out->sets[i].distance = step->distance == TOPO_CLASS_NONE ?
					NULL : topo_class_name(step->distance);
	}
	return 0;
}

void scenario_plan_free(struct scenario_plan *p)
{
	free(p->sets);
	topo_plan_free(&p->tp);
	memset(p, 0, sizeof(*p));
}

void scenario_request(struct qpwbench_run *run, enum qpwbench_scenario scenario,
		      enum qpwbench_variant variant, unsigned int caller,
		      const unsigned int *cpus, unsigned int n)
{
	memset(run, 0, sizeof(*run));
	run->size = sizeof(*run);
	run->version = QPWBENCH_ABI_VERSION;
	run->scenario = scenario;
	run->variant = variant;
	run->caller_cpu = caller;
	for (unsigned int i = 0; i < n; i++)
		qpwbench_mask_set(run->cpus, cpus[i]);
}

/*
 * The parameters columns of the rows a run gives (output.h). The drainer's
 * policy is the run's .drainer_policy: SCHED_FIFO 51 ("fifo:51") only when
 * owner-preempted asked for it, SCHED_OTHER ("other") otherwise.
 */
static void run_params(const struct scenario_env *env, const struct qpwbench_run *run,
		       struct output_params *p)
{
	bool drains = run->scenario != QPWBENCH_SCENARIO_LOCAL;
	bool preempted = run->target_load == QPWBENCH_LOAD_OWNER_PREEMPTED;
	static const char fifo[] = "fifo:" SCENARIO_STR(QPWBENCH_DRAINER_FIFO_PRIO);

	(void)env;
	*p = (struct output_params){
		.has_fill = run->drain_flags & QPWBENCH_DRAIN_FILL,
		.fill = run->fill,
		.drain_empty = !drains ? NULL : run->drain_flags & QPWBENCH_DRAIN_EMPTY ? "yes" : "no",
		.has_owner = run->target_load == QPWBENCH_LOAD_OWNER || preempted ||
			     run->target_load == QPWBENCH_LOAD_FILLED_IDLE,
		.owner_rate_hz = run->owner_rate_hz,
		.owner_hold_ns = run->owner_hold_ns,
		.wait_bound_ns = drains ? run->wait_bound_ns : 0,
		.batch = drains ? 0 : run->batch,
		.lock_mode = opts_lock_mode_names[run->lock_mode],
		.drainer_policy = !drains ? NULL :
				  run->drainer_policy == QPWBENCH_DRAINER_FIFO ? fifo : "other",
		.interrupted = run->result.flags & QPWBENCH_RES_INTERRUPTED,
	};
}

int scenario_run(struct scenario_env *env, struct qpwbench_run *run)
{
	unsigned int cpus[QPWBENCH_MAX_CPUS];
	char err[256] = "";
	int ret = counters_session_begin(&env->counters, cpus, counters_run_cpus(run, cpus),
					 err, sizeof(err));

	if (ret) {
		scenario_error(env, "--events: %s", err);
		return EXIT_FAILED;
	}
	run->lock_mode = env->lock_mode;
	run->samples = (uint64_t)(uintptr_t)env->raw;
	run->samples_cap = env->raw ? QPWBENCH_MAX_RAW_SAMPLES : 0;
	ret = env->backend->run(run, err, sizeof(err));
	if (counters_session_end(&env->counters, counters_run_ops(run), err, sizeof(err))) {
		scenario_error(env, "--events: %s", err);
		return EXIT_FAILED;
	}
	if (!ret && (run->result.flags & QPWBENCH_RES_CPU_OFFLINE)) {
		scenario_error(env, "%s %s: a CPU of the run went offline, which ended it early; its figures are partial and not written",
			       scenario_name(run->scenario), variant_name(run->variant));
		return EXIT_FAILED;
	}
	if (!ret) {
		run_params(env, run, &env->params);
		if (run->result.flags & QPWBENCH_RES_INTERRUPTED)
			scenario_note(env, "note: %s %s was cut short by the backend's run cap",
				      scenario_name(run->scenario), variant_name(run->variant));
		return 0;
	}
	scenario_error(env, "%s %s on the %s backend: %s", scenario_name(run->scenario),
		       variant_name(run->variant), env->backend->name,
		       err[0] ? err : strerror(-ret));
	switch (ret) {
	case -EINVAL:
	case -E2BIG:
	case -ENODEV:
	case -EPERM:
	case -EACCES:
	case -EOPNOTSUPP:	/* a --lock-mode this backend has no form of */
		return EXIT_USAGE;
	default:
		return EXIT_FAILED;
	}
}

void scenario_point_begin(struct scenario_env *env)
{
	env->point_open = true;
	memset(env->point_runs, 0, sizeof(env->point_runs));
	env->run = 0;
}

int scenario_point_run(struct scenario_env *env, uint32_t r)
{
	char err[256];

	env->run = r + 1;
	if (r && output_sync(&env->out, err, sizeof(err))) {
		scenario_error(env, "%s", err);
		return EXIT_FAILED;
	}
	return 0;
}

void scenario_point_end(struct scenario_env *env)
{
	unsigned int base = QPWBENCH_NR_VARIANTS;
	struct stats s;

	env->point_open = false;
	env->run = 0;
	for (unsigned int v = 0; v < QPWBENCH_NR_VARIANTS; v++) {
		double tmp[OPTS_MAX_REPEAT];

		if (env->point_runs[v] < 2)
			continue;
		if (base == QPWBENCH_NR_VARIANTS)
			base = v;
		memcpy(tmp, env->point_p50[v], env->point_runs[v] * sizeof(tmp[0]));
		stats_of_values(tmp, env->point_runs[v], &s);
		scenario_note(env, "  %s p50 over %u runs: median %.1f ns, spread %.1f%%",
			      variant_name(v), env->point_runs[v], s.p50,
			      s.p50 > 0 ? (s.max - s.min) / s.p50 * 100 : 0);
	}
	if (env->point_runs[QPWBENCH_VARIANT_WQ] >= 2)
		base = QPWBENCH_VARIANT_WQ;
	for (unsigned int v = 0; base < QPWBENCH_NR_VARIANTS && v < QPWBENCH_NR_VARIANTS; v++) {
		struct ratio r;

		if (v == base || env->point_runs[v] < 2 ||
		    stats_ratio_of_medians(env->point_p50[base], env->point_runs[base],
					   env->point_p50[v], env->point_runs[v], &r))
			continue;
		if (r.differs)
			scenario_note(env, "  %s / %s p50: %.3g (95%% interval %.3g..%.3g)",
				      variant_name(v), variant_name(base), r.ratio, r.lo, r.hi);
		else
			scenario_note(env, "  %s / %s p50: %.3g (95%% interval %.3g..%.3g): no difference",
				      variant_name(v), variant_name(base), r.ratio, r.lo, r.hi);
	}
}

void scenario_stats_ns(const struct scenario_env *env, const struct qpwbench_run *run,
		       struct stats *s)
{
	stats_of_samples(&run->result.hist, env->raw, run->result.samples_kept, 1000.0, s);
}

void scenario_ticks(const struct qpwbench_run *run, struct scenario_row *row)
{
	const struct qpwbench_result *res = &run->result;

	row->has_ticks = res->flags & QPWBENCH_RES_HAS_CYCLES && res->hist.count;
	row->ticks = row->has_ticks ? (double)res->cycles / (double)res->hist.count : 0;
}

/*
 * The variant column: the variant, and "+irqsave" or "+trylock" when the
 * run's local ops took their lock in that form (plain rows keep the bare name).
 */
static const char *row_variant_name(const struct scenario_env *env, enum qpwbench_variant v,
				    char buf[32])
{
	static const char *const mode[QPWBENCH_NR_LOCK_MODES] = {
		[QPWBENCH_LOCK_IRQSAVE] = "+irqsave", [QPWBENCH_LOCK_TRYLOCK] = "+trylock",
	};
	const char *name = v == SCENARIO_NULL_OP ? "null-op" : variant_name(v);

	if (v == SCENARIO_NULL_OP || !mode[env->lock_mode])
		return name;
	snprintf(buf, 32, "%s%s", name, mode[env->lock_mode]);
	return buf;
}

static void cpus_str(const unsigned int *cpus, unsigned int n, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < n && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%u", i ? "," : "", cpus[i]);
}

/* A figure of the text table: one decimal, or n/a. */
static const char *fig(char buf[16], double v)
{
	if (isnan(v))
		return "n/a";
	snprintf(buf, 16, "%.1f", v);
	return buf;
}

static void print_row(struct scenario_env *env, const struct scenario_row *r)
{
	const struct stats *s = &r->stats;
	char cpus[64], f[4][16], vbuf[32];

	if (env->quiet)
		return;
	if (!env->printed_header) {
		printf("%-12s %-8s %-8s %-8s %-5s %-20s %9s %12s %12s %12s %12s %-5s\n",
		       "scenario", "variant", "cpus", "distance", "load", "metric",
		       "samples", "min", "p50", "p99", "max", "unit");
		env->printed_header = true;
	}
	cpus_str(r->cpus, r->n_cpus, cpus, sizeof(cpus));
	printf("%-12s %-8s %-8s %-8s %-5s %-20s %9llu %12s %12s %12s %12s %-5s",
	       scenario_name(r->scenario), row_variant_name(env, r->variant, vbuf),
	       cpus, r->distance ? r->distance : "-", r->target_load ? r->target_load : "-",
	       r->metric->name, (unsigned long long)s->samples, fig(f[0], s->min), fig(f[1], s->p50),
	       fig(f[2], s->p99), fig(f[3], s->max), r->metric->unit);
	for (size_t i = 0; i < env->counters.n_columns; i++)
		printf(" %s=%s", env->counters.names[i], env->counters.values[i]);
	putchar('\n');
	fflush(stdout);
}

int scenario_row(struct scenario_env *env, const struct scenario_row *r)
{
	const char *extra_names[COUNTERS_MAX_EVENTS + 1];
	const char *extra_values[COUNTERS_MAX_EVENTS + 1];
	char vbuf[32];
	struct output_row row = {
		.scenario = scenario_name(r->scenario),
		.backend = env->backend->name,
		.variant = row_variant_name(env, r->variant, vbuf),
		.cpus = r->cpus,
		.n_cpus = r->n_cpus,
		.distance = r->distance,
		.metric = r->metric->name,
		.unit = r->metric->unit,
		.run = env->run,
		.stats = r->stats,
		.has_ticks = r->has_ticks,
		.ticks = r->ticks,
		.resolution_ns = env->resolution_ns,
		.timer_overhead_ns = env->timer_overhead_ns,
		.subtracted_ns = r->subtracted_ns,
		.target_load = r->target_load,
		.params = &env->params,
		.extra_names = extra_names,
		.extra_values = extra_values,
	};
	char err[256];

	for (size_t i = 0; i < env->counters.n_columns; i++) {
		extra_names[row.n_extra] = env->counters.names[i];
		extra_values[row.n_extra++] = env->counters.values[i];
	}

	if (env->point_open && !r->secondary && !strcmp(r->metric->unit, "ns") && r->variant < QPWBENCH_NR_VARIANTS &&
	    env->point_runs[r->variant] < OPTS_MAX_REPEAT && !isnan(r->stats.p50))
		env->point_p50[r->variant][env->point_runs[r->variant]++] = r->stats.p50;
	print_row(env, r);
	if (output_row(&env->out, &row, err, sizeof(err))) {
		scenario_error(env, "%s", err);
		return -1;
	}
	return 0;
}

int scenario_caller_option(struct ubench_opts *o, const char *arg, unsigned int *caller)
{
	uint64_t cpu;

	if (opts_u64(o, "--caller", arg, 0, QPWBENCH_MAX_CPUS - 1, &cpu))
		return -1;
	*caller = (unsigned int)cpu;
	return 0;
}

int scenario_wait_bound_option(struct ubench_opts *o, const char *arg, uint64_t *ns)
{
	return opts_duration(o, "--wait-bound", arg, 1, QPWBENCH_MAX_WAIT_BOUND_NS, ns);
}

int scenario_drain_option(struct ubench_opts *o, unsigned int i, const char *arg,
			  struct drain_opts *d)
{
	uint64_t v;

	switch (i) {
	case 0:
		if (opts_u64(o, "--fill", arg, 0, QPWBENCH_BATCH_ENTRIES, &v))
			return -1;
		d->fill_set = true;
		d->fill = (uint32_t)v;
		return 0;
	case 1:
		if (opts_u64(o, "--owner-rate", arg, 1, QPWBENCH_MAX_OWNER_RATE_HZ, &v))
			return -1;
		d->owner_rate_hz = v;
		return 0;
	case 2:
		d->drain_empty = true;
		return 0;
	case 3:
		return opts_duration(o, "--owner-hold", arg, 1, QPWBENCH_MAX_OWNER_HOLD_NS,
				     &d->owner_hold_ns);
	default:
		if (strcmp(arg, "other") && strcmp(arg, "fifo")) {
			opts_error(o, "--drainer-policy: expected other or fifo, not '%s'", arg);
			return -1;
		}
		d->drainer_fifo = !strcmp(arg, "fifo");
		return 0;
	}
}

int scenario_check_drain_opts(struct scenario_env *env, const bool load[TARGET_NR_LOADS],
			      const struct drain_opts *d)
{
	bool owners = load[TARGET_LOAD_OWNER] || load[TARGET_LOAD_OWNER_PREEMPTED];
	bool filled_idle = load[TARGET_LOAD_FILLED_IDLE];

	for (unsigned int l = 0; l < TARGET_NR_LOADS; l++)
		if (load[l] && !target_load_fills(l) && !d->drain_empty) {
			scenario_error(env, "--target-load %s leaves every batch empty, so every drain would skip it (cpu_needs_drain()) and time only the peek: add --drain-empty to drain the empty batch (lru_cache_disable()), or use owner",
				       target_load_name(l));
			return EXIT_USAGE;
		}
	if (d->fill_set && !owners && !filled_idle) {
		scenario_error(env, "--fill needs --target-load owner, owner-preempted or filled-idle");
		return EXIT_USAGE;
	}
	if (d->owner_hold_ns && !owners) {
		scenario_error(env, "--owner-hold needs --target-load owner or owner-preempted");
		return EXIT_USAGE;
	}
	if (filled_idle && d->fill_set && !d->fill) {
		scenario_error(env, "--target-load filled-idle fills at least one entry: --fill 1..%u",
			       QPWBENCH_BATCH_ENTRIES);
		return EXIT_USAGE;
	}
	if (d->drainer_fifo && !load[TARGET_LOAD_OWNER_PREEMPTED]) {
		scenario_error(env, "--drainer-policy fifo is for --target-load owner-preempted (every other drainer runs SCHED_OTHER)");
		return EXIT_USAGE;
	}
	if (d->owner_rate_hz && !load[TARGET_LOAD_OWNER]) {
		scenario_error(env, "--owner-rate needs --target-load owner");
		return EXIT_USAGE;
	}
	if ((d->owner_hold_ns || load[TARGET_LOAD_OWNER_PREEMPTED]) &&
	    env->lock_mode != QPWBENCH_LOCK_PLAIN) {
		scenario_error(env, "--owner-hold and owner-preempted hold the plain lock: not with --lock-mode");
		return EXIT_USAGE;
	}
	return 0;
}

bool scenario_kmod(const struct scenario_env *env)
{
	return env->backend == &backend_kmod;
}

void scenario_request_load(const struct scenario_env *env, struct qpwbench_run *run,
			   enum target_load load, const struct drain_opts *d,
			   struct qpwbench_drain_stats *ds)
{
	run->drain_stats = (uintptr_t)ds;
	run->target_load = target_load_backend(load, scenario_kmod(env));
	if (d->drain_empty)
		run->drain_flags |= QPWBENCH_DRAIN_EMPTY;
	if (load == TARGET_LOAD_FILLED_IDLE) {
		run->drain_flags |= QPWBENCH_DRAIN_FILL;
		run->fill = d->fill_set ? d->fill : SCENARIO_FILLED_IDLE_FILL;
		return;
	}
	if (load == TARGET_LOAD_OWNER_PREEMPTED) {
		run->owner_hold_ns = d->owner_hold_ns ? d->owner_hold_ns : SCENARIO_PREEMPT_SPIN_NS;
		run->drainer_policy = d->drainer_fifo ? QPWBENCH_DRAINER_FIFO : QPWBENCH_DRAINER_OTHER;
	} else if (load == TARGET_LOAD_OWNER) {
		run->owner_hold_ns = d->owner_hold_ns;
	} else {
		return;
	}
	if (load == TARGET_LOAD_OWNER)
		run->owner_rate_hz = d->owner_rate_hz;
	if (d->fill_set) {
		run->drain_flags |= QPWBENCH_DRAIN_FILL;
		run->fill = d->fill;
	}
}

int scenario_loads_option(struct ubench_opts *o, const char *arg, bool load[TARGET_NR_LOADS])
{
	char buf[64], *save = NULL;

	/* all but owner-preempted, which needs the module on PREEMPT_RT: named only. */
	if (!strcmp(arg, "all")) {
		for (unsigned int i = 0; i < TARGET_NR_LOADS; i++)
			load[i] = i != TARGET_LOAD_OWNER_PREEMPTED;
		return 0;
	}
	if (strlen(arg) >= sizeof(buf) || !arg[0]) {
		opts_error(o, "--target-load: expected a list of idle, busy, fifo, owner, owner-preempted, filled-idle, or all");
		return -1;
	}
	if (arg[0] == ',' || arg[strlen(arg) - 1] == ',' || strstr(arg, ",,")) {
		opts_error(o, "--target-load: empty item in '%s'", arg);
		return -1;
	}
	strcpy(buf, arg);
	memset(load, 0, TARGET_NR_LOADS * sizeof(load[0]));
	for (char *name = strtok_r(buf, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		enum target_load l;

		if (target_load_parse(name, &l)) {
			opts_error(o, "--target-load: unknown load '%s' (idle, busy, fifo, owner, owner-preempted, filled-idle, all)",
				   name);
			return -1;
		}
		load[l] = true;
	}
	return 0;
}

int scenario_drain_rows(struct scenario_env *env, struct scenario_row *latency,
			const struct qpwbench_run *run, const struct qpwbench_drain_stats *ds,
			bool *measured)
{
	const struct qpwbench_result *res = &run->result;
	struct scenario_row row;
	uint32_t ops;

	/*
	 * A skip is no drain (DESIGN.md, Statistics): both backends count it
	 * in result.skips and leave it out of every histogram, so the latency
	 * holds drains only. Where every drain skipped there is no latency to
	 * write: a note says so, and skipped_drains counts them.
	 */
	if (res->skips && !res->hist.count && !res->stalls) {
		scenario_note(env, "  %s %s: every drain skipped (empty batches): no latency",
			      scenario_name(latency->scenario), variant_name(latency->variant));
	} else if (scenario_row(env, latency)) {
		return EXIT_FAILED;
	}
	if (measured)
		*measured = latency->stats.samples > 0;
	row = *latency;
	row.has_ticks = false;
	row.subtracted_ns = 0;
	row.secondary = true;
	row.metric = &METRIC_SKIPPED_DRAINS;
	stats_single(&row.stats, (double)res->skips);
	if (scenario_row(env, &row))
		return EXIT_FAILED;
	row.metric = &METRIC_DRAINED_ENTRIES;
	hist_stats(&ds->drained, 1, &row.stats);
	if (scenario_row(env, &row))
		return EXIT_FAILED;
	/* Stalls apart: their full time, never a drain's latency. */
	if (res->stalls) {
		row.metric = &METRIC_STALL_LATENCY;
		hist_stats(&ds->stall_latency, 1000, &row.stats);
		if (scenario_row(env, &row))
			return EXIT_FAILED;
	}
	if (run->target_load == QPWBENCH_LOAD_OWNER_PREEMPTED) {
		row.metric = &METRIC_TARGET_GAP;
		hist_stats(&ds->target_gap, 1000, &row.stats);
		if (scenario_row(env, &row))
			return EXIT_FAILED;
		row.metric = &METRIC_TARGET_INVOLUNTARY_SWITCHES;
		stats_single(&row.stats, (double)run->result.target_preemptions);
		if (scenario_row(env, &row))
			return EXIT_FAILED;
		row.metric = &METRIC_HELD_DRAINS;
		stats_single(&row.stats, (double)run->result.held_drains);
		if (scenario_row(env, &row))
			return EXIT_FAILED;
	} else if (run->target_load != QPWBENCH_LOAD_OWNER &&
		   run->target_load != QPWBENCH_LOAD_FILLED_IDLE) {
		return EXIT_OK;
	}
	/*
	 * Net of the timer overhead, as op_cost is: each sample timed the
	 * owner's chunk of ops (--fill K: K; else MODEL_OWNER_CHUNK) with the
	 * backend's clock, whose empty region costs env->timer_overhead_ns.
	 */
	ops = run->drain_flags & QPWBENCH_DRAIN_FILL ? run->fill : MODEL_OWNER_CHUNK;
	row.subtracted_ns = ops && !isnan(env->timer_overhead_ns) ? env->timer_overhead_ns / ops : 0;
	row.metric = &METRIC_OWNER_OP_COST;
	hist_stats(&ds->owner, 1000, &row.stats);
	stats_subtract(&row.stats, row.subtracted_ns);
	if (scenario_row(env, &row))
		return EXIT_FAILED;
	row.metric = &METRIC_OWNER_OP_COST_ALONE;
	hist_stats(&ds->owner_alone, 1000, &row.stats);
	stats_subtract(&row.stats, row.subtracted_ns);
	return scenario_row(env, &row) ? EXIT_FAILED : EXIT_OK;
}

uint64_t scenario_wait_bound_ns(enum target_load load)
{
	bool fifo = load == TARGET_LOAD_FIFO || load == TARGET_LOAD_OWNER_PREEMPTED;

	return (fifo ? SCENARIO_WAIT_BOUND_FIFO_MS : SCENARIO_WAIT_BOUND_MS) * 1000000ULL;
}

unsigned int scenario_caller(const struct scenario_common *c, unsigned int caller)
{
	return caller == SCENARIO_CALLER_FIRST ? c->cpus[0] : caller;
}

int scenario_main(const struct opts_command *cmd, int argc, char **argv,
		  struct scenario_common *common, void *params,
		  int (*measure)(struct scenario_env *env, const struct ubench_opts *o,
				 const void *params))
{
	struct ubench_opts o = { .ctx = params };
	struct scenario_env env;
	enum opts_result parsed = opts_parse(&o, cmd, argc, argv);
	int rc;

	if (parsed != OPTS_RUN)
		return parsed == OPTS_HELP ? EXIT_OK : EXIT_USAGE;
	rc = scenario_env_open(&env, &o);
	if (!rc) {
		memcpy(common->variant, o.variant, sizeof(common->variant));
		common->cpus = o.cpus;
		common->n_cpus = o.n_cpus;
		common->repeat = o.repeat;
		common->iterations = o.iterations;
		common->warmup = o.warmup;
		common->duration_ns = o.duration_ns;
		common->plan = o.plan;
		rc = measure(&env, &o, params);
		rc = scenario_env_close(&env, rc);
	}
	opts_free(&o);
	return rc;
}
