#!/bin/bash
# belay node …: standby/online with both lifetimes, maintenance/ready, node attributes,
# the ids crmsh writes, and which version counter each change bumps.
. "$(dirname "$0")/cli-lib.sh"

F="$WORK/cib.xml"
cat > "$WORK/base.xml" <<'XML'
<cib validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0">
  <configuration>
    <crm_config/>
    <nodes>
      <node id="1" uname="node1"/>
      <node id="2" uname="node2"/>
      <node id="node3-uuid" uname="node3"/>
    </nodes>
    <resources/>
    <constraints/>
  </configuration>
  <status>
    <node_state id="1" uname="node1" in_ccm="true" crmd="online" join="member" expected="member"/>
    <node_state id="2" uname="node2" in_ccm="true" crmd="online" join="member" expected="member"/>
  </status>
</cib>
XML
fresh() { cp "$WORK/base.xml" "$F"; }
b() { "$BELAY" --file "$F" "$@"; }
nattr() { xp "$F" "//nodes/node[@uname='$1']/instance_attributes/nvpair[@name='$2']/@$3"; }
sattr() { xp "$F" "//status/node_state[@uname='$1']/transient_attributes/instance_attributes/nvpair[@name='$2']/@$3"; }

# --- forever (default): nodes section, crmsh's ids, epoch bump
fresh
b node standby node1
equals "standby: nvpair standby=on with crmsh's ids" \
    "on num-1-instance_attributes-standby num-1-instance_attributes" \
    "$(nattr node1 standby value) $(nattr node1 standby id) $(xp "$F" "//node[@uname='node1']/instance_attributes/@id")"
equals "standby (forever) bumps epoch" "0.2.0" "$(version "$F")"
b node online node1
equals "online: the same nvpair set to off" "off 1" \
    "$(nattr node1 standby value) $(xcount "$F" "//node[@uname='node1']//nvpair")"
b node standby node3 forever
equals "a non-numeric node id is used as it is" "node3-uuid-instance_attributes-standby" \
    "$(nattr node3 standby id)"

# --- reboot lifetime: transient attribute in status, num_updates only
fresh
config_before=$(section "$F" configuration)
b node standby node2 reboot
equals "standby reboot: transient attribute in node_state" "on status-2-standby status-2 2" \
    "$(sattr node2 standby value) $(sattr node2 standby id) $(xp "$F" "//node_state[@uname='node2']/transient_attributes/instance_attributes/@id") $(xp "$F" "//node_state[@uname='node2']/transient_attributes/@id")"
equals "standby reboot leaves the configuration untouched" "$config_before" "$(section "$F" configuration)"
equals "standby reboot bumps num_updates only" "0.1.1" "$(version "$F")"
b node standby node3 reboot
equals "reboot lifetime on a node without node_state creates it" "node3-uuid on" \
    "$(xp "$F" "//node_state[@uname='node3']/@id") $(sattr node3 standby value)"
b node online node2
equals "bare online turns off a reboot standby too" "off off" \
    "$(sattr node2 standby value) $(nattr node2 standby value)"
b node online node3 forever
equals "online forever leaves a reboot standby alone" "on off" \
    "$(sattr node3 standby value) $(nattr node3 standby value)"

# --- maintenance / ready
fresh
b node maintenance node1
equals "maintenance: maintenance=on" "on" "$(nattr node1 maintenance value)"
b node ready node1
equals "ready: maintenance=off" "off" "$(nattr node1 maintenance value)"

# --- attributes
fresh
b node attribute node1 set rack r1
equals "attribute set/show" "r1 num-1-instance_attributes-rack" "$(b node attribute node1 show rack) $(nattr node1 rack id)"
unchanged_by "attribute show does not rewrite the file" "$F" b node attribute node1 show rack
b node attribute node1 delete rack
equals "attribute delete" "0" "$(xcount "$F" "//node[@uname='node1']//nvpair")"
fails_cleanly "attribute show of a missing attribute" "$F" "node1|rack" b node attribute node1 show rack
equals "missing attribute exits 3" "3" "$LAST_RC"
b node status-attr node2 set pingd 100
equals "status-attr set lands in status" "100 0.3.1" "$(sattr node2 pingd value) $(version "$F")"
fails_cleanly "status-attr show on a node with no transient attributes" "$F" "node1|pingd" \
    b node status-attr node1 show pingd

# --- concurrent commands on one file: none of the changes is lost
fresh
for i in $(seq 1 16); do
    b node attribute node1 set "a$i" "$i" &
done
wait
equals "16 concurrent attribute sets: all 16 kept, 16 epochs" "16 0.17.0" \
    "$(xcount "$F" "//node[@uname='node1']//nvpair[starts-with(@name,'a')]") $(version "$F")"

# --- errors
fresh
fails_cleanly "unknown node with did-you-mean" "$F" "no node 'nod1'|did you mean 'node1'" b node standby nod1
equals "unknown node exits 3" "3" "$LAST_RC"
fails_cleanly "bad lifetime" "$F" "lifetime 'weekly'" b node standby node1 weekly
equals "bad lifetime exits 2" "2" "$LAST_RC"
fails_cleanly "unknown node verb" "$F" "standbye|did you mean 'standby'" b node standbye node1
fails_cleanly "node verb without a node" "$F" "standby|NODE" b node standby
b node standby node1
unchanged_by "standby of a node already in standby does not rewrite the file" "$F" \
    b node standby node1

tap_done
