#!/usr/bin/env bash
# rig-panic.sh: Debian's kernel booted by `bulwark run` (2 vCPUs) without a root file system
# panics ("Kernel panic - not syncing: VFS: Unable to mount root fs"); bulwark sees the panic line
# on its serial console and exits 5 (docs/exit-codes.md). Exercises the Linux path of the vCPU
# set-up, the 8250 model under Linux's driver and the panic watch.
. "$(dirname "$0")/../lib.sh"
kernel=$(ls /boot/vmlinuz-*-amd64 2>/dev/null | sort -V | tail -1)
if [[ -z $kernel ]]; then
  tap_fail "Debian kernel present" "no /boot/vmlinuz-*-amd64 (apt-get install linux-image-amd64)"
  tap_done; exit
fi
tap_expect_status "kernel without root fs panics: exit status 5" 5 timeout 600 "$BULWARK" run \
  --kernel "$kernel" --mem 256 --cpus 2 --cmdline "console=ttyS0 reboot=k loglevel=1" </dev/null
if grep -q 'Kernel panic - not syncing' <<<"$tap_out" && grep -q 'guest kernel panic' <<<"$tap_out"
then tap_ok "panic line on the console and named as the reason"
else tap_fail "panic line on the console" "$(tail -n 20 <<<"$tap_out")"; fi
tap_done
