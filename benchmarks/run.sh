#!/usr/bin/env bash
# Runs the JMH suite and writes its JSON results, logs, machine facts and a Markdown summary to
# benchmarks/results/<mode>-<UTC time>/.
#
#   benchmarks/run.sh quick   # about 6 minutes: 1 fork, 1 x 1 s warmup, 3 x 1 s measured
#   benchmarks/run.sh full    # about 14 minutes: 2 forks, 2 x 1 s warmup, 5 x 1 s measured
#
# Extra arguments go to every JMH run, e.g. `benchmarks/run.sh quick -p series=1`.
# Every run uses -prof gc (allocation per operation). Set BUILD=0 to reuse the built jar.
# Full mode also runs StoreBenchmark if the jar has it (it needs PostgreSQL on 127.0.0.1:5432, see
# its Javadoc); a failure there is logged and does not stop the rest.
set -euo pipefail

mode=${1:-}
case "$mode" in
  quick) opts=(-f 1 -wi 1 -w 1s -i 3 -r 1s) ;;
  full) opts=(-f 2 -wi 2 -w 1s -i 5 -r 1s) ;;
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

# jmh NAME ARGS...: one JMH run; stops the script if it fails, unless OPTIONAL=1.
jmh() {
  local name=$1
  shift
  if ! java -jar "$jar" "$@" "${opts[@]}" -prof gc -rf json -rff "$out/$name.json" "${extra[@]}" \
    > "$out/$name.log" 2>&1; then
    tail -40 "$out/$name.log" >&2
    if [[ "${OPTIONAL:-0}" != 1 ]]; then exit 1; fi
    echo "$name failed; see $name.log" | tee -a "$out/env.txt" >&2
    rm -f "$out/$name.json"
  fi
  {
    echo "load after $name: $(uptime)"
    echo "busiest processes after $name (%cpu over their lifetime):"
    ps -eo pcpu=,etime=,comm= --sort=-pcpu | head -4 | sed 's/^/    /'
  } >> "$out/env.txt"
  grep -E '^(Benchmark|RecordBenchmark|QueryBenchmark|StoreBenchmark)' "$out/$name.log" \
    | grep -vE 'gc\.(count|time|alloc\.rate )' || true
}

extra=("$@")
jmh record-t1 RecordBenchmark -t 1
jmh record-t2 RecordBenchmark -t 2
jmh query QueryBenchmark -t 1
jmh baseline BaselineBenchmark -t 1
# StoreBenchmark (JDBC store on H2 and PostgreSQL) in full mode, if this jar has it; its dense
# cases need a year of history built first and MariaDB's driver, so they run by hand (its Javadoc).
if [[ "$mode" == full ]] && java -jar "$jar" -l | grep -q StoreBenchmark; then
  OPTIONAL=1 jmh store 'StoreBenchmark\.(flush|compact|dailyReport30Days)$' -t 1
fi
echo "finished: $(date -u +%Y-%m-%dT%H:%M:%SZ)" >> "$out/env.txt"

java -cp "$jar" dev.usagestats.benchmarks.Summary "$out" > "$out/SUMMARY.md"
cat "$out/SUMMARY.md"
echo "results: $out"
