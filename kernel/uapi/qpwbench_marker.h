/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * Coherence windows: markers that QEMU's coherence plugin
 * (plugins/coherence.c) recognises when it translates guest code. Userspace
 * and the module put them around what they measure; the plugin counts the
 * cache lines that move between vCPUs while a window is open.
 *
 * A marker is one instruction that does nothing and that no compiler emits,
 * carrying a 16-bit value: bit 15 set closes a window, clear opens one; the
 * low 15 bits are the window's label.
 *   x86_64: nopl 0x9b51VVVV(%rax), bytes 0f 1f 80 VV VV 51 9b. Multi-byte
 *           NOPs from alignment padding carry a zero displacement.
 *   arm64:  movz xzr, #VVVV, lsl #32 (0xd2c0001f | VVVV << 5): a write to
 *           the zero register, discarded.
 * Both execute as no-ops on hardware and under any accelerator.
 *
 * Windows are global, not per CPU: the plugin counts every vCPU's accesses
 * while one is open (a drain's caller and its target alike). Opens nest:
 * the window spans from the first open to the matching last close and
 * keeps the outermost open's label.
 */
#ifndef QPWBENCH_MARKER_H
#define QPWBENCH_MARKER_H

#define QPWBENCH_MARK_CLOSE 0x8000u
#define QPWBENCH_MARK_LABEL 0x7fffu

/* x86_64: the displacement's high half; arm64: the instruction less its value. */
#define QPWBENCH_MARK_X86_MAGIC 0x9b51u
#define QPWBENCH_MARK_ARM64_BASE 0xd2c0001fu
#define QPWBENCH_MARK_ARM64_MASK 0xffe0001fu

#if defined(__x86_64__)
#define QPWBENCH_MARK(value) \
	__asm__ __volatile__(".byte 0x0f, 0x1f, 0x80\n\t.short %c0\n\t.short 0x9b51" \
			     : : "i"(value) : "memory")
#elif defined(__aarch64__)
#define QPWBENCH_MARK(value) \
	__asm__ __volatile__(".inst 0xd2c0001f | ((%c0) << 5)" : : "i"(value) : "memory")
#else
/* No marker the plugin knows: nothing, so the code still builds. */
#define QPWBENCH_MARK(value) do { } while (0)
#endif

/*
 * Labels in use: recorded drains (remote, drain-all), module and user model;
 * one trigger of ubench trigger (the caller's fire, the kernel's remote
 * drain in it); qpwbench-kpath's loops, + 0, 1, 2: fault, getcwd, getppid.
 */
#define QPWBENCH_LABEL_DRAIN 0x100
#define QPWBENCH_LABEL_TRIGGER 0x101
#define QPWBENCH_LABEL_KPATH 0x110

/* label: a constant from 0 to 0x7fff. */
#define QPWBENCH_WINDOW_OPEN(label) QPWBENCH_MARK((label) & QPWBENCH_MARK_LABEL)
#define QPWBENCH_WINDOW_CLOSE(label) \
	QPWBENCH_MARK(((label) & QPWBENCH_MARK_LABEL) | QPWBENCH_MARK_CLOSE)

/*
 * The decoder the plugin uses: the marker's value when the len bytes at
 * code are one, else -1. arm64 says which encoding to look for.
 */
static inline int qpwbench_marker_decode(const unsigned char *code, unsigned long len, int arm64)
{
	if (arm64) {
		unsigned int w;

		if (len != 4)
			return -1;
		w = code[0] | code[1] << 8 | code[2] << 16 | (unsigned int)code[3] << 24;
		if ((w & QPWBENCH_MARK_ARM64_MASK) != QPWBENCH_MARK_ARM64_BASE)
			return -1;
		return (int)(w >> 5 & 0xffff);
	}
	if (len != 7 || code[0] != 0x0f || code[1] != 0x1f || code[2] != 0x80 ||
	    (code[5] | code[6] << 8) != QPWBENCH_MARK_X86_MAGIC)
		return -1;
	return code[3] | code[4] << 8;
}

#endif
