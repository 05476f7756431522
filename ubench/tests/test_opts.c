// SPDX-License-Identifier: GPL-2.0
/*
 * Common options: good values parse, every bad one gives OPTS_USAGE with
 * exactly one line "ubench test: ..." on stderr, --help gives OPTS_HELP.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "opts.h"

enum { O_OWN = OPTS_OWN_BASE };

static uint64_t own_value;

static int handle_own(struct ubench_opts *o, int val, const char *arg)
{
	return val == O_OWN ? opts_u64(o, "--own", arg, 1, 10, &own_value) : -1;
}

static const struct option own[] = {
	{ "own", required_argument, NULL, O_OWN },
	{ 0 },
};

static const struct opts_command everything = {
	.name = "test",
	.summary = "test command",
	.common = OPT_CPUS | OPT_PLAN | OPT_VARIANT | OPT_BACKEND | OPT_OUTPUT | OPT_REPEAT |
		  OPT_ITERATIONS | OPT_DURATION | OPT_WARMUP | OPT_FIFO,
	.own = own,
	.own_help = "  --own N\n",
	.handle = handle_own,
	.default_plan = TOPO_PLAN_RAMP,
	.default_iterations = 1000,
	.default_duration_ns = 200000000,
};

static const struct opts_command nothing = { .name = "test", .summary = "takes nothing" };

/* What a parse printed on stdout (--help). */
static char out_text[4096];

/* Parse a NULL-terminated argument list with stderr and stdout captured. */
static enum opts_result parse(struct ubench_opts *o, const struct opts_command *cmd,
			      char *err, size_t errlen, const char *first, ...)
{
	char *argv[32] = { "test" };
	int argc = 1, saved_err = dup(2), saved_out = dup(1);
	FILE *cap = tmpfile(), *out = tmpfile();
	enum opts_result rc;
	va_list ap;
	size_t n;

	va_start(ap, first);
	for (const char *a = first; a && argc < 31; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	argv[argc] = NULL;
	fflush(stderr);
	fflush(stdout);
	dup2(fileno(cap), 2);
	dup2(fileno(out), 1);
	*o = (struct ubench_opts){ 0 };
	rc = opts_parse(o, cmd, argc, argv);
	fflush(stderr);
	fflush(stdout);
	dup2(saved_err, 2);
	dup2(saved_out, 1);
	close(saved_err);
	close(saved_out);
	rewind(cap);
	n = fread(err, 1, errlen - 1, cap);
	err[n] = '\0';
	rewind(out);
	n = fread(out_text, 1, sizeof(out_text) - 1, out);
	out_text[n] = '\0';
	fclose(cap);
	fclose(out);
	return rc;
}

static int lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

#define BAD(...)								\
	do {									\
		struct ubench_opts o;						\
		char err[1024];							\
		enum opts_result rc = parse(&o, &everything, err, sizeof(err), __VA_ARGS__, NULL); \
		CHECK(rc == OPTS_USAGE && lines(err) == 1 && !strncmp(err, "ubench test: ", 13), \
		      "%s: rc %d, stderr '%s'", #__VA_ARGS__, rc, err);		\
		opts_free(&o);							\
	} while (0)

static void test_good(void)
{
	struct ubench_opts o;
	char err[1024], list[128];

	CHECK(parse(&o, &everything, err, sizeof(err), NULL) == OPTS_RUN, "no options: %s", err);
	CHECK(o.repeat == 1 && o.iterations == 1000 && o.duration_ns == 200000000 &&
	      o.plan == TOPO_PLAN_RAMP && !o.fifo && !o.csv && !o.backend, "defaults");
	CHECK(o.n_cpus >= 1 && o.cpus && !o.cpus_arg, "default CPUs: every usable one (%u)", o.n_cpus);
	opts_variants_str(&o, list, sizeof(list));
	CHECK(!strcmp(list, "wq,qpw,qpw-on,qpw-off,global"), "default variants '%s'", list);
	opts_free(&o);

	CHECK(parse(&o, &everything, err, sizeof(err), "--cpus", "0", "--plan", "pairs",
		    "--variant", "global,wq", "--backend", "kmod", "--csv", "-", "--json", "x.json",
		    "--repeat", "5", "--iterations", "67108864", "--duration", "1500us",
		    "--warmup", "0", "--fifo", "--own", "7", NULL) == OPTS_RUN, "all options: %s", err);
	CHECK(o.n_cpus == 1 && o.cpus[0] == 0 && !strcmp(o.cpus_arg, "0"), "--cpus 0");
	CHECK(o.plan == TOPO_PLAN_PAIRS, "--plan pairs");
	opts_variants_str(&o, list, sizeof(list));
	CHECK(!strcmp(list, "wq,global"), "--variant global,wq gave '%s'", list);
	CHECK(!strcmp(o.backend, "kmod") && !strcmp(o.csv, "-") && !strcmp(o.json, "x.json"), "strings");
	CHECK(o.repeat == 5 && o.iterations == 67108864 && o.duration_ns == 1500000 && o.warmup == 0 &&
	      o.fifo && own_value == 7, "numbers");
	opts_free(&o);

	CHECK(parse(&o, &everything, err, sizeof(err), "--variant=all", "--duration=2s", NULL) == OPTS_RUN &&
	      o.duration_ns == 2000000000, "--opt=value form: %s", err);
	opts_free(&o);

	CHECK(parse(&o, &everything, err, sizeof(err), "--help", NULL) == OPTS_HELP && !err[0],
	      "--help: stderr '%s'", err);
	opts_free(&o);
}

/* --help quotes the command's own defaults, and its meaning of --iterations. */
static void test_help(void)
{
	static const struct opts_command ops = {
		.name = "test", .summary = "ops", .common = OPT_ITERATIONS | OPT_WARMUP,
		.iterations_help = "ops per CPU", .default_iterations = 42,
	};
	static const char *const want[] = {
		"  --own N\n",
		"  --plan NAME          sweep plan: classes, pairs, ramp, spread (default ramp)\n",
		"  --repeat N           repeat each measurement N times, one row each (default 1)\n",
		"  --iterations N       samples per measurement (default 1000)\n",
		"  --duration TIME      time per measurement point: 200ms, 1s, 500us (default 200ms)\n",
		"  --warmup N           unmeasured samples first\n",
	};
	struct ubench_opts o;
	char err[1024];

	CHECK(parse(&o, &everything, err, sizeof(err), "--help", NULL) == OPTS_HELP, "--help");
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		CHECK(strstr(out_text, want[i]), "--help lacks '%s':\n%s", want[i], out_text);
	opts_free(&o);
	CHECK(parse(&o, &ops, err, sizeof(err), "--help", NULL) == OPTS_HELP &&
	      strstr(out_text, "  --iterations N       ops per CPU (default 42)\n") &&
	      !strstr(out_text, "samples per measurement"), "--iterations help:\n%s", out_text);
	opts_free(&o);
}

static void test_bad(void)
{
	BAD("--cpus", "99999");
	BAD("--cpus", "");
	BAD("--cpus", "0-");
	BAD("--plan", "diagonal");
	BAD("--variant", "bogus");
	BAD("--variant", "wq,,global");
	BAD("--variant", "wq,wq");
	BAD("--variant", "");
	BAD("--backend", "gpu");
	BAD("--repeat", "0");
	BAD("--repeat", "1001");
	BAD("--repeat", "-1");
	BAD("--iterations", "67108865");
	BAD("--iterations", "18446744073709551616");
	BAD("--iterations", "99999999999999999999999");
	BAD("--iterations", "10k");
	BAD("--iterations", " 5");
	BAD("--duration", "200");
	BAD("--duration", "61s");
	BAD("--duration", "18446744073709551615s");
	BAD("--duration", "0ms");
	BAD("--duration", "5 ms");
	BAD("--warmup", "2000000");
	BAD("--own", "11");
	BAD("--iterations");
	BAD("--bogus");
	BAD("-x");
	BAD("stray");

	/* A command that takes no common option refuses them. */
	{
		struct ubench_opts o;
		char err[1024];

		CHECK(parse(&o, &nothing, err, sizeof(err), "--cpus", "0", NULL) == OPTS_USAGE &&
		      lines(err) == 1, "--cpus accepted by a command without it: '%s'", err);
		opts_free(&o);
	}
}

int main(void)
{
	test_good();
	test_help();
	test_bad();
	CHECK_DONE();
}
