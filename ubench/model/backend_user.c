// SPDX-License-Identifier: GPL-2.0
/*
 * backend_user: runs a struct qpwbench_run on the userspace model, giving it
 * the meaning the module gives it (kernel/qpwbench_main.c validates,
 * kernel/qpwbench_scenarios.c runs): the same checks and error codes, the
 * same threads (one drainer pinned on .caller_cpu; local, one thread per CPU
 * in turn; stress, a worker on every CPU of .cpus as well), the same
 * counters and the same histogram, so a request means one thing whichever
 * backend runs it.
 */
#include <errno.h>
#include <linux/futex.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"
#include "core/hist.h"
#include "core/meta.h"
#include "core/threads.h"
#include "core/timer.h"
#include "model.h"
#include "qpwbench_marker.h"

/* Stress workers hand out local ops in chunks of this many, as the module's do. */
#define STRESS_CHUNK		64
#define NSEC_PER_SEC		1000000000ULL
/* An owner takes this many samples alone before the first drain, as the module's do. */
#define OWNER_ALONE_SAMPLES	2000
/* Spins of a waiting owner or drainer before it yields its CPU once. */
#define WAIT_SPINS		4096

/* What one owner records; merged into the result at the end. */
struct owner_rec {
	struct qpwbench_hist during;	/* concurrent local: its samples */
	struct qpwbench_hist alone;
	uint64_t ops;
	__u64 cycles;			/* concurrent local */
};

static struct model model;
static bool model_ready;

/* One run: the request, its CPUs as a list, and what the threads share. */
struct user_run {
	struct qpwbench_run *args;
	const struct model_variant *v;
	unsigned int cpus[QPWBENCH_MAX_CPUS];
	unsigned int n;
	uint64_t wait_bound_ns;
	__u64 *raw;			/* args->samples, or NULL */
	uint32_t raw_cap;
	bool counts_cycles;
	uint64_t deadline_ns;		/* QPWBENCH_RUN_CAP_NS from the start, monotonic */
	atomic_bool stop;		/* the run cap was reached */
	atomic_bool draining;		/* stress: the drainer has begun */
	atomic_uint workers_left;
	atomic_uint_fast64_t ops_done;
	bool filled_idle;		/* QPWBENCH_LOAD_FILLED_IDLE: owners sleep between fills */
	/* QPWBENCH_LOAD_OWNER: an owner on each of targets[0..n_targets) */
	unsigned int targets[QPWBENCH_MAX_CPUS];
	unsigned int n_targets;
	struct owner_rec *owners;
	atomic_uint owners_ready;	/* owners done with their alone phase */
	atomic_bool drains_over;	/* the drainer is done: owners stop */
	unsigned int fill_seq;		/* the drainer's last fill request */
	struct qpwbench_drain_stats ds;	/* copied to .drain_stats at the end */
};

static bool cpu_online(unsigned int cpu)
{
	char path[64], c = '1';
	FILE *f;

	if (cpu >= model.nr_cpus)
		return false;
	/* cpu0 often has no "online" file: it cannot go offline. */
	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%u/online", cpu);
	f = fopen(path, "r");
	if (f) {
		if (fread(&c, 1, 1, f) != 1)
			c = '0';
		fclose(f);
	}
	return c == '1';
}

static void user_close(void)
{
	if (!model_ready)
		return;
	model_destroy(&model);
	model_ready = false;
}

static int user_open(char *err, size_t errlen)
{
	cpu_set_t allowed;
	long conf;
	int ret;

	if (model_ready)
		return 0;
	ret = timer_init(err, errlen);
	if (ret)
		return ret;
	conf = sysconf(_SC_NPROCESSORS_CONF);
	if (conf < 1)
		conf = 1;
	if (conf > QPWBENCH_MAX_CPUS)
		conf = QPWBENCH_MAX_CPUS;
	ret = model_init(&model, (unsigned int)conf, !strcmp(run_meta_get()->preempt, "rt"));
	if (ret) {
		snprintf(err, errlen, "user backend: %s", strerror(-ret));
		return ret;
	}
	model_ready = true;
	/*
	 * A worker on every CPU this process may use, from the start, as bound
	 * kworkers exist from boot: a worker created while an RT task already
	 * hogs its CPU is scheduled differently (the fair server lets it run)
	 * from one that was waiting there.
	 */
	if (sched_getaffinity(0, sizeof(allowed), &allowed))
		CPU_ZERO(&allowed);
	for (unsigned int cpu = 0; cpu < model.nr_cpus && !ret; cpu++)
		if (CPU_ISSET(cpu, &allowed) && cpu_online(cpu))
			ret = model_start_workers(&model, &cpu, 1, err, errlen);
	if (ret)
		user_close();
	return ret;
}

/* The module's qpwb_check_args(), with its error codes. */
static int check_args(const struct qpwbench_run *r, char *err, size_t errlen)
{
	bool drains = r->scenario != QPWBENCH_SCENARIO_LOCAL;
	bool preempted = r->target_load == QPWBENCH_LOAD_OWNER_PREEMPTED;
	bool filled_idle = r->target_load == QPWBENCH_LOAD_FILLED_IDLE;
	bool owners = r->target_load == QPWBENCH_LOAD_OWNER || preempted;

	if (r->size != sizeof(*r) || r->version != QPWBENCH_ABI_VERSION) {
		snprintf(err, errlen, "run request: size %u / version %u, expected %zu / %u",
			 r->size, r->version, sizeof(*r), QPWBENCH_ABI_VERSION);
		return -EINVAL;
	}
	if (r->scenario >= QPWBENCH_NR_SCENARIOS || r->variant >= QPWBENCH_NR_VARIANTS ||
	    (r->flags & ~QPWBENCH_RUN_FLAGS) || (r->flags && drains)) {
		snprintf(err, errlen, "run request: scenario %u, variant %u, flags %#x out of range",
			 r->scenario, r->variant, r->flags);
		return -EINVAL;
	}
	if (r->__pad || r->__pad2 || (r->samples_cap && !r->samples)) {
		snprintf(err, errlen, "run request: padding set, or samples_cap without samples");
		return -EINVAL;
	}
	if (r->drainer_policy >= QPWBENCH_NR_DRAINER_POLICIES ||
	    (r->drainer_policy != QPWBENCH_DRAINER_OTHER && !preempted)) {
		snprintf(err, errlen, "run request: drainer policy %u (FIFO only under owner-preempted)",
			 r->drainer_policy);
		return -EINVAL;
	}
	if (filled_idle && (!(r->drain_flags & QPWBENCH_DRAIN_FILL) || !r->fill ||
			    r->owner_rate_hz)) {
		snprintf(err, errlen, "run request: filled-idle needs a fill of at least 1 entry and no owner rate");
		return -EINVAL;
	}
	/* No FIFO load of the model's own: its workqueue wait is bounded itself. */
	if (r->target_load >= QPWBENCH_NR_LOADS || r->target_load == QPWBENCH_LOAD_FIFO ||
	    (r->drain_flags & ~QPWBENCH_DRAIN_FLAGS) ||
	    r->lock_mode >= QPWBENCH_NR_LOCK_MODES || ((r->drain_flags & QPWBENCH_DRAIN_FILL) &&
			  !owners && !filled_idle)) {
		snprintf(err, errlen, "run request: target load %u, drain flags %#x, lock mode %u out of range (a fill needs owners)",
			 r->target_load, r->drain_flags, r->lock_mode);
		return -EINVAL;
	}
	if (r->target_load != QPWBENCH_LOAD_NONE && r->scenario != QPWBENCH_SCENARIO_REMOTE &&
	    r->scenario != QPWBENCH_SCENARIO_DRAIN_ALL) {
		snprintf(err, errlen, "run request: only remote and drain-all run a target load");
		return -EINVAL;
	}
	if (r->owner_hold_ns && (!owners || r->lock_mode != QPWBENCH_LOCK_PLAIN)) {
		snprintf(err, errlen, "run request: an owner hold needs owners and the plain lock mode");
		return -EINVAL;
	}
	if (preempted && (!r->owner_hold_ns || r->owner_rate_hz)) {
		snprintf(err, errlen, "run request: owner-preempted needs a hold (the FIFO task's spin) and no owner rate");
		return -EINVAL;
	}
	if (r->lock_mode == QPWBENCH_LOCK_IRQSAVE) {
		snprintf(err, errlen, "--lock-mode irqsave: the user model has no interrupts to disable; use --backend kmod");
		return -EOPNOTSUPP;
	}
	if (r->iterations > QPWBENCH_MAX_ITERATIONS || r->warmup > QPWBENCH_MAX_WARMUP ||
	    r->duration_ns > QPWBENCH_MAX_DURATION_NS || r->rate_hz > QPWBENCH_MAX_RATE_HZ ||
	    r->wait_bound_ns > QPWBENCH_MAX_WAIT_BOUND_NS ||
	    r->samples_cap > QPWBENCH_MAX_RAW_SAMPLES || r->batch > QPWBENCH_MAX_BATCH) {
		snprintf(err, errlen, "run request: an argument is above its cap (qpwbench.h QPWBENCH_MAX_*)");
		return -E2BIG;
	}
	if (r->fill > QPWBENCH_BATCH_ENTRIES || r->owner_rate_hz > QPWBENCH_MAX_OWNER_RATE_HZ ||
	    r->owner_hold_ns > QPWBENCH_MAX_OWNER_HOLD_NS) {
		snprintf(err, errlen, "run request: fill %u or owner rate above its cap", r->fill);
		return -E2BIG;
	}
	switch (r->scenario) {
	case QPWBENCH_SCENARIO_LOCAL:
		if (!r->batch || !r->iterations) {
			snprintf(err, errlen, "local: batch and iterations must be at least 1");
			return -EINVAL;
		}
		break;
	case QPWBENCH_SCENARIO_INTERFERENCE:
		if (!r->rate_hz || !r->duration_ns) {
			snprintf(err, errlen, "interference: rate and duration must be above 0");
			return -EINVAL;
		}
		break;
	default:
		if (!r->iterations) {
			snprintf(err, errlen, "iterations must be at least 1");
			return -EINVAL;
		}
	}
	/* The model's locks are futex-based and not preempted by a FIFO task inside them as RT's are. */
	if (preempted) {
		snprintf(err, errlen, "--target-load owner-preempted: the user model has no PREEMPT_RT sleeping lock whose holder a FIFO task preempts; use --backend kmod on a PREEMPT_RT kernel");
		return -EOPNOTSUPP;
	}
	return 0;
}

/* The module's qpwb_check_cpus(): the mask as a list into ur. */
static int check_cpus(const struct qpwbench_run *r, struct user_run *ur, char *err, size_t errlen)
{
	if (!cpu_online(r->caller_cpu)) {
		snprintf(err, errlen, "caller CPU %u is not online", r->caller_cpu);
		return -ENODEV;
	}
	ur->n = 0;
	for (unsigned int cpu = 0; cpu < QPWBENCH_MAX_CPUS; cpu++) {
		if (!qpwbench_mask_test(r->cpus, cpu))
			continue;
		if (!cpu_online(cpu)) {
			snprintf(err, errlen, "CPU %u is not online", cpu);
			return -ENODEV;
		}
		ur->cpus[ur->n++] = cpu;
	}
	if (!ur->n) {
		snprintf(err, errlen, "run request: no CPU selected");
		return -EINVAL;
	}
	if (r->scenario == QPWBENCH_SCENARIO_REMOTE &&
	    (ur->n != 1 || ur->cpus[0] == r->caller_cpu)) {
		snprintf(err, errlen, "remote: exactly one target CPU, other than the caller (%u)",
			 r->caller_cpu);
		return -EINVAL;
	}
	return 0;
}

static uint64_t monotonic_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * NSEC_PER_SEC + (uint64_t)t.tv_nsec;
}

/* Whether the run must end: the run cap, seen by whoever reads the clock. */
static bool run_capped(struct user_run *ur)
{
	if (atomic_load_explicit(&ur->stop, memory_order_relaxed))
		return true;
	if (monotonic_ns() < ur->deadline_ns)
		return false;
	atomic_store_explicit(&ur->stop, true, memory_order_relaxed);
	return true;
}

/* local: .warmup + .iterations samples of .batch ops on this thread's CPU. */
static void local_fn(struct thread_ctx *ctx)
{
	struct user_run *ur = ctx->arg;
	const struct qpwbench_run *a = ur->args;
	struct qpwbench_result *res = &ur->args->result;
	/* Concurrent: a record of its own (owners[] reused), merged at the end. */
	struct qpwbench_hist *h = ur->owners ? &ur->owners[ctx->index].during : &res->hist;
	__u64 *cycles = ur->owners ? &ur->owners[ctx->index].cycles : &res->cycles;
	struct model_pcp *pcp = &model.pcp[ctx->cpu];
	uint64_t total = (uint64_t)a->warmup + a->iterations;
	uint64_t seq = (uint64_t)ctx->cpu << 40;
	uint64_t i;

	for (i = 0; i < total && !run_capped(ur); i++) {
		uint64_t t0, t1;

		t0 = timer_start();
		if (!(a->flags & QPWBENCH_RUN_NULL_OP))
			ur->v->local_ops(&model, pcp, seq, a->batch);
		t1 = timer_end();
		seq += a->batch;
		if (i >= a->warmup) {
			qpwbench_record(h, ur->raw, ur->raw_cap,
					timer_ticks_to_ps(t1 - t0) / a->batch);
			if (ur->counts_cycles)
				*cycles += t1 - t0;
		}
	}
	atomic_fetch_add_explicit(&ur->ops_done, i * a->batch, memory_order_relaxed);
}

/* Entries the drains of the run's CPUs have found so far (racy reads, outside the timing). */
static uint64_t drained_so_far(const struct user_run *ur)
{
	uint64_t sum = 0;

	for (unsigned int i = 0; i < ur->n; i++)
		sum += __atomic_load_n(&model.pcp[ur->cpus[i]].drained, __ATOMIC_RELAXED);
	return sum;
}

/*
 * QPWBENCH_DRAIN_FILL: have every owner add .fill entries, and wait until
 * each has (untimed). false if the run must stop.
 */
static bool request_fill(struct user_run *ur)
{
	unsigned int seq = ++ur->fill_seq;

	for (unsigned int i = 0; i < ur->n_targets; i++) {
		atomic_store_explicit(&model.pcp[ur->targets[i]].fill_req, seq, memory_order_release);
		/* FILLED_IDLE: its owner sleeps on the request word. */
		if (ur->filled_idle)
			syscall(SYS_futex, &model.pcp[ur->targets[i]].fill_req, FUTEX_WAKE_PRIVATE,
				1, NULL, NULL, 0);
	}
	for (unsigned int i = 0; i < ur->n_targets; i++) {
		struct model_pcp *pcp = &model.pcp[ur->targets[i]];
		unsigned int spins = 0;

		while (atomic_load_explicit(&pcp->fill_done, memory_order_acquire) != seq) {
			if (atomic_load_explicit(&ur->stop, memory_order_relaxed))
				return false;
			if (++spins % WAIT_SPINS)
				cpu_relax();
			else if (run_capped(ur))
				return false;
			else
				sched_yield();
		}
	}
	return true;
}

/*
 * Drain every CPU of the run once; recorded unless it is a warm-up. A
 * drain that stalled on any CPU (its work waited the wait bound) counts in
 * stalls, never in the latency or drained histograms: the drainer keeps
 * waiting for the work up to MODEL_STALL_COMPLETE_NS more, and when it ran
 * the drain's full time is a stall_latency sample. A drain that found
 * every batch empty and skipped them all (cpu_needs_drain()) did no drain:
 * it counts in skips, and is no sample of any histogram.
 */
static void drain_all(struct user_run *ur, bool record)
{
	struct qpwbench_result *res = &ur->args->result;
	struct model_drain_done done;
	uint64_t t0, t1, d0;

	if ((ur->args->drain_flags & QPWBENCH_DRAIN_FILL) && !request_fill(ur))
		return;
	d0 = drained_so_far(ur);
	/* A recorded drain is a coherence window, as in the module. */
	if (record)
		QPWBENCH_WINDOW_OPEN(QPWBENCH_LABEL_DRAIN);
	t0 = timer_start();
	done = ur->v->drain(&model, ur->cpus, ur->n, ur->wait_bound_ns);
	t1 = timer_end();
	if (!record)
		return;
	QPWBENCH_WINDOW_CLOSE(QPWBENCH_LABEL_DRAIN);
	if (!done.drained) {
		res->skips++;
		return;
	}
	res->drains += done.drained - done.stalls;
	res->stalls += done.stalls;
	if (done.stalls) {
		if (done.completed)
			qpwbench_hist_add(&ur->ds.stall_latency, timer_ticks_to_ps(t1 - t0));
		return;
	}
	qpwbench_hist_add(&ur->ds.drained, drained_so_far(ur) - d0);
	qpwbench_record(&res->hist, ur->raw, ur->raw_cap, timer_ticks_to_ps(t1 - t0));
	if (ur->counts_cycles)
		res->cycles += t1 - t0;
}

/* remote and drain-all: .warmup unrecorded drains, then .iterations. */
static void drainer_fn(struct thread_ctx *ctx)
{
	struct user_run *ur = ctx->arg;
	uint64_t total = (uint64_t)ur->args->warmup + ur->args->iterations;
	unsigned int spins = 0;

	/* The owners measure their cost alone first. */
	while (atomic_load_explicit(&ur->owners_ready, memory_order_acquire) < ur->n_targets &&
	       !run_capped(ur))
		if (++spins % WAIT_SPINS)
			cpu_relax();
		else
			sched_yield();
	for (uint64_t i = 0; i < total && !run_capped(ur); i++)
		drain_all(ur, i >= ur->args->warmup);
	atomic_store_explicit(&ur->drains_over, true, memory_order_release);
	/* FILLED_IDLE owners sleep on their request word: a new value ends the wait. */
	for (unsigned int i = 0; ur->filled_idle && i < ur->n_targets; i++) {
		atomic_fetch_add_explicit(&model.pcp[ur->targets[i]].fill_req, 1, memory_order_release);
		syscall(SYS_futex, &model.pcp[ur->targets[i]].fill_req, FUTEX_WAKE_PRIVATE, 1,
			NULL, NULL, 0);
	}
}

static bool owner_should_stop(struct user_run *ur)
{
	return atomic_load_explicit(&ur->drains_over, memory_order_acquire) ||
	       atomic_load_explicit(&ur->stop, memory_order_relaxed);
}

/* nr owner ops; the one of each QPWBENCH_OWNER_HOLD_EVERY keeps its lock --owner-hold. */
static void owner_ops_held(struct user_run *ur, struct model_pcp *pcp, uint64_t seq, uint32_t nr)
{
	for (uint32_t i = 0; i < nr; i++) {
		if ((seq + i) % QPWBENCH_OWNER_HOLD_EVERY == QPWBENCH_OWNER_HOLD_EVERY - 1)
			ur->v->held_op(&model, pcp, seq + i, ur->args->owner_hold_ns);
		else
			ur->v->local_ops(&model, pcp, seq + i, 1);
	}
}

/*
 * One timed step of an owner: nr local ops, a per-op cost sample in h;
 * then, at --owner-rate, spin until the step's period is over.
 */
static void owner_step(struct user_run *ur, struct model_pcp *pcp, uint64_t *seq, uint32_t nr,
		       struct qpwbench_hist *h, uint64_t *next)
{
	uint64_t t0, t1;

	t0 = timer_start();
	if (ur->args->owner_hold_ns)
		owner_ops_held(ur, pcp, *seq, nr);
	else
		ur->v->local_ops(&model, pcp, *seq, nr);
	t1 = timer_end();
	*seq += nr;
	qpwbench_hist_add(h, timer_ticks_to_ps(t1 - t0) / nr);
	if (!ur->args->owner_rate_hz)
		return;
	*next += timer_ns_to_ticks(nr * NSEC_PER_SEC / ur->args->owner_rate_hz);
	while (timer_start() < *next && !owner_should_stop(ur))
		cpu_relax();
}

/*
 * QPWBENCH_LOAD_OWNER on one target: the variant's local ops, alone for
 * OWNER_ALONE_SAMPLES steps, then for as long as the drainer drains; with
 * QPWBENCH_DRAIN_FILL, .fill ops per request of the drainer instead, and
 * spinning in between (a busy target either way).
 */
static void owner_fn(struct user_run *ur, struct owner_rec *o, unsigned int cpu)
{
	struct model_pcp *pcp = &model.pcp[cpu];
	bool fill = ur->args->drain_flags & QPWBENCH_DRAIN_FILL;
	uint32_t chunk = fill ? ur->args->fill : MODEL_OWNER_CHUNK;
	uint64_t first = (uint64_t)cpu << 40, seq = first, next = timer_start();
	unsigned int seen = 0, spins = 0;

	for (unsigned int i = 0; chunk && i < OWNER_ALONE_SAMPLES && !owner_should_stop(ur); i++)
		owner_step(ur, pcp, &seq, chunk, &o->alone, &next);
	atomic_fetch_add_explicit(&ur->owners_ready, 1, memory_order_release);
	while (!owner_should_stop(ur)) {
		unsigned int req;

		if (!fill) {
			owner_step(ur, pcp, &seq, chunk, &o->during, &next);
			continue;
		}
		req = atomic_load_explicit(&pcp->fill_req, memory_order_acquire);
		if (req == seen && ur->filled_idle) {
			/* Idle until the next request; the drainer's end wakes it too. */
			syscall(SYS_futex, &pcp->fill_req, FUTEX_WAIT_PRIVATE, seen, NULL, NULL, 0);
			continue;
		}
		if (req == seen) {
			if (++spins % WAIT_SPINS)
				cpu_relax();
			else
				sched_yield();
			continue;
		}
		if (chunk)
			owner_step(ur, pcp, &seq, chunk, &o->during, &next);
		seen = req;
		atomic_store_explicit(&pcp->fill_done, req, memory_order_release);
	}
	o->ops = seq - first;
}

/* remote and drain-all with owners: thread 0 drains, thread i > 0 owns targets[i - 1]. */
static void drain_group_fn(struct thread_ctx *ctx)
{
	struct user_run *ur = ctx->arg;

	if (ctx->index == 0)
		drainer_fn(ctx);
	else
		owner_fn(ur, &ur->owners[ctx->index - 1], ctx->cpu);
}

static struct timespec ns_to_timespec(uint64_t ns)
{
	return (struct timespec){ .tv_sec = (time_t)(ns / NSEC_PER_SEC),
				  .tv_nsec = (long)(ns % NSEC_PER_SEC) };
}

/* interference: drain .cpus at .rate_hz for .duration_ns, no catch-up bursts. */
static void interference_fn(struct thread_ctx *ctx)
{
	struct user_run *ur = ctx->arg;
	uint64_t period = NSEC_PER_SEC / ur->args->rate_hz;
	uint64_t now = monotonic_ns();
	uint64_t end = now + ur->args->duration_ns;
	uint64_t next = now;

	for (;;) {
		struct timespec wake;

		drain_all(ur, true);
		next += period;
		now = monotonic_ns();
		if (now >= end || run_capped(ur))
			return;
		if (next <= now) {
			next = now;
			continue;
		}
		wake = ns_to_timespec(next < end ? next : end);
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &wake, NULL) == EINTR)
			;
	}
}

/*
 * stress: thread 0 drains all of .cpus for as long as any other thread does
 * its .iterations ops; those start only once it has begun, so that however
 * few the ops, they overlap the drains.
 */
static void stress_fn(struct thread_ctx *ctx)
{
	struct user_run *ur = ctx->arg;
	uint64_t n = ur->args->iterations, done = 0;
	uint64_t seq = (uint64_t)ctx->cpu << 40;
	struct model_pcp *pcp = &model.pcp[ctx->cpu];

	if (ctx->index == 0) {
		atomic_store_explicit(&ur->draining, true, memory_order_release);
		do
			drain_all(ur, true);
		while (atomic_load_explicit(&ur->workers_left, memory_order_acquire) &&
		       !run_capped(ur));
		return;
	}
	while (!atomic_load_explicit(&ur->draining, memory_order_acquire))
		sched_yield();	/* the drainer may share this CPU */
	/*
	 * The drainer reads the clock for the run cap; workers see its stop.
	 * Halfway, a worker waits until a drain has found entries in its
	 * batch (which then holds some): drains provably overlapped its ops,
	 * whatever the scheduler did. global has no batch to find.
	 */
	while (done < n && !atomic_load_explicit(&ur->stop, memory_order_relaxed)) {
		uint32_t chunk = n - done < STRESS_CHUNK ? (uint32_t)(n - done) : STRESS_CHUNK;

		ur->v->local_ops(&model, pcp, seq, chunk);
		seq += chunk;
		done += chunk;
		if (done < n / 2 || done - chunk >= n / 2 || ur->args->variant == QPWBENCH_VARIANT_GLOBAL)
			continue;
		while (!__atomic_load_n(&pcp->drained, __ATOMIC_RELAXED) &&
		       !atomic_load_explicit(&ur->stop, memory_order_relaxed))
			sched_yield();
	}
	atomic_fetch_add_explicit(&ur->ops_done, done, memory_order_relaxed);
	atomic_fetch_sub_explicit(&ur->workers_left, 1, memory_order_release);
}

static int run_threads(struct user_run *ur, const unsigned int *cpus, unsigned int n,
		       void (*fn)(struct thread_ctx *), char *err, size_t errlen)
{
	uint64_t t0 = monotonic_ns();
	int ret = threads_run(cpus, n, false, fn, ur, err, errlen);

	ur->args->result.elapsed_ns += monotonic_ns() - t0;
	return ret;
}

/* local --concurrent: every CPU at once, a record each, merged. */
static int local_concurrent(struct user_run *ur, char *err, size_t errlen)
{
	int ret;

	ur->owners = calloc(ur->n, sizeof(*ur->owners));
	if (!ur->owners) {
		snprintf(err, errlen, "user backend: out of memory");
		return -ENOMEM;
	}
	ur->raw_cap = 0;
	ret = run_threads(ur, ur->cpus, ur->n, local_fn, err, errlen);
	for (unsigned int i = 0; i < ur->n; i++) {
		qpwbench_hist_merge(&ur->args->result.hist, &ur->owners[i].during);
		ur->args->result.cycles += ur->owners[i].cycles;
	}
	free(ur->owners);
	ur->owners = NULL;
	return ret;
}

static int run_scenario(struct user_run *ur, char *err, size_t errlen)
{
	const struct qpwbench_run *a = ur->args;
	unsigned int threads[QPWBENCH_MAX_CPUS + 1];
	int ret = 0;

	switch (a->scenario) {
	case QPWBENCH_SCENARIO_LOCAL:
		if (a->flags & QPWBENCH_RUN_CONCURRENT)
			return local_concurrent(ur, err, errlen);
		for (unsigned int i = 0; i < ur->n && !ret; i++)
			ret = run_threads(ur, &ur->cpus[i], 1, local_fn, err, errlen);
		return ret;
	case QPWBENCH_SCENARIO_REMOTE:
	case QPWBENCH_SCENARIO_DRAIN_ALL:
		if (a->target_load != QPWBENCH_LOAD_OWNER && !ur->filled_idle)
			return run_threads(ur, &a->caller_cpu, 1, drainer_fn, err, errlen);
		threads[0] = a->caller_cpu;
		for (unsigned int i = 0; i < ur->n; i++)
			if (ur->cpus[i] != a->caller_cpu)
				ur->targets[ur->n_targets++] = ur->cpus[i];
		memcpy(&threads[1], ur->targets, ur->n_targets * sizeof(ur->targets[0]));
		ur->owners = calloc(ur->n_targets ? ur->n_targets : 1, sizeof(*ur->owners));
		if (!ur->owners) {
			snprintf(err, errlen, "user backend: out of memory for the owners");
			return -ENOMEM;
		}
		ret = run_threads(ur, threads, ur->n_targets + 1, drain_group_fn, err, errlen);
		for (unsigned int i = 0; i < ur->n_targets; i++) {
			qpwbench_hist_merge(&ur->ds.owner, &ur->owners[i].during);
			qpwbench_hist_merge(&ur->ds.owner_alone, &ur->owners[i].alone);
			atomic_fetch_add_explicit(&ur->ops_done, ur->owners[i].ops,
						  memory_order_relaxed);
		}
		free(ur->owners);
		ur->owners = NULL;
		return ret;
	case QPWBENCH_SCENARIO_INTERFERENCE:
		return run_threads(ur, &a->caller_cpu, 1, interference_fn, err, errlen);
	case QPWBENCH_SCENARIO_STRESS:
		threads[0] = a->caller_cpu;
		memcpy(&threads[1], ur->cpus, ur->n * sizeof(ur->cpus[0]));
		atomic_store(&ur->workers_left, ur->n);
		return run_threads(ur, threads, ur->n + 1, stress_fn, err, errlen);
	}
	snprintf(err, errlen, "run request: unknown scenario %u", a->scenario);
	return -EINVAL;
}

/*
 * Conservation and placement figures, read once the work is settled: a
 * queued drain that stalled is dropped (its entries stay in the batches),
 * one already running is waited for, so the counts are not read in the
 * middle of a flush. Running work may be preempted by the very RT task that
 * stalled it, so settling waits as long as any run's bound may be.
 */
static int account(struct user_run *ur, char *err, size_t errlen)
{
	struct qpwbench_result *res = &ur->args->result;

	if (model_quiesce(&model, QPWBENCH_MAX_WAIT_BOUND_NS, err, errlen))
		return -EBUSY;
	res->ops_done = atomic_load(&ur->ops_done);
	res->ops_drained = model.shared.entries;
	res->ops_remaining = model_remaining(&model);
	res->ran_on_target = model_ran_on_target(&model);
	res->ran_on_caller = model_ran_on_caller(&model);
	res->entries_drained = model_drained(&model);
	res->sum_drained = model.shared.value_sum;
	res->sum_remaining = model_sum_remaining(&model);
	if (ur->counts_cycles)
		res->flags |= QPWBENCH_RES_HAS_CYCLES;
	if (atomic_load(&ur->stop))
		res->flags |= QPWBENCH_RES_INTERRUPTED;
	return 0;
}

static int user_run(struct qpwbench_run *run, char *err, size_t errlen)
{
	static struct user_run ur;
	int ret;

	if (!model_ready) {
		snprintf(err, errlen, "user backend: run before open");
		return -EINVAL;
	}
	ret = check_args(run, err, errlen);
	if (ret)
		return ret;
	memset(&ur, 0, sizeof(ur));
	ret = check_cpus(run, &ur, err, errlen);
	if (ret)
		return ret;
	ur.args = run;
	ur.filled_idle = run->target_load == QPWBENCH_LOAD_FILLED_IDLE;
	ur.v = model_variant(run->variant);
	ur.wait_bound_ns = run->wait_bound_ns ? run->wait_bound_ns : QPWBENCH_DEFAULT_WAIT_BOUND_NS;
	ur.raw = (__u64 *)(uintptr_t)run->samples;
	ur.raw_cap = run->samples_cap;
	ur.counts_cycles = timer_get_info()->counts_cycles;
	ur.deadline_ns = monotonic_ns() + QPWBENCH_RUN_CAP_NS;
	memset(&run->result, 0, sizeof(run->result));

	ret = model_quiesce(&model, QPWBENCH_MAX_WAIT_BOUND_NS, err, errlen);
	if (ret)
		return ret;
	model_reset(&model);
	model.drain_empty = run->drain_flags & QPWBENCH_DRAIN_EMPTY;
	model.trylock = run->lock_mode == QPWBENCH_LOCK_TRYLOCK;
	ret = model_start_workers(&model, ur.cpus, ur.n, err, errlen);
	if (ret)
		return ret;
	ret = run_scenario(&ur, err, errlen);
	if (!ret)
		ret = account(&ur, err, errlen);
	if (!ret)
		run->result.samples_kept = (uint32_t)(run->result.hist.count < ur.raw_cap ?
						      run->result.hist.count : ur.raw_cap);
	if (!ret && run->drain_stats)
		memcpy((void *)(uintptr_t)run->drain_stats, &ur.ds, sizeof(ur.ds));
	return ret;
}

const struct backend backend_user = {
	.name = "user",
	.open = user_open,
	.run = user_run,
	.close = user_close,
};
