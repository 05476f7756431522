// SPDX-License-Identifier: GPL-2.0
/* The common options of measurement commands, parsed once for all of them. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opts.h"

/* Long-option values of the common options (below OPTS_OWN_BASE). */
enum {
	O_CPUS = 0x100, O_PLAN, O_VARIANT, O_BACKEND, O_CSV, O_JSON, O_REPEAT,
	O_ITERATIONS, O_DURATION, O_WARMUP, O_FIFO, O_EVENTS, O_LOCK_MODE, O_HELP,
};

const char *const opts_lock_mode_names[QPWBENCH_NR_LOCK_MODES] = {
	[QPWBENCH_LOCK_PLAIN] = "plain", [QPWBENCH_LOCK_IRQSAVE] = "irqsave",
	[QPWBENCH_LOCK_TRYLOCK] = "trylock",
};

static const struct {
	struct option opt;
	unsigned int bit;	/* 0: always accepted */
	const char *flag;	/* as --help shows it: "--cpus LIST" */
	const char *help;	/* what it does; --help adds the command's default */
} common[] = {
	{ { "cpus", required_argument, NULL, O_CPUS }, OPT_CPUS,
	  "--cpus LIST", "CPUs: N, N-M, TYPE:I[-J] (package, die, l3, l2, cluster, core, pu, numa), all" },
	{ { "plan", required_argument, NULL, O_PLAN }, OPT_PLAN,
	  "--plan NAME", "sweep plan: classes, pairs, ramp, spread" },
	{ { "variant", required_argument, NULL, O_VARIANT }, OPT_VARIANT,
	  "--variant LIST|all", "variants, comma separated (default all)" },
	{ { "lock-mode", required_argument, NULL, O_LOCK_MODE }, OPT_VARIANT,
	  "--lock-mode MODE", "local ops' lock: plain, irqsave (kmod only), trylock (user model only; no local_trylock() in the kernels the module builds for) (default plain)" },
	{ { "backend", required_argument, NULL, O_BACKEND }, OPT_BACKEND,
	  "--backend user|kmod", "(default: kmod when " QPWBENCH_DEVICE " exists, else user)" },
	{ { "csv", required_argument, NULL, O_CSV }, OPT_OUTPUT,
	  "--csv FILE", "append tidy CSV rows to FILE (- for stdout)" },
	{ { "json", required_argument, NULL, O_JSON }, OPT_OUTPUT,
	  "--json FILE", "append the same rows as JSON Lines (- for stdout)" },
	{ { "repeat", required_argument, NULL, O_REPEAT }, OPT_REPEAT,
	  "--repeat N", "repeat each measurement N times, one row each" },
	{ { "iterations", required_argument, NULL, O_ITERATIONS }, OPT_ITERATIONS,
	  "--iterations N", "samples per measurement" },
	{ { "duration", required_argument, NULL, O_DURATION }, OPT_DURATION,
	  "--duration TIME", "time per measurement point: 200ms, 1s, 500us" },
	{ { "warmup", required_argument, NULL, O_WARMUP }, OPT_WARMUP,
	  "--warmup N", "unmeasured samples first" },
	{ { "fifo", no_argument, NULL, O_FIFO }, OPT_FIFO,
	  "--fifo", "measuring threads run SCHED_FIFO" },
	{ { "events", required_argument, NULL, O_EVENTS }, OPT_EVENTS,
	  "--events LIST", "event counters, a CSV column each: cycles,ctx-switches,..., libpfm4 events, default" },
	{ { "help", no_argument, NULL, O_HELP }, 0,
	  "--help", "this text" },
};
#define NR_COMMON	(sizeof(common) / sizeof(common[0]))
/* --repeat without the option. */
#define DEFAULT_REPEAT	1

/* Duration units, for parsing --duration-like values and quoting defaults. */
static const struct {
	const char *suffix;
	uint64_t ns;
} duration_units[] = {
	{ "ns", 1 }, { "us", 1000 }, { "ms", 1000000 }, { "s", 1000000000 },
};
#define NR_DURATION_UNITS	(sizeof(duration_units) / sizeof(duration_units[0]))

static const char *const variant_names[] = {
#define VARIANT_NAME(id, name) name,
	QPWBENCH_VARIANTS(VARIANT_NAME)
#undef VARIANT_NAME
};
#define MAX_OWN		32

void opts_error(const struct ubench_opts *o, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ubench %s: ", o->cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int opts_u64(const struct ubench_opts *o, const char *flag, const char *arg,
	     uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!isdigit((unsigned char)arg[0])) {
		opts_error(o, "%s '%s': not a number", flag, arg);
		return -1;
	}
	errno = 0;
	v = strtoull(arg, &end, 10);
	if (*end) {
		opts_error(o, "%s '%s': not a number", flag, arg);
		return -1;
	}
	if (errno == ERANGE || v > max || v < min) {
		opts_error(o, "%s %s: out of range %llu..%llu", flag, arg,
			   (unsigned long long)min, (unsigned long long)max);
		return -1;
	}
	*out = v;
	return 0;
}

int opts_duration(const struct ubench_opts *o, const char *flag, const char *arg,
		  uint64_t min_ns, uint64_t max_ns, uint64_t *out_ns)
{
	unsigned long long v;
	char *end;

	if (!isdigit((unsigned char)arg[0])) {
		opts_error(o, "%s '%s': not a duration (e.g. 200ms, 1s, 500us)", flag, arg);
		return -1;
	}
	errno = 0;
	v = strtoull(arg, &end, 10);
	for (size_t i = 0; i < NR_DURATION_UNITS; i++) {
		uint64_t unit = duration_units[i].ns;

		if (strcmp(end, duration_units[i].suffix))
			continue;
		if (errno == ERANGE || v > max_ns / unit || v * unit < min_ns || v * unit > max_ns) {
			opts_error(o, "%s %s: out of range %lluns..%llums", flag, arg,
				   (unsigned long long)min_ns, (unsigned long long)(max_ns / 1000000));
			return -1;
		}
		*out_ns = v * unit;
		return 0;
	}
	opts_error(o, "%s '%s': not a duration (a number and ns, us, ms or s)", flag, arg);
	return -1;
}

static int parse_variants(struct ubench_opts *o, const char *arg)
{
	char *copy, *save = NULL;
	int rc = 0;

	if (!strcmp(arg, "all")) {
		for (int v = 0; v < QPWBENCH_NR_VARIANTS; v++)
			o->variant[v] = true;
		return 0;
	}
	copy = strdup(arg);
	if (!copy) {
		opts_error(o, "out of memory");
		return -1;
	}
	memset(o->variant, 0, sizeof(o->variant));
	if (!arg[0] || arg[0] == ',' || arg[strlen(arg) - 1] == ',' || strstr(arg, ",,")) {
		opts_error(o, "--variant '%s': empty item", arg);
		rc = -1;
	}
	for (char *tok = strtok_r(copy, ",", &save); tok && !rc; tok = strtok_r(NULL, ",", &save)) {
		int v = 0;

		while (v < QPWBENCH_NR_VARIANTS && strcmp(tok, variant_names[v]))
			v++;
		if (v == QPWBENCH_NR_VARIANTS) {
			char known[128];
			size_t off = 0;

			for (int i = 0; i < QPWBENCH_NR_VARIANTS; i++)
				off += (size_t)snprintf(known + off, sizeof(known) - off, "%s, ", variant_names[i]);
			opts_error(o, "--variant '%s': unknown variant (known: %sor all)", tok, known);
			rc = -1;
		} else if (o->variant[v]) {
			opts_error(o, "--variant '%s': given twice", tok);
			rc = -1;
		} else {
			o->variant[v] = true;
		}
	}
	free(copy);
	return rc;
}

void opts_variants_str(const struct ubench_opts *o, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int v = 0; v < QPWBENCH_NR_VARIANTS && off < len; v++)
		if (o->variant[v])
			off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? "," : "", variant_names[v]);
}

/* ns in the largest unit it is a whole number of: "200ms", "1s". */
static void format_duration(char *buf, size_t len, uint64_t ns)
{
	size_t i = NR_DURATION_UNITS - 1;

	while (i && ns % duration_units[i].ns)
		i--;
	snprintf(buf, len, "%llu%s", (unsigned long long)(ns / duration_units[i].ns),
		 duration_units[i].suffix);
}

/* " (default ...)" for a common option, from the command's defaults; "" for none. */
static void common_default(const struct opts_command *cmd, int val, char *buf, size_t len)
{
	char d[32] = "";

	switch (val) {
	case O_PLAN:
		snprintf(d, sizeof(d), "%s", topo_plan_name(cmd->default_plan));
		break;
	case O_REPEAT:
		snprintf(d, sizeof(d), "%u", DEFAULT_REPEAT);
		break;
	case O_ITERATIONS:
		if (cmd->default_iterations)
			snprintf(d, sizeof(d), "%llu", (unsigned long long)cmd->default_iterations);
		break;
	case O_WARMUP:
		if (cmd->default_warmup)
			snprintf(d, sizeof(d), "%u", cmd->default_warmup);
		break;
	case O_DURATION:
		if (cmd->default_duration_ns)
			format_duration(d, sizeof(d), cmd->default_duration_ns);
		break;
	}
	if (d[0])
		snprintf(buf, len, " (default %s)", d);
	else
		buf[0] = '\0';
}

static void print_help(const struct opts_command *cmd)
{
	printf("usage: ubench %s [OPTIONS]\n%s\n\noptions:\n", cmd->name, cmd->summary);
	if (cmd->own_help)
		printf("%s", cmd->own_help);
	for (size_t i = 0; i < NR_COMMON; i++) {
		const char *help = common[i].help;
		char dflt[48];

		if (common[i].bit && !(cmd->common & common[i].bit))
			continue;
		if (common[i].opt.val == O_ITERATIONS && cmd->iterations_help)
			help = cmd->iterations_help;
		common_default(cmd, common[i].opt.val, dflt, sizeof(dflt));
		printf("  " OPTS_HELP_FLAG_FORMAT "%s%s\n", common[i].flag, help, dflt);
	}
}

/* Topology, the --cpus selection and the plan, for commands that take them. */
static int resolve_cpus(struct ubench_opts *o)
{
	char err[256];

	if (topo_load(&o->topo, NULL, NULL, err, sizeof(err))) {
		opts_error(o, "cannot load this machine's topology: %s", err);
		return -1;
	}
	o->cpuset = hwloc_bitmap_alloc();
	if (!o->cpuset) {
		opts_error(o, "out of memory");
		return -1;
	}
	if (topo_select(o->topo, o->cpus_arg, o->cpuset, err, sizeof(err))) {
		opts_error(o, "--cpus %s: %s", o->cpus_arg ? o->cpus_arg : "(all)", err);
		return -1;
	}
	o->cpus = topo_cpu_array(o->cpuset, &o->n_cpus);
	if (!o->cpus) {
		opts_error(o, "--cpus %s: no usable CPU", o->cpus_arg ? o->cpus_arg : "(all)");
		return -1;
	}
	return 0;
}

enum opts_result opts_parse(struct ubench_opts *o, const struct opts_command *cmd,
			    int argc, char **argv)
{
	struct option longopts[NR_COMMON + MAX_OWN + 1];
	const char *plan_arg = NULL;
	size_t n = 0;
	uint64_t v;
	void *ctx = o->ctx;
	int c;

	*o = (struct ubench_opts){
		.cmd = cmd, .ctx = ctx, .repeat = DEFAULT_REPEAT, .plan = cmd->default_plan,
		.iterations = cmd->default_iterations, .duration_ns = cmd->default_duration_ns,
		.warmup = cmd->default_warmup,
	};
	for (int i = 0; i < QPWBENCH_NR_VARIANTS; i++)
		o->variant[i] = true;
	for (size_t i = 0; i < NR_COMMON; i++)
		if (!common[i].bit || (cmd->common & common[i].bit))
			longopts[n++] = common[i].opt;
	for (const struct option *own = cmd->own; own && own->name; own++) {
		if (n == NR_COMMON + MAX_OWN) {
			opts_error(o, "too many options (internal)");
			return OPTS_USAGE;
		}
		longopts[n++] = *own;
	}
	longopts[n] = (struct option){ 0 };

	opterr = 0;
	optind = 0;	/* GNU getopt: a full reset, commands may parse more than once per process */
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		const char *flag = argv[optind - 1];

		switch (c) {
		case O_CPUS: o->cpus_arg = optarg; break;
		case O_PLAN: plan_arg = optarg; break;
		case O_VARIANT:
			if (parse_variants(o, optarg))
				return OPTS_USAGE;
			break;
		case O_BACKEND:
			if (strcmp(optarg, "user") && strcmp(optarg, "kmod")) {
				opts_error(o, "--backend '%s': user or kmod", optarg);
				return OPTS_USAGE;
			}
			o->backend = optarg;
			break;
		case O_CSV: o->csv = optarg; break;
		case O_JSON: o->json = optarg; break;
		case O_REPEAT:
			if (opts_u64(o, "--repeat", optarg, 1, OPTS_MAX_REPEAT, &v))
				return OPTS_USAGE;
			o->repeat = (uint32_t)v;
			break;
		case O_ITERATIONS:
			if (opts_u64(o, "--iterations", optarg, 1, OPTS_MAX_ITERATIONS, &o->iterations))
				return OPTS_USAGE;
			break;
		case O_DURATION:
			if (opts_duration(o, "--duration", optarg, 1000, OPTS_MAX_DURATION_NS, &o->duration_ns))
				return OPTS_USAGE;
			break;
		case O_WARMUP:
			if (opts_u64(o, "--warmup", optarg, 0, OPTS_MAX_WARMUP, &v))
				return OPTS_USAGE;
			o->warmup = (uint32_t)v;
			break;
		case O_FIFO: o->fifo = true; break;
		case O_EVENTS: o->events = optarg; break;
		case O_LOCK_MODE:
			for (v = 0; v < QPWBENCH_NR_LOCK_MODES; v++)
				if (!strcmp(optarg, opts_lock_mode_names[v]))
					break;
			if (v == QPWBENCH_NR_LOCK_MODES) {
				opts_error(o, "--lock-mode: '%s' is not plain, irqsave or trylock", optarg);
				return OPTS_USAGE;
			}
			o->lock_mode = (uint32_t)v;
			break;
		case O_HELP:
			print_help(cmd);
			return OPTS_HELP;
		case ':':
			opts_error(o, "%s needs a value", flag);
			return OPTS_USAGE;
		case '?':
			opts_error(o, "unknown option '%s' (ubench %s --help)", flag, cmd->name);
			return OPTS_USAGE;
		default:
			if (c < OPTS_OWN_BASE || !cmd->handle) {
				opts_error(o, "unknown option '%s'", flag);
				return OPTS_USAGE;
			}
			if (cmd->handle(o, c, optarg))
				return OPTS_USAGE;
		}
	}
	if (optind < argc) {
		opts_error(o, "unexpected argument '%s' (ubench %s --help)", argv[optind], cmd->name);
		return OPTS_USAGE;
	}
	if (plan_arg) {
		char err[160];

		if (topo_plan_by_name(plan_arg, &o->plan, err, sizeof(err))) {
			opts_error(o, "--plan: %s", err);
			return OPTS_USAGE;
		}
	}
	if ((cmd->common & (OPT_CPUS | OPT_PLAN)) && resolve_cpus(o))
		return OPTS_USAGE;
	return OPTS_RUN;
}

void opts_free(struct ubench_opts *o)
{
	free(o->cpus);
	if (o->cpuset)
		hwloc_bitmap_free(o->cpuset);
	if (o->topo)
		topo_free(o->topo);
	o->cpus = NULL;
	o->cpuset = NULL;
	o->topo = NULL;
}
