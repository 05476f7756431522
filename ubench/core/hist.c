// SPDX-License-Identifier: GPL-2.0
/* Statistics of the shared log-linear histogram, and of plain value sets. */
#include <math.h>
#include <stdlib.h>

#include "hist.h"

void hist_merge(struct qpwbench_hist *dst, const struct qpwbench_hist *src)
{
	if (!src->count)
		return;
	if (!dst->count || src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	dst->count += src->count;
	dst->sum = dst->sum + src->sum < dst->sum ? UINT64_MAX : dst->sum + src->sum;
	for (unsigned int b = 0; b < QPWBENCH_HIST_BUCKETS; b++)
		dst->buckets[b] += src->buckets[b];
}

/* One past the largest value of bucket b, as a double (the top bucket reaches 2^64). */
static double bucket_end(unsigned int b)
{
	if (b + 1 >= QPWBENCH_HIST_BUCKETS)
		return 18446744073709551616.0;
	return (double)qpwbench_hist_bucket_low(b + 1);
}

static double clamp(double v, const struct qpwbench_hist *h)
{
	if (v < (double)h->min)
		return (double)h->min;
	if (v > (double)h->max)
		return (double)h->max;
	return v;
}

double hist_quantile(const struct qpwbench_hist *h, double q)
{
	double target, below = 0;

	if (!h->count)
		return 0;
	if (q <= 0)
		return (double)h->min;
	if (q >= 1)
		return (double)h->max;
	target = q * (double)h->count;
	for (unsigned int b = 0; b < QPWBENCH_HIST_BUCKETS; b++) {
		double c = (double)h->buckets[b];
		double low, width;

		if (!c || below + c < target) {
			below += c;
			continue;
		}
		low = (double)qpwbench_hist_bucket_low(b);
		width = bucket_end(b) - low;
		if (width <= 1)
			return clamp(low, h);	/* an exact bucket */
		return clamp(low + width * (target - below) / c, h);
	}
	return (double)h->max;
}

void hist_stats(const struct qpwbench_hist *h, double ps_per_unit, struct stats *s)
{
	double mean, var = 0;

	*s = (struct stats){ .samples = h->count };
	if (!h->count)
		return;
	/*
	 * The shared struct has no sum of squares: the variance takes every
	 * sample at its bucket's midpoint (exact in the exact buckets, within
	 * half a bucket width, < 1/32 of the value, elsewhere).
	 */
	double mid_sum = 0;

	for (unsigned int b = 0; b < QPWBENCH_HIST_BUCKETS; b++)
		if (h->buckets[b]) {
			double low = (double)qpwbench_hist_bucket_low(b);
			double mid = clamp(low + (bucket_end(b) - 1 - low) / 2, h);

			mid_sum += mid * (double)h->buckets[b];
		}
	mean = h->sum == UINT64_MAX ? mid_sum / (double)h->count : (double)h->sum / (double)h->count;
	for (unsigned int b = 0; b < QPWBENCH_HIST_BUCKETS; b++)
		if (h->buckets[b]) {
			double low = (double)qpwbench_hist_bucket_low(b);
			double d = clamp(low + (bucket_end(b) - 1 - low) / 2, h) - mean;

			var += d * d * (double)h->buckets[b];
		}
	s->min = (double)h->min / ps_per_unit;
	s->p50 = hist_quantile(h, 0.50) / ps_per_unit;
	s->p90 = hist_quantile(h, 0.90) / ps_per_unit;
	s->p99 = hist_quantile(h, 0.99) / ps_per_unit;
	s->p999 = hist_quantile(h, 0.999) / ps_per_unit;
	s->max = (double)h->max / ps_per_unit;
	s->mean = mean / ps_per_unit;
	s->stddev = sqrt(var / (double)h->count) / ps_per_unit;
}

void stats_single(struct stats *s, double v)
{
	*s = (struct stats){ .samples = 1, .min = v, .p50 = v, .p90 = v, .p99 = v,
			     .p999 = v, .max = v, .mean = v, .stddev = 0 };
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Linear interpolation between the closest ranks of sorted v (numpy's default). */
static double sorted_quantile(const double *v, size_t n, double q)
{
	double pos = q * (double)(n - 1);
	size_t i = (size_t)pos;

	if (i + 1 >= n)
		return v[n - 1];
	return v[i] + (v[i + 1] - v[i]) * (pos - (double)i);
}

void stats_of_values(double *v, size_t n, struct stats *s)
{
	double sum = 0, var = 0;

	*s = (struct stats){ .samples = n };
	if (!n)
		return;
	qsort(v, n, sizeof(*v), cmp_double);
	for (size_t i = 0; i < n; i++)
		sum += v[i];
	s->mean = sum / (double)n;
	for (size_t i = 0; i < n; i++)
		var += (v[i] - s->mean) * (v[i] - s->mean);
	s->stddev = sqrt(var / (double)n);
	s->min = v[0];
	s->max = v[n - 1];
	s->p50 = sorted_quantile(v, n, 0.50);
	s->p90 = sorted_quantile(v, n, 0.90);
	s->p99 = sorted_quantile(v, n, 0.99);
	s->p999 = sorted_quantile(v, n, 0.999);
}
