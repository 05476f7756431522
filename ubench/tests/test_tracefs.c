// SPDX-License-Identifier: GPL-2.0
/*
 * tracefs.c's readers on a made-up tracefs (a directory with a "trace"
 * file): the line parse (stamp, CPU field) and the work a trigger still
 * owes a target (queued onto it, not yet started there), as ubench trigger
 * waits for it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "../tracefs.h"

#define Q(stamp, addr, req, cpu)                                                            \
	"          ubench-110     [000] d...1    " stamp ": workqueue_queue_work: work struct=" \
	addr " function=drain_local_stock workqueue=events req_cpu=" req " cpu=" cpu "\n"
#define S(cpu, stamp, addr)                                                                 \
	"     kworker/1:0-23      [" cpu "] .....    " stamp ": workqueue_execute_start: work struct " \
	addr ": function drain_local_stock\n"

static char root[64];

static unsigned long owed(const char *trace, unsigned int cpu, unsigned long long since_ns, int *ret)
{
	struct tracefs t = { .queued = true };
	char path[128], err[256] = "";
	unsigned long n = 99;
	FILE *f;

	snprintf(t.root, sizeof(t.root), "%s", root);
	snprintf(path, sizeof(path), "%s/trace", root);
	f = fopen(path, "w");
	if (!f || fputs(trace, f) < 0 || fclose(f)) {
		perror(path);
		exit(1);
	}
	*ret = tracefs_unstarted_work(&t, cpu, since_ns, &n, err, sizeof(err));
	return n;
}

int main(void)
{
	const char *stamp;
	unsigned long long us = 0;
	const char *line = S("001", "13.060661", "00000000d9f439bc"), *p, *field;
	struct tracefs off = { .queued = false };
	char err[256];
	unsigned long n;
	int ret;

	snprintf(root, sizeof(root), "/tmp/qpwbench-tracefs.XXXXXX");
	if (!mkdtemp(root)) {
		perror("mkdtemp");
		return 1;
	}

	p = tracefs_event_line(line, ": workqueue_execute_start: ", &us, &stamp);
	CHECK(p && us == 13060661ULL, "event line: stamp %llu us", us);
	CHECK(p && !strncmp(stamp, "13.060661", 9), "event line: stamp at '%.9s'", p ? stamp : "");
	CHECK(p && tracefs_line_cpu(line, stamp, &field) == 1 && *field == '[', "the CPU field");
	CHECK(!tracefs_event_line("# tracer: nop\n", ": workqueue_execute_start: ", &us, &stamp),
	      "a comment is no event");
	CHECK(!tracefs_event_line(line, ": workqueue_queue_work: ", &us, &stamp), "another event");
	CHECK(!tracefs_event_line("  x-1 [001] ..... 13: workqueue_execute_start: w\n",
				  ": workqueue_execute_start: ", &us, &stamp),
	      "a stamp without microseconds");
	{
		static const char bare[] = "no field 13.0";

		CHECK(tracefs_line_cpu(bare, &bare[9], NULL) == -1, "no CPU field");
	}

	/* Queued onto CPU 1 and started there: nothing owed. */
	n = owed(Q("13.055729", "00000000d9f439bc", "1", "1") S("001", "13.060661", "00000000d9f439bc"),
		 1, 13000000000ULL, &ret);
	CHECK(!ret && n == 0, "started: ret %d, owed %lu, want 0", ret, n);
	/* Not started yet: one owed; CPU 0's own work is not CPU 1's. */
	n = owed(Q("13.055729", "00000000d9f439bc", "1", "1") Q("13.055800", "00000000aaaa0000", "0", "0"),
		 1, 13000000000ULL, &ret);
	CHECK(!ret && n == 1, "not started: ret %d, owed %lu, want 1", ret, n);
	/* " cpu=" is the target, not req_cpu=. */
	n = owed(Q("13.055729", "00000000d9f439bc", "1", "2"), 1, 13000000000ULL, &ret);
	CHECK(!ret && n == 0, "queued onto CPU 2: owed %lu to CPU 1, want 0", n);
	n = owed(Q("13.055729", "00000000d9f439bc", "1", "2"), 2, 13000000000ULL, &ret);
	CHECK(!ret && n == 1, "queued onto CPU 2: owed %lu, want 1", n);
	/* Started on another CPU: still owed to CPU 1. */
	n = owed(Q("13.055729", "00000000d9f439bc", "1", "1") S("000", "13.060661", "00000000d9f439bc"),
		 1, 13000000000ULL, &ret);
	CHECK(!ret && n == 1, "started elsewhere: owed %lu, want 1", n);
	/* Queued before the trigger fired: not the trigger's. */
	n = owed(Q("12.999999", "00000000d9f439bc", "1", "1"), 1, 13000000000ULL, &ret);
	CHECK(!ret && n == 0, "queued before: owed %lu, want 0", n);
	/* Queued, run, queued again: the second is owed. */
	n = owed(Q("13.1", "00000000d9f439bc", "1", "1") S("001", "13.2", "00000000d9f439bc")
		 Q("13.3", "00000000d9f439bc", "1", "1"), 1, 13000000000ULL, &ret);
	CHECK(!ret && n == 1, "queued again: owed %lu, want 1", n);
	/* A start without its queue in the window pays nothing else. */
	n = owed(S("001", "13.2", "00000000bbbb0000") Q("13.3", "00000000d9f439bc", "1", "1"),
		 1, 13000000000ULL, &ret);
	CHECK(!ret && n == 1, "an earlier item's start: owed %lu, want 1", n);
	/* Many items, all started. */
	{
		static char big[200 * 512];
		size_t len = 0;

		for (int i = 0; i < 200; i++)
			len += (size_t)snprintf(big + len, sizeof(big) - len,
						Q("14.%06d", "%016x", "1", "1"), i, i + 1);
		for (int i = 199; i >= 0; i--)
			len += (size_t)snprintf(big + len, sizeof(big) - len,
						S("001", "15.%06d", "%016x"), i, i + 1);
		n = owed(big, 1, 13000000000ULL, &ret);
		CHECK(!ret && n == 0, "200 items started: owed %lu, want 0", n);
	}
	/* Without the queue event: -ENOENT, one line. */
	ret = tracefs_unstarted_work(&off, 1, 0, &n, err, sizeof(err));
	CHECK(ret == -ENOENT && strstr(err, "workqueue_queue_work"), "no event: %d '%s'", ret, err);

	snprintf(err, sizeof(err), "%s/trace", root);
	unlink(err);
	rmdir(root);
	CHECK_DONE();
}
