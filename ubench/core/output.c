// SPDX-License-Identifier: GPL-2.0
/* Tidy CSV and JSON Lines rows; the column list is output.h's. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "context.h"
#include "output.h"

#define OUTPUT_COLUMN_NAME(id, name) name,
static const char *const base_columns[] = { OUTPUT_COLUMNS(OUTPUT_COLUMN_NAME) };
#undef OUTPUT_COLUMN_NAME
#define NR_BASE	((size_t)OUTPUT_NR_COLUMNS)

size_t output_base_columns(const char *const **names)
{
	*names = base_columns;
	return NR_BASE;
}

void output_init(struct output *o, const struct run_meta *meta)
{
	memset(o, 0, sizeof(*o));
	o->meta = meta;
}

int output_add_column(struct output *o, const char *name, char *err, size_t errlen)
{
	if (o->started) {
		snprintf(err, errlen, "column '%s' added after the header was written", name);
		return -EINVAL;
	}
	if (!name[0] || strpbrk(name, "\"\n\r")) {
		snprintf(err, errlen, "bad column name '%s'", name);
		return -EINVAL;
	}
	for (size_t i = 0; i < NR_BASE; i++)
		if (!strcmp(base_columns[i], name)) {
			snprintf(err, errlen, "column '%s' is already a core column", name);
			return -EINVAL;
		}
	for (size_t i = 0; i < o->n_extra; i++)
		if (!strcmp(o->extra[i], name)) {
			snprintf(err, errlen, "column '%s' added twice", name);
			return -EINVAL;
		}
	if (o->n_extra == OUTPUT_MAX_EXTRA) {
		snprintf(err, errlen, "more than %d extra columns", OUTPUT_MAX_EXTRA);
		return -E2BIG;
	}
	o->extra[o->n_extra] = strdup(name);
	if (!o->extra[o->n_extra]) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	o->n_extra++;
	return 0;
}

/* RFC 4180: quote a field holding a comma, quote or line break. */
static void csv_field(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

void output_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* The header line, without its newline, in a malloc'd string. */
static char *header_line(const struct output *o)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	for (size_t i = 0; i < NR_BASE + o->n_extra; i++) {
		if (i)
			fputc(',', f);
		csv_field(f, i < NR_BASE ? base_columns[i] : o->extra[i - NR_BASE]);
	}
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

/*
 * A file that does not end in a newline holds a row cut short (a crash or
 * a full disk mid-write): appending would glue the next row onto it.
 */
static int check_complete(FILE *f, const char *path, char *err, size_t errlen)
{
	int c;

	if (fseek(f, -1, SEEK_END) || (c = fgetc(f)) == EOF || c != '\n') {
		snprintf(err, errlen,
			 "%s: refusing to append: its last row is cut short (no final newline); "
			 "write to a new file", path);
		return -EINVAL;
	}
	fseek(f, 0, SEEK_END);
	return 0;
}

/*
 * Compare an existing file's first line that is no comment (the context
 * header's "# key: value" lines come first) with ours; 0, or -EINVAL + err.
 */
static int check_header(FILE *f, const char *path, const char *header, char *err, size_t errlen)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = 0;

	rewind(f);
	do
		n = getline(&line, &cap, f);
	while (n > 0 && line[0] == '#');
	if (n > 0 && line[n - 1] == '\n')
		line[--n] = '\0';
	if (n > 0 && line[n - 1] == '\r')
		line[--n] = '\0';
	if (n < 0 || strcmp(line, header)) {
		snprintf(err, errlen,
			 "%s: refusing to append: its header is not this run's columns (write to a new file)",
			 path);
		rc = -EINVAL;
	}
	free(line);
	fseek(f, 0, SEEK_END);
	return rc;
}

static int open_csv(struct output *o, const char *path, char *err, size_t errlen)
{
	char *header = header_line(o);
	struct stat st;
	int rc = 0;

	if (!header) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (!strcmp(path, "-")) {
		o->csv = stdout;
		o->csv_is_stdout = true;
		if (!o->stdout_continues)
			fprintf(o->csv, "%s\n", header);
		fflush(o->csv);
		free(header);
		return 0;
	}
	o->csv = fopen(path, "a+");
	if (!o->csv) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
	} else if (fstat(fileno(o->csv), &st)) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
	} else if (st.st_size > 0) {
		rc = check_header(o->csv, path, header, err, errlen);
		if (!rc)
			rc = check_complete(o->csv, path, err, errlen);
	} else {
		context_write_csv(o->csv);
		fprintf(o->csv, "%s\n", header);
		if (fflush(o->csv)) {
			rc = -errno;
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		}
	}
	if (rc && o->csv) {
		fclose(o->csv);
		o->csv = NULL;
	}
	free(header);
	return rc;
}

int output_start(struct output *o, const char *csv_path, const char *json_path,
		 char *err, size_t errlen)
{
	int rc;

	if (csv_path && json_path && !strcmp(csv_path, "-") && !strcmp(json_path, "-")) {
		snprintf(err, errlen, "--csv - and --json - cannot both write to stdout");
		return -EINVAL;
	}
	if (csv_path && !csv_path[0]) {
		snprintf(err, errlen, "--csv needs a file name (or - for stdout)");
		return -EINVAL;
	}
	if (json_path && !json_path[0]) {
		snprintf(err, errlen, "--json needs a file name (or - for stdout)");
		return -EINVAL;
	}
	if (csv_path) {
		rc = open_csv(o, csv_path, err, errlen);
		if (rc)
			return rc;
	}
	if (json_path) {
		if (!strcmp(json_path, "-")) {
			o->json = stdout;
			o->json_is_stdout = true;
		} else {
			struct stat st;

			o->json = fopen(json_path, "a+");
			if (!o->json || fstat(fileno(o->json), &st)) {
				rc = -errno;
				snprintf(err, errlen, "%s: %s", json_path, strerror(errno));
				output_close(o);
				return rc;
			}
			rc = st.st_size > 0 ? check_complete(o->json, json_path, err, errlen) : 0;
			if (!rc && st.st_size == 0)
				context_write_json(o->json);
			if (rc) {
				output_close(o);
				return rc;
			}
		}
	}
	o->started = true;
	return 0;
}

bool output_active(const struct output *o)
{
	return o->csv || o->json;
}

bool output_uses_stdout(const struct output *o)
{
	return o->csv_is_stdout || o->json_is_stdout;
}

/*
 * Numbers: integers as integers, others with three decimals (picosecond
 * resolution in ns), small ratios with six significant digits.
 */
static void format_number(char *buf, size_t len, double v)
{
	if (!isfinite(v))
		snprintf(buf, len, OUTPUT_NA);
	else if (v == floor(v) && fabs(v) < 1e15)
		snprintf(buf, len, "%.0f", v);
	else if (fabs(v) >= 1)
		snprintf(buf, len, "%.3f", v);
	else
		snprintf(buf, len, "%.6g", v);
}

static const char *number_cell(char *buf, size_t len, double v, bool *is_number)
{
	format_number(buf, len, v);
	*is_number = strcmp(buf, OUTPUT_NA);
	return buf;
}

static const char *u64_cell(char *buf, size_t len, uint64_t v, bool *is_number)
{
	*is_number = true;
	snprintf(buf, len, "%llu", (unsigned long long)v);
	return buf;
}

/* A parameters column of p (NULL: n/a). */
static const char *param_cell(const struct output_params *p, enum output_column c,
			      char *buf, size_t len, bool *is_number)
{
	if (!p)
		return OUTPUT_NA;
	switch (c) {
	case OUTPUT_COL_FILL:
		return p->has_fill ? u64_cell(buf, len, p->fill, is_number) : OUTPUT_NA;
	case OUTPUT_COL_DRAIN_EMPTY:
		return p->drain_empty ? p->drain_empty : OUTPUT_NA;
	case OUTPUT_COL_OWNER_RATE_HZ:
		return p->has_owner ? u64_cell(buf, len, p->owner_rate_hz, is_number) : OUTPUT_NA;
	case OUTPUT_COL_OWNER_HOLD_NS:
		return p->has_owner ? u64_cell(buf, len, p->owner_hold_ns, is_number) : OUTPUT_NA;
	case OUTPUT_COL_WAIT_BOUND_NS:
		return p->wait_bound_ns ? u64_cell(buf, len, p->wait_bound_ns, is_number) : OUTPUT_NA;
	case OUTPUT_COL_BATCH:
		return p->batch ? u64_cell(buf, len, p->batch, is_number) : OUTPUT_NA;
	case OUTPUT_COL_LOCK_MODE:
		return p->lock_mode ? p->lock_mode : OUTPUT_NA;
	case OUTPUT_COL_DRAINER_POLICY:
		return p->drainer_policy ? p->drainer_policy : OUTPUT_NA;
	case OUTPUT_COL_INTERRUPTED:
		return p->interrupted ? "yes" : "no";
	default:
		return OUTPUT_NA;
	}
}

/* Column value i of row as text; *is_number says whether JSON writes it bare. */
static const char *cell(const struct output *o, const struct output_row *r, size_t i,
			char *buf, size_t len, const char *date, bool *is_number)
{
	const struct stats *s = &r->stats;

	*is_number = false;
	switch ((enum output_column)i) {
	case OUTPUT_COL_SCENARIO: return r->scenario;
	case OUTPUT_COL_BACKEND: return r->backend;
	case OUTPUT_COL_VARIANT: return r->variant;
	case OUTPUT_COL_KERNEL: return o->meta->kernel;
	case OUTPUT_COL_PREEMPT: return o->meta->preempt;
	case OUTPUT_COL_ARCH: return o->meta->arch;
	case OUTPUT_COL_CPUS: {
		size_t off = 0;

		buf[0] = '\0';
		for (unsigned int c = 0; c < r->n_cpus && off < len; c++)
			off += (size_t)snprintf(buf + off, len - off, "%s%u", c ? "," : "", r->cpus[c]);
		return buf;
	}
	case OUTPUT_COL_N_CPUS:
		*is_number = true;
		snprintf(buf, len, "%u", r->n_cpus);
		return buf;
	case OUTPUT_COL_DISTANCE: return r->distance ? r->distance : OUTPUT_NA;
	case OUTPUT_COL_METRIC: return r->metric;
	case OUTPUT_COL_UNIT: return r->unit;
	case OUTPUT_COL_RUN:
		if (!r->run)
			return OUTPUT_NA;
		*is_number = true;
		snprintf(buf, len, "%u", r->run);
		return buf;
	case OUTPUT_COL_SAMPLES:
		*is_number = true;
		snprintf(buf, len, "%llu", (unsigned long long)s->samples);
		return buf;
	case OUTPUT_COL_MIN: return number_cell(buf, len, s->min, is_number);
	case OUTPUT_COL_P50: return number_cell(buf, len, s->p50, is_number);
	case OUTPUT_COL_P90: return number_cell(buf, len, s->p90, is_number);
	case OUTPUT_COL_P99: return number_cell(buf, len, s->p99, is_number);
	case OUTPUT_COL_P999: return number_cell(buf, len, s->p999, is_number);
	case OUTPUT_COL_MAX: return number_cell(buf, len, s->max, is_number);
	case OUTPUT_COL_MEAN: return number_cell(buf, len, s->mean, is_number);
	case OUTPUT_COL_STDDEV: return number_cell(buf, len, s->stddev, is_number);
	case OUTPUT_COL_PCTL_METHOD: return s->samples && s->method ? s->method : OUTPUT_NA;
	case OUTPUT_COL_TICKS:
		return r->has_ticks ? number_cell(buf, len, r->ticks, is_number) : OUTPUT_NA;
	case OUTPUT_COL_RESOLUTION_NS: return number_cell(buf, len, r->resolution_ns, is_number);
	case OUTPUT_COL_TIMER_OVERHEAD_NS:
		return number_cell(buf, len, r->timer_overhead_ns, is_number);
	case OUTPUT_COL_SUBTRACTED_NS: return number_cell(buf, len, r->subtracted_ns, is_number);
	case OUTPUT_COL_HOST: return o->meta->host;
	case OUTPUT_COL_CPU_MODEL: return o->meta->cpu_model;
	case OUTPUT_COL_TIMER: return o->meta->timer;
	case OUTPUT_COL_TICK_MHZ: return o->meta->tick_mhz;
	case OUTPUT_COL_EMULATED: return o->meta->emulated;
	case OUTPUT_COL_SCHED_RT: return o->meta->sched_rt[0] ? o->meta->sched_rt : OUTPUT_NA;
	case OUTPUT_COL_DATE: return date;
	case OUTPUT_COL_VERSION: return o->meta->version;
	case OUTPUT_COL_TARGET_LOAD: return r->target_load ? r->target_load : OUTPUT_NA;
	case OUTPUT_COL_TRIGGER: return r->trigger ? r->trigger : OUTPUT_NA;
	case OUTPUT_COL_FILL:
	case OUTPUT_COL_DRAIN_EMPTY:
	case OUTPUT_COL_OWNER_RATE_HZ:
	case OUTPUT_COL_OWNER_HOLD_NS:
	case OUTPUT_COL_WAIT_BOUND_NS:
	case OUTPUT_COL_BATCH:
	case OUTPUT_COL_LOCK_MODE:
	case OUTPUT_COL_DRAINER_POLICY:
	case OUTPUT_COL_INTERRUPTED:
		return param_cell(r->params, (enum output_column)i, buf, len, is_number);
	case OUTPUT_COL_FILL_MODE: return r->fill_mode ? r->fill_mode : OUTPUT_NA;
	case OUTPUT_NR_COLUMNS: break;
	}
	for (size_t e = 0; e < r->n_extra; e++)
		if (!strcmp(r->extra_names[e], o->extra[i - NR_BASE]) && r->extra_values[e])
			return r->extra_values[e];
	return OUTPUT_NA;
}

int output_row(struct output *o, const struct output_row *r, char *err, size_t errlen)
{
	char date[32], buf[8192];
	size_t n = NR_BASE + o->n_extra;
	bool num;

	run_meta_date(date, sizeof(date));
	if (o->csv) {
		for (size_t i = 0; i < n; i++) {
			if (i)
				fputc(',', o->csv);
			csv_field(o->csv, cell(o, r, i, buf, sizeof(buf), date, &num));
		}
		fputc('\n', o->csv);
		if (fflush(o->csv) || ferror(o->csv)) {
			snprintf(err, errlen, "writing the CSV: %s", strerror(errno));
			return -EIO;
		}
	}
	if (o->json) {
		fputc('{', o->json);
		for (size_t i = 0; i < n; i++) {
			const char *v = cell(o, r, i, buf, sizeof(buf), date, &num);

			if (i)
				fputs(", ", o->json);
			output_json_string(o->json, i < NR_BASE ? base_columns[i] : o->extra[i - NR_BASE]);
			fputs(": ", o->json);
			if (num)
				fputs(v, o->json);
			else if (!strcmp(v, OUTPUT_NA))
				fputs("null", o->json);
			else
				output_json_string(o->json, v);
		}
		fputs("}\n", o->json);
		if (fflush(o->json) || ferror(o->json)) {
			snprintf(err, errlen, "writing the JSON: %s", strerror(errno));
			return -EIO;
		}
	}
	o->rows++;
	return 0;
}

int output_sync(struct output *o, char *err, size_t errlen)
{
	FILE *files[] = { o->csv_is_stdout ? NULL : o->csv, o->json_is_stdout ? NULL : o->json };

	for (int i = 0; i < 2; i++)
		if (files[i] && (fflush(files[i]) || fsync(fileno(files[i])))) {
			snprintf(err, errlen, "syncing the %s: %s", i ? "JSON" : "CSV", strerror(errno));
			return -EIO;
		}
	return 0;
}

void output_close(struct output *o)
{
	if (o->csv && !o->csv_is_stdout)
		fclose(o->csv);
	if (o->json && !o->json_is_stdout)
		fclose(o->json);
	o->csv = o->json = NULL;
	for (size_t i = 0; i < o->n_extra; i++)
		free(o->extra[i]);
	o->n_extra = 0;
}
