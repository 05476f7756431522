// SPDX-License-Identifier: GPL-2.0
/* ftrace through tracefs; see tracefs.h. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tracefs.h"

#define EVENT "events/workqueue/workqueue_execute_start"
#define SWITCH "events/sched/sched_switch"
/* Where work was queued (req_cpu, cpu): what a target still owes a count. */
#define QUEUE "events/workqueue/workqueue_queue_work"
/* Emitted only while an osnoise tracer runs (rtla osnoise): rtla's witness. */
#define NOISE "events/osnoise/thread_noise"
/*
 * A folio moved from a per-CPU LRU add batch to the LRU, on the CPU that
 * moved it (6.1, 6.12, 7.2: mm/swap.c lru_add()); mlocked folios reach the
 * LRU through mm/mlock.c without it.
 */
#define LRU_INSERTION "events/pagemap/mm_lru_insertion"

int kfile_write(const char *path, const char *text, int flags, char *err, size_t errlen)
{
	ssize_t n;
	int fd, e;

	fd = open(path, O_WRONLY | O_CLOEXEC | flags);
	if (fd < 0) {
		e = errno;
		if (err)
			snprintf(err, errlen, "cannot open %s: %s", path, strerror(e));
		return -e;
	}
	n = write(fd, text, strlen(text));
	e = errno;
	close(fd);
	if (n != (ssize_t)strlen(text)) {
		if (err)
			snprintf(err, errlen, "writing '%s' to %s: %s", text, path,
				 n < 0 ? strerror(e) : "short write");
		return n < 0 ? -e : -EIO;
	}
	return 0;
}

static int put(const struct tracefs *t, const char *rel, const char *text, int flags,
	       char *err, size_t errlen)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", t->root, rel);
	return kfile_write(path, text, flags, err, errlen);
}

int tracefs_start(struct tracefs *t, pid_t tid, const char *const *functions,
		  unsigned int *n_traced, char *untraced, char *err, size_t errlen)
{
	static const char *const roots[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	char path[PATH_MAX + 64], pid[32];
	struct stat st;
	int ret;

	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]) && !t->root[0]; i++) {
		snprintf(path, sizeof(path), "%s/%s", roots[i], EVENT);
		if (!stat(path, &st))
			snprintf(t->root, sizeof(t->root), "%s", roots[i]);
	}
	if (!t->root[0]) {
		snprintf(err, errlen, "no tracefs with %s (mount -t tracefs tracefs /sys/kernel/tracing; needs CONFIG_TRACING)",
			 EVENT);
		return -ENOENT;
	}
	ret = put(t, "tracing_on", "0", 0, err, errlen);
	if (!ret)
		ret = put(t, "current_tracer", "nop", 0, err, errlen);
	if (!ret)
		ret = put(t, "trace", "", O_TRUNC, err, errlen);
	if (!ret)
		ret = put(t, EVENT "/enable", "1", 0, err, errlen);
	if (!ret)
		ret = put(t, SWITCH "/enable", "1", 0, err, errlen);
	if (!ret)
		t->osnoise = !put(t, NOISE "/enable", "1", 0, NULL, 0);
	/*
	 * Insertions are placed in time against the caller's clock_gettime():
	 * the default "local" clock is per CPU and not CLOCK_MONOTONIC. Setting
	 * the clock empties the buffers, here before anything was counted.
	 */
	if (!ret && !put(t, "trace_clock", "mono", 0, NULL, 0)) {
		t->lru = !put(t, LRU_INSERTION "/enable", "1", 0, NULL, 0);
		t->queued = !put(t, QUEUE "/enable", "1", 0, NULL, 0);
	}
	if (ret)
		return ret;
	if (n_traced)
		*n_traced = 0;
	if (functions) {
		FILE *f;
		char line[256];

		put(t, "set_ftrace_filter", "", O_TRUNC, NULL, 0);
		/*
		 * An unknown (inlined, notrace) name is dropped, but only when the
		 * file is closed, without an error: read back what was taken.
		 */
		for (size_t i = 0; functions[i]; i++)
			put(t, "set_ftrace_filter", functions[i], O_APPEND, NULL, 0);
		snprintf(path, sizeof(path), "%s/set_ftrace_filter", t->root);
		if (untraced)
			untraced[0] = '\0';
		for (size_t i = 0; functions[i]; i++) {
			bool taken = false;

			f = fopen(path, "re");
			while (f && !taken && fgets(line, sizeof(line), f))
				taken = !strncmp(line, functions[i], strlen(functions[i])) &&
					(line[strlen(functions[i])] == '\n' ||
					 line[strlen(functions[i])] == ' ');
			if (f)
				fclose(f);
			if (taken && n_traced)
				(*n_traced)++;
			else if (!taken && untraced)
				snprintf(untraced + strlen(untraced),
					 TRACEFS_UNTRACED_LEN - strlen(untraced), "%s%s",
					 untraced[0] ? " " : "", functions[i]);
		}
		snprintf(pid, sizeof(pid), "%d", (int)tid);
		if (n_traced && *n_traced) {
			ret = put(t, "set_ftrace_pid", pid, O_TRUNC, err, errlen);
			if (!ret)
				ret = put(t, "current_tracer", "function", 0, err, errlen);
			if (ret)
				return ret;
			t->functions = true;
		}
	}
	return put(t, "tracing_on", "1", 0, err, errlen);
}

void tracefs_stop(struct tracefs *t)
{
	if (!t->root[0])
		return;
	put(t, "tracing_on", "0", 0, NULL, 0);
	put(t, "current_tracer", "nop", 0, NULL, 0);
	put(t, EVENT "/enable", "0", 0, NULL, 0);
	put(t, SWITCH "/enable", "0", 0, NULL, 0);
	if (t->osnoise)
		put(t, NOISE "/enable", "0", 0, NULL, 0);
	if (t->lru)
		put(t, LRU_INSERTION "/enable", "0", 0, NULL, 0);
	if (t->queued)
		put(t, QUEUE "/enable", "0", 0, NULL, 0);
	/* The kernel's default clock again (one the tracefs user did not choose). */
	put(t, "trace_clock", "local", 0, NULL, 0);
	if (t->functions) {
		put(t, "set_ftrace_filter", "", O_TRUNC, NULL, 0);
		put(t, "set_ftrace_pid", "", O_TRUNC, NULL, 0);
	}
	put(t, "trace", "", O_TRUNC, NULL, 0);
	t->root[0] = '\0';
}

int tracefs_clear(const struct tracefs *t, unsigned int cpu, char *err, size_t errlen)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "per_cpu/cpu%u/trace", cpu);
	return put(t, rel, "", O_TRUNC, err, errlen);
}

/* CPU @cpu's trace buffer for reading, or NULL with errno and @err set. */
static FILE *open_cpu_trace(const struct tracefs *t, unsigned int cpu, char *err, size_t errlen)
{
	char path[PATH_MAX + 64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/per_cpu/cpu%u/trace", t->root, cpu);
	f = fopen(path, "re");
	if (!f) {
		int e = errno;

		snprintf(err, errlen, "cannot read %s: %s", path, strerror(e));
		errno = e;
	}
	return f;
}

static int add(struct tracefs_count *c, unsigned int *n, unsigned int max, const char *name,
	       size_t len)
{
	if (len >= TRACEFS_MAX_NAME)
		len = TRACEFS_MAX_NAME - 1;
	for (unsigned int i = 0; i < *n; i++) {
		if (strlen(c[i].name) == len && !strncmp(c[i].name, name, len)) {
			c[i].n++;
			return 0;
		}
	}
	if (*n == max)
		return -ENOSPC;
	memcpy(c[*n].name, name, len);
	c[*n].name[len] = '\0';
	c[(*n)++].n = 1;
	return 0;
}

int tracefs_count(const struct tracefs *t, unsigned int cpu, struct tracefs_count *work,
		  unsigned int *n_work, struct tracefs_count *fn, unsigned int *n_fn,
		  unsigned long *worker_runs, unsigned long *noise_all, unsigned long *noise_kworker,
		  unsigned int max, char *err, size_t errlen)
{
	char line[1024];
	int ret = 0;
	FILE *f;

	f = open_cpu_trace(t, cpu, err, errlen);
	if (!f)
		return -errno;
	while (!ret && fgets(line, sizeof(line), f)) {
		const char *p, *q;

		if (line[0] == '#')
			continue;
		if (strstr(line, "LOST") && strstr(line, "EVENTS")) {
			snprintf(err, errlen, "CPU %u's trace buffer lost events: %s", cpu, line);
			ret = -EOVERFLOW;
		} else if ((p = strstr(line, ": workqueue_execute_start: "))) {
			/* "work struct 0000...: function NAME" */
			p = strstr(p, "function ");
			if (p && work) {
				p += strlen("function ");
				ret = add(work, n_work, max, p, strcspn(p, " \n"));
			}
		} else if ((p = strstr(line, ": sched_switch: "))) {
			if (worker_runs && strstr(p, "==> next_comm=kworker/"))
				(*worker_runs)++;
		} else if ((p = strstr(line, ": thread_noise: "))) {
			/* "thread_noise: COMM:PID start ... duration ... ns" */
			p += strlen(": thread_noise: ");
			p += strspn(p, " ");
			if (noise_all)
				(*noise_all)++;
			if (noise_kworker && !strncmp(p, "kworker/", strlen("kworker/")))
				(*noise_kworker)++;
		} else if (fn && (q = strstr(line, " <-"))) {
			/* "comm-pid [cpu] flags ts: NAME <-PARENT" */
			for (p = q; p > line && p[-1] != ' '; p--)
				;
			ret = add(fn, n_fn, max, p, (size_t)(q - p));
		}
	}
	fclose(f);
	if (ret == -ENOSPC)
		snprintf(err, errlen, "more than %u distinct functions on CPU %u", max, cpu);
	return ret;
}

const char *tracefs_event_line(const char *line, const char *tag, unsigned long long *us,
			       const char **stamp)
{
	const char *p = strstr(line, tag), *q;
	unsigned long long secs, usecs;
	char *end;

	if (line[0] == '#' || !p)
		return NULL;
	for (q = p; q > line && q[-1] != ' '; q--)
		;
	secs = strtoull(q, &end, 10);
	if (end == q || *end != '.')
		return NULL;
	usecs = strtoull(end + 1, &end, 10);
	if (end != p)
		return NULL;
	*us = secs * 1000000ULL + usecs;
	*stamp = q;
	return p;
}

int tracefs_line_cpu(const char *line, const char *stamp, const char **field)
{
	const char *b = stamp;
	char *end;
	long cpu;

	while (b > line && *b != '[')
		b--;
	if (field)
		*field = b;
	if (*b != '[')
		return -1;
	cpu = strtol(b + 1, &end, 10);
	return *end == ']' && cpu >= 0 && cpu <= INT_MAX ? (int)cpu : -1;
}

int tracefs_lru_insertions(const struct tracefs *t, unsigned int cpu, unsigned long long since_ns,
			   const unsigned long long *pfn, size_t n, unsigned long *count, char *err,
			   size_t errlen)
{
	static const char tag[] = ": mm_lru_insertion: ";
	char line[1024];
	/* The text gives microseconds: compare at that resolution. */
	unsigned long long since_us = since_ns / 1000, us;
	int ret = 0;
	FILE *f;

	*count = 0;
	if (!t->lru) {
		snprintf(err, errlen, "no %s event here", LRU_INSERTION);
		return -ENOENT;
	}
	f = open_cpu_trace(t, cpu, err, errlen);
	if (!f)
		return -errno;
	while (!ret && fgets(line, sizeof(line), f)) {
		/* "...: mm_lru_insertion: folio=... pfn=0x... lru=..." */
		const char *stamp, *p = tracefs_event_line(line, tag, &us, &stamp), *q;
		unsigned long long v;

		if (!p || us < since_us)
			continue;
		q = strstr(p, " pfn=0x");
		if (!q)
			continue;
		v = strtoull(q + strlen(" pfn=0x"), NULL, 16);
		for (size_t i = 0; i < n; i++)
			if (pfn[i] == v) {
				(*count)++;
				break;
			}
	}
	fclose(f);
	return ret;
}

/* Work struct addresses queued and not yet seen starting, in queue order. */
struct owed_work {
	unsigned long long *addr;
	size_t n, cap;
};

static int owe(struct owed_work *o, unsigned long long addr)
{
	if (o->n == o->cap) {
		size_t cap = o->cap ? 2 * o->cap : 64;
		unsigned long long *a = realloc(o->addr, cap * sizeof(*a));

		if (!a)
			return -ENOMEM;
		o->addr = a;
		o->cap = cap;
	}
	o->addr[o->n++] = addr;
	return 0;
}

static void paid(struct owed_work *o, unsigned long long addr)
{
	for (size_t i = 0; i < o->n; i++)
		if (o->addr[i] == addr) {
			memmove(&o->addr[i], &o->addr[i + 1], (o->n - i - 1) * sizeof(*o->addr));
			o->n--;
			return;
		}
}

int tracefs_unstarted_work(const struct tracefs *t, unsigned int cpu, unsigned long long since_ns,
			   unsigned long *n, char *err, size_t errlen)
{
	static const char queue_tag[] = ": workqueue_queue_work: ";
	static const char start_tag[] = ": workqueue_execute_start: ";
	unsigned long long since_us = since_ns / 1000, us;
	struct owed_work owed = { 0 };
	char path[PATH_MAX + 64], line[1024];
	int ret = 0;
	FILE *f;

	*n = 0;
	if (!t->queued) {
		snprintf(err, errlen, "no %s event here", QUEUE);
		return -ENOENT;
	}
	/*
	 * Both events in one pass over every CPU's buffer merged by time
	 * ("trace"): "work struct=ADDR function=F workqueue=W req_cpu=R cpu=C"
	 * queued, then "[CPU] ... work struct ADDR: function F" started.
	 */
	snprintf(path, sizeof(path), "%s/trace", t->root);
	f = fopen(path, "re");
	if (!f) {
		ret = -errno;
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(-ret));
		return ret;
	}
	while (!ret && fgets(line, sizeof(line), f)) {
		const char *stamp, *p, *a;
		unsigned long long addr;
		char *end;

		if ((p = tracefs_event_line(line, queue_tag, &us, &stamp))) {
			/* " cpu=" is the last field; req_cpu= has no space before it. */
			const char *c = strstr(p, " cpu=");

			a = strstr(p, "work struct=");
			if (us < since_us || !a || !c ||
			    strtoul(c + strlen(" cpu="), &end, 10) != cpu || !isspace((unsigned char)*end))
				continue;
			addr = strtoull(a + strlen("work struct="), NULL, 16);
			ret = owe(&owed, addr);
		} else if ((p = tracefs_event_line(line, start_tag, &us, &stamp)) && us >= since_us) {
			if (tracefs_line_cpu(line, stamp, NULL) != (int)cpu)
				continue;
			a = strstr(p, "work struct ");
			if (a)
				paid(&owed, strtoull(a + strlen("work struct "), NULL, 16));
		}
	}
	fclose(f);
	if (ret)
		snprintf(err, errlen, "out of memory");
	*n = owed.n;
	free(owed.addr);
	return ret;
}
