#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# scripts/vm refuses bad arguments before it fetches, builds or boots
# anything: one error line (or the usage line) and exit 2, never a QEMU
# failure minutes later. Needs no QEMU, so it runs everywhere.
# A good --topology spec gives the -smp and -numa arguments written below.
# Usage: test_vm_cli.sh PATH/TO/scripts/vm
set -uo pipefail
vm=${1:?usage: test_vm_cli.sh PATH/TO/scripts/vm}
# shellcheck source-path=SCRIPTDIR source=lib/refusal.sh
. "$(dirname "$0")/lib/refusal.sh"
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
	"--kernel arm64 --smp 513 -- true|at most 512 CPUs"
	"--kernel arm64-rt --smp 513 -- true|at most 512 CPUs"
	"--kernel generic --topology -- true|usage:"
	"--kernel generic --topology 2x2 -- true|topology '2x2' is not"
	"--kernel generic --topology 2s2c -- true|topology '2s2c' is not"
	"--kernel generic --topology 0s2c2t -- true|topology '0s2c2t' is not"
	"--kernel generic --topology 2s2c2t-numa2 -- true|is not"
	"--kernel generic --topology 1000s1c1t -- true|counts 1-999"
	"--kernel generic --topology 4s8c8t -- true|has 256 CPUs; QEMU's x86_64 machine takes at most 255"
	"--kernel arm64 --topology 2s16c17t -- true|has 544 CPUs; QEMU's arm64 machine takes at most 512"
	"--kernel generic --topology 2s2cl2c1t -- true|clusters (cl) are arm64 only"
	"--kernel arm64 --topology 1s2d2c1t -- true|dies (d) are x86_64 only"
	"--kernel generic --smp 4 --topology 2s2c2t -- true|--smp 4 disagrees with --topology 2s2c2t (8 CPUs)"
	"--kernel generic --mem 200 --topology 2s2c2t-numa -- true|gives each of 2 NUMA nodes less than 128 MiB"
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
	"--kernel 7.2-arm64-rt --smp 513 -- true|at most 512 CPUs"
	"--kernel 7.2-arm64-rt-pwlocks --abi 6.1.0-1 -- true|--abi is for Debian's kernels"
	"--kernel 7.2-rt-arm64 -- true|unknown kernel '7.2-rt-arm64'"
	"--kernel 7.3 -- true|unknown kernel '7.3'"
)
for c in "${cases[@]}"; do
	args=${c%%|*} want=${c#*|}
	# shellcheck disable=SC2086 # split the argument list on purpose
	refused "vm $args" "$want" "$vm" $args
done

# Good specs: scripts/qemu-topology's CPU count and QEMU arguments, one a line.
topology=$(dirname "$vm")/qemu-topology
good=(
	"x86_64 1024 2s2c2t|8 -smp 8,sockets=2,cores=2,threads=2,dies=1"
	"x86_64 1024 1s2d4c1t|8 -smp 8,sockets=1,cores=4,threads=1,dies=2"
	"x86_64 1000 2s2c2t-numa|8 -smp 8,sockets=2,cores=2,threads=2,dies=1 -object memory-backend-ram,id=node0,size=500M -numa node,nodeid=0,memdev=node0 -numa cpu,node-id=0,socket-id=0 -object memory-backend-ram,id=node1,size=500M -numa node,nodeid=1,memdev=node1 -numa cpu,node-id=1,socket-id=1"
	"arm64 1025 2s2cl2c1t-numa|8 -smp 8,sockets=2,cores=2,threads=1,clusters=2 -object memory-backend-ram,id=node0,size=512M -numa node,nodeid=0,memdev=node0 -numa cpu,node-id=0,socket-id=0 -object memory-backend-ram,id=node1,size=513M -numa node,nodeid=1,memdev=node1 -numa cpu,node-id=1,socket-id=1"
	"arm64 1024 4s4cl2c2t|64 -smp 64,sockets=4,cores=2,threads=2,clusters=4"
)
for c in "${good[@]}"; do
	read -r arch mem spec <<<"${c%%|*}"
	want=${c#*|}
	got=$("$topology" --arch "$arch" --mem "$mem" "$spec" 2>&1 | tr '\n' ' ')
	echo "qemu-topology $arch $mem $spec -> $got"
	[[ "$got" == "$want " ]] || fail "want '$want'"
done
((failures == 0)) || { echo "$failures failure(s)"; exit 1; }
echo "all ${#cases[@]} bad invocations refused, ${#good[@]} topologies built"
