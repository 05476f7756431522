#!/bin/sh
# scripts/coherence-symbols on a made-up plugin file: module code by address
# named from module symbols (a data symbol is no function), rows of one
# window and name summed, an address below every symbol left [module],
# other rows as they were; a file without module text symbols refused.
set -u
syms=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
printf 'ffffffffc0001000 t qpw_drain_one\t[qpwbench]\nffffffffc0001100 T qpw_fill\t[qpwbench]\nffffffffc0001110 d some_data\t[qpwbench]\n' >"$tmp/ks"
cat >"$tmp/c.csv" <<'CSV'
window,label,closed,scope,key,metric,value
1,256,1,total,all,accesses,10
1,256,1,function,[module]+0xffffffffc0001010,accesses,2
1,256,1,function,[module]+0xffffffffc0001020,accesses,3
1,256,1,function,[module]+0xffffffffc0001120,accesses,4
1,256,1,function,[module]+0xffffffffc0000010,accesses,1
2,256,1,function,[module]+0xffffffffc0001010,accesses,5
CSV
cat >"$tmp/want" <<'CSV'
window,label,closed,scope,key,metric,value
1,256,1,total,all,accesses,10
1,256,1,function,qpw_drain_one [qpwbench],accesses,5
1,256,1,function,qpw_fill [qpwbench],accesses,4
1,256,1,function,[module],accesses,1
2,256,1,function,qpw_drain_one [qpwbench],accesses,5
CSV
"$syms" "$tmp/c.csv" "$tmp/ks" -o "$tmp/c.csv" && ok || bad "it failed"
cmp -s "$tmp/c.csv" "$tmp/want" && ok || { bad "rows differ:"; diff "$tmp/want" "$tmp/c.csv"; }
printf 'ffffffff81000000 T _stext\n0000000000000000 t hidden\t[qpwbench]\n' >"$tmp/none"
"$syms" "$tmp/c.csv" "$tmp/none" >/dev/null 2>&1 && bad "no module symbols (or only hidden addresses) accepted" || ok
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
