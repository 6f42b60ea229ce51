#!/usr/bin/env bash
# rig-linux.sh: Debian's own kernel boots under `bulwark run` (inside the nested rig, where /dev/kvm
# behaves like hardware KVM). One script for the whole Linux scenario, so the scenario shares one
# rig boot; each check is its own TAP line:
#   bzImage guest (--cpus 2 --mem 256, one virtio-blk disk, one virtio-net on a tap), with the
#   busybox initramfs of guest/linux (virtio modules from /lib/modules):
#     bulwark exits 0 after the guest's `reboot -f`; /init reached; 2 CPUs online; the RTC bound
#     as rtc0 with the host's time; virtio-net and
#     virtio-blk bound; disk: host data read by the guest, guest data written and verified from the
#     host after bulwark exits; ping to the host; TCP guest->host and host->guest with checksums;
#     the net device has 2 queue pairs over a multiqueue tap (the guest sees rx-0 rx-1 tx-0 tx-1)
#     and promiscuous mode goes on and off through the control queue with traffic in each
#   PVH guest: the vmlinux extracted from the same bzImage boots to /init with 2 CPUs, exit 0.
# The guest prints "BWTEST key=value" lines on its serial console (guest/linux/init).
. "$(dirname "$0")/../lib.sh"
set -uo pipefail

work=$(mktemp -d)
tap=bwtap$$
hip=192.168.77.1 gip=192.168.77.2 port=5555
cleanup() {
  jobs -p | xargs -r kill 2>/dev/null
  ip link del "$tap" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

kernel=$(ls /boot/vmlinuz-*-amd64 2>/dev/null | sort -V | tail -n 1)
if [[ -z $kernel ]]; then
  tap_skip "Debian kernel boots under bulwark" "no /boot/vmlinuz-*-amd64 (apt-get install linux-image-amd64)"
  tap_done; exit
fi
kver=${kernel#/boot/vmlinuz-}
if [[ ! -w /dev/kvm ]]; then
  tap_fail "usable /dev/kvm" "run this inside the nested rig (tests/run-tests.sh does)"
  tap_done; exit
fi

tap_check "initramfs built (busybox + virtio modules of $kver)" \
  bash "$SRC/guest/linux/build-initramfs.sh" "$work/initrd.gz" "$kver"

# bwtest_value KEY: the value of "BWTEST KEY=value ..." in the console log (first word).
bwtest_value() { sed -n "s/^BWTEST $1=\([^ ]*\).*/\1/p" "$work/console" | tr -d '\r' | head -n 1; }
bwtest_line() { grep -a "^BWTEST $1" "$work/console" | tr -d '\r' | head -n 1; }
sha() { sha256sum | cut -d' ' -f1; }
console_tail() { tail -n 25 "$work/console" | tr -d '\r'; }

# --- bzImage guest with disk and network -------------------------------------------------------
truncate -s 64M "$work/disk.img"
head -c 1M /dev/urandom > "$work/disk-pre"
dd if="$work/disk-pre" of="$work/disk.img" bs=1M seek=16 conv=notrunc status=none
head -c 4M /dev/urandom > "$work/rx-data"
ip tuntap add dev "$tap" mode tap multi_queue && ip addr add "$hip/24" dev "$tap" && ip link set "$tap" up ||
  tap_fail "tap $tap created" "ip tuntap add failed"
# host side of the TCP transfers: a sink for guest->host, and a sender that retries until the
# guest's listener is up (busybox nc half-closes on EOF of its stdin, so the sink's stdin stays open)
(sleep 900 | timeout 600 busybox nc -l -p "$port" > "$work/tx-recv") &
(for _ in $(seq 300); do
   timeout 20 busybox nc -w 2 "$gip" $((port + 1)) < "$work/rx-data" 2>/dev/null && exit 0
   sleep 1
 done) &
t_start=$(date +%s)
timeout 600 "$BULWARK" run --kernel "$kernel" --initrd "$work/initrd.gz" \
  --cmdline "console=ttyS0 reboot=k bwnet=$gip/24,$hip bwport=$port" --cpus 2 --mem 256 \
  --disk "$work/disk.img" --net "tap=$tap,queues=2" </dev/null >"$work/console" 2>&1
status=$?
t_end=$(date +%s)
devices=yes
if [[ $status == 1 ]] && grep -q 'built without the PCI device models' "$work/console"; then
  devices=no
  tap_skip "bzImage guest with virtio-blk and virtio-net" "bulwark is built without the PCI device models (src/dev/pci.c not in this tree): booting without devices"
  timeout 600 "$BULWARK" run --kernel "$kernel" --initrd "$work/initrd.gz" \
    --cmdline "console=ttyS0 reboot=k bwtest=boot" --cpus 2 --mem 256 </dev/null >"$work/console" 2>&1
  status=$?
fi
if [[ $status == 0 ]]; then tap_ok "bzImage guest: bulwark exits 0 after the guest's reboot -f"
else tap_fail "bzImage guest: bulwark exits 0 after the guest's reboot -f" "exit status $status; console:
$(console_tail)"; fi
[[ -n $(bwtest_line init-reached) ]] && tap_ok "bzImage guest: reached /init" ||
  tap_fail "bzImage guest: reached /init" "$(console_tail)"
[[ $(bwtest_value cpus-online) == 0-1 ]] && tap_ok "bzImage guest: 2 CPUs online (MP table)" ||
  tap_fail "bzImage guest: 2 CPUs online (MP table)" "$(bwtest_line cpus-online)"
# timers: both vCPUs announce the TSC-deadline LAPIC timer (KVM_CAP_TSC_DEADLINE_TIMER) and the
# kernel keeps a paravirtual or TSC clocksource (kvm-clock; tsc where the host's TSC is invariant),
# not a fallback such as jiffies
[[ $(bwtest_value tsc-deadline) == 2 ]] && tap_ok "bzImage guest: both CPUs have the TSC-deadline timer" ||
  tap_fail "bzImage guest: both CPUs have the TSC-deadline timer" "$(bwtest_line tsc-deadline)"
clocksource=$(sed -n 's/.*clocksource=\([^ ]*\).*/\1/p' <<<"$(bwtest_line tsc-deadline)")
[[ $clocksource == kvm-clock || $clocksource == tsc ]] &&
  tap_ok "bzImage guest: clocksource $clocksource" ||
  tap_fail "bzImage guest: clocksource kvm-clock or tsc" "$(bwtest_line tsc-deadline)"
# the RTC: Linux's rtc_cmos bound it as rtc0, and its time is the host's (read while bulwark ran,
# so inside [start, end] of the run give or take 2 s) and agrees with the guest's wall clock
rtc_line=$(bwtest_line rtc=)
rtc_s=$(sed -n 's/.*since-epoch=\([0-9]*\).*/\1/p' <<<"$rtc_line")
rtc_date=$(sed -n 's/.*date=\([0-9]*\).*/\1/p' <<<"$rtc_line")
if [[ $(bwtest_value rtc) == rtc_cmos && -n $rtc_s && -n $rtc_date ]] &&
   ((rtc_s >= t_start - 2 && rtc_s <= t_end + 2 && rtc_s - rtc_date <= 2 && rtc_date - rtc_s <= 2)); then
  tap_ok "bzImage guest: RTC rtc0 (rtc_cmos) reads the host's time ($((rtc_s - t_start)) s after start, guest clock $((rtc_date - rtc_s)) s off)"
else
  tap_fail "bzImage guest: RTC rtc0 (rtc_cmos) reads the host's time" "host run $t_start..$t_end; $rtc_line; $(grep -a 'rtc' "$work/console" | tr -d '\r' | head -n 5)"
fi

if [[ $devices == yes ]]; then
  [[ $(bwtest_line virtio-net) == *"driver=virtio_net"* ]] && tap_ok "virtio-net found (eth0, virtio_net)" ||
    tap_fail "virtio-net found (eth0, virtio_net)" "$(grep -a '^BWTEST virtio\|virtio' "$work/console" | head -n 10)"
  [[ -n $(bwtest_value virtio-blk) ]] && tap_ok "virtio-blk found (vda)" ||
    tap_fail "virtio-blk found (vda)" "$(grep -a '^BWTEST virtio\|virtio' "$work/console" | head -n 10)"
  want=$(sha < "$work/disk-pre")
  [[ $(bwtest_value disk-read-sha) == "$want" ]] && tap_ok "virtio-blk read: guest read the host's data (sha256)" ||
    tap_fail "virtio-blk read: guest read the host's data (sha256)" "guest $(bwtest_value disk-read-sha), host $want"
  gsha=$(bwtest_value disk-write-sha)
  h0=$(head -c 1M "$work/disk.img" | sha)
  h32=$(dd if="$work/disk.img" bs=1M skip=32 count=1 status=none | sha)
  if [[ -n $gsha && $h0 == "$gsha" && $h32 == "$gsha" ]]; then
    tap_ok "virtio-blk write: guest data verified from the host after bulwark exited (sha256)"
  else
    tap_fail "virtio-blk write: guest data verified from the host after bulwark exited (sha256)" \
      "guest $gsha, disk at 0: $h0, at 32 MiB: $h32; $(bwtest_line disk-write)"
  fi
  [[ $(bwtest_value ping) == ok ]] && tap_ok "ping from the guest to the host over the tap" ||
    tap_fail "ping from the guest to the host over the tap" "$(bwtest_line ping)"
  [[ $(bwtest_line net-queues) == "BWTEST net-queues=rx-0 rx-1 tx-0 tx-1"* ]] &&
    grep -aq 'virtio-net.*: 2 queue pairs' "$work/console" &&
    tap_ok "virtio-net multiqueue: queues=2 gives the guest 2 queue pairs (VQ_PAIRS_SET)" ||
    tap_fail "virtio-net multiqueue: queues=2 gives the guest 2 queue pairs (VQ_PAIRS_SET)" \
      "$(bwtest_line net-queues); $(grep -a 'queue pairs' "$work/console" | head -n 3)"
  [[ $(bwtest_line promisc-on) == *"promisc-on=ok promisc-off=ok driver-errors=0"* ]] &&
    grep -aq 'virtio-net.*rx mode: promisc on' "$work/console" &&
    tap_ok "virtio-net control queue: promisc on/off reaches the device, ping works in both" ||
    tap_fail "virtio-net control queue: promisc on/off reaches the device, ping works in both" \
      "$(bwtest_line promisc-on); $(grep -a 'rx mode' "$work/console" | head -n 5)"
  gsha=$(bwtest_value tcp-tx-sha)
  hsha=$(sha < "$work/tx-recv" 2>/dev/null)
  [[ -n $gsha && $gsha == "$hsha" ]] && tap_ok "TCP guest->host 4 MiB, checksums match" ||
    tap_fail "TCP guest->host 4 MiB, checksums match" "guest sent $gsha, host got $hsha ($(wc -c < "$work/tx-recv") bytes); $(bwtest_line tcp-tx=)"
  want=$(sha < "$work/rx-data")
  [[ $(bwtest_value tcp-rx-sha) == "$want" ]] && tap_ok "TCP host->guest 4 MiB, checksums match" ||
    tap_fail "TCP host->guest 4 MiB, checksums match" "host sent $want; $(bwtest_line tcp-rx-sha)"
fi

# --- PVH guest: the vmlinux inside the bzImage --------------------------------------------------
if out=$(bash "$SRC/guest/linux/extract-vmlinux.sh" "$kernel" "$work/vmlinux" 2>&1); then
  tap_ok "vmlinux extracted from $kernel"
  timeout 600 "$BULWARK" run --kernel "$work/vmlinux" --initrd "$work/initrd.gz" \
    --cmdline "console=ttyS0 reboot=k bwtest=boot" --cpus 2 --mem 256 </dev/null >"$work/console" 2>&1
  status=$?
  rm -f "$work/vmlinux"
  if [[ $status == 0 && -n $(bwtest_line init-reached) && $(bwtest_value cpus-online) == 0-1 ]]; then
    tap_ok "PVH guest: reached /init with 2 CPUs, bulwark exits 0"
  else
    tap_fail "PVH guest: reached /init with 2 CPUs, bulwark exits 0" "exit status $status; console:
$(console_tail)"
  fi
else
  tap_fail "vmlinux extracted from $kernel" "$out"
fi
tap_done
