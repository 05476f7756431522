// SPDX-License-Identifier: GPL-2.0
/*
 * qpw, the June 2024 RFC: qpw_lock() is local_lock(), whose lock word is a
 * spinlock_t only on PREEMPT_RT; there queue_percpu_work_on() takes the
 * target's lock and runs the work on the caller. On !RT the RFC is exactly
 * wq. Userspace has no RT switch of its own, so the model does what the RFC
 * does on the kernel it runs on (the preempt model read by model_init(), the
 * "preempt" column of every row): RT, lock and inline; !RT, wq.
 */
#include "model.h"

static struct model_drain_done qpw_drain(struct model *m, const unsigned int *cpus,
					 unsigned int n, uint64_t wait_bound_ns)
{
	if (m->preempt_rt)
		return model_drain_inline(m, cpus, n, wait_bound_ns);
	return model_drain_wq(m, cpus, n, wait_bound_ns);
}

const struct model_variant model_variant_QPW = {
	.local_ops = model_local_lock_ops,
	.drain = qpw_drain,
	.held_op = model_local_lock_held,
};
