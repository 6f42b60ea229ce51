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
tap_done
