#!/bin/sh
# TAP: Belay's own scheduler regression cases (cts/scheduler/cases/NAME.xml with the
# reviewed NAME.placement and NAME.actions; NAME.args holds extra simulate arguments).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top_builddir=${top_builddir:-$here/../..}
simulate=${BELAY_SIMULATE:-$top_builddir/tools/belay simulate}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

set -- "$here"/cases/*.xml
echo "1..$(($# + 3))"
n=0

# The command line: usage errors, unreadable files and unsupported features.
$simulate > /dev/null 2>&1
rc=$?
n=$((n + 1))
if [ $rc -eq 2 ]; then echo "ok $n - usage error exits 2"; else echo "not ok $n - usage error exits $rc"; fi
$simulate "$work/missing.xml" --placement > /dev/null 2> "$work/err"
rc=$?
n=$((n + 1))
if [ $rc -eq 1 ] && grep -q missing.xml "$work/err"; then
    echo "ok $n - an unreadable CIB is named, exit 1"
else
    echo "not ok $n - unreadable CIB: exit $rc: $(cat "$work/err")"
fi
printf '%s\n' "<cib><configuration><crm_config/><nodes/><resources><bundle id='b'>" \
    "<docker image='web'/><primitive id='p' class='ocf' provider='pacemaker' type='Dummy'/>" \
    "</bundle></resources><constraints/></configuration><status/></cib>" > "$work/bundle.xml"
$simulate "$work/bundle.xml" --placement > "$work/out" 2> "$work/err"
rc=$?
n=$((n + 1))
if [ $rc -eq 3 ] && grep -q "bundle 'b'" "$work/err" && [ ! -s "$work/out" ]; then
    echo "ok $n - an unsupported feature is refused by name, exit 3, no output"
else
    echo "not ok $n - unsupported feature: exit $rc: $(cat "$work/err")"
fi

for xml in "$@"; do
    n=$((n + 1))
    base=${xml%.xml}
    name=$(basename "$base")
    args=""
    [ -f "$base.args" ] && args=$(cat "$base.args")
    # shellcheck disable=SC2086
    $simulate "$xml" --placement --actions $args > "$work/out" 2> "$work/err"
    rc=$?
    if [ -f "$base.refused" ]; then
        # NAME.refused: the input needs an unbuilt feature; the message names it.
        if [ $rc -eq 3 ] && [ ! -s "$work/out" ] && grep -qF -- "$(cat "$base.refused")" "$work/err"; then
            echo "ok $n - $name (refused)"
        else
            echo "not ok $n - $name (exit $rc, expected a refusal)"
            sed 's/^/# /' "$work/err"
        fi
        continue
    fi
    cat "$base.placement" "$base.actions" > "$work/expected"
    if [ $rc -eq 0 ] && cmp -s "$work/out" "$work/expected"; then
        echo "ok $n - $name"
    else
        echo "not ok $n - $name (exit $rc)"
        diff "$work/expected" "$work/out" | sed 's/^/# /'
        sed 's/^/# /' "$work/err"
    fi
done
