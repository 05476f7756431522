/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the backend scenarios (local, remote, drain-all, interference,
 * stress) share: the environment a measurement runs in (backend, outputs,
 * topology), building a struct qpwbench_run, running it, and writing rows.
 * Each scenario is one cmd_<name>.c with a measure function the sweep also
 * calls, and a cmd_<name>() that parses options into the same parameters.
 */
#ifndef QPWBENCH_SCENARIO_H
#define QPWBENCH_SCENARIO_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "backend.h"
#include "counters.h"
#include "core/hist.h"
#include "core/output.h"
#include "opts.h"
#include "target_load.h"
#include "topo.h"

/* DESIGN.md's metric table: name and unit, for the rows these scenarios write. */
struct metric {
	const char *name;
	const char *unit;
};

extern const struct metric METRIC_OP_COST;		/* local */
extern const struct metric METRIC_TIMER_OVERHEAD;	/* local, variant null-op */
extern const struct metric METRIC_DRAIN_LATENCY;	/* remote */
extern const struct metric METRIC_STALLED;		/* remote, drain-all */
extern const struct metric METRIC_DRAIN_ALL_LATENCY;	/* drain-all */
extern const struct metric METRIC_TARGET_GAP;		/* interference */
extern const struct metric METRIC_TARGET_CTX_SWITCHES;	/* interference */
extern const struct metric METRIC_LOST_OPS;		/* stress */
extern const struct metric METRIC_DRAINED_ENTRIES;	/* remote, drain-all */
extern const struct metric METRIC_OWNER_OP_COST;	/* remote, drain-all with owners */
extern const struct metric METRIC_OWNER_OP_COST_ALONE;	/* the same, before any drain */
/* remote, drain-all with owner-preempted: what the FIFO task saw, and the drains that met the held lock */
extern const struct metric METRIC_TARGET_INVOLUNTARY_SWITCHES;
extern const struct metric METRIC_HELD_DRAINS;
/* remote, drain-all: recorded drains that found every batch empty and skipped them all */
extern const struct metric METRIC_SKIPPED_DRAINS;
/*
 * remote, drain-all, runs with stalls: each stalled drain's full time, from
 * its start until its work had run (the load gave way at the wait bound):
 * never a drain's latency.
 */
extern const struct metric METRIC_STALL_LATENCY;

/*
 * Default wait bounds (--wait-bound): how long a workqueue drain waits for
 * the target's worker before it gives up and counts a stall. Where nothing
 * on the target outranks the worker (idle targets, SCHED_OTHER loads) the
 * worker always gets to run, so a long wait is the machine's latency (a
 * vCPU the host descheduled, a loaded CPU), not starvation: the bound sits
 * well above such hiccups and "stalled" keeps meaning "the target could not
 * run the work". Under a SCHED_FIFO load the worker is starved for good and
 * the bound only sets how long each stalled drain takes. In milliseconds,
 * so that help text quotes these very numbers (SCENARIO_HELP_WAIT_BOUND).
 */
#define SCENARIO_WAIT_BOUND_MS		100
#define SCENARIO_WAIT_BOUND_FIFO_MS	10
/*
 * owner-preempted without --owner-hold: the FIFO task's longest spin, well
 * below the FIFO wait bound, so a queued drain waits it out (its latency)
 * rather than stall.
 */
#define SCENARIO_PREEMPT_SPIN_NS	1000000ULL
/* The default wait bound with load on the targets. */
uint64_t scenario_wait_bound_ns(enum target_load load);

/* Help text for the options of the commands that drain, one place for each line. */
#define SCENARIO_STR(x)			SCENARIO_STR_(x)
#define SCENARIO_STR_(x)		#x
#define SCENARIO_HELP_CALLER(more) \
	"  --caller CPU         the draining CPU (default: the first of --cpus)" more "\n"
#define SCENARIO_HELP_WAIT_BOUND(dflt) \
	"  --wait-bound TIME    a workqueue drain gives up, counted as stalled, after this (default " dflt ")\n"
#define SCENARIO_WAIT_BOUND_MS_STR	SCENARIO_STR(SCENARIO_WAIT_BOUND_MS) "ms"
#define SCENARIO_WAIT_BOUND_FIFO_MS_STR	SCENARIO_STR(SCENARIO_WAIT_BOUND_FIFO_MS) "ms"
/* A caller that says "the first CPU of the selection". */
#define SCENARIO_CALLER_FIRST		UINT_MAX

struct scenario_env {
	const char *cmd;		/* for error lines: "ubench <cmd>: ..." */
	const struct backend *backend;
	const struct topo *topo;	/* this machine (the options' topology) */
	struct output out;
	bool quiet;			/* no text table (rows go to stdout) */
	uint32_t lock_mode;		/* --lock-mode, put in every run; rows say it unless plain */
	bool printed_header;
	/* Raw samples of the last run (QPWBENCH_MAX_RAW_SAMPLES), for exact percentiles. */
	uint64_t *raw;
	/* The backend's timer: resolution and timed-empty-region cost (scenario_env_open). */
	double resolution_ns, timer_overhead_ns;
	/* What the last run was asked: the parameters columns of the rows written from it. */
	struct output_params params;
	/* The --repeat run the rows written now belong to (1-based; 0: n/a). */
	uint32_t run;
	/*
	 * The p50s of the ns rows of the current measurement point, per
	 * variant and --repeat run, for the ratio of medians between variants.
	 */
	bool point_open;
	uint32_t point_runs[QPWBENCH_NR_VARIANTS];
	double point_p50[QPWBENCH_NR_VARIANTS][OPTS_MAX_REPEAT];
	/* --events: counted around each scenario_run(), a column each after the base ones */
	struct counters_session counters;
};

/*
 * Open the backend (o->backend), the event counters (o->events) and the
 * outputs (o->csv, o->json, a column per event after core/output.h's) of a
 * parsed command line; the topology is the options' (o->topo), valid until
 * opts_free(). 0, or EXIT_USAGE after one error line.
 */
int scenario_env_open(struct scenario_env *env, const struct ubench_opts *o);
/* Close it; EXIT_FAILED after one error line if the outputs could not be synced, else rc. */
int scenario_env_close(struct scenario_env *env, int rc);

/*
 * The null-op calibration (QPWBENCH_RUN_NULL_OP, as refscale's noop): on
 * cpu, iterations timed empty regions of the backend. Fills stats (ns per
 * region) and the smallest nonzero region (the step the backend's clock
 * moves in). 0, or an exit code after one error line.
 */
int scenario_calibrate(struct scenario_env *env, unsigned int cpu, uint64_t iterations,
		       struct stats *stats, double *step_ns);

/* Print "ubench <cmd>: <message>" on stderr. */
void scenario_error(const struct scenario_env *env, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A request for scenario on cpus[0..n), drained from caller (args beyond are 0). */
void scenario_request(struct qpwbench_run *run, enum qpwbench_scenario scenario,
		      enum qpwbench_variant variant, unsigned int caller,
		      const unsigned int *cpus, unsigned int n);

/*
 * Run it on the env's backend, with the event counters around it (the
 * rows written next carry their values): 0; or after one error line
 * EXIT_USAGE for a request this machine or backend cannot run (a CPU
 * offline, a cap, no permission), EXIT_FAILED for a run that failed.
 */
int scenario_run(struct scenario_env *env, struct qpwbench_run *run);

const char *scenario_name(enum qpwbench_scenario scenario);
const char *variant_name(enum qpwbench_variant variant);

/*
 * A sweep plan (topo.h: classes, pairs, ramp, spread) over the selected
 * CPUs: CPU sets in plan order, pairs as (a, b), growing sets in order of
 * addition, each with its distance class (topo_step's).
 */
struct plan_set {
	const unsigned int *cpus;
	unsigned int n;
	const char *distance;		/* NULL for a single CPU */
};

struct scenario_plan {
	struct plan_set *sets;
	unsigned int n_sets;
	struct topo_plan tp;		/* what sets point into */
};

/* 0, or EXIT_USAGE after one error line (too few CPUs for the plan). */
int scenario_plan_build(struct scenario_env *env, enum topo_plan_kind plan,
			const unsigned int *cpus, unsigned int n, struct scenario_plan *out);
void scenario_plan_free(struct scenario_plan *p);

/* The distance class of two CPUs on this machine; NULL (n/a) for none. */
const char *scenario_distance(const struct scenario_env *env, unsigned int a, unsigned int b);

/* The variant of a null-op calibration row (written "null-op"). */
#define SCENARIO_NULL_OP	((enum qpwbench_variant)QPWBENCH_NR_VARIANTS)

/* One row: written to the outputs and, unless quiet, printed as a table line. */
struct scenario_row {
	enum qpwbench_scenario scenario;
	enum qpwbench_variant variant;
	const unsigned int *cpus;
	unsigned int n_cpus;
	const char *distance;		/* NULL: n/a */
	const struct metric *metric;
	struct stats stats;
	bool has_ticks;
	double ticks;			/* counter ticks per op */
	double subtracted_ns;		/* taken off every figure (op_cost: the timer overhead) */
	const char *target_load;	/* the target_load column; NULL: n/a */
	bool secondary;			/* not the measurement's own latency: no --repeat spread */
};

/* 0, or EXIT_FAILED after one error line (an output could not be written). */
int scenario_row(struct scenario_env *env, const struct scenario_row *row);

/*
 * Bracket the --repeat runs of one measurement point, where the variants
 * take turns (run 1 of each, then run 2 of each: drift over time then
 * falls on every variant alike). scenario_point_run(env, r) before run r
 * (0-based) sets the rows' run column and fsyncs the outputs. At the end,
 * with two runs or more, a text line per variant gives the median of its
 * p50s and their spread, and each variant against the baseline (wq when
 * measured, else the first) the ratio of medians with its 95% bootstrap
 * interval (stats_ratio_of_medians()), or "no difference" when the
 * interval holds 1. Only the point's ns rows count, one per run.
 */
void scenario_point_begin(struct scenario_env *env);
int scenario_point_run(struct scenario_env *env, uint32_t r);
void scenario_point_end(struct scenario_env *env);

/* A run's latency: exact statistics in ns while its raw samples fit, else the histogram's. */
void scenario_stats_ns(const struct scenario_env *env, const struct qpwbench_run *run,
		       struct stats *s);

/* Ticks per sample of a run, for its latency row (0 without a counter). */
void scenario_ticks(const struct qpwbench_run *run, struct scenario_row *row);

/* Print a free-form line of the text report (nothing when quiet). */
void scenario_note(struct scenario_env *env, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* What every measure function takes besides its own parameters. */
struct scenario_common {
	bool variant[QPWBENCH_NR_VARIANTS];
	const unsigned int *cpus;
	unsigned int n_cpus;
	uint32_t repeat;
	uint64_t iterations;
	uint32_t warmup;
	uint64_t duration_ns;
	enum topo_plan_kind plan;
};

/*
 * What remote and drain-all ask of the targets' owners (--fill,
 * --owner-rate) and of the drain (--drain-empty).
 */
struct drain_opts {
	bool fill_set;
	uint32_t fill;			/* --fill K: entries each owner adds before each drain */
	uint64_t owner_rate_hz;		/* --owner-rate: 0 = flat out */
	bool drain_empty;		/* --drain-empty: drain CPUs with empty batches too */
	uint64_t owner_hold_ns;		/* --owner-hold: 0 = no hold */
	bool drainer_fifo;		/* --drainer-policy fifo (owner-preempted) */
};

/* filled-idle without --fill: the entries each owner adds before each drain. */
#define SCENARIO_FILLED_IDLE_FILL	(QPWBENCH_BATCH_ENTRIES / 2)

/* The options above, as struct option entries from base, and their help. */
#define SCENARIO_DRAIN_OPTIONS(base)					\
	{ "fill", required_argument, NULL, (base) },			\
	{ "owner-rate", required_argument, NULL, (base) + 1 },		\
	{ "drain-empty", no_argument, NULL, (base) + 2 },		\
	{ "owner-hold", required_argument, NULL, (base) + 3 },		\
	{ "drainer-policy", required_argument, NULL, (base) + 4 }
#define SCENARIO_DRAIN_OPTIONS_N	5
#define SCENARIO_HELP_DRAIN_OPTIONS \
	"  --fill K             owner loads: each owner adds exactly K entries (0.." SCENARIO_STR(QPWBENCH_BATCH_ENTRIES) ") before each drain;\n" \
	"                       filled-idle: 1.." SCENARIO_STR(QPWBENCH_BATCH_ENTRIES) ", default " SCENARIO_STR(SCENARIO_FILLED_IDLE_FILL) "\n" \
	"  --owner-rate HZ      owner load: local ops per second per owner (default: flat out)\n" \
	"  --drain-empty        drain CPUs whose batch is empty too (lru_cache_disable()); default: skip them (cpu_needs_drain())\n" \
	"  --owner-hold TIME    owner load: keep the lock TIME inside one op in " SCENARIO_STR(QPWBENCH_OWNER_HOLD_EVERY) " (plain lock mode; up to 10ms);\n" \
	"                       owner-preempted: the FIFO task's longest spin per drain (default 1ms)\n" \
	"  --drainer-policy P   owner-preempted: the drainer runs as other (SCHED_OTHER, the kernel's usual\n" \
	"                       caller; default) or fifo (SCHED_FIFO " SCENARIO_STR(QPWBENCH_DRAINER_FIFO_PRIO) ", above the FIFO task)\n"
/* Parse option base + i (i < SCENARIO_DRAIN_OPTIONS_N); 0 or -1 after opts_error(). */
int scenario_drain_option(struct ubench_opts *o, unsigned int i, const char *arg,
			  struct drain_opts *d);
/* --fill, --owner-rate and --owner-hold need the owner load: 0, or EXIT_USAGE after one error line. */
int scenario_check_drain_opts(struct scenario_env *env, const bool load[TARGET_NR_LOADS],
			      const struct drain_opts *d);
/* A load's and d's part of a request; the drain stats go to *ds. */
void scenario_request_load(const struct scenario_env *env, struct qpwbench_run *run,
			   enum target_load load, const struct drain_opts *d,
			   struct qpwbench_drain_stats *ds);
/* Whether the env's backend is the module. */
bool scenario_kmod(const struct scenario_env *env);
/* --target-load LIST: names from TARGET_LOADS, comma separated, or all. */
int scenario_loads_option(struct ubench_opts *o, const char *arg, bool load[TARGET_NR_LOADS]);
/*
 * A drain's rows from its run: the latency row *latency (unless every
 * drain skipped: a note says so), skipped_drains, drained_entries (drains
 * only), stall_latency (runs with stalls),
 * and with owners owner_op_cost and owner_op_cost_alone, keyed like
 * *latency (owners that did no op, --fill 0, give rows of 0 samples, n/a).
 * *measured (unless NULL): the latency row holds drains only (at least one). 0, or
 * EXIT_FAILED.
 */
int scenario_drain_rows(struct scenario_env *env, struct scenario_row *latency,
			const struct qpwbench_run *run, const struct qpwbench_drain_stats *ds,
			bool *measured);

/* --caller CPU and --wait-bound TIME, for the commands that drain. */
int scenario_caller_option(struct ubench_opts *o, const char *arg, unsigned int *caller);
int scenario_wait_bound_option(struct ubench_opts *o, const char *arg, uint64_t *ns);
/* The caller a measurement uses: caller, or the first of c's CPUs. */
unsigned int scenario_caller(const struct scenario_common *c, unsigned int caller);

/*
 * A scenario command's main: parse argv for cmd (its handler gets params as
 * o->ctx), open the env (scenario_env_open()), fill *common from the
 * options, and call measure(env, o, params). Returns the exit code.
 */
int scenario_main(const struct opts_command *cmd, int argc, char **argv,
		  struct scenario_common *common, void *params,
		  int (*measure)(struct scenario_env *env, const struct ubench_opts *o,
				 const void *params));

/*
 * The measure functions, one per cmd_<name>.c; the sweep calls them too.
 * Each returns EXIT_OK, EXIT_FAILED (a problem found, or an output that
 * failed) or EXIT_USAGE (a request that cannot run here, one error line).
 */
struct local_params {
	struct scenario_common c;
	uint32_t batch;
	bool concurrent;	/* every CPU at once: one row per variant for the whole set */
};
int local_measure(struct scenario_env *env, const struct local_params *p);

struct stress_params {
	struct scenario_common c;	/* iterations: local ops per CPU */
	unsigned int caller;		/* or SCENARIO_CALLER_FIRST */
	uint64_t wait_bound_ns;		/* 0: the backend's default */
};
int stress_measure(struct scenario_env *env, const struct stress_params *p);

struct remote_params {
	struct scenario_common c;	/* plan: pairs (caller, target) */
	bool load[TARGET_NR_LOADS];	/* target loads to measure under */
	uint64_t wait_bound_ns;		/* 0: scenario_wait_bound_ns() of each load */
	struct drain_opts d;
};
int remote_measure(struct scenario_env *env, const struct remote_params *p);

struct drain_all_params {
	struct scenario_common c;	/* plan: the CPU sets drained, growing */
	unsigned int caller;		/* or SCENARIO_CALLER_FIRST */
	uint64_t wait_bound_ns;		/* 0: scenario_wait_bound_ns() of each load */
	bool load[TARGET_NR_LOADS];	/* target loads to measure under */
	struct drain_opts d;
};
int drain_all_measure(struct scenario_env *env, const struct drain_all_params *p);

struct interference_params {
	struct scenario_common c;	/* duration: of each variant's drains */
	unsigned int caller;		/* or SCENARIO_CALLER_FIRST */
	uint64_t rate_hz;
	uint64_t wait_bound_ns;
};
int interference_measure(struct scenario_env *env, const struct interference_params *p);

#endif
