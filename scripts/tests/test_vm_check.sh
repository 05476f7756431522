#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The guest tests' judgements (scripts/tests/vm-check) and the topology
# report check (reports/tests/check_topology_report.py), fed on the host
# with rows that must pass and rows that must fail each check: a missing
# row, a stock kernel's CSV where "none" is expected, a missing positive
# control, a zero, NaN or negative figure, an unknown resolution. The
# fixtures are the published rows of reports/examples/csv, edited here.
# vm-check runs under busybox's sh and awk, as in the guests, and under the
# host's /bin/sh and awk.
#
#   test_vm_check.sh VM_CHECK EXAMPLES_CSV_DIR CHECK_TOPOLOGY_REPORT QPWBENCH_KPATH
set -uo pipefail
(($# == 4)) || { echo "usage: test_vm_check.sh VM_CHECK EXAMPLES_CSV_DIR CHECK_TOPOLOGY_REPORT QPWBENCH_KPATH" >&2; exit 2; }
vm_check=$1 ex=$2 report_check=$3 kpath=$4
# shellcheck source-path=SCRIPTDIR source=lib/refusal.sh
. "$(dirname "$0")/lib/refusal.sh"
cases=0

# The guests' toolset: busybox's sh and awk first in PATH.
busybox=$(command -v busybox) || {
	echo "SKIP: no busybox (scripts/setup installs busybox-static): the guests' sh and awk cannot be tested"
	exit 77
}
mkdir -p "$tmp/busybox"
ln -s "$busybox" "$tmp/busybox/sh"
ln -s "$busybox" "$tmp/busybox/awk"

# edit IN OUT [drop COL=V,COL=V... | set COL=V,...:COL=NEW... |
#     add COL=V,...:COL=NEW...]...: IN's rows, less those matching every
# COL=V of a drop, with a set's columns changed on the rows matching its
# COL=V list, and copies of an add's matching rows, changed so, appended.
# Fixtures are edits of published rows.
edit() {
	/usr/bin/python3 - "$@" <<'EOF'
import csv, sys
src, dst, *ops = sys.argv[1:]
with open(src, newline="") as f:
    rows = list(csv.reader(line for line in f if not line.startswith("#")))
head, body = rows[0], rows[1:]
def pairs(spec):
    # COL=V,COL=V; a piece without "=" continues the value before it (cpus=0,1).
    out = []
    for piece in spec.split(","):
        if "=" in piece:
            out.append(piece.split("=", 1))
        else:
            out[-1][1] += "," + piece
    return out
def matches(row, conds):
    return all(row[head.index(k)] == v for k, v in pairs(conds))
for op in ops:
    kind, spec = op.split(" ", 1)
    if kind == "drop":
        n = len(body)
        body = [r for r in body if not matches(r, spec)]
        assert len(body) < n, f"edit: no row matches {spec}"
    else:
        conds, changes = spec.split(":", 1)
        hit = [r for r in body if matches(r, conds)]
        assert hit, f"edit: no row matches {conds}"
        if kind == "add":
            hit = [list(r) for r in hit]
            body += hit
        for r in hit:
            for k, v in pairs(changes):
                r[head.index(k)] = v
with open(dst, "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(head)
    w.writerows(body)
EOF
}

# The kernel column of a CSV's first row (ubench's "#" context lines skipped).
first_kernel() {
	/usr/bin/python3 -c 'import csv, sys
print(next(csv.DictReader(l for l in open(sys.argv[1]) if not l.startswith("#")))["kernel"])' "$1"
}

# expect pass|fail|usage FRAGMENT CHECK ARGS...: vm-check CHECK ARGS...
# under each toolset must exit 0, 1 or 2; on fail its output must hold
# FRAGMENT on a FAIL line (so a case fails for the reason it is about, not
# another), on pass every line must be a PASS.
expect() {
	local want=$1 fragment=$2 path out rc code
	shift 2
	cases=$((cases + 1))
	case $want in pass) code=0 ;; fail) code=1 ;; usage) code=2 ;; esac
	for path in "$tmp/busybox:$PATH" "$PATH"; do
		out=$(PATH=$path sh "$vm_check" "$@" 2>&1)
		rc=$?
		if [[ $rc != "$code" ]]; then
			fail "vm-check $* ($([[ $path == "$PATH" ]] && echo host || echo busybox)): exit $rc, want $code ($want): $out"
		elif [[ $want == fail ]] && ! grep -F -- "$fragment" <<<"$out" | grep -q "FAIL"; then
			fail "vm-check $*: failed, but not on '$fragment': $out"
		elif [[ $want == pass ]] && grep -qv "PASS" <<<"$out"; then
			fail "vm-check $*: exit 0 beside a line that is not a PASS: $out"
		else
			continue
		fi
		return
	done
	local shown=${*//$tmp\//}
	echo "ok: $want${fragment:+ ($fragment)}: vm-check ${shown//$ex\//}"
}

# --- vm-trigger: the table per kernel, on the published rows (5 triggers
# each, vm-trigger's count), positive controls included.
for f in vm-trigger-6.12-rt-trigger.csv vm-trigger-6.12-trigger.csv vm-trigger-generic-trigger.csv \
	vm-trigger-rt-trigger.csv vm-trigger-arm64-trigger.csv; do
	expect pass "" trigger "$ex/$f" 5 "$(first_kernel "$ex/$f")"
done
t612=$ex/vm-trigger-6.12-rt-trigger.csv t61=$ex/vm-trigger-generic-trigger.csv
r612=$(first_kernel "$t612") r61=$(first_kernel "$t61")
# ubench's context header (comment lines before the CSV header) is skipped,
# with or without one.
edit "$t612" "$tmp/no-ctx.csv"
expect pass "" trigger "$tmp/no-ctx.csv" 5 "$r612"
{ printf '# argv: ubench trigger\n# revision: x\n'; cat "$tmp/no-ctx.csv"; } >"$tmp/ctx.csv"
expect pass "" trigger "$tmp/ctx.csv" 5 "$r612"
# Without a positive control's rows (ubench before --mlock wrote none): a missing row fails.
edit "$t612" "$tmp/no-held.csv" "drop metric=trigger_batch_held"
expect fail "fadvise: trigger_batch_held kernel on CPU 1 at least 1 in each of 5 triggers: no row" \
	trigger "$tmp/no-held.csv" 5 "$r612"
# The batch held nothing in one trigger (a fill that left it empty), or
# CPU 1 moved none of its pages: the drain counted did not move them.
edit "$t612" "$tmp/held-zero.csv" "set trigger=compact,metric=trigger_batch_held,cpus=1:min=0"
expect fail "compact: trigger_batch_held kernel on CPU 1 at least 1 in each of 5 triggers: min 0" \
	trigger "$tmp/held-zero.csv" 5 "$r612"
edit "$t612" "$tmp/moved-zero.csv" "set trigger=fadvise,metric=trigger_lru_moved,variant=cpu1:min=0"
expect fail "fadvise: trigger_lru_moved cpu1 on CPU 1 at least 1 in each of 5 triggers: min 0" \
	trigger "$tmp/moved-zero.csv" 5 "$r612"
edit "$t612" "$tmp/moved-none.csv" "drop trigger=move-pages,metric=trigger_lru_moved"
expect fail "move-pages: trigger_lru_moved cpu1 on CPU 1 at least 1 in each of 5 triggers: no row" \
	trigger "$tmp/moved-none.csv" 5 "$r612"
# 6.1's drop-caches "none" needs the batch to have held pages.
edit "$t61" "$tmp/61-held-none.csv" "drop trigger=drop-caches,metric=trigger_batch_held"
expect fail "drop-caches: trigger_batch_held kernel on CPU 1 at least 1 in each of 5 triggers: no row" \
	trigger "$tmp/61-held-none.csv" 5 "$r61"
# A kernel that drains CPU 1, judged as one that must not (6.1's "none").
expect fail "drop-caches: trigger_work_items lru_add_drain_per_cpu on CPU 1, want none" \
	trigger "$ex/vm-trigger-6.12-trigger.csv" 5 "$r61"
# 6.1 drop-caches "none" without its positive control: fadvise's item on CPU 1.
edit "$t61" "$tmp/no-control.csv" "drop trigger=fadvise,metric=trigger_work_items,variant=lru_add_drain_per_cpu"
expect fail "the positive control fadvise: trigger_work_items lru_add_drain_per_cpu" trigger "$tmp/no-control.csv" 5 "$r61"
# ... or fadvise's call of lru_add_drain_all, there but 0 in one trigger.
edit "$t61" "$tmp/control-zero.csv" "set trigger=fadvise,metric=trigger_calls,variant=lru_add_drain_all:min=0"
expect fail "the positive control fadvise: trigger_calls lru_add_drain_all on CPU 0 (want at least 1 per trigger): min 0" \
	trigger "$tmp/control-zero.csv" 5 "$r61"
# A missing count: the trigger's "all" row of CPU 1, or the caller's trigger_latency.
edit "$t61" "$tmp/no-all.csv" "drop trigger=drop-caches,metric=trigger_work_items,variant=all"
expect fail "the count itself (trigger_work_items all): no row" trigger "$tmp/no-all.csv" 5 "$r61"
edit "$t61" "$tmp/no-latency.csv" "drop trigger=drop-caches,metric=trigger_latency"
expect fail "the count itself (trigger_latency kernel): no row" trigger "$tmp/no-latency.csv" 5 "$r61"
# Later kernels: memcg's "none" on CPU 1 needs control CPU 2 (a 2-CPU guest fails) ...
edit "$t612" "$tmp/no-cpu2.csv" "drop cpus=2"
expect fail "the positive control memcg-reclaim: trigger_work_items drain_local_stock on CPU 2" \
	trigger "$tmp/no-cpu2.csv" 5 "$r612"
# ... and names this kernel's item: 6.16's names on 6.12 rows fail, not pass.
expect fail "the positive control memcg-reclaim: trigger_work_items drain_local_memcg_stock on CPU 2" \
	trigger "$t612" 5 6.16.0
# A present row with no honest maximum, and a missing "at least" row.
edit "$t612" "$tmp/nan-max.csv" \
	"set trigger=memcg-reclaim,metric=trigger_work_items,variant=drain_local_stock,cpus=2:cpus=1,max=n/a"
expect fail "drain_local_stock on CPU 1, want none in 5 triggers: max n/a" trigger "$tmp/nan-max.csv" 5 "$r612"
edit "$t612" "$tmp/no-row.csv" "drop trigger=compact,metric=trigger_work_items,variant=lru_add_drain_per_cpu,cpus=1"
expect fail "compact: trigger_work_items lru_add_drain_per_cpu on CPU 1 at least 1 in each of 5 triggers: no row" \
	trigger "$tmp/no-row.csv" 5 "$r612"
edit "$t612" "$tmp/nan-min.csv" "set trigger=slab-shrink,metric=trigger_work_items,variant=flush_cpu_slab,cpus=1:min=nan"
expect fail "flush_cpu_slab on CPU 1 at least 1 in each of 5 triggers: min nan" trigger "$tmp/nan-min.csv" 5 "$r612"
# Rows of fewer triggers than fired.
expect fail "a row of 5 triggers, want 6" trigger "$t612" 6 "$r612"
expect usage "" trigger "$t612" 5 bogus
expect usage "" none "$t612" 5 drop-caches stalled kernel 1 "$t612" fadvise trigger_calls lru_add_drain_all 0

# --- The mlocked fill (ubench trigger --mlock onfault), vm-trigger: the LRU
# triggers' real rows (5 triggers each; 6.12-rt with control CPU 2).
m612=$ex/vm-trigger-6.12-rt-trigger-mlock.csv m61=$ex/vm-trigger-generic-trigger-mlock.csv
r612m=$(first_kernel "$m612")
r61m=$(first_kernel "$m61")
expect pass "" trigger-mlock "$m612" 5 "$r612m"
expect pass "" trigger-mlock "$m61" 5 "$r61m"
for m in "$ex/vm-trigger-6.12-trigger-mlock.csv" "$ex/vm-trigger-rt-trigger-mlock.csv"; do
	expect pass "" trigger-mlock "$m" 5 \
		"$(first_kernel "$m")"
done
# 6.12's rows judged as 6.1's: drop-caches drains mlock's batch there.
expect fail "drop-caches: trigger_work_items lru_add_drain_per_cpu on CPU 1, want none" \
	trigger-mlock "$m612" 5 "$r61m"
# 6.1's rows judged as 6.12's: drop-caches does not drain there.
expect fail "drop-caches: trigger_work_items lru_add_drain_per_cpu on CPU 1 at least 1 in each of 5 triggers" \
	trigger-mlock "$m61" 5 "$r612m"
edit "$m612" "$tmp/mlock-unmoved.csv" "set trigger=drop-caches,metric=trigger_batch_moved,cpus=1:min=0"
expect fail "drop-caches: trigger_batch_moved kernel on CPU 1 at least 1 in each of 5 triggers: min 0" \
	trigger-mlock "$tmp/mlock-unmoved.csv" 5 "$r612m"
edit "$m612" "$tmp/mlock-unheld.csv" "drop trigger=fadvise,metric=trigger_batch_held"
expect fail "fadvise: trigger_batch_held kernel on CPU 1 at least 1 in each of 5 triggers: no row" \
	trigger-mlock "$tmp/mlock-unheld.csv" 5 "$r612m"
edit "$m61" "$tmp/mlock-no-mp.csv" "drop trigger=move-pages"
expect fail "move-pages: trigger_work_items lru_add_drain_per_cpu on CPU 1 at least 1 in each of 5 triggers: no row" \
	trigger-mlock "$tmp/mlock-no-mp.csv" 5 "$r61m"
edit "$m61" "$tmp/mlock-compact-empty.csv" "set trigger=compact,metric=trigger_work_items,variant=lru_add_drain_per_cpu:min=0"
expect fail "compact: trigger_work_items lru_add_drain_per_cpu on CPU 1 at least 1 in each of 5 triggers: min 0" \
	trigger-mlock "$tmp/mlock-compact-empty.csv" 5 "$r61m"

# --- vm-pwlocks: the done-when check and its proofs, on real rows of 3-CPU
# guests (CPU 1 isolated, CPU 2 housekeeping; 10 triggers of each kind),
# plain fill (pwlocks) and mlocked (pwlocks-mlock), RT and generic 7.2:
# stock and pwlocks=0 every drain on both CPUs, pwlocks=1 none on either,
# pwlocks=isolated none on CPU 1 and every drain on CPU 2.
# pw CHECK NAME E1 E2: the rows of guest vm-pwlocks-NAME pass CHECK E1 E2.
pw() {
	local f=$ex/vm-pwlocks-$2-trigger.csv
	[[ $1 == pwlocks-mlock ]] && f=$ex/vm-pwlocks-$2-trigger-mlock.csv
	expect pass "" "$1" "$f" 10 "$3" "$4"
}
for k in 7.2-rt 7.2; do
	for check in pwlocks pwlocks-mlock; do
		pw $check $k-on none none
		pw $check $k-on-boot2 none none
		pw $check $k-stock every every
		pw $check $k-stock-boot2 every every
		pw $check $k-off every every
		pw $check $k-isolated none every
	done
done
on=$ex/vm-pwlocks-7.2-rt-on-trigger.csv stock=$ex/vm-pwlocks-7.2-rt-stock-trigger.csv
iso=$ex/vm-pwlocks-7.2-rt-isolated-trigger.csv
onm=$ex/vm-pwlocks-7.2-rt-on-trigger-mlock.csv stockm=$ex/vm-pwlocks-7.2-rt-stock-trigger-mlock.csv
# A stock kernel's rows with the expectation "none" fail, on each converted
# drain, with or without the mlocked fill, RT and generic.
for t in fadvise drop-caches compact move-pages; do
	expect fail "$t: trigger_work_items lru_add_drain_per_cpu on CPU 1, want none in 10 triggers: max 1" \
		pwlocks "$stock" 10 none none
	expect fail "$t: trigger_work_items lru_add_drain_per_cpu on CPU 1, want none in 10 triggers: max 1" \
		pwlocks-mlock "$stockm" 10 none every
done
expect fail "slab-shrink: trigger_work_items flush_cpu_sheaves on CPU 1, want none in 10 triggers: max 1" \
	pwlocks "$stock" 10 none every
expect fail "drop-caches: trigger_work_items lru_add_drain_per_cpu on CPU 1, want none in 10 triggers: max 1" \
	pwlocks "$ex/vm-pwlocks-7.2-stock-trigger.csv" 10 none none
expect fail "drop-caches: trigger_work_items lru_add_drain_per_cpu on CPU 1, want none in 10 triggers: max 1" \
	pwlocks-mlock "$ex/vm-pwlocks-7.2-stock-trigger-mlock.csv" 10 none none
# pwlocks=isolated judged as pwlocks=1: CPU 2 got the queued drain.
expect fail "drop-caches: trigger_work_items lru_add_drain_per_cpu on CPU 2, want none in 10 triggers: max 1" \
	pwlocks "$iso" 10 none none
# pwlocks=1 judged as stock: no drain item, no row.
expect fail "fadvise: trigger_work_items lru_add_drain_per_cpu on CPU 1 at least 1 in each of 10 triggers: no row" \
	pwlocks "$on" 10 every every
# "none" on a CPU needs CPU 0 to have moved that CPU's pages itself, in
# every trigger: a kernel that skipped the CPU would leave them there.
edit "$on" "$tmp/pw-cpu0-zero.csv" "set trigger=drop-caches,metric=trigger_lru_moved,variant=cpu0,cpus=1:min=0"
expect fail "drop-caches: trigger_lru_moved cpu0 on CPU 1 at least 1 in each of 10 triggers: min 0" \
	pwlocks "$tmp/pw-cpu0-zero.csv" 10 none none
edit "$on" "$tmp/pw-cpu0-none.csv" "drop trigger=compact,metric=trigger_lru_moved,variant=cpu0,cpus=2"
expect fail "compact: trigger_lru_moved cpu0 on CPU 2 at least 1 in each of 10 triggers: no row" \
	pwlocks "$tmp/pw-cpu0-none.csv" 10 none none
# ... and "every" the CPU's own kworker.
edit "$stock" "$tmp/pw-cpu1-zero.csv" "set trigger=fadvise,metric=trigger_lru_moved,variant=cpu1,cpus=1:min=0"
expect fail "fadvise: trigger_lru_moved cpu1 on CPU 1 at least 1 in each of 10 triggers: min 0" \
	pwlocks "$tmp/pw-cpu1-zero.csv" 10 every every
edit "$on" "$tmp/pw-held-zero.csv" "set trigger=move-pages,metric=trigger_batch_held,cpus=1:min=0"
expect fail "move-pages: trigger_batch_held kernel on CPU 1 at least 1 in each of 10 triggers: min 0" \
	pwlocks "$tmp/pw-held-zero.csv" 10 none none
# move-pages on CPU 2 (not isolated) is judged in most triggers: one
# without passes, most without fail.
edit "$iso" "$tmp/pw-mp-most.csv" "set trigger=move-pages,metric=trigger_work_items,variant=lru_add_drain_per_cpu,cpus=2:min=0,p50=0"
expect fail "move-pages: trigger_work_items lru_add_drain_per_cpu on CPU 2 at least 1 in most of 10 triggers: p50 0" \
	pwlocks "$tmp/pw-mp-most.csv" 10 none every
edit "$iso" "$tmp/pw-mp-one.csv" "set trigger=move-pages,metric=trigger_work_items,variant=lru_add_drain_per_cpu,cpus=2:min=0"
expect pass "" pwlocks "$tmp/pw-mp-one.csv" 10 none every
# ... but on isolated CPU 1 in every trigger.
edit "$stock" "$tmp/pw-mp-cpu1.csv" "set trigger=move-pages,metric=trigger_work_items,variant=lru_add_drain_per_cpu,cpus=1:min=0"
expect fail "move-pages: trigger_work_items lru_add_drain_per_cpu on CPU 1 at least 1 in each of 10 triggers: min 0" \
	pwlocks "$tmp/pw-mp-cpu1.csv" 10 every every
# A trigger missing from the rows, or counted over fewer triggers.
edit "$on" "$tmp/pw-no-compact.csv" "drop trigger=compact"
expect fail "compact: trigger_work_items lru_add_drain_per_cpu on CPU 1, want none in 10 triggers: the count itself (trigger_work_items all): no row" \
	pwlocks "$tmp/pw-no-compact.csv" 10 none none
edit "$on" "$tmp/pw-short.csv" "set trigger=drop-caches,metric=trigger_work_items,variant=all,cpus=1:samples=9"
expect fail "the count itself (trigger_work_items all): a row of 9 triggers, want 10" pwlocks "$tmp/pw-short.csv" 10 none none
# No positive control: the trigger never reached the converted drain.
edit "$on" "$tmp/pw-no-call.csv" "drop trigger=fadvise,metric=trigger_calls,variant=lru_add_drain_all"
expect fail "the positive control fadvise: trigger_calls lru_add_drain_all on CPU 0 (want at least 1 per trigger): no row" \
	pwlocks "$tmp/pw-no-call.csv" 10 none none
edit "$on" "$tmp/pw-call-zero.csv" "set trigger=move-pages,metric=trigger_calls,variant=lru_cache_disable:min=0"
expect fail "the positive control move-pages: trigger_calls lru_cache_disable on CPU 0 (want at least 1 per trigger): min 0" \
	pwlocks "$tmp/pw-call-zero.csv" 10 none none
# The caller drained the sheaves of both CPUs itself (two calls per trigger).
edit "$on" "$tmp/pw-sheaves-one.csv" "set trigger=slab-shrink,metric=trigger_calls,variant=flush_cpu_sheaves:min=1"
expect fail "slab-shrink: trigger_calls flush_cpu_sheaves on CPU 0 at least 2 in each of 10 triggers: min 1" \
	pwlocks "$tmp/pw-sheaves-one.csv" 10 none none
edit "$iso" "$tmp/pw-sheaves-none.csv" "drop trigger=slab-shrink,metric=trigger_calls,variant=flush_cpu_sheaves"
expect fail "slab-shrink: trigger_calls flush_cpu_sheaves on CPU 0 at least 1 in each of 10 triggers: no row" \
	pwlocks "$tmp/pw-sheaves-none.csv" 10 none every
# memcg: none on isolated CPU 1 needs its drains on CPU 2 (a 2-CPU guest fails).
edit "$stock" "$tmp/pw-no-cpu2.csv" "drop cpus=2"
expect fail "the positive control memcg-reclaim: trigger_work_items drain_local_obj_stock on CPU 2" \
	pwlocks "$tmp/pw-no-cpu2.csv" 10 every every
# stat-refresh (not converted) must reach both CPUs under any expectation.
edit "$on" "$tmp/pw-no-vmstat.csv" "drop trigger=stat-refresh,metric=trigger_work_items,variant=refresh_vm_stats,cpus=2"
expect fail "stat-refresh: trigger_work_items refresh_vm_stats on CPU 2 at least 1 in each of 10 triggers: no row" \
	pwlocks "$tmp/pw-no-vmstat.csv" 10 none none
# mlocked: the caller drained both CPUs' mlock batches itself, and each
# batch's pages reached the LRU.
edit "$onm" "$tmp/pwm-remote-one.csv" "set trigger=drop-caches,metric=trigger_calls,variant=mlock_drain_remote:min=1"
expect fail "drop-caches: trigger_calls mlock_drain_remote on CPU 0 at least 2 in each of 10 triggers: min 1" \
	pwlocks-mlock "$tmp/pwm-remote-one.csv" 10 none none
edit "$onm" "$tmp/pwm-unmoved.csv" "set trigger=fadvise,metric=trigger_batch_moved,cpus=2:min=0"
expect fail "fadvise: trigger_batch_moved kernel on CPU 2 at least 1 in each of 10 triggers: min 0" \
	pwlocks-mlock "$tmp/pwm-unmoved.csv" 10 none none
edit "$stockm" "$tmp/pwm-unheld.csv" "drop trigger=compact,metric=trigger_batch_held,cpus=1"
expect fail "compact: trigger_batch_held kernel on CPU 1 at least 1 in each of 10 triggers: no row" \
	pwlocks-mlock "$tmp/pwm-unheld.csv" 10 every every
expect usage "" pwlocks "$on" 10 none
expect usage "" pwlocks "$on" 10 none some
expect usage "" pwlocks-mlock "$onm" 10 some none

# --- vm-pwlocks' rtla witness: its own rows (no calls: --no-ftrace), the
# drain reached proven by the first run's rows of the same boot.
won=$ex/vm-pwlocks-7.2-rt-on-witness.csv wstock=$ex/vm-pwlocks-7.2-rt-stock-witness.csv
expect pass "" pwlocks-witness "$won" "$on" 10 none
expect pass "" pwlocks-witness "$wstock" "$stock" 10 every
expect fail "drop-caches: trigger_work_items lru_add_drain_per_cpu on CPU 1, want none in 10 triggers: max 1" \
	pwlocks-witness "$wstock" "$stock" 10 none
expect fail "the positive control drop-caches: trigger_calls lru_add_drain_all" \
	pwlocks-witness "$won" "$won" 10 none
edit "$won" "$tmp/witness-no-all.csv" "drop metric=trigger_work_items,variant=all"
expect fail "the count itself (trigger_work_items all): no row" pwlocks-witness "$tmp/witness-no-all.csv" "$on" 10 none
expect fail "no CSV" pwlocks-witness "$tmp/absent.csv" "$on" 10 none

# --- qpwbench-kpath: the rows of a real run here, then the published rows.
"$kpath" --samples 5 --ops 16 --csv "$tmp/kpath.csv" >/dev/null || fail "qpwbench-kpath failed"
expect pass "" kpath "$tmp/kpath.csv"
k=$ex/vm-kpath-7.2-rt-on-kpath.csv
expect pass "" kpath "$k"
# An unknown resolution (0, as rows published before it was written).
edit "$k" "$tmp/kpath-nores.csv" "set scenario=kpath:resolution_ns=0"
expect fail "fault: resolution_ns 0, want > 0" kpath "$tmp/kpath-nores.csv"
edit "$k" "$tmp/kpath-ok.csv" "set scenario=kpath:resolution_ns=1"
expect pass "" kpath "$tmp/kpath-ok.csv"
edit "$tmp/kpath-ok.csv" "$tmp/kpath-nan.csv" "set variant=getcwd:p50=nan"
expect fail "p50 nan" kpath "$tmp/kpath-nan.csv"
edit "$tmp/kpath-ok.csv" "$tmp/kpath-neg.csv" "set variant=fault:min=-2,p50=-1"
expect fail "fault: p50 -1, want > 0" kpath "$tmp/kpath-neg.csv"
edit "$tmp/kpath-ok.csv" "$tmp/kpath-zero.csv" "set variant=getppid:min=0,p50=0"
expect fail "getppid: p50 0, want > 0" kpath "$tmp/kpath-zero.csv"
edit "$tmp/kpath-ok.csv" "$tmp/kpath-order.csv" "set variant=fault:min=9000"
expect fail "want min <= p50 <= max" kpath "$tmp/kpath-order.csv"
edit "$tmp/kpath-ok.csv" "$tmp/kpath-empty.csv" "set variant=fault:samples=0"
expect fail "fault: samples 0" kpath "$tmp/kpath-empty.csv"
edit "$tmp/kpath-ok.csv" "$tmp/kpath-missing.csv" "drop variant=getcwd"
expect fail "variant=getcwd: 0 rows" kpath "$tmp/kpath-missing.csv"

# --- vm-suite's sweep: every variant's rows with content.
sweep=$ex/vm-generic-sweep.csv
mapfile -t variants < <(/usr/bin/python3 -c 'import csv, sys
print("\n".join(dict.fromkeys(r["variant"] for r in csv.DictReader(l for l in open(sys.argv[1]) if not l.startswith("#"))
      if r["scenario"] == "local" and r["metric"] == "op_cost")))' "$sweep")
((${#variants[@]} >= 2)) || fail "no variants in $sweep"
for f in vm-generic vm-rt vm-6.12 vm-6.12-rt vm-arm64 vm-arm64-rt; do
	expect pass "" sweep "$ex/$f-sweep.csv" "${variants[@]}"
done
# An empty row: drain-all qpw-off with owners, 0 samples and 0 stalled (a
# run the run cap cut, with no bound on the owner then; arm64-rt, 2 Dec).
none="samples=0,min=n/a,p50=n/a,p90=n/a,p99=n/a,p999=n/a,max=n/a,mean=n/a,stddev=n/a"
edit "$ex/vm-arm64-rt-sweep.csv" "$tmp/sweep-empty.csv" \
	"set scenario=drain-all,metric=drain_all_latency,variant=qpw-off,target_load=owner:$none" \
	"set scenario=drain-all,metric=stalled,variant=qpw-off,target_load=owner:min=0,p50=0,max=0,mean=0"
expect fail "metric=drain_all_latency variant=qpw-off: 1 of 2 rows without content" \
	sweep "$tmp/sweep-empty.csv" "${variants[@]}"
# The same row with its run's stalled row counting drains: every drain hit
# the wait bound, a result.
edit "$tmp/sweep-empty.csv" "$tmp/sweep-stalled.csv" \
	"set scenario=drain-all,metric=stalled,variant=qpw-off,target_load=owner:min=7,p50=7,max=7"
expect pass "" sweep "$tmp/sweep-stalled.csv" "${variants[@]}"
edit "$sweep" "$tmp/sweep-nan.csv" "set metric=drain_latency,variant=qpw,target_load=filled-idle:p50=nan"
expect fail "metric=drain_latency variant=qpw: 1 of 2 rows without content" sweep "$tmp/sweep-nan.csv" "${variants[@]}"
edit "$sweep" "$tmp/sweep-inf.csv" "set metric=op_cost,variant=wq:mean=inf"
expect fail "mean inf, want finite numbers" sweep "$tmp/sweep-inf.csv" "${variants[@]}"
edit "$sweep" "$tmp/sweep-missing.csv" "drop metric=drain_all_latency,variant=qpw-on"
expect fail "metric=drain_all_latency variant=qpw-on: 0 rows" sweep "$tmp/sweep-missing.csv" "${variants[@]}"
edit "$sweep" "$tmp/sweep-no-null.csv" "drop variant=null-op"
expect fail "metric=timer_overhead variant=null-op: 0 rows" sweep "$tmp/sweep-no-null.csv" "${variants[@]}"

# --- vm-topology: local ops on every CPU, the c2c matrix.
for f in vm-generic-2s2c2t-numa vm-arm64-2s2cl2c1t-numa; do
	expect pass "" local "$ex/$f-topo-local.csv" 8 "${variants[@]}"
	expect pass "" c2c "$ex/$f-topo-c2c.csv" 8
done
loc=$ex/vm-generic-2s2c2t-numa-topo-local.csv c2c=$ex/vm-generic-2s2c2t-numa-topo-c2c.csv
edit "$loc" "$tmp/local-missing.csv" "drop variant=wq,cpus=5"
expect fail "variant=wq: 7 rows (7 distinct cpus), want 8" local "$tmp/local-missing.csv" 8 "${variants[@]}"
edit "$loc" "$tmp/local-twice.csv" "set variant=qpw,cpus=7:cpus=6"
expect fail "variant=qpw: 8 rows (7 distinct cpus), want 8" local "$tmp/local-twice.csv" 8 "${variants[@]}"
edit "$loc" "$tmp/local-zero.csv" "set variant=global,cpus=3:min=0,p50=0,subtracted_ns=0"
expect fail "cpus 3 global: p50 0, want > 0" local "$tmp/local-zero.csv" 8 "${variants[@]}"
# Net of the timer overhead an op below its noise reads < 0: judged gross
# (here -0.5 + 1.094 ns), it has content.
edit "$loc" "$tmp/local-net.csv" "set variant=qpw,cpus=3:min=-1,p50=-0.5"
expect pass "" local "$tmp/local-net.csv" 8 "${variants[@]}"
edit "$loc" "$tmp/local-gross.csv" "set variant=qpw,cpus=3:min=-90,p50=-80,subtracted_ns=70"
expect fail "cpus 3 qpw: p50 -80 + subtracted 70, want > 0" local "$tmp/local-gross.csv" 8 "${variants[@]}"
edit "$loc" "$tmp/local-nores.csv" "set variant=null-op,cpus=0:resolution_ns=n/a"
expect fail "cpus 0 null-op: resolution_ns n/a, want > 0" local "$tmp/local-nores.csv" 8 "${variants[@]}"
expect fail "variant=wq: 8 rows (8 distinct cpus), want 9" local "$loc" 9 "${variants[@]}"
edit "$c2c" "$tmp/c2c-missing.csv" "drop cpus=3,7"
expect fail "metric=one_way_latency: 27 rows (27 distinct cpus), want 28" c2c "$tmp/c2c-missing.csv" 8
edit "$c2c" "$tmp/c2c-neg.csv" "set cpus=2,5:min=-3,p50=-1"
expect fail "cpus 2,5 ping-pong: p50 -1, want > 0" c2c "$tmp/c2c-neg.csv" 8
edit "$c2c" "$tmp/c2c-order.csv" "set cpus=0,1:max=1"
expect fail "max 1, want min <= p50 <= max" c2c "$tmp/c2c-order.csv" 8
edit "$c2c" "$tmp/c2c-nan.csv" "set cpus=4,6:p50=nan"
expect fail "cpus 4,6 ping-pong: min" c2c "$tmp/c2c-nan.csv" 8

# --- check_topology_report.py: a guest's files; missing rows fail.
# report CASE pass|fail FRAGMENT FILE...: the guest's topology files less FILEs.
report() {
	local name=$1 want=$2 fragment=$3 dir=$tmp/report-$1 out rc f
	shift 3
	cases=$((cases + 1))
	mkdir -p "$dir"
	for f in c2c local remote drain-ramp drain-spread; do
		cp "$ex/vm-generic-2s2c2t-numa-topo-$f.csv" "$dir/topo-$f.csv"
	done
	# ubench topo --pairs --csv, as the c2c rows' pairs and classes give it.
	/usr/bin/python3 -c 'import csv, sys
print("cpu_a,cpu_b,distance")
for r in csv.DictReader(l for l in open(sys.argv[1]) if not l.startswith("#")):
    print(r["cpus"] + "," + r["distance"])' "$dir/topo-c2c.csv" >"$dir/topo-pairs.csv"
	for f in "$@"; do
		rm "$dir/$f"
	done
	out=$(/usr/bin/python3 "$report_check" "$dir" 2>&1)
	rc=$?
	if [[ $want == pass && $rc != 0 ]]; then
		fail "check_topology_report.py ($name): exit $rc, want 0: $out"
	elif [[ $want == fail && $rc != 1 ]]; then
		fail "check_topology_report.py ($name): exit $rc, want 1: $out"
	elif [[ $want == fail ]] && ! grep -qF -- "FAIL: $fragment" <<<"$out"; then
		fail "check_topology_report.py ($name): failed, but not on '$fragment': $out"
	else
		echo "ok: $want${fragment:+ ($fragment)}: check_topology_report.py ($name)"
	fi
}
report all pass ""
report no-remote fail "remote drains by class [], want ['smt', 'l3', 'system']" topo-remote.csv
report no-drain-all fail "drain-all orders [], want" topo-drain-ramp.csv topo-drain-spread.csv
report no-spread fail "drain-all orders [None], want" topo-drain-spread.csv
report no-module-rows fail "one system with module rows, found 0" topo-local.csv topo-remote.csv \
	topo-drain-ramp.csv topo-drain-spread.csv

echo "$cases cases, $failures failed"
((failures == 0))
