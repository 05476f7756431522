#!/bin/sh
# scripts/coherence-trigger-rows on a made-up run: drop-caches twice from
# CPU 0 at CPUs 1 and 2 (a drain window, label 256, in between is not a
# trigger's), its rows' figures per drained CPU, both checks passing and
# failing, and the inputs it must refuse (window and trigger counts that
# disagree, a window left open).
set -u
rows=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
cat >"$tmp/coherence.csv" <<'CSV'
window,label,closed,scope,key,metric,value
1,257,1,total,all,lines_transferred,14
1,257,1,pair,0>1,lines_transferred,4
1,257,1,pair,0>2,lines_transferred,2
1,257,1,pair,1>0,lines_transferred,6
1,257,1,pair,2>1,lines_transferred,2
1,257,1,object_pair,lru_add_drain_work@1:0>1,lines_transferred,1
1,257,1,object_pair,cpu_worker_pools@2:0>2,lines_transferred,2
1,257,1,object_pair,cpu_fbatches@1:1>0,lines_transferred,6
2,256,1,pair,0>1,lines_transferred,99
3,257,1,total,all,lines_transferred,2
3,257,1,pair,1>0,lines_transferred,2
3,257,1,object_pair,cpu_fbatches@1:1>0,lines_transferred,2
CSV
# As ubench writes it: its context header first.
cat >"$tmp/trigger.csv" <<'CSV'
# argv: ubench trigger --caller 0 --targets 1,2
# revision: test
scenario,backend,variant,cpus,metric,unit,samples,min,p50,p90,p99,p999,max,mean,stddev,pctl_method,ticks,resolution_ns,timer_overhead_ns,subtracted_ns,emulated,trigger
trigger,kernel,kernel,1,trigger_work_items,count,2,1,1,1,n/a,n/a,1,1,0,exact,n/a,n/a,n/a,n/a,tcg-icount,drop-caches
trigger,kernel,kernel,"0,1,2",trigger_latency,insns,2,100,100,200,n/a,n/a,200,150,50,exact,n/a,n/a,n/a,0,tcg-icount,drop-caches
trigger,kernel,kernel,"0,1,2",trigger_caller_cpu,insns,2,90,90,95,n/a,n/a,95,92.5,2.5,exact,n/a,n/a,n/a,0,tcg-icount,drop-caches
CSV
"$rows" "$tmp/coherence.csv" "$tmp/trigger.csv" -o "$tmp/out.csv" && ok || bad "rows failed"
# A row's min,p50,max,mean by variant and metric.
fig() {
	python3 -c 'import csv, sys
for r in csv.DictReader(open(sys.argv[1])):
    if r["scenario"] == "coherence" and r["variant"] == sys.argv[2] and r["metric"] == sys.argv[3]:
        print(",".join(r[k] for k in ("min", "p50", "max", "mean")))' "$tmp/out.csv" "$1" "$2"
}
want() {
	got=$(fig "$1" "$2")
	[ "$got" = "$3" ] && ok || bad "$1 $2: got '$got', want '$3'"
}
# Window 1: 6 lines to the 2 targets (3 per drained CPU), 6 back (3), 2
# between them (1); window 3: 2 back (1).
want all lines_to_target 0,0,3,1.500
want all lines_from_target 1,1,3,2
want all lines_between_targets 0,0,1,0.5
want 'lru_add_drain_work@target' lines_to_target 0,0,0.5,0.25
want 'cpu_fbatches@target' lines_from_target 1,1,3,2
want all trigger_insns 100,100,200,150
want all caller_insns 90,90,95,92.5
[ "$(grep -c ',lines_to_target,' "$tmp/out.csv")" -eq 3 ] && ok ||
	bad "lines_to_target rows: all and two objects"
# The checks: window 1 queued and inline, window 3 only inline.
"$rows" "$tmp/coherence.csv" "$tmp/trigger.csv" --check inline >/dev/null && bad "inline passed window 1's lru_add_drain_work" || ok
"$rows" "$tmp/coherence.csv" "$tmp/trigger.csv" --check queued >/dev/null && bad "queued passed window 3" || ok
sed -i '/lru_add_drain_work/d' "$tmp/coherence.csv"
"$rows" "$tmp/coherence.csv" "$tmp/trigger.csv" --check inline >/dev/null && ok || bad "inline failed two windows of target lines"
printf '4,257,1,pair,1>0,lines_transferred,2\n' >>"$tmp/coherence.csv"
"$rows" "$tmp/coherence.csv" "$tmp/trigger.csv" >/dev/null 2>&1 && bad "3 windows for 2 triggers accepted" || ok
sed -i 's/^4,257,1,/4,257,0,/' "$tmp/coherence.csv"
"$rows" "$tmp/coherence.csv" "$tmp/trigger.csv" 2>&1 | grep -q "never closed" && ok || bad "an open window accepted"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
