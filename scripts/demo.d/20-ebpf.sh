# 20-ebpf.sh (sourced by scripts/demo.sh): the extension engine. A program in the conformance
# syntax is assembled, disassembled and run on the interpreter and the x86-64 JIT; a vendor's XDP
# filter written in C is built with clang -target bpf and, where `bulwark verify` is in this
# build, proved safe with its worst-case instruction count.
demo_ebpf() {
  local d plugin=$SRC/build/bulwark-conformance-plugin
  d=$(mktemp -d /tmp/bulwark-demo-ebpf-XXXXXX)
  step "ebpf: assemble, disassemble, run on the interpreter and on the JIT"
  printf 'ldxw %%r0, [%%r1]\nadd %%r0, 0x10\nexit\n' >"$d/p.s"
  cat "$d/p.s"
  "$B" asm "$d/p.s" -o "$d/p.bin"
  "$B" disasm "$d/p.bin"
  "$B" asm "$d/p.s" -o "$d/p.hex" --hex
  echo "input memory 05 00 00 00 -> r0 = 0x$(tr -d '\n' <"$d/p.hex" | "$plugin" 05000000 --interpret) (interpreter), 0x$(tr -d '\n' <"$d/p.hex" | "$plugin" 05000000 --jit) (JIT)"
  step "ebpf: a vendor's XDP filter in C, built with clang -target bpf"
  if clang -O2 -g -target bpf -mcpu=v3 -I"/usr/include/$(gcc -print-multiarch)" \
      -I"$SRC/tests/ebpf/progs" -c "$SRC/tests/ebpf/progs/xdp_filter.bpf.c" -o "$d/xdp_filter.o"; then
    "$B" disasm "$d/xdp_filter.o" | head -n 12
    echo "..."
    if "$B" --help | grep -q '^  verify'; then
      "$B" verify "$d/xdp_filter.o" || true
    fi
  fi
  rm -rf "$d"
}
demo_ebpf
