// SPDX-License-Identifier: GPL-2.0-only
/*
 * The markers as the compiler emits them decode to their value, and code
 * that is no marker does not: the plugin's decoder (qpwbench_marker.h) run
 * over this program's own machine code, and over arm64 encodings written
 * out by hand (movz xzr, #v, lsl #32 and its neighbours).
 */
#include <stdio.h>
#include <string.h>

#include "qpwbench_marker.h"

static int failures;

static void check(int cond, const char *what)
{
	if (!cond) {
		printf("FAIL: %s\n", what);
		failures++;
	}
}

/* Two markers between two labels: their bytes are scanned below. */
static void marked(void)
{
	__asm__ __volatile__("coherence_marked_start:");
	QPWBENCH_WINDOW_OPEN(5);
	QPWBENCH_WINDOW_CLOSE(0x7fff);
	__asm__ __volatile__("coherence_marked_end:");
}

extern const unsigned char coherence_marked_start[], coherence_marked_end[];

static int decode_word(unsigned int w)
{
	unsigned char b[4] = { w & 0xff, w >> 8 & 0xff, w >> 16 & 0xff, w >> 24 };

	return qpwbench_marker_decode(b, 4, 1);
}

int main(void)
{
	int found[2] = { -1, -1 }, n = 0;
	const unsigned char *p = coherence_marked_start, *end = coherence_marked_end;
	int arm64 = 0;

#ifdef __aarch64__
	arm64 = 1;
#endif
	marked();
	/* The markers are the only code between the labels, one after another. */
	while (p < end && n < 2) {
		unsigned long len = arm64 ? 4 : 7;
		int v = qpwbench_marker_decode(p, len, arm64);

		check(v >= 0, "the code between the labels is the markers");
		if (v < 0)
			break;
		found[n++] = v;
		p += len;
	}
	check(n == 2 && p == end, "exactly two markers");
	check(found[0] == 5, "open 5 decodes to 5");
	check(found[1] == 0xffff, "close 0x7fff decodes to 0xffff");

	check(decode_word(0xd2c0001fu | 0x1234u << 5) == 0x1234, "arm64 movz xzr, #0x1234, lsl #32");
	check(decode_word(0xd280001fu | 0x1234u << 5) == -1, "arm64 movz xzr without the shift is no marker");
	check(decode_word(0xd2c0001eu | 0x1234u << 5) == -1, "arm64 movz x30 is no marker");
	check(decode_word(0xd503201fu) == -1, "arm64 nop is no marker");
	{
		const unsigned char pad[7] = { 0x0f, 0x1f, 0x80, 0, 0, 0, 0 };
		const unsigned char near[7] = { 0x0f, 0x1f, 0x80, 5, 0, 0x51, 0x9a };

		check(qpwbench_marker_decode(pad, 7, 0) == -1, "x86 padding nopl 0(%rax) is no marker");
		check(qpwbench_marker_decode(near, 7, 0) == -1, "x86 nopl with another displacement is no marker");
		check(qpwbench_marker_decode(coherence_marked_start, 6, 0) == -1, "a shorter instruction is no marker");
	}
	printf("%d passed, %d failed\n", failures ? 0 : 1, failures ? 1 : 0);
	return failures != 0;
}
