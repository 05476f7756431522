/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The userspace model of the per-CPU caches qpwbench measures, shaped like
 * the kernel's users (mm/swap.c's cpu_fbatches, memcg stock): each CPU owns a
 * small batch that fills locally and is flushed to one shared list, under a
 * global lock, when it is full or when someone drains it.
 *
 * The primitives here mirror the kernel's; each variant (one file each, named
 * in QPWBENCH_VARIANTS) composes them into the fast path and remote drain of
 * its row in DESIGN.md's "Variants" table:
 *
 *   local_lock()   !RT: preempt_disable(), a per-CPU flag and no lock word
 *                  (model_preempt_disable); RT: the CPU's spinlock.
 *   spin_lock()    a test-and-test-and-set lock word (model_spin_lock).
 *   workqueue      one worker thread pinned on each CPU, woken through a
 *                  futex; the drainer queues on every CPU, then waits for
 *                  each, at most wait_bound_ns (model_drain_wq).
 *   inline drain   the drainer takes each CPU's spinlock in turn and flushes
 *                  the batch itself (model_drain_inline).
 *
 * model_init() is told the running kernel's preempt model (PREEMPT_RT or
 * not: the run metadata's preempt column), which picks local_lock()'s
 * meaning, as the same kernel source does when built for either.
 *
 * Rules the model relies on: a thread doing local ops on CPU c is pinned to
 * c, and one thread at a time drains (the kernel serialises
 * lru_add_drain_all() with a mutex too).
 */
#ifndef QPWBENCH_MODEL_H
#define QPWBENCH_MODEL_H

#include <pthread.h>
#include <sched.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/relax.h"
#include "qpwbench.h"

/* L1_CACHE_BYTES on x86_64 and arm64: what ____cacheline_aligned pads to. */
#define MODEL_CACHE_LINE	64

/*
 * A waiter spins this many times, then yields its CPU while it keeps
 * waiting: a userspace lock holder can be preempted (a kernel one cannot
 * under spin_lock()), and spinning across its timeslice would measure the
 * scheduler, not the lock.
 */
#define MODEL_SPINS_BEFORE_YIELD	4096

struct model_spinlock {
	atomic_uint locked;
};

static inline void model_spin_lock(struct model_spinlock *l)
{
	unsigned int spins = 0;

	while (atomic_exchange_explicit(&l->locked, 1, memory_order_acquire)) {
		while (atomic_load_explicit(&l->locked, memory_order_relaxed)) {
			if (++spins < MODEL_SPINS_BEFORE_YIELD)
				cpu_relax();
			else
				sched_yield();
		}
	}
}

static inline bool model_spin_trylock(struct model_spinlock *l)
{
	return !atomic_load_explicit(&l->locked, memory_order_relaxed) &&
	       !atomic_exchange_explicit(&l->locked, 1, memory_order_acquire);
}

static inline void model_spin_unlock(struct model_spinlock *l)
{
	atomic_store_explicit(&l->locked, 0, memory_order_release);
}

/* One entry: an object of its own cache line, as a folio is to a folio batch. */
struct model_obj {
	alignas(MODEL_CACHE_LINE) uint64_t value;
};

/*
 * One CPU's cache. Only threads pinned on .cpu touch it without .lock.
 * Every group of fields that a different party writes sits on lines of its
 * own, as ____cacheline_aligned places the kernel's (the layout test in
 * test-model checks the offsets), so that no variant pays for a neighbour:
 * the lock line, the owner's preemption flags, the batch (count, then one
 * line per entry), the drain bookkeeping, the work item, the owner's fill
 * requests.
 */
struct model_pcp {
	alignas(MODEL_CACHE_LINE) struct model_spinlock lock;	/* qpw's per-CPU spinlock_t */
	/* Written only on this CPU (the kernel's preempt count). */
	alignas(MODEL_CACHE_LINE) atomic_uint owner_in;	/* !RT local_lock: the owner's preempt-disabled section */
	atomic_uint worker_in;	/* the worker's drain section on this CPU */
	/* The batch: its count, then QPWBENCH_BATCH_ENTRIES objects. */
	alignas(MODEL_CACHE_LINE) unsigned int nr;
	struct model_obj objs[QPWBENCH_BATCH_ENTRIES];
	/* Where drains of this batch ran and what they found, counted under its protection. */
	alignas(MODEL_CACHE_LINE) uint64_t ran_on_target;
	uint64_t ran_on_caller;
	uint64_t drained;

	/*
	 * The work item, in sequence numbers: queued by the drainer, taken by
	 * the worker pinned here to run it (or by a cancel, to drop it), then
	 * completed. Pending: queued != taken; running: taken != completed.
	 */
	alignas(MODEL_CACHE_LINE) atomic_uint queued;	/* futex */
	atomic_uint taken;
	atomic_uint completed;				/* futex */
	unsigned int cpu;
	bool has_worker;
	pthread_t worker;
	struct model *model;

	/* The drainer asks the owner for a fill (a new sequence), the owner answers. */
	alignas(MODEL_CACHE_LINE) atomic_uint fill_req;
	atomic_uint fill_done;
};

/* The list batches are flushed to, behind the global lock (the LRU lists). */
struct model_shared {
	alignas(MODEL_CACHE_LINE) struct model_spinlock lock;
	uint64_t entries;	/* every entry that reached the list */
	uint64_t value_sum;	/* the flush reads each entry, as the kernel touches each folio */
};

struct model {
	bool preempt_rt;
	bool drain_empty;		/* drain CPUs whose batch is empty too (lru_cache_disable()) */
	/*
	 * QPWBENCH_LOCK_TRYLOCK: local ops try the per-CPU lock and, when it
	 * is held (RT: by the drainer or the worker; qpw-on: by the drainer),
	 * add the entry to the shared list instead (consume_stock()'s fallback).
	 */
	bool trylock;
	unsigned int nr_cpus;		/* pcp[] covers OS CPU indices below this */
	struct model_pcp *pcp;
	struct model_shared shared;
	atomic_bool stopping;
};

/*
 * One variant, one file: local_ops does nr ops on pcp's CPU (the calling
 * thread is pinned there), entries first, first+1, ...; drain empties the
 * batches of cpus[0..n) from the calling thread, as lru_add_drain_all()
 * does (queue or run inline on all, then wait for all with one deadline
 * wait_bound_ns after queueing), and says what it did (model_drain_done).
 */
/*
 * An owner that is not filling (--fill) times its local ops this many at a
 * time: one owner_op_cost sample, per op. The module's owners do the same
 * (QPWB_OWNER_CHUNK), which the uapi does not carry: ubench nets the
 * owner's samples of the timer overhead with this for both backends.
 */
#define MODEL_OWNER_CHUNK	8

struct model_drain_done {
	/* CPUs whose batch the drain queued work on or locked: not skipped as empty. */
	unsigned int drained;
	/* Of those, CPUs whose work had not run at the deadline (stalled). */
	unsigned int stalls;
	/*
	 * With stalls: whether the stalled work ran within
	 * MODEL_STALL_COMPLETE_NS after the deadline, the drainer still
	 * waiting for it (the drain's end is then its full time, as the
	 * module's flush_work() returns once its load gave way).
	 */
	bool completed;
};

/*
 * How long a drain that stalled keeps waiting for its work after the wait
 * bound: an RT-throttling period (or the fair server's), within which a
 * SCHED_OTHER worker below a FIFO spinner gets to run.
 */
#define MODEL_STALL_COMPLETE_NS	1000000000ULL

struct model_variant {
	void (*local_ops)(struct model *m, struct model_pcp *pcp, uint64_t first, uint32_t nr);
	struct model_drain_done (*drain)(struct model *m, const unsigned int *cpus, unsigned int n,
					 uint64_t wait_bound_ns);
	/* One plain local op of value that keeps its lock hold_ns (--owner-hold). */
	void (*held_op)(struct model *m, struct model_pcp *pcp, uint64_t value, uint64_t hold_ns);
};

#define MODEL_VARIANT_DECLARE(id, name) extern const struct model_variant model_variant_##id;
QPWBENCH_VARIANTS(MODEL_VARIANT_DECLARE)
#undef MODEL_VARIANT_DECLARE

const struct model_variant *model_variant(enum qpwbench_variant v);

/* 0 or -errno; nr_cpus bounds the OS CPU indices the model will be asked for. */
int model_init(struct model *m, unsigned int nr_cpus, bool preempt_rt);
/* Stops and joins the workers. */
void model_destroy(struct model *m);

/*
 * Start the workers of cpus[0..n) that are not running yet; 0 or -errno with
 * one line in err.
 */
int model_start_workers(struct model *m, const unsigned int *cpus, unsigned int n,
			char *err, size_t errlen);
/*
 * Settle the work a stalled drain left behind: drop what is queued and has
 * not started (its entries stay in the batch), wait at most timeout_ns for
 * what is running. 0, or -EBUSY with the CPU in err.
 */
int model_quiesce(struct model *m, uint64_t timeout_ns, char *err, size_t errlen);
/* Empty every batch and zero the shared list and counters; call quiesced. */
void model_reset(struct model *m);

/* Entries still in per-CPU batches; call quiesced. */
uint64_t model_remaining(const struct model *m);
/* Per-CPU drains that ran on the drained CPU, and elsewhere; call quiesced. */
uint64_t model_ran_on_target(const struct model *m);
uint64_t model_ran_on_caller(const struct model *m);
/* Entries the drains found, and value sums (mod 2^64) of drained and remaining entries. */
uint64_t model_drained(const struct model *m);
uint64_t model_sum_remaining(const struct model *m);

/* Move pcp's batch to the shared list; the caller holds pcp's protection. */
void model_batch_flush(struct model *m, struct model_pcp *pcp);

/* A full batch is flushed by the add that finds it full (refill_stock()). */
static inline void model_batch_add(struct model *m, struct model_pcp *pcp, uint64_t value)
{
	if (pcp->nr == QPWBENCH_BATCH_ENTRIES)
		model_batch_flush(m, pcp);
	pcp->objs[pcp->nr++].value = value;
}

/*
 * cpu_needs_drain(): whether a drain would find anything, read without the
 * batch's protection as the kernel reads it (a racy peek; a drain it skips
 * leaves entries that arrived after the peek, as mainline does).
 */
static inline bool model_needs_drain(const struct model *m, const struct model_pcp *pcp)
{
	return m->drain_empty || __atomic_load_n(&pcp->nr, __ATOMIC_RELAXED);
}

/*
 * !RT preempt_disable() for the owner of pcp. Everything that touches a
 * CPU's batch without its spinlock (the owner doing local ops, the worker
 * draining) is pinned on that CPU, and one CPU is sequentially consistent to
 * the threads it runs (a context switch is a full barrier): Dekker's two
 * flags then exclude each other with plain stores and loads and compiler
 * barriers, no atomic read-modify-write, as preempt_count is. The owner backs
 * off while the worker is in (in the kernel the kworker could not have
 * preempted it); the worker waits for the owner to leave.
 */
void model_owner_backoff(struct model_pcp *pcp);

static inline void model_preempt_disable(struct model_pcp *pcp)
{
	atomic_store_explicit(&pcp->owner_in, 1, memory_order_relaxed);
	atomic_signal_fence(memory_order_seq_cst);
	if (atomic_load_explicit(&pcp->worker_in, memory_order_relaxed))
		model_owner_backoff(pcp);
}

static inline void model_preempt_enable(struct model_pcp *pcp)
{
	atomic_signal_fence(memory_order_seq_cst);
	atomic_store_explicit(&pcp->owner_in, 0, memory_order_relaxed);
}

/* The fast paths of DESIGN.md's table, nr ops each. */
void model_local_lock_ops(struct model *m, struct model_pcp *pcp, uint64_t first, uint32_t nr);
void model_spinlock_ops(struct model *m, struct model_pcp *pcp, uint64_t first, uint32_t nr);
void model_global_lock_ops(struct model *m, struct model_pcp *pcp, uint64_t first, uint32_t nr);

/* The same, one op of value holding the lock hold_ns (timer ticks' worth of ns). */
void model_local_lock_held(struct model *m, struct model_pcp *pcp, uint64_t value, uint64_t hold_ns);
void model_spinlock_held(struct model *m, struct model_pcp *pcp, uint64_t value, uint64_t hold_ns);
void model_global_lock_held(struct model *m, struct model_pcp *pcp, uint64_t value, uint64_t hold_ns);

/* The remote drains: workqueue (parallel), inline (serial). */
struct model_drain_done model_drain_wq(struct model *m, const unsigned int *cpus, unsigned int n,
				       uint64_t wait_bound_ns);
struct model_drain_done model_drain_inline(struct model *m, const unsigned int *cpus, unsigned int n,
					   uint64_t wait_bound_ns);

#endif
