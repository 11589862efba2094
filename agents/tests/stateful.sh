#!/bin/sh
# ocf:belay:Stateful through `belay agent run`: roles, monitor 8 when promoted, and the
# promotion score published to score_file.
. "$(dirname "$0")/tap.sh"
make_ocf_root
S="$TEST_DIR/s.state"
SCORE="$TEST_DIR/s.score"
run() {
    agent_cli run ocf:belay:Stateful "$@" --param state="$S" --param score_file="$SCORE" --resource s1
}
score_is() {
    [ "$(cat "$SCORE" 2>/dev/null)" = "$1" ]
}

expect_rc "monitor of a stopped instance is 7" 7 run monitor
expect_rc "promote of a stopped instance is 7" 7 run promote
contains "with a reason" "exit reason: cannot promote a stopped instance"
expect_rc "start" 0 run start
expect_rc "monitor of a started instance is 0" 0 run monitor
check "start publishes the unpromoted score 5" score_is 5
expect_rc "promote" 0 run promote
expect_rc "monitor of a promoted instance is 8" 8 run monitor
contains "rc 8 reads 'running (promoted)'" "rc=8 (running (promoted))"
check "promote publishes the promoted score 10" score_is 10
expect_rc "start of a promoted instance keeps it promoted" 0 run start
expect_rc "so monitor is still 8" 8 run monitor
expect_rc "demote" 0 run demote
expect_rc "monitor after demote is 0" 0 run monitor
check "demote publishes the unpromoted score again" score_is 5
expect_rc "promote with promoted_score=42" 0 run promote --param promoted_score=42
check "the configured score is published" score_is 42
expect_rc "stop of a promoted instance" 0 run stop
expect_rc "monitor after stop is 7" 7 run monitor
check "stop withdraws the score" test ! -e "$SCORE"
expect_rc "stop of a stopped instance is 0" 0 run stop
expect_rc "validate-all rejects a non-integer score with 6" 6 run validate-all --param promoted_score=high
expect_rc "notify is 0" 0 run notify

# The score tool: run without a shell, with crm_attribute's arguments.
TOOL="$TEST_DIR/score-tool"
printf '#!/bin/sh\nprintf "%%s\\n" "$*" >> "%s"\n' "$TEST_DIR/tool.log" > "$TOOL"
chmod +x "$TOOL"
expect_rc "start with a score_tool" 0 run start --param score_tool="$TOOL"
expect_rc "promote with a score_tool" 0 run promote --param score_tool="$TOOL"
expect_rc "stop with a score_tool" 0 run stop --param score_tool="$TOOL"
check "the tool got crm_attribute's arguments" test "$(cat "$TEST_DIR/tool.log")" = \
    "$(printf -- '--promotion -v 5\n--promotion -v 10\n--promotion -D')"
expect_rc "a missing score_tool is 5" 5 run start --param score_tool=/nonexistent/tool
printf '#!/bin/sh\nexit 3\n' > "$TEST_DIR/bad-tool"
chmod +x "$TEST_DIR/bad-tool"
expect_rc "a failing score_tool fails the action" 1 run start --param score_tool="$TEST_DIR/bad-tool"
contains "saying so" "exit reason: score_tool '$TEST_DIR/bad-tool' failed"
agent_cli run ocf:belay:Stateful stop --param state="$S" >/dev/null 2>&1
expect_rc "with neither, start still works" 0 \
    agent_cli run ocf:belay:Stateful start --param state="$S" --resource s1
contains "and says the score is not published" "promotion score 5 not published"
tap_done
