#!/bin/sh
# coherence-guest.sh VM BUILD OUT KERNEL ROUNDS PASSES ITERATIONS K...: boot
# KERNEL with the coherence plugin (scripts/vm --coherence) and the module,
# run vm-coherence there, judge the plugin's counts on the host
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
"$here/coherence-check" "$out/coherence.csv" "$rounds" "$out/fill-runs.txt" || status=1
# The drains' counts as result rows, beside the guest's remote.csv.
rm -f "$out/coherence-rows.csv"
"$here/../coherence-rows" "$out/coherence.csv" "$out/fill-runs.txt" "$out/remote.csv" \
	-o "$out/coherence-rows.csv" || status=1
exit "$status"
