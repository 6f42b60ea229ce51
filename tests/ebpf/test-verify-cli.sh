#!/bin/bash
# test-verify-cli.sh: `bulwark verify` (src/cli/cmd_verify.c): every C test program the ELF
# tests build (tests/ebpf/progs, clang -O2) is accepted with its worst-case count; objects the
# loader refuses, unsafe programs (.s) and refusals exit 1 with the reason on stderr; usage
# errors exit 2; conformance .data files verify under mem:<their memory size>; --log shows steps.
. "$(dirname "$0")/../lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

objs=$(ls "$BUILD"/tests/ebpf/*.bpf.o 2>/dev/null)
if [[ -z $objs ]]; then
  tap_fail "C test programs" "no tests/ebpf/*.bpf.o in $BUILD (clang missing?)"
fi
for o in $objs; do
  n=$(basename "$o" .bpf.o)
  case $n in
    bad_*) tap_expect_status "refuses object $n" 1 "$BULWARK" verify "$o" ;;
    *)
      tap_expect_status "accepts C program $n" 0 "$BULWARK" verify "$o"
      if [[ $tap_out == *"worst case "*" instructions"* ]]; then tap_ok "$n: worst case printed"
      else tap_fail "$n: worst case printed" "$tap_out"; fi ;;
  esac
done

printf 'mov %%r0, 1\nldxdw %%r2, [%%r10-8]\nexit\n' > "$tmp/bad.s"
tap_expect_status "refuses uninitialised stack read" 1 "$BULWARK" verify "$tmp/bad.s"
if [[ $tap_out == *"insn 1: ldxdw %r2, [%r10-8]: read of uninitialised stack byte"* ]]; then
  tap_ok "refusal names insn, disassembly and reason"
else tap_fail "refusal names insn, disassembly and reason" "$tap_out"; fi

printf 'mov %%r0, 2\nexit\n' > "$tmp/ok.s"
tap_expect_status "accepts .s (mem:0)" 0 "$BULWARK" verify "$tmp/ok.s"
tap_expect_status "--type xdp" 0 "$BULWARK" verify --type xdp "$tmp/ok.s"
printf 'mov %%r0, 7\nexit\n' > "$tmp/ret7.s"
tap_expect_status "xdp return range enforced" 1 "$BULWARK" verify --type xdp "$tmp/ret7.s"
tap_expect_status "--log prints steps" 0 "$BULWARK" verify --log "$tmp/ok.s"
if [[ $tap_out == *"0: mov %r0, 2"* ]]; then tap_ok "--log shows instruction 0"
else tap_fail "--log shows instruction 0" "$tap_out"; fi

conf=${BULWARK_SHARED:-$SRC/../shared}/conformance/tests
tap_expect_status "conformance .data under mem:SIZE" 0 "$BULWARK" verify "$conf/mem-len.data"
if [[ $tap_out == *"(mem:8)"*"r0 in [8, 8]"* ]]; then tap_ok "mem-len.data: mem:8, r0 = 8"
else tap_fail "mem-len.data: mem:8, r0 = 8" "$tap_out"; fi

tap_expect_status "usage: no file" 2 "$BULWARK" verify
tap_expect_status "usage: unknown type" 2 "$BULWARK" verify --type nope "$tmp/ok.s"
tap_expect_status "usage: unknown option" 2 "$BULWARK" verify --frob "$tmp/ok.s"
tap_expect_status "missing file" 1 "$BULWARK" verify "$tmp/none.s"
tap_done
