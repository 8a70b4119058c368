#!/usr/bin/env bash
# Measures usagestats before and after a change in one run: builds the benchmark jar of two refs,
# runs RecordBenchmark (usagestats by name and through a handle, 1 and 1,000 series) and
# QueryBenchmark (the six 14-day reports) of both in turn, each configuration base then head, in
# ROUNDS rounds, with the same JMH options and -prof gc, and prints the two side by side with the
# ratio head / base.
#
#   benchmarks/compare.sh BASE_REF [HEAD_REF]    # HEAD_REF defaults to HEAD (committed code only)
#
# About 7 minutes on 2 cores with 2 rounds, building included; each more round about 3. Settings, from the environment:
#   ROUNDS=2                                     base/head pairs per configuration
#   JMH_OPTS="-f 1 -wi 2 -w 1s -i 5 -r 1s"       JMH options of every run
#   THREADS="1"                                  RecordBenchmark thread counts, e.g. "1 2"
#   IMPLS="usagestats_handle usagestats_by_name" RecordBenchmark implementations, any spelling
#   QUERY_EVENTS="100000 1000000 10000000"       QueryBenchmark events
#   QUERY_GRANULARITIES="DAY HOUR"               QueryBenchmark granularities
# An empty list skips that part: IMPLS="" QUERY_GRANULARITIES=HOUR measures the HOUR reports only.
#   MVN_OFFLINE=1                                build with -o (0 lets Maven download)
#
# Each ref is checked out with `git worktree add` into a temporary directory and built there with
# `mvn package -pl benchmarks -am -DskipTests` (the reactor, never `install`, so ~/.m2 is only
# read). Results go to benchmarks/results/compare-<UTC time>/: one JMH JSON and log per run, env.txt
# (machine, refs, load before and after each run) and COMPARE.md, made by Compare.java.
set -euo pipefail

if [[ $# -lt 1 || $# -gt 2 ]]; then
  echo "usage: $0 BASE_REF [HEAD_REF]" >&2
  exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
base_ref=$1
head_ref=${2:-HEAD}
base=$(git rev-parse --verify "$base_ref^{commit}")
head=$(git rev-parse --verify "$head_ref^{commit}")

rounds=${ROUNDS:-2}
read -r -a jmh_opts <<< "${JMH_OPTS:--f 1 -wi 2 -w 1s -i 5 -r 1s}"
read -r -a threads <<< "${THREADS:-1}"
read -r -a impls <<< "${IMPLS-usagestats_handle usagestats_by_name}"
read -r -a query_events <<< "${QUERY_EVENTS-100000 1000000 10000000}"
read -r -a query_granularities <<< "${QUERY_GRANULARITIES-DAY HOUR}"
offline=()
[[ "${MVN_OFFLINE:-1}" == 1 ]] && offline=(-o)

out=benchmarks/results/compare-$(date -u +%Y%m%dT%H%MZ)
mkdir -p "$out"
tmp=$(mktemp -d)
cleanup() {
  for side in base head; do
    [[ -d "$tmp/$side" ]] && git worktree remove --force "$tmp/$side" 2> /dev/null
  done
  rm -rf "$tmp"
}
trap cleanup EXIT

{
  echo "base: $base_ref = $(git log -1 --format='%h %s' "$base")"
  echo "head: $head_ref = $(git log -1 --format='%h %s' "$head")"
  echo "jmh: ${jmh_opts[*]} -prof gc; rounds: $rounds; threads: ${threads[*]}; impls: ${impls[*]}"
  echo "query events: ${query_events[*]}; granularities: ${query_granularities[*]}"
  echo "started: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs) x $(nproc)"
  echo "memory: $(free -g | awk '/^Mem:/ {print $2}') GiB"
  echo "kernel: $(uname -sr)"
  echo "java: $(java -version 2>&1 | tr '\n' ' ')"
} > "$out/env.txt"

# build SIDE COMMIT: the benchmark jar of COMMIT, copied to $tmp/SIDE.jar.
build() {
  local side=$1 commit=$2
  echo "building $side ($(git log -1 --format=%h "$commit"))..." >&2
  git worktree add --quiet --detach "$tmp/$side" "$commit"
  # Tests are compiled, not run; a ref whose tests do not compile is built without them.
  if ! (cd "$tmp/$side" && mvn -B -q "${offline[@]}" package -pl benchmarks -am -DskipTests \
    > "$root/$out/build-$side.log" 2>&1); then
    echo "$side: tests do not compile; built with -Dmaven.test.skip=true" | tee -a "$out/env.txt" >&2
    if ! (cd "$tmp/$side" && mvn -B -q "${offline[@]}" package -pl benchmarks -am \
      -Dmaven.test.skip=true >> "$root/$out/build-$side.log" 2>&1); then
      tail -40 "$out/build-$side.log" >&2
      exit 1
    fi
  fi
  cp "$tmp/$side/benchmarks/target/benchmarks.jar" "$tmp/$side.jar"
  git worktree remove --force "$tmp/$side"
}
build base "$base"
build head "$head"

# spell SIDE IMPL: IMPL as SIDE's jar takes it: the enum's upper case since RecordBenchmark's impl
# parameter became Implementation, lower case before.
enum_base=0
enum_head=0
java -jar "$tmp/base.jar" -lp RecordBenchmark | grep -q USAGESTATS_HANDLE && enum_base=1
java -jar "$tmp/head.jar" -lp RecordBenchmark | grep -q USAGESTATS_HANDLE && enum_head=1
spell() {
  local enum=$enum_base
  [[ $1 == head ]] && enum=$enum_head
  if [[ $enum == 1 ]]; then
    echo "$2" | tr '[:lower:]' '[:upper:]'
  else
    echo "$2" | tr '[:upper:]' '[:lower:]'
  fi
}

# jmh NAME SIDE ROUND ARGS...: one JMH run of SIDE's jar, results in NAME-SIDE-rROUND.json.
jmh() {
  local name=$1 side=$2 round=$3
  shift 3
  local file="$out/$name-$side-r$round"
  echo "$(date -u +%H:%M:%S) $name $side round $round" >&2
  # JMH holds a machine-wide lock while it runs; another session's benchmark is waited for, never
  # run alongside (-Djmh.ignoreLock would measure both under each other's load).
  while true; do
    echo "load before $name-$side-r$round: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/env.txt"
    if LC_ALL=C java -Duser.language=en -jar "$tmp/$side.jar" "$@" "${jmh_opts[@]}" -prof gc \
      -rf json -rff "$file.json" > "$file.log" 2>&1; then
      break
    fi
    if grep -q 'Unable to acquire the JMH lock' "$file.log"; then
      echo "$(date -u +%H:%M:%S) another JMH run holds the lock; waiting" | tee -a "$out/env.txt" >&2
      sleep 15
      continue
    fi
    tail -40 "$file.log" >&2
    exit 1
  done
  {
    echo "load after $name-$side-r$round: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "    busiest processes (%cpu over their lifetime):"
    ps -eo pcpu=,etime=,comm= --sort=-pcpu | head -3 | sed 's/^/      /'
  } >> "$out/env.txt"
}

# Base and head of one configuration run back to back, so both see about the same load.
for ((round = 1; round <= rounds; round++)); do
  for t in "${threads[@]}"; do
    for impl in "${impls[@]}"; do
      for s in 1 1000; do
        name="record_t${t}_$(echo "$impl" | tr '[:upper:]' '[:lower:]')_$s"
        jmh "$name" base "$round" RecordBenchmark -t "$t" -p series="$s" -p impl="$(spell base "$impl")"
        jmh "$name" head "$round" RecordBenchmark -t "$t" -p series="$s" -p impl="$(spell head "$impl")"
      done
    done
  done
  for events in "${query_events[@]}"; do
    for g in "${query_granularities[@]}"; do
      jmh "query_${events}_$g" base "$round" QueryBenchmark -p events="$events" -p granularity="$g"
      jmh "query_${events}_$g" head "$round" QueryBenchmark -p events="$events" -p granularity="$g"
    done
  done
done
echo "finished: $(date -u +%Y-%m-%dT%H:%M:%SZ)" >> "$out/env.txt"

java "$root/benchmarks/src/main/java/dev/usagestats/benchmarks/Compare.java" "$out" \
  "$base_ref ($(git rev-parse --short "$base"))" "$head_ref ($(git rev-parse --short "$head"))" \
  > "$out/COMPARE.md"
cat "$out/COMPARE.md"
echo "results: $out"
