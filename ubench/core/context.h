/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The run's context header: what a reader of a results file needs to judge
 * it and that no column holds. Written once at the top of a new CSV as
 * comment lines ("# key: value"; qpwreport and ubench's own append check
 * skip lines starting with '#') and as the first line of a new JSON Lines
 * file ({"context": {...}}). Keys, in order:
 *
 *   argv           the command line, words joined by spaces
 *   revision       the git revision built (the version column's)
 *   kernel_cmdline /proc/cmdline
 *   isolcpus       /sys/devices/system/cpu/isolated ("" = none)
 *   nohz_full      /sys/devices/system/cpu/nohz_full ("" = none, "(null)" on
 *                  some kernels without it)
 *   governor       cpu0's cpufreq scaling_governor, n/a without cpufreq
 *   smt            /sys/devices/system/cpu/smt/control (on, off,
 *                  notsupported, ...), n/a where absent
 *   thp            the selected value of transparent_hugepage/enabled
 *   rt_throttling  sched_rt_runtime_us/sched_rt_period_us (-1/...: off)
 *
 * Unreadable values are "n/a".
 */
#ifndef QPWBENCH_CORE_CONTEXT_H
#define QPWBENCH_CORE_CONTEXT_H

#include <stdio.h>

/* Remember the process's command line (main() calls this first). */
void context_set_argv(int argc, char **argv);

/* The context as CSV comment lines, each "# key: value\n". */
void context_write_csv(FILE *f);

/* The context as one JSON line: {"context": {"argv": "...", ...}}\n. */
void context_write_json(FILE *f);

#endif
