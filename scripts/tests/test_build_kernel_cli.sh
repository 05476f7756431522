#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# scripts/build-kernel refuses bad arguments before it downloads or builds
# anything (one error line or the usage line, exit 2), and --print does not
# build: a kernel missing from an empty cache is an error, not a build.
# Usage: test_build_kernel_cli.sh PATH/TO/scripts/build-kernel
set -uo pipefail
bk=${1:?usage: test_build_kernel_cli.sh PATH/TO/scripts/build-kernel}
# shellcheck source-path=SCRIPTDIR source=lib/refusal.sh
. "$(dirname "$0")/lib/refusal.sh"
export QPWBENCH_CACHE=$tmp/cache

# Each case: environment assignment (or -), the arguments, then a fragment
# the error line must contain.
cases=(
	"-||usage:"
	"-|7.3|unknown kernel flavour '7.3'"
	"-|rt|unknown kernel flavour 'rt'"
	"-|--bogus 7.2|usage:"
	"QPWBENCH_KERNEL_JOBS=0|7.2-rt|QPWBENCH_KERNEL_JOBS must be 1-99"
	"QPWBENCH_KERNEL_JOBS=x|7.2-rt|QPWBENCH_KERNEL_JOBS must be 1-99"
	"-|--print 7.2-rt-pwlocks|is not built"
	"-|arm64-rt|unknown kernel flavour 'arm64-rt'"
	"-|7.2-rt-arm64|unknown kernel flavour '7.2-rt-arm64'"
	"-|--print 7.2-arm64-rt-pwlocks|is not built"
)
for c in "${cases[@]}"; do
	env=${c%%|*} rest=${c#*|}
	args=${rest%%|*} want=${rest#*|}
	[[ $env == - ]] && env=
	# shellcheck disable=SC2086 # split the argument list on purpose
	refused "build-kernel $env $args" "$want" env $env "$bk" $args
done
[[ ! -e $tmp/cache/debs && ! -e $tmp/cache/src ]] || fail "a refused invocation downloaded something"
((failures == 0)) || { echo "$failures failure(s)"; exit 1; }
echo "all ${#cases[@]} bad invocations refused"
