#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# --events end to end: bad lists exit 2 with one line; `ubench info --events`
# says which events count here; `ubench remote --events ctx-switches,cycles`
# writes a column per event with real context-switch counts, and cycles
# counted exactly where the kernel has a PMU for it (n/a in these VMs).
# usage: test_events_cli.sh UBENCH
set -u
ubench=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

bad() {
	"$ubench" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	lines=$(wc -l <"$tmp/err")
	if [[ $rc != 2 || $lines != 1 ]] || ! grep -q '^ubench [a-z-]*: --events: ' "$tmp/err"; then
		echo "FAIL: ubench $*: exit $rc, $lines stderr lines: $(cat "$tmp/err")"
		fail=1
	else
		echo "ubench $* -> 2: $(cat "$tmp/err")"
	fi
}

bad remote --events bogus-event
bad remote --events ''
bad local --events cycles,,instructions
bad drain-all --events cs,context-switches
bad interference --events none,cycles
bad stress --events cycles:z

if ! "$ubench" info --events >"$tmp/info" 2>&1; then
	echo "FAIL: ubench info --events: $(cat "$tmp/info")"
	fail=1
fi
grep -Eq '^  context-switches +type 1 config 0x3  counts here' "$tmp/info" ||
	{ echo "FAIL: info --events does not show context-switches counting"; fail=1; }
cycles_line=$(grep -m1 -E '^  cycles ' "$tmp/info")
echo "info: $cycles_line"
case $cycles_line in
*"counts here"*) cycles_here=yes ;;
*"n/a: "*) cycles_here=no ;;
*) echo "FAIL: info --events has no verdict for cycles"; fail=1; cycles_here=unknown ;;
esac

if [[ $(nproc) -lt 2 ]]; then
	echo "SKIP: remote needs two CPUs, this machine has $(nproc)"
	((fail == 0)) && exit 77
	exit 1
fi

csv=$tmp/remote.csv
# --fill: every drain finds entries, so none is skipped (cpu_needs_drain()) and
# every wq drain wakes the target's worker; a flat-out owner is often off its
# CPU when the drain peeks, and a skipped drain switches nothing.
if ! "$ubench" remote --backend user --cpus 0,1 --variant wq,qpw-on --iterations 50 --warmup 5 \
	--fill 8 --events ctx-switches,cycles --csv "$csv" >"$tmp/text" 2>"$tmp/err"; then
	echo "FAIL: ubench remote --events: $(cat "$tmp/err")"
	fail=1
fi
/usr/bin/python3 - "$csv" "$cycles_here" <<'PY' || fail=1
import csv, sys
rows = list(csv.DictReader(l for l in open(sys.argv[1]) if not l.startswith("#")))
cycles_here = sys.argv[2]
ok = True
def check(cond, msg):
    global ok
    if not cond:
        print("FAIL:", msg)
        ok = False
head = list(rows[0].keys()) if rows else []
check(head[-3:] == ["event:context-switches", "event:cycles", "events_running"],
      f"last columns {head[-3:]}")
for r in rows:
    cs = float(r["event:context-switches"])   # a number, never n/a
    check(cs >= 0, f"negative context switches {cs}")
    if cycles_here == "no":
        check(r["event:cycles"] == "n/a", f"cycles '{r['event:cycles']}' without a PMU")
    elif cycles_here == "yes":
        check(float(r["event:cycles"]) > 0, f"cycles '{r['event:cycles']}' with a PMU")
    check(r["events_running"] == "1.000" or cycles_here == "yes",
          f"events_running {r['events_running']}")
# A workqueue drain wakes a worker on the target: at least one switch per drain.
wq = [float(r["event:context-switches"]) for r in rows
      if r["variant"] == "wq" and r["metric"] == "drain_latency"]
check(len(wq) == 1 and wq[0] >= 1, f"wq context switches per drain {wq}")
for r in rows:
    if r["metric"] == "drain_latency":
        print(f"remote {r['variant']}: context-switches/drain {r['event:context-switches']}, "
              f"cycles {r['event:cycles']}, events_running {r['events_running']}")
sys.exit(0 if ok else 1)
PY

# c2c: counters per pair and per contended point, in the same columns.
if ! "$ubench" c2c --cpus 0,1 --iterations 20 --warmup 2 --duration 5ms --events cs,cycles \
	--csv "$tmp/c2c.csv" >/dev/null 2>"$tmp/err"; then
	echo "FAIL: ubench c2c --events: $(cat "$tmp/err")"
	fail=1
fi
/usr/bin/python3 - "$tmp/c2c.csv" "$cycles_here" <<'PY' || fail=1
import csv, sys
rows = list(csv.DictReader(l for l in open(sys.argv[1]) if not l.startswith("#")))
ok = bool(rows)
for r in rows:
    try:
        float(r["event:context-switches"])
    except (KeyError, ValueError):
        print("FAIL: c2c row without a context-switch count:", r.get("event:context-switches"))
        ok = False
    if sys.argv[2] == "no" and r.get("event:cycles") != "n/a":
        print("FAIL: c2c cycles without a PMU:", r.get("event:cycles"))
        ok = False
print(f"c2c: {len(rows)} rows with event columns")
sys.exit(0 if ok else 1)
PY

# Without --events the header is the plain one (files shared with c2c).
"$ubench" remote --backend user --cpus 0,1 --variant global --iterations 5 --csv "$tmp/plain.csv" \
	>/dev/null 2>&1 || { echo "FAIL: ubench remote without --events"; fail=1; }
if grep -v '^#' "$tmp/plain.csv" | head -n1 | grep -q 'event:'; then
	echo "FAIL: event columns without --events"
	fail=1
fi
((fail == 0)) && echo "ok"
exit $fail
