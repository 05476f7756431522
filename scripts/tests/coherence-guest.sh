#!/bin/sh
# coherence-guest.sh VM BUILD OUT KERNEL ROUNDS PASSES ITERATIONS K...: boot
# KERNEL with the coherence plugin (scripts/vm --coherence) and the module,
# run vm-coherence there, and judge the plugin's counts on the host
# (coherence-check). Exit status: scripts/vm's when it did not succeed (77:
# the plugin is not built), else coherence-check's.
set -eu
vm=$1 build=$2 out=$3 kernel=$4 rounds=$5 passes=$6
shift 6
status=0
"$vm" --kernel "$kernel" --smp 2 --coherence --build "$build" --no-rebuild \
	--out "$out" --timeout 900 -- vm-coherence "$rounds" "$passes" "$@" || status=$?
[ "$status" -eq 0 ] || exit "$status"
exec "$(dirname "$0")/coherence-check" "$out/coherence.csv" "$rounds" "$out/fill-runs.txt"
