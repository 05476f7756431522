/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Run metadata: the facts about this machine every CSV row carries, read
 * once per process.
 */
#ifndef QPWBENCH_CORE_META_H
#define QPWBENCH_CORE_META_H

#include <stdbool.h>
#include <stddef.h>

struct run_meta {
	char kernel[80];	/* uname -r, + " pwlocks=0|1|isolated" where /sys/kernel/pwlocks exists */
	char preempt[32];	/* rt, full, dynamic, voluntary, none, or unknown */
	char arch[65];		/* uname -m */
	char host[65];		/* uname -n */
	char cpu_model[128];	/* /proc/cpuinfo model name, arm64: implementer/part from MIDR */
	char timer[32];		/* timer_get_info()->name */
	char tick_mhz[32];	/* the ticks column's counter rate, or n/a */
	char emulated[16];	/* no, virtualized, tcg or tcg-icount */
	char sched_rt[48];	/* RT throttling: "runtime/period" in us (-1: off), or n/a */
	char version[64];	/* the git revision built (git describe --dirty; qpwbench_version.h) */
	char preempt_source[96];	/* where preempt came from (ubench info prints it) */
	char emulated_source[96];	/* where emulated came from */
};

/*
 * Fill m (timer_init() first, for the timer name). Never fails: what cannot
 * be read is "unknown".
 *
 * preempt: "rt" when /sys/kernel/realtime is 1 or uname -v says PREEMPT_RT;
 * else /sys/kernel/debug/sched/preempt's selected model (the one in
 * parentheses) on PREEMPT_DYNAMIC kernels; else "dynamic" or "full" from
 * uname -v (PREEMPT_DYNAMIC, PREEMPT); else "voluntary" or "none" from
 * /boot/config-$(uname -r); else "unknown" (uname -v cannot tell those two
 * apart).
 * emulated: "tcg" or "tcg-icount" when QPWBENCH_EMULATED says so (scripts/vm
 * sets it; tcg-icount: guest nanoseconds are instructions, --icount) or x86
 * CPUID leaf 0x40000000 names TCG; "virtualized" in any other
 * hypervisor guest (x86: the CPUID hypervisor bit, the /proc/cpuinfo
 * "hypervisor" flag; elsewhere /sys/hypervisor/type, a device-tree
 * hypervisor node, or a DMI vendor/product of a known hypervisor);
 * else "no" (bare metal).
 * sched_rt: /proc/sys/kernel/sched_rt_runtime_us "/" sched_rt_period_us:
 * with RT throttling on, a SCHED_FIFO task is stopped for period - runtime
 * every period, which a target's gaps then show.
 */
void run_meta_collect(struct run_meta *m);

/* The process-wide copy, collected on first use. */
const struct run_meta *run_meta_get(void);

/*
 * The unit of a guest time: "insns" under tcg-icount (QEMU -icount shift=0
 * advances the guest clock one nanosecond per instruction executed, by any
 * vCPU: they run one at a time), else "ns".
 */
const char *run_meta_time_unit(const struct run_meta *m);

/* Now as ISO-8601 UTC, e.g. 2026-11-28T05:21:23Z (buf >= 21 bytes). */
void run_meta_date(char *buf, size_t len);

#endif
