// SPDX-License-Identifier: GPL-2.0
/*
 * The variants: one ops table each over the same per-CPU cache, so that only
 * the locking and the remote-drain mechanism differ between them.
 *
 *   wq       local_lock + queue_work_on()/wait   (mainline today)
 *   qpw      the RFC 2024 interface: on RT a remote spinlock and inline work,
 *            on !RT exactly wq
 *   qpw-on   the 2026 interface with pwlocks_key on: a real per-CPU spinlock,
 *            remote drains inline on any kernel
 *   qpw-off  the same code with the key off: local_lock + workqueue
 *   global   no per-CPU cache: one global lock per op, nothing to drain
 */
#include <linux/delay.h>
#include <linux/ktime.h>
#include <linux/percpu.h>
#include <linux/sched/signal.h>
#include <linux/wait.h>

#include "qpwbench_internal.h"

struct qpwb_pcpu __percpu *qpwb_pcpu;
struct qpwb_sink qpwb_sink ____cacheline_aligned_in_smp = {
	.lock = __SPIN_LOCK_UNLOCKED(qpwb_sink.lock),
};
struct workqueue_struct *qpwb_wq;
DEFINE_STATIC_KEY_FALSE(pwlocks_key);

/* Set when the current run must end (fatal signal or run cap). */
bool qpwb_stop;

static DECLARE_WAIT_QUEUE_HEAD(qpwb_drain_waitq);

/* --- the shared data path ------------------------------------------------ */

/* Move a batch to the shared list under the global lock. */
static void qpwb_batch_flush(struct qpwb_batch *b)
{
	unsigned int i;

	if (!b->nr)
		return;
	spin_lock(&qpwb_sink.lock);
	for (i = 0; i < b->nr; i++)
		qpwb_sink.sum += b->objs[i].val;
	qpwb_sink.count += b->nr;
	spin_unlock(&qpwb_sink.lock);
	b->nr = 0;
}

/* A full batch is flushed by the add that finds it full, as refill_stock() does. */
static void qpwb_batch_add(struct qpwb_batch *b, u64 val)
{
	if (b->nr == QPWBENCH_BATCH_ENTRIES)
		qpwb_batch_flush(b);
	b->objs[b->nr++].val = val;
}

/* A variant's local_ops: @n direct calls of its inlined single op. */
#define QPWB_DEFINE_LOCAL_OPS(name, op)				\
	static void name(u64 seq, u32 n)			\
	{							\
		u32 i;						\
								\
		for (i = 0; i < n; i++)				\
			op(seq + i);				\
	}

/* The drain itself, with @pcp (CPU @pcp->cpu) locked by the caller. */
static void qpwb_drain_locked(struct qpwb_pcpu *pcp)
{
	if (raw_smp_processor_id() == pcp->cpu)
		pcp->ran_on_target++;
	else
		pcp->ran_on_caller++;
	pcp->drained += pcp->batch.nr;
	qpwb_batch_flush(&pcp->batch);
}

/* --- bounded wait for queued drains ---------------------------------------- */

/* Called by the (single) drainer before it queues @pcp's work. */
static void qpwb_drain_request(struct qpwb_pcpu *pcp)
{
	WRITE_ONCE(pcp->drain_req, pcp->drain_req + 1);
}

/* Work side: the request this execution serves (queue_work_on() orders it). */
static unsigned long qpwb_work_begin(struct qpwb_pcpu *pcp)
{
	return READ_ONCE(pcp->drain_req);
}

static void qpwb_work_end(struct qpwb_pcpu *pcp, unsigned long req)
{
	/*
	 * Release: the drained batch and shared-list updates are visible to
	 * whoever sees drain_done >= req (pairs with qpwb_drained()).
	 */
	smp_store_release(&pcp->drain_done, req);
	if (wq_has_sleeper(&qpwb_drain_waitq))
		wake_up_all(&qpwb_drain_waitq);
}

static bool qpwb_drained(struct qpwb_pcpu *pcp, unsigned long req)
{
	/* Acquire: pairs with qpwb_work_end(); the drain's effects are seen. */
	return (long)(smp_load_acquire(&pcp->drain_done) - req) >= 0;
}

/*
 * flush_work() with a bound. A work item we stop waiting for stays queued
 * and valid; qpwb_quiesce() settles it before the next run.
 */
static int qpwb_wait_drained(struct qpwb_pcpu *pcp, u64 deadline_ns)
{
	unsigned long req = pcp->drain_req;
	u64 now;

	if (qpwb_drained(pcp, req))
		return 0;
	now = ktime_get_ns();
	if (now < deadline_ns)
		wait_event_hrtimeout(qpwb_drain_waitq,
				     qpwb_drained(pcp, req) || READ_ONCE(qpwb_stop),
				     ns_to_ktime(deadline_ns - now));
	if (qpwb_drained(pcp, req))
		return 0;
	return READ_ONCE(qpwb_stop) ? -EINTR : -ETIME;
}

/* --- wq: local_lock + workqueue (mainline) --------------------------------- */

static __always_inline void wq_local_op(u64 val)
{
	local_lock(&qpwb_pcpu->llock);
	qpwb_batch_add(&this_cpu_ptr(qpwb_pcpu)->batch, val);
	local_unlock(&qpwb_pcpu->llock);
}

QPWB_DEFINE_LOCAL_OPS(wq_local_ops, wq_local_op)

static void wq_drain_work(struct work_struct *work)
{
	struct qpwb_pcpu *pcp = container_of(work, struct qpwb_pcpu, wq_work);
	unsigned long req = qpwb_work_begin(pcp);

	local_lock(&qpwb_pcpu->llock);
	qpwb_drain_locked(this_cpu_ptr(qpwb_pcpu));
	local_unlock(&qpwb_pcpu->llock);
	qpwb_work_end(pcp, req);
}

static void wq_queue_drain(int cpu)
{
	struct qpwb_pcpu *pcp = per_cpu_ptr(qpwb_pcpu, cpu);

	qpwb_drain_request(pcp);
	queue_work_on(cpu, qpwb_wq, &pcp->wq_work);
}

static int wq_flush_drain(int cpu, u64 deadline_ns)
{
	return qpwb_wait_drained(per_cpu_ptr(qpwb_pcpu, cpu), deadline_ns);
}

static const struct qpwb_variant wq_ops = {
	.pwlocks	= -1,
	.local_ops	= wq_local_ops,
	.queue_drain	= wq_queue_drain,
	.flush_drain	= wq_flush_drain,
};

/* --- qpw: RFC 2024 --------------------------------------------------------- */

static __always_inline void qpw_local_op(u64 val)
{
	qpw_lock(&qpwb_pcpu->llock, smp_processor_id());
	qpwb_batch_add(&this_cpu_ptr(qpwb_pcpu)->batch, val);
	qpw_unlock(&qpwb_pcpu->llock, smp_processor_id());
}

QPWB_DEFINE_LOCAL_OPS(qpw_local_ops, qpw_local_op)

static void qpw_drain_work(struct work_struct *work)
{
	struct qpwb_pcpu *pcp = container_of(work, struct qpwb_pcpu, qpw_work.work);
	unsigned long req = qpwb_work_begin(pcp);
	int cpu = qpw_get_cpu(work);

	qpw_lock(&qpwb_pcpu->llock, cpu);
	qpwb_drain_locked(per_cpu_ptr(qpwb_pcpu, cpu));
	qpw_unlock(&qpwb_pcpu->llock, cpu);
	qpwb_work_end(pcp, req);
}

static void qpw_queue_drain(int cpu)
{
	struct qpwb_pcpu *pcp = per_cpu_ptr(qpwb_pcpu, cpu);

	qpwb_drain_request(pcp);
	queue_percpu_work_on(cpu, qpwb_wq, &pcp->qpw_work);
}

/* flush_percpu_work(): nothing to wait for on RT, the work ran inline. */
static int qpw_flush_drain(int cpu, u64 deadline_ns)
{
	if (IS_ENABLED(CONFIG_PREEMPT_RT))
		return 0;
	return qpwb_wait_drained(per_cpu_ptr(qpwb_pcpu, cpu), deadline_ns);
}

static const struct qpwb_variant qpw_ops = {
	.pwlocks	= -1,
	.local_ops	= qpw_local_ops,
	.queue_drain	= qpw_queue_drain,
	.flush_drain	= qpw_flush_drain,
};

/* --- qpw-on / qpw-off: the 2026 series, one code path, the key decides ----- */

static __always_inline void pw_local_op(u64 val)
{
	pw_lock_local(&qpwb_pcpu->pwlock);
	qpwb_batch_add(&this_cpu_ptr(qpwb_pcpu)->batch, val);
	pw_unlock_local(&qpwb_pcpu->pwlock);
}

QPWB_DEFINE_LOCAL_OPS(pw_local_ops, pw_local_op)

static void pw_drain_work(struct work_struct *work)
{
	struct qpwb_pcpu *pcp = container_of(work, struct qpwb_pcpu, pw_work.work);
	unsigned long req = qpwb_work_begin(pcp);
	int cpu = pw_get_cpu(work);

	pw_lock(&qpwb_pcpu->pwlock, cpu);
	qpwb_drain_locked(per_cpu_ptr(qpwb_pcpu, cpu));
	pw_unlock(&qpwb_pcpu->pwlock, cpu);
	qpwb_work_end(pcp, req);
}

static void pw_queue_drain(int cpu)
{
	struct qpwb_pcpu *pcp = per_cpu_ptr(qpwb_pcpu, cpu);

	qpwb_drain_request(pcp);
	pw_queue_on(cpu, qpwb_wq, &pcp->pw_work);
}

/* pw_flush(): nothing to wait for with the key on, the work ran inline. */
static int pw_flush_drain(int cpu, u64 deadline_ns)
{
	if (static_branch_unlikely(&pwlocks_key))
		return 0;
	return qpwb_wait_drained(per_cpu_ptr(qpwb_pcpu, cpu), deadline_ns);
}

static const struct qpwb_variant qpw_on_ops = {
	.pwlocks	= 1,
	.local_ops	= pw_local_ops,
	.queue_drain	= pw_queue_drain,
	.flush_drain	= pw_flush_drain,
};

static const struct qpwb_variant qpw_off_ops = {
	.pwlocks	= 0,
	.local_ops	= pw_local_ops,
	.queue_drain	= pw_queue_drain,
	.flush_drain	= pw_flush_drain,
};

/* --- global: one lock, no per-CPU cache ------------------------------------ */

static __always_inline void global_local_op(u64 val)
{
	spin_lock(&qpwb_sink.lock);
	qpwb_sink.sum += val;
	qpwb_sink.count++;
	spin_unlock(&qpwb_sink.lock);
}

QPWB_DEFINE_LOCAL_OPS(global_local_ops, global_local_op)

static void global_queue_drain(int cpu)
{
}

static int global_flush_drain(int cpu, u64 deadline_ns)
{
	return 0;
}

static const struct qpwb_variant global_ops = {
	.pwlocks	= -1,
	.local_ops	= global_local_ops,
	.queue_drain	= global_queue_drain,
	.flush_drain	= global_flush_drain,
};

/* Indexed by enum qpwbench_variant; every entry of QPWBENCH_VARIANTS is set. */
static const struct qpwb_variant *const qpwb_variants[QPWBENCH_NR_VARIANTS] = {
	[QPWBENCH_VARIANT_WQ]		= &wq_ops,
	[QPWBENCH_VARIANT_QPW]		= &qpw_ops,
	[QPWBENCH_VARIANT_QPW_ON]	= &qpw_on_ops,
	[QPWBENCH_VARIANT_QPW_OFF]	= &qpw_off_ops,
	[QPWBENCH_VARIANT_GLOBAL]	= &global_ops,
};

const struct qpwb_variant *qpwb_variant(unsigned int id)
{
	return id < QPWBENCH_NR_VARIANTS ? qpwb_variants[id] : NULL;
}

/* --- lifetime --------------------------------------------------------------- */

static bool qpwb_works_idle(struct qpwb_pcpu *pcp)
{
	return !work_busy(&pcp->wq_work) && !work_busy(&pcp->qpw_work.work) &&
	       !work_busy(&pcp->pw_work.work);
}

/*
 * Settle drain work left queued by a stalled earlier run: drop what has not
 * started, wait (bounded, killable) for what is running. Afterwards nothing
 * but the next run touches the per-CPU caches. Runs with the run mutex held.
 */
int qpwb_quiesce(u64 bound_ns)
{
	u64 deadline = ktime_get_ns() + bound_ns;
	int cpu;

	for_each_possible_cpu(cpu) {
		struct qpwb_pcpu *pcp = per_cpu_ptr(qpwb_pcpu, cpu);

		cancel_work(&pcp->wq_work);
		cancel_work(&pcp->qpw_work.work);
		cancel_work(&pcp->pw_work.work);
	}
	for_each_possible_cpu(cpu) {
		struct qpwb_pcpu *pcp = per_cpu_ptr(qpwb_pcpu, cpu);

		while (!qpwb_works_idle(pcp)) {
			if (fatal_signal_pending(current))
				return -EINTR;
			if (ktime_get_ns() > deadline)
				return -EBUSY;
			usleep_range(200, 1000);
		}
	}
	return 0;
}

/* Start a run from empty caches and counters; the works must be quiescent. */
void qpwb_reset(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct qpwb_pcpu *pcp = per_cpu_ptr(qpwb_pcpu, cpu);

		pcp->batch.nr = 0;
		pcp->ran_on_target = 0;
		pcp->ran_on_caller = 0;
		pcp->drained = 0;
		pcp->fill_req = 0;
		pcp->fill_done = 0;
		pcp->drain_req = 0;
		pcp->drain_done = 0;
	}
	qpwb_sink.count = 0;
	qpwb_sink.sum = 0;
}

/*
 * Flip pwlocks_key. Only between runs, with the works quiescent and the CPU
 * hotplug lock held, so no lock holder ever sees the key change under it.
 */
void qpwb_set_pwlocks(int on)
{
	if (on)
		static_branch_enable_cpuslocked(&pwlocks_key);
	else
		static_branch_disable_cpuslocked(&pwlocks_key);
}

int qpwb_variants_init(void)
{
	int cpu;

	qpwb_pcpu = alloc_percpu(struct qpwb_pcpu);
	if (!qpwb_pcpu)
		return -ENOMEM;
	/* A bound per-CPU workqueue, like mm_percpu_wq used by lru_add_drain_all(). */
	qpwb_wq = alloc_workqueue("qpwbench", WQ_MEM_RECLAIM, 0);
	if (!qpwb_wq) {
		free_percpu(qpwb_pcpu);
		return -ENOMEM;
	}
	for_each_possible_cpu(cpu) {
		struct qpwb_pcpu *pcp = per_cpu_ptr(qpwb_pcpu, cpu);

		local_lock_init(&pcp->llock);
		local_lock_init(&pcp->pwlock.ll);
		spin_lock_init(&pcp->pwlock.sl);
		pcp->cpu = cpu;
		INIT_WORK(&pcp->wq_work, wq_drain_work);
		INIT_QPW(&pcp->qpw_work, qpw_drain_work, cpu);
		INIT_PW(&pcp->pw_work, pw_drain_work, cpu);
	}
	return 0;
}

/* No run is active and no file is open: wait out any stalled drain work. */
void qpwb_variants_exit(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct qpwb_pcpu *pcp = per_cpu_ptr(qpwb_pcpu, cpu);

		cancel_work_sync(&pcp->wq_work);
		cancel_work_sync(&pcp->qpw_work.work);
		cancel_work_sync(&pcp->pw_work.work);
	}
	destroy_workqueue(qpwb_wq);
	free_percpu(qpwb_pcpu);
}
