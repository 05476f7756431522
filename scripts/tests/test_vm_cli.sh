#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# scripts/vm refuses bad arguments before it fetches, builds or boots
# anything: one error line (or the usage line) and exit 2, never a QEMU
# failure minutes later. Needs no QEMU, so it runs everywhere.
# Usage: test_vm_cli.sh PATH/TO/scripts/vm
set -uo pipefail
vm=${1:?usage: test_vm_cli.sh PATH/TO/scripts/vm}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
host_mib=$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo)

# Each case: the arguments, then a fragment the error line must contain.
cases=(
	"--kernel generic|usage:"
	"--kernel foo -- true|unknown kernel 'foo'"
	"-- true|--kernel is required"
	"--kernel generic --smp 0 -- true|--smp needs a positive integer"
	"--kernel generic --smp -1 -- true|--smp needs a positive integer"
	"--kernel generic --smp 99999999999999999999 -- true|below 10^9"
	"--kernel generic --smp 256 -- true|at most 255 CPUs"
	"--kernel rt --smp 256 -- true|at most 255 CPUs"
	"--kernel arm64 --smp 9 -- true|at most 8 CPUs"
	"--kernel arm64-rt --smp 9 -- true|at most 8 CPUs"
	"--kernel generic --mem abc -- true|--mem needs a positive integer"
	"--kernel generic --mem $((host_mib + 1)) -- true|more than this host's"
	"--kernel generic --timeout 0 -- true|--timeout needs a positive integer"
	"--kernel generic --bogus -- true|usage:"
	"--kernel generic --isolate x -- true|--isolate needs a CPU list"
	"--kernel generic --isolate 0 -- true|CPU 0 must stay a housekeeping CPU"
	"--kernel generic --isolate 2 -- true|CPU 2 does not exist with --smp 2"
	"--kernel generic --smp 4 --isolate 3-1 -- true|runs backwards"
	"--kernel 7.2-rt --smp 256 -- true|at most 255 CPUs"
	"--kernel 7.2-rt --abi 6.1.0-1 -- true|--abi is for Debian's kernels"
	"--kernel 7.2-rt-pwlocks --append pwlocks=1;reboot -- true|--append takes kernel parameters"
	"--kernel 7.3 -- true|unknown kernel '7.3'"
)
for c in "${cases[@]}"; do
	args=${c%%|*} want=${c#*|}
	# shellcheck disable=SC2086 # split the argument list on purpose
	timeout 30 "$vm" $args >"$tmp/out" 2>"$tmp/err"
	rc=$?
	lines=$(wc -l <"$tmp/err")
	echo "vm $args -> $rc: $(head -n1 "$tmp/err")"
	if [[ $rc != 2 ]]; then
		echo "FAIL: 'vm $args' exited $rc, want 2"
		failures=$((failures + 1))
	elif [[ $lines != 1 ]] || ! grep -qF -- "$want" "$tmp/err"; then
		echo "FAIL: 'vm $args' should print one line containing '$want'"
		failures=$((failures + 1))
	fi
done
((failures == 0)) || { echo "$failures failure(s)"; exit 1; }
echo "all ${#cases[@]} bad invocations refused"
