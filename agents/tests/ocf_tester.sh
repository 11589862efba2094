#!/bin/sh
# Every agent of ours passes resource-agents' ocf-tester.
. "$(dirname "$0")/tap.sh"
make_ocf_root
AGENTS="$top_srcdir/agents/ocf/belay"

if ! command -v ocf-tester >/dev/null 2>&1; then
    skip "ocf-tester not installed (Debian package resource-agents)"
    tap_done
fi
OUT=$(ocf-tester -n t-dummy -o state="$TEST_DIR/d.state" "$AGENTS/Dummy" 2>&1)
case "$OUT" in
    *"passed all tests"*) ok "ocf-tester passes ocf:belay:Dummy" ;;
    *) not_ok "ocf-tester ocf:belay:Dummy"; printf '%s\n' "$OUT" | sed 's/^/# /' ;;
esac
OUT=$(ocf-tester -n t-stateful -o state="$TEST_DIR/s.state" -o score_file="$TEST_DIR/s.score" \
      "$AGENTS/Stateful" 2>&1)
case "$OUT" in
    *"passed all tests"*) ok "ocf-tester passes ocf:belay:Stateful" ;;
    *) not_ok "ocf-tester ocf:belay:Stateful"; printf '%s\n' "$OUT" | sed 's/^/# /' ;;
esac
case "$OUT" in
    *"partially supports promotable"*) not_ok "Stateful is fully promotable" ;;
    *) ok "ocf-tester finds Stateful fully promotable" ;;
esac
# A broken copy must fail, or the checks above prove nothing.
sed 's/return \$OCF_NOT_RUNNING ;;/return $OCF_SUCCESS ;;/' "$AGENTS/Stateful" > "$TEST_DIR/Broken"
chmod +x "$TEST_DIR/Broken"
OUT=$(ocf-tester -n t-broken -o state="$TEST_DIR/b.state" -o score_file="$TEST_DIR/b.score" \
      "$TEST_DIR/Broken" 2>&1)
case "$OUT" in
    *"passed all tests"*) not_ok "ocf-tester rejects an agent whose monitor lies" ;;
    *) ok "ocf-tester rejects an agent whose monitor lies" ;;
esac
tap_done
