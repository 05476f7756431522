/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Placing the calling thread: on one CPU through hwloc, and under
 * SCHED_FIFO. Plain C declarations, usable from C++ (ubench-gbench).
 */
#ifndef QPWBENCH_CORE_PIN_H
#define QPWBENCH_CORE_PIN_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The SCHED_FIFO priority --fifo gives measuring threads (below the kernel's 50 irq threads). */
#define THREADS_FIFO_PRIO	40

/* Pin the calling thread on OS CPU cpu (hwloc_set_cpubind, HWLOC_CPUBIND_THREAD). */
int pin_self(unsigned int cpu, char *err, size_t errlen);
/*
 * Switch the calling thread to SCHED_FIFO at prio. -EPERM with a line that
 * says what is missing (root, CAP_SYS_NICE or RLIMIT_RTPRIO) when refused;
 * the line does not say who wanted FIFO (--fifo, a FIFO target load):
 * callers put that in front.
 */
int sched_fifo_self(int prio, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
