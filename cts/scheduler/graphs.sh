#!/bin/sh
# TAP: belay simulate --save-graph against crm_simulate -G (Pacemaker 2.1.5; the graphs of
# the tier1 corpus cases, of the tier2 cases that match (all 81: clones, notifications,
# promotion, sets, utilization) and of tier3 ones with fencing, clones and notifications
# are in graphs/NAME.graph.xml): the same actions a controller executes (rsc_op and
# crm_event by operation key and node; probes, monitors, cancels, deletes, notifications
# included) and, for each, the same actions before it (inputs followed through
# pseudo-events); the same pseudo-events of clones (start, running, ..., pre_notify_start,
# confirmed-post_notify_running, ...); notify actions with the same notify_* meta
# attributes. Ids and the shape of other pseudo-event chains may differ.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top_builddir=${top_builddir:-$here/../..}
belay=${BELAY:-$top_builddir/tools/belay}
corpus=${SHARED_DIR:-$here/../../../shared}/conformance/scheduler/tier1
tier2=${corpus%/tier1}/tier2
tier3=${corpus%/tier1}/tier3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

if [ ! -d "$corpus" ]; then
    echo "1..0 # SKIP no conformance corpus at $corpus"
    exit 0
fi
if ! command -v python3 > /dev/null || ! command -v xmllint > /dev/null; then
    echo "1..0 # SKIP python3 and xmllint are needed to compare graphs"
    exit 0
fi
set -- "$here"/graphs/*.graph.xml
echo "1..$#"
n=0
for expected in "$@"; do
    n=$((n + 1))
    name=$(basename "$expected" .graph.xml)
    dir=$corpus
    [ -f "$dir/$name.xml" ] || dir=$tier2
    [ -f "$dir/$name.xml" ] || dir=$tier3
    [ -f "$dir/$name.xml" ] || dir=$here/cases
    args=""
    [ -f "$dir/$name.args" ] && args=$(cat "$dir/$name.args")
    rm -f "$work/graph.xml"
    eval "\"$belay\" simulate \"$dir/$name.xml\" $args --actions --save-graph \"$work/graph.xml\"" \
        > /dev/null 2> "$work/err"
    rc=$?
    if [ $rc -eq 0 ] && xmllint --noout "$work/graph.xml" 2>> "$work/err" \
        && python3 "$here/graph-compare.py" "$expected" "$work/graph.xml" > "$work/diff"; then
        echo "ok $n - $name"
    else
        echo "not ok $n - $name (exit $rc)"
        sed 's/^/# /' "$work/diff" "$work/err"
    fi
done
