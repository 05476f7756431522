// SPDX-License-Identifier: GPL-2.0
/*
 * ubench c2c: what moving one cache line between CPUs costs.
 *
 * One-way latency (metric one_way_latency): two threads pinned on a pair of
 * CPUs bounce two separate 64-byte-aligned lines, the method of rigtorp's
 * c2clat: "ping" writes sequence number s into line A and spins until line B
 * holds s; "pong" spins until A holds s, then writes s into B. One sample is
 * the time of --round-trips round trips, divided by 2 and by the round
 * trips; the samples (picoseconds, up to QPWBENCH_MAX_RAW_SAMPLES) give
 * exact percentiles, the histogram the rest, with the exact minimum that is
 * c2clat's figure. A pair stops early, with the samples it
 * has, after --time-limit: ping-pong needs both CPUs running at once, which
 * an oversubscribed VM grants only now and then (each transfer then waits
 * for the host's scheduler: milliseconds, not nanoseconds).
 *
 * Contended line (metrics contended_op, fairness): over the ramp plan (1, 2,
 * ... CPUs nearest first), every thread hammers one shared line for
 * --duration with an atomic add, a CAS loop or a ticket spinlock (the
 * variant column names the op). contended_op is each thread's time per op
 * (duration / its ops), one value per thread; fairness is the stddev/mean
 * of the per-thread op counts (0 = perfectly fair).
 */
#include <errno.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "counters.h"
#include "hist.h"
#include "lineops.h"
#include "opts.h"
#include "output.h"
#include "progress.h"
#include "threads.h"
#include "timer.h"

#define C2C_DEFAULT_SAMPLES	1000
#define C2C_DEFAULT_ROUND_TRIPS	100
#define C2C_MAX_ROUND_TRIPS	100000
#define C2C_DEFAULT_WARMUP	100
#define C2C_DEFAULT_DURATION_NS	200000000ull
/* Hardware needs well under 1 s for the default samples of one pair. */
#define C2C_DEFAULT_TIME_LIMIT_NS	10000000000ull
/* The contended loop's first thread reads the clock once per this many ops. */
#define C2C_CLOCK_EVERY		64

enum { O_MATRIX = OPTS_OWN_BASE, O_ROUND_TRIPS, O_MEASURE, O_TIME_LIMIT };

enum measure { M_LATENCY = 1, M_CONTENDED = 2 };

struct c2c_args {
	unsigned int round_trips;
	uint64_t time_limit_ns;		/* per latency pair */
	unsigned int measure;		/* M_* bits */
	bool matrix;
};

static const struct option c2c_own[] = {
	{ "matrix", no_argument, NULL, O_MATRIX },
	{ "round-trips", required_argument, NULL, O_ROUND_TRIPS },
	{ "measure", required_argument, NULL, O_MEASURE },
	{ "time-limit", required_argument, NULL, O_TIME_LIMIT },
	{ 0 },
};

static int c2c_handle(struct ubench_opts *o, int val, const char *arg)
{
	struct c2c_args *a = o->ctx;
	uint64_t v;

	switch (val) {
	case O_MATRIX:
		a->matrix = true;
		return 0;
	case O_ROUND_TRIPS:
		if (opts_u64(o, "--round-trips", arg, 1, C2C_MAX_ROUND_TRIPS, &v))
			return -1;
		a->round_trips = (unsigned int)v;
		return 0;
	case O_TIME_LIMIT:
		return opts_duration(o, "--time-limit", arg, 1000000, OPTS_MAX_DURATION_NS,
				     &a->time_limit_ns);
	case O_MEASURE:
		if (!strcmp(arg, "latency"))
			a->measure = M_LATENCY;
		else if (!strcmp(arg, "contended"))
			a->measure = M_CONTENDED;
		else if (!strcmp(arg, "all"))
			a->measure = M_LATENCY | M_CONTENDED;
		else {
			opts_error(o, "--measure '%s': latency, contended or all", arg);
			return -1;
		}
		return 0;
	}
	return -1;
}

static const struct opts_command c2c_command = {
	.name = "c2c",
	.summary = "cache-line ping-pong one-way latency per CPU pair, contended-line cost and fairness vs CPU count",
	.common = OPT_CPUS | OPT_PLAN | OPT_OUTPUT | OPT_EVENTS | OPT_REPEAT | OPT_ITERATIONS |
		  OPT_DURATION | OPT_WARMUP | OPT_FIFO,
	.own = c2c_own,
	.own_help =
		"  --matrix             every pair of --cpus (plan pairs), and a matrix of minima on stdout\n"
		"  --measure WHAT       latency, contended or all (default all)\n"
		"  --round-trips N      round trips per latency sample (default 100)\n"
		"  --time-limit TIME    per latency pair: stop early with the samples taken (default 10s)\n"
		"  (--plan: classes or pairs, for latency; contended always ramps;\n"
		"   --iterations: latency samples per pair, default 1000;\n"
		"   --duration: per contended point, default 200ms; --warmup: latency samples, default 100)\n",
	.handle = c2c_handle,
	.default_plan = TOPO_PLAN_CLASSES,
	.default_iterations = C2C_DEFAULT_SAMPLES,
	.default_duration_ns = C2C_DEFAULT_DURATION_NS,
	.default_warmup = C2C_DEFAULT_WARMUP,
};

/* ---- one-way latency ---- */

/*
 * Each line starts a 128-byte pair of its own, so that the adjacent-line
 * prefetcher (which fetches 64-byte lines in 128-byte pairs) never couples
 * A and B; c2clat's two static lines happen to sit that way too.
 */
struct pingpong {
	alignas(2 * LINE_BYTES) atomic_uint ping;	/* line A: written by ping */
	atomic_bool stop;	/* line A too: pong reads it where A is already in its cache */
	alignas(2 * LINE_BYTES) atomic_uint pong;	/* line B: written by pong */
	alignas(2 * LINE_BYTES) unsigned int round_trips;
	uint64_t warmup, samples, limit_ticks;
	uint64_t done;		/* samples run, warm-up included */
	struct qpwbench_hist hist;	/* count < samples when the limit hit */
	__u64 *raw;		/* hist's first QPWBENCH_MAX_RAW_SAMPLES samples: exact percentiles */
};

/*
 * Ping (thread 0) decides how many samples there are; pong follows until a
 * ping arrives with stop set, which ping sends at a sample boundary, so pong
 * checks stop once per sample and never inside a timed round trip's spin.
 */
static void pingpong_thread(struct thread_ctx *ctx)
{
	struct pingpong *pp = ctx->arg;
	const unsigned int rt = pp->round_trips;
	unsigned int seq = 0;
	uint64_t start;
	bool late = false;

	if (ctx->index == 1) {
		for (;;)
			for (unsigned int r = 0; r < rt; r++) {
				seq++;
				while (atomic_load_explicit(&pp->ping, memory_order_acquire) != seq)
					;
				if (r == 0 && atomic_load_explicit(&pp->stop, memory_order_relaxed))
					return;
				atomic_store_explicit(&pp->pong, seq, memory_order_release);
			}
	}
	start = timer_start();
	for (uint64_t s = 0; pp->hist.count < pp->samples; s++) {
		uint64_t t0 = timer_start(), t1;

		for (unsigned int r = 0; r < rt; r++) {
			seq++;
			atomic_store_explicit(&pp->ping, seq, memory_order_release);
			while (atomic_load_explicit(&pp->pong, memory_order_acquire) != seq)
				;
		}
		t1 = timer_end();
		pp->done++;
		if (s >= pp->warmup || late)
			qpwbench_record(&pp->hist, pp->raw, QPWBENCH_MAX_RAW_SAMPLES,
					timer_ticks_to_ps(t1 - t0) / (2ull * rt));
		if (t1 - start >= pp->limit_ticks) {
			if (pp->hist.count)
				break;
			late = true;	/* still warming up: measure one sample, then stop */
		}
	}
	/* The ping release orders stop before it. */
	atomic_store_explicit(&pp->stop, true, memory_order_relaxed);
	atomic_store_explicit(&pp->ping, seq + 1, memory_order_release);
}

/* ---- contended line ---- */

struct contended {
	struct shared_line line;
	alignas(LINE_BYTES) atomic_bool stop;
	enum line_op op;
	uint64_t duration_ticks;
	uint64_t elapsed_ticks;
	uint64_t *ops;				/* per thread */
};

static void contended_thread(struct thread_ctx *ctx)
{
	struct contended *c = ctx->arg;
	uint64_t ops = 0;

	if (ctx->index == 0) {
		uint64_t t0 = timer_start(), t = t0;

		while (t - t0 < c->duration_ticks) {
			for (int i = 0; i < C2C_CLOCK_EVERY; i++)
				line_op(&c->line, c->op);
			ops += C2C_CLOCK_EVERY;
			t = timer_end();
		}
		atomic_store_explicit(&c->stop, true, memory_order_relaxed);
		c->elapsed_ticks = t - t0;
	} else {
		while (!atomic_load_explicit(&c->stop, memory_order_relaxed)) {
			line_op(&c->line, c->op);
			ops++;
		}
	}
	c->ops[ctx->index] = ops;
}

/* ---- the command ---- */

struct c2c_run {
	struct ubench_opts *o;
	struct c2c_args *a;
	struct output out;
	const struct timer_info *timer;
	bool text;		/* human summary on stdout */
	struct counters_session counters;	/* --events, per pair or contended point */
};

static int write_row(struct c2c_run *r, struct output_row *row)
{
	char err[256];

	if (!output_active(&r->out))
		return 0;
	row->scenario = "c2c";
	row->backend = "user";
	row->n_extra = r->counters.n_columns;
	row->extra_names = r->counters.names;
	row->extra_values = r->counters.values;
	row->resolution_ns = r->timer->resolution_ns;
	row->timer_overhead_ns = r->timer->overhead_ns;
	/* Per-op rows only: contended_elapsed is a whole point's time, not an op's. */
	row->has_ticks = false;
	if (r->timer->counts_cycles && strcmp(row->metric, "contended_elapsed") &&
	    !strcmp(row->unit, "ns") && !isnan(row->stats.mean)) {
		row->has_ticks = true;
		row->ticks = row->stats.mean * r->timer->ticks_per_ns;
	}
	if (output_row(&r->out, row, err, sizeof(err))) {
		opts_error(r->o, "%s", err);
		return -1;
	}
	return 0;
}

static const char *class_column(enum topo_class c)
{
	return c == TOPO_CLASS_NONE ? NULL : topo_class_name(c);
}

/* Spread of a figure over repetitions: (max - min) / median. */
static double spread(double *v, unsigned int n)
{
	struct stats s;

	stats_of_values(v, n, &s);
	return s.p50 > 0 ? (s.max - s.min) / s.p50 : 0;
}

/* One pair, --repeat times; min_out gets the smallest minimum (ns). 0, or an exit code. */
static int latency_pair(struct c2c_run *r, unsigned int a, unsigned int b, double *min_out)
{
	struct ubench_opts *o = r->o;
	unsigned int cpus[2] = { a, b };
	enum topo_class cls = topo_distance(o->topo, a, b);
	double *mins = calloc(o->repeat, sizeof(double)), *p50s = calloc(o->repeat, sizeof(double));
	struct pingpong *pp = aligned_alloc(2 * LINE_BYTES, sizeof(*pp));
	__u64 *raw = malloc(QPWBENCH_MAX_RAW_SAMPLES * sizeof(*raw));
	struct stats over_reps;
	char err[256];
	int rc = EXIT_OK;

	if (!mins || !p50s || !pp || !raw) {
		opts_error(o, "out of memory");
		rc = EXIT_FAILED;
		goto out;
	}
	for (unsigned int rep = 0; rep < o->repeat; rep++) {
		struct output_row row = {
			.variant = "ping-pong", .cpus = cpus, .n_cpus = 2, .distance = class_column(cls),
			.metric = "one_way_latency", .unit = "ns", .run = rep + 1,
		};

		memset(pp, 0, sizeof(*pp));
		pp->raw = raw;
		pp->round_trips = r->a->round_trips;
		pp->warmup = o->warmup;
		pp->samples = o->iterations;
		pp->limit_ticks = timer_ns_to_ticks(r->a->time_limit_ns);
		if (counters_session_begin(&r->counters, cpus, 2, err, sizeof(err))) {
			opts_error(o, "--events: %s", err);
			rc = EXIT_FAILED;
			goto out;
		}
		if (threads_run(cpus, 2, o->fifo, pingpong_thread, pp, err, sizeof(err))) {
			opts_error(o, "%s", err);
			rc = EXIT_USAGE;
			goto out;
		}
		/* Counters per one-way transfer, warm-up included. */
		if (counters_session_end(&r->counters, pp->done * 2 * pp->round_trips,
					 err, sizeof(err))) {
			opts_error(o, "--events: %s", err);
			rc = EXIT_FAILED;
			goto out;
		}
		if (pp->hist.count < pp->samples)
			fprintf(stderr, "ubench c2c: pair %u-%u: stopped at --time-limit %g s with %llu of %llu samples, "
				"which its row has (a VM whose two vCPUs seldom run at once is this slow)\n",
				a, b, r->a->time_limit_ns / 1e9, (unsigned long long)pp->hist.count,
				(unsigned long long)pp->samples);
		stats_of_samples(&pp->hist, (const uint64_t *)raw,
				 pp->hist.count < QPWBENCH_MAX_RAW_SAMPLES ? pp->hist.count :
				 QPWBENCH_MAX_RAW_SAMPLES, 1000, &row.stats);
		mins[rep] = row.stats.min;
		p50s[rep] = row.stats.p50;
		if (write_row(r, &row)) {
			rc = EXIT_FAILED;
			goto out;
		}
	}
	/* Over repetitions: the smallest minimum, the median of the medians. */
	stats_of_values(mins, o->repeat, &over_reps);
	*min_out = over_reps.min;
	if (r->text) {
		double min_spread = spread(mins, o->repeat);

		stats_of_values(p50s, o->repeat, &over_reps);
		printf("one-way %3u-%-3u %-8s min %8.1f ns  p50 %8.1f ns", a, b,
		       topo_class_name(cls), *min_out, over_reps.p50);
		if (o->repeat > 1)
			printf("  (%u runs, p50 spread %.1f%%, min spread %.1f%%)", o->repeat,
			       100 * spread(p50s, o->repeat), 100 * min_spread);
		printf("\n");
	}
out:
	free(mins);
	free(p50s);
	free(raw);
	free(pp);
	return rc;
}

static int run_latency(struct c2c_run *r)
{
	struct ubench_opts *o = r->o;
	enum topo_plan_kind kind = r->a->matrix ? TOPO_PLAN_PAIRS : o->plan;
	struct topo_plan plan;
	double *matrix = NULL;
	struct progress pr;
	char err[256];
	int rc = EXIT_OK;

	if (kind != TOPO_PLAN_CLASSES && kind != TOPO_PLAN_PAIRS) {
		opts_error(o, "--plan %s: latency takes classes or pairs", topo_plan_name(kind));
		return EXIT_USAGE;
	}
	if (o->n_cpus < 2) {
		opts_error(o, "--cpus: latency needs at least two CPUs");
		return EXIT_USAGE;
	}
	if (topo_plan_build(o->topo, kind, o->cpuset, &plan, err, sizeof(err))) {
		opts_error(o, "%s", err);
		return EXIT_USAGE;
	}
	if (r->a->matrix && r->text) {
		matrix = calloc((size_t)o->n_cpus * o->n_cpus, sizeof(double));
		if (!matrix) {
			opts_error(o, "out of memory");
			topo_plan_free(&plan);
			return EXIT_FAILED;
		}
	}
	/* A matrix or a plan of pairs: progress per pair (core/progress.h). */
	progress_start(&pr, "c2c", plan.n_steps, plan.n_steps);
	pr.on = pr.on && plan.n_steps > 1;
	for (unsigned int s = 0; s < plan.n_steps && !rc; s++) {
		const struct topo_step *st = &plan.steps[s];
		double min;
		char pair[48];

		snprintf(pair, sizeof(pair), "pair %u,%u", st->cpus[0], st->cpus[1]);
		progress_step(&pr, pair, 1);
		rc = latency_pair(r, st->cpus[0], st->cpus[1], &min);
		if (!rc && matrix) {
			unsigned int i = 0, j = 0;

			while (o->cpus[i] != st->cpus[0])
				i++;
			while (o->cpus[j] != st->cpus[1])
				j++;
			matrix[i * o->n_cpus + j] = matrix[j * o->n_cpus + i] = min;
		}
	}
	if (!rc)
		progress_end(&pr);
	if (!rc && matrix) {
		printf("\none-way latency minimum, ns\n%5s", "CPU");
		for (unsigned int j = 0; j < o->n_cpus; j++)
			printf(" %6u", o->cpus[j]);
		printf("\n");
		for (unsigned int i = 0; i < o->n_cpus; i++) {
			printf("%5u", o->cpus[i]);
			for (unsigned int j = 0; j < o->n_cpus; j++)
				if (i == j)
					printf(" %6s", "-");
				else
					printf(" %6.1f", matrix[i * o->n_cpus + j]);
			printf("\n");
		}
	}
	free(matrix);
	topo_plan_free(&plan);
	return rc;
}

static int contended_point(struct c2c_run *r, const struct topo_step *st, enum line_op op)
{
	struct ubench_opts *o = r->o;
	struct contended *c = aligned_alloc(LINE_BYTES, sizeof(*c));
	uint64_t *ops = calloc(st->n, sizeof(*ops));
	double *v = calloc(st->n, sizeof(*v));
	char err[256];
	int rc = EXIT_OK;

	if (!c || !ops || !v) {
		opts_error(o, "out of memory");
		rc = EXIT_FAILED;
		goto out;
	}
	for (unsigned int rep = 0; rep < o->repeat && !rc; rep++) {
		struct output_row row = {
			.variant = line_op_name(op), .cpus = st->cpus, .n_cpus = st->n,
			.distance = class_column(st->distance),
		};
		double elapsed_ns, sum = 0, mean_count;
		struct stats counts;

		memset(c, 0, sizeof(*c));
		c->op = op;
		c->ops = ops;
		c->duration_ticks = timer_ns_to_ticks(o->duration_ns);
		if (counters_session_begin(&r->counters, st->cpus, st->n, err, sizeof(err))) {
			opts_error(o, "--events: %s", err);
			rc = EXIT_FAILED;
			break;
		}
		if (threads_run(st->cpus, st->n, o->fifo, contended_thread, c, err, sizeof(err))) {
			opts_error(o, "%s", err);
			rc = EXIT_USAGE;
			break;
		}
		elapsed_ns = timer_ticks_to_ns(c->elapsed_ticks);
		for (unsigned int i = 0; i < st->n; i++) {
			/* A thread that never got an op in took at least the whole point for one. */
			v[i] = elapsed_ns / (double)(ops[i] ? ops[i] : 1);
			sum += (double)ops[i];
		}
		/* Counters per op of all threads. */
		if (counters_session_end(&r->counters, (uint64_t)sum, err, sizeof(err))) {
			opts_error(o, "--events: %s", err);
			rc = EXIT_FAILED;
			break;
		}
		row.metric = "contended_op";
		row.unit = "ns";
		stats_of_values(v, st->n, &row.stats);
		if (write_row(r, &row)) {
			rc = EXIT_FAILED;
			break;
		}
		/* Throughput is these two: total ops over the point's elapsed time. */
		row.metric = "contended_total_ops";
		row.unit = "count";
		row.has_ticks = false;
		stats_single(&row.stats, sum);
		if (write_row(r, &row)) {
			rc = EXIT_FAILED;
			break;
		}
		row.metric = "contended_elapsed";
		row.unit = "ns";
		stats_single(&row.stats, elapsed_ns);
		if (write_row(r, &row)) {
			rc = EXIT_FAILED;
			break;
		}
		for (unsigned int i = 0; i < st->n; i++)
			v[i] = (double)ops[i];
		stats_of_values(v, st->n, &counts);
		mean_count = sum / st->n;
		row.metric = "fairness";
		row.unit = "ratio";
		row.has_ticks = false;
		stats_single(&row.stats, mean_count > 0 ? counts.stddev / mean_count : 0);
		row.stats.samples = st->n;
		if (write_row(r, &row)) {
			rc = EXIT_FAILED;
			break;
		}
		if (r->text)
			printf("contended %-10s n=%-3u %-8s %8.1f ns/op per thread, %7.1f Mops/s total, fairness %.3f\n",
			       line_op_name(op), st->n, st->n > 1 ? topo_class_name(st->distance) : "-",
			       elapsed_ns * st->n / (sum > 0 ? sum : 1), sum / elapsed_ns * 1e3,
			       row.stats.mean);
	}
out:
	free(c);
	free(ops);
	free(v);
	return rc;
}

static int run_contended(struct c2c_run *r)
{
	struct topo_plan plan;
	char err[256];
	int rc = EXIT_OK;

	if (topo_plan_build(r->o->topo, TOPO_PLAN_RAMP, r->o->cpuset, &plan, err, sizeof(err))) {
		opts_error(r->o, "%s", err);
		return EXIT_USAGE;
	}
	for (unsigned int s = 0; s < plan.n_steps && !rc; s++)
		for (int op = 0; op < LINE_NR_OPS && !rc; op++)
			rc = contended_point(r, &plan.steps[s], op);
	topo_plan_free(&plan);
	return rc;
}

static int c2c_main(int argc, char **argv, bool stdout_continues)
{
	struct c2c_args a = { .round_trips = C2C_DEFAULT_ROUND_TRIPS, .time_limit_ns = C2C_DEFAULT_TIME_LIMIT_NS,
			      .measure = M_LATENCY | M_CONTENDED };
	struct ubench_opts o = { .ctx = &a };
	struct c2c_run r = { .o = &o, .a = &a };
	char err[256];
	int rc;

	rc = opts_parse(&o, &c2c_command, argc, argv);
	if (rc != OPTS_RUN)
		return rc == OPTS_HELP ? EXIT_OK : EXIT_USAGE;
	if (timer_init(err, sizeof(err))) {
		opts_error(&o, "%s", err);
		opts_free(&o);
		return EXIT_FAILED;
	}
	r.timer = timer_get_info();
	if (counters_session_init(&r.counters, o.events, err, sizeof(err))) {
		opts_error(&o, "--events: %s", err);
		opts_free(&o);
		return EXIT_USAGE;
	}
	output_init(&r.out, run_meta_get());
	r.out.stdout_continues = stdout_continues;
	rc = 0;
	for (size_t i = 0; !rc && i < r.counters.n_columns; i++)
		rc = output_add_column(&r.out, r.counters.names[i], err, sizeof(err));
	if (rc || output_start(&r.out, o.csv, o.json, err, sizeof(err))) {
		opts_error(&o, "%s", err);
		output_close(&r.out);
		opts_free(&o);
		return EXIT_USAGE;
	}
	r.text = !output_uses_stdout(&r.out);
	rc = EXIT_OK;
	if (a.measure & M_LATENCY)
		rc = run_latency(&r);
	if (!rc && (a.measure & M_CONTENDED))
		rc = run_contended(&r);
	counters_session_free(&r.counters);
	if (output_sync(&r.out, err, sizeof(err))) {
		opts_error(&o, "%s", err);
		rc = EXIT_FAILED;
	}
	output_close(&r.out);
	opts_free(&o);
	return rc;
}

int cmd_c2c(int argc, char **argv)
{
	return c2c_main(argc, argv, false);
}

int cmd_c2c_continue(int argc, char **argv)
{
	return c2c_main(argc, argv, true);
}
