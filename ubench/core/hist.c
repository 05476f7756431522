// SPDX-License-Identifier: GPL-2.0
/* Statistics of measurements (raw samples or the shared histogram), and of plain value sets. */
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

uint64_t stats_rank(double q, uint64_t n)
{
	double r = ceil(q * (double)n);

	if (r < 1)
		return 1;
	return r > (double)n ? n : (uint64_t)r;
}

/* The n/a rules of struct stats, applied last. */
static void stats_na(struct stats *s)
{
	if (!s->samples) {
		s->min = s->p50 = s->p90 = s->p99 = s->p999 = s->max = s->mean = s->stddev = NAN;
		return;
	}
	if (s->samples < STATS_MIN_P99)
		s->p99 = NAN;
	if (s->samples < STATS_MIN_P999)
		s->p999 = NAN;
}

/* One past the largest value of bucket b, as a double (the top bucket reaches 2^64). */
static double bucket_end(unsigned int b)
{
	if (b + 1 >= QPWBENCH_HIST_BUCKETS)
		return 18446744073709551616.0;
	return (double)qpwbench_hist_bucket_low(b + 1);
}

/* Bucket b's midpoint, clamped to the exact [min, max]. */
static double bucket_mid(const struct qpwbench_hist *h, unsigned int b)
{
	double low = (double)qpwbench_hist_bucket_low(b);
	double mid = low + (bucket_end(b) - 1 - low) / 2;

	if (mid < (double)h->min)
		return (double)h->min;
	if (mid > (double)h->max)
		return (double)h->max;
	return mid;
}

/* The histogram's answer for the sample of 1-based rank r. */
static double hist_rank_value(const struct qpwbench_hist *h, uint64_t r)
{
	uint64_t below = 0;

	if (r <= 1)
		return (double)h->min;
	if (r >= h->count)
		return (double)h->max;
	for (unsigned int b = 0; b < QPWBENCH_HIST_BUCKETS; b++) {
		below += h->buckets[b];
		if (below >= r)
			return bucket_mid(h, b);
	}
	return (double)h->max;
}

void hist_stats(const struct qpwbench_hist *h, double ps_per_unit, struct stats *s)
{
	double mid_sum = 0, mean, var = 0;
	const double q[] = { 0.50, 0.90, 0.99, 0.999 };
	double *pct[] = { &s->p50, &s->p90, &s->p99, &s->p999 };

	*s = (struct stats){ .samples = h->count, .method = "hist" };
	if (!h->count) {
		stats_na(s);
		return;
	}
	/* No sum of squares in the shared struct: every sample at its bucket's midpoint. */
	for (unsigned int b = 0; b < QPWBENCH_HIST_BUCKETS; b++)
		if (h->buckets[b])
			mid_sum += bucket_mid(h, b) * (double)h->buckets[b];
	mean = h->sum == UINT64_MAX ? mid_sum / (double)h->count : (double)h->sum / (double)h->count;
	for (unsigned int b = 0; b < QPWBENCH_HIST_BUCKETS; b++)
		if (h->buckets[b]) {
			double d = bucket_mid(h, b) - mean;

			var += d * d * (double)h->buckets[b];
		}
	for (unsigned int i = 0; i < 4; i++)
		*pct[i] = hist_rank_value(h, stats_rank(q[i], h->count)) / ps_per_unit;
	s->min = (double)h->min / ps_per_unit;
	s->max = (double)h->max / ps_per_unit;
	s->mean = mean / ps_per_unit;
	s->stddev = sqrt(var / (double)h->count) / ps_per_unit;
	stats_na(s);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

void stats_of_samples(const struct qpwbench_hist *h, const uint64_t *raw, uint64_t kept,
		      double ps_per_unit, struct stats *s)
{
	const double q[] = { 0.50, 0.90, 0.99, 0.999 };
	double *pct[] = { &s->p50, &s->p90, &s->p99, &s->p999 };
	uint64_t *v, n = h->count;
	double sum = 0, var = 0, mean;

	if (!n || kept != n || !raw || !(v = malloc(n * sizeof(*v)))) {
		hist_stats(h, ps_per_unit, s);
		return;
	}
	memcpy(v, raw, n * sizeof(*v));
	qsort(v, n, sizeof(*v), cmp_u64);
	*s = (struct stats){ .samples = n, .method = "exact" };
	for (uint64_t i = 0; i < n; i++)
		sum += (double)v[i];
	mean = sum / (double)n;
	for (uint64_t i = 0; i < n; i++)
		var += ((double)v[i] - mean) * ((double)v[i] - mean);
	for (unsigned int i = 0; i < 4; i++)
		*pct[i] = (double)v[stats_rank(q[i], n) - 1] / ps_per_unit;
	s->min = (double)v[0] / ps_per_unit;
	s->max = (double)v[n - 1] / ps_per_unit;
	s->mean = mean / ps_per_unit;
	s->stddev = sqrt(var / (double)n) / ps_per_unit;
	free(v);
	stats_na(s);
}

void stats_subtract(struct stats *s, double d)
{
	s->min -= d;
	s->p50 -= d;
	s->p90 -= d;
	s->p99 -= d;
	s->p999 -= d;
	s->max -= d;
	s->mean -= d;
}

void stats_single(struct stats *s, double v)
{
	*s = (struct stats){ .samples = 1, .min = v, .p50 = v, .p90 = v, .p99 = v,
			     .p999 = v, .max = v, .mean = v, .stddev = 0, .method = "exact" };
	stats_na(s);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

void stats_of_values(double *v, size_t n, struct stats *s)
{
	double sum = 0, var = 0;

	*s = (struct stats){ .samples = n, .method = "exact" };
	if (!n) {
		stats_na(s);
		return;
	}
	qsort(v, n, sizeof(*v), cmp_double);
	for (size_t i = 0; i < n; i++)
		sum += v[i];
	s->mean = sum / (double)n;
	for (size_t i = 0; i < n; i++)
		var += (v[i] - s->mean) * (v[i] - s->mean);
	s->stddev = sqrt(var / (double)n);
	s->min = v[0];
	s->max = v[n - 1];
	s->p50 = v[stats_rank(0.50, n) - 1];
	s->p90 = v[stats_rank(0.90, n) - 1];
	s->p99 = v[stats_rank(0.99, n) - 1];
	s->p999 = v[stats_rank(0.999, n) - 1];
	stats_na(s);
}

/* xorshift64*: small, and the same sequence in reports/qpwrep/stats.py. */
static uint64_t rng_next(uint64_t *x)
{
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return *x * 0x2545F4914F6CDD1DULL;
}

/* The median (mean of the two middle values for even n) of sorted v. */
static double sorted_median(const double *v, size_t n)
{
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double resample_median(const double *v, size_t n, double *buf, uint64_t *x)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = v[rng_next(x) % n];
	qsort(buf, n, sizeof(*buf), cmp_double);
	return sorted_median(buf, n);
}

int stats_ratio_of_medians(const double *a, size_t na, const double *b, size_t nb,
			   struct ratio *out)
{
	double *sa, *sb, *buf, *ratios;
	uint64_t x = 0x9E3779B97F4A7C15ULL;
	size_t nr = 0;

	*out = (struct ratio){ NAN, NAN, NAN, false };
	if (!na || !nb)
		return -1;
	sa = malloc(na * sizeof(*sa));
	sb = malloc(nb * sizeof(*sb));
	buf = malloc((na > nb ? na : nb) * sizeof(*buf));
	ratios = malloc(STATS_BOOTSTRAP * sizeof(*ratios));
	if (!sa || !sb || !buf || !ratios) {
		free(sa), free(sb), free(buf), free(ratios);
		return -1;
	}
	memcpy(sa, a, na * sizeof(*sa));
	memcpy(sb, b, nb * sizeof(*sb));
	qsort(sa, na, sizeof(*sa), cmp_double);
	qsort(sb, nb, sizeof(*sb), cmp_double);
	out->ratio = sorted_median(sb, nb) / sorted_median(sa, na);
	for (int i = 0; i < STATS_BOOTSTRAP; i++) {
		double ma = resample_median(sa, na, buf, &x);
		double mb = resample_median(sb, nb, buf, &x);

		if (ma > 0)
			ratios[nr++] = mb / ma;
	}
	if (nr) {
		qsort(ratios, nr, sizeof(*ratios), cmp_double);
		out->lo = ratios[stats_rank(0.025, nr) - 1];
		out->hi = ratios[stats_rank(0.975, nr) - 1];
		out->differs = out->lo > 1 || out->hi < 1;
	}
	free(sa), free(sb), free(buf), free(ratios);
	return 0;
}

struct fit {
	double a, b, var, sxx, mx;
	size_t n;
};

/* Least squares y = a + b*x; -1 when x has one value only. */
static int fit_line(const double *x, const double *y, size_t n, struct fit *f)
{
	double mx = 0, my = 0, sxy = 0, res = 0;

	if (n < 2)
		return -1;
	for (size_t i = 0; i < n; i++) {
		mx += x[i];
		my += y[i];
	}
	mx /= (double)n;
	my /= (double)n;
	f->sxx = 0;
	for (size_t i = 0; i < n; i++) {
		f->sxx += (x[i] - mx) * (x[i] - mx);
		sxy += (x[i] - mx) * (y[i] - my);
	}
	if (f->sxx == 0)
		return -1;
	f->b = sxy / f->sxx;
	f->a = my - f->b * mx;
	for (size_t i = 0; i < n; i++)
		res += (y[i] - f->a - f->b * x[i]) * (y[i] - f->a - f->b * x[i]);
	f->var = n > 2 ? res / (double)(n - 2) : 0;
	f->mx = mx;
	f->n = n;
	return 0;
}

/* How many distinct values x[0..n) holds. */
static size_t distinct(const double *x, size_t n)
{
	size_t d = 0;

	for (size_t i = 0; i < n; i++) {
		size_t j = 0;

		while (j < i && x[j] != x[i])
			j++;
		d += j == i;
	}
	return d;
}

/* The standard normal's 0.975 quantile. */
#define Z975	1.959963984540054

double stats_t975(double df)
{
	const double p = 0.05, half_pi = 1.57079632679489661923;
	double a, b, c, d, x, y;

	if (df == 1)
		return cos(p * half_pi) / sin(p * half_pi);
	if (df == 2)
		return sqrt(2 / (p * (2 - p)) - 2);
	a = 1 / (df - 0.5);
	b = 48 / (a * a);
	c = ((20700 * a / b - 98) * a - 16) * a + 96.36;
	d = ((94.5 / (b + c) - 3) / b + 1) * sqrt(a * half_pi) * df;
	y = pow(d * p, 2 / df);
	if (y > 0.05 + a) {
		x = -Z975;
		y = x * x;
		if (df < 5)
			c += 0.3 * (df - 4.5) * (x + 0.6);
		c = (((0.05 * d * x - 5) * x - 7) * x - 2) * x + b + c;
		y = (((((0.4 * y + 6.3) * y + 36) * y + 94.5) / c - y - 3) / b + 1) * x;
		y = expm1(a * y * y);
	} else {
		y = ((1 / (((df + 6) / (df * y) - 0.089 * d - 0.822) * (df + 2) * 3) + 0.5 / (df + 4)) * y - 1) *
		    (df + 1) / (df + 2) + 1 / y;
	}
	return sqrt(df * y);
}

int stats_crossover(const double *sn, const double *sy, size_t ns,
		    const double *pn, const double *py, size_t np, struct crossover *out)
{
	struct fit s, p;
	double db, x, var, se, t;

	*out = (struct crossover){ .n = NAN, .lo = NAN, .hi = NAN };
	if (!ns || !np)
		return -1;
	out->min_n = out->max_n = sn[0];
	for (size_t i = 0; i < ns; i++) {
		out->min_n = sn[i] < out->min_n ? sn[i] : out->min_n;
		out->max_n = sn[i] > out->max_n ? sn[i] : out->max_n;
	}
	if (distinct(sn, ns) < STATS_CROSSOVER_MIN_SIZES || distinct(pn, np) < STATS_CROSSOVER_MIN_SIZES)
		return 0;
	fit_line(sn, sy, ns, &s);
	fit_line(pn, py, np, &p);
	out->measurable = true;
	out->serial_first = s.a + s.b * out->min_n < p.a + p.b * out->min_n;
	db = s.b - p.b;
	if (db == 0 || (p.a - s.a) / db <= 0)
		return 0;
	x = (p.a - s.a) / db;
	var = s.var * (1.0 / (double)s.n + (x - s.mx) * (x - s.mx) / s.sxx) +
	      p.var * (1.0 / (double)p.n + (x - p.mx) * (x - p.mx) / p.sxx);
	se = sqrt(var) / fabs(db);
	t = stats_t975((double)(s.n - 2 + p.n - 2));
	out->found = true;
	out->below_serial = s.b > p.b;
	out->n = x;
	out->lo = x - t * se > 0 ? x - t * se : 0;
	out->hi = x + t * se;
	out->measured = x >= out->min_n && x <= out->max_n;
	return 0;
}
