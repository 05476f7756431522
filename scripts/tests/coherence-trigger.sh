#!/bin/sh
# coherence-trigger.sh VM BUILD OUT KERNEL PARAMS MODE COUNT: boot KERNEL
# (with kernel parameters PARAMS, "" for none) with the coherence plugin
# (scripts/vm --coherence, 2 CPUs, CPU 1 isolated, no module), fire
# drop-caches COUNT times from CPU 0 at CPU 1 (ubench trigger: one
# coherence window per trigger, CPU 1 refilled before each and idle while
# it fires), then judge every trigger's window on the host
# (scripts/coherence-trigger-rows --check MODE: queued, the workqueue's
# lines move to the target; inline, the target's lines move to the caller)
# and write the rows to OUT/coherence-rows.csv. Exit status: scripts/vm's
# when it did not succeed (77: the plugin is not built), else 1 when the
# check or the rows failed.
set -eu
vm=$1 build=$2 out=$3 kernel=$4 params=$5 mode=$6 count=$7
status=0
"$vm" --kernel "$kernel" --smp 2 --isolate 1 ${params:+--append "$params"} --coherence \
	--no-module --build "$build" --no-rebuild --out "$out" --timeout 900 -- \
	ubench trigger --trigger drop-caches --caller 0 --targets 1 --target-load idle \
	--no-ftrace --count "$count" --csv /out/trigger.csv || status=$?
[ "$status" -eq 0 ] || exit "$status"
rows=$(dirname "$0")/../coherence-trigger-rows
"$rows" "$out/coherence.csv" "$out/trigger.csv" --check "$mode" || status=1
rm -f "$out/coherence-rows.csv"
"$rows" "$out/coherence.csv" "$out/trigger.csv" -o "$out/coherence-rows.csv" || status=1
exit "$status"
