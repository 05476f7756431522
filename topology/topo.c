// SPDX-License-Identifier: GPL-2.0
/*
 * qpwbench topology layer: see topo.h for the contract and DESIGN.md for the
 * distance rule.
 *
 * At load time every usable PU gets its "chain": the hwloc objects that can
 * name a pair (Core, L2, Cluster group, L3, Die, Package, Machine, NUMA
 * node) whose cpuset holds it, sorted by (PU count, tie order). The class of
 * (a, b) is then the first link of a's chain that also holds b: the
 * smallest common container, ties going to the earlier class. NUMA sorts last
 * among equals, so it only wins when strictly smaller than everything else.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "topo.h"

struct topo_link {
	hwloc_const_cpuset_t set;
	unsigned int weight;
	enum topo_class cls;
};

struct topo_pu {
	hwloc_obj_t obj;		/* NULL: not a usable CPU */
	unsigned int n_links;
	struct topo_link *links;	/* smallest container first */
};

struct topo {
	hwloc_topology_t hw;
	hwloc_bitmap_t usable;
	unsigned int n_pu_slots;	/* last usable OS index + 1 */
	struct topo_pu *pu;		/* by OS index */
	/* Summary strings, trimmed copies of hwloc infos ("unknown" when absent). */
	char *machine, *arch, *cpu_model;
};

static const char *const class_names[TOPO_NR_CLASSES] = {
#define TOPO_CLASS_NAME(id, name, obj) [TOPO_##id] = name,
	TOPO_CLASSES(TOPO_CLASS_NAME)
#undef TOPO_CLASS_NAME
};

static const char *const plan_names[TOPO_NR_PLANS] = {
#define TOPO_PLAN_NAME(id, name) [TOPO_PLAN_##id] = name,
	TOPO_PLANS(TOPO_PLAN_NAME)
#undef TOPO_PLAN_NAME
};

/* "a, b, c": n names joined, into buf (truncated to fit). */
static const char *join_names(char *buf, size_t len, const char *const *names, size_t n,
			      size_t stride)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && used < len; i++) {
		const char *name = *(const char *const *)((const char *)names + i * stride);
		int w = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", name);

		used += w > 0 ? (size_t)w : 0;
	}
	return buf;
}

const char *topo_class_name(enum topo_class c)
{
	if (c < 0 || c >= TOPO_NR_CLASSES)
		return "none";
	return class_names[c];
}

enum topo_class topo_class_by_name(const char *name)
{
	for (int c = 0; c < TOPO_NR_CLASSES; c++)
		if (name && !strcmp(name, class_names[c]))
			return (enum topo_class)c;
	return TOPO_CLASS_NONE;
}

const char *topo_plan_name(enum topo_plan_kind k)
{
	return (k >= 0 && k < TOPO_NR_PLANS) ? plan_names[k] : "unknown";
}

int topo_plan_by_name(const char *name, enum topo_plan_kind *out, char *err, size_t errlen)
{
	char names[128];

	for (int k = 0; k < TOPO_NR_PLANS; k++) {
		if (name && !strcmp(name, plan_names[k])) {
			*out = (enum topo_plan_kind)k;
			return 0;
		}
	}
	snprintf(err, errlen, "unknown plan '%s' (plans: %s)", name ? name : "",
		 join_names(names, sizeof(names), plan_names, TOPO_NR_PLANS, sizeof(plan_names[0])));
	return -EINVAL;
}

static bool is_cluster(const struct hwloc_obj *obj)
{
	return obj->type == HWLOC_OBJ_GROUP && obj->subtype && !strcasecmp(obj->subtype, "Cluster");
}

/* The class an object stands for, or TOPO_CLASS_NONE when it names no pair. */
static enum topo_class obj_class(const struct hwloc_obj *obj)
{
	switch (obj->type) {
	case HWLOC_OBJ_CORE:		return TOPO_SMT;
	case HWLOC_OBJ_L2CACHE:		return TOPO_L2;
	case HWLOC_OBJ_GROUP:		return is_cluster(obj) ? TOPO_CLUSTER : TOPO_CLASS_NONE;
	case HWLOC_OBJ_L3CACHE:		return TOPO_L3;
	case HWLOC_OBJ_DIE:		return TOPO_DIE;
	case HWLOC_OBJ_PACKAGE:		return TOPO_PACKAGE;
	case HWLOC_OBJ_MACHINE:		return TOPO_SYSTEM;
	case HWLOC_OBJ_NUMANODE:	return TOPO_NUMA;
	default:			return TOPO_CLASS_NONE;
	}
}

static int link_cmp(const void *pa, const void *pb)
{
	const struct topo_link *a = pa, *b = pb;

	if (a->weight != b->weight)
		return a->weight < b->weight ? -1 : 1;
	return (int)a->cls - (int)b->cls;
}

static int add_link(struct topo_pu *p, unsigned int *cap, const struct hwloc_obj *obj)
{
	enum topo_class cls = obj_class(obj);

	if (cls == TOPO_CLASS_NONE || !obj->cpuset || hwloc_bitmap_iszero(obj->cpuset))
		return 0;
	if (p->n_links == *cap) {
		unsigned int ncap = *cap ? 2 * *cap : 8;
		struct topo_link *nl = realloc(p->links, ncap * sizeof(*nl));

		if (!nl)
			return -ENOMEM;
		p->links = nl;
		*cap = ncap;
	}
	p->links[p->n_links++] = (struct topo_link){
		.set = obj->cpuset,
		.weight = (unsigned int)hwloc_bitmap_weight(obj->cpuset),
		.cls = cls,
	};
	return 0;
}

/*
 * NUMA nodes are memory children, outside the normal tree: they hold a PU
 * when their cpuset does (a CPU-less node holds none).
 */
static int build_chain(struct topo *t, struct topo_pu *p)
{
	unsigned int cap = 0;
	hwloc_obj_t obj, node = NULL;
	int rc;

	for (obj = p->obj->parent; obj; obj = obj->parent)
		if ((rc = add_link(p, &cap, obj)))
			return rc;
	while ((node = hwloc_get_next_obj_by_type(t->hw, HWLOC_OBJ_NUMANODE, node)))
		if (node->cpuset && hwloc_bitmap_isset(node->cpuset, p->obj->os_index))
			if ((rc = add_link(p, &cap, node)))
				return rc;
	qsort(p->links, p->n_links, sizeof(*p->links), link_cmp);
	return 0;
}

static int index_pus(struct topo *t, char *err, size_t errlen)
{
	hwloc_obj_t pu = NULL;
	int last;

	t->usable = hwloc_bitmap_alloc();
	if (!t->usable)
		return -ENOMEM;
	hwloc_bitmap_and(t->usable, hwloc_topology_get_topology_cpuset(t->hw),
			 hwloc_topology_get_allowed_cpuset(t->hw));
	last = hwloc_bitmap_last(t->usable);
	if (last < 0) {
		snprintf(err, errlen, "the topology has no online and allowed CPU");
		return -EINVAL;
	}
	t->n_pu_slots = (unsigned int)last + 1;
	t->pu = calloc(t->n_pu_slots, sizeof(*t->pu));
	if (!t->pu)
		return -ENOMEM;
	while ((pu = hwloc_get_next_obj_by_type(t->hw, HWLOC_OBJ_PU, pu))) {
		if (!hwloc_bitmap_isset(t->usable, pu->os_index))
			continue;
		t->pu[pu->os_index].obj = pu;
		if (build_chain(t, &t->pu[pu->os_index]))
			return -ENOMEM;
	}
	return 0;
}

/* A trimmed copy of the first non-blank info among names; "unknown" if none. */
static char *info_copy(hwloc_obj_t obj, const char *const *names)
{
	for (; obj && *names; names++) {
		const char *v = hwloc_obj_get_info_by_name(obj, *names);
		size_t len;

		if (!v)
			continue;
		while (*v == ' ' || *v == '\t')	/* DMI strings come space-padded */
			v++;
		len = strlen(v);
		while (len && (v[len - 1] == ' ' || v[len - 1] == '\t'))
			len--;
		if (len)
			return strndup(v, len);
	}
	return strdup("unknown");
}

static int read_infos(struct topo *t)
{
	static const char *const machine[] = { "DMIProductName", "HostName", NULL };
	static const char *const arch[] = { "Architecture", NULL };
	static const char *const model[] = { "CPUModel", NULL };
	hwloc_obj_t root = hwloc_get_root_obj(t->hw);
	hwloc_obj_t pkg = hwloc_get_obj_by_type(t->hw, HWLOC_OBJ_PACKAGE, 0);

	t->machine = info_copy(root, machine);
	t->arch = info_copy(root, arch);
	/* Packages carry the model on x86; some platforms put it on the root. */
	t->cpu_model = info_copy(pkg && hwloc_obj_get_info_by_name(pkg, "CPUModel") ? pkg : root, model);
	return t->machine && t->arch && t->cpu_model ? 0 : -ENOMEM;
}

int topo_load(struct topo **out, const char *xml_file, const char *synthetic,
	      char *err, size_t errlen)
{
	struct topo *t;
	int rc = -EINVAL;

	*out = NULL;
	if (xml_file && synthetic) {
		snprintf(err, errlen, "give a topology file or a synthetic topology, not both");
		return -EINVAL;
	}
	if (xml_file) {
		/*
		 * Check the file ourselves: hwloc only says EINVAL or ENOENT, and
		 * would wait on a FIFO or read /dev/zero until memory runs out.
		 */
		struct stat st;
		FILE *f = NULL;

		if (stat(xml_file, &st) || (S_ISREG(st.st_mode) && !(f = fopen(xml_file, "r")))) {
			rc = -errno;
			snprintf(err, errlen, "cannot open topology file %s: %s", xml_file, strerror(errno));
			return rc;
		}
		if (!f) {
			snprintf(err, errlen, "topology file %s is not a regular file", xml_file);
			return -EINVAL;
		}
		fclose(f);
	}
	/* One error line is ours to print: keep hwloc's own complaints quiet. */
	setenv("HWLOC_HIDE_ERRORS", "2", 0);

	t = calloc(1, sizeof(*t));
	if (!t || hwloc_topology_init(&t->hw)) {
		free(t);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	/*
	 * hwloc's default type filters, the topology as lstopo shows it: a Group
	 * that brings no structure (the CPUs of its parent or only child) is
	 * merged away, so a Cluster is only a class where it is a level of its own.
	 */
	if (xml_file && hwloc_topology_set_xml(t->hw, xml_file)) {
		snprintf(err, errlen, "%s is not a valid hwloc XML topology", xml_file);
		goto fail;
	}
	if (synthetic && hwloc_topology_set_synthetic(t->hw, synthetic)) {
		snprintf(err, errlen, "invalid synthetic topology '%s' (example: \"pack:2 l3:2 core:4 pu:2\")",
			 synthetic);
		goto fail;
	}
	if (hwloc_topology_load(t->hw)) {
		if (xml_file)
			snprintf(err, errlen, "%s is not a valid hwloc XML topology", xml_file);
		else if (synthetic)
			snprintf(err, errlen, "invalid synthetic topology '%s'", synthetic);
		else
			snprintf(err, errlen, "hwloc cannot load this machine's topology: %s", strerror(errno));
		goto fail;
	}
	rc = index_pus(t, err, errlen);
	if (!rc)
		rc = read_infos(t);
	if (rc) {
		if (rc == -ENOMEM)
			snprintf(err, errlen, "out of memory");
		goto fail;
	}
	*out = t;
	return 0;
fail:
	topo_free(t);
	return rc;
}

void topo_free(struct topo *t)
{
	if (!t)
		return;
	for (unsigned int i = 0; t->pu && i < t->n_pu_slots; i++)
		free(t->pu[i].links);
	free(t->pu);
	free(t->machine);
	free(t->arch);
	free(t->cpu_model);
	hwloc_bitmap_free(t->usable);
	hwloc_topology_destroy(t->hw);
	free(t);
}

hwloc_topology_t topo_hwloc(const struct topo *t)
{
	return t->hw;
}

hwloc_const_bitmap_t topo_usable(const struct topo *t)
{
	return t->usable;
}

static const struct topo_pu *usable_pu(const struct topo *t, unsigned int cpu)
{
	return cpu < t->n_pu_slots && t->pu[cpu].obj ? &t->pu[cpu] : NULL;
}

/* The smallest common container of a and b, NULL when there is none. */
static const struct topo_link *common_link(const struct topo *t, unsigned int a, unsigned int b)
{
	const struct topo_pu *pa = usable_pu(t, a);

	if (a == b || !pa || !usable_pu(t, b))
		return NULL;
	for (unsigned int i = 0; i < pa->n_links; i++)
		if (hwloc_bitmap_isset(pa->links[i].set, b))
			return &pa->links[i];
	return NULL;
}

enum topo_class topo_distance(const struct topo *t, unsigned int a, unsigned int b)
{
	const struct topo_link *l = common_link(t, a, b);

	return l ? l->cls : TOPO_CLASS_NONE;
}

/* ---- CPU selection ------------------------------------------------------ */

/* Location types of a selection, with the hwloc objects they name. */
static const struct {
	const char *name;
	hwloc_obj_type_t type;
} location_types[] = {
	{ "package", HWLOC_OBJ_PACKAGE },
	{ "die", HWLOC_OBJ_DIE },
	{ "l3", HWLOC_OBJ_L3CACHE },
	{ "l2", HWLOC_OBJ_L2CACHE },
	{ "cluster", HWLOC_OBJ_GROUP },	/* only Groups of subtype Cluster */
	{ "core", HWLOC_OBJ_CORE },
	{ "pu", HWLOC_OBJ_PU },
	{ "numa", HWLOC_OBJ_NUMANODE },
};
#define NR_LOCATION_TYPES (sizeof(location_types) / sizeof(location_types[0]))

static bool location_match(hwloc_obj_t obj, hwloc_obj_type_t type)
{
	return obj->type == type && (type != HWLOC_OBJ_GROUP || is_cluster(obj));
}

/*
 * Walk the normal tree depth-first, counting objects of the type: the order
 * of logical indices, also for types found at several depths (Groups).
 */
static void location_walk(hwloc_obj_t obj, hwloc_obj_type_t type, unsigned long idx,
			  unsigned long *seen, hwloc_obj_t *found)
{
	if (location_match(obj, type) && (*seen)++ == idx)
		*found = obj;
	for (unsigned int i = 0; i < obj->arity; i++)
		location_walk(obj->children[i], type, idx, seen, found);
}

/*
 * The idx-th object of a type (Groups: Clusters only) in logical order;
 * *count gets how many exist. Pass idx = ULONG_MAX to only count.
 */
static hwloc_obj_t find_obj(const struct topo *t, hwloc_obj_type_t type, unsigned long idx,
			    unsigned long *count)
{
	hwloc_obj_t found = NULL, node = NULL;

	*count = 0;
	if (type == HWLOC_OBJ_NUMANODE) {	/* memory children: not in the normal tree */
		while ((node = hwloc_get_next_obj_by_type(t->hw, type, node)))
			if ((*count)++ == idx)
				found = node;
		return found;
	}
	location_walk(hwloc_get_root_obj(t->hw), type, idx, count, &found);
	return found;
}

static unsigned int count_objs(const struct topo *t, hwloc_obj_type_t type)
{
	unsigned long n;

	find_obj(t, type, ULONG_MAX, &n);
	return n > UINT_MAX ? UINT_MAX : (unsigned int)n;
}

/* Largest index accepted in a selection: beyond any CPU count hwloc handles, and it keeps ranges bounded. */
#define SELECT_MAX_INDEX 999999999ul

enum range_parse { RANGE_OK, RANGE_MALFORMED, RANGE_TOO_LARGE, RANGE_REVERSED };

/* A decimal number at *p, digits only (no sign, no space, no base prefix). */
static enum range_parse parse_index(const char **p, unsigned long *out)
{
	const char *s = *p;
	unsigned long v = 0;

	if (*s < '0' || *s > '9')
		return RANGE_MALFORMED;
	for (; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > SELECT_MAX_INDEX)
			return RANGE_TOO_LARGE;
	}
	*p = s;
	*out = v;
	return RANGE_OK;
}

/* "N" or "N-M" filling the whole string. */
static enum range_parse parse_range(const char *s, unsigned long *lo, unsigned long *hi)
{
	enum range_parse r = parse_index(&s, lo);

	if (r != RANGE_OK)
		return r;
	*hi = *lo;
	if (*s == '-') {
		s++;
		if ((r = parse_index(&s, hi)) != RANGE_OK)
			return r;
	}
	if (*s)
		return RANGE_MALFORMED;
	return *hi < *lo ? RANGE_REVERSED : RANGE_OK;
}

/* err for a range that did not parse; what names the kind of item. */
static int range_error(enum range_parse r, const char *item, const char *expected,
		       char *err, size_t errlen)
{
	switch (r) {
	case RANGE_TOO_LARGE:
		snprintf(err, errlen, "number too large in '%s' (at most %lu)", item, SELECT_MAX_INDEX);
		break;
	case RANGE_REVERSED:
		snprintf(err, errlen, "range '%s' ends before it starts", item);
		break;
	default:
		snprintf(err, errlen, "malformed item '%s' in CPU list (expected %s)", item, expected);
		break;
	}
	return -EINVAL;
}

static int select_cpus(const struct topo *t, const char *item, hwloc_bitmap_t out,
		       char *err, size_t errlen)
{
	unsigned long lo, hi;
	enum range_parse r = parse_range(item, &lo, &hi);

	if (r != RANGE_OK)
		return range_error(r, item, "N, N-M or TYPE:N[-M]", err, errlen);
	for (unsigned long cpu = lo; cpu <= hi; cpu++) {
		if (!usable_pu(t, cpu)) {
			char *list = NULL;

			hwloc_bitmap_list_asprintf(&list, t->usable);
			snprintf(err, errlen, "CPU %lu is not online/allowed here (usable CPUs: %s)",
				 cpu, list ? list : "?");
			free(list);
			return -EINVAL;
		}
		hwloc_bitmap_set(out, (unsigned int)cpu);
	}
	return 0;
}

static int select_location(const struct topo *t, const char *item, const char *colon,
			   hwloc_bitmap_t out, char *err, size_t errlen)
{
	size_t type_len = (size_t)(colon - item);
	unsigned long lo, hi, count;
	enum range_parse r;
	unsigned int ti;

	for (ti = 0; ti < NR_LOCATION_TYPES; ti++)
		if (strlen(location_types[ti].name) == type_len &&
		    !strncmp(location_types[ti].name, item, type_len))
			break;
	if (ti == NR_LOCATION_TYPES) {
		char names[128];

		snprintf(err, errlen, "unknown location type '%.*s' in '%s' (types: %s)",
			 (int)type_len, item, item,
			 join_names(names, sizeof(names), &location_types[0].name, NR_LOCATION_TYPES,
				    sizeof(location_types[0])));
		return -EINVAL;
	}
	r = parse_range(colon + 1, &lo, &hi);
	if (r != RANGE_OK)
		return range_error(r, item, "TYPE:N or TYPE:N-M", err, errlen);
	for (unsigned long idx = lo; idx <= hi; idx++) {
		hwloc_obj_t obj = find_obj(t, location_types[ti].type, idx, &count);
		hwloc_bitmap_t cpus;
		bool empty;

		if (!obj) {
			if (count)
				snprintf(err, errlen, "no %s:%lu in this topology (it has %s:0-%lu)",
					 location_types[ti].name, idx, location_types[ti].name, count - 1);
			else
				snprintf(err, errlen, "no %s:%lu in this topology (it has no %s)",
					 location_types[ti].name, idx, location_types[ti].name);
			return -EINVAL;
		}
		cpus = hwloc_bitmap_alloc();
		if (!cpus) {
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		hwloc_bitmap_and(cpus, obj->cpuset, t->usable);
		empty = hwloc_bitmap_iszero(cpus);
		hwloc_bitmap_or(out, out, cpus);
		hwloc_bitmap_free(cpus);
		if (empty) {
			snprintf(err, errlen, "%s:%lu has no online/allowed CPU", location_types[ti].name, idx);
			return -EINVAL;
		}
	}
	return 0;
}

int topo_select(const struct topo *t, const char *spec, hwloc_bitmap_t out,
		char *err, size_t errlen)
{
	char *copy, *item, *save = NULL;
	int rc = 0;

	hwloc_bitmap_zero(out);
	if (!spec || !strcmp(spec, "all")) {
		hwloc_bitmap_copy(out, t->usable);
		return 0;
	}
	/* strtok would skip empty items; ",", "1,,2" and a trailing ',' are errors. */
	if (!*spec || *spec == ',' || spec[strlen(spec) - 1] == ',' || strstr(spec, ",,")) {
		snprintf(err, errlen, "empty item in CPU list '%s'", spec);
		return -EINVAL;
	}
	copy = strdup(spec);
	if (!copy) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (item = strtok_r(copy, ",", &save); item && !rc; item = strtok_r(NULL, ",", &save)) {
		const char *colon = strchr(item, ':');

		if (!strcmp(item, "all"))
			hwloc_bitmap_or(out, out, t->usable);
		else if (colon)
			rc = select_location(t, item, colon, out, err, errlen);
		else
			rc = select_cpus(t, item, out, err, errlen);
	}
	free(copy);
	if (!rc && hwloc_bitmap_iszero(out)) {
		snprintf(err, errlen, "CPU list '%s' selects no online/allowed CPU", spec);
		rc = -EINVAL;
	}
	return rc;
}

unsigned int *topo_cpu_array(hwloc_const_bitmap_t set, unsigned int *n)
{
	int w = hwloc_bitmap_weight(set), cpu;
	unsigned int *a, i = 0;

	*n = 0;
	if (w <= 0)
		return NULL;
	a = malloc((size_t)w * sizeof(*a));
	if (!a)
		return NULL;
	hwloc_bitmap_foreach_begin(cpu, set)
		a[i++] = (unsigned int)cpu;
	hwloc_bitmap_foreach_end();
	*n = i;
	return a;
}

int topo_format_cpus(char *buf, size_t len, const unsigned int *cpus, unsigned int n)
{
	size_t used = 0;
	int total = 0;

	if (len)
		buf[0] = '\0';
	for (unsigned int i = 0; i < n; i++) {
		int w = snprintf(buf + used, used < len ? len - used : 0, "%s%u", i ? "," : "", cpus[i]);

		total += w;
		used = used + (size_t)w < len ? used + (size_t)w : len;
	}
	return total;
}

/* ---- summary ------------------------------------------------------------ */

void topo_get_summary(const struct topo *t, struct topo_summary *s)
{
	s->machine = t->machine;
	s->arch = t->arch;
	s->cpu_model = t->cpu_model;
	s->packages = count_objs(t, HWLOC_OBJ_PACKAGE);
	s->numa_nodes = count_objs(t, HWLOC_OBJ_NUMANODE);
	s->l3_caches = count_objs(t, HWLOC_OBJ_L3CACHE);
	s->cores = count_objs(t, HWLOC_OBJ_CORE);
	s->pus = (unsigned int)hwloc_bitmap_weight(t->usable);
}

void topo_count_pairs(const struct topo *t, hwloc_const_bitmap_t set,
		      unsigned long long *counts)
{
	int a, b;

	memset(counts, 0, TOPO_NR_CLASSES * sizeof(*counts));
	hwloc_bitmap_foreach_begin(a, set)
		b = a;
		while ((b = hwloc_bitmap_next(set, b)) >= 0) {
			enum topo_class c = topo_distance(t, (unsigned int)a, (unsigned int)b);

			if (c != TOPO_CLASS_NONE)
				counts[c]++;
		}
	hwloc_bitmap_foreach_end();
}

/* ---- orders and plans --------------------------------------------------- */

/* Rank of a CPU from the first: (size of the shared container, class), logical index last. */
struct ranked_cpu {
	unsigned int cpu;
	unsigned int weight;
	int cls;
	unsigned int logical;
};

static int ranked_cmp(const void *pa, const void *pb)
{
	const struct ranked_cpu *a = pa, *b = pb;

	if (a->weight != b->weight)
		return a->weight < b->weight ? -1 : 1;
	if (a->cls != b->cls)
		return a->cls - b->cls;
	return a->logical < b->logical ? -1 : a->logical > b->logical;
}

static int ramp_order(const struct topo *t, const unsigned int *cpus, unsigned int n,
		      unsigned int *order)
{
	struct ranked_cpu *r = malloc(n * sizeof(*r));

	if (!r)
		return -ENOMEM;
	for (unsigned int i = 0; i < n; i++) {
		const struct topo_link *l = common_link(t, cpus[0], cpus[i]);

		/* The first CPU itself ranks before everything (weight 0). */
		r[i] = (struct ranked_cpu){
			.cpu = cpus[i],
			.weight = l ? l->weight : 0,
			.cls = l ? (int)l->cls : -1,
			.logical = t->pu[cpus[i]].obj->logical_index,
		};
	}
	qsort(r, n, sizeof(*r), ranked_cmp);
	for (unsigned int i = 0; i < n; i++)
		order[i] = r[i].cpu;
	free(r);
	return 0;
}

/*
 * Spread order of the selected PUs below obj, appended at order[*n]:
 * round-robin over obj's children, the child holding first going first,
 * each child's own part already spread the same way.
 */
static int spread_below(const struct topo *t, hwloc_obj_t obj, hwloc_const_bitmap_t set,
			unsigned int first, unsigned int *order, unsigned int *n)
{
	unsigned int nc = 0, start = 0, base = *n, total = 0;
	unsigned int *part_start, *part_len, *tmp;
	int rc = 0;

	if (!hwloc_bitmap_intersects(obj->cpuset, set))
		return 0;
	if (obj->type == HWLOC_OBJ_PU) {
		order[(*n)++] = obj->os_index;
		return 0;
	}
	part_start = calloc(obj->arity ? obj->arity : 1, sizeof(*part_start));
	part_len = calloc(obj->arity ? obj->arity : 1, sizeof(*part_len));
	if (!part_start || !part_len) {
		rc = -ENOMEM;
		goto out;
	}
	for (unsigned int i = 0; i < obj->arity; i++) {
		hwloc_obj_t child = obj->children[i];
		unsigned int before = *n;

		if (!child->cpuset || !hwloc_bitmap_intersects(child->cpuset, set))
			continue;
		if (hwloc_bitmap_isset(child->cpuset, first))
			start = nc;
		rc = spread_below(t, child, set, first, order, n);
		if (rc)
			goto out;
		part_start[nc] = before;
		part_len[nc++] = *n - before;
	}
	total = *n - base;
	tmp = malloc((total ? total : 1) * sizeof(*tmp));
	if (!tmp) {
		rc = -ENOMEM;
		goto out;
	}
	/* Interleave: the k-th CPU of each part in turn, from the first CPU's part. */
	for (unsigned int k = 0, out_i = 0; out_i < total; k++)
		for (unsigned int j = 0; j < nc; j++) {
			unsigned int c = (start + j) % nc;

			if (k < part_len[c])
				tmp[out_i++] = order[part_start[c] + k];
		}
	memcpy(order + base, tmp, total * sizeof(*tmp));
	free(tmp);
out:
	free(part_start);
	free(part_len);
	return rc;
}

/*
 * Rank of a CPU among the selected PUs of its core, counted from the first
 * CPU when it is in the same core: 0 for the core's first thread.
 */
static unsigned int thread_rank(const struct topo *t, hwloc_const_bitmap_t set,
				unsigned int first, unsigned int cpu)
{
	hwloc_obj_t core = hwloc_get_ancestor_obj_by_type(t->hw, HWLOC_OBJ_CORE, t->pu[cpu].obj);
	unsigned int rank = 0, first_rank = 0, count = 0;
	int pu;

	if (!core)
		return 0;
	hwloc_bitmap_foreach_begin(pu, core->cpuset)
		if (hwloc_bitmap_isset(set, (unsigned int)pu)) {
			if ((unsigned int)pu == cpu)
				rank = count;
			if ((unsigned int)pu == first)
				first_rank = count;
			count++;
		}
	hwloc_bitmap_foreach_end();
	if (!hwloc_bitmap_isset(core->cpuset, first))
		return rank;
	return (rank + count - first_rank) % count;
}

/*
 * Spread: the round-robin order of the tree, then every core's first
 * thread before any second thread (SMT siblings share the most, so they
 * come last even where another core of a shared L2 would come in the same
 * round).
 */
static int spread_order(const struct topo *t, hwloc_const_bitmap_t set, unsigned int first,
			unsigned int n, unsigned int *order)
{
	unsigned int filled = 0, *rr = malloc(n * sizeof(*rr)), *rank = malloc(n * sizeof(*rank));
	unsigned int max_rank = 0, out = 0;
	int rc = -ENOMEM;

	if (!rr || !rank)
		goto done;
	rc = spread_below(t, hwloc_get_root_obj(t->hw), set, first, rr, &filled);
	if (rc)
		goto done;
	for (unsigned int i = 0; i < n; i++) {
		rank[i] = thread_rank(t, set, first, rr[i]);
		max_rank = rank[i] > max_rank ? rank[i] : max_rank;
	}
	for (unsigned int r = 0; r <= max_rank; r++)
		for (unsigned int i = 0; i < n; i++)
			if (rank[i] == r)
				order[out++] = rr[i];
done:
	free(rr);
	free(rank);
	return rc;
}

int topo_order(const struct topo *t, enum topo_plan_kind kind, hwloc_const_bitmap_t set,
	       unsigned int *order)
{
	unsigned int n, *cpus;
	int rc;

	if (hwloc_bitmap_iszero(set) || !hwloc_bitmap_isincluded(set, t->usable) ||
	    (kind != TOPO_PLAN_RAMP && kind != TOPO_PLAN_SPREAD))
		return -EINVAL;
	cpus = topo_cpu_array(set, &n);
	if (!cpus)
		return -ENOMEM;
	if (kind == TOPO_PLAN_RAMP)
		rc = ramp_order(t, cpus, n, order);
	else
		rc = spread_order(t, set, cpus[0], n, order);
	free(cpus);
	return rc;
}

static int plan_alloc(struct topo_plan *p, unsigned long long steps, unsigned long long cpus)
{
	if (steps > UINT_MAX || cpus > SIZE_MAX / sizeof(unsigned int))
		return -ENOMEM;
	p->steps = calloc(steps ? steps : 1, sizeof(*p->steps));
	p->storage = malloc((cpus ? cpus : 1) * sizeof(*p->storage));
	return p->steps && p->storage ? 0 : -ENOMEM;
}

static void plan_pairs(const struct topo *t, const unsigned int *cpus, unsigned int n,
		       struct topo_plan *p)
{
	unsigned int *s = p->storage;

	for (unsigned int i = 0; i < n; i++)
		for (unsigned int j = i + 1; j < n; j++) {
			s[0] = cpus[i];
			s[1] = cpus[j];
			p->steps[p->n_steps++] = (struct topo_step){
				.n = 2, .cpus = s, .distance = topo_distance(t, cpus[i], cpus[j]),
			};
			s += 2;
		}
}

/* One pair per class, the partner being the lowest CPU at that class; nearest class first. */
static int plan_classes(const struct topo *t, const unsigned int *cpus, unsigned int n,
			struct topo_plan *p)
{
	unsigned int *order = malloc(n * sizeof(*order));
	bool seen[TOPO_NR_CLASSES] = { false };
	unsigned int partner[TOPO_NR_CLASSES];

	if (!order)
		return -ENOMEM;
	for (unsigned int i = n; i-- > 1;) {	/* downwards: the lowest CPU of each class stays */
		enum topo_class c = topo_distance(t, cpus[0], cpus[i]);

		if (c == TOPO_CLASS_NONE)
			continue;
		seen[c] = true;
		partner[c] = cpus[i];
	}
	/* The ramp order visits classes nearest first: take each class at its first sight. */
	if (ramp_order(t, cpus, n, order)) {
		free(order);
		return -ENOMEM;
	}
	for (unsigned int i = 1; i < n; i++) {
		enum topo_class c = topo_distance(t, cpus[0], order[i]);
		unsigned int *s = p->storage + 2 * p->n_steps;

		if (c == TOPO_CLASS_NONE || !seen[c])
			continue;
		seen[c] = false;
		s[0] = cpus[0];
		s[1] = partner[c];
		p->steps[p->n_steps++] = (struct topo_step){ .n = 2, .cpus = s, .distance = c };
	}
	free(order);
	return 0;
}

/* Prefixes n = 1..N of order, all pointing into one array. */
static void plan_prefixes(const struct topo *t, unsigned int n, struct topo_plan *p)
{
	enum topo_class farthest = TOPO_CLASS_NONE;
	unsigned int farthest_weight = 0;

	for (unsigned int i = 0; i < n; i++) {
		const struct topo_link *l = common_link(t, p->storage[0], p->storage[i]);

		if (l && (l->weight > farthest_weight ||
			  (l->weight == farthest_weight && l->cls > farthest))) {
			farthest = l->cls;
			farthest_weight = l->weight;
		}
		p->steps[p->n_steps++] = (struct topo_step){
			.n = i + 1, .cpus = p->storage, .distance = farthest,
		};
	}
}

int topo_plan_build(const struct topo *t, enum topo_plan_kind kind, hwloc_const_bitmap_t set,
		    struct topo_plan *out, char *err, size_t errlen)
{
	unsigned int n, *cpus;
	unsigned long long pairs;
	int rc, min_cpus;

	memset(out, 0, sizeof(*out));
	out->kind = kind;
	if (kind < 0 || kind >= TOPO_NR_PLANS) {
		snprintf(err, errlen, "unknown plan");
		return -EINVAL;
	}
	if (!hwloc_bitmap_isincluded(set, t->usable)) {
		snprintf(err, errlen, "the CPU set holds CPUs that are not online/allowed");
		return -EINVAL;
	}
	min_cpus = (kind == TOPO_PLAN_PAIRS || kind == TOPO_PLAN_CLASSES) ? 2 : 1;
	if (hwloc_bitmap_weight(set) < min_cpus) {
		snprintf(err, errlen, "plan '%s' needs at least %s", topo_plan_name(kind),
			 min_cpus == 2 ? "two CPUs" : "one CPU");
		return -EINVAL;
	}
	cpus = topo_cpu_array(set, &n);
	if (!cpus) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	pairs = (unsigned long long)n * (n - 1) / 2;
	switch (kind) {
	case TOPO_PLAN_PAIRS:
		rc = plan_alloc(out, pairs, 2 * pairs);
		if (!rc)
			plan_pairs(t, cpus, n, out);
		break;
	case TOPO_PLAN_CLASSES:
		rc = plan_alloc(out, TOPO_NR_CLASSES, 2 * TOPO_NR_CLASSES);
		if (!rc)
			rc = plan_classes(t, cpus, n, out);
		break;
	default:
		rc = plan_alloc(out, n, n);
		if (!rc)
			rc = topo_order(t, kind, set, out->storage);
		if (!rc)
			plan_prefixes(t, n, out);
		break;
	}
	free(cpus);
	if (rc) {
		topo_plan_free(out);
		snprintf(err, errlen, "out of memory");
	}
	return rc;
}

void topo_plan_free(struct topo_plan *p)
{
	free(p->steps);
	free(p->storage);
	p->steps = NULL;
	p->storage = NULL;
	p->n_steps = 0;
}
