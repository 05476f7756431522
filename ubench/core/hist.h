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
 * The value below which a fraction q (0..1) of the samples fall. The
 * bucket holding that rank is found exactly; inside it the samples are taken
 * as spread evenly (linear interpolation), and the result is clamped to the
 * exact [min, max]. Error is below one bucket width (< 1/16 of the value).
 */
double hist_quantile(const struct qpwbench_hist *h, double q);

/* What a CSV row reports, in the row's unit. */
struct stats {
	uint64_t samples;
	double min, p50, p90, p99, p999, max, mean, stddev;
};

/*
 * Statistics of h divided by ps_per_unit (1000 for ns). mean is exact
 * (sum / count) unless the sum saturated; stddev is computed from bucket
 * midpoints (population stddev), because the shared struct keeps no sum of
 * squares: exact below QPWBENCH_HIST_SUB ps, otherwise within the bucket
 * width. An empty histogram gives samples 0 and zeros.
 */
void hist_stats(const struct qpwbench_hist *h, double ps_per_unit, struct stats *s);

/* A metric with one value (a count, a ratio): samples 1, every figure v. */
void stats_single(struct stats *s, double v);

/*
 * Statistics of plain values (one per thread, per repetition...): exact
 * mean and population standard deviation, percentiles interpolated between
 * closest ranks (as numpy's default). Sorts v in place.
 */
void stats_of_values(double *v, size_t n, struct stats *s);

#endif
