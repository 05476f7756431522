#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# One topology test of the vm suite: boot KERNEL with scripts/vm --topology
# SPEC, run scripts/tests/vm-topology's checks in it, then build the report
# from the guest's CSVs on the host and check it draws the topology
# (reports/tests/check_topology_report.py). Exit status: scripts/vm's when
# the guest failed (77: QEMU or cross tools missing), else the report check's.
#
#   topology-guest.sh SCRIPTS_VM BUILD OUT KERNEL SPEC EXPECT
set -uo pipefail
(($# == 6)) || { echo "usage: topology-guest.sh SCRIPTS_VM BUILD OUT KERNEL SPEC EXPECT" >&2; exit 2; }
vm=$1 build=$2 out=$3 kernel=$4 spec=$5 expect=$6
src=$(cd "$(dirname "$0")/../.." && pwd)
"$vm" --kernel "$kernel" --topology "$spec" --build "$build" --no-rebuild --out "$out" \
	--timeout 1000 -- vm-topology --spec "$spec" --expect "$expect" || exit $?
/usr/bin/python3 "$src/reports/tests/check_topology_report.py" "$out"
