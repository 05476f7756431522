// SPDX-License-Identifier: GPL-2.0
/*
 * qpwbench-torture: the PW-lock-converted paths of a 7.2 -pwlocks kernel
 * under load, CPU hotplug and the debug flavours' checks (issue 22 item 5;
 * scripts/tests/vm-torture runs it in a guest). Root, no module needed.
 *
 *   qpwbench-torture run [--seconds S] [--round-ms MS] [--pages N]
 *                        [--fds N] [--hotplug CPUS|none] [--file PATH]
 *                        [--self-test phantom|leak]
 *   qpwbench-torture check --since-us US PFNS TRACE...
 *
 * run, in rounds of --round-ms (guest clock) until --seconds have passed:
 *   adders    one thread per CPU, pinned there at each round's start (a CPU
 *             offline then sits the round out): write-faults anonymous
 *             pages one by one (each a folio into that CPU's lru_add batch,
 *             its PFN from /proc/self/pagemap) and, every 8 pages, adds
 *             --fds eventfds to an epoll set and removes them (one
 *             eventpoll_pwq slab object allocated and freed per fd, on
 *             that CPU: the freed objects go to its SLUB sheaves), and
 *             reads a page of --file (a page cache folio for fadvise).
 *   drainer   one unpinned thread, nonstop: drop_caches (lru_add_drain_all:
 *             every CPU's folio and mlock batches, inline with pwlocks=1),
 *             /sys/kernel/slab/{eventpoll_pwq,filp}/shrink (flush_all: every
 *             CPU's sheaves; eventpoll_pwq only while the adders run),
 *             POSIX_FADV_DONTNEED on --file (lru_add_drain_all when a folio
 *             sits in a batch).
 *   mlocker   one thread that hops over the online CPUs: 32 anonymous pages
 *             mlocked on fault (mlock's per-CPU batch), then unmapped.
 *   hotplug   one thread that takes each --hotplug CPU offline and back
 *             online, with 0-20 ms between, nonstop (each transition under
 *             a mutex that the round's check holds).
 * At the end of a round the adders churn the slab cache once more (no
 * drainer's shrink of it can follow, so the check's own shrink has objects
 * in sheaves to bring back) and stop; the main thread takes the hotplug
 * mutex (no CPU half way through a transition, whose dead-CPU drain has yet
 * to run), drains once more (drop_caches), and checks:
 *   folios    every page an adder faulted this round was moved from a
 *             per-CPU batch to the LRU exactly once: one
 *             pagemap:mm_lru_insertion event with its PFN, stamped (trace
 *             clock mono) after the round began, over all CPUs' buffers
 *             (none may have lost events); the pages are still mapped, so
 *             no PFN changed hands meanwhile. Migration and compaction
 *             would move a folio (a second event): the 7.2 configs have no
 *             NUMA balancing, proactive compaction is set to 0, and memory
 *             is far from any watermark, so neither reclaim nor kcompactd
 *             runs. The events also say who moved each folio: counted as
 *             remote when not the faulting CPU, and split into the
 *             drainer's (inline drains), the hotplug thread's (the dead
 *             CPU's batches, page_alloc_cpu_dead()), the main thread's and
 *             anyone else's.
 *   slab      after /sys/kernel/slab/eventpoll_pwq/shrink, the cache's
 *             in-use objects (SLUB's counters, CONFIG_SLUB_DEBUG: slabs'
 *             objects less their free ones; objects in sheaves count as in
 *             use) are back to 0, as at the start: every object the adders
 *             freed into a sheaf reached its slab, none twice (the cache
 *             must be unmerged, slab_nomerge, with no other user). Rounds
 *             where, after an adder's last churn had freed all its
 *             objects, the cache still had objects in use (in sheaves)
 *             are counted (slab_rounds_held), and apart those where they
 *             were still there at the check's shrink (slab_check_held:
 *             most rounds on RT, few on !RT, where something empties the
 *             sheaves in between).
 * Then the adders unmap their pages and the next round begins. A failed
 * check ends the run (exit 1). The closing line, "qpwbench-torture: PASS
 * key=value...", counts rounds, folios, drains, fills, hotplug cycles and
 * slab objects. --self-test makes the first round's check fail on purpose,
 * to show it can on this kernel: phantom counts a page no one faulted (PFN
 * 1) among the round's (0 insertions), leak holds one eventpoll_pwq object
 * over the slab check (1 object left after the shrink).
 *
 * check: the folio check alone, on files: PFNS holds "0xPFN CPU" lines
 * (the pages and the CPU that faulted each), each TRACE a tracefs trace
 * text; exit 0 when each PFN has exactly one insertion at or after US
 * microseconds, 1 otherwise (the unit test feeds it bad traces).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "tracefs.h"

#define TRACING "/sys/kernel/tracing"
#define SLAB_CACHE "/sys/kernel/slab/eventpoll_pwq"
#define MAX_CPUS 64
#define MAX_PAGES 2048		/* per adder per round */
#define MAX_FDS 256
#define MLOCK_PAGES 32
#define MLOCK_ONFAULT_FLAG 1	/* MLOCK_ONFAULT of <linux/mman.h> */

struct page_rec {
	unsigned long long pfn;
	int fault_cpu;		/* the CPU that faulted it */
	int insert_cpu;		/* the CPU of its first insertion event */
	int insert_tid;		/* the task that did it */
	unsigned int count;	/* insertion events */
};

/* Folio check results. */
struct conserve {
	size_t missing, duplicated, remote;
	unsigned long lines;	/* insertion events read (any PFN, any time) */
	/*
	 * Of the remote insertions (by a CPU other than the faulting one),
	 * those by the drainer thread (an inline drain: drop_caches, fadvise),
	 * by the hotplug thread (the dead CPU's batches, page_alloc_cpu_dead()),
	 * by the main thread (the round's last drain), by anyone else.
	 */
	size_t by_drainer, by_hotplug, by_main, by_other;
};

/* The run's threads that drain, to tell who moved a folio (0: none). */
static int drainer_tid, hotplug_tid, main_tid;

static int cmp_pfn(const void *a, const void *b)
{
	const struct page_rec *x = a, *y = b;

	return x->pfn < y->pfn ? -1 : x->pfn > y->pfn;
}

/*
 * Count @f's mm_lru_insertion events at or after @since_us whose pfn is in
 * @recs (sorted by pfn). Line: "comm-pid [CPU] flags SECS.USECS:
 * mm_lru_insertion: folio=... pfn=0x... lru=... flags=...".
 */
static void scan_trace(FILE *f, unsigned long long since_us, struct page_rec *recs, size_t n,
		       unsigned long *lines)
{
	static const char tag[] = ": mm_lru_insertion: ";
	char line[1024];

	while (fgets(line, sizeof(line), f)) {
		unsigned long long us, pfn;
		const char *q, *p = tracefs_event_line(line, tag, &us, &q), *b, *digits;
		struct page_rec key, *r;
		int cpu, tid = -1;

		if (!p)
			continue;
		(*lines)++;
		if (us < since_us)
			continue;
		cpu = tracefs_line_cpu(line, q, &b);
		/* The task: "comm-TID" before the CPU field. */
		while (b > line && b[-1] == ' ')
			b--;
		digits = b;
		while (b > line && b[-1] >= '0' && b[-1] <= '9')
			b--;
		if (b < digits && b > line && b[-1] == '-')
			tid = atoi(b);
		q = strstr(p, " pfn=0x");
		if (!q)
			continue;
		pfn = strtoull(q + strlen(" pfn=0x"), NULL, 16);
		key.pfn = pfn;
		r = bsearch(&key, recs, n, sizeof(*recs), cmp_pfn);
		if (!r)
			continue;
		if (!r->count++) {
			r->insert_cpu = cpu;
			r->insert_tid = tid;
		}
	}
}

/* Tally @recs after the scans; print up to 10 offenders. */
static void tally(struct page_rec *recs, size_t n, struct conserve *c)
{
	unsigned int shown = 0;

	for (size_t i = 0; i < n; i++) {
		const struct page_rec *r = &recs[i];

		if (r->count == 1) {
			if (r->insert_cpu == r->fault_cpu)
				continue;
			c->remote++;
			if (r->insert_tid == drainer_tid && drainer_tid)
				c->by_drainer++;
			else if (r->insert_tid == hotplug_tid && hotplug_tid)
				c->by_hotplug++;
			else if (r->insert_tid == main_tid && main_tid)
				c->by_main++;
			else
				c->by_other++;
			continue;
		}
		if (r->count == 0)
			c->missing++;
		else
			c->duplicated++;
		if (shown++ < 10)
			printf("qpwbench-torture: pfn 0x%llx (faulted on CPU %d): %u insertions, want 1%s\n",
			       r->pfn, r->fault_cpu, r->count,
			       r->count ? "" : " (still in a per-CPU batch, or lost)");
	}
}

/* Two of our pages on one PFN: the pagemap read is wrong, not the kernel. */
static int unique_pfns(const struct page_rec *recs, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (recs[i].pfn == recs[i - 1].pfn) {
			fprintf(stderr, "qpwbench-torture: pfn 0x%llx listed twice\n", recs[i].pfn);
			return -1;
		}
	return 0;
}

static int cmd_check(int argc, char **argv)
{
	unsigned long long since_us = 0;
	struct page_rec *recs = NULL;
	struct conserve c = { 0 };
	size_t n = 0, cap = 0;
	char *end;
	FILE *f;

	if (argc < 5 || strcmp(argv[1], "--since-us")) {
		fprintf(stderr, "usage: qpwbench-torture check --since-us US PFNS TRACE...\n");
		return 2;
	}
	since_us = strtoull(argv[2], &end, 10);
	if (*end || end == argv[2]) {
		fprintf(stderr, "qpwbench-torture: --since-us takes microseconds, not '%s'\n", argv[2]);
		return 2;
	}
	f = fopen(argv[3], "re");
	if (!f) {
		fprintf(stderr, "qpwbench-torture: cannot read %s: %s\n", argv[3], strerror(errno));
		return 2;
	}
	for (;;) {
		unsigned long long pfn;
		int cpu, got = fscanf(f, "%llx %d", &pfn, &cpu);

		if (got == EOF)
			break;
		if (got != 2) {
			fprintf(stderr, "qpwbench-torture: %s: want '0xPFN CPU' lines\n", argv[3]);
			fclose(f);
			free(recs);
			return 2;
		}
		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			recs = realloc(recs, cap * sizeof(*recs));
			if (!recs) {
				fclose(f);
				return 2;
			}
		}
		recs[n++] = (struct page_rec){ .pfn = pfn, .fault_cpu = cpu, .insert_cpu = -1 };
	}
	fclose(f);
	if (!n) {
		fprintf(stderr, "qpwbench-torture: %s lists no page\n", argv[3]);
		return 2;
	}
	qsort(recs, n, sizeof(*recs), cmp_pfn);
	if (unique_pfns(recs, n)) {
		free(recs);
		return 2;
	}
	for (int i = 4; i < argc; i++) {
		f = fopen(argv[i], "re");
		if (!f) {
			fprintf(stderr, "qpwbench-torture: cannot read %s: %s\n", argv[i], strerror(errno));
			free(recs);
			return 2;
		}
		scan_trace(f, since_us, recs, n, &c.lines);
		fclose(f);
	}
	tally(recs, n, &c);
	printf("qpwbench-torture: %s folios %zu missing %zu duplicated %zu remote %zu events %lu\n",
	       c.missing || c.duplicated ? "FAIL" : "PASS", n, c.missing, c.duplicated, c.remote,
	       c.lines);
	free(recs);
	return c.missing || c.duplicated ? 1 : 0;
}

/* ---- run ---- */

static struct {
	int ncpus;
	long page_size;
	unsigned int round_ms, pages, fds;
	bool hotplug[MAX_CPUS];
	int file_fd;
	off_t file_pages;
	atomic_bool stop;		/* background threads end */
	atomic_bool round_end;		/* adders stop faulting */
	bool quit;			/* adders end (read after a barrier) */
	pthread_barrier_t start, done, release;
	pthread_mutex_t hotplug_lock;
	/* Held by the drainer over a shrink of eventpoll_pwq, which it does only mid-round. */
	pthread_mutex_t pwq_lock;
	atomic_ulong drop_caches, slab_shrinks, fadvises, mlock_fills, offlines, onlines;
	atomic_ulong slab_objects, drain_errors, hotplug_errors;
	/* --self-test: make a check fail on purpose (0 none, 1 phantom, 2 leak). */
	int self_test;
} g;

struct adder {
	pthread_t thread;
	int cpu;
	int epfd, fds[MAX_FDS];
	char *mem;
	size_t npages;
	long held;		/* eventpoll_pwq's objects after its last churn */
	struct page_rec recs[MAX_PAGES];
	char err[256];
};

static struct adder *adders;

static int kwrite(const char *path, const char *text, int flags)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC | flags), e;
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	e = errno;
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : n < 0 ? -e : -EIO;
}

static int pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

static void unpin(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	for (int c = 0; c < g.ncpus; c++)
		CPU_SET(c, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* One add and one removal of each fd: an eventpoll_pwq alloc and free per fd. */
static int slab_churn(struct adder *a)
{
	struct epoll_event ev = { .events = EPOLLIN };

	for (unsigned int i = 0; i < g.fds; i++)
		if (epoll_ctl(a->epfd, EPOLL_CTL_ADD, a->fds[i], &ev))
			return -errno;
	for (unsigned int i = 0; i < g.fds; i++)
		if (epoll_ctl(a->epfd, EPOLL_CTL_DEL, a->fds[i], NULL))
			return -errno;
	atomic_fetch_add(&g.slab_objects, g.fds);
	return 0;
}

/* The PFNs of the adder's faulted pages, from /proc/self/pagemap. */
static int read_pfns(struct adder *a)
{
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	uint64_t e[MAX_PAGES];
	size_t len = a->npages * sizeof(e[0]);
	off_t off = (off_t)((uintptr_t)a->mem / (uintptr_t)g.page_size * sizeof(e[0]));

	if (fd < 0)
		return -errno;
	if (pread(fd, e, len, off) != (ssize_t)len) {
		close(fd);
		return -EIO;
	}
	close(fd);
	for (size_t i = 0; i < a->npages; i++) {
		/* Bit 63 present, bits 0-54 the PFN (zero without CAP_SYS_ADMIN). */
		if (!(e[i] >> 63) || !(e[i] & ((1ULL << 55) - 1)))
			return -ENODATA;
		a->recs[i].pfn = e[i] & ((1ULL << 55) - 1);
	}
	return 0;
}

static long slab_objects(void);

static int adder_round(struct adder *a, unsigned int round)
{
	int ret;

	a->npages = 0;
	a->held = 0;
	if (pin(a->cpu))
		return 0;	/* offline: this round without us */
	a->mem = mmap(NULL, (size_t)g.pages * (size_t)g.page_size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a->mem == MAP_FAILED) {
		a->mem = NULL;
		return -errno;
	}
	madvise(a->mem, (size_t)g.pages * (size_t)g.page_size, MADV_NOHUGEPAGE);
	while (a->npages < g.pages && !atomic_load(&g.round_end)) {
		size_t i = a->npages;

		a->mem[i * (size_t)g.page_size] = 1;
		a->recs[i] = (struct page_rec){ .fault_cpu = sched_getcpu(), .insert_cpu = -1 };
		a->npages++;
		if (i % 8 == 0) {
			char buf[64];
			off_t page = (off_t)(((unsigned long)a->cpu * 131 + round * 17 + i) %
					     (unsigned long)g.file_pages);

			ret = slab_churn(a);
			if (ret)
				return ret;
			if (pread(g.file_fd, buf, sizeof(buf), page * g.page_size) < 0)
				return -errno;
		}
	}
	/*
	 * A last churn once no drainer's shrink of the cache can follow: its
	 * frees stay in this CPU's sheaf (or reach the slab through the dead-CPU
	 * flush) for the round's check to count before and after its shrink.
	 */
	pthread_mutex_lock(&g.pwq_lock);
	pthread_mutex_unlock(&g.pwq_lock);
	ret = slab_churn(a);
	if (ret)
		return ret;
	/* All of its objects freed: those still in use sit in sheaves. */
	a->held = slab_objects();
	ret = read_pfns(a);
	/* Not pinned between rounds: a CPU going offline then moves no one. */
	unpin();
	return ret;
}

static void *adder_main(void *arg)
{
	struct adder *a = arg;

	for (unsigned int round = 0;; round++) {
		int ret;

		pthread_barrier_wait(&g.start);
		if (g.quit)
			break;
		ret = adder_round(a, round);
		if (ret && !a->err[0])
			snprintf(a->err, sizeof(a->err), "CPU %d's adder: %s", a->cpu, strerror(-ret));
		pthread_barrier_wait(&g.done);
		pthread_barrier_wait(&g.release);
		if (a->mem)
			munmap(a->mem, (size_t)g.pages * (size_t)g.page_size);
		a->mem = NULL;
		a->npages = 0;
	}
	return NULL;
}

static void *drainer_main(void *arg)
{
	(void)arg;
	drainer_tid = (int)syscall(SYS_gettid);
	for (unsigned long i = 0; !atomic_load(&g.stop); i++) {
		int ret = 0;

		switch (i % 4) {
		case 0:
			ret = kwrite("/proc/sys/vm/drop_caches", "1", 0);
			if (!ret)
				atomic_fetch_add(&g.drop_caches, 1);
			break;
		case 1:
			/*
			 * eventpoll_pwq's sheaves while the adders churn it;
			 * after the round, the check's shrink flushes them.
			 */
			pthread_mutex_lock(&g.pwq_lock);
			if (!atomic_load(&g.round_end))
				ret = kwrite(SLAB_CACHE "/shrink", "1", 0);
			pthread_mutex_unlock(&g.pwq_lock);
			if (!ret)
				ret = kwrite("/sys/kernel/slab/filp/shrink", "1", 0);
			if (!ret)
				atomic_fetch_add(&g.slab_shrinks, 1);
			break;
		case 2:
			ret = -posix_fadvise(g.file_fd, 0, 0, POSIX_FADV_DONTNEED);
			if (!ret)
				atomic_fetch_add(&g.fadvises, 1);
			break;
		default:
			usleep(1000);
		}
		if (ret)
			atomic_fetch_add(&g.drain_errors, 1);
	}
	return NULL;
}

static void *mlocker_main(void *arg)
{
	size_t len = MLOCK_PAGES * (size_t)g.page_size;

	(void)arg;
	for (int cpu = 0; !atomic_load(&g.stop); cpu = (cpu + 1) % g.ncpus) {
		char *m;

		if (pin(cpu))
			continue;
		m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			continue;
		if (syscall(SYS_mlock2, m, len, MLOCK_ONFAULT_FLAG) == 0) {
			for (size_t i = 0; i < MLOCK_PAGES; i++)
				m[i * (size_t)g.page_size] = 1;
			atomic_fetch_add(&g.mlock_fills, 1);
		}
		munmap(m, len);
		unpin();
		usleep(2000);
	}
	return NULL;
}

static int set_online(int cpu, int on)
{
	char path[96];
	int ret;

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online", cpu);
	pthread_mutex_lock(&g.hotplug_lock);
	ret = kwrite(path, on ? "1" : "0", 0);
	pthread_mutex_unlock(&g.hotplug_lock);
	if (!ret)
		atomic_fetch_add(on ? &g.onlines : &g.offlines, 1);
	else
		atomic_fetch_add(&g.hotplug_errors, 1);
	return ret;
}

static void *hotplug_main(void *arg)
{
	unsigned int seed = 1;

	(void)arg;
	hotplug_tid = (int)syscall(SYS_gettid);
	while (!atomic_load(&g.stop)) {
		bool any = false;

		for (int cpu = 0; cpu < g.ncpus && !atomic_load(&g.stop); cpu++) {
			if (!g.hotplug[cpu])
				continue;
			any = true;
			if (set_online(cpu, 0))
				continue;
			usleep((useconds_t)(rand_r(&seed) % 20000));
			/* Back online whatever happens: a CPU left offline is a failure. */
			while (set_online(cpu, 1) && !atomic_load(&g.stop))
				usleep(10000);
			usleep((useconds_t)(rand_r(&seed) % 20000));
		}
		if (!any)
			break;
	}
	return NULL;
}

/* SLUB's in-use objects of the cache: the first number of its objects file. */
static long slab_objects(void)
{
	FILE *f = fopen(SLAB_CACHE "/objects", "re");
	long n = -1;

	if (f) {
		if (fscanf(f, "%ld", &n) != 1)
			n = -1;
		fclose(f);
	}
	return n;
}

/* Events lost by CPU cpu's trace buffer (overruns and drops). */
static long trace_lost(int cpu)
{
	char path[96], line[128];
	long lost = 0, v;
	FILE *f;

	snprintf(path, sizeof(path), TRACING "/per_cpu/cpu%d/stats", cpu);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "overrun: %ld", &v) == 1 || sscanf(line, "dropped events: %ld", &v) == 1)
			lost += v;
	fclose(f);
	return lost;
}

/* We enabled mm_lru_insertion (and disable it at the end). */
static bool lru_event_ours;

/*
 * Each enable or disable of a tracepoint patches kernel text while the other
 * CPUs run it, which TCG has been seen to get wrong (a guest's "Oops: int3"
 * in __schedule()'s sched_switch tracepoint, patched when enabling an event
 * starts the tracer's comm recording): no comm recording (record-cmd 0; the
 * task's TID is all the check reads), and an event already enabled (as
 * scripts/tests/vm-torture does once, on a quiet guest) is left alone.
 */
static int tracing_setup(void)
{
	static const char *const steps[][2] = {
		{ TRACING "/tracing_on", "0" },
		{ TRACING "/current_tracer", "nop" },
		{ TRACING "/options/record-cmd", "0" },
		{ TRACING "/trace_clock", "mono" },
		{ TRACING "/buffer_size_kb", "8192" },
		{ TRACING "/tracing_on", "1" },
	};
	char on = '0';
	int fd = open(TRACING "/events/pagemap/mm_lru_insertion/enable", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (read(fd, &on, 1) != 1)
			on = '0';
		close(fd);
	}
	if (on != '1') {
		int ret = kwrite(TRACING "/events/pagemap/mm_lru_insertion/enable", "1", 0);

		if (ret) {
			fprintf(stderr, "qpwbench-torture: cannot enable pagemap:mm_lru_insertion: %s\n",
				strerror(-ret));
			return -1;
		}
		lru_event_ours = true;
	}

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		int ret = kwrite(steps[i][0], steps[i][1], 0);

		if (ret) {
			fprintf(stderr, "qpwbench-torture: writing %s to %s: %s\n", steps[i][1],
				steps[i][0], strerror(-ret));
			return -1;
		}
	}
	return 0;
}

static void tracing_clear(void)
{
	char path[96];

	for (int cpu = 0; cpu < g.ncpus; cpu++) {
		snprintf(path, sizeof(path), TRACING "/per_cpu/cpu%d/trace", cpu);
		kwrite(path, "", O_TRUNC);
	}
}

/* A round's check (hotplug lock held): 0, or -1 with the reason printed. */
static int check_round(unsigned int round, unsigned long long t0, size_t *folios,
		       struct conserve *sum, unsigned long *slab_held, unsigned long *check_held)
{
	struct page_rec *recs;
	struct conserve c = { 0 };
	size_t n = 0;
	long objects;
	int ret;

	for (int i = 0; i < g.ncpus; i++)
		n += adders[i].npages;
	recs = malloc((n + 1) * sizeof(*recs));
	if (!recs)
		return -1;
	n = 0;
	for (int i = 0; i < g.ncpus; i++) {
		memcpy(recs + n, adders[i].recs, adders[i].npages * sizeof(*recs));
		n += adders[i].npages;
	}
	/* phantom: a page no one faulted (PFN 1, firmware's), counted as ours. */
	if (g.self_test == 1)
		recs[n++] = (struct page_rec){ .pfn = 1, .fault_cpu = -1, .insert_cpu = -1 };
	qsort(recs, n, sizeof(*recs), cmp_pfn);
	if (unique_pfns(recs, n)) {
		free(recs);
		return -1;
	}
	for (int cpu = 0; cpu < g.ncpus; cpu++) {
		char path[96];
		long lost = trace_lost(cpu);
		FILE *f;

		if (lost) {
			printf("qpwbench-torture: FAIL round %u: CPU %d's trace buffer lost %ld events (or its stats are unreadable): the count cannot be trusted\n",
			       round, cpu, lost);
			free(recs);
			return -1;
		}
		snprintf(path, sizeof(path), TRACING "/per_cpu/cpu%d/trace", cpu);
		f = fopen(path, "re");
		if (!f) {
			printf("qpwbench-torture: FAIL round %u: cannot read %s: %s\n", round, path,
			       strerror(errno));
			free(recs);
			return -1;
		}
		scan_trace(f, t0 / 1000, recs, n, &c.lines);
		fclose(f);
	}
	tally(recs, n, &c);
	free(recs);
	*folios += n;
	sum->remote += c.remote;
	sum->by_drainer += c.by_drainer;
	sum->by_hotplug += c.by_hotplug;
	sum->by_main += c.by_main;
	sum->by_other += c.by_other;
	if (c.missing || c.duplicated) {
		printf("qpwbench-torture: FAIL round %u: %zu folios, %zu never reached the LRU, %zu reached it more than once\n",
		       round, n, c.missing, c.duplicated);
		return -1;
	}
	/* leak: one eventpoll_pwq held over the check (freed at exit). */
	if (g.self_test == 2) {
		struct epoll_event ev = { .events = EPOLLIN };
		int ep = epoll_create1(EPOLL_CLOEXEC), fd = eventfd(0, EFD_CLOEXEC);

		if (ep < 0 || fd < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev))
			return printf("qpwbench-torture: --self-test leak: %s\n", strerror(errno)), -1;
	}
	/* The adders hold no eventpoll_pwq now: all of theirs go back. */
	objects = slab_objects();
	if (objects < 0)
		return printf("qpwbench-torture: FAIL: cannot read " SLAB_CACHE "/objects\n"), -1;
	if (objects > 0)
		(*check_held)++;
	for (int i = 0; i < g.ncpus; i++)
		if (adders[i].held > 0) {
			(*slab_held)++;
			break;
		}
	ret = kwrite(SLAB_CACHE "/shrink", "1", 0);
	objects = slab_objects();
	if (ret || objects != 0) {
		printf("qpwbench-torture: FAIL round %u: eventpoll_pwq holds %ld objects after a shrink, want 0 (%s)\n",
		       round, objects, ret ? strerror(-ret) : "freed objects lost or freed twice");
		return -1;
	}
	return 0;
}

static int parse_cpus(const char *s, bool *set)
{
	char *end;

	memset(set, 0, MAX_CPUS * sizeof(*set));
	if (!strcmp(s, "none"))
		return 0;
	while (*s) {
		long lo = strtol(s, &end, 10), hi = lo;

		if (end == s)
			return -1;
		if (*end == '-') {
			s = end + 1;
			hi = strtol(s, &end, 10);
			if (end == s)
				return -1;
		}
		if (lo < 1 || hi < lo || hi >= MAX_CPUS)
			return -1;
		for (long c = lo; c <= hi; c++)
			set[c] = true;
		s = end;
		if (*s == ',')
			s++;
		else if (*s)
			return -1;
	}
	return 0;
}

static int uint_arg(const char *name, const char *s, unsigned int lo, unsigned int hi,
		    unsigned int *v)
{
	char *end;
	unsigned long x = strtoul(s, &end, 10);

	if (end == s || *end || x < lo || x > hi) {
		fprintf(stderr, "qpwbench-torture: %s takes a whole number from %u to %u, not '%s'\n",
			name, lo, hi, s);
		return -1;
	}
	*v = (unsigned int)x;
	return 0;
}

static int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seconds", required_argument, NULL, 's' },
		{ "round-ms", required_argument, NULL, 'r' },
		{ "pages", required_argument, NULL, 'p' },
		{ "fds", required_argument, NULL, 'f' },
		{ "hotplug", required_argument, NULL, 'h' },
		{ "file", required_argument, NULL, 'F' },
		{ "self-test", required_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 },
	};
	const char *file = "/dev/ram0", *hotplug = NULL;
	unsigned int seconds = 60, round = 0;
	unsigned long long start, t0;
	size_t folios = 0;
	struct conserve sum = { 0 };
	unsigned long slab_held = 0, check_held = 0;
	long mid, slab_mid_max = 0;
	pthread_t drainer, mlocker, hotplugger;
	struct stat st;
	int opt, failed = 0;
	off_t size;

	g.round_ms = 500;
	g.pages = 256;
	g.fds = 16;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			if (uint_arg("--seconds", optarg, 1, 86400, &seconds))
				return 2;
			break;
		case 'r':
			if (uint_arg("--round-ms", optarg, 10, 60000, &g.round_ms))
				return 2;
			break;
		case 'p':
			if (uint_arg("--pages", optarg, 1, MAX_PAGES, &g.pages))
				return 2;
			break;
		case 'f':
			if (uint_arg("--fds", optarg, 1, MAX_FDS, &g.fds))
				return 2;
			break;
		case 'h':
			hotplug = optarg;
			break;
		case 'F':
			file = optarg;
			break;
		case 'T':
			if (!strcmp(optarg, "phantom")) {
				g.self_test = 1;
			} else if (!strcmp(optarg, "leak")) {
				g.self_test = 2;
			} else {
				fprintf(stderr, "qpwbench-torture: --self-test takes phantom or leak, not '%s'\n", optarg);
				return 2;
			}
			break;
		default:
			fprintf(stderr, "usage: qpwbench-torture run [--seconds S] [--round-ms MS] [--pages N] [--fds N] [--hotplug CPUS|none] [--file PATH] [--self-test phantom|leak]\n");
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "qpwbench-torture: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	g.page_size = sysconf(_SC_PAGESIZE);
	g.ncpus = (int)sysconf(_SC_NPROCESSORS_CONF);
	if (g.ncpus < 2 || g.ncpus > MAX_CPUS) {
		fprintf(stderr, "qpwbench-torture: needs 2 to %d CPUs, not %d\n", MAX_CPUS, g.ncpus);
		return 2;
	}
	if (hotplug) {
		if (parse_cpus(hotplug, g.hotplug)) {
			fprintf(stderr, "qpwbench-torture: --hotplug takes CPUs from 1 (e.g. 1-2) or none, not '%s'\n",
				hotplug);
			return 2;
		}
	} else {
		for (int c = 1; c < g.ncpus; c++)
			g.hotplug[c] = true;
	}
	for (int c = 0; c < MAX_CPUS; c++) {
		char path[96];

		if (!g.hotplug[c])
			continue;
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online", c);
		if (c >= g.ncpus || access(path, W_OK)) {
			fprintf(stderr, "qpwbench-torture: CPU %d cannot be taken offline here (%s)\n", c, path);
			return 2;
		}
	}
	g.file_fd = open(file, O_RDONLY | O_CLOEXEC);
	if (g.file_fd < 0 || fstat(g.file_fd, &st)) {
		fprintf(stderr, "qpwbench-torture: cannot open %s: %s\n", file, strerror(errno));
		return 2;
	}
	size = lseek(g.file_fd, 0, SEEK_END);
	g.file_pages = size / g.page_size;
	if (g.file_pages < 1) {
		fprintf(stderr, "qpwbench-torture: %s has no whole page\n", file);
		return 2;
	}
	if (lstat(SLAB_CACHE, &st) || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "qpwbench-torture: " SLAB_CACHE " is not a cache of its own (merged with others: boot with slab_nomerge)\n");
		return 2;
	}
	/* drop_caches says so in the kernel log at every write until told 4 once. */
	kwrite("/proc/sys/vm/drop_caches", "4", 0);
	/* No proactive compaction: it would move the pages whose folios we count. */
	kwrite("/proc/sys/vm/compaction_proactiveness", "0", 0);
	if (tracing_setup())
		return 2;
	kwrite(SLAB_CACHE "/shrink", "1", 0);
	if (slab_objects() != 0) {
		fprintf(stderr, "qpwbench-torture: eventpoll_pwq holds %ld objects before the run (another epoll user?)\n",
			slab_objects());
		return 2;
	}

	adders = calloc((size_t)g.ncpus, sizeof(*adders));
	if (!adders)
		return 2;
	pthread_barrier_init(&g.start, NULL, (unsigned int)g.ncpus + 1);
	pthread_barrier_init(&g.done, NULL, (unsigned int)g.ncpus + 1);
	pthread_barrier_init(&g.release, NULL, (unsigned int)g.ncpus + 1);
	pthread_mutex_init(&g.hotplug_lock, NULL);
	pthread_mutex_init(&g.pwq_lock, NULL);
	for (int i = 0; i < g.ncpus; i++) {
		struct adder *a = &adders[i];

		a->cpu = i;
		a->epfd = epoll_create1(EPOLL_CLOEXEC);
		for (unsigned int j = 0; j < g.fds; j++)
			a->fds[j] = eventfd(0, EFD_CLOEXEC);
		if (a->epfd < 0 || a->fds[g.fds - 1] < 0) {
			fprintf(stderr, "qpwbench-torture: epoll or eventfd: %s\n", strerror(errno));
			return 2;
		}
		pthread_create(&a->thread, NULL, adder_main, a);
	}
	pthread_create(&drainer, NULL, drainer_main, NULL);
	pthread_create(&mlocker, NULL, mlocker_main, NULL);
	pthread_create(&hotplugger, NULL, hotplug_main, NULL);

	main_tid = (int)syscall(SYS_gettid);
	start = tracefs_mono_ns();
	for (round = 0; !failed && (round == 0 || tracefs_mono_ns() - start < seconds * 1000000000ULL); round++) {
		t0 = tracefs_mono_ns();
		atomic_store(&g.round_end, false);
		pthread_barrier_wait(&g.start);
		usleep(g.round_ms * 500);
		mid = slab_objects();
		if (mid > slab_mid_max)
			slab_mid_max = mid;
		usleep(g.round_ms * 500);
		atomic_store(&g.round_end, true);
		pthread_barrier_wait(&g.done);
		for (int i = 0; i < g.ncpus; i++)
			if (adders[i].err[0]) {
				printf("qpwbench-torture: FAIL round %u: %s\n", round, adders[i].err);
				failed = 1;
			}
		pthread_mutex_lock(&g.hotplug_lock);
		/* The last drain, with no CPU half way through hotplug. */
		if (!failed && kwrite("/proc/sys/vm/drop_caches", "1", 0)) {
			printf("qpwbench-torture: FAIL: drop_caches: %s\n", strerror(errno));
			failed = 1;
		}
		if (!failed && check_round(round, t0, &folios, &sum, &slab_held, &check_held))
			failed = 1;
		pthread_mutex_unlock(&g.hotplug_lock);
		tracing_clear();
		pthread_barrier_wait(&g.release);
	}
	g.quit = true;
	pthread_barrier_wait(&g.start);
	atomic_store(&g.stop, true);
	pthread_join(hotplugger, NULL);
	pthread_join(drainer, NULL);
	pthread_join(mlocker, NULL);
	for (int i = 0; i < g.ncpus; i++) {
		pthread_join(adders[i].thread, NULL);
		for (unsigned int j = 0; j < g.fds; j++)
			close(adders[i].fds[j]);
		close(adders[i].epfd);
	}
	unpin();
	/* Every hotplug CPU back online, as the run found it. */
	for (int c = 0; c < g.ncpus; c++) {
		char path[96], state = '?';
		int fd;

		if (!g.hotplug[c])
			continue;
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online", c);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			if (read(fd, &state, 1) != 1)
				state = '?';
			close(fd);
		}
		if (state != '1') {
			printf("qpwbench-torture: FAIL: CPU %d is not online after the run\n", c);
			failed = 1;
		}
	}
	if (lru_event_ours)
		kwrite(TRACING "/events/pagemap/mm_lru_insertion/enable", "0", 0);
	printf("qpwbench-torture: %s rounds=%u seconds=%.1f folios=%zu remote_inserted=%zu by_drainer=%zu by_hotplug=%zu by_main=%zu by_other=%zu drop_caches=%lu slab_shrinks=%lu fadvises=%lu final_drains=%u mlock_fills=%lu offlines=%lu onlines=%lu hotplug_errors=%lu drain_errors=%lu slab_objects=%lu slab_rounds_held=%lu slab_check_held=%lu slab_mid_max=%ld\n",
	       failed ? "FAIL" : "PASS", round, (double)(tracefs_mono_ns() - start) / 1e9, folios, sum.remote,
	       sum.by_drainer, sum.by_hotplug, sum.by_main, sum.by_other,
	       atomic_load(&g.drop_caches), atomic_load(&g.slab_shrinks), atomic_load(&g.fadvises),
	       round, atomic_load(&g.mlock_fills), atomic_load(&g.offlines), atomic_load(&g.onlines),
	       atomic_load(&g.hotplug_errors), atomic_load(&g.drain_errors),
	       atomic_load(&g.slab_objects), slab_held, check_held, slab_mid_max);
	return failed;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "check"))
		return cmd_check(argc - 1, argv + 1);
	fprintf(stderr, "usage: qpwbench-torture run [OPTIONS] | check --since-us US PFNS TRACE...\n");
	return 2;
}
