// SPDX-License-Identifier: GPL-2.0
/* The harness clock: choice of counter, invariance check, calibration, cost. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>
#endif

#include "timer.h"

enum timer_source timer_source_active = TIMER_CLOCK_GETTIME;

static struct timer_info info;
static double ps_per_tick = 1000.0;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_rc;
static char init_err[160];

/* Calibration: rounds of this length, the median ratio wins. */
#define CALIBRATION_ROUNDS	5
#define CALIBRATION_ROUND_NS	10000000ull
/* Cost: batches of back-to-back start/end pairs, the median batch wins. */
#define COST_BATCHES		201
#define COST_PAIRS		64

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * One clock_gettime() reading bracketed by two counter reads; the tightest
 * of a few brackets places the wall-clock reading best on the tick scale.
 */
static void paired_read(uint64_t *ticks, uint64_t *ns)
{
	uint64_t best = UINT64_MAX;

	for (int i = 0; i < 8; i++) {
		uint64_t a = timer_start();
		uint64_t t = timer_clock_ns();
		uint64_t b = timer_end();

		if (b - a < best) {
			best = b - a;
			*ticks = a + (b - a) / 2;
			*ns = t;
		}
	}
}

static double calibrate_ticks_per_ns(void)
{
	double ratio[CALIBRATION_ROUNDS];

	for (int r = 0; r < CALIBRATION_ROUNDS; r++) {
		uint64_t t0, n0, t1, n1;

		paired_read(&t0, &n0);
		while (timer_clock_ns() - n0 < CALIBRATION_ROUND_NS)
			;
		paired_read(&t1, &n1);
		ratio[r] = (double)(t1 - t0) / (double)(n1 - n0);
	}
	qsort(ratio, CALIBRATION_ROUNDS, sizeof(ratio[0]), cmp_double);
	return ratio[CALIBRATION_ROUNDS / 2];
}

static double measure_cost_ns(void)
{
	double batch[COST_BATCHES];

	for (int i = 0; i < COST_BATCHES; i++) {
		uint64_t t0 = timer_start();

		for (int j = 0; j < COST_PAIRS; j++) {
			uint64_t a = timer_start();
			uint64_t b = timer_end();

			__asm__ __volatile__("" :: "r"(a), "r"(b));
		}
		batch[i] = timer_ticks_to_ns(timer_end() - t0) / (2.0 * COST_PAIRS);
	}
	qsort(batch, COST_BATCHES, sizeof(batch[0]), cmp_double);
	return batch[COST_BATCHES / 2];
}

/* Back-to-back reads: the smallest nonzero step between two of them. */
#define STEP_READS		200000

static double measure_step_ns(void)
{
	uint64_t prev = timer_start(), step = UINT64_MAX;

	for (int i = 0; i < STEP_READS; i++) {
		uint64_t now = timer_start();

		if (now > prev && now - prev < step)
			step = now - prev;
		prev = now;
	}
	return step == UINT64_MAX ? 0 : timer_ticks_to_ns(step);
}

/* The median of COST_BATCHES x COST_PAIRS timed empty regions. */
static double measure_overhead_ns(void)
{
	static double region[COST_BATCHES * COST_PAIRS];
	size_t n = sizeof(region) / sizeof(region[0]);

	for (size_t i = 0; i < n; i++) {
		uint64_t a = timer_start();
		uint64_t b = timer_end();

		region[i] = timer_ticks_to_ns(b - a);
	}
	qsort(region, n, sizeof(region[0]), cmp_double);
	return region[n / 2];
}

#if defined(__x86_64__)
/* /proc/cpuinfo's first flags line has this flag as a whole word. */
static bool cpuinfo_flag(const char *flag)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[8192];
	bool found = false;
	size_t len = strlen(flag);

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "flags", 5))
			continue;
		for (char *p = strstr(line, flag); p; p = strstr(p + 1, flag))
			if (p[-1] == ' ' && (p[len] == ' ' || p[len] == '\n')) {
				found = true;
				break;
			}
		break;
	}
	fclose(f);
	return found;
}

/*
 * The TSC is usable when it is invariant: CPUID 0x80000007 EDX bit 8, or
 * Linux's constant_tsc + nonstop_tsc flags (hypervisors often hide the CPUID
 * bit while the kernel still knows). Returns the verdict, explains it.
 */
static bool tsc_invariant(char *why, size_t len)
{
	unsigned int a, b, c, d;
	bool cpuid_bit = false;
	bool constant = cpuinfo_flag("constant_tsc");
	bool nonstop = cpuinfo_flag("nonstop_tsc");

	if (__get_cpuid_max(0x80000000, NULL) >= 0x80000007 &&
	    __get_cpuid(0x80000007, &a, &b, &c, &d))
		cpuid_bit = d & (1u << 8);
	snprintf(why, len, "CPUID 0x80000007 EDX[8] invariant TSC %s; /proc/cpuinfo constant_tsc %s, nonstop_tsc %s",
		 cpuid_bit ? "set" : "clear", constant ? "yes" : "no", nonstop ? "yes" : "no");
	return cpuid_bit || (constant && nonstop);
}
#endif

static void timer_do_init(void)
{
	struct timespec res;

	info.source = TIMER_CLOCK_GETTIME;
	info.name = "clock_gettime";
	info.invariant = true;
	snprintf(info.invariance, sizeof(info.invariance),
		 "CLOCK_MONOTONIC_RAW (no usable cycle-rate counter on this architecture)");
#if defined(__x86_64__)
	char why[sizeof(info.invariance) - 48];

	if (tsc_invariant(why, sizeof(why))) {
		info.source = TIMER_TSC;
		info.name = "tsc";
		info.counts_cycles = true;
		snprintf(info.invariance, sizeof(info.invariance), "%s", why);
	} else {
		snprintf(info.invariance, sizeof(info.invariance), "TSC not invariant, using clock_gettime: %s", why);
	}
#elif defined(__aarch64__)
	uint64_t frq;

	__asm__ __volatile__("mrs %0, cntfrq_el0" : "=r"(frq));
	if (frq) {
		info.source = TIMER_CNTVCT;
		info.name = "cntvct";
		info.nominal_ticks_per_ns = (double)frq / 1e9;
		snprintf(info.invariance, sizeof(info.invariance),
			 "architectural: the generic timer counts at a constant rate (cntfrq_el0 %llu Hz)",
			 (unsigned long long)frq);
	} else {
		snprintf(info.invariance, sizeof(info.invariance),
			 "cntfrq_el0 is 0 (firmware did not set it), using clock_gettime");
	}
#endif
	timer_source_active = info.source;
	if (info.source == TIMER_CLOCK_GETTIME) {
		info.ticks_per_ns = 1.0;
		clock_getres(CLOCK_MONOTONIC_RAW, &res);
		info.tick_ns = (double)res.tv_sec * 1e9 + (double)res.tv_nsec;
	} else {
		info.ticks_per_ns = calibrate_ticks_per_ns();
		/* cntfrq_el0 is exact by definition; calibration only checks it. */
		if (info.nominal_ticks_per_ns > 0 &&
		    info.ticks_per_ns > 0.99 * info.nominal_ticks_per_ns &&
		    info.ticks_per_ns < 1.01 * info.nominal_ticks_per_ns)
			info.ticks_per_ns = info.nominal_ticks_per_ns;
		info.tick_ns = 1.0 / info.ticks_per_ns;
	}
	if (!(info.ticks_per_ns > 1e-3 && info.ticks_per_ns < 1e3)) {
		snprintf(init_err, sizeof(init_err),
			 "timer %s calibrated to an impossible %.6g ticks/ns", info.name, info.ticks_per_ns);
		init_rc = -EIO;
		return;
	}
	ps_per_tick = 1000.0 / info.ticks_per_ns;
	info.cost_ns = measure_cost_ns();
	info.overhead_ns = measure_overhead_ns();
	info.step_ns = measure_step_ns();
	info.resolution_ns = info.step_ns > info.tick_ns ? info.step_ns : info.tick_ns;
}

int timer_init(char *err, size_t errlen)
{
	pthread_once(&init_once, timer_do_init);
	if (init_rc && err)
		snprintf(err, errlen, "%s", init_err);
	return init_rc;
}

const struct timer_info *timer_get_info(void)
{
	return &info;
}

uint64_t timer_ticks_to_ps(uint64_t ticks)
{
	return (uint64_t)((double)ticks * ps_per_tick + 0.5);
}

double timer_ticks_to_ns(uint64_t ticks)
{
	return (double)ticks * ps_per_tick / 1000.0;
}

uint64_t timer_ns_to_ticks(uint64_t ns)
{
	return (uint64_t)((double)ns * 1000.0 / ps_per_tick + 0.5);
}
