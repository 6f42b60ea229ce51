#!/usr/bin/env bash
# guest-tx.sh LABEL: runs guest/cpl3/net-bench under bulwark run with a fresh tap, timestamps the
# guest's "BENCH ... start/done" serial lines and prints, per frame size: packets/s, Gbps, the CPU
# time of the virtio-net worker thread per packet and of the whole bulwark process per packet.
# Needs root (tap) and /dev/kvm. Called by bench-virtio-net.sh (directly or inside the rig).
set -uo pipefail
label=${1:-native}
SRC=${SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-$SRC/build}
tap=bwbench$$ tmp=$(mktemp -d)
trap 'ip link del "$tap" 2>/dev/null; rm -rf "$tmp"' EXIT
ip tuntap add dev "$tap" mode tap && ip link set "$tap" up || { echo "bench: cannot create tap"; exit 1; }
tck=$(getconf CLK_TCK)
mkfifo "$tmp/out" "$tmp/in"
exec 3<>"$tmp/in" # the guest's serial input: one byte = "sampled, go on"
"$BUILD/bulwark" run --kernel "$BUILD/guest/cpl3/net-bench" --net "tap=$tap" <"$tmp/in" \
  >"$tmp/out" 2>&1 &
pid=$!
# CPU nanoseconds (user + system) of the threads of $pid named $1 (all threads when empty).
cpu_ns() {
  local sum=0 t comm rest f
  for t in /proc/$pid/task/*; do
    comm=$(cat "$t/comm" 2>/dev/null) || continue
    [[ -z $1 || $comm == "$1" ]] || continue
    rest=$(cat "$t/stat" 2>/dev/null) || continue
    rest=${rest##*) }
    read -ra f <<<"$rest"
    sum=$((sum + f[11] + f[12]))
  done
  echo $((sum * 1000000000 / tck))
}
# Times are taken when the host reads the marker lines: the serial path adds its latency to each
# phase (negligible against 200000 packets natively; part of the noise when emulated).
printf '  %-7s %10s %10s %9s %18s %18s   (%s)\n' size packets Mpps Gbps "worker ns/packet" \
  "bulwark ns/packet" "$label"
while IFS= read -r line; do
  line=${line%$'\r'}
  case $line in
  "BENCH end") break ;;
  BENCH*start)
    t0=$(date +%s%N); w0=$(cpu_ns bw-virtio-net); a0=$(cpu_ns ""); printf g >&3 ;;
  BENCH*done*)
    t1=$(date +%s%N); w1=$(cpu_ns bw-virtio-net); a1=$(cpu_ns ""); printf g >&3
    read -r _ name count bytes _ <<<"$line"
    awk -v n="$name" -v c="$count" -v b="$bytes" -v dt=$((t1 - t0)) -v dw=$((w1 - w0)) \
      -v da=$((a1 - a0)) 'BEGIN { printf "  %-7s %10d %10.3f %9.2f %18.0f %18.0f\n", n, c,
      c / dt * 1e3, c * b * 8 / dt, dw / c, da / c }' ;;
  FAIL*|*error*) echo "guest: $line" ;;
  esac
done <"$tmp/out"
wait "$pid"; st=$?
[[ $st -eq 42 ]] || echo "bench: bulwark exited $st (expected 42)"
tx=$(cat /sys/class/net/$tap/statistics/rx_packets 2>/dev/null || echo '?')
echo "  guest frames that reached the tap (its rx_packets): $tx"
