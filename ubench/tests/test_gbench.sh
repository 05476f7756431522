#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# ubench-gbench runs every benchmark it registers (pinned where asked,
# JSON out, Google Benchmark's flags honoured) and refuses bad flags with
# exit 2 and one line. No timing is asserted.
# usage: test_gbench.sh UBENCH_GBENCH
set -u
gbench=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

"$gbench" --cpu 0 --benchmark_min_time=0.001 --benchmark_format=json >"$tmp/out.json" 2>"$tmp/err" ||
	{ echo "FAIL: ubench-gbench run: $(cat "$tmp/err")"; fail=1; }
/usr/bin/python3 - "$tmp/out.json" <<'PY' || fail=1
import json, sys
d = json.load(open(sys.argv[1]))
names = [b["name"] for b in d["benchmarks"]]
want = ["local/wq", "local/qpw", "local/qpw-on", "local/qpw-off", "local/global",
        "line/atomic-add", "line/cas", "line/ticket", "timer/start+end", "timer/clock_gettime"]
ok = names == want
if not ok:
    print("FAIL: benchmarks", names)
if d["context"].get("qpwbench.cpu") != "0":
    print("FAIL: context has no qpwbench.cpu 0:", d["context"])
    ok = False
for b in d["benchmarks"]:
    if not (b["iterations"] > 0 and b["real_time"] > 0):
        print("FAIL:", b["name"], "did not run")
        ok = False
sys.exit(0 if ok else 1)
PY

"$gbench" --benchmark_filter='^line/cas$' --benchmark_min_time=0.001 >"$tmp/out" 2>&1 &&
	grep -q '^line/cas' "$tmp/out" && ! grep -q '^local/' "$tmp/out" ||
	{ echo "FAIL: --benchmark_filter not honoured: $(cat "$tmp/out")"; fail=1; }

for args in "--cpu x" "--cpu 99999" "--cpu" "--benchmark_bogus=1"; do
	# shellcheck disable=SC2086
	"$gbench" $args >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -ne 2 ] || [ "$(wc -l <"$tmp/err")" -ne 1 ]; then
		echo "FAIL: ubench-gbench $args: exit $rc, stderr: $(cat "$tmp/err")"
		fail=1
	fi
done
exit $fail
