// SPDX-License-Identifier: GPL-2.0
/*
 * stats_crossover() (what ubench drain-all prints) on points read from
 * stdin, for reports/tests/test_crossover_agree.py to set beside Python's
 * stats.crossover() on the same rows. Input: one point a line,
 * "serial N P50" or "parallel N P50". Output: one line,
 * "rc measurable found measured serial_first below_serial n lo hi min_n
 * max_n", the doubles
 * with 17 digits so that they round-trip. Exit 2 on bad input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hist.h"

struct points {
	double *n, *p50;
	size_t len, cap;
};

static int push(struct points *p, double n, double p50)
{
	if (p->len == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 64;
		double *nn = realloc(p->n, cap * sizeof(*nn));

		if (!nn)
			return -1;
		p->n = nn;
		nn = realloc(p->p50, cap * sizeof(*nn));
		if (!nn)
			return -1;
		p->p50 = nn;
		p->cap = cap;
	}
	p->n[p->len] = n;
	p->p50[p->len++] = p50;
	return 0;
}

int main(void)
{
	struct points serial = { 0 }, parallel = { 0 };
	struct crossover x;
	char side[16];
	double n, p50;
	int got, rc;

	while ((got = scanf("%15s %lf %lf", side, &n, &p50)) == 3) {
		struct points *p = !strcmp(side, "serial") ? &serial :
				   !strcmp(side, "parallel") ? &parallel : NULL;

		if (!p) {
			fprintf(stderr, "crossover-rows: '%s' is neither serial nor parallel\n", side);
			return 2;
		}
		if (push(p, n, p50)) {
			fprintf(stderr, "crossover-rows: out of memory\n");
			return 2;
		}
	}
	if (got != EOF) {
		fprintf(stderr, "crossover-rows: want lines 'serial|parallel N P50'\n");
		return 2;
	}
	rc = stats_crossover(serial.n, serial.p50, serial.len, parallel.n, parallel.p50,
			     parallel.len, &x);
	printf("%d %d %d %d %d %d %.17g %.17g %.17g %.17g %.17g\n", rc, x.measurable, x.found,
	       x.measured, x.serial_first, x.below_serial, x.n, x.lo, x.hi, x.min_n, x.max_n);
	free(serial.n), free(serial.p50), free(parallel.n), free(parallel.p50);
	return 0;
}
