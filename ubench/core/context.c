// SPDX-License-Identifier: GPL-2.0
/* The run's context header (context.h). */
#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "meta.h"
#include "output.h"

static char argv_text[2048];

void context_set_argv(int argc, char **argv)
{
	size_t len = 0;

	argv_text[0] = '\0';
	for (int i = 0; i < argc && len < sizeof(argv_text) - 1; i++) {
		int n = snprintf(argv_text + len, sizeof(argv_text) - len, "%s%s",
				 i ? " " : "", argv[i]);

		if (n < 0)
			break;
		len += (size_t)n;
	}
	if (len >= sizeof(argv_text))
		argv_text[sizeof(argv_text) - 1] = '\0';
}

/* The first line of path without its newline, or n/a. */
static void first_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	snprintf(buf, len, "n/a");
	if (!f)
		return;
	if (fgets(buf, (int)len, f))
		buf[strcspn(buf, "\r\n")] = '\0';
	else
		buf[0] = '\0';
	fclose(f);
}

/* transparent_hugepage/enabled reads "always [madvise] never": the bracketed one. */
static void thp(char *buf, size_t len)
{
	char line[128], *lb, *rb;

	first_line("/sys/kernel/mm/transparent_hugepage/enabled", line, sizeof(line));
	lb = strchr(line, '[');
	rb = lb ? strchr(lb, ']') : NULL;
	if (lb && rb) {
		*rb = '\0';
		snprintf(buf, len, "%s", lb + 1);
	} else {
		snprintf(buf, len, "%s", line);
	}
}

struct item {
	const char *key;
	char value[2048];
};

enum { ARGV, REVISION, CMDLINE, ISOLCPUS, NOHZ, GOVERNOR, SMT, THP, RT, NR_ITEMS };

static void collect(struct item *it)
{
	static const char *const keys[NR_ITEMS] = {
		"argv", "revision", "kernel_cmdline", "isolcpus", "nohz_full", "governor",
		"smt", "thp", "rt_throttling",
	};
	const struct run_meta *m = run_meta_get();

	for (int i = 0; i < NR_ITEMS; i++)
		it[i].key = keys[i];
	snprintf(it[ARGV].value, sizeof(it[ARGV].value), "%s", argv_text[0] ? argv_text : "n/a");
	snprintf(it[REVISION].value, sizeof(it[REVISION].value), "%s", m->version);
	first_line("/proc/cmdline", it[CMDLINE].value, sizeof(it[CMDLINE].value));
	first_line("/sys/devices/system/cpu/isolated", it[ISOLCPUS].value, sizeof(it[ISOLCPUS].value));
	first_line("/sys/devices/system/cpu/nohz_full", it[NOHZ].value, sizeof(it[NOHZ].value));
	first_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", it[GOVERNOR].value,
		   sizeof(it[GOVERNOR].value));
	first_line("/sys/devices/system/cpu/smt/control", it[SMT].value, sizeof(it[SMT].value));
	thp(it[THP].value, sizeof(it[THP].value));
	snprintf(it[RT].value, sizeof(it[RT].value), "%s", m->sched_rt);
}

void context_write_csv(FILE *f)
{
	struct item it[NR_ITEMS];

	collect(it);
	for (int i = 0; i < NR_ITEMS; i++) {
		/* One line per item: a line break in a value would end the comment. */
		it[i].value[strcspn(it[i].value, "\r\n")] = '\0';
		fprintf(f, "# %s: %s\n", it[i].key, it[i].value);
	}
}

void context_write_json(FILE *f)
{
	struct item it[NR_ITEMS];

	collect(it);
	fputs("{\"context\": {", f);
	for (int i = 0; i < NR_ITEMS; i++) {
		if (i)
			fputs(", ", f);
		output_json_string(f, it[i].key);
		fputs(": ", f);
		output_json_string(f, it[i].value);
	}
	fputs("}}\n", f);
}
