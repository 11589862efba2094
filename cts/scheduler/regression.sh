#!/bin/sh
# TAP: Belay's own scheduler regression cases (cts/scheduler/cases/NAME.xml with the
# reviewed NAME.placement and NAME.actions; NAME.args holds extra simulate arguments).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top_builddir=${top_builddir:-$here/../..}
simulate=${BELAY_SIMULATE:-$top_builddir/tools/belay-simulate simulate}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

set -- "$here"/cases/*.xml
echo "1..$#"
n=0
for xml in "$@"; do
    n=$((n + 1))
    base=${xml%.xml}
    name=$(basename "$base")
    args=""
    [ -f "$base.args" ] && args=$(cat "$base.args")
    # shellcheck disable=SC2086
    $simulate "$xml" --placement --actions $args > "$work/out" 2> "$work/err"
    rc=$?
    cat "$base.placement" "$base.actions" > "$work/expected"
    if [ $rc -eq 0 ] && cmp -s "$work/out" "$work/expected"; then
        echo "ok $n - $name"
    else
        echo "not ok $n - $name (exit $rc)"
        diff "$work/expected" "$work/out" | sed 's/^/# /'
        sed 's/^/# /' "$work/err"
    fi
done
