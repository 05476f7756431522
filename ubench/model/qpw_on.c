// SPDX-License-Identifier: GPL-2.0
/*
 * qpw-on, the 2026 series with its static key on: a real per-CPU spinlock
 * taken under preempt_disable() (!RT) or migrate_disable() (RT) on every
 * local op; a remote drain takes the target's spinlock and flushes inline on
 * the caller, on any kernel. Serial across targets.
 */
#include "model.h"

const struct model_variant model_variant_QPW_ON = {
	.local_ops = model_spinlock_ops,
	.drain = model_drain_inline,
	.held_op = model_spinlock_held,
};
