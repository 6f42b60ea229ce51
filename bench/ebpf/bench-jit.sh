#!/usr/bin/env bash
# bench-jit.sh: the x86-64 JIT's figures (build/bench/bench-jit, source bench/ebpf/bench_jit.c):
#   - compile time per instruction slot on the 313 conformance programs and on a generated
#     100,000-slot program, against the interpreter's pre-decoding of the same programs measured
#     in the same run (ratio), and code bytes per slot;
#   - run time of small kernels on the JIT, the interpreter and the same logic in C (ratios
#     jit/C and interp/jit), min and median of repeated batches.
# The XDP filter figures (JIT vs native C vs interpreter vs the kernel) are bench-engine.sh's.
set -euo pipefail
SRC=${SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-$SRC/build}
SHARED=${BULWARK_SHARED:-$SRC/../shared}
exec "$BUILD/bench/bench-jit" "$SHARED/conformance/tests"
