#!/usr/bin/env bash
# lab.sh - Belay's multi-node lab on one Linux machine: real corosync in network namespaces.
#
# Every node I (1..9) of a lab is
#   * a network namespace PREFIX-nI with eth0 = 10.99.0.(10+I)/24, one end of a veth pair
#     whose other end (vnI) sits on bridge br0 in the lab's own namespace PREFIX-br. The
#     root namespace gets no links, addresses or routes; nothing leaves 10.99.0.0/24.
#   * for every command run on it: a private mount namespace (ip netns exec makes one) in
#     which the node's own directories are bind-mounted over the system paths, and a
#     private UTS namespace with hostname nodeI:
#         DIR/nodeI/etc-corosync    -> /etc/corosync     (corosync.conf, authkey)
#         DIR/nodeI/etc-belay       -> /etc/belay
#         DIR/nodeI/var-lib-corosync-> /var/lib/corosync
#         DIR/nodeI/var-lib-belay   -> /var/lib/belay    (the CIB and its archives)
#         DIR/nodeI/hosts           -> /etc/hosts        (node names resolve in the lab)
#         DIR/tmpfs/nodeI/run       -> /run              (/run/belay, pid files)
#         DIR/tmpfs/nodeI/shm       -> /dev/shm          (libqb IPC ring buffers)
#     and, for every absolute path P in BELAY_LAB_BINDS (space-separated, given to "up";
#     e.g. "/var/lib/pacemaker /var/log/pacemaker" to run Pacemaker in the lab):
#         DIR/nodeI/bind/P          -> P
#     DIR/tmpfs is one small tmpfs mounted in the root mount namespace, so all commands
#     of a node see the same /run. corosync's IPC sockets are abstract unix sockets, which
#     are per network namespace: node1's "cpg" is not node2's.
#   * corosync 3 with knet, aes256/sha256 and an authkey shared by the lab's nodes,
#     votequorum, totem.token 1000 ms (so a cut node is noticed in ~3.5 s; override with
#     BELAY_LAB_TOKEN), logging to DIR/nodeI/log/corosync.log.
#
# Namespace names carry a prefix unique to the lab (from DIR), so several labs and the
# shared reference lab can exist side by side. Daemons are processes of the node's network
# namespace; "down" stops every one of them (TERM, then KILL), deletes the namespaces and
# unmounts the tmpfs. Run it from a trap.
#
# Usage: lab.sh -w DIR COMMAND ...       (or BELAY_LAB_DIR=DIR)
#   up N                 create nodes node1..nodeN, start corosync, wait until every node
#                        is quorate with N votes
#   down                 stop everything, remove namespaces and mounts (DIR stays: logs)
#   run NODE CMD...      run CMD on NODE (foreground; exit status is CMD's)
#   spawn NODE NAME CMD...  run CMD on NODE in the background; pid in DIR/NODE/pids/NAME,
#                        output appended to DIR/NODE/log/NAME.log
#   signal NODE NAME [SIG]  send SIG (default TERM) to a spawned process
#   start NODE / stop NODE  start / stop (TERM, wait) corosync on NODE
#   cut NODE / heal NODE bring NODE's bridge port down / up (the node keeps running)
#   log NODE NAME        path of a spawned process's log
#   nodes                list the node names
set -euo pipefail

SELF=$(readlink -f "$0")
SUBNET=10.99.0
DIR=${BELAY_LAB_DIR:-}

die() { echo "lab.sh: $*" >&2; exit 1; }
say() { echo "# lab $(date +%T.%3N) $*" >&2; }

node_num() {
    [[ "$1" =~ ^node([1-9])$ ]] || die "no such node '$1' (expected node1..node9)"
    echo "${BASH_REMATCH[1]}"
}
node_ip() { echo "$SUBNET.$((10 + $(node_num "$1")))"; }
node_ns() { echo "$LAB_PREFIX-n$(node_num "$1")"; }
ns_exists() { [ -e "/run/netns/$1" ]; }
is_alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

load_env() {
    [ -n "$DIR" ] || die "no lab directory: give -w DIR or set BELAY_LAB_DIR"
    [ -f "$DIR/lab.env" ] || die "$DIR is not a lab (no lab.env): run 'up' first"
    # shellcheck disable=SC1091
    . "$DIR/lab.env"
}

lab_nodes() { local i; for ((i = 1; i <= LAB_N; i++)); do echo "node$i"; done; }

write_corosync_conf() { # NODE
    local i f="$DIR/$1/etc-corosync/corosync.conf"
    {
        echo "# written by Belay's cts/cluster/lab.sh for $1"
        echo "totem {"
        echo "    version: 2"
        echo "    cluster_name: belaylab"
        echo "    transport: knet"
        echo "    crypto_cipher: aes256"
        echo "    crypto_hash: sha256"
        echo "    token: $LAB_TOKEN"
        echo "}"
        echo "nodelist {"
        for ((i = 1; i <= LAB_N; i++)); do
            printf '    node {\n        name: node%d\n        nodeid: %d\n        ring0_addr: %s\n    }\n' \
                "$i" "$i" "$(node_ip "node$i")"
        done
        echo "}"
        echo "quorum {"
        echo "    provider: corosync_votequorum"
        echo "}"
        echo "logging {"
        echo "    to_logfile: yes"
        echo "    logfile: $DIR/$1/log/corosync.log"
        echo "    to_syslog: no"
        echo "    to_stderr: no"
        echo "    timestamp: hires"
        echo "}"
    } > "$f"
}

make_node_dirs() { # NODE
    local d="$DIR/$1" n
    mkdir -p "$d"/{etc-corosync,etc-belay,var-lib-corosync,var-lib-belay,log,pids}
    mkdir -p "$DIR/tmpfs/$1"/{run,shm}
    mkdir -p "$DIR/tmpfs/$1/run/belay"
    chmod 1777 "$DIR/tmpfs/$1/shm"
    for n in ${LAB_BINDS:-}; do mkdir -p "$d/bind$n"; done
    install -m 0400 "$DIR/authkey" "$d/etc-corosync/authkey"
    {
        echo "127.0.0.1 localhost"
        for n in $(lab_nodes); do echo "$(node_ip "$n") $n"; done
    } > "$d/hosts"
    write_corosync_conf "$1"
}

make_node_net() { # NODE
    local ns; ns=$(node_ns "$1")
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    ip link add "v$1" netns "$LAB_BRNS" type veth peer name eth0 netns "$ns"
    ip -n "$LAB_BRNS" link set "v$1" master br0
    ip -n "$LAB_BRNS" link set "v$1" up
    ip -n "$ns" addr add "$(node_ip "$1")/24" dev eth0
    ip -n "$ns" link set eth0 up
}

# The bind targets must exist; on a machine without Belay installed these two do not.
make_mountpoints() {
    local p
    for p in /etc/belay /var/lib/belay /var/lib/corosync /etc/corosync ${LAB_BINDS:-}; do
        [ -d "$p" ] || mkdir -p "$p"
    done
}

cmd_up() {
    local n=${1:-3} node
    [[ "$n" =~ ^[1-9]$ ]] || die "up: N must be 1..9"
    [ "$(id -u)" -eq 0 ] || die "up: needs root (network namespaces, mounts)"
    [ -n "$DIR" ] || die "no lab directory: give -w DIR or set BELAY_LAB_DIR"
    [ ! -f "$DIR/lab.env" ] || die "$DIR already holds a lab; run 'down' first"
    mkdir -p "$DIR"
    DIR=$(readlink -f "$DIR")
    LAB_N=$n
    # a prefix unique to this lab: namespace names must not meet those of another lab
    LAB_PREFIX="bl$(printf '%s' "$DIR" | cksum | cut -d' ' -f1)"
    LAB_BRNS="$LAB_PREFIX-br"
    LAB_TOKEN=${BELAY_LAB_TOKEN:-1000}
    LAB_BINDS=${BELAY_LAB_BINDS:-}
    local p
    for p in $LAB_BINDS; do [[ "$p" == /* ]] || die "BELAY_LAB_BINDS: '$p' is not an absolute path"; done
    printf 'LAB_N=%s\nLAB_PREFIX=%s\nLAB_BRNS=%s\nLAB_TOKEN=%s\nLAB_BINDS="%s"\n' \
        "$LAB_N" "$LAB_PREFIX" "$LAB_BRNS" "$LAB_TOKEN" "$LAB_BINDS" > "$DIR/lab.env"
    # anything failing from here on (set -e, die) leaves nothing behind
    trap 'say "up failed, tearing down"; cmd_down' EXIT
    corosync-keygen -k "$DIR/authkey" >/dev/null 2>&1 \
        || dd if=/dev/urandom of="$DIR/authkey" bs=256 count=1 status=none
    chmod 0400 "$DIR/authkey"
    mkdir -p "$DIR/tmpfs"
    mount -t tmpfs -o size=1g,mode=0755 "$LAB_PREFIX" "$DIR/tmpfs"
    make_mountpoints
    ip netns add "$LAB_BRNS"
    ip -n "$LAB_BRNS" link set lo up
    ip -n "$LAB_BRNS" link add br0 type bridge stp_state 0
    ip -n "$LAB_BRNS" link set br0 up
    for node in $(lab_nodes); do
        make_node_dirs "$node"
        make_node_net "$node"
    done
    for node in $(lab_nodes); do cmd_start "$node"; done
    for node in $(lab_nodes); do wait_votes "$node" "$n" 30; done
    trap - EXIT
    say "up: $n nodes quorate in $DIR (namespaces $LAB_PREFIX-*)"
}

# Waits until NODE's votequorum counts VOTES votes and is quorate.
wait_votes() { # NODE VOTES TIMEOUT_S
    local end=$((SECONDS + $3)) out
    while [ $SECONDS -lt $end ]; do
        out=$(cmd_run "$1" corosync-quorumtool -s 2>/dev/null || true)
        if grep -q 'Quorate: *Yes' <<< "$out" && grep -q "Total votes: *$2\$" <<< "$out"; then
            return 0
        fi
        sleep 0.1
    done
    die "$1: not quorate with $2 votes after $3 s (see $DIR/$1/log/corosync.log)"
}

cmd_down() {
    local node ns
    trap - EXIT
    load_env
    for node in $(lab_nodes); do
        ns=$(node_ns "$node")
        ns_exists "$ns" && stop_all "$ns"
    done
    for node in $(lab_nodes); do
        ns=$(node_ns "$node")
        if ns_exists "$ns"; then ip netns del "$ns"; fi
    done
    if ns_exists "$LAB_BRNS"; then ip netns del "$LAB_BRNS"; fi
    if mountpoint -q "$DIR/tmpfs"; then umount "$DIR/tmpfs"; fi
    rm -f "$DIR/lab.env"
    say "down: $DIR"
}

ns_pids() { ip netns pids "$1" 2>/dev/null || true; }

stop_all() { # NS: TERM every process of the namespace, KILL what is left after 5 s
    local p t
    for p in $(ns_pids "$1"); do kill -TERM "$p" 2>/dev/null || true; done
    for ((t = 0; t < 50; t++)); do [ -n "$(ns_pids "$1")" ] || return 0; sleep 0.1; done
    for p in $(ns_pids "$1"); do kill -KILL "$p" 2>/dev/null || true; done
    for ((t = 0; t < 50; t++)); do [ -n "$(ns_pids "$1")" ] || return 0; sleep 0.1; done
}

cmd_run() { # NODE CMD...
    local node=${1:?run NODE CMD...} ns; shift
    [ $# -gt 0 ] || die "run: no command"
    ns=$(node_ns "$node")
    ns_exists "$ns" || die "no such node: $node"
    ip netns exec "$ns" unshare --uts -- "$SELF" -w "$DIR" _inner "$node" "$@"
}

# Inside the node's namespaces: bind its directories, set its hostname, exec CMD (so a
# spawned process's pid file holds CMD's own pid). The working directory stays the
# caller's, so relative command paths work.
cmd_inner() {
    local node=$1 d="$DIR/$1"; shift
    hostname "$node"
    mount --bind "$d/etc-corosync" /etc/corosync
    mount --bind "$d/etc-belay" /etc/belay
    mount --bind "$d/var-lib-corosync" /var/lib/corosync
    mount --bind "$d/var-lib-belay" /var/lib/belay
    mount --bind "$d/hosts" /etc/hosts
    local p
    for p in ${LAB_BINDS:-}; do mount --bind "$d/bind$p" "$p"; done
    # last: these two hide whatever lies below /run and /dev/shm
    mount --bind "$DIR/tmpfs/$node/shm" /dev/shm
    mount --bind "$DIR/tmpfs/$node/run" /run
    export BELAY_LAB_NODE="$node"
    if [ -n "${LAB_PIDFILE:-}" ]; then echo $$ > "$LAB_PIDFILE"; fi
    exec "$@"
}

cmd_spawn() { # NODE NAME CMD...
    local node=${1:?spawn NODE NAME CMD...} name=${2:?spawn NODE NAME CMD...} pf t; shift 2
    [ $# -gt 0 ] || die "spawn: no command"
    pf="$DIR/$node/pids/$name"
    if is_alive "$(cat "$pf" 2>/dev/null || true)"; then die "$node: $name already runs"; fi
    rm -f "$pf"
    LAB_PIDFILE=$pf setsid "$SELF" -w "$DIR" run "$node" "$@" \
        < /dev/null >> "$DIR/$node/log/$name.log" 2>&1 &
    for ((t = 0; t < 100; t++)); do [ -s "$pf" ] && return 0; sleep 0.02; done
    die "$node: $name did not start (see $DIR/$node/log/$name.log)"
}

cmd_signal() { # NODE NAME [SIG]
    local pid
    pid=$(cat "$DIR/${1:?signal NODE NAME}/pids/${2:?signal NODE NAME}" 2>/dev/null || true)
    is_alive "$pid" || die "$1: $2 is not running"
    kill "-${3:-TERM}" "$pid"
}

cmd_start() { cmd_spawn "${1:?start NODE}" corosync corosync -f; }

cmd_stop() { # NODE: TERM corosync and wait until it is gone
    local pid t
    pid=$(cat "$DIR/${1:?stop NODE}/pids/corosync" 2>/dev/null || true)
    is_alive "$pid" || return 0
    kill -TERM "$pid"
    for ((t = 0; t < 100; t++)); do is_alive "$pid" || return 0; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
}

cmd_link() { # NODE up|down: the bridge side, so the node's eth0 keeps its address
    node_num "$1" >/dev/null
    ip -n "$LAB_BRNS" link set "v$1" "$2"
}

main() {
    while getopts "w:" opt; do
        case $opt in
        w) DIR=$OPTARG ;;
        *) die "usage: lab.sh -w DIR COMMAND ..." ;;
        esac
    done
    shift $((OPTIND - 1))
    local cmd=${1:-}; shift || true
    case $cmd in
    up) cmd_up "$@" ;;
    down) cmd_down ;;
    _inner) load_env; cmd_inner "$@" ;;
    run) load_env; cmd_run "$@" ;;
    spawn) load_env; cmd_spawn "$@" ;;
    signal) load_env; cmd_signal "$@" ;;
    start) load_env; cmd_start "$@" ;;
    stop) load_env; cmd_stop "$@" ;;
    cut) load_env; cmd_link "${1:?cut NODE}" down ;;
    heal) load_env; cmd_link "${1:?heal NODE}" up ;;
    log) load_env; echo "$DIR/${1:?log NODE NAME}/log/${2:?log NODE NAME}.log" ;;
    nodes) load_env; lab_nodes ;;
    *) die "unknown command '$cmd' (up, down, run, spawn, signal, start, stop, cut, heal, log, nodes)" ;;
    esac
}

main "$@"
