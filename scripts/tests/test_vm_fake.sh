#!/usr/bin/env bash
# scripts/vm's own logic against scripted guests (scripts/tests/fake-qemu.py
# in place of qemu-system-x86_64): the results coming back, the complaint
# check, the hang's vCPU look and exit 124, and the timer-stall retry with
# its signature (issue 21). No kernel is fetched or booted.
#
#   test_vm_fake.sh SCRIPTS_VM FAKE_QEMU BUILD_DIR
set -uo pipefail
vm=$1 fake=$2 build=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL $case: $*"; failures=$((failures + 1)); }

# A kernel directory as scripts/build-kernel lays one out, with nothing bootable in it.
kdir=$tmp/kernel
mkdir -p "$kdir/kdir" "$tmp/bin"
echo fake >"$kdir/abi"
echo x86_64 >"$kdir/arch"
echo 7.2-rt >"$kdir/flavour"
echo '# CONFIG_FAKE is not set' >"$kdir/config"
: >"$kdir/kernel"
ln -s "$(realpath "$fake")" "$tmp/bin/qemu-system-x86_64"

# run CASE TIMEOUT: boot the scenario in $tmp/CASE.scenario; sets status,
# output (stdout and stderr) and out (the results directory).
run() {
	case=$1
	out=$tmp/out-$case
	mkdir -p "$tmp/state-$case"
	output=$(PATH="$tmp/bin:$PATH" QPWBENCH_VM_KERNEL_DIR="$kdir" QPWBENCH_ACCEL=tcg \
		FAKE_QEMU_SCENARIO="$tmp/$case.scenario" FAKE_QEMU_STATE="$tmp/state-$case" \
		"$vm" --kernel 7.2-rt --no-module --build "$build" --no-rebuild --out "$out" \
		--timeout "$2" -- true 2>&1)
	status=$?
}
boots() { cat "$tmp/state-$case/boots"; }
has() { grep -qF -- "$1" <<<"$output"; }

stall='[   40.000000] rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:
[   40.000000] rcu: rcu_preempt kthread timer wakeup didn'"'"'t happen for 5251 jiffies! g1 f0x0 RCU_GP_WAIT_FQS(5) ->state=0x402
[   40.000000] rcu: 	Possible timer handling issue on cpu=0 timer-softirq=100'
good='QPWBENCH-VM-BOOTED 7.2.13-rt realtime=1 cpus=2 isolated= emulated=tcg
@file answer.txt 42
@result 0'

# The results come back: a file the command wrote, the kernel log, the status.
cat >"$tmp/results.scenario" <<<"$good"
run results 60
{ ((status == 0)) && [[ $(cat "$out/answer.txt" 2>/dev/null) == 42 && -f $out/dmesg.txt ]]; } ||
	fail "status $status, answer.txt '$(cat "$out/answer.txt" 2>/dev/null)': $output"
has QPWBENCH-VM-RETRIED && fail "retried a clean boot"

# A kernel complaint fails a run whose command succeeded.
printf '%s\n' 'QPWBENCH-VM-BOOTED 7.2.13-rt realtime=1 cpus=2 isolated= emulated=tcg' \
	'[   10.000000] BUG: sleeping function called from invalid context at kernel/x.c:1' \
	'@result 0' >"$tmp/complaint.scenario"
run complaint 60
{ ((status == 1)) && has 'kernel complained'; } || fail "status $status: $output"

# Each kind of complaint a debug kernel (-debug: lockdep, atomic sleep,
# lockup detectors) prints fails the run; the line a PROVE_LOCKING kernel
# prints at every boot does not.
n=0
while IFS= read -r line; do
	n=$((n + 1))
	printf '%s\n' 'QPWBENCH-VM-BOOTED 7.2.13-rt-pwlocks-debug realtime=1 cpus=2 isolated= emulated=tcg' \
		"[   10.000000] $line" '@result 0' >"$tmp/complaint-$n.scenario"
	run "complaint-$n" 60
	{ ((status == 1)) && has 'kernel complained'; } || fail "'$line' passed: status $status: $output"
done <<'LINES'
WARNING: possible circular locking dependency detected
WARNING: possible recursive locking detected
WARNING: inconsistent lock state
BUG: Invalid wait context
INFO: trying to register non-static key.
BUG: sleeping function called from invalid context at mm/swap.c:222
watchdog: BUG: soft lockup - CPU#1 stuck for 22s! [kworker/1:1:42]
CPU0: Watchdog detected hard LOCKUP on cpu 1
BUG: scheduling while atomic: swapper/1/0/0x00000002
LINES
printf '%s\n' 'QPWBENCH-VM-BOOTED 7.2.13-rt-pwlocks-debug realtime=1 cpus=2 isolated= emulated=tcg' \
	'[    0.100000] rcu: 	RCU lockdep checking is enabled.' \
	'[    0.200000] Lock dependency validator: Copyright (c) 2006 Red Hat, Inc., Ingo Molnar' \
	'[    0.200001] ... MAX_LOCKDEP_SUBCLASSES:  8' '@result 0' >"$tmp/debug-boot.scenario"
run debug-boot 60
((status == 0)) || fail "a debug kernel's boot lines failed the run: status $status: $output"

# Results cut short in transit fail, never pass for an empty /out.
printf '%s\n' 'QPWBENCH-VM-BOOTED 7.2.13-rt realtime=1 cpus=2 isolated= emulated=tcg' '@damaged 0' \
	>"$tmp/damaged.scenario"
run damaged 60
{ ((status == 1)) && has 'results sent by the guest are damaged'; } || fail "status $status: $output"

# A guest with no result by --timeout: its vCPUs are looked at, exit 124.
printf '%s\n' 'QPWBENCH-VM-BOOTED 7.2.13-rt realtime=1 cpus=2 isolated= emulated=tcg' '@module yes' '@hang' \
	>"$tmp/hang.scenario"
run hang 4
{ ((status == 124)) && has 'vcpu 1 sample 1: ffffffffa0003bf7 module code running' &&
	grep -q 'vcpu-verdict: cpu0-halted=yes module-code=yes' "$out/console.log"; } ||
	fail "status $status: $output"

# The recorded TCG stall, once, nothing before it: booted again, passes, and says so.
printf '%s\n--- boot\n%s\n' "QPWBENCH-VM-BOOTED 7.2.13-rt realtime=1 cpus=2 isolated= emulated=tcg
$stall
@hang" "$good" >"$tmp/stall-once.scenario"
run stall-once 60
{ ((status == 0)) && [[ $(boots) == 2 && -f $out/console-timer-stall.log ]] &&
	has 'QPWBENCH-VM-RETRIED boot 1 stalled after'; } ||
	fail "status $status, $(boots) boots: $output"
# Boot 1's report and the vCPU look were kept, read for the grace seconds before the kill.
grep -q 'vcpu-verdict: cpu0-halted=yes module-code=no' "$out/console-timer-stall.log" ||
	fail "no vCPU look in boot 1's log"

# The report keeps vCPU 0 busy printing for longer than the grace (5 s):
# the vCPUs are looked at once the console is quiet (2 s), and it is the
# signature. Its lines come every 0.5 s, well inside the quiet time: at 2 s
# apart (as first written) a loaded host stretched a gap past it, the look
# came while vCPU 0 still ran, and the test failed once beside guests.
printing=$(for i in $(seq 10 23); do printf '[   40.%s0000] rcu: stack dump line\n@sleep 0.5\n' "$i"; done)
printf '%s\n--- boot\n%s\n' "QPWBENCH-VM-BOOTED x
$stall
@cpu0 running
$printing
@cpu0 halted
@hang" "$good" >"$tmp/stall-printing.scenario"
run stall-printing 60
{ ((status == 0)) && [[ $(boots) == 2 ]] && has 'QPWBENCH-VM-RETRIED'; } ||
	fail "status $status, $(boots) boots: $output"

# Twice: no result, a failure.
printf '%s\n--- boot\n%s\n' "QPWBENCH-VM-BOOTED x
$stall
@hang" "QPWBENCH-VM-BOOTED x
$stall
@hang" >"$tmp/stall-twice.scenario"
run stall-twice 60
{ ((status == 1)) && [[ $(boots) == 2 ]] && has "timers stopped firing"; } ||
	fail "status $status, $(boots) boots: $output"

# A WARNING before the stall: judged on boot 1, never booted again.
printf '%s\n--- boot\n%s\n' "QPWBENCH-VM-BOOTED x
[   30.000000] WARNING: CPU: 1 PID: 80 at kernel/sched/core.c:1 x
$stall
@hang" "$good" >"$tmp/warning-stall.scenario"
run warning-stall 60
{ ((status == 1)) && [[ $(boots) == 1 ]] && has 'complained before the timer stall' &&
	! has QPWBENCH-VM-RETRIED; } || fail "status $status, $(boots) boots: $output"

# Outside the signature, never booted again: a vCPU in module code, CPU 0
# running, another CPU's timers.
printf '%s\n--- boot\n%s\n' "QPWBENCH-VM-BOOTED x
@module yes
$stall
@hang" "$good" >"$tmp/stall-module.scenario"
printf '%s\n--- boot\n%s\n' "QPWBENCH-VM-BOOTED x
@cpu0 running
$stall
@hang" "$good" >"$tmp/stall-cpu0-running.scenario"
printf '%s\n--- boot\n%s\n' "QPWBENCH-VM-BOOTED x
${stall/cpu=0/cpu=1}
@hang" "$good" >"$tmp/stall-cpu1.scenario"
for c in stall-module stall-cpu0-running stall-cpu1; do
	run $c 60
	{ ((status == 1)) && [[ $(boots) == 1 ]] && ! has QPWBENCH-VM-RETRIED; } ||
		fail "status $status, $(boots) boots: $output"
done

if ((failures)); then
	echo "vm-fake: $failures failed"
	exit 1
fi
echo "vm-fake: every case passed"
