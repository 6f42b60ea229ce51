#!/usr/bin/env bash
# test-run-host.sh: `bulwark run` start-up paths that need no /dev/kvm: usage errors exit 2 naming
# the option, missing files exit 1 naming them, --help lists every option and exit status, and on
# a machine without /dev/kvm the error says so (exit 1).
. "$(dirname "$0")/../lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
G=$BUILD/guest/cpl3
tap_expect_status "--help exits 0" 0 "$BULWARK" run --help
for w in --kernel --initrd --cmdline --mem --cpus --disk --net 'tap=NAME' 'Ctrl-A x' 0x501; do
  grep -q -- "$w" <<<"$tap_out" || tap_fail "--help mentions $w" "$tap_out"
done
for s in 0 1 2 3 4 5 6; do grep -qE "^  $s  " <<<"$tap_out" || tap_fail "--help lists exit status $s"; done
tap_ok "--help lists the options and exit statuses"
tap_expect_status "no --kernel -> 2" 2 "$BULWARK" run
grep -q -- '--kernel' <<<"$tap_out" || tap_fail "message names --kernel" "$tap_out"
for bad in "--mem 0" "--mem abc" "--mem 99999999" "--cpus 0" "--cpus 65" "--cpus 2x" \
           "--disk x,rw" "--net mac=02:00:00:00:00:01" "--net tap=t0,mac=zz" "--net tap=t0,foo=1" \
           "--net tap=t0,mac=01:00:00:00:00:01" "--frobnicate" "extra-arg"; do
  # shellcheck disable=SC2086
  tap_expect_status "bad option '$bad' -> 2" 2 "$BULWARK" run --kernel "$G/hello" $bad
  opt=${bad%% *}; opt=${opt%%=*}
  grep -q -- "$opt" <<<"$tap_out" || tap_fail "message for '$bad' names $opt" "$tap_out"
done
tap_expect_status "missing kernel -> 1" 1 "$BULWARK" run --kernel "$tmp/missing"
grep -q "$tmp/missing" <<<"$tap_out" || tap_fail "message names the missing kernel" "$tap_out"
: >"$tmp/k"
tap_expect_status "missing initrd -> 1" 1 "$BULWARK" run --kernel "$tmp/k" --initrd "$tmp/noinitrd"
grep -q "$tmp/noinitrd" <<<"$tap_out" || tap_fail "message names the missing initrd" "$tap_out"
if [[ -e /dev/kvm ]]; then
  tap_skip "no /dev/kvm -> clear message" "this machine has /dev/kvm"
else
  tap_expect_status "no /dev/kvm -> 1" 1 "$BULWARK" run --kernel "$G/hello"
  grep -q '/dev/kvm: No such file' <<<"$tap_out" && tap_ok "message names /dev/kvm and why" ||
    tap_fail "message names /dev/kvm" "$tap_out"
fi
tap_done
