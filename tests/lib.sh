# lib.sh: helpers for shell tests (sourced). A shell test prints TAP like the unit tests:
#   . "$(dirname "$0")/../lib.sh"
#   tap_check "name" cmd args...        # ok when cmd exits 0
#   tap_ok "name" / tap_fail "name" "why" / tap_skip "name" "why"
#   tap_done                            # prints the plan; exit status 1 if anything failed
# Variables: SRC (source root), BULWARK (the command), BUILD (build dir), BULWARK_SHARED.
SRC=${SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
BUILD=${BUILD:-$SRC/build}
BULWARK=${BULWARK:-$BUILD/bulwark}
BULWARK_SHARED=${BULWARK_SHARED:-$SRC/../shared}
export SRC BUILD BULWARK BULWARK_SHARED
tap_n=0
tap_failed=0
tap_ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $1"; }
tap_fail() {
  tap_n=$((tap_n + 1)); tap_failed=$((tap_failed + 1))
  echo "not ok $tap_n - $1"
  [[ -n ${2:-} ]] && printf '%s\n' "$2" | sed 's/^/#   /'
  return 0
}
tap_skip() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $1 # SKIP $2"; }
# tap_check NAME CMD...: runs CMD, ok on exit 0; on failure shows the last lines of its output.
tap_check() {
  local name=$1 out
  shift
  if out=$("$@" 2>&1); then tap_ok "$name"; else tap_fail "$name" "$(printf '%s\n' "$out" | tail -n 15)"; fi
}
# tap_expect_status NAME STATUS CMD...: ok when CMD exits with STATUS; output kept in $tap_out.
tap_expect_status() {
  local name=$1 want=$2 got
  shift 2
  tap_out=$("$@" 2>&1) && got=0 || got=$?
  if [[ $got == "$want" ]]; then tap_ok "$name"; else
    tap_fail "$name" "exit status $got, expected $want; output: $(printf '%s\n' "$tap_out" | tail -n 10)"; fi
}
tap_done() { echo "1..$tap_n"; [[ $tap_failed -eq 0 ]]; }
