// SPDX-License-Identifier: GPL-2.0
/*
 * ubench trigger: what the kernel's own remote drains do to an isolated CPU.
 * A thread on each target CPU (default: the isolated CPUs) first fills that
 * CPU's per-CPU caches the way real work does: it faults fresh anonymous
 * pages and reads pages of --file (LRU batches), charges the run's memory
 * cgroup (memcg stock) and opens and closes files (SLUB per-CPU slabs of
 * filp). Then it spins, SCHED_FIFO (--target-load fifo, default) or
 * SCHED_OTHER (busy), or sleeps (idle), while the caller fires one trigger
 * (triggers.c's table). That repeats --count times per trigger, the fill
 * before every trigger, because the kernel skips a CPU whose caches are
 * empty. Per trigger and target CPU the rows give:
 *
 * Rows not per function name the variant "kernel" (the kernel's own code, no
 * qpwbench variant); backend is "kernel" too.
 *
 *   trigger_worker_runs  times a kworker took the target (sched_switch): one
 *                        run may execute several items (a drain and the
 *                        barrier flush_work() queued behind it)
 *   osnoise_thread_noise the osnoise tracer's thread_noise events on the
 *                        target, of kworkers (variant kworker) and of any
 *                        thread (variant all): written only when an osnoise
 *                        tracer ran (rtla osnoise), the independent witness
 *   trigger_work_items   work items that ran on the target, per work
 *                        function (variant column; "all": their sum), from
 *                        the tracepoint workqueue:workqueue_execute_start
 *   target_involuntary_switches   the spinner's involuntary context switches
 *   target_gap           the spinner's largest gap (time it lost its CPU)
 *   stalled              triggers that returned only after the spinner on a
 *                        target stepped aside (--hold): their work waited
 *                        behind the RT task
 *   trigger_latency      the caller's time in the trigger (emulated under TCG)
 *   trigger_caller_cpu   the caller thread's CPU time in the trigger: the
 *                        drain's cost on the caller, the sleep in
 *                        flush_work() left out
 *   trigger_calls        calls of the remote-drain functions the caller made
 *                        (function tracer; variant: the kernel function)
 *
 * Under tcg-icount the time rows are in insns (run_meta_time_unit()).
 * Target rows have cpus = the target; the caller's (trigger_latency,
 * trigger_caller_cpu, trigger_calls) cpus = the caller, then the targets.
 *
 * Counts are per trigger (one sample per trigger). Needs root and tracefs.
 */
#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "core/hist.h"
#include "core/meta.h"
#include "core/output.h"
#include "core/pin.h"
#include "core/timer.h"
#include "opts.h"
#include "qpwbench_marker.h"
#include "target_load.h"
#include "tracefs.h"
#include "triggers.h"

#define TRIGGER_DEFAULT_COUNT		10
#define TRIGGER_MAX_COUNT		10000
/*
 * 6 anonymous + 6 file folios stay below 6.1's batch of 15 (fill()), with
 * room for the pages the thread itself faults in its first fill (its stack:
 * with 7 + 7 that one made 15, and 6.1 generic's first trigger skipped CPU 1).
 */
#define TRIGGER_DEFAULT_FILL_PAGES	6
#define TRIGGER_MAX_FILL_PAGES		1024
#define TRIGGER_DEFAULT_HOLD_NS		(200ULL * 1000000ULL)
#define TRIGGER_DEFAULT_SETTLE_NS	(20ULL * 1000000ULL)
#define TRIGGER_MAX_SETTLE_NS		(10ULL * 1000000000ULL)
#define TRIGGER_MAX_TARGETS		64
#define TRIGGER_MAX_NAMES		32
#define TRIGGER_DEFAULT_FILE		"/dev/ram0"
#define TRIGGER_DEFAULT_CGROUP		"/sys/fs/cgroup/qpwbench-trigger"
#define TMPFS_MAGIC_			0x01021994
#define RAMFS_MAGIC_			0x858458f6
#define PAGE				4096UL
/* The variant column of rows not per function: the kernel's own code ran. */
#define TRIGGER_NO_FUNCTION		"kernel"

/*
 * --mlock: how the targets' memory is locked while they fill (the CSV's
 * fill_mode column), as an RT task locks its own. With the whole process
 * under mlockall(MCL_FUTURE), each new anonymous folio of the fill goes to
 * mm/mlock.c's per-CPU batch (mlock_new_folio()) rather than the LRU add
 * batch, and lru_add_drain_all() queues lru_add_drain_per_cpu on a CPU
 * whose mlock batch holds one (need_mlock_drain()).
 */
enum fill_mode {
	FILL_PLAIN,	/* "none": no mlock */
	FILL_ONFAULT,	/* MCL_ONFAULT: the fill's faults add to the mlock batch */
	FILL_CURRENT,	/* populated at mmap: populate_vma_page_range() drains it again */
	FILL_COW,	/* locked and populated, shared with a child: COW faults add to it */
	FILL_NR_MODES,
};

static const char *const fill_mode_names[FILL_NR_MODES] = {
	"none", "onfault", "current", "cow",
};

struct trigger_params {
	bool selected[16];
	unsigned int caller;
	unsigned int targets[TRIGGER_MAX_TARGETS];
	unsigned int n_targets;
	uint64_t count, fill_pages, hold_ns, settle_ns;
	enum target_load load;
	enum fill_mode mlock;
	const char *file, *cgroup;
	bool no_ftrace;
};

/*
 * --mlock cow: the window in which the caller's child shares the targets'
 * fill pages. It lives in a MAP_SHARED page, which fork() never makes
 * copy-on-write, so the targets can wait and signal in it without a COW
 * fault of their own (a copied page is one more entry in their batch).
 */
struct cow_window {
	atomic_uint ready, written;	/* targets that reached the window, that wrote */
	atomic_ulong open, closed;	/* the round (+1) whose child exists, has gone */
};

/* One target thread and what it recorded for the current trigger. */
struct target {
	struct trigger_run *run;
	unsigned int cpu;
	pthread_t thread;
	bool started;
	sem_t go, stop;
	char *anon;			/* the fill's anonymous pages, remapped each round */
	/* The fill's anonymous pages' frames (0: not known), and whether each was still in a batch. */
	unsigned long long *pfn;
	bool *held_page;
	uint64_t held;			/* of them, off the LRU at the end of the fill */
	/* this round */
	uint64_t max_gap_ns, involuntary;
	bool gave_way;
	/* per trigger: counts by name, and per-round samples */
	struct tracefs_count work[TRIGGER_MAX_NAMES];
	unsigned int n_work;
	double *work_per_round[TRIGGER_MAX_NAMES];
	double *gap, *inv, *stalled, *runs, *noise_all, *noise_kworker;
	bool noise_seen;
	/* per trigger: held, moved to the LRU by then; insertions of the fill's pages per CPU */
	double *held_per_round, *moved_per_round;
	double *inserted[1 + TRIGGER_MAX_TARGETS];
};

struct trigger_run {
	const struct trigger_params *p;
	struct trigger_ctx ctx;
	struct tracefs tfs;
	struct output out;
	bool text;
	struct target t[TRIGGER_MAX_TARGETS];
	atomic_uint filled, reported;
	atomic_bool fired, returned, stop_spin, quit;
	uint64_t fired_at_ns;
	unsigned int caller_and_targets[1 + TRIGGER_MAX_TARGETS];
	char thread_err[256];
	atomic_bool thread_failed;
	uint64_t round;			/* fills so far: --mlock cow's window is round + 1 */
	/* No madvise()/fadvise() here (CONFIG_ADVISE_SYSCALLS=n): mlock() drains, readahead stays on. */
	bool no_advice;
	/* /proc/self/pagemap and /proc/kpageflags (-1: not readable here) */
	int pagemap_fd, kpageflags_fd;
	/* --mlock: a page mlock() populates, to drain this CPU's batches (fill()) */
	char *drain_page;
	struct cow_window *cow;
};

static const char *cmd = "trigger";

static size_t nr_traced(void)
{
	size_t n = 0;

	while (trigger_traced[n])
		n++;
	return n;
}

static void run_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void run_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ubench %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static uint64_t involuntary_switches(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return (uint64_t)ru.ru_nivcsw;
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000ULL), (long)(ns % 1000000000ULL) };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/*
 * Fill this CPU's per-CPU caches: fresh anonymous pages (LRU add batch,
 * memcg charge and stock), pages of --file at a new offset each round
 * (page cache folios in the LRU batch: what fadvise must drain), files
 * opened and closed (filp objects from this CPU's slab).
 *
 * What the fill puts in the LRU add batch must still be there when the
 * trigger fires, or lru_add_drain_all() skips the CPU: a batch that fills
 * up (15 folios on 6.1, 31 later) moves itself to the LRU, and a large
 * folio flushes it too. So the fill starts from empty batches (MADV_COLD
 * runs lru_add_drain() on this CPU: madvise_cold(), since 5.4) and adds a
 * known number of small folios: the anonymous pages without THP, the file
 * without readahead (file_open()'s POSIX_FADV_RANDOM). Readahead had added
 * 0-30 more, so the batch was sometimes exactly full, hence empty. Without
 * these calls (CONFIG_ADVISE_SYSCALLS=n: the trimmed 7.2 configs) mlock()
 * empties the batches (below) and readahead stays on; the header line
 * says so.
 */
static int fill(struct target *tg, uint64_t round, char *err, size_t errlen)
{
	const struct trigger_params *p = tg->run->p;
	size_t len = p->fill_pages * PAGE;
	char buf[PAGE];

	if (tg->anon)
		munmap(tg->anon, len);
	/* Under --mlock current and cow, MCL_FUTURE populates the mapping here. */
	tg->anon = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (tg->anon == MAP_FAILED) {
		tg->anon = NULL;
		snprintf(err, errlen, "CPU %u: mmap: %s", tg->cpu, strerror(errno));
		return -1;
	}
	/* EINVAL from MADV_NOHUGEPAGE: a kernel without THP (Debian's RT ones). */
	if (!tg->run->no_advice && madvise(tg->anon, len, MADV_NOHUGEPAGE) && errno != EINVAL) {
		snprintf(err, errlen, "CPU %u: madvise: %s", tg->cpu, strerror(errno));
		return -1;
	}
	/*
	 * MADV_COLD refuses locked memory (can_madv_lru_vma()), and the trimmed
	 * 7.2 configs have no madvise(). There mlock() of a locked page of our
	 * own empties this CPU's batches instead, mlock's among them, on every
	 * kernel here: __mm_populate() ends in populate_vma_page_range()'s
	 * lru_add_drain(). munmap() above queued the old pages' munlocks in
	 * the mlock batch (--mlock), or their folios in the LRU add batch
	 * (7.2's munmap does not drain).
	 */
	if (p->mlock == FILL_PLAIN && !tg->run->no_advice) {
		if (madvise(tg->anon, len, MADV_COLD)) {
			snprintf(err, errlen, "CPU %u: madvise: %s", tg->cpu, strerror(errno));
			return -1;
		}
	} else if (mlock(tg->run->drain_page, PAGE)) {
		snprintf(err, errlen, "CPU %u: mlock: %s", tg->cpu, strerror(errno));
		return -1;
	}
	if (tg->run->ctx.file_fd >= 0) {
		struct stat st;
		off_t slots, base;

		fstat(tg->run->ctx.file_fd, &st);
		/* st_size is 0 for a block device: its size is lseek's end. */
		slots = (S_ISBLK(st.st_mode) ? lseek(tg->run->ctx.file_fd, 0, SEEK_END) : st.st_size) /
			(off_t)len;
		base = (off_t)((round * p->n_targets + (uint64_t)(tg - tg->run->t)) %
			       (uint64_t)(slots > 0 ? slots : 1)) * (off_t)len;
		for (size_t off = 0; off < len; off += PAGE)
			if (pread(tg->run->ctx.file_fd, buf, sizeof(buf), base + (off_t)off) < 0) {
				snprintf(err, errlen, "CPU %u: reading %s: %s", tg->cpu, p->file,
					 strerror(errno));
				return -1;
			}
	}
	/*
	 * The anonymous pages last: a large folio the read added (7.2's block
	 * device reads, readahead where fadvise is missing) moves the whole
	 * batch to the LRU, and the fill's pages with it when they came first
	 * (7.2-rt-pwlocks: 2.4 of 6 held per drop-caches, 0 in some). --mlock
	 * cow writes them in the caller's window (cow_fill()).
	 */
	for (size_t off = 0; off < len && p->mlock != FILL_COW; off += PAGE)
		tg->anon[off] = 1;
	for (int i = 0; i < 4; i++) {
		int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

		if (fd >= 0)
			close(fd);
	}
	return 0;
}

/*
 * --mlock cow: write the fill's pages while the caller's child shares them
 * (trigger_one() forks it between ready and open), so that every write is a
 * COW fault on locked memory: the copy (mlock_new_folio()) and the munlock
 * of the shared page both go to this CPU's mlock batch, 2 entries a page.
 * Between ready and closed this thread writes only the pages and the
 * shared window: a private page it wrote while the child lived would be
 * copied too, and one it wrote after, still in a batch, would make the
 * COW fault's reuse check drain the batch (wp_can_reuse_anon_folio()).
 * So it spins, with no call that would write its stack, but only so long:
 * a SCHED_FIFO spinner on a CPU that is not nohz_full starves RCU there,
 * and the child's exit waited for that (6.12-rt: an RCU stall, the window
 * never closed). Then it sleeps between looks: its stack page is copied
 * (2 entries more, 14 of 6.1's 15 with the default 6 pages).
 */
#define TRIGGER_COW_SPINS	(1UL << 22)
static inline void cow_wait(atomic_ulong *v, unsigned long gen)
{
	for (unsigned long spins = 0; atomic_load_explicit(v, memory_order_acquire) != gen; spins++)
		if (spins > TRIGGER_COW_SPINS)
			sleep_ns(1000000);
}

static void cow_fill(struct target *tg, uint64_t round)
{
	struct cow_window *w = tg->run->cow;
	size_t len = tg->run->p->fill_pages * PAGE;
	unsigned long gen = (unsigned long)round + 1;

	atomic_fetch_add(&w->ready, 1);
	cow_wait(&w->open, gen);
	for (size_t off = 0; off < len; off += PAGE)
		((volatile char *)tg->anon)[off] = 1;
	atomic_fetch_add(&w->written, 1);
	cow_wait(&w->closed, gen);
}

/* KPF_LRU of <linux/kernel-page-flags.h>: the page is on an LRU list. */
#define TRIGGER_KPF_LRU		5
#define TRIGGER_PM_PRESENT	(1ULL << 63)
#define TRIGGER_PM_PFN		((1ULL << 55) - 1)

/* The flags of frame pfn from /proc/kpageflags: 0, or -1. */
static int page_flags(const struct trigger_run *r, unsigned long long pfn, uint64_t *flags)
{
	return pread(r->kpageflags_fd, flags, sizeof(*flags), (off_t)(pfn * sizeof(*flags))) ==
	       (ssize_t)sizeof(*flags) ? 0 : -1;
}

/*
 * After the fill: each anonymous page's frame (pagemap, root only) and
 * whether it is off the LRU, i.e. still in this CPU's batch (a new folio
 * reaches the LRU only when its batch is drained): the positive control
 * that the batch held entries when the trigger fired.
 */
static void record_pages(struct target *tg)
{
	struct trigger_run *r = tg->run;

	tg->held = 0;
	for (size_t i = 0; i < r->p->fill_pages; i++) {
		uint64_t pm = 0, flags = 0;
		off_t at = (off_t)(((uintptr_t)tg->anon + i * PAGE) / PAGE * sizeof(pm));

		tg->pfn[i] = 0;
		tg->held_page[i] = false;
		if (r->pagemap_fd < 0 || pread(r->pagemap_fd, &pm, sizeof(pm), at) != (ssize_t)sizeof(pm) ||
		    !(pm & TRIGGER_PM_PRESENT))
			continue;
		tg->pfn[i] = pm & TRIGGER_PM_PFN;
		if (tg->pfn[i] && !page_flags(r, tg->pfn[i], &flags) &&
		    !(flags & (1ULL << TRIGGER_KPF_LRU))) {
			tg->held_page[i] = true;
			tg->held++;
		}
	}
}

static void *target_fn(void *arg)
{
	struct target *tg = arg;
	struct trigger_run *r = tg->run;
	char err[256];
	int ret = pin_self(tg->cpu, err, sizeof(err));

	if (!ret && r->p->load == TARGET_LOAD_FIFO)
		ret = sched_fifo_self(THREADS_FIFO_PRIO, err, sizeof(err));
	for (uint64_t round = 0; !ret; round++) {
		uint64_t prev, now, inv0;

		sem_wait(&tg->go);
		if (atomic_load(&r->quit))
			break;
		ret = fill(tg, round, err, sizeof(err));
		if (ret)
			break;
		if (r->p->mlock == FILL_COW)
			cow_fill(tg, round);
		record_pages(tg);
		tg->max_gap_ns = 0;
		tg->gave_way = false;
		inv0 = involuntary_switches();
		atomic_fetch_add(&r->filled, 1);
		if (r->p->load == TARGET_LOAD_IDLE) {
			/* Nothing until the next fill: one run of this thread per trigger. */
			tg->involuntary = 0;
			atomic_fetch_add(&r->reported, 1);
			continue;
		} else {
			prev = timer_clock_ns();
			while (!atomic_load_explicit(&r->stop_spin, memory_order_acquire)) {
				now = timer_clock_ns();
				if (now - prev > tg->max_gap_ns)
					tg->max_gap_ns = now - prev;
				prev = now;
				/*
				 * A trigger still in the kernel after --hold waits for this
				 * CPU (its work queued behind us): step aside until it returns,
				 * as an RT task that sleeps now and then would. now may
				 * predate fired_at_ns (read before the caller fired; QEMU's
				 * round-robin vCPUs under -icount switch just there): that
				 * is no wait, not a wrapped-around huge one.
				 */
				if (atomic_load_explicit(&r->fired, memory_order_acquire) &&
				    !atomic_load_explicit(&r->returned, memory_order_acquire) &&
				    now > r->fired_at_ns && now - r->fired_at_ns > r->p->hold_ns) {
					tg->gave_way = true;
					while (!atomic_load(&r->returned) && !atomic_load(&r->stop_spin))
						sleep_ns(1000000);
					prev = timer_clock_ns();
				}
			}
			sem_wait(&tg->stop);
		}
		tg->involuntary = involuntary_switches() - inv0;
		atomic_fetch_add(&r->reported, 1);
	}
	if (ret) {
		snprintf(r->thread_err, sizeof(r->thread_err), "%s", err);
		atomic_store(&r->thread_failed, true);
		atomic_fetch_add(&r->filled, 1);
		atomic_fetch_add(&r->reported, 1);
	}
	return NULL;
}

/* Wait until n targets have bumped *counter (or one failed). */
static int wait_targets(struct trigger_run *r, atomic_uint *counter, unsigned int n)
{
	while (atomic_load(counter) < n)
		sleep_ns(100000);
	if (atomic_load(&r->thread_failed)) {
		run_error("%s", r->thread_err);
		return EXIT_USAGE;
	}
	return 0;
}

static int emit(struct trigger_run *r, const char *trigger, const char *variant,
		const unsigned int *cpu, unsigned int n_cpus, const char *metric, const char *unit,
		double *v, size_t n)
{
	struct output_row o = {
		.scenario = "trigger", .backend = "kernel", .variant = variant,
		.cpus = cpu, .n_cpus = n_cpus, .metric = metric, .unit = unit,
		.target_load = target_load_name(r->p->load), .trigger = trigger,
		.fill_mode = fill_mode_names[r->p->mlock],
		/* Timed with clock_gettime(), whose step and overhead are not measured here. */
		.resolution_ns = NAN, .timer_overhead_ns = NAN,
	};
	char err[256];

	stats_of_values(v, n, &o.stats);
	if (output_active(&r->out) && output_row(&r->out, &o, err, sizeof(err))) {
		run_error("%s", err);
		return EXIT_FAILED;
	}
	return 0;
}

/* A target's row: cpus = that target. */
static int row(struct trigger_run *r, const char *trigger, const char *variant,
	       const unsigned int *cpu, const char *metric, const char *unit, double *v,
	       size_t n)
{
	return emit(r, trigger, variant, cpu, 1, metric, unit, v, n);
}

/* The caller's row: cpus = the caller, then the targets it fired at. */
static int caller_row(struct trigger_run *r, const char *trigger, const char *variant,
		      const char *metric, const char *unit, double *v, size_t n)
{
	return emit(r, trigger, variant, r->caller_and_targets, 1 + r->p->n_targets, metric, unit,
		    v, n);
}

/* Index of name in c[0..*n), added with zero counts when new; -1 when full. */
static int name_index(struct tracefs_count *c, unsigned int *n, double **per_round,
		      size_t rounds, const char *name)
{
	for (unsigned int i = 0; i < *n; i++)
		if (!strcmp(c[i].name, name))
			return (int)i;
	if (*n == TRIGGER_MAX_NAMES)
		return -1;
	size_t len = strnlen(name, sizeof(c[*n].name) - 1);

	memcpy(c[*n].name, name, len);
	c[*n].name[len] = '\0';
	c[*n].n = 0;
	per_round[*n] = calloc(rounds, sizeof(double));
	if (!per_round[*n])
		return -1;
	return (int)(*n)++;
}

/*
 * --mlock cow, the caller's part of the window (cow_fill()): once every
 * target is ready, fork a child that shares their pages, let them write,
 * then end the child. It is forked from the caller, so it lives on the
 * caller's CPU: its own copies go to that CPU's batch, and its exit (whose
 * exit_mmap() drains the batches on 6.1) happens there. A raw clone: the
 * child only waits to be killed, and glibc's fork() would write (copy)
 * its own pages in the caller first. 0, or an exit code after one line.
 */
static int cow_window(struct trigger_run *r)
{
	struct cow_window *w = r->cow;
	unsigned long gen = (unsigned long)r->round + 1;
	unsigned int n = r->p->n_targets;
	long child;
	int rc = 0;

	while (atomic_load(&w->ready) < n && !atomic_load(&r->thread_failed))
		sleep_ns(100000);
	if (atomic_load(&r->thread_failed)) {
		/* Let the others through; wait_targets() reports the failure. */
		atomic_store(&w->open, gen);
		atomic_store(&w->closed, gen);
		return 0;
	}
	child = syscall(SYS_clone, (unsigned long)SIGCHLD, 0UL, 0UL, 0UL, 0UL);
	if (child == 0) {
		for (;;)
			pause();
	}
	if (child < 0) {
		run_error("--mlock cow: fork: %s", strerror(errno));
		rc = EXIT_FAILED;
	}
	atomic_store_explicit(&w->open, gen, memory_order_release);
	while (atomic_load(&w->written) < n)
		sleep_ns(100000);
	if (child > 0) {
		kill((pid_t)child, SIGKILL);
		while (waitpid((pid_t)child, NULL, 0) < 0 && errno == EINTR)
			;
	}
	atomic_store_explicit(&w->closed, gen, memory_order_release);
	return rc;
}

/*
 * Work a trigger queues onto a target without waiting for it (memcg's
 * drain_all_stock()) runs once the target's thread sleeps and its kworker
 * gets the CPU: under a loaded host, maybe later than --settle. Wait until
 * every work item queued onto a target since the trigger fired has started
 * there (workqueue_queue_work against workqueue_execute_start), so that
 * the counts do not depend on when the host ran the target's vCPU; up to
 * TRIGGER_MAX_SETTLE_NS, then say so. Without the queue event, --settle alone.
 */
static int settle_queued(struct trigger_run *r, const char *trigger, unsigned long long fired_mono_ns)
{
	const struct trigger_params *p = r->p;
	unsigned long long start = tracefs_mono_ns();
	char err[256];

	for (;;) {
		unsigned long owed = 0;
		unsigned int owing = 0;

		for (unsigned int i = 0; i < p->n_targets; i++) {
			unsigned long n;
			int ret = tracefs_unstarted_work(&r->tfs, r->t[i].cpu, fired_mono_ns, &n, err,
							 sizeof(err));

			if (ret == -ENOENT)
				return 0;
			if (ret) {
				run_error("%s", err);
				return EXIT_FAILED;
			}
			if (n)
				owing = r->t[i].cpu;
			owed += n;
		}
		if (!owed)
			return 0;
		if (tracefs_mono_ns() - start >= TRIGGER_MAX_SETTLE_NS) {
			fprintf(stderr, "ubench %s: %s: %lu work item(s) queued onto CPU %u since the trigger had not started %.0f s later: counted as not run\n",
				cmd, trigger, owed, owing, TRIGGER_MAX_SETTLE_NS / 1e9);
			return 0;
		}
		sleep_ns(10000000);
	}
}

/*
 * After a trigger: of each target's pages held in its batch at the fill's
 * end, how many are on the LRU now (/proc/kpageflags: the trigger's drain
 * moved them, whichever CPU ran it; mlocked folios leave no other trace),
 * and how many folios of them each CPU inserted into the LRU since fired
 * (mm_lru_insertion: the LRU add batch's, with the CPU that moved them).
 */
static int count_moved(struct trigger_run *r, size_t k, unsigned long long fired_mono_ns)
{
	const struct trigger_params *p = r->p;
	char err[256];

	for (unsigned int i = 0; i < p->n_targets; i++) {
		struct target *tg = &r->t[i];
		uint64_t moved = 0;

		tg->held_per_round[k] = (double)tg->held;
		for (size_t j = 0; j < p->fill_pages; j++) {
			uint64_t flags;

			if (tg->held_page[j] && !page_flags(r, tg->pfn[j], &flags) &&
			    (flags & (1ULL << TRIGGER_KPF_LRU)))
				moved++;
		}
		tg->moved_per_round[k] = (double)moved;
		for (unsigned int c = 0; c < 1 + p->n_targets && r->tfs.lru; c++) {
			unsigned long n = 0;

			if (tracefs_lru_insertions(&r->tfs, r->caller_and_targets[c], fired_mono_ns,
						   tg->pfn, p->fill_pages, &n, err, sizeof(err))) {
				run_error("%s", err);
				return EXIT_FAILED;
			}
			tg->inserted[c][k] = (double)n;
		}
	}
	return 0;
}

static int trigger_one(struct trigger_run *r, const struct trigger *tr)
{
	const struct trigger_params *p = r->p;
	size_t rounds = p->count;
	double *latency = calloc(rounds, sizeof(double)), *tmp = calloc(rounds, sizeof(double));
	double *caller_cpu = calloc(rounds, sizeof(double));
	const char *unit = run_meta_time_unit(run_meta_get());
	struct tracefs_count calls[TRIGGER_MAX_NAMES];
	double *calls_per_round[TRIGGER_MAX_NAMES] = { 0 };
	unsigned int n_calls = 0, stalled_rounds = 0;
	char err[256];
	int rc = 0;

	if (!latency || !tmp || !caller_cpu) {
		run_error("out of memory");
		rc = EXIT_FAILED;
	}
	for (unsigned int i = 0; i < p->n_targets && !rc; i++) {
		struct target *tg = &r->t[i];

		tg->n_work = 0;
		tg->gap = calloc(rounds, sizeof(double));
		tg->inv = calloc(rounds, sizeof(double));
		tg->stalled = calloc(rounds, sizeof(double));
		tg->runs = calloc(rounds, sizeof(double));
		tg->noise_all = calloc(rounds, sizeof(double));
		tg->noise_kworker = calloc(rounds, sizeof(double));
		tg->noise_seen = false;
		tg->held_per_round = calloc(rounds, sizeof(double));
		tg->moved_per_round = calloc(rounds, sizeof(double));
		if (!tg->gap || !tg->inv || !tg->stalled || !tg->runs || !tg->noise_all ||
		    !tg->noise_kworker || !tg->held_per_round || !tg->moved_per_round) {
			run_error("out of memory");
			rc = EXIT_FAILED;
		}
		for (unsigned int c = 0; c < 1 + p->n_targets && !rc; c++)
			if (!(tg->inserted[c] = calloc(rounds, sizeof(double)))) {
				run_error("out of memory");
				rc = EXIT_FAILED;
			}
	}
	for (size_t k = 0; k < rounds && !rc; k++) {
		struct timespec c0, c1;
		unsigned long long fired_mono_ns;
		uint64_t t0, t1;
		bool stalled = false;
		int fire_rc;

		atomic_store(&r->filled, 0);
		atomic_store(&r->reported, 0);
		atomic_store(&r->fired, false);
		atomic_store(&r->returned, false);
		atomic_store(&r->stop_spin, false);
		/*
		 * Empty the buffers while the targets sleep: a buffer reset waits
		 * for an RCU grace period, which a FIFO spinner on a CPU that is
		 * not nohz_full would hold off (its rcuc thread starves). What the
		 * fill itself queued there is counted with the trigger (rarely
		 * anything: the fill makes no remote requests).
		 */
		for (unsigned int i = 0; i < p->n_targets && !rc; i++)
			if (tracefs_clear(&r->tfs, r->t[i].cpu, err, sizeof(err))) {
				run_error("%s", err);
				rc = EXIT_FAILED;
			}
		if (!rc && tracefs_clear(&r->tfs, p->caller, err, sizeof(err))) {
			run_error("%s", err);
			rc = EXIT_FAILED;
		}
		if (rc)
			break;
		if (r->cow) {
			atomic_store(&r->cow->ready, 0);
			atomic_store(&r->cow->written, 0);
		}
		for (unsigned int i = 0; i < p->n_targets; i++)
			sem_post(&r->t[i].go);
		if (r->cow)
			rc = cow_window(r);
		r->round++;
		if (!rc)
			rc = wait_targets(r, &r->filled, p->n_targets);
		if (rc)
			break;
		fired_mono_ns = tracefs_mono_ns();
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
		t0 = timer_clock_ns();
		r->fired_at_ns = t0;
		atomic_store_explicit(&r->fired, true, memory_order_release);
		/*
		 * One coherence window per trigger (plugins/coherence.c): the
		 * fire and the kernel's remote drain it waits for (two no-op
		 * instructions in the timed region), the targets' setup
		 * outside it.
		 */
		QPWBENCH_WINDOW_OPEN(QPWBENCH_LABEL_TRIGGER);
		fire_rc = tr->fire(&r->ctx, err, sizeof(err));
		QPWBENCH_WINDOW_CLOSE(QPWBENCH_LABEL_TRIGGER);
		if (fire_rc) {
			run_error("%s: %s", tr->name, err);
			rc = EXIT_USAGE;
		}
		t1 = timer_clock_ns();
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
		atomic_store_explicit(&r->returned, true, memory_order_release);
		latency[k] = (double)(t1 - t0);
		caller_cpu[k] = (double)(c1.tv_sec - c0.tv_sec) * 1e9 + (double)(c1.tv_nsec - c0.tv_nsec);
		atomic_store_explicit(&r->stop_spin, true, memory_order_release);
		for (unsigned int i = 0; i < p->n_targets && p->load != TARGET_LOAD_IDLE; i++)
			sem_post(&r->t[i].stop);
		if (wait_targets(r, &r->reported, p->n_targets))
			rc = EXIT_USAGE;
		if (rc)
			break;
		/* The targets sleep now: work queued without a flush (memcg) runs. */
		sleep_ns(p->settle_ns);
		rc = settle_queued(r, tr->name, fired_mono_ns);
		if (!rc)
			rc = count_moved(r, k, fired_mono_ns);
		if (rc)
			break;
		for (unsigned int i = 0; i < p->n_targets && !rc; i++) {
			struct target *tg = &r->t[i];
			struct tracefs_count seen[TRIGGER_MAX_NAMES];
			unsigned int n_seen = 0;
			unsigned long runs = 0, noise_all = 0, noise_kworker = 0;
			int ret = tracefs_count(&r->tfs, tg->cpu, seen, &n_seen, NULL, NULL, &runs,
						&noise_all, &noise_kworker, TRIGGER_MAX_NAMES, err,
						sizeof(err));

			tg->runs[k] = (double)runs;
			tg->noise_all[k] = (double)noise_all;
			tg->noise_kworker[k] = (double)noise_kworker;
			tg->noise_seen |= noise_all > 0;

			for (unsigned int s = 0; s < n_seen && !ret; s++) {
				int idx = name_index(tg->work, &tg->n_work, tg->work_per_round, rounds,
						     seen[s].name);

				if (idx < 0)
					ret = -ENOSPC;
				else
					tg->work_per_round[idx][k] = (double)seen[s].n;
			}
			if (ret) {
				run_error("%s", ret == -ENOSPC ? "too many distinct work functions" : err);
				rc = EXIT_FAILED;
			}
			tg->gap[k] = (double)tg->max_gap_ns;
			tg->inv[k] = (double)tg->involuntary;
			tg->stalled[k] = tg->gave_way;
			stalled |= tg->gave_way;
		}
		stalled_rounds += stalled;
		if (!rc && r->tfs.functions) {
			struct tracefs_count seen[TRIGGER_MAX_NAMES];
			unsigned int n_seen = 0;
			int ret = tracefs_count(&r->tfs, p->caller, NULL, NULL, seen, &n_seen, NULL, NULL,
						NULL, TRIGGER_MAX_NAMES, err, sizeof(err));

			for (unsigned int s = 0; s < n_seen && !ret; s++) {
				int idx = name_index(calls, &n_calls, calls_per_round, rounds, seen[s].name);

				if (idx < 0)
					ret = -ENOSPC;
				else
					calls_per_round[idx][k] = (double)seen[s].n;
			}
			if (ret) {
				run_error("%s", ret == -ENOSPC ? "too many distinct traced functions" : err);
				rc = EXIT_FAILED;
			}
		}
	}

	/* Rows and the text summary; per-round arrays are sorted by stats_of_values. */
	if (!rc && r->text)
		printf("%s (%s), %zu triggers from CPU %u:\n", tr->name, tr->reaches, rounds, p->caller);
	for (unsigned int i = 0; i < p->n_targets && !rc; i++) {
		struct target *tg = &r->t[i];
		struct stats s;

		for (size_t k = 0; k < rounds; k++)
			tmp[k] = 0;
		for (unsigned int w = 0; w < tg->n_work; w++)
			for (size_t k = 0; k < rounds; k++)
				tmp[k] += tg->work_per_round[w][k];
		if (r->text) {
			printf("  CPU %u work items per trigger:", tg->cpu);
			for (unsigned int w = 0; w < tg->n_work; w++) {
				double sum = 0, min = 1e300;

				for (size_t k = 0; k < rounds; k++) {
					sum += tg->work_per_round[w][k];
					if (tg->work_per_round[w][k] < min)
						min = tg->work_per_round[w][k];
				}
				printf(" %s %.2f (min %.0f)", tg->work[w].name, sum / (double)rounds, min);
			}
			printf("%s\n", tg->n_work ? "" : " none");
		}
		rc = row(r, tr->name, "all", &tg->cpu, "trigger_work_items", "count", tmp, rounds);
		if (!rc) {
			stats_of_values(memcpy(tmp, tg->runs, rounds * sizeof(double)), rounds, &s);
			if (r->text)
				printf("  CPU %u kworker runs per trigger: %.2f (min %.0f)\n", tg->cpu, s.mean, s.min);
			rc = row(r, tr->name, TRIGGER_NO_FUNCTION, &tg->cpu, "trigger_worker_runs", "count", tg->runs,
				 rounds);
		}
		if (!rc && tg->noise_seen) {
			stats_of_values(memcpy(tmp, tg->noise_kworker, rounds * sizeof(double)), rounds, &s);
			if (r->text)
				printf("  CPU %u osnoise thread noise per trigger: %.2f of kworkers", tg->cpu, s.mean);
			rc = row(r, tr->name, "kworker", &tg->cpu, "osnoise_thread_noise", "count",
				 tg->noise_kworker, rounds);
			stats_of_values(memcpy(tmp, tg->noise_all, rounds * sizeof(double)), rounds, &s);
			if (r->text)
				printf(", %.2f in all\n", s.mean);
			if (!rc)
				rc = row(r, tr->name, "all", &tg->cpu, "osnoise_thread_noise", "count",
					 tg->noise_all, rounds);
		}
		for (unsigned int w = 0; w < tg->n_work && !rc; w++)
			rc = row(r, tr->name, tg->work[w].name, &tg->cpu, "trigger_work_items", "count",
				 tg->work_per_round[w], rounds);
		if (!rc && r->pagemap_fd >= 0 && r->kpageflags_fd >= 0) {
			struct stats h, m;

			stats_of_values(memcpy(tmp, tg->held_per_round, rounds * sizeof(double)), rounds, &h);
			stats_of_values(memcpy(tmp, tg->moved_per_round, rounds * sizeof(double)), rounds, &m);
			if (r->text)
				printf("  CPU %u fill pages in a per-CPU batch at the trigger: %.2f (min %.0f), on the LRU after it: %.2f (min %.0f)",
				       tg->cpu, h.mean, h.min, m.mean, m.min);
			rc = row(r, tr->name, TRIGGER_NO_FUNCTION, &tg->cpu, "trigger_batch_held", "count",
				 tg->held_per_round, rounds);
			if (!rc)
				rc = row(r, tr->name, TRIGGER_NO_FUNCTION, &tg->cpu, "trigger_batch_moved", "count",
					 tg->moved_per_round, rounds);
			if (r->text && r->tfs.lru)
				printf("; mm_lru_insertion of them by");
			for (unsigned int c = 0; c < 1 + p->n_targets && r->tfs.lru && !rc; c++) {
				char name[32];

				snprintf(name, sizeof(name), "cpu%u", r->caller_and_targets[c]);
				stats_of_values(memcpy(tmp, tg->inserted[c], rounds * sizeof(double)), rounds, &m);
				if (r->text)
					printf(" %s %.2f (min %.0f)", name, m.mean, m.min);
				rc = row(r, tr->name, name, &tg->cpu, "trigger_lru_moved", "count", tg->inserted[c],
					 rounds);
			}
			if (r->text)
				printf("\n");
		}
		if (p->load != TARGET_LOAD_IDLE && !rc) {
			stats_of_values(memcpy(tmp, tg->inv, rounds * sizeof(double)), rounds, &s);
			if (r->text)
				printf("  CPU %u spinner: %.2f involuntary switches per trigger (max %.0f)",
				       tg->cpu, s.mean, s.max);
			rc = row(r, tr->name, TRIGGER_NO_FUNCTION, &tg->cpu, "target_involuntary_switches", "count",
				 tg->inv, rounds);
			stats_of_values(memcpy(tmp, tg->gap, rounds * sizeof(double)), rounds, &s);
			if (r->text)
				printf(", largest gap %.0f %s%s", s.max, unit,
				       run_meta_get()->emulated[0] == 'n' ? "" : " (emulated)");
			if (!rc)
				rc = row(r, tr->name, TRIGGER_NO_FUNCTION, &tg->cpu, "target_gap", unit, tg->gap, rounds);
			stats_of_values(memcpy(tmp, tg->stalled, rounds * sizeof(double)), rounds, &s);
			if (r->text)
				printf(", stepped aside for %.0f of %zu triggers\n", s.mean * (double)rounds, rounds);
			if (!rc)
				rc = row(r, tr->name, TRIGGER_NO_FUNCTION, &tg->cpu, "stalled", "count", tg->stalled, rounds);
		}
	}
	if (!rc) {
		struct stats s;

		stats_of_values(memcpy(tmp, latency, rounds * sizeof(double)), rounds, &s);
		if (r->text)
			printf("  caller: trigger latency p50 %.0f %s, max %.0f %s%s; %u of %zu waited for a target\n",
			       s.p50, unit, s.max, unit, run_meta_get()->emulated[0] == 'n' ? "" : " (emulated)",
			       stalled_rounds, rounds);
		rc = caller_row(r, tr->name, TRIGGER_NO_FUNCTION, "trigger_latency", unit, latency, rounds);
		stats_of_values(memcpy(tmp, caller_cpu, rounds * sizeof(double)), rounds, &s);
		if (r->text)
			printf("  caller: CPU time in the trigger p50 %.0f %s, max %.0f %s%s\n",
			       s.p50, unit, s.max, unit, run_meta_get()->emulated[0] == 'n' ? "" : " (emulated)");
		if (!rc)
			rc = caller_row(r, tr->name, TRIGGER_NO_FUNCTION, "trigger_caller_cpu", unit, caller_cpu,
					rounds);
	}
	if (!rc && r->tfs.functions && r->text) {
		printf("  caller reached:");
		for (unsigned int c = 0; c < n_calls; c++) {
			double sum = 0;

			for (size_t k = 0; k < rounds; k++)
				sum += calls_per_round[c][k];
			printf(" %s %.2f", calls[c].name, sum / (double)rounds);
		}
		printf("%s\n", n_calls ? " per trigger" : " none of the traced functions");
	}
	for (unsigned int c = 0; c < n_calls && !rc; c++)
		rc = caller_row(r, tr->name, calls[c].name, "trigger_calls", "count", calls_per_round[c],
				rounds);
	for (unsigned int c = 0; c < n_calls; c++)
		free(calls_per_round[c]);
	for (unsigned int i = 0; i < p->n_targets; i++) {
		struct target *tg = &r->t[i];

		for (unsigned int w = 0; w < tg->n_work; w++)
			free(tg->work_per_round[w]);
		free(tg->gap);
		free(tg->inv);
		free(tg->stalled);
		free(tg->runs);
		free(tg->noise_all);
		free(tg->noise_kworker);
		free(tg->held_per_round);
		free(tg->moved_per_round);
		for (unsigned int c = 0; c < 1 + p->n_targets; c++) {
			free(tg->inserted[c]);
			tg->inserted[c] = NULL;
		}
		tg->held_per_round = tg->moved_per_round = NULL;
		tg->n_work = 0;
		tg->gap = tg->inv = tg->stalled = tg->runs = tg->noise_all = tg->noise_kworker = NULL;
	}
	free(latency);
	free(caller_cpu);
	free(tmp);
	fflush(stdout);
	return rc;
}

/* cgroup v2: the whole process into its own memory cgroup (threads follow). */
static int cgroup_enter(struct trigger_run *r, bool *created)
{
	const char *dir = r->p->cgroup;
	char path[4096 + 64], parent[4096], pid[32];
	const char *slash = strrchr(dir, '/');
	char err[512];
	FILE *f;

	*created = false;
	if (!slash || slash == dir) {
		run_error("--cgroup %s: not a directory below a cgroup v2 mount", dir);
		return EXIT_USAGE;
	}
	snprintf(parent, sizeof(parent), "%.*s", (int)(slash - dir), dir);
	snprintf(path, sizeof(path), "%s/cgroup.controllers", parent);
	f = fopen(path, "re");
	if (!f || !fgets(err, sizeof(err), f) || !strstr(err, "memory")) {
		run_error("memcg-reclaim needs cgroup v2 with the memory controller at %s (mount -t cgroup2 cgroup2 %s)",
			  parent, parent);
		if (f)
			fclose(f);
		return EXIT_USAGE;
	}
	fclose(f);
	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", parent);
	if (kfile_write(path, "+memory", 0, err, sizeof(err))) {
		run_error("%s", err);
		return EXIT_USAGE;
	}
	if (mkdir(dir, 0755)) {
		if (errno != EEXIST) {
			run_error("mkdir %s: %s", dir, strerror(errno));
			return EXIT_USAGE;
		}
	} else {
		*created = true;
	}
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	if (kfile_write(path, pid, 0, err, sizeof(err))) {
		run_error("%s", err);
		return EXIT_USAGE;
	}
	r->ctx.cgroup = dir;
	return 0;
}

static void cgroup_leave(struct trigger_run *r, bool created)
{
	const char *dir = r->p->cgroup;
	char path[4096], pid[32], err[512];

	snprintf(path, sizeof(path), "%.*s/cgroup.procs", (int)(strrchr(dir, '/') - dir), dir);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	kfile_write(path, pid, 0, err, sizeof(err));
	if (created)
		rmdir(dir);
}

/* --file: pages with a backing device, read by the targets (not tmpfs/ramfs). */
static int file_open(struct trigger_run *r)
{
	const char *file = r->p->file;
	struct statfs sf;
	struct stat st;
	off_t size;
	int e, fd = open(file, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		run_error("fadvise needs --file, a block device or a file on a block-backed filesystem: cannot open %s: %s%s",
			  file, strerror(errno),
			  strcmp(file, TRIGGER_DEFAULT_FILE) ? "" : " (modprobe brd makes /dev/ram0)");
		return EXIT_USAGE;
	}
	if (fstat(fd, &st) || fstatfs(fd, &sf)) {
		run_error("cannot stat %s: %s", file, strerror(errno));
		close(fd);
		return EXIT_USAGE;
	}
	if (!S_ISBLK(st.st_mode) && (!S_ISREG(st.st_mode) ||
				     (unsigned long)sf.f_type == TMPFS_MAGIC_ ||
				     (unsigned long)sf.f_type == RAMFS_MAGIC_)) {
		run_error("--file %s: fadvise drops nothing there; give a block device or a file on a block-backed filesystem",
			  file);
		close(fd);
		return EXIT_USAGE;
	}
	size = S_ISBLK(st.st_mode) ? lseek(fd, 0, SEEK_END) : st.st_size;
	if (size < (off_t)(r->p->fill_pages * PAGE)) {
		run_error("--file %s: %lld bytes, the fill reads %llu", file, (long long)size,
			  (unsigned long long)(r->p->fill_pages * PAGE));
		close(fd);
		return EXIT_USAGE;
	}
	/* The fill reads one folio per page, none ahead (fill()). */
	e = r->no_advice ? 0 : posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM);
	if (e) {
		run_error("--file %s: posix_fadvise(POSIX_FADV_RANDOM): %s", file, strerror(e));
		close(fd);
		return EXIT_USAGE;
	}
	r->ctx.file_fd = fd;
	return 0;
}

/* The page fill() mlock()s to drain (--mlock, or no madvise()). 0, or an exit code after one line. */
static int drain_page_map(struct trigger_run *r)
{
	r->drain_page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r->drain_page == MAP_FAILED) {
		r->drain_page = NULL;
		run_error("mmap: %s", strerror(errno));
		return EXIT_FAILED;
	}
	r->drain_page[0] = 1;
	return 0;
}

/*
 * --mlock: lock the whole process the way the mode says, before the
 * target threads exist (their stacks are then locked too, as an RT task's
 * are), and, for cow, map the window every thread shares. 0, or an exit
 * code after one line.
 */
static int lock_memory(struct trigger_run *r)
{
	int flags = MCL_CURRENT | MCL_FUTURE;

	if (r->p->mlock == FILL_ONFAULT)
		flags |= MCL_ONFAULT;
	if (r->p->mlock == FILL_COW) {
		r->cow = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (r->cow == MAP_FAILED) {
			r->cow = NULL;
			run_error("mmap: %s", strerror(errno));
			return EXIT_FAILED;
		}
		memset(r->cow, 0, PAGE);
	}
	if (mlockall(flags)) {
		run_error("--mlock %s: mlockall: %s", fill_mode_names[r->p->mlock], strerror(errno));
		return EXIT_FAILED;
	}
	return 0;
}

static int trigger_measure(struct trigger_run *r)
{
	const struct trigger_params *p = r->p;
	unsigned int needs = 0, n_traced = 0;
	char untraced[TRACEFS_UNTRACED_LEN] = "";
	bool cgroup_created = false, in_cgroup = false;
	char err[256];
	int rc = 0;

	for (size_t i = 0; i < nr_triggers; i++)
		if (p->selected[i])
			needs |= triggers[i].needs;
	r->ctx.file_fd = -1;
	/* CONFIG_ADVISE_SYSCALLS has both calls: madvise() of an empty range asks whether they are there. */
	r->no_advice = madvise(NULL, 0, MADV_NORMAL) && errno == ENOSYS;
	if (geteuid()) {
		run_error("needs root (SCHED_FIFO, tracefs, /proc/sys/vm)");
		return EXIT_USAGE;
	}
	if (needs & TRIGGER_NEEDS_FILE)
		rc = file_open(r);
	else if (!access(p->file, R_OK))
		rc = file_open(r);	/* the fill reads it when it is there */
	if (!rc && (needs & TRIGGER_NEEDS_MEMCG)) {
		rc = cgroup_enter(r, &cgroup_created);
		in_cgroup = !rc;
	}
	r->ctx.page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!rc && r->ctx.page == MAP_FAILED) {
		run_error("mmap: %s", strerror(errno));
		rc = EXIT_FAILED;
	}
	/* Frames need CAP_SYS_ADMIN (root here) and CONFIG_PROC_PAGE_MONITOR. */
	r->pagemap_fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	r->kpageflags_fd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	for (unsigned int i = 0; i < p->n_targets && !rc; i++) {
		r->t[i].pfn = calloc(p->fill_pages, sizeof(*r->t[i].pfn));
		r->t[i].held_page = calloc(p->fill_pages, sizeof(*r->t[i].held_page));
		if (!r->t[i].pfn || !r->t[i].held_page) {
			run_error("out of memory");
			rc = EXIT_FAILED;
		}
	}
	if (!rc && (p->mlock != FILL_PLAIN || r->no_advice))
		rc = drain_page_map(r);
	if (!rc && p->mlock != FILL_PLAIN)
		rc = lock_memory(r);
	if (!rc) {
		memset(r->ctx.page, 1, PAGE);
		if (pin_self(p->caller, err, sizeof(err))) {
			run_error("--caller %u: %s", p->caller, err);
			rc = EXIT_USAGE;
		}
	}
	if (!rc && tracefs_start(&r->tfs, gettid(), p->no_ftrace ? NULL : trigger_traced, &n_traced, untraced,
				 err, sizeof(err))) {
		run_error("%s", err);
		rc = EXIT_USAGE;
	}
	if (!rc && r->text)
		printf("trigger: caller CPU %u, %u target CPU(s), target load %s, %llu triggers each, fill %llu pages%s%s, memory locked: %s%s; function tracer on %u of %zu remote-drain functions%s%s%s\n",
		       p->caller, p->n_targets, target_load_name(p->load), (unsigned long long)p->count,
		       (unsigned long long)p->fill_pages, r->ctx.file_fd >= 0 ? " + file " : "",
		       r->ctx.file_fd >= 0 ? p->file : "", fill_mode_names[p->mlock],
		       r->no_advice ? " (no madvise/fadvise here: batches emptied by mlock() of a page of its own, readahead on)" : "",
		       n_traced, p->no_ftrace ? (size_t)0 : nr_traced(),
		       untraced[0] ? " (not traceable here: " : "", untraced, untraced[0] ? ")" : "");
	for (unsigned int i = 0; i < p->n_targets && !rc; i++) {
		struct target *tg = &r->t[i];

		tg->run = r;
		tg->cpu = p->targets[i];
		sem_init(&tg->go, 0, 0);
		sem_init(&tg->stop, 0, 0);
		if (pthread_create(&tg->thread, NULL, target_fn, tg)) {
			run_error("cannot start the thread for CPU %u", tg->cpu);
			rc = EXIT_FAILED;
		} else {
			tg->started = true;
		}
	}
	for (size_t i = 0; i < nr_triggers && !rc; i++)
		if (p->selected[i])
			rc = trigger_one(r, &triggers[i]);
	atomic_store(&r->quit, true);
	for (unsigned int i = 0; i < p->n_targets; i++) {
		struct target *tg = &r->t[i];

		if (!tg->started)
			continue;
		sem_post(&tg->go);
		pthread_join(tg->thread, NULL);
		if (tg->anon)
			munmap(tg->anon, p->fill_pages * PAGE);
	}
	tracefs_stop(&r->tfs);
	if (p->mlock != FILL_PLAIN)
		munlockall();
	if (r->pagemap_fd >= 0)
		close(r->pagemap_fd);
	if (r->kpageflags_fd >= 0)
		close(r->kpageflags_fd);
	for (unsigned int i = 0; i < p->n_targets; i++) {
		free(r->t[i].pfn);
		free(r->t[i].held_page);
	}
	if (r->drain_page)
		munmap(r->drain_page, PAGE);
	if (r->cow)
		munmap(r->cow, PAGE);
	if (in_cgroup)
		cgroup_leave(r, cgroup_created);
	if (r->ctx.file_fd >= 0)
		close(r->ctx.file_fd);
	if (r->ctx.page && r->ctx.page != MAP_FAILED)
		munmap(r->ctx.page, PAGE);
	return rc;
}

/* "1,3-5": CPUs into p->targets; 0, or -1 after one error line. */
static int parse_targets(struct ubench_opts *o, const char *flag, const char *arg,
			 struct trigger_params *p)
{
	const char *s = arg;

	p->n_targets = 0;
	while (*s && *s != '\n') {
		char *end;
		unsigned long lo = strtoul(s, &end, 10), hi = lo;

		if (end == s || *s == '-' || *s == '+')
			goto bad;
		if (*end == '-') {
			s = end + 1;
			hi = strtoul(s, &end, 10);
			if (end == s || *s == '-' || *s == '+' || hi < lo)
				goto bad;
		}
		for (unsigned long c = lo; c <= hi; c++) {
			if (c >= QPWBENCH_MAX_CPUS || p->n_targets == TRIGGER_MAX_TARGETS) {
				opts_error(o, "%s %s: at most %u targets, CPUs below %u", flag, arg,
					   TRIGGER_MAX_TARGETS, QPWBENCH_MAX_CPUS);
				return -1;
			}
			p->targets[p->n_targets++] = (unsigned int)c;
		}
		s = end;
		if (*s == ',')
			s++;
		else if (*s && *s != '\n')
			goto bad;
	}
	return 0;
bad:
	opts_error(o, "%s '%s': not a CPU list like 1 or 1-3,5", flag, arg);
	return -1;
}

static const struct option trigger_options[] = {
	{ "trigger", required_argument, NULL, OPTS_OWN_BASE },
	{ "caller", required_argument, NULL, OPTS_OWN_BASE + 1 },
	{ "targets", required_argument, NULL, OPTS_OWN_BASE + 2 },
	{ "count", required_argument, NULL, OPTS_OWN_BASE + 3 },
	{ "file", required_argument, NULL, OPTS_OWN_BASE + 4 },
	{ "cgroup", required_argument, NULL, OPTS_OWN_BASE + 5 },
	{ "fill-pages", required_argument, NULL, OPTS_OWN_BASE + 6 },
	{ "hold", required_argument, NULL, OPTS_OWN_BASE + 7 },
	{ "settle", required_argument, NULL, OPTS_OWN_BASE + 8 },
	{ "target-load", required_argument, NULL, OPTS_OWN_BASE + 9 },
	{ "no-ftrace", no_argument, NULL, OPTS_OWN_BASE + 10 },
	{ "mlock", required_argument, NULL, OPTS_OWN_BASE + 11 },
	{ 0 },
};

static int trigger_option(struct ubench_opts *o, int val, const char *arg)
{
	struct trigger_params *p = o->ctx;
	uint64_t v;

	switch (val - OPTS_OWN_BASE) {
	case 0: {
		char *list = strdup(arg), *save = NULL;
		int ret = 0;

		if (!list) {
			opts_error(o, "out of memory");
			return -1;
		}
		memset(p->selected, 0, sizeof(p->selected));
		for (char *name = strtok_r(list, ",", &save); name && !ret;
		     name = strtok_r(NULL, ",", &save)) {
			bool found = false;

			for (size_t i = 0; i < nr_triggers; i++) {
				if (!strcmp(name, "all") || !strcmp(name, triggers[i].name)) {
					p->selected[i] = true;
					found = true;
				}
			}
			if (!found) {
				opts_error(o, "--trigger: unknown trigger '%s' (--help lists them)", name);
				ret = -1;
			}
		}
		free(list);
		return ret;
	}
	case 1:
		if (opts_u64(o, "--caller", arg, 0, QPWBENCH_MAX_CPUS - 1, &v))
			return -1;
		p->caller = (unsigned int)v;
		return 0;
	case 2:
		return parse_targets(o, "--targets", arg, p);
	case 3:
		return opts_u64(o, "--count", arg, 1, TRIGGER_MAX_COUNT, &p->count);
	case 4:
		p->file = arg;
		return 0;
	case 5:
		p->cgroup = arg;
		return 0;
	case 6:
		return opts_u64(o, "--fill-pages", arg, 1, TRIGGER_MAX_FILL_PAGES, &p->fill_pages);
	case 7:
		return opts_duration(o, "--hold", arg, 1000000ULL, 10ULL * 1000000000ULL, &p->hold_ns);
	case 8:
		return opts_duration(o, "--settle", arg, 0, 10ULL * 1000000000ULL, &p->settle_ns);
	case 9:
		if (target_load_parse(arg, &p->load)) {
			opts_error(o, "--target-load '%s': idle, busy or fifo", arg);
			return -1;
		}
		return 0;
	case 10:
		p->no_ftrace = true;
		return 0;
	default:
		for (int m = 0; m < FILL_NR_MODES; m++)
			if (!strcmp(arg, fill_mode_names[m])) {
				p->mlock = (enum fill_mode)m;
				return 0;
			}
		opts_error(o, "--mlock '%s': none, onfault, current or cow", arg);
		return -1;
	}
}

static char trigger_help[4096];

static const struct opts_command trigger_command = {
	.name = "trigger",
	.summary = "what the kernel's own remote drains do to an isolated CPU, per trigger (root)",
	.common = OPT_OUTPUT,
	.own = trigger_options,
	.own_help = trigger_help,
	.handle = trigger_option,
};

/* The isolated CPUs, the default targets: 0, or -1 when there are none. */
static int isolated_targets(struct trigger_params *p)
{
	char buf[512] = "";
	struct ubench_opts o = { .cmd = &trigger_command };
	FILE *f = fopen("/sys/devices/system/cpu/isolated", "re");

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		fclose(f);
	}
	if (!buf[0] || buf[0] == '\n')
		return -1;
	return parse_targets(&o, "/sys/devices/system/cpu/isolated", buf, p);
}

int cmd_trigger(int argc, char **argv)
{
	static struct trigger_params p = {
		.count = TRIGGER_DEFAULT_COUNT, .fill_pages = TRIGGER_DEFAULT_FILL_PAGES,
		.hold_ns = TRIGGER_DEFAULT_HOLD_NS, .settle_ns = TRIGGER_DEFAULT_SETTLE_NS,
		.load = TARGET_LOAD_FIFO, .file = TRIGGER_DEFAULT_FILE,
		.cgroup = TRIGGER_DEFAULT_CGROUP,
	};
	static struct trigger_run r;
	struct ubench_opts o = { .ctx = &p };
	size_t off;
	int rc;

	off = (size_t)snprintf(trigger_help, sizeof(trigger_help),
		"  --trigger LIST|all   triggers to fire (default all):\n");
	for (size_t i = 0; i < nr_triggers && off < sizeof(trigger_help); i++)
		off += (size_t)snprintf(trigger_help + off, sizeof(trigger_help) - off,
					"                         %-14s %s\n", triggers[i].name,
					triggers[i].reaches);
	snprintf(trigger_help + off, sizeof(trigger_help) - off,
		 "  --caller CPU         the CPU that fires (default 0)\n"
		 "  --targets LIST       CPUs filled and watched (default: the isolated CPUs)\n"
		 "  --count N            triggers of each kind, a fill before each (default %d)\n"
		 "  --target-load LOAD   fifo (default), busy or idle: what runs on a target between fills\n"
		 "  --file PATH          block-backed pages the targets read (default %s)\n"
		 "  --cgroup DIR         the memory cgroup the run moves into (default %s)\n"
		 "  --fill-pages N       anonymous pages and pages of --file per fill; above 6 they may\n"
		 "                       fill the kernel's LRU batch (15 folios on 6.1), which then empties (default %d)\n"
		 "  --hold TIME          a spinner steps aside when a trigger waits this long (default 200ms)\n"
		 "  --settle TIME        after the trigger, time for unflushed work to run (default 20ms;\n"
		 "                       then until all work queued onto the targets has started, up to 10s)\n"
		 "  --no-ftrace          no function tracer (work items are still counted)\n"
		 "  --mlock MODE         lock the memory the targets fill, as an RT task does: none (default);\n"
		 "                       onfault (mlockall MCL_ONFAULT: faults fill mlock's per-CPU batch);\n"
		 "                       current (mlockall: populated at mmap, the batch drained again);\n"
		 "                       cow (locked, populated, written while a child shares it: COW faults)\n",
		 TRIGGER_DEFAULT_COUNT, TRIGGER_DEFAULT_FILE, TRIGGER_DEFAULT_CGROUP,
		 TRIGGER_DEFAULT_FILL_PAGES);
	for (size_t i = 0; i < nr_triggers; i++)
		p.selected[i] = true;
	rc = opts_parse(&o, &trigger_command, argc, argv);
	if (rc != OPTS_RUN)
		return rc == OPTS_HELP ? EXIT_OK : EXIT_USAGE;
	rc = EXIT_OK;
	if (!p.n_targets && isolated_targets(&p)) {
		run_error("no isolated CPUs (boot with isolcpus=, or scripts/vm --isolate): name the targets with --targets");
		rc = EXIT_USAGE;
	}
	for (unsigned int i = 0; i < p.n_targets && !rc; i++) {
		for (unsigned int j = 0; j < i; j++)
			if (p.targets[j] == p.targets[i])
				rc = EXIT_USAGE;
		if (p.targets[i] == p.caller)
			rc = EXIT_USAGE;
		if (rc)
			run_error("--targets: CPU %u twice, or the caller", p.targets[i]);
	}
	if (!rc) {
		char err[256];

		r.p = &p;
		r.caller_and_targets[0] = p.caller;
		memcpy(&r.caller_and_targets[1], p.targets, p.n_targets * sizeof(p.targets[0]));
		output_init(&r.out, run_meta_get());
		if (output_start(&r.out, o.csv, o.json, err, sizeof(err))) {
			run_error("%s", err);
			rc = EXIT_USAGE;
		} else {
			r.text = !output_uses_stdout(&r.out);
			rc = trigger_measure(&r);
			output_close(&r.out);
		}
	}
	opts_free(&o);
	return rc;
}
