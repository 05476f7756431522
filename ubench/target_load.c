// SPDX-License-Identifier: GPL-2.0
/* Spinners on target CPUs; see target_load.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "core/hist.h"
#include "core/threads.h"
#include "core/timer.h"
#include "target_load.h"

enum spinner_phase {
	PHASE_SPIN,		/* load only */
	PHASE_RECORD,		/* a measurement runs: record */
	PHASE_STOP,		/* ends a recording too */
};

#define TARGET_LOAD_NAME(id, name) [TARGET_LOAD_##id] = name,
static const char *const load_names[TARGET_NR_LOADS] = { TARGET_LOADS(TARGET_LOAD_NAME) };
#undef TARGET_LOAD_NAME

const char *target_load_name(enum target_load load)
{
	return load < TARGET_NR_LOADS ? load_names[load] : "?";
}

int target_load_parse(const char *name, enum target_load *load)
{
	for (unsigned int i = 0; i < TARGET_NR_LOADS; i++) {
		if (!strcmp(name, load_names[i])) {
			*load = i;
			return 0;
		}
	}
	return -1;
}

static uint64_t thread_ctx_switches(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return (uint64_t)ru.ru_nvcsw + (uint64_t)ru.ru_nivcsw;
}

static void spin_fn(struct thread_ctx *ctx)
{
	struct spinners *s = ctx->arg;
	struct spinner_record *rec = &s->rec[ctx->index];
	unsigned int seen = PHASE_SPIN;
	uint64_t prev, window_end = 0, max_gap = 0, switches = 0;

	rec->cpu = ctx->cpu;
	atomic_fetch_add_explicit(&s->running, 1, memory_order_release);
	prev = timer_start();
	for (;;) {
		unsigned int phase = atomic_load_explicit(&s->phase, memory_order_acquire);
		uint64_t now = timer_start();

		if (phase != seen) {
			if (seen == PHASE_RECORD) {
				if (max_gap)	/* the last, partial window */
					qpwbench_hist_add(&rec->gaps, timer_ticks_to_ps(max_gap));
				rec->ctx_switches = thread_ctx_switches() - switches;
			}
			if (phase == PHASE_STOP)
				return;
			if (phase == PHASE_RECORD) {
				switches = thread_ctx_switches();
				max_gap = 0;
				now = timer_start();
				window_end = now + s->window_ticks;
			}
			seen = phase;
			prev = now;
			continue;
		}
		if (now - prev > max_gap)
			max_gap = now - prev;
		prev = now;
		if (seen == PHASE_RECORD && now >= window_end) {
			qpwbench_hist_add(&rec->gaps, timer_ticks_to_ps(max_gap));
			max_gap = 0;
			window_end = now + s->window_ticks;
		}
	}
}

static void *coordinator_main(void *arg)
{
	struct spinners *s = arg;

	s->ret = threads_run(s->cpus, s->n, s->fifo, spin_fn, s, s->err, sizeof(s->err));
	atomic_store_explicit(&s->finished, true, memory_order_release);
	return NULL;
}

int target_load_start(struct spinners *s, enum target_load load, const unsigned int *cpus,
		      unsigned int n, uint64_t window_ns, char *err, size_t errlen)
{
	const struct timespec poll = { .tv_nsec = 200000 };
	int ret;

	memset(s, 0, sizeof(*s));
	if (load == TARGET_LOAD_IDLE || load == TARGET_LOAD_OWNER ||
	    load == TARGET_LOAD_OWNER_PREEMPTED || load == TARGET_LOAD_FILLED_IDLE)
		return 0;
	s->n = n;
	memcpy(s->cpus, cpus, n * sizeof(*cpus));
	s->fifo = load == TARGET_LOAD_FIFO;
	s->window_ticks = timer_ns_to_ticks(window_ns);
	ret = pthread_create(&s->coordinator, NULL, coordinator_main, s);
	if (ret) {
		snprintf(err, errlen, "spinner threads: %s", strerror(ret));
		s->n = 0;
		return -ret;
	}
	/* threads_run() either starts every spinner or none and returns an error. */
	while (atomic_load_explicit(&s->running, memory_order_acquire) < n) {
		if (atomic_load_explicit(&s->finished, memory_order_acquire)) {
			pthread_join(s->coordinator, NULL);
			snprintf(err, errlen, "%s", s->err);
			s->n = 0;
			return s->ret ? s->ret : -EIO;
		}
		nanosleep(&poll, NULL);
	}
	return 0;
}

void target_load_record(struct spinners *s)
{
	atomic_store_explicit(&s->phase, PHASE_RECORD, memory_order_release);
}

void target_load_stop(struct spinners *s)
{
	if (!s->n)
		return;
	atomic_store_explicit(&s->phase, PHASE_STOP, memory_order_release);
	pthread_join(s->coordinator, NULL);
	s->n = 0;
}
