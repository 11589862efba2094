#!/bin/sh
# belayd on one node: a private corosync (own network and mount namespace, private /run
# and /dev/shm), belayd starting belay-based then belay-execd from a private config, the
# live CLI through them; kill -9 of each daemon (respawned, no acknowledged write lost),
# SIGTERM (reverse order, nothing left), a bad config (nothing started) and a daemon in a
# crash loop (belayd gives up and says so). Needs root; skipped otherwise.
#
# Re-executes itself inside `unshare -n -m` (cts/lib/onenode.sh); the test body runs there.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
BELAY=${BELAY:-$top_builddir/tools/belay}
BELAYD=$top_builddir/daemons/belayd/belayd
WAIT_TENTHS=${BELAYD_WAIT_TENTHS:-200}

ONENODE_NAME=belayd
ONENODE_LOG=belayd.log
ONENODE_SHOW_LINES=25
ONENODE_PIDS="belayd_pid seen_pids"
belayd_pid=
seen_pids=""
# shellcheck source=cts/lib/onenode.sh
. "$top_srcdir/cts/lib/onenode.sh"
export BELAY_CONFIG=$work/belay.conf
log=$BELAY_LOG_FILE

alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }
dead() { ! alive "$1"; }
pid_of() { cat "$BELAY_RUN_DIR/$1.pid" 2>/dev/null; }
# pid of DAEMON from the pid file, once it is a new one (not OLD)
new_pid() { # DAEMON OLD
    p=$(pid_of "$1")
    [ -n "$p" ] && [ "$p" != "$2" ] && alive "$p"
}
line_of() { grep -n -- "$1" "$log" | head -1 | cut -d: -f1; }

# The daemons run from a directory of their own, so the crash-loop case can swap one.
mkdir -p "$work/sbin" "$work/ocf/resource.d" "$work/conf-state"
ln -s "$top_builddir/daemons/based/belay-based" "$work/sbin/belay-based"
ln -s "$top_builddir/daemons/execd/belay-execd" "$work/sbin/belay-execd"
ln -s "$(cd "$top_srcdir/agents/ocf/belay" && pwd)" "$work/ocf/resource.d/belay"
write_conf() { # DAEMON_DIR RESPAWN_MAX
    cat >"$BELAY_CONFIG" <<CONF
# belayd test configuration
daemon_dir = $1
ocf_root = $work/ocf
# overridden by BELAY_STATE_DIR: nothing may land here
state_dir = $work/conf-state
respawn_max = $2
respawn_window = 60s
respawn_delay = 200ms
respawn_delay_max = 1s
start_timeout = 20s
stop_timeout = 5s
CONF
}

echo "1..31"

# A bad configuration: one line naming file, line and key; nothing started.
write_conf "$work/sbin" 5
printf 'respawn_maxx = 3\n' >>"$BELAY_CONFIG"
"$BELAYD" >"$work/bad.out" 2>&1
rc=$?
check "a misspelt key is refused (exit 78) with one line naming file, line and key" \
    sh -c "test $rc = 78 && test \$(wc -l <'$work/bad.out') = 1 && grep -q \"^belayd: $BELAY_CONFIG: line 12: unknown key 'respawn_maxx' (did you mean 'respawn_max'?)\$\" '$work/bad.out'"
write_conf "$work/sbin" 5
printf 'stop_timeout = 5s\n' >>"$BELAY_CONFIG"
sed -i 's/^respawn_delay = 200ms/respawn_delay = fast/' "$BELAY_CONFIG"
"$BELAYD" >"$work/bad.out" 2>&1
rc=$?
check "a bad value is refused naming its line and key" \
    sh -c "test $rc = 78 && grep -q \"line 8: respawn_delay: 'fast' is not a positive duration\" '$work/bad.out'"
check "and nothing was started (no pid file, no log, no CIB IPC)" \
    sh -c "! test -e '$BELAY_RUN_DIR/belayd.pid' && ! test -e '$log' && ! '$BELAY' cib version >/dev/null 2>&1"
"$BELAYD" --config "$work/nonexistent.conf" >"$work/bad.out" 2>&1
rc=$?
check "a --config file that does not exist is an error" \
    sh -c "test $rc = 78 && grep -q 'nonexistent.conf' '$work/bad.out'"

start_corosync
write_conf "$work/sbin" 5
"$BELAYD" >>"$work/belayd.out" 2>&1 &
belayd_pid=$!
check "belayd starts belay-based and belay-execd; both become ready" \
    wait_for logged "all daemons are ready"
check "belay-execd was started only after belay-based was ready" \
    test "$(line_of 'belay-based: ready')" -lt "$(line_of 'belay-execd: started')"
check "belayd's pid is in BELAY_RUN_DIR/belayd.pid" test "$(pid_of belayd)" = "$belayd_pid"
based1=$(pid_of belay-based)
seen_pids="$based1"
check "belay cib version works through the belay-based it started" \
    sh -c "'$BELAY' cib version | grep -Eq '^0 0 0 [0-9a-f]{64}$'"
"$BELAYD" >"$work/second.out" 2>&1
rc=$?
check "a second belayd refuses to start and names the running one" \
    sh -c "test $rc = 1 && grep -q 'already running (pid $belayd_pid' '$work/second.out' && kill -0 $belayd_pid"

wait_for logged "partition is quorate"
acked=0
i=0
while [ $i -lt 20 ]; do
    "$BELAY" configure primitive d$i ocf:heartbeat:Dummy >/dev/null 2>&1 && acked=$((acked + 1))
    i=$((i + 1))
done
check "20 writes are acknowledged" test "$acked" = 20
# belay-based journals writes and rewrites cib.xml once writes pause for a second.
check "they are in BELAY_STATE_DIR, which overrides the config's state_dir" \
    wait_for sh -c "grep -q 'id=\"d19\"' '$BELAY_STATE_DIR/cib.xml' && ! test -e '$work/conf-state/cib.xml'"
v_before=$("$BELAY" cib version)

kill -9 "$based1"
check "kill -9 belay-based: belayd logs it and respawns it (new pid)" \
    wait_for sh -c "grep -q 'belay-based: pid $based1 killed by signal 9' '$log' && grep -q 'belay-based: respawned' '$log'"
wait_for new_pid belay-based "$based1"
based2=$(pid_of belay-based)
seen_pids="$seen_pids $based2"
check "the respawned belay-based serves the same CIB version" \
    wait_for sh -c "test \"\$('$BELAY' cib version 2>/dev/null)\" = '$v_before'"
missing=0
resources=$("$BELAY" cib show --section resources)
i=0
while [ $i -lt 20 ]; do
    echo "$resources" | grep -q "id=\"d$i\"" || missing=$((missing + 1))
    i=$((i + 1))
done
check "every acknowledged write is still there" test "$missing" = 0
wait_for logged "belay-based.*connected to corosync\|connected to corosync"
check "and it takes writes again" wait_for "$BELAY" configure primitive after-respawn ocf:heartbeat:Dummy

execd1=$(pid_of belay-execd)
[ -z "$execd1" ] && execd1=$(pgrep -P "$belayd_pid" -f belay-execd | head -1)
seen_pids="$seen_pids $execd1"
check "belay agent run --execd works through the started belay-execd" \
    sh -c "'$BELAY' agent run ocf:belay:Dummy start --param state='$work/dummy.state' --execd >'$work/agent.out'"
kill -9 "$execd1"
check "kill -9 belay-execd: belayd logs it and respawns it" \
    wait_for sh -c "grep -q 'belay-execd: pid $execd1 killed by signal 9' '$log' && grep -q 'belay-execd: respawned' '$log'"
check "belay agent run --execd works through the respawned belay-execd" \
    wait_for sh -c "'$BELAY' agent run ocf:belay:Dummy monitor --param state='$work/dummy.state' --execd >'$work/agent.out' 2>&1"
check "and sees the state the first one left (monitor: running)" grep -q "rc=0 (running)" "$work/agent.out"
for p in $(pgrep -P "$belayd_pid"); do seen_pids="$seen_pids $p"; done

kill -TERM "$belayd_pid"
wait "$belayd_pid"
rc=$?
belayd_pid=
check "SIGTERM: belayd exits 0 (no sanitizer report)" \
    sh -c "test $rc = 0 && ! grep -q Sanitizer '$work/belayd.out'"
check "it stopped belay-execd before belay-based" \
    test "$(line_of 'belay-execd: stopped')" -lt "$(line_of 'belay-based: stopped')"
stray=""
for p in $seen_pids; do alive "$p" && stray="$stray $p"; done
check "no daemon of any generation is left running, no pid file left" \
    sh -c "test -z '$stray' && ! test -e '$BELAY_RUN_DIR/belayd.pid' && ! '$BELAY' cib version >/dev/null 2>&1"

# A belay-based that exits at once: respawned respawn_max times, then belayd gives up.
mkdir -p "$work/broken"
printf '#!/bin/sh\necho "belay-based (broken for the test) exits at once" >&2\nexit 3\n' >"$work/broken/belay-based"
chmod +x "$work/broken/belay-based"
ln -s "$top_builddir/daemons/execd/belay-execd" "$work/broken/belay-execd"
write_conf "$work/broken" 2
: >"$log"
"$BELAYD" >"$work/crashloop.out" 2>&1
rc=$?
check "a daemon in a crash loop: belayd gives up and exits 1" test "$rc" = 1
check "the log says it gave up, how often it exited and within what; belay-execd never started" \
    sh -c "grep -q 'belay-based: gave up: it exited 3 times within 60 s (respawn_max = 2)' '$log' && ! grep -q 'belay-execd: started' '$log'"
check "each exit was logged with its status, then respawned after a growing delay" \
    sh -c "test \$(grep -c 'belay-based: pid [0-9]* exited with status 3' '$log') = 3 && grep -q 'respawning in 200 ms (exit 1 of 2' '$log' && grep -q 'respawning in 400 ms (exit 2 of 2' '$log'"

# A belay-execd that ignores SIGTERM (a wrapper around the real one): SIGKILL after
# stop_timeout, to its whole process group, so the real one goes too.
mkdir -p "$work/stubborn"
ln -s "$top_builddir/daemons/based/belay-based" "$work/stubborn/belay-based"
cat >"$work/stubborn/belay-execd" <<SCRIPT
#!/bin/sh
trap '' TERM
"$top_builddir/daemons/execd/belay-execd" "\$@" &
echo \$! >"$work/real-execd.pid"
wait
SCRIPT
chmod +x "$work/stubborn/belay-execd"
write_conf "$work/stubborn" 2
sed -i 's/^stop_timeout = 5s/stop_timeout = 1s/' "$BELAY_CONFIG"
: >"$log"
"$BELAYD" >>"$work/belayd.out" 2>&1 &
belayd_pid=$!
wait_for logged "all daemons are ready"
real_execd=$(cat "$work/real-execd.pid" 2>/dev/null)
kill -TERM "$belayd_pid"
wait "$belayd_pid"
rc=$?
belayd_pid=
check "a daemon that ignores SIGTERM gets SIGKILL after stop_timeout, and belayd says so" \
    sh -c "test $rc = 0 && grep -q 'belay-execd: pid [0-9]* still runs 1000 ms after SIGTERM; sending SIGKILL' '$log'"
# gone, or a zombie its new parent (init) has yet to reap
gone() { ! test -e "/proc/$1" || grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }
group_gone() { [ -n "$real_execd" ] && wait_for gone "$real_execd" && logged 'belay-based: stopped'; }
check "its whole process group went (the real belay-execd too), then belay-based stopped" \
    group_gone

# A belay-based that never serves its IPC: stopped after start_timeout and counted as an
# exit; with respawn_max 0 belayd gives up at once.
mkdir -p "$work/mute"
printf '#!/bin/sh\nexec sleep 300\n' >"$work/mute/belay-based"
chmod +x "$work/mute/belay-based"
write_conf "$work/mute" 0
sed -i 's/^start_timeout = 20s/start_timeout = 1s/' "$BELAY_CONFIG"
: >"$log"
"$BELAYD" >>"$work/belayd.out" 2>&1
rc=$?
check "a daemon whose IPC never answers is stopped after start_timeout, then belayd gives up" \
    sh -c "test $rc = 1 && grep -q 'belay-based: not ready after 1000 ms (IPC .belay-based. refuses connections); stopping it' '$log' && grep -q 'belay-based: gave up: it exited 1 times' '$log'"

# belay-execd's limits come from belay.conf: with one agent at a time and one waiting, a
# third call while the first runs is refused by the executor, naming the limit.
write_conf "$work/sbin" 5
printf 'execd_max_parallel = 1\nexecd_max_queued = 1\nexecd_max_calls = 50\nexecd_max_client_events = 20\n' \
    >>"$BELAY_CONFIG"
: >"$log"
"$BELAYD" >>"$work/belayd.out" 2>&1 &
belayd_pid=$!
wait_for logged "all daemons are ready"
execd3=$(pgrep -P "$belayd_pid" -f belay-execd | head -1)
seen_pids="$seen_pids $execd3"
check "belayd passes the execd_max_* keys to belay-execd as its options" \
    sh -c "tr '\\0' ' ' </proc/$execd3/cmdline | grep -q -- '--max-parallel 1 --max-queued 1 --max-calls 50 --max-client-events 20'"
slow() { "$BELAY" agent run ocf:belay:Dummy monitor --param state="$work/slow.state" --param op_sleep=3 --execd; }
slow >"$work/slow1.out" 2>&1 &
slow1=$!
sleep 0.5
slow >"$work/slow2.out" 2>&1 &
slow2=$!
sleep 0.5
slow >"$work/slow3.out" 2>&1
rc3=$?
wait "$slow1" "$slow2"
check "with execd_max_parallel = 1 and execd_max_queued = 1, a third call is refused at once" \
    sh -c "test $rc3 != 0 && grep -q 'executor queue full: 1 calls already wait to start (max_queued 1)' '$work/slow3.out'"
check "while the running and the waiting one complete" \
    sh -c "grep -q 'rc=7' '$work/slow1.out' && grep -q 'rc=7' '$work/slow2.out'"
kill -TERM "$belayd_pid"
wait "$belayd_pid"
belayd_pid=
exit $failed
