// SPDX-License-Identifier: GPL-2.0
/* CSV/JSON writer: exact header, append, refusal, stdout, quoting, extras. */
#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "check.h"
#include "output.h"
#include "qpwbench_version.h"

#define HEADER "scenario,backend,variant,kernel,preempt,arch,cpus,n_cpus,distance,metric,unit," \
	"run,samples,min,p50,p90,p99,p999,max,mean,stddev,pctl_method," \
	"ticks,resolution_ns,timer_overhead_ns,subtracted_ns," \
	"host,cpu_model,timer,tick_mhz,emulated,sched_rt,date,version,target_load,trigger," \
	"fill_mode,fill,drain_empty,owner_rate_hz,owner_hold_ns,wait_bound_ns,batch,lock_mode," \
	"drainer_policy,interrupted"

static struct run_meta meta = {
	.kernel = "6.1.0-28-rt-amd64", .preempt = "rt", .arch = "x86_64", .host = "box",
	.cpu_model = "Vendor CPU, 2 GHz \"X\"", .timer = "tsc", .tick_mhz = "2000.000",
	.emulated = "virtualized", .sched_rt = "950000/1000000", .version = "9.9.9",
};

static char dir[] = "/tmp/qpwbench-test-output-XXXXXX";

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 1 << 16);

	if (f && buf)
		buf[fread(buf, 1, (1 << 16) - 1, f)] = '\0';
	if (f)
		fclose(f);
	return buf;
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void one_row(struct output_row *r, struct stats *st)
{
	static const unsigned int cpus[] = { 0, 1 };

	*r = (struct output_row){
		.scenario = "c2c", .backend = "user", .variant = "ping-pong", .cpus = cpus,
		.n_cpus = 2, .distance = "smt", .metric = "one_way_latency", .unit = "ns",
		.run = 2, .stats = *st, .has_ticks = true, .ticks = 42.5, .resolution_ns = 10.5,
		.timer_overhead_ns = 21, .subtracted_ns = 0,
	};
}

static int CONTEXT_LINES;

static void test_header_and_append(void)
{
	char path[128], err[256];
	struct output o;
	struct output_row r;
	struct stats st = { .samples = 1000, .min = 20.125, .p50 = 25, .p90 = 30, .p99 = 40,
			    .p999 = NAN, .max = 60, .mean = 26.5, .stddev = 0.000125, .method = "exact" };
	const char *const *names;
	char *text, *row2;

	snprintf(path, sizeof(path), "%s/a.csv", dir);
	CHECK(output_base_columns(&names) == 46 && !strcmp(names[0], "scenario") &&
	      !strcmp(names[11], "run") && !strcmp(names[21], "pctl_method") &&
	      !strcmp(names[33], "version") && !strcmp(names[34], "target_load") &&
	      !strcmp(names[35], "trigger") && !strcmp(names[36], "fill_mode") &&
	      !strcmp(names[37], "fill") && !strcmp(names[45], "interrupted"), "base columns");

	output_init(&o, &meta);
	CHECK(!output_start(&o, path, NULL, err, sizeof(err)), "start: %s", err);
	one_row(&r, &st);
	CHECK(!output_row(&o, &r, err, sizeof(err)), "row: %s", err);
	output_close(&o);
	text = slurp(path);
	/* The context header (core/context.h) first, as comment lines, then the header. */
	CHECK(!strncmp(text, "# argv: ", 8) && strstr(text, "\n# revision: ") &&
	      strstr(text, "\n# kernel_cmdline: ") && strstr(text, "\n# isolcpus: ") &&
	      strstr(text, "\n# nohz_full: ") && strstr(text, "\n# governor: ") &&
	      strstr(text, "\n# smt: ") && strstr(text, "\n# thp: ") &&
	      strstr(text, "\n# rt_throttling: "), "context header:\n%s", text);
	CHECK(strstr(text, "\n" HEADER "\n") && !strstr(strstr(text, "\n" HEADER "\n") + 1, "\n#"),
	      "header is not exactly DESIGN.md's, after the context:\n%s", text);
	CONTEXT_LINES = count_lines(text) - 2;
	CHECK(strstr(text, "\nc2c,user,ping-pong,6.1.0-28-rt-amd64,rt,x86_64,\"0,1\",2,smt,one_way_latency,ns,"
			   "2,1000,20.125,25,30,40,n/a,60,26.500,0.000125,exact,42.500,10.500,21,0,"
			   "box,\"Vendor CPU, 2 GHz \"\"X\"\"\",tsc,2000.000,virtualized,950000/1000000,20"),
	      "row not as expected (quoting, numbers):\n%s", text);
	CHECK(strstr(text, ",9.9.9,n/a,n/a,n/a,n/a,n/a,n/a,n/a,n/a,n/a,n/a,n/a,n/a\n"),
	      "version, then target_load, trigger, fill_mode and every parameter n/a (no params): missing");
	free(text);

	/* Appending writes rows, never a second header. */
	output_init(&o, &meta);
	CHECK(!output_start(&o, path, NULL, err, sizeof(err)), "restart: %s", err);
	r.distance = NULL;
	r.has_ticks = false;
	r.run = 0;
	r.target_load = "fifo";
	r.trigger = "fadvise";
	r.params = &(struct output_params){
		.has_fill = true, .fill = 0, .drain_empty = "no", .has_owner = true,
		.owner_rate_hz = 1000, .owner_hold_ns = 0, .wait_bound_ns = 0, .batch = 0,
		.lock_mode = "trylock", .drainer_policy = "other", .interrupted = true,
	};
	r.fill_mode = "onfault";
	CHECK(!output_row(&o, &r, err, sizeof(err)), "row: %s", err);
	output_close(&o);
	text = slurp(path);
	CHECK(count_lines(text) == CONTEXT_LINES + 3, "append: %d lines, want context + header + 2 rows",
	      count_lines(text));
	CHECK(strstr(strstr(text, "\nscenario,") + 2, "\nscenario,") == NULL &&
	      strstr(text + 1, "# argv: ") == NULL, "append: header or context written twice");
	row2 = strrchr(text, '\n');
	while (row2 > text && row2[-1] != '\n')
		row2--;
	CHECK(strstr(row2, ",2,n/a,one_way_latency,ns,n/a,1000,") && strstr(row2, ",0.000125,exact,n/a,10.500,"),
	      "n/a for absent distance, run and ticks: %s", row2);
	/* fill 0 is a value, not n/a; wait bound 0 (the default) and batch 0 (no local run) are n/a. */
	CHECK(strstr(row2, ",9.9.9,fifo,fadvise,onfault,0,no,1000,0,n/a,n/a,trylock,other,yes\n"),
	      "target_load, trigger, fill_mode, parameters: %s", row2);
	free(text);

	/* Extra columns make a different header: refused, one line naming the file. */
	output_init(&o, &meta);
	CHECK(!output_add_column(&o, "cycles:u", err, sizeof(err)), "add column: %s", err);
	CHECK(output_start(&o, path, NULL, err, sizeof(err)) == -EINVAL, "mismatched header accepted");
	CHECK(strstr(err, path) && !strchr(err, '\n'), "refusal message: '%s'", err);
	output_close(&o);

	/* A last row cut short (no final newline) is refused, never appended to. */
	{
		FILE *f = fopen(path, "a");

		CHECK(f && fputs("c2c,user,ping-pong,6.1", f) >= 0, "cut a row short");
		if (f)
			fclose(f);
	}
	output_init(&o, &meta);
	CHECK(output_start(&o, path, NULL, err, sizeof(err)) == -EINVAL && strstr(err, "cut short") &&
	      strstr(err, path), "a cut-short file accepted: '%s'", err);
	output_close(&o);
	text = slurp(path);
	CHECK(count_lines(text) == CONTEXT_LINES + 3, "the refused file changed: %d lines", count_lines(text));
	free(text);
}

/* Figures a row cannot honestly give are n/a: empty, p99 below 1000, p999 below 10000. */
static void test_na_figures(void)
{
	char path[128], err[256];
	struct qpwbench_hist h;
	struct output o;
	struct output_row r;
	struct stats st;
	char *text;

	snprintf(path, sizeof(path), "%s/na.csv", dir);
	hist_init(&h);
	stats_of_samples(&h, NULL, 0, 1000, &st);
	output_init(&o, &meta);
	CHECK(!output_start(&o, path, NULL, err, sizeof(err)), "start: %s", err);
	one_row(&r, &st);
	r.has_ticks = false;
	CHECK(!output_row(&o, &r, err, sizeof(err)) && !output_sync(&o, err, sizeof(err)), "row: %s", err);
	output_close(&o);
	text = slurp(path);
	CHECK(strstr(text, ",ns,2,0,n/a,n/a,n/a,n/a,n/a,n/a,n/a,n/a,n/a,n/a,10.500,"),
	      "an empty measurement is n/a throughout, never 0:\n%s", text);
	free(text);
}

static void test_extra_columns_and_json(void)
{
	char csv[128], json[128], err[256];
	struct output o;
	struct output_row r;
	struct stats st;
	const char *names[] = { "context-switches" };
	const char *values[] = { "3" };
	char *text;

	snprintf(csv, sizeof(csv), "%s/b.csv", dir);
	snprintf(json, sizeof(json), "%s/b.json", dir);
	stats_single(&st, 0.5);
	output_init(&o, &meta);
	CHECK(!output_add_column(&o, "cycles:u", err, sizeof(err)), "add: %s", err);
	CHECK(!output_add_column(&o, "context-switches", err, sizeof(err)), "add: %s", err);
	CHECK(output_add_column(&o, "cycles:u", err, sizeof(err)) == -EINVAL, "duplicate column accepted");
	CHECK(output_add_column(&o, "p50", err, sizeof(err)) == -EINVAL, "core column name accepted");
	CHECK(!output_start(&o, csv, json, err, sizeof(err)), "start: %s", err);
	CHECK(output_add_column(&o, "late", err, sizeof(err)) == -EINVAL, "column after the header accepted");
	one_row(&r, &st);
	r.metric = "fairness";
	r.unit = "ratio";
	r.n_extra = 1;
	r.extra_names = names;
	r.extra_values = values;
	CHECK(!output_row(&o, &r, err, sizeof(err)), "row: %s", err);
	output_close(&o);

	text = slurp(csv);
	CHECK(strstr(text, "\n" HEADER ",cycles:u,context-switches\n"), "extras header:\n%s", text);
	CHECK(strstr(text, ",ratio,2,1,0.5,0.5,0.5,n/a,n/a,0.5,"), "one value: p99, p999 n/a:\n%s", text);
	free(text);
	text = slurp(json);
	/* The context line first ({"context": {...}}), then one object per row. */
	CHECK(count_lines(text) == 2 && !strncmp(text, "{\"context\": {\"argv\": ", 21) &&
	      strstr(text, "\"rt_throttling\": ") && strstr(strchr(text, '\n'), "\n{\"scenario\""),
	      "JSON Lines: context, then one object per line:\n%s", text);
	CHECK(strstr(text, "\"cpus\": \"0,1\"") && strstr(text, "\"n_cpus\": 2") &&
	      strstr(text, "\"min\": 0.5") && strstr(text, "\"cycles:u\": null") &&
	      strstr(text, "\"context-switches\": \"3\"") && strstr(text, "\"target_load\": null") &&
	      strstr(text, "\"trigger\": null") && strstr(text, "\"fill\": null") &&
	      strstr(text, "\"cpu_model\": \"Vendor CPU, 2 GHz \\\"X\\\"\""),
	      "JSON values:\n%s", text);
	free(text);
}

static void test_stdout(void)
{
	char path[128], err[256];
	struct output o;
	struct output_row r;
	struct stats st;
	int saved = dup(1), fd;
	char *text;

	snprintf(path, sizeof(path), "%s/stdout.csv", dir);
	fflush(stdout);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	dup2(fd, 1);
	close(fd);
	stats_single(&st, 7);
	output_init(&o, &meta);
	CHECK(!output_start(&o, "-", NULL, err, sizeof(err)), "start -: %s", err);
	CHECK(output_uses_stdout(&o), "- is not stdout");
	one_row(&r, &st);
	CHECK(!output_row(&o, &r, err, sizeof(err)), "row: %s", err);
	output_close(&o);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	text = slurp(path);
	CHECK(!strncmp(text, HEADER "\n", strlen(HEADER) + 1) && count_lines(text) == 2,
	      "stdout: header + row:\n%s", text);
	free(text);

	output_init(&o, &meta);
	CHECK(output_start(&o, "-", "-", err, sizeof(err)) == -EINVAL, "CSV and JSON both on stdout accepted");
	CHECK(output_start(&o, "/nonexistent-dir/x.csv", NULL, err, sizeof(err)) < 0 &&
	      strstr(err, "/nonexistent-dir/x.csv"), "unwritable path: '%s'", err);
}

/* The x86 /proc/cpuinfo flag (a hypervisor guest has "hypervisor"). */
static bool cpuinfo_has(const char *flag)
{
	char *text = slurp("/proc/cpuinfo"), *p;
	bool found = false;

	for (p = text ? strstr(text, flag) : NULL; p && !found; p = strstr(p + 1, flag))
		found = p[-1] == ' ' && (p[strlen(flag)] == ' ' || p[strlen(flag)] == '\n');
	free(text);
	return found;
}

/* Metadata from this machine: uname, a known preempt model, the emulation flag, the date. */
static void test_meta(void)
{
	static const char *const models[] = { "rt", "full", "dynamic", "voluntary", "none", "lazy", "unknown" };
	struct run_meta m;
	struct utsname u;
	bool known = false;
	char date[32];

	CHECK(!uname(&u), "uname");
	setenv("QPWBENCH_EMULATED", "tcg", 1);
	run_meta_collect(&m);
	CHECK(!strcmp(m.emulated, "tcg"), "QPWBENCH_EMULATED=tcg gave emulated '%s'", m.emulated);
	unsetenv("QPWBENCH_EMULATED");
	run_meta_collect(&m);
	/* This machine's own answer: a hypervisor guest must not read "no". */
	CHECK((!strcmp(m.emulated, "no") && !cpuinfo_has("hypervisor")) ||
	      (!strcmp(m.emulated, "virtualized") && strstr(m.emulated_source, "guest")) ||
	      (!strcmp(m.emulated, "virtualized") && !cpuinfo_has("hypervisor")) ||
	      (!strcmp(m.emulated, "tcg") && strstr(m.emulated_source, "CPUID")),
	      "emulated '%s' (%s)", m.emulated, m.emulated_source);
	CHECK(!strcmp(m.tick_mhz, "n/a") || atof(m.tick_mhz) > 0, "tick_mhz '%s'", m.tick_mhz);
	CHECK(!strcmp(m.kernel, u.release) && !strcmp(m.arch, u.machine) && !strcmp(m.host, u.nodename),
	      "uname fields: %s %s %s", m.kernel, m.arch, m.host);
	for (size_t i = 0; i < sizeof(models) / sizeof(models[0]); i++)
		known |= !strcmp(m.preempt, models[i]);
	CHECK(known, "preempt '%s' (from %s) is not a model name", m.preempt, m.preempt_source);
	CHECK(!strcmp(m.version, QPWBENCH_VERSION), "version '%s'", m.version);
	CHECK(m.cpu_model[0] && m.timer[0], "cpu model '%s', timer '%s'", m.cpu_model, m.timer);
	run_meta_date(date, sizeof(date));
	CHECK(strlen(date) == 20 && date[4] == '-' && date[10] == 'T' && date[19] == 'Z', "date '%s'", date);
}

int main(void)
{
	char cmd[128];

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_header_and_append();
	test_extra_columns_and_json();
	test_stdout();
	test_na_figures();
	test_meta();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", dir);
	CHECK_DONE();
}
