/* SPDX-License-Identifier: GPL-2.0 */
/* The unit tests' checking macro: report every failure, exit 1 at the end. */
#ifndef QPWBENCH_TEST_CHECK_H
#define QPWBENCH_TEST_CHECK_H

#include <stdio.h>

static int check_failures;

#define CHECK(cond, ...)							\
	do {									\
		if (!(cond)) {							\
			fprintf(stderr, "%s:%d: FAIL: ", __FILE__, __LINE__);	\
			fprintf(stderr, __VA_ARGS__);				\
			fputc('\n', stderr);					\
			check_failures++;					\
		}								\
	} while (0)

#define CHECK_DONE()								\
	do {									\
		if (check_failures)						\
			fprintf(stderr, "%d check(s) failed\n", check_failures); \
		return check_failures ? 1 : 0;					\
	} while (0)

#endif
