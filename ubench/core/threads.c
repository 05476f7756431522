// SPDX-License-Identifier: GPL-2.0
/* Harness threads: hwloc pinning, SCHED_FIFO, start barrier, group runner. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hwloc.h>

#include "relax.h"
#include "threads.h"

/* Spins before a barrier waiter starts yielding its CPU. */
#define BARRIER_SPINS_BEFORE_YIELD	(1u << 16)

static hwloc_topology_t topology;
static int topology_rc;
static pthread_once_t topology_once = PTHREAD_ONCE_INIT;

/* This machine's topology, for binding only (never a --topology-file). */
static void topology_load(void)
{
	if (hwloc_topology_init(&topology) || hwloc_topology_load(topology))
		topology_rc = errno ? -errno : -EIO;
}

int pin_self(unsigned int cpu, char *err, size_t errlen)
{
	hwloc_bitmap_t set;
	int rc = 0;

	pthread_once(&topology_once, topology_load);
	if (topology_rc) {
		snprintf(err, errlen, "hwloc cannot load this machine's topology: %s", strerror(-topology_rc));
		return topology_rc;
	}
	set = hwloc_bitmap_alloc();
	if (!set) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	hwloc_bitmap_only(set, cpu);
	if (hwloc_set_cpubind(topology, set, HWLOC_CPUBIND_THREAD | HWLOC_CPUBIND_STRICT)) {
		rc = errno ? -errno : -EINVAL;
		snprintf(err, errlen, "cannot pin a thread on CPU %u: %s", cpu, strerror(-rc));
	}
	hwloc_bitmap_free(set);
	return rc;
}

int sched_fifo_self(int prio, char *err, size_t errlen)
{
	struct sched_param p = { .sched_priority = prio };
	int rc = pthread_setschedparam(pthread_self(), SCHED_FIFO, &p);

	if (rc == EPERM) {
		snprintf(err, errlen,
			 "SCHED_FIFO priority %d refused (EPERM): run as root, or with CAP_SYS_NICE, or with RLIMIT_RTPRIO >= %d",
			 prio, prio);
		return -EPERM;
	}
	if (rc) {
		snprintf(err, errlen, "SCHED_FIFO priority %d refused: %s", prio, strerror(rc));
		return -rc;
	}
	return 0;
}

void spin_barrier_init(struct spin_barrier *b, unsigned int n)
{
	b->n = n;
	atomic_init(&b->arrived, 0);
	atomic_init(&b->generation, 0);
}

void spin_barrier_wait(struct spin_barrier *b)
{
	unsigned int gen = atomic_load_explicit(&b->generation, memory_order_acquire);
	unsigned int spins = 0;

	if (atomic_fetch_add_explicit(&b->arrived, 1, memory_order_acq_rel) == b->n - 1) {
		atomic_store_explicit(&b->arrived, 0, memory_order_relaxed);
		atomic_fetch_add_explicit(&b->generation, 1, memory_order_release);
		return;
	}
	while (atomic_load_explicit(&b->generation, memory_order_acquire) == gen) {
		if (++spins < BARRIER_SPINS_BEFORE_YIELD)
			cpu_relax();
		else
			sched_yield();
	}
}

struct group {
	void (*fn)(struct thread_ctx *ctx);
	bool fifo;
	/* Setup gate: every thread pins itself, then the creator says go or abort. */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned int ready;
	enum { GATE_WAIT, GATE_GO, GATE_ABORT } gate;
	int rc;			/* the first thread's failure */
	char err[200];
	struct spin_barrier start;
};

struct member {
	struct thread_ctx ctx;
	struct group *g;
	pthread_t tid;
};

static void *member_main(void *p)
{
	struct member *m = p;
	struct group *g = m->g;
	char err[200];
	int rc = pin_self(m->ctx.cpu, err, sizeof(err));
	bool go;

	if (!rc && g->fifo)
		rc = sched_fifo_self(THREADS_FIFO_PRIO, err, sizeof(err));
	pthread_mutex_lock(&g->lock);
	if (rc && !g->rc) {
		g->rc = rc;
		snprintf(g->err, sizeof(g->err), "%s", err);
	}
	g->ready++;
	pthread_cond_broadcast(&g->cond);
	while (g->gate == GATE_WAIT)
		pthread_cond_wait(&g->cond, &g->lock);
	go = g->gate == GATE_GO;
	pthread_mutex_unlock(&g->lock);
	if (!go)
		return NULL;
	spin_barrier_wait(&g->start);
	g->fn(&m->ctx);
	return NULL;
}

int threads_run(const unsigned int *cpus, unsigned int n, bool fifo,
		void (*fn)(struct thread_ctx *ctx), void *arg, char *err, size_t errlen)
{
	struct group g = { .fn = fn, .fifo = fifo, .gate = GATE_WAIT };
	struct member *m;
	unsigned int started = 0;
	int rc = 0;

	if (!n) {
		snprintf(err, errlen, "no CPUs to run on");
		return -EINVAL;
	}
	m = calloc(n, sizeof(*m));
	if (!m) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	pthread_mutex_init(&g.lock, NULL);
	pthread_cond_init(&g.cond, NULL);
	spin_barrier_init(&g.start, n);
	for (; started < n; started++) {
		m[started] = (struct member){
			.ctx = { .index = started, .cpu = cpus[started], .n = n, .arg = arg,
				 .barrier = &g.start },
			.g = &g,
		};
		rc = -pthread_create(&m[started].tid, NULL, member_main, &m[started]);
		if (rc) {
			snprintf(err, errlen, "cannot create a thread: %s", strerror(-rc));
			break;
		}
	}
	pthread_mutex_lock(&g.lock);
	while (g.ready < started)
		pthread_cond_wait(&g.cond, &g.lock);
	if (!rc && g.rc) {
		rc = g.rc;
		snprintf(err, errlen, "%s", g.err);
	}
	g.gate = rc ? GATE_ABORT : GATE_GO;
	pthread_cond_broadcast(&g.cond);
	pthread_mutex_unlock(&g.lock);
	for (unsigned int i = 0; i < started; i++)
		pthread_join(m[i].tid, NULL);
	pthread_cond_destroy(&g.cond);
	pthread_mutex_destroy(&g.lock);
	free(m);
	return rc;
}
