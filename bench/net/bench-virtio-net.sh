#!/usr/bin/env bash
# bench-virtio-net.sh: virtio-net transmit figures.
#  1. Host only (no KVM): the device's tx path (pop, gather, writev to /dev/null, push) driven by
#     a fake guest, ns per packet for 64 B, 1500 B and 64 KiB frames, with a bare writev() of the
#     same frames as the reference measured in the same run.
#  2. A CPL3 test guest (guest/cpl3/net-bench.c) sending 64 B, 1500 B and 64 KiB TSO frames into a
#     tap: packets/s, Gbps, and the VMM's CPU time per packet (the device worker thread
#     "bw-virtio-net", and all of bulwark). On a host whose /dev/kvm is usable it runs here;
#     otherwise inside the nested rig, where every figure is EMULATED (TCG) and only the ratios
#     between sizes mean anything. BENCH_NO_RIG=1 skips the rig.
set -uo pipefail
SRC=${SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-$SRC/build}
BULWARK_SHARED=${BULWARK_SHARED:-$SRC/../shared}
echo "== host-only virtio-net tx microbenchmark"
"$BUILD/bench/net/bench-virtio-net-tx" "${BENCH_PACKETS:-200000}" || exit 1
echo
kvm_ok() { [[ -c /dev/kvm && -r /dev/kvm && -w /dev/kvm ]] && [[ $(id -u) -eq 0 ]]; }
if kvm_ok; then
  echo "== CPL3 guest -> virtio-net -> tap (host /dev/kvm)"
  bash "$SRC/bench/net/guest-tx.sh" "native"
elif [[ -n ${BENCH_NO_RIG:-} ]]; then
  echo "== CPL3 guest -> tap: skipped (no /dev/kvm here and BENCH_NO_RIG is set)"
elif [[ -x $BULWARK_SHARED/tools/nested-rig ]]; then
  echo "== CPL3 guest -> virtio-net -> tap, inside the nested rig: EMULATED figures"
  timeout 1800 "$BULWARK_SHARED/tools/nested-rig" -t 1700 -- \
    bash "$SRC/bench/net/guest-tx.sh" "emulated" 2>&1 | tr -d '\r' | grep -E '^(  |guest|bench)'
else
  echo "== CPL3 guest -> tap: skipped (no /dev/kvm and no nested rig)"
fi
