// SPDX-License-Identifier: GPL-2.0
/*
 * backend_kmod: runs each struct qpwbench_run in qpwbench.ko through
 * /dev/qpwbench (QPWBENCH_IOC_RUN). The module validates and runs; this
 * file only opens the device, checks that both sides speak the same ABI,
 * and turns the module's error codes into one line a user can act on.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "backend.h"

static int kmod_fd = -1;

static int kmod_open(char *err, size_t errlen)
{
	int version, e;

	if (kmod_fd >= 0)
		return 0;
	kmod_fd = open(QPWBENCH_DEVICE, O_RDWR | O_CLOEXEC);
	if (kmod_fd < 0) {
		e = errno;
		if (e == ENOENT)
			snprintf(err, errlen, "kmod backend: %s does not exist: load the module "
				 "(insmod qpwbench.ko) or use --backend user", QPWBENCH_DEVICE);
		else if (e == EACCES || e == EPERM)
			snprintf(err, errlen, "kmod backend: %s: permission denied (the device is "
				 "mode 0600 and needs CAP_SYS_ADMIN: run as root)", QPWBENCH_DEVICE);
		else if (e == ENXIO || e == ENODEV)
			snprintf(err, errlen, "kmod backend: %s: no driver behind the device node "
				 "(stale node? reload qpwbench.ko)", QPWBENCH_DEVICE);
		else
			snprintf(err, errlen, "kmod backend: %s: %s", QPWBENCH_DEVICE, strerror(e));
		return -e;
	}
	version = ioctl(kmod_fd, QPWBENCH_IOC_VERSION);
	if (version == QPWBENCH_ABI_VERSION)
		return 0;
	e = version < 0 ? errno : EPROTO;
	if (version < 0)
		snprintf(err, errlen, "kmod backend: %s does not answer the version ioctl (%s): "
			 "is it qpwbench.ko?", QPWBENCH_DEVICE, strerror(e));
	else
		snprintf(err, errlen, "kmod backend: the loaded qpwbench.ko speaks ABI version %d, "
			 "this ubench speaks %d: build and load the module from the same tree",
			 version, QPWBENCH_ABI_VERSION);
	close(kmod_fd);
	kmod_fd = -1;
	return -e;
}

static int kmod_run(struct qpwbench_run *run, char *err, size_t errlen)
{
	int e;

	if (kmod_fd < 0) {
		snprintf(err, errlen, "kmod backend: run before open");
		return -EBADF;
	}
	if (!ioctl(kmod_fd, QPWBENCH_IOC_RUN, run))
		return 0;
	e = errno;
	switch (e) {
	case EBUSY:
		snprintf(err, errlen, "kmod backend: the module is busy (another run is active, "
			 "or drain work a stalled run left is still running on its CPU)");
		break;
	case EINVAL:
		snprintf(err, errlen, "kmod backend: the module rejected the request (size, version, "
			 "scenario, variant, flags, a zero count, an empty CPU set, a load's "
			 "arguments, or a remote run not naming one target other than caller CPU %u)",
			 run->caller_cpu);
		break;
	case E2BIG:
		snprintf(err, errlen, "kmod backend: an argument is above its cap "
			 "(qpwbench.h QPWBENCH_MAX_*)");
		break;
	case ENODEV:
		snprintf(err, errlen, "kmod backend: caller CPU %u or a target CPU is not online",
			 run->caller_cpu);
		break;
	case EINTR:
		snprintf(err, errlen, "kmod backend: the run was interrupted by a fatal signal");
		break;
	case EOPNOTSUPP:
		if (run->target_load == QPWBENCH_LOAD_OWNER_PREEMPTED)
			snprintf(err, errlen, "kmod backend: --target-load owner-preempted needs a PREEMPT_RT kernel (elsewhere the owner holds its lock with preemption off: no FIFO task can preempt it there)");
		else
			snprintf(err, errlen, "kmod backend: --lock-mode: this kernel has no form of it");
		break;
	default:
		snprintf(err, errlen, "kmod backend: run: %s", strerror(e));
	}
	return -e;
}

static void kmod_close(void)
{
	if (kmod_fd >= 0)
		close(kmod_fd);
	kmod_fd = -1;
}

const struct backend backend_kmod = {
	.name	= "kmod",
	.open	= kmod_open,
	.run	= kmod_run,
	.close	= kmod_close,
};
