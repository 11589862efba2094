#!/usr/bin/env bash
# belayd on three corosync nodes (cts/cluster/lab.sh), each configured only through its own
# /etc/belay/belay.conf with the default state and run directories, as a real node is: a
# write storm from node1 while belay-based on node3 is killed with -9 twice; belayd
# respawns it each time, all nodes converge on one CIB version and no acknowledged write
# is lost. SIGTERM then stops every daemon of every node. Needs root; skipped otherwise.
set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
BELAY=${BELAY:-$top_builddir/tools/belay}
BELAYD="$top_builddir/daemons/belayd/belayd"
WRITER="$top_builddir/cts/based/bl-cib-writer"
BATCH=${BELAYD_STORM_BATCH:-50}
LAB_LOGS=daemons.log
LAB_LOG_LINES=12
LAB_KEEP_FAILED=1
# shellcheck source=cts/lib/lab-test.sh
. "$top_srcdir/cts/lib/lab-test.sh"

on() {
    local node=$1; shift
    lab run "$node" env -u BELAY_CIB_FILE -u BELAY_STATE_DIR -u BELAY_RUN_DIR -u BELAY_LOG_FILE \
        -u BELAY_CONFIG -u BELAY_CIB_IPC -u BELAY_EXECD_IPC "$@"
}
version() { on "$1" "$BELAY" cib version 2>/dev/null; }
logged() { grep -q -- "$2" "$LAB/$1/log/daemons.log" 2>/dev/null; }
count_logged() { grep -c -- "$2" "$LAB/$1/log/daemons.log" 2>/dev/null; }
run_file() { echo "$LAB/tmpfs/$1/run/belay/$2"; }
pid_of() { cat "$(run_file "$1" "$2.pid")" 2>/dev/null; }
alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }
same_version() {
    local v1 v2 v3
    v1=$(version node1); v2=$(version node2); v3=$(version node3)
    [ -n "$v1" ] && [ "$v1" = "$v2" ] && [ "$v2" = "$v3" ]
}
respawned_ready() { # NODE OLD_PID: a new belay-based, and belayd saw it ready again
    local p
    p=$(pid_of "$1" belay-based)
    alive "$p" && [ "$p" != "$2" ] && [ "$(count_logged "$1" 'belay-based: ready')" -ge "$3" ]
}

echo "1..9"
lab_up 3

mkdir -p "$LAB/sbin" "$LAB/ocf/resource.d"
ln -s "$top_builddir/daemons/based/belay-based" "$LAB/sbin/belay-based"
ln -s "$top_builddir/daemons/execd/belay-execd" "$LAB/sbin/belay-execd"
ln -s "$(cd "$top_srcdir/agents/ocf/belay" && pwd)" "$LAB/ocf/resource.d/belay"
for node in node1 node2 node3; do
    # state_dir and run_dir stay the defaults: the lab makes them the node's own.
    cat >"$LAB/$node/etc-belay/belay.conf" <<CONF
# belayd on $node (cts/belayd/threenodes.sh)
daemon_dir = $LAB/sbin
ocf_root = $LAB/ocf
log_file = $LAB/$node/log/daemons.log
respawn_delay = 200ms
stop_timeout = 10s
CONF
    lab spawn "$node" belayd env -u BELAY_STATE_DIR -u BELAY_RUN_DIR -u BELAY_LOG_FILE \
        -u BELAY_CONFIG -u BELAY_CIB_IPC -u BELAY_EXECD_IPC "$BELAYD"
done
all_up() {
    local node
    for node in node1 node2 node3; do
        logged "$node" "all daemons are ready" && logged "$node" "partition is quorate" || return 1
    done
}
check "belayd on each node starts its daemons from /etc/belay/belay.conf; all quorate" \
    wait_for all_up
check "the CIB lives in each node's default /var/lib/belay" \
    wait_for sh -c "'$LABSH' -w '$LAB' run node2 env -u BELAY_STATE_DIR '$BELAY' configure primitive first ocf:heartbeat:Dummy && test -e '$LAB/node3/var-lib-belay/cib.journal' -o -e '$LAB/node3/var-lib-belay/cib.xml'"

# The storm: node1 writes through the client API in batches of BATCH, from before the
# first kill until one batch after the second respawn, however fast belay-based is.
storm() {
    local b=0 last=0
    while [ "$last" = 0 ]; do
        [ -e "$LAB/storm.stop" ] && last=1
        on node1 "$WRITER" "$BATCH" "storm$b" >>"$LAB/storm.out" 2>>"$LAB/storm.err"
        echo "batch $b $?" >>"$LAB/storm.batches"
        b=$((b + 1))
    done
}
storm &
writer=$!
based_kills=0
for round in 1 2; do
    sleep 1
    old=$(pid_of node3 belay-based)
    if alive "$old" && alive "$writer"; then
        kill -9 "$old"
        based_kills=$((based_kills + 1))
        wait_for respawned_ready node3 "$old" $((round + 1))
    fi
done
touch "$LAB/storm.stop"
wait "$writer"
batches=$(wc -l <"$LAB/storm.batches")
refused=$(grep -vc ' 0$' "$LAB/storm.batches")
acked=$(grep -c '^acked ' "$LAB/storm.out")
echo "# storm: $acked writes acknowledged on node1 in $batches batches of $BATCH while node3's belay-based was killed $based_kills times"
check "node3's belay-based was killed with -9 twice during the storm" test "$based_kills" = 2
check "belayd on node3 logged both deaths and respawned it both times" \
    sh -c "test \$(grep -c 'belay-based: pid [0-9]* killed by signal 9' '$LAB/node3/log/daemons.log') = 2 && test \$(grep -c 'belay-based: respawned' '$LAB/node3/log/daemons.log') = 2"
check "the writer on node1 was never refused for good (all $((batches * BATCH)) acknowledged)" \
    sh -c "test $refused = 0 && test $acked = $((batches * BATCH))"
check "all three nodes converge on the same CIB version" wait_for same_version
all_everywhere() {
    local node res id
    for node in node1 node2 node3; do
        res=$(on "$node" "$BELAY" cib show --section resources 2>/dev/null) || return 1
        for id in $(grep '^acked ' "$LAB/storm.out" | cut -d' ' -f2); do
            echo "$res" | grep -q "id=\"$id\"" || { echo "# $id missing on $node"; return 1; }
        done
    done
}
check "every acknowledged write is on every node" all_everywhere

# SIGTERM: every belayd stops its daemons; nothing of them is left on any node.
pids=""
for node in node1 node2 node3; do
    pids="$pids $(pid_of "$node" belay-based) $(pgrep -P "$(pid_of "$node" belayd)" 2>/dev/null | tr '\n' ' ')"
    lab signal "$node" belayd TERM
done
stopped() {
    local node p
    for node in node1 node2 node3; do
        alive "$(cat "$LAB/$node/pids/belayd" 2>/dev/null)" && return 1
    done
    for p in $pids; do alive "$p" && return 1; done
    return 0
}
check "SIGTERM to belayd on each node: belayd and all its daemons are gone" wait_for stopped
check "each node's log shows execd stopped before based, and belayd exiting 0" \
    sh -c "for node in node1 node2 node3; do f='$LAB'/\$node/log/daemons.log; e=\$(grep -n 'belay-execd: stopped' \$f | cut -d: -f1); b=\$(grep -n 'belay-based: stopped' \$f | cut -d: -f1); [ -n \"\$e\" ] && [ -n \"\$b\" ] && [ \$e -lt \$b ] && grep -q 'exiting with status 0' \$f || exit 1; done"
exit $((failed > 0))
