// SPDX-License-Identifier: GPL-2.0
/*
 * Event counters: --events parsing, libpfm4 encoding, perf_event_open per CPU
 * or per thread, multiplexing-aware reads. The output contract is in
 * counters.h.
 */
#include "counters.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifdef QPWBENCH_HAVE_PFM
#include <perfmon/pfmlib_perf_event.h>
#endif

/*
 * perf's generic event names (tools/perf/util/parse-events.c, the names
 * `perf list` prints as "name OR alias"), encoded with perf's own ABI
 * constants so that they work without libpfm4. The first name is the
 * canonical one, the others map to it.
 */
static const struct generic_event {
	const char *names[4];
	__u32 type;
	__u64 config;
} generic_events[] = {
	{ { "cycles", "cpu-cycles" }, PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES },
	{ { "instructions" }, PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS },
	{ { "cache-references" }, PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_REFERENCES },
	{ { "cache-misses" }, PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES },
	{ { "branches", "branch-instructions" }, PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_INSTRUCTIONS },
	{ { "branch-misses" }, PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_MISSES },
	{ { "bus-cycles" }, PERF_TYPE_HARDWARE, PERF_COUNT_HW_BUS_CYCLES },
	{ { "stalled-cycles-frontend", "idle-cycles-frontend" }, PERF_TYPE_HARDWARE,
	  PERF_COUNT_HW_STALLED_CYCLES_FRONTEND },
	{ { "stalled-cycles-backend", "idle-cycles-backend" }, PERF_TYPE_HARDWARE,
	  PERF_COUNT_HW_STALLED_CYCLES_BACKEND },
	{ { "ref-cycles" }, PERF_TYPE_HARDWARE, PERF_COUNT_HW_REF_CPU_CYCLES },
	{ { "cpu-clock" }, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK },
	{ { "task-clock" }, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK },
	{ { "page-faults", "faults" }, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS },
	{ { "context-switches", "cs", "ctx-switches" }, PERF_TYPE_SOFTWARE,
	  PERF_COUNT_SW_CONTEXT_SWITCHES },
	{ { "cpu-migrations", "migrations" }, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS },
	{ { "minor-faults" }, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MIN },
	{ { "major-faults" }, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MAJ },
	{ { "alignment-faults" }, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_ALIGNMENT_FAULTS },
	{ { "emulation-faults" }, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_EMULATION_FAULTS },
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The architecture-independent part of the default set. */
static const char *const default_generic[] = {
	"cycles", "instructions", "context-switches", "cpu-migrations",
};

/*
 * Cache-to-cache transfer events for the default set, one row per meaning;
 * the first alternative libpfm4 encodes for a PMU present here is used, a
 * row with none is left out (its PMU family is not this machine's).
 */
static const char *const c2c_choices[][5] = {
#if defined(__x86_64__) || defined(__i386__)
	/* Intel: loads hitting L3 whose line another core held modified and forwarded. */
	{ "MEM_LOAD_L3_HIT_RETIRED:XSNP_FWD",		/* Sapphire Rapids and later */
	  "MEM_LOAD_L3_HIT_RETIRED:XSNP_HITM",		/* Skylake .. Ice Lake */
	  "MEM_LOAD_UOPS_L3_HIT_RETIRED:XSNP_HITM",	/* Haswell, Broadwell */
	  "MEM_LOAD_UOPS_LLC_HIT_RETIRED:XSNP_HITM" },	/* Sandy/Ivy Bridge */
	/* Intel, several sockets: loads served modified from another socket's cache. */
	{ "MEM_LOAD_L3_MISS_RETIRED:REMOTE_HITM",
	  "MEM_LOAD_UOPS_L3_MISS_RETIRED:REMOTE_HITM" },
	/* AMD Zen: data cache fills from another core's cache in the same CCX. */
	{ "ANY_DATA_CACHE_FILLS_FROM_SYSTEM:LOCAL_CCX",	/* Zen 4 */
	  "ANY_DATA_CACHE_FILLS_FROM_SYSTEM:INT_CACHE",	/* Zen 3 */
	  "DATA_CACHE_REFILLS_FROM_SYSTEM:LS_MABRESP_LCL_CACHE" },	/* Zen 1/2 */
	/* AMD Zen: data cache fills from another CCX's cache, this node or another. */
	{ "ANY_DATA_CACHE_FILLS_FROM_SYSTEM:NEAR_CACHE_NEAR_FAR:FAR_CACHE_NEAR_FAR",
	  "ANY_DATA_CACHE_FILLS_FROM_SYSTEM:EXT_CACHE_LCL:EXT_CACHE_RMT",
	  "DATA_CACHE_REFILLS_FROM_SYSTEM:LS_MABRESP_RMT_CACHE" },
#elif defined(__aarch64__)
	/* Arm common events (Arm ARM D17.11, numbers 0x19, 0x17, 0x37, 0x31). */
	{ "BUS_ACCESS" },		/* beats to/from the interconnect */
	{ "L2D_CACHE_REFILL" },		/* L2 refills: lines coming from outside */
	{ "LL_CACHE_MISS_RD", "L3D_CACHE_REFILL" },
	{ "REMOTE_ACCESS" },		/* accesses served by another socket */
#endif
};

static void say(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void say(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

/* ---- encoding ---------------------------------------------------------- */

/* name or name:MODS with MODS from perf's u/k; NULL if not a generic event. */
static const struct generic_event *find_generic(const char *str, bool *user, bool *kernel,
						bool *bad_mod)
{
	const char *colon = strchr(str, ':');
	size_t len = colon ? (size_t)(colon - str) : strlen(str);

	*bad_mod = false;
	*user = *kernel = true;
	for (size_t i = 0; i < ARRAY_SIZE(generic_events); i++) {
		const struct generic_event *g = &generic_events[i];

		for (size_t a = 0; a < ARRAY_SIZE(g->names) && g->names[a]; a++) {
			if (strlen(g->names[a]) != len || strncmp(g->names[a], str, len))
				continue;
			if (colon) {
				const char *m = colon + 1;

				*user = *kernel = false;
				if (!*m)
					*bad_mod = true;
				for (; *m; m++) {
					if (*m == 'u')
						*user = true;
					else if (*m == 'k')
						*kernel = true;
					else
						*bad_mod = true;
				}
			}
			return g;
		}
	}
	return NULL;
}

static void encode_generic(struct counter_event *ev, const struct generic_event *g,
			   const char *mods, bool user, bool kernel)
{
	snprintf(ev->name, sizeof(ev->name), "%s%s", g->names[0], mods ? mods : "");
	ev->attr.type = g->type;
	ev->attr.config = g->config;
	ev->attr.exclude_user = !user;
	ev->attr.exclude_kernel = !kernel;
	ev->attr.exclude_hv = !kernel;
	ev->hardware = g->type == PERF_TYPE_HARDWARE;
	ev->encoded = true;
}

#ifdef QPWBENCH_HAVE_PFM
static int pfm_ready(char *err, size_t errlen)
{
	static int ret = 1;

	if (ret == 1)
		ret = pfm_initialize();
	if (ret != PFM_SUCCESS) {
		say(err, errlen, "libpfm4 failed to initialize: %s", pfm_strerror(ret));
		return -EINVAL;
	}
	return 0;
}

/* Does every ':'-separated token of attrs name an attribute of event e? */
static bool pfm_attrs_match(int e, int nattrs, const char *attrs)
{
	char buf[COUNTERS_NAME_MAX];
	char *save, *tok;

	snprintf(buf, sizeof(buf), "%s", attrs);
	for (tok = strtok_r(buf, ":", &save); tok; tok = strtok_r(NULL, ":", &save)) {
		bool found = false;

		tok[strcspn(tok, "=")] = '\0';
		for (int a = 0; a < nattrs && !found; a++) {
			pfm_event_attr_info_t ai = { .size = sizeof(ai) };

			if (pfm_get_event_attr_info(e, a, PFM_OS_PERF_EVENT_EXT, &ai) == PFM_SUCCESS)
				found = !strcasecmp(ai.name, tok);
		}
		if (!found)
			return false;
	}
	return true;
}

/*
 * libpfm4 only encodes for PMUs present here. Look the event up in every
 * PMU model libpfm4 knows, present or not, so that a name valid elsewhere is
 * n/a here rather than an error. Returns how many models know it, the first
 * few named in models ("skl, icl").
 */
static int pfm_models_knowing(const char *str, char *pmus, size_t pmulen)
{
	char prefix[COUNTERS_NAME_MAX] = "", event[COUNTERS_NAME_MAX];
	const char *sep = strstr(str, "::"), *rest = sep ? sep + 2 : str;
	const char *attrs;
	size_t len;
	int pmu_id, models = 0;

	if (sep)
		snprintf(prefix, sizeof(prefix), "%.*s", (int)(sep - str), str);
	len = strcspn(rest, ":");
	snprintf(event, sizeof(event), "%.*s", (int)len, rest);
	attrs = rest + len;

	pfm_for_all_pmus(pmu_id) {
		pfm_pmu_info_t pi = { .size = sizeof(pi) };
		bool known = false;

		if (pfm_get_pmu_info(pmu_id, &pi) != PFM_SUCCESS || pi.is_present)
			continue;
		if (*prefix && strcasecmp(prefix, pi.name))
			continue;
		for (int e = pi.first_event; e != -1 && !known; e = pfm_get_event_next(e)) {
			pfm_event_info_t ei = { .size = sizeof(ei) };

			if (pfm_get_event_info(e, PFM_OS_PERF_EVENT_EXT, &ei) != PFM_SUCCESS ||
			    strcasecmp(ei.name, event))
				continue;
			known = pfm_attrs_match(e, ei.nattrs, attrs);
		}
		if (known && models++ < 3) {
			size_t used = strlen(pmus);

			snprintf(pmus + used, pmulen - used, "%s%s", models > 1 ? ", " : "", pi.name);
		}
	}
	return models;
}

static int encode_pfm(struct counter_event *ev, const char *str, char *err, size_t errlen)
{
	pfm_perf_encode_arg_t arg = { .size = sizeof(arg), .attr = &ev->attr };
	char pmus[64] = "";
	int ret, models;

	ret = pfm_ready(err, errlen);
	if (ret)
		return ret;
	snprintf(ev->name, sizeof(ev->name), "%s", str);
	/* Both privilege levels, as perf stat counts by default. */
	ret = pfm_get_os_event_encoding(str, PFM_PLM0 | PFM_PLM3, PFM_OS_PERF_EVENT_EXT, &arg);
	if (ret == PFM_SUCCESS) {
		ev->attr.size = sizeof(ev->attr);
		ev->hardware = ev->attr.type != PERF_TYPE_SOFTWARE &&
			       ev->attr.type != PERF_TYPE_TRACEPOINT;
		ev->encoded = true;
		return 0;
	}
	/*
	 * Not for the PMU here (absent, or another generation with other
	 * unit masks): n/a if another model has it, so that one command line
	 * serves every machine; an error if none does.
	 */
	models = pfm_models_knowing(str, pmus, sizeof(pmus));
	if (!models && ret == PFM_ERR_NOTFOUND) {
		say(err, errlen, "unknown event '%s': neither a perf event name nor an event "
		    "(with these attributes) of any libpfm4 PMU model", str);
		return -EINVAL;
	}
	if (!models) {
		say(err, errlen, "event '%s': libpfm4: %s", str, pfm_strerror(ret));
		return -EINVAL;
	}
	memset(&ev->attr, 0, sizeof(ev->attr));
	say(ev->why_na, sizeof(ev->why_na), "an event of PMU %s%s, not of the PMU detected here",
	    pmus, models > 3 ? "..." : "");
	return 0;
}
#else
static int encode_pfm(struct counter_event *ev, const char *str, char *err, size_t errlen)
{
	(void)ev;
	say(err, errlen, "unknown event '%s': not a perf event name (built without libpfm4, "
	    "so PMU event strings are not available: meson setup -Dpfm=enabled)", str);
	return -EINVAL;
}
#endif

/* Encode one event name into ev; 0, or -EINVAL with one line in err. */
static int encode_event(struct counter_event *ev, const char *str, char *err, size_t errlen)
{
	const struct generic_event *g;
	bool user, kernel, bad_mod;

	memset(ev, 0, sizeof(*ev));
	if (strlen(str) >= sizeof(ev->name)) {
		say(err, errlen, "event name '%.40s...' is too long (max %zu characters)", str,
		    sizeof(ev->name) - 1);
		return -EINVAL;
	}
	g = find_generic(str, &user, &kernel, &bad_mod);
	if (g) {
		if (bad_mod) {
			say(err, errlen, "event '%s': perf modifiers here are u and k (e.g. cycles:u)",
			    str);
			return -EINVAL;
		}
		encode_generic(ev, g, strchr(str, ':'), user, kernel);
		return 0;
	}
	return encode_pfm(ev, str, err, errlen);
}

static bool same_event(const struct counter_event *a, const struct counter_event *b)
{
	if (!strcasecmp(a->name, b->name))
		return true;
	return a->encoded && b->encoded &&
	       a->attr.type == b->attr.type && a->attr.config == b->attr.config &&
	       a->attr.config1 == b->attr.config1 && a->attr.config2 == b->attr.config2 &&
	       a->attr.exclude_user == b->attr.exclude_user &&
	       a->attr.exclude_kernel == b->attr.exclude_kernel;
}

static int add_event(struct counter_set *set, const struct counter_event *ev,
		     const char *as_written, char *err, size_t errlen)
{
	for (size_t i = 0; i < set->n; i++) {
		if (same_event(&set->ev[i], ev)) {
			say(err, errlen, "event '%s' is listed twice (both are %s)", as_written,
			    set->ev[i].name);
			return -EINVAL;
		}
	}
	if (set->n == COUNTERS_MAX_EVENTS) {
		say(err, errlen, "too many events (at most %d)", COUNTERS_MAX_EVENTS);
		return -EINVAL;
	}
	set->ev[set->n++] = *ev;
	return 0;
}

size_t counters_c2c_rows(void)
{
	return ARRAY_SIZE(c2c_choices);
}

const char *counters_c2c_choice(size_t row, size_t alt)
{
	return row < ARRAY_SIZE(c2c_choices) && alt < ARRAY_SIZE(c2c_choices[row]) ?
	       c2c_choices[row][alt] : NULL;
}

void counters_default(struct counter_set *set)
{
	struct counter_event ev;
	char ignored[8];

	set->n = 0;
	for (size_t i = 0; i < ARRAY_SIZE(default_generic); i++) {
		if (!encode_event(&ev, default_generic[i], ignored, sizeof(ignored)))
			add_event(set, &ev, default_generic[i], ignored, sizeof(ignored));
	}
	for (size_t r = 0; r < counters_c2c_rows(); r++) {
		const char *name;

		for (size_t a = 0; (name = counters_c2c_choice(r, a)); a++) {
			if (!encode_event(&ev, name, ignored, sizeof(ignored)) && ev.encoded) {
				add_event(set, &ev, name, ignored, sizeof(ignored));
				break;
			}
		}
	}
}

int counters_parse(struct counter_set *set, const char *list, char *err, size_t errlen)
{
	const char *p = list;

	set->n = 0;
	if (!strcmp(list, "none"))
		return 0;
	for (;;) {
		size_t len = strcspn(p, ",");
		char item[COUNTERS_NAME_MAX + 1];
		struct counter_event ev;
		int ret;

		if (!len) {
			say(err, errlen, "empty event name in '%s'", list);
			return -EINVAL;
		}
		snprintf(item, sizeof(item), "%.*s", (int)len, p);
		if (!strcmp(item, "none")) {
			say(err, errlen, "'none' cannot be combined with other events");
			return -EINVAL;
		}
		if (!strcmp(item, "default")) {
			struct counter_set defaults;

			counters_default(&defaults);
			for (size_t i = 0; i < defaults.n; i++) {
				ret = add_event(set, &defaults.ev[i], "default", err, errlen);
				if (ret)
					return ret;
			}
		} else {
			ret = encode_event(&ev, item, err, errlen);
			if (!ret)
				ret = add_event(set, &ev, item, err, errlen);
			if (ret)
				return ret;
		}
		if (!p[len])
			return 0;
		p += len + 1;
	}
}

/* ---- counting ---------------------------------------------------------- */

struct counter_fd {
	int fd;
	bool leader;		/* enable/disable/reset go to leaders (whole group) */
};

struct read_format {
	__u64 value;
	__u64 time_enabled;
	__u64 time_running;
};

struct counters {
	struct counter_set set;
	size_t ntargets;	/* CPUs, or 1 for a thread */
	struct counter_fd *fds;	/* [event][target] */
	bool counted[COUNTERS_MAX_EVENTS];
	double total[COUNTERS_MAX_EVENTS];
	char why[COUNTERS_MAX_EVENTS][COUNTERS_WHY_MAX];	/* open failed: n/a */
	bool never_scheduled[COUNTERS_MAX_EVENTS];	/* in the last measurement */
	double running;		/* smallest running/enabled; < 0: nothing counted */
};

static struct counter_fd *fd_at(const struct counters *c, size_t ev, size_t target)
{
	return &c->fds[ev * c->ntargets + target];
}

static int perf_open(struct perf_event_attr *attr, pid_t pid, int cpu, int group_fd)
{
	return (int)syscall(SYS_perf_event_open, attr, pid, cpu, group_fd, PERF_FLAG_FD_CLOEXEC);
}

/* Errors that mean "cannot count this here", as perf stat's <not supported>. */
static const char *open_failure(int e)
{
	switch (e) {
	case ENOENT:
	case ENODEV:
	case EOPNOTSUPP:
		return "the kernel has no PMU for it here";
	case EINVAL:
		return "the kernel rejected its encoding";
	case EACCES:
	case EPERM:
		return "not permitted (needs root, CAP_PERFMON or a lower kernel.perf_event_paranoid)";
	default:
		return NULL;
	}
}

int counters_open(struct counters **out, const struct counter_set *set,
		  const unsigned int *cpus, size_t ncpus, pid_t tid, char *err, size_t errlen)
{
	size_t ntargets = ncpus ? ncpus : 1;
	struct counters *c = calloc(1, sizeof(*c));

	if (c)
		c->fds = calloc(set->n * ntargets + 1, sizeof(*c->fds));
	if (!c || !c->fds) {
		free(c);
		say(err, errlen, "out of memory for %zu counters", set->n * ntargets);
		return -ENOMEM;
	}
	c->set = *set;
	c->ntargets = ntargets;
	for (size_t i = 0; i < set->n * ntargets; i++)
		c->fds[i].fd = -1;

	for (size_t t = 0; t < ntargets; t++) {
		int cpu = ncpus ? (int)cpus[t] : -1;
		pid_t pid = ncpus ? -1 : tid;
		int leader = -1;

		for (size_t i = 0; i < set->n; i++) {
			struct perf_event_attr attr = set->ev[i].attr;
			struct counter_fd *cf = fd_at(c, i, t);
			const char *why;
			int fd = -1, e;

			if (!set->ev[i].encoded || c->why[i][0])
				continue;
			attr.size = sizeof(attr);
			attr.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED |
					   PERF_FORMAT_TOTAL_TIME_RUNNING;
			attr.inherit = 0;
			/*
			 * Hardware events share one group per target so that
			 * they count over the same interval; a group the PMU
			 * cannot hold at once is refused (EINVAL), and the
			 * event then counts alone, multiplexed and scaled.
			 */
			if (set->ev[i].hardware && leader >= 0) {
				attr.disabled = 0;
				fd = perf_open(&attr, pid, cpu, leader);
			}
			if (fd < 0) {
				attr.disabled = 1;
				fd = perf_open(&attr, pid, cpu, -1);
				cf->leader = true;
				if (fd >= 0 && set->ev[i].hardware && leader < 0)
					leader = fd;
			}
			if (fd >= 0) {
				cf->fd = fd;
				continue;
			}
			e = errno;
			why = open_failure(e);
			if (!why) {
				say(err, errlen, "perf_event_open(%s%s%d): %s", set->ev[i].name,
				    ncpus ? ", cpu " : ", thread ", ncpus ? cpu : (int)tid,
				    strerror(e));
				counters_close(c);
				return -e;
			}
			say(c->why[i], sizeof(c->why[i]), "%s (perf_event_open: %s)", why,
			    strerror(e));
		}
	}
	/*
	 * An event that failed on any target is n/a on all; its other fds stay
	 * open because one may lead other events' group.
	 */
	*out = c;
	return 0;
}

static int for_each_leader(struct counters *c, unsigned long request)
{
	for (size_t i = 0; i < c->set.n * c->ntargets; i++) {
		if (c->fds[i].fd >= 0 && c->fds[i].leader &&
		    ioctl(c->fds[i].fd, request, PERF_IOC_FLAG_GROUP) < 0)
			return -errno;
	}
	return 0;
}

int counters_start(struct counters *c)
{
	int ret = for_each_leader(c, PERF_EVENT_IOC_RESET);

	return ret ? ret : for_each_leader(c, PERF_EVENT_IOC_ENABLE);
}

bool counters_scale(uint64_t value, uint64_t enabled, uint64_t running, double *scaled)
{
	if (!enabled) {
		*scaled = 0;	/* a thread that never ran: nothing to count */
		return true;
	}
	if (!running)
		return false;
	*scaled = (double)value * ((double)enabled / (double)running);
	return true;
}

int counters_stop(struct counters *c)
{
	int ret = for_each_leader(c, PERF_EVENT_IOC_DISABLE);

	if (ret)
		return ret;
	c->running = -1;
	for (size_t i = 0; i < c->set.n; i++) {
		double total = 0;

		c->counted[i] = false;
		c->never_scheduled[i] = false;
		if (!c->set.ev[i].encoded || c->why[i][0])
			continue;
		for (size_t t = 0; t < c->ntargets && !c->never_scheduled[i]; t++) {
			struct read_format r;
			double scaled;

			if (read(fd_at(c, i, t)->fd, &r, sizeof(r)) != (ssize_t)sizeof(r))
				return -EIO;
			if (!counters_scale(r.value, r.time_enabled, r.time_running, &scaled)) {
				c->never_scheduled[i] = true;
				break;
			}
			total += scaled;
			if (r.time_enabled) {
				double share = (double)r.time_running / (double)r.time_enabled;

				if (c->running < 0 || share < c->running)
					c->running = share;
			}
		}
		c->counted[i] = !c->never_scheduled[i];
		c->total[i] = total;
	}
	return 0;
}

void counters_close(struct counters *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->set.n * c->ntargets; i++)
		if (c->fds[i].fd >= 0)
			close(c->fds[i].fd);
	free(c->fds);
	free(c);
}

bool counters_total(const struct counters *c, size_t i, double *total, const char **why)
{
	if (c->counted[i]) {
		*total = c->total[i];
		return true;
	}
	if (!c->set.ev[i].encoded)
		*why = c->set.ev[i].why_na;
	else if (c->why[i][0])
		*why = c->why[i];
	else if (c->never_scheduled[i])
		*why = "never scheduled on the PMU (its counters were all in use)";
	else
		*why = "not read yet";
	return false;
}

void counters_cell(const struct counters *c, size_t i, uint64_t ops, char *buf, size_t len)
{
	if (!c->counted[i])
		snprintf(buf, len, "n/a");
	else if (ops)
		snprintf(buf, len, "%.6g", c->total[i] / (double)ops);
	else
		snprintf(buf, len, "%.0f", c->total[i]);
}

void counters_running_cell(const struct counters *c, char *buf, size_t len)
{
	if (c->running < 0)
		snprintf(buf, len, "n/a");
	else	/* never round a multiplexed share up to "1.000" */
		snprintf(buf, len, "%.3f", c->running < 1 && c->running > 0.999 ? 0.999 : c->running);
}

/* ---- scenario glue ---------------------------------------------------- */

uint64_t counters_run_ops(const struct qpwbench_run *run)
{
	uint64_t samples = run->iterations + run->warmup;

	switch (run->scenario) {
	case QPWBENCH_SCENARIO_LOCAL:
		return samples * run->batch;
	case QPWBENCH_SCENARIO_REMOTE:
	case QPWBENCH_SCENARIO_DRAIN_ALL:
		return samples;
	default:
		return 0;
	}
}

static void session_na(struct counters_session *s)
{
	for (size_t i = 0; i < s->n_columns; i++)
		s->values[i] = "n/a";
}

int counters_session_init(struct counters_session *s, const char *events,
			  char *err, size_t errlen)
{
	int ret = 0;

	memset(s, 0, sizeof(*s));
	if (events)
		ret = counters_parse(&s->set, events, err, errlen);
	if (ret)
		return ret;
	for (size_t i = 0; i < s->set.n; i++) {
		snprintf(s->columns[i], sizeof(s->columns[i]), COUNTERS_COLUMN_PREFIX "%s",
			 s->set.ev[i].name);
		s->names[i] = s->columns[i];
	}
	if (s->set.n)
		s->names[s->set.n] = COUNTERS_RUNNING_COLUMN;
	s->n_columns = s->set.n ? s->set.n + 1 : 0;
	session_na(s);
	return 0;
}

size_t counters_run_cpus(const struct qpwbench_run *run, unsigned int *cpus)
{
	bool targets_only = run->scenario == QPWBENCH_SCENARIO_INTERFERENCE;
	size_t n = 0;

	if (!targets_only)
		cpus[n++] = run->caller_cpu;
	for (unsigned int cpu = 0; cpu < QPWBENCH_MAX_CPUS; cpu++)
		if ((targets_only || cpu != run->caller_cpu) &&
		    qpwbench_mask_test(run->cpus, cpu))
			cpus[n++] = cpu;
	return n;
}

int counters_session_begin(struct counters_session *s, const unsigned int *cpus, size_t ncpus,
			   char *err, size_t errlen)
{
	int ret;

	counters_close(s->last);
	s->last = NULL;
	session_na(s);
	if (!s->set.n)
		return 0;
	ret = counters_open(&s->last, &s->set, cpus, ncpus, -1, err, errlen);
	if (ret)
		return ret;
	ret = counters_start(s->last);
	if (ret)
		say(err, errlen, "starting the event counters: %s", strerror(-ret));
	return ret;
}

int counters_session_end(struct counters_session *s, uint64_t ops, char *err, size_t errlen)
{
	int ret;

	if (!s->last)
		return 0;
	ret = counters_stop(s->last);
	if (ret) {
		say(err, errlen, "reading the event counters: %s", strerror(-ret));
		return ret;
	}
	for (size_t i = 0; i < s->set.n; i++) {
		counters_cell(s->last, i, ops, s->cells[i], sizeof(s->cells[i]));
		s->values[i] = s->cells[i];
	}
	counters_running_cell(s->last, s->cells[s->set.n], sizeof(s->cells[s->set.n]));
	s->values[s->set.n] = s->cells[s->set.n];
	return 0;
}

void counters_session_free(struct counters_session *s)
{
	counters_close(s->last);
	s->last = NULL;
}

/* ---- ubench info --events ---------------------------------------------- */

static void print_event(FILE *f, const struct counter_event *ev)
{
	struct counters *c;
	char err[COUNTERS_WHY_MAX] = "";
	struct counter_set one = { .n = 1, .ev = { *ev } };
	const char *why = ev->why_na;

	fprintf(f, "  %-44s ", ev->name);
	if (ev->encoded)
		fprintf(f, "type %u config %#llx  ", ev->attr.type,
			(unsigned long long)ev->attr.config);
	if (ev->encoded && !counters_open(&c, &one, NULL, 0, 0, err, sizeof(err))) {
		double total;

		counters_start(c);
		counters_stop(c);
		if (counters_total(c, 0, &total, &why))
			why = NULL;
		fprintf(f, "%s%s\n", why ? "n/a: " : "counts here", why ? why : "");
		counters_close(c);
		return;
	}
	fprintf(f, "n/a: %s\n", *err ? err : why);
}

void counters_print_info(FILE *f)
{
	struct counter_set set;

#ifdef QPWBENCH_HAVE_PFM
	char err[COUNTERS_WHY_MAX];
	int pmu_id, detected = 0;

	if (pfm_ready(err, sizeof(err))) {
		fprintf(f, "libpfm4: %s\n", err);
	} else {
		fprintf(f, "libpfm4 PMU models detected here:");
		pfm_for_all_pmus(pmu_id) {
			pfm_pmu_info_t pi = { .size = sizeof(pi) };

			if (pfm_get_pmu_info(pmu_id, &pi) == PFM_SUCCESS && pi.is_present &&
			    pi.type != PFM_PMU_TYPE_OS_GENERIC) {
				fprintf(f, " %s", pi.name);
				detected++;
			}
		}
		fprintf(f, "%s\n", detected ? "" :
			" none (only perf's generic events; no cache-to-cache events)");
	}
#else
	fprintf(f, "libpfm4: not built in (only perf's generic events)\n");
#endif
	counters_default(&set);
	fprintf(f, "default events (--events default; CSV columns %sNAME in this order, then %s):\n",
		COUNTERS_COLUMN_PREFIX, COUNTERS_RUNNING_COLUMN);
	for (size_t i = 0; i < set.n; i++)
		print_event(f, &set.ev[i]);
	fprintf(f, "cache-to-cache candidates for this architecture (first that encodes here, per row):\n");
	for (size_t r = 0; r < counters_c2c_rows(); r++) {
		const char *name;

		fprintf(f, " ");
		for (size_t a = 0; (name = counters_c2c_choice(r, a)); a++)
			fprintf(f, "%s %s", a ? " |" : "", name);
		fprintf(f, "\n");
	}
	fprintf(f, "perf generic names, aliases in parentheses (--events also takes libpfm4 "
		"event strings, default, none):\n ");
	for (size_t i = 0; i < ARRAY_SIZE(generic_events); i++) {
		fprintf(f, " %s", generic_events[i].names[0]);
		for (size_t a = 1; a < ARRAY_SIZE(generic_events[i].names) &&
				   generic_events[i].names[a]; a++)
			fprintf(f, "%s%s%s", a == 1 ? " (" : " ", generic_events[i].names[a],
				a + 1 == ARRAY_SIZE(generic_events[i].names) ||
				!generic_events[i].names[a + 1] ? ")" : "");
	}
	fprintf(f, "\nvalues: counted per CPU over each backend run on its caller and targets "
		"(interference: targets only) or each c2c point; per local op, drain, drain-all, "
		"one-way transfer or contended op (interference, stress: totals); n/a where it "
		"cannot count; %s = least running/enabled share (< 1: multiplexed, scaled)\n",
		COUNTERS_RUNNING_COLUMN);
}
