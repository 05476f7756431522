#!/bin/bash
# ubench topo as a user meets it: bad input gives exit 2, one stderr line
# starting "ubench topo: " and nothing on stdout; --pairs --csv prints exactly
# the expected rows; the summary and plans of a known topology.
# usage: test_topo_cli.sh UBENCH SHARED_TOPOLOGIES_DIR
set -u
ubench=$1
topologies=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0 passed=0

fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
pass() { passed=$((passed + 1)); }

# expect_usage_error WHAT_IN_MESSAGE ARGS...: exit 2, one stderr line naming it, empty stdout.
expect_usage_error() {
	local what=$1 rc lines
	shift
	timeout 60 "$ubench" topo "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	rc=$?
	lines=$(wc -l <"$tmp/err")
	if [ "$rc" != 2 ] || [ "$lines" != 1 ] || [ -s "$tmp/out" ] ||
	   ! grep -q '^ubench topo: ' "$tmp/err" || ! grep -qF -- "$what" "$tmp/err"; then
		fail "ubench topo $*: rc $rc, $lines stderr lines (want 2, 1 naming '$what'): $(head -c 300 "$tmp/err")"
	else
		pass
	fi
}

# expect_output EXPECTED_FILE ARGS...: exit 0, stdout exactly the file, stderr empty.
expect_output() {
	local want=$1 rc
	shift
	"$ubench" topo "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	rc=$?
	if [ "$rc" != 0 ] || [ -s "$tmp/err" ] || ! cmp -s "$want" "$tmp/out"; then
		fail "ubench topo $*: rc $rc; diff from expected:"
		diff "$want" "$tmp/out" | head -20
		head -3 "$tmp/err"
	else
		pass
	fi
}

printf '<?xml version="1.0"?>\n<topology version="2.0">\n <object type="Machine"\n' >"$tmp/broken.xml"
echo "not xml at all" >"$tmp/garbage.xml"

expect_usage_error "broken.xml" --topology-file "$tmp/broken.xml"
expect_usage_error "garbage.xml" --topology-file "$tmp/garbage.xml" --pairs --csv
expect_usage_error "No such file" --topology-file "$tmp/missing.xml"
mkfifo "$tmp/fifo.xml"
expect_usage_error "not a regular file" --topology-file "$tmp/fifo.xml"	# must not block
: >"$tmp/empty.xml"
expect_usage_error "empty.xml" --topology-file "$tmp/empty.xml"
expect_usage_error "CPU 999" --cpus 999
expect_usage_error "l3:42" --cpus l3:42
expect_usage_error "'foo'" --cpus foo:1
expect_usage_error "'3-1'" --synthetic "pack:2 core:2 pu:1" --cpus 3-1
expect_usage_error "too large" --synthetic "pack:2 core:2 pu:1" --cpus 99999999999999999999
expect_usage_error "bogus:3" --synthetic "pack:2 bogus:3"
expect_usage_error "zigzag" --synthetic "pack:2 core:2 pu:1" --plan zigzag
expect_usage_error "--nope" --nope
expect_usage_error "--plan" --plan
expect_usage_error "extra" extra
expect_usage_error "--csv" --csv
expect_usage_error "not both" --synthetic "pack:2" --topology-file "$tmp/broken.xml"
expect_usage_error "two CPUs" --synthetic "pack:2 core:2 pu:1" --cpus 0 --plan pairs

# Two packages of two one-thread cores: 0,1 and 2,3 share a package (whose
# only container smaller than the Machine is the package itself).
cat >"$tmp/want" <<'EOF'
cpu_a,cpu_b,distance
0,1,package
0,2,system
0,3,system
1,2,system
1,3,system
2,3,package
EOF
expect_output "$tmp/want" --synthetic "pack:2 core:2 pu:1" --pairs --csv

# One core per package: the Core holds the same PUs as its Package; smt wins the tie.
cat >"$tmp/want" <<'EOF'
cpu_a,cpu_b,distance
0,1,smt
0,2,system
0,3,system
1,2,system
1,3,system
2,3,smt
EOF
expect_output "$tmp/want" --synthetic "pack:2 core:1 pu:2" --pairs --csv

# A selection restricts the rows.
cat >"$tmp/want" <<'EOF'
cpu_a,cpu_b,distance
1,2,system
1,3,system
2,3,smt
EOF
expect_output "$tmp/want" --synthetic "pack:2 core:1 pu:2" --pairs --csv --cpus 1-3

cat >"$tmp/want" <<'EOF'
n=1 cpus=0 distance=none
n=2 cpus=0,1 distance=smt
n=3 cpus=0,1,2 distance=l3
n=4 cpus=0,1,2,3 distance=l3
n=5 cpus=0,1,2,3,4 distance=system
n=6 cpus=0,1,2,3,4,5 distance=system
n=7 cpus=0,1,2,3,4,5,6 distance=system
n=8 cpus=0,1,2,3,4,5,6,7 distance=system
EOF
expect_output "$tmp/want" --synthetic "pack:2 l3:1 core:2 pu:2" --plan ramp

cat >"$tmp/want" <<'EOF'
n=2 cpus=0,1 distance=smt
n=2 cpus=0,2 distance=l3
n=2 cpus=0,4 distance=system
EOF
expect_output "$tmp/want" --synthetic "pack:2 l3:1 core:2 pu:2" --plan classes

if [ -d "$topologies" ]; then
	# Summary of a shared file: its counts, and the pairs per class of the unit test.
	"$ubench" topo --topology-file "$topologies/64amd64-4s2n4ca2co.xml" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	for line in "machine:    PowerEdge C6145" "arch:       x86_64" "packages:   4" "numa nodes: 8" \
		    "l3 caches:  8" "cores:      64" "pus:        64 " "  l2       32" "  l3       192" \
		    "  package  256" "  system   1536" "  total    2016"; do
		grep -qF -- "$line" "$tmp/out" || { fail "64amd64 summary lacks '$line' (rc $rc)"; continue; }
		pass
	done
	# The offline CPU 2 of the -offlines file is named, not dropped.
	expect_usage_error "CPU 2" --topology-file "$topologies/16em64t-4s2c2t-offlines.xml" --cpus 0-3
	"$ubench" topo --topology-file "$topologies/128arm-2pa2n8cluster4co.xml" --pairs --csv >"$tmp/out"
	[ "$(wc -l <"$tmp/out")" = 8129 ] && [ "$(grep -c ',cluster$' "$tmp/out")" = 192 ] && pass ||
		fail "128arm pairs CSV: $(wc -l <"$tmp/out") lines, $(grep -c ',cluster$' "$tmp/out") cluster rows"
else
	echo "note: $topologies is missing; the shared-file checks were not run"
fi

"$ubench" topo --help >"$tmp/out" 2>&1 && grep -q -- "--pairs" "$tmp/out" && pass || fail "--help"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
