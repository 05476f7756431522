// SPDX-License-Identifier: GPL-2.0
/*
 * qpwbench-selftest: checks a loaded qpwbench.ko through /dev/qpwbench.
 *
 *   qpwbench-selftest [--ops N]
 *
 * ABI version and INFO; every scenario on every variant with its accounting
 * (conservation drained + remaining == done, where drain work ran); stress
 * with >= N (default 10^6) ops under concurrent drains per variant; every
 * kind of bad argument with its exact errno; the module's histograms hold
 * to the uapi bucket rule as compiled here; EBUSY for a concurrent run; a
 * run killed by SIGKILL releases the device; CPU hotplug around and during
 * runs; a run killed while its drain waits in flush_work() behind an RT task
 * that is not the module's returns, and its thread, left to end on its own,
 * blocks new runs (EBUSY) only until that task lets the work run; with
 * --run-cap, a run stopped by the 60 s cap. Exit 0 all passed,
 * 1 any failed, 77 no device (reason printed).
 * Timings are printed, never judged.
 */
#include <dirent.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "qpwbench_test.h"

static struct qpwbench_info info;
static unsigned int cpus[QPWBENCH_MAX_CPUS], ncpus;
static bool preempt_rt;
/* Per-CPU stress ops per second seen by stress-wq, to size later runs. */
static double stress_rate;

/* Drains that run inline on the caller instead of being queued to the target. */
static bool drains_inline(unsigned int variant)
{
	return variant == QPWBENCH_VARIANT_QPW_ON ||
	       (variant == QPWBENCH_VARIANT_QPW && preempt_rt);
}

static void all_cpus(struct qpwbench_run *r)
{
	for (unsigned int i = 0; i < ncpus; i++)
		qpwbench_mask_set(r->cpus, cpus[i]);
}

static const char *errname(int neg)
{
	static char buf[32];

	switch (-neg) {
	case 0: return "success";
	case EINVAL: return "EINVAL";
	case E2BIG: return "E2BIG";
	case ENODEV: return "ENODEV";
	case EBUSY: return "EBUSY";
	case EINTR: return "EINTR";
	case EFAULT: return "EFAULT";
	case ENOTTY: return "ENOTTY";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	}
	snprintf(buf, sizeof(buf), "errno %d", -neg);
	return buf;
}

static bool conserved(const struct qpwbench_result *res)
{
	return res->ops_drained + res->ops_remaining == res->ops_done;
}

static void test_info(int fd)
{
	unsigned int n = 0;
	long sys = sysconf(_SC_NPROCESSORS_ONLN);

	qt_info(fd, &info);
	preempt_rt = info.preempt_rt;
	for (unsigned int cpu = 0; cpu < QPWBENCH_MAX_CPUS; cpu++)
		if (qt_cpu_online(&info, cpu))
			cpus[n++] = cpu;
	ncpus = n;
	qt_check(info.size == sizeof(info) && info.version == QPWBENCH_ABI_VERSION,
		 "info-header", "size %u version %u", info.size, info.version);
	qt_check(n >= 1 && n == info.online_cpus && info.online_cpus <= info.nr_cpu_ids &&
		 (sys < 0 || (long)n == sys), "info-cpus",
		 "nr_cpu_ids %u online %u (mask %u, sysconf %ld) preempt_rt %u flags %#x",
		 info.nr_cpu_ids, info.online_cpus, n, sys, info.preempt_rt, info.flags);
}

/* The sum (mod 2^64) of the values stress adds: CPU c adds (c << 40) + 0, 1, ..., n - 1. */
static __u64 stress_sum(__u64 n)
{
	__u64 sum = 0;

	for (unsigned int i = 0; i < ncpus; i++)
		sum += n * ((__u64)cpus[i] << 40) + n * (n - 1) / 2;
	return sum;
}

/*
 * Stress: concurrent local ops on every CPU and drains from the first, the
 * local ops taking their lock in form @mode (QPWBENCH_LOCK_*).
 */
static void test_stress(int fd, unsigned long long ops, __u32 mode)
{
	for (unsigned int v = 0; v < QPWBENCH_NR_VARIANTS; v++) {
		struct qpwbench_run r;
		const struct qpwbench_result *res = &r.result;
		char name[64];
		int ret;

		qt_run_init(&r, QPWBENCH_SCENARIO_STRESS, v);
		r.caller_cpu = cpus[0];
		r.iterations = (ops + ncpus - 1) / ncpus;
		r.lock_mode = mode;
		all_cpus(&r);
		ret = qt_run(fd, &r);
		snprintf(name, sizeof(name), "stress-%s%s", qt_variant_names[v],
			 mode == QPWBENCH_LOCK_IRQSAVE ? "-irqsave" : "");
		if (!qt_check(!ret, name, "run: %s", errname(ret)))
			continue;
		printf("     %s: done %llu drained %llu remaining %llu drains %llu stalls %llu "
		       "on_target %llu on_caller %llu elapsed %.1f ms\n", name,
		       (unsigned long long)res->ops_done, (unsigned long long)res->ops_drained,
		       (unsigned long long)res->ops_remaining, (unsigned long long)res->drains,
		       (unsigned long long)res->stalls, (unsigned long long)res->ran_on_target,
		       (unsigned long long)res->ran_on_caller, res->elapsed_ns / 1e6);
		if (v == QPWBENCH_VARIANT_WQ && res->elapsed_ns && mode == QPWBENCH_LOCK_PLAIN)
			stress_rate = r.iterations * 1e9 / (double)res->elapsed_ns;
		qt_check(res->ops_done == r.iterations * ncpus && !(res->flags & QPWBENCH_RES_INTERRUPTED),
			 name, "all %llu ops done", (unsigned long long)(r.iterations * ncpus));
		qt_check(conserved(res), name, "conservation: lost %lld",
			 (long long)(res->ops_done - res->ops_drained - res->ops_remaining));
		/* global has no batch: its drain-alls all skip (counted, never timed). */
		qt_check(v == QPWBENCH_VARIANT_GLOBAL ? res->skips > 0 && !res->hist.count :
			 res->drains + res->stalls > 0 && res->hist.count > 0, name,
			 "%llu concurrent drain-alls, %llu skipped", (unsigned long long)res->hist.count,
			 (unsigned long long)res->skips);
		qt_check(res->sum_drained + res->sum_remaining == stress_sum(r.iterations), name,
			 "checksum: values drained %#llx + remaining %#llx, added %#llx",
			 (unsigned long long)res->sum_drained, (unsigned long long)res->sum_remaining,
			 (unsigned long long)stress_sum(r.iterations));
		qt_check(v == QPWBENCH_VARIANT_GLOBAL || res->entries_drained > 0, name,
			 "drains overlapped the ops: %llu entries drained by drains",
			 (unsigned long long)res->entries_drained);
		if (v != QPWBENCH_VARIANT_GLOBAL && ncpus > 1)
			qt_check(drains_inline(v) ? res->ran_on_caller > 0 : res->ran_on_caller == 0,
				 name, "drain work placement (%s)",
				 drains_inline(v) ? "inline on the caller" : "on the targets");
	}
}

/* Where the drain work must have run, given the drains attempted. */
static void check_placement(const char *name, unsigned int v, const struct qpwbench_result *res,
			    unsigned long long attempted_remote, unsigned long long attempted_self)
{
	if (v == QPWBENCH_VARIANT_GLOBAL) {
		qt_check(res->ran_on_target == 0 && res->ran_on_caller == 0 && res->stalls == 0,
			 name, "global: nothing to drain");
	} else if (drains_inline(v)) {
		qt_check(res->stalls == 0 && res->ran_on_caller == attempted_remote &&
			 res->ran_on_target == attempted_self, name,
			 "inline: on_caller %llu (want %llu) on_target %llu (want %llu) stalls %llu",
			 (unsigned long long)res->ran_on_caller, attempted_remote,
			 (unsigned long long)res->ran_on_target, attempted_self,
			 (unsigned long long)res->stalls);
	} else {
		qt_check(res->ran_on_caller == 0 && res->ran_on_target >= res->drains, name,
			 "queued: on_target %llu >= drains %llu, on_caller %llu",
			 (unsigned long long)res->ran_on_target, (unsigned long long)res->drains,
			 (unsigned long long)res->ran_on_caller);
	}
}

/* Histograms the module filled, and how many broke the uapi bucket rule. */
static unsigned int hists_seen, hists_off_rule;

/*
 * The module's histogram must follow the bucket rule as userspace compiles
 * it: its buckets add up to its count, and its exact min and max sit in the
 * first and last non-empty buckets, the ones qpwbench_hist_bucket() names.
 */
static void check_bucket_rule(const char *name, const struct qpwbench_hist *h)
{
	__u32 first = QPWBENCH_HIST_BUCKETS, last = 0;
	__u64 total = 0;

	for (__u32 b = 0; b < QPWBENCH_HIST_BUCKETS; b++) {
		if (!h->buckets[b])
			continue;
		if (first == QPWBENCH_HIST_BUCKETS)
			first = b;
		last = b;
		total += h->buckets[b];
	}
	hists_seen++;
	if (total == h->count && (!h->count || (first == qpwbench_hist_bucket(h->min) &&
						last == qpwbench_hist_bucket(h->max))))
		return;
	hists_off_rule++;
	printf("     %s: histogram off the bucket rule: %llu samples, buckets hold %llu; "
	       "min %llu in bucket %u (rule: %u), max %llu in bucket %u (rule: %u)\n", name,
	       (unsigned long long)h->count, (unsigned long long)total, (unsigned long long)h->min,
	       first, qpwbench_hist_bucket(h->min), (unsigned long long)h->max, last,
	       qpwbench_hist_bucket(h->max));
}

/* Print a run's latency figures and hold its histogram to the bucket rule. */
static void report_hist(const char *name, const struct qpwbench_result *res, const char *what)
{
	printf("     %s: %s p50 %.1f ns p99 %.1f ns max %.1f ns (%llu samples)%s\n", name, what,
	       qt_hist_quantile(&res->hist, 0.5) / 1e3, qt_hist_quantile(&res->hist, 0.99) / 1e3,
	       res->hist.max / 1e3, (unsigned long long)res->hist.count,
	       res->flags & QPWBENCH_RES_HAS_CYCLES ? "" : " (no cycle counter)");
	check_bucket_rule(name, &res->hist);
}

/*
 * The raw samples copied out are the histogram's: as many as asked for (or
 * recorded), each inside [min, max], the smallest equal to min when every
 * sample was kept, and each in the bucket the histogram counted it in.
 */
static __u64 raw[256];

static void check_raw(const char *name, const struct qpwbench_result *res, __u32 cap)
{
	__u64 want = res->hist.count < cap ? res->hist.count : cap, lo = ~0ULL, hi = 0;
	bool in_range = true, in_bucket = true;

	for (__u32 i = 0; i < res->samples_kept && i < cap; i++) {
		lo = raw[i] < lo ? raw[i] : lo;
		hi = raw[i] > hi ? raw[i] : hi;
		in_range &= raw[i] >= res->hist.min && raw[i] <= res->hist.max;
		in_bucket &= res->hist.buckets[qpwbench_hist_bucket(raw[i])] > 0;
	}
	qt_check(res->samples_kept == want && in_range && in_bucket &&
		 (want < res->hist.count || (lo == res->hist.min && hi == res->hist.max)),
		 name, "kept %u of %llu (cap %u), raw [%llu, %llu] vs hist [%llu, %llu]%s",
		 res->samples_kept, (unsigned long long)res->hist.count, cap,
		 (unsigned long long)lo, (unsigned long long)hi,
		 (unsigned long long)res->hist.min, (unsigned long long)res->hist.max,
		 in_bucket ? "" : ", a sample outside the histogram's buckets");
}

/*
 * Owners that add exactly @fill entries before each drain: every recorded
 * drain finds @fill entries in each target (global: none), the owners'
 * entries are conserved, and their cost is measured alone and under drains.
 * With @hold_ns, each fill of 64 consecutive values holds the lock once for
 * that long, so every owner sample (K ops timed together, by the clock the
 * hold spins on) is at least hold_ns / K per op.
 */
static void test_owner_fill(int fd, __u64 hold_ns)
{
	static struct qpwbench_drain_stats ds;
	const unsigned int it = 50, warm = 3, fill = QPWBENCH_BATCH_ENTRIES;

	if (ncpus < 2)
		return;
	for (unsigned int v = 0; v < QPWBENCH_NR_VARIANTS; v++) {
		struct qpwbench_run r;
		const struct qpwbench_result *res = &r.result;
		__u64 want = v == QPWBENCH_VARIANT_GLOBAL ? 0 : (__u64)fill * (ncpus - 1);
		char name[64];
		bool capped;
		int ret;

		snprintf(name, sizeof(name), "owner-fill-%s%s", qt_variant_names[v],
			 hold_ns ? "-hold" : "");
		qt_run_init(&r, QPWBENCH_SCENARIO_DRAIN_ALL, v);
		r.caller_cpu = cpus[0];
		r.iterations = it;
		r.warmup = warm;
		r.target_load = QPWBENCH_LOAD_OWNER;
		r.drain_flags = QPWBENCH_DRAIN_FILL;
		r.fill = fill;
		r.owner_hold_ns = hold_ns;
		r.drain_stats = (uintptr_t)&ds;
		all_cpus(&r);
		memset(&ds, 0xff, sizeof(ds));
		ret = qt_run(fd, &r);
		if (!qt_check(!ret, name, "run: %s", errname(ret)))
			continue;
		report_hist(name, res, "drain-all");
		check_bucket_rule(name, &ds.drained);
		check_bucket_rule(name, &ds.owner);
		check_bucket_rule(name, &ds.owner_alone);
		/*
		 * Under TCG a queued drain behind a busy owner can take seconds (an
		 * arm64 RT guest: p50 1.6 s, max 4 s), so the 60 s run cap may end
		 * the run with what it has (QPWBENCH_RES_INTERRUPTED): then every
		 * drain it recorded must still be right, and there must be some.
		 */
		capped = res->flags & QPWBENCH_RES_INTERRUPTED;
		/* global has no batch: every drain skips, in no histogram. */
		if (v == QPWBENCH_VARIANT_GLOBAL)
			qt_check(res->skips == it && !ds.drained.count && !res->hist.count, name,
				 "%llu skips of %u drains, %llu drained samples",
				 (unsigned long long)res->skips, it,
				 (unsigned long long)ds.drained.count);
		else
		qt_check((capped ? ds.drained.count >= 10 : ds.drained.count + res->stalls >= it) &&
			 ds.drained.count == res->hist.count &&
			 ds.drained.min == want && ds.drained.max == want, name,
			 "%llu drains%s found %llu..%llu entries, want %llu",
			 (unsigned long long)ds.drained.count, capped ? " (run cap)" : "",
			 (unsigned long long)ds.drained.min,
			 (unsigned long long)ds.drained.max, (unsigned long long)want);
		qt_check(conserved(res) && res->ops_done >= (capped ? ds.drained.count : it + warm) *
			 (__u64)fill * (ncpus - 1),
			 name, "owner ops %llu drained %llu remaining %llu",
			 (unsigned long long)res->ops_done, (unsigned long long)res->ops_drained,
			 (unsigned long long)res->ops_remaining);
		qt_check(ds.owner.count >= (capped ? ds.drained.count : it) &&
			 ds.owner_alone.count > 0, name,
			 "owner cost samples %llu, alone %llu", (unsigned long long)ds.owner.count,
			 (unsigned long long)ds.owner_alone.count);
		if (hold_ns)
			qt_check(ds.owner.min >= hold_ns * 1000 / fill &&
				 ds.owner_alone.min >= hold_ns * 1000 / fill, name,
				 "every fill held the lock %llu ns: owner per-op min %llu ps, alone %llu ps",
				 (unsigned long long)hold_ns, (unsigned long long)ds.owner.min,
				 (unsigned long long)ds.owner_alone.min);
	}
}

/*
 * Skips, stalls and a filled idle target (ABI 12): a drain that finds every
 * batch empty is a skip (result.skips), in no histogram; a drain its load
 * stalled counts in stalls and its full time, at least the bound, goes to
 * drain_stats.stall_latency; a filled-idle owner's batch holds exactly the
 * fill at every drain, and its CPU never stalls a drain.
 */
static void test_drain_kinds(int fd)
{
	static struct qpwbench_drain_stats ds;
	const unsigned int it = 20;

	if (ncpus < 2)
		return;
	for (unsigned int v = 0; v < QPWBENCH_NR_VARIANTS; v++) {
		bool batch = v != QPWBENCH_VARIANT_GLOBAL;
		const struct qpwbench_result *res;
		struct qpwbench_run r;
		char name[64];
		int ret;

		/* Owners that fill nothing, and no owner at all: every drain skips. */
		for (unsigned int owner = 0; owner < 2; owner++) {
			snprintf(name, sizeof(name), "skips-%s-%s", owner ? "fill0" : "idle",
				 qt_variant_names[v]);
			qt_run_init(&r, QPWBENCH_SCENARIO_REMOTE, v);
			r.caller_cpu = cpus[0];
			r.iterations = it;
			r.warmup = 2;
			if (owner) {
				r.target_load = QPWBENCH_LOAD_OWNER;
				r.drain_flags = QPWBENCH_DRAIN_FILL;
				r.fill = 0;
			}
			r.drain_stats = (uintptr_t)&ds;
			qpwbench_mask_set(r.cpus, cpus[ncpus - 1]);
			memset(&ds, 0xff, sizeof(ds));
			ret = qt_run(fd, &r);
			res = &r.result;
			if (qt_check(!ret, name, "run: %s", errname(ret)))
				qt_check(res->skips == it && !res->hist.count && !res->drains &&
					 !res->stalls && !ds.drained.count &&
					 !res->ran_on_target && !res->ran_on_caller, name,
					 "%llu skips of %u drains, %llu latency samples, %llu drains, %llu stalls, %llu drained samples, work ran %llu + %llu times",
					 (unsigned long long)res->skips, it,
					 (unsigned long long)res->hist.count,
					 (unsigned long long)res->drains,
					 (unsigned long long)res->stalls,
					 (unsigned long long)ds.drained.count,
					 (unsigned long long)res->ran_on_target,
					 (unsigned long long)res->ran_on_caller);
		}

		/* A filled idle target: K entries at every drain, nothing skipped or stalled. */
		snprintf(name, sizeof(name), "filled-idle-%s", qt_variant_names[v]);
		qt_run_init(&r, QPWBENCH_SCENARIO_DRAIN_ALL, v);
		r.caller_cpu = cpus[0];
		r.iterations = it;
		r.warmup = 2;
		r.target_load = QPWBENCH_LOAD_FILLED_IDLE;
		r.drain_flags = QPWBENCH_DRAIN_FILL;
		r.fill = 16;
		r.drain_stats = (uintptr_t)&ds;
		for (unsigned int i = 1; i < ncpus; i++)
			qpwbench_mask_set(r.cpus, cpus[i]);
		memset(&ds, 0xff, sizeof(ds));
		ret = qt_run(fd, &r);
		res = &r.result;
		if (qt_check(!ret, name, "run: %s", errname(ret))) {
			__u64 want = 16ULL * (ncpus - 1);

			if (batch)
				qt_check(res->hist.count == it && !res->skips && !res->stalls &&
					 ds.drained.count == it && ds.drained.min == want &&
					 ds.drained.max == want && conserved(res) &&
					 ds.owner.count >= it && ds.owner_alone.count > 0, name,
					 "%llu samples, %llu skips, %llu stalls; %llu drains found %llu..%llu entries (want %llu); owner samples %llu alone %llu; conservation",
					 (unsigned long long)res->hist.count,
					 (unsigned long long)res->skips,
					 (unsigned long long)res->stalls,
					 (unsigned long long)ds.drained.count,
					 (unsigned long long)ds.drained.min,
					 (unsigned long long)ds.drained.max,
					 (unsigned long long)want,
					 (unsigned long long)ds.owner.count,
					 (unsigned long long)ds.owner_alone.count);
			else
				qt_check(res->skips == it && !res->hist.count && conserved(res), name,
					 "global has no batch: %llu skips of %u, %llu samples",
					 (unsigned long long)res->skips, it,
					 (unsigned long long)res->hist.count);
		}

		/*
		 * Stalls apart: the module's FIFO spinner keeps a queued drain's
		 * work off its CPU until the bound; each stalled drain's full
		 * time is a stall_latency sample of at least the bound.
		 */
		snprintf(name, sizeof(name), "stall-latency-%s", qt_variant_names[v]);
		qt_run_init(&r, QPWBENCH_SCENARIO_REMOTE, v);
		r.caller_cpu = cpus[0];
		r.iterations = 5;
		r.target_load = QPWBENCH_LOAD_FIFO;
		r.drain_flags = QPWBENCH_DRAIN_EMPTY;
		r.wait_bound_ns = 2000000;
		r.drain_stats = (uintptr_t)&ds;
		qpwbench_mask_set(r.cpus, cpus[ncpus - 1]);
		memset(&ds, 0xff, sizeof(ds));
		ret = qt_run(fd, &r);
		res = &r.result;
		if (qt_check(!ret, name, "run: %s", errname(ret)))
			qt_check(ds.stall_latency.count == res->stalls &&
				 res->hist.count + res->stalls == 5 && ds.drained.count == res->hist.count &&
				 (!res->stalls || ds.stall_latency.min >= r.wait_bound_ns * 1000) &&
				 (!drains_inline(v) || !res->stalls), name,
				 "%llu stalls, %llu stall_latency samples (min %.1f us, bound %.1f us), %llu drains timed",
				 (unsigned long long)res->stalls,
				 (unsigned long long)ds.stall_latency.count,
				 ds.stall_latency.count ? ds.stall_latency.min / 1e6 : 0.0,
				 r.wait_bound_ns / 1e3, (unsigned long long)res->hist.count);
		usleep(50000);
	}
}

/*
 * owner-preempted with the default SCHED_OTHER drainer (PREEMPT_RT only):
 * priority inheritance lifts the preempted holder to SCHED_OTHER only, so
 * an inline drain waits out the FIFO task's spin, and the owner never
 * preempts it inside a held window (rtcheck runs the SCHED_FIFO drainer).
 * The spin is the longest hold the uapi allows: a drainer that slept while
 * the fill was made must still find the owner preempted (with a 1 ms spin
 * an arm64 RT TCG guest's drainer woke after it in 10 of 10 drains). Runs
 * are repeated, at most 5, until 3 drains met the held lock.
 */
static void test_drainer_other(int fd)
{
	static struct qpwbench_drain_stats ds;
	struct qpwbench_run r;
	const struct qpwbench_result *res = &r.result;
	unsigned long long held = 0, lifted = 0, stalls = 0;
	int ret, attempt;

	if (ncpus < 2 || !preempt_rt)
		return;
	for (attempt = 0; attempt < 5 && held < 3; attempt++) {
		qt_preempted_run_init(&r, QPWBENCH_VARIANT_QPW_ON, cpus[0], cpus[ncpus - 1],
				      QPWBENCH_DRAINER_OTHER, 10, QPWBENCH_MAX_WAIT_BOUND_NS, &ds);
		ret = qt_run(fd, &r);
		if (!qt_check(!ret, "drainer-other", "run: %s", errname(ret)) ||
		    !qt_check(conserved(res), "drainer-other", "conservation"))
			return;
		printf("     drainer-other: run %d: drain p50 %.1f us max %.1f us, %llu held drains, %llu with the owner lifted over the FIFO task\n",
		       attempt + 1, qt_hist_quantile(&res->hist, 0.5) / 1e6, res->hist.max / 1e6,
		       (unsigned long long)res->held_drains,
		       (unsigned long long)res->held_preemptions);
		held += res->held_drains;
		lifted += res->held_preemptions;
		stalls += res->stalls;
	}
	qt_check(held >= 3 && lifted * 10 <= held && !stalls, "drainer-other",
		 "%llu held drains in %d runs, the owner lifted over the FIFO task in %llu (at most 1 in 10), %llu stalls",
		 held, attempt, lifted, stalls);
}

/* Opening the device takes CAP_SYS_ADMIN, whatever the node's mode. */
static void test_capability(void)
{
	pid_t pid = fork();
	int status = 0;

	if (pid == 0) {
		struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
		struct __user_cap_data_struct d[2] = { 0 };
		int fd;

		if (syscall(SYS_capget, &h, d))
			_exit(3);
		d[CAP_SYS_ADMIN / 32].effective &= ~(1U << (CAP_SYS_ADMIN % 32));
		d[CAP_SYS_ADMIN / 32].permitted &= ~(1U << (CAP_SYS_ADMIN % 32));
		if (syscall(SYS_capset, &h, d))
			_exit(3);
		fd = open(QPWBENCH_DEVICE, O_RDWR | O_CLOEXEC);
		/* 0: EPERM; 1: opened; else 10 + the errno (below 246). */
		_exit(fd < 0 && errno == EPERM ? 0 : fd < 0 ? 10 + (errno % 200) : 1);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) {
		qt_check(false, "open-needs-cap-sys-admin", "fork/wait failed");
		return;
	}
	if (WEXITSTATUS(status) == 3) {
		qt_part_skip("open-needs-cap-sys-admin", "cannot drop CAP_SYS_ADMIN here");
		return;
	}
	qt_check(WEXITSTATUS(status) == 0, "open-needs-cap-sys-admin",
		 "without CAP_SYS_ADMIN open() gets %s, want EPERM",
		 WEXITSTATUS(status) == 0 ? "EPERM" : WEXITSTATUS(status) == 1 ? "a descriptor" :
		 strerror(WEXITSTATUS(status) - 10));
}

static void test_scenarios(int fd)
{
	const unsigned int it = 100, warm = 5, batch = 16;
	static struct qpwbench_drain_stats ds;

	for (unsigned int v = 0; v < QPWBENCH_NR_VARIANTS; v++) {
		struct qpwbench_run r;
		const struct qpwbench_result *res = &r.result;
		char name[64];
		int ret;

		snprintf(name, sizeof(name), "local-%s", qt_variant_names[v]);
		qt_run_init(&r, QPWBENCH_SCENARIO_LOCAL, v);
		r.iterations = it;
		r.warmup = warm;
		r.batch = batch;
		all_cpus(&r);
		r.samples = (__u64)(uintptr_t)raw;
		r.samples_cap = sizeof(raw) / sizeof(raw[0]);
		ret = qt_run(fd, &r);
		if (qt_check(!ret, name, "run: %s", errname(ret))) {
			report_hist(name, res, "per op");
			check_raw(name, res, r.samples_cap);
			qt_check(res->hist.count == (__u64)it * ncpus &&
				 res->ops_done == (__u64)(it + warm) * batch * ncpus && conserved(res) &&
				 !!(res->flags & QPWBENCH_RES_HAS_CYCLES) ==
				 !!(info.flags & QPWBENCH_INFO_HAS_CYCLES), name,
				 "samples %llu ops %llu drained %llu remaining %llu cycles %llu",
				 (unsigned long long)res->hist.count, (unsigned long long)res->ops_done,
				 (unsigned long long)res->ops_drained,
				 (unsigned long long)res->ops_remaining, (unsigned long long)res->cycles);
		}

		snprintf(name, sizeof(name), "local-concurrent-%s", qt_variant_names[v]);
		qt_run_init(&r, QPWBENCH_SCENARIO_LOCAL, v);
		r.iterations = it;
		r.warmup = warm;
		r.batch = batch;
		r.flags = QPWBENCH_RUN_CONCURRENT;
		all_cpus(&r);
		ret = qt_run(fd, &r);
		if (qt_check(!ret, name, "run: %s", errname(ret))) {
			check_bucket_rule(name, &res->hist);
			qt_check(res->hist.count == (__u64)it * ncpus &&
				 res->ops_done == (__u64)(it + warm) * batch * ncpus && conserved(res),
				 name, "every CPU at once: samples %llu ops %llu",
				 (unsigned long long)res->hist.count, (unsigned long long)res->ops_done);
		}

		snprintf(name, sizeof(name), "drain-all-%s", qt_variant_names[v]);
		qt_run_init(&r, QPWBENCH_SCENARIO_DRAIN_ALL, v);
		r.caller_cpu = cpus[0];
		r.iterations = it;
		r.warmup = warm;
		/* Empty batches: drain them anyway (a drain skips them otherwise). */
		r.drain_flags = QPWBENCH_DRAIN_EMPTY;
		all_cpus(&r);
		r.samples = (__u64)(uintptr_t)raw;
		r.samples_cap = it / 2;
		ret = qt_run(fd, &r);
		if (qt_check(!ret, name, "run: %s", errname(ret))) {
			report_hist(name, res, "drain-all");
			check_raw(name, res, r.samples_cap);
			/* A sample that stalled on any CPU stays out of the histogram. */
			qt_check(res->hist.count <= it && res->hist.count + res->stalls >= it &&
				 res->drains + res->stalls == (__u64)it * ncpus,
				 name, "samples %llu drains %llu stalls %llu",
				 (unsigned long long)res->hist.count, (unsigned long long)res->drains,
				 (unsigned long long)res->stalls);
			check_placement(name, v, res, (it + warm) * (ncpus - 1ULL), it + warm);
		}

		if (ncpus < 2)
			continue;

		snprintf(name, sizeof(name), "remote-%s", qt_variant_names[v]);
		qt_run_init(&r, QPWBENCH_SCENARIO_REMOTE, v);
		r.caller_cpu = cpus[0];
		r.iterations = it;
		r.warmup = warm;
		r.drain_flags = QPWBENCH_DRAIN_EMPTY;
		qpwbench_mask_set(r.cpus, cpus[ncpus - 1]);
		ret = qt_run(fd, &r);
		if (qt_check(!ret, name, "run: %s", errname(ret))) {
			report_hist(name, res, "drain");
			qt_check(res->hist.count + res->stalls == it && res->drains + res->stalls == it, name,
				 "samples %llu drains %llu stalls %llu",
				 (unsigned long long)res->hist.count, (unsigned long long)res->drains,
				 (unsigned long long)res->stalls);
			check_placement(name, v, res, it + warm, 0);
		}

		snprintf(name, sizeof(name), "interference-%s", qt_variant_names[v]);
		qt_run_init(&r, QPWBENCH_SCENARIO_INTERFERENCE, v);
		r.caller_cpu = cpus[0];
		r.drain_flags = QPWBENCH_DRAIN_EMPTY;
		r.rate_hz = 2000;
		r.duration_ns = 50000000;
		for (unsigned int i = 1; i < ncpus; i++)
			qpwbench_mask_set(r.cpus, cpus[i]);
		ret = qt_run(fd, &r);
		if (qt_check(!ret, name, "run: %s", errname(ret))) {
			report_hist(name, res, "drain");
			qt_check(res->hist.count >= 1 && !res->stalls &&
				 res->drains == res->hist.count * (ncpus - 1), name,
				 "%llu drains at 2 kHz in 50 ms, drains %llu stalls %llu elapsed %.1f ms",
				 (unsigned long long)res->hist.count, (unsigned long long)res->drains,
				 (unsigned long long)res->stalls, res->elapsed_ns / 1e6);
			check_placement(name, v, res, res->hist.count * (ncpus - 1), 0);
		}

		/*
		 * The same with the module's FIFO spinners on the targets: every
		 * drain completes or stalls (the spinner gives its CPU up at the
		 * bound), each spinner records gap windows, inline drains never
		 * take its CPU.
		 */
		snprintf(name, sizeof(name), "interference-fifo-%s", qt_variant_names[v]);
		qt_run_init(&r, QPWBENCH_SCENARIO_INTERFERENCE, v);
		r.caller_cpu = cpus[0];
		r.drain_flags = QPWBENCH_DRAIN_EMPTY;
		r.target_load = QPWBENCH_LOAD_FIFO;
		r.wait_bound_ns = 2000000;
		r.rate_hz = 1000;
		r.duration_ns = 50000000;
		r.drain_stats = (uintptr_t)&ds;
		memset(&ds, 0, sizeof(ds));
		for (unsigned int i = 1; i < ncpus; i++)
			qpwbench_mask_set(r.cpus, cpus[i]);
		ret = qt_run(fd, &r);
		if (qt_check(!ret, name, "run: %s", errname(ret))) {
			printf("     %s: %llu drains, %llu stalls; spinner gap p50 %.1f us max %.1f us over %llu windows, %llu switches (%llu involuntary)\n",
			       name, (unsigned long long)res->hist.count,
			       (unsigned long long)res->stalls, qt_hist_quantile(&ds.target_gap, 0.5) / 1e6,
			       ds.target_gap.max / 1e6, (unsigned long long)ds.target_gap.count,
			       (unsigned long long)res->target_switches,
			       (unsigned long long)res->target_preemptions);
			qt_check(res->hist.count + res->stalls >= 1 && ds.target_gap.count >= ncpus - 1 &&
				 conserved(res), name,
				 "%llu drains %llu stalls, %llu gap windows, conservation",
				 (unsigned long long)res->hist.count, (unsigned long long)res->stalls,
				 (unsigned long long)ds.target_gap.count);
			if (drains_inline(v) || v == QPWBENCH_VARIANT_GLOBAL)
				qt_check(!res->stalls && !res->ran_on_target, name,
					 "inline: no stall, nothing ran on the targets (%llu, %llu)",
					 (unsigned long long)res->stalls,
					 (unsigned long long)res->ran_on_target);
			else
				qt_check(!res->ran_on_caller && res->target_switches >= res->stalls, name,
					 "queued: ran on the targets, %llu switches for %llu stalls",
					 (unsigned long long)res->target_switches,
					 (unsigned long long)res->stalls);
		}
	}
	test_owner_fill(fd, 0);
	test_owner_fill(fd, 5000);
	test_drain_kinds(fd);
	test_drainer_other(fd);
	qt_check(hists_seen && !hists_off_rule, "hist-bucket-rule",
		 "%u of %u module histograms follow the uapi bucket rule",
		 hists_seen - hists_off_rule, hists_seen);
}

/* --- bad arguments ----------------------------------------------------------- */

/* A cheap valid request that each case breaks in one way. */
static void valid_run(struct qpwbench_run *r)
{
	qt_run_init(r, QPWBENCH_SCENARIO_DRAIN_ALL, QPWBENCH_VARIANT_WQ);
	r->caller_cpu = cpus[0];
	r->iterations = 1;
	/* A drain of the empty batch, not a skip: it records a sample. */
	r->drain_flags = QPWBENCH_DRAIN_EMPTY;
	qpwbench_mask_set(r->cpus, cpus[0]);
}

static void expect_errno(int fd, const char *name, struct qpwbench_run *r, int want)
{
	int ret = qt_run(fd, r);

	qt_check(ret == -want, name, "got %s, want %s", errname(ret), errname(-want));
}

/* The first CPU number the kernel does not have, if it fits the mask. */
static int absent_cpu(void)
{
	return info.nr_cpu_ids < QPWBENCH_MAX_CPUS ? (int)info.nr_cpu_ids : -1;
}

static void test_bad_inputs(int fd)
{
	struct qpwbench_run r;
	int ret;

	valid_run(&r);
	ret = qt_run(fd, &r);
	qt_check(!ret, "bad-input-baseline", "the unbroken request runs: %s", errname(ret));

	valid_run(&r); r.size -= 8;			expect_errno(fd, "bad-size", &r, EINVAL);
	valid_run(&r); r.size = 0;			expect_errno(fd, "zero-size", &r, EINVAL);
	valid_run(&r); r.version = QPWBENCH_ABI_VERSION + 1;
	expect_errno(fd, "bad-version", &r, EINVAL);
	valid_run(&r); r.scenario = QPWBENCH_NR_SCENARIOS;
	expect_errno(fd, "unknown-scenario", &r, EINVAL);
	valid_run(&r); r.scenario = UINT_MAX;		expect_errno(fd, "unknown-scenario-max", &r, EINVAL);
	valid_run(&r); r.variant = QPWBENCH_NR_VARIANTS;
	expect_errno(fd, "unknown-variant", &r, EINVAL);
	valid_run(&r); r.variant = UINT_MAX;		expect_errno(fd, "unknown-variant-max", &r, EINVAL);
	valid_run(&r); r.flags = QPWBENCH_RUN_NULL_OP;	expect_errno(fd, "null-op-on-drain", &r, EINVAL);
	valid_run(&r); r.scenario = QPWBENCH_SCENARIO_LOCAL; r.batch = 1; r.flags = QPWBENCH_RUN_FLAGS + 1;
	expect_errno(fd, "flags-unknown", &r, EINVAL);
	valid_run(&r); r.samples_cap = 4;		expect_errno(fd, "samples-cap-no-buffer", &r, EINVAL);
	valid_run(&r); r.samples = (__u64)(uintptr_t)raw; r.samples_cap = QPWBENCH_MAX_RAW_SAMPLES + 1;
	expect_errno(fd, "samples-over-cap", &r, E2BIG);
	valid_run(&r); r.samples = 16; r.samples_cap = 1;	expect_errno(fd, "samples-bad-pointer", &r, EFAULT);
	valid_run(&r); r.flags = 1U << 31;		expect_errno(fd, "flags-high", &r, EINVAL);
	valid_run(&r); memset(r.cpus, 0, sizeof(r.cpus));
	expect_errno(fd, "empty-mask", &r, EINVAL);
	valid_run(&r); r.iterations = 0;		expect_errno(fd, "zero-iterations", &r, EINVAL);
	valid_run(&r); r.owner_hold_ns = 1000;	expect_errno(fd, "hold-without-owner", &r, EINVAL);
	valid_run(&r); r.target_load = QPWBENCH_LOAD_OWNER; r.owner_hold_ns = 1000;
	r.lock_mode = QPWBENCH_LOCK_IRQSAVE;		expect_errno(fd, "hold-not-plain", &r, EINVAL);
	valid_run(&r); r.target_load = QPWBENCH_LOAD_OWNER;
	r.owner_hold_ns = QPWBENCH_MAX_OWNER_HOLD_NS + 1;
	expect_errno(fd, "hold-over-cap", &r, E2BIG);
	/* An owner that no scenario but remote and drain-all starts: a fill would wait forever. */
	valid_run(&r); r.scenario = QPWBENCH_SCENARIO_INTERFERENCE; r.rate_hz = 100;
	r.duration_ns = 1000000; r.target_load = QPWBENCH_LOAD_OWNER;
	r.drain_flags = QPWBENCH_DRAIN_FILL;		expect_errno(fd, "fill-on-interference", &r, EINVAL);
	valid_run(&r); r.scenario = QPWBENCH_SCENARIO_STRESS; r.target_load = QPWBENCH_LOAD_OWNER;
	r.drain_flags = QPWBENCH_DRAIN_FILL;		expect_errno(fd, "fill-on-stress", &r, EINVAL);
	valid_run(&r); r.scenario = QPWBENCH_SCENARIO_LOCAL; r.batch = 1;
	r.target_load = QPWBENCH_LOAD_FIFO;		expect_errno(fd, "load-on-local", &r, EINVAL);
	valid_run(&r); r.scenario = QPWBENCH_SCENARIO_STRESS;
	r.target_load = QPWBENCH_LOAD_FIFO;		expect_errno(fd, "fifo-on-stress", &r, EINVAL);
	/* interference runs the module's FIFO spinners, and nothing else. */
	valid_run(&r); r.scenario = QPWBENCH_SCENARIO_INTERFERENCE; r.rate_hz = 100;
	r.duration_ns = 1000000; r.target_load = QPWBENCH_LOAD_OWNER;
	expect_errno(fd, "owner-on-interference", &r, EINVAL);
	valid_run(&r); r.scenario = QPWBENCH_SCENARIO_INTERFERENCE; r.rate_hz = 100;
	r.duration_ns = 1000000; r.target_load = QPWBENCH_LOAD_FIFO; r.owner_hold_ns = 1000;
	expect_errno(fd, "hold-on-interference", &r, EINVAL);
	/* owner-preempted: the FIFO task's spin is required, the owner answers drains at no rate. */
	valid_run(&r); r.target_load = QPWBENCH_LOAD_OWNER_PREEMPTED;
	expect_errno(fd, "preempted-without-hold", &r, EINVAL);
	valid_run(&r); r.target_load = QPWBENCH_LOAD_OWNER_PREEMPTED; r.owner_hold_ns = 1000;
	r.owner_rate_hz = 1000;			expect_errno(fd, "preempted-with-rate", &r, EINVAL);
	valid_run(&r); r.target_load = QPWBENCH_LOAD_OWNER_PREEMPTED; r.owner_hold_ns = 1000;
	r.lock_mode = QPWBENCH_LOCK_IRQSAVE;	expect_errno(fd, "preempted-not-plain", &r, EINVAL);
	valid_run(&r); r.scenario = QPWBENCH_SCENARIO_INTERFERENCE; r.rate_hz = 100;
	r.duration_ns = 1000000; r.target_load = QPWBENCH_LOAD_OWNER_PREEMPTED;
	r.owner_hold_ns = 1000;			expect_errno(fd, "preempted-on-interference", &r, EINVAL);
	valid_run(&r); r.scenario = QPWBENCH_SCENARIO_STRESS;
	r.target_load = QPWBENCH_LOAD_OWNER_PREEMPTED; r.owner_hold_ns = 1000;
	expect_errno(fd, "preempted-on-stress", &r, EINVAL);
	valid_run(&r); r.target_load = QPWBENCH_NR_LOADS;
	expect_errno(fd, "unknown-target-load", &r, EINVAL);
	/* ABI 12: the drainer's policy, the second padding, filled-idle's fill. */
	valid_run(&r); r.__pad2 = 1;			expect_errno(fd, "pad2-set", &r, EINVAL);
	valid_run(&r); r.drainer_policy = QPWBENCH_NR_DRAINER_POLICIES;
	expect_errno(fd, "unknown-drainer-policy", &r, EINVAL);
	valid_run(&r); r.drainer_policy = UINT_MAX;	expect_errno(fd, "drainer-policy-max", &r, EINVAL);
	valid_run(&r); r.drainer_policy = QPWBENCH_DRAINER_FIFO;
	expect_errno(fd, "fifo-drainer-no-load", &r, EINVAL);
	valid_run(&r); r.target_load = QPWBENCH_LOAD_OWNER; r.drainer_policy = QPWBENCH_DRAINER_FIFO;
	expect_errno(fd, "fifo-drainer-owner", &r, EINVAL);
	valid_run(&r); r.target_load = QPWBENCH_LOAD_FILLED_IDLE;
	expect_errno(fd, "filled-idle-without-fill", &r, EINVAL);
	valid_run(&r); r.target_load = QPWBENCH_LOAD_FILLED_IDLE; r.drain_flags = QPWBENCH_DRAIN_FILL;
	expect_errno(fd, "filled-idle-fill-0", &r, EINVAL);
	valid_run(&r); r.target_load = QPWBENCH_LOAD_FILLED_IDLE; r.drain_flags = QPWBENCH_DRAIN_FILL;
	r.fill = 4; r.owner_rate_hz = 1000;		expect_errno(fd, "filled-idle-with-rate", &r, EINVAL);
	valid_run(&r); r.target_load = QPWBENCH_LOAD_FILLED_IDLE; r.drain_flags = QPWBENCH_DRAIN_FILL;
	r.fill = 4; r.owner_hold_ns = 1000;		expect_errno(fd, "filled-idle-with-hold", &r, EINVAL);
	valid_run(&r); r.target_load = QPWBENCH_LOAD_FILLED_IDLE; r.drain_flags = QPWBENCH_DRAIN_FILL;
	r.fill = QPWBENCH_BATCH_ENTRIES + 1;	expect_errno(fd, "filled-idle-fill-over-cap", &r, E2BIG);
	valid_run(&r); r.scenario = QPWBENCH_SCENARIO_STRESS; r.target_load = QPWBENCH_LOAD_FILLED_IDLE;
	r.drain_flags = QPWBENCH_DRAIN_FILL; r.fill = 4;
	expect_errno(fd, "filled-idle-on-stress", &r, EINVAL);
	valid_run(&r); r.scenario = QPWBENCH_SCENARIO_INTERFERENCE; r.rate_hz = 100;
	r.duration_ns = 1000000; r.target_load = QPWBENCH_LOAD_FILLED_IDLE;
	r.drain_flags = QPWBENCH_DRAIN_FILL; r.fill = 4;
	expect_errno(fd, "filled-idle-on-interference", &r, EINVAL);
	/* Checked on every scenario, used or not (uapi: "still checked against their caps"). */
	valid_run(&r); r.batch = QPWBENCH_MAX_BATCH + 1;
	expect_errno(fd, "batch-over-cap-unused", &r, E2BIG);
	valid_run(&r); r.batch = QPWBENCH_MAX_BATCH;	ret = qt_run(fd, &r);
	qt_check(!ret, "batch-at-cap-unused", "an unused batch at its cap runs: %s", errname(ret));
	/*
	 * Well formed, without a fill: refused off PREEMPT_RT; on RT every
	 * drain still has the owners add one entry, preempted while adding it
	 * (rtcheck checks what the drains do then).
	 */
	valid_run(&r); all_cpus(&r); r.variant = QPWBENCH_VARIANT_QPW_ON; r.iterations = 5;
	r.target_load = QPWBENCH_LOAD_OWNER_PREEMPTED; r.owner_hold_ns = QPWBENCH_MAX_OWNER_HOLD_NS;
	ret = qt_run(fd, &r);
	if (!preempt_rt)
		qt_check(ret == -EOPNOTSUPP, "preempted-needs-rt", "got %s, want EOPNOTSUPP",
			 errname(ret));
	else
		qt_check(!ret && conserved(&r.result) && r.result.held_drains >= 1 &&
			 r.result.entries_drained >= 1, "preempted-without-fill",
			 "%s: %llu held drains, %llu entries drained, conservation",
			 errname(ret), (unsigned long long)r.result.held_drains,
			 (unsigned long long)r.result.entries_drained);
	valid_run(&r); r.lock_mode = QPWBENCH_NR_LOCK_MODES;
	expect_errno(fd, "unknown-lock-mode", &r, EINVAL);
	valid_run(&r); r.lock_mode = UINT_MAX;	expect_errno(fd, "unknown-lock-mode-max", &r, EINVAL);
	/* No local_trylock() in the kernels the module builds for: refused, not faked. */
	valid_run(&r); r.lock_mode = QPWBENCH_LOCK_TRYLOCK;
	expect_errno(fd, "trylock-unsupported", &r, EOPNOTSUPP);

	valid_run(&r); r.iterations = QPWBENCH_MAX_ITERATIONS + 1;
	expect_errno(fd, "iterations-over-cap", &r, E2BIG);
	valid_run(&r); r.iterations = ULLONG_MAX;	expect_errno(fd, "iterations-max", &r, E2BIG);
	valid_run(&r); r.warmup = QPWBENCH_MAX_WARMUP + 1;
	expect_errno(fd, "warmup-over-cap", &r, E2BIG);
	valid_run(&r); r.wait_bound_ns = QPWBENCH_MAX_WAIT_BOUND_NS + 1;
	expect_errno(fd, "wait-bound-over-cap", &r, E2BIG);
	valid_run(&r); r.duration_ns = QPWBENCH_MAX_DURATION_NS + 1;
	expect_errno(fd, "duration-over-cap", &r, E2BIG);
	valid_run(&r); r.rate_hz = QPWBENCH_MAX_RATE_HZ + 1;
	expect_errno(fd, "rate-over-cap", &r, E2BIG);

	valid_run(&r); r.scenario = QPWBENCH_SCENARIO_LOCAL; r.batch = QPWBENCH_MAX_BATCH + 1;
	expect_errno(fd, "batch-over-cap", &r, E2BIG);
	valid_run(&r); r.scenario = QPWBENCH_SCENARIO_LOCAL; r.batch = 0;
	expect_errno(fd, "local-zero-batch", &r, EINVAL);
	valid_run(&r); r.scenario = QPWBENCH_SCENARIO_INTERFERENCE; r.rate_hz = 0;
	r.duration_ns = 1000000;
	expect_errno(fd, "interference-zero-rate", &r, EINVAL);
	valid_run(&r); r.scenario = QPWBENCH_SCENARIO_INTERFERENCE; r.rate_hz = 100;
	r.duration_ns = 0;
	expect_errno(fd, "interference-zero-duration", &r, EINVAL);

	valid_run(&r); r.scenario = QPWBENCH_SCENARIO_REMOTE;
	expect_errno(fd, "remote-to-self", &r, EINVAL);
	if (ncpus >= 3) {
		valid_run(&r); r.scenario = QPWBENCH_SCENARIO_REMOTE;
		memset(r.cpus, 0, sizeof(r.cpus));
		qpwbench_mask_set(r.cpus, cpus[1]);
		qpwbench_mask_set(r.cpus, cpus[2]);
		expect_errno(fd, "remote-two-targets", &r, EINVAL);
	}

	valid_run(&r); r.caller_cpu = UINT_MAX;		expect_errno(fd, "caller-cpu-max", &r, ENODEV);
	valid_run(&r); r.caller_cpu = info.nr_cpu_ids;	expect_errno(fd, "caller-cpu-absent", &r, ENODEV);
	valid_run(&r); qpwbench_mask_set(r.cpus, QPWBENCH_MAX_CPUS - 1);
	if (info.nr_cpu_ids < QPWBENCH_MAX_CPUS)
		expect_errno(fd, "mask-cpu-1023", &r, ENODEV);
	if (absent_cpu() >= 0) {
		valid_run(&r); qpwbench_mask_set(r.cpus, (unsigned int)absent_cpu());
		expect_errno(fd, "mask-cpu-absent", &r, ENODEV);
	}

	ret = qt_ioctl(fd, QPWBENCH_IOC_RUN, NULL);
	qt_check(ret == -EFAULT, "run-null-pointer", "got %s, want EFAULT", errname(ret));
	ret = qt_ioctl(fd, QPWBENCH_IOC_INFO, (void *)16);
	qt_check(ret == -EFAULT, "info-bad-pointer", "got %s, want EFAULT", errname(ret));
	ret = qt_ioctl(fd, _IOWR(QPWBENCH_IOC_MAGIC, 2, __u64), &r);
	qt_check(ret == -ENOTTY, "run-wrong-ioctl-size", "got %s, want ENOTTY", errname(ret));
	ret = qt_ioctl(fd, _IO(QPWBENCH_IOC_MAGIC, 9), NULL);
	qt_check(ret == -ENOTTY, "unknown-ioctl", "got %s, want ENOTTY", errname(ret));
}

/* --- concurrency, signals, hotplug ------------------------------------------- */

struct bg_run {
	int fd;
	struct qpwbench_run r;
	int ret;
};

static void *bg_run_main(void *arg)
{
	struct bg_run *bg = arg;
	struct qpwbench_run r = bg->r;
	double until = qt_now() + 5;

	/* The main thread's probe may hold the device for a moment: retry. */
	do {
		bg->r = r;
		bg->ret = qt_run(bg->fd, &bg->r);
	} while (bg->ret == -EBUSY && qt_now() < until && !usleep(1000));
	return NULL;
}

/* Run @r on another thread until a probe run sees EBUSY (up to 5 s). */
static bool start_bg_run(struct bg_run *bg, pthread_t *tid)
{
	double until = qt_now() + 5;
	struct qpwbench_run probe;

	if (pthread_create(tid, NULL, bg_run_main, bg))
		return false;
	do {
		usleep(20000);
		valid_run(&probe);
		if (qt_run(bg->fd, &probe) == -EBUSY)
			return true;
	} while (qt_now() < until);
	return false;
}

static void test_busy(int fd)
{
	struct bg_run bg = { .fd = fd };
	pthread_t tid;
	bool busy;
	int version;

	qt_run_init(&bg.r, QPWBENCH_SCENARIO_INTERFERENCE, QPWBENCH_VARIANT_WQ);
	bg.r.caller_cpu = cpus[0];
	bg.r.rate_hz = 100;
	bg.r.duration_ns = 1500000000;
	/* Its target runs nothing: drain the empty batch, or every drain skips. */
	bg.r.drain_flags = QPWBENCH_DRAIN_EMPTY;
	qpwbench_mask_set(bg.r.cpus, cpus[ncpus - 1]);
	busy = start_bg_run(&bg, &tid);
	version = ioctl(fd, QPWBENCH_IOC_VERSION);
	qt_check(busy, "concurrent-run-ebusy", "a second run during a run gets EBUSY");
	qt_check(version == QPWBENCH_ABI_VERSION, "version-during-run", "VERSION answers %d", version);
	pthread_join(tid, NULL);
	qt_check(bg.ret == 0 && bg.r.result.hist.count > 0, "busy-first-run",
		 "the first run completes: %s, %llu drains", errname(bg.ret),
		 (unsigned long long)bg.r.result.hist.count);
}

/*
 * A child in a 30 s wq interference run from @caller on @target (it must
 * not finish: the parent kills it); -1 if fork failed.
 */
static pid_t fork_long_run(unsigned int caller, unsigned int target, __u32 drain_flags)
{
	struct qpwbench_run r;
	pid_t pid = fork();
	int fd;

	if (pid)
		return pid;
	fd = open(QPWBENCH_DEVICE, O_RDWR | O_CLOEXEC);
	qt_run_init(&r, QPWBENCH_SCENARIO_INTERFERENCE, QPWBENCH_VARIANT_WQ);
	r.caller_cpu = caller;
	r.rate_hz = 1000;
	r.duration_ns = 30000000000ULL;
	r.drain_flags = drain_flags;
	qpwbench_mask_set(r.cpus, target);
	while (qt_run(fd, &r) == -EBUSY)
		usleep(1000);
	_exit(3);
}

/*
 * Once @pid's run has started (the device answers EBUSY), SIGKILL it and
 * reap it. Whether it ran and died of the signal; @t_kill: when it was sent.
 */
static bool kill_mid_run(int fd, pid_t pid, double *t_kill, double *reaped_after)
{
	struct qpwbench_run r;
	double until = qt_now() + 5;
	bool started = false;
	int status;

	while (!started && qt_now() < until) {
		usleep(20000);
		valid_run(&r);
		started = qt_run(fd, &r) == -EBUSY;
	}
	usleep(200000);
	*t_kill = qt_now();
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	*reaped_after = qt_now() - *t_kill;
	return started && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

/* A valid run, retried while the device answers EBUSY, for up to 10 s. */
static int run_when_free(int fd)
{
	struct qpwbench_run r;
	double until = qt_now() + 10;
	int ret;

	do {
		valid_run(&r);
		ret = qt_run(fd, &r);
	} while (ret == -EBUSY && qt_now() < until && !usleep(10000));
	return ret;
}

static void test_fatal_signal(void)
{
	pid_t pid = fork_long_run(cpus[0], cpus[ncpus - 1], 0);
	double t_kill, reaped_after;
	bool killed;
	int fd, ret;

	if (pid < 0) {
		qt_check(false, "sigkill-run", "fork: %s", strerror(errno));
		return;
	}
	fd = qt_open();
	killed = kill_mid_run(fd, pid, &t_kill, &reaped_after);
	qt_check(killed, "sigkill-run", "child killed mid-run, reaped after %.3f s", reaped_after);
	ret = run_when_free(fd);
	qt_check(ret == 0, "sigkill-device-reusable", "next run %s %.3f s after the kill",
		 errname(ret), qt_now() - t_kill);
	close(fd);
}

/* An RT task that is not the module's, on the drained CPU: a SCHED_FIFO spinner of ours. */
static atomic_bool foreign_spin;
static atomic_int foreign_cpu = -1;	/* where it spins: the test waits to see the target */

static void *foreign_spinner_main(void *arg)
{
	(void)arg;
	while (atomic_load(&foreign_spin))
		atomic_store(&foreign_cpu, sched_getcpu());
	return NULL;
}

static bool write_long(const char *path, long v)
{
	FILE *f = fopen(path, "w");
	bool ok;

	if (!f)
		return false;
	ok = fprintf(f, "%ld\n", v) > 0;
	return fclose(f) == 0 && ok;
}

/* Whether a task named @comm exists (a /proc/PID/comm line). */
static bool task_named(const char *comm)
{
	DIR *proc = opendir("/proc");
	struct dirent *e;
	bool found = false;

	while (proc && !found && (e = readdir(proc))) {
		char path[300], line[64] = "";
		FILE *f;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		found = fgets(line, sizeof(line), f) && !strncmp(line, comm, strlen(comm)) &&
			line[strlen(comm)] == '\n';
		fclose(f);
	}
	if (proc)
		closedir(proc);
	return found;
}

/*
 * A drain that can never finish: the target's kworker is kept off its CPU by
 * a SCHED_FIFO spinner of ours with RT throttling off. Killing the run's
 * process must end the ioctl anyway (the module leaves the blocked thread
 * to end on its own); new runs get EBUSY while it is blocked and run again
 * once the spinner lets the work run.
 *
 * The spinner starts only once the run's drainer exists: the kthread
 * kthreadd forks for it may start on the target (an arm64 6.1 guest put it
 * there every time, as the CFS idlest CPU beside an RT hog), and would then
 * never run to be bound to the caller, the run stuck in its creation rather
 * than in flush_work(). The drains queued after the spinner holds the
 * target wait.
 */
static void test_orphan(int fd)
{
	const char *rt_runtime = "/proc/sys/kernel/sched_rt_runtime_us";
	struct sched_param prio = { .sched_priority = 10 };
	unsigned int caller = cpus[0], target = cpus[ncpus - 1];
	double t_kill, reaped_after, until;
	bool killed, blocked;
	char drainer[32];
	struct qpwbench_run r;
	pthread_attr_t attr;
	cpu_set_t set, old_set;
	long old_runtime = -2;
	int ret;
	pthread_t spinner;
	FILE *f;
	pid_t pid;

	if (ncpus < 2) {
		qt_part_skip("orphan-after-kill", "needs two CPUs");
		return;
	}
	f = fopen(rt_runtime, "r");
	if (!f || fscanf(f, "%ld", &old_runtime) != 1 || !write_long(rt_runtime, -1)) {
		qt_part_skip("orphan-after-kill", "cannot turn RT throttling off (%s)", rt_runtime);
		if (f)
			fclose(f);
		return;
	}
	fclose(f);
	/* We stay on the caller's CPU: the target will be the spinner's alone. */
	sched_getaffinity(0, sizeof(old_set), &old_set);
	CPU_ZERO(&set);
	CPU_SET(caller, &set);
	sched_setaffinity(0, sizeof(set), &set);
	pid = fork_long_run(caller, target, QPWBENCH_DRAIN_EMPTY);
	if (pid < 0) {
		qt_check(false, "orphan-after-kill", "fork: %s", strerror(errno));
		goto out_affinity;
	}
	/* The module names its thread once kthread_create_on_cpu() returned. */
	snprintf(drainer, sizeof(drainer), "qpwbench/%u", caller);
	until = qt_now() + 10;
	while (!task_named(drainer) && qt_now() < until)
		usleep(1000);
	CPU_ZERO(&set);
	CPU_SET(target, &set);
	atomic_store(&foreign_spin, true);
	atomic_store(&foreign_cpu, -1);
	pthread_attr_init(&attr);
	pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
	pthread_attr_setinheritsched(&attr, PTHREAD_EXPLICIT_SCHED);
	pthread_attr_setschedpolicy(&attr, SCHED_FIFO);
	pthread_attr_setschedparam(&attr, &prio);
	ret = pthread_create(&spinner, &attr, foreign_spinner_main, NULL);
	pthread_attr_destroy(&attr);
	if (ret) {
		qt_part_skip("orphan-after-kill", "SCHED_FIFO spinner: %s", strerror(ret));
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		run_when_free(fd);
		goto out_affinity;
	}
	while (atomic_load(&foreign_cpu) != (int)target && qt_now() < until)
		usleep(1000);
	/* Its next drain waits in flush_work() behind the spinner. */
	killed = kill_mid_run(fd, pid, &t_kill, &reaped_after);
	qt_check(killed, "orphan-after-kill",
		 "child killed with its drain in flush_work(), reaped after %.3f s", reaped_after);
	valid_run(&r);
	ret = qt_run(fd, &r);
	blocked = ret == -EBUSY;
	atomic_store(&foreign_spin, false);
	pthread_join(spinner, NULL);
	qt_check(blocked, "orphan-blocks-runs", "a run while the left thread is blocked: %s, want EBUSY",
		 errname(ret));
	ret = run_when_free(fd);
	qt_check(ret == 0, "orphan-ends", "once the RT task let the work run, the next run: %s",
		 errname(ret));
out_affinity:
	sched_setaffinity(0, sizeof(old_set), &old_set);
	write_long(rt_runtime, old_runtime);
}

static bool write_online(unsigned int cpu, const char *val)
{
	char path[96];
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%u/online", cpu);
	f = fopen(path, "w");
	if (!f)
		return false;
	ok = fputs(val, f) >= 0;
	return fclose(f) == 0 && ok;
}

struct offliner {
	unsigned int cpu;
	bool ok;
};

static void *offliner_main(void *arg)
{
	struct offliner *o = arg;

	o->ok = write_online(o->cpu, "0");
	return NULL;
}

static void test_hotplug(int fd)
{
	unsigned int victim = cpus[ncpus - 1];
	struct offliner off = { .cpu = victim };
	struct bg_run bg = { .fd = fd };
	struct qpwbench_run r;
	pthread_t tid, otid;

	if (ncpus < 2 || victim == 0 || !write_online(victim, "0")) {
		qt_part_skip("hotplug", "cannot take a CPU offline here");
		return;
	}
	valid_run(&r); qpwbench_mask_set(r.cpus, victim);
	expect_errno(fd, "mask-cpu-offline", &r, ENODEV);
	valid_run(&r); r.caller_cpu = victim;
	expect_errno(fd, "caller-cpu-offline", &r, ENODEV);
	if (!qt_check(write_online(victim, "1"), "hotplug-online", "cpu%u back online", victim))
		return;

	/*
	 * Offline a CPU of a running stress: the module does not hold the
	 * hotplug lock across a run, so the offline goes through; the run ends
	 * early with QPWBENCH_RES_CPU_OFFLINE and every op it did accounted for.
	 */
	qt_run_init(&bg.r, QPWBENCH_SCENARIO_STRESS, QPWBENCH_VARIANT_WQ);
	bg.r.caller_cpu = cpus[0];
	/*
	 * About 20 s of ops, so the offline request lands mid-run even where
	 * taking a CPU down takes seconds (arm64 under TCG); the offline ends
	 * the run early.
	 */
	bg.r.iterations = stress_rate > 0 ? (__u64)(20 * stress_rate) : 3000000;
	if (bg.r.iterations < 100000)
		bg.r.iterations = 100000;
	if (bg.r.iterations > QPWBENCH_MAX_ITERATIONS)
		bg.r.iterations = QPWBENCH_MAX_ITERATIONS;
	all_cpus(&bg.r);
	if (!start_bg_run(&bg, &tid)) {
		qt_check(false, "hotplug-during-run", "the stress run was not seen running");
		pthread_join(tid, NULL);
		printf("     it ended with %s\n", errname(bg.ret));
		return;
	}
	pthread_create(&otid, NULL, offliner_main, &off);
	pthread_join(tid, NULL);
	pthread_join(otid, NULL);
	qt_check(bg.ret == 0 && conserved(&bg.r.result) && off.ok &&
		 (bg.r.result.flags & QPWBENCH_RES_CPU_OFFLINE) &&
		 bg.r.result.ops_done < bg.r.iterations * ncpus, "hotplug-during-run",
		 "run %s, flags %#x, done %llu of %llu, lost %lld; cpu%u offline %s",
		 errname(bg.ret), bg.r.result.flags, (unsigned long long)bg.r.result.ops_done,
		 (unsigned long long)(bg.r.iterations * ncpus),
		 (long long)(bg.r.result.ops_done - bg.r.result.ops_drained -
			     bg.r.result.ops_remaining), victim, off.ok ? "done" : "failed");
	write_online(victim, "1");
	valid_run(&r);
	qt_check(qt_run(fd, &r) == 0, "hotplug-after", "runs work after cpu%u came back", victim);
}

/* A run longer than the module's 60 s cap ends there with a partial result. */
static void test_run_cap(int fd)
{
	struct qpwbench_run r;
	int ret;

	qt_run_init(&r, QPWBENCH_SCENARIO_LOCAL, QPWBENCH_VARIANT_WQ);
	r.iterations = QPWBENCH_MAX_ITERATIONS;
	r.batch = QPWBENCH_MAX_BATCH;
	all_cpus(&r);
	ret = qt_run(fd, &r);
	qt_check(!ret && (r.result.flags & QPWBENCH_RES_INTERRUPTED) &&
		 r.result.hist.count < r.iterations * ncpus && conserved(&r.result), "run-cap",
		 "%s after %.1f s with %llu of %llu samples, flags %#x", errname(ret),
		 r.result.elapsed_ns / 1e9, (unsigned long long)r.result.hist.count,
		 (unsigned long long)(r.iterations * ncpus), r.result.flags);
}

int main(int argc, char **argv)
{
	unsigned long long ops = 1000000;
	bool run_cap = false;
	int fd;

	qt_prog = "qpwbench-selftest";
	for (int i = 1; i < argc; i++) {
		char *end;

		if (!strcmp(argv[i], "--ops") && i + 1 < argc) {
			ops = strtoull(argv[++i], &end, 0);
			if (*end || !ops || ops > QPWBENCH_MAX_ITERATIONS) {
				fprintf(stderr, "%s: --ops wants 1..%llu\n", qt_prog,
					(unsigned long long)QPWBENCH_MAX_ITERATIONS);
				return 2;
			}
		} else if (!strcmp(argv[i], "--run-cap")) {
			run_cap = true;
		} else {
			fprintf(stderr, "usage: %s [--ops N] [--run-cap]\n"
				"  --ops N     stress ops per variant (default 1000000)\n"
				"  --run-cap   also check that a run stops at the 60 s cap (takes 60 s)\n",
				qt_prog);
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	fd = qt_open();
	test_info(fd);
	test_capability();
	test_bad_inputs(fd);
	test_scenarios(fd);
	test_stress(fd, ops, QPWBENCH_LOCK_PLAIN);
	/* irqsave: the same checks with interrupts off around each op (a quarter of the ops). */
	test_stress(fd, ops / 4 + 1, QPWBENCH_LOCK_IRQSAVE);
	test_busy(fd);
	test_fatal_signal();
	test_orphan(fd);
	test_hotplug(fd);
	if (run_cap)
		test_run_cap(fd);
	else
		qt_part_skip("run-cap", "not asked for (--run-cap: a run of 60 s)");
	close(fd);
	return qt_finish();
}
