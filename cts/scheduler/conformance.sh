#!/bin/sh
# Runs the scheduler conformance corpus (Pacemaker 2.1.5's regression inputs with the
# outcome crm_simulate computes) through belay's simulator and prints
#   tier1 P/N tier2 P/N tier3 P/N
# then one line per failing case: "FAIL tierN/NAME: placement|actions|error|crash".
# A case passes when both its placement and its actions match exactly.
#
# Environment: BELAY_SIMULATE (command, default "$top_builddir/tools/belay
# simulate"), SHARED_DIR (default ../shared next to the source tree), TIERS (default
# "tier1 tier2 tier3"), CONFORMANCE_TIMEOUT (seconds per case, default 20).
# Exit status: 0 (the counts are the result; see ratchet.sh for a pass/fail check).
set -u

top_builddir=${top_builddir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_srcdir=${top_srcdir:-$top_builddir}
SHARED_DIR=${SHARED_DIR:-$top_srcdir/../shared}
BELAY_SIMULATE=${BELAY_SIMULATE:-$top_builddir/tools/belay simulate}
TIERS=${TIERS:-"tier1 tier2 tier3"}
CONFORMANCE_TIMEOUT=${CONFORMANCE_TIMEOUT:-20}
corpus=$SHARED_DIR/conformance/scheduler

if [ ! -d "$corpus" ]; then
    echo "conformance: corpus not found at $corpus" >&2
    exit 2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

summary=""
failures=$work/failures
: > "$failures"
for tier in $TIERS; do
    pass=0
    total=0
    for xml in "$corpus/$tier"/*.xml; do
        [ -e "$xml" ] || continue
        name=$(basename "$xml" .xml)
        base=$corpus/$tier/$name
        total=$((total + 1))
        args=""
        if [ -f "$base.args" ]; then
            args=$(cat "$base.args")
        fi
        # .args holds crm_simulate arguments (e.g. -t "2014-05-07 00:28:00"); eval keeps
        # their quoting.
        eval "set -- $args"
        # One run prints the placement then the actions.
        timeout "$CONFORMANCE_TIMEOUT" $BELAY_SIMULATE "$xml" --placement --actions "$@" \
            > "$work/out" 2> "$work/err"
        rc=$?
        cat "$base.placement" "$base.actions" > "$work/expected"
        lines=$(wc -l < "$base.placement")
        if [ $rc -ge 124 ]; then
            echo "FAIL $tier/$name: crash or timeout (status $rc)" >> "$failures"
        elif [ $rc -ne 0 ]; then
            echo "FAIL $tier/$name: error: $(head -n 1 "$work/err")" >> "$failures"
        elif cmp -s "$work/out" "$work/expected"; then
            pass=$((pass + 1))
        elif ! head -n "$lines" "$work/out" | cmp -s - "$base.placement"; then
            echo "FAIL $tier/$name: placement" >> "$failures"
        else
            echo "FAIL $tier/$name: actions" >> "$failures"
        fi
    done
    summary="$summary${summary:+ }$tier $pass/$total"
done
echo "$summary"
cat "$failures"
exit 0
