#!/bin/sh
# ocf:heartbeat:mysql for real (MariaDB), through `belay agent run`, with a private
# datadir and socket and no network: start -> `mysql -e 'SELECT 1'` works; monitor 0;
# stop -> the socket is gone; monitor 7.
. "$top_srcdir/agents/tests/tap.sh"
make_ocf_root

if ! command -v mysqld_safe >/dev/null 2>&1 || ! command -v mysql >/dev/null 2>&1 \
   || [ ! -e "$OCF_ROOT/resource.d/heartbeat/mysql" ] || ! id mysql >/dev/null 2>&1; then
    skip "needs mariadb-server, mariadb-client and resource-agents"
    tap_done
fi
chmod 755 "$TEST_DIR"
SOCK="$TEST_DIR/run/mysqld.sock"
PIDFILE="$TEST_DIR/run/mysqld.pid"
printf '[mysqld]\nskip-networking\n' > "$TEST_DIR/my.cnf"
chmod 644 "$TEST_DIR/my.cnf"
# The agent wants the datadir to exist; enable_creation fills it on first start.
mkdir "$TEST_DIR/data" "$TEST_DIR/run"
chown mysql:mysql "$TEST_DIR/data" "$TEST_DIR/run"
cleanup() {
    if [ -f "$PIDFILE" ]; then
        kill "$(cat "$PIDFILE")" 2>/dev/null
        sleep 2
    fi
    rm -rf "$TEST_DIR"
}
trap cleanup EXIT

run() {
    agent_cli run ocf:heartbeat:mysql "$@" --resource db --timeout 120s \
        --param config="$TEST_DIR/my.cnf" --param datadir="$TEST_DIR/data" \
        --param socket="$SOCK" --param pid="$PIDFILE" --param log="$TEST_DIR/run/error.log" \
        --param enable_creation=1
}

expect_rc "monitor before start is 7" 7 run monitor
expect_rc "start (creates the database)" 0 run start
OUT=$(mysql --socket="$SOCK" --user=root -N -e 'SELECT 1' 2>&1)
check "mysql -e 'SELECT 1' works through the private socket" test "$OUT" = "1"
expect_rc "monitor is 0" 0 run monitor
expect_rc "start again is 0" 0 run start
expect_rc "stop" 0 run stop
check "the socket is gone" test ! -S "$SOCK"
expect_rc "monitor after stop is 7" 7 run monitor
expect_rc "stop again is 0" 0 run stop
tap_done
