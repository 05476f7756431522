// SPDX-License-Identifier: GPL-2.0
/*
 * Timer and harness threads: the counter is monotonic and its calibration
 * agrees with CLOCK_MONOTONIC_RAW (a sanity bound, not a speed assertion);
 * threads_run pins each thread where asked and releases them together.
 */
#include <errno.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "threads.h"
#include "timer.h"

static void test_timer(void)
{
	const struct timer_info *t;
	char err[256];
	uint64_t prev, t0, n0, t1, n1;
	double ratio;

	CHECK(!timer_init(err, sizeof(err)), "timer_init: %s", err);
	CHECK(!timer_init(err, sizeof(err)), "timer_init twice");
	t = timer_get_info();
	printf("timer %s, %.6f ticks/ns, cost %.1f ns, %s\n", t->name, t->ticks_per_ns, t->cost_ns,
	       t->invariance);
	CHECK(t->name && t->name[0], "no timer name");
	CHECK(t->ticks_per_ns > 1e-3 && t->ticks_per_ns < 1e3, "ticks/ns %g", t->ticks_per_ns);
	CHECK(t->cost_ns > 0 && t->resolution_ns > 0, "cost %g, resolution %g", t->cost_ns, t->resolution_ns);
	CHECK(t->source == timer_source_active, "active source is not the reported one");

	/* Monotonic on this CPU, start and end readers interleaved. */
	prev = timer_start();
	for (int i = 0; i < 1000000; i++) {
		uint64_t now = (i & 1) ? timer_end() : timer_start();

		if (now < prev) {
			CHECK(0, "counter went back: %llu after %llu", (unsigned long long)now,
			      (unsigned long long)prev);
			break;
		}
		prev = now;
	}

	/* 100 ms of CLOCK_MONOTONIC_RAW is 100 ms of timer within 10 %. */
	t0 = timer_start();
	n0 = timer_clock_ns();
	usleep(100000);
	t1 = timer_end();
	n1 = timer_clock_ns();
	ratio = timer_ticks_to_ns(t1 - t0) / (double)(n1 - n0);
	CHECK(ratio > 0.9 && ratio < 1.1, "timer/clock over 100 ms: %.4f", ratio);

	/* Conversions agree with each other. */
	CHECK(timer_ticks_to_ps(timer_ns_to_ticks(1000000)) > 999000000 &&
	      timer_ticks_to_ps(timer_ns_to_ticks(1000000)) < 1001000000, "ns -> ticks -> ps");
	CHECK(timer_ticks_to_ps(0) == 0, "0 ticks");
}

struct pin_check {
	atomic_uint wrong_cpu;
	atomic_uint before, after_min;
	unsigned int n;
};

static void check_thread(struct thread_ctx *ctx)
{
	struct pin_check *c = ctx->arg;
	unsigned int seen;

	if ((unsigned int)sched_getcpu() != ctx->cpu)
		atomic_fetch_add(&c->wrong_cpu, 1);
	/* After the barrier every thread has arrived: each sees all n. */
	atomic_fetch_add(&c->before, 1);
	spin_barrier_wait(ctx->barrier);
	seen = atomic_load(&c->before);
	if (seen < atomic_load(&c->after_min))
		atomic_store(&c->after_min, seen);
	spin_barrier_wait(ctx->barrier);	/* reusable */
}

static void test_threads(void)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned int cpus[64], n = 0;
	cpu_set_t allowed;
	struct pin_check c;
	char err[256];
	int rc;

	CHECK(!sched_getaffinity(0, sizeof(allowed), &allowed), "sched_getaffinity");
	for (int cpu = 0; cpu < ncpu && n < 64; cpu++)
		if (CPU_ISSET(cpu, &allowed))
			cpus[n++] = (unsigned int)cpu;
	/* Twice every CPU: threads sharing a CPU still pass the barrier. */
	for (unsigned int i = 0; i < n && n + i < 64; i++)
		cpus[n + i] = cpus[i];
	n = n * 2 > 64 ? 64 : n * 2;
	memset(&c, 0, sizeof(c));
	atomic_store(&c.after_min, ~0u);
	rc = threads_run(cpus, n, false, check_thread, &c, err, sizeof(err));
	CHECK(!rc, "threads_run: %s", err);
	CHECK(atomic_load(&c.wrong_cpu) == 0, "%u threads not on their CPU", atomic_load(&c.wrong_cpu));
	CHECK(atomic_load(&c.after_min) == n, "barrier let a thread through early (saw %u of %u)",
	      atomic_load(&c.after_min), n);

	/* A CPU that does not exist: an error, and fn never runs. */
	cpus[0] = 4000;
	memset(&c, 0, sizeof(c));
	rc = threads_run(cpus, 1, false, check_thread, &c, err, sizeof(err));
	CHECK(rc < 0 && strstr(err, "4000") && atomic_load(&c.before) == 0,
	      "bad CPU: rc %d, '%s', ran %u", rc, err, atomic_load(&c.before));

	/* SCHED_FIFO: works (root) or says what is missing. */
	cpus[0] = cpus[1];
	rc = threads_run(cpus, 1, true, check_thread, &c, err, sizeof(err));
	CHECK(!rc || (rc == -EPERM && strstr(err, "CAP_SYS_NICE")), "fifo: rc %d '%s'", rc, err);
	printf("SCHED_FIFO: %s\n", rc ? err : "permitted");
}

int main(void)
{
	test_timer();
	test_threads();
	CHECK_DONE();
}
