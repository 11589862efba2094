#!/usr/bin/env bash
# Rough figures for belay-based on the 3-node lab (not a test; run as root):
# acknowledged writes per second with one writer and with three, and node1 -> node3
# propagation (write sent on node1 until node3's subscriber has the change).
# usage: cts/based/bench-lab.sh [BUILDDIR] [WRITES]   (use a build without sanitizers)
set -u
top_srcdir=$(cd "$(dirname "$0")/../.." && pwd)
B=$(cd "${1:-$top_srcdir}" && pwd)
N=${2:-300}
LABSH="$top_srcdir/cts/cluster/lab.sh"
LAB=$(mktemp -d /tmp/belay-lab.XXXXXX)
lab() { "$LABSH" -w "$LAB" "$@"; }
trap 'lab down >/dev/null 2>&1; rm -rf "$LAB"' EXIT

lab up 3 2>/dev/null || { echo "the lab did not come up" >&2; exit 1; }
for n in node1 node2 node3; do
    lab spawn $n based env BELAY_LOG_FILE="$LAB/$n/log/based.log" "$B/daemons/based/belay-based"
done
for _ in $(seq 200); do
    grep -q "all 3 member" "$LAB/node1/log/based.log" 2>/dev/null && break
    sleep 0.1
done

lab spawn node3 watch "$B/cts/based/bl-cib-watch" "$N"
for _ in $(seq 100); do grep -q subscribed "$LAB/node3/log/watch.log" 2>/dev/null && break; sleep 0.1; done
echo "one writer on node1, $N writes:"
lab run node1 "$B/cts/based/bl-cib-writer" "$N" one >"$LAB/one.out"
tail -1 "$LAB/one.out"
sleep 1
# The k-th acknowledged write is the k-th diff node3 sees (one writer, nobody else).
paste <(grep ^acked "$LAB/one.out" | cut -d' ' -f3) <(grep ^diff "$LAB/node3/log/watch.log" | cut -d' ' -f4) |
    awk '{ print ($2 - $1) / 1000 }' | sort -n |
    awk '{ v[NR] = $1 } END { if (NR == 0) exit; p = int(NR * 0.99) + 1; if (p > NR) p = NR;
          printf "propagation node1 -> node3 (ms): median %.2f, p99 %.2f, n %d\n", v[int(NR / 2) + 1], v[p], NR }'

echo "three writers (node1, node2, node3), $N writes each:"
for n in node1 node2 node3; do (lab run $n "$B/cts/based/bl-cib-writer" "$N" "$n" | tail -1) & done
wait
for n in node1 node2 node3; do echo "$n: $(lab run $n "$B/tools/belay" cib version)"; done
