#!/bin/sh
# ocf:heartbeat:IPaddr2 for real, through `belay agent run`, inside two network namespaces
# this test creates (joined by a veth pair): start -> the address is on the interface and
# answers ping from the other namespace; monitor 0; stop -> gone; monitor 7.
. "$top_srcdir/agents/tests/tap.sh"
make_ocf_root

A="blexec$$a"
B="blexec$$b"
VIP=10.213.7.50
cleanup() {
    ip netns del "$A" 2>/dev/null
    ip netns del "$B" 2>/dev/null
    rm -rf "$TEST_DIR"
}
if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null 2>&1 \
   || [ ! -e "$OCF_ROOT/resource.d/heartbeat/IPaddr2" ] || ! ip netns add "$A" 2>/dev/null; then
    skip "needs root, iproute2, network namespaces and resource-agents"
    tap_done
fi
trap cleanup EXIT
ip netns add "$B"
ip link add veth0 netns "$A" type veth peer name veth1 netns "$B"
ip -n "$A" addr add 10.213.7.1/24 dev veth0
ip -n "$B" addr add 10.213.7.2/24 dev veth1
for ns in "$A" "$B"; do
    ip -n "$ns" link set lo up
done
ip -n "$A" link set veth0 up
ip -n "$B" link set veth1 up

# The agent runs in namespace A because the executor (here the CLI) does.
run() {
    ip netns exec "$A" "$BELAY" agent run ocf:heartbeat:IPaddr2 "$@" --resource vip \
        --param ip=$VIP --param cidr_netmask=24 --param nic=veth0
}
has_vip() {
    ip -n "$A" -o -4 addr show dev veth0 | grep -q " $VIP/24 "
}

expect_rc "monitor before start is 7" 7 run monitor
expect_rc "start" 0 run start
check "the address is on veth0" has_vip
check "it answers ping from the other namespace" sh -c "ip netns exec '$B' ping -c 1 -W 2 -q $VIP >/dev/null"
expect_rc "monitor is 0" 0 run monitor
expect_rc "start again is 0" 0 run start
expect_rc "stop" 0 run stop
check "the address is gone" sh -c "! ip -n '$A' -o -4 addr show dev veth0 | grep -q ' $VIP/'"
check "and no longer answers" sh -c "! ip netns exec '$B' ping -c 1 -W 1 -q $VIP >/dev/null"
expect_rc "monitor after stop is 7" 7 run monitor
expect_rc "stop again is 0" 0 run stop
expect_rc "an interface that does not exist is a configuration error (6)" 6 \
    ip netns exec "$A" "$BELAY" agent run ocf:heartbeat:IPaddr2 start --resource vip2 \
        --param ip=10.213.7.51 --param cidr_netmask=24 --param nic=nosuch0
contains "with the agent's exit reason" "exit reason:"
tap_done
