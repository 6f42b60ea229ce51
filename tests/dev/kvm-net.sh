#!/usr/bin/env bash
# kvm-net.sh: a CPL3 guest (guest/cpl3/net-echo.c) sends 16 frames (60-1514 bytes) through
# virtio-net into a tap; build/tests/dev/tap-echo checks each frame on the host side (AF_PACKET on
# the tap) and sends it back; the guest checks every echo it receives. Needs root and
# /dev/net/tun (the nested rig has both).
. "$(dirname "$0")/../lib.sh"
G=$BUILD/guest/cpl3
if [[ $(id -u) -ne 0 || ! -c /dev/net/tun ]] || ! command -v ip >/dev/null; then
  tap_skip "virtio-net end to end" "needs root, /dev/net/tun and ip(8)"
  tap_done; exit
fi
tmp=$(mktemp -d) tap=bwnet$$
cleanup() { ip link del "$tap" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
ip tuntap add dev "$tap" mode tap && ip link set "$tap" up ||
  { tap_fail "create tap $tap"; tap_done; exit; }
"$BUILD/tests/dev/tap-echo" "$tap" 16 300 "$tmp/ready" >"$tmp/echo.log" 2>&1 &
echo_pid=$!
for _ in $(seq 100); do [[ -e $tmp/ready ]] && break; sleep 0.1; done
tap_expect_status "net-echo guest gets all 16 echoes (exit 42)" 42 \
  timeout 600 "$BULWARK" run --kernel "$G/net-echo" --net "tap=$tap,mac=02:00:00:00:00:2a"
grep -q 'mac 2:0:0:0:0:2a' <<<"$tap_out" && tap_ok "guest sees the MAC given with --net" ||
  tap_fail "guest sees the MAC given with --net" "$tap_out"
if wait "$echo_pid"; then tap_ok "host received the 16 frames intact"
else tap_fail "host received the 16 frames intact" "$(cat "$tmp/echo.log")"; fi
# "lo" exists and is not a tap: TUNSETIFF refuses it.
tap_expect_status "a tap that cannot be opened -> 1" 1 timeout 60 \
  "$BULWARK" run --kernel "$G/net-echo" --net "tap=lo"
grep -q 'tap lo' <<<"$tap_out" && tap_ok "message names the tap" ||
  tap_fail "message names the tap" "$tap_out"
tap_done
