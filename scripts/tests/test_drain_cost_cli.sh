#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# scripts/drain-cost refuses bad arguments before it boots anything (one
# error line or the usage line, exit 2).
# Usage: test_drain_cost_cli.sh PATH/TO/scripts/drain-cost
set -uo pipefail
dc=${1:?usage: test_drain_cost_cli.sh PATH/TO/scripts/drain-cost}
# shellcheck source-path=SCRIPTDIR source=lib/refusal.sh
. "$(dirname "$0")/lib/refusal.sh"

# Each case: the arguments, then a fragment the error line must contain.
cases=(
	"--bogus|usage:"
	"--smp|usage:"
	"--smp 1|each CPU count must be 2..16"
	"--smp 2,99|each CPU count must be 2..16"
	"--smp 2,,4|--smp takes CPU counts"
	"--smp four|--smp takes CPU counts"
	"--count 0|--count takes 1..9999"
	"--count 100000|--count takes 1..9999"
	"--trigger drop_caches;reboot|--trigger takes trigger names"
	"--kernel generic|needs a 7.2 kernel built here"
	"--kernel 7.2-bogus|needs a 7.2 kernel built here"
	"--kernel 7.2-rt-pwlocks:pwlocks=1;x|is not kernel parameters"
	"--build|usage:"
)
for c in "${cases[@]}"; do
	args=${c%%|*} want=${c#*|}
	# shellcheck disable=SC2086 # split the argument list on purpose
	if refused "drain-cost $args" "$want" "$dc" $args --out "$tmp/out" && [[ -e $tmp/out ]]; then
		fail "'drain-cost $args' created its output directory before refusing"
	fi
done
"$dc" --help >"$tmp/stdout" 2>&1 && grep -q "scripts/drain-cost \[--smp LIST\]" "$tmp/stdout" ||
	fail "--help does not print the usage"
echo "drain-cost-cli: $failures failure(s)"
((failures == 0))
