#!/bin/bash
# belay cib new|show|verify, the CIB source (--file, BELAY_CIB_FILE, none), help, and
# script mode (-f) at the resource and node levels: one transaction, errors name the line.
. "$(dirname "$0")/cli-lib.sh"

F="$WORK/cib.xml"
b() { "$BELAY" --file "$F" "$@"; }

# --- cib new
b cib new
equals "cib new writes an empty CIB at version 0.0.0" "0.0.0 1 1 1 1 1" \
    "$(version "$F") $(xcount "$F" /cib/configuration/crm_config) $(xcount "$F" /cib/configuration/nodes) $(xcount "$F" /cib/configuration/resources) $(xcount "$F" /cib/configuration/constraints) $(xcount "$F" /cib/status)"
check "the new CIB verifies" b cib verify
cp "$top_srcdir/tools/tests/status-cib.xml" "$F"
fails_cleanly "cib new refuses to overwrite" "$F" "already exists|--force" b cib new
b cib new --force
equals "cib new --force overwrites" "0.0.0 0" "$(version "$F") $(xcount "$F" //primitive)"

# --- cib show
cp "$top_srcdir/tools/tests/status-cib.xml" "$F"
equals "cib show prints the whole CIB" "$(xmllint --c14n "$F")" "$(b cib show | xmllint --c14n -)"
equals "cib show --section nodes prints that section only" "<nodes> 3" \
    "$(b cib show --section nodes | head -1) $(b cib show --section nodes | grep -c '<node ')"
equals "cib show --section=status works too" "3" "$(b cib show --section=status | xmllint --xpath 'count(/status/node_state)' -)"
fails_cleanly "unknown section" "$F" "unknown section 'resource'|did you mean 'resources'" \
    b cib show --section resource
fails_cleanly "absent section" "$F" "op_defaults" b cib show --section op_defaults

# --- cib verify: what is wrong and where
printf '<cib epoch="1">\n  <configuration>\n    <nodes>\n  </configuration>\n</cib>\n' > "$WORK/broken.xml"
fails_cleanly "cib verify on malformed XML names the line" "$WORK/broken.xml" "line 4" \
    "$BELAY" --file "$WORK/broken.xml" cib verify
equals "malformed XML exits 4" "4" "$LAST_RC"
printf '<configuration/>\n' > "$WORK/notcib.xml"
fails_cleanly "cib verify on a non-CIB document" "$WORK/notcib.xml" "expected 'cib'" \
    "$BELAY" --file "$WORK/notcib.xml" cib verify
printf '<cib epoch="x"><configuration/><status/></cib>\n' > "$WORK/badversion.xml"
fails_cleanly "cib verify on a bad version counter" "$WORK/badversion.xml" "epoch" \
    "$BELAY" --file "$WORK/badversion.xml" cib verify

# --- where the CIB comes from
out=$(BELAY_CIB_IPC=belay-based-absent-$$ "$BELAY" cib show 2>&1 > /dev/null); rc=$?
equals "no --file, no BELAY_CIB_FILE and no belay-based: I/O error mentioning --file" "5 1" \
    "$rc $(echo "$out" | grep -c -- '--file')"
equals "BELAY_CIB_FILE is the same as --file" "0.11.16" \
    "$(BELAY_CIB_FILE="$F" "$BELAY" cib show | xmllint --xpath 'concat(/cib/@admin_epoch,".",/cib/@epoch,".",/cib/@num_updates)' -)"
out=$("$BELAY" --file "$WORK/missing.xml" cib show 2>&1); rc=$?
equals "missing file: exit 5 naming the file" "5 1" "$rc $(echo "$out" | grep -c missing.xml)"

# --- help
"$BELAY" --help > "$WORK/help"; rc=$?
equals "--help exits 0 and documents the exit codes" "0 1 1" \
    "$rc $(grep -c '^Exit codes:' "$WORK/help") $(grep -c 'cannot be read or written' "$WORK/help")"
check "help resource describes move" grep -q "move|migrate RSC \[NODE\]" <("$BELAY" help resource)
equals "COMMAND --help is the same as help COMMAND" "$("$BELAY" help node)" "$("$BELAY" node --help)"
fails_cleanly "help for an unknown command" "$F" "resourse|did you mean 'resource'" "$BELAY" help resourse
fails_cleanly "unknown top-level command" "$F" "confgure|did you mean 'configure'" b confgure show
fails_cleanly "unknown option" "$F" "--bogus" b --bogus cib show

# --- script mode at the resource and node levels
cp "$top_srcdir/tools/tests/status-cib.xml" "$F"
printf 'resource\nmove vip node2\nup\nnode standby node1\n# a comment\n\nresource ban web-monitor node1\n' \
    | b -f - > /dev/null
# Three commit points (leaving the resource level, two one-line commands): epoch 11 -> 14.
equals "script: levels and one-line forms all apply, one epoch per commit point" "1 1 on 14" \
    "$(xcount "$F" "//rsc_location[@id='cli-prefer-vip']") $(xcount "$F" "//rsc_location[@id='cli-ban-web-monitor-on-node1']") $(xp "$F" "//node[@uname='node1']//nvpair[@name='standby']/@value") $(xp "$F" /cib/@epoch)"
cp "$top_srcdir/tools/tests/status-cib.xml" "$F"
printf 'resource move vip node2\nnode standby node1\nresource move webserverr node1\n' > "$WORK/script.crm"
fails_cleanly "script error: nothing is written, the message names file and line" "$F" \
    "script.crm line 3|webserverr|did you mean 'webserver'" b -f "$WORK/script.crm"
printf 'resource move vip node2\nresource \\\n  ban vip \\\n  node9\n' > "$WORK/cont.crm"
fails_cleanly "script: continued lines are reported at their first line" "$F" "line 2|node9" \
    b -f "$WORK/cont.crm"
fails_cleanly "script: cib new would write at once, so scripts refuse it" "$F" "line 2|cib new" \
    sh -c "printf 'node standby node1\ncib new --force\n' | '$BELAY' --file '$F' -f -"
fails_cleanly "script: unknown command" "$F" "line 1|frobnicate" sh -c "echo frobnicate | '$BELAY' --file '$F' -f -"
fails_cleanly "script: unbalanced quote" "$F" "line 1" sh -c "printf 'node attribute node1 set x \"oops\n' | '$BELAY' --file '$F' -f -"


# --- script mode at the configure level (lines go to the grammar in batches)
cp "$top_srcdir/tools/tests/status-cib.xml" "$F"
printf 'configure\nprimitive f1 ocf:heartbeat:Dummy\nshow f1\nprimitive f2 ocf:heartbeat:Dummy\ncommit\nup\nresource stop f2\nresource locate vip\n' \
    | b -f - > "$WORK/out"
equals "script: configure level, commit, then resource level, in order" \
    "primitive f1 Dummy|resource vip is running on: node1|1 Stopped 0.13.0" \
    "$(head -1 "$WORK/out")|$(tail -1 "$WORK/out")|$(xcount "$F" "//primitive[@id='f1']") $(xp "$F" "//primitive[@id='f2']//nvpair[@name='target-role']/@value") $(version "$F")"
fails_cleanly "script: an error in a configure batch names its own line" "$F" "stdin line 6|vipp" \
    sh -c "printf 'configure\nprimitive a ocf:heartbeat:Dummy\n\n# comment\nprimitive b ocf:heartbeat:Dummy\ncolocation c \\\\\n inf: a vipp\ncommit\n' | '$BELAY' --file '$F' -f -"


# --- cib modify|create|replace|delete (cibadmin's edits by element) on a file
b cib new --force
b cib create --section resources --xml-text '<primitive id="e1" class="ocf" provider="heartbeat" type="Dummy"/>'
equals "cib create adds the element and bumps the epoch" "1 0.1.0" "$(xcount "$F" "//primitive[@id='e1']") $(version "$F")"
fails_cleanly "cib create refuses an id that exists" "$F" "create|primitive 'e1' already exists" \
    b cib create --section resources --xml-text '<primitive id="e1" class="ocf" provider="heartbeat" type="Dummy"/>'
fails_cleanly "cib create refuses an invalid result" "$F" "invalid, nothing was written|type" \
    b cib create --section resources --xml-text '<primitive id="e2" class="ocf" provider="heartbeat"/>'
b cib modify --section resources --xml-text '<primitive id="e1" type="Stateful"/>'
equals "cib modify sets attributes of the element by id" "Stateful heartbeat" \
    "$(xp "$F" "//primitive[@id='e1']/@type") $(xp "$F" "//primitive[@id='e1']/@provider")"
fails_cleanly "cib modify of a missing element names it" "$F" "cib modify|no nvpair 'p-x'" \
    b cib modify --section crm_config --xml-text '<nvpair id="p-x" name="x" value="1"/>'
b cib modify --section crm_config --allow-create --xml-text '<cluster_property_set id="cib-bootstrap-options"><nvpair id="p-x" name="x" value="1"/></cluster_property_set>'
equals "cib modify --allow-create adds what is missing" "1" "$(xp "$F" "//nvpair[@id='p-x']/@value")"
b cib replace --xml-text '<primitive id="e1" class="ocf" provider="heartbeat" type="Dummy"/>'
equals "cib replace replaces the element" "Dummy" "$(xp "$F" "//primitive[@id='e1']/@type")"
# As cibadmin --delete: nothing matching is nothing to delete, exit 0 and no new version.
v=$(version "$F")
b cib delete --xml-text '<nvpair id="p-x" value="2"/>'
rc=$?
b cib delete --section resources --xml-text '<primitive id="no-such"/>'
equals "cib delete of an element that does not exist (or differs): exit 0, nothing changed" \
    "0 0 1 $v" "$rc $? $(xcount "$F" "//nvpair[@id='p-x']") $(version "$F")"
b cib delete --xml-text '<primitive id="e1"/>'
equals "cib delete removes the element" "0" "$(xcount "$F" "//primitive[@id='e1']")"
fails_cleanly "cib modify needs XML" "$F" "--xml-text" b cib modify --section resources
fails_cleanly "cib create with malformed XML" "$F" "cib create|--xml-text" \
    b cib create --section resources --xml-text '<primitive id='
fails_cleanly "cib modify with an unknown section" "$F" "unknown section 'resource'" \
    b cib modify --section resource --xml-text '<primitive id="e1"/>'

tap_done
