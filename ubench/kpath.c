// SPDX-License-Identifier: GPL-2.0
/*
 * qpwbench-kpath: the per-op cost of kernel hot paths that PW locks change,
 * driven from userspace on one pinned CPU (no module needed):
 *
 *   fault    write-fault one anonymous page, munmap it in batches: the LRU
 *            folio batch (folio_add_lru) and the freeing path, per page
 *   getcwd   getcwd(2): one kmalloc(PATH_MAX) + kfree through the SLUB
 *            per-CPU sheaves, per call
 *   getppid  getppid(2): the bare syscall, the baseline to subtract
 *
 * Each sample times --ops ops with the harness timer (core/timer.h: the
 * one the row's timer column names, so its resolution_ns and
 * timer_overhead_ns are that timer's, measured); a row (scenario kpath,
 * backend kernel, variant = the loop, metric op_cost) gives the spread of
 * the per-op figure over --samples samples. Under scripts/vm --icount
 * (QPWBENCH_EMULATED=tcg-icount) a guest nanosecond is one guest
 * instruction, so the unit is insns: path length, deterministic, not time.
 * Elsewhere the unit is ns. Rows go to --csv in ubench's results format
 * (ubench/core/output.h); its kernel column says pwlocks=0|1 on kernels
 * with our PW locks patches.
 *
 * Each loop's samples (not its warm-up) are one coherence window for
 * plugins/coherence.c, labelled QPWBENCH_LABEL_KPATH + the loop's index
 * (fault, getcwd, getppid): the cache lines the hot path moves between CPUs.
 */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hist.h"
#include "meta.h"
#include "output.h"
#include "qpwbench_marker.h"
#include "timer.h"

#define KPATH_MAX_SAMPLES 100000u
#define KPATH_MAX_OPS 100000u
#define KPATH_FAULT_PAGES 64u

static long page_size;

/* ops pages: fault each in, unmap in batches of KPATH_FAULT_PAGES. */
static int loop_fault(unsigned int ops)
{
	for (unsigned int done = 0; done < ops; done += KPATH_FAULT_PAGES) {
		unsigned int n = ops - done < KPATH_FAULT_PAGES ? ops - done : KPATH_FAULT_PAGES;
		size_t len = (size_t)n * (size_t)page_size;
		volatile char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			return -errno;
		for (size_t off = 0; off < len; off += (size_t)page_size)
			p[off] = 1;
		if (munmap((void *)p, len))
			return -errno;
	}
	return 0;
}

static int loop_getcwd(unsigned int ops)
{
	char buf[PATH_MAX];

	for (unsigned int i = 0; i < ops; i++)
		if (syscall(SYS_getcwd, buf, sizeof(buf)) < 0)
			return -errno;
	return 0;
}

static int loop_getppid(unsigned int ops)
{
	for (unsigned int i = 0; i < ops; i++)
		syscall(SYS_getppid);
	return 0;
}

static const struct {
	const char *name;
	int (*run)(unsigned int ops);
} loops[] = {
	{ "fault", loop_fault },
	{ "getcwd", loop_getcwd },
	{ "getppid", loop_getppid },
};
#define NR_LOOPS (sizeof(loops) / sizeof(loops[0]))

/* The markers take constants: one window label per loop. */
static void kpath_window(size_t loop, bool open)
{
	switch (loop * 2 + open) {
	case 0: QPWBENCH_WINDOW_CLOSE(QPWBENCH_LABEL_KPATH); break;
	case 1: QPWBENCH_WINDOW_OPEN(QPWBENCH_LABEL_KPATH); break;
	case 2: QPWBENCH_WINDOW_CLOSE(QPWBENCH_LABEL_KPATH + 1); break;
	case 3: QPWBENCH_WINDOW_OPEN(QPWBENCH_LABEL_KPATH + 1); break;
	case 4: QPWBENCH_WINDOW_CLOSE(QPWBENCH_LABEL_KPATH + 2); break;
	default: QPWBENCH_WINDOW_OPEN(QPWBENCH_LABEL_KPATH + 2); break;
	}
}

static int usage(void)
{
	fprintf(stderr, "usage: qpwbench-kpath [--loop fault|getcwd|getppid|all] [--ops N] [--samples N] "
		"[--cpu N] [--csv FILE]\n");
	return 2;
}

static int parse_uint(const char *flag, const char *arg, unsigned int max, unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || v > max) {
		fprintf(stderr, "qpwbench-kpath: %s needs an integer 0..%u, not '%s'\n", flag, max, arg);
		return -1;
	}
	*out = (unsigned int)v;
	return 0;
}

int main(int argc, char **argv)
{
	const char *loop = "all", *csv = NULL;
	unsigned int ops = 256, samples = 200, cpu = 0;
	const struct run_meta *meta = run_meta_get();
	const char *unit = run_meta_time_unit(meta);
	struct output out;
	char err[256];
	cpu_set_t set;
	double *v;
	int ran = 0, rc = 0;

	for (int i = 1; i < argc; i++) {
		if (i + 1 >= argc)
			return usage();
		if (!strcmp(argv[i], "--loop")) {
			loop = argv[++i];
		} else if (!strcmp(argv[i], "--csv")) {
			csv = argv[++i];
		} else if (!strcmp(argv[i], "--ops")) {
			if (parse_uint("--ops", argv[++i], KPATH_MAX_OPS, &ops))
				return 2;
		} else if (!strcmp(argv[i], "--samples")) {
			if (parse_uint("--samples", argv[++i], KPATH_MAX_SAMPLES, &samples))
				return 2;
		} else if (!strcmp(argv[i], "--cpu")) {
			if (parse_uint("--cpu", argv[++i], CPU_SETSIZE - 1, &cpu))
				return 2;
		} else {
			return usage();
		}
	}
	if (!ops || !samples) {
		fprintf(stderr, "qpwbench-kpath: --ops and --samples must be at least 1\n");
		return 2;
	}
	for (size_t l = 0; l < NR_LOOPS; l++)
		ran |= !strcmp(loop, "all") || !strcmp(loop, loops[l].name);
	if (!ran) {
		fprintf(stderr, "qpwbench-kpath: unknown loop '%s' (fault, getcwd, getppid, all)\n", loop);
		return 2;
	}
	if (timer_init(err, sizeof(err))) {
		fprintf(stderr, "qpwbench-kpath: %s\n", err);
		return 1;
	}
	page_size = sysconf(_SC_PAGESIZE);
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		fprintf(stderr, "qpwbench-kpath: cannot run on CPU %u: %s\n", cpu, strerror(errno));
		return 2;
	}
	v = calloc(samples, sizeof(*v));
	if (!v) {
		fprintf(stderr, "qpwbench-kpath: out of memory for %u samples\n", samples);
		return 1;
	}
	output_init(&out, meta);
	if (output_start(&out, csv, NULL, err, sizeof(err))) {
		fprintf(stderr, "qpwbench-kpath: %s\n", err);
		free(v);
		return 2;
	}
	for (size_t l = 0; l < NR_LOOPS && !rc; l++) {
		struct output_row row = {
			.scenario = "kpath", .backend = "kernel", .variant = loops[l].name,
			.cpus = &cpu, .n_cpus = 1, .metric = "op_cost", .unit = unit,
			.resolution_ns = timer_get_info()->resolution_ns,
			.timer_overhead_ns = timer_get_info()->overhead_ns,
		};

		if (strcmp(loop, "all") && strcmp(loop, loops[l].name))
			continue;
		rc = loops[l].run(ops);	/* warm-up: caches, sheaves, page tables */
		kpath_window(l, true);
		for (unsigned int s = 0; !rc && s < samples; s++) {
			uint64_t t0 = timer_start();

			rc = loops[l].run(ops);
			v[s] = timer_ticks_to_ns(timer_end() - t0) / ops;
		}
		kpath_window(l, false);
		if (rc) {
			fprintf(stderr, "qpwbench-kpath: %s: %s\n", loops[l].name, strerror(-rc));
			break;
		}
		stats_of_values(v, samples, &row.stats);
		printf("kpath %-8s %s: min %.1f p50 %.1f mean %.1f max %.1f %s/op (%u samples of %u ops, CPU %u)\n",
		       loops[l].name, meta->kernel, row.stats.min, row.stats.p50, row.stats.mean,
		       row.stats.max, unit, samples, ops, cpu);
		if (output_active(&out) && output_row(&out, &row, err, sizeof(err))) {
			fprintf(stderr, "qpwbench-kpath: %s\n", err);
			rc = -EIO;
			break;
		}
	}
	free(v);
	output_close(&out);
	return rc ? 1 : 0;
}
