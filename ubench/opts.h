/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The options every measurement command shares, parsed in one place so that
 * they mean the same everywhere and fail the same way: any bad value prints
 * one line "ubench <cmd>: ..." on stderr and the command exits EXIT_USAGE.
 *
 *   --cpus LIST          CPUs to use, in the topology library's syntax, on
 *                        this machine's topology
 *   --plan NAME          sweep plan (topology library: classes, pairs, ramp...)
 *   --variant LIST|all   variant names from QPWBENCH_VARIANTS, comma separated
 *   --backend user|kmod  (default: kmod when /dev/qpwbench exists, else user)
 *   --lock-mode MODE     plain|irqsave|trylock: the form of every local op's
 *                        per-CPU lock (QPWBENCH_LOCK_*; taken with --variant)
 *   --csv FILE           append rows to FILE ("-": stdout); see core/output.h
 *   --json FILE          the same rows as JSON Lines
 *   --repeat N           repeat each measurement N times (one row each)
 *   --iterations N       samples per measurement
 *   --duration TIME      per measurement point, e.g. 200ms, 1s, 500us
 *   --warmup N           unmeasured samples first
 *   --fifo               measuring threads run SCHED_FIFO
 *   --events LIST        event counters, one CSV column each (counters.h)
 *   --help
 *
 * A command picks which of these it takes (OPT_* bits), adds its own long
 * options with a handler, and gets defaults it chose. Typical use:
 *
 *	struct ubench_opts o;
 *	int rc = opts_parse(&o, &my_command, argc, argv);
 *	if (rc != OPTS_RUN)
 *		return rc == OPTS_HELP ? EXIT_OK : EXIT_USAGE;
 *	...
 *	opts_free(&o);
 */
#ifndef QPWBENCH_OPTS_H
#define QPWBENCH_OPTS_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "qpwbench.h"
#include "topo.h"

/* Caps: bigger values are refused, never wrapped. */
#define OPTS_MAX_REPEAT		1000u
#define OPTS_MAX_ITERATIONS	QPWBENCH_MAX_ITERATIONS
#define OPTS_MAX_DURATION_NS	QPWBENCH_MAX_DURATION_NS
#define OPTS_MAX_WARMUP		QPWBENCH_MAX_WARMUP

enum opts_common {
	OPT_CPUS	= 1u << 0,
	OPT_PLAN	= 1u << 1,
	OPT_VARIANT	= 1u << 2,
	OPT_BACKEND	= 1u << 3,
	OPT_OUTPUT	= 1u << 4,	/* --csv and --json */
	OPT_REPEAT	= 1u << 5,
	OPT_ITERATIONS	= 1u << 6,
	OPT_DURATION	= 1u << 7,
	OPT_WARMUP	= 1u << 8,
	OPT_FIFO	= 1u << 9,
	OPT_EVENTS	= 1u << 10,
};

/*
 * --help lines: "  ", the flag padded to this, what it does and the
 * command's default; the common options' defaults come from the command's
 * fields below, so the text cannot drift from them.
 */
#define OPTS_HELP_FLAG_FORMAT	"%-20s "

/* Long-option values for commands' own options start here. */
#define OPTS_OWN_BASE	0x1000

struct ubench_opts;

struct opts_command {
	const char *name;	/* "c2c": errors read "ubench c2c: ..." */
	const char *summary;	/* one line for --help */
	unsigned int common;	/* OPT_* bits accepted */
	/*
	 * The command's own long options ({0}-terminated, val >= OPTS_OWN_BASE)
	 * and their help: lines of "  ", the flag padded as OPTS_HELP_FLAG_FORMAT
	 * pads it, what it does.
	 */
	const struct option *own;
	const char *own_help;
	/* What --iterations counts, when not "samples per measurement". */
	const char *iterations_help;
	/* One own option; 0, or -1 after opts_error(). */
	int (*handle)(struct ubench_opts *o, int val, const char *arg);
	/* Defaults: the plan without --plan; 0 for the others: no default. */
	enum topo_plan_kind default_plan;
	uint64_t default_iterations;
	uint64_t default_duration_ns;
	uint32_t default_warmup;
};

struct ubench_opts {
	const struct opts_command *cmd;
	void *ctx;			/* the command's own state, for its handler */

	/*
	 * With OPT_CPUS or OPT_PLAN: this machine's topology, and the --cpus
	 * selection (every usable CPU when not given, cpus_arg NULL) as a
	 * bitmap and as an ascending array of OS indices.
	 */
	struct topo *topo;
	const char *cpus_arg;
	hwloc_bitmap_t cpuset;
	unsigned int *cpus;
	unsigned int n_cpus;
	enum topo_plan_kind plan;	/* --plan, else the command's default_plan */
	bool variant[QPWBENCH_NR_VARIANTS];	/* default: all */
	const char *backend;		/* NULL: automatic (backend_by_name) */
	uint32_t lock_mode;		/* --lock-mode: QPWBENCH_LOCK_*, default plain */
	const char *csv, *json;		/* NULL: none */
	uint32_t repeat;		/* default 1 */
	uint64_t iterations;
	uint64_t duration_ns;
	uint32_t warmup;
	bool fifo;
	const char *events;		/* --events (counters.h), NULL: no counters */
};

enum opts_result {
	OPTS_RUN = 0,		/* parsed: run the command */
	OPTS_HELP = 1,		/* --help printed on stdout: exit EXIT_OK */
	OPTS_USAGE = 2,		/* one error line printed: exit EXIT_USAGE */
};

/* o->ctx may be set before the call (it is kept). */
enum opts_result opts_parse(struct ubench_opts *o, const struct opts_command *cmd,
			    int argc, char **argv);
void opts_free(struct ubench_opts *o);

/* Print "ubench <cmd>: <message>\n" on stderr. */
void opts_error(const struct ubench_opts *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Parsers for commands' own options; 0, or -1 after opts_error() naming
 * flag. Whole string, decimal, within [min, max], no sign, no wrap.
 */
int opts_u64(const struct ubench_opts *o, const char *flag, const char *arg,
	     uint64_t min, uint64_t max, uint64_t *out);
/* "250ms", "2s", "500us", "100ns" (a unit is required), within [min, max] ns. */
int opts_duration(const struct ubench_opts *o, const char *flag, const char *arg,
		  uint64_t min_ns, uint64_t max_ns, uint64_t *out_ns);

/* Comma list of the selected variants' names, for messages. */
void opts_variants_str(const struct ubench_opts *o, char *buf, size_t len);

/* --lock-mode's names, by QPWBENCH_LOCK_* (the lock_mode column's values too). */
extern const char *const opts_lock_mode_names[QPWBENCH_NR_LOCK_MODES];

#endif
