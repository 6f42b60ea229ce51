#!/usr/bin/env bash
# test-bundles.sh: `bulwark bundle check` admits a valid bundle and refuses each kind of tampering
# and each trust-list / policy rule with its precise reason code, and every decision lands in the
# audit log (which `bulwark audit verify` finds intact). Keys and signatures are made here, at
# test time, with Debian's stock minisign (-W: no password).
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

if ! command -v minisign >/dev/null; then
  tap_skip "bundle tests" "minisign is not installed (scripts/install-deps.sh installs it)"
  tap_done; exit
fi
T=$(mktemp -d /tmp/bw-test-bundles-XXXXXX)
trap '[[ -n ${KEEP:-} ]] || rm -rf "$T"' EXIT
cd "$T"
export BULWARK_NOW=2026-11-23T12:00:00Z

for k in root acme evil host; do minisign -G -W -p $k.pub -s $k.key -f >/dev/null 2>&1; done
ACME=$(tail -n 1 acme.pub) EVIL=$(tail -n 1 evil.pub)

# sign_list FILE TAG VERSION: the root signs a trust list or policy with the trusted comment.
sign_root() { minisign -S -s root.key -m "$1" -t "$2/1 version=$3" >/dev/null 2>&1; }
# mk_list FILE VERSION LINES...: a signed trust list.
mk_list() {
  local f=$1 v=$2; shift 2
  { echo "bulwark-trust 1"; echo "version $v"; printf '%s\n' "$@"; } >"$f"
  sign_root "$f" bulwark-trust "$v"
}
# mk_policy FILE VERSION LINES...: a signed policy.
mk_policy() {
  local f=$1 v=$2; shift 2
  { echo "bulwark-policy 1"; echo "version $v"; printf '%s\n' "$@"; } >"$f"
  sign_root "$f" bulwark-policy "$v"
}
# mk_bundle DIR NAME SEQ [create options...]: payloads, MANIFEST, signed by acme.
mk_bundle() {
  local d=$1 name=$2 seq=$3; shift 3
  mkdir -p "$d/bin"
  printf 'eBPF object of %s\n' "$name" >"$d/fw.o"
  printf 'agent of %s\n' "$name" >"$d/bin/agent"
  "$BULWARK" bundle create "$d" --name "$name" --version 1.0 --seq "$seq" --hook net.rx \
    --helper map "$@" ext:fw.o agent:bin/agent >/dev/null &&
  minisign -S -s acme.key -m "$d/MANIFEST" -t "bulwark-bundle/1 name=$name seq=$seq" >/dev/null 2>&1
}
LIST=$T/list
mk_list "$LIST" 1 "vendor acme $ACME names acme-*"
STATE=$T/state LOG=$T/audit.log
check() { # check BUNDLE [options]: bundle check with the common options
  local b=$1; shift
  "$BULWARK" bundle check --root-key root.pub --trust "$LIST" --state "$STATE" --audit "$LOG" \
    --host-key host.key "$@" "$b"
}
refusals() { grep -c $'\tbundle.refuse\t' "$LOG" 2>/dev/null || true; }
# expect_refused NAME CODE BUNDLE [options]: exit 1, "refused: CODE:", one more audit record
# bundle.refuse with reason=CODE.
expect_refused() {
  local name=$1 code=$2 before after last; shift 2
  before=$(refusals)
  tap_expect_status "$name: exit 1" 1 check "$@"
  local out=$tap_out
  after=$(refusals)
  last=$(grep $'\tbundle.refuse\t' "$LOG" | tail -n 1)
  if [[ $out == *"refused: $code:"* && $after -eq $((before + 1)) && $last == *"reason=$code "* ]]; then
    tap_ok "$name: refused as $code and audited"
  else
    tap_fail "$name: refused as $code and audited" \
      "output: $out"$'\n'"audit refusals $before -> $after; last: $last"
  fi
}
# flip FILE OFFSET: changes one byte (xor 1).
flip() {
  local b; b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
  printf "\\$(printf '%03o' $((b ^ 1)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
# flip_b64 FILE LINE COL: replaces one base64 character on a line by another.
flip_b64() {
  local line c n; line=$(sed -n "$2p" "$1"); c=${line:$3:1}
  [[ $c == A ]] && n=B || n=A
  line="${line:0:$3}$n${line:$(($3 + 1))}"
  sed -i "$2s|.*|$line|" "$1"
}

# --- a valid bundle
mk_bundle good acme-fw 5
tap_check "stock minisign -V verifies the vendor's signature" minisign -Vq -p acme.pub -m good/MANIFEST
tap_expect_status "valid bundle: exit 0" 0 check good
[[ $tap_out == *"admitted: acme-fw 1.0 seq 5 signed by vendor acme"* ]] &&
  tap_ok "valid bundle: admitted" || tap_fail "valid bundle: admitted" "$tap_out"
grep -q $'\tbundle.admit\t.*name=acme-fw version=1.0 seq=5 vendor=acme' "$LOG" &&
  tap_ok "valid bundle: bundle.admit audited" || tap_fail "valid bundle: bundle.admit audited" "$(cat "$LOG")"
grep -q $'\ttrust.load\t.*version=1' "$LOG" && tap_ok "trust list load audited" ||
  tap_fail "trust list load audited"
grep -q '^trust-version 1$' "$STATE/trust.state" && grep -q '^floor acme-fw 5$' "$STATE/trust.state" &&
  tap_ok "state records the list version and the admitted seq" ||
  tap_fail "state records the list version and the admitted seq" "$(cat "$STATE/trust.state")"

# --- tampering
cp -r good t-payload; flip t-payload/fw.o 3
expect_refused "flipped byte in a payload" payload-hash-mismatch t-payload
cp -r good t-manifest; flip t-manifest/MANIFEST 20
expect_refused "flipped byte in MANIFEST" bad-signature t-manifest
cp -r good t-comment; sed -i '3s/seq=5/seq=6/' t-comment/MANIFEST.minisig
expect_refused "flipped byte in the trusted comment" bad-trusted-comment-signature t-comment
cp -r good t-sig; flip_b64 t-sig/MANIFEST.minisig 2 40
expect_refused "flipped byte in the signature" bad-signature t-sig
cp -r good t-legacy
minisign -S -l -s acme.key -m t-legacy/MANIFEST -t "bulwark-bundle/1 name=acme-fw seq=5" >/dev/null 2>&1
tap_check "stock minisign accepts the legacy signature" minisign -Vq -p acme.pub -m t-legacy/MANIFEST
expect_refused "legacy (non-prehashed) signature" legacy-signature t-legacy
cp -r good t-unknown
minisign -S -s evil.key -m t-unknown/MANIFEST -t "bulwark-bundle/1 name=acme-fw seq=5" >/dev/null 2>&1
expect_refused "unknown key" unknown-key t-unknown
cp -r good t-tc; minisign -S -s acme.key -m t-tc/MANIFEST -t "bulwark-bundle/1 name=acme-fw seq=50" >/dev/null 2>&1
expect_refused "trusted comment not the manifest's" trusted-comment-mismatch t-tc
# same key id, other key bytes: the bundle ships such a MANIFEST.pub (edited acme.pub)
cp -r good t-keybytes
tail -n 1 acme.pub | base64 -d >raw.pub; flip raw.pub 20
{ echo "untrusted comment: edited"; base64 -w0 raw.pub; echo; } >t-keybytes/MANIFEST.pub
[[ $(base64 -w0 raw.pub | cut -c1-14) == $(tail -n 1 acme.pub | cut -c1-14) ]] &&
  tap_ok "crafted key keeps acme's key id" || tap_fail "crafted key keeps acme's key id"
expect_refused "key id of a trusted key, other key bytes (MANIFEST.pub)" key-mismatch t-keybytes
cp acme.pub good/MANIFEST.pub
tap_expect_status "the genuine MANIFEST.pub is accepted" 0 check good
rm good/MANIFEST.pub
# ... and a trust list whose key for that id has other bytes: the signature does not verify
LIST=$T/list-keybytes; mk_list "$LIST" 1 "vendor acme $(base64 -w0 raw.pub) names acme-*"
expect_refused "trusted key id with other bytes in the trust list" bad-signature good

# --- trust list rules
LIST=$T/list-denykey; mk_list "$LIST" 1 "vendor acme $ACME names acme-*" "deny key $ACME"
expect_refused "denied key" denied-key good
LIST=$T/list-denyhash
mk_list "$LIST" 1 "vendor acme $ACME names acme-*" "deny hash $(b2sum good/bin/agent | cut -d' ' -f1)"
expect_refused "denied hash (payload)" denied-hash good
LIST=$T/list-denyhash2
mk_list "$LIST" 1 "vendor acme $ACME names acme-*" "deny hash $(b2sum good/MANIFEST | cut -d' ' -f1)"
expect_refused "denied hash (MANIFEST)" denied-hash good
LIST=$T/list-denyname; mk_list "$LIST" 1 "vendor acme $ACME names acme-*" "deny name acme-f?"
expect_refused "denied name" denied-name good
LIST=$T/list-names; mk_list "$LIST" 1 "vendor acme $ACME names acme-net-* other"
expect_refused "name outside the vendor's patterns" name-not-allowed good
LIST=$T/list-noacme; mk_list "$LIST" 1 "vendor evil $EVIL names *"
expect_refused "default deny: vendor not listed" unknown-key good
# (a separate state: an accepted list's floors stay in the host's state)
LIST=$T/list-floor; mk_list "$LIST" 1 "vendor acme $ACME names acme-*" "floor acme-fw 10"
STATE=$T/state-floor expect_refused "seq below the floor" seq-below-floor good
grep -q '^floor acme-fw 10$' "$T/state-floor/trust.state" && tap_ok "the list's floor is kept in the state" ||
  tap_fail "the list's floor is kept in the state"
LIST=$T/list
mk_bundle old acme-fw 4
expect_refused "seq below a seq already admitted (state floor)" seq-below-floor old
mk_bundle expiring acme-fw 6 --expires 2026-11-23T11:59:59Z
expect_refused "expired bundle" expired expiring
STATE=$T/state-exp BULWARK_NOW=2026-11-23T11:00:00+00:00 tap_expect_status "bundle before its expiry: admitted" 0 check expiring
LIST=$T/list-expired
{ echo "bulwark-trust 1"; echo "version 1"; echo "expires 2026-11-01T00:00:00Z"; echo "vendor acme $ACME names acme-*"; } >"$LIST"
sign_root "$LIST" bulwark-trust 1
expect_refused "expired trust list" trust-list-expired good
grep -q $'\ttrust.refuse\t.*reason=trust-list-expired' "$LOG" && tap_ok "trust.refuse audited" ||
  tap_fail "trust.refuse audited"
LIST=$T/list-v3; mk_list "$LIST" 3 "vendor acme $ACME names acme-*"
tap_expect_status "trust list version 3 accepted" 0 check good
LIST=$T/list-v2; mk_list "$LIST" 2 "vendor acme $ACME names acme-*"
expect_refused "older trust-list version" trust-list-rollback good
LIST=$T/list-v3c; { echo "bulwark-trust 1"; echo "version 3"; echo "vendor acme $ACME names acme-*"; } >"$LIST"
minisign -S -s root.key -m "$LIST" -t "bulwark-trust/1 version=4" >/dev/null 2>&1
expect_refused "trust list comment version differs" trust-list-trusted-comment-mismatch good
LIST=$T/list-v3u; { echo "bulwark-trust 1"; echo "version 3"; echo "vendor acme $ACME names acme-*"; } >"$LIST"
minisign -S -s acme.key -m "$LIST" -t "bulwark-trust/1 version=3" >/dev/null 2>&1
expect_refused "trust list not signed by the root key" trust-list-unknown-key good
LIST=$T/list-v3

# --- MAC policy
mk_policy nohook.pol 1 "vmclass prod names prod-*" "subject fw signer acme names acme-*" \
  "allow fw prod helper map"
expect_refused "policy that grants no hook" policy-hook-denied good --policy nohook.pol --vm prod-1
mk_policy ok.pol 2 "vmclass prod names prod-*" "subject fw signer acme names acme-*" \
  "allow fw prod hook net.rx" "allow fw * helper map time"
tap_expect_status "policy granting the hook and helpers: admitted" 0 check good --policy ok.pol --vm prod-1
expect_refused "policy grants on another VM class only" policy-hook-denied good --policy ok.pol --vm test-1
mk_bundle helper acme-fw 7 --helper guest.mem.protect
expect_refused "helper outside the granted classes" policy-helper-denied helper --policy ok.pol --vm prod-1
mk_policy never.pol 3 "subject fw signer acme names acme-*" "allow fw * hook net.rx" \
  "allow fw * helper map guest.mem.protect" "neverallow * * helper guest.mem.protect"
expect_refused "neverallow conflict" policy-neverallow-conflict good --policy never.pol --vm prod-1
grep -q $'\tpolicy.refuse\t.*reason=policy-neverallow-conflict' "$LOG" && tap_ok "policy.refuse audited" ||
  tap_fail "policy.refuse audited"
mk_policy perm.pol 4 "mode permissive" "subject fw signer acme names acme-*"
tap_expect_status "permissive policy: admitted" 0 check helper --policy perm.pol --vm prod-1
grep -q $'\tpolicy.permissive\t.*would-refuse\|\tpolicy.permissive\t.*reason=policy-hook-denied' "$LOG" &&
  tap_ok "permissive policy: the would-be refusal is audited" ||
  tap_fail "permissive policy: the would-be refusal is audited" "$(tail -n 3 "$LOG")"
mk_policy ok.pol 1 "subject fw signer acme names acme-*" "allow fw * hook *" "allow fw * helper *"
expect_refused "older policy version" policy-rollback helper --policy ok.pol --vm prod-1

# --- payload safety
mk_bundle sym acme-fw 8
rm sym/fw.o; ln -s ../good/fw.o sym/fw.o
expect_refused "payload that is a symlink" payload-unreadable sym
grep $'\tbundle.refuse\t' "$LOG" | tail -n 1 | grep -q "symbolic link" &&
  tap_ok "symlink refusal says why" || tap_fail "symlink refusal says why"

# --- bundle create
tap_expect_status "create refuses a path with .." 1 "$BULWARK" bundle create good --name a \
  --version 1 --seq 1 ext:../x
tap_expect_status "create refuses an unknown hook (usage)" 2 "$BULWARK" bundle create good --name a \
  --version 1 --seq 1 --hook net.foo ext:fw.o
tap_expect_status "create refuses a non-ELF file without a kind" 1 "$BULWARK" bundle create good \
  --name a --version 1 --seq 1 fw.o
mkdir -p signed && printf 'x' >signed/a.o
tap_expect_status "create --sign writes a signature" 0 "$BULWARK" bundle create signed --name acme-s \
  --version 2 --seq 9 --hook net.tx --sign acme.key --key acme.pub ext:a.o
tap_check "stock minisign -V accepts bulwark's signature" minisign -Vq -p acme.pub -m signed/MANIFEST
tap_expect_status "bundle signed by bulwark create --sign: admitted" 0 check signed
[[ $("$BULWARK" bundle create good --name a --version 1 --seq 1 ext:fw.o) == *'minisign -S -s VENDOR.key -m good/MANIFEST -t "bulwark-bundle/1 name=a seq=1"'* ]] &&
  tap_ok "create prints the minisign command" || tap_fail "create prints the minisign command"

# --- usage and help
for c in "bundle" "bundle create" "bundle check" "trust check" "policy check"; do
  # shellcheck disable=SC2086
  tap_expect_status "bulwark $c --help" 0 "$BULWARK" $c --help
done
tap_expect_status "bundle check without --trust: usage" 2 "$BULWARK" bundle check --root-key root.pub good
tap_expect_status "bundle check --policy without --vm: usage" 2 check good --policy ok.pol

# --- trust check, policy check
tap_expect_status "trust check: valid list" 0 "$BULWARK" trust check --root-key root.pub --state "$STATE" "$T/list-v3"
[[ $tap_out == *"valid trust list version 3"*"acme"*"acme-*"* ]] && tap_ok "trust check shows the vendors" ||
  tap_fail "trust check shows the vendors" "$tap_out"
tap_expect_status "trust check: older list refused" 1 "$BULWARK" trust check --root-key root.pub --state "$STATE" "$T/list-v2"
[[ $tap_out == *"refused: trust-list-rollback:"* ]] && tap_ok "trust check says rollback" ||
  tap_fail "trust check says rollback" "$tap_out"
tap_expect_status "policy check explains" 0 "$BULWARK" policy check --root-key root.pub --state /nonexistent ok.pol
[[ $tap_out == *"fw on any VM (*):"*"hook    net.rx net.tx"* ]] && tap_ok "policy check lists the grants" ||
  tap_fail "policy check lists the grants" "$tap_out"
tap_expect_status "policy check: neverallow conflict" 1 "$BULWARK" policy check never.pol
[[ $tap_out == *"policy-neverallow-conflict"*"line 5"*"line 6"* ]] && tap_ok "policy check names the lines" ||
  tap_fail "policy check names the lines" "$tap_out"
tap_expect_status "policy check --signer/--name/--vm" 0 "$BULWARK" policy check --signer acme --name acme-fw --vm x ok.pol
[[ $tap_out == *"helper  map time random"* ]] && tap_ok "policy check answers for one bundle" ||
  tap_fail "policy check answers for one bundle" "$tap_out"

# --- the audit log
if [[ -w /dev/full ]]; then
  ln -s /dev/full full.log
  tap_expect_status "audit log cannot be written: refused" 1 "$BULWARK" bundle check --root-key root.pub \
    --trust "$LIST" --state "$STATE" --audit full.log good
  [[ $tap_out == *"refused: audit-failed"* ]] && tap_ok "refusal says audit-failed" ||
    tap_fail "refusal says audit-failed" "$tap_out"
else
  tap_skip "audit log cannot be written: refused" "no writable /dev/full"
fi
tap_check "bulwark audit verify: the log is intact" "$BULWARK" audit verify --host-key host.pub "$LOG"
n=$(grep -c $'\tbundle\.' "$LOG")
[[ $n -ge 30 ]] && tap_ok "one audit record per bundle decision ($n)" || tap_fail "one audit record per bundle decision ($n)"
tap_done
