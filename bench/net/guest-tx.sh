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
# vmm_mem: bulwark's memory while the guest waits after a phase (KiB, from /proc/PID/smaps): RSS
# of the whole process, of the guest RAM mapping (the anonymous mapping exactly as large as the
# guest's RAM, $mem_mib MiB), and outside it the RSS and the private (not shared) part. The largest
# sample is kept in $tmp/mem.
mem_mib=${BENCH_GUEST_MEM:-256}
vmm_mem() {
  awk -v want=$((mem_mib * 1024)) '
    /^[0-9a-f]+-[0-9a-f]+ / { file = ($6 ~ /^\//) }
    /^Size:/ { cur = $2 }
    /^Rss:/ { total += $2; if (cur == want && !file) guest += $2 }
    /^Private_(Clean|Dirty):/ { if (!(cur == want && !file)) priv += $2 }
    END { printf "%d %d %d %d\n", total, guest, total - guest, priv }' "/proc/$pid/smaps" \
    >>"$tmp/mem" 2>/dev/null
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
    t1=$(date +%s%N); w1=$(cpu_ns bw-virtio-net); a1=$(cpu_ns ""); vmm_mem; printf g >&3
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
if [[ -s $tmp/mem ]]; then
  sort -n -k3 "$tmp/mem" | tail -n 1 | {
    read -r total guest over priv
    echo "  bulwark memory, CPL3 guest with virtio-net, largest of $(wc -l <"$tmp/mem") samples (KiB):"
    echo "    RSS $total, guest RAM $guest, VMM overhead (RSS - guest RAM) $over, of it private $priv"
  }
fi
