#!/usr/bin/env bash
# bench-interp.sh: the interpreter against the JIT and native C on the same 5-tuple packet filter
# (bench/ebpf/bench_interp.c; figures: body time per packet after subtracting each engine's
# empty-program time, min and median of repeated batches, and the interpreter/JIT ratio).
set -euo pipefail
SRC=${SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-$SRC/build}
exec "$BUILD/bench/bench-interp"
