#!/usr/bin/env bash
# run-tests.sh: everything `make check` runs, counted. Prints one TAP-style line per test and ends
# with "N passed, N failed, N skipped". Stages:
#   1. build/ (gcc, hardened) and build-san/ (clang, ASan+UBSan, libFuzzer targets)
#   2. unit-test binaries (build*/tests/*/test-*) in both builds
#   3. shell tests (tests/*/test-*.sh), against build/bulwark
#   4. fuzz smoke: every build-san/fuzz/fuzz-* for FUZZ_SECONDS (default 15) on its seed corpus
#   5. KVM tests: tests/*/kvm-*.sh (need /dev/kvm: on the host when it has one, else in the nested
#      rig) and tests/*/rig-*.sh (real Linux guests: always in the nested rig), all in one rig run
# Environment: FUZZ_SECONDS, ONLY=regex (run only tests whose file path matches), NO_RIG=1 (count
# the rig stage as skipped, for quick local runs; CI never sets it).
set -uo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
cd "$SRC"
export SRC BULWARK_SHARED=${BULWARK_SHARED:-$SRC/../shared}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
only=${ONLY:-.}
passed=0 failed=0 skipped=0
failures=()
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

# count_tap LABEL FILE STATUS: adds a TAP stream's results to the totals.
count_tap() {
  local label=$1 file=$2 status=$3 line n=0
  while IFS= read -r line; do
    case $line in
      "not ok "*) failed=$((failed + 1)); n=$((n + 1)); failures+=("$label: ${line#not ok }")
                  echo "FAIL $label: ${line#not ok }";;
      "ok "*"# SKIP"*) skipped=$((skipped + 1)); n=$((n + 1)); echo "skip $label: ${line#ok }";;
      "ok "*) passed=$((passed + 1)); n=$((n + 1)); echo "pass $label: ${line#ok }";;
      "#"*) echo "     $line";;
    esac
  done < "$file"
  if [[ $status -ne 0 && $n -eq 0 ]] || ! grep -q '^1\.\.' "$file"; then
    # crashed, timed out or printed no plan: that is a failure of its own
    failed=$((failed + 1)); failures+=("$label: exited $status without a complete TAP report")
    echo "FAIL $label: exited with status $status without a complete TAP report; last output:"
    tail -n 20 "$file" | sed 's/^/     /'
  fi
}

# rig_status_of TEST N: the status on TEST's "@@ END" line in rig log N (empty when it has none).
rig_status_of() { sed -n "s|^@@ END $1 ||p" "$log/rig$2" | tail -n 1; }

# run_rig N LIMIT TEST...: one nested-rig boot running TESTs, console in $log/rigN. A watchdog
# ends it early when its kernel is wedged: a soft lockup reported stuck for 120 s or more, or no
# console output at all for 600 s. Sets rig_wedged and rig_why.
rig_wedged='' rig_why=''
run_rig() {
  local n=$1 limit=$2 pid quiet=0 size=0 last=0
  shift 2
  rig_wedged='' rig_why=''
  setsid stdbuf -oL -eL "$BULWARK_SHARED/tools/nested-rig" -m 3072 -c 2 -t "$limit" -- \
    bash "$SRC/tests/rig-runner.sh" "$@" >"$log/rig$n" 2>&1 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 5
    size=$(stat -c %s "$log/rig$n" 2>/dev/null || echo 0)
    if [[ $size != "$last" ]]; then last=$size quiet=0; else quiet=$((quiet + 5)); fi
    if grep -qE 'soft lockup - CPU#[0-9]+ stuck for ([0-9]{4,}|[2-9][0-9][0-9]|1[2-9][0-9])s' "$log/rig$n"; then
      rig_wedged=1 rig_why="the rig's kernel reported a soft lockup of 120 s or more"
    elif [[ $quiet -ge 960 ]]; then
      rig_wedged=1 rig_why="the rig printed nothing for 960 s"
    fi
    if [[ -n $rig_wedged ]]; then
      kill -TERM -- "-$pid" 2>/dev/null  # setsid made the rig its own process group
      break
    fi
  done
  wait "$pid"
  local st=$?
  if [[ -n $rig_wedged ]]; then echo "# nested rig $n stopped: $rig_why"; else rig_why="nested-rig exit status $st"; fi
  return 0
}

stage() { echo; echo "== $*"; }

stage "build"
if ! make -s build >"$log/build" 2>&1; then
  cat "$log/build"; echo "0 passed, 1 failed, 0 skipped"; exit 1
fi
if ! make -s build-san >"$log/build-san" 2>&1; then
  cat "$log/build-san"; echo "0 passed, 1 failed, 0 skipped"; exit 1
fi
echo "build/ and build-san/ built"

stage "unit tests"
for b in build build-san; do
  for t in "$b"/tests/*/test-*; do
    [[ -x $t && -f $t ]] || continue
    [[ $t =~ $only ]] || continue
    timeout 600 "$t" >"$log/out" 2>&1; st=$?
    count_tap "$t" "$log/out" "$st"
  done
done

stage "shell tests"
for t in tests/*/test-*.sh; do
  [[ -f $t ]] || continue
  [[ $t =~ $only ]] || continue
  BUILD=$SRC/build timeout 900 bash "$t" >"$log/out" 2>&1; st=$?
  count_tap "$t" "$log/out" "$st"
done

stage "fuzz smoke"
for f in build-san/fuzz/fuzz-*; do
  [[ -x $f && -f $f ]] || continue
  [[ $f =~ $only ]] || continue
  name=${f##*/}
  corpus=$log/corpus-$name
  mkdir -p "$corpus"
  [[ -d fuzz/corpus/$name ]] && cp -r "fuzz/corpus/$name/." "$corpus/"
  if timeout 300 "$f" -max_total_time="${FUZZ_SECONDS:-15}" -rss_limit_mb=4096 -timeout=10 \
      -print_final_stats=1 "$corpus" >"$log/out" 2>&1; then
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log/out")
    printf 'ok 1 - %s ran %s inputs without a finding\n1..1\n' "$name" "${execs:-?}" >"$log/tap"
  else
    { printf 'not ok 1 - %s found a crash\n' "$name"; grep -E 'ERROR|SUMMARY|Test unit written' "$log/out" | head -n 8 | sed 's/^/# /'; echo "1..1"; } >"$log/tap"
  fi
  count_tap "$f" "$log/tap" 0
done

stage "KVM and nested-rig tests"
kvm_tests=() rig_tests=()
for t in tests/*/kvm-*.sh; do [[ -f $t && $t =~ $only ]] && kvm_tests+=("$t"); done
for t in tests/*/rig-*.sh; do [[ -f $t && $t =~ $only ]] && rig_tests+=("$t"); done
in_rig=("${rig_tests[@]}")
if [[ ${#kvm_tests[@]} -gt 0 ]]; then
  if [[ -w /dev/kvm ]]; then
    for t in "${kvm_tests[@]}"; do
      BUILD=$SRC/build timeout 900 bash "$t" >"$log/out" 2>&1; st=$?
      count_tap "$t" "$log/out" "$st"
    done
  else
    echo "no usable /dev/kvm on this host: KVM tests run inside the nested rig"
    in_rig+=("${kvm_tests[@]}")
  fi
fi
if [[ ${#in_rig[@]} -gt 0 ]]; then
  if [[ -n ${NO_RIG:-} ]]; then
    for t in "${in_rig[@]}"; do
      printf 'ok 1 - %s # SKIP NO_RIG set: nested rig not run\n1..1\n' "$t" >"$log/tap"
      count_tap "$t" "$log/tap" 0
    done
  else
    # One rig boot for all of them (each boot costs about 30 s); tests/rig-runner.sh marks each
    # test's TAP output with "@@ FILE" and "@@ END FILE STATUS" lines. The rig is QEMU TCG
    # emulating AMD-V, and its kernel has been seen to wedge (soft lockups growing without end, RCU
    # stalls) with no fault of the test running: run_rig's watchdog kills a wedged rig and the tests it had
    # not finished run once more in a fresh rig. Each such event is printed;
    # a test that does not finish in the second rig either fails.
    run_rig 1 2000 "${in_rig[@]}"
    rerun=()
    for t in "${in_rig[@]}"; do [[ -n $(rig_status_of "$t" 1) ]] || rerun+=("$t"); done
    if [[ ${#rerun[@]} -gt 0 ]]; then
      echo "# nested rig ended before ${#rerun[@]} test(s) finished ($rig_why): running them in a fresh rig"
      run_rig 2 1500 "${rerun[@]}"
    fi
    cat "$log"/rig[12] >"$SRC/build/rig-output.log" 2>/dev/null  # whole consoles, for post-mortems
    for t in "${in_rig[@]}"; do
      n=1
      [[ -f $log/rig2 ]] && grep -qxF "@@ $t" "$log/rig2" && n=2
      awk -v t="$t" '$0 == "@@ " t {on=1; next} $0 ~ "^@@ END " {if (on) {print "@@STATUS " $NF}; on=0} on' \
        "$log/rig$n" >"$log/tap"
      st=$(sed -n 's/^@@STATUS //p' "$log/tap"); sed -i '/^@@STATUS /d' "$log/tap"
      if [[ -z $st ]]; then
        echo "# nested rig ended ($rig_why) before $t finished; rig output:" >>"$log/tap"
        grep -v 'soft lockup' "$log/rig$n" | tail -n 40 | sed 's/^/# /' >>"$log/tap"
        echo "# (whole rig console: build/rig-output.log)" >>"$log/tap"
        st=1
      fi
      count_tap "$t" "$log/tap" "$st"
    done
  fi
fi

echo
if [[ ${#failures[@]} -gt 0 ]]; then
  echo "failures:"; printf '  %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[[ $failed -eq 0 ]]
