/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Latency histograms: the kernel's log-linear struct qpwbench_hist
 * (kernel/uapi/qpwbench.h), so that user and kmod results go through the
 * same statistics, recorded with its qpwbench_hist_add(). Samples are
 * picoseconds. A zeroed struct is empty; min and max are exact, sum is
 * exact until it saturates.
 */
#ifndef QPWBENCH_CORE_HIST_H
#define QPWBENCH_CORE_HIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "qpwbench.h"

static inline void hist_init(struct qpwbench_hist *h)
{
	memset(h, 0, sizeof(*h));
}

/* dst += src (threads, repetitions). */
void hist_merge(struct qpwbench_hist *dst, const struct qpwbench_hist *src);

/*
 * What a CSV row reports, in the row's unit. Figures a row cannot honestly
 * give are NAN (written n/a): all of them for an empty measurement, p99
 * below STATS_MIN_P99 samples, p999 below STATS_MIN_P999 (there the
 * "percentile" would only be the max, or a guess between samples).
 * method says how the percentiles were found: "exact" (order statistics of
 * every sample), "hist" (the histogram: past the raw-sample cap).
 */
#define STATS_MIN_P99		1000
#define STATS_MIN_P999		10000

struct stats {
	uint64_t samples;
	double min, p50, p90, p99, p999, max, mean, stddev;
	const char *method;
};

/*
 * A percentile is a value some sample had: the nearest-rank order
 * statistic, the sample of rank ceil(q * n) in ascending order (1-based),
 * which is min for small q and max for q = 1. Rank of quantile q in n.
 */
uint64_t stats_rank(double q, uint64_t n);

/*
 * Statistics of a measurement in ps, divided by ps_per_unit (1000 for ns).
 * raw[0..kept) are its first samples (qpwbench_record()): when they are all
 * of them (kept == h->count) every figure is exact; otherwise (past the
 * cap) the histogram answers: min, max and mean exact, each percentile the
 * midpoint of the bucket holding its rank, clamped to [min, max] (within
 * half a bucket width, < 1/32 of the value; exact below QPWBENCH_HIST_SUB
 * ps), stddev from bucket midpoints. raw may be NULL with kept 0.
 */
void stats_of_samples(const struct qpwbench_hist *h, const uint64_t *raw, uint64_t kept,
		      double ps_per_unit, struct stats *s);

/* The same from the histogram alone (merged histograms, interference gaps). */
void hist_stats(const struct qpwbench_hist *h, double ps_per_unit, struct stats *s);

/*
 * Take d off every location figure (min, percentiles, max, mean), for
 * figures net of a measured overhead; stddev is unchanged.
 */
void stats_subtract(struct stats *s, double d);

/* A metric with one value (a count, a ratio): samples 1, min..p90, max, mean v. */
void stats_single(struct stats *s, double v);

/*
 * Statistics of plain values (one per thread, per repetition...): exact
 * mean and population standard deviation, nearest-rank percentiles.
 * Sorts v in place.
 */
void stats_of_values(double *v, size_t n, struct stats *s);

/*
 * Ratio of medians with a 95% percentile-bootstrap interval: lo..hi of
 * median(b*) / median(a*) over STATS_BOOTSTRAP resamples of each group
 * (a fixed-seed xorshift64*, so the same runs give the same interval;
 * reports/qpwrep/stats.py implements the same, number for number). With
 * one value in a group the interval is that of the other alone; with one
 * in each, lo = hi = ratio. differs: the interval excludes 1.
 */
#define STATS_BOOTSTRAP		2000
struct ratio {
	double ratio, lo, hi;
	bool differs;
};
int stats_ratio_of_medians(const double *a, size_t na, const double *b, size_t nb,
			   struct ratio *out);

/*
 * DESIGN.md's crossover, the one method (reports/qpwrep/stats.py has it
 * number for number): fit latency = a + b*N by least squares to the serial
 * and to the parallel variant's (N, latency) points (every --repeat run a
 * point; N counts the CPUs drained besides the caller); N* is where the
 * lines meet, with a 95% interval from the fits' standard errors (delta
 * method, Student's t for the fits' residual degrees of freedom, the sum of
 * both), measured when N* lies within the measured N, extrapolated past
 * it. measurable false: a side has fewer than STATS_CROSSOVER_MIN_SIZES
 * distinct N, which no line fit can tell from noise (no N*, no interval).
 * found false: the fits do not cross at N > 0. below_serial: the serial
 * variant is the faster below N* (the parallel one above it).
 * Returns -1 without a point on either side.
 */
#define STATS_CROSSOVER_MIN_SIZES	3
struct crossover {
	bool measurable, found, measured, serial_first, below_serial;
	double n, lo, hi;	/* N* and its interval (lo >= 0) */
	double min_n, max_n;	/* the measured N */
};
int stats_crossover(const double *sn, const double *sy, size_t ns,
		    const double *pn, const double *py, size_t np, struct crossover *out);

/* Student's t distribution's 0.975 quantile for df > 0 degrees of freedom (Hill 1970, ACM 396). */
double stats_t975(double df);

#endif
