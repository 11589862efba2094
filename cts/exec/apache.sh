#!/bin/sh
# ocf:heartbeat:apache for real, through `belay agent run`, with a private config on a
# test port: start -> curl gets the page; monitor 0; apache killed behind the agent's
# back -> monitor 7; start again; stop -> the port is closed; monitor 7.
. "$top_srcdir/agents/tests/tap.sh"
make_ocf_root

MODS=/usr/lib/apache2/modules
if [ ! -x /usr/sbin/apache2 ] || [ ! -e "$MODS/mod_mpm_event.so" ] || ! command -v curl >/dev/null 2>&1 \
   || [ ! -e "$OCF_ROOT/resource.d/heartbeat/apache" ] || ! id www-data >/dev/null 2>&1; then
    skip "needs apache2, curl and resource-agents"
    tap_done
fi
PORT=$((22000 + ($$ % 400) * 10))
WWW="$TEST_DIR/www"
CONF="$TEST_DIR/httpd.conf"
PIDFILE="$TEST_DIR/httpd.pid"
mkdir -p "$WWW"
chmod 755 "$TEST_DIR" "$WWW"
echo "belay apache test $$" > "$WWW/index.html"
chmod 644 "$WWW/index.html"
cat > "$CONF" <<CONF
ServerRoot $TEST_DIR
ServerName localhost
Listen 127.0.0.1:$PORT
PidFile $PIDFILE
ErrorLog $TEST_DIR/error.log
DefaultRuntimeDir $TEST_DIR
User www-data
Group www-data
LoadModule mpm_event_module $MODS/mod_mpm_event.so
LoadModule authz_core_module $MODS/mod_authz_core.so
LoadModule authz_host_module $MODS/mod_authz_host.so
LoadModule dir_module $MODS/mod_dir.so
LoadModule status_module $MODS/mod_status.so
DocumentRoot $WWW
DirectoryIndex index.html
<Directory $WWW>
    Require all granted
</Directory>
<Location /server-status>
    SetHandler server-status
    Require local
</Location>
CONF
cleanup() {
    if [ -f "$PIDFILE" ]; then
        kill "$(cat "$PIDFILE")" 2>/dev/null
        sleep 1
    fi
    rm -rf "$TEST_DIR"
}
trap cleanup EXIT

run() {
    agent_cli run ocf:heartbeat:apache "$@" --resource web --timeout 20s \
        --param configfile="$CONF" --param httpd=/usr/sbin/apache2 \
        --param statusurl="http://127.0.0.1:$PORT/server-status"
}
page() {
    curl -s --max-time 5 "http://127.0.0.1:$PORT/"
}

expect_rc "monitor before start is 7" 7 run monitor
expect_rc "start" 0 run start
check "curl gets the page" test "$(page)" = "belay apache test $$"
expect_rc "monitor is 0" 0 run monitor
expect_rc "start again is 0" 0 run start
PID=$(cat "$PIDFILE")
kill -TERM "$PID"
tries=50
while [ $tries -gt 0 ] && kill -0 "$PID" 2>/dev/null; do
    sleep 0.1
    tries=$((tries - 1))
done
expect_rc "monitor after apache was killed behind the agent's back is 7" 7 run monitor
expect_rc "start brings it back" 0 run start
check "and serves the page again" test "$(page)" = "belay apache test $$"
expect_rc "stop" 0 run stop
check "the port is closed" sh -c "! curl -s --max-time 2 http://127.0.0.1:$PORT/ >/dev/null"
expect_rc "monitor after stop is 7" 7 run monitor
expect_rc "stop again is 0" 0 run stop
# The agent's own choice: a missing config file means "not installed" here (5).
expect_rc "a missing config file fails the start with 5" 5 \
    agent_cli run ocf:heartbeat:apache start --resource web2 \
        --param configfile="$TEST_DIR/nope.conf" --param httpd=/usr/sbin/apache2
contains "and the agent's exit reason reaches the user" "Configuration file $TEST_DIR/nope.conf not found!"
tap_done
