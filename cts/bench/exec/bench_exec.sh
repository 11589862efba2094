#!/bin/sh
# Executor overhead benchmark (figures, no assertions): N monitors of ocf:belay:Dummy
# directly, through lib/exec in process and through a private belay-execd (ops/s, overhead
# per operation in wall time and in CPU of the runner and daemon themselves, agents
# excluded; the daemon's RSS); then, as an anchor, N/10 monitors of
# ocf:heartbeat:Dummy one process per operation through `belay agent run` and through
# Pacemaker's `crm_resource --force-check` (when pacemaker-cli-utils is installed).
# Usage: cts/bench/exec/bench_exec.sh [N]   (from a built tree; N defaults to 1000)
set -e
N=${1:-1000}
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
BENCH="$top_builddir/cts/bench/exec/bench_exec"
CLI="$top_builddir/tools/belay"
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
mkdir -p "$DIR/ocf/resource.d"
ln -s "$(cd "$top_srcdir/agents/ocf/belay" && pwd)" "$DIR/ocf/resource.d/belay"
touch "$DIR/d.state"

# A private belay-execd for the daemon figures.
BENCH_EXECD_IPC="belay-execd-bench-$$"
"$top_builddir/daemons/execd/belay-execd" --ipc "$BENCH_EXECD_IPC" --ocf-root "$DIR/ocf" \
    --max-parallel "$(nproc)" >"$DIR/execd.log" 2>&1 &
BENCH_EXECD_PID=$!
trap 'kill $BENCH_EXECD_PID 2>/dev/null; rm -rf "$DIR"' EXIT
export BENCH_EXECD_IPC BENCH_EXECD_PID
sleep 0.5

echo "== $N x ocf:belay:Dummy monitor"
"$BENCH" "$DIR/ocf" "$DIR/d.state" "$N"

M=$((N / 10))
if [ ! -e /usr/lib/ocf/resource.d/heartbeat/Dummy ]; then
    echo "== anchor skipped: needs resource-agents (ocf:heartbeat:Dummy)"
    exit 0
fi
# Both tools start a process per operation and run the same installed agent.
touch "$DIR/hb.state"
echo "== $M x ocf:heartbeat:Dummy monitor, one process per operation"
start=$(date +%s%N)
i=0
while [ $i -lt $M ]; do
    "$CLI" agent run ocf:heartbeat:Dummy monitor --param state="$DIR/hb.state" >/dev/null
    i=$((i + 1))
done
belay_ns=$(( $(date +%s%N) - start ))
echo "belay agent run:            $((belay_ns / M / 1000)) us/op"
if ! command -v crm_resource >/dev/null 2>&1; then
    echo "crm_resource: skipped (pacemaker-cli-utils not installed)"
    exit 0
fi
cat > "$DIR/cib.xml" <<CIB
<cib crm_feature_set="3.17.4" validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0">
  <configuration>
    <crm_config/>
    <nodes/>
    <resources>
      <primitive id="d" class="ocf" provider="heartbeat" type="Dummy">
        <instance_attributes id="d-ia">
          <nvpair id="d-state" name="state" value="$DIR/hb.state"/>
        </instance_attributes>
      </primitive>
    </resources>
    <constraints/>
  </configuration>
  <status/>
</cib>
CIB
start=$(date +%s%N)
i=0
while [ $i -lt $M ]; do
    CIB_file="$DIR/cib.xml" crm_resource --force-check -r d >/dev/null 2>&1
    i=$((i + 1))
done
pcmk_ns=$(( $(date +%s%N) - start ))
echo "crm_resource --force-check: $((pcmk_ns / M / 1000)) us/op"
echo "ratio crm_resource / belay agent run: $(awk "BEGIN { printf \"%.2f\", $pcmk_ns / $belay_ns }")"
