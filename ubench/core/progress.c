// SPDX-License-Identifier: GPL-2.0
/* Progress with an ETA on stderr (progress.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

bool progress_enabled(void)
{
	const char *env = getenv("QPWBENCH_PROGRESS");

	if (env && env[0])
		return strcmp(env, "0") != 0;
	return isatty(STDERR_FILENO);
}

void progress_start(struct progress *p, const char *what, unsigned int n_steps, double total)
{
	memset(p, 0, sizeof(*p));
	p->what = what;
	p->on = progress_enabled();
	p->t0 = now_s();
	p->n_steps = n_steps;
	p->total = total > 0 ? total : n_steps;
}

static void fmt_time(char *buf, size_t len, double s)
{
	if (s < 90)
		snprintf(buf, len, "%.0f s", s);
	else
		snprintf(buf, len, "%.0f min %02.0f s", (double)(long)(s / 60), s - 60 * (double)(long)(s / 60));
}

void progress_step(struct progress *p, const char *name, double weight)
{
	double elapsed = now_s() - p->t0;
	char el[32], left[32];

	if (p->step)
		p->done += p->last_weight;
	p->step++;
	p->last_weight = weight;
	if (!p->on)
		return;
	fmt_time(el, sizeof(el), elapsed);
	if (p->done > 0 && elapsed > 0) {
		fmt_time(left, sizeof(left), elapsed / p->done * (p->total - p->done));
		fprintf(stderr, "ubench %s: [%u/%u] %s: %s elapsed, about %s left\n", p->what,
			p->step, p->n_steps, name, el, left);
	} else {
		fprintf(stderr, "ubench %s: [%u/%u] %s: %s elapsed, ETA after this step\n", p->what,
			p->step, p->n_steps, name, el);
	}
	fflush(stderr);
}

void progress_end(struct progress *p)
{
	char el[32];

	if (!p->on)
		return;
	fmt_time(el, sizeof(el), now_s() - p->t0);
	fprintf(stderr, "ubench %s: [%u/%u] done in %s\n", p->what, p->step, p->n_steps, el);
	fflush(stderr);
}
