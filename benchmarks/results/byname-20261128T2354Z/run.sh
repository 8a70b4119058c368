#!/usr/bin/env bash
# How the results in this directory were made (issue 14, item 5): rounds of one JMH run of the base
# jar, then one of the head jar, each over usagestats by name (equal copies and the identical
# instances), the handle, OpenTelemetry's SDK and Micrometer at 1 and 1,000 series, 1 thread.
# Each run waits until the 1-minute load average is below MAXLOAD and no other JMH run holds the
# lock. The jars are `mvn -B -pl benchmarks -am package -DskipTests` of f9c7923 (base) and
# 2548af8 (head).
#
#   run.sh BASE_JAR HEAD_JAR [OUT_DIR]     # ROUNDS="1 2 3" MAXLOAD=3.5 by default
#   java benchmarks/src/main/java/dev/usagestats/benchmarks/Compare.java OUT_DIR base head > COMPARE.md
set -euo pipefail
base_jar=$1
head_jar=$2
out=${3:-.}
for r in ${ROUNDS:-1 2 3}; do
  for side in base head; do
    jar=$base_jar
    [[ $side == head ]] && jar=$head_jar
    while awk -v m="${MAXLOAD:-3.5}" '{exit !($1 >= m)}' /proc/loadavg; do sleep 20; done
    while true; do
      echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)" > "$out/record-$side-r$r.log"
      if java -jar "$jar" RecordBenchmark \
        -p impl=USAGESTATS_BY_NAME,USAGESTATS_BY_NAME_IDENTICAL,USAGESTATS_HANDLE,OTEL_SDK,MICROMETER_LOOKUP,MICROMETER_HELD \
        -p series=1,1000 -t 1 -f 1 -wi 2 -w 1s -i 5 -r 1s -prof gc \
        -rf json -rff "$out/record-$side-r$r.json" >> "$out/record-$side-r$r.log" 2>&1; then
        break
      fi
      grep -q 'Unable to acquire the JMH lock' "$out/record-$side-r$r.log" || exit 1
      sleep 10
    done
    echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/record-$side-r$r.log"
  done
done
