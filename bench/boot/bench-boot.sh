#!/usr/bin/env bash
# bench-boot.sh: boot time of Debian's kernel to the test guest's /init marker, bulwark against QEMU
# (Debian's qemu-system-x86: -M microvm and -M pc, -enable-kvm) on the same kernel, initramfs and
# command line, in the same run; and bulwark's memory overhead (RSS minus guest RAM touched) for the
# Linux guest.
#
# Where it runs:
#   - a host whose /dev/kvm runs guest kernels natively (VT-x/AMD-V, not kvm_pvm, not inside the
#     nested rig): boots directly and reports times in ms;
#   - otherwise (these machines: /dev/kvm emulates guest kernel code) it re-runs itself inside
#     ../shared/tools/nested-rig and reports ratios only, labelled emulated (absolute times in there
#     are meaningless; ratios of VMMs booted side by side are not).
# Environment: ROUNDS (default 1; each round boots every VMM once, interleaved), BENCH_MEM (MiB,
# default 256), BENCH_CPUS (default 2).
set -uo pipefail
SRC=${SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
BULWARK=${BULWARK:-$SRC/build/bulwark}
BULWARK_SHARED=${BULWARK_SHARED:-$SRC/../shared}
rounds=${ROUNDS:-1} mem=${BENCH_MEM:-256} cpus=${BENCH_CPUS:-2}

native_kvm() {
  [[ -w /dev/kvm ]] || return 1
  [[ -d /sys/module/kvm_pvm ]] && return 1                    # kvm_pvm: guest CPL0 is emulated
  [[ -n ${IN_NESTED_RIG:-} ]] && return 1                       # KVM over QEMU TCG
  grep -q 'QEMU TCG' /proc/cpuinfo 2>/dev/null && return 1
  return 0
}

if ! native_kvm && [[ -z ${IN_NESTED_RIG:-} ]]; then
  echo "bench-boot: /dev/kvm here does not run guest kernels natively: running inside the nested rig"
  exec "$BULWARK_SHARED/tools/nested-rig" -m 3072 -c 2 -t 3000 -- \
    env IN_NESTED_RIG=1 SRC="$SRC" BULWARK="$BULWARK" ROUNDS="$rounds" BENCH_MEM="$mem" \
    BENCH_CPUS="$cpus" bash "$SRC/bench/boot/bench-boot.sh"
fi
mode=native
native_kvm || mode=emulated

kernel=$(ls /boot/vmlinuz-*-amd64 2>/dev/null | sort -V | tail -n 1)
[[ -n $kernel ]] || { echo "bench-boot: no /boot/vmlinuz-*-amd64 (apt-get install linux-image-amd64)"; exit 1; }
kver=${kernel#/boot/vmlinuz-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bash "$SRC/guest/linux/build-initramfs.sh" "$work/initrd.gz" "$kver" >/dev/null || exit 1
bash "$SRC/guest/linux/extract-vmlinux.sh" "$kernel" "$work/vmlinux" >/dev/null || exit 1
# the same command line everywhere: what bulwark's guest gets (user part + bulwark's additions)
user_cmdline="console=ttyS0 reboot=k panic=-1 bwtest=boot bwhold=60"
cmdline="$user_cmdline acpi=off pci=conf1 i8042.noaux i8042.nomux i8042.nopnp i8042.dumbkbd"

# boot_once NAME CMD...: wall time (ms) from start to the "BWTEST init-reached" line on the console,
# in $boot_ms (empty when the marker never came), and the guest's own uptime then in $guest_s. The
# console is read line by line by bash itself ($EPOCHREALTIME, no fork per line); the guest holds
# (bwhold) after the marker so bulwark's memory can be read while it runs.
boot_once() {
  local name=$1 log=$work/console-$1 start pid
  shift
  rm -f "$work/marker" "$work/fifo"
  mkfifo "$work/fifo"   # (not >(...): the nested rig has no /dev/fd)
  (while IFS= read -r line; do
     printf '%s\n' "$line" >> "$log"
     if [[ $line == "BWTEST init-reached"* ]]; then
       echo "$EPOCHREALTIME ${line##*uptime=}" > "$work/marker"
     fi
   done < "$work/fifo") &
  start=$EPOCHREALTIME
  "$@" </dev/null >"$work/fifo" 2>&1 &
  pid=$!
  boot_ms= guest_s=
  for ((i = 0; i < 60000; i++)); do
    [[ -s $work/marker ]] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.01
  done
  if [[ -s $work/marker ]]; then
    read -r t guest_s < "$work/marker"
    boot_ms=$(awk -v a="$start" -v b="$t" 'BEGIN { printf "%d", (b - a) * 1000 }')
    [[ $name == bulwark* ]] && measure_rss "$pid" "$name"
  else
    echo "bench-boot: $name did not reach /init; its console:" >&2
    tail -n 15 "$log" | tr -d '\r' | sed 's/^/  /' >&2
  fi
  kill "$pid" 2>/dev/null
  wait 2>/dev/null   # the VMM and the console reader
}

# measure_rss PID NAME: RSS of the process, the guest RAM mapping's RSS (the anonymous mapping
# exactly BENCH_MEM MiB large: guest_mem's region between its guard pages) and the difference.
measure_rss() {
  awk -v want=$((mem * 1024)) -v name="$2" '
    /^[0-9a-f]+-[0-9a-f]+ / { file = ($6 ~ /^\//) }
    /^Size:/ { cur = $2 }
    /^Rss:/ { total += $2; if (cur == want && !file) guest += $2; else if (file) files += $2 }
    END { printf "%s %d %d %d\n", name, total, guest, files }' "/proc/$1/smaps" >> "$work/rss"
}

declare -A sum count gsum
vmms=(bulwark-bzimage bulwark-pvh qemu-microvm qemu-pc)
for ((r = 1; r <= rounds; r++)); do
  for v in "${vmms[@]}"; do
    case $v in
      bulwark-bzimage) boot_once "$v" "$BULWARK" run --kernel "$kernel" --initrd "$work/initrd.gz" \
                         --cmdline "$user_cmdline" --cpus "$cpus" --mem "$mem";;
      bulwark-pvh) boot_once "$v" "$BULWARK" run --kernel "$work/vmlinux" --initrd "$work/initrd.gz" \
                     --cmdline "$user_cmdline" --cpus "$cpus" --mem "$mem";;
      qemu-microvm) boot_once "$v" qemu-system-x86_64 -M microvm -enable-kvm -cpu host -smp "$cpus" \
                      -m "$mem" -nodefaults -no-user-config -nographic -serial stdio -no-reboot \
                      -kernel "$kernel" -initrd "$work/initrd.gz" -append "$cmdline";;
      qemu-pc) boot_once "$v" qemu-system-x86_64 -M pc -enable-kvm -cpu host -smp "$cpus" -m "$mem" \
                 -nodefaults -no-user-config -nographic -serial stdio -no-reboot \
                 -kernel "$kernel" -initrd "$work/initrd.gz" -append "$cmdline";;
    esac
    if [[ -n $boot_ms ]]; then
      sum[$v]=$(( ${sum[$v]:-0} + boot_ms )); count[$v]=$(( ${count[$v]:-0} + 1 ))
      gsum[$v]=$(awk -v a="${gsum[$v]:-0}" -v b="$guest_s" 'BEGIN { print a + b }')
    fi
  done
done

echo
echo "boot to the guest's /init marker: kernel $kver, $cpus vCPUs, $mem MiB, $rounds round(s), $mode"
echo "command line: $cmdline"
ref= gref=
if [[ -n ${count[qemu-microvm]:-} ]]; then
  ref=$(( sum[qemu-microvm] / count[qemu-microvm] ))
  gref=$(awk -v a="${gsum[qemu-microvm]}" -v n="${count[qemu-microvm]}" 'BEGIN { print a / n }')
fi
if [[ $mode == native ]]; then
  printf '  %-16s %14s %16s %16s %18s\n' VMM "wall ms" "guest ms" "wall vs microvm" "guest vs microvm"
else
  printf '  %-16s %16s %18s\n' VMM "wall vs microvm" "guest vs microvm"
fi
for v in "${vmms[@]}"; do
  if [[ -z ${count[$v]:-} ]]; then printf '  %-16s %16s\n' "$v" "did not reach /init"; continue; fi
  avg=$(( sum[$v] / count[$v] ))
  gavg=$(awk -v a="${gsum[$v]}" -v n="${count[$v]}" 'BEGIN { print a / n }')
  ratio=- gratio=-
  [[ -n $ref ]] && ratio=$(awk -v a="$avg" -v b="$ref" 'BEGIN { printf "%.2fx", a / b }')
  [[ -n $gref ]] && gratio=$(awk -v a="$gavg" -v b="$gref" 'BEGIN { printf "%.2fx", a / b }')
  if [[ $mode == native ]]; then
    printf '  %-16s %14d %16d %16s %18s\n' "$v" "$avg" "$(awk -v g="$gavg" 'BEGIN { printf "%d", g * 1000 }')" "$ratio" "$gratio"
  else
    printf '  %-16s %16s %18s\n' "$v" "$ratio" "$gratio"
  fi
done
echo "  wall: from starting the VMM to the marker on its console; guest: the guest kernel's uptime"
echo "  at /init (excludes VMM start-up and firmware before the kernel's clock starts). Lower is faster."
[[ $mode == emulated ]] && echo "  emulated: KVM inside QEMU TCG (nested rig); only ratios are meaningful here."

if [[ -s $work/rss ]]; then
  echo
  echo "bulwark memory at the /init marker (RSS from /proc/PID/smaps, KiB):"
  printf '  %-16s %10s %14s %14s %14s\n' guest "RSS total" "guest RAM" "VMM overhead" "(of it: files)"
  while read -r name total guest files; do
    printf '  %-16s %10d %14d %14d %14d\n' "$name" "$total" "$guest" $((total - guest)) "$files"
  done < "$work/rss"
  echo "  VMM overhead = RSS total - RSS of the guest RAM mapping; files = shared libraries and the"
  echo "  executable (shared with other processes)."
fi
