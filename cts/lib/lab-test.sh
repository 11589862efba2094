# Shell tests on the multi-node lab (cts/cluster/lab.sh: real corosync in network
# namespaces) source this for the set-up they share: skip unless root, a fresh lab
# directory torn down on exit, TAP output and waiting. Needs bash and $top_srcdir.
#
# Set before sourcing (all optional):
#   LAB_LOGS         names of per-node logs ($LAB/NODE/log/NAME) whose last lines not_ok
#                    prints, e.g. "based.log"
#   LAB_LOG_LINES    how many of them (default 8)
#   LAB_KEEP_FAILED  1: keep $LAB when a check failed (for a look at every log)
# Sets LAB (the lab's directory), LABSH, WAIT_S ($BELAY_LAB_WAIT, default 30 s), n and
# failed (TAP counters); defines lab, ok, not_ok, check, wait_for and lab_up.

LABSH="$top_srcdir/cts/cluster/lab.sh"
WAIT_S=${BELAY_LAB_WAIT:-30}

if [ "$(id -u)" -ne 0 ]; then
    echo "1..0 # SKIP needs root for network namespaces and corosync"
    exit 0
fi

LAB=$(mktemp -d /tmp/belay-lab.XXXXXX)
LAB_NODES=""
n=0
failed=0

lab() { "$LABSH" -w "$LAB" "$@"; }

# shellcheck disable=SC2317  # called from the trap
lab_cleanup() {
    lab down >/dev/null 2>&1 || true
    if [ "${LAB_KEEP_FAILED:-0}" = 1 ] && [ "$failed" != 0 ]; then
        echo "# the lab's files are kept in $LAB"
    else
        rm -rf "$LAB"
    fi
}
trap lab_cleanup EXIT
trap 'exit 130' INT TERM HUP

ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() {
    n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"
    local node log
    for node in $LAB_NODES; do
        for log in ${LAB_LOGS:-}; do
            [ -f "$LAB/$node/log/$log" ] &&
                sed "s/^/# $node $log: /" "$LAB/$node/log/$log" | tail -"${LAB_LOG_LINES:-8}"
        done
    done
}
check() { # DESCRIPTION COMMAND...
    local desc=$1; shift
    if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# Waits until COMMAND succeeds (WAIT_S at most).
wait_for() {
    local start=$SECONDS
    while [ $((SECONDS - start)) -lt "$WAIT_S" ]; do
        "$@" && return 0
        sleep 0.1
    done
    return 1
}

# lab_up N: nodes node1..nodeN with corosync, all quorate; bails out of the test if not.
lab_up() {
    local i
    if ! lab up "$1" 2>"$LAB.up.log"; then
        sed 's/^/# /' "$LAB.up.log"; rm -f "$LAB.up.log"
        echo "Bail out! the lab did not come up"
        exit 1
    fi
    rm -f "$LAB.up.log"
    LAB_NODES=""
    for i in $(seq 1 "$1"); do LAB_NODES="$LAB_NODES node$i"; done
}
