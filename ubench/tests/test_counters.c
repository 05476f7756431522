// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of ubench/counters.c: --events parsing, libpfm4 encodings for
 * the PMU detected here and for named PMU models (forced with
 * LIBPFM_FORCE_PMU in a child process, so no hardware is needed), the n/a
 * path, and real context switches counted by software events.
 *
 * Usage: test-counters [CASE...]   (default: all cases)
 * Exit 0 when every case that can run here passed, 1 on a failure.
 */
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "counters.h"

#ifdef QPWBENCH_HAVE_PFM
#include <perfmon/pfmlib_perf_event.h>
#endif

#define SKIP 77
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Why the running case could not run here: main() names it in the closing
 * SKIP line, the one scripts/test's summary shows. */
static char case_skip_why[200];

static int __attribute__((format(printf, 1, 2))) skip_case(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(case_skip_why, sizeof(case_skip_why), fmt, ap);
	va_end(ap);
	printf("    skip: %s\n", case_skip_why);
	return SKIP;
}

static int parse(struct counter_set *set, const char *list, char *err, size_t errlen)
{
	err[0] = '\0';
	return counters_parse(set, list, err, errlen);
}

static void expect_columns(const struct counter_set *set, const char *list,
			   const char *const *want, size_t nwant)
{
	CHECK(set->n == nwant, "'%s': %zu events, want %zu", list, set->n, nwant);
	for (size_t i = 0; i < set->n && i < nwant; i++)
		CHECK(!strcmp(set->ev[i].name, want[i]), "'%s': column %zu is '%s', want '%s'",
		      list, i, set->ev[i].name, want[i]);
}

/* ---- parsing --------------------------------------------------------- */

static int case_parse_valid(void)
{
	static const char *const want[] = {
		"cycles", "instructions", "context-switches", "cpu-migrations", "page-faults",
		"task-clock", "cpu-clock",
	};
	struct counter_set set;
	char err[256];
	int ret;

	ret = parse(&set, "cycles,instructions,context-switches,cpu-migrations,page-faults,"
		    "task-clock,cpu-clock", err, sizeof(err));
	CHECK(ret == 0, "valid list rejected: %s", err);
	expect_columns(&set, "valid list", want, 7);
	CHECK(set.ev[0].attr.type == PERF_TYPE_HARDWARE &&
	      set.ev[0].attr.config == PERF_COUNT_HW_CPU_CYCLES && set.ev[0].hardware,
	      "cycles encoded as type %u config %llu", set.ev[0].attr.type,
	      (unsigned long long)set.ev[0].attr.config);
	CHECK(set.ev[2].attr.type == PERF_TYPE_SOFTWARE &&
	      set.ev[2].attr.config == PERF_COUNT_SW_CONTEXT_SWITCHES && !set.ev[2].hardware,
	      "context-switches encoded as type %u config %llu", set.ev[2].attr.type,
	      (unsigned long long)set.ev[2].attr.config);

	ret = parse(&set, "none", err, sizeof(err));
	CHECK(ret == 0 && set.n == 0, "'none' gave %d, %zu events (%s)", ret, set.n, err);
	return 0;
}

static int case_parse_aliases(void)
{
	static const char *const want[] = {
		"context-switches", "cpu-migrations", "cycles:u", "page-faults", "branches",
		"instructions:k",
	};
	struct counter_set set;
	char err[256];
	int ret;

	ret = parse(&set, "ctx-switches,migrations,cpu-cycles:u,faults,branch-instructions,"
		    "instructions:k", err, sizeof(err));
	CHECK(ret == 0, "aliases rejected: %s", err);
	expect_columns(&set, "aliases", want, 6);
	CHECK(set.ev[2].attr.exclude_kernel && !set.ev[2].attr.exclude_user,
	      "cycles:u must exclude the kernel only");
	CHECK(set.ev[5].attr.exclude_user && !set.ev[5].attr.exclude_kernel,
	      "instructions:k must exclude user space only");
	ret = parse(&set, "cs", err, sizeof(err));
	CHECK(ret == 0 && set.n == 1 && !strcmp(set.ev[0].name, "context-switches"),
	      "perf's 'cs' alias: %d %s", ret, err);
	return 0;
}

static int case_parse_errors(void)
{
	static const char *const bad[] = {
		"", ",", "cycles,", ",cycles", "cycles,,instructions",
		"no-such-event", "NOT_AN_EVENT_ANYWHERE:XYZ",
		"cs,context-switches", "cycles,cpu-cycles", "ctx-switches,cs",
		"none,cycles", "cycles:x", "cycles:",
		"cycles,instructions,cs,migrations,page-faults,task-clock,cpu-clock,branches,"
		"branch-misses,cache-misses,cache-references,bus-cycles,ref-cycles,minor-faults,"
		"major-faults,alignment-faults,emulation-faults",
		"event-name-much-too-long-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	};
	struct counter_set set;
	char err[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int ret = parse(&set, bad[i], err, sizeof(err));

		CHECK(ret == -EINVAL, "'%.40s' accepted (ret %d)", bad[i], ret);
		CHECK(err[0] && !strchr(err, '\n'), "'%.40s': error must be one line, got '%s'",
		      bad[i], err);
		printf("    '%.40s%s' -> %s\n", bad[i], strlen(bad[i]) > 40 ? "..." : "", err);
	}
	return 0;
}

static int case_parse_default(void)
{
	struct counter_set def, parsed;
	char err[256];
	int ret;

	counters_default(&def);
	CHECK(def.n >= 4, "default set has %zu events", def.n);
	if (def.n >= 4) {
		static const char *const first[] = {
			"cycles", "instructions", "context-switches", "cpu-migrations",
		};

		for (size_t i = 0; i < 4; i++)
			CHECK(!strcmp(def.ev[i].name, first[i]), "default[%zu] = %s, want %s", i,
			      def.ev[i].name, first[i]);
	}
	/* The default set keeps only what encodes for a PMU present here. */
	for (size_t i = 0; i < def.n; i++)
		CHECK(def.ev[i].encoded, "default event %s is not encodable here", def.ev[i].name);
	ret = parse(&parsed, "default,page-faults", err, sizeof(err));
	CHECK(ret == 0 && parsed.n == def.n + 1, "'default,page-faults': %d, %zu events (%s)",
	      ret, parsed.n, err);
	ret = parse(&parsed, "default,cycles", err, sizeof(err));
	CHECK(ret == -EINVAL, "'default,cycles' repeats cycles but was accepted");
	return 0;
}

/* ---- encoding through libpfm4 ----------------------------------------- */

#ifdef QPWBENCH_HAVE_PFM
/* Every cache-to-cache candidate must be a real libpfm4 name: a typo would
 * silently never be selected. Parsing fails only for names no model knows. */
static int case_c2c_candidates_known(void)
{
	struct counter_set set;
	const char *name;
	char err[256];
	size_t checked = 0;

	for (size_t r = 0; r < counters_c2c_rows(); r++) {
		for (size_t a = 0; (name = counters_c2c_choice(r, a)); a++) {
			CHECK(parse(&set, name, err, sizeof(err)) == 0, "candidate %s: %s", name, err);
			checked++;
		}
	}
	printf("    %zu candidates in %zu rows known to libpfm4\n", checked, counters_c2c_rows());
	return checked ? 0 : skip_case("no cache-to-cache candidate events for this architecture");
}

/*
 * perf's generic names go through the table in counters.c; libpfm4's "perf"
 * PMU must encode the same names to the same perf ABI constants.
 */
static int case_generic_matches_libpfm4(void)
{
	static const char *const names[] = {	/* as `perf list` prints them */
		"cycles", "cpu-cycles", "instructions", "cache-references", "cache-misses",
		"branches", "branch-instructions", "branch-misses", "bus-cycles", "ref-cycles",
		"cpu-clock", "task-clock", "page-faults", "faults", "context-switches", "cs",
		"cpu-migrations", "migrations", "minor-faults", "major-faults",
		"alignment-faults", "emulation-faults",
	};
	size_t compared = 0;

	if (pfm_initialize() != PFM_SUCCESS) {
		CHECK(false, "pfm_initialize failed");
		return 0;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct perf_event_attr pattr = { 0 };
		pfm_perf_encode_arg_t arg = { .size = sizeof(arg), .attr = &pattr };
		struct counter_set set;
		char err[256];

		CHECK(parse(&set, names[i], err, sizeof(err)) == 0, "%s: %s", names[i], err);
		if (pfm_get_os_event_encoding(names[i], PFM_PLM0 | PFM_PLM3,
					      PFM_OS_PERF_EVENT_EXT, &arg) != PFM_SUCCESS)
			continue;	/* a name libpfm4's perf PMU lacks */
		compared++;
		CHECK(set.ev[0].attr.type == pattr.type && set.ev[0].attr.config == pattr.config,
		      "%s: ours type %u config %#llx, libpfm4 type %u config %#llx", names[i],
		      set.ev[0].attr.type, (unsigned long long)set.ev[0].attr.config, pattr.type,
		      (unsigned long long)pattr.config);
	}
	printf("    %zu generic names agree with libpfm4's perf PMU\n", compared);
	CHECK(compared >= 10, "libpfm4 knew only %zu of perf's names", compared);
	return 0;
}

/*
 * Encodings for named PMU models, checked against the raw codes the vendors
 * document. Intel config = umask << 8 | event (SDM Vol. 3B ch. 19 / the
 * perfmon event files); AMD config = event[7:0] | umask << 8 |
 * event[11:8] << 32 (PerfEvtSel, PPR); Arm config = the event number
 * (Arm ARM D17 common events, the cores' TRMs).
 */
static const struct model_encoding {
	const char *model;	/* libpfm4 PMU name, forced with LIBPFM_FORCE_PMU */
	const char *event;
	__u64 config;
	const char *source;
} model_encodings[] = {
	{ "skl", "skl::INST_RETIRED:ANY_P", 0x00c0,
	  "SDM 3B 19.5 Skylake: INST_RETIRED.ANY_P event C0H umask 00H" },
	{ "skl", "MEM_LOAD_L3_HIT_RETIRED:XSNP_HITM", 0x04d2,
	  "SDM 3B 19.5 Skylake: MEM_LOAD_L3_HIT_RETIRED.XSNP_HITM D2H/04H" },
	{ "hsw", "MEM_LOAD_UOPS_L3_HIT_RETIRED:XSNP_HITM", 0x04d2,
	  "SDM 3B 19.7 Haswell: MEM_LOAD_UOPS_L3_HIT_RETIRED.XSNP_HITM D2H/04H" },
	{ "skx", "MEM_LOAD_L3_MISS_RETIRED:REMOTE_HITM", 0x04d3,
	  "SDM 3B 19.4 Skylake SP: MEM_LOAD_L3_MISS_RETIRED.REMOTE_HITM D3H/04H" },
	{ "spr", "spr::MEM_LOAD_L3_HIT_RETIRED:XSNP_FWD", 0x04d2,
	  "perfmon SPR core events: MEM_LOAD_L3_HIT_RETIRED.XSNP_FWD EventCode 0xD2 UMask 0x04" },
	{ "amd64_fam19h_zen3", "RETIRED_INSTRUCTIONS", 0x00c0,
	  "PPR 19h/01h (55898): PMCx0C0 ExRetInstr" },
	{ "amd64_fam19h_zen3", "ANY_DATA_CACHE_FILLS_FROM_SYSTEM:EXT_CACHE_LCL", 0x0444,
	  "PPR 19h/01h: PMCx044 LsAnyFillsFromSys, unit mask bit 2 ExtCacheLcl" },
	{ "amd64_fam19h_zen3", "amd64_fam19h_zen3::OP_CACHE_HIT_MISS:OC_HIT", 0x20000038fULL,
	  "PPR 19h/01h: PMCx28F OpCacheHitMiss, unit mask 0x03 OcHit; event bits 11:8 at 35:32" },
	{ "amd64_fam19h_zen4", "ANY_DATA_CACHE_FILLS_FROM_SYSTEM:LOCAL_CCX", 0x0244,
	  "PPR 19h/11h (55901): PMCx044 LsAnyFillsFromSys, unit mask bit 1 LocalCcx" },
	{ "amd64_fam17h_zen2", "DATA_CACHE_REFILLS_FROM_SYSTEM:LS_MABRESP_LCL_CACHE", 0x0243,
	  "PPR 17h/31h (55803): PMCx043 LsRefillsFromSys, unit mask bit 1 LsMabRespLclCache" },
	{ "arm_n1", "arm_n1::BUS_ACCESS", 0x19, "Neoverse N1 TRM C2.3: BUS_ACCESS 0x0019" },
	{ "arm_n1", "L2D_CACHE_REFILL", 0x17, "Neoverse N1 TRM C2.3: L2D_CACHE_REFILL 0x0017" },
	{ "arm_n1", "LL_CACHE_MISS_RD", 0x37, "Neoverse N1 TRM C2.3: LL_CACHE_MISS_RD 0x0037" },
	{ "arm_n1", "REMOTE_ACCESS", 0x31, "Neoverse N1 TRM C2.3: REMOTE_ACCESS 0x0031" },
};

/* The cache-to-cache part of the default set each model must get. */
static const struct model_default {
	const char *model;
	const char *c2c[4];
} model_defaults[] = {
	{ "hsw", { "MEM_LOAD_UOPS_L3_HIT_RETIRED:XSNP_HITM" } },
	{ "skl", { "MEM_LOAD_L3_HIT_RETIRED:XSNP_HITM" } },
	{ "skx", { "MEM_LOAD_L3_HIT_RETIRED:XSNP_HITM", "MEM_LOAD_L3_MISS_RETIRED:REMOTE_HITM" } },
	{ "spr", { "MEM_LOAD_L3_HIT_RETIRED:XSNP_FWD", "MEM_LOAD_L3_MISS_RETIRED:REMOTE_HITM" } },
	{ "amd64_fam17h_zen2", { "DATA_CACHE_REFILLS_FROM_SYSTEM:LS_MABRESP_LCL_CACHE",
				 "DATA_CACHE_REFILLS_FROM_SYSTEM:LS_MABRESP_RMT_CACHE" } },
	{ "amd64_fam19h_zen3", { "ANY_DATA_CACHE_FILLS_FROM_SYSTEM:INT_CACHE",
				 "ANY_DATA_CACHE_FILLS_FROM_SYSTEM:EXT_CACHE_LCL:EXT_CACHE_RMT" } },
	{ "amd64_fam19h_zen4", { "ANY_DATA_CACHE_FILLS_FROM_SYSTEM:LOCAL_CCX",
				 "ANY_DATA_CACHE_FILLS_FROM_SYSTEM:NEAR_CACHE_NEAR_FAR:FAR_CACHE_NEAR_FAR" } },
	{ "arm_n1", { "BUS_ACCESS", "L2D_CACHE_REFILL", "LL_CACHE_MISS_RD", "REMOTE_ACCESS" } },
};

/*
 * In a process exec'd with LIBPFM_FORCE_PMU=model: SKIP when this libpfm4
 * build does not have it. A fresh process, because pfm_terminate() keeps
 * what an earlier pfm_initialize() detected: a fork of a parent that met
 * the host's own PMU would still encode that PMU's events.
 */
static int force_model(const char *model)
{
	int id;

	if (pfm_initialize() != PFM_SUCCESS)
		return SKIP;
	pfm_for_all_pmus(id) {
		pfm_pmu_info_t pi = { .size = sizeof(pi) };

		if (pfm_get_pmu_info(id, &pi) == PFM_SUCCESS && pi.is_present &&
		    !strcmp(pi.name, model))
			return 0;
	}
	return SKIP;
}

static int check_model_encoding(const struct model_encoding *m)
{
	struct counter_set set;
	char err[256];
	int ret = force_model(m->model);

	if (ret)
		return ret;
	if (parse(&set, m->event, err, sizeof(err)) || set.n != 1 || !set.ev[0].encoded) {
		fprintf(stderr, "    FAIL: %s not encoded for %s: %s%s\n", m->event, m->model, err,
			set.n ? set.ev[0].why_na : "");
		return 1;
	}
	if (set.ev[0].attr.type != PERF_TYPE_RAW || set.ev[0].attr.config != m->config) {
		fprintf(stderr, "    FAIL: %s on %s: type %u config %#llx, want raw %#llx (%s)\n",
			m->event, m->model, set.ev[0].attr.type,
			(unsigned long long)set.ev[0].attr.config, (unsigned long long)m->config,
			m->source);
		return 1;
	}
	printf("    %-18s %-52s raw %#llx ok\n", m->model, m->event,
	       (unsigned long long)m->config);
	return 0;
}

static int check_model_default(const struct model_default *m)
{
	struct counter_set set;
	size_t want = 4;
	int ret = force_model(m->model);

	if (ret)
		return ret;
	counters_default(&set);
	while (want < 8 && m->c2c[want - 4])
		want++;
	if (set.n != want) {
		fprintf(stderr, "    FAIL: %s default set has %zu events, want %zu:", m->model,
			set.n, want);
		for (size_t i = 0; i < set.n; i++)
			fprintf(stderr, " %s", set.ev[i].name);
		fprintf(stderr, "\n");
		return 1;
	}
	for (size_t i = 4; i < want; i++) {
		if (strcmp(set.ev[i].name, m->c2c[i - 4])) {
			fprintf(stderr, "    FAIL: %s default[%zu] = %s, want %s\n", m->model, i,
				set.ev[i].name, m->c2c[i - 4]);
			return 1;
		}
	}
	printf("    %-18s default cache-to-cache:", m->model);
	for (size_t i = 4; i < want; i++)
		printf(" %s", set.ev[i].name);
	printf("\n");
	return 0;
}

#define MODEL_CHILD_ARG "--forced-model"

/* Run case kind ("encoding" or "default") on table entry i, model forced. */
static void in_child(const char *kind, size_t i, const char *model, size_t *skipped)
{
	char index[24];
	int status;
	pid_t pid;

	snprintf(index, sizeof(index), "%zu", i);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		CHECK(false, "fork: %s", strerror(errno));
		return;
	}
	if (!pid) {
		setenv("LIBPFM_FORCE_PMU", model, 1);
		execl("/proc/self/exe", "test-counters", MODEL_CHILD_ARG, kind, index, (char *)NULL);
		fprintf(stderr, "    exec /proc/self/exe: %s\n", strerror(errno));
		_exit(1);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status)) {
		CHECK(false, "%s: child died", model);
		return;
	}
	if (WEXITSTATUS(status) == SKIP) {
		printf("    %-18s skip: not in this libpfm4 build (its PMU tables are per architecture)\n",
		       model);
		(*skipped)++;
	} else if (WEXITSTATUS(status)) {
		check_failures++;
	}
}

/* The exec'd side of in_child(). */
static int forced_model_main(const char *kind, const char *index)
{
	size_t i = strtoul(index, NULL, 10);
	int ret = 2;

	if (!strcmp(kind, "encoding") && i < ARRAY_LEN(model_encodings))
		ret = check_model_encoding(&model_encodings[i]);
	else if (!strcmp(kind, "default") && i < ARRAY_LEN(model_defaults))
		ret = check_model_default(&model_defaults[i]);
	fflush(NULL);
	return ret;
}

static int case_model_encodings(void)
{
	size_t n = ARRAY_LEN(model_encodings), skipped = 0;

	for (size_t i = 0; i < n; i++)
		in_child("encoding", i, model_encodings[i].model, &skipped);
	return skipped == n ? skip_case("none of its %zu models is in this libpfm4 build", n) : 0;
}

static int case_model_defaults(void)
{
	size_t n = ARRAY_LEN(model_defaults), skipped = 0;

	for (size_t i = 0; i < n; i++)
		in_child("default", i, model_defaults[i].model, &skipped);
	return skipped == n ? skip_case("none of its %zu models is in this libpfm4 build", n) : 0;
}
#endif /* QPWBENCH_HAVE_PFM */

/* ---- counting ---------------------------------------------------------- */

static void burn(void)
{
	volatile unsigned long x = 0;

	for (unsigned long i = 0; i < 2000000; i++)
		x += i;
}

/*
 * cycles must count where the kernel has a PMU for it and be n/a, with the
 * kernel's reason, where it has none (these VMs).
 */
static int case_hardware_or_na(void)
{
	struct perf_event_attr attr = {
		.size = sizeof(attr), .type = PERF_TYPE_HARDWARE,
		.config = PERF_COUNT_HW_CPU_CYCLES, .disabled = 1,
	};
	int fd = (int)syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
	int open_errno = errno;
	struct counter_set set;
	struct counters *c;
	char err[256], cell[64];
	const char *why = NULL;
	double total = 0;
	bool counted;

	if (fd >= 0)
		close(fd);
	CHECK(parse(&set, "cycles,context-switches", err, sizeof(err)) == 0, "%s", err);
	if (counters_open(&c, &set, NULL, 0, 0, err, sizeof(err))) {
		CHECK(false, "counters_open: %s", err);
		return 0;
	}
	CHECK(counters_start(c) == 0, "counters_start");
	burn();
	CHECK(counters_stop(c) == 0, "counters_stop");
	counted = counters_total(c, 0, &total, &why);
	counters_cell(c, 0, 0, cell, sizeof(cell));
	if (fd >= 0) {
		printf("    this kernel has a cycles PMU: cycles = %s\n", cell);
		CHECK(counted && total > 0, "cycles should count here: %s", why ? why : "0");
	} else {
		printf("    perf_event_open(cycles) fails here with %s: cell '%s' (%s)\n",
		       strerror(open_errno), cell, why ? why : "");
		CHECK(!counted && !strcmp(cell, "n/a"), "cycles must be n/a here, got '%s'", cell);
		CHECK(why && strstr(why, strerror(open_errno)), "reason must name the errno: %s",
		      why ? why : "(none)");
	}
	/* The software event beside it counts regardless. */
	CHECK(counters_total(c, 1, &total, &why), "context-switches n/a: %s", why);
	counters_close(c);
	return 0;
}

/* An encoding the kernel has no PMU for (an unregistered PMU type): ENOENT -> n/a. */
static int case_open_failure_is_na(void)
{
	struct counter_set set;
	struct counters *c;
	char err[256], cell[64], running[16];
	const char *why = NULL;
	double total;

	CHECK(parse(&set, "instructions,cpu-migrations", err, sizeof(err)) == 0, "%s", err);
	set.ev[0].attr.type = 0x7ffffff0;	/* no PMU registers this type */
	if (counters_open(&c, &set, NULL, 0, 0, err, sizeof(err))) {
		CHECK(false, "counters_open: %s", err);
		return 0;
	}
	counters_start(c);
	counters_stop(c);
	counters_cell(c, 0, 1000, cell, sizeof(cell));
	CHECK(!counters_total(c, 0, &total, &why) && !strcmp(cell, "n/a"),
	      "unknown PMU type must be n/a, got '%s'", cell);
	printf("    unregistered PMU type -> '%s' (%s)\n", cell, why ? why : "");
	CHECK(counters_total(c, 1, &total, &why), "cpu-migrations beside it must count: %s", why);
	counters_running_cell(c, running, sizeof(running));
	CHECK(!strcmp(running, "1.000"), "software events never multiplex: %s = %s",
	      COUNTERS_RUNNING_COLUMN, running);
	counters_close(c);

#ifdef QPWBENCH_HAVE_PFM
	/* A libpfm4 event of a PMU model absent here: parsed, n/a, reason names it. */
	if (parse(&set, "skx::MEM_LOAD_L3_MISS_RETIRED:REMOTE_HITM", err, sizeof(err))) {
		CHECK(false, "absent-model event rejected: %s", err);
	} else if (set.ev[0].encoded) {
		printf("    skx is this machine's PMU: absent-model check not applicable\n");
	} else {
		CHECK(strstr(set.ev[0].why_na, "skx") != NULL, "reason should name skx: %s",
		      set.ev[0].why_na);
		if (!counters_open(&c, &set, NULL, 0, 0, err, sizeof(err))) {
			counters_start(c);
			counters_stop(c);
			counters_cell(c, 0, 0, cell, sizeof(cell));
			CHECK(!strcmp(cell, "n/a"), "absent-model event cell '%s'", cell);
			counters_running_cell(c, running, sizeof(running));
			CHECK(!strcmp(running, "n/a"), "nothing counted: running '%s'", running);
			counters_close(c);
		}
		printf("    absent PMU model -> n/a (%s)\n", set.ev[0].why_na);
	}
#endif
	return 0;
}

/*
 * Multiplexing cannot be provoked without a PMU (software events never
 * share counters), so the scaling rule is checked on its own.
 */
static int case_multiplex_scaling(void)
{
	static const struct {
		uint64_t value, enabled, running;
		bool ok;
		double scaled;
	} cases[] = {
		{ 1000, 100, 100, true, 1000 },	/* counted all the time */
		{ 1000, 400, 100, true, 4000 },	/* a quarter of the time: x4 */
		{ 3, 3000000000ULL, 1000000000ULL, true, 9 },
		{ 0, 0, 0, true, 0 },		/* never enabled: a thread that never ran */
		{ 5, 100, 0, false, 0 },	/* enabled, never on the PMU: n/a */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		double scaled = -1;
		bool ok = counters_scale(cases[i].value, cases[i].enabled, cases[i].running,
					 &scaled);

		CHECK(ok == cases[i].ok && (!ok || scaled == cases[i].scaled),
		      "scale(%llu, %llu, %llu) = %d %g, want %d %g",
		      (unsigned long long)cases[i].value, (unsigned long long)cases[i].enabled,
		      (unsigned long long)cases[i].running, ok, scaled, cases[i].ok,
		      cases[i].scaled);
	}
	return 0;
}

#define SLEEPS 20

static void sleep_many(void)
{
	for (int i = 0; i < SLEEPS; i++)
		usleep(1000);
}

/* A thread that sleeps SLEEPS times is switched out at least SLEEPS times. */
static int case_thread_context_switches(void)
{
	struct counter_set set;
	struct counters *c;
	char err[256], cell[64];
	const char *why = "";
	double total = 0;

	CHECK(parse(&set, "ctx-switches,cpu-migrations", err, sizeof(err)) == 0, "%s", err);
	if (counters_open(&c, &set, NULL, 0, (pid_t)syscall(SYS_gettid), err, sizeof(err))) {
		CHECK(false, "counters_open(thread): %s", err);
		return 0;
	}
	counters_start(c);
	sleep_many();
	counters_stop(c);
	CHECK(counters_total(c, 0, &total, &why), "context-switches n/a: %s", why);
	CHECK(total >= SLEEPS, "%d sleeps gave only %.0f context switches", SLEEPS, total);
	counters_cell(c, 0, SLEEPS, cell, sizeof(cell));
	CHECK(strtod(cell, NULL) >= 1.0, "per-sleep context switches '%s' < 1", cell);
	printf("    thread: %d sleeps -> %.0f context switches (%s per sleep)\n", SLEEPS, total,
	       cell);
	counters_close(c);
	return 0;
}

/* Per-CPU counting sees the same switches on the CPU the sleeper is pinned to. */
static int case_cpu_context_switches(void)
{
	struct counter_set set;
	struct counters *c;
	cpu_set_t old, one;
	char err[256];
	const char *why = "";
	double total = 0;
	int cpu;

	if (sched_getaffinity(0, sizeof(old), &old)) {
		CHECK(false, "sched_getaffinity: %s", strerror(errno));
		return 0;
	}
	for (cpu = 0; cpu < CPU_SETSIZE && !CPU_ISSET(cpu, &old); cpu++)
		;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (sched_setaffinity(0, sizeof(one), &one)) {
		CHECK(false, "pinning to CPU %d: %s", cpu, strerror(errno));
		return 0;
	}
	CHECK(parse(&set, "context-switches", err, sizeof(err)) == 0, "%s", err);
	if (counters_open(&c, &set, &(unsigned int){ (unsigned int)cpu }, 1, -1, err, sizeof(err))) {
		CHECK(false, "counters_open(cpu %d): %s", cpu, err);
		sched_setaffinity(0, sizeof(old), &old);
		return 0;
	}
	if (!counters_total(c, 0, &total, &why) && strstr(why, "not permitted")) {
		counters_close(c);
		sched_setaffinity(0, sizeof(old), &old);
		return skip_case("per-CPU events not permitted here (%s)", why);
	}
	counters_start(c);
	sleep_many();
	counters_stop(c);
	sched_setaffinity(0, sizeof(old), &old);
	CHECK(counters_total(c, 0, &total, &why), "context-switches on CPU %d n/a: %s", cpu, why);
	CHECK(total >= SLEEPS, "CPU %d: %d sleeps gave only %.0f context switches", cpu, SLEEPS,
	      total);
	printf("    CPU %d: %d sleeps -> %.0f context switches (every task on the CPU)\n", cpu,
	       SLEEPS, total);
	counters_close(c);
	return 0;
}

/* The scenario glue: columns, per-op divisors, one run's cells. */
static int case_session(void)
{
	struct counters_session s;
	struct qpwbench_run run = { .scenario = QPWBENCH_SCENARIO_LOCAL, .iterations = 10,
				    .warmup = 2, .batch = 64 };
	cpu_set_t old, one;
	unsigned int cpus[QPWBENCH_MAX_CPUS];
	char err[256];
	int cpu = sched_getcpu();
	size_t n;

	CHECK(counters_run_ops(&run) == 12 * 64, "local ops %llu",
	      (unsigned long long)counters_run_ops(&run));
	run.scenario = QPWBENCH_SCENARIO_DRAIN_ALL;
	CHECK(counters_run_ops(&run) == 12, "drain-all ops %llu",
	      (unsigned long long)counters_run_ops(&run));
	run.scenario = QPWBENCH_SCENARIO_INTERFERENCE;
	CHECK(counters_run_ops(&run) == 0, "interference rows carry totals");
	run.caller_cpu = 70;
	run.cpus[0] = 1ULL << 3;
	run.cpus[1] = 1ULL << (70 - 64) | 1ULL << (100 - 64);
	n = counters_run_cpus(&run, cpus);
	CHECK(n == 3 && cpus[0] == 3 && cpus[1] == 70 && cpus[2] == 100,
	      "interference counts its targets only: %zu: %u %u %u", n, cpus[0], cpus[1], cpus[2]);
	run.cpus[1] &= ~(1ULL << (70 - 64));
	n = counters_run_cpus(&run, cpus);
	CHECK(n == 2 && cpus[0] == 3 && cpus[1] == 100,
	      "interference without its caller: %zu: %u %u", n, cpus[0], cpus[1]);
	run.scenario = QPWBENCH_SCENARIO_DRAIN_ALL;
	n = counters_run_cpus(&run, cpus);
	CHECK(n == 3 && cpus[0] == 70 && cpus[1] == 3 && cpus[2] == 100,
	      "run CPUs caller first: %zu: %u %u %u", n, cpus[0], cpus[1], cpus[2]);

	CHECK(counters_session_init(&s, "bogus-event", err, sizeof(err)) == -EINVAL,
	      "bad --events accepted");
	CHECK(counters_session_init(&s, "none", err, sizeof(err)) == 0 && s.n_columns == 0,
	      "'none' adds %zu columns", s.n_columns);
	CHECK(counters_session_init(&s, NULL, err, sizeof(err)) == 0 && s.n_columns == 0,
	      "no --events adds %zu columns", s.n_columns);
	CHECK(counters_session_init(&s, "default", err, sizeof(err)) == 0 && s.n_columns >= 5,
	      "the default set adds %zu columns", s.n_columns);
	if (counters_session_init(&s, "ctx-switches,cycles", err, sizeof(err))) {
		CHECK(false, "session: %s", err);
		return 0;
	}
	CHECK(s.n_columns == 3 && !strcmp(s.names[0], "event:context-switches") &&
	      !strcmp(s.names[1], "event:cycles") && !strcmp(s.names[2], COUNTERS_RUNNING_COLUMN),
	      "session columns %s %s %s", s.names[0], s.names[1], s.names[2]);
	CHECK(!strcmp(s.values[0], "n/a"), "cells before any run must be n/a");

	/* A remote "run" of SLEEPS drains whose caller and target are this CPU. */
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	sched_getaffinity(0, sizeof(old), &old);
	sched_setaffinity(0, sizeof(one), &one);
	memset(&run, 0, sizeof(run));
	run.scenario = QPWBENCH_SCENARIO_REMOTE;
	run.caller_cpu = (unsigned int)cpu;
	qpwbench_mask_set(run.cpus, (unsigned int)cpu);
	run.iterations = SLEEPS;
	n = counters_run_cpus(&run, cpus);
	CHECK(n == 1 && cpus[0] == (unsigned int)cpu, "run CPUs: %zu, first %u", n, cpus[0]);
	if (counters_session_begin(&s, cpus, n, err, sizeof(err))) {
		CHECK(false, "session begin: %s", err);
	} else {
		sleep_many();
		CHECK(counters_session_end(&s, counters_run_ops(&run), err, sizeof(err)) == 0,
		      "session end: %s", err);
		printf("    remote run on CPU %d: context-switches=%s cycles=%s %s=%s\n", cpu,
		       s.values[0], s.values[1], s.names[2], s.values[2]);
		CHECK(strtod(s.values[0], NULL) >= 1.0,
		      "a sleeping 'drain' must switch at least once per op: %s", s.values[0]);
	}
	sched_setaffinity(0, sizeof(old), &old);
	counters_session_free(&s);
	return 0;
}

static const struct test_case {
	const char *name;
	int (*run)(void);
} cases[] = {
	{ "parse-valid", case_parse_valid },
	{ "parse-aliases", case_parse_aliases },
	{ "parse-errors", case_parse_errors },
	{ "parse-default", case_parse_default },
#ifdef QPWBENCH_HAVE_PFM
	{ "c2c-candidates-known", case_c2c_candidates_known },
	{ "generic-matches-libpfm4", case_generic_matches_libpfm4 },
	{ "model-encodings", case_model_encodings },
	{ "model-defaults", case_model_defaults },
#endif
	{ "hardware-or-na", case_hardware_or_na },
	{ "open-failure-is-na", case_open_failure_is_na },
	{ "multiplex-scaling", case_multiplex_scaling },
	{ "thread-context-switches", case_thread_context_switches },
	{ "cpu-context-switches", case_cpu_context_switches },
	{ "session", case_session },
};

int main(int argc, char **argv)
{
	size_t ran = 0, skipped = 0;
	char skips[1024] = "";

#ifdef QPWBENCH_HAVE_PFM
	if (argc == 4 && !strcmp(argv[1], MODEL_CHILD_ARG))
		return forced_model_main(argv[2], argv[3]);
#endif
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool wanted = argc < 2;
		int before = check_failures, ret;

		for (int a = 1; a < argc; a++)
			wanted |= !strcmp(argv[a], cases[i].name);
		if (!wanted)
			continue;
		printf("%s\n", cases[i].name);
		ret = cases[i].run();
		ran++;
		if (ret == SKIP) {
			skipped++;
			snprintf(skips + strlen(skips), sizeof(skips) - strlen(skips), "%s%s (%s)",
				 *skips ? "; " : "", cases[i].name, case_skip_why);
		}
		printf("  %s\n", check_failures > before ? "FAIL" : ret == SKIP ? "skip" : "ok");
	}
	if (!ran) {
		fprintf(stderr, "test-counters: no case named %s\n", argv[1]);
		return 2;
	}
	printf("%d failure(s)\n", check_failures);
	if (check_failures)
		return 1;
	/* A case that could not run here is not a pass: skip, with the reasons. */
	if (skipped) {
		printf("SKIP: %zu of %zu case(s) could not run here: %s\n", skipped, ran, skips);
		return SKIP;
	}
	return 0;
}
