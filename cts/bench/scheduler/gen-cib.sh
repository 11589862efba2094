#!/bin/sh
# The scheduler benchmark's CIB generator (correctness only, no timing): its output is a
# valid CIB that `belay simulate` schedules, it has what the benchmark promises, and a
# seed always gives the same file.
GEN="$top_builddir/cts/bench/scheduler/bl-gen-cib"
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
n=0
check() {
    n=$((n + 1))
    if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}
echo "1..11"
M=60
for state in stopped running; do
    "$GEN" --seed 7 --resources $M --state $state >"$DIR/$state.xml"
    check $? "bl-gen-cib --state $state succeeds"
    "$BELAY" --file "$DIR/$state.xml" cib verify >"$DIR/verify.out" 2>&1
    check $? "the $state CIB passes belay cib verify"
    "$BELAY" simulate "$DIR/$state.xml" --placement >"$DIR/$state.placement" 2>"$DIR/sim.err" &&
        [ "$(wc -l <"$DIR/$state.placement")" = $M ] &&
        [ "$(grep -c ' Started node' "$DIR/$state.placement")" -gt $((M / 2)) ]
    check $? "belay simulate --placement places the $state CIB's $M primitives"
done

# The running state starts every primitive once, on some node of the 16.
[ "$(grep -c '<lrm_resource ' "$DIR/running.xml")" = $M ] &&
    [ "$(grep -c '<node_state .*crmd="online"' "$DIR/running.xml")" = 16 ] &&
    [ "$(grep -c '<lrm_resource ' "$DIR/stopped.xml")" = 0 ]
check $? "running has one start per primitive, both states have 16 online nodes"

"$GEN" --seed 7 --resources $M --state running | cmp -s - "$DIR/running.xml" &&
    ! "$GEN" --seed 8 --resources $M --state running | cmp -s - "$DIR/running.xml"
check $? "a seed always gives the same CIB and another seed another one"

"$GEN" --state bogus >"$DIR/bad.out" 2>"$DIR/bad.err"
[ $? = 2 ] && [ ! -s "$DIR/bad.out" ] && grep -q "bogus" "$DIR/bad.err"
check $? "a bad option is refused with a message and no output"

# --set-size adds one colocation set of distinct lone primitives and nothing else.
"$GEN" --seed 7 --resources $M --state running --set-size 12 --set-score 500 >"$DIR/set.xml"
[ "$(grep -c '<resource_ref id="r' "$DIR/set.xml")" = 12 ] &&
    [ "$(grep '<resource_ref ' "$DIR/set.xml" | sort -u | wc -l)" = 12 ] &&
    grep -q '<rsc_colocation id="colset" score="500">' "$DIR/set.xml" &&
    sed '/<rsc_colocation id="colset"/,/<\/rsc_colocation>/d' "$DIR/set.xml" | cmp -s - "$DIR/running.xml"
check $? "--set-size adds a set of 12 distinct primitives and changes nothing else"

"$GEN" --set-size 5 --set-score 'x"' >"$DIR/bad.out" 2>"$DIR/bad.err"
[ $? = 2 ] && [ ! -s "$DIR/bad.out" ] && grep -q "set-score" "$DIR/bad.err"
check $? "a bad --set-score is refused with a message and no output"
