#!/usr/bin/env bash
# test-asm-cli.sh: `bulwark asm` and `bulwark disasm`: usage, round trip through files (raw and
# hex), conformance .data input, error messages naming the line and token, bad input files, and
# the disassembly of an ELF object compiled with clang.
. "$(dirname "$0")/../lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

tap_expect_status "asm --help exits 0" 0 "$BULWARK" asm --help
[[ $tap_out == *"usage: bulwark asm IN -o OUT"* ]] && tap_ok "asm --help prints usage" ||
  tap_fail "asm --help prints usage" "$tap_out"
tap_expect_status "disasm --help exits 0" 0 "$BULWARK" disasm --help
tap_expect_status "asm without -o is a usage error" 2 "$BULWARK" asm "$work/x.s"
tap_expect_status "asm with an unknown option is a usage error" 2 "$BULWARK" asm --frob
tap_expect_status "disasm without FILE is a usage error" 2 "$BULWARK" disasm

cat >"$work/p.s" <<'S'
# every class once
  mov %r0, 0
  lddw %r1, 0x1122334455667788
  ldxsb %r2, [%r10-1]
loop: add32 %r0, 1
  jlt32 %r0, 10, loop
  lock fetch add [%r10-8], %r0
  movsx1664 %r3, %r2
  bswap64 %r3
  call local f
  exit
f:
  call %r2
  ja32 +0
  exit
S
tap_check "asm writes raw instructions" "$BULWARK" asm "$work/p.s" -o "$work/p.bin"
size=$(stat -c %s "$work/p.bin" 2>/dev/null || echo 0)
[[ $size == $((14 * 8)) ]] && tap_ok "14 slots of 8 bytes" || tap_fail "14 slots of 8 bytes" "size $size"
"$BULWARK" disasm "$work/p.bin" >"$work/p.dis" 2>&1
tap_check "disasm of the raw program" grep -q 'lddw %r1, 0x1122334455667788' "$work/p.dis"
grep -q 'jlt32 %r0, 10, -2 *# 5 -> 4' "$work/p.dis" && tap_ok "disasm shows jump targets" ||
  tap_fail "disasm shows jump targets" "$(cat "$work/p.dis")"
"$BULWARK" asm "$work/p.dis" -o "$work/p2.bin" >/dev/null 2>&1
cmp -s "$work/p.bin" "$work/p2.bin" && tap_ok "asm(disasm(x)) == x through the CLI" ||
  tap_fail "asm(disasm(x)) == x through the CLI" "$(cat "$work/p.dis")"

printf 'mov32 %%r0, 42\nexit\n' | "$BULWARK" asm - -o - --hex >"$work/hex" 2>&1
[[ $(cat "$work/hex") == "b40000002a0000009500000000000000" ]] && tap_ok "asm --hex from stdin" ||
  tap_fail "asm --hex from stdin" "$(cat "$work/hex")"
tap_check "asm takes a conformance .data file" "$BULWARK" asm \
  "$BULWARK_SHARED/conformance/tests/lock_cmpxchg.data" -o "$work/c.bin"

printf 'mov %%r0, 1\nfrob %%r0\n' >"$work/bad.s"
tap_expect_status "asm of bad text fails" 1 "$BULWARK" asm "$work/bad.s" -o "$work/bad.bin"
[[ $tap_out == *"bad.s: line 2: unknown mnemonic 'frob'"* ]] && tap_ok "error names file, line, token" ||
  tap_fail "error names file, line, token" "$tap_out"
[[ ! -e $work/bad.bin ]] && tap_ok "no output written on error" || tap_fail "no output written on error"
tap_expect_status "asm of a missing file fails" 1 "$BULWARK" asm "$work/none.s" -o "$work/o"
[[ $tap_out == *"none.s: No such file"* ]] && tap_ok "missing file named" || tap_fail "missing file named" "$tap_out"

printf '\x95\x00\x00\x00\x00\x00\x00' >"$work/short.bin"
tap_expect_status "disasm of 7 bytes fails" 1 "$BULWARK" disasm "$work/short.bin"
[[ $tap_out == *"7 bytes is not a whole number"* ]] && tap_ok "short file explained" || tap_fail "short file explained" "$tap_out"
printf '\xff\x00\x00\x00\x00\x00\x00\x00\x95\x00\x00\x00\x00\x00\x00\x00' >"$work/inv.bin"
tap_expect_status "disasm of an invalid encoding fails" 1 "$BULWARK" disasm "$work/inv.bin"
[[ $tap_out == *".insn 0xff, 0, 0, 0, 0"* && $tap_out == *"1 invalid instruction"* ]] &&
  tap_ok "invalid encoding shown as .insn" || tap_fail "invalid encoding shown as .insn" "$tap_out"

# an ELF object from clang
if ! command -v clang >/dev/null; then
  tap_skip "disasm of an ELF object" "clang not installed"
else
  cat >"$work/x.c" <<'C'
__attribute__((section("xdp"), used)) int prog(void *ctx)
{
	volatile int x = 7;
	return x * 3;
}
char _license[] __attribute__((section("license"), used)) = "GPL";
C
  if ! clang -O2 -target bpf -c "$work/x.c" -o "$work/x.o" 2>"$work/cc.err"; then
    tap_fail "clang builds a BPF object" "$(cat "$work/cc.err")"
  else
    "$BULWARK" disasm "$work/x.o" >"$work/x.dis" 2>&1; st=$?
    if grep -q "ELF objects need the ELF loader, not in this build" "$work/x.dis"; then
      tap_skip "disasm of an ELF object" "the ELF loader is not in this build yet"
    elif [[ $st == 0 ]] && grep -q '# section xdp' "$work/x.dis" && grep -q 'exit' "$work/x.dis"; then
      tap_ok "disasm of an ELF object"
    else
      tap_fail "disasm of an ELF object" "$(cat "$work/x.dis")"
    fi
  fi
fi
tap_done
