#!/usr/bin/env bash
# kvm-hostile.sh: a CPL3 guest doing 20000 random port accesses and 20000 random MMIO accesses
# outside RAM (random sizes and values) leaves bulwark running: the guest finishes and exits 0.
. "$(dirname "$0")/../lib.sh"
G=$BUILD/guest/cpl3
tap_expect_status "hostile guest ends normally" 0 timeout 300 "$BULWARK" run --kernel "$G/hostile"
grep -q 'hostile: survived' <<<"$tap_out" && tap_ok "hostile guest did all its accesses" ||
  tap_fail "hostile guest did all its accesses" "$tap_out"
tap_done
