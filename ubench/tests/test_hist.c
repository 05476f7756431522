// SPDX-License-Identifier: GPL-2.0
/* Histogram: bucket round trip, percentiles on known data, merge, value sets. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "hist.h"

static void test_bucket_round_trip(void)
{
	/* Every value lands in the bucket whose range holds it; buckets are monotonic. */
	uint64_t v = 0;

	for (int i = 0; i < 200000; i++) {
		uint32_t b = qpwbench_hist_bucket(v);

		CHECK(b < QPWBENCH_HIST_BUCKETS, "bucket(%llu) = %u out of range", (unsigned long long)v, b);
		CHECK(qpwbench_hist_bucket_low(b) <= v, "low(bucket(%llu)) = %llu > v",
		      (unsigned long long)v, (unsigned long long)qpwbench_hist_bucket_low(b));
		if (b + 1 < QPWBENCH_HIST_BUCKETS)
			CHECK(v < qpwbench_hist_bucket_low(b + 1), "%llu not below the next bucket's low %llu",
			      (unsigned long long)v, (unsigned long long)qpwbench_hist_bucket_low(b + 1));
		CHECK(qpwbench_hist_bucket(qpwbench_hist_bucket_low(b)) == b, "bucket(low(%u)) != %u", b, b);
		v = v < 1000 ? v + 1 : v + v / 997 + (uint64_t)(i % 7);
		if (v > UINT64_MAX / 2)
			break;
	}
	CHECK(qpwbench_hist_bucket(UINT64_MAX) == QPWBENCH_HIST_BUCKETS - 1, "UINT64_MAX not in the top bucket");
	for (uint64_t x = 0; x < QPWBENCH_HIST_SUB; x++)
		CHECK(qpwbench_hist_bucket(x) == x, "small value %llu not exact", (unsigned long long)x);
}

static void test_percentiles(void)
{
	struct qpwbench_hist h;
	struct stats s;

	/* Exact buckets: 0..15 ps, one sample each. */
	hist_init(&h);
	for (uint64_t v = 0; v < 16; v++)
		qpwbench_hist_add(&h, v);
	hist_stats(&h, 1, &s);
	CHECK(s.samples == 16 && s.min == 0 && s.max == 15, "exact: n %llu min %g max %g",
	      (unsigned long long)s.samples, s.min, s.max);
	CHECK(s.p50 == 7, "exact: p50 %g, want 7 (the 8th of 16)", s.p50);
	CHECK(s.p90 == 14, "exact: p90 %g, want 14 (rank 15 of 16)", s.p90);
	CHECK(fabs(s.mean - 7.5) < 1e-9, "exact: mean %g", s.mean);
	CHECK(fabs(s.stddev - sqrt(255.0 / 12)) < 1e-9, "exact: stddev %g, want %g", s.stddev, sqrt(255.0 / 12));

	/* 1..100000 ns uniform: quantiles within one bucket width (1/16). */
	hist_init(&h);
	for (uint64_t v = 1; v <= 100000; v++)
		qpwbench_hist_add(&h, v * 1000);
	hist_stats(&h, 1000, &s);
	CHECK(s.min == 1 && s.max == 100000, "uniform: min %g max %g", s.min, s.max);
	CHECK(fabs(s.mean - 50000.5) < 1e-6, "uniform: mean %g exact from the sum", s.mean);
	CHECK(fabs(s.p50 - 50000) < 50000 / 16.0, "uniform: p50 %g", s.p50);
	CHECK(fabs(s.p90 - 90000) < 90000 / 16.0, "uniform: p90 %g", s.p90);
	CHECK(fabs(s.p99 - 99000) < 99000 / 16.0, "uniform: p99 %g", s.p99);
	CHECK(fabs(s.p999 - 99900) < 99900 / 16.0, "uniform: p999 %g", s.p999);
	CHECK(fabs(s.stddev - 28867.5) < 28867.5 / 16.0, "uniform: stddev %g (midpoints)", s.stddev);
	CHECK(s.p50 <= s.p90 && s.p90 <= s.p99 && s.p99 <= s.p999 && s.p999 <= s.max, "uniform: not ordered");

	/* One value repeated: every figure is that value, stddev 0 (clamped to min/max). */
	hist_init(&h);
	for (int i = 0; i < 1000; i++)
		qpwbench_hist_add(&h, 123456);
	hist_stats(&h, 1, &s);
	CHECK(s.min == 123456 && s.p50 == 123456 && s.p99 == 123456 && s.max == 123456,
	      "constant: min %g p50 %g p99 %g max %g", s.min, s.p50, s.p99, s.max);
	CHECK(isnan(s.p999), "constant: p999 %g from 1000 samples, want n/a", s.p999);
	CHECK(s.stddev == 0, "constant: stddev %g", s.stddev);

	/* Outliers: 9990 at 100 ns, 10 at 1 ms; p50 stays, p99.9 sees the tail. */
	hist_init(&h);
	for (int i = 0; i < 9990; i++)
		qpwbench_hist_add(&h, 100000);
	for (int i = 0; i < 10; i++)
		qpwbench_hist_add(&h, 1000000000);
	hist_stats(&h, 1000, &s);
	CHECK(fabs(s.p50 - 100) < 100 / 16.0 && fabs(s.p90 - 100) < 100 / 16.0,
	      "tail: p50 %g p90 %g, want 100 within a bucket", s.p50, s.p90);
	CHECK(s.p999 > 90 && s.p999 < 110 && s.max == 1000000, "tail: p999 %g (rank 9990 is 100 ns) max %g",
	      s.p999, s.max);

	/* Empty. */
	hist_init(&h);
	hist_stats(&h, 1000, &s);
	CHECK(s.samples == 0 && isnan(s.min) && isnan(s.p50) && isnan(s.max) && isnan(s.mean) &&
	      isnan(s.stddev), "empty: not n/a (never 0)");

	/* The sum saturates instead of wrapping. */
	hist_init(&h);
	qpwbench_hist_add(&h, UINT64_MAX - 5);
	qpwbench_hist_add(&h, 100);
	CHECK(h.sum == UINT64_MAX, "sum wrapped: %llu", (unsigned long long)h.sum);
}

static void test_merge(void)
{
	struct qpwbench_hist a, b, all;
	struct stats sm, sa;

	hist_init(&a);
	hist_init(&b);
	hist_init(&all);
	srand(1);
	for (int i = 0; i < 50000; i++) {
		uint64_t v = (uint64_t)rand() * 37 + 5;

		qpwbench_hist_add(i % 3 ? &a : &b, v);
		qpwbench_hist_add(&all, v);
	}
	hist_merge(&a, &b);
	CHECK(!memcmp(&a, &all, sizeof(a)), "merge differs from recording everything in one");
	hist_stats(&a, 1000, &sm);
	hist_stats(&all, 1000, &sa);
	CHECK(!memcmp(&sm, &sa, sizeof(sm)), "merged statistics differ");

	/* Merging into an empty histogram copies; merging an empty one changes nothing. */
	hist_init(&b);
	hist_merge(&b, &all);
	CHECK(!memcmp(&b, &all, sizeof(b)), "merge into empty is not a copy");
	hist_init(&a);
	hist_merge(&b, &a);
	CHECK(!memcmp(&b, &all, sizeof(b)), "merging an empty histogram changed it");
}

static void test_values(void)
{
	double v[] = { 5, 1, 4, 2, 3 };
	struct stats s;

	stats_of_values(v, 5, &s);
	CHECK(s.samples == 5 && s.min == 1 && s.max == 5 && s.p50 == 3, "values: min %g p50 %g max %g",
	      s.min, s.p50, s.max);
	CHECK(fabs(s.mean - 3) < 1e-12 && fabs(s.stddev - sqrt(2)) < 1e-12, "values: mean %g stddev %g",
	      s.mean, s.stddev);
	CHECK(s.p90 == 5, "values: p90 %g, want 5 (nearest rank: a value some sample had)", s.p90);
	stats_single(&s, 0.25);
	CHECK(s.samples == 1 && s.min == 0.25 && s.p90 == 0.25 && isnan(s.p99) && isnan(s.p999) &&
	      s.stddev == 0, "single value");
}

/* Raw samples give exact order statistics: a percentile is a value some sample had. */
static void test_exact(void)
{
	struct qpwbench_hist h;
	uint64_t raw[4096];
	struct stats s;

	/* The review's case: p50 of {100 ns, 200 ns} is 100 ns, not 102.4. */
	hist_init(&h);
	raw[0] = 200000;
	raw[1] = 100000;
	qpwbench_hist_add(&h, raw[0]);
	qpwbench_hist_add(&h, raw[1]);
	stats_of_samples(&h, raw, 2, 1000, &s);
	CHECK(s.p50 == 100 && s.p90 == 200 && !strcmp(s.method, "exact") && isnan(s.p99),
	      "{100, 200}: p50 %g p90 %g method %s", s.p50, s.p90, s.method);

	/* Samples all 30.057 or 40.076 ns: every percentile is one of the two. */
	hist_init(&h);
	for (int i = 0; i < 4096; i++) {
		raw[i] = i % 3 ? 30057 : 40076;
		qpwbench_hist_add(&h, raw[i]);
	}
	stats_of_samples(&h, raw, 4096, 1000, &s);
	CHECK(s.p50 == 30.057 && s.p90 == 40.076 && s.p99 == 40.076 && isnan(s.p999) &&
	      s.min == 30.057 && s.max == 40.076, "two values: p50 %g p90 %g p99 %g p999 %g",
	      s.p50, s.p90, s.p99, s.p999);

	/* Past the cap (kept < count) the histogram answers, and says so. */
	qpwbench_hist_add(&h, 35000);
	stats_of_samples(&h, raw, 4096, 1000, &s);
	CHECK(!strcmp(s.method, "hist") && s.samples == 4097 && s.min == 30.057 && s.max == 40.076 &&
	      fabs(s.p50 - 30.057) < 30.057 / 32 + 1e-9, "past the cap: method %s p50 %g", s.method, s.p50);
}

/* The ratio of medians and its bootstrap interval. */
static void test_ratio(void)
{
	double a[] = { 100, 101, 99, 100, 102 }, b[] = { 200, 199, 201, 202, 198 };
	double c[] = { 100, 130, 70, 110, 95 };
	struct ratio r;

	CHECK(!stats_ratio_of_medians(a, 5, b, 5, &r) && r.ratio == 2 && r.lo > 1.9 && r.hi < 2.1 &&
	      r.lo <= r.ratio && r.ratio <= r.hi && r.differs, "2x: %g [%g, %g]", r.ratio, r.lo, r.hi);
	CHECK(!stats_ratio_of_medians(a, 5, c, 5, &r) && r.lo < 1 && r.hi > 1 && !r.differs,
	      "noise: %g [%g, %g] should hold 1", r.ratio, r.lo, r.hi);
	CHECK(!stats_ratio_of_medians(a, 1, b, 1, &r) && r.ratio == 2 && r.lo == 2 && r.hi == 2,
	      "one run each: %g [%g, %g]", r.ratio, r.lo, r.hi);
	CHECK(stats_ratio_of_medians(a, 0, b, 1, &r) && isnan(r.ratio), "no runs: a ratio");
}

int main(void)
{
	test_bucket_round_trip();
	test_percentiles();
	test_merge();
	test_values();
	test_exact();
	test_ratio();
	CHECK_DONE();
}
