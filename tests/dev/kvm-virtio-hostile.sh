#!/usr/bin/env bash
# kvm-virtio-hostile.sh: a CPL3 guest (guest/cpl3/virtio-hostile.c) abuses virtio-blk under KVM:
# notify before setup, descriptor loop, buffer outside RAM, giant length, avail index jump,
# unnegotiated indirect, MSI-X table/PBA abuse, odd common-config accesses, PCI config garbage.
# Each protocol error must put the device in NEEDS_RESET (the guest checks and resets), bulwark
# must log it once, keep running, and the disk must be untouched.
. "$(dirname "$0")/../lib.sh"
G=$BUILD/guest/cpl3
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
head -c 65536 /dev/urandom >"$tmp/disk.img"
sum=$(sha256sum <"$tmp/disk.img")
tap_expect_status "hostile guest runs to its end (exit 42): bulwark survived" 42 \
  timeout 600 "$BULWARK" run --kernel "$G/virtio-hostile" --disk "$tmp/disk.img"
for step in "notify before setup" "descriptor loop" "buffer outside RAM" "giant length" \
  "avail index jump" "unnegotiated indirect"; do
  grep -q "^$step: NEEDS_RESET" <<<"$(tr -d '\r' <<<"$tap_out")" &&
    tap_ok "$step -> NEEDS_RESET, reset, device serves again" ||
    tap_fail "$step -> NEEDS_RESET" "$tap_out"
done
grep -q 'every abuse handled' <<<"$tap_out" && tap_ok "MSI-X, common config and PCI config abuse ignored" ||
  tap_fail "MSI-X, common config and PCI config abuse ignored" "$tap_out"
n=$(grep -c 'virtio-blk@.*device needs reset' <<<"$tap_out")
[[ $n == 1 ]] && tap_ok "the guest's errors are logged once" ||
  tap_fail "the guest's errors are logged once" "$n log lines: $(grep 'needs reset' <<<"$tap_out")"
[[ $(sha256sum <"$tmp/disk.img") == "$sum" ]] && tap_ok "disk untouched" || tap_fail "disk untouched"
tap_done
