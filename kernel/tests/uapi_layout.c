// SPDX-License-Identifier: GPL-2.0
/*
 * uapi-layout: proves the structs of uapi/qpwbench.h are laid out the same
 * here and on arm64, and have no implicit padding.
 *
 *   uapi-layout [ARM64_TABLE]
 *
 * ARM64_TABLE is the .qpwbench_layout section of uapi_layout_data.c compiled
 * by aarch64-linux-gnu-gcc (meson cuts it out with objcopy). Every offset,
 * field size, struct size and alignment must match this machine's. Natively,
 * each struct's fields must tile it exactly (no hole, no field missing from
 * uapi_layout.h). Exit 0 ok, 1 mismatch, 77 no arm64 table (native check
 * still done), 2 usage.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "uapi_layout.h"

#if defined(__x86_64__)
#define NATIVE_ARCH "x86_64"
#elif defined(__aarch64__)
#define NATIVE_ARCH "arm64"
#else
#define NATIVE_ARCH "native"
#endif

#define NAME_S(s)	"struct " #s, "",
#define NAME_F(s, f)	#s, #f,
/* Per table entry pair: struct or field name. */
static const char *const names[] = { QPWBENCH_UAPI_LAYOUT(NAME_S, NAME_F) };

static bool is_struct(unsigned int pair)
{
	return !names[2 * pair + 1][0];
}

/* Each struct's fields follow one another from offset 0 to its size. */
static unsigned int check_native(void)
{
	unsigned int pairs = qpwbench_uapi_layout_len / 2, bad = 0, open = 0;
	unsigned long long next = 0;

	for (unsigned int p = 0; p <= pairs; p++) {
		if (p == pairs || is_struct(p)) {
			if (p && next != qpwbench_uapi_layout[2 * open]) {
				printf("FAIL %s: fields cover %llu of %llu bytes (implicit padding, or a "
				       "field missing from uapi_layout.h)\n", names[2 * open], next,
				       qpwbench_uapi_layout[2 * open]);
				bad++;
			}
			open = p;
			next = 0;
			continue;
		}
		if (qpwbench_uapi_layout[2 * p] != next) {
			printf("FAIL %s.%s at offset %llu, previous field ends at %llu\n",
			       names[2 * p], names[2 * p + 1], qpwbench_uapi_layout[2 * p], next);
			bad++;
		}
		next = qpwbench_uapi_layout[2 * p] + qpwbench_uapi_layout[2 * p + 1];
	}
	return bad;
}

static unsigned long long le64(const unsigned char *b)
{
	unsigned long long v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

static int compare(const char *path)
{
	static unsigned char buf[1 << 16];
	unsigned int n = qpwbench_uapi_layout_len, bad = 0;
	FILE *f = fopen(path, "rb");
	size_t got;

	if (!f) {
		perror(path);
		return 2;
	}
	got = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (got != n * 8ULL) {
		printf("FAIL arm64 table %s has %zu bytes, want %u entries of 8: the table "
		       "definitions differ\n", path, got, n);
		return 1;
	}
	for (unsigned int i = 0; i < n; i++) {
		unsigned long long theirs = le64(buf + 8 * i), ours = qpwbench_uapi_layout[i];
		unsigned int p = i / 2;
		const char *what = is_struct(p) ? (i % 2 ? "alignment" : "size")
						: (i % 2 ? "size" : "offset");

		if (theirs != ours) {
			printf("FAIL %s%s%s %s: " NATIVE_ARCH " %llu, arm64 %llu\n", names[2 * p],
			       is_struct(p) ? "" : ".", names[2 * p + 1], what, ours, theirs);
			bad++;
		}
	}
	for (unsigned int p = 0; p < n / 2; p++)
		if (is_struct(p))
			printf("%-24s size %5llu align %llu\n", names[2 * p],
			       qpwbench_uapi_layout[2 * p], qpwbench_uapi_layout[2 * p + 1]);
	printf("%s: %u values compared between " NATIVE_ARCH " and arm64, %u differ\n",
	       bad ? "FAIL" : "PASS", n, bad);
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	unsigned int bad;

	if (argc > 2) {
		fprintf(stderr, "usage: uapi-layout [ARM64_TABLE]\n");
		return 2;
	}
	bad = check_native();
	printf("%s: no implicit padding, every field listed (" NATIVE_ARCH ")\n",
	       bad ? "FAIL" : "PASS");
	if (bad)
		return 1;
	if (argc < 2) {
		printf("SKIP: no arm64 table (aarch64-linux-gnu-gcc and -objcopy not found at "
		       "configure time)\n");
		return 77;
	}
	return compare(argv[1]);
}
