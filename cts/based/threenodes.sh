#!/usr/bin/env bash
# belay-based on three corosync nodes (cts/cluster/lab.sh): a write on node1 is visible
# on node3; 90 writes issued at once from all three nodes are all acknowledged and leave
# every node with the same CIB; node3 cut off refuses configuration writes while node1
# and node2 go on, and takes their CIB when healed, even when its status writes gave it a
# higher version; a daemon restarted with an older or a damaged CIB adopts the cluster's;
# a CIB of 10,000 running primitives with status (7.9 MB: more than one corosync message
# and than the IPC buffer) reaches every node whole, a node that joins later included.
# Needs root; skipped otherwise.
set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
BELAY=${BELAY:-$top_builddir/tools/belay}
BASED="$top_builddir/daemons/based/belay-based"
WRITES=${BELAY_BASED_WRITES:-30}
LAB_LOGS=based.log
# shellcheck source=cts/lib/lab-test.sh
. "$top_srcdir/cts/lib/lab-test.sh"

on() { local node=$1; shift; lab run "$node" env -u BELAY_CIB_FILE "$@"; }
version() { on "$1" "$BELAY" cib version 2>/dev/null; }
joined() { grep -q "partition is quorate" "$LAB/$1/log/based.log" 2>/dev/null; }
same_version() {
    local v1 v2 v3
    v1=$(version node1); v2=$(version node2); v3=$(version node3)
    [ -n "$v1" ] && [ "$v1" = "$v2" ] && [ "$v2" = "$v3" ]
}
has_resource() { on "$1" "$BELAY" cib show --section resources 2>/dev/null | grep -q "id=\"$2\""; }

echo "1..30"
lab_up 3
for node in node1 node2 node3; do
    lab spawn "$node" based env BELAY_LOG_FILE="$LAB/$node/log/based.log" "$BASED"
done
check "belay-based runs and is quorate on all three nodes" \
    wait_for sh -c "grep -q 'partition is quorate' '$LAB/node1/log/based.log' && grep -q 'partition is quorate' '$LAB/node2/log/based.log' && grep -q 'partition is quorate' '$LAB/node3/log/based.log'"

check "a live write on node1 is acknowledged" \
    on node1 "$BELAY" configure primitive web ocf:heartbeat:Dummy
check "and is visible on node3" wait_for has_resource node3 web
check "all three nodes report the same version" wait_for same_version

# Writers on all three nodes at once: a write that loses a race is retried by the CLI
# until it goes through, so every one of them must be acknowledged and everywhere.
for node in node1 node2 node3; do
    (
        i=0
        while [ $i -lt "$WRITES" ]; do
            if on "$node" "$BELAY" configure primitive "$node-r$i" ocf:heartbeat:Dummy >/dev/null 2>"$LAB/$node.err"; then
                echo "$node-r$i"
            else
                sed "s/^/# $node-r$i: /" "$LAB/$node.err" >&2
            fi
            i=$((i + 1))
        done >"$LAB/$node.acked"
    ) &
done
wait
acked=$(cat "$LAB"/node?.acked | wc -l)
check "all $((3 * WRITES)) concurrent CLI writes from three nodes are acknowledged ($acked)" \
    test "$acked" = $((3 * WRITES))
check "after concurrent writes from three nodes every node has the same version" wait_for same_version
missing=0
resources=$(on node3 "$BELAY" cib show --section resources)
for id in $(cat "$LAB"/node?.acked); do
    echo "$resources" | grep -q "id=\"$id\"" || missing=$((missing + 1))
done
check "every acknowledged write ($acked) is in node3's CIB" test "$missing" = 0 -a "$acked" -gt 0

# A write storm from all three nodes through the client API; node3's daemon is killed
# (-9) in the middle and respawned. Every write a writer saw acknowledged must end up
# on every node.
WRITER="$top_builddir/cts/based/bl-cib-writer"
STORM=${BELAY_BASED_STORM:-200}
for node in node1 node2 node3; do
    (on "$node" "$WRITER" "$STORM" "$node-s" >"$LAB/$node.storm" 2>"$LAB/$node.storm.err") &
done
sleep 1
lab signal node3 based KILL
sleep 0.5
lab spawn node3 based env BELAY_LOG_FILE="$LAB/node3/log/based.log" "$BASED"
wait
grep -h '^#' "$LAB"/node?.storm | sed 's/^# /# storm writer: /'
storm_acked() { grep -h '^acked ' "$LAB"/node?.storm | cut -d' ' -f2; }
echo "# storm: $(storm_acked | wc -l) of $((3 * STORM)) writes acknowledged (node3's writer loses its daemon)"
all_everywhere() {
    local node res id
    for node in node1 node2 node3; do
        res=$(on "$node" "$BELAY" cib show --section resources 2>/dev/null) || return 1
        for id in $(storm_acked); do
            echo "$res" | grep -q "id=\"$id\"" || { echo "# $id missing on $node"; return 1; }
        done
    done
}
check "storm with kill -9 of node3's daemon: all three nodes converge" wait_for same_version
check "and every acknowledged write is on every node" all_everywhere

# Transient attribute names in NODE's CIB (status section).
status_names() { on "$1" "$BELAY" cib query --xpath "//status//nvpair" 2>/dev/null | grep -o 'name="[^"]*"'; }
count_status() { status_names "$1" | grep -c "$2"; }
membership2() { grep -c 'CIB group membership: 2 member' "$LAB/node1/log/based.log"; }
minority_count() { grep -c 'partition is NOT quorate' "$LAB/node3/log/based.log"; }
# Cuts node3 off and waits until node3 knows it has no quorum and node1 lost it.
partition() {
    local cut_before=$(membership2) lonely_before=$(minority_count)
    lab cut node3
    wait_for test_gt minority_count "$lonely_before" && wait_for test_gt membership2 "$cut_before"
}
test_gt() { [ "$("$1")" -gt "$2" ]; }
# (based.log holds each line twice: the daemon's log file and its stderr)
test_took() { grep -q "CIB sync: took the CIB $1 from node [12] " "$LAB/node3/log/based.log"; }
majority_status_everywhere() {
    local n
    for n in node1 node2 node3; do
        [ "$(count_status $n kept)" = 1 ] && [ "$(count_status $n lost)" = 0 ] || return 1
    done
}

on node1 "$BELAY" configure node node1
on node1 "$BELAY" configure node node3
partition
if on node3 env BELAY_CIB_RETRY_S=2 "$BELAY" configure primitive lonely ocf:heartbeat:Dummy >"$LAB/out" 2>&1; then
    not_ok "node3 cut off refuses configuration writes"
else
    check "node3 cut off refuses configuration writes, saying it has no quorum" grep -q "quorum" "$LAB/out"
fi
for i in 1 2 3 4 5; do on node3 "$BELAY" node status-attr node3 set minority$i 1; done
check "but takes five status writes" test "$(count_status node3 minority)" = 5
check "while node1 and node2 go on writing configuration" on node1 "$BELAY" configure primitive majority ocf:heartbeat:Dummy
want=$(version node1 | cut -d' ' -f1-3 | tr ' ' '.')
lab heal node3
check "healed, node3 takes the majority's CIB" wait_for has_resource node3 majority
check "and all three report the same version again" wait_for same_version
check "node3's status writes made without quorum are gone" test "$(count_status node3 minority)" = 0
check "node3's log names the node it took the CIB $want from" test_took "$want"

# Again with status writes only on both sides: node3's five give it a higher version than
# the majority's one, yet the majority's CIB wins, as it was written with quorum.
partition
for i in 1 2 3 4 5; do on node3 "$BELAY" node status-attr node3 set lost$i 1; done
on node1 "$BELAY" node status-attr node1 set kept 1
v3=$(version node3 | cut -d' ' -f1-3 | tr ' ' '.')
want=$(version node1 | cut -d' ' -f1-3 | tr ' ' '.')
check "cut off, node3 is at $v3, above the majority's $want" \
    test "${v3##*.}" -gt "${want##*.}" -a "${v3%.*}" = "${want%.*}"
lab heal node3
check "healed, node3 takes the majority's status although its version was higher" \
    wait_for test_took "$want"
check "every node has the majority's status and none of node3's" \
    wait_for majority_status_everywhere
check "and all three report the same version" wait_for same_version

# node2's daemon stops; the others write on; it comes back with an older CIB.
lab signal node2 based TERM
wait_for sh -c "! pgrep -F '$LAB/node2/pids/based' >/dev/null 2>&1"
on node1 "$BELAY" configure primitive while-away ocf:heartbeat:Dummy
lab spawn node2 based env BELAY_LOG_FILE="$LAB/node2/log/based.log" "$BASED"
check "a daemon restarted with an older CIB adopts the cluster's" wait_for has_resource node2 while-away
check "and never pushes its older CIB on the others" wait_for same_version

# node2 again, now with its cib.xml damaged while it was down.
lab signal node2 based TERM
wait_for sh -c "! pgrep -F '$LAB/node2/pids/based' >/dev/null 2>&1"
printf 'damage' >>"$LAB/node2/var-lib-belay/cib.xml"
on node1 "$BELAY" configure primitive while-damaged ocf:heartbeat:Dummy
lab spawn node2 based env BELAY_LOG_FILE="$LAB/node2/log/based.log" "$BASED"
check "a daemon started with a damaged cib.xml refuses it and adopts the cluster's" \
    wait_for has_resource node2 while-damaged
check "its log says the file was refused" grep -q "refused the damaged" "$LAB/node2/log/based.log"
# A CIB of 10,000 running primitives with their status (7.9 MB), larger than one corosync
# message and than the 4 MB IPC buffer: the replace and every `belay cib show` travel as
# IPC frames, the replacing diff and the whole-CIB sync as CPG chunks. node2 is away
# during the replace and joins later.
cib_hash() { on "$1" "$BELAY" cib show 2>/dev/null | sha256sum | cut -d' ' -f1; }
same_cib() { local a b; a=$(cib_hash "$1"); b=$(cib_hash "$2"); [ -n "$a" ] && [ "$a" = "$b" ]; }
"$top_builddir/cts/bench/scheduler/bl-gen-cib" --nodes 3 --resources 10000 --state running \
    >"$LAB/big.xml"
echo "# big CIB: $(wc -c <"$LAB/big.xml") bytes"
lab signal node2 based TERM
wait_for sh -c "! pgrep -F '$LAB/node2/pids/based' >/dev/null 2>&1"
check "a CIB of 10,000 running primitives with status replaces the CIB on node1" \
    on node1 "$WRITER" --replace "$LAB/big.xml"
big=$(version node1)
check "node3 holds the same version and digest" wait_for sh -c "test \"\$('$LABSH' -w '$LAB' run node3 '$BELAY' cib version)\" = '$big'"
check "and the very same CIB" same_cib node1 node3
lab spawn node2 based env BELAY_LOG_FILE="$LAB/node2/log/based.log" "$BASED"
check "node2, joining later, takes it" wait_for sh -c "test \"\$('$LABSH' -w '$LAB' run node2 '$BELAY' cib version)\" = '$big'"
check "whole" same_cib node1 node2
check "and its log says so" grep -q "CIB sync: took the CIB $(echo "$big" | cut -d' ' -f1-3 | tr ' ' '.') from node [13] " "$LAB/node2/log/based.log"
exit $((failed > 0))
