#!/bin/bash
# Scheduler benchmark (figures, never assertions): for each size M and each state
# (stopped, running, and "set": running with a colocation set chain of BENCH_SET_SIZE
# members, default M/10), generate a CIB with bl-gen-cib, time 3 runs of
# `belay simulate FILE --placement` and, when installed, of `crm_simulate -R -x FILE`
# (scheduler only), and print the median wall time, the peak RSS, the ratio
# crm_simulate/belay and whether both compute the same placement.
# Usage: cts/bench/scheduler/bench.sh [SIZES...]    (default: 100 1000 5000 10000)
# Environment: BENCH_CAP (seconds per run, default 120), BENCH_CRM_MAX (largest size
# crm_simulate is run on, default 1000: it takes minutes beyond), BENCH_SEED (default 1),
# BENCH_SET_SIZE (members of the "set" state's colocation set; 0 skips that state),
# BENCH_KEEP=1 keeps the generated files (their directory is printed).
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
GEN="$top_builddir/cts/bench/scheduler/bl-gen-cib"
BELAY="${BELAY:-$top_builddir/tools/belay}"
CAP=${BENCH_CAP:-120}
CRM_MAX=${BENCH_CRM_MAX:-1000}
SEED=${BENCH_SEED:-1}
RUNS=3
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(100 1000 5000 10000)

for tool in "$GEN" "$BELAY"; do
    if [ ! -x "$tool" ]; then
        echo "bench.sh: $tool is not built (run make first)" >&2
        exit 1
    fi
done
if [ ! -x /usr/bin/time ]; then
    echo "bench.sh: /usr/bin/time is missing (Debian package 'time')" >&2
    exit 1
fi
CRM=$(command -v crm_simulate || true)
DIR=$(mktemp -d)
if [ "${BENCH_KEEP:-0}" = 1 ]; then
    echo "files kept in $DIR"
else
    trap 'rm -rf "$DIR"' EXIT
fi

# timed OUT CMD...: run CMD under the cap; print "SECONDS KB" (SECONDS is "cap" when the
# run was stopped by the cap, "fail" when it failed), its stdout goes to OUT.
timed() {
    local out=$1 rc t0 t1
    shift
    t0=$EPOCHREALTIME
    /usr/bin/time -o "$DIR/time" -f "%M" timeout "$CAP" "$@" >"$out" 2>"$DIR/stderr"
    rc=$?
    t1=$EPOCHREALTIME
    if [ $rc = 124 ]; then
        echo "cap -"
    elif [ $rc != 0 ]; then
        echo "fail -"
    else
        echo "$(awk -v a="$t0" -v b="$t1" "BEGIN { printf \"%.4f\", b - a }") $(tail -n 1 "$DIR/time")"
    fi
}


# median3 of lines "SECONDS KB": the median time and the largest RSS, as "TIME<TAB>RSS";
# a capped or failed run counts as slower than any finished one.
median3() {
    awk -v cap="$CAP" '
        { t = $1 == "cap" ? 1e18 : $1 == "fail" ? 2e18 : $1 + 0; v[NR] = t
          if ($2 != "-" && $2 + 0 > rss) { rss = $2 + 0 } }
        END {
            n = asort(v)
            m = v[int((n + 1) / 2)]
            if (m == 1e18) { printf "> %d s\t-\n", cap; exit }
            if (m == 2e18) { printf "failed\t-\n"; exit }
            printf "%.3f s\t%d MB\n", m, rss / 1024
        }'
}

# crm_placement CIB OUT: crm_simulate's placement in Belay's --placement format: the
# input's status (bl-gen-cib writes only successful starts) with the transition summary of
# `crm_simulate -R` (its stdout in OUT) applied. Actions marked "(blocked)" are not
# executed, so they change nothing. (`crm_simulate -S` would give the state directly, but
# it takes longer than the scheduler itself: 20 s at 100 resources.)
crm_placement() {
    awk '
        FNR == NR && /<primitive / {
            match($0, / id="[^"]*"/); where[substr($0, RSTART + 5, RLENGTH - 6)] = "-"
        }
        FNR == NR && /<node_state / {
            match($0, / uname="[^"]*"/); node = substr($0, RSTART + 8, RLENGTH - 9)
        }
        FNR == NR && /<lrm_resource / {
            match($0, / id="[^"]*"/); where[substr($0, RSTART + 5, RLENGTH - 6)] = node
        }
        FNR == NR { next }
        /^Transition Summary:/ { summary = 1; next }
        summary && /^[^ ]/ { summary = 0 }
        !summary || !/^ *\* / || /blocked/ { next }
        {
            line = $0; sub(/^ *\* */, "", line)
            split(line, f, " "); kind = f[1]; rsc = f[2]
            inside = line; sub(/^[^(]*\( */, "", inside); sub(/ *\).*$/, "", inside)
            if (kind == "Stop") { where[rsc] = "-" }
            else if (kind == "Start") { where[rsc] = inside }
            else if (kind == "Move" || kind == "Migrate") { sub(/^.*-> */, "", inside); where[rsc] = inside }
        }
        END {
            for (r in where) { print r (where[r] == "-" ? " Stopped -" : " Started " where[r]) }
        }
    ' "$1" "$2" | LC_ALL=C sort
}


# bench_tool NAME OUT CMD...: 3 capped runs, prints "TIME<TAB>RSS"; the first run's stdout
# is kept in OUT. Stops after a capped run: the cap is for sizes a tool cannot handle.
bench_tool() {
    local out=$1 r res
    shift
    for r in $(seq 1 $RUNS); do
        res=$(timed "$DIR/run.out" "$@")
        echo "$res"
        [ "$r" = 1 ] && cp "$DIR/run.out" "$out"
        case $res in
        cap*|fail*) break ;;
        esac
    done | median3
}

printf '%-6s %-8s %-11s %-9s %-11s %-9s %-8s %s\n' \
    resources state belay belay-RSS crm_sim crm-RSS ratio same-placement
for size in "${SIZES[@]}"; do
    set_size=${BENCH_SET_SIZE:-$((size / 10))}
    for state in stopped running set; do
        cib="$DIR/cib-$size-$state.xml"
        if [ "$state" = set ]; then
            [ "$set_size" -ge 2 ] || continue
            "$GEN" --seed "$SEED" --nodes 16 --resources "$size" --state running \
                --set-size "$set_size" >"$cib" || exit 1
        else
            "$GEN" --seed "$SEED" --nodes 16 --resources "$size" --state "$state" >"$cib" || exit 1
        fi
        IFS=$'\t' read -r bt brss < <(bench_tool "$DIR/belay.placement" \
            "$BELAY" simulate "$cib" --placement)
        ct=-; crss=-; ratio=-; same=-
        if [ -n "$CRM" ] && [ "$size" -le "$CRM_MAX" ]; then
            IFS=$'\t' read -r ct crss < <(bench_tool "$DIR/crm.out" "$CRM" -R -x "$cib")
            ratio=$(awk -v c="${ct% s}" -v b="${bt% s}" \
                'BEGIN { if (c + 0 > 0 && b + 0 > 0 && c !~ />/) printf "%.0fx", c / b; else print "-" }')
            if [[ $bt == [0-9]* && $ct == [0-9]* ]]; then
                crm_placement "$cib" "$DIR/crm.out" >"$DIR/crm.placement"
                if [ ! -s "$DIR/crm.placement" ]; then
                    same="no transition summary"
                elif cmp -s "$DIR/crm.placement" "$DIR/belay.placement"; then
                    same="yes ($(wc -l <"$DIR/crm.placement") lines)"
                else
                    same="NO ($(diff "$DIR/crm.placement" "$DIR/belay.placement" | grep -c '^<') lines differ)"
                    cp "$DIR/crm.placement" "$DIR/crm-$size-$state.placement"
                    cp "$DIR/belay.placement" "$DIR/belay-$size-$state.placement"
                fi
            fi
        fi
        printf '%-9s %-8s %-11s %-9s %-11s %-9s %-8s %s\n' \
            "$size" "$state" "$bt" "$brss" "$ct" "$crss" "$ratio" "$same"
    done
done
