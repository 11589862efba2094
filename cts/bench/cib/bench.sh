#!/usr/bin/env bash
# bench.sh - belay-based against Pacemaker 2.1's CIB daemon in the same 3-node lab
# (cts/cluster/lab.sh: real corosync 3 per network namespace, knet, token 1000 ms).
#
# For each stack, in a fresh lab with the same corosync settings:
#   * propagation: a watcher on node3 timestamps every change notification; node1 makes K
#     writes, GAP ms apart; latency = notification on node3 - start of the write on node1
#     (CLOCK_MONOTONIC of one machine, so the clocks are the same);
#   * acknowledged writes/s for SECONDS, one writer on node1, then three writers (one per
#     node) at once, through the client library on one connection (bl-cib-bench against
#     belay-based, pcmk-cib-bench against pacemaker-based): one write at a time, and
#     pipelined (WINDOW writes in flight: Belay's bl_cib_client_submit(), libcib's
#     asynchronous calls); for Belay also the older fetch-edit-diff way (BL_BENCH_DIFF=1);
#     and through the command line, one process per write (`belay configure property`
#     against `cibadmin --modify`).
# Every write is the same XML change on both sides: the value of the nvpair
# cib-bootstrap-options-bench-ID in crm_config, which exists before the timed writes.
# Pacemaker runs only its CIB daemon, pacemaker-based, on every node (no controller, so
# no scheduler runs after each write; node1's is made the primary instance, as on a DC),
# with private /var/lib/pacemaker, /var/log/pacemaker and /run/crm, stonith-enabled=false.
#
# usage: bench.sh [-b BUILDDIR] [-d DIR] [-s SECONDS] [-k WRITES] [-g GAP_MS] [-r ROUNDS]
#                 [-w WINDOW] [-B|-F] [-S] [-K]
#   -w  writes in flight per pipelined writer (default 32)
#   -r  alternate the stacks ROUNDS times (belay, pacemaker, belay, ...) and print the
#       median of each figure over the rounds: evens out other work on a shared machine
#   -F  run Pacemaker's whole stack (pacemakerd: controller, scheduler, attrd, fencer,
#       executor; a DC is elected, which takes about 25 s) instead of pacemaker-based alone;
#       then every crm_config write also makes the DC recompute a transition
#   -d  where the lab directory goes (default /tmp; not under /dev/shm or /run, which the
#       nodes' own hide); both stacks keep their CIB there, so its file system decides what
#       an fsync costs (Belay syncs every write to disk before it acknowledges it;
#       pacemaker-based saves cib.xml later, not every version)
#   -T  the labs on a tmpfs of their own (takes the disk out; their logs are not kept)
#   -B  Belay only (no Pacemaker, no table ratios)
#   -S  smoke: Belay only, 1 s runs, 30 propagation writes; fails if a figure is missing
#   -K  keep the lab directory (logs) even on success
# Needs root. Pacemaker (pacemaker, pacemaker-cli-utils, pacemaker-dev for libcib) is
# installed with apt-get if missing, with a policy-rc.d that keeps it from starting.
set -uo pipefail

top_srcdir=$(cd "$(dirname "$0")/../../.." && pwd)
BUILD=$top_srcdir
SECS=10
K=500
GAP=10
PCMK=1
FULL=0
SMOKE=0
KEEP=0
BASE=/tmp
ROUNDS=1
TMPFS=0
WINDOW=32
while getopts "b:d:s:k:g:r:w:BFSKT" opt; do
    case $opt in
    b) BUILD=$(cd "$OPTARG" && pwd) || exit 2 ;;
    d) BASE=$OPTARG ;;
    r) ROUNDS=$OPTARG ;;
    s) SECS=$OPTARG ;;
    k) K=$OPTARG ;;
    g) GAP=$OPTARG ;;
    w) WINDOW=$OPTARG ;;
    B) PCMK=0 ;;
    F) FULL=1 ;;
    S) SMOKE=1; PCMK=0; SECS=1; K=30 ;;
    K) KEEP=1 ;;
    T) TMPFS=1 ;;
    *) sed -n '/^# usage/,/^# Needs/p' "$0" >&2; exit 2 ;;
    esac
done

LABSH="$top_srcdir/cts/cluster/lab.sh"
BELAY="$BUILD/tools/belay"
BASED="$BUILD/daemons/based/belay-based"
BL_HELPER="$BUILD/cts/bench/cib/bl-cib-bench"
PCMK_BASED=/usr/lib/pacemaker/pacemaker-based
PCMK_DIRS="/var/lib/pacemaker /var/log/pacemaker"
case $(readlink -f "$BASE")/ in
/dev/shm/* | /run/*) echo "bench.sh: -d $BASE: the nodes' own /dev/shm and /run hide it" >&2; exit 2 ;;
esac
LAB=$(mktemp -d "$BASE/belay-bench-cib.XXXXXX") || exit 1
LABS=$LAB # where the labs go: LAB itself, or with -T a tmpfs in it
OUT="$LAB/out"
PCMK_HELPER="$LAB/pcmk-cib-bench"
mkdir -p "$OUT"
declare -A R   # figures of the round that runs
declare -A ACC # every round's figures, space-separated

die() { echo "bench.sh: $*" >&2; exit 1; }
say() { echo "# $(date +%T) $*" >&2; }
LABDIR="$LAB/belay" # one lab directory per stack: logs are appended, never mixed
lab() { "$LABSH" -w "$LABDIR" "$@"; }

# shellcheck disable=SC2317  # called from the trap
cleanup() {
    local rc=$?
    [ -f "$LABDIR/lab.env" ] && lab down >/dev/null 2>&1
    if [ $TMPFS -eq 1 ] && mountpoint -q "$LABS"; then umount "$LABS"; fi
    if [ $rc -eq 0 ] && [ $KEEP -eq 0 ]; then
        rm -rf "$LAB"
    else
        echo "bench.sh: logs and raw figures kept in $LAB" >&2
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# Waits up to $1 seconds until the rest of the line, a command, succeeds.
wait_until() {
    local end=$((SECONDS + $1)); shift
    until "$@"; do
        [ $SECONDS -lt $end ] || return 1
        sleep 0.1
    done
}

check_belay() {
    [ "$(id -u)" -eq 0 ] || die "needs root (network namespaces, mounts, corosync)"
    command -v corosync >/dev/null || die "corosync is not installed (apt-get install corosync)"
    local f
    for f in "$BELAY" "$BASED" "$BL_HELPER"; do
        [ -x "$f" ] || die "$f is missing: build first (make, or make bench-cib)"
    done
}

apt_install() { DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >>"$OUT/apt.log" 2>&1; }

# Debian's packages start their services from maintainer scripts through invoke-rc.d;
# a policy-rc.d that answers 101 (action forbidden) keeps them from running on the host.
install_pacemaker() {
    local policy=/usr/sbin/policy-rc.d own=0 rc
    say "installing pacemaker pacemaker-cli-utils pacemaker-dev (for the comparison only; Belay needs none of them); a policy-rc.d keeps the services from starting"
    if [ ! -e $policy ]; then
        printf '#!/bin/sh\nexit 101\n' > $policy && chmod 0755 $policy && own=1
    fi
    # an old package list cannot find them: update it once and try again
    apt_install pacemaker pacemaker-cli-utils pacemaker-dev \
        || { apt-get update -q >>"$OUT/apt.log" 2>&1 && apt_install pacemaker pacemaker-cli-utils pacemaker-dev; }
    rc=$?
    [ $own -eq 0 ] || rm -f $policy
    [ $rc -eq 0 ] || die "apt-get install pacemaker failed (see $OUT/apt.log); run with -B for Belay alone"
}

check_pacemaker() {
    if [ ! -x $PCMK_BASED ] || ! command -v cibadmin >/dev/null \
        || ! pkg-config --exists pacemaker-cib; then
        install_pacemaker
    fi
    local v
    v=$(dpkg-query -W -f '${Version}' pacemaker 2>/dev/null || echo unknown)
    [[ "$v" == 2.1.* ]] || say "warning: pacemaker $v is not the 2.1 series this benchmark was written for"
    # shellcheck disable=SC2046
    cc -std=gnu11 -O2 -o "$PCMK_HELPER" "$top_srcdir/cts/bench/cib/pcmk-cib-bench.c" \
        $(pkg-config --cflags --libs pacemaker-cib glib-2.0 libxml-2.0) \
        || die "cannot build pcmk-cib-bench against Pacemaker's libcib"
}

belay_same_version() {
    local v1 v3
    v1=$(lab run node1 "$BELAY" cib version 2>/dev/null) || return 1
    v3=$(lab run node3 "$BELAY" cib version 2>/dev/null) || return 1
    [ -n "$v1" ] && [ "$v1" = "$v3" ] && grep -q bench-prop <(lab run node3 "$BELAY" configure show 2>/dev/null)
}

belay_setup() {
    lab run node1 "$BELAY" configure property stonith-enabled=false bench-node1=x \
        bench-node2=x bench-node3=x bench-prop=x >/dev/null 2>&1
}

start_belay() {
    local n
    BELAY_LAB_BINDS="" lab up 3 2>"$OUT/lab-up.log" || die "the lab did not come up: $(tail -1 "$OUT/lab-up.log")"
    for n in node1 node2 node3; do
        lab spawn $n based env BELAY_LOG_FILE="$LABDIR/$n/log/based.log" "$BASED"
    done
    wait_until 30 belay_setup || die "belay-based on node1 takes no write (see $LABDIR/node1/log/based.log)"
    wait_until 30 belay_same_version || die "node3 does not get node1's write (see $LABDIR/node3/log/based.log)"
}

pcmk_ready() { lab run "$1" cibadmin -Q -l -o crm_config >/dev/null 2>&1; }
# (crmadmin -D spins on a CPU while there is no DC: read the CIB's dc-uuid instead)
pcmk_has_dc() { lab run node1 cibadmin -Q -l -n 2>/dev/null | grep -q ' dc-uuid="'; }
pcmk_daemon() { if [ $FULL -eq 1 ]; then command -v pacemakerd; else echo $PCMK_BASED; fi; }
pcmk_has_setup() { lab run node3 cibadmin -Q -l -o crm_config 2>/dev/null | grep -q bench-prop; }

start_pacemaker() {
    local n set
    BELAY_LAB_BINDS=$PCMK_DIRS lab up 3 2>"$OUT/lab-up.log" || die "the lab did not come up: $(tail -1 "$OUT/lab-up.log")"
    for n in node1 node2 node3; do
        # no systemd-tmpfiles in the lab: the directories a package install would make
        lab run $n install -d -o hacluster -g haclient -m 0750 /run/crm /var/lib/pacemaker/cib \
            /var/lib/pacemaker/pengine /var/lib/pacemaker/blackbox /var/lib/pacemaker/cores \
            /var/log/pacemaker || die "$n: cannot make Pacemaker's directories"
        lab spawn $n pacemaker env PCMK_logfacility=none \
            PCMK_logfile=/var/log/pacemaker/pacemaker.log "$(pcmk_daemon)"
    done
    for n in node1 node2 node3; do
        wait_until 30 pcmk_ready $n || die "$n: pacemaker-based does not answer (see $LABDIR/$n/bind/var/log/pacemaker/pacemaker.log)"
    done
    if [ $FULL -eq 1 ]; then
        # the DC's controller makes its CIB the primary one, after dc-deadtime (20 s)
        wait_until 90 pcmk_has_dc || die "no DC was elected (see $LABDIR/node1/bind/var/log/pacemaker/pacemaker.log)"
    else
        lab run node1 "$PCMK_HELPER" promote || die "cannot make node1's pacemaker-based the primary"
    fi
    set='<cluster_property_set id="cib-bootstrap-options">'
    set+='<nvpair id="cib-bootstrap-options-stonith-enabled" name="stonith-enabled" value="false"/>'
    for n in node1 node2 node3 prop; do
        set+="<nvpair id=\"cib-bootstrap-options-bench-$n\" name=\"bench-$n\" value=\"x\"/>"
    done
    set+='</cluster_property_set>'
    lab run node1 cibadmin --modify --allow-create -o crm_config --xml-text "$set" \
        || die "cannot create the bench properties"
    wait_until 30 pcmk_has_setup || die "node3 does not get node1's write"
}

# $1: file of "acked VALUE SENT ACKED", $2: file of "seen VALUE TIME"; prints
# "n missing median p99 max" of the propagation latency in ms.
latency_stats() {
    local n
    n=$(grep -c '^acked ' "$1")
    awk 'FNR == NR { if ($1 == "acked") sent[$2] = $3; next }
         $1 == "seen" && ($2 in sent) && !($2 in got) { got[$2] = ($3 - sent[$2]) / 1000 }
         END { for (v in got) print got[v] }' "$1" "$2" |
        sort -n | awk -v n="$n" '
        { v[NR] = $1 }
        END { if (NR == 0) { print n, n, "-", "-", "-"; exit }
              p = int(NR * 0.99 + 0.999999); if (p > NR) p = NR;
              printf "%d %d %.2f %.2f %.2f\n", n, n - NR, v[int((NR + 1) / 2)], v[p], v[NR] }'
}

seen_last() { grep -q "^seen bv-prop-$((K - 1)) " "$(lab log node3 watch)" 2>/dev/null; }

measure_propagation() { # STACK HELPER
    local log stats
    lab spawn node3 watch "$2" watch 5
    log=$(lab log node3 watch)
    wait_until 10 grep -q '^subscribed' "$log" || die "$1: the watcher on node3 did not subscribe (see $log)"
    R[$1.res]=$(sed -n 's/^subscribed clock_res_ns \([0-9]*\).*/\1/p' "$log")
    lab run node1 "$2" write prop 3600 "$K" "$GAP" >"$OUT/$1-prop.out" || die "$1: the propagation writes failed"
    wait_until 10 seen_last || say "$1: node3 did not see every write"
    lab signal node3 watch TERM 2>/dev/null || true
    cp "$log" "$OUT/$1-watch.out"
    stats=$(latency_stats "$OUT/$1-prop.out" "$OUT/$1-watch.out")
    read -r "R[$1.prop_n]" "R[$1.prop_missing]" "R[$1.prop_median]" "R[$1.prop_p99]" \
        "R[$1.prop_max]" <<< "$stats"
    R[$1.ack_median]=$(awk '$1 == "acked" { print ($4 - $3) / 1000 }' "$OUT/$1-prop.out" | sort -n |
        awk '{ v[NR] = $1 } END { if (NR) printf "%.2f", v[int((NR + 1) / 2)] }')
}

# One process per write, for SECONDS, inside a node: belay configure property against
# cibadmin --modify, the same nvpair change. Prints "# writes N seconds S rate R".
# shellcheck disable=SC2016  # expanded by the inner bash
CLI_LOOP='
kind=$1 id=$2 secs=$3 belay=$4 n=0 failed=0
start=${EPOCHREALTIME/./}; end=$((start + secs * 1000000))
while [ "${EPOCHREALTIME/./}" -lt $end ]; do
    if [ "$kind" = belay ]; then
        "$belay" configure property "bench-$id=bv-$id-$n" 2>>"$5" || failed=$((failed + 1))
    else
        cibadmin --modify -o crm_config --xml-text "<nvpair id=\"cib-bootstrap-options-bench-$id\" name=\"bench-$id\" value=\"bv-$id-$n\"/>" 2>>"$5" || failed=$((failed + 1))
    fi
    n=$((n + 1))
done
s=$(( ${EPOCHREALTIME/./} - start ))
awk -v n=$((n - failed)) -v s=$s -v f=$failed "BEGIN { printf \"# writes %d seconds %.3f rate %.1f failed %d\n\", n, s / 1e6, n / (s / 1e6), f }"'

writer() { # STACK MODE WRITERS NODE: one timed writer, output in $OUT/STACK-MODE-WRITERS-NODE
    local f="$OUT/$1-$2-$3-$4"
    case $2 in
    api) lab run "$4" "$HELPER" write "$4" "$SECS" 100000000 0 >"$f.out" 2>"$f.err" ;;
    pipe) lab run "$4" "$HELPER" write "$4" "$SECS" 100000000 0 "$WINDOW" >"$f.out" 2>"$f.err" ;;
    diff) lab run "$4" env BL_BENCH_DIFF=1 "$HELPER" write "$4" "$SECS" 100000000 0 >"$f.out" 2>"$f.err" ;;
    *) lab run "$4" bash -c "$CLI_LOOP" cli "$1" "$4" "$SECS" "$BELAY" "$f.err" >"$f.out" ;;
    esac
}

# Sum of the acknowledged writes of the given outputs over the longest of their durations.
rate_of() {
    awk '$1 == "#" && $2 == "writes" { n += $3; if ($5 > s) s = $5; f += $9 }
         END { if (s > 0) printf "%.1f\n", n / s; else print "-"
               if (f > 0) printf "%d writes failed\n", f > "/dev/stderr" }' "$@"
}

measure_throughput() { # STACK MODE
    local n
    say "$1: one writer on node1 ($2), $SECS s"
    writer "$1" "$2" 1 node1 || say "$1: the $2 writer on node1 stopped early"
    R[$1.$2.1]=$(rate_of "$OUT/$1-$2-1-node1.out")
    say "$1: three writers ($2), $SECS s"
    for n in node1 node2 node3; do writer "$1" "$2" 3 $n & done
    wait
    R[$1.$2.3]=$(rate_of "$OUT/$1-$2-3-node1.out" "$OUT/$1-$2-3-node2.out" "$OUT/$1-$2-3-node3.out")
}

run_stack() { # STACK ROUND
    local k
    LABDIR="$LABS/$1-r$2"
    OUT="$LAB/out/r$2"
    mkdir -p "$OUT"
    for k in "${!R[@]}"; do [[ $k != "$1".* ]] || unset "R[$k]"; done
    R[$1.load]=$(cut -d' ' -f1 /proc/loadavg)
    if [ "$1" = belay ]; then
        HELPER=$BL_HELPER
        say "belay: starting a 3-node lab with belay-based on every node"
        start_belay
    else
        HELPER=$PCMK_HELPER
        say "pacemaker: starting a 3-node lab with $(pcmk_daemon) on every node"
        start_pacemaker
    fi
    say "$1: propagation node1 -> node3, $K writes $GAP ms apart"
    measure_propagation "$1" "$HELPER"
    measure_throughput "$1" api
    measure_throughput "$1" pipe
    if [ $SMOKE -eq 0 ]; then
        [ "$1" != belay ] || measure_throughput "$1" diff
        measure_throughput "$1" cli
    fi
    lab down >/dev/null 2>&1
    for k in "${!R[@]}"; do [[ $k != "$1".* ]] || ACC[$k]+="${R[$k]:--} "; done
}

# R = the median over the rounds of every figure (the lower one of an even count).
median_rounds() {
    local k
    for k in "${!ACC[@]}"; do
        R[$k]=$(tr ' ' '\n' <<< "${ACC[$k]}" | grep -E '^[0-9.]+$' | sort -n |
            awk '{ v[NR] = $1 } END { print NR ? v[int((NR + 1) / 2)] : "-" }')
    done
}

# ratio KIND BELAY PCMK: how many times better Belay is (rates: b/p, latencies: p/b)
ratio() {
    awk -v k="$1" -v b="$2" -v p="$3" 'BEGIN {
        if (b !~ /^[0-9.]+$/ || p !~ /^[0-9.]+$/ || b == 0 || p == 0) { print "-"; exit }
        printf "%.1fx\n", (k == "rate" ? b / p : p / b) }'
}

row() { # LABEL KIND BELAY PCMK TARGET_MET
    printf '| %-58s | %9s | %9s | %7s | %-3s |\n' "$1" "$2" "$3" "$4" "$5"
}

met_rate() { # BELAY PCMK: belay >= 10x pacemaker
    awk -v b="$1" -v p="$2" 'BEGIN { if (b !~ /^[0-9.]+$/ || p !~ /^[0-9.]+$/) print "-";
        else print (b >= 10 * p ? "yes" : "no") }'
}

met_p99() { awk -v b="$1" 'BEGIN { if (b !~ /^[0-9.]+$/) print "-"; else print (b < 10 ? "yes" : "no") }'; }

print_table() {
    local b p
    echo
    echo "3-node lab, corosync $(corosync -v 2>/dev/null | sed -n 's/.*version .\([0-9.]*\).*/\1/p;q'), knet, token 1000 ms, $(nproc) CPUs;" \
        "$SECS s per throughput run, $K propagation writes $GAP ms apart;" \
        "pacemaker $(dpkg-query -W -f '${Version}' pacemaker 2>/dev/null || echo -)" \
        "($([ $FULL -eq 1 ] && echo "whole stack, pacemakerd" || echo "pacemaker-based alone"))"
    echo "times: CLOCK_MONOTONIC, microsecond timestamps (clock resolution ${R[belay.res]:-?} ns, same machine for every node)"
    echo "lab directory (CIB files of both stacks) on $(df --output=fstype "$LABS" | tail -1)"
    echo "rounds: $ROUNDS (median of each figure); 1-minute load average before each round: belay ${ACC[belay.load]:--}, pacemaker ${ACC[pacemaker.load]:--}(other work on the machine skews every figure)"
    echo "ratio: how many times better Belay is (throughput belay/pacemaker, latency pacemaker/belay)"
    echo
    printf '| %-58s | %9s | %9s | %7s | %-3s |\n' measurement belay pacemaker ratio target
    printf '|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..60})" "-----------" "-----------" "---------" "-----"
    for m in "api 1 one writer (node1), client library" "api 3 three writers (one per node), client library" \
        "pipe 1 one writer, $WINDOW in flight, client library" "pipe 3 three writers, $WINDOW in flight each" \
        "diff 1 one writer, fetch+diff (Belay's older way)" "diff 3 three writers, fetch+diff" \
        "cli 1 one writer (node1), one process per write" "cli 3 three writers, one process per write"; do
        read -r mode w label <<< "$m"
        b=${R[belay.$mode.$w]:--}
        p=${R[pacemaker.$mode.$w]:--}
        row "writes/s, $label" "$b" "$p" "$(ratio rate "$b" "$p")" "$(met_rate "$b" "$p")"
    done
    b=${R[belay.api.1]:--}
    p=${R[pacemaker.cli.1]:--}
    row "writes/s, one writer: belay client vs cibadmin --modify" "$b" "$p" "$(ratio rate "$b" "$p")" "$(met_rate "$b" "$p")"
    b=${R[belay.prop_median]:--}
    p=${R[pacemaker.prop_median]:--}
    row "propagation node1 -> node3, median ms" "$b" "$p" "$(ratio lat "$b" "$p")" ""
    b=${R[belay.prop_p99]:--}
    p=${R[pacemaker.prop_p99]:--}
    row "propagation node1 -> node3, p99 ms (target < 10 ms)" "$b" "$p" "$(ratio lat "$b" "$p")" "$(met_p99 "$b")"
    row "propagation node1 -> node3, max ms" "${R[belay.prop_max]:--}" "${R[pacemaker.prop_max]:--}" "" ""
    row "write acknowledged on node1 (propagation run), median ms" "${R[belay.ack_median]:--}" "${R[pacemaker.ack_median]:--}" "" ""
    row "propagation writes not seen on node3 (of $K)" "${R[belay.prop_missing]:--}" "${R[pacemaker.prop_missing]:--}" "" ""
    echo
    echo "throughput target: Belay >= 10x Pacemaker; p99 target: Belay < 10 ms."
    [ "$ROUNDS" -gt 1 ] || return 0
    echo "every round (belay | pacemaker):"
    for k in api.1 api.3 pipe.1 pipe.3 diff.1 diff.3 cli.1 cli.3 prop_median prop_p99; do
        printf '  %-12s %s| %s\n' "$k" "${ACC[belay.$k]:-- }" "${ACC[pacemaker.$k]:--}"
    done
}

smoke_check() {
    local f bad=0
    for f in belay.api.1 belay.api.3 belay.pipe.1 belay.pipe.3 belay.prop_median belay.prop_p99; do
        if ! [[ "${R[$f]:-}" =~ ^[0-9.]+$ ]] || [ "${R[$f]}" = 0.0 ]; then
            echo "smoke: no figure for $f" >&2
            bad=1
        fi
    done
    [ "${R[belay.prop_missing]:-1}" = 0 ] || { echo "smoke: node3 missed ${R[belay.prop_missing]:-?} writes" >&2; bad=1; }
    return $bad
}

check_belay
[ $PCMK -eq 0 ] || check_pacemaker
if [ $TMPFS -eq 1 ]; then
    LABS="$LAB/tmpfs"
    mkdir -p "$LABS"
    mount -t tmpfs -o size=2g,mode=0755 belay-bench-cib "$LABS" || die "cannot mount a tmpfs on $LABS"
fi
for ((round = 1; round <= ROUNDS; round++)); do
    run_stack belay $round
    [ $PCMK -eq 0 ] || run_stack pacemaker $round
done
median_rounds
print_table
[ $SMOKE -eq 0 ] || smoke_check
