// SPDX-License-Identifier: GPL-2.0
/* ubench-gbench's C side: the model's local fast paths and plain atomics. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lineops.h"
#include "local_ops.h"
#include "meta.h"
#include "model.h"

static struct model model;
static struct model_pcp *pcp;

int gbench_model_open(unsigned int cpu, char *err, size_t errlen)
{
	bool rt = !strcmp(run_meta_get()->preempt, "rt");
	int rc = model_init(&model, cpu + 1, rt);

	if (rc) {
		snprintf(err, errlen, "model_init: %s", strerror(-rc));
		return rc;
	}
	pcp = &model.pcp[cpu];
	return 0;
}

void gbench_model_close(void)
{
	model_destroy(&model);
}

int gbench_model_preempt_rt(void)
{
	return model.preempt_rt;
}

void gbench_model_local(int variant, uint64_t first, uint32_t nr)
{
	model_variant((enum qpwbench_variant)variant)->local_ops(&model, pcp, first, nr);
}

/* Touched by this thread only: the uncontended cost. */
static struct shared_line line;

void gbench_line_op(int op)
{
	line_op(&line, (enum line_op)op);
}

const char *gbench_line_op_name(int op)
{
	return line_op_name((enum line_op)op);
}

int gbench_line_nr_ops(void)
{
	return LINE_NR_OPS;
}
