// SPDX-License-Identifier: GPL-2.0
/*
 * uapi-hist: pins the histogram's bucket rule, which is part of the ABI, and
 * proves the module and userspace record alike.
 *
 * The uapi header's qpwbench_hist_bucket() and qpwbench_hist_add() are
 * compiled twice: here as userspace does, and in uapi_hist_kernel.c as the
 * module does (-D__KERNEL__, freestanding). Both must put every value in the
 * same bucket, that bucket must be the one the table below fixes, and a
 * sequence of samples must leave identical histograms (count, exact min and
 * max, saturating sum, buckets). Exit 0 all agree, 1 otherwise.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "uapi_hist.h"

static unsigned int failures;

/* The first 20 failures are printed, all are counted. */
__attribute__((format(printf, 1, 2)))
static void fail(const char *fmt, ...)
{
	va_list ap;

	if (failures++ >= 20)
		return;
	printf("FAIL ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/*
 * The rule, written out: below 16 ps one bucket per value; above, 16 buckets
 * per power of two, indexed by the 4 bits below the leading one. A change
 * here changes what every recorded histogram means: bump the ABI version.
 */
static const struct { __u64 value; __u32 bucket; __u64 low; } pinned[] = {
	{ 0, 0, 0 },
	{ 15, 15, 15 },
	{ 16, 16, 16 },
	{ 31, 31, 31 },
	{ 32, 32, 32 },
	{ 33, 32, 32 },
	{ 34, 33, 34 },
	{ 1000, 111, 992 },			/* 1 ns */
	{ 1000000, 270, 983040 },		/* 1 us */
	{ 1000000000000ULL, 589, 996432412672ULL },	/* 1 s */
	{ 1ULL << 63, 960, 1ULL << 63 },
	{ ~0ULL, QPWBENCH_HIST_BUCKETS - 1, 0xF8ULL << 56 },
};

static void check_value(__u64 v)
{
	__u32 user = qpwbench_hist_bucket(v), kernel = kernel_side_hist_bucket(v);

	if (kernel != user)
		fail("%llu: bucket %u kernel-side, %u userspace-side", (unsigned long long)v, kernel,
		     user);
	if (user >= QPWBENCH_HIST_BUCKETS || qpwbench_hist_bucket_low(user) > v)
		fail("%llu: bucket %u does not hold it", (unsigned long long)v, user);
}

int main(void)
{
	struct qpwbench_hist user, kernel;
	__u64 v, values = 0;
	unsigned int before;

	for (unsigned int i = 0; i < sizeof(pinned) / sizeof(pinned[0]); i++) {
		v = pinned[i].value;
		if (qpwbench_hist_bucket(v) != pinned[i].bucket)
			fail("%llu: bucket %u, the ABI says %u", (unsigned long long)v,
			     qpwbench_hist_bucket(v), pinned[i].bucket);
		if (qpwbench_hist_bucket_low(pinned[i].bucket) != pinned[i].low)
			fail("bucket %u starts at %llu, the ABI says %llu", pinned[i].bucket,
			     (unsigned long long)qpwbench_hist_bucket_low(pinned[i].bucket),
			     (unsigned long long)pinned[i].low);
	}
	printf("%s: %zu pinned values in their ABI buckets\n", failures ? "FAIL" : "PASS",
	       sizeof(pinned) / sizeof(pinned[0]));

	before = failures;
	/* Every value to 2^16, then each power of two and its neighbours, then a walk. */
	for (v = 0; v <= 1 << 16; v++, values++)
		check_value(v);
	for (unsigned int s = 1; s < 64; s++, values += 3) {
		check_value((1ULL << s) - 1);
		check_value(1ULL << s);
		check_value((1ULL << s) + 1);
	}
	for (v = 1 << 16; v < ~0ULL / 2; v += v / 1021 + 7, values++)
		check_value(v);
	check_value(~0ULL);
	printf("%s: %llu values in the same bucket kernel-side and userspace-side\n",
	       failures > before ? "FAIL" : "PASS", (unsigned long long)values + 1);

	/* The same samples, recorded by each side; the last two saturate the sum. */
	before = failures;
	memset(&user, 0, sizeof(user));
	memset(&kernel, 0, sizeof(kernel));
	for (v = 7; v < 1ULL << 50; v = v * 3 + 1) {
		qpwbench_hist_add(&user, v);
		kernel_side_hist_add(&kernel, v);
	}
	qpwbench_hist_add(&user, ~0ULL - 1);
	kernel_side_hist_add(&kernel, ~0ULL - 1);
	qpwbench_hist_add(&user, 3);
	kernel_side_hist_add(&kernel, 3);
	if (memcmp(&user, &kernel, sizeof(user)))
		fail("the kernel side's histogram differs (count %llu, userspace %llu)",
		     (unsigned long long)kernel.count, (unsigned long long)user.count);
	if (user.sum != ~0ULL || user.min != 3 || user.max != ~0ULL - 1)
		fail("sum %llu min %llu max %llu, want a saturated sum, min 3, max 2^64 - 2",
		     (unsigned long long)user.sum, (unsigned long long)user.min,
		     (unsigned long long)user.max);
	printf("%s: %llu samples recorded alike by both sides (min %llu, max %llu, sum saturated)\n",
	       failures > before ? "FAIL" : "PASS", (unsigned long long)user.count,
	       (unsigned long long)user.min, (unsigned long long)user.max);
	return failures ? 1 : 0;
}
