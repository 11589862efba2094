#!/bin/sh
# ocf:belay:etcd for real: a 3-member etcd on loopback ports run as three resources
# through `belay agent run`: all healthy and serving, one stopped -> the others still
# healthy and its monitor 7; configuration errors; ocf-tester on a one-member cluster.
. "$(dirname "$0")/tap.sh"
make_ocf_root

if ! command -v etcd >/dev/null 2>&1 || ! command -v etcdctl >/dev/null 2>&1; then
    skip "etcd not installed (Debian packages etcd-server, etcd-client)"
    tap_done
fi
# A block of 20 loopback ports, BASE..BASE+19, that nothing uses, below the ephemeral
# range (so outgoing connections do not take them meanwhile) and held for the test's life
# by a lock on /tmp/belay-ports-BASE.lock on fd 9: the kernel drops the lock when we exit,
# even killed, and a concurrent run that draws the same block skips it.
pick_ports() {
    tries=0
    while [ $tries -lt 100 ]; do
        tries=$((tries + 1))
        BASE=$((10000 + ($(od -An -N2 -tu2 /dev/urandom) % 500) * 20))
        exec 9>"/tmp/belay-ports-$BASE.lock"
        if flock -n 9 && [ -z "$(ss -Htan "( sport >= :$BASE and sport <= :$((BASE + 19)) )")" ]; then
            return 0
        fi
        exec 9>&-
    done
    return 1
}
if ! command -v flock >/dev/null 2>&1 || ! command -v ss >/dev/null 2>&1 || ! pick_ports; then
    skip "no free block of loopback ports (or flock/ss missing)"
    tap_done
fi
echo "# etcd ports $BASE..$((BASE + 19))"
CLUSTER=""
for i in 1 2 3; do
    CLUSTER="${CLUSTER:+$CLUSTER,}m$i=http://127.0.0.1:$((BASE + i))"
done
# On failure, each log of each start: the head says why etcd stopped early, the tail
# how it ended.
print_logs() {
    for f in "$TEST_DIR"/*.log; do
        [ -f "$f" ] || continue
        echo "# --- $(basename "$f") ($(wc -l <"$f") lines)"
        if [ "$(wc -l <"$f")" -le 40 ]; then
            sed "s|^|# $(basename "$f"): |" "$f"
        else
            head -20 "$f" | sed "s|^|# $(basename "$f"): |"
            echo "# $(basename "$f"): ..."
            tail -20 "$f" | sed "s|^|# $(basename "$f"): |"
        fi
    done
}
stop_all() {
    for i in 1 2 3; do
        member m$i stop >/dev/null 2>&1
    done
    if [ "$TAP_FAILED" = 1 ]; then
        print_logs
    fi
    rm -rf "$TEST_DIR"
}
trap stop_all EXIT

# The log of the next start of member $1: a file of its own for each start
# (m1.start1.log, m1.start2.log...), so a restart does not bury what the first said.
next_log() {
    k=1
    while [ -e "$TEST_DIR/$1.start$k.log" ]; do
        k=$((k + 1))
    done
    echo "$TEST_DIR/$1.start$k.log"
}

member() {
    m=$1
    i=${m#m}
    shift
    action=$1
    shift
    log="$TEST_DIR/$m.other.log"
    if [ "$action" = start ]; then
        log=$(next_log "$m")
        : >"$log"
    fi
    agent_cli run ocf:belay:etcd "$action" --resource "etcd-$m" --timeout 60s \
        --param name="$m" --param data_dir="$TEST_DIR/$m.data" \
        --param peer_urls="http://127.0.0.1:$((BASE + i))" \
        --param client_urls="http://127.0.0.1:$((BASE + 10 + i))" \
        --param initial_cluster="$CLUSTER" --param pid_file="$TEST_DIR/$m.pid" \
        --param log_file="$log" "$@"
}

# Monitor until it returns $2 (members need a moment to elect a leader); 30 s at most.
monitor_until() {
    tries=150
    while [ $tries -gt 0 ]; do
        member "$1" monitor >/dev/null 2>&1
        [ $? -eq "$2" ] && return 0
        sleep 0.2
        tries=$((tries - 1))
    done
    return 1
}

expect_rc "monitor of a member never started is 7" 7 member m1 monitor
for m in m1 m2 m3; do
    expect_rc "start $m" 0 member $m start
done
for m in m1 m2 m3; do
    check "$m becomes healthy (monitor 0)" monitor_until $m 0
done
check "a value written through m1" sh -c "etcdctl --endpoints=http://127.0.0.1:$((BASE + 11)) put belay-key hello >/dev/null"
OUT=$(etcdctl --endpoints=http://127.0.0.1:$((BASE + 13)) get --print-value-only belay-key 2>&1)
check "is read back through m3" test "$OUT" = "hello"
expect_rc "start of a running member is 0" 0 member m1 start
expect_rc "stop m2" 0 member m2 stop
expect_rc "monitor of the stopped member is 7" 7 member m2 monitor
check "m1 is still healthy" monitor_until m1 0
check "m3 is still healthy" monitor_until m3 0
expect_rc "stop of a stopped member is 0" 0 member m2 stop
expect_rc "m2 restarts from its data" 0 member m2 start
check "and is healthy again" monitor_until m2 0
for m in m1 m2 m3; do
    expect_rc "stop $m" 0 member $m stop
done
# [-]: the pattern must not match the shell running pgrep.
check "no etcd of ours is left" sh -c "! pgrep -f -- '[-]-initial-cluster $CLUSTER' >/dev/null"

expect_rc "a missing etcd binary is 5" 5 member m1 start --param binary=/nonexistent/etcd
contains "with a reason" "exit reason: etcd binary '/nonexistent/etcd' not found"
expect_rc "a name missing from initial_cluster is 6" 6 member m1 validate-all --param name=m9
contains "with a reason" "initial_cluster does not name this member 'm9'"
expect_rc "a missing required parameter is 6" 6 \
    agent_cli run ocf:belay:etcd validate-all --param name=m1
contains "naming it" "required parameter data_dir is not set"
expect_rc "a bad initial_cluster_state is 6" 6 member m1 validate-all --param initial_cluster_state=old
# A member that cannot run (its client port is taken by m1) fails its start.
expect_rc "start m1 alone" 0 member m1 start
expect_rc "a second member on m1's ports fails to start" 1 \
    agent_cli run ocf:belay:etcd start --resource etcd-clash --timeout 30s \
        --param name=m2 --param data_dir="$TEST_DIR/clash.data" \
        --param peer_urls="http://127.0.0.1:$((BASE + 1))" \
        --param client_urls="http://127.0.0.1:$((BASE + 11))" \
        --param initial_cluster="$CLUSTER" --param pid_file="$TEST_DIR/clash.pid" \
        --param log_file="$TEST_DIR/clash.log"
contains "saying etcd exited" "exit reason: etcd exited during start"
expect_rc "stop m1" 0 member m1 stop

if command -v ocf-tester >/dev/null 2>&1; then
    P=$((BASE + 8))
    C=$((BASE + 9))
    OUT=$(ocf-tester -n t-etcd -o name=solo -o data_dir="$TEST_DIR/solo.data" \
        -o peer_urls=http://127.0.0.1:$P -o client_urls=http://127.0.0.1:$C \
        -o initial_cluster=solo=http://127.0.0.1:$P -o pid_file="$TEST_DIR/solo.pid" \
        -o log_file="$TEST_DIR/solo.log" "$top_srcdir/agents/ocf/belay/etcd" 2>&1)
    case "$OUT" in
        *"passed all tests"*) ok "ocf-tester passes ocf:belay:etcd" ;;
        *) not_ok "ocf-tester ocf:belay:etcd"; printf '%s\n' "$OUT" | sed 's/^/# /' ;;
    esac
else
    skip "ocf-tester not installed"
fi
tap_done
