#!/usr/bin/env bash
# The CIB benchmark's smoke mode (bench.sh -S, about 15 s): three belay-based in the lab,
# one second of each throughput run (one at a time and pipelined) and 30 propagation
# writes; passes when every figure came out and node3 saw every write. Figures only, no
# assertion on time. Needs root.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}

if [ "$(id -u)" -ne 0 ]; then
    echo "1..0 # SKIP needs root for network namespaces and corosync"
    exit 0
fi
echo "1..1"
if out=$("$top_srcdir/cts/bench/cib/bench.sh" -S -b "$top_builddir" 2>&1); then
    echo "ok 1 - bench.sh -S: belay-based figures from the 3-node lab"
    grep '^|' <<< "$out" | sed 's/^/# /'
else
    echo "not ok 1 - bench.sh -S: belay-based figures from the 3-node lab"
    sed 's/^/# /' <<< "$out"
fi
