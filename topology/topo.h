/* SPDX-License-Identifier: GPL-2.0 */
/*
 * qpwbench topology layer: hwloc discovery, the distance class of a CPU pair,
 * CPU selections and sweep plans.
 *
 * Conventions:
 *  - CPUs are OS indices (what sched_setaffinity and /sys call CPU N).
 *  - A CPU set is an hwloc bitmap of OS indices; plan steps are arrays.
 *  - Only "usable" CPUs exist for this library: online and allowed (the PUs
 *    of the loaded topology, intersected with its allowed cpuset).
 *  - Functions that can fail on bad input take (err, errlen), write one line
 *    without a trailing newline there and return a negative errno.
 *
 * Distance class of CPUs a != b (DESIGN.md): the kind of the smallest hwloc
 * object (fewest usable PUs) whose cpuset holds both, ties broken in the
 * order below (smt first). A NUMA node names the pair only when it is
 * strictly smaller than every other common container (sub-NUMA clustering).
 * Groups other than subtype "Cluster", L1 and instruction caches are skipped.
 */
#ifndef QPWBENCH_TOPO_H
#define QPWBENCH_TOPO_H

#include <stddef.h>

#include <hwloc.h>

/* X(enum suffix, name, hwloc object it stands for); listed in tie order. */
#define TOPO_CLASSES(X)						\
	X(SMT,     "smt",     "Core")				\
	X(L2,      "l2",      "L2Cache")			\
	X(CLUSTER, "cluster", "Group of subtype Cluster")	\
	X(L3,      "l3",      "L3Cache")			\
	X(DIE,     "die",     "Die")				\
	X(PACKAGE, "package", "Package")			\
	X(SYSTEM,  "system",  "Machine")			\
	X(NUMA,    "numa",    "NUMANode")

enum topo_class {
	TOPO_CLASS_NONE = -1,	/* same CPU, a CPU not usable, or a one-CPU set */
#define TOPO_CLASS_ENUM(id, name, obj) TOPO_##id,
	TOPO_CLASSES(TOPO_CLASS_ENUM)
#undef TOPO_CLASS_ENUM
	TOPO_NR_CLASSES
};

/* "smt"...; "none" for TOPO_CLASS_NONE. */
const char *topo_class_name(enum topo_class c);
/* TOPO_CLASS_NONE when name is not a class. */
enum topo_class topo_class_by_name(const char *name);

struct topo;

/*
 * Load a topology: this machine when xml_file and synthetic are both NULL,
 * else an hwloc XML file, else an hwloc synthetic description
 * ("pack:2 l3:2 core:4 pu:2"). hwloc's own parser messages are silenced;
 * the reason is in err. Giving both is an error.
 */
int topo_load(struct topo **out, const char *xml_file, const char *synthetic,
	      char *err, size_t errlen);
void topo_free(struct topo *t);

/* The underlying hwloc topology, for binding and extra queries. */
hwloc_topology_t topo_hwloc(const struct topo *t);
/* Online and allowed CPUs. */
hwloc_const_bitmap_t topo_usable(const struct topo *t);

/* Distance class of CPUs a and b; TOPO_CLASS_NONE if a == b or one is not usable. */
enum topo_class topo_distance(const struct topo *t, unsigned int a, unsigned int b);

/*
 * Parse a CPU selection into out (allocated by the caller) and intersect it
 * with the usable CPUs. spec is a comma-separated list of items:
 *   N, N-M          OS indices; every one named must be usable, else an error
 *                   naming the CPU (an offline CPU is never silently dropped)
 *   TYPE:I, TYPE:I-J hwloc objects by logical index, TYPE one of package, die,
 *                   l3, l2, cluster, core, pu, numa; their usable CPUs
 *   all             every usable CPU
 * NULL selects every usable CPU. Unknown types, missing objects, malformed
 * items (empty, reversed or open ranges, signs, spaces, numbers above
 * 999999999) and an empty result are errors naming the culprit.
 */
int topo_select(const struct topo *t, const char *spec, hwloc_bitmap_t out,
		char *err, size_t errlen);

/* The CPUs of set in ascending order, malloc()ed (NULL on ENOMEM or empty set); *n their number. */
unsigned int *topo_cpu_array(hwloc_const_bitmap_t set, unsigned int *n);
/* "0,1,5": the CPUs in the given order, comma-separated. Returns snprintf()'s length. */
int topo_format_cpus(char *buf, size_t len, const unsigned int *cpus, unsigned int n);

/* For a human summary: trimmed strings, "unknown" when hwloc has none, owned by t. */
struct topo_summary {
	const char *machine;	/* DMI product name, else host name */
	const char *arch;	/* root info "Architecture" */
	const char *cpu_model;	/* "CPUModel" of the first package, else of the root */
	unsigned int packages, numa_nodes, l3_caches, cores, pus;
};
void topo_get_summary(const struct topo *t, struct topo_summary *s);

/* Pairs a < b of set per distance class (counts[TOPO_NR_CLASSES]). */
void topo_count_pairs(const struct topo *t, hwloc_const_bitmap_t set,
		      unsigned long long *counts);

/*
 * Sweep plans over a set of CPUs (classes and pairs need two of them, ramp
 * and spread one). "The first CPU" is the lowest OS index of the set.
 *   classes  one pair per distance class present from the first CPU: the
 *            first CPU and the lowest-numbered CPU at that class; nearest first
 *   pairs    every pair a < b
 *   ramp     prefixes (n = 1..N) of the nearest-first order: repeatedly add
 *            the CPU whose container shared with the first CPU is smallest
 *            (SMT sibling, shared L2/cluster, L3, die, package, ...), ties in
 *            hwloc logical (depth-first) order
 *   spread   prefixes of the spread order: round-robin over the children of
 *            every container, starting with the one holding the first CPU
 *            (one CPU per package first, then per L3, per core), then every
 *            core's first thread before any SMT sibling
 */
#define TOPO_PLANS(X)			\
	X(CLASSES, "classes")		\
	X(PAIRS,   "pairs")		\
	X(RAMP,    "ramp")		\
	X(SPREAD,  "spread")

enum topo_plan_kind {
#define TOPO_PLAN_ENUM(id, name) TOPO_PLAN_##id,
	TOPO_PLANS(TOPO_PLAN_ENUM)
#undef TOPO_PLAN_ENUM
	TOPO_NR_PLANS
};

const char *topo_plan_name(enum topo_plan_kind k);
/* -EINVAL (err names the known plans) when name is not a plan. */
int topo_plan_by_name(const char *name, enum topo_plan_kind *out, char *err, size_t errlen);

struct topo_step {
	unsigned int n;			/* CPUs in this step */
	const unsigned int *cpus;	/* OS indices: (a, b) for pairs, else order of addition */
	/* pairs: the pair's class; ramp/spread: farthest class from the first CPU; n == 1: NONE */
	enum topo_class distance;
};

struct topo_plan {
	enum topo_plan_kind kind;
	unsigned int n_steps;
	struct topo_step *steps;
	unsigned int *storage;		/* what steps[].cpus point into */
};

/* 0, or -EINVAL (too few or unusable CPUs) / -ENOMEM with err set; free with topo_plan_free(). */
int topo_plan_build(const struct topo *t, enum topo_plan_kind kind, hwloc_const_bitmap_t set,
		    struct topo_plan *out, char *err, size_t errlen);
void topo_plan_free(struct topo_plan *p);

/*
 * The ramp (nearest-first) or spread order of set: all its CPUs, written to
 * order[], which holds hwloc_bitmap_weight(set) entries. 0; -EINVAL when set
 * is empty, holds CPUs that are not usable or kind is neither; -ENOMEM.
 */
int topo_order(const struct topo *t, enum topo_plan_kind ramp_or_spread,
	       hwloc_const_bitmap_t set, unsigned int *order);

#endif
