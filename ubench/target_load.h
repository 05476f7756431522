/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What runs on a drain's target CPUs while the caller drains them: nothing,
 * a SCHED_OTHER spinner, a SCHED_FIFO spinner (the RT task DESIGN.md's
 * remote and interference scenarios put there), or an owner: a thread of
 * the backend (a kthread of the module) doing the variant's local ops, so
 * that drains find filled batches (QPWBENCH_LOAD_OWNER; the harness starts
 * nothing for it), or owner-preempted: an owner and a FIFO task of the
 * module that preempts it inside its critical section (module on RT only),
 * or filled-idle: an owner of the backend that adds --fill entries before
 * each drain and sleeps in between (QPWBENCH_LOAD_FILLED_IDLE), an idle CPU
 * with a filled batch. Spinners are harness threads (core/threads.h pins them
 * and sets their policy); they can also record what the target experienced
 * while a measurement runs:
 *
 *   gaps         per window (the drain period), the largest time between two
 *                consecutive reads of the spinner's clock: how long something
 *                else had the CPU (metric target_gap)
 *   ctx switches voluntary + involuntary context switches of the spinner
 *                thread (getrusage RUSAGE_THREAD) (metric target_ctx_switches)
 */
#ifndef QPWBENCH_TARGET_LOAD_H
#define QPWBENCH_TARGET_LOAD_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "qpwbench.h"

#define TARGET_LOADS(X)		\
	X(IDLE, "idle")		\
	X(BUSY, "busy")		\
	X(FIFO, "fifo")		\
	X(OWNER, "owner")	\
	X(OWNER_PREEMPTED, "owner-preempted")	\
	X(FILLED_IDLE, "filled-idle")

#define TARGET_LOAD_ENUM(id, name) TARGET_LOAD_##id,
enum target_load {
	TARGET_LOADS(TARGET_LOAD_ENUM)
	TARGET_NR_LOADS
};
#undef TARGET_LOAD_ENUM

const char *target_load_name(enum target_load load);
/* 0, or -1 for a name not in TARGET_LOADS. */
int target_load_parse(const char *name, enum target_load *load);

/*
 * The backend's part of a load (the run's .target_load): owners always; the
 * FIFO spinner on the module (kmod), whose drains wait in flush_work() and
 * need a spinner the module can make give its CPU up at the wait bound.
 */
static inline __u32 target_load_backend(enum target_load load, bool kmod)
{
	if (load == TARGET_LOAD_OWNER)
		return QPWBENCH_LOAD_OWNER;
	if (load == TARGET_LOAD_OWNER_PREEMPTED)
		return QPWBENCH_LOAD_OWNER_PREEMPTED;
	if (load == TARGET_LOAD_FILLED_IDLE)
		return QPWBENCH_LOAD_FILLED_IDLE;
	return load == TARGET_LOAD_FIFO && kmod ? QPWBENCH_LOAD_FIFO : QPWBENCH_LOAD_NONE;
}

/*
 * Whether the load puts entries in the targets' batches (its owners): under
 * any other load every batch is empty and a drain without
 * QPWBENCH_DRAIN_EMPTY skips every target.
 */
static inline bool target_load_fills(enum target_load load)
{
	return load == TARGET_LOAD_OWNER || load == TARGET_LOAD_OWNER_PREEMPTED ||
	       load == TARGET_LOAD_FILLED_IDLE;
}

/* The load the harness itself starts (target_load_start()) beside the backend's. */
static inline enum target_load target_load_harness(enum target_load load, bool kmod)
{
	return target_load_backend(load, kmod) == QPWBENCH_LOAD_NONE ? load : TARGET_LOAD_IDLE;
}

/* One spinner's record over the recorded phase. */
struct spinner_record {
	unsigned int cpu;
	struct qpwbench_hist gaps;	/* picoseconds, one sample per window */
	uint64_t ctx_switches;
};

struct spinners {
	unsigned int n;
	unsigned int cpus[QPWBENCH_MAX_CPUS];
	bool fifo;
	uint64_t window_ticks;
	struct spinner_record rec[QPWBENCH_MAX_CPUS];
	atomic_uint phase;		/* enum spinner_phase */
	atomic_uint running;		/* spinners that have started */
	atomic_bool finished;		/* threads_run() returned */
	int ret;			/* its result */
	char err[192];
	pthread_t coordinator;
};

/*
 * Start a spinner on each of cpus[0..n) (none for idle and owner), FIFO
 * for TARGET_LOAD_FIFO; window_ns is the gap-recording window. Returns when
 * every spinner spins: 0, or -errno with one line in err (-EPERM: FIFO not
 * permitted) that says what failed, not who asked for the load: callers
 * name that (--target-load fifo, interference's RT task). s must stay
 * valid until target_load_stop().
 */
int target_load_start(struct spinners *s, enum target_load load, const unsigned int *cpus,
		      unsigned int n, uint64_t window_ns, char *err, size_t errlen);
/* Record gaps and context switches from now until target_load_stop(). */
void target_load_record(struct spinners *s);
/* Stop and join the spinners (nothing for idle); the records are final then. */
void target_load_stop(struct spinners *s);

#endif
