#!/bin/sh
# ocf:belay:Dummy through `belay agent run`: lifecycle, delays, failure injection, reload,
# migration, validation.
. "$(dirname "$0")/tap.sh"
make_ocf_root
S="$TEST_DIR/d.state"
run() {
    agent_cli run ocf:belay:Dummy "$@" --param state="$S" --resource d1
}

expect_rc "monitor of a stopped Dummy is 7" 7 run monitor
contains "rc 7 reads 'not running'" "rc=7 (not running)"
expect_rc "start" 0 run start
check "start creates the state file" test -f "$S"
expect_rc "monitor of a started Dummy is 0" 0 run monitor
contains "monitor 0 reads 'running'" "rc=0 (running)"
expect_rc "start of a started Dummy is 0" 0 run start
expect_rc "reload with a new fake value" 0 run reload --param fake=changed
check "reload records the new value" grep -qx "fake=changed" "$S"
expect_rc "fail_monitor=9 makes monitor return 9" 9 run monitor --param fail_monitor=9
contains "rc 9 reads 'failed (promoted)'" "failed (promoted)"
expect_rc "fail_monitor=true makes monitor return 1" 1 run monitor --param fail_monitor=true
contains "the injected failure has an exit reason" "exit reason: monitor failure injected (rc 1)"
expect_rc "migrate_to stops it here" 0 run migrate_to --meta migrate-target=node2
check "migrate_to removed the state file" test ! -e "$S"
expect_rc "migrate_from starts it there" 0 run migrate_from --meta migrate-source=node1
expect_rc "fail_stop=true makes stop fail" 1 run stop --param fail_stop=true
check "a failed stop leaves it running" test -f "$S"
expect_rc "stop" 0 run stop
expect_rc "stop of a stopped Dummy is 0" 0 run stop
expect_rc "monitor after stop is 7" 7 run monitor
expect_rc "fail_start=true makes start fail" 1 run start --param fail_start=true
check "a failed start creates nothing" test ! -e "$S"
expect_rc "fail_start=5 returns 5" 5 run start --param fail_start=5
expect_rc "op_sleep beyond the timeout is a timeout (124)" 124 run start --param op_sleep=5 --timeout 300ms
contains "the timeout is reported as such" "start: timeout (timed out after 300 ms)"
expect_rc "op_sleep=0.2 delays start" 0 run start --param op_sleep=0.2
DURATION=$(printf '%s\n' "$OUT" | sed -n 's/.*rc=0 (ok) in \([0-9]*\) ms$/\1/p')
check "and the duration shows it ($DURATION ms)" test "${DURATION:-0}" -ge 200
expect_rc "validate-all rejects op_sleep=soon with 6" 6 run validate-all --param op_sleep=soon
contains "with a reason" "exit reason: op_sleep 'soon' is not a number of seconds"
expect_rc "validate-all rejects an unwritable state directory with 2" 2 \
    agent_cli run ocf:belay:Dummy validate-all --param state=/proc/nope/x.state
expect_rc "an unknown action is 3" 3 run frobnicate
expect_rc "meta-data is 0" 0 run meta-data
contains "meta-data names the agent" '<resource-agent name="Dummy"'
tap_done
