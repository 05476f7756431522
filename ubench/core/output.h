/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Results: the tidy CSV of DESIGN.md, and the same rows as JSON Lines.
 * THIS FILE IS THE ONE PLACE FOR THE COLUMN LIST (output.c's table follows
 * it; tests check it):
 *
 *   core      scenario,backend,variant,kernel,preempt,arch,cpus,n_cpus,
 *             distance,metric,unit,samples,min,p50,p90,p99,p999,max,mean,stddev
 *   cycles    mean cycles per op where a cycle counter exists (x86 TSC
 *             ticks), else n/a
 *   metadata  host,cpu_model,timer,emulated,date,version
 *   target    target_load: what ran on the measured targets (remote: idle,
 *             busy or fifo; interference: fifo), n/a for scenarios that do
 *             not load their targets; in every file, so that the rows of
 *             any command (a sweep's c2c and remote rows) share one header
 *   trigger   the kernel path a trigger-scenario row measured (fadvise,
 *             drop-caches, ...; ubench/triggers.c), n/a for other scenarios
 *   extra     columns registered with output_add_column() before
 *             output_start(), in registration order (event counters); a row
 *             without a value for one writes n/a
 *
 * Rows are written and flushed one at a time as measurements finish, so an
 * interrupted run keeps every finished row. With --repeat N a measurement
 * writes one row per repetition (same key columns, rows in run order);
 * spread across repetitions is computed by readers (and printed by the
 * commands), so every row stays one measurement.
 *
 * CSV: RFC 4180 quoting (cpus "0,1" is quoted), "\n" line ends. The header
 * is written only when the file is new or empty; appending to a file whose
 * header differs is refused. "-" is stdout.
 * JSON: JSON Lines, one object per row, keys = the CSV column names in the
 * same order; numbers are numbers, n/a is null, everything else a string.
 */
#ifndef QPWBENCH_CORE_OUTPUT_H
#define QPWBENCH_CORE_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "hist.h"
#include "meta.h"

#define OUTPUT_MAX_EXTRA	32
#define OUTPUT_NA		"n/a"

struct output {
	const struct run_meta *meta;
	size_t n_extra;
	char *extra[OUTPUT_MAX_EXTRA];	/* extra column names (owned) */
	FILE *csv, *json;
	bool csv_is_stdout, json_is_stdout;
	bool started;
	unsigned long rows;
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
	struct stats stats;	/* in unit: hist_stats(h, 1000, ...) for ns */
	bool has_cycles;
	double cycles;		/* mean cycles per op, when has_cycles */
	const char *target_load;	/* NULL: n/a */
	const char *trigger;		/* NULL: n/a */
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

/* Close the files (not stdout). */
void output_close(struct output *o);

/* The column list, for tests and readers: core+cycles+metadata+target+trigger, without extras. */
size_t output_base_columns(const char *const **names);

#endif
