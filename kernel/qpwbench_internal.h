/* SPDX-License-Identifier: GPL-2.0 */
/* qpwbench.ko internals shared by the device, the variants and the scenarios. */
#ifndef QPWBENCH_INTERNAL_H
#define QPWBENCH_INTERNAL_H

#include <linux/cpumask.h>
#include <linux/sched/clock.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "qpw.h"
#include "qpwbench.h"

/*
 * How long qpwb_quiesce() waits for drain work that is already running: it
 * may be preempted on its CPU by the RT task that stalled it, so this is the
 * longest bound a run may ask for, whatever the run's own bound is.
 */
#define QPWB_SETTLE_BOUND_NS	QPWBENCH_MAX_WAIT_BOUND_NS

/*
 * The clock of every interval the module times, each on one CPU (its
 * threads are pinned): sched_clock(), not local_clock(). Where the kernel
 * deems sched_clock unstable (x86 TCG guests boot tsc=unstable) local_clock()
 * is held within a tick of the last tick's time, so after its vCPU was off
 * the host CPU it reads flat for up to a tick: a 6.1 topology guest's 2000
 * local samples on one CPU all read 0 ns. sched_clock() reads the TSC (on
 * arm64 the architected timer) itself; where it is stable the two agree.
 */
static inline u64 qpwb_clock(void)
{
	return sched_clock();
}

/* One entry: an object of its own cache line, as a folio is to a folio batch. */
struct qpwb_obj {
	u64 val;
} ____cacheline_aligned;

struct qpwb_batch {
	unsigned int nr ____cacheline_aligned;
	struct qpwb_obj objs[QPWBENCH_BATCH_ENTRIES];
};

/*
 * The per-CPU cache every variant protects, shaped like the LRU folio
 * batches: local ops fill .batch, which is flushed to the shared list when
 * full or when a drain empties it. Each variant uses only its own lock and
 * work item.
 *
 * Layout: every lock, the batch count, each entry, the remotely written
 * bookkeeping, the work items and the fill requests start a cache line of
 * their own (checked at build time in qpwbench_variants.c), so that no
 * variant's drain pays for a neighbour's line and false sharing with the
 * bookkeeping is gone; the per-CPU areas are SMP_CACHE_BYTES aligned.
 */
struct qpwb_pcpu {
	local_lock_t llock ____cacheline_aligned;	/* wq: local_lock; qpw: the RFC's qpw_lock */
	pw_lock_t pwlock;		/* qpw-on / qpw-off (its members line-aligned) */
	struct qpwb_batch batch;
	/* Where drain work ran and what it found (written under this CPU's lock). */
	unsigned long ran_on_target ____cacheline_aligned;
	unsigned long ran_on_caller;
	unsigned long drained;
	/* Drain work the FIFO spinner here gave its CPU up for, at the wait bound. */
	unsigned long stalls;
	int cpu;
	struct work_struct wq_work ____cacheline_aligned;	/* wq */
	struct qpw_struct qpw_work;	/* qpw */
	struct pw_struct pw_work;	/* qpw-on / qpw-off */
	/*
	 * The drainer asks this CPU's owner for a fill (a new sequence), the
	 * owner answers (OWNER_PREEMPTED: its FIFO task does, once it runs).
	 */
	unsigned int fill_req ____cacheline_aligned;
	unsigned int fill_done;
	/* OWNER_PREEMPTED: the owner wakes its FIFO task for a request. */
	unsigned int kick;
	/* ...and holds its lock, preempted, while this is set. */
	bool preempting;
	/* The last request whose drain began with this CPU's lock held, preempted. */
	unsigned int held_req;
};

/* The shared list behind a global lock (the LRU list behind lru_lock). */
struct qpwb_sink {
	spinlock_t lock;
	u64 count;	/* entries that reached the list */
	u64 sum;	/* folded per entry: the per-entry list_add() work */
};

/* One variant: a fast path and a remote drain split like lru_add_drain_all(). */
struct qpwb_variant {
	/* -1: does not use the key; 0/1: pwlocks_key state during its runs */
	int pwlocks;
	/*
	 * Add @n entries (@seq, @seq + 1, ...) to this CPU's cache, one local
	 * op each, as n direct calls: the measured fast path has no indirect
	 * call per op. Called with migration allowed. One per
	 * QPWBENCH_LOCK_* mode; NULL for a mode this kernel cannot run
	 * (trylock: no local_trylock() before 6.16, the run gets -EOPNOTSUPP).
	 */
	void (*local_ops[QPWBENCH_NR_LOCK_MODES])(u64 seq, u32 n);
	/*
	 * One plain local op of @val that calls @in_cs(@arg) with its lock
	 * held: the owner's hold (owner_hold_ns), or its wakeup of the FIFO
	 * task that preempts it there (QPWBENCH_LOAD_OWNER_PREEMPTED).
	 */
	void (*held_op)(u64 val, void (*in_cs)(void *arg), void *arg);
	/* Start draining @cpu: queue the work, or do it inline on the caller. */
	void (*queue_drain)(int cpu);
	/* Wait until @cpu's drain is done (flush_work(): no bound, no giving up). */
	void (*flush_drain)(int cpu);
};

extern struct qpwb_pcpu __percpu *qpwb_pcpu;
extern struct qpwb_sink qpwb_sink;
extern struct workqueue_struct *qpwb_wq;
extern bool qpwb_stop;

int qpwb_variants_init(void);
void qpwb_variants_exit(void);
const struct qpwb_variant *qpwb_variant(unsigned int id);
int qpwb_quiesce(u64 bound_ns);
/* Whether drain work is queued on @pcp's CPU and has not started. */
bool qpwb_work_pending(struct qpwb_pcpu *pcp);
/* ...or is still running. */
bool qpwb_work_busy(struct qpwb_pcpu *pcp);
void qpwb_reset(void);
void qpwb_set_pwlocks(int on);

int qpwb_run_prepare(const struct qpwbench_run *run);
/* End the active run early: a CPU of it is going offline. */
void qpwb_run_abort(void);
/* @ds: zeroed, filled for remote and drain-all; @raw: the first raw samples, or NULL. */
int qpwb_run_scenario(struct qpwbench_run *run, struct qpwbench_drain_stats *ds,
		      const struct cpumask *cpus, u64 *raw);

#endif /* QPWBENCH_INTERNAL_H */
