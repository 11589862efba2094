#!/bin/sh
# TAP: the scheduler conformance counts must not drop below cts/scheduler/ratchet, and no
# case may crash. When counts rise, raise the ratchet file in the same commit.
set -u
here=$(cd "$(dirname "$0")" && pwd)
corpus=${SHARED_DIR:-$here/../../../shared}/conformance/scheduler

if [ ! -d "$corpus" ]; then
    echo "1..0 # SKIP conformance corpus not found at $corpus"
    exit 0
fi
out=$(sh "$here/conformance.sh")
summary=$(echo "$out" | head -n 1)
echo "1..4"
n=0
for tier in tier1 tier2 tier3; do
    n=$((n + 1))
    want=$(awk -v t="$tier" '$1 == t { print $2 }' "$here/ratchet")
    got=$(echo "$summary" | tr ' ' '\n' | awk -v t="$tier" 'prev == t { split($0, a, "/"); print a[1] } { prev = $0 }')
    if [ -n "$got" ] && [ "$got" -ge "${want:-0}" ]; then
        echo "ok $n - $tier: $got cases pass (ratchet $want)"
    else
        echo "not ok $n - $tier: ${got:-?} cases pass, below the ratchet of $want"
        echo "$out" | grep "^FAIL $tier/" | sed 's/^/# /'
    fi
done
crashes=$(echo "$out" | grep -c "crash or timeout")
if [ "$crashes" -eq 0 ]; then
    echo "ok 4 - no case crashes or times out"
else
    echo "not ok 4 - $crashes cases crash or time out"
    echo "$out" | grep "crash or timeout" | sed 's/^/# /'
fi
