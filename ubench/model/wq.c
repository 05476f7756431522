// SPDX-License-Identifier: GPL-2.0
/*
 * wq, mainline today: local_lock() on the fast path; a remote drain queues
 * work on the target CPU and waits for it (queue_work_on() + flush_work()).
 */
#include "model.h"

const struct model_variant model_variant_WQ = {
	.local_ops = model_local_lock_ops,
	.drain = model_drain_wq,
	.held_op = model_local_lock_held,
};
