#!/bin/sh
# TAP: belay simulate --scores prints the same allocation score lines as crm_simulate -s
# (Pacemaker 2.1.5; the pcmk__group_assign/pcmk__primitive_assign lines are in
# scores/NAME.scores) for every tier1 case of the conformance corpus, and for Belay's own
# cases (cases/NAME.xml) that have a scores/NAME.scores (node order on >9 nodes).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top_builddir=${top_builddir:-$here/../..}
belay=${BELAY:-$top_builddir/tools/belay}
corpus=${SHARED_DIR:-$here/../../../shared}/conformance/scheduler/tier1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

if [ ! -d "$corpus" ]; then
    echo "1..0 # SKIP no conformance corpus at $corpus"
    exit 0
fi
set -- "$here"/scores/*.scores
echo "1..$#"
n=0
for expected in "$@"; do
    n=$((n + 1))
    name=$(basename "$expected" .scores)
    dir=$corpus
    [ -f "$dir/$name.xml" ] || dir=$here/cases
    args=""
    [ -f "$dir/$name.args" ] && args=$(cat "$dir/$name.args")
    eval "\"$belay\" simulate \"$dir/$name.xml\" $args --scores" > "$work/out" 2> "$work/err"
    rc=$?
    if [ $rc -eq 0 ] && cmp -s "$expected" "$work/out"; then
        echo "ok $n - $name"
    else
        echo "not ok $n - $name (exit $rc)"
        diff "$expected" "$work/out" | sed 's/^/# /'
        sed 's/^/# /' "$work/err"
    fi
done
