#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# scripts/perf-c2c: usage errors exit 2 with one line; where perf cannot do
# c2c (no perf, or no memory-access sampling: these VMs) it explains why in
# one paragraph, exits 77 and does not run the command; where it can, it
# records, reports and passes the command's exit status through.
# Usage: test_perf_c2c.sh PATH/TO/scripts/perf-c2c
set -uo pipefail
script=${1:?usage: test_perf_c2c.sh PATH/TO/perf-c2c}
# tmp, failures and fail(); meson runs this script by its source path.
# shellcheck source-path=SCRIPTDIR source=../../scripts/tests/lib/refusal.sh
. "$(dirname "$0")/../../scripts/tests/lib/refusal.sh"

for args in "" "--" "-o" "true" "--bogus -- true"; do
	# shellcheck disable=SC2086 # split the argument list on purpose
	"$script" $args >"$tmp/out" 2>"$tmp/err"
	rc=$?
	lines=$(wc -l <"$tmp/err")
	[[ $rc == 2 ]] || fail "'perf-c2c $args' exited $rc, want 2"
	((lines >= 1 && lines <= 2)) || fail "'perf-c2c $args' printed $lines error lines"
	echo "perf-c2c $args -> $rc: $(head -n1 "$tmp/err")"
done

supported=no
if command -v perf >/dev/null && perf mem record -e list 2>&1 | grep -q ': available'; then
	supported=yes
fi
echo "perf mem events available here: $supported"

"$script" -o "$tmp/c2c" -- sh -c 'touch "$1"; exit 3' sh "$tmp/ran" 2>"$tmp/err"
rc=$?
cat "$tmp/err"
if [[ $supported == no ]]; then
	[[ $rc == 77 ]] || fail "unsupported here but exited $rc, want 77"
	[[ ! -e $tmp/ran ]] || fail "ran the command although perf c2c cannot run"
	grep -q 'perf c2c cannot run here' "$tmp/err" || fail "no explanation"
	if command -v perf >/dev/null; then
		grep -Eq 'PEBS|IBS|SPE|mem events' "$tmp/err" ||
			fail "explanation does not name the sampling facility perf c2c needs"
	fi
	grep -q '^$' "$tmp/err" && fail "explanation is not one paragraph"
	# scripts/test's summary shows this line (scripts/lib/summary.py).
	echo "QPWBENCH-PART-SKIPPED perf-c2c record: perf has no memory-access sampling here; only the refusal was checked"
else
	[[ $rc == 3 ]] || fail "exited $rc, want the command's status 3"
	[[ -e $tmp/ran ]] || fail "command did not run"
	[[ -s $tmp/c2c/report.txt ]] || fail "no report written"
fi
echo "$failures failure(s)"
((failures == 0))
