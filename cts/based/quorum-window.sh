#!/usr/bin/env bash
# The window between corosync's two reports of a partition: CPG tells belay-based of the
# new membership, votequorum of the new quorum, separately. Here every belay-based takes
# votequorum's news 5 s late (BELAY_TEST_QUORUM_DELAY_MS), as a loaded node may, and node3
# is cut off. Writes made in the window must count as made without quorum: node3 refuses a
# configuration write and marks its CIB as a minority's for its status writes, so that at
# the heal the majority's CIB wins although node3's version is higher; node1, whose
# partition turns out quorate, drops the mark its own write in the window got.
# The wait for votequorum is reported as overdue after 2 s here
# (BELAY_TEST_QUORUM_OVERDUE_MS; 10 s in production): node3 must still refuse configuration
# writes then, since votequorum's last word (quorate, before the cut) no longer holds.
# Needs root; skipped otherwise.
set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
BELAY=${BELAY:-$top_builddir/tools/belay}
BASED="$top_builddir/daemons/based/belay-based"
DELAY_MS=5000
OVERDUE_MS=2000
LAB_LOGS=based.log
LAB_LOG_LINES=15
# shellcheck source=cts/lib/lab-test.sh
. "$top_srcdir/cts/lib/lab-test.sh"

on() { local node=$1; shift; lab run "$node" env -u BELAY_CIB_FILE "$@"; }
version() { on "$1" "$BELAY" cib version 2>/dev/null; }
same_version() {
    local v1 v2 v3
    v1=$(version node1); v2=$(version node2); v3=$(version node3)
    [ -n "$v1" ] && [ "$v1" = "$v2" ] && [ "$v2" = "$v3" ]
}
count() { grep -c -- "$2" "$LAB/$1/log/based.log" 2>/dev/null; }
test_gt() { [ "$(count "$1" "$2")" -gt "$3" ]; }
status_names() { on "$1" "$BELAY" cib query --xpath "//status//nvpair" 2>/dev/null | grep -o 'name="[^"]*"'; }
count_status() { status_names "$1" | grep -c "$2"; }
minority_file() { test -e "$LAB/$1/var-lib-belay/cib.minority"; }
majority_everywhere() {
    local node
    for node in node1 node2 node3; do
        [ "$(count_status $node kept)" = 1 ] && [ "$(count_status $node window)" = 0 ] || return 1
    done
}

echo "1..13"
lab_up 3
for node in node1 node2 node3; do
    lab spawn "$node" based env BELAY_LOG_FILE="$LAB/$node/log/based.log" \
        BELAY_TEST_QUORUM_DELAY_MS=$DELAY_MS BELAY_TEST_QUORUM_OVERDUE_MS=$OVERDUE_MS "$BASED"
done
all_quorate() {
    local node
    for node in node1 node2 node3; do test_gt "$node" "partition is quorate" 0 || return 1; done
}
check "belay-based runs on all three nodes, taking votequorum's news $DELAY_MS ms late" \
    wait_for all_quorate
on node1 "$BELAY" configure node node1
on node1 "$BELAY" configure node node3
wait_for same_version

# Cut node3 off; act on each side as soon as CPG has told belay-based, before votequorum's
# news is taken in.
alone3=$(count node3 'CIB group membership: 1 member')
pair1=$(count node1 'CIB group membership: 2 member')
lost3=$(count node3 'partition is NOT quorate')
# (the syslog-style copy of each line: the log holds another, prefixed "belay-based: ")
overdue_line='belay-based\[[0-9]*\] error: votequorum has not agreed with the CIB group.s membership'
over3=$(count node3 "$overdue_line")
at_last1=$(count node1 'membership at last, after more than [0-9]* ms: quorate')
lab cut node3
wait_for test_gt node3 'CIB group membership: 1 member' "$alone3"
on node3 env BELAY_CIB_RETRY_S=1 "$BELAY" configure primitive lonely ocf:heartbeat:Dummy \
    >"$LAB/lonely.out" 2>&1
lonely_rc=$?
for i in 1 2 3; do on node3 "$BELAY" node status-attr node3 set window$i 1; done
in_window3=$(count node3 'partition is NOT quorate')
early3=$(count node3 "$overdue_line")
wait_for test_gt node3 "$overdue_line" "$over3"
on node3 env BELAY_CIB_RETRY_S=1 "$BELAY" configure primitive overdue ocf:heartbeat:Dummy \
    >"$LAB/overdue.out" 2>&1
overdue_rc=$?
overdue_window3=$(count node3 'partition is NOT quorate')
wait_for test_gt node1 'CIB group membership: 2 member' "$pair1"
on node1 "$BELAY" node status-attr node1 set kept 1
check "node3's writes came in the window: votequorum's news was not taken in yet" \
    test "$in_window3" = "$lost3"
check "node3 refused a configuration write in the window, saying it has no quorum" \
    sh -c "test $lonely_rc != 0 && grep -q quorum '$LAB/lonely.out'"
check "node3 took its three status writes and marked its CIB as a minority's" minority_file node3
overdue_once() {
    test "$early3" = "$over3" && test "$(count node3 "$overdue_line")" = $((over3 + 1)) &&
        test_gt node3 "$overdue_line (1 members) after $OVERDUE_MS ms; the partition stays" 0
}
check "node3 reported the wait for votequorum as overdue after $OVERDUE_MS ms, once, not before its writes" \
    overdue_once
check "overdue, node3 still refused a configuration write before votequorum's news came" \
    sh -c "test $overdue_rc != 0 && grep -q quorum '$LAB/overdue.out' && test $overdue_window3 = $lost3"
check "when votequorum's news comes, node3 says the overdue wait is over: not quorate" \
    wait_for grep -q "votequorum agrees with the CIB group's membership at last, after more than $OVERDUE_MS ms: not quorate" "$LAB/node3/log/based.log"
check "node1, once votequorum agrees its partition is quorate, drops the mark" \
    wait_for sh -c "test \$(grep -c 'membership at last, after more than $OVERDUE_MS ms: quorate' '$LAB/node1/log/based.log') -gt $at_last1 && ! test -e '$LAB/node1/var-lib-belay/cib.minority'"
v3=$(version node3 | cut -d' ' -f1-3 | tr ' ' '.')
want=$(version node1 | cut -d' ' -f1-3 | tr ' ' '.')
check "cut off, node3 is at $v3, above the majority's $want" \
    test "${v3##*.}" -gt "${want##*.}" -a "${v3%.*}" = "${want%.*}"
check "node3 still holds its writes from the window" test "$(count_status node3 window)" = 3

lab heal node3
check "healed, node3 takes the majority's CIB although its version was higher" \
    wait_for sh -c "grep -q 'CIB sync: took the CIB $want from node [12] ' '$LAB/node3/log/based.log'"
check "every node has the majority's status and none of node3's window writes" \
    wait_for majority_everywhere
check "and all three report the same version" wait_for same_version
exit $((failed > 0))
