// SPDX-License-Identifier: GPL-2.0
/* Run metadata read from the machine. */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__)
#include <cpuid.h>
#endif

#include "meta.h"
#include "timer.h"
#include "qpwbench_version.h"

/* First line of a file, without its newline; false if unreadable or empty. */
static bool read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	bool ok;

	if (!f)
		return false;
	ok = fgets(buf, (int)len, f) != NULL;
	fclose(f);
	if (ok)
		buf[strcspn(buf, "\n")] = '\0';
	return ok && buf[0];
}

/* Whole-word search, uname -v style ("SMP PREEMPT_DYNAMIC ..."). */
static bool has_word(const char *s, const char *word)
{
	size_t len = strlen(word);

	for (const char *p = strstr(s, word); p; p = strstr(p + 1, word))
		if ((p == s || p[-1] == ' ') && (p[len] == ' ' || p[len] == '\0'))
			return true;
	return false;
}

/* CONFIG_<name>=y in /boot/config-<release>. */
static bool kconfig_y(const char *release, const char *name)
{
	char path[128], line[256], want[96];
	FILE *f;
	bool found = false;

	snprintf(path, sizeof(path), "/boot/config-%s", release);
	snprintf(want, sizeof(want), "CONFIG_%s=y\n", name);
	f = fopen(path, "r");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = !strcmp(line, want);
	fclose(f);
	return found;
}

static void collect_preempt(struct run_meta *m, const struct utsname *u)
{
	char line[128];

	if ((read_line("/sys/kernel/realtime", line, sizeof(line)) && !strcmp(line, "1")) ||
	    has_word(u->version, "PREEMPT_RT")) {
		snprintf(m->preempt, sizeof(m->preempt), "rt");
		snprintf(m->preempt_source, sizeof(m->preempt_source), "/sys/kernel/realtime or uname -v PREEMPT_RT");
		return;
	}
	/* e.g. "none voluntary (full) lazy": the selected model is in parentheses. */
	if (read_line("/sys/kernel/debug/sched/preempt", line, sizeof(line))) {
		char *open = strchr(line, '('), *close = open ? strchr(open, ')') : NULL;

		if (close) {
			*close = '\0';
			snprintf(m->preempt, sizeof(m->preempt), "%s", open + 1);
			snprintf(m->preempt_source, sizeof(m->preempt_source), "/sys/kernel/debug/sched/preempt");
			return;
		}
	}
	snprintf(m->preempt_source, sizeof(m->preempt_source), "uname -v");
	if (has_word(u->version, "PREEMPT_DYNAMIC")) {
		snprintf(m->preempt, sizeof(m->preempt), "dynamic");
		return;
	}
	if (has_word(u->version, "PREEMPT")) {
		snprintf(m->preempt, sizeof(m->preempt), "full");
		return;
	}
	snprintf(m->preempt_source, sizeof(m->preempt_source), "/boot/config-%.60s", u->release);
	if (kconfig_y(u->release, "PREEMPT_VOLUNTARY"))
		snprintf(m->preempt, sizeof(m->preempt), "voluntary");
	else if (kconfig_y(u->release, "PREEMPT_NONE"))
		snprintf(m->preempt, sizeof(m->preempt), "none");
	else
		snprintf(m->preempt, sizeof(m->preempt), "unknown");
}

/* arm64: implementers and parts named in the kernel's asm/cputype.h. */
static const struct { unsigned int impl, part; const char *name; } arm64_parts[] = {
	{ 0x41, 0xd03, "ARM Cortex-A53" }, { 0x41, 0xd05, "ARM Cortex-A55" },
	{ 0x41, 0xd07, "ARM Cortex-A57" }, { 0x41, 0xd08, "ARM Cortex-A72" },
	{ 0x41, 0xd0b, "ARM Cortex-A76" }, { 0x41, 0xd0c, "ARM Neoverse-N1" },
	{ 0x41, 0xd40, "ARM Neoverse-V1" }, { 0x41, 0xd49, "ARM Neoverse-N2" },
	{ 0x41, 0xd4f, "ARM Neoverse-V2" }, { 0xc0, 0xac3, "Ampere-1" },
	{ 0x61, 0x022, "Apple M1 Icestorm" }, { 0x61, 0x023, "Apple M1 Firestorm" },
};

static void collect_cpu_model(struct run_meta *m)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[512];
	long impl = -1, part = -1;

	snprintf(m->cpu_model, sizeof(m->cpu_model), "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');
		char *val;

		if (!colon)
			continue;
		val = colon + 1 + strspn(colon + 1, " \t");
		val[strcspn(val, "\n")] = '\0';
		if (!strncmp(line, "model name", 10)) {
			snprintf(m->cpu_model, sizeof(m->cpu_model), "%s", val);
			break;
		}
		if (!strncmp(line, "CPU implementer", 15) && impl < 0)
			impl = strtol(val, NULL, 0);
		else if (!strncmp(line, "CPU part", 8) && part < 0)
			part = strtol(val, NULL, 0);
	}
	fclose(f);
	if (impl < 0 || part < 0)
		return;
	snprintf(m->cpu_model, sizeof(m->cpu_model), "MIDR implementer 0x%02lx part 0x%03lx", impl, part);
	for (size_t i = 0; i < sizeof(arm64_parts) / sizeof(arm64_parts[0]); i++)
		if (arm64_parts[i].impl == impl && arm64_parts[i].part == part)
			snprintf(m->cpu_model, sizeof(m->cpu_model), "%s", arm64_parts[i].name);
}

/*
 * Kernels with qpwbench's PW locks patches (kernel/pwlocks/) say at
 * /sys/kernel/pwlocks whether remote drains take the target's lock (1),
 * do so for isolated CPUs only (isolated) or queue work (0): one kernel,
 * three behaviours, so the kernel column says which ran
 * ("7.2.13-rt-pwlocks pwlocks=1").
 */
static void collect_pwlocks(struct run_meta *m)
{
	char line[16];
	size_t len = strlen(m->kernel);

	if (read_line("/sys/kernel/pwlocks", line, sizeof(line)) &&
	    (!strcmp(line, "0") || !strcmp(line, "1") || !strcmp(line, "isolated")))
		snprintf(m->kernel + len, sizeof(m->kernel) - len, " pwlocks=%s", line);
}

/* DMI names hypervisors give their guests (sys_vendor or product_name, prefix). */
static const char *const dmi_hypervisors[] = {
	"QEMU", "KVM", "VMware", "Xen", "Microsoft Corporation", "innotek", "Parallels",
	"Amazon EC2", "Google Compute Engine", "BHYVE", "Bochs", "OpenStack",
};

/* A hypervisor seen without CPUID (arm64, or x86 guests that hide the bit). */
static bool hypervisor_elsewhere(char *why, size_t len)
{
	const char *dmi[] = { "/sys/class/dmi/id/sys_vendor", "/sys/class/dmi/id/product_name" };
	char line[128];

	if (read_line("/sys/hypervisor/type", line, sizeof(line))) {
		snprintf(why, len, "/sys/hypervisor/type %.60s", line);
		return true;
	}
	if (!access("/proc/device-tree/hypervisor", F_OK)) {
		snprintf(why, len, "/proc/device-tree/hypervisor");
		return true;
	}
	for (size_t i = 0; i < sizeof(dmi) / sizeof(dmi[0]); i++) {
		if (!read_line(dmi[i], line, sizeof(line)))
			continue;
		for (size_t h = 0; h < sizeof(dmi_hypervisors) / sizeof(dmi_hypervisors[0]); h++)
			if (!strncmp(line, dmi_hypervisors[h], strlen(dmi_hypervisors[h]))) {
				snprintf(why, len, "%s \"%.40s\"", dmi[i], line);
				return true;
			}
	}
	return false;
}

static void collect_emulated(struct run_meta *m)
{
	const char *env = getenv("QPWBENCH_EMULATED");
	char why[sizeof(m->emulated_source)];

	snprintf(m->emulated, sizeof(m->emulated), "no");
	/* tcg-icount: scripts/vm --icount, where guest ns are instructions. */
	if (env && (!strcmp(env, "tcg") || !strcmp(env, "tcg-icount"))) {
		snprintf(m->emulated, sizeof(m->emulated), "%s", env);
		snprintf(m->emulated_source, sizeof(m->emulated_source), "QPWBENCH_EMULATED=%s", env);
		return;
	}
#if defined(__x86_64__)
	unsigned int a, b, c, d;
	char vendor[13];

	/* CPUID.1:ECX[31] says a hypervisor is present; leaf 0x40000000 names it. */
	if (__get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 31))) {
		__cpuid(0x40000000, a, b, c, d);
		memcpy(vendor, &b, 4);
		memcpy(vendor + 4, &c, 4);
		memcpy(vendor + 8, &d, 4);
		vendor[12] = '\0';
		for (int i = 0; i < 12; i++)
			if (!isprint((unsigned char)vendor[i]))
				vendor[i] = '?';
		if (!strcmp(vendor, "TCGTCGTCGTCG")) {
			snprintf(m->emulated, sizeof(m->emulated), "tcg");
			snprintf(m->emulated_source, sizeof(m->emulated_source), "CPUID 0x40000000 %s", vendor);
			return;
		}
		snprintf(m->emulated, sizeof(m->emulated), "virtualized");
		snprintf(m->emulated_source, sizeof(m->emulated_source),
			 "hypervisor CPUID 0x40000000 \"%s\": a guest, timings carry the host's noise", vendor);
		return;
	}
#endif
	if (hypervisor_elsewhere(why, sizeof(why))) {
		snprintf(m->emulated, sizeof(m->emulated), "virtualized");
		snprintf(m->emulated_source, sizeof(m->emulated_source), "%s", why);
		return;
	}
	snprintf(m->emulated_source, sizeof(m->emulated_source),
		 "no hypervisor seen (CPUID, /sys/hypervisor, device tree, DMI)");
}

static void collect_sched_rt(struct run_meta *m)
{
	char runtime[24], period[24];

	if (read_line("/proc/sys/kernel/sched_rt_runtime_us", runtime, sizeof(runtime)) &&
	    read_line("/proc/sys/kernel/sched_rt_period_us", period, sizeof(period)))
		snprintf(m->sched_rt, sizeof(m->sched_rt), "%s/%s", runtime, period);
	else
		snprintf(m->sched_rt, sizeof(m->sched_rt), "n/a");
}

void run_meta_collect(struct run_meta *m)
{
	struct utsname u;

	memset(m, 0, sizeof(*m));
	if (uname(&u)) {
		memset(&u, 0, sizeof(u));
		snprintf(u.release, sizeof(u.release), "unknown");
		snprintf(u.machine, sizeof(u.machine), "unknown");
		snprintf(u.nodename, sizeof(u.nodename), "unknown");
	}
	snprintf(m->kernel, sizeof(m->kernel), "%s", u.release);
	collect_pwlocks(m);
	snprintf(m->arch, sizeof(m->arch), "%s", u.machine);
	snprintf(m->host, sizeof(m->host), "%s", u.nodename);
	collect_preempt(m, &u);
	collect_cpu_model(m);
	collect_emulated(m);
	collect_sched_rt(m);
	snprintf(m->timer, sizeof(m->timer), "%s",
		 timer_init(NULL, 0) ? "unknown" : timer_get_info()->name);
	snprintf(m->tick_mhz, sizeof(m->tick_mhz), "n/a");
	if (!timer_init(NULL, 0) && timer_get_info()->counts_cycles)
		snprintf(m->tick_mhz, sizeof(m->tick_mhz), "%.3f", timer_get_info()->ticks_per_ns * 1e3);
	snprintf(m->version, sizeof(m->version), "%s", QPWBENCH_VERSION);
}

static struct run_meta process_meta;
static pthread_once_t meta_once = PTHREAD_ONCE_INIT;

static void process_meta_collect(void)
{
	run_meta_collect(&process_meta);
}

const struct run_meta *run_meta_get(void)
{
	pthread_once(&meta_once, process_meta_collect);
	return &process_meta;
}

const char *run_meta_time_unit(const struct run_meta *m)
{
	return strcmp(m->emulated, "tcg-icount") ? "ns" : "insns";
}

void run_meta_date(char *buf, size_t len)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
