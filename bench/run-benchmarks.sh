#!/usr/bin/env bash
# run-benchmarks.sh: `make bench`. Runs every bench/*/bench-*.sh (each prints its own table with
# ratios against a reference measured in the same run). Record the figures in README.md.
set -uo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
export SRC BUILD=$SRC/build BULWARK=$SRC/build/bulwark BULWARK_SHARED=${BULWARK_SHARED:-$SRC/../shared}
status=0
for b in "$SRC"/bench/*/bench-*.sh; do
  [[ -f $b ]] || continue
  echo "== ${b#$SRC/}"
  bash "$b" || { echo "benchmark ${b#$SRC/} failed"; status=1; }
done
exit $status
