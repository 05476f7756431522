/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Event counters around a timed region: perf_event_open(2) on the CPUs a
 * scenario involves (or on one thread), hardware events encoded by libpfm4
 * for the PMU it detects, software events (context switches, migrations)
 * from the kernel wherever perf exists.
 *
 * Event names, as `--events LIST` takes them (comma separated):
 *   - perf's generic names: cycles, instructions, context-switches (cs,
 *     ctx-switches), cpu-migrations (migrations), page-faults, task-clock,
 *     cpu-clock, ... optionally with perf's :u / :k modifiers;
 *   - any libpfm4 event string, [pmu::]EVENT[:UMASK...][:mod=val...],
 *     e.g. MEM_LOAD_L3_HIT_RETIRED:XSNP_HITM or arm_n1::BUS_ACCESS;
 *   - "default": the default set for this architecture (counters_default());
 *   - "none" alone: no counters (as without --events, so that files written
 *     by every command keep one header).
 *
 * Output contract, the one place that defines it:
 *   - every event is one CSV column, COUNTERS_COLUMN_PREFIX and the event's
 *     name: perf's name for generic events (aliases map to it: cs ->
 *     event:context-switches), the libpfm4 string as written otherwise
 *     (event:MEM_LOAD_L3_HIT_RETIRED:XSNP_HITM); the prefix keeps them apart
 *     from the core columns (the core "cycles" column is the timer's);
 *   - a value is the event's count over the measured region, summed over the
 *     counted CPUs, scaled for multiplexing (count * enabled / running, as
 *     perf stat does), and per op where the scenario has ops (see "Scenario
 *     glue" below);
 *   - "n/a" when the event cannot be counted here: no PMU model for it, the
 *     kernel refused it (ENOENT/EOPNOTSUPP/...: no PMU in a VM), or it was
 *     never scheduled on the PMU;
 *   - the extra column COUNTERS_RUNNING_COLUMN holds the smallest
 *     running/enabled fraction over the events that counted: 1 means no
 *     multiplexing; below 1 the values were scaled from that share of the
 *     region and are estimates.
 */
#ifndef QPWBENCH_COUNTERS_H
#define QPWBENCH_COUNTERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <linux/perf_event.h>

#include "qpwbench.h"

#define COUNTERS_MAX_EVENTS	16
#define COUNTERS_NAME_MAX	96
#define COUNTERS_WHY_MAX	160
#define COUNTERS_COLUMN_PREFIX	"event:"
#define COUNTERS_RUNNING_COLUMN	"events_running"

struct counter_event {
	char name[COUNTERS_NAME_MAX];	/* canonical; the CSV column adds the prefix */
	bool encoded;			/* attr is valid for a PMU present here */
	bool hardware;			/* counts on a PMU: grouped, may multiplex */
	struct perf_event_attr attr;
	char why_na[COUNTERS_WHY_MAX];	/* when !encoded: why it is n/a */
};

struct counter_set {
	size_t n;
	struct counter_event ev[COUNTERS_MAX_EVENTS];
};

/*
 * Parse an --events list into set. 0, or -EINVAL with one error line (no
 * trailing newline) in err: empty list or item, unknown name, duplicate,
 * too many events, a libpfm4 string it rejects. An event that exists only
 * for a PMU absent here is not an error: it is kept, n/a, with the reason.
 */
int counters_parse(struct counter_set *set, const char *list, char *err, size_t errlen);

/*
 * The default set for this architecture: cycles, instructions,
 * context-switches, cpu-migrations, then the cache-to-cache transfer events
 * libpfm4 can encode for the PMU detected here (none without one).
 */
void counters_default(struct counter_set *set);

/*
 * The cache-to-cache rows behind the default set on this architecture:
 * alternative alt of row (NULL past a row's end; rows < counters_c2c_rows()).
 * The first alternative libpfm4 encodes for a PMU present here is used.
 */
size_t counters_c2c_rows(void);
const char *counters_c2c_choice(size_t row, size_t alt);

/* Opened counters for one measurement; opaque. */
struct counters;

/*
 * Open set on each CPU in cpus (pid -1: every task on those CPUs, kernel
 * work included), or on thread tid when ncpus is 0. Events the kernel
 * refuses become n/a (reason kept); only running out of file descriptors or
 * memory fails, with -errno and one line in err. The counters stay disabled
 * until counters_start().
 */
int counters_open(struct counters **out, const struct counter_set *set,
		  const unsigned int *cpus, size_t ncpus, pid_t tid, char *err, size_t errlen);
/* Reset and enable; stop disables and reads. 0 or -errno. */
int counters_start(struct counters *c);
int counters_stop(struct counters *c);
void counters_close(struct counters *c);

/*
 * perf stat's scaling: a count that ran for part of the time it was enabled
 * (the PMU multiplexed it with other events) is scaled to the whole time.
 * False when it was enabled but never ran: no estimate is possible.
 */
bool counters_scale(uint64_t value, uint64_t enabled, uint64_t running, double *scaled);

/* Event i's total after counters_stop(); false when n/a (why set). */
bool counters_total(const struct counters *c, size_t i, double *total, const char **why);

/*
 * Event i's CSV cell: total / ops (ops > 0 for per-op rows) or the total
 * (ops == 0), or "n/a". And the COUNTERS_RUNNING_COLUMN cell.
 */
void counters_cell(const struct counters *c, size_t i, uint64_t ops, char *buf, size_t len);
void counters_running_cell(const struct counters *c, char *buf, size_t len);

/*
 * Measurement glue: what a command keeps for --events. The counted region
 * is what the command brackets with begin and end, on the CPUs it names,
 * per CPU so that kernel workers and other tasks there count too; end
 * divides by the ops the region did (0: totals), and every row written
 * until the next begin carries those values:
 *   - backend scenarios (scenario.c): one backend run, warm-up included
 *     (the module runs a whole measurement inside one ioctl), on its caller
 *     and targets (counters_run_cpus), per local op (local), drain (remote)
 *     or drain-all (drain-all), totals for stress (counters_run_ops);
 *     interference counts its targets only, totals: what the drains did to
 *     the CPUs they interrupt (context switches there prove a preemption);
 *   - c2c: one pair's ping-pong, per one-way transfer, warm-up included;
 *     one contended point, per op of all its threads.
 */
#define COUNTERS_CELL_MAX	32

struct counters_session {
	struct counter_set set;
	struct counters *last;		/* the last region's counters, or NULL */
	size_t n_columns;		/* the events, then COUNTERS_RUNNING_COLUMN */
	const char *names[COUNTERS_MAX_EVENTS + 1];
	char columns[COUNTERS_MAX_EVENTS][sizeof(COUNTERS_COLUMN_PREFIX) + COUNTERS_NAME_MAX];
	const char *values[COUNTERS_MAX_EVENTS + 1];	/* the last region's cells */
	char cells[COUNTERS_MAX_EVENTS + 1][COUNTERS_CELL_MAX];
};

/*
 * events: an --events list, NULL for none. 0, or -EINVAL with one line in
 * err. Then register s->names[0..n_columns) as output columns.
 */
int counters_session_init(struct counters_session *s, const char *events,
			  char *err, size_t errlen);
/* Around one region: open on cpus and start; stop and fill s->values. 0 or -errno + err. */
int counters_session_begin(struct counters_session *s, const unsigned int *cpus, size_t ncpus,
			   char *err, size_t errlen);
int counters_session_end(struct counters_session *s, uint64_t ops, char *err, size_t errlen);
void counters_session_free(struct counters_session *s);

/* A backend run's counted CPUs, caller first (cpus holds QPWBENCH_MAX_CPUS); how many. */
size_t counters_run_cpus(const struct qpwbench_run *run, unsigned int *cpus);
/* The per-op divisor of a backend run's counts (0: totals), see above. */
uint64_t counters_run_ops(const struct qpwbench_run *run);

/*
 * `ubench info --events`: libpfm4 and the PMUs it detects, the default set
 * and, for each event, whether it counts here (probed on this thread).
 */
void counters_print_info(FILE *f);

#endif
