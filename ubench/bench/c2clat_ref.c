// SPDX-License-Identifier: GPL-2.0
/*
 * c2clat-ref: an independent reimplementation of the method of Erik
 * Rigtorp's c2clat (https://github.com/rigtorp/c2clat), for one CPU pair,
 * so that `ubench c2c` can be checked against it (bench/c2c-agreement).
 *
 * The method, as c2clat does it:
 *   - two int flags, each in its own 64-byte-aligned line, both reset to -1
 *     (sequentially consistent stores) before every sample;
 *   - the pong thread, pinned on one CPU with sched_setaffinity, waits for
 *     flag 1 == n and stores n into flag 2 (acquire load, release store), for
 *     n = 0..99, for every sample;
 *   - the ping thread (the main thread, pinned on the other CPU) reads the
 *     monotonic clock (steady_clock is CLOCK_MONOTONIC on Linux), does 100
 *     round trips (store n into flag 1, wait for flag 2 == n), reads the clock
 *     again;
 *   - the figure is the minimum over the samples of that time, divided by 2
 *     and by 100, in whole nanoseconds (integer division of the nanosecond
 *     count, as std::chrono does).
 * Besides that figure this prints the unrounded minimum and the median of
 * the samples (same scaling), which c2clat does not report.
 *
 * usage: c2clat-ref [-s SAMPLES] CPU_PING_SIDE CPU_PONG_SIDE
 *   prints: c2clat_ns=<int> min_ns=<float> median_ns=<float> samples=<n>
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define ROUND_TRIPS	100
#define MAX_SAMPLES	10000000

static alignas(64) atomic_int seq1;
static alignas(64) atomic_int seq2;
static long nsamples = 1000;

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		fprintf(stderr, "c2clat-ref: cannot pin on CPU %d: %s\n", cpu, strerror(errno));
		exit(1);
	}
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void *pong(void *arg)
{
	pin(*(int *)arg);
	for (long m = 0; m < nsamples; m++)
		for (int n = 0; n < ROUND_TRIPS; n++) {
			while (atomic_load_explicit(&seq1, memory_order_acquire) != n)
				;
			atomic_store_explicit(&seq2, n, memory_order_release);
		}
	return NULL;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static int parse_int(const char *s, long max, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return (*s < '0' || *s > '9' || *end || errno || *out > max) ? -1 : 0;
}

int main(int argc, char **argv)
{
	long cpu_ping, cpu_pong;
	int pong_cpu, opt;
	int64_t *rtt;
	pthread_t t;

	while ((opt = getopt(argc, argv, "s:")) != -1) {
		if (opt != 's' || parse_int(optarg, MAX_SAMPLES, &nsamples) || nsamples < 1) {
			fprintf(stderr, "usage: c2clat-ref [-s SAMPLES] CPU_PING CPU_PONG\n");
			return 2;
		}
	}
	if (argc - optind != 2 || parse_int(argv[optind], CPU_SETSIZE - 1, &cpu_ping) ||
	    parse_int(argv[optind + 1], CPU_SETSIZE - 1, &cpu_pong)) {
		fprintf(stderr, "usage: c2clat-ref [-s SAMPLES] CPU_PING CPU_PONG\n");
		return 2;
	}
	rtt = calloc((size_t)nsamples, sizeof(*rtt));
	if (!rtt) {
		fprintf(stderr, "c2clat-ref: out of memory\n");
		return 1;
	}
	atomic_store(&seq1, -1);
	atomic_store(&seq2, -1);
	pong_cpu = (int)cpu_pong;
	if (pthread_create(&t, NULL, pong, &pong_cpu)) {
		fprintf(stderr, "c2clat-ref: cannot create a thread\n");
		return 1;
	}
	pin((int)cpu_ping);
	for (long m = 0; m < nsamples; m++) {
		int64_t t1, t2;

		atomic_store(&seq1, -1);
		atomic_store(&seq2, -1);
		t1 = now_ns();
		for (int n = 0; n < ROUND_TRIPS; n++) {
			atomic_store_explicit(&seq1, n, memory_order_release);
			while (atomic_load_explicit(&seq2, memory_order_acquire) != n)
				;
		}
		t2 = now_ns();
		rtt[m] = t2 - t1;
	}
	pthread_join(t, NULL);
	qsort(rtt, (size_t)nsamples, sizeof(*rtt), cmp_i64);
	printf("c2clat_ns=%lld min_ns=%.3f median_ns=%.3f samples=%ld\n",
	       (long long)(rtt[0] / 2 / ROUND_TRIPS), (double)rtt[0] / (2.0 * ROUND_TRIPS),
	       (nsamples % 2 ? (double)rtt[nsamples / 2] :
		(double)(rtt[nsamples / 2 - 1] + rtt[nsamples / 2]) / 2.0) / (2.0 * ROUND_TRIPS),
	       nsamples);
	free(rtt);
	return 0;
}
