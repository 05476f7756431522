/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's own remote drains, one trigger each: a syscall or file write
 * from the caller CPU that reaches a kernel path which queues work on other
 * CPUs (DESIGN.md, "Kernel generations, isolation and emulation-proof
 * metrics"). One trigger = one entry in triggers.c's table: its name (the
 * CSV's trigger column), the path it is expected to reach (documentation;
 * the run checks it with the function tracer, TRIGGER_TRACED), what it
 * needs from the run, and how to fire it once.
 */
#ifndef QPWBENCH_TRIGGERS_H
#define QPWBENCH_TRIGGERS_H

#include <stddef.h>

/* What a trigger needs besides root. */
enum {
	TRIGGER_NEEDS_FILE = 1u << 0,	/* --file: block-backed pages the targets read */
	TRIGGER_NEEDS_MEMCG = 1u << 1,	/* the process in its own memory cgroup */
};

/* The run's resources, shared by every trigger's fire(). */
struct trigger_ctx {
	int file_fd;			/* --file, open read-only; -1 without */
	const char *cgroup;		/* the run's memory cgroup directory; NULL without */
	void *page;			/* one page of the caller's, for move_pages */
};

struct trigger {
	const char *name;
	const char *reaches;		/* the kernel path, for --help and the docs */
	unsigned int needs;		/* TRIGGER_NEEDS_* */
	/* Fire once from the caller: 0, or -errno with one line in err. */
	int (*fire)(const struct trigger_ctx *c, char *err, size_t errlen);
};

extern const struct trigger triggers[];
extern const size_t nr_triggers;

/*
 * Kernel functions the function tracer watches in the caller (those the
 * running kernel can trace): which remote-drain paths a trigger reached, on
 * this kernel, as measured rather than assumed. NULL-terminated.
 */
extern const char *const trigger_traced[];

#endif
