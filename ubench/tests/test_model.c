// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the userspace model (ubench/model) through backend_user:
 *
 *   stress   every variant, local ops on CPUs 0 and 1 while CPU 0 drains
 *            them continuously (and, with two CPUs, CPU 1's ops drained from
 *            CPU 0 alone): nothing lost, nothing counted twice (counts and
 *            the checksum of entry values), drains that found entries
 *   stall    a workqueue drain of a CPU whose worker cannot run (the target
 *            CPU's owner holds its local_lock until told to let go) gives up
 *            at the wait bound and returns a stall instead of hanging; once
 *            the owner lets go, the work is settled and nothing is lost
 *   requests the module's validation: bad requests fail with its errors
 *   scenarios local, remote, drain-all and interference fill the counters
 *            and the histogram a row needs; remote skips an empty batch,
 *            drains it with --drain-empty where the variant says (on the
 *            target through the workqueue, inline on the caller), and with
 *            owners that fill 7 entries finds exactly 7 per drain
 *   layout   every separately written group of a CPU's cache on lines of
 *            its own
 *
 * Usage: test-model [OPS_PER_CPU]   (default 1000000)
 * Exit 0 when every case passed, 1 on a failure, 77 with fewer than 2 CPUs.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"
#include "core/meta.h"
#include "core/threads.h"
#include "model.h"

#define SKIP 77
#define NSEC_PER_MSEC 1000000ULL

static int failures;

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "    FAIL: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	failures++;
}

#define CHECK(cond, ...) do { if (!(cond)) fail(__VA_ARGS__); } while (0)

static const char *const variant_names[] = {
#define NAME(id, name) name,
	QPWBENCH_VARIANTS(NAME)
#undef NAME
};

static void request(struct qpwbench_run *run, enum qpwbench_scenario scenario,
		    enum qpwbench_variant variant, unsigned int caller, uint64_t cpu_mask)
{
	memset(run, 0, sizeof(*run));
	run->size = sizeof(*run);
	run->version = QPWBENCH_ABI_VERSION;
	run->scenario = scenario;
	run->variant = variant;
	run->caller_cpu = caller;
	run->cpus[0] = cpu_mask;
}

static int run(struct qpwbench_run *r, const char *what)
{
	char err[256] = "";
	int ret = backend_user.run(r, err, sizeof(err));

	CHECK(!ret, "%s %s: %s (%d)", what, variant_names[r->variant], err, ret);
	return ret;
}

/* The sum (mod 2^64) of the values stress adds: CPU c adds (c << 40) + 0, 1, ..., ops - 1. */
static uint64_t stress_sum(uint64_t ops, uint64_t mask)
{
	uint64_t sum = 0;

	for (unsigned int c = 0; c < 64; c++)
		if (mask >> c & 1)
			sum += ops * ((uint64_t)c << 40) + ops * (ops - 1) / 2;
	return sum;
}

static void test_stress(uint64_t ops, uint64_t mask, uint32_t lock_mode, const char *what)
{
	printf("  stress %s, %llu ops per CPU%s\n", what, (unsigned long long)ops,
	       lock_mode == QPWBENCH_LOCK_TRYLOCK ? ", trylock" : "");
	for (unsigned int v = 0; v < QPWBENCH_NR_VARIANTS; v++) {
		struct qpwbench_run r;
		const struct qpwbench_result *res = &r.result;
		uint64_t expected = ops * (uint64_t)__builtin_popcountll(mask);

		request(&r, QPWBENCH_SCENARIO_STRESS, v, 0, mask);
		r.iterations = ops;
		r.lock_mode = lock_mode;
		if (run(&r, "stress"))
			continue;
		printf("    %-8s done %llu drained %llu remaining %llu, %llu CPU drains\n",
		       variant_names[v], res->ops_done, res->ops_drained, res->ops_remaining,
		       res->drains);
		CHECK(res->ops_done == expected, "stress %s: %llu ops done, want %llu",
		      variant_names[v], res->ops_done, (unsigned long long)expected);
		CHECK(res->ops_done == res->ops_drained + res->ops_remaining,
		      "stress %s: done %llu != drained %llu + remaining %llu", variant_names[v],
		      res->ops_done, res->ops_drained, res->ops_remaining);
		CHECK(res->sum_drained + res->sum_remaining == stress_sum(ops, mask),
		      "stress %s: entry values drained %#llx + remaining %#llx != %#llx, the sum of every value added",
		      variant_names[v], res->sum_drained, res->sum_remaining,
		      (unsigned long long)stress_sum(ops, mask));
		/* Drains overlapped the ops: they found entries (global has no batch). */
		CHECK(v == QPWBENCH_VARIANT_GLOBAL || res->entries_drained > 0,
		      "stress %s: the drains found no entry", variant_names[v]);
		CHECK(res->ops_remaining <= QPWBENCH_BATCH_ENTRIES * (uint64_t)__builtin_popcountll(mask),
		      "stress %s: %llu entries remaining, more than the batches hold",
		      variant_names[v], res->ops_remaining);
		/* CPU drains count batches drained, never skipped ones: entries_drained > 0 needs some. */
		CHECK(v == QPWBENCH_VARIANT_GLOBAL || res->drains + res->stalls > 0,
		      "stress %s: %llu CPU drains and %llu stalls, want some",
		      variant_names[v], res->drains, res->stalls);
	}
}

/*
 * Trylock fast paths: with the per-CPU lock held (by a drainer), a local op
 * does not wait, its entry goes to the shared list; RT local_lock() and
 * qpw-on's spinlock are that lock. !RT local_lock() has no lock word, and the
 * model no interrupts, so there the op still lands in the batch.
 */
static void test_trylock(bool preempt_rt)
{
	struct model m;
	struct model_pcp *pcp;

	printf("  trylock, %s\n", preempt_rt ? "RT" : "!RT");
	if (model_init(&m, 1, preempt_rt)) {
		fail("trylock: model_init");
		return;
	}
	m.trylock = true;
	pcp = &m.pcp[0];
	model_spin_lock(&pcp->lock);
	model_spinlock_ops(&m, pcp, 5, 1);
	CHECK(pcp->nr == 0 && m.shared.entries == 1 && m.shared.value_sum == 5,
	      "trylock %s spinlock op with the lock held: batch %u, shared %llu, want 0 and 1",
	      preempt_rt ? "RT" : "!RT", pcp->nr, (unsigned long long)m.shared.entries);
	model_local_lock_ops(&m, pcp, 6, 1);
	CHECK(preempt_rt ? pcp->nr == 0 && m.shared.entries == 2 : pcp->nr == 1 && m.shared.entries == 1,
	      "trylock %s local_lock op with the lock held: batch %u, shared %llu",
	      preempt_rt ? "RT" : "!RT", pcp->nr, (unsigned long long)m.shared.entries);
	model_spin_unlock(&pcp->lock);
	model_spinlock_ops(&m, pcp, 7, 1);
	CHECK(pcp->nr == (preempt_rt ? 1u : 2u), "trylock %s with the lock free: batch %u",
	      preempt_rt ? "RT" : "!RT", pcp->nr);
	model_destroy(&m);
}

/* The target CPU's owner: holds its local_lock (preempt-disabled section) until released. */
struct holder {
	struct model *m;
	unsigned int cpu;
	atomic_bool holding;
	atomic_bool release;
};

static void holder_fn(struct thread_ctx *ctx)
{
	struct holder *h = ctx->arg;
	struct model_pcp *pcp = &h->m->pcp[h->cpu];
	const struct timespec nap = { .tv_nsec = 1000000 };

	model_local_lock_ops(h->m, pcp, 1, 3);		/* something to drain */
	if (h->m->preempt_rt)
		model_spin_lock(&pcp->lock);
	else
		model_preempt_disable(pcp);
	atomic_store(&h->holding, true);
	while (!atomic_load(&h->release))
		nanosleep(&nap, NULL);
	if (h->m->preempt_rt)
		model_spin_unlock(&pcp->lock);
	else
		model_preempt_enable(pcp);
}

static void *holder_main(void *arg)
{
	struct holder *h = arg;
	char err[256];

	if (threads_run(&h->cpu, 1, false, holder_fn, h, err, sizeof(err)))
		fail("holder thread: %s", err);
	return NULL;
}

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/*
 * The model's clock reads, counted: test-model links with
 * -Wl,--wrap=clock_gettime (ubench/tests/meson.build), so every call the
 * model makes comes here first.
 */
int __real_clock_gettime(clockid_t clk, struct timespec *ts);
static atomic_uint clock_reads;

int __wrap_clock_gettime(clockid_t clk, struct timespec *ts)
{
	atomic_fetch_add(&clock_reads, 1);
	return __real_clock_gettime(clk, ts);
}

/*
 * A workqueue drain that finds every batch empty queues nothing, waits for
 * nothing and reads no clock (the kernel's lru_add_drain_all() reads none
 * either): its cost must not be a deadline's clock read.
 */
static void test_skip(void)
{
	unsigned int target = 1;
	struct model_drain_done done;
	struct model m;
	char err[256];
	unsigned int reads;

	printf("  skip\n");
	if (model_init(&m, 2, false)) {
		fail("model_init");
		return;
	}
	if (model_start_workers(&m, &target, 1, err, sizeof(err))) {
		fail("workers: %s", err);
		model_destroy(&m);
		return;
	}
	atomic_store(&clock_reads, 0);
	done = model_drain_wq(&m, &target, 1, 20 * NSEC_PER_MSEC);
	reads = atomic_load(&clock_reads);
	CHECK(done.drained == 0 && done.stalls == 0 && reads == 0,
	      "wq drain of an empty batch: drained %u, stalls %u, %u clock reads; want 0, 0, 0",
	      done.drained, done.stalls, reads);
	done = model_drain_inline(&m, &target, 1, 0);
	CHECK(done.drained == 0, "inline drain of an empty batch: drained %u, want 0", done.drained);
	model_local_lock_ops(&m, &m.pcp[target], 1, 3);	/* something to drain (this thread is no owner: fine here) */
	done = model_drain_wq(&m, &target, 1, 5000 * NSEC_PER_MSEC);
	CHECK(done.drained == 1 && done.stalls == 0, "wq drain of 3 entries: drained %u, stalls %u",
	      done.drained, done.stalls);
	CHECK(model_quiesce(&m, 1000 * NSEC_PER_MSEC, err, sizeof(err)) == 0, "quiesce: %s", err);
	model_destroy(&m);
}

static void test_stall(bool preempt_rt)
{
	const unsigned int target = 1;
	struct holder h = { .cpu = target };
	struct model m;
	pthread_t thread;
	char err[256];
	unsigned int stalls;
	double t0, waited;

	printf("  stall (%s local_lock)\n", preempt_rt ? "RT" : "!RT");
	if (model_init(&m, 2, preempt_rt)) {
		fail("model_init");
		return;
	}
	h.m = &m;
	if (model_start_workers(&m, &target, 1, err, sizeof(err))) {
		fail("workers: %s", err);
		model_destroy(&m);
		return;
	}
	pthread_create(&thread, NULL, holder_main, &h);
	while (!atomic_load(&h.holding))
		sched_yield();
	t0 = now_ms();
	stalls = model_drain_wq(&m, &target, 1, 20 * NSEC_PER_MSEC).stalls;
	waited = now_ms() - t0;
	printf("    drain returned after %.1f ms with %u stall(s)\n", waited, stalls);
	CHECK(stalls == 1, "a drain of a CPU whose owner holds its lock: %u stalls, want 1", stalls);
	/* A second drain finds the work still pending and stalls again, without queueing twice. */
	stalls = model_drain_wq(&m, &target, 1, 5 * NSEC_PER_MSEC).stalls;
	CHECK(stalls == 1, "second drain while blocked: %u stalls, want 1", stalls);
	atomic_store(&h.release, true);
	pthread_join(thread, NULL);
	/* The owner let go: the pending work runs, and a new drain completes. */
	stalls = model_drain_wq(&m, &target, 1, 5000 * NSEC_PER_MSEC).stalls;
	CHECK(stalls == 0, "drain after the owner let go: %u stalls", stalls);
	CHECK(model_quiesce(&m, 1000 * NSEC_PER_MSEC, err, sizeof(err)) == 0, "quiesce: %s", err);
	CHECK(m.shared.entries == 3 && model_remaining(&m) == 0,
	      "after the drains: %llu entries on the list, %llu in batches; want 3 and 0",
	      (unsigned long long)m.shared.entries, (unsigned long long)model_remaining(&m));
	CHECK(model_ran_on_target(&m) >= 1 && model_ran_on_caller(&m) == 0,
	      "the work ran %llu times on the target, %llu on the caller",
	      (unsigned long long)model_ran_on_target(&m),
	      (unsigned long long)model_ran_on_caller(&m));
	model_destroy(&m);
}

/* A bad request and the module's error for it. */
struct bad_request {
	const char *what;
	int want;
	enum qpwbench_scenario scenario;
	enum qpwbench_variant variant;
	unsigned int caller;
	uint64_t cpu_mask;		/* word 0 */
	bool last_cpu;			/* also QPWBENCH_MAX_CPUS - 1, which no machine here has */
	uint64_t iterations;
	uint32_t batch, flags;
	uint64_t duration_ns;
	uint64_t rate_hz;
	bool short_size;
	uint32_t lock_mode;
	uint32_t target_load;
	uint64_t owner_hold_ns;
};

#define REMOTE		.scenario = QPWBENCH_SCENARIO_REMOTE
#define DRAIN_ALL	.scenario = QPWBENCH_SCENARIO_DRAIN_ALL
#define LOCAL		.scenario = QPWBENCH_SCENARIO_LOCAL

/* Variant wq and caller 0 unless said otherwise. */
static const struct bad_request bad_requests[] = {
	{ "wrong size", -EINVAL, REMOTE, .cpu_mask = 2, .iterations = 1, .short_size = true },
	{ "unknown variant", -EINVAL, REMOTE, .variant = QPWBENCH_NR_VARIANTS, .cpu_mask = 2,
	  .iterations = 1 },
	{ "unknown scenario", -EINVAL, .scenario = QPWBENCH_NR_SCENARIOS, .cpu_mask = 2,
	  .iterations = 1 },
	{ "no iterations", -EINVAL, REMOTE, .cpu_mask = 2 },
	{ "remote with two targets", -EINVAL, REMOTE, .cpu_mask = 3, .iterations = 1 },
	{ "remote draining the caller", -EINVAL, REMOTE, .caller = 1, .cpu_mask = 2,
	  .iterations = 1 },
	{ "no CPU", -EINVAL, DRAIN_ALL, .iterations = 1 },
	{ "a CPU that does not exist", -ENODEV, DRAIN_ALL, .last_cpu = true, .iterations = 1 },
	{ "a caller that does not exist", -ENODEV, DRAIN_ALL, .caller = QPWBENCH_MAX_CPUS + 5,
	  .cpu_mask = 1, .iterations = 1 },
	{ "iterations over the cap", -E2BIG, .scenario = QPWBENCH_SCENARIO_STRESS, .cpu_mask = 1,
	  .iterations = QPWBENCH_MAX_ITERATIONS + 1 },
	{ "batch over the cap", -E2BIG, LOCAL, .cpu_mask = 1, .iterations = 1,
	  .batch = QPWBENCH_MAX_BATCH + 1 },
	{ "interference without a rate", -EINVAL, .scenario = QPWBENCH_SCENARIO_INTERFERENCE,
	  .cpu_mask = 2, .duration_ns = 1000 },
	{ "unknown flag", -EINVAL, LOCAL, .cpu_mask = 1, .iterations = 1, .batch = 1, .flags = QPWBENCH_RUN_FLAGS + 1 },
	{ "unknown lock mode", -EINVAL, REMOTE, .cpu_mask = 2, .iterations = 1,
	  .lock_mode = QPWBENCH_NR_LOCK_MODES },
	{ "lock mode irqsave (no interrupts in the model)", -EOPNOTSUPP, REMOTE, .cpu_mask = 2,
	  .iterations = 1, .lock_mode = QPWBENCH_LOCK_IRQSAVE },
	{ "owner hold without owners", -EINVAL, REMOTE, .cpu_mask = 2, .iterations = 1,
	  .owner_hold_ns = 1000 },
	{ "owner hold with trylock", -EINVAL, REMOTE, .cpu_mask = 2, .iterations = 1,
	  .target_load = QPWBENCH_LOAD_OWNER, .owner_hold_ns = 1000, .lock_mode = QPWBENCH_LOCK_TRYLOCK },
	{ "owner hold over the cap", -E2BIG, REMOTE, .cpu_mask = 2, .iterations = 1,
	  .target_load = QPWBENCH_LOAD_OWNER, .owner_hold_ns = QPWBENCH_MAX_OWNER_HOLD_NS + 1 },
	{ "owner load on interference", -EINVAL, .scenario = QPWBENCH_SCENARIO_INTERFERENCE,
	  .cpu_mask = 2, .duration_ns = 1000, .rate_hz = 100, .target_load = QPWBENCH_LOAD_OWNER },
	{ "owner load on stress", -EINVAL, .scenario = QPWBENCH_SCENARIO_STRESS, .cpu_mask = 1,
	  .iterations = 1, .target_load = QPWBENCH_LOAD_OWNER },
	{ "owner-preempted (no RT sleeping lock in the model)", -EOPNOTSUPP, REMOTE, .cpu_mask = 2,
	  .iterations = 1, .target_load = QPWBENCH_LOAD_OWNER_PREEMPTED, .owner_hold_ns = 1000 },
	{ "owner-preempted without its spin", -EINVAL, REMOTE, .cpu_mask = 2, .iterations = 1,
	  .target_load = QPWBENCH_LOAD_OWNER_PREEMPTED },
	{ "FIFO load on interference (the model has none)", -EINVAL,
	  .scenario = QPWBENCH_SCENARIO_INTERFERENCE, .cpu_mask = 2, .duration_ns = 1000,
	  .rate_hz = 100, .target_load = QPWBENCH_LOAD_FIFO },
	{ "null-op flag on a drain", -EINVAL, .scenario = QPWBENCH_SCENARIO_DRAIN_ALL, .cpu_mask = 1,
	  .iterations = 1, .flags = QPWBENCH_RUN_NULL_OP },
};

static void test_requests(void)
{
	printf("  requests\n");
	for (size_t i = 0; i < sizeof(bad_requests) / sizeof(bad_requests[0]); i++) {
		const struct bad_request *b = &bad_requests[i];
		struct qpwbench_run r;
		char err[256] = "";
		int ret;

		request(&r, b->scenario, b->variant, b->caller, b->cpu_mask);
		if (b->last_cpu)
			r.cpus[QPWBENCH_MASK_WORDS - 1] = 1ULL << 63;
		r.iterations = b->iterations;
		r.batch = b->batch;
		r.flags = b->flags;
		r.duration_ns = b->duration_ns;
		r.rate_hz = b->rate_hz;
		r.lock_mode = b->lock_mode;
		r.target_load = b->target_load;
		r.owner_hold_ns = b->owner_hold_ns;
		if (b->short_size)
			r.size--;
		ret = backend_user.run(&r, err, sizeof(err));
		CHECK(ret == b->want, "%s: %d (%s), want %d", b->what, ret, err, b->want);
		CHECK(!ret || err[0], "%s: no error line", b->what);
	}
}

static __u64 raw[64];

/*
 * The per-CPU layout: each group that a different party writes (the lock,
 * the owner's preemption flags, the batch count, each entry, the drain
 * bookkeeping, the work item, the fill requests) starts a cache line of its
 * own, in the order model.h lists them, and no group reaches into the
 * next one's line; the array of them is line-aligned.
 */
static void test_layout(void)
{
	static const struct {
		const char *name;
		size_t off;
	} groups[] = {
		{ "lock", offsetof(struct model_pcp, lock) },
		{ "owner_in", offsetof(struct model_pcp, owner_in) },
		{ "nr", offsetof(struct model_pcp, nr) },
		{ "objs[0]", offsetof(struct model_pcp, objs[0]) },
		{ "objs[1]", offsetof(struct model_pcp, objs[1]) },
		{ "ran_on_target", offsetof(struct model_pcp, ran_on_target) },
		{ "queued", offsetof(struct model_pcp, queued) },
		{ "fill_req", offsetof(struct model_pcp, fill_req) },
	};
	struct model m;

	printf("  layout\n");
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		CHECK(groups[i].off % MODEL_CACHE_LINE == 0, "layout: %s at offset %zu, not line-aligned",
		      groups[i].name, groups[i].off);
		CHECK(!i || groups[i].off >= groups[i - 1].off + MODEL_CACHE_LINE,
		      "layout: %s (offset %zu) shares the line of %s (offset %zu)", groups[i].name,
		      groups[i].off, groups[i - 1].name, groups[i - 1].off);
	}
	CHECK(sizeof(struct model_obj) == MODEL_CACHE_LINE, "layout: an entry is %zu bytes",
	      sizeof(struct model_obj));
	CHECK(offsetof(struct model_pcp, objs[QPWBENCH_BATCH_ENTRIES]) <=
	      offsetof(struct model_pcp, ran_on_target), "layout: the entries overlap the bookkeeping");
	CHECK(sizeof(struct model_pcp) % MODEL_CACHE_LINE == 0, "layout: %zu bytes per CPU",
	      sizeof(struct model_pcp));
	CHECK(offsetof(struct model_shared, lock) % MODEL_CACHE_LINE == 0 &&
	      offsetof(struct model, shared) % MODEL_CACHE_LINE == 0,
	      "layout: the shared list's lock is not line-aligned");
	if (model_init(&m, 2, false) == 0) {
		CHECK((uintptr_t)m.pcp % MODEL_CACHE_LINE == 0, "layout: per-CPU array at %p",
		      (void *)m.pcp);
		model_destroy(&m);
	}
}

static void test_scenarios(void)
{
	/* The model runs qpw as the running kernel's preempt model says (model.h). */
	bool model_is_rt = !strcmp(run_meta_get()->preempt, "rt");
	static struct qpwbench_drain_stats ds;
	struct qpwbench_run r;

	printf("  scenarios\n");
	for (unsigned int v = 0; v < QPWBENCH_NR_VARIANTS; v++) {
		bool drains_something = v != QPWBENCH_VARIANT_GLOBAL;

		request(&r, QPWBENCH_SCENARIO_LOCAL, v, 1, 2);
		r.iterations = 100;
		r.warmup = 10;
		r.batch = 32;
		r.samples = (__u64)(uintptr_t)raw;
		r.samples_cap = 60;
		if (!run(&r, "local")) {
			uint64_t lo = UINT64_MAX, hi = 0;

			for (unsigned int i = 0; i < r.result.samples_kept; i++) {
				lo = raw[i] < lo ? raw[i] : lo;
				hi = raw[i] > hi ? raw[i] : hi;
			}
			CHECK(r.result.samples_kept == 60 && lo >= r.result.hist.min &&
			      hi <= r.result.hist.max, "local %s: %u raw samples in [%llu, %llu], hist [%llu, %llu]",
			      variant_names[v], r.result.samples_kept, (unsigned long long)lo,
			      (unsigned long long)hi, r.result.hist.min, r.result.hist.max);
			CHECK(r.result.hist.count == 100, "local %s: %llu samples",
			      variant_names[v], r.result.hist.count);
			CHECK(r.result.ops_done == 110 * 32, "local %s: %llu ops done",
			      variant_names[v], r.result.ops_done);
			CHECK(r.result.ops_done == r.result.ops_drained + r.result.ops_remaining,
			      "local %s: ops not conserved", variant_names[v]);
		}

		/* --concurrent: CPUs 0 and 1 at once, one histogram for both. */
		request(&r, QPWBENCH_SCENARIO_LOCAL, v, 0, 3);
		r.iterations = 100;
		r.warmup = 10;
		r.batch = 32;
		r.flags = QPWBENCH_RUN_CONCURRENT;
		if (!run(&r, "local --concurrent"))
			CHECK(r.result.hist.count == 200 && r.result.ops_done == 2 * 110 * 32 &&
			      r.result.ops_done == r.result.ops_drained + r.result.ops_remaining,
			      "local --concurrent %s: %llu samples, %llu ops done, drained %llu remaining %llu",
			      variant_names[v], r.result.hist.count, r.result.ops_done,
			      r.result.ops_drained, r.result.ops_remaining);

		/*
		 * An idle target: every drain skips its empty batch
		 * (cpu_needs_drain()). A skip is no drain: no latency sample,
		 * no CPU drain, no drained sample; it counts in skips.
		 */
		request(&r, QPWBENCH_SCENARIO_REMOTE, v, 0, 2);
		r.iterations = 50;
		r.warmup = 5;
		r.drain_stats = (uintptr_t)&ds;
		if (!run(&r, "remote")) {
			CHECK(r.result.hist.count == 0 && r.result.drains == 0 && !r.result.stalls &&
			      ds.drained.count == 0 && r.result.skips == 50,
			      "remote %s, every drain skipped: %llu latency samples, %llu drains, %llu stalls, %llu drained samples, %llu skips; want 0, 0, 0, 0, 50",
			      variant_names[v], r.result.hist.count, r.result.drains, r.result.stalls,
			      ds.drained.count, r.result.skips);
			CHECK(r.result.ran_on_target + r.result.ran_on_caller == 0,
			      "remote %s: drain work of an empty batch ran %llu + %llu times",
			      variant_names[v], r.result.ran_on_target, r.result.ran_on_caller);
		}

		/*
		 * --drain-empty drains it anyway, and each drain runs where the
		 * variant says: on the target through the workqueue (wq,
		 * qpw-off, qpw on !RT), inline on the caller (qpw-on, qpw on RT).
		 */
		request(&r, QPWBENCH_SCENARIO_REMOTE, v, 0, 2);
		r.iterations = 50;
		r.warmup = 5;
		r.drain_flags = QPWBENCH_DRAIN_EMPTY;
		if (!run(&r, "remote --drain-empty") && drains_something) {
			bool inline_drain = v == QPWBENCH_VARIANT_QPW_ON ||
					    (v == QPWBENCH_VARIANT_QPW && model_is_rt);
			uint64_t want_target = inline_drain ? 0 : 55;

			CHECK(r.result.ran_on_target == want_target &&
			      r.result.ran_on_caller == 55 - want_target,
			      "remote --drain-empty %s: drain work ran %llu times on the target, %llu on the caller; want %llu, %llu",
			      variant_names[v], r.result.ran_on_target, r.result.ran_on_caller,
			      (unsigned long long)want_target, (unsigned long long)(55 - want_target));
		}

		/*
		 * An owner that adds 7 entries before each drain: every drain
		 * finds exactly 7, and every entry the owner added is on the
		 * list or in its batch.
		 */
		request(&r, QPWBENCH_SCENARIO_REMOTE, v, 0, 2);
		r.iterations = 50;
		r.warmup = 5;
		r.target_load = QPWBENCH_LOAD_OWNER;
		r.drain_flags = QPWBENCH_DRAIN_FILL;
		r.fill = 7;
		r.drain_stats = (uintptr_t)&ds;
		if (!run(&r, "remote --fill 7")) {
			/* global has no batch: every drain skips, none is a drained sample. */
			if (drains_something)
				CHECK(ds.drained.count == 50 && ds.drained.min == 7 &&
				      ds.drained.max == 7 && !r.result.skips,
				      "remote --fill 7 %s: %llu drains found %llu..%llu entries (%llu skips), want 50 of 7",
				      variant_names[v], ds.drained.count, ds.drained.min,
				      ds.drained.max, r.result.skips);
			else
				CHECK(ds.drained.count == 0 && r.result.skips == 50 &&
				      !r.result.hist.count,
				      "remote --fill 7 %s: %llu drained samples, %llu skips, %llu latency samples; want 0, 50, 0",
				      variant_names[v], ds.drained.count, r.result.skips,
				      r.result.hist.count);
			CHECK(r.result.ops_done >= 55 * 7 &&
			      r.result.ops_done == r.result.ops_drained + r.result.ops_remaining,
			      "remote --fill 7 %s: owner ops %llu, drained %llu, remaining %llu",
			      variant_names[v], r.result.ops_done, r.result.ops_drained,
			      r.result.ops_remaining);
			CHECK(ds.owner.count >= 55 && ds.owner_alone.count > 0,
			      "remote --fill 7 %s: owner cost samples %llu, alone %llu", variant_names[v],
			      ds.owner.count, ds.owner_alone.count);
		}

		/* Every batch drained (--drain-empty): one sample per drain, one CPU drain per CPU. */
		request(&r, QPWBENCH_SCENARIO_DRAIN_ALL, v, 0, 3);
		r.iterations = 50;
		r.samples = (__u64)(uintptr_t)raw;
		r.samples_cap = 64;
		r.drain_flags = QPWBENCH_DRAIN_EMPTY;
		if (!run(&r, "drain-all --drain-empty") && drains_something)
			CHECK(r.result.hist.count == 50 && r.result.drains == 100 &&
			      r.result.samples_kept == 50,
			      "drain-all --drain-empty %s: %llu samples, %llu CPU drains", variant_names[v],
			      r.result.hist.count, r.result.drains);

		/* Its targets run spinners only: ubench interference drains their empty batches. */
		request(&r, QPWBENCH_SCENARIO_INTERFERENCE, v, 0, 2);
		r.rate_hz = 1000;
		r.duration_ns = 50 * NSEC_PER_MSEC;
		r.drain_flags = QPWBENCH_DRAIN_EMPTY;
		if (!run(&r, "interference") && drains_something)
			CHECK(r.result.hist.count >= 1 && r.result.elapsed_ns >= 50 * NSEC_PER_MSEC,
			      "interference %s: %llu drains in %llu ns", variant_names[v],
			      r.result.hist.count, r.result.elapsed_ns);
	}
}

int main(int argc, char **argv)
{
	uint64_t ops = argc > 1 ? strtoull(argv[1], NULL, 0) : 1000000;
	char err[256];

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		printf("SKIP: the model tests need CPUs 0 and 1\n");
		return SKIP;
	}
	if (backend_user.open(err, sizeof(err))) {
		fprintf(stderr, "user backend: %s\n", err);
		return 1;
	}
	test_layout();
	test_stress(ops, 3, QPWBENCH_LOCK_PLAIN, "on CPUs 0,1 drained from CPU 0");
	test_stress(ops, 2, QPWBENCH_LOCK_PLAIN, "on CPU 1 drained from CPU 0");
	test_stress(ops / 4 + 1, 3, QPWBENCH_LOCK_TRYLOCK, "on CPUs 0,1 drained from CPU 0");
	test_trylock(false);
	test_trylock(true);
	test_requests();
	test_scenarios();
	backend_user.close();
	test_skip();
	test_stall(false);
	test_stall(true);
	printf("%s\n", failures ? "FAILED" : "ok");
	return failures ? 1 : 0;
}
