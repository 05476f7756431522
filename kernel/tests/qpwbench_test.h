/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the /dev/qpwbench test programs. Header-only so that each
 * program stays one C file plus the uapi header, easy to cross-build:
 *   cc -std=gnu11 -O2 -static -Ikernel/uapi -Ikernel/tests prog.c -lpthread
 */
#ifndef QPWBENCH_TEST_H
#define QPWBENCH_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "qpwbench.h"

#define QT_EXIT_PASS	0
#define QT_EXIT_FAIL	1
#define QT_EXIT_SKIP	77

#define QT_NAME(id, name) name,
static const char *const qt_variant_names[] = { QPWBENCH_VARIANTS(QT_NAME) };
static const char *const qt_scenario_names[] = { QPWBENCH_SCENARIOS(QT_NAME) };
#undef QT_NAME

static const char *qt_prog = "qpwbench-test";
static unsigned int qt_passed, qt_failed;

/* Record one check: "PASS name: details" or "FAIL name: details". */
__attribute__((format(printf, 3, 4)))
static inline bool qt_check(bool ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("%s %s: ", ok ? "PASS" : "FAIL", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (ok)
		qt_passed++;
	else
		qt_failed++;
	return ok;
}

/*
 * A part that cannot run here while the rest passes: one line
 * "QPWBENCH-PART-SKIPPED prog name: why", which scripts/test's summary
 * (scripts/lib/summary.py) shows, so the part is not missed in silence.
 */
__attribute__((format(printf, 2, 3)))
static inline void qt_part_skip(const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("QPWBENCH-PART-SKIPPED %s %s: ", qt_prog, name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* Final marker line (the vm suite matches it) and exit code. */
static inline int qt_finish(void)
{
	printf("%s: %u passed, %u failed\n", qt_prog, qt_passed, qt_failed);
	printf("QPWBENCH-TEST %s RESULT: %s\n", qt_prog, qt_failed ? "FAIL" : "PASS");
	return qt_failed ? QT_EXIT_FAIL : QT_EXIT_PASS;
}

static inline void qt_skip(const char *why)
{
	printf("SKIP %s: %s\n", qt_prog, why);
	printf("QPWBENCH-TEST %s RESULT: SKIP\n", qt_prog);
	exit(QT_EXIT_SKIP);
}

/* Open the device and check its ABI; skips (77) when it cannot be used here. */
static inline int qt_open(void)
{
	char why[256];
	int fd = open(QPWBENCH_DEVICE, O_RDWR | O_CLOEXEC);
	int version;

	if (fd < 0) {
		if (errno == ENOENT || errno == ENXIO || errno == ENODEV)
			snprintf(why, sizeof(why),
				 "%s absent (qpwbench.ko not loaded; the vm suite runs this in guests)",
				 QPWBENCH_DEVICE);
		else if (errno == EACCES || errno == EPERM)
			snprintf(why, sizeof(why), "%s: %s (mode 0600: run as root)",
				 QPWBENCH_DEVICE, strerror(errno));
		else
			snprintf(why, sizeof(why), "%s: %s", QPWBENCH_DEVICE, strerror(errno));
		qt_skip(why);
	}
	version = ioctl(fd, QPWBENCH_IOC_VERSION);
	if (version != QPWBENCH_ABI_VERSION) {
		printf("FAIL abi-version: module answers %d (%s), tests expect %d\n",
		       version, version < 0 ? strerror(errno) : "ok", QPWBENCH_ABI_VERSION);
		printf("QPWBENCH-TEST %s RESULT: FAIL\n", qt_prog);
		exit(QT_EXIT_FAIL);
	}
	return fd;
}

/* ioctl returning 0 or -errno. */
static inline int qt_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

static inline void qt_info(int fd, struct qpwbench_info *info)
{
	int ret;

	memset(info, 0, sizeof(*info));
	ret = qt_ioctl(fd, QPWBENCH_IOC_INFO, info);
	if (ret) {
		if (ret == -E2BIG)
			printf("FAIL info: this kernel has more CPUs (nr_cpu_ids) than the uapi's masks name (QPWBENCH_MAX_CPUS %d)\n",
			       QPWBENCH_MAX_CPUS);
		else
			printf("FAIL info: %s\n", strerror(-ret));
		printf("QPWBENCH-TEST %s RESULT: FAIL\n", qt_prog);
		exit(QT_EXIT_FAIL);
	}
}

static inline bool qt_cpu_online(const struct qpwbench_info *info, unsigned int cpu)
{
	return cpu < QPWBENCH_MAX_CPUS && qpwbench_mask_test(info->online, cpu);
}

/* A request with the header filled and everything else zero. */
static inline void qt_run_init(struct qpwbench_run *r, __u32 scenario, __u32 variant)
{
	memset(r, 0, sizeof(*r));
	r->size = sizeof(*r);
	r->version = QPWBENCH_ABI_VERSION;
	r->scenario = scenario;
	r->variant = variant;
}

/*
 * A remote owner-preempted run: the caller drains the target, whose owner
 * fills 8 entries per drain and is preempted holding its lock by its FIFO
 * task, which spins for the longest hold the uapi allows; the drainer has
 * drainer_policy; counts and times go to ds.
 */
static inline void qt_preempted_run_init(struct qpwbench_run *r, __u32 variant,
					 unsigned int caller, unsigned int target,
					 __u32 drainer_policy, __u32 drains, __u64 wait_bound_ns,
					 struct qpwbench_drain_stats *ds)
{
	qt_run_init(r, QPWBENCH_SCENARIO_REMOTE, variant);
	r->caller_cpu = caller;
	r->target_load = QPWBENCH_LOAD_OWNER_PREEMPTED;
	r->drainer_policy = drainer_policy;
	r->drain_flags = QPWBENCH_DRAIN_FILL;
	r->fill = 8;
	r->owner_hold_ns = QPWBENCH_MAX_OWNER_HOLD_NS;
	r->iterations = drains;
	r->wait_bound_ns = wait_bound_ns;
	r->drain_stats = (uintptr_t)ds;
	qpwbench_mask_set(r->cpus, target);
}

static inline int qt_run(int fd, struct qpwbench_run *r)
{
	return qt_ioctl(fd, QPWBENCH_IOC_RUN, r);
}

/* Value at quantile q (0..1) of a result histogram, in picoseconds. */
static inline __u64 qt_hist_quantile(const struct qpwbench_hist *h, double q)
{
	__u64 want = (__u64)(q * (double)h->count), seen = 0;
	__u32 b;

	if (!h->count)
		return 0;
	for (b = 0; b < QPWBENCH_HIST_BUCKETS; b++) {
		seen += h->buckets[b];
		if (seen > want)
			return qpwbench_hist_bucket_low(b);
	}
	return h->max;
}

static inline double qt_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#endif /* QPWBENCH_TEST_H */
