/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ftrace through tracefs, for the trigger scenario: the tracepoint
 * workqueue:workqueue_execute_start on every CPU (which work function ran
 * where: a count that stays true under emulation), and the function tracer
 * limited to a list of functions and one thread (which kernel paths that
 * thread reached), and sched:sched_switch (how often a kworker took a CPU:
 * one run can execute several work items), and workqueue:workqueue_queue_work
 * (work queued onto a CPU that has not run there yet). Lines are read back
 * per CPU from per_cpu/cpuN/trace, or merged from trace.
 */
#ifndef QPWBENCH_TRACEFS_H
#define QPWBENCH_TRACEFS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#define TRACEFS_MAX_NAME	64
#define TRACEFS_UNTRACED_LEN	256

struct tracefs {
	char root[PATH_MAX];
	bool functions;		/* the function tracer is on */
	bool osnoise;		/* osnoise:thread_noise is enabled (an osnoise kernel) */
	/*
	 * pagemap:mm_lru_insertion is enabled and the buffers are stamped with
	 * the "mono" trace clock (CLOCK_MONOTONIC), so that an insertion can be
	 * placed after a moment the caller read from clock_gettime().
	 */
	bool lru;
	/* workqueue:workqueue_queue_work is enabled, stamped by the "mono" clock. */
	bool queued;
};

/*
 * Now on the clock tracefs_start() stamps events with (trace_clock "mono",
 * CLOCK_MONOTONIC), in ns: the "since" of the readers below.
 */
static inline unsigned long long tracefs_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec;
}

/* One counted name (work function or traced kernel function). */
struct tracefs_count {
	char name[TRACEFS_MAX_NAME];
	unsigned long n;
};

/*
 * Write text to a kernel interface file (procfs, sysfs, tracefs, cgroupfs),
 * opened with O_WRONLY | flags: 0, or -errno with one line in err (if err).
 */
int kfile_write(const char *path, const char *text, int flags, char *err, size_t errlen);

/*
 * Find tracefs (/sys/kernel/tracing, else debugfs' tracing), stop any
 * tracer, enable workqueue_execute_start, and, when functions is non-NULL,
 * the function tracer on those of functions[] this kernel can trace, for
 * thread tid only (the others are left out: *n_traced says how many were
 * taken, and untraced, when not NULL, gets the names left out, space
 * separated, up to its TRACEFS_UNTRACED_LEN bytes;
 * taken). 0, or -errno with one line in err.
 */
int tracefs_start(struct tracefs *t, pid_t tid, const char *const *functions,
		  unsigned int *n_traced, char *untraced, char *err, size_t errlen);
/*
 * Count CPU cpu's pagemap:mm_lru_insertion events stamped at or after
 * since_ns (CLOCK_MONOTONIC) whose pfn is one of pfn[0..n): folios of
 * those pages that CPU moved from a per-CPU batch to the LRU. 0, or -errno
 * with one line in err (t->lru false: -ENOENT).
 */
int tracefs_lru_insertions(const struct tracefs *t, unsigned int cpu, unsigned long long since_ns,
			   const unsigned long long *pfn, size_t n, unsigned long *count, char *err,
			   size_t errlen);
/*
 * A trace line of the event tag (": mm_lru_insertion: "): "comm-pid [cpu]
 * flags SECS.USECS: event: fields". Returns where tag starts, with the
 * stamp in microseconds in *us and its first character in *stamp; NULL
 * for a comment, another event, or a stamp not of that form.
 */
const char *tracefs_event_line(const char *line, const char *tag, unsigned long long *us,
			       const char **stamp);
/*
 * The CPU field of a trace line whose stamp starts at stamp (from
 * tracefs_event_line()): the last "[NNN]" before it, with *field (if not
 * NULL) where that search stopped (the '[', or line); -1 without one.
 */
int tracefs_line_cpu(const char *line, const char *stamp, const char **field);
/* Everything back off (nop tracer, event disabled, filters cleared). */
void tracefs_stop(struct tracefs *t);
/* Empty CPU cpu's buffer. 0, or -errno with err. */
int tracefs_clear(const struct tracefs *t, unsigned int cpu, char *err, size_t errlen);
/*
 * Work queued onto CPU cpu (workqueue_queue_work with cpu=CPU, in any CPU's
 * buffer) at or after since_ns (CLOCK_MONOTONIC) that has not started
 * there (no workqueue_execute_start of that work struct on CPU cpu after
 * it): *n. 0, or -errno with one line in err (t->queued false: -ENOENT).
 */
int tracefs_unstarted_work(const struct tracefs *t, unsigned int cpu, unsigned long long since_ns,
			   unsigned long *n, char *err, size_t errlen);
/*
 * Count CPU cpu's buffer: work functions of workqueue_execute_start into
 * work[], functions the function tracer saw into fn[] (either may be NULL),
 * switches to a kworker into *worker_runs and the osnoise tracer's
 * thread_noise events (rtla's "Thread" count, while rtla runs) into
 * *noise_all and, those of kworkers, *noise_kworker (either may be NULL),
 * each array of max entries with *n used (names added as first seen).
 * 0; -ENOSPC when more distinct names than max; -EOVERFLOW when the buffer
 * lost events; -errno when it cannot be read (one line in err).
 */
int tracefs_count(const struct tracefs *t, unsigned int cpu, struct tracefs_count *work,
		  unsigned int *n_work, struct tracefs_count *fn, unsigned int *n_fn,
		  unsigned long *worker_runs, unsigned long *noise_all, unsigned long *noise_kworker,
		  unsigned int max, char *err, size_t errlen);

#endif
