// SPDX-License-Identifier: GPL-2.0
/* The trigger table; see triggers.h and DESIGN.md for each path per kernel. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tracefs.h"
#include "triggers.h"

/* MPOL_MF_MOVE of <linux/mempolicy.h>, without libnuma. */
#define TRIGGER_MPOL_MF_MOVE	(1 << 1)

static int fire_fadvise(const struct trigger_ctx *c, char *err, size_t errlen)
{
	int e = posix_fadvise(c->file_fd, 0, 0, POSIX_FADV_DONTNEED);

	if (e)
		snprintf(err, errlen, "posix_fadvise(POSIX_FADV_DONTNEED): %s", strerror(e));
	return -e;
}

static int fire_drop_caches(const struct trigger_ctx *c, char *err, size_t errlen)
{
	(void)c;
	return kfile_write("/proc/sys/vm/drop_caches", "1", 0, err, errlen);
}

static int fire_compact(const struct trigger_ctx *c, char *err, size_t errlen)
{
	(void)c;
	return kfile_write("/proc/sys/vm/compact_memory", "1", 0, err, errlen);
}

/* Moving a page to the node it is on still runs do_pages_move()'s lru_cache_disable(). */
static int fire_move_pages(const struct trigger_ctx *c, char *err, size_t errlen)
{
	void *pages[1] = { c->page };
	int nodes[1] = { 0 }, status[1] = { 0 };

	if (syscall(SYS_move_pages, 0, 1UL, pages, nodes, status, TRIGGER_MPOL_MF_MOVE) < 0) {
		int e = errno;

		snprintf(err, errlen, "move_pages to node 0: %s", strerror(e));
		return -e;
	}
	return 0;
}

/* filp: the targets open and close files in their fill phase. */
static int fire_slab_shrink(const struct trigger_ctx *c, char *err, size_t errlen)
{
	(void)c;
	return kfile_write("/sys/kernel/slab/filp/shrink", "1", 0, err, errlen);
}

/*
 * memory.high one page below the current usage: memory_high_write() drains
 * every CPU's stock first (drain_all_stock()), which gives back the stocks'
 * precharge, then reclaims if still above; max again afterwards.
 */
static int fire_memcg_reclaim(const struct trigger_ctx *c, char *err, size_t errlen)
{
	char path[4096], text[32];
	unsigned long long usage = 0;
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "%s/memory.current", c->cgroup);
	f = fopen(path, "re");
	if (!f || fscanf(f, "%llu", &usage) != 1) {
		snprintf(err, errlen, "cannot read %s", path);
		if (f)
			fclose(f);
		return -EIO;
	}
	fclose(f);
	snprintf(path, sizeof(path), "%s/memory.high", c->cgroup);
	snprintf(text, sizeof(text), "%llu", usage > 8192 ? usage - 4096 : 4096);
	ret = kfile_write(path, text, 0, err, errlen);
	if (!ret)
		ret = kfile_write(path, "max", 0, err, errlen);
	return ret;
}

static int fire_stat_refresh(const struct trigger_ctx *c, char *err, size_t errlen)
{
	(void)c;
	return kfile_write("/proc/sys/vm/stat_refresh", "1", 0, err, errlen);
}

const struct trigger triggers[] = {
	{ "fadvise", "POSIX_FADV_DONTNEED on --file: lru_add_drain_all() when a folio sits in another CPU's LRU batch",
	  TRIGGER_NEEDS_FILE, fire_fadvise },
	{ "drop-caches", "/proc/sys/vm/drop_caches: lru_add_drain_all() since 6.4 (not on 6.1)",
	  0, fire_drop_caches },
	{ "compact", "/proc/sys/vm/compact_memory: lru_add_drain_all() (drain_all_pages() is not reached: traced)",
	  0, fire_compact },
	{ "move-pages", "move_pages(2): lru_cache_disable()",
	  0, fire_move_pages },
	{ "slab-shrink", "/sys/kernel/slab/filp/shrink: SLUB flush_all()",
	  0, fire_slab_shrink },
	{ "memcg-reclaim", "memory.high below usage: memcg drain_all_stock() (skips isolated CPUs on later kernels)",
	  TRIGGER_NEEDS_MEMCG, fire_memcg_reclaim },
	{ "stat-refresh", "/proc/sys/vm/stat_refresh: schedule_on_each_cpu(refresh_vm_stats)",
	  0, fire_stat_refresh },
};
const size_t nr_triggers = sizeof(triggers) / sizeof(triggers[0]);

/*
 * The last two are PW locks' (kernel/pwlocks/) inline drains: called by the
 * caller itself only when it drains another CPU's sheaves (SLUB's work
 * function, run inline) or mlock batch (mlock_drain_remote(), from
 * lru_add_drain_all()'s inline drain); a queued drain runs them in a
 * kworker, which the function tracer (the caller's pid only) does not see.
 */
const char *const trigger_traced[] = {
	"lru_add_drain_all", "__lru_add_drain_all", "lru_cache_disable",
	"drain_all_pages", "drain_all_stock", "flush_all", "flush_all_cpus_locked",
	"schedule_on_each_cpu", "queue_work_on", "flush_cpu_sheaves", "mlock_drain_remote", NULL,
};
