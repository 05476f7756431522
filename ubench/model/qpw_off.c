// SPDX-License-Identifier: GPL-2.0
/*
 * qpw-off, the 2026 series with its static key off: local_lock() behind a
 * static branch, and the workqueue for remote drains. The kernel patches the
 * branch into a nop, which userspace cannot do; the model resolves it per
 * variant instead, so these are wq's ops. The row is here so that the kmod
 * backend's figure, with the real patched branch, has its userspace
 * counterpart in every report.
 */
#include "model.h"

const struct model_variant model_variant_QPW_OFF = {
	.local_ops = model_local_lock_ops,
	.drain = model_drain_wq,
	.held_op = model_local_lock_held,
};
