/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * qpwbench ioctl ABI: the only contract between qpwbench.ko and userspace.
 *
 * Every struct uses fixed-width types with explicit padding so that its layout
 * is identical on x86_64 and arm64 (checked by kernel/tests/uapi-layout).
 * Bump QPWBENCH_ABI_VERSION on any change to a struct, an ioctl or an enum.
 */
#ifndef _UAPI_QPWBENCH_H
#define _UAPI_QPWBENCH_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define QPWBENCH_ABI_VERSION	12
#define QPWBENCH_DEVICE		"/dev/qpwbench"

/*
 * The variants, in one list used by the module, the user model and every
 * report: X(enum suffix, name on the command line and in the CSV).
 */
#define QPWBENCH_VARIANTS(X)		\
	X(WQ, "wq")			\
	X(QPW, "qpw")			\
	X(QPW_ON, "qpw-on")		\
	X(QPW_OFF, "qpw-off")		\
	X(GLOBAL, "global")

#define QPWBENCH_VARIANT_ENUM(id, name) QPWBENCH_VARIANT_##id,
enum qpwbench_variant {
	QPWBENCH_VARIANTS(QPWBENCH_VARIANT_ENUM)
	QPWBENCH_NR_VARIANTS
};
#undef QPWBENCH_VARIANT_ENUM

/* Scenarios a backend runs (c2c is a userspace-only hardware measurement). */
#define QPWBENCH_SCENARIOS(X)		\
	X(LOCAL, "local")		\
	X(REMOTE, "remote")		\
	X(DRAIN_ALL, "drain-all")	\
	X(STRESS, "stress")		\
	X(INTERFERENCE, "interference")

#define QPWBENCH_SCENARIO_ENUM(id, name) QPWBENCH_SCENARIO_##id,
enum qpwbench_scenario {
	QPWBENCH_SCENARIOS(QPWBENCH_SCENARIO_ENUM)
	QPWBENCH_NR_SCENARIOS
};
#undef QPWBENCH_SCENARIO_ENUM

/*
 * CPU masks are bitmaps of OS CPU indices, 64 CPUs per word, for CPUs
 * below QPWBENCH_MAX_CPUS: on a kernel whose nr_cpu_ids is larger, INFO
 * fails with -E2BIG (a CPU the masks cannot name would go unseen).
 */
#define QPWBENCH_MAX_CPUS	1024
#define QPWBENCH_MASK_WORDS	(QPWBENCH_MAX_CPUS / 64)

/* @cpu must be below QPWBENCH_MAX_CPUS. */
static inline int qpwbench_mask_test(const __u64 *mask, __u32 cpu)
{
	return (int)(mask[cpu / 64] >> (cpu % 64) & 1);
}

static inline void qpwbench_mask_set(__u64 *mask, __u32 cpu)
{
	mask[cpu / 64] |= 1ULL << (cpu % 64);
}

/*
 * Entries a per-CPU batch holds; the add that finds it full flushes it to
 * the shared list first, as memcg's refill_stock() drains a stock that
 * would exceed MEMCG_CHARGE_BATCH (64). Each entry is an object of its own
 * cache line, written by the local op and read by the flush, as
 * folio_batch_move_lru() touches each folio. At the end of a stress run
 * ops_remaining is at most this per CPU; a run's .fill is at most this.
 */
#define QPWBENCH_BATCH_ENTRIES	64

/* Caps on run arguments; larger values are rejected with -E2BIG. */
#define QPWBENCH_MAX_ITERATIONS		(1ULL << 26)	/* samples, or ops per CPU for stress */
#define QPWBENCH_MAX_BATCH		4096		/* ops per local sample */
#define QPWBENCH_MAX_WARMUP		(1U << 20)
#define QPWBENCH_MAX_DURATION_NS	(60ULL * 1000000000ULL)
#define QPWBENCH_MAX_RATE_HZ		1000000ULL
#define QPWBENCH_MAX_WAIT_BOUND_NS	(10ULL * 1000000000ULL)
/*
 * Raw samples a run copies out (.samples, .samples_cap): the first this many
 * recorded samples, 512 KiB. Percentiles of a run that kept every sample are
 * exact order statistics; past the cap only the histogram answers.
 */
#define QPWBENCH_MAX_RAW_SAMPLES	(1U << 16)
/* The wait bound of a run that passes wait_bound_ns = 0. */
#define QPWBENCH_DEFAULT_WAIT_BOUND_NS	1000000000ULL
/* No run lasts longer: it then ends with what it has (QPWBENCH_RES_INTERRUPTED). */
#define QPWBENCH_RUN_CAP_NS		(60ULL * 1000000000ULL)

/*
 * Log-linear histogram shared by kernel and userspace: values below
 * QPWBENCH_HIST_SUB are exact, above that every power of two is split into
 * QPWBENCH_HIST_SUB buckets (relative error < 1/16). Samples are picoseconds
 * so that batched fast-path costs keep sub-nanosecond resolution. The bucket
 * rule is part of the ABI: the helpers below are its one definition, built
 * into the module and into userspace alike (fixed-width types and a compiler
 * builtin only, no libc).
 */
#define QPWBENCH_HIST_SUB_BITS	4
#define QPWBENCH_HIST_SUB	(1U << QPWBENCH_HIST_SUB_BITS)
#define QPWBENCH_HIST_BUCKETS	((64 - QPWBENCH_HIST_SUB_BITS + 1) * QPWBENCH_HIST_SUB)

struct qpwbench_hist {
	__u64 count;
	__u64 sum;		/* picoseconds; saturates rather than wraps */
	__u64 min;
	__u64 max;
	__u64 buckets[QPWBENCH_HIST_BUCKETS];
};

/* Add @from's samples to @to (per-thread histograms merged at the end of a run). */
static inline void qpwbench_hist_merge(struct qpwbench_hist *to, const struct qpwbench_hist *from)
{
	__u32 b;

	if (!from->count)
		return;
	if (!to->count || from->min < to->min)
		to->min = from->min;
	if (from->max > to->max)
		to->max = from->max;
	to->count += from->count;
	to->sum = to->sum + from->sum < to->sum ? ~(__u64)0 : to->sum + from->sum;
	for (b = 0; b < QPWBENCH_HIST_BUCKETS; b++)
		to->buckets[b] += from->buckets[b];
}

static inline __u32 qpwbench_hist_bucket(__u64 v)
{
	__u32 shift;

	if (v < QPWBENCH_HIST_SUB)
		return (__u32)v;
	shift = (__u32)(63 - __builtin_clzll(v)) - QPWBENCH_HIST_SUB_BITS;
	return ((shift + 1) << QPWBENCH_HIST_SUB_BITS) +
	       (__u32)((v >> shift) & (QPWBENCH_HIST_SUB - 1));
}

/* Smallest value that falls into bucket b. */
static inline __u64 qpwbench_hist_bucket_low(__u32 b)
{
	__u32 shift;

	if (b < QPWBENCH_HIST_SUB)
		return b;
	shift = (b >> QPWBENCH_HIST_SUB_BITS) - 1;
	return ((__u64)(QPWBENCH_HIST_SUB | (b & (QPWBENCH_HIST_SUB - 1)))) << shift;
}

/*
 * Record one sample of @v picoseconds. The module and userspace both record
 * with this, so that their histograms mean the same: min and max are exact,
 * sum saturates at the largest __u64 rather than wrap.
 */
static inline void qpwbench_hist_add(struct qpwbench_hist *h, __u64 v)
{
	if (!h->count || v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
	h->count++;
	h->sum = h->sum + v < h->sum ? ~(__u64)0 : h->sum + v;
	h->buckets[qpwbench_hist_bucket(v)]++;
}

/*
 * Record one sample in @h and, while fewer than @cap samples have been
 * recorded, in @raw[] at its rank in recording order. One writer at a time.
 */
static inline void qpwbench_record(struct qpwbench_hist *h, __u64 *raw, __u32 cap, __u64 v)
{
	if (h->count < cap)
		raw[h->count] = v;
	qpwbench_hist_add(h, v);
}

/*
 * What a run returns; counters a scenario does not use stay 0. ops_* and
 * ran_on_* include warm-up; drains and stalls count per target CPU;
 * cycles covers the hist samples (local: hist.count x batch ops) and counts
 * ticks of a free-running counter (x86: the TSC, at its nominal rate, not
 * core cycles); samples_kept is how many raw samples were copied to .samples
 * (min(hist.count, samples_cap)).
 */
struct qpwbench_result {
	__u64 ops_done;		/* local ops completed (stress: on all CPUs; owners' too) */
	__u64 ops_drained;	/* entries that reached the shared list (batch full or drained) */
	__u64 ops_remaining;	/* entries still in per-CPU batches at the end */
	__u64 drains;		/* drains completed within wait_bound_ns */
	__u64 stalls;		/* drains that hit wait_bound_ns */
	__u64 ran_on_target;	/* drain work that executed on the target CPU */
	__u64 ran_on_caller;	/* drain work that executed inline on the caller */
	__u64 cycles;		/* cycle-counter total, 0 if none */
	__u64 elapsed_ns;	/* wall time from the start barrier to the end */
	__u32 flags;		/* QPWBENCH_RES_* */
	__u32 samples_kept;
	struct qpwbench_hist hist;	/* the scenario's latency metric */
	/*
	 * Entry values, summed mod 2^64: of those that reached the shared list,
	 * and of those still in batches. Stress checks their total against
	 * the closed-form sum over every op done.
	 */
	__u64 sum_drained;
	__u64 sum_remaining;
	/* Entries the drains emptied, over all targets (stress, remote, drain-all). */
	__u64 entries_drained;
	/*
	 * QPWBENCH_LOAD_FIFO: context switches of the spinners while the
	 * drains ran (all, and involuntary: preempted), summed over targets.
	 */
	__u64 target_switches;
	__u64 target_preemptions;
	/*
	 * QPWBENCH_LOAD_OWNER_PREEMPTED: target drains (warm-up included)
	 * that began while the FIFO task held the owner off its CPU inside
	 * its critical section: drains that met a held, preempted lock.
	 */
	__u64 held_drains;
	/*
	 * QPWBENCH_LOAD_OWNER_PREEMPTED (ABI 11): of those held drains, the
	 * ones inside whose held window (from the FIFO task's answer to the
	 * end of its spin) the FIFO task was switched out involuntarily and
	 * the owner ran past its wakeup before the spin ended: the owner took
	 * the CPU from a task above it, as priority inheritance from an
	 * inline drainer lifts it. Preemptions outside a held window, or by
	 * something other than the owner, do not count.
	 */
	__u64 held_preemptions;
	/*
	 * ABI 12: recorded drains that found every batch empty and queued or
	 * locked nothing (cpu_needs_drain() skipped every target; never with
	 * QPWBENCH_DRAIN_EMPTY). A skip is no drain: it is not in hist, in
	 * drains or in drain_stats.drained.
	 */
	__u64 skips;
};

/*
 * What remote and drain-all also measure, written to the run's
 * .drain_stats (apart from the result: an ioctl's size field cannot
 * describe a struct this large).
 */
struct qpwbench_drain_stats {
	/* Entries found per recorded drain (summed over the drained CPUs). */
	struct qpwbench_hist drained;
	/* Owner: per-op cost (ps) while the drains run, and alone before them. */
	struct qpwbench_hist owner;
	struct qpwbench_hist owner_alone;
	/*
	 * QPWBENCH_LOAD_FIFO: the spinners' largest gap between two reads of
	 * their clock (ps), one sample per window and spinner: how long
	 * something else had the CPU (or the spinner gave it up at the wait
	 * bound). The window is the drain period for interference,
	 * QPWBENCH_GAP_WINDOW_NS for remote and drain-all.
	 * QPWBENCH_LOAD_OWNER_PREEMPTED: the FIFO task's largest gap per
	 * activation (one sample per drain and target).
	 */
	struct qpwbench_hist target_gap;
	/*
	 * ABI 12: recorded drains that stalled (counted in result.stalls, kept
	 * out of hist and drained): each one's full time (ps), from its start
	 * until every target's work had run, once the load gave way at the
	 * wait bound. A stall that never completed has no sample here.
	 */
	struct qpwbench_hist stall_latency;
};
#define QPWBENCH_GAP_WINDOW_NS		1000000ULL

/*
 * A run that reaches QPWBENCH_RUN_CAP_NS ends early with what it has and
 * QPWBENCH_RES_INTERRUPTED. A fatal signal ends it with -EINTR instead (the
 * process is going away; nobody would read a partial result).
 */
#define QPWBENCH_RES_INTERRUPTED	(1U << 0)	/* the run cap ended it early */
#define QPWBENCH_RES_HAS_CYCLES		(1U << 1)	/* .cycles is meaningful */
/* A CPU of the run went offline: the run ended early, its counts are partial. */
#define QPWBENCH_RES_CPU_OFFLINE	(1U << 2)

/*
 * Run flags. NULL_OP (local only): time empty regions, no op between the
 * two clock reads, as refscale's "noop" type: the calibration row that
 * gives the timer's cost as the module sees it.
 */
#define QPWBENCH_RUN_NULL_OP		(1U << 0)
/*
 * CONCURRENT (local only): every CPU of .cpus runs its samples at the same
 * time instead of one CPU after the other, so a shared lock (global's) is
 * contended; no raw samples are kept (hist only).
 */
#define QPWBENCH_RUN_CONCURRENT		(1U << 1)
#define QPWBENCH_RUN_FLAGS		(QPWBENCH_RUN_NULL_OP | QPWBENCH_RUN_CONCURRENT)

/*
 * What the backend runs on the drained CPUs of remote and drain-all
 * besides the drainer (FIFO also for interference; anything else: -EINVAL);
 * the caller's own CPU gets none.
 *   NONE   nothing (the harness may run its own spinners there)
 *   OWNER  a pinned thread doing the variant's local ops, flat out or at
 *          .owner_rate_hz, so that a drain finds a filled batch whose lines
 *          sit in the target's cache; with QPWBENCH_DRAIN_FILL it instead
 *          adds exactly .fill entries before each drain, then spins
 *   FIFO   (module only; the user model has none, its workqueue wait is
 *          bounded itself) a SCHED_FIFO spinner kthread: the workqueue
 *          drains wait in flush_work() for a kworker it keeps off its
 *          CPU, so once drain work has waited .wait_bound_ns on it the
 *          spinner sleeps until the work has run (or the run stops);
 *          that drain counts in .stalls. Its context switches go to
 *          target_switches, its gaps to drain_stats.target_gap.
 *   OWNER_PREEMPTED (module on PREEMPT_RT only: elsewhere -EOPNOTSUPP;
 *          remote and drain-all) an owner as with OWNER and a SCHED_FIFO
 *          task (priority 50, the FIFO spinner's) on the same CPU. Before
 *          each drain the owner adds .fill entries (QPWBENCH_DRAIN_FILL) and
 *          one more in a plain-locked op, inside whose critical section it
 *          wakes the FIFO task, which preempts it there: on RT the per-CPU
 *          locks sleep, so the owner is off its CPU holding the lock. The
 *          FIFO task spins until the owner has released the lock, at most
 *          .owner_hold_ns (required), then sleeps until the next drain; it
 *          too gives up once queued drain work has waited .wait_bound_ns
 *          (a stall, as with FIFO), so flush_work() always returns. The
 *          drain is timed once the FIFO task runs. An inline drainer
 *          blocks on the owner's lock; priority inheritance lifts the
 *          owner to the drainer's priority: above the FIFO task only with
 *          .drainer_policy QPWBENCH_DRAINER_FIFO (SCHED_FIFO 51); with
 *          QPWBENCH_DRAINER_OTHER (the default: the kernel's usual caller)
 *          the owner is lifted to SCHED_OTHER only and the inline drain
 *          waits out the spin, as a queued one does. A
 *          workqueue drain's kworker cannot preempt the FIFO task. The FIFO
 *          task's gaps go to drain_stats.target_gap, its context switches
 *          to target_switches (involuntary: target_preemptions), the
 *          drains that met the held lock to held_drains, those of them
 *          in which the owner preempted it to held_preemptions. On !RT
 *          the owner holds its lock with preemption off, and the FIFO task
 *          could not run inside the critical section: refused, not run as
 *          something else.
 *   FILLED_IDLE (remote and drain-all; QPWBENCH_DRAIN_FILL with .fill
 *          at least 1 required) an owner as with OWNER that adds .fill
 *          entries per drain request and then sleeps (a completion in the
 *          module, a futex in the user model) until the next request: the
 *          drain finds a filled batch on an idle CPU, whose kworker (or
 *          lock) nothing contends. No wait bound is needed.
 */
#define QPWBENCH_LOAD_NONE		0
#define QPWBENCH_LOAD_OWNER		1
#define QPWBENCH_LOAD_FIFO		2
#define QPWBENCH_LOAD_OWNER_PREEMPTED	3
#define QPWBENCH_LOAD_FILLED_IDLE	4
#define QPWBENCH_NR_LOADS		5
#define QPWBENCH_MAX_OWNER_RATE_HZ	1000000000ULL
/*
 * .owner_hold_ns: an owner keeps its lock that long inside one local op in
 * QPWBENCH_OWNER_HOLD_EVERY (the op adding the entry whose value is
 * EVERY - 1 mod EVERY: once per batch's worth of ops, as the op that
 * flushes a full stock holds longest), so a drain can meet a held lock.
 * Owner load and lock_mode PLAIN only. With OWNER_PREEMPTED it is instead
 * the FIFO task's longest spin (required; lock_mode PLAIN only).
 */
#define QPWBENCH_OWNER_HOLD_EVERY	64
#define QPWBENCH_MAX_OWNER_HOLD_NS	10000000ULL

/*
 * .drainer_policy (ABI 12): the scheduling policy of the drainer thread
 * under QPWBENCH_LOAD_OWNER_PREEMPTED (with any other load only OTHER).
 *   OTHER  SCHED_OTHER, as the kernel's usual caller of a remote drain
 *   FIFO   SCHED_FIFO priority 51, above the owner's FIFO task: priority
 *          inheritance then lifts a lock holder it blocks on above that task
 */
#define QPWBENCH_DRAINER_OTHER		0
#define QPWBENCH_DRAINER_FIFO		1
#define QPWBENCH_NR_DRAINER_POLICIES	2
#define QPWBENCH_DRAINER_FIFO_PRIO	51

/*
 * .drain_flags. EMPTY: drain every CPU, as lru_cache_disable() does;
 * without it a drain skips CPUs whose batch is empty, as cpu_needs_drain()
 * does. FILL: the owners fill exactly .fill entries before each drain
 * (OWNER, OWNER_PREEMPTED or FILLED_IDLE, which requires it).
 */
#define QPWBENCH_DRAIN_EMPTY		(1U << 0)
#define QPWBENCH_DRAIN_FILL		(1U << 1)
#define QPWBENCH_DRAIN_FLAGS		(QPWBENCH_DRAIN_EMPTY | QPWBENCH_DRAIN_FILL)

/*
 * .lock_mode: the form of the per-CPU lock every local op takes (the
 * drains keep theirs). lru_rotate, memcg's stock and SLUB take it with
 * interrupts off or as a trylock; on !RT those forms cost more than plain
 * local_lock() and narrow its difference to a spinlock.
 *   PLAIN    local_lock() / spin_lock()
 *   IRQSAVE  local_lock_irqsave() / spin_lock_irqsave() (module only: the
 *            user model has no interrupts to disable, it returns -EOPNOTSUPP)
 *   TRYLOCK  local_trylock() / spin_trylock(), an op that fails goes to the
 *            shared list under the global lock, as consume_stock() falls back
 *            to the page counter (user model only: Debian 6.1 and 6.12 have
 *            no local_trylock(), and 7.2's takes a local_trylock_t, which
 *            the module's local_lock_t locks are not; the module returns
 *            -EOPNOTSUPP on every kernel rather than time something else)
 */
#define QPWBENCH_LOCK_PLAIN		0
#define QPWBENCH_LOCK_IRQSAVE		1
#define QPWBENCH_LOCK_TRYLOCK		2
#define QPWBENCH_NR_LOCK_MODES		3

/*
 * One measurement. Userspace fills the arguments; the module fills .result.
 *
 * local:        on each CPU in .cpus (one at a time), .iterations samples of
 *               .batch local ops (none with QPWBENCH_RUN_NULL_OP); hist =
 *               per-op cost.
 * remote:       .caller_cpu drains the single CPU in .cpus .iterations times;
 *               hist = one drain.
 * drain-all:    .caller_cpu drains every CPU in .cpus, .iterations times;
 *               hist = one whole drain-all (parallel queue-then-flush for
 *               workqueue variants, serial inline for lock variants).
 *               remote and drain-all run .target_load on the targets and,
 *               given .drain_stats, write there the entries found per
 *               drain and the owners' per-op cost with and without the
 *               drains. A drain that stalled on any CPU counts in .stalls
 *               and stays out of hist and drained: its time is the bound.
 * stress:       every CPU in .cpus does .iterations local ops while
 *               .caller_cpu drains them all continuously; conservation is
 *               ops_done == ops_drained + ops_remaining, and CPU c adds
 *               the values (c << 40) + 0, 1, ..., so sum_drained +
 *               sum_remaining has a closed form; entries_drained > 0
 *               shows that drains overlapped the ops.
 * interference: .caller_cpu drains .cpus at .rate_hz for .duration_ns;
 *               ran_on_target/ran_on_caller say where the work executed.
 *               With QPWBENCH_LOAD_FIFO (the module's spinners, which the
 *               run can release: none of its waits depends on RT
 *               throttling) .drain_stats gets their gaps, the result
 *               their context switches.
 *
 * .samples, when not 0, points to .samples_cap __u64 (at most
 * QPWBENCH_MAX_RAW_SAMPLES) that receive the first recorded samples, in
 * picoseconds, as hist records them; result.samples_kept says how many.
 *
 * Fields a scenario does not use are ignored, but still checked against
 * their caps (.batch too). Errors: -EINVAL (size, version, scenario,
 * variant, flags, target_load (or one outside remote and drain-all, but
 * FIFO on interference), drain_flags, lock_mode, drainer_policy (or FIFO
 * with a load other than OWNER_PREEMPTED), owner_hold_ns without owners
 * (OWNER, OWNER_PREEMPTED) or with a lock_mode other than PLAIN,
 * OWNER_PREEMPTED without owner_hold_ns or with owner_rate_hz,
 * FILLED_IDLE without QPWBENCH_DRAIN_FILL, with .fill 0 or with
 * owner_rate_hz, padding, a required count that is 0, empty mask,
 * a remote run not naming exactly one target other than the caller,
 * samples_cap without samples), -E2BIG (over a cap), -EPERM (opening the
 * device without CAP_SYS_ADMIN), -EFAULT (.samples or
 * .drain_stats not writable), -EOPNOTSUPP (a lock_mode this backend
 * cannot run, OWNER_PREEMPTED off PREEMPT_RT or on the user model), -ENODEV (a CPU that is
 * not online), -EBUSY (another run is active, or drain work that a stalled
 * run left behind is still running on its CPU, or threads of a run that
 * timed out are still ending), -ETIMEDOUT (this run's drain work did not
 * settle, or its threads did not end within QPWBENCH_STOP_BOUND_NS of the
 * stop: no counts), -EINTR (fatal signal).
 *
 * No wait of the ioctl outlives a stop (fatal signal, run cap, CPU going
 * offline) by more than QPWBENCH_STOP_BOUND_NS: a thread still blocked
 * then (a drainer in flush_work() whose kworker an RT task that is not
 * the module's keeps off its CPU) is left to end on its own; it owns what
 * it touches, and until it has ended new runs get -EBUSY.
 */
#define QPWBENCH_STOP_BOUND_NS		(10ULL * 1000000000ULL)
struct qpwbench_run {
	__u32 size;		/* sizeof(struct qpwbench_run) */
	__u32 version;		/* QPWBENCH_ABI_VERSION */
	__u32 scenario;		/* enum qpwbench_scenario */
	__u32 variant;		/* enum qpwbench_variant */
	__u32 caller_cpu;
	__u32 batch;		/* local: ops per sample (1..QPWBENCH_MAX_BATCH) */
	__u32 warmup;		/* unmeasured samples first */
	__u32 flags;		/* QPWBENCH_RUN_*; others must be 0 */
	__u64 iterations;
	__u64 duration_ns;
	__u64 rate_hz;
	__u64 wait_bound_ns;	/* workqueue drains give up (and count a stall) after this; 0: default */
	__u64 samples;		/* user pointer to __u64[samples_cap], or 0: no raw samples */
	__u32 samples_cap;
	__u32 __pad;
	__u64 cpus[QPWBENCH_MASK_WORDS];
	__u32 target_load;	/* QPWBENCH_LOAD_* */
	__u32 drain_flags;	/* QPWBENCH_DRAIN_* */
	__u32 fill;		/* QPWBENCH_DRAIN_FILL: 0..QPWBENCH_BATCH_ENTRIES */
	__u32 lock_mode;	/* QPWBENCH_LOCK_* */
	__u64 owner_rate_hz;	/* owner: local ops per second per target; 0: flat out */
	__u64 drain_stats;	/* user pointer to a struct qpwbench_drain_stats, or 0 */
	__u64 owner_hold_ns;	/* owner: hold time, one op in QPWBENCH_OWNER_HOLD_EVERY */
	__u32 drainer_policy;	/* QPWBENCH_DRAINER_* (ABI 12) */
	__u32 __pad2;		/* must be 0 */
	struct qpwbench_result result;
};

struct qpwbench_info {
	__u32 size;		/* sizeof(struct qpwbench_info) */
	__u32 version;		/* QPWBENCH_ABI_VERSION */
	__u32 preempt_rt;	/* 1 on PREEMPT_RT */
	__u32 nr_cpu_ids;
	__u32 online_cpus;
	__u32 flags;		/* QPWBENCH_INFO_* */
	__u64 online[QPWBENCH_MASK_WORDS];
};

#define QPWBENCH_INFO_HAS_CYCLES	(1U << 0)

#define QPWBENCH_IOC_MAGIC	'Q'
/* Returns QPWBENCH_ABI_VERSION as the ioctl's value. */
#define QPWBENCH_IOC_VERSION	_IO(QPWBENCH_IOC_MAGIC, 0)
#define QPWBENCH_IOC_INFO	_IOR(QPWBENCH_IOC_MAGIC, 1, struct qpwbench_info)
#define QPWBENCH_IOC_RUN	_IOWR(QPWBENCH_IOC_MAGIC, 2, struct qpwbench_run)

#endif /* _UAPI_QPWBENCH_H */
