#!/usr/bin/env bash
# Builds what the demo needs and starts it; run from anywhere in the repository:
#   ./demo.sh [port]        (default port: $PORT, else 8080)
# Then open the printed URL. Ctrl-C stops it.
#
# A first run downloads Maven's plugins and the dependencies (a minute or two on a fresh machine):
# it says so, shows each module as it builds and a dot per ten downloads. Once those are in the
# local Maven repository and the demo was built, it prints only the demo's own lines.
set -euo pipefail
cd "$(dirname "$0")"
args=(-B -pl usage-examples -am -Pdemo -DskipTests package ${1:+"-Ddemo.port=$1"})
repo="$HOME/.m2/repository"
if [[ -d "$repo/org/codehaus/mojo/exec-maven-plugin" && -d "$repo/com/h2database/h2" &&
  -d usage-examples/target/classes ]]; then
  exec mvn -q "${args[@]}"
fi

echo "Building the demo with Maven: a first run downloads plugins and dependencies (dots below),"
echo "then builds usage-core, usage-jdbc, usage-micrometer, usage-http and usage-examples."
mvn "${args[@]}" | awk '
  { gsub(/\033\[[0-9;]*m/, "") }
  function newline() { if (dots) { printf "\n"; dots = 0 } }
  /^\[INFO\] Downloaded from / { if (++downloads % 10 == 0) { printf "."; dots = 1; fflush() } next }
  /^\[INFO\] Download/ { next }
  /^\[INFO\] Building .*\[[0-9]+\/[0-9]+\]/ {
    newline(); sub(/^\[INFO\] Building /, ""); gsub(/  +/, " "); print "  building " $0; fflush(); next
  }
  /^\[INFO\] --- exec.*\(run-demo\)/ { newline(); print "  starting the demo"; fflush(); next }
  /^\[(ERROR|WARNING)\]/ { newline(); print; fflush(); next }
  /^\[INFO\]/ { next }
  { newline(); print; fflush() }
'
