#!/bin/sh
# scripts/coherence-rows on a made-up run: two runs (fill 1 twice, then
# fill 8 once, the second with caller CPU 1), their rows' figures, and the
# inputs it must refuse (window and row counts that disagree, a window left
# open).
set -u
rows=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
cat >"$tmp/coherence.csv" <<'CSV'
window,label,closed,scope,key,metric,value
1,1,1,total,all,lines_transferred,2000
2,256,1,total,all,invalidations,3
2,256,1,pair,1>0,lines_transferred,3
3,256,1,total,all,invalidations,5
3,256,1,pair,1>0,lines_transferred,4
3,256,1,pair,0>1,lines_transferred,1
4,256,1,total,all,invalidations,2
4,256,1,pair,0>1,lines_transferred,9
CSV
printf '1 2 kmod\n8 1 user\n' >"$tmp/runs"
cat >"$tmp/remote.csv" <<'CSV'
scenario,backend,variant,cpus,metric,unit,samples,min,p50,p90,p99,p999,max,mean,stddev,pctl_method,ticks,resolution_ns,timer_overhead_ns,subtracted_ns,emulated
remote,kmod,qpw-on,"0,1",drain_latency,ns,2,300,300,310,n/a,n/a,310,305,5,exact,1,2,3,4,tcg-icount
remote,kmod,qpw-on,"0,1",drained_entries,count,2,1,1,1,n/a,n/a,1,1,0,exact,n/a,n/a,n/a,n/a,tcg-icount
remote,user,qpw-on,"1,0",drain_latency,ns,1,900,900,900,n/a,n/a,900,900,0,exact,1,2,3,4,tcg-icount
CSV
"$rows" "$tmp/coherence.csv" "$tmp/runs" "$tmp/remote.csv" >"$tmp/out.csv" 2>"$tmp/err" || bad "a good run: $(cat "$tmp/err")"
# backend,metric,unit,samples,min,p50,max,mean,stddev,ticks,emulated (below
# 1 in %.6g, as ubench writes it)
got=$(awk -F, 'NR > 1 { print $2 "," $6 "," $7 "," $8 "," $9 "," $10 "," $14 "," $15 "," $16 "," $18 "," $22 }' "$tmp/out.csv")
want='kmod,lines_transferred,count,2,3,3,4,3.500,0.5,n/a,tcg-icount
kmod,lines_transferred_to_target,count,2,0,0,1,0.5,0.5,n/a,tcg-icount
kmod,invalidations,count,2,3,3,5,4,1,n/a,tcg-icount
user,lines_transferred,count,1,9,9,9,9,0,n/a,tcg-icount
user,lines_transferred_to_target,count,1,0,0,0,0,0,n/a,tcg-icount
user,invalidations,count,1,2,2,2,2,0,n/a,tcg-icount'
if [ "$got" = "$want" ]; then ok; else bad "rows:"; printf 'got:\n%s\nwant:\n%s\n' "$got" "$want"; fi
refuse() { # refuse NAME COHERENCE RUNS REMOTE
	if "$rows" "$2" "$3" "$4" >/dev/null 2>&1; then bad "$1 accepted"; else ok; fi
}
printf '1 3 kmod\n8 1 user\n' >"$tmp/runs-more"
refuse "more drains than windows" "$tmp/coherence.csv" "$tmp/runs-more" "$tmp/remote.csv"
printf '1 2 kmod\n' >"$tmp/runs-fewer"
refuse "fewer runs than rows" "$tmp/coherence.csv" "$tmp/runs-fewer" "$tmp/remote.csv"
sed 's/^3,256,1,/3,256,0,/' "$tmp/coherence.csv" >"$tmp/open.csv"
refuse "a window left open" "$tmp/open.csv" "$tmp/runs" "$tmp/remote.csv"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
