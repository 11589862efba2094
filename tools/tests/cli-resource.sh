#!/bin/bash
# belay resource …: move/ban/clear constraints, status-driven move, cleanup of operation
# history, target-role, meta/param, and which version counter each command bumps.
. "$(dirname "$0")/cli-lib.sh"

FIXTURE="$top_srcdir/tools/tests/status-cib.xml"
F="$WORK/cib.xml"
fresh() { cp "$FIXTURE" "$F"; }
b() { "$BELAY" --file "$F" "$@"; }
loc() { xp "$F" "//constraints/rsc_location[@id='$1']/@$2"; }

# --- move without a node: ban from where status says it runs (node1); epoch bumps
fresh
equals "fixture version" "0.11.16" "$(version "$F")"
b resource move web-group > /dev/null
equals "move without node bans the node status says runs web-group" \
    "-INFINITY node1 Started web-group" \
    "$(loc cli-ban-web-group-on-node1 score) $(loc cli-ban-web-group-on-node1 node) $(loc cli-ban-web-group-on-node1 role) $(loc cli-ban-web-group-on-node1 rsc)"
equals "configuration change bumps epoch and resets num_updates" "0.12.0" "$(version "$F")"

# --- status on an offline node does not count: web-monitor runs on node2 only
fresh
b resource move web-monitor
equals "move without node ignores history on an offline node" \
    "1 0" "$(xcount "$F" "//rsc_location[@id='cli-ban-web-monitor-on-node2']") $(xcount "$F" "//rsc_location[@id='cli-ban-web-monitor-on-node3']")"

# --- a clone active on two nodes: the node must be named
fresh
fails_cleanly "move without node of a resource active on two nodes" "$F" \
    "ping-clone|node1, node2" b resource move ping-clone

# --- a CIB without a constraints section (which the schema requires): move creates it
# in Pacemaker's order, and the result is valid.
printf '<cib validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0"><configuration><crm_config/><nodes><node id="1" uname="n1"/></nodes><resources><primitive id="r" class="ocf" provider="heartbeat" type="Dummy"/></resources><rsc_defaults/></configuration><status/></cib>\n' > "$F"
b resource move r n1
equals "move creates the missing constraints section before rsc_defaults" \
    "crm_config nodes resources constraints rsc_defaults|INFINITY|0" \
    "$(b cib show --section configuration | sed -n 's#^  <\([a-z_][a-z_]*\)[ />].*#\1#p' | tr '\n' ' ' | sed 's/ $//')|$(loc cli-prefer-r score)|$(b cib verify > /dev/null 2>&1; echo $?)"

# --- a resource with no history is not active anywhere: the node must be named
fresh
b resource cleanup vip > /dev/null
fails_cleanly "ban without node of a resource that is not running" "$F" "vip|not active" \
    b resource ban vip
equals "locate a resource that is not running" "resource vip is NOT running" "$(b resource locate vip)"

# --- move to a node replaces the earlier preference and lifts a ban on that node
fresh
b resource ban web-group node2
b resource move web-group node1
b resource move web-group node2
equals "move NODE: one cli-prefer, on the new node, INFINITY, role Started" \
    "1 node2 INFINITY Started" \
    "$(xcount "$F" "//rsc_location[starts-with(@id,'cli-prefer-')]") $(loc cli-prefer-web-group node) $(loc cli-prefer-web-group score) $(loc cli-prefer-web-group role)"
equals "move NODE lifts the ban on NODE" "0" "$(xcount "$F" "//rsc_location[@id='cli-ban-web-group-on-node2']")"

# --- lifetime: a rule that expires
fresh
now=$(date -u +%s)
b resource move vip node2 PT1H
end=$(xp "$F" "//rsc_location[@id='cli-prefer-vip']/rule/date_expression/@end")
end_s=$(date -u -d "$end" +%s 2>/dev/null || echo 0)
if [ $((end_s - now)) -ge 3590 ] && [ $((end_s - now)) -le 3700 ]; then
    ok "move with lifetime PT1H ends about an hour from now ($end)"
else
    not_ok "move with lifetime PT1H ends about an hour from now" "end='$end'"
fi
equals "lifetime rule: INFINITY where #uname eq node2" "INFINITY #uname eq node2" \
    "$(xp "$F" "//rsc_location[@id='cli-prefer-vip']/rule/@score") $(xp "$F" "//rsc_location[@id='cli-prefer-vip']/rule/expression/@attribute") $(xp "$F" "//rsc_location[@id='cli-prefer-vip']/rule/expression/@operation") $(xp "$F" "//rsc_location[@id='cli-prefer-vip']/rule/expression/@value")"
b resource clear vip node2
equals "clear NODE removes a lifetime preference naming NODE" "0" "$(xcount "$F" "//rsc_location[@id='cli-prefer-vip']")"

# --- clear with and without a node
fresh
b resource move web-group node2
b resource ban web-group node1
b resource ban vip node1
b resource clear web-group node1
equals "clear RSC NODE keeps the preference for the other node" \
    "1 0 1" \
    "$(xcount "$F" "//rsc_location[@id='cli-prefer-web-group']") $(xcount "$F" "//rsc_location[@id='cli-ban-web-group-on-node1']") $(xcount "$F" "//rsc_location[@id='cli-ban-vip-on-node1']")"
b resource ban web-group node1
b resource unmigrate web-group
equals "clear RSC removes all its cli-* constraints, not other resources' or the admin's" \
    "0 1 1" \
    "$(xcount "$F" "//rsc_location[starts-with(@id,'cli-') and @rsc='web-group']") $(xcount "$F" "//rsc_location[@id='cli-ban-vip-on-node1']") $(xcount "$F" "//rsc_location[@id='web-prefer-node1']")"
unchanged_by "clear with nothing to clear does not rewrite the file" "$F" b resource clear web-group
fails_cleanly "clear with an unknown node" "$F" "no node 'node7'" b resource clear web-group node7
b resource migrate vip node2
b resource unmove vip
equals "migrate and unmove are aliases of move and clear" "0" "$(xcount "$F" "//rsc_location[starts-with(@id,'cli-') and @rsc='vip']")"

# --- cleanup: history and failcounts go, configuration and other attributes stay
fresh
config_before=$(section "$F" configuration)
b resource cleanup webserver > "$WORK/cleanup.out"
equals "cleanup removes the resource's lrm history on every node" "0" \
    "$(xcount "$F" "//lrm_resource[@id='webserver']")"
equals "cleanup removes its fail-count and last-failure" "0" \
    "$(xcount "$F" "//transient_attributes//nvpair[contains(@name,'-webserver#')]")"
equals "cleanup keeps other history and attributes" "2 1 1" \
    "$(xcount "$F" "//lrm_resource[@id='vip']") $(xcount "$F" "//nvpair[@name='pingd']") $(xcount "$F" "//nvpair[@name='fail-count-ping#monitor_15000']")"
equals "cleanup leaves the configuration untouched" "$config_before" "$(section "$F" configuration)"
equals "cleanup (status only) bumps num_updates, not epoch" "0.11.17" "$(version "$F")"
check "cleanup says what it cleaned" grep -q "Cleaned up webserver on node1" "$WORK/cleanup.out"

fresh
b resource cleanup ping-clone node2 > /dev/null
equals "cleanup of a clone on one node: its instances there only" "1 0 0" \
    "$(xcount "$F" "//node_state[@uname='node1']//lrm_resource[@id='ping']") $(xcount "$F" "//node_state[@uname='node2']//lrm_resource[@id='ping']") $(xcount "$F" "//nvpair[@name='fail-count-ping#monitor_15000']")"
b resource cleanup > /dev/null
equals "cleanup without a resource: all history and failures, other attributes stay" "0 0 1" \
    "$(xcount "$F" "//lrm_resource") $(xcount "$F" "//nvpair[starts-with(@name,'fail-count-') or starts-with(@name,'last-failure-')]") $(xcount "$F" "//nvpair[@name='pingd']")"
unchanged_by "cleanup with nothing left to clean does not rewrite the file" "$F" b resource cleanup

# --- start/stop: target-role with crmsh's ids, updated in place
fresh
b resource stop web-group
b resource start web-group
equals "start after stop: one target-role=Started in web-group-meta_attributes" \
    "1 Started web-group-meta_attributes-target-role" \
    "$(xcount "$F" "//group[@id='web-group']/meta_attributes[@id='web-group-meta_attributes']/nvpair[@name='target-role']") $(xp "$F" "//group[@id='web-group']/meta_attributes/nvpair[@name='target-role']/@value") $(xp "$F" "//group[@id='web-group']/meta_attributes/nvpair[@name='target-role']/@id")"
b resource stop ping-clone
equals "stop a clone: target-role joins its existing meta set" "2 Stopped" \
    "$(xcount "$F" "//clone[@id='ping-clone']/meta_attributes[@id='ping-clone-meta_attributes']/nvpair") $(xp "$F" "//clone/meta_attributes/nvpair[@name='target-role']/@value")"

# --- meta and param
fresh
b resource meta vip set resource-stickiness 200
equals "meta show prints the value" "200" "$(b resource meta vip show resource-stickiness)"
equals "meta set id is RSC-meta_attributes-NAME" "vip-meta_attributes-resource-stickiness" \
    "$(xp "$F" "//primitive[@id='vip']/meta_attributes/nvpair/@id")"
b resource meta vip delete resource-stickiness
equals "meta delete removes the nvpair and the empty set" "0" "$(xcount "$F" "//primitive[@id='vip']/meta_attributes")"
fails_cleanly "meta show of a deleted attribute" "$F" "resource-stickiness" b resource meta vip show resource-stickiness
equals "a missing attribute exits 3" "3" "$LAST_RC"
b resource param vip set ip 10.0.0.5
equals "param set updates the existing nvpair in place" "10.0.0.5 vip-instance_attributes-ip 1" \
    "$(b resource param vip show ip) $(xp "$F" "//primitive[@id='vip']//nvpair[@name='ip']/@id") $(xcount "$F" "//primitive[@id='vip']//nvpair[@name='ip']")"
b resource param web-monitor set timeout 5
equals "param set adds RSC-instance_attributes-NAME" "web-monitor-instance_attributes-timeout" \
    "$(xp "$F" "//primitive[@id='web-monitor']//nvpair[@name='timeout']/@id")"
unchanged_by "param set to the same value does not rewrite the file" "$F" b resource param vip set ip 10.0.0.5
unchanged_by "param show does not rewrite the file" "$F" b resource param vip show ip

# --- locate and read-only commands
fresh
equals "locate a group" "resource web-group is running on: node1" "$(b resource locate web-group)"
equals "locate a clone" "resource ping-clone is running on: node1
resource ping-clone is running on: node2" "$(b resource locate ping-clone)"
unchanged_by "locate does not rewrite the file" "$F" b resource locate vip

# --- errors
fails_cleanly "unknown resource with did-you-mean" "$F" "no resource 'webserverr'|did you mean 'webserver'" \
    b resource move webserverr node1
equals "unknown resource exits 3" "3" "$LAST_RC"
fails_cleanly "unknown node for move" "$F" "no node 'node9'" b resource move vip node9
fails_cleanly "unknown resource verb" "$F" "movee|did you mean 'move'" b resource movee vip
equals "unknown verb exits 2" "2" "$LAST_RC"
fails_cleanly "meta without a verb" "$F" "meta" b resource meta vip
fails_cleanly "cleanup of an unknown resource" "$F" "no resource 'vipp'" b resource cleanup vipp

tap_done
