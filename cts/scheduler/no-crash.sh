#!/bin/sh
# TAP: belay simulate must never crash on the conformance corpus. Every case runs in the
# three modes that apply or serialize the transition (human status, --save-graph with
# --save-output, --scores); each must exit 0 or refuse cleanly (non-zero with a single
# error line), never die on a signal, time out or trip a sanitizer. make check runs tier1,
# tier2 and every third tier3 case (the whole corpus takes ~2.5 min under ASan);
# NO_CRASH_ALL=1 runs all of them.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top_builddir=${top_builddir:-$here/../..}
belay=${BELAY:-$top_builddir/tools/belay}
corpus=${SHARED_DIR:-$here/../../../shared}/conformance/scheduler
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

if [ ! -d "$corpus/tier1" ]; then
    echo "1..0 # SKIP no conformance corpus at $corpus"
    exit 0
fi
ls "$corpus"/tier1/*.xml "$corpus"/tier2/*.xml > "$work/list"
if [ "${NO_CRASH_ALL:-0}" = 1 ]; then
    ls "$corpus"/tier3/*.xml >> "$work/list"
else
    ls "$corpus"/tier3/*.xml | awk 'NR % 3 == 1' >> "$work/list"
fi
echo "1..$(wc -l < "$work/list")"

# run MODE XML ARGS...: prints nothing when the run exited 0 or refused cleanly.
run() {
    mode=$1
    shift
    rm -f "$work/graph.xml" "$work/out.xml"
    timeout 60 "$belay" simulate "$@" > "$work/stdout" 2> "$work/err"
    rc=$?
    if [ $rc -ge 124 ]; then
        echo "$mode: exit $rc (signal or timeout)"
    elif grep -q 'AddressSanitizer\|LeakSanitizer\|runtime error:' "$work/err"; then
        echo "$mode: sanitizer report"
    elif [ $rc -ne 0 ] && [ "$(wc -l < "$work/err")" -ne 1 ]; then
        echo "$mode: exit $rc without a single error line"
    fi
}

n=0
while read -r xml; do
    n=$((n + 1))
    name=$(basename "$(dirname "$xml")")/$(basename "${xml%.xml}")
    {
        run status "$xml"
        run save "$xml" --save-graph "$work/graph.xml" --save-output "$work/out.xml"
        run scores "$xml" --scores
    } > "$work/failures"
    if [ ! -s "$work/failures" ]; then
        echo "ok $n - $name: no crash"
    else
        echo "not ok $n - $name"
        sed 's/^/# /' "$work/failures"
        grep -m5 'ERROR\|SUMMARY\|runtime error\|#[0-4] ' "$work/err" | sed 's/^/#   /'
    fi
done < "$work/list"
