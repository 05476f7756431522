// SPDX-License-Identifier: GPL-2.0
/*
 * qpwbench-rtcheck: what an RT task on the target CPU does to a remote drain.
 *
 *   qpwbench-rtcheck [--caller CPU] [--target CPU] [--drains N] [--bound-ms MS]
 *                    [--part fifo|preempted|all]
 *
 * --part runs only the FIFO spinner's part (rt-*) or only the
 * owner-preempted part (preempted-*); the default runs both.
 *
 * The module's SCHED_FIFO spinner (QPWBENCH_LOAD_FIFO: priority 50, above
 * every kworker) occupies --target while the module drains it from
 * --caller, --drains times. Queued drains (wq, qpw-off, and qpw on !RT) wait
 * in flush_work() for the target's kworker, which the spinner keeps off the
 * CPU until the work has waited --bound-ms; then it sleeps until the work
 * has run: every such drain stalls and takes the spinner off its CPU.
 * Inline drains (qpw-on everywhere, qpw on PREEMPT_RT) take the target's
 * lock from the caller and must complete without a stall, without running
 * anything on the target, and without a single context switch of the
 * spinner (no involuntary one: nothing preempted it).
 *
 * Then the owner-preempted load (QPWBENCH_LOAD_OWNER_PREEMPTED): an owner on
 * --target and a SCHED_FIFO task (priority 50) that preempts it inside its
 * critical section before every drain. On PREEMPT_RT inline drainers (at
 * priority 51) block on the owner's sleeping lock, priority inheritance
 * lifts the owner above the FIFO task, and every drain completes: no stall,
 * every entry conserved, and the FIFO task switched out involuntarily at
 * least once per drain that met the held lock. Queued drains' kworkers
 * cannot preempt it: no more than the odd involuntary switch from elsewhere
 * (one in ten drains at most), and the drains stall at the
 * bound (its spin, 10 ms, is longer). Elsewhere the load must be refused
 * with EOPNOTSUPP (a !RT lock holder cannot be preempted).
 * Prints the figures; exit 0 when every variant behaved as its mechanism
 * says, 1 otherwise, 77 when it cannot run here (reason printed).
 */
#include <sched.h>

#include "qpwbench_test.h"

static long read_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = 0;

	if (!f)
		return 0;
	if (fscanf(f, "%ld", &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

static unsigned long parse_arg(const char *opt, const char *val, unsigned long max)
{
	char *end;
	unsigned long v = strtoul(val, &end, 0);

	if (*end || v > max) {
		fprintf(stderr, "qpwbench-rtcheck: %s wants 0..%lu, got '%s'\n", opt, max, val);
		exit(2);
	}
	return v;
}

/* Run @r, retrying while work an earlier variant left is settling. */
static int run_settled(int fd, struct qpwbench_run *r)
{
	int ret, tries = 0;

	while ((ret = qt_run(fd, r)) == -EBUSY && ++tries < 50)
		usleep(100000);
	return ret;
}

static void owner_preempted(int fd, unsigned int caller, unsigned int target,
			    unsigned long drains, unsigned long bound_ms, bool rt)
{
	static struct qpwbench_drain_stats ds;

	for (unsigned int v = 0; v < QPWBENCH_NR_VARIANTS; v++) {
		bool inline_drain = v == QPWBENCH_VARIANT_QPW_ON || (v == QPWBENCH_VARIANT_QPW && rt);
		const struct qpwbench_result *res;
		struct qpwbench_run r;
		char name[64];
		int ret;

		if (v == QPWBENCH_VARIANT_GLOBAL)
			continue;	/* nothing to drain */
		snprintf(name, sizeof(name), "preempted-%s", qt_variant_names[v]);
		qt_run_init(&r, QPWBENCH_SCENARIO_REMOTE, v);
		r.caller_cpu = caller;
		r.target_load = QPWBENCH_LOAD_OWNER_PREEMPTED;
		r.drain_flags = QPWBENCH_DRAIN_FILL;
		r.fill = 8;
		/* The FIFO task's spin: longer than the bound, so a queued drain stalls. */
		r.owner_hold_ns = QPWBENCH_MAX_OWNER_HOLD_NS;
		r.iterations = drains;
		r.wait_bound_ns = (bound_ms < 10 ? bound_ms : 2) * 1000000ULL;
		r.drain_stats = (uintptr_t)&ds;
		qpwbench_mask_set(r.cpus, target);
		ret = run_settled(fd, &r);
		if (!rt) {
			qt_check(ret == -EOPNOTSUPP, name, "not PREEMPT_RT: refused with %s, want EOPNOTSUPP",
				 ret ? strerror(-ret) : "success");
			continue;
		}
		if (!qt_check(!ret, name, "run: %s", strerror(-ret)))
			continue;
		res = &r.result;
		printf("     %s: drain p50 %.1f us max %.1f us; drains %llu stalls %llu held %llu "
		       "on_target %llu on_caller %llu; FIFO task gap p50 %.1f us max %.1f us, "
		       "switches %llu (involuntary %llu)\n", name,
		       qt_hist_quantile(&res->hist, 0.5) / 1e6, res->hist.max / 1e6,
		       (unsigned long long)res->drains, (unsigned long long)res->stalls,
		       (unsigned long long)res->held_drains, (unsigned long long)res->ran_on_target,
		       (unsigned long long)res->ran_on_caller,
		       qt_hist_quantile(&ds.target_gap, 0.5) / 1e6, ds.target_gap.max / 1e6,
		       (unsigned long long)res->target_switches,
		       (unsigned long long)res->target_preemptions);
		qt_check(res->ops_done == res->ops_drained + res->ops_remaining &&
			 res->entries_drained > 0, name,
			 "conservation: done %llu drained %llu remaining %llu, %llu entries drained",
			 (unsigned long long)res->ops_done, (unsigned long long)res->ops_drained,
			 (unsigned long long)res->ops_remaining,
			 (unsigned long long)res->entries_drained);
		qt_check(res->held_drains >= 1 && res->held_drains <= drains, name,
			 "%llu of %lu drains met the held, preempted lock",
			 (unsigned long long)res->held_drains, drains);
		if (inline_drain) {
			qt_check(res->stalls == 0 && res->drains == drains && res->ran_on_caller == drains,
				 name, "every drain finished inline: %llu drains, %llu stalls",
				 (unsigned long long)res->drains, (unsigned long long)res->stalls);
			/*
			 * Once per held drain, but for at most 1 in 10: a drain is
			 * counted held when it begins, and if the caller then waits
			 * for the host past the FIFO task's hold (owner_hold_ns), the
			 * task sleeps and the owner runs without preempting it (a
			 * vm-rt run: 19 for 20 held drains). Without priority
			 * inheritance there would be no preemption at all.
			 */
			qt_check(res->target_preemptions * 10 >= res->held_drains * 9 &&
				 res->target_preemptions >= 1, name,
				 "priority inheritance preempted the FIFO task: %llu involuntary switches for %llu held drains (at least 9 in 10)",
				 (unsigned long long)res->target_preemptions,
				 (unsigned long long)res->held_drains);
		} else {
			/*
			 * A kworker preempting it would do so once per drain; an odd
			 * preemption is something else (the per-CPU stopper thread that
			 * the soft-lockup watchdog wakes every 4 s outranks every FIFO task).
			 */
			qt_check(res->target_preemptions * 10 <= drains, name,
				 "the kworker never preempted the FIFO task: %llu involuntary switches in %lu drains (at most 1 in 10 from elsewhere)",
				 (unsigned long long)res->target_preemptions, drains);
			qt_check(res->stalls >= 1 && res->ran_on_caller == 0, name,
				 "the drains stalled instead: %llu stalls of %lu drains",
				 (unsigned long long)res->stalls, drains);
		}
		usleep(100000);
	}
}

int main(int argc, char **argv)
{
	long caller = -1, target = -1;
	unsigned long drains = 20, bound_ms = 50;
	bool part_fifo = true, part_preempted = true;
	struct qpwbench_info info;
	cpu_set_t set;
	bool rt;
	int fd;

	qt_prog = "qpwbench-rtcheck";
	for (int i = 1; i < argc; i += 2) {
		if (i + 1 >= argc)
			goto usage;
		if (!strcmp(argv[i], "--caller"))
			caller = (long)parse_arg(argv[i], argv[i + 1], QPWBENCH_MAX_CPUS - 1);
		else if (!strcmp(argv[i], "--target"))
			target = (long)parse_arg(argv[i], argv[i + 1], QPWBENCH_MAX_CPUS - 1);
		else if (!strcmp(argv[i], "--drains"))
			drains = parse_arg(argv[i], argv[i + 1], 100000);
		else if (!strcmp(argv[i], "--part") && !strcmp(argv[i + 1], "fifo"))
			part_preempted = false;
		else if (!strcmp(argv[i], "--part") && !strcmp(argv[i + 1], "preempted"))
			part_fifo = false;
		else if (!strcmp(argv[i], "--part") && !strcmp(argv[i + 1], "all"))
			part_fifo = part_preempted = true;
		else if (!strcmp(argv[i], "--bound-ms"))
			bound_ms = parse_arg(argv[i], argv[i + 1],
					     QPWBENCH_MAX_WAIT_BOUND_NS / 1000000);
		else
			goto usage;
	}
	if (!drains || !bound_ms)
		goto usage;
	setvbuf(stdout, NULL, _IOLBF, 0);

	fd = qt_open();
	qt_info(fd, &info);
	rt = info.preempt_rt;
	for (unsigned int cpu = 0; cpu < QPWBENCH_MAX_CPUS && (caller < 0 || target < 0); cpu++) {
		if (!qt_cpu_online(&info, cpu))
			continue;
		if (caller < 0)
			caller = cpu;
		else if (target < 0 && (long)cpu != caller)
			target = cpu;
	}
	if (target < 0)
		qt_skip("needs two online CPUs");
	if (target == caller || !qt_cpu_online(&info, (unsigned int)caller) ||
	    !qt_cpu_online(&info, (unsigned int)target)) {
		fprintf(stderr, "qpwbench-rtcheck: --caller and --target must be two different online CPUs\n");
		return 2;
	}
	/* Our own ioctl must not be stuck behind the spinner. */
	CPU_ZERO(&set);
	CPU_SET(caller, &set);
	sched_setaffinity(0, sizeof(set), &set);

	printf("kernel: %s; the module's SCHED_FIFO spinner on cpu%ld, drains from cpu%ld; %lu drains, "
	       "bound %lu ms; sched_rt_runtime_us %ld / period %ld\n",
	       rt ? "PREEMPT_RT" : "not RT", target, caller, drains, bound_ms,
	       read_long("/proc/sys/kernel/sched_rt_runtime_us"),
	       read_long("/proc/sys/kernel/sched_rt_period_us"));

	for (unsigned int v = 0; v < QPWBENCH_NR_VARIANTS; v++) {
		bool inline_drain = v == QPWBENCH_VARIANT_QPW_ON || (v == QPWBENCH_VARIANT_QPW && rt);
		const struct qpwbench_result *res;
		struct qpwbench_run r;
		char name[64];
		int ret, tries = 0;

		if (v == QPWBENCH_VARIANT_GLOBAL || !part_fifo)
			continue;	/* nothing to drain, or not asked for */
		snprintf(name, sizeof(name), "rt-%s", qt_variant_names[v]);
		qt_run_init(&r, QPWBENCH_SCENARIO_REMOTE, v);
		r.caller_cpu = (unsigned int)caller;
		r.target_load = QPWBENCH_LOAD_FIFO;
		/* The spinner's batch is empty: drain it anyway, as lru_cache_disable() does. */
		r.drain_flags = QPWBENCH_DRAIN_EMPTY;
		r.iterations = drains;
		r.wait_bound_ns = bound_ms * 1000000ULL;
		qpwbench_mask_set(r.cpus, (unsigned int)target);
		/* Work left queued by the previous variant may still be settling. */
		while ((ret = qt_run(fd, &r)) == -EBUSY && ++tries < 50)
			usleep(100000);
		if (!qt_check(!ret, name, "run: %s", strerror(-ret)))
			continue;
		res = &r.result;
		printf("     %s: drain p50 %.1f us p99 %.1f us max %.1f us; drains %llu stalls %llu "
		       "on_target %llu on_caller %llu; spinner switches %llu (preempted %llu)\n", name,
		       qt_hist_quantile(&res->hist, 0.5) / 1e6, qt_hist_quantile(&res->hist, 0.99) / 1e6,
		       res->hist.max / 1e6, (unsigned long long)res->drains,
		       (unsigned long long)res->stalls, (unsigned long long)res->ran_on_target,
		       (unsigned long long)res->ran_on_caller,
		       (unsigned long long)res->target_switches,
		       (unsigned long long)res->target_preemptions);
		if (inline_drain) {
			qt_check(res->stalls == 0 && res->ran_on_caller == drains &&
				 res->ran_on_target == 0, name,
				 "completes inline without waiting for the spinner");
			qt_check(res->target_switches == 0 && res->target_preemptions == 0, name,
				 "leaves the spinner on its CPU: %llu switches, %llu involuntary",
				 (unsigned long long)res->target_switches,
				 (unsigned long long)res->target_preemptions);
		} else {
			/* RT throttling may hand the kworker the CPU before the bound once in a while. */
			qt_check(res->ran_on_caller == 0 && res->stalls > 0 &&
				 res->ran_on_target == drains, name,
				 "waits for the spinner: %llu of %lu drains stalled at %lu ms, then ran on the target",
				 (unsigned long long)res->stalls, drains, bound_ms);
			qt_check(res->target_switches >= res->stalls, name,
				 "takes the spinner off its CPU: %llu switches for %llu stalls",
				 (unsigned long long)res->target_switches,
				 (unsigned long long)res->stalls);
		}
		/* Let the queued work that stalled run before the next variant. */
		usleep(100000);
	}
	if (part_preempted)
		owner_preempted(fd, (unsigned int)caller, (unsigned int)target, drains, bound_ms, rt);
	close(fd);
	return qt_finish();
usage:
	fprintf(stderr, "usage: qpwbench-rtcheck [--caller CPU] [--target CPU] [--drains N] [--bound-ms MS] [--part fifo|preempted|all]\n");
	return 2;
}
