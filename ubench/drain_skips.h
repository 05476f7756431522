/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Skips are not drains (DESIGN.md, Statistics): a recorded drain that
 * found every batch empty drained nothing (cpu_needs_drain() skipped every
 * CPU) and is counted in skipped_drains, never timed as a drain.
 */
#ifndef QPWBENCH_DRAIN_SKIPS_H
#define QPWBENCH_DRAIN_SKIPS_H

#include <stdbool.h>
#include <stdint.h>

#include "qpwbench.h"

struct drain_skips {
	uint64_t skipped;
	bool in_latency;	/* the latency histogram holds them too */
};

/*
 * A run's skips, read from what the backends return: the user model leaves
 * a skip out of the latency histogram and records a 0 in ds->drained; the
 * module records both for every drain, so there a skip is a drained sample
 * of 0 (without QPWBENCH_DRAIN_EMPTY, every batch drained, none skips) and
 * the latency holds it (in_latency).
 */
static inline struct drain_skips scenario_skips(const struct qpwbench_run *run,
						const struct qpwbench_drain_stats *ds)
{
	uint64_t zero = ds->drained.buckets[qpwbench_hist_bucket(0)];

	if (run->result.hist.count < ds->drained.count)
		return (struct drain_skips){ ds->drained.count - run->result.hist.count, false };
	if (run->drain_flags & QPWBENCH_DRAIN_EMPTY)
		return (struct drain_skips){ 0, false };
	return (struct drain_skips){ zero, zero > 0 };
}

#endif
