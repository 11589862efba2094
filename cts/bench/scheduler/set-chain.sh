#!/bin/sh
# TAP: colocation merging along a long chain (a colocation set) gives the same result as
# before it was made cheaper. bl-gen-cib builds each CIB (seed 3, 6 nodes, 120 primitives,
# a sequential colocation set of 50 lone primitives crossed by the generator's other
# colocations); set-chain/NAME.{placement,actions,scores} hold the outputs, whose scores were
# checked line for line against crm_simulate -s (Pacemaker 2.1.5) when they were recorded.
GEN="$top_builddir/cts/bench/scheduler/bl-gen-cib"
EXPECTED="$top_srcdir/cts/bench/scheduler/set-chain"
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
n=0
echo "1..9"
for case in running-INFINITY running-500 stopped-INFINITY; do
    state=${case%%-*}
    score=${case#*-}
    "$GEN" --seed 3 --nodes 6 --resources 120 --state "$state" --set-size 50 \
        --set-score "$score" >"$DIR/$case.xml"
    for view in placement actions scores; do
        n=$((n + 1))
        if "$BELAY" simulate "$DIR/$case.xml" "--$view" >"$DIR/$case.$view" 2>"$DIR/err" &&
            cmp -s "$EXPECTED/$case.$view" "$DIR/$case.$view"; then
            echo "ok $n - $case: --$view unchanged"
        else
            echo "not ok $n - $case: --$view differs: $(diff "$EXPECTED/$case.$view" "$DIR/$case.$view" | head -n 3 | tr '\n' ' ')$(cat "$DIR/err")"
        fi
    done
done
