#!/usr/bin/env bash
# kvm-blk.sh: a CPL3 guest (guest/cpl3/blk-rw.c) drives virtio-blk through bulwark's device
# model: reads the host's signature, writes a pattern, flushes, reads back, GET_ID, an
# out-of-range read (IOERR), and a write to a ,ro disk (IOERR). The host then checks the image
# file holds exactly the guest's pattern and the read-only image is unchanged.
. "$(dirname "$0")/../lib.sh"
G=$BUILD/guest/cpl3
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
img=$tmp/disk.img ro=$tmp/ro.img
{ printf 'BULWARK-BLK-TEST'; head -c $((1024 * 1024 - 16)) /dev/zero; } >"$img"
{ printf 'BULWARK-BLK-RO'; head -c $((64 * 1024 - 14)) /dev/zero; } >"$ro"
ro_sum=$(sha256sum <"$ro")
tap_expect_status "blk-rw guest passes its checks (exit 42)" 42 \
  timeout 600 "$BULWARK" run --kernel "$G/blk-rw" --disk "$img" --disk "$ro,ro"
grep -q 'virtio-blk: all checks passed' <<<"$tap_out" && tap_ok "guest reports every check" ||
  tap_fail "guest reports every check" "$tap_out"
grep -q 'read-only disk at .* refused the write with IOERR' <<<"$tap_out" &&
  tap_ok "read-only disk refused the write with VIRTIO_BLK_S_IOERR" ||
  tap_fail "read-only disk refused the write" "$tap_out"
grep -q 'virtio-blk id: disk.img' <<<"$tap_out" && tap_ok "GET_ID returns the image name" ||
  tap_fail "GET_ID returns the image name" "$tap_out"
# Sectors 8..39 hold (sector * 131 + i * 7) ^ 0x5a, everything else is untouched.
want=$tmp/want
{ printf 'BULWARK-BLK-TEST'; head -c $((8 * 512 - 16)) /dev/zero
  for s in $(seq 8 39); do
    esc=''
    for i in $(seq 0 511); do printf -v x '\\x%02x' $(( ((s * 131 + i * 7) ^ 0x5a) & 0xff )); esc+=$x; done
    printf "$esc"
  done
  head -c $((1024 * 1024 - 40 * 512)) /dev/zero; } >"$want"
if cmp -s "$img" "$want"; then tap_ok "image holds the guest's data after bulwark exits"
else tap_fail "image holds the guest's data" "$(cmp "$img" "$want" 2>&1 | head -3)"; fi
[[ $(sha256sum <"$ro") == "$ro_sum" ]] && tap_ok "read-only image unchanged" ||
  tap_fail "read-only image unchanged"
tap_done
