#!/usr/bin/env bash
# kvm-serial.sh: a CPL3 test guest prints over the 8250 at 0x3f8 (polled) and its line reaches
# bulwark's stdout intact; RAM size and vCPU count passed at entry are what --mem/--cpus asked.
. "$(dirname "$0")/../lib.sh"
G=$BUILD/guest/cpl3
out=$(timeout 120 "$BULWARK" run --kernel "$G/hello" --mem 64 </dev/null 2>/dev/null); st=$?
if [[ $st == 0 ]]; then tap_ok "hello exits 0"; else tap_fail "hello exits 0" "status $st: $out"; fi
if grep -qx 'hello from a CPL3 test guest: 64 MiB RAM, 1 vCPUs, -42 beef ok' <<<"$out"; then
  tap_ok "hello line on stdout, printf formats right, 64 MiB seen"
else tap_fail "hello line on stdout" "got: $out"; fi
out=$(timeout 120 "$BULWARK" run --kernel "$G/hello" --mem 5000 --cpus 3 </dev/null 2>/dev/null); st=$?
if [[ $st == 0 ]] && grep -q '5000 MiB RAM, 3 vCPUs' <<<"$out"; then
  tap_ok "RAM above the PCI hole (5000 MiB) and 3 vCPUs reported"
else tap_fail "5000 MiB, 3 vCPUs" "status $st: $out"; fi
# input: stdin reaches the guest's UART receive side
out=$(printf 'hello bulwark\n' | timeout 120 "$BULWARK" run --kernel "$G/echo" 2>/dev/null); st=$?
[[ $st == 0 ]] && grep -q '^echo: hello bulwark (13 bytes)' <<<"$out" &&
  tap_ok "stdin line read by the guest through the UART" ||
  tap_fail "stdin line read by the guest" "status $st: $out"
# Ctrl-A Ctrl-A passes one Ctrl-A; Ctrl-A x quits with status 6
out=$(printf 'a\001\001b\n' | timeout 120 "$BULWARK" run --kernel "$G/echo" 2>/dev/null); st=$?
[[ $st == 0 ]] && grep -q '^echo: a.b (3 bytes)' <<<"$out" && tap_ok "Ctrl-A Ctrl-A sends one Ctrl-A" ||
  tap_fail "Ctrl-A Ctrl-A sends one Ctrl-A" "status $st: $out"
out=$(printf '\001x' | timeout 120 "$BULWARK" run --kernel "$G/spin" 2>&1); st=$?
[[ $st == 6 ]] && grep -q 'Ctrl-A x' <<<"$out" && tap_ok "Ctrl-A x quits with status 6" ||
  tap_fail "Ctrl-A x quits with status 6" "status $st: $out"
tap_done
