#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# ubench trigger refuses bad input before it touches tracefs, a cgroup or a
# CPU: one error line and exit 2. (The triggers themselves run in the vm
# suite, scripts/tests/vm-trigger, against an isolated CPU.)
# Usage: test_trigger_cli.sh PATH/TO/ubench
set -uo pipefail
ubench=${1:?usage: test_trigger_cli.sh PATH/TO/ubench}
# meson runs this script by its source path, so the helper is found from $0.
# shellcheck source-path=SCRIPTDIR source=../../scripts/tests/lib/refusal.sh
. "$(dirname "$0")/../../scripts/tests/lib/refusal.sh"

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
	"--mlock always|--mlock 'always': none, onfault, current or cow"
	"--mlock|"
	"--caller abc|--caller"
	"--bogus|"
)
for c in "${cases[@]}"; do
	args=${c%%|*} want=${c#*|}
	# shellcheck disable=SC2086 # split the argument list on purpose
	refused "trigger $args" "$want" "$ubench" trigger $args
done
# Every trigger of the table is listed by --help.
"$ubench" trigger --help >"$tmp/help" || fail "trigger --help"
for t in fadvise drop-caches compact move-pages slab-shrink memcg-reclaim stat-refresh; do
	grep -q "^ *$t " "$tmp/help" || fail "--help does not list $t"
done
grep -q -- "--mlock MODE" "$tmp/help" || fail "--help does not list --mlock"
((failures == 0)) || { echo "$failures failure(s)"; exit 1; }
echo "all ${#cases[@]} bad invocations refused"
