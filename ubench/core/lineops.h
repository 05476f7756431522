/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The three ways CPUs share one cache line that `ubench c2c` measures
 * contended and ubench-gbench measures uncontended: an atomic add, a CAS
 * loop, a ticket spinlock (the kernel's arch_spinlock_t on arm64 before
 * qspinlock, and the simplest fair lock).
 */
#ifndef QPWBENCH_CORE_LINEOPS_H
#define QPWBENCH_CORE_LINEOPS_H

#include <stdalign.h>
#include <stdatomic.h>

#include "relax.h"

#define LINE_BYTES	64

#define LINE_OPS(X)			\
	X(ATOMIC_ADD, "atomic-add")	\
	X(CAS, "cas")			\
	X(TICKET, "ticket")

enum line_op {
#define LINE_OP_ENUM(id, name) LINE_OP_##id,
	LINE_OPS(LINE_OP_ENUM)
#undef LINE_OP_ENUM
	LINE_NR_OPS
};

static inline const char *line_op_name(enum line_op op)
{
	static const char *const names[LINE_NR_OPS] = {
#define LINE_OP_NAME(id, name) name,
		LINE_OPS(LINE_OP_NAME)
#undef LINE_OP_NAME
	};

	return names[op];
}

/* The shared data: the counter, and the ticket lock's words with the data it guards. */
struct shared_line {
	alignas(LINE_BYTES) atomic_ulong counter;
	alignas(LINE_BYTES) atomic_uint next;
	atomic_uint owner;
	unsigned long guarded;
};

/* One op. Relaxed atomics for add and CAS, as the kernel's atomic_inc(). */
static inline void line_op(struct shared_line *l, enum line_op op)
{
	unsigned long old;
	unsigned int ticket;

	switch (op) {
	case LINE_OP_ATOMIC_ADD:
		atomic_fetch_add_explicit(&l->counter, 1, memory_order_relaxed);
		break;
	case LINE_OP_CAS:
		old = atomic_load_explicit(&l->counter, memory_order_relaxed);
		while (!atomic_compare_exchange_weak_explicit(&l->counter, &old, old + 1,
							      memory_order_relaxed, memory_order_relaxed))
			;
		break;
	case LINE_OP_TICKET:
		ticket = atomic_fetch_add_explicit(&l->next, 1, memory_order_relaxed);
		while (atomic_load_explicit(&l->owner, memory_order_acquire) != ticket)
			cpu_relax();
		l->guarded++;
		atomic_store_explicit(&l->owner, ticket + 1, memory_order_release);
		break;
	case LINE_NR_OPS:
		break;
	}
}

#endif
