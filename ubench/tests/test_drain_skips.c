// SPDX-License-Identifier: GPL-2.0
/*
 * scenario_skips() on the two backends' shapes of a run: the user model's
 * (skips left out of the latency) and the module's (a latency sample for
 * every drain, skips among them), with and without --drain-empty.
 * Exit 0 when every case passed, 1 on a failure.
 */
#include <stdio.h>
#include <string.h>

#include "drain_skips.h"

static int failures;

#define CHECK(cond, ...) do { if (!(cond)) { printf("FAIL: " __VA_ARGS__); putchar('\n'); failures++; } } while (0)

/* A run of drains found entries[0..n), of which the latency histogram holds `timed`. */
static void run_of(struct qpwbench_run *r, struct qpwbench_drain_stats *ds,
		   const uint64_t *found, unsigned int n, uint64_t timed)
{
	memset(r, 0, sizeof(*r));
	memset(ds, 0, sizeof(*ds));
	for (unsigned int i = 0; i < n; i++)
		qpwbench_hist_add(&ds->drained, found[i]);
	for (uint64_t i = 0; i < timed; i++)
		qpwbench_hist_add(&r->result.hist, 1000 + i);
}

int main(void)
{
	static struct qpwbench_drain_stats ds;
	static const uint64_t found[10] = { 0, 32, 0, 32, 0, 32, 32, 32, 0, 32 };
	static const uint64_t none[5];
	struct qpwbench_run r;
	struct drain_skips s;

	/* The user model: 4 skips, 6 drains timed. */
	run_of(&r, &ds, found, 10, 6);
	s = scenario_skips(&r, &ds);
	CHECK(s.skipped == 4 && !s.in_latency, "user model: %llu skipped (in latency %d), want 4 (0)",
	      (unsigned long long)s.skipped, s.in_latency);
	/* The module: the same drains, all 10 timed: the latency holds the 4 skips. */
	run_of(&r, &ds, found, 10, 10);
	s = scenario_skips(&r, &ds);
	CHECK(s.skipped == 4 && s.in_latency, "module: %llu skipped (in latency %d), want 4 (1)",
	      (unsigned long long)s.skipped, s.in_latency);
	/* The module, every drain a skip (idle targets, --fill 0). */
	run_of(&r, &ds, none, 5, 5);
	s = scenario_skips(&r, &ds);
	CHECK(s.skipped == 5 && s.in_latency, "module, all skipped: %llu (in latency %d), want 5 (1)",
	      (unsigned long long)s.skipped, s.in_latency);
	/* --drain-empty: a drain of an empty batch is a drain, not a skip. */
	run_of(&r, &ds, none, 5, 5);
	r.drain_flags = QPWBENCH_DRAIN_EMPTY;
	s = scenario_skips(&r, &ds);
	CHECK(s.skipped == 0 && !s.in_latency, "--drain-empty: %llu skipped, want 0",
	      (unsigned long long)s.skipped);
	/* No skip at all: nothing in the latency to tell apart. */
	run_of(&r, &ds, found + 1, 1, 1);
	s = scenario_skips(&r, &ds);
	CHECK(s.skipped == 0 && !s.in_latency, "no skip: %llu skipped", (unsigned long long)s.skipped);
	printf("%d failure(s)\n", failures);
	return failures ? 1 : 0;
}
