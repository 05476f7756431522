/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A backend runs one struct qpwbench_run (kernel/uapi/qpwbench.h) and fills
 * its result: "kmod" hands it to qpwbench.ko, "user" runs the userspace model
 * of the same variants. The harness builds requests, owns pinning of its own
 * helper threads (spinners), statistics and output; a backend only runs.
 */
#ifndef QPWBENCH_BACKEND_H
#define QPWBENCH_BACKEND_H

#include <stddef.h>

#include "qpwbench.h"

struct backend {
	const char *name;	/* the CSV "backend" column */
	/* Make ready; 0, or -errno with one error line written to err. */
	int (*open)(char *err, size_t errlen);
	/* Run one measurement, filling run->result; 0 or -errno (+ err). */
	int (*run)(struct qpwbench_run *run, char *err, size_t errlen);
	void (*close)(void);
};

extern const struct backend backend_user;
extern const struct backend backend_kmod;

/*
 * "user", "kmod", or NULL for automatic: kmod when QPWBENCH_DEVICE exists,
 * else user. NULL with one error line in err for an unknown name.
 */
const struct backend *backend_by_name(const char *name, char *err, size_t errlen);

#endif
