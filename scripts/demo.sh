#!/usr/bin/env bash
# demo.sh: `make demo`. Runs bulwark's main job end to end on its embedded defaults and shows what
# each step did. Each part of the project adds its step here as it lands (see README "Status").
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
B=$SRC/build/bulwark
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
step "bulwark $("$B" --version | cut -d' ' -f2): commands in this build"
"$B" --help
for d in "$SRC"/scripts/demo.d/*.sh; do
  [[ -f $d ]] || continue
  # shellcheck source=/dev/null
  . "$d"
done
