# Shell tests of daemons on one private corosync node (cts/based/onenode.sh,
# cts/belayd/onenode.sh, cts/cibedit/live.sh) source this for the set-up they share: skip
# unless root, re-execute inside `unshare -n -m` (a network namespace, so the corosync
# meets no other, and a mount namespace with a private /run and /dev/shm for the IPC), a
# scratch directory, the state, run and log directories of the daemons in it, a corosync
# configuration for one node, TAP output and waiting. Needs $top_srcdir and $BELAY.
#
# Set before sourcing:
#   ONENODE_NAME        names the scratch directory (/tmp/bl-NAME-test-XXXXXX)
#   ONENODE_LOG         the daemons' log file name in it ($BELAY_LOG_FILE), e.g. based.log
#   ONENODE_SHOW        files in $work whose last lines not_ok prints (default: the log)
#   ONENODE_SHOW_LINES  how many of them (default 10)
#   ONENODE_PIDS        names of the variables holding the pids of the daemons the test
#                       starts, which the exit kills (corosync's, corosync_pid, always)
#   WAIT_TENTHS         how long wait_for waits, in tenths of a second (default 100)
# Sets work, BELAY_STATE_DIR, BELAY_RUN_DIR, BELAY_LOG_FILE, n and failed (TAP counters),
# corosync_pid; defines ok, not_ok, check, wait_for, logged, wait_quorate and, from
# solo-corosync.sh, start_corosync ($work/corosync.conf is written).

if [ "$(id -u)" != 0 ] || ! command -v corosync >/dev/null || ! command -v unshare >/dev/null; then
    echo "1..0 # SKIP needs root, corosync and unshare"
    exit 0
fi
if [ "${BL_ONENODE_INSIDE:-}" != 1 ]; then
    BL_ONENODE_INSIDE=1 BELAY="$BELAY" top_builddir="$top_builddir" top_srcdir="$top_srcdir" \
        exec unshare -n -m --propagation private sh "$0" "$@"
fi

mount -t tmpfs belay-test /run || exit 1
mount -t tmpfs belay-test /dev/shm || exit 1
ip link set lo up

work=$(mktemp -d "/tmp/bl-$ONENODE_NAME-test-XXXXXX")
export BELAY_STATE_DIR="$work/state" BELAY_RUN_DIR="$work/run"
export BELAY_LOG_FILE="$work/$ONENODE_LOG"
unset BELAY_CIB_FILE BELAY_CIB_FETCH BELAY_CIB_IPC BELAY_EXECD_IPC
mkdir -p "$BELAY_STATE_DIR" "$BELAY_RUN_DIR"
corosync_pid=
n=0
failed=0

# Kills what the test started (kill -9: a clean stop is the test's to check) and keeps
# $work when a check failed.
onenode_cleanup() {
    for var in ${ONENODE_PIDS:-} corosync_pid; do
        eval "pids=\${$var:-}"
        for pid in $pids; do
            kill -9 "$pid" 2>/dev/null
        done
    done
    wait 2>/dev/null
    if [ "$failed" = 0 ]; then
        rm -rf "$work"
    else
        echo "# the test's files are kept in $work"
    fi
}
trap onenode_cleanup EXIT

ok() {
    n=$((n + 1))
    echo "ok $n - $1"
}
not_ok() {
    n=$((n + 1))
    failed=1
    echo "not ok $n - $1"
    for file in ${ONENODE_SHOW:-$ONENODE_LOG}; do
        [ -f "$work/$file" ] && sed "s/^/# $file: /" "$work/$file" | tail -"${ONENODE_SHOW_LINES:-10}"
    done
}
check() { # check DESCRIPTION COMMAND...
    desc=$1
    shift
    if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}
# Waits until COMMAND succeeds (WAIT_TENTHS tenths of a second at most).
wait_for() {
    i=0
    while [ $i -lt "${WAIT_TENTHS:-100}" ]; do
        "$@" && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}
# The daemons' log has a line with PATTERN (grep's basic regular expression).
logged() { grep -q -- "$1" "$BELAY_LOG_FILE" 2>/dev/null; }
wait_quorate() { wait_for logged "partition is quorate"; }

. "$top_srcdir/cts/lib/solo-corosync.sh"
write_solo_corosync_conf
