/* SPDX-License-Identifier: GPL-2.0 */
/* uapi-hist: the histogram helpers compiled the kernel's way (uapi_hist_kernel.c). */
#ifndef QPWBENCH_UAPI_HIST_H
#define QPWBENCH_UAPI_HIST_H

#include "qpwbench.h"

__u32 kernel_side_hist_bucket(__u64 v);
void kernel_side_hist_add(struct qpwbench_hist *h, __u64 v);

#endif /* QPWBENCH_UAPI_HIST_H */
