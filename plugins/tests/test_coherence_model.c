// SPDX-License-Identifier: GPL-2.0-only
/*
 * The coherence plugin's model without QEMU: coherence.c compiled in with
 * stand-ins for the plugin API, its memory callback fed access sequences
 * whose counts are worked out by hand (MESI states of three vCPUs), its
 * windows opened and closed through the marker callback, its CSV read
 * back, and System.map lookups checked.
 */
#include <unistd.h>

#include "../coherence.c"

/* Stand-ins. A meminfo is the access's size shift, plus STORE for a write;
 * a guest physical address is its virtual address's low 40 bits, I/O from
 * IO_BASE for 4 GiB. */
#define STORE 0x100u
#define IO_BASE UINT64_C(0x7000000000)

static struct qemu_plugin_hwaddr {
	uint64_t paddr;
} hwaddr;

struct qemu_plugin_hwaddr *qemu_plugin_get_hwaddr(qemu_plugin_meminfo_t info, uint64_t vaddr)
{
	(void)info;
	hwaddr.paddr = vaddr & ((UINT64_C(1) << 40) - 1);
	return &hwaddr;
}

bool qemu_plugin_hwaddr_is_io(const struct qemu_plugin_hwaddr *haddr)
{
	return haddr->paddr >= IO_BASE && haddr->paddr - IO_BASE < (UINT64_C(1) << 32);
}

uint64_t qemu_plugin_hwaddr_phys_addr(const struct qemu_plugin_hwaddr *haddr)
{
	return haddr->paddr;
}

unsigned int qemu_plugin_mem_size_shift(qemu_plugin_meminfo_t info)
{
	return info & 0xff;
}

bool qemu_plugin_mem_is_store(qemu_plugin_meminfo_t info)
{
	return info & STORE;
}

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb)
{
	(void)id;
	(void)cb;
}

void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void *userdata)
{
	(void)id;
	(void)cb;
	(void)userdata;
}

/* tb_trans is not driven here (translation needs QEMU): these only link. */
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb)
{
	(void)tb;
	return 0;
}

struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx)
{
	(void)tb;
	(void)idx;
	return NULL;
}

const void *qemu_plugin_insn_data(const struct qemu_plugin_insn *insn)
{
	(void)insn;
	return NULL;
}

size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *insn)
{
	(void)insn;
	return 0;
}

uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn)
{
	(void)insn;
	return 0;
}

void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn,
					    qemu_plugin_vcpu_udata_cb_t cb,
					    enum qemu_plugin_cb_flags flags, void *userdata)
{
	(void)insn;
	(void)cb;
	(void)flags;
	(void)userdata;
}

void qemu_plugin_register_vcpu_mem_cb(struct qemu_plugin_insn *insn, qemu_plugin_vcpu_mem_cb_t cb,
				      enum qemu_plugin_cb_flags flags, enum qemu_plugin_mem_rw rw,
				      void *userdata)
{
	(void)insn;
	(void)cb;
	(void)flags;
	(void)rw;
	(void)userdata;
}

static int failures, passes;

static void expect(uint64_t got, uint64_t want, const char *what)
{
	if (got == want) {
		passes++;
		return;
	}
	printf("FAIL: %s: %" PRIu64 ", want %" PRIu64 "\n", what, got, want);
	failures++;
}

#define LINE_A UINT64_C(0x10000)
#define LINE_B UINT64_C(0x20000)
#define KERNEL (UINT64_C(1) << 63)

static void rd(unsigned int vcpu, uint64_t vaddr)
{
	mem_cb(vcpu, 3, vaddr, (void *)(uintptr_t)FN_USER);
}

static void wr(unsigned int vcpu, uint64_t vaddr)
{
	mem_cb(vcpu, 3 | STORE, vaddr, (void *)(uintptr_t)FN_USER);
}

static void mark(unsigned int value)
{
	marker_cb(0, (void *)(uintptr_t)value);
}

static void install(const char *out_path, const char *map_path, int vcpus)
{
	char out_arg[300], map_arg[300];
	char *argv[2] = { out_arg, map_arg };
	qemu_info_t info = { .target_name = "x86_64", .version = { 1, 1 },
			     .system_emulation = true };

	info.system.smp_vcpus = info.system.max_vcpus = vcpus;
	snprintf(out_arg, sizeof(out_arg), "out=%s", out_path);
	snprintf(map_arg, sizeof(map_arg), "map=%s", map_path);
	expect((uint64_t)qemu_plugin_install(1, &info, 2, argv), 0, "install");
}

/* The value of the CSV row window,label,1,scope,key,metric; -1 when absent. */
static long long csv_value(const char *path, unsigned int window, const char *scope,
			   const char *key, const char *metric)
{
	FILE *f = fopen(path, "r");
	char line[512], want[256];
	long long value = -1;

	if (!f)
		return -1;
	snprintf(want, sizeof(want), ",%s,%s,%s,", scope, key, metric);
	while (fgets(line, sizeof(line), f)) {
		char *p = strchr(line, ',');

		if (strtoul(line, NULL, 10) == window && p && strstr(line, want))
			value = strtoll(strrchr(line, ',') + 1, NULL, 10);
	}
	fclose(f);
	return value;
}

#define PCPU_SYM UINT64_C(0xffffffff81900100)	/* cpu_batch */

/* A kernel access of vCPU vcpu through %gs to cpu_batch. */
static void gs_access(unsigned int vcpu, uint64_t vaddr)
{
	mem_cb(vcpu, 3, vaddr, (void *)(uintptr_t)((uint64_t)gs_index(PCPU_SYM) << UDATA_GS_SHIFT |
						   FN_FIRST));
}

/* Objects: the %gs decoder, per-CPU offsets learned, per-CPU copies, data
 * symbols and address classes named, object rows in window 2. */
static void objects(const char *csv)
{
	/* mov %gs:cpu_batch(%rip),%rax at first_fn; mov %gs:cpu_batch,%rax;
	 * mov cpu_batch(%rip),%rax (no %gs); %gs naming no per-CPU symbol. */
	uint64_t pc = UINT64_C(0xffffffff81000100);
	int32_t rel = (int32_t)(PCPU_SYM - (pc + 8));
	uint32_t abs32 = (uint32_t)PCPU_SYM;
	unsigned char riprel[8] = { 0x65, 0x48, 0x8b, 0x05 }, absolute[9] = { 0x65, 0x48, 0x8b, 0x04, 0x25 };
	unsigned char plain[7] = { 0x48, 0x8b, 0x05 }, elsewhere[8] = { 0x65, 0x48, 0x8b, 0x05 };
	/* vCPU c's per-CPU offset: its copy of cpu_batch at (c + 1) MiB + 0x100. */
	uint64_t copy[3];

	memcpy(riprel + 4, &rel, 4);
	memcpy(absolute + 5, &abs32, 4);
	memcpy(plain + 3, &rel, 4);
	expect(gs_symbol(riprel, 8, pc), PCPU_SYM, "%gs RIP-relative operand");
	expect(gs_symbol(absolute, 9, pc), PCPU_SYM, "%gs absolute operand");
	expect(gs_symbol(plain, 7, pc), 0, "no %gs prefix");
	expect(gs_symbol(elsewhere, 8, pc), 0, "%gs operand outside the per-CPU symbols");

	for (unsigned int c = 0; c < 3; c++)
		copy[c] = KERNEL | ((uint64_t)(c + 1) << 20 | 0x100);
	expect(object_of(copy[1], &(uint64_t){ 0 }), OBJ_KERNEL, "a per-CPU copy before its offset is known");
	gs_access(1, copy[1] + 3);		/* not page aligned: no offset */
	expect(pcpu_known[1], 0, "an offset not page aligned is refused");
	gs_access(0, copy[0]);
	gs_access(0, copy[1]);			/* a candidate another one refutes */
	expect(pcpu_known[0], 0, "two offsets that disagree: none learned");
	for (unsigned int c = 0; c < 3; c++) {
		gs_access(c, copy[c]);
		gs_access(c, copy[c]);
	}
	expect(pcpu_known[0] && pcpu_known[1] && pcpu_known[2], 1, "offsets learned");
	expect(pcpu_unit, UINT64_C(1) << 20, "the unit: the distance between two offsets");

	wr(1, copy[1] + 0x40);			/* CPU 1 writes its batch's second line */
	wr(2, UINT64_C(0xffffffff81800040));	/* lock_data */
	wr(2, copy[1] - 0x100 + 0x400 + 0x10);	/* CPU 1's dynamic area, by CPU 2 */
	wr(1, UINT64_C(0xffffea0000001000));	/* a struct page */
	mark(3);
	rd(0, copy[1] + 0x48);
	rd(0, UINT64_C(0xffffffff81800048));
	wr(1, copy[1] - 0x100 + 0x400 + 0x18);
	rd(2, UINT64_C(0xffffea0000001008));
	rd(0, LINE_B);
	mark(3 | QPWBENCH_MARK_CLOSE);
	expect((uint64_t)csv_value(csv, 2, "object", "cpu_batch@1", "lines_transferred"), 1,
	       "CSV object: a per-CPU copy");
	expect((uint64_t)csv_value(csv, 2, "object_pair", "cpu_batch@1:1>0", "lines_transferred"), 1,
	       "CSV object_pair: the target's line to the caller");
	expect((uint64_t)csv_value(csv, 2, "object_line", "cpu_batch@1+64", "lines_transferred"), 1,
	       "CSV object_line: the batch's second line");
	expect((uint64_t)csv_value(csv, 2, "object_pair", "lock_data:2>0", "lines_transferred"), 1,
	       "CSV object_pair: a data symbol");
	expect((uint64_t)csv_value(csv, 2, "object_pair", "[percpu-dynamic]@1:2>1", "lines_transferred"), 1,
	       "CSV object_pair: a dynamic per-CPU line");
	expect((uint64_t)csv_value(csv, 2, "object_pair", "[struct page]:1>2", "lines_transferred"), 1,
	       "CSV object_pair: a struct page");
	expect((uint64_t)csv_value(csv, 2, "object", "[user]", "accesses"), 1, "CSV object: user");
	expect((uint64_t)csv_value(csv, 2, "object", "lock_data", "accesses"), 1, "CSV object accesses");
	expect((uint64_t)csv_value(csv, 2, "object_pair", "[percpu-dynamic]@1:1>2", "invalidations"), 1,
	       "CSV object_pair invalidations");
}

int main(void)
{
	char dir[] = "/tmp/coherence-model.XXXXXX", csv[256], map[256];
	FILE *f;

	if (!mkdtemp(dir))
		return 1;
	snprintf(csv, sizeof(csv), "%s/out.csv", dir);
	snprintf(map, sizeof(map), "%s/System.map", dir);
	f = fopen(map, "w");
	fputs("ffffffff81000000 T _stext\nffffffff81000100 t first_fn\n"
	      "ffffffff81002000 D some_data\nffffffff81000200 T second_fn\n"
	      "ffffffff81003000 T _etext\nffffffff81004000 T after_etext\n"
	      "ffffffff81800040 d lock_data\nffffffff81800080 b other_data\n"
	      "ffffffff81900000 D __per_cpu_start\nffffffff81900000 d first_pcpu\n"
	      "ffffffff81900100 d cpu_batch\nffffffff81900400 D __per_cpu_end\n"
	      "ffffffff81a00000 B _end\n", f);
	fclose(f);
	/* Refusals, before anything is set up: the API version out of range,
	 * user-mode emulation, an unknown target, too many vCPUs, arguments. */
	{
		char good[300], bad_arg[] = "colour=red", no_out[] = "map=/dev/null";
		char *good_argv[] = { good }, *bad_argv[] = { good, bad_arg }, *no_out_argv[] = { no_out };
		qemu_info_t info = { .target_name = "x86_64", .version = { 2, 3 },
				     .system_emulation = true };

		/* Every refusal but the arguments' gets arguments that would do. */
		snprintf(good, sizeof(good), "out=%s/refused.csv", dir);
		info.system.max_vcpus = 2;
		expect(qemu_plugin_install(1, &info, 1, good_argv) != 0, 1, "an API above this plugin's");
		info.version.min = info.version.cur = 0;
		expect(qemu_plugin_install(1, &info, 1, good_argv) != 0, 1, "an API below this plugin's");
		info.version.min = info.version.cur = QEMU_PLUGIN_VERSION;
		info.system_emulation = false;
		expect(qemu_plugin_install(1, &info, 1, good_argv) != 0, 1, "user-mode emulation");
		info.system_emulation = true;
		info.target_name = "riscv64";
		expect(qemu_plugin_install(1, &info, 1, good_argv) != 0, 1, "a target without markers");
		info.target_name = "x86_64";
		info.system.max_vcpus = MAX_VCPUS + 1;
		expect(qemu_plugin_install(1, &info, 1, good_argv) != 0, 1, "too many vCPUs");
		info.system.max_vcpus = 2;
		expect(qemu_plugin_install(1, &info, 2, bad_argv) != 0, 1, "an unknown argument");
		expect(qemu_plugin_install(1, &info, 1, no_out_argv) != 0, 1, "no out=");
		expect(out == NULL, 1, "nothing opened by a refusal");
	}
	install(csv, map, 3);

	/* System.map: text symbols sorted, data and what follows _etext left out. */
	expect(function_of(0x400000), FN_USER, "a user pc");
	expect(function_of(UINT64_C(0xffffffff81000150)), FN_FIRST + 1, "first_fn");
	expect(function_of(UINT64_C(0xffffffff81002800)), FN_FIRST + 2, "second_fn past some_data");
	expect(function_of(UINT64_C(0xffffffff81000200)), FN_FIRST + 2, "second_fn's first byte");
	expect(function_of(UINT64_C(0xffffffff81003000)), FN_KERNEL, "_etext is past the text");
	expect(function_of(UINT64_C(0xffffffffc0000010)), FN_FIRST + n_symbols, "module code: a new index");
	expect(function_of(UINT64_C(0xffffffffc0000020)), FN_FIRST + n_symbols + 1, "another module address");
	expect(function_of(UINT64_C(0xffffffffc0000010)), FN_FIRST + n_symbols, "module code: the same index again");
	expect(function_of(UINT64_C(0xfffffe0000000000)), FN_KERNEL, "kernel code outside text and modules");

	/* Outside a window the states change but nothing is counted. */
	wr(1, LINE_B);
	expect(win_open, 0, "no window yet");

	mark(7);
	mark(7);			/* nested: one window */
	rd(0, LINE_A);			/* nobody holds A */
	expect(win.total[M_MEMORY], 1, "read of an untouched line: memory_fills");
	rd(1, LINE_A + 8);		/* vCPU 0 holds A Shared */
	expect(win.total[M_SHARED], 1, "read of a Shared line: shared_fills");
	wr(2, LINE_A);			/* 0 and 1 hold A Shared */
	expect(win.total[M_SHARED], 2, "write miss on a Shared line: shared_fills");
	expect(win.total[M_INVAL], 2, "write miss invalidates both Shared copies");
	rd(0, LINE_A);			/* 2 holds A Modified */
	expect(win.total[M_TRANSFERS], 1, "read of a Modified line: lines_transferred");
	rd(1, LINE_A);			/* 2 and 0 hold A, no longer Modified */
	expect(win.total[M_SHARED], 3, "a third reader after a transfer: shared_fills");
	rd(2, LINE_A);
	expect(win.total[M_TRANSFERS], 1, "the writer still holds its (now Shared) copy");
	wr(0, LINE_A);			/* 0, 1 and 2 hold A Shared: an upgrade */
	expect(win.total[M_TRANSFERS], 1, "an upgrade moves no line");
	expect(win.total[M_INVAL], 4, "an upgrade invalidates the other copies");
	wr(0, LINE_A + 56);
	expect(win.total[M_INVAL], 4, "a write to one's own Modified line: nothing");
	wr(1, LINE_A);			/* 0 holds A Modified */
	expect(win.total[M_TRANSFERS], 2, "write miss on a Modified line: lines_transferred");
	expect(win.total[M_INVAL], 5, "and invalidates that copy");
	rd(0, LINE_B);			/* 1 wrote B before the window */
	expect(win.total[M_TRANSFERS], 3, "state from before the window counts");
	/* An 8-byte read at 60 bytes into the line straddles the next: two. */
	wr(2, LINE_A + 64);
	mem_cb(0, 3, LINE_A + 60, (void *)(uintptr_t)FN_USER);
	expect(win.total[M_TRANSFERS], 5, "a straddling read moves both lines");
	expect(win.total[M_ACCESSES], 13, "accesses, a straddle counting two");
	/* Kernel data (the same physical line through a kernel address: one
	 * line) and I/O. 1 and 0 hold A Shared. */
	mem_cb(1, 3 | STORE, KERNEL | LINE_A, (void *)(uintptr_t)(FN_FIRST + 1));
	expect(win.space[SPACE_KERNEL][M_INVAL], 1, "kernel address: kernel space");
	mem_cb(0, 3, KERNEL | LINE_A, (void *)(uintptr_t)(FN_FIRST + 1));
	expect(win.space[SPACE_KERNEL][M_TRANSFERS], 1, "a kernel read of a line Modified elsewhere");
	expect(win.space[SPACE_USER][M_TRANSFERS], 5, "user space unchanged");
	wr(0, IO_BASE);
	expect(win.total[M_ACCESSES], 15, "I/O is not counted");
	/* Module code's accesses under its address (a function index added
	 * while the window is open grows the window's table). */
	mem_cb(2, 3, LINE_A + 128, (void *)(uintptr_t)function_of(UINT64_C(0xffffffffc0000010)));
	mem_cb(2, 3, LINE_A + 192, (void *)(uintptr_t)function_of(UINT64_C(0xffffffffc0000030)));

	mark(7 | QPWBENCH_MARK_CLOSE);
	expect(win_open, 1, "the inner close leaves the window open");
	mark(7 | QPWBENCH_MARK_CLOSE);
	expect(win_open, 0, "the outer close ends it");
	mark(QPWBENCH_MARK_CLOSE);
	expect(n_windows, 1, "a stray close opens nothing");

	expect((uint64_t)csv_value(csv, 1, "total", "all", "lines_transferred"), 6, "CSV total");
	expect((uint64_t)csv_value(csv, 1, "total", "all", "invalidations"), 6, "CSV invalidations");
	expect((uint64_t)csv_value(csv, 1, "space", "user", "lines_transferred"), 5, "CSV user");
	expect((uint64_t)csv_value(csv, 1, "pair", "2>0", "lines_transferred"), 2, "CSV pair 2>0");
	expect((uint64_t)csv_value(csv, 1, "pair", "1>0", "lines_transferred"), 3, "CSV pair 1>0");
	expect((uint64_t)csv_value(csv, 1, "pair", "0>1", "lines_transferred"), 1, "CSV pair 0>1");
	expect(csv_value(csv, 1, "pair", "0>2", "lines_transferred"), -1, "CSV no pair 0>2 transfer");
	expect((uint64_t)csv_value(csv, 1, "pair", "2>1", "invalidations"), 1, "CSV pair 2>1 invalidations");
	expect((uint64_t)csv_value(csv, 1, "pair", "1>0", "invalidations"), 2, "CSV pair 1>0 invalidations");
	expect((uint64_t)csv_value(csv, 1, "total", "all", "memory_fills"), 4, "CSV memory_fills (2 of module code)");
	expect((uint64_t)csv_value(csv, 1, "function", "first_fn", "lines_transferred"), 1,
	       "CSV kernel function");
	expect((uint64_t)csv_value(csv, 1, "function", "[user]", "lines_transferred"), 5, "CSV [user]");
	expect((uint64_t)csv_value(csv, 1, "total", "all", "shared_fills"), 3, "CSV shared_fills");
	expect((uint64_t)csv_value(csv, 1, "function", "[module]+0xffffffffc0000010", "accesses"), 1,
	       "CSV module code by address");
	expect((uint64_t)csv_value(csv, 1, "function", "[module]+0xffffffffc0000030", "memory_fills"), 1,
	       "CSV module code first seen in the window");

	objects(csv);

	/* A window left open is written at exit, marked not closed. */
	mark(9);
	rd(2, LINE_B);
	at_exit(1, NULL);
	f = fopen(csv, "r");
	{
		char line[512];
		int open_rows = 0;

		while (f && fgets(line, sizeof(line), f))
			open_rows += !strncmp(line, "3,9,0,total,all,", 16);
		expect((uint64_t)open_rows, M_COUNT, "the open window's rows, closed = 0");
	}
	if (f)
		fclose(f);

	if (!getenv("KEEP")) remove(csv);
	remove(map);
	rmdir(dir);
	printf("%d passed, %d failed\n", passes, failures);
	return failures != 0;
}
