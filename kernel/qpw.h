/* SPDX-License-Identifier: GPL-2.0 */
/*
 * In-module copy of the two generations of the QPW interface, so that both
 * can be measured on a stock kernel. Only the calls qpwbench uses are copied;
 * names follow the proposals.
 *
 * flush_percpu_work() and pw_flush() call flush_work() as the originals
 * do; a target CPU that never runs the work (the module's FIFO spinner) is
 * handled by that spinner, which gives the CPU up at the run's wait bound.
 */
#ifndef QPWBENCH_QPW_H
#define QPWBENCH_QPW_H

#include <linux/jump_label.h>
#include <linux/local_lock.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

/*
 * RFC, June 2024: "Introducing qpw_lock() and per-cpu queue & flush work".
 * On PREEMPT_RT, local_lock_t is a spinlock_t, so a remote CPU may take it
 * and run the work inline; otherwise QPW is local_lock + workqueue.
 */
#ifdef CONFIG_PREEMPT_RT

struct qpw_struct {
	struct work_struct work;
	int cpu;
};

/* @cpu is evaluated after migrate_disable(): smp_processor_id() is fine. */
#define qpw_lock(lock, cpu)					\
	do {							\
		migrate_disable();				\
		spin_lock(per_cpu_ptr((lock), (cpu)));		\
	} while (0)

#define qpw_unlock(lock, cpu)					\
	do {							\
		spin_unlock(per_cpu_ptr((lock), (cpu)));	\
		migrate_enable();				\
	} while (0)

/* RT spin_lock_irqsave() leaves interrupts on: the same sleeping lock. */
#define qpw_lock_irqsave(lock, cpu, flags)				\
	do {								\
		migrate_disable();					\
		spin_lock_irqsave(per_cpu_ptr((lock), (cpu)), flags);	\
	} while (0)

#define qpw_unlock_irqrestore(lock, cpu, flags)				\
	do {								\
		spin_unlock_irqrestore(per_cpu_ptr((lock), (cpu)), flags); \
		migrate_enable();					\
	} while (0)

#define queue_percpu_work_on(c, wq, qpw)			\
	do {							\
		int __c = (c);					\
		struct qpw_struct *__qpw = (qpw);		\
		WARN_ON_ONCE(__c != __qpw->cpu);		\
		__qpw->work.func(&__qpw->work);			\
	} while (0)

#define flush_percpu_work(qpw)	do { } while (0)

#define qpw_get_cpu(w)	container_of((w), struct qpw_struct, work)->cpu

#define INIT_QPW(qpw, func, c)					\
	do {							\
		INIT_WORK(&(qpw)->work, (func));		\
		(qpw)->cpu = (c);				\
	} while (0)

#else /* !CONFIG_PREEMPT_RT */

struct qpw_struct {
	struct work_struct work;
};

#define qpw_lock(lock, cpu)		local_lock(lock)
#define qpw_unlock(lock, cpu)		local_unlock(lock)
#define qpw_lock_irqsave(lock, cpu, flags)	local_lock_irqsave(lock, flags)
#define qpw_unlock_irqrestore(lock, cpu, flags)	local_unlock_irqrestore(lock, flags)
#define queue_percpu_work_on(c, wq, qpw) queue_work_on((c), (wq), &(qpw)->work)
#define flush_percpu_work(qpw)		flush_work(&(qpw)->work)
#define qpw_get_cpu(w)			smp_processor_id()
#define INIT_QPW(qpw, func, c)		INIT_WORK(&(qpw)->work, (func))

#endif /* CONFIG_PREEMPT_RT */

/*
 * 2026 series (v4 names, "PW locks"): on any kernel a static key chooses
 * between a real per-CPU spinlock_t, which lets a remote CPU do the work
 * inline, and the classic local_lock + workqueue. The series keeps the two
 * lock types in a union; they are separate members here because the key is
 * flipped at run time (only while no measurement runs) and lockdep must see
 * each lock initialised.
 */
DECLARE_STATIC_KEY_FALSE(pwlocks_key);

/* A typedef (checkpatch warns), as local_lock_t is: the series' lock type is opaque. */
typedef struct {
	local_lock_t ll ____cacheline_aligned;	/* key off */
	spinlock_t sl ____cacheline_aligned;	/* key on */
} pw_lock_t;

struct pw_struct {
	struct work_struct work;
	int cpu;
};

/*
 * Keep the CPU fixed while its spinlock is held: preemption off on !RT (as
 * local_lock does), migration off on RT where spinlock_t sleeps.
 */
static __always_inline void pw_pin(void)
{
	if (IS_ENABLED(CONFIG_PREEMPT_RT))
		migrate_disable();
	else
		preempt_disable();
}

static __always_inline void pw_unpin(void)
{
	if (IS_ENABLED(CONFIG_PREEMPT_RT))
		migrate_enable();
	else
		preempt_enable();
}

#define pw_lock_local(lock)					\
	do {							\
		if (static_branch_unlikely(&pwlocks_key)) {	\
			pw_pin();				\
			spin_lock(this_cpu_ptr(&(lock)->sl));	\
		} else {					\
			local_lock(&(lock)->ll);		\
		}						\
	} while (0)

#define pw_unlock_local(lock)					\
	do {							\
		if (static_branch_unlikely(&pwlocks_key)) {	\
			spin_unlock(this_cpu_ptr(&(lock)->sl));	\
			pw_unpin();				\
		} else {					\
			local_unlock(&(lock)->ll);		\
		}						\
	} while (0)

#define pw_lock_local_irqsave(lock, flags)				\
	do {								\
		if (static_branch_unlikely(&pwlocks_key)) {		\
			pw_pin();					\
			spin_lock_irqsave(this_cpu_ptr(&(lock)->sl), flags); \
		} else {						\
			local_lock_irqsave(&(lock)->ll, flags);		\
		}							\
	} while (0)

#define pw_unlock_local_irqrestore(lock, flags)				\
	do {								\
		if (static_branch_unlikely(&pwlocks_key)) {		\
			spin_unlock_irqrestore(this_cpu_ptr(&(lock)->sl), flags); \
			pw_unpin();					\
		} else {						\
			local_unlock_irqrestore(&(lock)->ll, flags);	\
		}							\
	} while (0)

/* With the key off this only ever runs on @cpu itself (in the work item). */
#define pw_lock(lock, cpu)						\
	do {								\
		if (static_branch_unlikely(&pwlocks_key)) {		\
			pw_pin();					\
			spin_lock(per_cpu_ptr(&(lock)->sl, (cpu)));	\
		} else {						\
			local_lock(&(lock)->ll);			\
		}							\
	} while (0)

#define pw_unlock(lock, cpu)						\
	do {								\
		if (static_branch_unlikely(&pwlocks_key)) {		\
			spin_unlock(per_cpu_ptr(&(lock)->sl, (cpu)));	\
			pw_unpin();					\
		} else {						\
			local_unlock(&(lock)->ll);			\
		}							\
	} while (0)

#define pw_queue_on(c, wq, pw)						\
	do {								\
		int __c = (c);						\
		struct pw_struct *__pw = (pw);				\
		if (static_branch_unlikely(&pwlocks_key)) {		\
			WARN_ON_ONCE(__c != __pw->cpu);			\
			__pw->work.func(&__pw->work);			\
		} else {						\
			queue_work_on(__c, (wq), &__pw->work);		\
		}							\
	} while (0)

#define pw_flush(pw)							\
	do {								\
		if (!static_branch_unlikely(&pwlocks_key))		\
			flush_work(&(pw)->work);			\
	} while (0)

#define pw_get_cpu(w)							\
	(static_branch_unlikely(&pwlocks_key) ?				\
	 container_of((w), struct pw_struct, work)->cpu : smp_processor_id())

#define INIT_PW(pw, func, c)					\
	do {							\
		INIT_WORK(&(pw)->work, (func));			\
		(pw)->cpu = (c);				\
	} while (0)

#endif /* QPWBENCH_QPW_H */
