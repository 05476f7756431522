#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# ubench c2c and info end to end: the rows c2c writes (no timing asserted)
# and the CLI's failure mode: bad input -> exit 2 and one line on stderr.
# usage: test_c2c_cli.sh UBENCH
set -u
ubench=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

bad() {
	"$ubench" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	lines=$(wc -l <"$tmp/err")
	if [ "$rc" -ne 2 ] || [ "$lines" -ne 1 ] || ! grep -q '^ubench [a-z0-9-]*: ' "$tmp/err"; then
		echo "FAIL: ubench $*: exit $rc, $lines stderr lines: $(cat "$tmp/err")"
		fail=1
	fi
}

bad c2c --repeat 0
bad c2c --iterations 99999999999999999999
bad c2c --duration 10
bad c2c --cpus 4096
bad c2c --plan ramp --measure latency
bad c2c --measure everything
bad c2c --round-trips 0
bad c2c --time-limit 0s
bad c2c --time-limit 100000h
bad c2c --bogus
bad c2c extra-argument
bad info --cpus 0
printf 'a,b\n1,2\n' >"$tmp/other.csv"
bad c2c --cpus 0 --measure contended --csv "$tmp/other.csv"

"$ubench" info >"$tmp/info" 2>&1 || { echo "FAIL: ubench info: $(cat "$tmp/info")"; fail=1; }
for key in timer: resolution: cost: invariant: cpus: kernel: preempt: emulated: module:; do
	grep -q "^$key" "$tmp/info" || { echo "FAIL: ubench info has no '$key' line"; fail=1; }
done

if [ "$(nproc)" -lt 2 ]; then
	echo "SKIP: c2c rows need two CPUs, this machine has $(nproc)"
	[ $fail -eq 0 ] && exit 77
	exit 1
fi

# Two runs appending to one file: one header, every row where it belongs.
csv=$tmp/c2c.csv
for i in 1 2; do
	"$ubench" c2c --cpus 0,1 --iterations 20 --warmup 2 --duration 2ms --csv "$csv" >"$tmp/text" 2>"$tmp/err" ||
		{ echo "FAIL: ubench c2c run $i: $(cat "$tmp/err")"; fail=1; }
done
/usr/bin/python3 - "$csv" <<'PY' || fail=1
import csv, sys
rows = list(csv.reader(l for l in open(sys.argv[1]) if not l.startswith("#")))
head, body = rows[0], rows[1:]
want = ("scenario,backend,variant,kernel,preempt,arch,cpus,n_cpus,distance,metric,unit,run,samples,"
        "min,p50,p90,p99,p999,max,mean,stddev,pctl_method,ticks,resolution_ns,timer_overhead_ns,"
        "subtracted_ns,host,cpu_model,timer,tick_mhz,emulated,sched_rt,date,version,target_load,trigger,"
        "fill_mode,fill,drain_empty,owner_rate_hz,owner_hold_ns,wait_bound_ns,batch,lock_mode,"
        "drainer_policy,interrupted").split(",")
ok = True
def check(cond, msg):
    global ok
    if not cond:
        print("FAIL:", msg)
        ok = False
check(head == want, f"header {head}")
check(all(r != head for r in body), "header repeated on append")
rows = [dict(zip(head, r)) for r in body]
check(all(r["target_load"] == "n/a" for r in rows), "c2c rows with a target load")
lat = [r for r in rows if r["metric"] == "one_way_latency"]
check(len(lat) == 2, f"{len(lat)} one_way_latency rows, want 1 per run")
for r in lat:
    check(r["cpus"] == "0,1" and r["n_cpus"] == "2" and r["unit"] == "ns" and r["samples"] == "20",
          f"latency row {r}")
    check(r["distance"] not in ("", "n/a", "none"), f"latency row without a distance class: {r['distance']}")
    figs = [float(r[c]) for c in ("min", "p50", "p90", "p99", "max") if r[c] != "n/a"]
    check(0 < figs[0] and figs == sorted(figs) and r["p99"] == "n/a" and r["p999"] == "n/a",
          f"order, and p99/p999 n/a from 20 samples: {r}")
    check(r["run"] in ("1", "2") and float(r["resolution_ns"]) > 0 and float(r["timer_overhead_ns"]) > 0,
          f"run, resolution, overhead: {r}")
for op in ("atomic-add", "cas", "ticket"):
    c = [r for r in rows if r["variant"] == op and r["metric"] == "contended_op"]
    f = [r for r in rows if r["variant"] == op and r["metric"] == "fairness"]
    check(sorted(r["n_cpus"] for r in c) == ["1", "1", "2", "2"], f"{op}: contended_op n_cpus {[r['n_cpus'] for r in c]}")
    check(len(f) == 4 and all(r["unit"] == "ratio" and float(r["min"]) >= 0 for r in f), f"{op}: fairness rows")
    check(all(float(r["min"]) > 0 for r in c), f"{op}: contended_op not positive")
sys.exit(0 if ok else 1)
PY
grep -q '^one-way' "$tmp/text" || { echo "FAIL: no one-way summary on stdout"; fail=1; }

# --time-limit stops a pair early, keeps and writes the samples it has, and
# says so on stderr; a limit reached during warm-up still measures one.
limited() {
	want=$1
	shift
	rm -f "$tmp/lim.csv"
	"$ubench" c2c --cpus 0,1 --measure latency --time-limit 1ms "$@" --csv "$tmp/lim.csv" \
		>/dev/null 2>"$tmp/lim.err" || { echo "FAIL: c2c --time-limit $*: $(cat "$tmp/lim.err")"; fail=1; }
	grep -q 'stopped at --time-limit' "$tmp/lim.err" || { echo "FAIL: c2c --time-limit $*: no warning"; fail=1; }
	/usr/bin/python3 - "$tmp/lim.csv" "$want" <<'PY' || fail=1
import csv, sys
rows = [r for r in csv.DictReader(l for l in open(sys.argv[1]) if not l.startswith("#")) if r["metric"] == "one_way_latency"]
n = int(rows[-1]["samples"]) if rows else 0
lo, hi = (int(x) for x in sys.argv[2].split(".."))
if not lo <= n <= hi:
    sys.exit(f"FAIL: --time-limit row has {n} samples, want {sys.argv[2]}")
PY
}
limited 1..999999 --iterations 1000000 --warmup 0
limited 1..1 --iterations 5 --warmup 1000000

# --matrix prints a matrix when no CSV goes to stdout.
"$ubench" c2c --cpus 0,1 --matrix --measure latency --iterations 10 >"$tmp/m" 2>&1 &&
	grep -q '^  CPU' "$tmp/m" || { echo "FAIL: --matrix: $(cat "$tmp/m")"; fail=1; }
exit $fail
