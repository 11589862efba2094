# Shared helpers for the agent and `belay agent` shell tests (TAP output).
# Sourced; expects top_srcdir and top_builddir (exported by `make check`).

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
# `belay agent` (BELAY is exported by make check).
: "${BELAY:=$top_builddir/tools/belay}"
agent_cli() {
    "$BELAY" agent "$@"
}
TAP_N=0
TAP_FAILED=0

ok() {
    TAP_N=$((TAP_N + 1))
    echo "ok $TAP_N - $1"
}

not_ok() {
    TAP_N=$((TAP_N + 1))
    TAP_FAILED=1
    echo "not ok $TAP_N - $1"
}

skip() {
    TAP_N=$((TAP_N + 1))
    echo "ok $TAP_N # SKIP $1"
}

# check DESCRIPTION COMMAND...: ok when the command succeeds.
check() {
    desc=$1
    shift
    if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# expect_rc DESCRIPTION RC COMMAND...: runs the command (output in $OUT) and checks its exit code.
expect_rc() {
    desc=$1
    want=$2
    shift 2
    OUT=$("$@" 2>&1)
    got=$?
    if [ "$got" = "$want" ]; then
        ok "$desc"
    else
        not_ok "$desc (exit $got, expected $want)"
        printf '%s\n' "$OUT" | sed 's/^/# /'
    fi
}

# contains DESCRIPTION TEXT: ok when $OUT contains TEXT.
contains() {
    case "$OUT" in
        *"$2"*) ok "$1" ;;
        *) not_ok "$1"; printf '# missing: %s\n' "$2"; printf '%s\n' "$OUT" | sed 's/^/# /' ;;
    esac
}

# A private OCF_ROOT: our agents from the source tree, heartbeat's agents and shell
# functions from the system (so heartbeat agents find ocf-shellfuncs).
make_ocf_root() {
    TEST_DIR=$(mktemp -d "${TMPDIR:-/tmp}/belay-agent-test.XXXXXX")
    trap 'rm -rf "$TEST_DIR"' EXIT
    OCF_ROOT="$TEST_DIR/ocf"
    mkdir -p "$OCF_ROOT/resource.d"
    ln -s "$(cd "$top_srcdir/agents/ocf/belay" && pwd)" "$OCF_ROOT/resource.d/belay"
    if [ -d /usr/lib/ocf/resource.d/heartbeat ]; then
        ln -s /usr/lib/ocf/resource.d/heartbeat "$OCF_ROOT/resource.d/heartbeat"
        ln -s /usr/lib/ocf/lib "$OCF_ROOT/lib"
    fi
    export OCF_ROOT
}

tap_done() {
    echo "1..$TAP_N"
    exit $TAP_FAILED
}
