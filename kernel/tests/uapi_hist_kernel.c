// SPDX-License-Identifier: GPL-2.0
/*
 * The uapi histogram helpers as the module compiles them: built with
 * -D__KERNEL__ -ffreestanding and nothing but the uapi header, linked into
 * uapi-hist, which holds them against the userspace build of the same header.
 */
#include "uapi_hist.h"

__u32 kernel_side_hist_bucket(__u64 v)
{
	return qpwbench_hist_bucket(v);
}

void kernel_side_hist_add(struct qpwbench_hist *h, __u64 v)
{
	qpwbench_hist_add(h, v);
}
