// SPDX-License-Identifier: GPL-2.0-only
/*
 * coherence: a QEMU TCG plugin that models MESI-like coherence between
 * vCPUs per 64-byte physical line and counts, inside windows the guest
 * opens and closes with kernel/uapi/qpwbench_marker.h's markers, the lines
 * that move.
 *
 * Each line has the set of vCPUs holding a copy and, when one holds it
 * Modified, that vCPU (caches of unbounded size: a line leaves a vCPU only
 * when another one's write invalidates it). For each access of vCPU v:
 *   read, v holds it:                 a hit, nothing counted;
 *   read, another vCPU holds it M:    lines_transferred (from that vCPU to v,
 *                                     "HITM"), both then hold it Shared;
 *   read, others hold it only S:      shared_fills;
 *   read, nobody holds it:            memory_fills;
 *   write: as a read when v lacks the line (lines_transferred, shared_fills
 *   or memory_fills), then every other copy is invalidated (invalidations,
 *   one per copy; an upgrade of v's own Shared copy counts only those);
 *   v then holds it Modified.
 * I/O accesses are left out. The plugin needs single-threaded TCG (QEMU's
 * -icount implies it): its callbacks run one at a time.
 *
 * Output, a CSV written when each window closes (and at exit for one left
 * open, with closed = 0):
 *   window,label,closed,scope,key,metric,value
 * scope total (key all), space (key user or kernel: the half of the
 * virtual address space the data address lies in), pair (key FROM>TO:
 * lines_transferred from vCPU FROM to TO; invalidations by writer FROM of
 * TO's copy), function (the accessing instruction's kernel function from
 * System.map, [user] for user code, [kernel] for kernel code outside it:
 * modules, or no map given). Only non-zero counts are written, except the
 * total rows, which are always there.
 *
 * Arguments: out=FILE (required), map=System.map (optional).
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qemu-plugin.h>

#include "qpwbench_marker.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

/* The line state is one word: bits 0-55 the holders, bits 56-63 the vCPU
 * holding it Modified plus one (0: none). */
#define MAX_VCPUS 56
#define LINE_SHIFT 6
#define OWNER_SHIFT 56
#define HOLDERS_MASK ((UINT64_C(1) << OWNER_SHIFT) - 1)
/* Lines in two levels: 2^18 leaves of 2^16 lines cover 2^40 bytes of
 * physical address space, allocated as touched. */
#define LEAF_BITS 16
#define TOP_BITS 18

enum metric { M_ACCESSES, M_TRANSFERS, M_SHARED, M_MEMORY, M_INVAL, M_COUNT };
static const char *const metric_names[M_COUNT] = {
	"accesses", "lines_transferred", "shared_fills", "memory_fills", "invalidations",
};

enum { SPACE_USER, SPACE_KERNEL };
static const char *const space_names[] = { "user", "kernel" };

/* Function index 0 is [user], 1 is [kernel], then System.map's text symbols. */
enum { FN_USER, FN_KERNEL, FN_FIRST };

struct symbol {
	uint64_t addr;
	char *name;
};

struct window {
	unsigned int label;
	unsigned int depth;
	uint64_t total[M_COUNT];
	uint64_t space[2][M_COUNT];
	uint64_t *pair_transfers;	/* [from * n_vcpus + to] */
	uint64_t *pair_inval;
	uint64_t (*fn)[M_COUNT];	/* per function index */
};

static uint64_t *lines[1u << TOP_BITS];
static struct symbol *symbols;
static size_t n_symbols;
static int n_vcpus;
static bool arm64;
static FILE *out;
static struct window win;
static bool win_open;
static unsigned int n_windows;

static void fail(const char *what)
{
	fprintf(stderr, "coherence: %s\n", what);
	exit(1);
}

static void *zalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p)
		fail("out of memory");
	return p;
}

static uint64_t *line_state(uint64_t paddr)
{
	uint64_t line = paddr >> LINE_SHIFT;
	uint64_t top = line >> LEAF_BITS;

	if (top >= (1u << TOP_BITS))
		return NULL;
	if (!lines[top])
		lines[top] = zalloc(1u << LEAF_BITS, sizeof(uint64_t));
	return &lines[top][line & ((1u << LEAF_BITS) - 1)];
}

static void count(enum metric m, int space, size_t fn, uint64_t by)
{
	win.total[m] += by;
	win.space[space][m] += by;
	win.fn[fn][m] += by;
}

static void access_line(unsigned int vcpu, uint64_t paddr, bool store, int space, size_t fn)
{
	uint64_t *st = line_state(paddr);
	uint64_t holders, me = UINT64_C(1) << vcpu;
	unsigned int owner;

	if (!st)
		return;
	holders = *st & HOLDERS_MASK;
	owner = (unsigned int)(*st >> OWNER_SHIFT);
	if (win_open)
		count(M_ACCESSES, space, fn, 1);
	if (!(holders & me)) {
		if (owner) {
			if (win_open) {
				count(M_TRANSFERS, space, fn, 1);
				win.pair_transfers[(owner - 1) * (unsigned int)n_vcpus + vcpu]++;
			}
		} else if (win_open) {
			count(holders ? M_SHARED : M_MEMORY, space, fn, 1);
		}
		/* The Modified copy was written back: from here on Shared. */
		owner = 0;
	}
	if (store) {
		uint64_t others = holders & ~me;

		if (others && win_open) {
			count(M_INVAL, space, fn, (uint64_t)__builtin_popcountll(others));
			for (unsigned int o = 0; o < (unsigned int)n_vcpus; o++)
				if (others >> o & 1)
					win.pair_inval[vcpu * (unsigned int)n_vcpus + o]++;
		}
		*st = me | (uint64_t)(vcpu + 1) << OWNER_SHIFT;
	} else {
		*st = holders | me | (uint64_t)owner << OWNER_SHIFT;
	}
}

/* Kernel addresses are the upper half on x86_64 and arm64 alike. */
static int space_of(uint64_t vaddr)
{
	return vaddr >> 63 ? SPACE_KERNEL : SPACE_USER;
}

static void mem_cb(unsigned int vcpu, qemu_plugin_meminfo_t info, uint64_t vaddr, void *udata)
{
	struct qemu_plugin_hwaddr *hw = qemu_plugin_get_hwaddr(info, vaddr);
	uint64_t paddr, last;
	unsigned int size = 1u << qemu_plugin_mem_size_shift(info);
	bool store = qemu_plugin_mem_is_store(info);
	int space = space_of(vaddr);
	size_t fn = (size_t)(uintptr_t)udata;

	if (!hw || qemu_plugin_hwaddr_is_io(hw) || vcpu >= (unsigned int)n_vcpus)
		return;
	paddr = qemu_plugin_hwaddr_phys_addr(hw);
	access_line(vcpu, paddr, store, space, fn);
	/* An unaligned access may straddle two lines. */
	last = paddr + size - 1;
	if (last >> LINE_SHIFT != paddr >> LINE_SHIFT)
		access_line(vcpu, last, store, space, fn);
}

static void write_row(const char *scope, const char *key, const char *metric, uint64_t value)
{
	fprintf(out, "%u,%u,%d,%s,%s,%s,%" PRIu64 "\n", n_windows, win.label, win.depth == 0,
		scope, key, metric, value);
}

static void window_free(void)
{
	free(win.pair_transfers);
	free(win.pair_inval);
	free(win.fn);
	memset(&win, 0, sizeof(win));
	win_open = false;
}

static void window_write(void)
{
	char key[64];

	for (int m = 0; m < M_COUNT; m++)
		write_row("total", "all", metric_names[m], win.total[m]);
	for (int s = 0; s < 2; s++)
		for (int m = 0; m < M_COUNT; m++)
			if (win.space[s][m])
				write_row("space", space_names[s], metric_names[m], win.space[s][m]);
	for (int f = 0; f < n_vcpus; f++)
		for (int t = 0; t < n_vcpus; t++) {
			snprintf(key, sizeof(key), "%d>%d", f, t);
			if (win.pair_transfers[f * n_vcpus + t])
				write_row("pair", key, "lines_transferred", win.pair_transfers[f * n_vcpus + t]);
			if (win.pair_inval[f * n_vcpus + t])
				write_row("pair", key, "invalidations", win.pair_inval[f * n_vcpus + t]);
		}
	for (size_t i = 0; i < FN_FIRST + n_symbols; i++) {
		const char *name = i == FN_USER ? "[user]" : i == FN_KERNEL ? "[kernel]" :
			symbols[i - FN_FIRST].name;

		for (int m = 0; m < M_COUNT; m++)
			if (win.fn[i][m])
				write_row("function", name, metric_names[m], win.fn[i][m]);
	}
	fflush(out);
}

static void marker_cb(unsigned int vcpu, void *udata)
{
	unsigned int value = (unsigned int)(uintptr_t)udata;

	(void)vcpu;
	if (!(value & QPWBENCH_MARK_CLOSE)) {
		if (!win_open) {
			win_open = true;
			win.label = value & QPWBENCH_MARK_LABEL;
			win.pair_transfers = zalloc((size_t)n_vcpus * n_vcpus, sizeof(uint64_t));
			win.pair_inval = zalloc((size_t)n_vcpus * n_vcpus, sizeof(uint64_t));
			win.fn = zalloc(FN_FIRST + n_symbols, sizeof(*win.fn));
		}
		win.depth++;
	} else if (win_open && --win.depth == 0) {
		n_windows++;
		window_write();
		window_free();
	}
}

/* The function holding pc: the last text symbol at or below it, before _etext. */
static size_t function_of(uint64_t pc)
{
	size_t lo = 0, hi = n_symbols;

	if (!(pc >> 63))
		return FN_USER;
	if (!n_symbols || pc < symbols[0].addr || pc >= symbols[n_symbols - 1].addr)
		return FN_KERNEL;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (symbols[mid].addr <= pc)
			lo = mid;
		else
			hi = mid;
	}
	return FN_FIRST + lo;
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t n = qemu_plugin_tb_n_insns(tb);

	(void)id;
	for (size_t i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
		int mark = qpwbench_marker_decode(qemu_plugin_insn_data(insn),
						  qemu_plugin_insn_size(insn), arm64);

		if (mark >= 0)
			qemu_plugin_register_vcpu_insn_exec_cb(insn, marker_cb, QEMU_PLUGIN_CB_NO_REGS,
							       (void *)(uintptr_t)mark);
		qemu_plugin_register_vcpu_mem_cb(insn, mem_cb, QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_MEM_RW,
						 (void *)(uintptr_t)function_of(qemu_plugin_insn_vaddr(insn)));
	}
}

static int by_addr(const void *a, const void *b)
{
	const struct symbol *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* System.map's text symbols, sorted, ending with _etext (kept as the end). */
static void load_map(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512], type, name[256];
	uint64_t addr;
	size_t cap = 0;

	if (!f)
		fail("cannot open the System.map given");
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%" SCNx64 " %c %255s", &addr, &type, name) != 3)
			continue;
		if (type != 't' && type != 'T' && strcmp(name, "_etext"))
			continue;
		if (n_symbols == cap) {
			cap = cap ? 2 * cap : 4096;
			symbols = realloc(symbols, cap * sizeof(*symbols));
			if (!symbols)
				fail("out of memory");
		}
		symbols[n_symbols].addr = addr;
		symbols[n_symbols].name = strdup(name);
		if (!symbols[n_symbols].name)
			fail("out of memory");
		n_symbols++;
	}
	fclose(f);
	qsort(symbols, n_symbols, sizeof(*symbols), by_addr);
	/* Past _etext is not text: drop what follows it (it closes the table). */
	for (size_t i = 0; i < n_symbols; i++)
		if (!strcmp(symbols[i].name, "_etext")) {
			n_symbols = i + 1;
			break;
		}
}

static void at_exit(qemu_plugin_id_t id, void *udata)
{
	(void)id;
	(void)udata;
	if (win_open) {
		/* Left open: written with closed = 0, so a reader can refuse it. */
		n_windows++;
		window_write();
		window_free();
	}
	fclose(out);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
					   int argc, char **argv)
{
	const char *out_path = NULL, *map_path = NULL;

	/* Built against QEMU_PLUGIN_VERSION; refuse a QEMU outside its range. */
	if (info->version.min > QEMU_PLUGIN_VERSION || info->version.cur < QEMU_PLUGIN_VERSION) {
		fprintf(stderr, "coherence: built for plugin API %d, this QEMU takes %d-%d\n",
			QEMU_PLUGIN_VERSION, info->version.min, info->version.cur);
		return -1;
	}
	if (!info->system_emulation) {
		fprintf(stderr, "coherence: needs system emulation (physical addresses)\n");
		return -1;
	}
	if (!strcmp(info->target_name, "aarch64"))
		arm64 = true;
	else if (strcmp(info->target_name, "x86_64")) {
		fprintf(stderr, "coherence: knows the markers of x86_64 and aarch64, not %s\n",
			info->target_name);
		return -1;
	}
	n_vcpus = info->system.max_vcpus;
	if (n_vcpus > MAX_VCPUS) {
		fprintf(stderr, "coherence: at most %d vCPUs, not %d\n", MAX_VCPUS, n_vcpus);
		return -1;
	}
	for (int i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "out=", 4))
			out_path = argv[i] + 4;
		else if (!strncmp(argv[i], "map=", 4))
			map_path = argv[i] + 4;
		else {
			fprintf(stderr, "coherence: unknown argument %s (out=FILE, map=System.map)\n", argv[i]);
			return -1;
		}
	}
	if (!out_path) {
		fprintf(stderr, "coherence: out=FILE is required\n");
		return -1;
	}
	out = fopen(out_path, "w");
	if (!out) {
		fprintf(stderr, "coherence: cannot write %s\n", out_path);
		return -1;
	}
	fputs("window,label,closed,scope,key,metric,value\n", out);
	if (map_path)
		load_map(map_path);
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
