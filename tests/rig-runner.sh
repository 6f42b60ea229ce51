#!/usr/bin/env bash
# rig-runner.sh: runs inside the nested rig (see run-tests.sh); runs each test script given and
# frames its output with "@@ FILE" ... "@@ END FILE STATUS" so the host side can count it.
SRC=$(cd "$(dirname "$0")/.." && pwd)
export SRC BUILD=$SRC/build BULWARK_SHARED=${BULWARK_SHARED:-$SRC/../shared} IN_NESTED_RIG=1
echo  # the rig console leaves escape codes without a newline before the first line
for t in "$@"; do
  echo "@@ $t"
  echo "# started at $(cut -d' ' -f1 /proc/uptime) s of rig uptime"
  timeout 900 bash "$SRC/$t" 2>&1 | tr -d '\r'
  echo "@@ END $t ${PIPESTATUS[0]}"
done
