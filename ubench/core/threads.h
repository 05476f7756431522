/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Harness threads: pinned through hwloc, optionally SCHED_FIFO, started
 * together behind a barrier. Scenarios write one function run on each CPU;
 * threads_run() owns creation, pinning, scheduling policy and joining.
 */
#ifndef QPWBENCH_CORE_THREADS_H
#define QPWBENCH_CORE_THREADS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "pin.h"

/*
 * Spinning barrier for pinned threads (sense-reversing, reusable). Waiters
 * spin with a pause and yield after a while, so a barrier on a busy or
 * overcommitted CPU still completes.
 */
struct spin_barrier {
	unsigned int n;
	atomic_uint arrived;
	atomic_uint generation;
};

void spin_barrier_init(struct spin_barrier *b, unsigned int n);
void spin_barrier_wait(struct spin_barrier *b);

/* What a harness thread gets. */
struct thread_ctx {
	unsigned int index;	/* 0..n-1, in the order of the cpus array */
	unsigned int cpu;	/* OS CPU it is pinned on */
	unsigned int n;		/* threads in the group */
	void *arg;		/* threads_run()'s arg, shared */
	struct spin_barrier *barrier;	/* the group's barrier, for phases inside fn */
};

/*
 * Run fn on n threads, thread i pinned on cpus[i] (SCHED_FIFO at
 * THREADS_FIFO_PRIO when fifo), all released together once every one is
 * pinned; returns when all have returned. 0, or -errno with one line in err
 * when a thread could not be created, pinned or made FIFO (fn then does not
 * run on any thread).
 */
int threads_run(const unsigned int *cpus, unsigned int n, bool fifo,
		void (*fn)(struct thread_ctx *ctx), void *arg, char *err, size_t errlen);

#endif
