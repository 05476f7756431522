// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the topology layer.
 *
 *   test-topo files DIR   the real machines' XML topologies in DIR (the shared
 *                         topologies): pair counts per class, named pairs,
 *                         CPU selections, ramp/spread/classes plans
 *   test-topo synthetic DIR  hwloc synthetic topologies shaped like the cases
 *                         the shared files do not cover (sub-NUMA clustering,
 *                         Die, non-cluster Groups, NUMA bigger than a package,
 *                         Clusters below an SNC Group: DIR/snc-clusters.xml),
 *                         the plan invariants, and this machine
 *
 * Every expected value is derived by hand from the topology (lstopo --if xml
 * -i FILE --of console shows it) and the DESIGN.md rule; the reasoning is in
 * the comments. Pair counts are C(n,2) sums: C(2,2)=1, C(4,2)=6, C(8,2)=28,
 * C(16,2)=120, C(32,2)=496.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "topo.h"

static int failures, checks;

#define CHECK(cond, ...)						\
	do {								\
		checks++;						\
		if (!(cond)) {						\
			failures++;					\
			printf("FAIL %s:%d: ", __FILE__, __LINE__);	\
			printf(__VA_ARGS__);				\
			printf("\n");					\
		}							\
	} while (0)

static const char *topo_dir;
static const char *current;	/* the topology under test, for messages */

static struct topo *load(const char *file, const char *synthetic)
{
	char path[4096], err[512];
	struct topo *t;

	if (file)
		snprintf(path, sizeof(path), "%s/%s", topo_dir, file);
	current = file ? file : synthetic;
	if (topo_load(&t, file ? path : NULL, synthetic, err, sizeof(err))) {
		printf("FAIL: cannot load %s: %s\n", current, err);
		exit(1);
	}
	return t;
}

/* Expected pairs per class, in TOPO_CLASSES order: smt l2 cluster l3 die package system numa. */
static void expect_counts(struct topo *t, const unsigned long long want[TOPO_NR_CLASSES])
{
	unsigned long long got[TOPO_NR_CLASSES];

	topo_count_pairs(t, topo_usable(t), got);
	for (int c = 0; c < TOPO_NR_CLASSES; c++)
		CHECK(got[c] == want[c], "%s: %llu %s pairs, expected %llu", current, got[c],
		      topo_class_name((enum topo_class)c), want[c]);
}

static void expect_pair(struct topo *t, unsigned int a, unsigned int b, enum topo_class want)
{
	enum topo_class got = topo_distance(t, a, b), back = topo_distance(t, b, a);

	CHECK(got == want && back == want, "%s: distance(%u,%u) = %s / (%u,%u) = %s, expected %s",
	      current, a, b, topo_class_name(got), b, a, topo_class_name(back), topo_class_name(want));
}

/* A selection that must succeed and give exactly want (hwloc list syntax, "0-3,8"). */
static void expect_select(struct topo *t, const char *spec, const char *want)
{
	hwloc_bitmap_t set = hwloc_bitmap_alloc();
	char err[512] = "", *got = NULL;
	int rc = topo_select(t, spec, set, err, sizeof(err));

	hwloc_bitmap_list_asprintf(&got, set);
	CHECK(rc == 0 && got && !strcmp(got, want), "%s: select '%s' gave rc %d '%s' (%s), expected %s",
	      current, spec, rc, got ? got : "?", err, want);
	free(got);
	hwloc_bitmap_free(set);
}

/* A selection that must fail with an error line containing what. */
static void expect_select_error(struct topo *t, const char *spec, const char *what)
{
	hwloc_bitmap_t set = hwloc_bitmap_alloc();
	char err[512] = "";
	int rc = topo_select(t, spec, set, err, sizeof(err));

	CHECK(rc == -EINVAL && strstr(err, what) && !strchr(err, '\n'),
	      "%s: select '%s' gave rc %d, error '%s'; expected -EINVAL naming '%s'",
	      current, spec ? spec : "(null)", rc, err, what);
	hwloc_bitmap_free(set);
}

static void expect_order(struct topo *t, enum topo_plan_kind kind, const char *spec,
			 const unsigned int *want, unsigned int n)
{
	hwloc_bitmap_t set = hwloc_bitmap_alloc();
	unsigned int *got = calloc(n + 1, sizeof(*got));
	char err[512], gs[2048], ws[2048];

	CHECK(topo_select(t, spec, set, err, sizeof(err)) == 0, "%s: select %s: %s", current, spec, err);
	CHECK((unsigned int)hwloc_bitmap_weight(set) == n, "%s: '%s' has %d CPUs, expected %u",
	      current, spec, hwloc_bitmap_weight(set), n);
	if ((unsigned int)hwloc_bitmap_weight(set) == n) {
		CHECK(topo_order(t, kind, set, got) == 0, "%s: topo_order failed", current);
		topo_format_cpus(gs, sizeof(gs), got, n);
		topo_format_cpus(ws, sizeof(ws), want, n);
		CHECK(!strcmp(gs, ws), "%s: %s order of %s is %s, expected %s", current,
		      topo_plan_name(kind), spec, gs, ws);
	}
	free(got);
	hwloc_bitmap_free(set);
}

/* Step i of a ramp/spread plan has distance want. */
static void expect_step_distance(const struct topo_plan *p, unsigned int n, enum topo_class want)
{
	CHECK(n >= 1 && n <= p->n_steps && p->steps[n - 1].n == n && p->steps[n - 1].distance == want,
	      "%s: %s step n=%u has distance %s, expected %s", current, topo_plan_name(p->kind), n,
	      n >= 1 && n <= p->n_steps ? topo_class_name(p->steps[n - 1].distance) : "(none)",
	      topo_class_name(want));
}

static struct topo_plan build_plan(struct topo *t, enum topo_plan_kind kind, const char *spec)
{
	hwloc_bitmap_t set = hwloc_bitmap_alloc();
	struct topo_plan p = { 0 };
	char err[512];

	CHECK(topo_select(t, spec, set, err, sizeof(err)) == 0, "%s: select %s: %s", current, spec, err);
	CHECK(topo_plan_build(t, kind, set, &p, err, sizeof(err)) == 0, "%s: plan %s: %s", current,
	      topo_plan_name(kind), err);
	hwloc_bitmap_free(set);
	return p;
}

/* The classes plan from the first selected CPU: (partner, class) pairs in order. */
static void expect_classes(struct topo *t, const char *spec, unsigned int first,
			   const unsigned int *partner, const enum topo_class *cls, unsigned int n)
{
	struct topo_plan p = build_plan(t, TOPO_PLAN_CLASSES, spec);

	CHECK(p.n_steps == n, "%s: classes plan of %s has %u steps, expected %u", current, spec,
	      p.n_steps, n);
	for (unsigned int i = 0; i < n && i < p.n_steps; i++)
		CHECK(p.steps[i].n == 2 && p.steps[i].cpus[0] == first && p.steps[i].cpus[1] == partner[i] &&
		      p.steps[i].distance == cls[i],
		      "%s: classes step %u is %u,%u %s, expected %u,%u %s", current, i,
		      p.steps[i].cpus[0], p.steps[i].cpus[1], topo_class_name(p.steps[i].distance),
		      first, partner[i], topo_class_name(cls[i]));
	topo_plan_free(&p);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define COUNTS(smt, l2, cluster, l3, die, package, system, numa) \
	((const unsigned long long[TOPO_NR_CLASSES]){ smt, l2, cluster, l3, die, package, system, numa })

/* ---- the shared real machines ------------------------------------------- */

/*
 * 16em64t-4s2c2t: 4 packages, each = one L3; 2 cores per package, each with
 * its own L2; 2 PUs per core; one NUMA node for the whole machine. OS
 * numbering is interleaved: package p holds cores {p, p+8} and {p+4, p+12}.
 *   smt: a core's two PUs (the Core and its L2 hold the same 2 PUs: smt wins
 *        the tie): 8 cores -> 8 pairs.
 *   l3: same package, other core: L3 and Package hold the same 4 PUs, l3 wins
 *       the tie: 4 packages x (6 - 2) = 16.
 *   system: different packages: the Machine (16 PUs), and the NUMA node is
 *           the same 16 PUs, not strictly smaller: 120 - 24 = 96.
 */
static void test_16em64t(void)
{
	struct topo *t = load("16em64t-4s2c2t.xml", NULL);
	static const unsigned int ramp0[] = {
		0, 8,			/* SMT sibling */
		4, 12,			/* the other core of package 0 (l3) */
		1, 9, 5, 13, 2, 10, 6, 14, 3, 11, 7, 15,	/* other packages, logical order */
	};
	/* Round-robin over packages, then cores, then PUs: OS order on this numbering. */
	static const unsigned int spread[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
	/*
	 * Selection 5-15, first CPU 5 (package 1: cores {1,9} and {5,13}): its
	 * SMT sibling 13, then 9 (same package; 1 is not selected), then every
	 * other package in logical PU order (L#1 P#8, L#3 P#12, L#9 P#10, L#10
	 * P#6, L#11 P#14, L#13 P#11, L#14 P#7, L#15 P#15).
	 */
	static const unsigned int ramp5[] = { 5, 13, 9, 8, 12, 10, 6, 14, 11, 7, 15 };

	expect_counts(t, COUNTS(8, 0, 0, 16, 0, 0, 96, 0));
	expect_pair(t, 0, 8, TOPO_SMT);
	expect_pair(t, 4, 12, TOPO_SMT);
	expect_pair(t, 7, 15, TOPO_SMT);
	expect_pair(t, 0, 4, TOPO_L3);
	expect_pair(t, 1, 13, TOPO_L3);
	expect_pair(t, 3, 15, TOPO_L3);
	expect_pair(t, 0, 1, TOPO_SYSTEM);
	expect_pair(t, 8, 9, TOPO_SYSTEM);
	expect_pair(t, 0, 0, TOPO_CLASS_NONE);
	expect_pair(t, 0, 16, TOPO_CLASS_NONE);

	/* Selections: logical indices of each type vs OS numbering. */
	expect_select(t, NULL, "0-15");
	expect_select(t, "all", "0-15");
	expect_select(t, "0-3,8", "0-3,8");
	expect_select(t, "8,0-3,2", "0-3,8");
	expect_select(t, "package:1", "1,5,9,13");
	expect_select(t, "l3:1", "1,5,9,13");
	expect_select(t, "core:2-3", "1,5,9,13");	/* cores L#2, L#3 are package 1's */
	expect_select(t, "l2:4", "2,10");		/* L2 L#4 is core L#4: P#2, P#10 */
	expect_select(t, "pu:3", "12");			/* PU L#3 is P#12 */
	expect_select(t, "numa:0", "0-15");
	expect_select(t, "package:0,pu:4,15", "0-1,4,8,12,15");
	expect_select_error(t, "die:0", "die:0");	/* no Die objects here */
	expect_select_error(t, "cluster:0", "cluster:0");
	expect_select_error(t, "package:4", "package:4");
	expect_select_error(t, "16", "CPU 16");
	expect_select_error(t, "0-16", "CPU 16");

	expect_order(t, TOPO_PLAN_RAMP, "all", ramp0, N(ramp0));
	expect_order(t, TOPO_PLAN_RAMP, "5-15", ramp5, N(ramp5));
	expect_order(t, TOPO_PLAN_SPREAD, "all", spread, N(spread));
	{
		static const enum topo_class cls[] = { TOPO_SMT, TOPO_L3, TOPO_SYSTEM };
		static const unsigned int partner[] = { 8, 4, 1 };

		expect_classes(t, "all", 0, partner, cls, N(cls));
	}
	topo_free(t);
}

/*
 * 16em64t-4s2c2t-offlines: the same machine with PUs 2, 5, 13, 14 offline
 * (12 left). Package 0 intact: cores {0,8} {4,12}. Package 1: one core
 * {1,9}. Package 2: cores {3,11} {7,15}. Package 3: two one-PU cores {6}
 * and {10}. Logical PU order: 0 8 4 12 1 9 3 11 7 15 6 10.
 *   smt: {0,8} {4,12} {1,9} {3,11} {7,15} = 5.
 *   l3: package 0: 4 cross-core pairs; package 2: 4; package 3: (6,10),
 *       whose Cores and L2s hold one PU each, so the smallest common
 *       container is the L3 (= Package, 2 PUs; l3 wins the tie): 9.
 *   system: C(12,2) - 14 = 52.
 */
static void test_16em64t_offlines(void)
{
	struct topo *t = load("16em64t-4s2c2t-offlines.xml", NULL);
	static const unsigned int ramp0[] = { 0, 8, 4, 12, 1, 9, 3, 11, 7, 15, 6, 10 };
	/*
	 * Round-robin over packages of their own round-robins: package 0 gives
	 * 0 4 8 12, package 1 gives 1 9, package 2 gives 3 7 11 15, package 3
	 * gives 6 10; interleaved: 0 1 3 6 4 9 7 10 8 11 12 15. Then first
	 * threads before SMT siblings (9 8 11 12 15 are second threads).
	 */
	static const unsigned int spread[] = { 0, 1, 3, 6, 4, 7, 10, 9, 8, 11, 12, 15 };

	expect_counts(t, COUNTS(5, 0, 0, 9, 0, 0, 52, 0));
	expect_pair(t, 0, 8, TOPO_SMT);
	expect_pair(t, 1, 9, TOPO_SMT);
	expect_pair(t, 3, 11, TOPO_SMT);
	expect_pair(t, 6, 10, TOPO_L3);
	expect_pair(t, 3, 7, TOPO_L3);
	expect_pair(t, 0, 1, TOPO_SYSTEM);
	expect_pair(t, 9, 10, TOPO_SYSTEM);
	expect_pair(t, 0, 2, TOPO_CLASS_NONE);		/* 2 is offline */
	expect_pair(t, 13, 5, TOPO_CLASS_NONE);

	expect_select(t, NULL, "0-1,3-4,6-12,15");
	expect_select(t, "package:1", "1,9");
	expect_select(t, "package:3", "6,10");
	expect_select(t, "core:5", "6");
	expect_select(t, "pu:11", "10");
	expect_select(t, "l2:6", "10");
	expect_select(t, "core:0-2", "0-1,4,8-9,12");
	/* A named offline CPU is an error, also inside a range: never dropped silently. */
	expect_select_error(t, "2", "CPU 2");
	expect_select_error(t, "0-15", "CPU 2");
	expect_select_error(t, "0,1,14", "CPU 14");
	expect_select_error(t, "13", "CPU 13");
	expect_select_error(t, "core:7", "core:7");	/* 7 cores left: core:0-6 */
	expect_select_error(t, "pu:12", "pu:12");

	expect_order(t, TOPO_PLAN_RAMP, NULL, ramp0, N(ramp0));
	expect_order(t, TOPO_PLAN_SPREAD, NULL, spread, N(spread));
	{
		static const enum topo_class cls[] = { TOPO_SMT, TOPO_L3, TOPO_SYSTEM };
		static const unsigned int partner[] = { 8, 4, 1 };

		expect_classes(t, NULL, 0, partner, cls, N(cls));
	}
	{
		/* From CPU 6 (one-PU core): no SMT sibling, 10 shares the L3. */
		static const enum topo_class cls[] = { TOPO_L3, TOPO_SYSTEM };
		static const unsigned int partner[] = { 10, 15 };

		expect_classes(t, "6,10,15", 6, partner, cls, N(cls));
	}
	topo_free(t);
}

/*
 * 20em64t-hybrid-1p6c2t+2ca4co1t: one package = one L3 = the Machine (20
 * PUs), one NUMA node (20). P-cores: core i = PUs {2i, 2i+1}, i = 0..5, each
 * with its own L2. E-cores: PUs 12-15 share L2 L#6, 16-19 share L2 L#7, one
 * PU per core. Logical order = OS order.
 *   smt: 6. l2: two E-core L2s x C(4,2) = 12.
 *   l3: everything else (L3 = Package = Machine = NUMA node, 20 PUs; l3
 *       wins the tie): C(20,2) - 18 = 172.
 */
static void test_hybrid(void)
{
	struct topo *t = load("20em64t-hybrid-1p6c2t+2ca4co1t.xml", NULL);
	unsigned int ramp[20];
	/*
	 * Round-robin over the 8 L2s: P L2 i gives 2i, 2i+1; E L2s give their 4
	 * cores. Round 0: 0 2 4 6 8 10 12 16, round 1: 1 3 5 7 9 11 13 17,
	 * rounds 2-3: 14 18 15 19; then first threads before SMT siblings.
	 */
	static const unsigned int spread[] = {
		0, 2, 4, 6, 8, 10, 12, 16, 13, 17, 14, 18, 15, 19, 1, 3, 5, 7, 9, 11,
	};
	struct topo_plan p;

	expect_counts(t, COUNTS(6, 12, 0, 172, 0, 0, 0, 0));
	expect_pair(t, 0, 1, TOPO_SMT);
	expect_pair(t, 10, 11, TOPO_SMT);
	expect_pair(t, 0, 2, TOPO_L3);
	expect_pair(t, 1, 2, TOPO_L3);
	expect_pair(t, 11, 12, TOPO_L3);
	expect_pair(t, 12, 13, TOPO_L2);
	expect_pair(t, 12, 15, TOPO_L2);
	expect_pair(t, 16, 19, TOPO_L2);
	expect_pair(t, 15, 16, TOPO_L3);
	expect_pair(t, 0, 19, TOPO_L3);

	expect_select(t, "l2:6", "12-15");
	expect_select(t, "l2:0-1", "0-3");
	expect_select(t, "core:6-9", "12-15");
	expect_select(t, "core:5-6", "10-12");
	expect_select(t, "l3:0", "0-19");
	expect_select_error(t, "l3:1", "l3:1");
	expect_select_error(t, "20", "CPU 20");

	/*
	 * Ramp from 0: its SMT sibling 1, then every other CPU shares only the
	 * L3: logical order. With the E-cores selected alone, 12 is the first
	 * CPU: 13 14 15 share its L2, then 16-19 share the L3.
	 */
	for (unsigned int i = 0; i < 20; i++)
		ramp[i] = i;
	expect_order(t, TOPO_PLAN_RAMP, NULL, ramp, 20);
	expect_order(t, TOPO_PLAN_RAMP, "12-19", ramp + 12, 8);
	expect_order(t, TOPO_PLAN_SPREAD, NULL, spread, N(spread));
	p = build_plan(t, TOPO_PLAN_RAMP, NULL);
	expect_step_distance(&p, 1, TOPO_CLASS_NONE);
	expect_step_distance(&p, 2, TOPO_SMT);
	expect_step_distance(&p, 3, TOPO_L3);
	expect_step_distance(&p, 20, TOPO_L3);
	topo_plan_free(&p);
	p = build_plan(t, TOPO_PLAN_RAMP, "12-19");
	expect_step_distance(&p, 4, TOPO_L2);
	expect_step_distance(&p, 5, TOPO_L3);
	topo_plan_free(&p);
	{
		static const enum topo_class cls[] = { TOPO_SMT, TOPO_L3 };
		static const unsigned int partner[] = { 1, 2 };

		expect_classes(t, NULL, 0, partner, cls, N(cls));
	}
	{
		static const enum topo_class cls[] = { TOPO_L2, TOPO_L3 };
		static const unsigned int partner[] = { 13, 16 };

		expect_classes(t, "12-19", 12, partner, cls, N(cls));
	}
	topo_free(t);
}

/*
 * 64amd64-4s2n4ca2co: 4 packages x 2 L3 (8 cores each) x 4 L2 (2 cores
 * each); one core = one PU; each L3 has its own NUMA node with the same 8
 * PUs (not strictly smaller: the L3 names those pairs). OS order = logical.
 * CPU c: package c/16, L3 c/8, L2 c/2.
 *   l2: 32 L2s x 1 = 32.
 *   l3: 8 L3s x (C(8,2) - 4) = 192.
 *   package: 4 packages x 8 x 8 (one CPU in each L3) = 256.
 *   system: C(64,2) - 480 = 1536.
 */
static void test_64amd(void)
{
	struct topo *t = load("64amd64-4s2n4ca2co.xml", NULL);
	struct topo_plan p;

	expect_counts(t, COUNTS(0, 32, 0, 192, 0, 256, 1536, 0));
	expect_pair(t, 0, 1, TOPO_L2);
	expect_pair(t, 62, 63, TOPO_L2);
	expect_pair(t, 0, 2, TOPO_L3);
	expect_pair(t, 1, 2, TOPO_L3);
	expect_pair(t, 8, 15, TOPO_L3);
	expect_pair(t, 0, 8, TOPO_PACKAGE);
	expect_pair(t, 7, 8, TOPO_PACKAGE);
	expect_pair(t, 48, 63, TOPO_PACKAGE);
	expect_pair(t, 0, 16, TOPO_SYSTEM);
	expect_pair(t, 15, 16, TOPO_SYSTEM);

	expect_select(t, "numa:3", "24-31");
	expect_select(t, "l3:3", "24-31");
	expect_select(t, "package:1", "16-31");
	expect_select(t, "l2:31", "62-63");
	expect_select(t, "numa:0,numa:7", "0-7,56-63");
	expect_select_error(t, "numa:8", "numa:8");

	/* Ramp from 0: L2 partner 1, its L3 2-7, its package 8-15, then 16-63. */
	p = build_plan(t, TOPO_PLAN_RAMP, NULL);
	for (unsigned int i = 0; i < p.n_steps; i++)
		CHECK(p.storage[i] == i, "%s: ramp position %u is CPU %u", current, i, p.storage[i]);
	expect_step_distance(&p, 2, TOPO_L2);
	expect_step_distance(&p, 3, TOPO_L3);
	expect_step_distance(&p, 8, TOPO_L3);
	expect_step_distance(&p, 9, TOPO_PACKAGE);
	expect_step_distance(&p, 16, TOPO_PACKAGE);
	expect_step_distance(&p, 17, TOPO_SYSTEM);
	topo_plan_free(&p);
	/* Spread: one CPU per package (0 16 32 48), then the other L3s (8 24 40 56). */
	p = build_plan(t, TOPO_PLAN_SPREAD, NULL);
	CHECK(p.n_steps == 64 && p.storage[0] == 0 && p.storage[1] == 16 && p.storage[2] == 32 &&
	      p.storage[3] == 48 && p.storage[4] == 8 && p.storage[5] == 24 && p.storage[7] == 56 &&
	      p.storage[8] == 2, "%s: spread starts %u %u %u %u %u %u .. %u, %u", current,
	      p.storage[0], p.storage[1], p.storage[2], p.storage[3], p.storage[4], p.storage[5],
	      p.storage[7], p.storage[8]);
	topo_plan_free(&p);
	{
		static const enum topo_class cls[] = { TOPO_L2, TOPO_L3, TOPO_PACKAGE, TOPO_SYSTEM };
		static const unsigned int partner[] = { 1, 2, 8, 16 };

		expect_classes(t, NULL, 0, partner, cls, N(cls));
	}
	topo_free(t);
}

/*
 * 128arm-2pa2n8cluster4co: 2 packages x 2 L3 (32 cores each) x 8 clusters
 * (Group subtype Cluster, 4 cores each); every core has its own L2 (so the
 * Core and its L2 hold one PU); one PU per core; each L3 has a NUMA node with
 * the same 32 PUs (not strictly smaller: l3). OS order = logical. CPU c:
 * package c/64, L3 c/32, cluster c/4.
 *   cluster: 32 clusters x C(4,2) = 192.
 *   l3: 4 L3s x (C(32,2) - 8 x 6) = 4 x 448 = 1792.
 *   package: 2 x 32 x 32 = 2048.
 *   system: 64 x 64 = 4096.
 */
static void test_128arm(void)
{
	struct topo *t = load("128arm-2pa2n8cluster4co.xml", NULL);
	unsigned int spread[128], ramp[128], n = 0;
	struct topo_plan p;

	expect_counts(t, COUNTS(0, 0, 192, 1792, 0, 2048, 4096, 0));
	expect_pair(t, 0, 1, TOPO_CLUSTER);
	expect_pair(t, 0, 3, TOPO_CLUSTER);
	expect_pair(t, 64, 65, TOPO_CLUSTER);
	expect_pair(t, 3, 4, TOPO_L3);
	expect_pair(t, 0, 31, TOPO_L3);
	expect_pair(t, 96, 127, TOPO_L3);
	expect_pair(t, 31, 32, TOPO_PACKAGE);
	expect_pair(t, 0, 63, TOPO_PACKAGE);
	expect_pair(t, 63, 64, TOPO_SYSTEM);
	expect_pair(t, 0, 127, TOPO_SYSTEM);

	expect_select(t, "cluster:1", "4-7");
	expect_select(t, "cluster:31", "124-127");
	expect_select(t, "cluster:2-3,package:1", "8-15,64-127");
	expect_select(t, "numa:1", "32-63");
	expect_select(t, "l2:100", "100");
	expect_select_error(t, "cluster:32", "cluster:32");

	/*
	 * Ramp from 0: its cluster (1-3), its L3 (4-31), its package (32-63),
	 * then the other package: 0..127 in order, with the class stepping up
	 * at n = 2, 5, 33, 65.
	 */
	for (unsigned int i = 0; i < 128; i++)
		ramp[i] = i;
	expect_order(t, TOPO_PLAN_RAMP, NULL, ramp, 128);
	p = build_plan(t, TOPO_PLAN_RAMP, NULL);
	expect_step_distance(&p, 1, TOPO_CLASS_NONE);
	expect_step_distance(&p, 2, TOPO_CLUSTER);
	expect_step_distance(&p, 4, TOPO_CLUSTER);
	expect_step_distance(&p, 5, TOPO_L3);
	expect_step_distance(&p, 32, TOPO_L3);
	expect_step_distance(&p, 33, TOPO_PACKAGE);
	expect_step_distance(&p, 64, TOPO_PACKAGE);
	expect_step_distance(&p, 65, TOPO_SYSTEM);
	expect_step_distance(&p, 128, TOPO_SYSTEM);
	topo_plan_free(&p);
	/* From 6 within 6-127: 7 (cluster; 4, 5 not selected), 8-31, 32-63, 64-127. */
	expect_order(t, TOPO_PLAN_RAMP, "6-127", ramp + 6, 122);

	/*
	 * Spread: packages alternate fastest, then the L3s of a package, then
	 * the clusters of an L3, then the cores of a cluster:
	 * CPU = 64 p + 32 l + 4 c + k for k, c, l, p in nested loops.
	 */
	for (unsigned int k = 0; k < 4; k++)
		for (unsigned int c = 0; c < 8; c++)
			for (unsigned int l = 0; l < 2; l++)
				for (unsigned int pk = 0; pk < 2; pk++)
					spread[n++] = 64 * pk + 32 * l + 4 * c + k;
	expect_order(t, TOPO_PLAN_SPREAD, NULL, spread, 128);
	{
		static const enum topo_class cls[] = { TOPO_CLUSTER, TOPO_L3, TOPO_PACKAGE, TOPO_SYSTEM };
		static const unsigned int partner[] = { 1, 4, 32, 64 };

		expect_classes(t, NULL, 0, partner, cls, N(cls));
	}
	topo_free(t);
}

/*
 * 2arm-2c: Machine = Package (2 PUs), two one-PU cores, no L2/L3 objects.
 * The pair's smallest container is the Package (= Machine = NUMA node, 2
 * PUs): package beats system and numa in the tie order.
 */
static void test_2arm(void)
{
	struct topo *t = load("2arm-2c.xml", NULL);
	static const unsigned int order[] = { 0, 1 };
	struct topo_summary s;

	expect_counts(t, COUNTS(0, 0, 0, 0, 0, 1, 0, 0));
	expect_pair(t, 0, 1, TOPO_PACKAGE);
	expect_select(t, "core:1", "1");
	expect_select_error(t, "l3:0", "it has no l3");
	expect_select_error(t, "2", "CPU 2");
	expect_order(t, TOPO_PLAN_RAMP, NULL, order, 2);
	expect_order(t, TOPO_PLAN_SPREAD, NULL, order, 2);
	topo_get_summary(t, &s);
	CHECK(!strcmp(s.arch, "arm") && !strcmp(s.cpu_model, "ARMv7 Processor rev 1 (v7l)") &&
	      !strcmp(s.machine, "unknown") && s.packages == 1 && s.numa_nodes == 1 &&
	      s.l3_caches == 0 && s.cores == 2 && s.pus == 2,
	      "%s: summary %s / %s / %s %u %u %u %u %u", current, s.machine, s.arch, s.cpu_model,
	      s.packages, s.numa_nodes, s.l3_caches, s.cores, s.pus);
	topo_free(t);
}

/* Summaries: counts from lstopo, strings trimmed (the DMI name is space-padded). */
static void test_summaries(void)
{
	struct topo *t = load("64amd64-4s2n4ca2co.xml", NULL);
	struct topo_summary s;

	topo_get_summary(t, &s);
	CHECK(!strcmp(s.machine, "PowerEdge C6145") && !strcmp(s.arch, "x86_64") &&
	      !strcmp(s.cpu_model, "AMD Opteron(TM) Processor 6276") && s.packages == 4 &&
	      s.numa_nodes == 8 && s.l3_caches == 8 && s.cores == 64 && s.pus == 64,
	      "%s: summary '%s' / %s / '%s' %u %u %u %u %u", current, s.machine, s.arch, s.cpu_model,
	      s.packages, s.numa_nodes, s.l3_caches, s.cores, s.pus);
	topo_free(t);
	t = load("16em64t-4s2c2t-offlines.xml", NULL);
	topo_get_summary(t, &s);
	CHECK(s.packages == 4 && s.cores == 7 && s.pus == 12 && !strcmp(s.arch, "unknown"),
	      "%s: summary %u packages %u cores %u PUs arch %s", current, s.packages, s.cores, s.pus, s.arch);
	topo_free(t);
}

/* Every file in the directory is covered above: a new one needs its expectations. */
static void test_dir_is_covered(void)
{
	static const char *const known[] = {
		"128arm-2pa2n8cluster4co.xml", "16em64t-4s2c2t-offlines.xml", "16em64t-4s2c2t.xml",
		"20em64t-hybrid-1p6c2t+2ca4co1t.xml", "2arm-2c.xml", "64amd64-4s2n4ca2co.xml",
	};
	char path[4096];
	struct stat st;

	for (unsigned int i = 0; i < N(known); i++) {
		snprintf(path, sizeof(path), "%s/%s", topo_dir, known[i]);
		CHECK(stat(path, &st) == 0, "%s is missing", path);
	}
}

/* ---- synthetic topologies: the shapes the shared files do not have ------ */

/* The plan invariants, on any topology: what every consumer relies on. */
static void check_plans(struct topo *t)
{
	hwloc_const_bitmap_t all = topo_usable(t);
	unsigned int n, *cpus = topo_cpu_array(all, &n);
	unsigned long long pairs = (unsigned long long)n * (n - 1) / 2;
	struct topo_plan p;
	char err[256];

	if (n < 2) {
		free(cpus);
		return;
	}
	CHECK(topo_plan_build(t, TOPO_PLAN_PAIRS, all, &p, err, sizeof(err)) == 0, "%s: %s", current, err);
	CHECK(p.n_steps == pairs, "%s: pairs plan has %u steps, expected %llu", current, p.n_steps, pairs);
	for (unsigned int i = 0; i < p.n_steps; i++)
		CHECK(p.steps[i].n == 2 && p.steps[i].cpus[0] < p.steps[i].cpus[1] &&
		      p.steps[i].distance == topo_distance(t, p.steps[i].cpus[0], p.steps[i].cpus[1]) &&
		      p.steps[i].distance != TOPO_CLASS_NONE,
		      "%s: pairs step %u is wrong", current, i);
	topo_plan_free(&p);

	for (int kind = TOPO_PLAN_RAMP; kind <= TOPO_PLAN_SPREAD; kind++) {
		hwloc_bitmap_t seen = hwloc_bitmap_alloc();

		CHECK(topo_plan_build(t, (enum topo_plan_kind)kind, all, &p, err, sizeof(err)) == 0,
		      "%s: %s", current, err);
		CHECK(p.n_steps == n && p.steps[0].cpus[0] == cpus[0],
		      "%s: %s plan has %u steps starting at %u", current,
		      topo_plan_name((enum topo_plan_kind)kind), p.n_steps, p.steps[0].cpus[0]);
		for (unsigned int i = 0; i < p.n_steps; i++) {
			CHECK(p.steps[i].n == i + 1 && p.steps[i].cpus == p.steps[0].cpus &&
			      !hwloc_bitmap_isset(seen, p.storage[i]) && hwloc_bitmap_isset(all, p.storage[i]),
			      "%s: %s step %u is not the next prefix", current,
			      topo_plan_name((enum topo_plan_kind)kind), i);
			hwloc_bitmap_set(seen, p.storage[i]);
		}
		CHECK(hwloc_bitmap_isequal(seen, all), "%s: %s order misses CPUs", current,
		      topo_plan_name((enum topo_plan_kind)kind));
		hwloc_bitmap_free(seen);
		topo_plan_free(&p);
	}

	/* classes: one step per class present from the first CPU, its lowest-numbered partner. */
	CHECK(topo_plan_build(t, TOPO_PLAN_CLASSES, all, &p, err, sizeof(err)) == 0, "%s: %s", current, err);
	for (int c = 0; c < TOPO_NR_CLASSES; c++) {
		unsigned int lowest = 0, steps = 0;
		bool present = false;

		for (unsigned int i = 1; i < n && !present; i++)
			if (topo_distance(t, cpus[0], cpus[i]) == (enum topo_class)c) {
				present = true;
				lowest = cpus[i];
			}
		for (unsigned int i = 0; i < p.n_steps; i++)
			if (p.steps[i].distance == (enum topo_class)c) {
				steps++;
				CHECK(p.steps[i].cpus[0] == cpus[0] && p.steps[i].cpus[1] == lowest,
				      "%s: classes step for %s is %u,%u, expected %u,%u", current,
				      topo_class_name((enum topo_class)c), p.steps[i].cpus[0],
				      p.steps[i].cpus[1], cpus[0], lowest);
			}
		CHECK(steps == (present ? 1u : 0u), "%s: %u classes steps for %s", current, steps,
		      topo_class_name((enum topo_class)c));
	}
	topo_plan_free(&p);
	free(cpus);
}

/*
 * Sub-NUMA clustering: each package holds 2 NUMA nodes (hwloc puts a Group
 * under the package holding the node), each node 2 L3s of 4 two-thread
 * cores. 64 PUs: package 32, NUMA node 16, L3 8, core 2.
 *   smt 32; l3: 8 L3s x (28 - 4) = 192; numa: the node (16) is strictly
 *   smaller than the package: 4 nodes x 8 x 8 = 256; package: 2 x 16 x 16 =
 *   512; system: 32 x 32 = 1024.
 * The ramp must take the NUMA node before the rest of the package although
 * numa sorts last in the tie order: it is the smaller container.
 */
static void test_snc(void)
{
	struct topo *t = load(NULL, "pack:2 numa:2 l3:2 core:4 pu:2");
	unsigned int order[64];
	struct topo_plan p;

	expect_counts(t, COUNTS(32, 0, 0, 192, 0, 512, 1024, 256));
	expect_pair(t, 0, 1, TOPO_SMT);
	expect_pair(t, 0, 2, TOPO_L3);
	expect_pair(t, 0, 8, TOPO_NUMA);
	expect_pair(t, 15, 16, TOPO_PACKAGE);
	expect_pair(t, 31, 32, TOPO_SYSTEM);
	expect_select(t, "numa:1", "16-31");
	expect_select(t, "numa:1,l3:0", "0-7,16-31");
	for (unsigned int i = 0; i < 64; i++)
		order[i] = i;
	expect_order(t, TOPO_PLAN_RAMP, NULL, order, 64);
	p = build_plan(t, TOPO_PLAN_RAMP, NULL);
	expect_step_distance(&p, 2, TOPO_SMT);
	expect_step_distance(&p, 3, TOPO_L3);
	expect_step_distance(&p, 9, TOPO_NUMA);
	expect_step_distance(&p, 17, TOPO_PACKAGE);
	expect_step_distance(&p, 33, TOPO_SYSTEM);
	topo_plan_free(&p);
	{
		static const enum topo_class cls[] = { TOPO_SMT, TOPO_L3, TOPO_NUMA, TOPO_PACKAGE, TOPO_SYSTEM };
		static const unsigned int partner[] = { 1, 2, 8, 16, 32 };

		expect_classes(t, NULL, 0, partner, cls, N(cls));
	}
	check_plans(t);
	topo_free(t);

	/*
	 * NUMA nodes inside one L3 per package (16 PUs): node 8 PUs < L3:
	 * numa: 4 nodes x (28 - 4) = 96; l3: 2 x 8 x 8 = 128 (L3 = Package,
	 * l3 wins); smt 16; system 256.
	 */
	t = load(NULL, "pack:2 l3:1 numa:2 core:4 pu:2");
	expect_counts(t, COUNTS(16, 0, 0, 128, 0, 0, 256, 96));
	expect_pair(t, 0, 2, TOPO_NUMA);
	expect_pair(t, 0, 8, TOPO_L3);
	check_plans(t);
	topo_free(t);

	/*
	 * A NUMA node larger than a package (2 packages each): 4 < 8 PUs of the
	 * Machine, so cross-package pairs inside a node are numa: 2 x 2 x 2 = 8;
	 * package 4 x 1 = 4; system 4 x 4 = 16.
	 */
	t = load(NULL, "numa:2 pack:2 core:2 pu:1");
	expect_counts(t, COUNTS(0, 0, 0, 0, 0, 4, 16, 8));
	expect_pair(t, 0, 1, TOPO_PACKAGE);
	expect_pair(t, 0, 2, TOPO_NUMA);
	expect_pair(t, 0, 4, TOPO_SYSTEM);
	check_plans(t);
	topo_free(t);
}

/*
 * Dies: a package of 2 dies, each with 2 L3s of 2 one-thread cores.
 *   l3 4 x 1 = 4; die 2 x 2 x 2 = 8; package 4 x 4 = 16.
 * When the die is one L3, l3 wins the tie: l3 2 x 6 = 12, package 16.
 */
static void test_dies(void)
{
	struct topo *t = load(NULL, "pack:1 die:2 l3:2 core:2 pu:1");

	expect_counts(t, COUNTS(0, 0, 0, 4, 8, 16, 0, 0));
	expect_pair(t, 0, 1, TOPO_L3);
	expect_pair(t, 0, 2, TOPO_DIE);
	expect_pair(t, 0, 4, TOPO_PACKAGE);
	expect_select(t, "die:1", "4-7");
	expect_select_error(t, "die:2", "die:2");
	check_plans(t);
	topo_free(t);

	t = load(NULL, "pack:1 die:2 l3:1 core:4 pu:1");
	expect_counts(t, COUNTS(0, 0, 0, 12, 0, 16, 0, 0));
	check_plans(t);
	topo_free(t);
}

/*
 * Shared L2s and plain Groups, no L3.
 * "pack:2 group:2 l2:2 core:2 pu:1": a Group that is not a Cluster is
 * skipped, so cross-L2 pairs in one group belong to the package:
 *   l2 8 x 1 = 8; package 2 x (28 - 4) = 48; system 8 x 8 = 64.
 * "pack:1 l3:1 l2:2 core:2 pu:2": L2 shared by 2 SMT cores:
 *   smt 4; l2 2 x (6 - 2) = 8; l3 4 x 4 = 16.
 * "pack:2 core:1 pu:2": a core is its whole package: smt wins the tie:
 *   smt 2, system 4.
 */
static void test_l2_groups(void)
{
	struct topo *t = load(NULL, "pack:2 group:2 l2:2 core:2 pu:1");

	expect_counts(t, COUNTS(0, 8, 0, 0, 0, 48, 64, 0));
	expect_pair(t, 0, 1, TOPO_L2);
	expect_pair(t, 0, 2, TOPO_PACKAGE);
	expect_pair(t, 0, 8, TOPO_SYSTEM);
	expect_select_error(t, "cluster:0", "cluster:0");	/* plain Groups are no clusters */
	check_plans(t);
	topo_free(t);

	t = load(NULL, "pack:1 l3:1 l2:2 core:2 pu:2");
	expect_counts(t, COUNTS(4, 8, 0, 16, 0, 0, 0, 0));
	expect_pair(t, 0, 1, TOPO_SMT);
	expect_pair(t, 0, 2, TOPO_L2);
	expect_pair(t, 1, 4, TOPO_L3);
	{
		/* Spread: one thread per core across the L2s, then the SMT siblings. */
		static const unsigned int spread[] = { 0, 4, 2, 6, 1, 5, 3, 7 };
		static const unsigned int ramp[] = { 0, 1, 2, 3, 4, 5, 6, 7 };

		expect_order(t, TOPO_PLAN_SPREAD, NULL, spread, N(spread));
		expect_order(t, TOPO_PLAN_RAMP, NULL, ramp, N(ramp));
	}
	check_plans(t);
	topo_free(t);

	t = load(NULL, "pack:2 core:1 pu:2");
	expect_counts(t, COUNTS(2, 0, 0, 0, 0, 0, 4, 0));
	check_plans(t);
	topo_free(t);
}

/*
 * snc-clusters.xml (in this directory): lstopo's XML of the synthetic
 * "pack:2 numa:2 group:2 core:2 pu:2" with subtype="Cluster" added to the
 * inner Groups: a plain Group holding each NUMA node (sub-NUMA clustering)
 * at one depth, Cluster groups at another. 32 PUs: package 16, NUMA node 8,
 * cluster 4, core 2; CPU c: package c/16, node c/8, cluster c/4, core c/2.
 *   smt 16; cluster 8 x (6 - 2) = 32; numa 4 x 4 x 4 = 64;
 *   package 2 x 8 x 8 = 128; system 16 x 16 = 256.
 * Clusters are numbered depth-first although Groups sit at two depths.
 */
static void test_snc_clusters(void)
{
	struct topo *t = load("snc-clusters.xml", NULL);

	expect_counts(t, COUNTS(16, 0, 32, 0, 0, 128, 256, 64));
	expect_pair(t, 0, 1, TOPO_SMT);
	expect_pair(t, 0, 2, TOPO_CLUSTER);
	expect_pair(t, 0, 4, TOPO_NUMA);
	expect_pair(t, 0, 8, TOPO_PACKAGE);
	expect_pair(t, 0, 16, TOPO_SYSTEM);
	expect_select(t, "cluster:0", "0-3");
	expect_select(t, "cluster:5", "20-23");
	expect_select(t, "cluster:7,numa:0", "0-7,28-31");
	expect_select_error(t, "cluster:8", "it has cluster:0-7");
	{
		static const enum topo_class cls[] = {
			TOPO_SMT, TOPO_CLUSTER, TOPO_NUMA, TOPO_PACKAGE, TOPO_SYSTEM,
		};
		static const unsigned int partner[] = { 1, 2, 4, 8, 16 };

		expect_classes(t, NULL, 0, partner, cls, N(cls));
	}
	check_plans(t);
	topo_free(t);
}

/* Bad selections: each is one error naming the culprit, never a crash. */
static void test_bad_selections(void)
{
	struct topo *t = load(NULL, "pack:2 l3:2 core:2 pu:2");
	static const struct { const char *spec, *what; } bad[] = {
		{ "999", "CPU 999" },
		{ "16", "CPU 16" },
		{ "15-16", "CPU 16" },
		{ "l3:42", "l3:42" },
		{ "foo:1", "'foo'" },
		{ "Package:0", "'Package'" },
		{ "3-1", "'3-1'" },
		{ "core:5-2", "'core:5-2'" },
		{ "1-", "'1-'" },
		{ "-1", "'-1'" },
		{ ",", "','" },
		{ "", "''" },
		{ "1,,2", "'1,,2'" },
		{ "1,", "'1,'" },
		{ ",1", "',1'" },
		{ "99999999999999", "too large" },
		{ "0-4000000000", "too large" },
		{ "pu:99999999999999999999999", "too large" },
		{ "core:", "'core:'" },
		{ ":1", "''" },
		{ "package:-1", "'package:-1'" },
		{ "pu:1x", "'pu:1x'" },
		{ "0x1", "'0x1'" },
		{ " 1", "' 1'" },
		{ "1 ", "'1 '" },
		{ "1:2:3", "'1'" },
		{ "all:1", "'all'" },
	};

	for (unsigned int i = 0; i < N(bad); i++)
		expect_select_error(t, bad[i].spec, bad[i].what);
	/* Large but valid-looking ranges end at the first missing CPU or object. */
	expect_select_error(t, "0-999999999", "CPU 16");
	expect_select_error(t, "pu:0-999999999", "pu:16");
	expect_select(t, "0-15", "0-15");
	expect_select(t, "all,3", "0-15");
	expect_select(t, "pu:15,0", "0,15");
	topo_free(t);
}

static void test_load_errors(void)
{
	char path[] = "/tmp/qpwtopo-bad-XXXXXX", err[512] = "";
	struct topo *t = (struct topo *)&err;	/* must be reset to NULL on failure */
	int fd;

	CHECK(topo_load(&t, "/nonexistent/topo.xml", NULL, err, sizeof(err)) == -ENOENT && !t &&
	      strstr(err, "/nonexistent/topo.xml") && strstr(err, "No such file"),
	      "missing file: '%s'", err);
	fd = mkstemp(path);
	CHECK(fd >= 0, "mkstemp");
	if (fd >= 0) {
		static const char broken[] = "<?xml version=\"1.0\"?>\n<topology version=\"2.0\">\n <object type=\"Machine\"\n";

		CHECK(write(fd, broken, sizeof(broken) - 1) == (ssize_t)sizeof(broken) - 1, "write");
		close(fd);
		err[0] = '\0';
		CHECK(topo_load(&t, path, NULL, err, sizeof(err)) == -EINVAL && !t &&
		      strstr(err, path) && strstr(err, "not a valid hwloc XML"), "malformed XML: '%s'", err);
		unlink(path);
	}
	/* Not regular files: hwloc would block on a FIFO or read /dev/zero forever. */
	err[0] = '\0';
	CHECK(topo_load(&t, "/dev/zero", NULL, err, sizeof(err)) == -EINVAL && !t &&
	      strstr(err, "not a regular file"), "/dev/zero: '%s'", err);
	err[0] = '\0';
	CHECK(topo_load(&t, "/", NULL, err, sizeof(err)) == -EINVAL && !t &&
	      strstr(err, "not a regular file"), "a directory: '%s'", err);
	err[0] = '\0';
	CHECK(topo_load(&t, NULL, "pack:2 bogus:3", err, sizeof(err)) == -EINVAL && !t &&
	      strstr(err, "pack:2 bogus:3"), "bad synthetic: '%s'", err);
	err[0] = '\0';
	CHECK(topo_load(&t, "x.xml", "pack:2", err, sizeof(err)) == -EINVAL && !t && strstr(err, "not both"),
	      "file and synthetic: '%s'", err);
}

static void test_names(void)
{
	for (int c = 0; c < TOPO_NR_CLASSES; c++)
		CHECK(topo_class_by_name(topo_class_name((enum topo_class)c)) == (enum topo_class)c,
		      "class %d name round trip", c);
	CHECK(!strcmp(topo_class_name(TOPO_SMT), "smt") && !strcmp(topo_class_name(TOPO_NUMA), "numa") &&
	      !strcmp(topo_class_name(TOPO_CLASS_NONE), "none") && topo_class_by_name("core") == TOPO_CLASS_NONE,
	      "class names");
	for (int k = 0; k < TOPO_NR_PLANS; k++) {
		enum topo_plan_kind got;
		char err[128];

		CHECK(topo_plan_by_name(topo_plan_name((enum topo_plan_kind)k), &got, err, sizeof(err)) == 0 &&
		      got == (enum topo_plan_kind)k, "plan %d name round trip", k);
	}
	{
		enum topo_plan_kind got;
		char err[128] = "";

		CHECK(topo_plan_by_name("zigzag", &got, err, sizeof(err)) == -EINVAL && strstr(err, "zigzag"),
		      "unknown plan: '%s'", err);
	}
	{
		unsigned int cpus[] = { 3, 10, 7 };
		char buf[8];

		CHECK(topo_format_cpus(buf, sizeof(buf), cpus, 3) == 6 && !strcmp(buf, "3,10,7"), "format");
		CHECK(topo_format_cpus(buf, 4, cpus, 3) == 6 && !strcmp(buf, "3,1"), "format truncates");
	}
}

/* This machine: whatever it is, every pair has a class and the plans hold. */
static void test_this_machine(void)
{
	struct topo *t = load(NULL, NULL);
	hwloc_bitmap_t set = hwloc_bitmap_alloc();
	char err[256];
	int a, b;

	current = "this machine";
	CHECK(hwloc_bitmap_weight(topo_usable(t)) > 0, "no usable CPU");
	CHECK(topo_select(t, NULL, set, err, sizeof(err)) == 0 && hwloc_bitmap_isequal(set, topo_usable(t)),
	      "default selection is not every usable CPU");
	hwloc_bitmap_foreach_begin(a, set)
		b = a;
		while ((b = hwloc_bitmap_next(set, b)) >= 0)
			CHECK(topo_distance(t, (unsigned int)a, (unsigned int)b) != TOPO_CLASS_NONE,
			      "this machine: no class for %d,%d", a, b);
	hwloc_bitmap_foreach_end();
	check_plans(t);
	hwloc_bitmap_free(set);
	topo_free(t);
}

int main(int argc, char **argv)
{
	struct stat st;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "files")) {
		topo_dir = argv[2];
		if (stat(topo_dir, &st) || !S_ISDIR(st.st_mode)) {
			printf("SKIP: the real machines' topologies are not checked: %s is missing (they sit beside the clone, in ../shared/topologies)\n",
			       topo_dir);
			return 77;
		}
		test_dir_is_covered();
		test_16em64t();
		test_16em64t_offlines();
		test_hybrid();
		test_64amd();
		test_128arm();
		test_2arm();
		test_summaries();
	} else if (argc == 3 && !strcmp(argv[1], "synthetic")) {
		topo_dir = argv[2];
		test_names();
		test_load_errors();
		test_bad_selections();
		test_snc();
		test_dies();
		test_l2_groups();
		test_snc_clusters();
		test_this_machine();
	} else {
		fprintf(stderr, "usage: test-topo files SHARED_DIR | test-topo synthetic TESTS_DIR\n");
		return 2;
	}
	printf("%d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
