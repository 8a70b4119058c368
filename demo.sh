#!/usr/bin/env bash
# Builds what the demo needs and starts it; run from anywhere in the repository:
#   ./demo.sh [port]        (default port: $PORT, else 8080)
# Then open the printed URL. Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")"
exec mvn -B -q -pl usage-examples -am -Pdemo -DskipTests package ${1:+-Ddemo.port=$1}
