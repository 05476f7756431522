/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Progress with an ETA on stderr, for runs longer than a few seconds (the
 * sweep's steps, the c2c matrix's pairs): one line per step,
 *
 *   ubench sweep: [3/8] remote: 12 s elapsed, about 20 s left
 *
 * Shown when stderr is a terminal; QPWBENCH_PROGRESS=1 forces it on (a
 * pipe, a test), QPWBENCH_PROGRESS=0 off. The ETA is elapsed time scaled by
 * the weights of the steps left over those done (each step's weight: its
 * expected share of the run).
 */
#ifndef QPWBENCH_CORE_PROGRESS_H
#define QPWBENCH_CORE_PROGRESS_H

#include <stdbool.h>

struct progress {
	const char *what;	/* "sweep", "c2c" */
	bool on;
	double t0;
	double total;		/* the sum of the weights */
	double done;		/* the weight of the steps finished */
	double last_weight;	/* the weight of the step running */
	unsigned int step, n_steps;
};

/* Start: n_steps steps of total weight total (n_steps when all weigh 1). */
void progress_start(struct progress *p, const char *what, unsigned int n_steps, double total);

/* Step `name` (weight `weight`) begins: print its line with the ETA. */
void progress_step(struct progress *p, const char *name, double weight);

/* The last step is done: print the total time. */
void progress_end(struct progress *p);

/* Whether progress lines are shown (the terminal test and QPWBENCH_PROGRESS). */
bool progress_enabled(void);

#endif
