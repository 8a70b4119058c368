#!/usr/bin/env bash
# Runs the JMH suite and writes its JSON results, logs, machine facts and a Markdown summary to
# benchmarks/results/<mode>-<UTC time>/.
#
#   benchmarks/run.sh quick   # about 5 minutes: 1 fork, 1 x 1 s warmup, 3 x 1 s measured
#   benchmarks/run.sh full    # about 26 minutes: 2 forks, 3 x 2 s warmup, 5 x 2 s measured
#
# Extra arguments go to every JMH run, e.g. `benchmarks/run.sh quick -p series=1`.
# Every run uses -prof gc (allocation per operation). Set BUILD=0 to reuse the built jar.
set -euo pipefail

mode=${1:-}
case "$mode" in
  quick) opts=(-f 1 -wi 1 -w 1s -i 3 -r 1s) ;;
  full) opts=(-f 2 -wi 3 -w 2s -i 5 -r 2s) ;;
  *)
    echo "usage: $0 quick|full [extra JMH arguments]" >&2
    exit 2
    ;;
esac
shift

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
jar=benchmarks/target/benchmarks.jar
if [[ "${BUILD:-1}" != 0 || ! -f "$jar" ]]; then
  mvn -B -q -pl benchmarks -am package -DskipTests
fi

out=benchmarks/results/$mode-$(date -u +%Y%m%dT%H%MZ)
mkdir -p "$out"
{
  echo "mode: $mode ${opts[*]} $*"
  echo "started: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit: $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . || echo ' (with uncommitted changes)')"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs) x $(nproc)"
  echo "memory: $(free -g | awk '/^Mem:/ {print $2}') GiB"
  echo "clocksource: $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null || echo unknown)"
  echo "kernel: $(uname -sr)"
  echo "java: $(java -version 2>&1 | tr '\n' ' ')"
  echo "load before: $(uptime)"
} > "$out/env.txt"

jmh() {
  local name=$1
  shift
  java -jar "$jar" "$@" "${opts[@]}" -prof gc -rf json -rff "$out/$name.json" "${extra[@]}" \
    > "$out/$name.log" 2>&1 || { tail -40 "$out/$name.log" >&2; exit 1; }
  {
    echo "load after $name: $(uptime)"
    echo "busiest processes after $name (%cpu over their lifetime):"
    ps -eo pcpu=,etime=,comm= --sort=-pcpu | head -4 | sed 's/^/    /'
  } >> "$out/env.txt"
  grep -E '^(Benchmark|RecordBenchmark|QueryBenchmark)' "$out/$name.log" \
    | grep -vE 'gc\.(count|time|alloc\.rate )' || true
}

extra=("$@")
jmh record-t1 RecordBenchmark -t 1
jmh record-t2 RecordBenchmark -t 2
jmh query QueryBenchmark -t 1
jmh baseline BaselineBenchmark -t 1
echo "finished: $(date -u +%Y-%m-%dT%H:%M:%SZ)" >> "$out/env.txt"

java -cp "$jar" dev.usagestats.benchmarks.Summary "$out" > "$out/SUMMARY.md"
cat "$out/SUMMARY.md"
echo "results: $out"
