#!/usr/bin/env bash
# kvm-exit.sh: how a guest ends becomes bulwark's exit status (docs/exit-codes.md): test-guest
# debug-exit port value, triple fault -> 3; start-up errors -> 1 with the file named; usage -> 2.
. "$(dirname "$0")/../lib.sh"
G=$BUILD/guest/cpl3
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
tap_expect_status "debug-exit port value 42 becomes the exit status" 42 \
  timeout 120 "$BULWARK" run --kernel "$G/exit-status"
grep -q 'exiting with 42' <<<"$tap_out" || tap_fail "exit-status guest printed" "$tap_out"
tap_expect_status "triple fault -> 3" 3 timeout 120 "$BULWARK" run --kernel "$G/triple-fault"
if grep -q 'about to fault' <<<"$tap_out" && grep -q 'triple fault' <<<"$tap_out" &&
   ! grep -q 'still running' <<<"$tap_out"; then tap_ok "triple fault reported as such"
else tap_fail "triple fault reported" "$tap_out"; fi
head -c 4096 /dev/urandom >"$tmp/garbage"
tap_expect_status "not an ELF or bzImage -> 1" 1 timeout 120 "$BULWARK" run --kernel "$tmp/garbage"
grep -q "$tmp/garbage" <<<"$tap_out" && tap_ok "message names the bad kernel" ||
  tap_fail "message names the bad kernel" "$tap_out"
tap_expect_status "missing kernel -> 1" 1 timeout 60 "$BULWARK" run --kernel "$tmp/none"
grep -q "$tmp/none" <<<"$tap_out" && tap_ok "message names the missing kernel" ||
  tap_fail "message names the missing kernel" "$tap_out"
tap_expect_status "missing disk -> 1" 1 timeout 60 "$BULWARK" run --kernel "$G/hello" --disk "$tmp/nodisk"
grep -q "$tmp/nodisk" <<<"$tap_out" && tap_ok "message names the missing disk" ||
  tap_fail "message names the missing disk" "$tap_out"
tap_expect_status "--cpus 0 -> 2" 2 "$BULWARK" run --kernel "$G/hello" --cpus 0
tap_expect_status "unknown option -> 2" 2 "$BULWARK" run --kernel "$G/hello" --bogus
grep -q -- '--bogus' <<<"$tap_out" && tap_ok "usage message names --bogus" ||
  tap_fail "usage message names --bogus" "$tap_out"
tap_done
