/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The C side of ubench-gbench: the userspace model (C11 atomics, which C++17
 * cannot include) behind a plain interface, and the contended-line
 * primitives measured uncontended.
 */
#ifndef QPWBENCH_GBENCH_LOCAL_OPS_H
#define QPWBENCH_GBENCH_LOCAL_OPS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Set up the model for local ops on cpu (the caller is pinned there). 0 or -errno + err. */
int gbench_model_open(unsigned int cpu, char *err, size_t errlen);
void gbench_model_close(void);
/* nr local ops of variant (enum qpwbench_variant) on the model's CPU. */
void gbench_model_local(int variant, uint64_t first, uint32_t nr);
/* "rt" or not: which local_lock() the model uses. */
int gbench_model_preempt_rt(void);

/* One uncontended op (enum line_op: atomic add, CAS loop, ticket lock+unlock). */
void gbench_line_op(int op);
/* The ops' names and number, from core/lineops.h. */
const char *gbench_line_op_name(int op);
int gbench_line_nr_ops(void);

#ifdef __cplusplus
}
#endif

#endif
