/* SPDX-License-Identifier: GPL-2.0 */
/* cpu_relax() for spin-wait loops: the kernel's, in userspace. */
#ifndef QPWBENCH_CORE_RELAX_H
#define QPWBENCH_CORE_RELAX_H

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__asm__ __volatile__("pause" ::: "memory");
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

#endif
