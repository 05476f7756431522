#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# ubench trigger refuses bad input before it touches tracefs, a cgroup or a
# CPU: one error line and exit 2. (The triggers themselves run in the vm
# suite, scripts/tests/vm-trigger, against an isolated CPU.)
# Usage: test_trigger_cli.sh PATH/TO/ubench
set -uo pipefail
ubench=${1:?usage: test_trigger_cli.sh PATH/TO/ubench}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

# Each case: the arguments, then a fragment the error line must contain.
cases=(
	"--trigger nope|unknown trigger 'nope'"
	"--targets 1-0|not a CPU list"
	"--targets x|not a CPU list"
	"--targets 1,,2|not a CPU list"
	"--targets 99999|at most"
	"--targets 0|CPU 0 twice, or the caller"
	"--targets 1,1|CPU 1 twice, or the caller"
	"--count 0|--count"
	"--count 10001|--count"
	"--fill-pages 0|--fill-pages"
	"--hold 1us|--hold"
	"--target-load spin|idle, busy or fifo"
	"--caller abc|--caller"
	"--bogus|"
)
for c in "${cases[@]}"; do
	args=${c%%|*} want=${c#*|}
	# shellcheck disable=SC2086 # split the argument list on purpose
	timeout 30 "$ubench" trigger $args >"$tmp/out" 2>"$tmp/err"
	rc=$?
	echo "trigger $args -> $rc: $(head -n1 "$tmp/err")"
	if [[ $rc != 2 ]]; then
		echo "FAIL: 'trigger $args' exited $rc, want 2"
		failures=$((failures + 1))
	elif [[ $(wc -l <"$tmp/err") != 1 ]] || ! grep -qF -- "$want" "$tmp/err"; then
		echo "FAIL: 'trigger $args' should print one line containing '$want'"
		failures=$((failures + 1))
	fi
done
# Every trigger of the table is listed by --help.
"$ubench" trigger --help >"$tmp/help" || { echo "FAIL: trigger --help"; failures=$((failures + 1)); }
for t in fadvise drop-caches compact move-pages slab-shrink memcg-reclaim stat-refresh; do
	grep -q "^ *$t " "$tmp/help" || { echo "FAIL: --help does not list $t"; failures=$((failures + 1)); }
done
((failures == 0)) || { echo "$failures failure(s)"; exit 1; }
echo "all ${#cases[@]} bad invocations refused"
