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
#include <linux/version.h>

#include "qpwbench_internal.h"

/*
 * Since 6.17 a workqueue says whether it is per-CPU (queue_work_on() runs
 * the work on that CPU, which the variants rely on); 7.x warns when it does
 * not. Before, per-CPU was the only default.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 17, 0)
#define QPWB_WQ_PERCPU	WQ_PERCPU
#else
#define QPWB_WQ_PERCPU	0
#endif

struct qpwb_pcpu __percpu *qpwb_pcpu;

/* The layout qpwbench_internal.h promises: each group on lines of its own. */
#define QPWB_LINE_START(field) \
	static_assert(offsetof(struct qpwb_pcpu, field) % SMP_CACHE_BYTES == 0, #field)
QPWB_LINE_START(llock);
QPWB_LINE_START(pwlock.ll);
QPWB_LINE_START(pwlock.sl);
QPWB_LINE_START(batch.nr);
QPWB_LINE_START(batch.objs[0]);
QPWB_LINE_START(batch.objs[1]);
QPWB_LINE_START(ran_on_target);
QPWB_LINE_START(wq_work);
QPWB_LINE_START(fill_req);
static_assert(sizeof(struct qpwb_obj) == SMP_CACHE_BYTES, "one entry, one line");
static_assert(offsetof(struct qpwb_pcpu, pwlock.ll) >=
	      offsetof(struct qpwb_pcpu, llock) + sizeof(local_lock_t), "llock's line");
static_assert(offsetof(struct qpwb_pcpu, pwlock.sl) >=
	      offsetof(struct qpwb_pcpu, pwlock.ll) + sizeof(local_lock_t), "ll's line");
static_assert(offsetof(struct qpwb_pcpu, batch) >=
	      offsetof(struct qpwb_pcpu, pwlock.sl) + SMP_CACHE_BYTES, "sl's line");
struct qpwb_sink qpwb_sink ____cacheline_aligned_in_smp = {
	.lock = __SPIN_LOCK_UNLOCKED(qpwb_sink.lock),
};
struct workqueue_struct *qpwb_wq;
DEFINE_STATIC_KEY_FALSE(pwlocks_key);

/* Set when the current run must end (fatal signal or run cap). */
bool qpwb_stop;

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

/* --- wq: local_lock + workqueue (mainline) --------------------------------- */

static __always_inline void wq_local_op(u64 val)
{
	local_lock(&qpwb_pcpu->llock);
	qpwb_batch_add(&this_cpu_ptr(qpwb_pcpu)->batch, val);
	local_unlock(&qpwb_pcpu->llock);
}

QPWB_DEFINE_LOCAL_OPS(wq_local_ops, wq_local_op)

static __always_inline void wq_local_op_irqsave(u64 val)
{
	unsigned long flags;

	local_lock_irqsave(&qpwb_pcpu->llock, flags);
	qpwb_batch_add(&this_cpu_ptr(qpwb_pcpu)->batch, val);
	local_unlock_irqrestore(&qpwb_pcpu->llock, flags);
}

QPWB_DEFINE_LOCAL_OPS(wq_local_ops_irqsave, wq_local_op_irqsave)

static void wq_held_op(u64 val, void (*in_cs)(void *arg), void *arg)
{
	local_lock(&qpwb_pcpu->llock);
	qpwb_batch_add(&this_cpu_ptr(qpwb_pcpu)->batch, val);
	in_cs(arg);
	local_unlock(&qpwb_pcpu->llock);
}

/*
 * lru_add_drain_per_cpu(): drain this CPU's batch. Work that runs unbound
 * because its CPU went offline after a run drains nothing rather than
 * another CPU's batch.
 */
static void wq_drain_work(struct work_struct *work)
{
	struct qpwb_pcpu *pcp = container_of(work, struct qpwb_pcpu, wq_work);

	local_lock(&qpwb_pcpu->llock);
	if (this_cpu_ptr(qpwb_pcpu) == pcp)
		qpwb_drain_locked(pcp);
	local_unlock(&qpwb_pcpu->llock);
}

static void wq_queue_drain(int cpu)
{
	queue_work_on(cpu, qpwb_wq, &per_cpu_ptr(qpwb_pcpu, cpu)->wq_work);
}

static void wq_flush_drain(int cpu)
{
	flush_work(&per_cpu_ptr(qpwb_pcpu, cpu)->wq_work);
}

static const struct qpwb_variant wq_ops = {
	.pwlocks	= -1,
	.local_ops	= { wq_local_ops, wq_local_ops_irqsave },
	.held_op	= wq_held_op,
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

static __always_inline void qpw_local_op_irqsave(u64 val)
{
	unsigned long flags;

	qpw_lock_irqsave(&qpwb_pcpu->llock, smp_processor_id(), flags);
	qpwb_batch_add(&this_cpu_ptr(qpwb_pcpu)->batch, val);
	qpw_unlock_irqrestore(&qpwb_pcpu->llock, smp_processor_id(), flags);
}

QPWB_DEFINE_LOCAL_OPS(qpw_local_ops_irqsave, qpw_local_op_irqsave)

static void qpw_held_op(u64 val, void (*in_cs)(void *arg), void *arg)
{
	qpw_lock(&qpwb_pcpu->llock, smp_processor_id());
	qpwb_batch_add(&this_cpu_ptr(qpwb_pcpu)->batch, val);
	in_cs(arg);
	qpw_unlock(&qpwb_pcpu->llock, smp_processor_id());
}

static void qpw_drain_work(struct work_struct *work)
{
	struct qpwb_pcpu *pcp = container_of(work, struct qpwb_pcpu, qpw_work.work);
	int cpu = qpw_get_cpu(work);

	qpw_lock(&qpwb_pcpu->llock, cpu);
	if (per_cpu_ptr(qpwb_pcpu, cpu) == pcp)
		qpwb_drain_locked(pcp);
	qpw_unlock(&qpwb_pcpu->llock, cpu);
}

static void qpw_queue_drain(int cpu)
{
	queue_percpu_work_on(cpu, qpwb_wq, &per_cpu_ptr(qpwb_pcpu, cpu)->qpw_work);
}

static void qpw_flush_drain(int cpu)
{
	flush_percpu_work(&per_cpu_ptr(qpwb_pcpu, cpu)->qpw_work);
}

static const struct qpwb_variant qpw_ops = {
	.pwlocks	= -1,
	.local_ops	= { qpw_local_ops, qpw_local_ops_irqsave },
	.held_op	= qpw_held_op,
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

static __always_inline void pw_local_op_irqsave(u64 val)
{
	unsigned long flags;

	pw_lock_local_irqsave(&qpwb_pcpu->pwlock, flags);
	qpwb_batch_add(&this_cpu_ptr(qpwb_pcpu)->batch, val);
	pw_unlock_local_irqrestore(&qpwb_pcpu->pwlock, flags);
}

QPWB_DEFINE_LOCAL_OPS(pw_local_ops_irqsave, pw_local_op_irqsave)

static void pw_held_op(u64 val, void (*in_cs)(void *arg), void *arg)
{
	pw_lock_local(&qpwb_pcpu->pwlock);
	qpwb_batch_add(&this_cpu_ptr(qpwb_pcpu)->batch, val);
	in_cs(arg);
	pw_unlock_local(&qpwb_pcpu->pwlock);
}

static void pw_drain_work(struct work_struct *work)
{
	struct qpwb_pcpu *pcp = container_of(work, struct qpwb_pcpu, pw_work.work);
	int cpu = pw_get_cpu(work);

	pw_lock(&qpwb_pcpu->pwlock, cpu);
	if (per_cpu_ptr(qpwb_pcpu, cpu) == pcp)
		qpwb_drain_locked(pcp);
	pw_unlock(&qpwb_pcpu->pwlock, cpu);
}

static void pw_queue_drain(int cpu)
{
	pw_queue_on(cpu, qpwb_wq, &per_cpu_ptr(qpwb_pcpu, cpu)->pw_work);
}

static void pw_flush_drain(int cpu)
{
	pw_flush(&per_cpu_ptr(qpwb_pcpu, cpu)->pw_work);
}

static const struct qpwb_variant qpw_on_ops = {
	.pwlocks	= 1,
	.local_ops	= { pw_local_ops, pw_local_ops_irqsave },
	.held_op	= pw_held_op,
	.queue_drain	= pw_queue_drain,
	.flush_drain	= pw_flush_drain,
};

static const struct qpwb_variant qpw_off_ops = {
	.pwlocks	= 0,
	.local_ops	= { pw_local_ops, pw_local_ops_irqsave },
	.held_op	= pw_held_op,
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

static __always_inline void global_local_op_irqsave(u64 val)
{
	unsigned long flags;

	spin_lock_irqsave(&qpwb_sink.lock, flags);
	qpwb_sink.sum += val;
	qpwb_sink.count++;
	spin_unlock_irqrestore(&qpwb_sink.lock, flags);
}

QPWB_DEFINE_LOCAL_OPS(global_local_ops_irqsave, global_local_op_irqsave)

static void global_held_op(u64 val, void (*in_cs)(void *arg), void *arg)
{
	spin_lock(&qpwb_sink.lock);
	qpwb_sink.sum += val;
	qpwb_sink.count++;
	in_cs(arg);
	spin_unlock(&qpwb_sink.lock);
}

static void global_queue_drain(int cpu)
{
}

static void global_flush_drain(int cpu)
{
}

static const struct qpwb_variant global_ops = {
	.pwlocks	= -1,
	.local_ops	= { global_local_ops, global_local_ops_irqsave },
	.held_op	= global_held_op,
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

bool qpwb_work_pending(struct qpwb_pcpu *pcp)
{
	return work_pending(&pcp->wq_work) || work_pending(&pcp->qpw_work.work) ||
	       work_pending(&pcp->pw_work.work);
}

bool qpwb_work_busy(struct qpwb_pcpu *pcp)
{
	return work_busy(&pcp->wq_work) || work_busy(&pcp->qpw_work.work) ||
	       work_busy(&pcp->pw_work.work);
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

		while (qpwb_work_busy(pcp)) {
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
		pcp->stalls = 0;
		pcp->fill_req = 0;
		pcp->fill_done = 0;
		pcp->kick = 0;
		pcp->preempting = false;
		pcp->held_req = 0;
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

	qpwb_pcpu = __alloc_percpu(sizeof(struct qpwb_pcpu), SMP_CACHE_BYTES);
	if (!qpwb_pcpu)
		return -ENOMEM;
	/* A bound per-CPU workqueue, like mm_percpu_wq used by lru_add_drain_all(). */
	qpwb_wq = alloc_workqueue("qpwbench", WQ_MEM_RECLAIM | QPWB_WQ_PERCPU, 0);
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
