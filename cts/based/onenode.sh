#!/bin/sh
# belay-based on one node: a private corosync (own network and mount namespace, so it
# meets no other corosync and its IPC lives in a private /run and /dev/shm), the daemon,
# and `belay` in live mode. Needs root; skipped otherwise.
#
# Re-executes itself inside `unshare -n -m` (cts/lib/onenode.sh); the test body runs there.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
BELAY=${BELAY:-$top_builddir/tools/belay}
BASED=$top_builddir/daemons/based/belay-based

ONENODE_NAME=based
ONENODE_LOG=based.log
ONENODE_SHOW="out based.log"
ONENODE_SHOW_LINES=20
ONENODE_PIDS=based_pid
based_pid=
# shellcheck source=cts/lib/onenode.sh
. "$top_srcdir/cts/lib/onenode.sh"

# ready when it answers and has joined CPG (a write would say so otherwise)
based_ready() { "$BELAY" cib version >/dev/null 2>&1 && logged "connected to corosync"; }
start_based() {
    env ${BASED_ENV:-} "$BASED" >>"$work/based.out" 2>&1 &
    based_pid=$!
    wait_for based_ready
}

echo "1..42"
start_corosync
check "belay-based starts, loads an empty CIB and joins CPG" start_based
check "the single node is quorate" wait_quorate
check "its pid is in BELAY_RUN_DIR/belay-based.pid" test "$(cat "$BELAY_RUN_DIR/belay-based.pid" 2>/dev/null)" = "$based_pid"
v0=$("$BELAY" cib version)
check "cib version prints admin_epoch epoch num_updates digest" \
    sh -c "echo '$v0' | grep -Eq '^0 0 0 [0-9a-f]{64}$'"

check "a live configure write is acknowledged" "$BELAY" configure primitive web \
    ocf:heartbeat:apache params configfile=/etc/apache2/apache2.conf
check "the write is in the daemon's CIB" sh -c "'$BELAY' cib show --section resources | grep -q 'id=\"web\"'"
check "and on disk in the state directory's journal before the acknowledgement" \
    sh -c "grep -q 'id=\"web\"' '$BELAY_STATE_DIR/cib.journal' || grep -q 'id=\"web\"' '$BELAY_STATE_DIR/cib.xml'"
in_cib_xml() { grep -q "id=\"$1\"" "$BELAY_STATE_DIR/cib.xml" 2>/dev/null; }
check "and in cib.xml once writes pause" wait_for in_cib_xml web
v1=$("$BELAY" cib version)
check "the write bumped the epoch" sh -c "echo '$v1' | grep -q '^0 1 0 '"

if "$BELAY" configure colocation bad inf: web missing-rsc >"$work/out" 2>&1; then
    not_ok "an invalid write is refused"
else
    check "an invalid write is refused with a reason" grep -q "missing-rsc" "$work/out"
fi
check "the refused write changed nothing" test "$("$BELAY" cib version)" = "$v1"

# 20 acknowledged writes, then kill -9 and restart: every one is still there.
i=0
acked=0
while [ $i -lt 20 ]; do
    if "$BELAY" configure primitive d$i ocf:heartbeat:Dummy >/dev/null 2>&1; then
        acked=$((acked + 1))
    fi
    i=$((i + 1))
done
check "20 writes in a row are acknowledged" test "$acked" = 20
kill -9 "$based_pid"
wait "$based_pid" 2>/dev/null
based_pid=
before=$v1
start_based
i=0
missing=0
while [ $i -lt 20 ]; do
    "$BELAY" cib show --section resources | grep -q "id=\"d$i\"" || missing=$((missing + 1))
    i=$((i + 1))
done
check "after kill -9 and restart every acknowledged write is there" test "$missing" = 0
check "the restarted daemon has the version of the last write" \
    sh -c "'$BELAY' cib version | grep -q '^0 21 0 '"

# A damaged cib.xml is refused; the newest intact archive is used and the log says so.
kill -9 "$based_pid"
wait "$based_pid" 2>/dev/null
based_pid=
printf 'garbage' >>"$BELAY_STATE_DIR/cib.xml"
start_based
check "a damaged cib.xml is refused and the log names the archive used" \
    grep -q "refused the damaged $BELAY_STATE_DIR/cib.xml: .*; loaded the archive .*/cib-[0-9]*.xml instead" "$BELAY_LOG_FILE"
archive=$(grep -o "loaded the archive [^ ]*" "$BELAY_LOG_FILE" | tail -1 | cut -d' ' -f4)
check "the daemon serves the archive's CIB ($(basename "$archive"))" \
    sh -c "'$BELAY' cib version | grep -q \"^0 $(grep -o ' epoch="[0-9]*"' "$archive" | head -1 | tr -dc 0-9) 0 \""
check "writes go on after the recovery" "$BELAY" configure primitive after ocf:heartbeat:Dummy
check "and are persisted as an intact cib.xml again" wait_for in_cib_xml after

# Change notifications: a subscriber sees each write's diff, in order.
"$top_builddir/cts/based/bl-cib-watch" 3 >"$work/watch" 2>&1 &
watch_pid=$!
wait_for grep -q subscribed "$work/watch"
for id in w1 w2 w3; do "$BELAY" configure primitive $id ocf:heartbeat:Dummy; done
wait $watch_pid
v=$("$BELAY" cib version | cut -d' ' -f2)
check "a subscriber gets the three writes' diffs in order" \
    test "$(grep ^diff "$work/watch" | cut -d' ' -f1-3 | tr '\n' ' ')" = "diff 0.$((v - 3)).0 0.$((v - 2)).0 diff 0.$((v - 2)).0 0.$((v - 1)).0 diff 0.$((v - 1)).0 0.$v.0 "

# XPath queries through the daemon: matches, no match (exit 3), a bad expression (exit 4).
out=$("$BELAY" cib query --xpath "//primitive[@id='web']")
check "cib query --xpath prints the matching element" \
    sh -c "echo '$out' | grep -q '<primitive id=\"web\" class=\"ocf\" provider=\"heartbeat\" type=\"apache\"'"
check "and only it" test "$(echo "$out" | grep -c '<primitive')" = 1
check "an expression matching several elements prints each" \
    test "$("$BELAY" cib query --xpath '//primitive[starts-with(@id, "w")]' | grep -c '<primitive')" = 4
"$BELAY" cib query --xpath "//primitive[@id='nope']" >"$work/out" 2>&1
check "no match: exit status 3 and a message" sh -c "test $? = 3 && grep -q 'no element matches' '$work/out'"
"$BELAY" cib query --xpath "//primitive[@id=" >"$work/out" 2>&1
check "a bad expression: exit status 4 and a message naming it" \
    sh -c "test $? = 4 && grep -q \"xpath '//primitive\\[@id=': invalid expression\" '$work/out'"
check "cib show --section fetches one section from the daemon" \
    sh -c "'$BELAY' cib show --section crm_config | head -1 | grep -q '^<crm_config'"

# A subscriber that stops reading: its buffer fills, changes are dropped, and once it
# reads again it is told to re-read the CIB before any later change — never a silent gap.
rm -f "$work/go"
BL_WATCH_QUIET_MS=3000 "$top_builddir/cts/based/bl-cib-watch" 1000 "$work/go" >"$work/slow" 2>&1 &
watch_pid=$!
wait_for grep -q subscribed "$work/slow"
BL_WRITER_PAD=200000 "$top_builddir/cts/based/bl-cib-writer" 40 pad >"$work/padded" 2>&1
check "40 writes of 200 kB diffs are acknowledged while a subscriber does not read" \
    grep -q "^# 40 writes acknowledged" "$work/padded"
check "the daemon says the subscriber's buffer is full" grep -q "subscriber: its buffer is full" "$BELAY_LOG_FILE"
touch "$work/go"
wait_for grep -q resync "$work/slow"
"$BELAY" configure primitive after-resync ocf:heartbeat:Dummy
wait $watch_pid
last=$("$BELAY" cib version | cut -d' ' -f1-3 | tr ' ' '.')
check "once it reads again it gets 'resync needed'" grep -q "^resync" "$work/slow"
check "the diffs before it follow each other without a gap" sh -c "sed -n '/^diff/p;/^resync/q' '$work/slow' | awk 'NR > 1 && \$2 != prev { exit 1 } { prev = \$3 }'"
check "and the next change comes after it, as a diff" \
    sh -c "sed -n '/^resync/,\$p' '$work/slow' | grep -q '^diff .* $last '"

# Subscribers hear of a change only once it is on disk, as the writer does: with every
# fdatasync of the daemon slowed down by 400 ms (an LD_PRELOAD shim that logs when each
# one returned), each notification must come after the sync of its journal record.
if ${CC:-cc} -shared -fPIC -o "$work/slow-fdatasync.so" "$top_srcdir/cts/based/slow-fdatasync.c" \
    -ldl >"$work/cc.out" 2>&1; then
    kill -TERM "$based_pid"
    wait "$based_pid"
    BASED_ENV="LD_PRELOAD=$work/slow-fdatasync.so BL_SLOW_SYNC_MS=400 BL_SLOW_SYNC_LOG=$work/synced ASAN_OPTIONS=verify_asan_link_order=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
    start_based
    BASED_ENV=
    : >"$work/synced"
    "$top_builddir/cts/based/bl-cib-watch" 3 >"$work/durable" 2>&1 &
    watch_pid=$!
    wait_for grep -q subscribed "$work/durable"
    for id in durable1 durable2 durable3; do "$BELAY" configure primitive $id ocf:heartbeat:Dummy; done
    wait $watch_pid
    check "with fdatasync slowed down, three writes are synced and notified" \
        sh -c "test \$(grep -c '^synced' '$work/synced') -ge 3 && test \$(grep -c '^diff' '$work/durable') = 3"
    # the k-th notification must come after at least k syncs
    check "each notification comes after its change was synced to disk" \
        awk 'FNR == NR { synced[NR] = $2; n = NR; next }
             /^diff/ { k++; after = 0; for (i = 1; i <= n; i++) if (synced[i] <= $4) after++;
                       if (after < k) { print "# notification " k " came before its sync"; bad = 1 } }
             END { exit bad }' "$work/synced" "$work/durable"
    kill -TERM "$based_pid"
    wait "$based_pid"
    check "and the daemon restarted without the shim serves the same CIB" start_based
else
    sed 's/^/# /' "$work/cc.out"
    for i in 1 2 3; do ok "# SKIP no C compiler to build the slow-fdatasync shim"; done
fi

# Messages larger than the IPC buffer (4 MB) travel in frames: a CIB of 10,800 running
# primitives with their status (8.5 MB; admin_epoch 1 makes it newer) replaces the CIB
# through `belay cib replace` and comes back byte for byte through `belay cib show`; a
# subscriber gets the diff of the replacement, larger still, whole. (The root's attributes
# are given in the order the daemon writes them, versions first, so bytes can compare.)
"$top_builddir/cts/bench/scheduler/bl-gen-cib" --nodes 3 --resources 10800 --state running |
    sed '1s/.*/<cib admin_epoch="1" epoch="1" num_updates="0" validate-with="pacemaker-3.9" crm_feature_set="3.16.1" have-quorum="1" dc-uuid="1">/' \
    >"$work/big.xml"
size=$(wc -c <"$work/big.xml")
BL_WATCH_QUIET_MS=300000 "$top_builddir/cts/based/bl-cib-watch" 1 >"$work/bigwatch" 2>&1 &
watch_pid=$!
wait_for grep -q subscribed "$work/bigwatch"
check "belay cib replace sends a CIB of $size bytes (> 8 MB) to the daemon, which takes it" \
    sh -c "test $size -gt 8388608 && '$BELAY' cib replace '$work/big.xml' >'$work/out' 2>&1"
"$BELAY" cib show >"$work/big.out" 2>"$work/big.err"
check "belay cib show returns it byte for byte" cmp "$work/big.xml" "$work/big.out"
check "the daemon reports its version" sh -c "'$BELAY' cib version | grep -q '^1 1 0 '"
wait $watch_pid
check "a subscriber gets the replacement's diff whole" \
    sh -c "grep -q '^diff 0\.[0-9]*\.[0-9]* 1\.1\.0 ' '$work/bigwatch'"
check "a live write on top of it reads and patches the large CIB" \
    sh -c "'$BELAY' configure primitive on-big ocf:heartbeat:Dummy && '$BELAY' cib show --section resources | grep -q 'id=\"on-big\"'"

# Access: members of haclient may use the CIB, other users are refused outright.
if getent group haclient >/dev/null && getent passwd hacluster >/dev/null && command -v setpriv >/dev/null; then
    check "a member of haclient (hacluster) may read the CIB" \
        sh -c "setpriv --reuid=hacluster --regid=haclient --init-groups '$BELAY' cib version >/dev/null"
    check "and write it" setpriv --reuid=hacluster --regid=haclient --init-groups \
        "$BELAY" configure primitive by-hacluster ocf:heartbeat:Dummy
else
    ok "# SKIP no user hacluster in group haclient on this machine"
    ok "# SKIP no user hacluster in group haclient on this machine"
fi
if setpriv --reuid=nobody --regid=nogroup --clear-groups "$BELAY" cib version >"$work/out" 2>&1; then
    not_ok "a user outside haclient (nobody) is refused"
else
    check "a user outside haclient (nobody) is refused" grep -qi "belay-based.*permission denied" "$work/out"
fi

# SIGTERM: a clean stop (under ASan a leak or memory error makes the exit status non-zero).
kill -TERM "$based_pid"
wait "$based_pid"
rc=$?
based_pid=
check "SIGTERM stops belay-based cleanly (exit 0, no sanitizer report, pid file gone)" \
    sh -c "test $rc = 0 && ! grep -q Sanitizer '$work/based.out' && ! test -e '$BELAY_RUN_DIR/belay-based.pid'"
exit $failed
