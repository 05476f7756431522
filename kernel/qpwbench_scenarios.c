// SPDX-License-Identifier: GPL-2.0
/*
 * The scenarios, run by kthreads pinned with kthread_create_on_cpu() behind a
 * start barrier (as locktorture and refscale do). Results go to the caller's
 * struct qpwbench_result; nothing is printed.
 *
 * One drainer thread on .caller_cpu does every remote drain; stress adds a
 * worker per CPU of .cpus; local runs one thread per CPU, one CPU at a time.
 * The ioctl thread coordinates: it waits killably, and on a fatal signal or
 * at the run cap sets qpwb_stop, which every loop and wait checks. It then
 * waits at most QPWBENCH_STOP_BOUND_NS for the threads to end; one that
 * has not (a drainer in flush_work() whose kworker a foreign RT task keeps
 * off its CPU) is left to end on its own with the run's context, which it
 * then frees (qpwb_orphan()).
 */
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/refcount.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/sched/clock.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/timex.h>
#include <uapi/linux/sched/types.h>

#include "qpwbench_internal.h"
#include "qpwbench_marker.h"

/* Local ops between checks of the stop flag and cond_resched() in stress. */
#define QPWB_STRESS_CHUNK	64
/*
 * An owner times its local ops this many at a time (one owner_op_cost
 * sample, per op), and takes this many samples alone before the first
 * drain; as the user model's owners do.
 */
#define QPWB_OWNER_CHUNK	8
#define QPWB_OWNER_ALONE_SAMPLES 2000

/*
 * How long stopped threads get before the coordinator stops waiting even
 * though its process was killed: they end within microseconds unless a
 * foreign RT task blocks one.
 */
#define QPWB_STOP_GRACE_MS	100

/* What one owner records; merged into the result at the end. */
struct qpwb_owner {
	struct qpwbench_hist during;	/* concurrent local: its samples */
	struct qpwbench_hist alone;
	struct qpwbench_hist gaps;	/* FIFO spinners: largest gap per window */
	u64 ops;
	u64 switches, preemptions;	/* FIFO spinners */
	u64 held_preemptions;		/* OWNER_PREEMPTED FIFO tasks */
	u64 cycles;			/* concurrent local */
};

struct qpwb_thread;

/*
 * One run. Everything its threads touch is in here or owned by it (a copy
 * of the request, the records, the raw samples, the CPU masks), so that a
 * thread left behind by qpwb_orphan() never touches the ioctl's memory:
 * the last of the coordinator and such threads frees it (qpwb_ctx_put()).
 */
struct qpwb_ctx {
	refcount_t refs;
	bool orphaned;			/* the coordinator stopped waiting */
	struct qpwb_thread *th;		/* the threads and their records */
	int n_th;
	struct qpwbench_run run;	/* the request; .result is filled */
	cpumask_var_t cpus_copy;
	const struct qpwbench_run *args;
	const struct qpwb_variant *v;
	void (*local_ops)(u64 seq, u32 n);	/* v's, in the run's lock_mode */
	const struct cpumask *cpus;
	struct qpwbench_result *res;	/* written by one thread at a time */
	u64 *raw;			/* res->hist's first samples, or NULL */
	u32 raw_cap;
	struct qpwbench_drain_stats *ds;	/* the drainer's; the owners' at the end */
	u64 wait_bound_ns;
	u64 gap_window_ns;		/* FIFO spinners: drain_stats.target_gap's window */
	u64 deadline_ns;		/* the run cap, ktime_get_ns() */
	atomic_t ready;
	bool go;
	bool released;			/* the coordinator has woken every thread */
	atomic_t running;
	struct completion done;
	bool draining;			/* stress: the drainer has begun */
	atomic_t workers_left;		/* stress: workers still doing ops */
	atomic64_t ops_done;
	bool drain_empty;		/* QPWBENCH_DRAIN_EMPTY */
	cpumask_var_t queued;		/* the drainer's: CPUs the current drain queued on */
	/* QPWBENCH_LOAD_OWNER (and _PREEMPTED); n_owners counts FIFO tasks too */
	bool preempted;			/* QPWBENCH_LOAD_OWNER_PREEMPTED */
	bool filled_idle;		/* QPWBENCH_LOAD_FILLED_IDLE */
	wait_queue_head_t fill_wq;	/* FILLED_IDLE: owners sleep here between requests */
	int n_owners;
	atomic_t owners_ready;		/* owners done with their alone phase */
	bool drains_over;		/* the drainer is done: owners stop */
	unsigned int fill_seq;		/* the drainer's last fill request */
};

struct qpwb_thread {
	struct qpwb_ctx *ctx;
	void (*fn)(struct qpwb_thread *t);
	struct task_struct *task;
	int cpu;
	struct qpwb_owner *owner;	/* owner threads */
	struct qpwb_thread *peer;	/* OWNER_PREEMPTED: an owner's FIFO task */
};

/* --- measurement helpers --------------------------------------------------- */

/* A cycle counter that counts CPU cycles, not a timer (x86 TSC only). */
static bool qpwb_has_cycles(void)
{
#ifdef CONFIG_X86
	return boot_cpu_has(X86_FEATURE_TSC);
#else
	return false;
#endif
}

static u64 qpwb_cycles(void)
{
	return qpwb_has_cycles() ? (u64)get_cycles() : 0;
}

/* The run's threads wait here (start barrier, stress start); qpwb_run_abort() wakes them. */
static DECLARE_WAIT_QUEUE_HEAD(qpwb_barrier_wq);

/* A CPU of the run is going offline: the run ends early (the hotplug callback). */
bool qpwb_cpu_offlined;

/* Threads of runs the coordinator stopped waiting for that have not ended yet. */
static atomic_t qpwb_orphans = ATOMIC_INIT(0);

static void qpwb_ctx_put(struct qpwb_ctx *ctx)
{
	int i;

	if (!refcount_dec_and_test(&ctx->refs))
		return;
	for (i = 0; ctx->th && i < ctx->n_th; i++)
		kfree(ctx->th[i].owner);
	kfree(ctx->th);
	kvfree(ctx->raw);
	kvfree(ctx->ds);
	free_cpumask_var(ctx->cpus_copy);
	free_cpumask_var(ctx->queued);
	kfree(ctx);
}

/* @n threads, owned by @ctx from now on; @records: a struct qpwb_owner each. */
static struct qpwb_thread *qpwb_alloc_threads(struct qpwb_ctx *ctx, int n, bool records)
{
	int i;

	ctx->th = kcalloc(n, sizeof(*ctx->th), GFP_KERNEL);
	if (!ctx->th)
		return NULL;
	ctx->n_th = n;
	for (i = 0; records && i < n; i++) {
		ctx->th[i].owner = kzalloc(sizeof(*ctx->th[i].owner), GFP_KERNEL);
		if (!ctx->th[i].owner)
			return NULL;
	}
	return ctx->th;
}

void qpwb_run_abort(void)
{
	WRITE_ONCE(qpwb_cpu_offlined, true);
	WRITE_ONCE(qpwb_stop, true);
	wake_up_all(&qpwb_barrier_wq);
}

static bool qpwb_should_stop(void)
{
	return READ_ONCE(qpwb_stop);
}

/* --- thread bodies --------------------------------------------------------- */

/* local: .warmup + .iterations samples of .batch ops on this CPU. */
static void qpwb_local_fn(struct qpwb_thread *t)
{
	struct qpwb_ctx *ctx = t->ctx;
	const struct qpwbench_run *a = ctx->args;
	/* Concurrent: a record of its own, merged at the end. */
	struct qpwbench_hist *h = t->owner ? &t->owner->during : &ctx->res->hist;
	u64 *cycles = t->owner ? &t->owner->cycles : &ctx->res->cycles;
	u64 total = (u64)a->warmup + a->iterations;
	u64 seq = (u64)t->cpu << 40;
	u64 i, done = 0;

	for (i = 0; i < total && !qpwb_should_stop(); i++) {
		u64 t0, t1, c0, c1;

		c0 = qpwb_cycles();
		t0 = qpwb_clock();
		if (!(a->flags & QPWBENCH_RUN_NULL_OP))
			ctx->local_ops(seq, a->batch);
		t1 = qpwb_clock();
		c1 = qpwb_cycles();
		seq += a->batch;
		done += a->batch;
		if (i >= a->warmup) {
			qpwbench_record(h, ctx->raw, ctx->raw_cap,
					div_u64((t1 - t0) * 1000, a->batch));
			*cycles += c1 - c0;
		}
		cond_resched();
	}
	atomic64_add(done, &ctx->ops_done);
}

/* Entries the drains of the run's CPUs have found so far (racy reads, outside the timing). */
static u64 qpwb_drained_so_far(struct qpwb_ctx *ctx)
{
	u64 sum = 0;
	int cpu;

	for_each_cpu(cpu, ctx->cpus) {
		/* data_race: a drain in flight may be adding; read between drains. */
		sum += data_race(READ_ONCE(per_cpu_ptr(qpwb_pcpu, cpu)->drained));
	}
	return sum;
}

/* Drains the FIFO spinners of the run's CPUs gave their CPU up for so far. */
static u64 qpwb_stalls_so_far(struct qpwb_ctx *ctx)
{
	u64 sum = 0;
	int cpu;

	for_each_cpu(cpu, ctx->cpus)
		sum += READ_ONCE(per_cpu_ptr(qpwb_pcpu, cpu)->stalls);
	return sum;
}

/* An owner's wait for the drainer's next request: spin, let others run. */
static void qpwb_wait_relax(void)
{
	cpu_relax();
	cond_resched();
}

/*
 * The drainer's wait for the run's other threads (owners ready, a fill
 * answered): it spins for QPWB_DRAINER_SPIN_NS, so that a drain follows
 * its fill at once (the FIFO task's spin is timed from its answer), then
 * sleeps between looks. The OWNER_PREEMPTED drainer runs SCHED_FIFO 51;
 * were it to spin for good, a thread it waits for that is blocked on a
 * task of the drainer's CPU would never be answered: on PREEMPT_RT
 * cond_resched() does nothing, and priority inheritance from a
 * SCHED_OTHER waiter lifts that task nowhere.
 * @since is 0 before the first look.
 */
#define QPWB_DRAINER_SPIN_NS	(100 * NSEC_PER_USEC)

static void qpwb_drainer_wait(u64 *since)
{
	u64 now = qpwb_clock();

	if (!*since)
		*since = now;
	if (now - *since < QPWB_DRAINER_SPIN_NS)
		qpwb_wait_relax();
	else
		usleep_range(20, 50);
}

/*
 * QPWBENCH_DRAIN_FILL: have every owner add .fill entries, and wait until
 * each has (untimed). Returns false if the run is stopping.
 */
static bool qpwb_request_fill(struct qpwb_ctx *ctx)
{
	unsigned int seq = ++ctx->fill_seq;
	u64 since = 0;
	int cpu;

	for_each_cpu(cpu, ctx->cpus)
		if (cpu != ctx->args->caller_cpu)
			WRITE_ONCE(per_cpu_ptr(qpwb_pcpu, cpu)->fill_req, seq);
	/* FILLED_IDLE: the owners sleep until a request (the full barrier orders it). */
	if (ctx->filled_idle)
		wake_up_all(&ctx->fill_wq);
	for_each_cpu(cpu, ctx->cpus) {
		struct qpwb_pcpu *pcp = per_cpu_ptr(qpwb_pcpu, cpu);

		if (cpu == ctx->args->caller_cpu)
			continue;
		/* Acquire: the owner's entries are seen (pairs with qpwb_owner_fn()). */
		while (smp_load_acquire(&pcp->fill_done) != seq) {
			if (qpwb_should_stop())
				return false;
			qpwb_drainer_wait(&since);
		}
	}
	return true;
}

/*
 * OWNER_PREEMPTED: targets whose owner holds its lock, preempted by its FIFO
 * task, as the drain begins (read before the timing, as the fill is made).
 * Each such target is told that this request's drain met its held lock
 * (.held_req), for its FIFO task's qpwb_preempt_spin().
 */
static u64 qpwb_held_now(struct qpwb_ctx *ctx)
{
	u64 n = 0;
	int cpu;

	for_each_cpu(cpu, ctx->cpus) {
		struct qpwb_pcpu *pcp = per_cpu_ptr(qpwb_pcpu, cpu);

		if (cpu == ctx->args->caller_cpu || !READ_ONCE(pcp->preempting))
			continue;
		WRITE_ONCE(pcp->held_req, ctx->fill_seq);
		n++;
	}
	return n;
}

/*
 * Drain every CPU in @cpus once, as lru_add_drain_all() does: queue (or run
 * inline) on every CPU that needs it (cpu_needs_drain(): a racy peek at the
 * batch, unless QPWBENCH_DRAIN_EMPTY), then flush_work() each of those. A
 * drain that queued or locked nothing (every batch empty) is a skip: it
 * counts in skips only, no drain and no sample. A drain that its load
 * stalled (the load gave its CPU up only at the wait bound) counts in
 * stalls, and its full time goes to drain_stats.stall_latency, never to
 * the latency or drained histograms.
 * Returns false if the run is stopping (the sample is then not recorded).
 */
static bool qpwb_drain_all(struct qpwb_ctx *ctx, bool record)
{
	struct qpwbench_result *res = ctx->res;
	u64 stalls, t0, t1, c0, c1, d0, s0;
	int cpu;

	/* OWNER_PREEMPTED: the request also has each owner preempted, holding its lock. */
	if (((ctx->args->drain_flags & QPWBENCH_DRAIN_FILL) || ctx->preempted) &&
	    !qpwb_request_fill(ctx))
		return false;
	if (ctx->preempted)
		res->held_drains += qpwb_held_now(ctx);
	d0 = qpwb_drained_so_far(ctx);
	s0 = qpwb_stalls_so_far(ctx);
	cpumask_clear(ctx->queued);
	/*
	 * A recorded drain is a coherence window (a no-op outside QEMU's
	 * coherence plugin): the lines it moves, fill and bookkeeping outside.
	 */
	if (record)
		QPWBENCH_WINDOW_OPEN(QPWBENCH_LABEL_DRAIN);
	c0 = qpwb_cycles();
	t0 = qpwb_clock();
	for_each_cpu(cpu, ctx->cpus) {
		struct qpwb_pcpu *pcp = per_cpu_ptr(qpwb_pcpu, cpu);

		/* data_race: cpu_needs_drain()'s unlocked peek at the batch, as mm/swap.c does. */
		if (!ctx->drain_empty && !data_race(READ_ONCE(pcp->batch.nr)))
			continue;
		__cpumask_set_cpu(cpu, ctx->queued);
		ctx->v->queue_drain(cpu);
	}
	for_each_cpu(cpu, ctx->queued)
		ctx->v->flush_drain(cpu);
	t1 = qpwb_clock();
	c1 = qpwb_cycles();
	if (record)
		QPWBENCH_WINDOW_CLOSE(QPWBENCH_LABEL_DRAIN);
	stalls = qpwb_stalls_so_far(ctx) - s0;
	if (!record)
		return true;
	if (cpumask_empty(ctx->queued)) {
		res->skips++;
		return true;
	}
	stalls = min_t(u64, stalls, cpumask_weight(ctx->queued));
	res->drains += cpumask_weight(ctx->queued) - stalls;
	res->stalls += stalls;
	if (stalls) {
		qpwbench_hist_add(&ctx->ds->stall_latency, (t1 - t0) * 1000);
		return true;
	}
	qpwbench_record(&res->hist, ctx->raw, ctx->raw_cap, (t1 - t0) * 1000);
	qpwbench_hist_add(&ctx->ds->drained, qpwb_drained_so_far(ctx) - d0);
	res->cycles += c1 - c0;
	return true;
}

/* The owners measure their cost alone first; FIFO spinners spin. */
static void qpwb_wait_owners(struct qpwb_ctx *ctx)
{
	u64 since = 0;

	while (atomic_read_acquire(&ctx->owners_ready) < ctx->n_owners && !qpwb_should_stop())
		qpwb_drainer_wait(&since);
}

/* remote and drain-all: .warmup unrecorded drains, then .iterations. */
static void qpwb_drain_fn(struct qpwb_thread *t)
{
	struct qpwb_ctx *ctx = t->ctx;
	u64 total = (u64)ctx->args->warmup + ctx->args->iterations;
	u64 i;

	/*
	 * OWNER_PREEMPTED with QPWBENCH_DRAINER_FIFO: above the FIFO tasks, so
	 * that priority inheritance lifts an owner this drainer blocks on
	 * above its FIFO task, as an RT drainer would; the default, a
	 * SCHED_OTHER drainer (the kernel's usual caller), lifts it to
	 * SCHED_OTHER only and waits out the spin. Only once the owners are
	 * ready: their start needs the CPUs.
	 */
	struct sched_attr fifo = {
		.size = sizeof(fifo),
		.sched_policy = SCHED_FIFO,
		.sched_priority = QPWBENCH_DRAINER_FIFO_PRIO,
	};
	bool rt = ctx->preempted && ctx->args->drainer_policy == QPWBENCH_DRAINER_FIFO;

	qpwb_wait_owners(ctx);
	if (rt)
		WARN_ON_ONCE(sched_setattr_nocheck(current, &fifo));
	for (i = 0; i < total && !qpwb_should_stop(); i++) {
		if (!qpwb_drain_all(ctx, i >= ctx->args->warmup))
			break;
		cond_resched();
	}
	/* The owners only have to stop: nothing they read is published by this. */
	WRITE_ONCE(ctx->drains_over, true);
	if (ctx->filled_idle)
		wake_up_all(&ctx->fill_wq);
	if (rt)
		sched_set_normal(current, 0);
}

static bool qpwb_owner_should_stop(struct qpwb_ctx *ctx)
{
	return READ_ONCE(ctx->drains_over) || qpwb_should_stop();
}

/* Spin with the lock held: the owner_hold_ns part of a held op. */
static void qpwb_hold_cs(void *arg)
{
	u64 end = qpwb_clock() + *(const u64 *)arg;

	while (qpwb_clock() < end)
		cpu_relax();
}

/* @nr owner ops; the one of each QPWBENCH_OWNER_HOLD_EVERY keeps its lock .owner_hold_ns. */
static void qpwb_owner_ops_held(struct qpwb_ctx *ctx, u64 seq, u32 nr)
{
	u64 hold = ctx->args->owner_hold_ns;
	u32 i;

	for (i = 0; i < nr; i++) {
		if ((seq + i) % QPWBENCH_OWNER_HOLD_EVERY == QPWBENCH_OWNER_HOLD_EVERY - 1)
			ctx->v->held_op(seq + i, qpwb_hold_cs, &hold);
		else
			ctx->local_ops(seq + i, 1);
	}
}

/* OWNER_PREEMPTED: what the owner's critical section does for request @req. */
struct qpwb_kick {
	struct qpwb_pcpu *pcp;
	struct task_struct *fifo;
	unsigned int req;
};

/*
 * With the lock held: mark it held, wake the FIFO task. On RT it preempts us
 * inside wake_up_process() (the lock sleeps, so we are preemptible), and we
 * run on only when it sleeps again or priority inheritance lifts us above
 * it; then the FIFO task's spin ends (it watches .preempting).
 */
static void qpwb_kick_cs(void *arg)
{
	struct qpwb_kick *k = arg;

	WRITE_ONCE(k->pcp->preempting, true);
	WRITE_ONCE(k->pcp->kick, k->req);
	wake_up_process(k->fifo);
	WRITE_ONCE(k->pcp->preempting, false);
}

/*
 * Whether drain work waits on a load's CPU. The load watches the work
 * items' pending bits (the lines queue_work_on() writes anyway): nothing
 * is added to any drain path. Work that started and was preempted, or
 * blocks on the load's lock, shows only in work_busy(), which takes the
 * pool's lock: looked at once per QPWB_BUSY_EVERY looks.
 */
#define QPWB_BUSY_EVERY	1024

static bool qpwb_work_waits(struct qpwb_pcpu *pcp, u64 *looks)
{
	return qpwb_work_pending(pcp) || (++*looks % QPWB_BUSY_EVERY == 0 && qpwb_work_busy(pcp));
}

/*
 * The bound on a queued drain's wait, kept by the load on the drained CPU
 * (the FIFO spinner, the owner): flush_work() cannot give up, and a
 * kworker below a FIFO task, or behind an owner that retakes its sleeping
 * lock on PREEMPT_RT (a lateral steal), may never run. @waiting: drain work
 * is pending or running here; @since: when the load first saw it waiting,
 * 0 if not. Once it has waited .wait_bound_ns, the load counts a stall and
 * sleeps until the work has run, so the drainer's flush_work() returns (a
 * stop ends the sleep too). Such a drain counts in stalled, never in the
 * latency histogram.
 */
static void qpwb_bound_wait(struct qpwb_ctx *ctx, struct qpwb_pcpu *pcp, bool waiting,
			    u64 *since, u64 now)
{
	if (!waiting) {
		*since = 0;
		return;
	}
	if (!*since)
		*since = now;
	if (now - *since < ctx->wait_bound_ns)
		return;
	WRITE_ONCE(pcp->stalls, pcp->stalls + 1);
	while (qpwb_work_busy(pcp) && !qpwb_owner_should_stop(ctx))
		usleep_range(50, 100);
	*since = 0;
}

/*
 * One timed step of an owner: @nr local ops, a per-op cost sample in @h;
 * then, at .owner_rate_hz, spin until the step's period is over.
 */
static void qpwb_owner_step(struct qpwb_ctx *ctx, u64 *seq, u32 nr, struct qpwbench_hist *h,
			    u64 *next)
{
	u64 t0, t1;

	t0 = qpwb_clock();
	if (ctx->args->owner_hold_ns && !ctx->preempted)
		qpwb_owner_ops_held(ctx, *seq, nr);
	else
		ctx->local_ops(*seq, nr);
	t1 = qpwb_clock();
	*seq += nr;
	qpwbench_hist_add(h, div_u64((t1 - t0) * 1000, nr));
	if (ctx->args->owner_rate_hz) {
		*next += div64_u64((u64)nr * NSEC_PER_SEC, ctx->args->owner_rate_hz);
		while (qpwb_clock() < *next && !qpwb_owner_should_stop(ctx))
			cpu_relax();
	}
	cond_resched();
}

/*
 * QPWBENCH_LOAD_OWNER on one target: the variant's local ops, alone for
 * QPWB_OWNER_ALONE_SAMPLES steps, then for as long as the drainer drains;
 * with QPWBENCH_DRAIN_FILL, .fill ops per request of the drainer instead,
 * spinning in between (a busy target either way). OWNER_PREEMPTED: per
 * request, .fill ops (QPWBENCH_DRAIN_FILL) and one held op in which its FIFO
 * task preempts it; that task answers the request. FILLED_IDLE: per
 * request .fill ops, then it sleeps until the next request (or the end),
 * so the drain finds a filled batch on an idle CPU.
 */
static void qpwb_owner_fn(struct qpwb_thread *t)
{
	struct qpwb_ctx *ctx = t->ctx;
	struct qpwb_owner *o = t->owner;
	struct qpwb_pcpu *pcp = per_cpu_ptr(qpwb_pcpu, t->cpu);
	bool fill = ctx->args->drain_flags & QPWBENCH_DRAIN_FILL;
	u32 chunk = fill ? ctx->args->fill : ctx->preempted ? 0 : QPWB_OWNER_CHUNK;
	u64 first = (u64)t->cpu << 40, seq = first, next = qpwb_clock(), since = 0, looks = 0;
	unsigned int seen = 0, i;

	for (i = 0; chunk && i < QPWB_OWNER_ALONE_SAMPLES && !qpwb_owner_should_stop(ctx); i++)
		qpwb_owner_step(ctx, &seq, chunk, &o->alone, &next);
	atomic_inc(&ctx->owners_ready);
	while (!qpwb_owner_should_stop(ctx)) {
		unsigned int req;

		/* OWNER_PREEMPTED: its FIFO task keeps the bound; FILLED_IDLE sleeps. */
		if (!ctx->preempted && !ctx->filled_idle)
			qpwb_bound_wait(ctx, pcp, qpwb_work_waits(pcp, &looks), &since,
					qpwb_clock());
		if (!fill && !ctx->preempted) {
			qpwb_owner_step(ctx, &seq, chunk, &o->during, &next);
			continue;
		}
		req = READ_ONCE(pcp->fill_req);
		if (req == seen && ctx->filled_idle) {
			/* Idle: its CPU runs nothing of the run's until the next request. */
			wait_event_idle(ctx->fill_wq, READ_ONCE(pcp->fill_req) != seen ||
					qpwb_owner_should_stop(ctx));
			continue;
		}
		if (req == seen) {
			qpwb_wait_relax();
			continue;
		}
		if (chunk)
			qpwb_owner_step(ctx, &seq, chunk, &o->during, &next);
		seen = req;
		if (ctx->preempted) {
			struct qpwb_kick k = { .pcp = pcp, .fifo = t->peer->task, .req = req };

			ctx->v->held_op(seq++, qpwb_kick_cs, &k);
			continue;
		}
		/* Release: the entries before the answer (pairs with qpwb_request_fill()). */
		smp_store_release(&pcp->fill_done, req);
	}
	o->ops = seq - first;
}

/* interference: drain .cpus at .rate_hz for .duration_ns. */
static void qpwb_interference_fn(struct qpwb_thread *t)
{
	struct qpwb_ctx *ctx = t->ctx;
	u64 period = div64_u64(NSEC_PER_SEC, ctx->args->rate_hz);
	u64 now, end, next;
	ktime_t wake;

	qpwb_wait_owners(ctx);
	now = ktime_get_ns();
	end = now + ctx->args->duration_ns;
	next = now;
	while (!qpwb_should_stop()) {
		if (!qpwb_drain_all(ctx, true))
			break;
		next += period;
		now = ktime_get_ns();
		if (now >= end)
			break;
		if (next <= now) {
			/* Drains take longer than the period: no catch-up burst. */
			next = now;
			cond_resched();
			continue;
		}
		wake = ns_to_ktime(min(next, end));
		set_current_state(TASK_INTERRUPTIBLE);
		if (qpwb_should_stop()) {
			__set_current_state(TASK_RUNNING);
			break;
		}
		/* The coordinator's wake_up_process() ends this early on stop. */
		schedule_hrtimeout_range(&wake, 0, HRTIMER_MODE_ABS);
	}
	/* Its FIFO spinners stop. */
	WRITE_ONCE(ctx->drains_over, true);
}

/* stress worker: .iterations local ops on this CPU. */
static void qpwb_stress_worker_fn(struct qpwb_thread *t)
{
	struct qpwb_ctx *ctx = t->ctx;
	u64 n = ctx->args->iterations;
	u64 seq = (u64)t->cpu << 40;
	u64 done = 0;

	/*
	 * However few the ops, they overlap the drains. (Idle waits here and at
	 * the start barrier: a drainer kept off its CPU for long is not a hang.)
	 */
	wait_event_idle(qpwb_barrier_wq, READ_ONCE(ctx->draining) || qpwb_should_stop());
	/*
	 * Halfway, wait until a drain has found entries in this CPU's batch
	 * (which then holds some): drains provably overlapped the ops,
	 * whatever the scheduler did. global has no batch to find.
	 */
	while (done < n && !qpwb_should_stop()) {
		u32 chunk = min_t(u64, n - done, QPWB_STRESS_CHUNK);

		ctx->local_ops(seq + done, chunk);
		done += chunk;
		if (done >= n / 2 && done - chunk < n / 2 &&
		    ctx->args->variant != QPWBENCH_VARIANT_GLOBAL) {
			/* data_race: any drain that found entries will do; a stale 0 waits a jiffy more. */
			while (!data_race(READ_ONCE(per_cpu_ptr(qpwb_pcpu, t->cpu)->drained)) &&
			       !qpwb_should_stop())
				schedule_timeout_idle(1);
		}
		cond_resched();
	}
	atomic64_add(done, &ctx->ops_done);
	atomic_dec(&ctx->workers_left);
}

/*
 * stress drainer: drain all of .cpus for as long as any worker runs. The
 * workers start their ops only once it has begun.
 */
static void qpwb_stress_drainer_fn(struct qpwb_thread *t)
{
	struct qpwb_ctx *ctx = t->ctx;

	WRITE_ONCE(ctx->draining, true);
	wake_up_all(&qpwb_barrier_wq);
	do {
		if (!qpwb_drain_all(ctx, true))
			break;
		cond_resched();
	} while (atomic_read(&ctx->workers_left) && !qpwb_should_stop());
}

/* --- thread management ------------------------------------------------------ */

static int qpwb_thread_main(void *arg)
{
	struct qpwb_thread *t = arg;
	struct qpwb_ctx *ctx = t->ctx;

	atomic_inc(&ctx->ready);
	wake_up_all(&qpwb_barrier_wq);
	wait_event_idle(qpwb_barrier_wq, READ_ONCE(ctx->go) || qpwb_should_stop());
	/*
	 * Nobody turns SCHED_FIFO or spins before the coordinator has woken
	 * every thread. On PREEMPT_RT it wakes them inside the waitqueue's
	 * sleeping spinlock, migrate-disabled and in an RCU read-side
	 * section: a thread of the run that went SCHED_FIFO on its CPU then
	 * kept it from waking the rest, and 500 ms later RCU priority boosting
	 * made it SCHED_FIFO 1, out of the fair server's reach, for good
	 * (vm-7.2-rt hung: the drainer spinning for owners never woken, their
	 * CPU idle, RCU "Tasks blocked", rcub/0 hung; DESIGN, Lifetime).
	 */
	while (!smp_load_acquire(&ctx->released) && !qpwb_should_stop())
		usleep_range(10, 20);
	if (!qpwb_should_stop())
		t->fn(t);
	if (atomic_dec_and_test(&ctx->running))
		complete(&ctx->done);

	/*
	 * Stay until kthread_stop() so the coordinator can always reap us, or
	 * until it has stopped waiting for us (qpwb_orphan()): then end on our
	 * own, with the reference to the module and to @ctx it took for us.
	 */
	set_current_state(TASK_INTERRUPTIBLE);
	/* Acquire: our references are taken (pairs with qpwb_orphan()). */
	while (!kthread_should_stop() && !smp_load_acquire(&ctx->orphaned)) {
		schedule();
		set_current_state(TASK_INTERRUPTIBLE);
	}
	__set_current_state(TASK_RUNNING);
	if (kthread_should_stop())
		return 0;
	qpwb_ctx_put(ctx);
	atomic_dec(&qpwb_orphans);
	module_put_and_kthread_exit(0);
}

static void qpwb_wake_all(struct qpwb_ctx *ctx, struct qpwb_thread *th, int n)
{
	int i;

	wake_up_all(&qpwb_barrier_wq);
	for (i = 0; i < n; i++)
		wake_up_process(th[i].task);
}

static unsigned long qpwb_jiffies_left(const struct qpwb_ctx *ctx)
{
	u64 now = ktime_get_ns();

	return now >= ctx->deadline_ns ? 0 : nsecs_to_jiffies(ctx->deadline_ns - now) + 1;
}

/*
 * After a stop: wait for the threads to end, QPWB_STOP_GRACE_MS even if
 * this process was killed, else killably up to QPWBENCH_STOP_BOUND_NS.
 * Whether they all ended.
 */
static bool qpwb_wait_stopped(struct qpwb_ctx *ctx)
{
	unsigned long end = jiffies + nsecs_to_jiffies(QPWBENCH_STOP_BOUND_NS);

	if (wait_for_completion_timeout(&ctx->done, msecs_to_jiffies(QPWB_STOP_GRACE_MS)))
		return true;
	if (fatal_signal_pending(current) || time_after_eq(jiffies, end))
		return false;
	return wait_for_completion_killable_timeout(&ctx->done, end - jiffies) > 0;
}

/*
 * Stop waiting for @th[0..@n): each ends on its own (qpwb_thread_main())
 * with a reference to the module, so that its code stays, and to @ctx,
 * which holds everything it touches. New runs get -EBUSY until they have
 * ended: they would share the per-CPU caches and qpwb_stop.
 */
static void qpwb_orphan(struct qpwb_ctx *ctx, struct qpwb_thread *th, int n)
{
	int i;

	atomic_add(n, &qpwb_orphans);
	for (i = 0; i < n; i++) {
		__module_get(THIS_MODULE);
		refcount_inc(&ctx->refs);
		get_task_struct(th[i].task);
	}
	/* Release: the references before a thread can see the flag and drop them. */
	smp_store_release(&ctx->orphaned, true);
	for (i = 0; i < n; i++) {
		wake_up_process(th[i].task);
		put_task_struct(th[i].task);
	}
}

/*
 * Start @n threads (@ctx's), release them together, wait for them. A fatal
 * signal ends the run with -EINTR; reaching the run cap ends it with what
 * it has and QPWBENCH_RES_INTERRUPTED. Threads that do not end within the
 * stop bound are orphaned (ctx->orphaned): -ETIMEDOUT, or -EINTR.
 */
static int qpwb_run_threads(struct qpwb_ctx *ctx, struct qpwb_thread *th, int n)
{
	long left;
	int i, ret = 0;
	u64 t0;

	for (i = 0; i < n; i++) {
		th[i].ctx = ctx;
		th[i].task = kthread_create_on_cpu(qpwb_thread_main, &th[i], th[i].cpu,
						   "qpwbench/%u");
		if (IS_ERR(th[i].task)) {
			ret = PTR_ERR(th[i].task);
			while (i--)
				kthread_stop(th[i].task);
			return ret;
		}
	}
	atomic_set(&ctx->ready, 0);
	atomic_set(&ctx->running, n);
	WRITE_ONCE(ctx->go, false);
	WRITE_ONCE(ctx->released, false);
	reinit_completion(&ctx->done);
	for (i = 0; i < n; i++)
		wake_up_process(th[i].task);

	left = wait_event_killable_timeout(qpwb_barrier_wq,
					   atomic_read(&ctx->ready) == n,
					   qpwb_jiffies_left(ctx));
	if (left > 0) {
		t0 = ktime_get_ns();
		WRITE_ONCE(ctx->go, true);
		wake_up_all(&qpwb_barrier_wq);
		/* Release: pairs with qpwb_thread_main(); no lock is held now. */
		smp_store_release(&ctx->released, true);
		left = wait_for_completion_killable_timeout(&ctx->done,
							    qpwb_jiffies_left(ctx));
		ctx->res->elapsed_ns += ktime_get_ns() - t0;
	}
	if (left <= 0) {
		if (left < 0)
			ret = -EINTR;
		else
			ctx->res->flags |= QPWBENCH_RES_INTERRUPTED;
		WRITE_ONCE(qpwb_stop, true);
		qpwb_wake_all(ctx, th, n);
		/* Every loop and wait checks qpwb_stop: this is short. */
		if (!qpwb_wait_stopped(ctx)) {
			qpwb_orphan(ctx, th, n);
			return ret ?: -ETIMEDOUT;
		}
	}
	for (i = 0; i < n; i++)
		kthread_stop(th[i].task);
	return ret;
}

/* --- scenarios -------------------------------------------------------------- */

/* local --concurrent: every CPU at once, a record each. */
static int qpwb_scenario_local_concurrent(struct qpwb_ctx *ctx)
{
	int n = cpumask_weight(ctx->cpus), i = 0, cpu, ret;
	struct qpwb_thread *th = qpwb_alloc_threads(ctx, n, true);

	if (!th)
		return -ENOMEM;
	ctx->raw_cap = 0;
	for_each_cpu(cpu, ctx->cpus) {
		th[i].fn = qpwb_local_fn;
		th[i++].cpu = cpu;
	}
	ret = qpwb_run_threads(ctx, th, n);
	if (ctx->orphaned)
		return ret;
	for (i = 0; i < n; i++) {
		qpwbench_hist_merge(&ctx->res->hist, &th[i].owner->during);
		ctx->res->cycles += th[i].owner->cycles;
	}
	return ret;
}

static int qpwb_scenario_local(struct qpwb_ctx *ctx)
{
	struct qpwb_thread *th;
	int ret = 0;

	if (ctx->args->flags & QPWBENCH_RUN_CONCURRENT)
		return qpwb_scenario_local_concurrent(ctx);
	th = qpwb_alloc_threads(ctx, 1, false);
	if (!th)
		return -ENOMEM;
	th->fn = qpwb_local_fn;
	for_each_cpu(th->cpu, ctx->cpus) {
		ret = qpwb_run_threads(ctx, th, 1);
		if (ret || qpwb_should_stop())
			break;
	}
	return ret;
}

static int qpwb_scenario_drainer(struct qpwb_ctx *ctx, void (*fn)(struct qpwb_thread *))
{
	struct qpwb_thread *th = qpwb_alloc_threads(ctx, 1, false);

	if (!th)
		return -ENOMEM;
	th->fn = fn;
	th->cpu = ctx->args->caller_cpu;
	return qpwb_run_threads(ctx, th, 1);
}

/*
 * QPWBENCH_LOAD_FIFO on one target: a SCHED_FIFO spinner. A workqueue drain
 * of its CPU waits in flush_work() for a kworker it keeps off the CPU, until
 * the spinner gives way at the wait bound (qpwb_bound_wait()). Its context
 * switches during the drains go to the result; its largest gap between two
 * reads of its clock per ctx->gap_window_ns (time it did not have its CPU,
 * the sleeps at the bound included) to drain_stats.target_gap, as the
 * harness's spinners record theirs (ubench/target_load.c).
 */

/* A spinner's gap record: the largest gap of the current window. */
struct qpwb_gaps {
	u64 prev, window_end, max;
};

static void qpwb_gaps_start(struct qpwb_gaps *g, struct qpwb_ctx *ctx)
{
	g->prev = qpwb_clock();
	g->window_end = g->prev + ctx->gap_window_ns;
	g->max = 0;
}

static void qpwb_gaps_note(struct qpwb_gaps *g, struct qpwb_ctx *ctx, struct qpwbench_hist *h,
			   u64 now)
{
	g->max = max(g->max, now - g->prev);
	g->prev = now;
	if (now < g->window_end)
		return;
	qpwbench_hist_add(h, g->max * 1000);
	g->max = 0;
	g->window_end = now + ctx->gap_window_ns;
}

static void qpwb_fifo_fn(struct qpwb_thread *t)
{
	struct qpwb_ctx *ctx = t->ctx;
	struct qpwb_pcpu *pcp = per_cpu_ptr(qpwb_pcpu, t->cpu);
	unsigned long nvcsw, nivcsw;
	u64 since = 0, looks = 0;
	struct qpwb_gaps g;

	sched_set_fifo(current);
	nvcsw = current->nvcsw;
	nivcsw = current->nivcsw;
	atomic_inc(&ctx->owners_ready);
	qpwb_gaps_start(&g, ctx);
	while (!qpwb_owner_should_stop(ctx)) {
		bool waiting = qpwb_work_waits(pcp, &looks);
		u64 now;

		cond_resched();
		now = qpwb_clock();
		qpwb_gaps_note(&g, ctx, &t->owner->gaps, now);
		qpwb_bound_wait(ctx, pcp, waiting, &since, now);
		if (!waiting)
			cpu_relax();
	}
	/* The last, partial window. */
	if (g.max)
		qpwbench_hist_add(&t->owner->gaps, g.max * 1000);
	t->owner->switches = current->nvcsw + current->nivcsw - nvcsw - nivcsw;
	t->owner->preemptions = current->nivcsw - nivcsw;
	sched_set_normal(current, 0);
}

/*
 * OWNER_PREEMPTED: one activation of the FIFO task, woken by the owner
 * inside its critical section for request @req. It answers the request
 * (the drain may begin: the owner is off its CPU, holding its lock) and
 * spins until the owner has run again past its wakeup (priority
 * inheritance lifted it: an involuntary switch of ours), at most
 * .owner_hold_ns, or until queued drain work has waited the wait bound
 * (a stall: it then sleeps, and the kworker can run). Its largest gap
 * between two clock reads is one target_gap sample.
 *
 * The activation counts in held_preemptions when the drain of @req met
 * the held lock (the drainer set .held_req to @req before it began), we
 * were switched out involuntarily between the answer and the spin's end,
 * and the spin ended because the owner ran past its wakeup: the owner,
 * below us unless lifted, took our CPU inside that drain's held window.
 * A preemption by anything else (the stopper) leaves the owner below us,
 * still holding its lock; one outside a held drain's window does not count.
 */
static void qpwb_preempt_spin(struct qpwb_ctx *ctx, struct qpwb_pcpu *pcp,
			      struct qpwb_owner *o, unsigned int req)
{
	u64 start = qpwb_clock(), prev = start, now = start, max_gap = 0, since = 0;
	unsigned long nivcsw = current->nivcsw;

	/* Release: the owner's entries before the answer (pairs with qpwb_request_fill()). */
	smp_store_release(&pcp->fill_done, req);
	while (READ_ONCE(pcp->preempting) && now - start < ctx->args->owner_hold_ns &&
	       !qpwb_owner_should_stop(ctx)) {
		cpu_relax();
		now = qpwb_clock();
		max_gap = max(max_gap, now - prev);
		prev = now;
		if (!qpwb_work_pending(pcp)) {
			since = 0;
			continue;
		}
		if (!since)
			since = now;
		if (now - since >= ctx->wait_bound_ns) {
			WRITE_ONCE(pcp->stalls, pcp->stalls + 1);
			break;
		}
	}
	qpwbench_hist_add(&o->gaps, max_gap * 1000);
	/*
	 * .held_req was written before the drainer blocked on the lock, and
	 * so before the switch that boosted the owner over us.
	 */
	if (current->nivcsw != nivcsw && !READ_ONCE(pcp->preempting) &&
	    READ_ONCE(pcp->held_req) == req)
		o->held_preemptions++;
}

/*
 * OWNER_PREEMPTED: the FIFO task beside an owner (its peer). Priority 50,
 * as the FIFO spinner's; the drainer runs at 51 (qpwb_drain_fn()).
 */
static void qpwb_preempter_fn(struct qpwb_thread *t)
{
	struct qpwb_ctx *ctx = t->ctx;
	struct qpwb_pcpu *pcp = per_cpu_ptr(qpwb_pcpu, t->cpu);
	unsigned long nvcsw, nivcsw;
	unsigned int seen = 0, kick;

	sched_set_fifo(current);
	nvcsw = current->nvcsw;
	nivcsw = current->nivcsw;
	atomic_inc(&ctx->owners_ready);
	for (;;) {
		/* Until the owner wakes us (qpwb_kick_cs()); the end of the drains is polled. */
		for (;;) {
			set_current_state(TASK_INTERRUPTIBLE);
			kick = READ_ONCE(pcp->kick);
			if (kick != seen || qpwb_owner_should_stop(ctx))
				break;
			schedule_timeout(1);
		}
		__set_current_state(TASK_RUNNING);
		if (kick == seen)
			break;
		seen = kick;
		qpwb_preempt_spin(ctx, pcp, t->owner, kick);
	}
	t->owner->switches = current->nvcsw + current->nivcsw - nvcsw - nivcsw;
	t->owner->preemptions = current->nivcsw - nivcsw;
	sched_set_normal(current, 0);
}

/*
 * A target load: thread 0 runs @drainer on the caller, a load thread
 * (owner or FIFO spinner) each other CPU of .cpus; OWNER_PREEMPTED adds a
 * FIFO task beside each owner.
 */
static int qpwb_scenario_loaded(struct qpwb_ctx *ctx, void (*drainer)(struct qpwb_thread *))
{
	int per = ctx->preempted ? 2 : 1;
	int n = cpumask_weight(ctx->cpus) * per + 1, i = 0, cpu, ret;
	struct qpwb_thread *th = qpwb_alloc_threads(ctx, n, true);

	if (!th)
		return -ENOMEM;
	th[i].fn = drainer;
	th[i++].cpu = ctx->args->caller_cpu;
	for_each_cpu(cpu, ctx->cpus) {
		if (cpu == ctx->args->caller_cpu)
			continue;
		th[i].fn = ctx->args->target_load == QPWBENCH_LOAD_FIFO ? qpwb_fifo_fn : qpwb_owner_fn;
		th[i++].cpu = cpu;
		if (!ctx->preempted)
			continue;
		th[i - 1].peer = &th[i];
		th[i].fn = qpwb_preempter_fn;
		th[i++].cpu = cpu;
	}
	n = i;
	ctx->n_owners = n - 1;
	ret = qpwb_run_threads(ctx, th, n);
	if (ctx->orphaned)
		return ret;
	for (i = 1; i < n; i++) {
		qpwbench_hist_merge(&ctx->ds->owner, &th[i].owner->during);
		qpwbench_hist_merge(&ctx->ds->owner_alone, &th[i].owner->alone);
		qpwbench_hist_merge(&ctx->ds->target_gap, &th[i].owner->gaps);
		atomic64_add(th[i].owner->ops, &ctx->ops_done);
		ctx->res->target_switches += th[i].owner->switches;
		ctx->res->target_preemptions += th[i].owner->preemptions;
		ctx->res->held_preemptions += th[i].owner->held_preemptions;
	}
	return ret;
}

static int qpwb_scenario_stress(struct qpwb_ctx *ctx)
{
	int n = cpumask_weight(ctx->cpus) + 1, i = 0, cpu;
	struct qpwb_thread *th = qpwb_alloc_threads(ctx, n, false);

	if (!th)
		return -ENOMEM;
	th[i].fn = qpwb_stress_drainer_fn;
	th[i++].cpu = ctx->args->caller_cpu;
	for_each_cpu(cpu, ctx->cpus) {
		th[i].fn = qpwb_stress_worker_fn;
		th[i++].cpu = cpu;
	}
	atomic_set(&ctx->workers_left, n - 1);
	return qpwb_run_threads(ctx, th, n);
}

/*
 * Conservation and placement figures, read once the works are settled;
 * -ETIMEDOUT, and no figures, if they do not settle.
 */
static int qpwb_account(struct qpwb_ctx *ctx)
{
	struct qpwbench_result *res = ctx->res;
	unsigned int i;
	int cpu;

	/*
	 * Queued drains that stalled are dropped (their entries stay in the
	 * batches); one already running is waited for, so the counts below are
	 * not read in the middle of a flush.
	 */
	if (qpwb_quiesce(QPWB_SETTLE_BOUND_NS))
		return -ETIMEDOUT;
	res->ops_done = atomic64_read(&ctx->ops_done);
	res->ops_drained = qpwb_sink.count;
	for_each_possible_cpu(cpu) {
		struct qpwb_pcpu *pcp = per_cpu_ptr(qpwb_pcpu, cpu);

		res->ops_remaining += READ_ONCE(pcp->batch.nr);
		res->ran_on_target += READ_ONCE(pcp->ran_on_target);
		res->ran_on_caller += READ_ONCE(pcp->ran_on_caller);
		res->entries_drained += READ_ONCE(pcp->drained);
		for (i = 0; i < pcp->batch.nr; i++)
			res->sum_remaining += pcp->batch.objs[i].val;
	}
	res->sum_drained = qpwb_sink.sum;
	if (qpwb_has_cycles())
		res->flags |= QPWBENCH_RES_HAS_CYCLES;
	return 0;
}

/*
 * Before a run, under the CPU hotplug read lock (short: the works are
 * normally quiet already): settle what an earlier run left, set pwlocks_key
 * for @run's variant, empty the caches. -EBUSY or -EINTR if work would not
 * settle.
 */
int qpwb_run_prepare(const struct qpwbench_run *run)
{
	const struct qpwb_variant *v = qpwb_variant(run->variant);
	int ret;

	/* Threads of an earlier run are still ending: they see qpwb_stop. */
	if (atomic_read(&qpwb_orphans))
		return -EBUSY;
	WRITE_ONCE(qpwb_stop, false);
	WRITE_ONCE(qpwb_cpu_offlined, false);
	ret = qpwb_quiesce(QPWB_SETTLE_BOUND_NS);
	if (ret)
		return ret;
	if (v->pwlocks >= 0)
		qpwb_set_pwlocks(v->pwlocks);
	qpwb_reset();
	return 0;
}

/*
 * Run one validated, prepared request, with the run mutex held. The CPU
 * hotplug lock is not held: a CPU of @cpus going offline ends the run
 * early through qpwb_run_abort() (QPWBENCH_RES_CPU_OFFLINE).
 * @raw holds run->samples_cap samples (NULL when 0). The run works on
 * copies of @run, @ds, @cpus and @raw, written back when it succeeds.
 */
int qpwb_run_scenario(struct qpwbench_run *run, struct qpwbench_drain_stats *ds,
		      const struct cpumask *cpus, u64 *raw)
{
	struct qpwb_ctx *ctx;
	int ret;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	refcount_set(&ctx->refs, 1);
	ctx->run = *run;
	memset(&ctx->run.result, 0, sizeof(ctx->run.result));
	ctx->ds = kvzalloc(sizeof(*ctx->ds), GFP_KERNEL);
	if (raw)
		ctx->raw = kvmalloc_array(run->samples_cap, sizeof(*raw), GFP_KERNEL);
	if (!zalloc_cpumask_var(&ctx->queued, GFP_KERNEL) ||
	    !zalloc_cpumask_var(&ctx->cpus_copy, GFP_KERNEL) || !ctx->ds || (raw && !ctx->raw)) {
		qpwb_ctx_put(ctx);
		return -ENOMEM;
	}
	cpumask_copy(ctx->cpus_copy, cpus);
	ctx->drain_empty = run->drain_flags & QPWBENCH_DRAIN_EMPTY;
	ctx->preempted = run->target_load == QPWBENCH_LOAD_OWNER_PREEMPTED;
	ctx->filled_idle = run->target_load == QPWBENCH_LOAD_FILLED_IDLE;
	init_waitqueue_head(&ctx->fill_wq);
	ctx->args = &ctx->run;
	ctx->v = qpwb_variant(run->variant);
	ctx->local_ops = ctx->v->local_ops[run->lock_mode];
	ctx->cpus = ctx->cpus_copy;
	ctx->res = &ctx->run.result;
	ctx->raw_cap = raw ? run->samples_cap : 0;
	ctx->wait_bound_ns = run->wait_bound_ns ?: QPWBENCH_DEFAULT_WAIT_BOUND_NS;
	ctx->gap_window_ns = run->scenario == QPWBENCH_SCENARIO_INTERFERENCE ?
			     div64_u64(NSEC_PER_SEC, run->rate_hz) : QPWBENCH_GAP_WINDOW_NS;
	ctx->deadline_ns = ktime_get_ns() + QPWBENCH_RUN_CAP_NS;
	init_completion(&ctx->done);
	atomic64_set(&ctx->ops_done, 0);

	switch (run->scenario) {
	case QPWBENCH_SCENARIO_LOCAL:
		ret = qpwb_scenario_local(ctx);
		break;
	case QPWBENCH_SCENARIO_REMOTE:
	case QPWBENCH_SCENARIO_DRAIN_ALL:
		if (run->target_load != QPWBENCH_LOAD_NONE)
			ret = qpwb_scenario_loaded(ctx, qpwb_drain_fn);
		else
			ret = qpwb_scenario_drainer(ctx, qpwb_drain_fn);
		break;
	case QPWBENCH_SCENARIO_STRESS:
		ret = qpwb_scenario_stress(ctx);
		break;
	case QPWBENCH_SCENARIO_INTERFERENCE:
		if (run->target_load != QPWBENCH_LOAD_NONE)
			ret = qpwb_scenario_loaded(ctx, qpwb_interference_fn);
		else
			ret = qpwb_scenario_drainer(ctx, qpwb_interference_fn);
		break;
	default:
		ret = -EINVAL;
	}
	if (!ret)
		ret = qpwb_account(ctx);
	if (!ret) {
		ctx->res->samples_kept = min_t(u64, ctx->res->hist.count, ctx->raw_cap);
		if (READ_ONCE(qpwb_cpu_offlined))
			ctx->res->flags |= QPWBENCH_RES_CPU_OFFLINE;
		run->result = *ctx->res;
		*ds = *ctx->ds;
		if (raw)
			memcpy(raw, ctx->raw, (size_t)ctx->res->samples_kept * sizeof(*raw));
	}
	qpwb_ctx_put(ctx);
	return ret;
}
