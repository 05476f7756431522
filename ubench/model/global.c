// SPDX-License-Identifier: GPL-2.0
/*
 * global, no per-CPU caching (the alternative for isolated CPUs): every op
 * takes one global spinlock and goes straight to the shared list, so there
 * is nothing to drain and a drain costs nothing but the call.
 */
#include "model.h"

static struct model_drain_done global_drain(struct model *m, const unsigned int *cpus,
					    unsigned int n, uint64_t wait_bound_ns)
{
	(void)m;
	(void)cpus;
	(void)n;
	(void)wait_bound_ns;
	return (struct model_drain_done){ 0 };
}

const struct model_variant model_variant_GLOBAL = {
	.local_ops = model_global_lock_ops,
	.drain = global_drain,
	.held_op = model_global_lock_held,
};
