# 30-trust.sh (sourced by scripts/demo.sh): a vendor signs a bundle with stock minisign; the
# administrator signs a trust list and a MAC policy with the root key; bulwark admits the bundle,
# refuses a tampered copy and an unknown signer, and the audit log verifies intact.
# Uses $B (the bulwark command) and step() from demo.sh. Needs minisign (scripts/install-deps.sh).
demo_trust() {
  local d; d=$(mktemp -d /tmp/bulwark-demo-trust-XXXXXX)
  (
    set -euo pipefail
    cd "$d"
    step "trust: keys (stock minisign, no password): root (administrator), acme (vendor), host (audit checkpoints)"
    for k in root acme evil host; do minisign -G -W -p $k.pub -s $k.key -f >/dev/null; done
    grep -h "public key" root.pub acme.pub

    step "trust: the vendor builds a bundle and signs its MANIFEST"
    mkdir -p acme-fw
    printf 'stand-in for an eBPF object\n' >acme-fw/fw.o
    "$B" bundle create acme-fw --name acme-fw --version 1.0.0 --seq 7 --hook net.rx --helper map \
      --key acme.pub ext:fw.o
    minisign -S -s acme.key -m acme-fw/MANIFEST -t "bulwark-bundle/1 name=acme-fw seq=7" >/dev/null
    cut -c1-100 acme-fw/MANIFEST

    step "trust: the administrator's trust list and MAC policy, signed with the root key"
    printf 'bulwark-trust 1\nversion 1\nvendor acme %s names acme-*\nfloor acme-fw 5\n' \
      "$(tail -n 1 acme.pub)" >trust
    minisign -S -s root.key -m trust -t "bulwark-trust/1 version=1" >/dev/null
    printf '%s\n' "bulwark-policy 1" "version 1" "vmclass web names web-*" \
      "subject fw signer acme names acme-fw" "allow fw web hook net.rx net.tx" \
      "allow fw * helper map time" "neverallow * * helper guest.mem.protect" \
      "hook net.rx budget 20000 fail-closed" >policy
    minisign -S -s root.key -m policy -t "bulwark-policy/1 version=1" >/dev/null
    "$B" trust check --root-key root.pub --state state trust
    "$B" policy check --root-key root.pub --state state --signer acme --name acme-fw --vm web-1 policy

    check() {
      "$B" bundle check --root-key root.pub --trust trust --policy policy --vm web-1 \
        --state state --audit audit.log --host-key host.key "$1" || true
    }
    step "trust: bulwark admits the signed bundle"
    check acme-fw
    step "trust: a copy with one payload byte changed is refused"
    cp -r acme-fw tampered && printf 'X' | dd of=tampered/fw.o bs=1 seek=3 conv=notrunc status=none
    check tampered
    step "trust: the same MANIFEST signed by a key the trust list does not know is refused"
    cp -r acme-fw unknown && rm unknown/MANIFEST.pub
    minisign -S -s evil.key -m unknown/MANIFEST -t "bulwark-bundle/1 name=acme-fw seq=7" >/dev/null
    check unknown

    step "trust: the audit log (one record per decision, hash-chained, checkpoints signed)"
    "$B" audit tail -n 20 audit.log | cut -c1-150
    "$B" audit verify --host-key host.pub audit.log
  )
  local st=$?
  rm -rf "$d"
  return $st
}
if command -v minisign >/dev/null; then
  demo_trust
else
  step "trust: skipped (minisign is not installed; scripts/install-deps.sh installs it)"
fi
