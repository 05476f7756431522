// SPDX-License-Identifier: GPL-2.0
/*
 * ubench topo: what the topology layer sees. A summary of the machine (or of
 * an XML/synthetic topology), the distance class of every CPU pair, and the
 * sweep plans the measurement commands use.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "topo.h"

struct topo_args {
	const char *xml_file, *synthetic, *cpus, *plan;
	bool pairs, csv;
};

static void topo_usage(FILE *f)
{
	fprintf(f,
		"usage: ubench topo [--topology-file FILE.xml | --synthetic DESC] [--cpus LIST]\n"
		"                   [--pairs [--csv] | --plan classes|pairs|ramp|spread]\n"
		"\n"
		"Without --pairs or --plan: a summary (machine, arch, packages, NUMA nodes, L3\n"
		"caches, cores, PUs) and the number of CPU pairs per distance class.\n"
		"\n"
		"  --topology-file FILE  an hwloc XML topology instead of this machine\n"
		"  --synthetic DESC      an hwloc synthetic topology, e.g. \"pack:2 l3:2 core:4 pu:2\"\n"
		"  --cpus LIST           CPUs to consider (default: every online, allowed CPU):\n"
		"                        OS indices (0-3,8) and locations by logical index\n"
		"                        (package:0, die:0, l3:1, l2:4, cluster:1, core:2-5,\n"
		"                        pu:3, numa:0), comma-separated; a named CPU that is\n"
		"                        offline or not allowed is an error\n"
		"  --pairs               the distance class of every pair cpu_a < cpu_b\n"
		"  --csv                 with --pairs: CSV \"cpu_a,cpu_b,distance\"\n"
		"  --plan NAME           print a sweep plan, one step per line:\n"
		"                          classes  one pair per distance class from the first CPU\n"
		"                          pairs    every pair\n"
		"                          ramp     CPU counts 1..N, nearest CPUs first\n"
		"                          spread   CPU counts 1..N, across packages/L3s/cores first\n"
		"  --help                this text\n"
		"\n"
		"Distance classes, nearest first: smt, l2, cluster, l3, die, package, system;\n"
		"numa where a NUMA node is smaller than every other shared container.\n");
}

static int topo_fail(const char *msg)
{
	fprintf(stderr, "ubench topo: %s\n", msg);
	return EXIT_USAGE;
}

static int parse_args(struct topo_args *a, int argc, char **argv)
{
	enum { OPT_FILE = 0x100, OPT_SYNTH, OPT_CPUS, OPT_PAIRS, OPT_CSV, OPT_PLAN, OPT_HELP };
	static const struct option longopts[] = {
		{ "topology-file", required_argument, NULL, OPT_FILE },
		{ "synthetic", required_argument, NULL, OPT_SYNTH },
		{ "cpus", required_argument, NULL, OPT_CPUS },
		{ "pairs", no_argument, NULL, OPT_PAIRS },
		{ "csv", no_argument, NULL, OPT_CSV },
		{ "plan", required_argument, NULL, OPT_PLAN },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	char msg[256];
	int c;

	opterr = 0;	/* one error line, ours */
	optind = 0;	/* a full reset: another command may have parsed before */
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_FILE:	a->xml_file = optarg; break;
		case OPT_SYNTH:	a->synthetic = optarg; break;
		case OPT_CPUS:	a->cpus = optarg; break;
		case OPT_PAIRS:	a->pairs = true; break;
		case OPT_CSV:	a->csv = true; break;
		case OPT_PLAN:	a->plan = optarg; break;
		case 'h':
		case OPT_HELP:
			topo_usage(stdout);
			return EXIT_OK;
		default:
			if (optopt >= OPT_FILE)
				snprintf(msg, sizeof(msg), "option '%s' needs a value", argv[optind - 1]);
			else
				snprintf(msg, sizeof(msg), "unknown option '%s' (ubench topo --help)",
					 argv[optind - 1]);
			return topo_fail(msg);
		}
	}
	if (optind < argc) {
		snprintf(msg, sizeof(msg), "unexpected argument '%s' (ubench topo --help)", argv[optind]);
		return topo_fail(msg);
	}
	if (a->pairs && a->plan)
		return topo_fail("--pairs and --plan do not go together");
	if (a->csv && !a->pairs)
		return topo_fail("--csv goes with --pairs");
	return -1;
}

static void print_summary(const struct topo *t, hwloc_const_bitmap_t set)
{
	unsigned long long counts[TOPO_NR_CLASSES], total = 0;
	struct topo_summary s;
	char *list = NULL;

	topo_get_summary(t, &s);
	topo_count_pairs(t, set, counts);
	hwloc_bitmap_list_asprintf(&list, set);
	printf("machine:    %s\n", s.machine);
	printf("arch:       %s\n", s.arch);
	printf("cpu model:  %s\n", s.cpu_model);
	printf("packages:   %u\n", s.packages);
	printf("numa nodes: %u\n", s.numa_nodes);
	printf("l3 caches:  %u\n", s.l3_caches);
	printf("cores:      %u\n", s.cores);
	printf("pus:        %u (online and allowed)\n", s.pus);
	printf("selected:   %s (%d CPUs)\n", list ? list : "?", hwloc_bitmap_weight(set));
	printf("pairs per distance class:\n");
	for (int c = 0; c < TOPO_NR_CLASSES; c++) {
		printf("  %-8s %llu\n", topo_class_name((enum topo_class)c), counts[c]);
		total += counts[c];
	}
	printf("  %-8s %llu\n", "total", total);
	free(list);
}

static void print_pairs(const struct topo *t, hwloc_const_bitmap_t set, bool csv)
{
	int a, b;

	printf(csv ? "cpu_a,cpu_b,distance\n" : "cpu_a  cpu_b  distance\n");
	hwloc_bitmap_foreach_begin(a, set)
		b = a;
		while ((b = hwloc_bitmap_next(set, b)) >= 0) {
			const char *d = topo_class_name(topo_distance(t, (unsigned int)a, (unsigned int)b));

			printf(csv ? "%d,%d,%s\n" : "%5d  %5d  %s\n", a, b, d);
		}
	hwloc_bitmap_foreach_end();
}

static int print_plan(const struct topo *t, hwloc_const_bitmap_t set, const char *name)
{
	enum topo_plan_kind kind;
	struct topo_plan plan;
	char err[256];
	size_t buflen = 16;
	char *buf;

	if (topo_plan_by_name(name, &kind, err, sizeof(err)) ||
	    topo_plan_build(t, kind, set, &plan, err, sizeof(err)))
		return topo_fail(err);
	buflen += 11 * (size_t)hwloc_bitmap_weight(set);	/* ",4294967295" per CPU */
	buf = malloc(buflen);
	if (!buf) {
		topo_plan_free(&plan);
		return topo_fail("out of memory");
	}
	for (unsigned int i = 0; i < plan.n_steps; i++) {
		const struct topo_step *s = &plan.steps[i];

		topo_format_cpus(buf, buflen, s->cpus, s->n);
		printf("n=%u cpus=%s distance=%s\n", s->n, buf, topo_class_name(s->distance));
	}
	free(buf);
	topo_plan_free(&plan);
	return EXIT_OK;
}

int cmd_topo(int argc, char **argv)
{
	struct topo_args a = { 0 };
	hwloc_bitmap_t set = NULL;
	struct topo *t;
	char err[512];
	int rc = parse_args(&a, argc, argv);

	if (rc >= 0)
		return rc;
	if (topo_load(&t, a.xml_file, a.synthetic, err, sizeof(err)))
		return topo_fail(err);
	set = hwloc_bitmap_alloc();
	if (!set)
		rc = topo_fail("out of memory");
	else if (topo_select(t, a.cpus, set, err, sizeof(err)))
		rc = topo_fail(err);
	else if (a.plan)
		rc = print_plan(t, set, a.plan);
	else {
		if (a.pairs)
			print_pairs(t, set, a.csv);
		else
			print_summary(t, set);
		rc = EXIT_OK;
	}
	/* A full disk or a closed pipe is not a success. */
	if (rc == EXIT_OK && (fflush(stdout) || ferror(stdout)))
		rc = topo_fail("cannot write the output");
	hwloc_bitmap_free(set);
	topo_free(t);
	return rc;
}
