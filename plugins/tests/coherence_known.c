// SPDX-License-Identifier: GPL-2.0-only
/*
 * qpwbench-coherence-known: code whose coherence traffic is known, run in a
 * guest under the coherence plugin (scripts/tests/vm-coherence), with
 * windows around its loops (kernel/uapi/qpwbench_marker.h).
 *
 *   qpwbench-coherence-known pingpong ROUNDS   window label 1
 *   qpwbench-coherence-known own PASSES        window label 2
 *
 * Threads are pinned to CPUs 0 and 1. Each test runs twice and only the
 * second is in the window: the first run's one-time traffic (page faults,
 * lazy binding, lines last written by the thread's parent) stays out.
 * pingpong: the two threads hand one line back and forth through a turn
 * counter, ROUNDS round trips: every handoff is a write by one thread and
 * then a read by the other, so the line moves twice per round trip.
 * Waiting is a futex wait on the counter, so a vCPU idles instead of
 * spinning through QEMU's one-vCPU-at-a-time schedule; the kernel reads the
 * counter through its user address too, so it moves the same line.
 * own: each thread writes PASSES times over 64 lines of its own page (a
 * page fault zeroes the whole page on the faulting CPU); the
 * threads start and finish through pipes, whose shared state is kernel
 * memory: no user line is touched by both, so 0 user lines move.
 * Prints "pingpong rounds=N" or "own passes=N lines=64" on success.
 */
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "qpwbench_marker.h"

#define LABEL_PINGPONG 1
#define LABEL_OWN 2
#define OWN_LINES 64
/* Each test runs twice, the window around the second: the first brings
 * every line (stacks, the GOT, libc's data) to where it stays. */
#define ROUNDS 2

static alignas(64) atomic_int turn;
/* A page each: a page fault zeroes the whole page on the faulting CPU. */
static alignas(4096) volatile unsigned long own_lines[2][OWN_LINES][8];
static long count;
static int ready_pipe[2], go_pipe[2], done_pipe[2];

static void die(const char *what)
{
	fprintf(stderr, "qpwbench-coherence-known: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("sched_setaffinity");
}

static void futex(int op, int val)
{
	syscall(SYS_futex, &turn, op | FUTEX_PRIVATE_FLAG, val, NULL, NULL, 0);
}

/* Wait until turn reads want; it holds `from` meanwhile. */
static void wait_turn(int from, int want)
{
	while (atomic_load(&turn) != want)
		futex(FUTEX_WAIT, from);
}

static void set_turn(int value)
{
	atomic_store(&turn, value);
	futex(FUTEX_WAKE, 1);
}

static void signal_pipe(int fd)
{
	char c = 0;

	if (write(fd, &c, 1) != 1)
		die("write");
}

static void wait_pipe(int fd)
{
	char c;

	if (read(fd, &c, 1) != 1)
		die("read");
}

static void write_own(int me, long passes)
{
	for (long p = 0; p < passes; p++)
		for (int l = 0; l < OWN_LINES; l++)
			own_lines[me][l][0] += (unsigned long)p;
}

static void *partner_pingpong(void *arg)
{
	(void)arg;
	pin(1);
	signal_pipe(ready_pipe[1]);
	for (int i = 0; i < ROUNDS * count; i++) {
		wait_turn(2 * i, 2 * i + 1);
		set_turn(2 * i + 2);
	}
	wait_pipe(go_pipe[0]);
	return NULL;
}

static void *partner_own(void *arg)
{
	(void)arg;
	pin(1);
	signal_pipe(ready_pipe[1]);
	for (int r = 0; r < ROUNDS; r++) {
		wait_pipe(go_pipe[0]);
		write_own(1, count);
		signal_pipe(done_pipe[1]);
	}
	wait_pipe(go_pipe[0]);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t partner;
	int pingpong;

	if (argc != 3 || (strcmp(argv[1], "pingpong") && strcmp(argv[1], "own")) ||
	    (count = strtol(argv[2], NULL, 10)) <= 0 || count > 1000000) {
		fprintf(stderr, "usage: qpwbench-coherence-known pingpong ROUNDS | own PASSES (1-1000000)\n");
		return 2;
	}
	pingpong = !strcmp(argv[1], "pingpong");
	if (pipe(ready_pipe) || pipe(go_pipe) || pipe(done_pipe))
		die("pipe");
	pin(0);
	errno = pthread_create(&partner, NULL, pingpong ? partner_pingpong : partner_own, NULL);
	if (errno)
		die("pthread_create");
	wait_pipe(ready_pipe[0]);
	for (int r = 0; r < ROUNDS; r++) {
		if (pingpong) {
			if (r == ROUNDS - 1)
				QPWBENCH_WINDOW_OPEN(LABEL_PINGPONG);
			for (int i = r * count; i < (r + 1) * count; i++) {
				set_turn(2 * i + 1);
				wait_turn(2 * i + 1, 2 * i + 2);
			}
			if (r == ROUNDS - 1)
				QPWBENCH_WINDOW_CLOSE(LABEL_PINGPONG);
		} else {
			if (r == ROUNDS - 1)
				QPWBENCH_WINDOW_OPEN(LABEL_OWN);
			signal_pipe(go_pipe[1]);
			write_own(0, count);
			wait_pipe(done_pipe[0]);
			if (r == ROUNDS - 1)
				QPWBENCH_WINDOW_CLOSE(LABEL_OWN);
		}
	}
	/* Only now may the partner exit: its exit writes libc's thread lists. */
	signal_pipe(go_pipe[1]);
	errno = pthread_join(partner, NULL);
	if (errno)
		die("pthread_join");
	if (pingpong)
		printf("pingpong rounds=%ld\n", count);
	else
		printf("own passes=%ld lines=%d\n", count, OWN_LINES);
	return 0;
}
