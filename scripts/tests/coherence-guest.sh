#!/bin/sh
# coherence-guest.sh VM BUILD OUT KERNEL ROUNDS PASSES ITERATIONS K...: boot
# KERNEL with the coherence plugin (scripts/vm --coherence) and the module,
# run vm-coherence there, name the module's code in the plugin's file
# (scripts/coherence-symbols; the module's drains must show under a
# [qpwbench] function), judge the plugin's counts on the host
# (coherence-check) and write the drains' rows to OUT/coherence-rows.csv
# (scripts/coherence-rows). Exit status: scripts/vm's when it did not
# succeed (77: the plugin is not built), else 1 when the check or the
# rows failed.
set -eu
vm=$1 build=$2 out=$3 kernel=$4 rounds=$5 passes=$6
shift 6
status=0
"$vm" --kernel "$kernel" --smp 2 --coherence --build "$build" --no-rebuild \
	--out "$out" --timeout 900 -- vm-coherence "$rounds" "$passes" "$@" || status=$?
[ "$status" -eq 0 ] || exit "$status"
here=$(dirname "$0")
# The module's code by name (scripts/vm wrote the guest's module symbols).
if [ -s "$out/module-kallsyms.txt" ]; then
	"$here/../coherence-symbols" "$out/coherence.csv" "$out/module-kallsyms.txt" \
		-o "$out/coherence.csv" || status=1
fi
if grep -q '^[0-9]*,256,1,function,[^,]* \[qpwbench\],' "$out/coherence.csv"; then
	echo "ok: the module's drains counted under its functions, named"
else
	echo "FAIL: no drain window row of a [qpwbench] function"
	status=1
fi
"$here/coherence-check" "$out/coherence.csv" "$rounds" "$out/fill-runs.txt" || status=1
# The drains' counts as result rows, beside the guest's remote.csv.
rm -f "$out/coherence-rows.csv"
"$here/../coherence-rows" "$out/coherence.csv" "$out/fill-runs.txt" "$out/remote.csv" \
	-o "$out/coherence-rows.csv" || status=1
exit "$status"
