#!/usr/bin/env bash
# kvm-stop.sh: SIGTERM and SIGINT stop a running guest cleanly with exit status 6 and a message.
. "$(dirname "$0")/../lib.sh"
G=$BUILD/guest/cpl3
log=$(mktemp); trap 'rm -f "$log"' EXIT
for sig in TERM INT; do
  "$BULWARK" run --kernel "$G/spin" </dev/null >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do grep -q spinning "$log" && break; sleep 0.2; done
  if [[ $sig == TERM ]]; then
    # while the guest runs, bulwark is confined: seccomp filter mode, no effective capabilities
    st=$(cat /proc/$pid/status 2>/dev/null)
    grep -qE '^Seccomp:[[:space:]]+2' <<<"$st" && grep -qE '^CapEff:[[:space:]]+0+$' <<<"$st" &&
      grep -qE '^NoNewPrivs:[[:space:]]+1' <<<"$st" && tap_ok "running bulwark is sandboxed" ||
      tap_fail "running bulwark is sandboxed" "$(grep -E 'Seccomp|Cap|NoNew' <<<"$st")"
  fi
  kill -$sig $pid
  for _ in $(seq 100); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
  if kill -0 $pid 2>/dev/null; then
    kill -KILL $pid; tap_fail "SIG$sig stops the guest" "still running 10 s after SIG$sig"; continue
  fi
  wait $pid; st=$?
  [[ $st == 6 ]] && grep -q 'stopped by' "$log" && tap_ok "SIG$sig -> exit status 6" ||
    tap_fail "SIG$sig -> exit status 6" "status $st: $(cat "$log")"
done
tap_done
