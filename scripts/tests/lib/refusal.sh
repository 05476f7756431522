# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Sourced by the command-line tests (scripts/tests/test_*_cli.sh,
# ubench/tests/test_trigger_cli.sh): the project's rule for bad input is one
# clear error line and exit 2, and each test checks it over a table of bad
# invocations. This file owns what those loops share (ubench's
# test_scenarios.sh and test_perf_c2c.sh use its first three):
#   tmp       a scratch directory, removed on exit (the sourcing test may
#             keep its own files there, but not stdout or stderr: refused
#             writes those)
#   failures  the number of failed checks; the test exits 1 if not 0
#   fail MSG  prints "FAIL: MSG" and counts it
#   refused LABEL FRAGMENT COMMAND [ARG...]
#             runs COMMAND under timeout 30 (a refusal must not wait on
#             anything), prints "LABEL -> RC: first stderr line", and fails
#             unless it exits 2 with exactly one stderr line containing
#             FRAGMENT (fixed string; "" matches any line). Returns non-zero
#             on a failure, so a test adds its own checks only to a refusal
#             that passed.

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

refused() {
	local label=$1 want=$2 rc
	shift 2
	timeout 30 "$@" >"$tmp/stdout" 2>"$tmp/stderr"
	rc=$?
	echo "$label -> $rc: $(head -n1 "$tmp/stderr")"
	if [[ $rc != 2 ]]; then
		fail "'$label' exited $rc, want 2"
		return 1
	fi
	if [[ $(wc -l <"$tmp/stderr") != 1 ]] || ! grep -qF -- "$want" "$tmp/stderr"; then
		fail "'$label' should print one line containing '$want'"
		return 1
	fi
}
