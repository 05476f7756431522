/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Results: the tidy CSV of DESIGN.md, and the same rows as JSON Lines.
 * THIS FILE IS THE ONE PLACE FOR THE COLUMN LIST: OUTPUT_COLUMNS below, in
 * order (output.c writes it, reports/qpwrep/data.py reads it from here,
 * tests check it):
 *
 *   key       scenario,backend,variant,kernel,preempt,arch,cpus,n_cpus,
 *             distance,metric,unit
 *   run       the --repeat run, 1..N, in the order the runs were made (the
 *             variants of a measurement point take turns: run 1 of each,
 *             then run 2 of each, ...); n/a for rows that summarise runs
 *   figures   samples,min,p50,p90,p99,p999,max,mean,stddev: n/a where not
 *             honest (an empty measurement: all; p99 below 1,000 samples,
 *             p999 below 10,000; core/hist.h)
 *   pctl_method  exact (order statistics of every sample: a percentile is
 *             a value some sample had) or hist (past the raw-sample cap,
 *             QPWBENCH_MAX_RAW_SAMPLES: the bucket's midpoint, < 1/32 off)
 *   ticks     mean ticks of the backend's free-running counter per op (x86:
 *             the TSC, at tick_mhz; not core cycles, which only the PMU
 *             gives: --events cycles), else n/a
 *   resolution_ns  the timer's real resolution: the larger of one tick and
 *             the smallest nonzero step seen between back-to-back reads
 *   timer_overhead_ns  the cost of one timed empty region (user: two
 *             timer reads; kmod: the module's null-op calibration, p50)
 *   subtracted_ns  what was taken off every figure of this row: op_cost
 *             rows are net of the timer overhead (timer_overhead_ns /
 *             batch per op); the raw figure is the value plus this; 0 on
 *             rows that are not corrected
 *   metadata  host,cpu_model,timer,tick_mhz,emulated,sched_rt,date,version;
 *             sched_rt: RT throttling, sched_rt_runtime_us/sched_rt_period_us
 *             (-1/...: off), n/a where unreadable;
 *             emulated: no (bare metal), virtualized (a hypervisor guest:
 *             timings carry its noise), tcg (QEMU TCG: timings are not the
 *             hardware's), tcg-icount (TCG with -icount: guest time counts
 *             instructions)
 *   target    target_load: what ran on the measured targets (remote and
 *             drain-all: owner, idle, busy, fifo or owner-preempted;
 *             interference: fifo), n/a for scenarios that do
 *             not load their targets; in every file, so that the rows of
 *             any command (a sweep's c2c and remote rows) share one header
 *   trigger   the kernel path a trigger-scenario row measured (fadvise,
 *             drop-caches, ...; ubench/triggers.c), n/a for other scenarios
 *   parameters  what the backend run behind the row was asked (struct
 *             output_params; n/a on rows of no backend run: c2c, trigger,
 *             kpath), so that no reader pools rows run differently:
 *             fill (--fill K, n/a without), drain_empty (yes/no: every
 *             batch drained, --drain-empty), owner_rate_hz (0: flat out;
 *             n/a without owners), owner_hold_ns (n/a without owners),
 *             wait_bound_ns (n/a: the backend's default), batch (local:
 *             ops per sample), lock_mode (plain, irqsave, trylock),
 *             drainer_policy (the drainer thread's scheduling policy, the
 *             run's .drainer_policy: other (SCHED_OTHER), or fifo:51 under
 *             owner-preempted with --drainer-policy fifo), interrupted (yes: the
 *             backend's run cap ended the run early, its figures are partial)
 *   fill_mode how a trigger row's targets filled their per-CPU caches:
 *             none (plain faults and reads), or the --mlock mode their
 *             memory was locked with (onfault, current, cow); n/a for other
 *             scenarios. Files from before the column read as none.
 *   extra     columns registered with output_add_column() before
 *             output_start(), in registration order (event counters); a row
 *             without a value for one writes n/a
 *
 * Rows are written as measurements finish and flushed one at a time, so an
 * interrupted run keeps every finished row; the files are fsynced at each
 * --repeat boundary (output_sync()) and at close. With --repeat N a
 * measurement writes one row per run; spread across runs and the ratio of
 * medians between variants are computed by readers (and printed by the
 * commands), so every row stays one measurement.
 *
 * CSV: RFC 4180 quoting (cpus "0,1" is quoted), "\n" line ends. The header
 * is written only when the file is new or empty; appending to a file whose
 * header differs, or whose last row was cut short (no final newline), is
 * refused. "-" is stdout.
 * JSON: JSON Lines, one object per row, keys = the CSV column names in the
 * same order; numbers are numbers, n/a is null, everything else a string.
 */
#ifndef QPWBENCH_CORE_OUTPUT_H
#define QPWBENCH_CORE_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hist.h"
#include "meta.h"

#define OUTPUT_COLUMNS(X)						\
	X(SCENARIO, "scenario") X(BACKEND, "backend") X(VARIANT, "variant")	\
	X(KERNEL, "kernel") X(PREEMPT, "preempt") X(ARCH, "arch")		\
	X(CPUS, "cpus") X(N_CPUS, "n_cpus") X(DISTANCE, "distance")		\
	X(METRIC, "metric") X(UNIT, "unit") X(RUN, "run")			\
	X(SAMPLES, "samples") X(MIN, "min") X(P50, "p50") X(P90, "p90")		\
	X(P99, "p99") X(P999, "p999") X(MAX, "max") X(MEAN, "mean")		\
	X(STDDEV, "stddev") X(PCTL_METHOD, "pctl_method")			\
	X(TICKS, "ticks") X(RESOLUTION_NS, "resolution_ns")			\
	X(TIMER_OVERHEAD_NS, "timer_overhead_ns") X(SUBTRACTED_NS, "subtracted_ns") \
	X(HOST, "host") X(CPU_MODEL, "cpu_model") X(TIMER, "timer")		\
	X(TICK_MHZ, "tick_mhz") X(EMULATED, "emulated") X(SCHED_RT, "sched_rt")	\
	X(DATE, "date")								\
	X(VERSION, "version") X(TARGET_LOAD, "target_load") X(TRIGGER, "trigger")	\
	X(FILL_MODE, "fill_mode")							\
	OUTPUT_PARAMETER_COLUMNS(X)

/* The parameters columns (see above), the last of OUTPUT_COLUMNS. */
#define OUTPUT_PARAMETER_COLUMNS(X)						\
	X(FILL, "fill") X(DRAIN_EMPTY, "drain_empty") X(OWNER_RATE_HZ, "owner_rate_hz")	\
	X(OWNER_HOLD_NS, "owner_hold_ns") X(WAIT_BOUND_NS, "wait_bound_ns")	\
	X(BATCH, "batch") X(LOCK_MODE, "lock_mode")				\
	X(DRAINER_POLICY, "drainer_policy") X(INTERRUPTED, "interrupted")

#define OUTPUT_COLUMN_ENUM(id, name) OUTPUT_COL_##id,
enum output_column {
	OUTPUT_COLUMNS(OUTPUT_COLUMN_ENUM)
	OUTPUT_NR_COLUMNS
};
#undef OUTPUT_COLUMN_ENUM

#define OUTPUT_MAX_EXTRA	32
#define OUTPUT_NA		"n/a"

struct output {
	const struct run_meta *meta;
	size_t n_extra;
	char *extra[OUTPUT_MAX_EXTRA];	/* extra column names (owned) */
	FILE *csv, *json;
	bool csv_is_stdout, json_is_stdout;
	/* Set before output_start(): "-" gets no header (a stream that has one already). */
	bool stdout_continues;
	bool started;
	unsigned long rows;
};

/*
 * The parameters columns of a row of a backend run (see above). A string
 * NULL, or a has_ flag false: n/a.
 */
struct output_params {
	bool has_fill;
	uint32_t fill;
	const char *drain_empty;	/* "yes", "no" */
	bool has_owner;			/* owners on the targets: rate and hold apply */
	uint64_t owner_rate_hz, owner_hold_ns;
	uint64_t wait_bound_ns;		/* 0: the backend's default, n/a */
	uint32_t batch;			/* 0: n/a */
	const char *lock_mode;
	const char *drainer_policy;
	bool interrupted;
};

/* One measurement's row. Strings must be non-NULL except where noted. */
struct output_row {
	const char *scenario;	/* DESIGN.md: c2c, local, remote, drain-all, ... */
	const char *backend;	/* user, kmod */
	const char *variant;	/* a QPWBENCH_VARIANTS name, or the op for c2c */
	const unsigned int *cpus;	/* OS indices, written "0,1" */
	unsigned int n_cpus;
	const char *distance;	/* distance class, or NULL: n/a */
	const char *metric;	/* DESIGN.md's metric table */
	const char *unit;	/* ns, ratio, count */
	uint32_t run;		/* --repeat run, 1-based; 0: n/a */
	struct stats stats;	/* in unit: stats_of_samples(..., 1000, ...) for ns */
	bool has_ticks;
	double ticks;		/* mean counter ticks per op, when has_ticks */
	double resolution_ns;	/* NAN: n/a */
	double timer_overhead_ns;	/* NAN: n/a */
	double subtracted_ns;	/* taken off every figure; 0 when none */
	const char *target_load;	/* NULL: n/a */
	const char *trigger;		/* NULL: n/a */
	const struct output_params *params;	/* NULL: every parameter n/a */
	const char *fill_mode;		/* NULL: n/a */
	/* Values for the extra columns by name; NULL, or a name not given: n/a. */
	size_t n_extra;
	const char *const *extra_names;
	const char *const *extra_values;
};

/* meta: run_meta_get() normally; tests pass their own. */
void output_init(struct output *o, const struct run_meta *meta);

/* Register an extra column (before output_start). 0, or -EINVAL/-E2BIG + err. */
int output_add_column(struct output *o, const char *name, char *err, size_t errlen);

/*
 * Open the CSV (csv_path, "-" for stdout, NULL for none) and JSON outputs,
 * write the CSV header if the file is new or empty, or check it if not.
 * 0, or -errno with one line in err (cannot open; header differs).
 */
int output_start(struct output *o, const char *csv_path, const char *json_path,
		 char *err, size_t errlen);

/* True when rows go somewhere (a CSV or JSON output is open). */
bool output_active(const struct output *o);
/* True when rows go to stdout (then commands keep their text off stdout). */
bool output_uses_stdout(const struct output *o);

/* Write one row to every open output and flush. 0, or -errno (+ err). */
int output_row(struct output *o, const struct output_row *row, char *err, size_t errlen);

/*
 * fsync the files (at a --repeat boundary, and before output_close() at
 * the end): 0, or -errno + err. Nothing to do for stdout.
 */
int output_sync(struct output *o, char *err, size_t errlen);

/* Close the files (not stdout). */
void output_close(struct output *o);

/* @s as a JSON string, quoted and escaped (RFC 8259), to @f. */
void output_json_string(FILE *f, const char *s);

/* The column list, for tests and readers: OUTPUT_COLUMNS, without extras. */
size_t output_base_columns(const char *const **names);

#endif
