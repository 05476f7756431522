// SPDX-License-Identifier: GPL-2.0
/* ubench info: what the harness measures with, and on what. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "commands.h"
#include "counters.h"
#include "meta.h"
#include "opts.h"
#include "timer.h"

enum { O_EVENTS = OPTS_OWN_BASE };

static const struct option info_own[] = {
	{ "events", no_argument, NULL, O_EVENTS },
	{ 0 },
};

static int info_handle(struct ubench_opts *o, int val, const char *arg)
{
	bool *events = o->ctx;

	(void)arg;
	if (val != O_EVENTS)
		return -1;
	*events = true;
	return 0;
}

static const struct opts_command info_command = {
	.name = "info",
	.summary = "timer, CPUs, kernel and preempt model, emulation, the qpwbench module",
	.own = info_own,
	.own_help = "  --events             also the event counters: libpfm4, PMUs, which events count here\n",
	.handle = info_handle,
};

/* The kernel's clocksource: "tsc" means the kernel itself trusts the TSC across CPUs. */
static void print_clocksource(void)
{
	FILE *f = fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource", "r");
	char line[64] = "unknown";

	if (f) {
		if (!fgets(line, sizeof(line), f))
			snprintf(line, sizeof(line), "unknown");
		fclose(f);
	}
	line[strcspn(line, "\n")] = '\0';
	printf("clocksource:    %s (the kernel's)\n", line);
}

static void print_module(void)
{
	int fd = open(QPWBENCH_DEVICE, O_RDONLY | O_CLOEXEC);
	int version;

	if (fd < 0) {
		printf("module:         %s %s (load kernel/qpwbench.ko for --backend kmod)\n",
		       QPWBENCH_DEVICE, errno == ENOENT ? "absent" : strerror(errno));
		return;
	}
	version = ioctl(fd, QPWBENCH_IOC_VERSION);
	if (version < 0)
		printf("module:         %s present, QPWBENCH_IOC_VERSION failed: %s\n",
		       QPWBENCH_DEVICE, strerror(errno));
	else
		printf("module:         %s present, ABI version %d (this ubench: %d%s)\n",
		       QPWBENCH_DEVICE, version, QPWBENCH_ABI_VERSION,
		       version == QPWBENCH_ABI_VERSION ? "" : ", MISMATCH");
	close(fd);
}

int cmd_info(int argc, char **argv)
{
	bool events = false;
	struct ubench_opts o = { .ctx = &events };
	const struct timer_info *t;
	const struct run_meta *m;
	struct topo_summary ts;
	struct topo *topo;
	char err[256];
	int rc = opts_parse(&o, &info_command, argc, argv);

	if (rc != OPTS_RUN)
		return rc == OPTS_HELP ? EXIT_OK : EXIT_USAGE;
	if (timer_init(err, sizeof(err))) {
		opts_error(&o, "%s", err);
		return EXIT_FAILED;
	}
	t = timer_get_info();
	m = run_meta_get();
	printf("qpwbench:       %s\n", m->version);
	printf("timer:          %s, %.6f ticks/ns (%.3f MHz)%s\n", t->name, t->ticks_per_ns,
	       t->ticks_per_ns * 1e3,
	       t->counts_cycles ? ", free-running reference ticks, not core cycles (CSV ticks, tick_mhz)" : "");
	printf("resolution:     %.3f ns (one tick %.3f ns, smallest step seen between back-to-back reads %.3f ns)\n",
	       t->resolution_ns, t->tick_ns, t->step_ns);
	printf("overhead:       %.1f ns per timed empty region (median; CSV timer_overhead_ns)\n",
	       t->overhead_ns);
	printf("cost:           %.1f ns per timestamp (median)\n", t->cost_ns);
	printf("invariant:      %s (%s)\n", t->invariant ? "yes" : "no", t->invariance);
	print_clocksource();
	if (topo_load(&topo, NULL, NULL, err, sizeof(err))) {
		printf("cpus:           %ld online (hwloc: %s)\n", sysconf(_SC_NPROCESSORS_ONLN), err);
	} else {
		topo_get_summary(topo, &ts);
		printf("cpus:           %u usable (%u packages, %u NUMA nodes, %u L3, %u cores), %ld online\n",
		       ts.pus, ts.packages, ts.numa_nodes, ts.l3_caches, ts.cores,
		       sysconf(_SC_NPROCESSORS_ONLN));
		topo_free(topo);
	}
	printf("cpu model:      %s\n", m->cpu_model);
	printf("arch:           %s\n", m->arch);
	printf("kernel:         %s\n", m->kernel);
	printf("preempt:        %s (from %s)\n", m->preempt, m->preempt_source);
	printf("emulated:       %s (%s)\n", m->emulated, m->emulated_source);
	printf("host:           %s\n", m->host);
	print_module();
	if (events) {
		printf("\n");
		counters_print_info(stdout);
	}
	return EXIT_OK;
}
