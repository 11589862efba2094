#!/usr/bin/env bash
# Three corosync nodes in network namespaces (cts/cluster/lab.sh), a bl-cluster-probe
# watcher on each: every node must report the same membership and quorum; a node cut off
# loses quorum while the other two keep it; healing brings back all three; a corosync that
# restarts is rejoined by the probe's reconnect timer. Also measures CPG latency.
set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
PROBE="$top_builddir/cts/cluster/bl-cluster-probe"
LAB_LOGS="probe.log corosync.log"
# shellcheck source=cts/lib/lab-test.sh
. "$top_srcdir/cts/lib/lab-test.sh"

# The last view line NODE's probe printed, without its timestamp.
last_view() {
    grep ' view ' "$LAB/$1/log/probe.log" 2>/dev/null | tail -1 | sed 's/^[^ ]* //'
}

# Waits until each NODE's last view is VIEW; prints how long it took.
wait_view() { # VIEW NODE...
    local view=$1 start=$SECONDS node all; shift
    while [ $((SECONDS - start)) -lt "$WAIT_S" ]; do
        all=yes
        for node in "$@"; do [ "$(last_view "$node")" = "$view" ] || all=no; done
        [ $all = yes ] && return 0
        sleep 0.1
    done
    for node in "$@"; do echo "# $node: last view: $(last_view "$node")"; done
    return 1
}

ALL3="view quorate=yes votes=1 expected=3 total=3 quorum=2 nodes=node1,node2,node3 group=node1,node2,node3"
PAIR="view quorate=yes votes=1 expected=3 total=2 quorum=2 nodes=node1,node2 group=node1,node2"
ALONE="view quorate=no votes=1 expected=3 total=1 quorum=2 nodes=node3 group=node3"

echo "1..10"

t0=$(date +%s%N)
lab_up 3
ok "lab of 3 corosync nodes up and quorate in $(( ($(date +%s%N) - t0) / 1000000 )) ms"

for node in node1 node2 node3; do lab spawn "$node" probe "$PROBE" watch; done
if wait_view "$ALL3" node1 node2 node3; then
    ok "all three nodes see the same membership and quorum: ${ALL3#view }"
else
    not_ok "all three nodes see the same membership and quorum"
fi

if out=$(lab run node1 "$PROBE" ping 1000 2 2>&1); then
    ok "1,000 multicasts from node1, each delivered back to node1 and answered by node2 and node3"
    sed 's/^/# CPG latency, 3 nodes: /' <<< "$out"
else
    not_ok "1,000 multicasts from node1, each delivered back to node1 and answered by node2 and node3"
    sed 's/^/# /' <<< "$out"
fi

# All three nodes multicast at once; every node must deliver the same sequence.
for node in node1 node2 node3; do
    lab run "$node" "$PROBE" storm 1000 1024 > "$LAB/$node/log/storm.out" 2>&1 &
done
wait
storm_ok=yes
for node in node1 node2 node3; do
    sed "s/^/# $node: /" "$LAB/$node/log/storm.out"
    grep -q '^storm: 1000 messages' "$LAB/$node/log/storm.out" || storm_ok=no
done
for _ in $(seq $((WAIT_S * 10))); do
    digests=$(for node in node1 node2 node3; do grep -h '^storm n=3000 ' "$LAB/$node/log/probe.log"; done)
    [ "$(wc -l <<< "$digests")" -eq 3 ] && break
    sleep 0.1
done
if [ $storm_ok = yes ] && [ "$(grep -c 'fifo=ok' <<< "$digests")" -eq 3 ] \
    && [ "$(sort -u <<< "$digests" | wc -l)" -eq 1 ]; then
    ok "3 x 1,000 messages multicast concurrently from all nodes: all nodes delivered the same sequence ($(head -1 <<< "$digests"))"
else
    not_ok "3 x 1,000 messages multicast concurrently from all nodes: all nodes delivered the same sequence"
    sed 's/^/# /' <<< "$digests"
fi

t0=$(date +%s%N)
lab cut node3
if wait_view "$ALONE" node3 && wait_view "$PAIR" node1 node2; then
    ok "node3 cut off: node3 inquorate alone, node1 and node2 quorate together ($(( ($(date +%s%N) - t0) / 1000000 )) ms)"
else
    not_ok "node3 cut off: node3 inquorate alone, node1 and node2 quorate together"
fi

# An operator lowering expected votes on the isolated node: votequorum notifies the change.
lab run node3 corosync-quorumtool -e 1 > /dev/null
if wait_view "view quorate=yes votes=1 expected=1 total=1 quorum=1 nodes=node3 group=node3" node3; then
    ok "expected votes set to 1 on isolated node3: it reports itself quorate with quorum 1"
else
    not_ok "expected votes set to 1 on isolated node3: it reports itself quorate with quorum 1"
fi

t0=$(date +%s%N)
lab heal node3
if wait_view "$ALL3" node1 node2 node3; then
    ok "node3 healed: all three quorate together again ($(( ($(date +%s%N) - t0) / 1000000 )) ms)"
else
    not_ok "node3 healed: all three quorate together again"
fi

lab stop node2
if wait_view "${PAIR//node2/node3}" node1 node3 \
    && grep -q 'corosync: connection lost' "$LAB/node2/log/probe.log"; then
    ok "corosync stopped on node2: its probe reports the lost connection, node1 and node3 go on"
else
    not_ok "corosync stopped on node2: its probe reports the lost connection, node1 and node3 go on"
fi

lab start node2
if wait_view "$ALL3" node1 node2 node3 && grep -q 'corosync: connected again' "$LAB/node2/log/probe.log"; then
    ok "corosync back on node2: the probe reconnected and all three agree again"
else
    not_ok "corosync back on node2: the probe reconnected and all three agree again"
fi

# The probes (built with the sanitizers in a sanitizer build) exit cleanly on SIGTERM.
clean=yes
for node in node1 node2 node3; do
    pid=$(cat "$LAB/$node/pids/probe")
    lab signal "$node" probe TERM
    for _ in $(seq 100); do kill -0 "$pid" 2> /dev/null || break; sleep 0.05; done
    if kill -0 "$pid" 2> /dev/null || grep -qE 'Sanitizer|runtime error' "$LAB/$node/log/probe.log"; then
        clean=no
    fi
done
if [ $clean = yes ]; then
    ok "the probes exit on SIGTERM without sanitizer reports"
else
    not_ok "the probes exit on SIGTERM without sanitizer reports"
fi

exit $((failed > 0))
