#!/bin/sh
# coherence-check on rows that must pass (a vm-coherence-7.2-rt run's,
# 6 Dec 2026, function rows left out) and on edited copies that must fail:
# each figure it judges, one at a time, just past its bound.
set -u
check=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/good.csv" <<'CSV'
window,label,closed,scope,key,metric,value
1,1,1,total,all,accesses,5435054
1,1,1,total,all,lines_transferred,80118
1,1,1,total,all,shared_fills,0
1,1,1,total,all,memory_fills,0
1,1,1,total,all,invalidations,80116
1,1,1,space,user,accesses,40012
1,1,1,space,user,lines_transferred,2000
1,1,1,space,user,invalidations,2000
1,1,1,space,kernel,accesses,5395042
1,1,1,space,kernel,lines_transferred,78118
1,1,1,space,kernel,invalidations,78116
1,1,1,pair,0>1,lines_transferred,40073
1,1,1,pair,0>1,invalidations,40069
1,1,1,pair,1>0,lines_transferred,40045
1,1,1,pair,1>0,invalidations,40047
1,1,1,function,[user],lines_transferred,1999
1,1,1,function,futex_wait_setup,lines_transferred,1
2,2,1,total,all,accesses,31356
2,2,1,total,all,lines_transferred,93
2,2,1,total,all,shared_fills,0
2,2,1,total,all,memory_fills,0
2,2,1,total,all,invalidations,91
2,2,1,space,user,accesses,25712
2,2,1,space,kernel,accesses,5644
2,2,1,space,kernel,lines_transferred,93
2,2,1,space,kernel,invalidations,91
2,2,1,pair,0>1,lines_transferred,46
2,2,1,pair,0>1,invalidations,46
2,2,1,pair,1>0,lines_transferred,47
2,2,1,pair,1>0,invalidations,45
CSV
pass=0 fail=0
# expect 0|1 NAME CSV "ROUNDS [FILL-RUNS]" (split here, unquoted)
expect() {
	# shellcheck disable=SC2086
	"$check" "$3" $4 >"$tmp/out" 2>&1
	got=$?
	if [ "$got" -eq "$1" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $2: exit $got, want $1"
		cat "$tmp/out"
	fi
}
edit() { # edit NAME SED-SCRIPT: a copy of good.csv edited
	sed "$2" "$tmp/good.csv" >"$tmp/$1.csv"
}
expect 0 "the run's rows" "$tmp/good.csv" 1000
# 2000 is within 1% of 2 * 991 and 2 * 1010, not of 2 * 989 or 2 * 1011.
expect 0 "1% below" "$tmp/good.csv" 1010
expect 0 "1% above" "$tmp/good.csv" 991
expect 1 "ping-pong moved too few" "$tmp/good.csv" 1011
expect 1 "ping-pong moved too many" "$tmp/good.csv" 989
edit user-kernel 's/^1,1,1,space,user,lines_transferred,2000$/1,1,1,space,kernel,lines_transferred,2000/'
expect 1 "the ping-pong's lines counted as kernel data" "$tmp/user-kernel.csv" 1000
edit pair-one-way '/^1,1,1,pair,1>0,lines_transferred/s/,40045$/,999/'
expect 1 "fewer than ROUNDS lines one way" "$tmp/pair-one-way.csv" 1000
edit own-moved '$a\
2,2,1,space,user,lines_transferred,1'
expect 1 "one own line moved" "$tmp/own-moved.csv" 1000
edit own-idle '/^2,2,1,space,user,accesses/d'
expect 1 "own window counted no user access" "$tmp/own-idle.csv" 1000
edit own-open 's/^2,2,1,/2,2,0,/'
expect 1 "own window left open" "$tmp/own-open.csv" 1000
edit pingpong-missing '/^1,1,1,/d'
expect 1 "no ping-pong window" "$tmp/pingpong-missing.csv" 1000
edit pingpong-twice '$a\
3,1,1,total,all,accesses,1'
expect 1 "two ping-pong windows" "$tmp/pingpong-twice.csv" 1000
expect 1 "no file" "$tmp/none.csv" 1000
# Drains: the module's fill 1 twice, then the user model's fill 8 once.
printf '1 2 kmod\n8 1 user\n' >"$tmp/runs"
cat "$tmp/good.csv" - >"$tmp/fill.csv" <<'CSV'
3,256,1,total,all,lines_transferred,3
3,256,1,pair,1>0,lines_transferred,3
3,256,1,pair,0>1,invalidations,2
4,256,1,total,all,lines_transferred,4
4,256,1,pair,1>0,lines_transferred,4
5,256,1,total,all,lines_transferred,9
5,256,1,pair,1>0,lines_transferred,9
CSV
expect_fill() { # expect_fill 0|1 NAME SED-SCRIPT
	sed "$3" "$tmp/fill.csv" >"$tmp/fill-edited.csv"
	expect "$1" "$2" "$tmp/fill-edited.csv" "1000 $tmp/runs"
}
expect_fill 0 "drains within K + 2 +-1" ''
# Its summary names each backend's fill with the drains it had.
"$check" "$tmp/fill.csv" 1000 "$tmp/runs" >"$tmp/out" 2>&1
for line in 'ok: kmod fill 1: 2 drains moved 3-4 lines' 'ok: user fill 8: 1 drains moved 9-9 lines'; do
	if grep -q "^$line" "$tmp/out"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: no summary line '$line'"
		cat "$tmp/out"
	fi
done
expect_fill 1 "a drain moving K + 3 + 1" 's/^4,256,1,pair,1>0,lines_transferred,4$/4,256,1,pair,1>0,lines_transferred,5/'
expect_fill 1 "a drain moving K" 's/^5,256,1,pair,1>0,lines_transferred,9$/5,256,1,pair,1>0,lines_transferred,8/'
expect_fill 1 "lines moved the other way" 's/^3,256,1,pair,1>0,/3,256,1,pair,0>1,/'
expect_fill 1 "a drain window missing" '/^5,256,/d'
expect_fill 1 "a drain window more" '$a\
6,256,1,pair,1>0,lines_transferred,3'
expect_fill 1 "a drain window left open" 's/^4,256,1,/4,256,0,/'
expect 1 "no runs file" "$tmp/fill.csv" "1000 $tmp/none"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
