#!/usr/bin/env bash
# kvm-smp.sh: with --cpus 4 every vCPU thread starts (APs wait for SIPI) and all stop and are
# joined when the guest ends, both when the guest exits and when bulwark is signalled.
. "$(dirname "$0")/../lib.sh"
G=$BUILD/guest/cpl3
out=$(BULWARK_LOG=debug timeout 120 "$BULWARK" run --cpus 4 --kernel "$G/hello" </dev/null 2>&1); st=$?
[[ $st == 0 ]] && grep -q '4 vCPUs' <<<"$out" && tap_ok "4-vCPU guest runs and exits 0" ||
  tap_fail "4-vCPU guest runs and exits 0" "status $st: $out"
n=$(grep -c 'vCPU [0-3] stopped' <<<"$out")
[[ $n == 4 ]] && tap_ok "all 4 vCPU threads stopped and joined" ||
  tap_fail "all 4 vCPU threads stopped" "$n of 4: $out"
BULWARK_LOG=debug "$BULWARK" run --cpus 8 --kernel "$G/spin" </dev/null >"${TMPDIR:-/tmp}/smp.$$" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q spinning "${TMPDIR:-/tmp}/smp.$$" && break; sleep 0.2; done
kill -TERM $pid; wait $pid; st=$?
out=$(cat "${TMPDIR:-/tmp}/smp.$$"); rm -f "${TMPDIR:-/tmp}/smp.$$"
n=$(grep -c 'vCPU [0-7] stopped' <<<"$out")
[[ $st == 6 && $n == 8 ]] && tap_ok "8 vCPUs (one spinning at CPL3) stopped by SIGTERM: status 6, 8 threads joined" ||
  tap_fail "8 vCPUs stopped by SIGTERM" "status $st, $n threads: $out"
tap_done
