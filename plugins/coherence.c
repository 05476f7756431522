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
 * System.map, [user] for user code, [module]+0xADDR for module code (x86_64
 * with a map: the instruction's address, which scripts/coherence-symbols
 * names from the guest's /proc/kallsyms), [kernel] for other kernel code
 * outside it or no map given), object (the data object the accessed byte
 * belongs to, below), object_pair (key OBJECT:FROM>TO, lines_transferred and
 * invalidations between vCPUs per object) and object_line (key
 * OBJECT+OFFSET, lines_transferred per 64-byte line of an object, OFFSET
 * the accessed byte's offset in the object rounded down to 64). Only
 * non-zero counts are written, except the total rows, which are always
 * there.
 *
 * Objects, x86_64 with a System.map (the guest booted nokaslr):
 *   NAME@C    a static per-CPU variable of System.map (between
 *             __per_cpu_start and __per_cpu_end), CPU C's copy; each vCPU's
 *             per-CPU offset is learned from its own %gs-relative kernel
 *             instructions (the operand's symbol is in the instruction, the
 *             address in the access), so a copy is named once its CPU ran
 *             such an instruction, before or in the window;
 *   [percpu-dynamic]@C  CPU C's first per-CPU chunk past the static
 *             variables (alloc_percpu(), modules' per-CPU data);
 *   NAME      a kernel image data symbol (d, D, b, B, r, R);
 *   [struct page]  the vmemmap: folios' and pages' struct pages;
 *   [direct map]   slab, page tables, page cache data, kmalloc'ed objects;
 *   [vmalloc]      vmalloc, task stacks (VMAP_STACK);
 *   [module]       module image; [user]: user addresses; [kernel]: the rest
 *                  (and every kernel address without a map or on arm64).
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

/* Function index 0 is [user], 1 is [kernel], then System.map's text symbols,
 * then the module code addresses seen (mod_pcs). */
enum { FN_USER, FN_KERNEL, FN_FIRST };

struct symbol {
	uint64_t addr;
	char *name;
};

/* Objects by address class; then data symbols, then per-CPU copies. */
enum {
	OBJ_USER, OBJ_KERNEL, OBJ_PAGE, OBJ_DIRECT, OBJ_VMALLOC, OBJ_MODULE, OBJ_FIRST
};
static const char *const obj_class_names[OBJ_FIRST] = {
	"[user]", "[kernel]", "[struct page]", "[direct map]", "[vmalloc]", "[module]",
};

/* x86_64's memory map without KASLR (Documentation/arch/x86/x86_64/mm.rst),
 * 4-level paging and 5-level (LA57: QEMU's -cpu max, Linux from 6.16). */
static const struct {
	uint64_t start, end;
	int obj;
} x86_ranges[] = {
	{ UINT64_C(0xffff888000000000), UINT64_C(0xffffc88000000000), OBJ_DIRECT },
	{ UINT64_C(0xffffc90000000000), UINT64_C(0xffffe90000000000), OBJ_VMALLOC },
	{ UINT64_C(0xffffea0000000000), UINT64_C(0xffffeb0000000000), OBJ_PAGE },
	{ UINT64_C(0xff11000000000000), UINT64_C(0xff91000000000000), OBJ_DIRECT },
	{ UINT64_C(0xffa0000000000000), UINT64_C(0xffd2000000000000), OBJ_VMALLOC },
	{ UINT64_C(0xffd4000000000000), UINT64_C(0xffd6000000000000), OBJ_PAGE },
	{ UINT64_C(0xffffffffa0000000), UINT64_C(0xffffffffff000000), OBJ_MODULE },
};

/* A count per object: metric, and for pair rows the vCPUs (NO_VCPU: none). */
#define NO_VCPU 0xffu
struct obj_count {
	uint64_t obj;		/* 0: a free slot; else object index + 1 */
	uint32_t line;		/* offset / 64 + 1 for object_line rows, else 0 */
	uint8_t metric, from, to;
	uint64_t value;
};

struct window {
	unsigned int label;
	unsigned int depth;
	uint64_t total[M_COUNT];
	uint64_t space[2][M_COUNT];
	uint64_t *pair_transfers;	/* [from * n_vcpus + to] */
	uint64_t *pair_inval;
	uint64_t (*fn)[M_COUNT];	/* per function index */
	size_t n_fn;
	struct obj_count *objs;		/* open addressing, n_objs_cap slots */
	size_t n_objs, n_objs_cap;
};

static uint64_t *lines[1u << TOP_BITS];
static struct symbol *symbols;
static size_t n_symbols;
/* Module code: each instruction address with a memory access, in the order
 * first translated (function index FN_FIRST + n_symbols + i), found through
 * an open-addressing table of index + 1. A host script names them from the
 * guest's /proc/kallsyms (scripts/coherence-symbols). */
static uint64_t *mod_pcs;
static size_t n_mod_pcs, mod_pcs_cap;
static uint32_t *mod_hash;
static size_t mod_hash_cap;
/* Data symbols of the kernel image and the static per-CPU ones, sorted; each
 * ends where the next begins (the last at data_end / pcpu_end). */
static struct symbol *data_syms, *pcpu_syms;
static size_t n_data_syms, n_pcpu_syms;
static uint64_t data_end, pcpu_start, pcpu_end;
/* Each vCPU's per-CPU offset: learned once pcpu_known, else the last
 * candidate. */
static uint64_t pcpu_off[MAX_VCPUS];
static bool pcpu_known[MAX_VCPUS];
/* The first chunk's unit: the smallest distance between two known offsets
 * (until two are known, the static variables' size). */
static uint64_t pcpu_unit;
/* The per-CPU symbols %gs-relative instructions name: udata carries an
 * index into this table (interned, gs_sym_hash), 0 for none. */
static uint64_t *gs_syms;
static size_t n_gs_syms, gs_syms_cap;
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

static uint64_t obj_hash(uint64_t obj, uint32_t line, unsigned int m, unsigned int from,
			 unsigned int to)
{
	uint64_t h = obj * UINT64_C(0x9e3779b97f4a7c15);

	h ^= ((uint64_t)line << 24 | m << 16 | from << 8 | to) * UINT64_C(0xc2b2ae3d27d4eb4f);
	return h ^ h >> 29;
}

static struct obj_count *obj_slot(struct obj_count *t, size_t cap, uint64_t obj, uint32_t line,
				  unsigned int m, unsigned int from, unsigned int to)
{
	size_t i = (size_t)obj_hash(obj, line, m, from, to) & (cap - 1);

	while (t[i].obj && !(t[i].obj == obj && t[i].line == line && t[i].metric == m &&
			     t[i].from == from && t[i].to == to))
		i = (i + 1) & (cap - 1);
	return &t[i];
}

/* Add by to object obj's count (obj: object index). */
static void obj_count(size_t obj, uint32_t line, unsigned int m, unsigned int from,
		      unsigned int to, uint64_t by)
{
	struct obj_count *c;

	if (2 * (win.n_objs + 1) > win.n_objs_cap) {
		size_t cap = win.n_objs_cap ? 2 * win.n_objs_cap : 1024;
		struct obj_count *t = zalloc(cap, sizeof(*t));

		for (size_t i = 0; i < win.n_objs_cap; i++)
			if (win.objs[i].obj)
				*obj_slot(t, cap, win.objs[i].obj, win.objs[i].line,
					  win.objs[i].metric, win.objs[i].from,
					  win.objs[i].to) = win.objs[i];
		free(win.objs);
		win.objs = t;
		win.n_objs_cap = cap;
	}
	c = obj_slot(win.objs, win.n_objs_cap, obj + 1, line, m, from, to);
	if (!c->obj) {
		c->obj = obj + 1;
		c->line = line;
		c->metric = (uint8_t)m;
		c->from = (uint8_t)from;
		c->to = (uint8_t)to;
		win.n_objs++;
	}
	c->value += by;
}

/* The last symbol of t at or below addr, or -1. */
static long sym_below(const struct symbol *t, size_t n, uint64_t addr)
{
	size_t lo = 0, hi = n;

	if (!n || addr < t[0].addr)
		return -1;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (t[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	return (long)lo;
}

/* The object holding vaddr, accessed by vcpu; *start is its first byte. */
static size_t object_of(uint64_t vaddr, uint64_t *start)
{
	long i;

	*start = vaddr;
	if (!(vaddr >> 63))
		return OBJ_USER;
	if (arm64)
		return OBJ_KERNEL;
	for (int c = 0; c < n_vcpus && n_pcpu_syms; c++) {
		uint64_t rel = vaddr - pcpu_off[c];

		if (!pcpu_known[c] || rel < pcpu_start)
			continue;
		if (rel < pcpu_end) {
			i = sym_below(pcpu_syms, n_pcpu_syms, rel);
			if (i < 0)
				break;
			*start = pcpu_syms[i].addr + pcpu_off[c];
			return OBJ_FIRST + n_data_syms + (size_t)(i + 1) * (size_t)n_vcpus + (size_t)c;
		}
		/* Past the static variables, up to the unit's end (the
		 * distance between two CPUs' offsets): the reserved and
		 * dynamic areas. */
		if (rel - pcpu_start < pcpu_unit) {
			*start = pcpu_end + pcpu_off[c];
			return OBJ_FIRST + n_data_syms + (size_t)c;
		}
	}
	if (vaddr < data_end) {
		i = sym_below(data_syms, n_data_syms, vaddr);
		if (i >= 0) {
			*start = data_syms[i].addr;
			return OBJ_FIRST + (size_t)i;
		}
	}
	for (size_t r = 0; r < sizeof(x86_ranges) / sizeof(x86_ranges[0]); r++)
		if (vaddr >= x86_ranges[r].start && vaddr < x86_ranges[r].end)
			return (size_t)x86_ranges[r].obj;
	return OBJ_KERNEL;
}

/* The object's name for the CSV. */
static void object_name(size_t obj, char *buf, size_t len)
{
	if (obj < OBJ_FIRST) {
		snprintf(buf, len, "%s", obj_class_names[obj]);
	} else if (obj < OBJ_FIRST + n_data_syms) {
		snprintf(buf, len, "%s", data_syms[obj - OBJ_FIRST].name);
	} else {
		size_t k = obj - OBJ_FIRST - n_data_syms, v = k / (size_t)n_vcpus;

		snprintf(buf, len, "%s@%zu", v ? pcpu_syms[v - 1].name : "[percpu-dynamic]",
			 k % (size_t)n_vcpus);
	}
}

static void count(enum metric m, int space, size_t fn, uint64_t by)
{
	win.total[m] += by;
	win.space[space][m] += by;
	if (fn >= win.n_fn) {
		size_t n = FN_FIRST + n_symbols + n_mod_pcs;

		win.fn = realloc(win.fn, n * sizeof(*win.fn));
		if (!win.fn)
			fail("out of memory");
		memset(win.fn + win.n_fn, 0, (n - win.n_fn) * sizeof(*win.fn));
		win.n_fn = n;
	}
	win.fn[fn][m] += by;
}

static void access_line(unsigned int vcpu, uint64_t paddr, uint64_t vaddr, bool store, int space,
			size_t fn)
{
	uint64_t *st = line_state(paddr);
	uint64_t holders, me = UINT64_C(1) << vcpu, start = 0;
	unsigned int owner;
	size_t obj = 0;

	if (!st)
		return;
	holders = *st & HOLDERS_MASK;
	owner = (unsigned int)(*st >> OWNER_SHIFT);
	if (win_open) {
		count(M_ACCESSES, space, fn, 1);
		obj = object_of(vaddr, &start);
		obj_count(obj, 0, M_ACCESSES, NO_VCPU, NO_VCPU, 1);
	}
	if (!(holders & me)) {
		if (owner) {
			if (win_open) {
				count(M_TRANSFERS, space, fn, 1);
				win.pair_transfers[(owner - 1) * (unsigned int)n_vcpus + vcpu]++;
				obj_count(obj, 0, M_TRANSFERS, NO_VCPU, NO_VCPU, 1);
				obj_count(obj, 0, M_TRANSFERS, owner - 1, vcpu, 1);
				if (obj >= OBJ_FIRST)
					obj_count(obj, (uint32_t)((vaddr - start) >> LINE_SHIFT) + 1,
						  M_TRANSFERS, owner - 1, vcpu, 1);
			}
		} else if (win_open) {
			count(holders ? M_SHARED : M_MEMORY, space, fn, 1);
			obj_count(obj, 0, holders ? M_SHARED : M_MEMORY, NO_VCPU, NO_VCPU, 1);
		}
		/* The Modified copy was written back: from here on Shared. */
		owner = 0;
	}
	if (store) {
		uint64_t others = holders & ~me;

		if (others && win_open) {
			count(M_INVAL, space, fn, (uint64_t)__builtin_popcountll(others));
			obj_count(obj, 0, M_INVAL, NO_VCPU, NO_VCPU,
				  (uint64_t)__builtin_popcountll(others));
			for (unsigned int o = 0; o < (unsigned int)n_vcpus; o++)
				if (others >> o & 1) {
					win.pair_inval[vcpu * (unsigned int)n_vcpus + o]++;
					obj_count(obj, 0, M_INVAL, vcpu, o, 1);
				}
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

/* udata of a memory callback: the function index, and in the upper half
 * the index + 1 of the per-CPU symbol a %gs-relative operand names. */
#define UDATA_GS_SHIFT 32

/* A kernel access through %gs: the vCPU's per-CPU offset is the accessed
 * address less the operand's symbol (page aligned, else no per-CPU
 * access), once two such accesses agree. */
static void learn_pcpu(unsigned int vcpu, uint64_t vaddr, uint64_t sym)
{
	uint64_t off = vaddr - sym;

	if (pcpu_known[vcpu] || (off & 4095))
		return;
	/* Two accesses agreeing: one misdecoded instruction cannot set it. */
	if (pcpu_off[vcpu] != off) {
		pcpu_off[vcpu] = off;
		return;
	}
	pcpu_known[vcpu] = true;
	for (int c = 0; c < n_vcpus; c++)
		if (pcpu_known[c] && pcpu_off[c] != off) {
			uint64_t d = pcpu_off[c] > off ? pcpu_off[c] - off : off - pcpu_off[c];

			if (d < pcpu_unit || pcpu_unit == pcpu_end - pcpu_start)
				pcpu_unit = d;
		}
}

static void mem_cb(unsigned int vcpu, qemu_plugin_meminfo_t info, uint64_t vaddr, void *udata)
{
	struct qemu_plugin_hwaddr *hw = qemu_plugin_get_hwaddr(info, vaddr);
	uint64_t paddr, last;
	unsigned int size = 1u << qemu_plugin_mem_size_shift(info);
	bool store = qemu_plugin_mem_is_store(info);
	int space = space_of(vaddr);
	uint64_t u = (uint64_t)(uintptr_t)udata;
	size_t fn = (size_t)(u & ((UINT64_C(1) << UDATA_GS_SHIFT) - 1));
	size_t gs = (size_t)(u >> UDATA_GS_SHIFT);

	if (!hw || qemu_plugin_hwaddr_is_io(hw) || vcpu >= (unsigned int)n_vcpus)
		return;
	if (gs)
		learn_pcpu(vcpu, vaddr, gs_syms[gs - 1]);
	paddr = qemu_plugin_hwaddr_phys_addr(hw);
	access_line(vcpu, paddr, vaddr, store, space, fn);
	/* An unaligned access may straddle two lines. */
	last = paddr + size - 1;
	if (last >> LINE_SHIFT != paddr >> LINE_SHIFT)
		access_line(vcpu, last, vaddr + size - 1, store, space, fn);
}

static void write_row(const char *scope, const char *key, const char *metric, uint64_t value)
{
	fprintf(out, "%u,%u,%d,%s,%s,%s,%" PRIu64 "\n", n_windows, win.label, win.depth == 0,
		scope, key, metric, value);
}

static void window_free(void)
{
	free(win.objs);
	free(win.pair_transfers);
	free(win.pair_inval);
	free(win.fn);
	memset(&win, 0, sizeof(win));
	win_open = false;
}

static void window_write(void)
{
	char key[288];

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
	for (size_t i = 0; i < win.n_fn; i++) {
		char pc[32];
		const char *name = i == FN_USER ? "[user]" : i == FN_KERNEL ? "[kernel]" :
			i < FN_FIRST + n_symbols ? symbols[i - FN_FIRST].name : pc;

		if (name == pc)
			snprintf(pc, sizeof(pc), "[module]+0x%" PRIx64,
				 mod_pcs[i - FN_FIRST - n_symbols]);

		for (int m = 0; m < M_COUNT; m++)
			if (win.fn[i][m])
				write_row("function", name, metric_names[m], win.fn[i][m]);
	}
	for (size_t i = 0; i < win.n_objs_cap; i++) {
		const struct obj_count *c = &win.objs[i];
		char name[320];
		int n;

		if (!c->obj)
			continue;
		object_name((size_t)c->obj - 1, key, sizeof(key));
		if (c->line)
			n = snprintf(name, sizeof(name), "%s+%u", key, (c->line - 1) << LINE_SHIFT);
		else if (c->from != NO_VCPU)
			n = snprintf(name, sizeof(name), "%s:%u>%u", key, c->from, c->to);
		else
			n = snprintf(name, sizeof(name), "%s", key);
		if (n < 0)
			continue;
		write_row(c->line ? "object_line" : c->from != NO_VCPU ? "object_pair" : "object",
			  name, metric_names[c->metric], c->value);
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
			win.n_fn = FN_FIRST + n_symbols + n_mod_pcs;
			win.fn = zalloc(win.n_fn, sizeof(*win.fn));
		}
		win.depth++;
	} else if (win_open && --win.depth == 0) {
		n_windows++;
		window_write();
		window_free();
	}
}

static bool all_pcpu_known(void)
{
	for (int c = 0; c < n_vcpus; c++)
		if (!pcpu_known[c])
			return false;
	return true;
}

static size_t mod_slot(uint64_t pc)
{
	size_t i = (size_t)((pc * UINT64_C(0x9e3779b97f4a7c15)) >> 20) & (mod_hash_cap - 1);

	while (mod_hash[i] && mod_pcs[mod_hash[i] - 1] != pc)
		i = (i + 1) & (mod_hash_cap - 1);
	return i;
}

/* Module code's function index: its address's, added when new. */
static size_t module_pc(uint64_t pc)
{
	size_t i;

	if (2 * (n_mod_pcs + 1) > mod_hash_cap) {
		size_t old = mod_hash_cap;
		uint32_t *t = mod_hash;

		mod_hash_cap = old ? 2 * old : 4096;
		mod_hash = zalloc(mod_hash_cap, sizeof(*mod_hash));
		for (size_t k = 0; k < old; k++)
			if (t[k])
				mod_hash[mod_slot(mod_pcs[t[k] - 1])] = t[k];
		free(t);
	}
	i = mod_slot(pc);
	if (!mod_hash[i]) {
		if (n_mod_pcs == mod_pcs_cap) {
			mod_pcs_cap = mod_pcs_cap ? 2 * mod_pcs_cap : 4096;
			mod_pcs = realloc(mod_pcs, mod_pcs_cap * sizeof(*mod_pcs));
			if (!mod_pcs)
				fail("out of memory");
		}
		mod_pcs[n_mod_pcs++] = pc;
		mod_hash[i] = (uint32_t)n_mod_pcs;
	}
	return FN_FIRST + n_symbols + mod_hash[i] - 1;
}

/* The function holding pc: the last text symbol at or below it, before
 * _etext; module code (x86_64 with a map) by its address. */
static size_t function_of(uint64_t pc)
{
	size_t lo = 0, hi = n_symbols;

	if (!(pc >> 63))
		return FN_USER;
	if (!n_symbols || pc < symbols[0].addr || pc >= symbols[n_symbols - 1].addr) {
		for (size_t r = 0; r < sizeof(x86_ranges) / sizeof(x86_ranges[0]); r++)
			if (n_symbols && !arm64 && x86_ranges[r].obj == OBJ_MODULE &&
			    pc >= x86_ranges[r].start && pc < x86_ranges[r].end)
				return module_pc(pc);
		return FN_KERNEL;
	}
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (symbols[mid].addr <= pc)
			lo = mid;
		else
			hi = mid;
	}
	return FN_FIRST + lo;
}

/* The per-CPU symbol an x86_64 kernel instruction's %gs-relative memory
 * operand names (%gs:sym(%rip) or %gs:sym), else 0. Prefixes, a one-, two-
 * or three-byte opcode, then ModRM; an instruction without ModRM decodes to
 * a wrong address that the range check below (and learn_pcpu()'s page
 * alignment) turns away. */
static uint64_t gs_symbol(const unsigned char *c, size_t len, uint64_t pc)
{
	size_t i = 0;
	bool gs = false;
	uint64_t sym;
	int32_t disp;

	for (; i < len; i++) {
		if (c[i] == 0x65)
			gs = true;
		else if (c[i] != 0x66 && c[i] != 0x67 && c[i] != 0xf0 && c[i] != 0xf2 &&
			 c[i] != 0xf3 && c[i] != 0x2e && c[i] != 0x3e && c[i] != 0x26 &&
			 c[i] != 0x36 && c[i] != 0x64)
			break;
	}
	if (!gs)
		return 0;
	if (i < len && (c[i] & 0xf0) == 0x40)
		i++;				/* REX */
	if (i < len && c[i] == 0x0f) {
		i++;
		if (i < len && (c[i] == 0x38 || c[i] == 0x3a))
			i++;
	}
	i++;					/* the opcode */
	if (i >= len)
		return 0;
	if ((c[i] & 0xc7) == 0x05) {		/* mod 00, rm 101: RIP-relative */
		if (i + 5 > len)
			return 0;
		memcpy(&disp, c + i + 1, 4);
		sym = pc + len + (uint64_t)(int64_t)disp;
	} else if ((c[i] & 0xc7) == 0x04 && i + 6 <= len && (c[i + 1] & 0x3f) == 0x25) {
		memcpy(&disp, c + i + 2, 4);	/* SIB: no base, no index */
		sym = (uint64_t)(int64_t)disp;
	} else {
		return 0;
	}
	return sym >= pcpu_start && sym < pcpu_end ? sym : 0;
}

/* The index + 1 of sym in gs_syms, added when new. */
static size_t gs_index(uint64_t sym)
{
	for (size_t i = 0; i < n_gs_syms; i++)
		if (gs_syms[i] == sym)
			return i + 1;
	if (n_gs_syms == gs_syms_cap) {
		gs_syms_cap = gs_syms_cap ? 2 * gs_syms_cap : 256;
		gs_syms = realloc(gs_syms, gs_syms_cap * sizeof(*gs_syms));
		if (!gs_syms)
			fail("out of memory");
	}
	gs_syms[n_gs_syms++] = sym;
	return n_gs_syms;
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t n = qemu_plugin_tb_n_insns(tb);

	(void)id;
	for (size_t i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
		const unsigned char *code = qemu_plugin_insn_data(insn);
		size_t len = qemu_plugin_insn_size(insn);
		uint64_t pc = qemu_plugin_insn_vaddr(insn), u = function_of(pc), sym;
		int mark = qpwbench_marker_decode(code, len, arm64);

		if (mark >= 0)
			qemu_plugin_register_vcpu_insn_exec_cb(insn, marker_cb, QEMU_PLUGIN_CB_NO_REGS,
							       (void *)(uintptr_t)mark);
		/* The gs table is searched linearly: it holds the few hundred
		 * per-CPU variables kernel code names; once the vCPUs' offsets
		 * are known it is not needed. */
		if (!arm64 && pc >> 63 && n_pcpu_syms && !all_pcpu_known() &&
		    (sym = gs_symbol(code, len, pc)))
			u |= (uint64_t)gs_index(sym) << UDATA_GS_SHIFT;
		qemu_plugin_register_vcpu_mem_cb(insn, mem_cb, QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_MEM_RW,
						 (void *)(uintptr_t)u);
	}
}

static int by_addr(const void *a, const void *b)
{
	const struct symbol *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static void push_symbol(struct symbol **t, size_t *n, size_t *cap, uint64_t addr,
			const char *name)
{
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 4096;
		*t = realloc(*t, *cap * sizeof(**t));
		if (!*t)
			fail("out of memory");
	}
	(*t)[*n].addr = addr;
	(*t)[*n].name = strdup(name);
	if (!(*t)[*n].name)
		fail("out of memory");
	(*n)++;
}

/*
 * System.map's text symbols, sorted, ending with _etext (kept as the end);
 * its data symbols (d, D, b, B, r, R) up to _end, the static per-CPU ones
 * (from __per_cpu_start to __per_cpu_end) apart.
 */
static void load_map(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512], type, name[256];
	uint64_t addr;
	size_t cap = 0, data_cap = 0, syms_cap = 0, pcpu_cap = 0, n_data = 0;
	struct symbol *data = NULL;

	if (!f)
		fail("cannot open the System.map given");
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%" SCNx64 " %c %255s", &addr, &type, name) != 3)
			continue;
		if (!strcmp(name, "__per_cpu_start"))
			pcpu_start = addr;
		else if (!strcmp(name, "__per_cpu_end"))
			pcpu_end = addr;
		else if (!strcmp(name, "_end"))
			data_end = addr;
		if (type == 't' || type == 'T' || !strcmp(name, "_etext"))
			push_symbol(&symbols, &n_symbols, &cap, addr, name);
		else if (strchr("dDbBrR", type) && strncmp(name, "__per_cpu_", 10))
			push_symbol(&data, &n_data, &data_cap, addr, name);
	}
	fclose(f);
	qsort(symbols, n_symbols, sizeof(*symbols), by_addr);
	/* Past _etext is not text: drop what follows it (it closes the table). */
	for (size_t i = 0; i < n_symbols; i++)
		if (!strcmp(symbols[i].name, "_etext")) {
			n_symbols = i + 1;
			break;
		}
	if (pcpu_end <= pcpu_start)
		pcpu_start = pcpu_end = 0;
	pcpu_unit = pcpu_end - pcpu_start;
	for (size_t i = 0; i < n_data; i++) {
		if (data[i].addr >= pcpu_start && data[i].addr < pcpu_end)
			push_symbol(&pcpu_syms, &n_pcpu_syms, &pcpu_cap, data[i].addr, data[i].name);
		else if (data[i].addr < data_end && data[i].addr >> 63)
			push_symbol(&data_syms, &n_data_syms, &syms_cap, data[i].addr, data[i].name);
		free(data[i].name);
	}
	free(data);
	if (n_pcpu_syms)
		qsort(pcpu_syms, n_pcpu_syms, sizeof(*pcpu_syms), by_addr);
	if (n_data_syms)
		qsort(data_syms, n_data_syms, sizeof(*data_syms), by_addr);
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
