/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every field of every struct in uapi/qpwbench.h, in declaration order:
 * S(struct) opens a struct, F(struct, field) names a field. Compiled for
 * each architecture into the same table of offsets and sizes, which
 * uapi-layout compares (a new field must be added here, or the native
 * contiguity check fails).
 */
#ifndef QPWBENCH_UAPI_LAYOUT_H
#define QPWBENCH_UAPI_LAYOUT_H

#include <stddef.h>

#include "qpwbench.h"

#define QPWBENCH_UAPI_LAYOUT(S, F)					\
	S(qpwbench_hist)						\
	F(qpwbench_hist, count) F(qpwbench_hist, sum)			\
	F(qpwbench_hist, min) F(qpwbench_hist, max)			\
	F(qpwbench_hist, buckets)					\
	S(qpwbench_result)						\
	F(qpwbench_result, ops_done) F(qpwbench_result, ops_drained)	\
	F(qpwbench_result, ops_remaining) F(qpwbench_result, drains)	\
	F(qpwbench_result, stalls) F(qpwbench_result, ran_on_target)	\
	F(qpwbench_result, ran_on_caller) F(qpwbench_result, cycles)	\
	F(qpwbench_result, elapsed_ns) F(qpwbench_result, flags)	\
	F(qpwbench_result, samples_kept) F(qpwbench_result, hist)		\
	F(qpwbench_result, sum_drained) F(qpwbench_result, sum_remaining) \
	F(qpwbench_result, entries_drained)				\
	F(qpwbench_result, target_switches)				\
	F(qpwbench_result, target_preemptions)				\
	F(qpwbench_result, held_drains)					\
	F(qpwbench_result, held_preemptions)				\
	F(qpwbench_result, skips)					\
	S(qpwbench_drain_stats)						\
	F(qpwbench_drain_stats, drained) F(qpwbench_drain_stats, owner)	\
	F(qpwbench_drain_stats, owner_alone)				\
	F(qpwbench_drain_stats, target_gap)				\
	F(qpwbench_drain_stats, stall_latency)				\
	S(qpwbench_run)							\
	F(qpwbench_run, size) F(qpwbench_run, version)			\
	F(qpwbench_run, scenario) F(qpwbench_run, variant)		\
	F(qpwbench_run, caller_cpu) F(qpwbench_run, batch)		\
	F(qpwbench_run, warmup) F(qpwbench_run, flags)			\
	F(qpwbench_run, iterations) F(qpwbench_run, duration_ns)	\
	F(qpwbench_run, rate_hz) F(qpwbench_run, wait_bound_ns)		\
	F(qpwbench_run, samples) F(qpwbench_run, samples_cap)		\
	F(qpwbench_run, __pad)						\
		F(qpwbench_run, cpus) F(qpwbench_run, target_load)		\
	F(qpwbench_run, drain_flags) F(qpwbench_run, fill)		\
	F(qpwbench_run, lock_mode) F(qpwbench_run, owner_rate_hz)		\
	F(qpwbench_run, drain_stats) F(qpwbench_run, owner_hold_ns)	\
	F(qpwbench_run, drainer_policy) F(qpwbench_run, __pad2)		\
	F(qpwbench_run, result)		\
	S(qpwbench_info)						\
	F(qpwbench_info, size) F(qpwbench_info, version)		\
	F(qpwbench_info, preempt_rt) F(qpwbench_info, nr_cpu_ids)	\
	F(qpwbench_info, online_cpus) F(qpwbench_info, flags)		\
	F(qpwbench_info, online)

/* Two values per entry: struct size and alignment, or field offset and size. */
#define QPWBENCH_LAYOUT_S(s)	sizeof(struct s), _Alignof(struct s),
#define QPWBENCH_LAYOUT_F(s, f)	offsetof(struct s, f), sizeof(((struct s *)0)->f),

/* The table, in a section of its own so it can be cut out of a foreign object. */
extern const unsigned long long qpwbench_uapi_layout[];
extern const unsigned int qpwbench_uapi_layout_len;

#endif /* QPWBENCH_UAPI_LAYOUT_H */
