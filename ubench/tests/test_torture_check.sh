#!/usr/bin/env bash
# qpwbench-torture check: the folio conservation judgement of the torture
# (scripts/tests/vm-torture), fed a trace where each page's folio reached
# the LRU once, then traces where one never did, one did twice, an
# insertion predates the round (a previous owner of the PFN), and bad
# input.
#
#   test_torture_check.sh QPWBENCH_TORTURE
set -uo pipefail
torture=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL $*"; failures=$((failures + 1)); }

# expect STATUS GREP ARGS...: the exit status and a line of the output.
expect() {
	local want=$1 pattern=$2 out status
	shift 2
	out=$("$torture" check "$@" 2>&1)
	status=$?
	if [[ $status != "$want" ]] || ! grep -qE -- "$pattern" <<<"$out"; then
		fail "check $*: status $status (want $want), output: $out"
	fi
}

printf '0x1a2b0 1\n0x1a2b1 1\n0x2f000 2\n' >"$tmp/pfns"
# Three insertions after 100.000500 s: two by CPU 0 (an inline remote
# drain), one by CPU 2 itself; other PFNs and an old line around them.
cat >"$tmp/good" <<'T'
# tracer: nop
#
#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION
     qpwbench-to-80      [000] ...1.   100.000400: mm_lru_insertion: folio=ffffea000068ac00 pfn=0x1a2b0 lru=0 flags=M|A|B
     qpwbench-to-80      [000] ...1.   100.000600: mm_lru_insertion: folio=ffffea000068ac00 pfn=0x1a2b0 lru=0 flags=M|A|B
     qpwbench-to-80      [000] ...1.   100.000601: mm_lru_insertion: folio=ffffea000068ac40 pfn=0x1a2b1 lru=0 flags=M|A|B
     kworker/2:1-33      [002] ...1.   100.100000: mm_lru_insertion: folio=ffffea0000bc0000 pfn=0x2f000 lru=0 flags=M|A|B
         <idle>-0        [002] ...1.   100.100001: mm_lru_insertion: folio=ffffea0000bc0040 pfn=0x2f001 lru=2 flags=
T
expect 0 'PASS folios 3 missing 0 duplicated 0 remote 2 events 5' --since-us 100000500 "$tmp/pfns" "$tmp/good"
# The same events split over two CPUs' files.
head -6 "$tmp/good" >"$tmp/cpu0"
{ head -3 "$tmp/good"; tail -2 "$tmp/good"; } >"$tmp/cpu2"
expect 0 'PASS folios 3 ' --since-us 100000500 "$tmp/pfns" "$tmp/cpu0" "$tmp/cpu2"
# One folio still in a batch (or lost): its insertion is gone.
grep -v 'pfn=0x2f000' "$tmp/good" >"$tmp/missing"
expect 1 'pfn 0x2f000 \(faulted on CPU 2\): 0 insertions' --since-us 100000500 "$tmp/pfns" "$tmp/missing"
expect 1 'FAIL folios 3 missing 1 duplicated 0' --since-us 100000500 "$tmp/pfns" "$tmp/missing"
# One folio moved twice (a batch worked by two CPUs).
{ cat "$tmp/good"; echo '     kworker/1:0-20      [001] ...1.   100.000700: mm_lru_insertion: folio=ffffea000068ac40 pfn=0x1a2b1 lru=0 flags=M|A|B'; } >"$tmp/twice"
expect 1 'pfn 0x1a2b1 \(faulted on CPU 1\): 2 insertions' --since-us 100000500 "$tmp/pfns" "$tmp/twice"
# Counted from the round's start: with an earlier start the old line counts too.
expect 1 'duplicated 1' --since-us 100000000 "$tmp/pfns" "$tmp/good"
# Bad input: one clear line, exit 2.
expect 2 'usage' "$tmp/pfns"
expect 2 'microseconds' --since-us x "$tmp/pfns" "$tmp/good"
echo 'pfn? 1' >"$tmp/badpfns"
expect 2 "want '0xPFN CPU' lines" --since-us 1 "$tmp/badpfns" "$tmp/good"
printf '0x10 0\n0x10 1\n' >"$tmp/dup"
expect 2 'listed twice' --since-us 1 "$tmp/dup" "$tmp/good"
expect 2 'cannot read' --since-us 1 "$tmp/pfns" "$tmp/nonexistent"
out=$("$torture" run --pages 0 2>&1)
[[ $? == 2 && $out == *"--pages takes a whole number from 1 to 2048"* ]] || fail "run --pages 0: $out"
out=$("$torture" run --hotplug 0 2>&1)
[[ $? == 2 && $out == *"--hotplug takes CPUs from 1"* ]] || fail "run --hotplug 0: $out"

((failures == 0)) && echo "torture-check: all passed"
exit $((failures > 0))
