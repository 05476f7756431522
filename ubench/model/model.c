// SPDX-License-Identifier: GPL-2.0
/* The model's primitives: see model.h for what each one stands for. */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "model.h"
#include "core/threads.h"

#define NSEC_PER_SEC	1000000000ULL

const struct model_variant *model_variant(enum qpwbench_variant v)
{
#define MODEL_VARIANT_ENTRY(id, name) [QPWBENCH_VARIANT_##id] = &model_variant_##id,
	static const struct model_variant *const variants[QPWBENCH_NR_VARIANTS] = {
		QPWBENCH_VARIANTS(MODEL_VARIANT_ENTRY)
	};
#undef MODEL_VARIANT_ENTRY

	return (unsigned int)v < QPWBENCH_NR_VARIANTS ? variants[v] : NULL;
}

static void futex_wake(atomic_uint *word, int nr)
{
	syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, nr, NULL, NULL, 0);
}

/* Sleep while *word == val, until woken or the absolute CLOCK_MONOTONIC deadline. */
static void futex_wait_until(atomic_uint *word, unsigned int val, const struct timespec *deadline)
{
	syscall(SYS_futex, word, FUTEX_WAIT_BITSET_PRIVATE, val, deadline, NULL,
		FUTEX_BITSET_MATCH_ANY);
}

static struct timespec deadline_after(uint64_t ns)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	ns += (uint64_t)t.tv_nsec;
	t.tv_sec += (time_t)(ns / NSEC_PER_SEC);
	t.tv_nsec = (long)(ns % NSEC_PER_SEC);
	return t;
}

static bool deadline_passed(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > deadline->tv_sec ||
	       (now.tv_sec == deadline->tv_sec && now.tv_nsec >= deadline->tv_nsec);
}

void model_batch_flush(struct model *m, struct model_pcp *pcp)
{
	if (!pcp->nr)
		return;
	model_spin_lock(&m->shared.lock);
	for (unsigned int i = 0; i < pcp->nr; i++)
		m->shared.value_sum += pcp->objs[i].value;
	m->shared.entries += pcp->nr;
	model_spin_unlock(&m->shared.lock);
	pcp->nr = 0;
}

/* A drain proper, with pcp's batch protected by the caller. */
static void drain_locked(struct model *m, struct model_pcp *pcp)
{
	if (sched_getcpu() == (int)pcp->cpu)
		pcp->ran_on_target++;
	else
		pcp->ran_on_caller++;
	pcp->drained += pcp->nr;
	model_batch_flush(m, pcp);
}

void model_owner_backoff(struct model_pcp *pcp)
{
	do {
		atomic_store_explicit(&pcp->owner_in, 0, memory_order_relaxed);
		atomic_signal_fence(memory_order_seq_cst);
		while (atomic_load_explicit(&pcp->worker_in, memory_order_relaxed))
			sched_yield();
		atomic_store_explicit(&pcp->owner_in, 1, memory_order_relaxed);
		atomic_signal_fence(memory_order_seq_cst);
	} while (atomic_load_explicit(&pcp->worker_in, memory_order_relaxed));
}

/* The worker's side of local_lock(): it runs on pcp's CPU, like a bound kworker. */
static void worker_local_lock(struct model *m, struct model_pcp *pcp)
{
	if (m->preempt_rt) {
		model_spin_lock(&pcp->lock);
		return;
	}
	atomic_store_explicit(&pcp->worker_in, 1, memory_order_relaxed);
	atomic_signal_fence(memory_order_seq_cst);
	while (atomic_load_explicit(&pcp->owner_in, memory_order_relaxed))
		sched_yield();	/* the owner was preempted inside its section */
}

static void worker_local_unlock(struct model *m, struct model_pcp *pcp)
{
	if (m->preempt_rt) {
		model_spin_unlock(&pcp->lock);
		return;
	}
	atomic_signal_fence(memory_order_seq_cst);
	atomic_store_explicit(&pcp->worker_in, 0, memory_order_relaxed);
}

/* How a new worker reports that it is pinned, or why it could not be. */
struct worker_start {
	struct model_pcp *pcp;
	atomic_uint reported;
	int ret;
	char err[160];
};

static void *worker_main(void *arg)
{
	struct worker_start *start = arg;
	struct model_pcp *pcp = start->pcp;
	struct model *m = pcp->model;
	int ret = pin_self(pcp->cpu, start->err, sizeof(start->err));

	start->ret = ret;
	atomic_store_explicit(&start->reported, 1, memory_order_release);
	/* start may be gone from here on: a private futex wake does not touch it. */
	futex_wake(&start->reported, 1);
	if (ret)
		return NULL;
	for (;;) {
		unsigned int queued = atomic_load_explicit(&pcp->queued, memory_order_acquire);
		unsigned int taken = atomic_load_explicit(&pcp->taken, memory_order_relaxed);

		if (atomic_load_explicit(&m->stopping, memory_order_relaxed))
			return NULL;
		if (queued == taken) {
			futex_wait_until(&pcp->queued, queued, NULL);
			continue;
		}
		if (!atomic_compare_exchange_strong_explicit(&pcp->taken, &taken, queued,
							     memory_order_acquire,
							     memory_order_relaxed))
			continue;	/* cancelled under us */
		worker_local_lock(m, pcp);
		drain_locked(m, pcp);
		worker_local_unlock(m, pcp);
		atomic_store_explicit(&pcp->completed, queued, memory_order_release);
		futex_wake(&pcp->completed, INT_MAX);
	}
}

int model_init(struct model *m, unsigned int nr_cpus, bool preempt_rt)
{
	size_t size = (size_t)nr_cpus * sizeof(*m->pcp);

	memset(m, 0, sizeof(*m));
	m->pcp = aligned_alloc(MODEL_CACHE_LINE, size);
	if (!m->pcp)
		return -ENOMEM;
	memset(m->pcp, 0, size);
	for (unsigned int cpu = 0; cpu < nr_cpus; cpu++) {
		m->pcp[cpu].cpu = cpu;
		m->pcp[cpu].model = m;
	}
	m->nr_cpus = nr_cpus;
	m->preempt_rt = preempt_rt;
	return 0;
}

void model_destroy(struct model *m)
{
	atomic_store_explicit(&m->stopping, true, memory_order_relaxed);
	for (unsigned int cpu = 0; cpu < m->nr_cpus; cpu++) {
		struct model_pcp *pcp = &m->pcp[cpu];

		if (!pcp->has_worker)
			continue;
		/* A new sequence makes a sleeping worker's futex wait return. */
		atomic_fetch_add_explicit(&pcp->queued, 1, memory_order_release);
		futex_wake(&pcp->queued, 1);
		pthread_join(pcp->worker, NULL);
	}
	free(m->pcp);
	m->pcp = NULL;
}

int model_start_workers(struct model *m, const unsigned int *cpus, unsigned int n,
			char *err, size_t errlen)
{
	for (unsigned int i = 0; i < n; i++) {
		struct worker_start start = { .pcp = &m->pcp[cpus[i]] };
		int ret;

		if (start.pcp->has_worker)
			continue;
		ret = pthread_create(&start.pcp->worker, NULL, worker_main, &start);
		if (ret) {
			snprintf(err, errlen, "worker thread for CPU %u: %s", cpus[i], strerror(ret));
			return -ret;
		}
		while (!atomic_load_explicit(&start.reported, memory_order_acquire))
			futex_wait_until(&start.reported, 0, NULL);
		if (start.ret) {
			pthread_join(start.pcp->worker, NULL);
			snprintf(err, errlen, "%s", start.err);
			return start.ret;
		}
		start.pcp->has_worker = true;
	}
	return 0;
}

/* queue_work_on(): false when the previous work is still pending. */
static bool queue_work(struct model_pcp *pcp)
{
	unsigned int queued = atomic_load_explicit(&pcp->queued, memory_order_relaxed);

	if (queued != atomic_load_explicit(&pcp->completed, memory_order_acquire))
		return false;
	atomic_store_explicit(&pcp->queued, queued + 1, memory_order_release);
	futex_wake(&pcp->queued, 1);
	return true;
}

/* flush_work() that gives up at the deadline: false then. */
static bool flush_work(struct model_pcp *pcp, const struct timespec *deadline)
{
	unsigned int want = atomic_load_explicit(&pcp->queued, memory_order_relaxed);

	for (;;) {
		unsigned int done = atomic_load_explicit(&pcp->completed, memory_order_acquire);

		if (done == want)
			return true;
		if (deadline_passed(deadline))
			return false;
		futex_wait_until(&pcp->completed, done, deadline);
	}
}

struct model_drain_done model_drain_wq(struct model *m, const unsigned int *cpus, unsigned int n,
				       uint64_t wait_bound_ns)
{
	struct model_drain_done done = { 0 };
	struct timespec deadline;
	bool queued[QPWBENCH_MAX_CPUS];

	/*
	 * lru_add_drain_all(): queue on every CPU that needs it first, then
	 * wait for each of those.
	 */
	for (unsigned int i = 0; i < n; i++) {
		queued[i] = model_needs_drain(m, &m->pcp[cpus[i]]);
		if (queued[i]) {
			queue_work(&m->pcp[cpus[i]]);
			done.drained++;
		}
	}
	/* Nothing queued, nothing to wait for: no clock read, as the kernel reads none. */
	if (!done.drained)
		return done;
	deadline = deadline_after(wait_bound_ns);
	for (unsigned int i = 0; i < n; i++)
		if (queued[i] && !flush_work(&m->pcp[cpus[i]], &deadline))
			done.stalls++;
	if (!done.stalls)
		return done;
	/* Stalled: counted so; wait on for the work, for the drain's full time. */
	deadline = deadline_after(MODEL_STALL_COMPLETE_NS);
	done.completed = true;
	for (unsigned int i = 0; i < n; i++)
		if (queued[i] && !flush_work(&m->pcp[cpus[i]], &deadline))
			done.completed = false;
	return done;
}

struct model_drain_done model_drain_inline(struct model *m, const unsigned int *cpus, unsigned int n,
					   uint64_t wait_bound_ns)
{
	struct model_drain_done done = { 0 };

	(void)wait_bound_ns;	/* a lock wait cannot be abandoned, only the workqueue's */
	for (unsigned int i = 0; i < n; i++) {
		struct model_pcp *pcp = &m->pcp[cpus[i]];

		if (!model_needs_drain(m, pcp))
			continue;
		model_spin_lock(&pcp->lock);
		drain_locked(m, pcp);
		model_spin_unlock(&pcp->lock);
		done.drained++;
	}
	return done;
}

/* cancel_work(): drop the work if it is queued and not yet taken by the worker. */
static void cancel_work(struct model_pcp *pcp)
{
	unsigned int queued = atomic_load_explicit(&pcp->queued, memory_order_acquire);
	unsigned int taken = atomic_load_explicit(&pcp->taken, memory_order_relaxed);

	if (queued != taken &&
	    atomic_compare_exchange_strong_explicit(&pcp->taken, &taken, queued,
						    memory_order_relaxed, memory_order_relaxed)) {
		atomic_store_explicit(&pcp->completed, queued, memory_order_release);
		futex_wake(&pcp->completed, INT_MAX);
	}
}

int model_quiesce(struct model *m, uint64_t timeout_ns, char *err, size_t errlen)
{
	struct timespec deadline;

	for (unsigned int cpu = 0; cpu < m->nr_cpus; cpu++)
		if (m->pcp[cpu].has_worker)
			cancel_work(&m->pcp[cpu]);
	deadline = deadline_after(timeout_ns);
	for (unsigned int cpu = 0; cpu < m->nr_cpus; cpu++) {
		struct model_pcp *pcp = &m->pcp[cpu];

		if (pcp->has_worker && !flush_work(pcp, &deadline)) {
			snprintf(err, errlen,
				 "the drain work on CPU %u is still running after %.1f s",
				 cpu, (double)timeout_ns / 1e9);
			return -EBUSY;
		}
	}
	return 0;
}

void model_reset(struct model *m)
{
	for (unsigned int cpu = 0; cpu < m->nr_cpus; cpu++) {
		m->pcp[cpu].nr = 0;
		m->pcp[cpu].ran_on_target = 0;
		m->pcp[cpu].ran_on_caller = 0;
		m->pcp[cpu].drained = 0;
		atomic_store(&m->pcp[cpu].fill_req, 0);
		atomic_store(&m->pcp[cpu].fill_done, 0);
	}
	m->shared.entries = 0;
	m->shared.value_sum = 0;
}

uint64_t model_remaining(const struct model *m)
{
	uint64_t sum = 0;

	for (unsigned int cpu = 0; cpu < m->nr_cpus; cpu++)
		sum += m->pcp[cpu].nr;
	return sum;
}

uint64_t model_ran_on_target(const struct model *m)
{
	uint64_t sum = 0;

	for (unsigned int cpu = 0; cpu < m->nr_cpus; cpu++)
		sum += m->pcp[cpu].ran_on_target;
	return sum;
}

uint64_t model_ran_on_caller(const struct model *m)
{
	uint64_t sum = 0;

	for (unsigned int cpu = 0; cpu < m->nr_cpus; cpu++)
		sum += m->pcp[cpu].ran_on_caller;
	return sum;
}

uint64_t model_drained(const struct model *m)
{
	uint64_t sum = 0;

	for (unsigned int cpu = 0; cpu < m->nr_cpus; cpu++)
		sum += m->pcp[cpu].drained;
	return sum;
}

uint64_t model_sum_remaining(const struct model *m)
{
	uint64_t sum = 0;

	for (unsigned int cpu = 0; cpu < m->nr_cpus; cpu++)
		for (unsigned int i = 0; i < m->pcp[cpu].nr; i++)
			sum += m->pcp[cpu].objs[i].value;
	return sum;
}

static inline void global_add(struct model *m, uint64_t value)
{
	model_spin_lock(&m->shared.lock);
	m->shared.value_sum += value;
	m->shared.entries++;
	model_spin_unlock(&m->shared.lock);
}

void model_local_lock_ops(struct model *m, struct model_pcp *pcp, uint64_t first, uint32_t nr)
{
	if (m->preempt_rt) {
		/* RT local_lock(): migrate_disable() (the thread is pinned) + the CPU's spinlock. */
		for (uint32_t i = 0; i < nr; i++) {
			if (m->trylock) {
				if (!model_spin_trylock(&pcp->lock)) {
					global_add(m, first + i);
					continue;
				}
			} else {
				model_spin_lock(&pcp->lock);
			}
			model_batch_add(m, pcp, first + i);
			model_spin_unlock(&pcp->lock);
		}
		return;
	}
	/*
	 * !RT local_trylock() fails only when an interrupt on this CPU holds
	 * the lock; the model has no interrupts, so its trylock is this.
	 */
	for (uint32_t i = 0; i < nr; i++) {
		model_preempt_disable(pcp);
		model_batch_add(m, pcp, first + i);
		model_preempt_enable(pcp);
	}
}

void model_spinlock_ops(struct model *m, struct model_pcp *pcp, uint64_t first, uint32_t nr)
{
	if (m->preempt_rt) {
		/* migrate_disable() + spin_lock(): on RT that is local_lock() itself. */
		model_local_lock_ops(m, pcp, first, nr);
		return;
	}
	for (uint32_t i = 0; i < nr; i++) {
		model_preempt_disable(pcp);
		if (m->trylock) {
			if (!model_spin_trylock(&pcp->lock)) {
				model_preempt_enable(pcp);
				global_add(m, first + i);
				continue;
			}
		} else {
			model_spin_lock(&pcp->lock);
		}
		model_batch_add(m, pcp, first + i);
		model_spin_unlock(&pcp->lock);
		model_preempt_enable(pcp);
	}
}

void model_global_lock_ops(struct model *m, struct model_pcp *pcp, uint64_t first, uint32_t nr)
{
	if (m->preempt_rt) {
		for (uint32_t i = 0; i < nr; i++)
			global_add(m, first + i);
		return;
	}
	/* !RT spin_lock() disables preemption first. */
	for (uint32_t i = 0; i < nr; i++) {
		model_preempt_disable(pcp);
		global_add(m, first + i);
		model_preempt_enable(pcp);
	}
}

/* Spin with the lock held for a held op (CLOCK_MONOTONIC: a hold is long next to the clock read). */
static void model_hold(uint64_t ns)
{
	struct timespec ts;
	uint64_t end;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	end = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec + ns;
	do {
		cpu_relax();
		clock_gettime(CLOCK_MONOTONIC, &ts);
	} while ((uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec < end);
}

void model_local_lock_held(struct model *m, struct model_pcp *pcp, uint64_t value, uint64_t hold_ns)
{
	if (m->preempt_rt) {
		model_spin_lock(&pcp->lock);
		model_batch_add(m, pcp, value);
		model_hold(hold_ns);
		model_spin_unlock(&pcp->lock);
		return;
	}
	model_preempt_disable(pcp);
	model_batch_add(m, pcp, value);
	model_hold(hold_ns);
	model_preempt_enable(pcp);
}

void model_spinlock_held(struct model *m, struct model_pcp *pcp, uint64_t value, uint64_t hold_ns)
{
	if (m->preempt_rt) {
		model_local_lock_held(m, pcp, value, hold_ns);
		return;
	}
	model_preempt_disable(pcp);
	model_spin_lock(&pcp->lock);
	model_batch_add(m, pcp, value);
	model_hold(hold_ns);
	model_spin_unlock(&pcp->lock);
	model_preempt_enable(pcp);
}

void model_global_lock_held(struct model *m, struct model_pcp *pcp, uint64_t value, uint64_t hold_ns)
{
	if (!m->preempt_rt)
		model_preempt_disable(pcp);
	model_spin_lock(&m->shared.lock);
	m->shared.value_sum += value;
	m->shared.entries++;
	model_hold(hold_ns);
	model_spin_unlock(&m->shared.lock);
	if (!m->preempt_rt)
		model_preempt_enable(pcp);
}
