// SPDX-License-Identifier: GPL-2.0
/*
 * The uapi layout table. Linked into uapi-layout natively, and compiled
 * alone for arm64 (aarch64-linux-gnu-gcc -c), whose .qpwbench_layout section
 * uapi-layout reads as the other side of the comparison.
 */
#include "uapi_layout.h"

__attribute__((section(".qpwbench_layout"), used))
const unsigned long long qpwbench_uapi_layout[] = {
	QPWBENCH_UAPI_LAYOUT(QPWBENCH_LAYOUT_S, QPWBENCH_LAYOUT_F)
};

const unsigned int qpwbench_uapi_layout_len =
	sizeof(qpwbench_uapi_layout) / sizeof(qpwbench_uapi_layout[0]);
