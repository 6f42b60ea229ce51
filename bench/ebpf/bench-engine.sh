#!/usr/bin/env bash
# bench-engine.sh: the eBPF engine's figures (build/bench/bench-engine, source
# bench/ebpf/bench_engine.c): an XDP 5-tuple hash filter and an XDP LPM source filter (10,000
# prefixes), compiled by clang from tests/ebpf/progs/, on 64-byte packets, timed on bulwark's JIT,
# its interpreter, the same logic in native C, and the Linux kernel's JIT via BPF_PROG_TEST_RUN
# (same ELF, needs root); each engine's empty-program baseline subtracted; min and median of
# repeated batches; ratios JIT/native and interpreter/JIT; JIT compile time per instruction.
set -euo pipefail
SRC=${SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-$SRC/build}
exec "$BUILD/bench/bench-engine" "$BUILD/tests/ebpf"
