#!/bin/sh
# TAP: belay simulate's options for people and for chaining runs: the status before and
# after, --save-graph, --save-output,
# --node-up/--node-down/--fail, and their errors (one line, exit 1, nothing written);
# clones, promotion and live migration on corpus cases (status, summary, graph, output).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top_builddir=${top_builddir:-$here/../..}
belay=${BELAY:-$top_builddir/tools/belay}
corpus=${SHARED_DIR:-$here/../../../shared}/conformance/scheduler/tier1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
n=0
check() { # check DESCRIPTION COMMAND...: ok when COMMAND succeeds
    desc=$1
    shift
    n=$((n + 1))
    if "$@"; then echo "ok $n - $desc"; else echo "not ok $n - $desc"; fi
}

cat > "$work/cib.xml" <<'XML'
<cib have-quorum="true" crm_feature_set="3.16.2" epoch="1" num_updates="0" admin_epoch="0">
  <configuration>
    <crm_config><cluster_property_set id="o">
      <nvpair id="o1" name="stonith-enabled" value="false"/>
    </cluster_property_set></crm_config>
    <nodes><node id="1" uname="n1"/><node id="2" uname="n2"/><node id="3" uname="n3"/></nodes>
    <resources>
      <group id="web">
        <primitive id="vip" class="ocf" provider="heartbeat" type="IPaddr2">
          <instance_attributes id="vip-p"><nvpair id="vip-ip" name="ip" value="10.0.0.1"/></instance_attributes>
          <operations><op id="vip-m" name="monitor" interval="10s"/></operations>
        </primitive>
        <primitive id="httpd" class="ocf" provider="heartbeat" type="apache"/>
      </group>
      <primitive id="db" class="ocf" provider="pacemaker" type="Dummy">
        <operations><op id="db-m" name="monitor" interval="10s"/></operations>
      </primitive>
    </resources>
    <constraints><rsc_location id="web-n2" rsc="web" node="n2" score="100"/></constraints>
  </configuration>
  <status>
    <node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member">
      <lrm id="1"><lrm_resources>
        <lrm_resource id="db" class="ocf" provider="pacemaker" type="Dummy">
          <lrm_rsc_op id="db_last_0" operation="start" interval="0" op-status="0" rc-code="0" call-id="3" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8" transition-key="1:1:0:x"/>
          <lrm_rsc_op id="db_monitor_10000" operation="monitor" interval="10000" op-status="0" rc-code="0" call-id="4" transition-key="2:1:0:x"/>
        </lrm_resource>
      </lrm_resources></lrm>
    </node_state>
    <node_state id="2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"/>
  </status>
</cib>
XML
before=$(cksum < "$work/cib.xml")
sim() { "$belay" simulate "$@" > "$work/out" 2> "$work/err"; }
has() { grep -qF -- "$1" "$work/out"; }
one_error_line() { [ "$(wc -l < "$work/err")" -eq 1 ] && grep -qF -- "$1" "$work/err" && [ ! -s "$work/out" ]; }

echo "1..31"

# For a person: the status before, the summary, the status after.
sim "$work/cib.xml"
check "human output: exit 0" [ $? -eq 0 ]
check "current status lists nodes online and offline" \
    sh -c "grep -q 'Online: \[ n1 n2 \]' '$work/out' && grep -q 'OFFLINE: \[ n3 \]' '$work/out'"
check "current status: group with members stopped, db started on n1" \
    sh -c "sed -n '/Current cluster status/,/Transition Summary/p' '$work/out' | grep -q 'Resource Group: web:' && sed -n '/Current cluster status/,/Transition Summary/p' '$work/out' | grep -q 'vip	(ocf:heartbeat:IPaddr2):	 Stopped' && sed -n '/Current/,/Transition/p' '$work/out' | grep -q 'db	(ocf:pacemaker:Dummy):	 Started n1'"
check "transition summary: the group starts on n2" \
    sh -c "grep -q '\* Start vip ( n2 )' '$work/out' && grep -q '\* Start httpd ( n2 )' '$work/out'"
check "revised status: the group runs on n2" \
    sh -c "sed -n '/Revised Cluster Status/,\$p' '$work/out' | grep -q 'httpd	(ocf:heartbeat:apache):	 Started n2'"

# --save-graph: well-formed, every action with its inputs.
sim "$work/cib.xml" --save-graph "$work/graph.xml"
check "--save-graph: exit 0, prints the summary too" sh -c "[ $? -eq 0 ] && grep -q 'Transition Summary' '$work/out'"
check "--save-graph: well-formed XML with a transition_graph root" \
    sh -c "xmllint --noout '$work/graph.xml' && xmllint --xpath 'count(/transition_graph/synapse)' '$work/graph.xml' | grep -qv '^0$'"
check "--save-graph: httpd starts after vip, on n2, with vip's monitor after vip's start" \
    sh -c "xmllint --xpath '//synapse[action_set/rsc_op[@operation_key=\"httpd_start_0\" and @on_node=\"n2\"]]/inputs/trigger/rsc_op[@operation_key=\"vip_start_0\"]' '$work/graph.xml' >/dev/null 2>&1 && xmllint --xpath '//synapse[action_set/rsc_op[@operation_key=\"vip_monitor_10000\"]]/inputs/trigger/rsc_op[@operation_key=\"vip_start_0\"]' '$work/graph.xml' >/dev/null 2>&1"
check "--save-graph: parameters and timeout in the action's attributes" \
    sh -c "xmllint --xpath '//action_set/rsc_op[@operation_key=\"vip_start_0\"]/attributes[@ip=\"10.0.0.1\" and @CRM_meta_timeout=\"20000\"]' '$work/graph.xml' >/dev/null 2>&1"

# --save-output: the results recorded; scheduling it again is a steady state.
sim "$work/cib.xml" --placement --save-output "$work/after.xml"
check "--save-output: exit 0" [ $? -eq 0 ]
sim "$work/after.xml" --actions --placement
check "--save-output: the output scheduled again needs no action" \
    sh -c "[ \"\$(cat '$work/out')\" = \"\$(printf 'db Started n1\nhttpd Started n2\nvip Started n2')\" ]"
check "--save-output: monitor recorded with rc 0" \
    sh -c "xmllint --xpath '//node_state[@uname=\"n2\"]//lrm_rsc_op[@operation_key=\"vip_monitor_10000\" and @rc-code=\"0\"]' '$work/after.xml' >/dev/null 2>&1"

# Injected events.
sim "$work/cib.xml" --node-down n1 --actions
check "--node-down n1: db moves to n2" sh -c "[ \"\$(grep db '$work/out')\" = 'start db n2' ]"
sim "$work/cib.xml" --node-up n3 --node-down n2 --placement
check "--node-up n3 --node-down n2: the group goes to n3 or n1, not n2" \
    sh -c "grep -q '^vip Started n[13]\$' '$work/out'"
sim "$work/cib.xml" --fail db_monitor_10000@n1=7
check "--fail db_monitor_10000@n1=7: db is recovered in place" grep -q '\* Recover db ( n1 )' "$work/out"
check "--fail: the failed monitor is listed" grep -q 'db monitor (every 10000 ms) on n1: rc 7: not running' "$work/out"
sim "$work/cib.xml" --fail db_monitor_10000@n1=7 --placement --save-output "$work/failed.xml"
check "--fail with --save-output: the fail count is in the output" \
    sh -c "xmllint --xpath '//node_state[@uname=\"n1\"]//nvpair[@name=\"fail-count-db#monitor_10000\" and @value=\"1\"]' '$work/failed.xml' >/dev/null 2>&1"

# Errors: one line, exit 1, nothing written.
rm -f "$work/x.xml"
sim "$work/cib.xml" --fail db_monitor@n1=7 --save-output "$work/x.xml"
check "--fail with a bad spec: one error line, exit 1" sh -c "[ $? -eq 1 ] && [ \"\$(wc -l < '$work/err')\" -eq 1 ] && grep -q 'RSC_TASK_INTERVAL' '$work/err'"
check "--fail with a bad spec: nothing written" [ ! -e "$work/x.xml" ]
sim "$work/cib.xml" --node-down n9 --save-graph "$work/x.xml"
check "--node-down of an unknown node: one error line naming it, exit 1, nothing written" \
    sh -c "[ $? -eq 1 ] && grep -q \"'n9'\" '$work/err' && [ \"\$(wc -l < '$work/err')\" -eq 1 ] && [ ! -e '$work/x.xml' ]"
sim "$work/cib.xml" --fail nosuch_start_0@n1=1
check "--fail naming an unknown resource: one error line, exit 1" one_error_line "nosuch"
sim "$work/cib.xml" --save-graph "$work/x.xml" --save-output "$work/no/such/dir/out.xml"
check "unwritable --save-output: one error line, exit 1, the graph is not written either" \
    sh -c "[ $? -eq 1 ] && [ \"\$(wc -l < '$work/err')\" -eq 1 ] && grep -q 'no/such/dir' '$work/err' && [ ! -e '$work/x.xml' ] && [ ! -s '$work/out' ]"
sim "$work/cib.xml" --save-graph "$work"
check "--save-graph naming a directory: exit 1" sh -c "[ $? -eq 1 ] && grep -q 'Is a directory' '$work/err'"
check "the input file is never modified" [ "$before" = "$(cksum < "$work/cib.xml")" ]

# Clones, promotion, migration: what crm_simulate shows and records for the same cases.
tier2=${corpus%/tier1}/tier2
"$belay" simulate "$tier2/promoted-10.xml" --save-graph "$work/p10.graph" \
    --save-output "$work/p10.out" > "$work/p10" 2>&1
check "promotable unique clone: Clone Set header, each instance Promoted/Unpromoted after" \
    sh -c "grep -q '^    \* Clone Set: rsc1 \[child_rsc1\] (promotable, unique):' '$work/p10' \
        && grep -q 'child_rsc1:0.*Promoted node1' '$work/p10' \
        && grep -q 'child_rsc1:1.*Unpromoted node2' '$work/p10'"
check "summary: a start with its promotion is one Promote line" \
    grep -q '^  \* Promote child_rsc1:0 ( Stopped -> Promoted node1 )' "$work/p10"
check "graph: the promoted instance's role=Promoted monitor (11 s) follows its promote" \
    sh -c "grep -q 'operation_key=\"child_rsc1:0_monitor_11000\"' '$work/p10.graph' \
        && ! grep -q 'operation_key=\"child_rsc1:0_monitor_1000\"' '$work/p10.graph'"
"$belay" simulate "$tier2/bug-1572-2.xml" > "$work/b2" 2>&1
check "anonymous promotable clone: Promoted/Unpromoted/Stopped node lists" \
    sh -c "grep -q '^      \* Promoted: \[ arc-tkincaidlx.wsicorp.com \]' '$work/b2' \
        && grep -q '^      \* Stopped: \[ arc-dknightlx \]' '$work/b2'"
check "summary: Demote ( Promoted -> Unpromoted node )" \
    grep -q '^  \* Demote rsc_drbd_7788 ( Promoted -> Unpromoted arc-tkincaidlx.wsicorp.com )' \
    "$work/b2"
mig=${corpus%/tier1}/tier3/3-am-then-bm-both-migrate.xml
"$belay" simulate "$mig" --save-graph "$work/mig.graph" --save-output "$work/mig.out" \
    > "$work/mig" 2>&1
check "live migration: Migrate line, CRM_meta_migrate_source/target in the graph" \
    sh -c "grep -q '^  \* Migrate A ( 18node1 -> 18node2 )' '$work/mig' \
        && grep -q 'CRM_meta_migrate_target=\"18node2\"' '$work/mig.graph'"
check "live migration: output records A_migrate_from_0 with its source; A runs on the target" \
    sh -c "grep -q 'id=\"A_migrate_from_0\".*migrate_source=\"18node1\"' '$work/mig.out' \
        && '$belay' simulate '$work/mig.out' --placement | grep -q '^A Started 18node2'"
