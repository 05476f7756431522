/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The harness clock: the cheapest counter that ticks at a constant rate on
 * every CPU, calibrated once against CLOCK_MONOTONIC_RAW.
 *
 *   x86_64   rdtsc (start) / rdtscp (end), when the TSC is invariant
 *   arm64    cntvct_el0, frequency from cntfrq_el0 (checked by calibration)
 *   other    clock_gettime(CLOCK_MONOTONIC_RAW), ticks are nanoseconds
 *
 * Usage: timer_init() once per process (idempotent, thread-safe), then
 * t0 = timer_start(); ...; t1 = timer_end(); timer_ticks_to_ps(t1 - t0).
 */
#ifndef QPWBENCH_CORE_TIMER_H
#define QPWBENCH_CORE_TIMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

enum timer_source {
	TIMER_CLOCK_GETTIME,	/* fallback: CLOCK_MONOTONIC_RAW nanoseconds */
	TIMER_TSC,		/* x86_64 time-stamp counter */
	TIMER_CNTVCT,		/* arm64 virtual counter */
};

struct timer_info {
	enum timer_source source;
	const char *name;	/* the CSV "timer" column: tsc, cntvct, clock_gettime */
	double ticks_per_ns;	/* calibrated against CLOCK_MONOTONIC_RAW */
	double nominal_ticks_per_ns;	/* cntfrq_el0, or 0 when the hardware does not say */
	double tick_ns;		/* one tick, or clock_getres() for the fallback */
	/*
	 * The smallest nonzero difference seen between back-to-back reads: a
	 * virtualized or scaled TSC can move in steps of many ticks.
	 */
	double step_ns;
	double resolution_ns;	/* the larger of tick_ns and step_ns: what a figure can resolve */
	double cost_ns;		/* median cost of one timer_start()+timer_end() pair / 2 */
	/* A timed empty region (timer_start(); timer_end()), median: the CSV timer_overhead_ns. */
	double overhead_ns;
	/*
	 * Ticks of a free-running counter at a constant rate (the TSC): the CSV
	 * ticks column, at tick_mhz. Not core cycles.
	 */
	bool counts_cycles;
	bool invariant;		/* constant rate, not stopped in idle, same on every CPU */
	char invariance[192];	/* how invariance was established, or why the fallback */
};

/* The source the inline readers use; set by timer_init(). */
extern enum timer_source timer_source_active;

/* Calibrate (about 50 ms, once). 0, or -errno with one line in err. */
int timer_init(char *err, size_t errlen);
/* After timer_init(). */
const struct timer_info *timer_get_info(void);

static inline uint64_t timer_clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Read the counter before a timed region (not reordered after later loads). */
static inline uint64_t timer_start(void)
{
#if defined(__x86_64__)
	if (timer_source_active == TIMER_TSC) {
		uint32_t lo, hi;

		__asm__ __volatile__("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) :: "memory");
		return ((uint64_t)hi << 32) | lo;
	}
#elif defined(__aarch64__)
	if (timer_source_active == TIMER_CNTVCT) {
		uint64_t v;

		/* The second isb keeps the timed region from starting before the read. */
		__asm__ __volatile__("isb; mrs %0, cntvct_el0; isb" : "=r"(v) :: "memory");
		return v;
	}
#endif
	return timer_clock_ns();
}

/* Read the counter after a timed region (waits for earlier instructions). */
static inline uint64_t timer_end(void)
{
#if defined(__x86_64__)
	if (timer_source_active == TIMER_TSC) {
		uint32_t lo, hi, aux;

		__asm__ __volatile__("rdtscp; lfence" : "=a"(lo), "=d"(hi), "=c"(aux) :: "memory");
		return ((uint64_t)hi << 32) | lo;
	}
#elif defined(__aarch64__)
	if (timer_source_active == TIMER_CNTVCT) {
		uint64_t v;

		__asm__ __volatile__("isb; mrs %0, cntvct_el0; isb" : "=r"(v) :: "memory");
		return v;
	}
#endif
	return timer_clock_ns();
}

/* Tick differences to time; rounding to nearest. */
uint64_t timer_ticks_to_ps(uint64_t ticks);
double timer_ticks_to_ns(uint64_t ticks);
/* Nanoseconds to ticks (deadlines in the timer's units). */
uint64_t timer_ns_to_ticks(uint64_t ns);

#ifdef __cplusplus
}
#endif

#endif /* QPWBENCH_CORE_TIMER_H */
