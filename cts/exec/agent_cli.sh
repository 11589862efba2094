#!/bin/sh
# `belay agent list|info|run`: what agent authors see, and how bad input is refused.
. "$top_srcdir/agents/tests/tap.sh"
make_ocf_root

expect_rc "agent list" 0 agent_cli list
contains "lists ocf:belay:Dummy" "ocf:belay:Dummy"
contains "lists ocf:belay:Stateful" "ocf:belay:Stateful"
expect_rc "agent list belay" 0 agent_cli list belay
check "only our provider" test "$OUT" = "$(printf 'ocf:belay:Dummy\nocf:belay:Stateful\nocf:belay:etcd')"
expect_rc "agent list of an unknown provider fails" 1 agent_cli list nosuch
contains "naming the directory" "resource.d/nosuch"
expect_rc "agent info ocf:belay:Dummy" 0 agent_cli info ocf:belay:Dummy
contains "title with version and description" "ocf:belay:Dummy (version 1.1): Test resource with delays and failure injection"
contains "parameter table header" "NAME          REQUIRED  UNIQUE  TYPE      DEFAULT  DESCRIPTION"
contains "state is unique" "state         no        yes     string             State file"
contains "op_sleep default" "op_sleep      no        no      string    0        Operation delay"
contains "action table with timeouts and intervals" "monitor         20s       10s
"
expect_rc "agent info of a missing agent" 1 agent_cli info ocf:belay:Nope
contains "says it is not installed" "agent not installed"
if [ -e "$OCF_ROOT/resource.d/heartbeat/IPaddr2" ]; then
    expect_rc "agent info ocf:heartbeat:IPaddr2" 0 agent_cli info ocf:heartbeat:IPaddr2
    contains "ip is required and unique" "ip                        yes       yes"
else
    skip "resource-agents not installed"
    skip "resource-agents not installed"
fi

expect_rc "run of a missing agent exits 5" 5 agent_cli run ocf:belay:Nope start
contains "rc 5 reads not installed" "rc=5 (not installed)"
contains "and names the path" "resource.d/belay/Nope"
expect_rc "run without an action is a usage error" 64 agent_cli run ocf:belay:Dummy
expect_rc "an lsb agent is refused" 64 agent_cli run lsb:cron start
contains "with the reason" "class 'lsb' is not supported (only ocf)"
expect_rc "a path in the type is refused" 64 agent_cli run ocf:belay:../../x start
expect_rc "a parameter without = is refused" 64 agent_cli run ocf:belay:Dummy start --param novalue
contains "naming it" "'novalue': expected NAME=VALUE"
expect_rc "a bad parameter name is refused" 64 agent_cli run ocf:belay:Dummy start --param 'a;b=1'
expect_rc "a bad timeout is refused" 64 agent_cli run ocf:belay:Dummy start --timeout soon
expect_rc "an unknown option is refused" 64 agent_cli run ocf:belay:Dummy start --frob 1
expect_rc "an unknown subcommand is refused" 64 agent_cli frob

# Hostile values go through the command line, the executor and the agent untouched.
MARK="$TEST_DIR/marker"
for value in "\$(touch $MARK)" "\`touch $MARK\`" "x; touch $MARK" "' ; touch $MARK ; '" \
             "\" ; touch $MARK ; \"" "a
b \$(touch $MARK)"; do
    agent_cli run ocf:belay:Dummy start --param state="$TEST_DIR/h.state" --param fake="$value" >/dev/null 2>&1
    if [ "$(cat "$TEST_DIR/h.state")" = "fake=$value" ]; then
        ok "value reaches the agent verbatim: $(printf '%s' "$value" | head -1)"
    else
        not_ok "value reaches the agent verbatim: $(printf '%s' "$value" | head -1)"
    fi
    rm -f "$TEST_DIR/h.state"
done
check "no hostile value executed anything" test ! -e "$MARK"
BIG=$(head -c 65536 /dev/zero | tr '\0' 'Z')
agent_cli run ocf:belay:Dummy start --param state="$TEST_DIR/big.state" --param fake="$BIG" >/dev/null 2>&1
check "a 64 KiB value arrives whole" test "$(cat "$TEST_DIR/big.state")" = "fake=$BIG"

if [ -e "$OCF_ROOT/resource.d/heartbeat/Dummy" ]; then
    HB="$TEST_DIR/hb.state"
    expect_rc "ocf:heartbeat:Dummy start" 0 agent_cli run ocf:heartbeat:Dummy start --param state="$HB"
    expect_rc "ocf:heartbeat:Dummy monitor" 0 agent_cli run ocf:heartbeat:Dummy monitor --param state="$HB"
    expect_rc "ocf:heartbeat:Dummy stop" 0 agent_cli run ocf:heartbeat:Dummy stop --param state="$HB"
    expect_rc "ocf:heartbeat:Dummy monitor when stopped" 7 agent_cli run ocf:heartbeat:Dummy monitor --param state="$HB"
else
    for i in 1 2 3 4; do skip "resource-agents not installed"; done
fi
tap_done
