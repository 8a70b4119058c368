#!/usr/bin/env bash
# The scale scenario: many JVMs, each a UsageStats engine with its own node id flushing into one
# PostgreSQL (database usagestats_scale on 127.0.0.1:5432, created if missing, tables scale_*
# emptied first), then an exact check per series and the figures: flush latency per batch, rows
# per second the database took, the database's CPU. Not part of CI.
#
#   benchmarks/scale.sh                                  # 8 JVMs x 1,000 events/s, 10,000 series, 180 s
#   benchmarks/scale.sh --nodes=4 --rate=500 --seconds=60 --series=10000 --flush-ms=1000
#
# Other options: --server=HOST:PORT --database=NAME --heap=256m --out=DIR. Results (node files,
# logs, REPORT.txt, env.txt) go to benchmarks/results/scale-<UTC time>/ unless --out is given.
# Set BUILD=0 to reuse the built jar. Exits non-zero if any series' stored totals differ from
# what the nodes recorded.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
jar=benchmarks/target/benchmarks.jar
if [[ "${BUILD:-1}" != 0 || ! -f "$jar" ]]; then
  mvn -B -q -pl benchmarks -am package -DskipTests
fi

out=benchmarks/results/scale-$(date -u +%Y%m%dT%H%MZ)
for a in "$@"; do [[ "$a" == --out=* ]] && out=${a#--out=}; done
mkdir -p "$out"

# Wait (up to 10 minutes) while another benchmark runs on this machine: its CPU would be ours.
for _ in $(seq 20); do
  others=$(pgrep -af 'StoreBenchmark|DenseHistory|benchmarks.jar' | grep -v ScaleScenario || true)
  [[ -z "$others" ]] && break
  echo "waiting for: $others" >&2
  sleep 30
done

{
  echo "args: $*"
  echo "started: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit: $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . || echo ' (with uncommitted changes)')"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs) x $(nproc)"
  echo "memory: $(free -g | awk '/^Mem:/ {print $2}') GiB"
  echo "java: $(java -version 2>&1 | tr '\n' ' ')"
  echo "postgres: $(psql -h 127.0.0.1 -U postgres -d test -Atc 'SHOW server_version' 2>/dev/null || echo unknown)"
  echo "other benchmarks running: ${others:-none}"
  echo "load before: $(uptime)"
} > "$out/env.txt"

status=0
java -cp "$jar" dev.usagestats.benchmarks.ScaleScenario "$@" --out="$out" || status=$?
{
  echo "load after: $(uptime)"
  echo "busiest processes after (%cpu over their lifetime):"
  ps -eo pcpu=,etime=,comm= --sort=-pcpu | head -6 | sed 's/^/    /'
} >> "$out/env.txt"
exit $status
