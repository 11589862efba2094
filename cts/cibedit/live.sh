#!/bin/sh
# Writes that carry their change, against belay-based on one private corosync node:
# `belay configure` commands run by the daemon on its current CIB (nothing fetched, so
# concurrent writers never lose a race), `belay cib modify|create|replace|delete`, and
# several writes of one client in flight with their outcomes collected in order.
# Needs root; skipped otherwise. Re-executes itself inside `unshare -n -m` (cts/lib/onenode.sh).
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
BELAY=${BELAY:-$top_builddir/tools/belay}
BASED=$top_builddir/daemons/based/belay-based
EDIT=$top_builddir/cts/cibedit/bl-cib-edit

ONENODE_NAME=cibedit
ONENODE_LOG=based.log
ONENODE_SHOW="out based.log"
ONENODE_PIDS=based_pid
based_pid=
# shellcheck source=cts/lib/onenode.sh
. "$top_srcdir/cts/lib/onenode.sh"

# the value of property NAME in the daemon's CIB
prop() { "$BELAY" cib query --xpath "//nvpair[@name='$1']" 2>/dev/null | sed -n 's/.* value="\([^"]*\)".*/\1/p'; }

start_corosync
"$BASED" >>"$work/based.out" 2>&1 &
based_pid=$!
wait_quorate

echo "1..21"
check "belay configure property is written by belay-based" "$BELAY" configure property alpha=1
check "and is in its CIB" test "$(prop alpha)" = 1

# Two writers at once, 15 writes each: nothing fetched, so no write loses a race.
writers=
for w in a b; do
    (j=0; while [ $j -lt 15 ]; do "$BELAY" configure property "w$w$j=$j" || echo "failed $w$j"; j=$((j + 1)); done) >"$work/writer-$w" 2>&1 &
    writers="$writers $!"
done
for pid in $writers; do wait "$pid"; done
check "two concurrent configure writers: every write acknowledged" \
    sh -c "! grep -q . '$work/writer-a' '$work/writer-b'"
check "and all 30 properties are in the CIB" \
    test "$("$BELAY" cib query --xpath "//nvpair[starts-with(@name, 'w')]" | grep -c '<nvpair')" = 30

v=$("$BELAY" cib version)
"$BELAY" configure primitive web ocf:heartbeat:Dummy
"$BELAY" configure colocation bad inf: web missing-rsc >"$work/out" 2>&1
rc=$?
check "an invalid configure command is refused (exit 3) with the crm message" \
    sh -c "test $rc = 3 && grep -q \"colocation bad: no resource 'missing-rsc'\" '$work/out'"
v2=$("$BELAY" cib version)
"$BELAY" configure primitive web ocf:heartbeat:Dummy >"$work/out" 2>&1
check "a duplicate id is refused and changes nothing" \
    sh -c "grep -q \"id 'web' is already in use\" '$work/out' && test \"\$('$BELAY' cib version)\" = '$v2'"
check "a valid write before them bumped the epoch once" \
    test "$(echo "$v" | cut -d' ' -f2)" = "$(($(echo "$v2" | cut -d' ' -f2) - 1))"

# cib modify/create/delete live: the daemon applies them to its CIB.
check "cib modify --allow-create sets a property" "$BELAY" cib modify --section crm_config \
    --allow-create --xml-text '<cluster_property_set id="cib-bootstrap-options"><nvpair id="m1" name="m1" value="x"/></cluster_property_set>'
check "and cib modify changes it by id" sh -c "'$BELAY' cib modify --section crm_config --xml-text '<nvpair id=\"m1\" value=\"y\"/>' && test \"\$(sh -c \"'$BELAY' cib query --xpath '//nvpair[@id=\\\"m1\\\"]'\" | grep -c 'value=\"y\"')\" = 1"
"$BELAY" cib modify --section crm_config --xml-text '<nvpair id="nope" value="y"/>' >"$work/out" 2>&1
rc=$?
check "cib modify of a missing element: exit 3, names it" \
    sh -c "test $rc = 3 && grep -q \"cib modify: no nvpair 'nope' in crm_config\" '$work/out'"
"$BELAY" cib create --section resources --xml-text '<primitive id="half" class="ocf" provider="heartbeat"/>' >"$work/out" 2>&1
rc=$?
check "cib create of an invalid element: exit 4, nothing written" \
    sh -c "test $rc = 4 && grep -q 'invalid, nothing was written' '$work/out' && ! '$BELAY' cib query --xpath '//primitive[@id=\"half\"]' >/dev/null 2>&1"
check "cib delete removes an element" sh -c "'$BELAY' cib delete --xml-text '<primitive id=\"web\"/>' && ! '$BELAY' cib query --xpath '//primitive[@id=\"web\"]' >/dev/null 2>&1"
v=$("$BELAY" cib version)
"$BELAY" cib delete --xml-text '<primitive id="web"/>' >"$work/out" 2>&1
rc=$?
check "cib delete of an element that is not there: exit 0, as cibadmin's, and no new version" \
    sh -c "test $rc = 0 && test \"\$('$BELAY' cib version)\" = '$v'"

# Several writes in flight; the 13th is refused; outcomes come back in order.
"$EDIT" pipeline 40 8 13 >"$work/pipe" 2>&1
check "40 pipelined edits: outcomes collected in submission order" \
    test "$(cut -d' ' -f1 "$work/pipe" | tr '\n' ' ')" = "$(seq 0 39 | tr '\n' ' ')"
awk '$2 != 0' "$work/pipe" >"$work/refused"
check "only the bad one is refused, with its reason" sh -c "test \$(wc -l <'$work/refused') = 1 && grep -Eq \"^13 -[0-9]+ create: cluster_property_set 'cib-bootstrap-options' already exists in crm_config\$\" '$work/refused'"
check "and the 39 others are in the CIB" \
    test "$("$BELAY" cib query --xpath "//nvpair[starts-with(@name, 'pipe-')]" | grep -c '<nvpair')" = 39

# Edits delivered together are validated once; one whose result is invalid makes the
# daemon apply and validate them one by one: exactly that one is refused.
"$EDIT" pipeline-invalid 40 16 21 >"$work/pipe-invalid" 2>&1
awk '$2 != 0' "$work/pipe-invalid" >"$work/refused-invalid"
check "40 pipelined edits, one with an invalid result: only it is refused, as invalid" \
    sh -c "test \$(wc -l <'$work/refused-invalid') = 1 && grep -Eq '^21 -[0-9]+ the resulting CIB is invalid, nothing was written' '$work/refused-invalid'"
check "and the 39 others are in the CIB" \
    test "$("$BELAY" cib query --xpath "//nvpair[starts-with(@name, 'inv-')]" | grep -c '<nvpair')" = 39
check "and the invalid element is not" \
    sh -c "! '$BELAY' cib show --section crm_config | grep -q bogus"

# What the daemon refuses before multicasting: commands that read files or run programs.
"$EDIT" edit '<cib-edit><crm><arg>load</arg><arg>update</arg><arg>/etc/passwd</arg></crm></cib-edit>' >"$work/out"
check "a configure command that is not a change (load) is refused" \
    grep -Eq "^rc -[0-9]+ crm: 'load' is not run by belay-based \(only commands that change the configuration are\)$" "$work/out"

kill -TERM "$based_pid"
wait "$based_pid"
rc=$?
based_pid=
check "SIGTERM stops belay-based cleanly (exit 0, no sanitizer report)" \
    sh -c "test $rc = 0 && ! grep -q Sanitizer '$work/based.out'"
exit $failed
