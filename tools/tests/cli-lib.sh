# Helpers for belay's shell tests (TAP). Source it; call tap_done at the end.
# Needs $BELAY (the built program); make check exports it.
set -u
: "${BELAY:?BELAY must point to the built belay program}"
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"

tap_n=0
WORK=$(mktemp -d "${TMPDIR:-/tmp}/belay-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $1"; }
not_ok() {
    tap_n=$((tap_n + 1))
    echo "not ok $tap_n - $1"
    shift
    for line in "$@"; do echo "#   $line"; done
}
tap_done() { echo "1..$tap_n"; }

# check DESCRIPTION COMMAND...: ok when COMMAND succeeds.
check() {
    local desc=$1
    shift
    if "$@"; then ok "$desc"; else not_ok "$desc" "failed: $*"; fi
}

# equals DESCRIPTION EXPECTED ACTUAL
equals() {
    if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "expected: '$2'" "actual:   '$3'"; fi
}

# xp FILE XPATH: the string value of XPATH in FILE ("" when absent).
xp() { xmllint --xpath "string($2)" "$1" 2>/dev/null; }

# xcount FILE XPATH: how many nodes XPATH selects.
xcount() { xmllint --xpath "count($2)" "$1" 2>/dev/null; }

# version FILE: "admin_epoch.epoch.num_updates".
version() { echo "$(xp "$1" /cib/@admin_epoch).$(xp "$1" /cib/@epoch).$(xp "$1" /cib/@num_updates)"; }

# fingerprint FILE: content digest, inode and modification time (nanoseconds).
fingerprint() { echo "$(sha256sum < "$1") $(stat -c '%i %y' "$1")"; }

# section FILE NAME: canonical text of one section (for "unchanged" checks).
section() { "$BELAY" --file "$1" cib show --section "$2" | xmllint --c14n - 2>/dev/null; }

# fails_cleanly DESCRIPTION FILE WORDS COMMAND...: COMMAND (run on FILE) must exit
# non-zero, print exactly one line on stderr containing each of the |-separated WORDS
# (case-insensitive), and leave FILE byte-for-byte unchanged with the same inode and mtime.
fails_cleanly() {
    local desc=$1 file=$2 words=$3 before after rc line_count word problems=()
    shift 3
    before=$(fingerprint "$file")
    cp "$file" "$WORK/before.xml"
    "$@" > "$WORK/out" 2> "$WORK/err"
    rc=$?
    after=$(fingerprint "$file")
    line_count=$(wc -l < "$WORK/err")
    [ "$rc" -ne 0 ] || problems+=("exit code 0")
    [ "$line_count" -eq 1 ] || problems+=("$line_count lines on stderr")
    IFS='|' read -r -a wordlist <<< "$words"
    for word in "${wordlist[@]}"; do
        grep -qiF -- "$word" "$WORK/err" || problems+=("stderr lacks '$word'")
    done
    cmp -s "$file" "$WORK/before.xml" || problems+=("file content changed")
    [ "$before" = "$after" ] || problems+=("file inode/mtime changed")
    if [ ${#problems[@]} -eq 0 ]; then
        ok "$desc (exit $rc)"
    else
        not_ok "$desc" "${problems[@]}" "stderr: $(head -c 300 "$WORK/err")"
    fi
    LAST_RC=$rc
}

# unchanged_by DESCRIPTION FILE COMMAND...: COMMAND succeeds and does not rewrite FILE.
unchanged_by() {
    local desc=$1 file=$2 before
    shift 2
    before=$(fingerprint "$file")
    if "$@" > "$WORK/out" 2> "$WORK/err" && [ "$before" = "$(fingerprint "$file")" ]; then
        ok "$desc"
    else
        not_ok "$desc" "file rewritten or command failed: $(head -c 300 "$WORK/err")"
    fi
}
