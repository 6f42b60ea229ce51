# 50-guest.sh (sourced by scripts/demo.sh): Debian's own kernel boots under `bulwark run` with two
# vCPUs, a virtio-blk disk and the busybox test initramfs (guest/linux), and bulwark exits 0 when
# the guest reboots. On a host whose /dev/kvm runs guest kernels natively this runs directly; on a
# machine without one (or with an emulating /dev/kvm, see ../shared/TESTBED.md) it runs inside
# ../shared/tools/nested-rig (about a minute, emulated).
demo_guest() {
  local kernel inner st rig=$SRC/../shared/tools/nested-rig
  kernel=$(ls /boot/vmlinuz-*-amd64 2>/dev/null | sort -V | tail -n 1)
  if [[ -z $kernel ]]; then
    echo "guest: no /boot/vmlinuz-*-amd64 (apt-get install linux-image-amd64): step left out"
    return 0
  fi
  # the scratch directory is made where the guest runs: inside the rig only /run is writable
  # (TMPDIR=/run/tmp there), the host's /tmp is read-only
  inner="    d=\$(mktemp -d \"\${TMPDIR:-/tmp}/bulwark-demo-guest-XXXXXX\") || exit 1
    trap 'rm -rf \"\$d\"' EXIT
    \"$SRC/guest/linux/build-initramfs.sh\" \"\$d/initrd.gz\" ${kernel#/boot/vmlinuz-} || exit 1
    truncate -s 16M \"\$d/disk.img\" || exit 1
    echo '\$ bulwark run --kernel $kernel --initrd initrd.gz --cpus 2 --mem 256 --disk disk.img --cmdline \"console=ttyS0 reboot=k bwtest=boot\"'
    st=0; \"$B\" run --kernel \"$kernel\" --initrd \"\$d/initrd.gz\" --cpus 2 --mem 256 \
      --disk \"\$d/disk.img\" --cmdline 'console=ttyS0 reboot=k quiet bwtest=boot' </dev/null \
      | grep -E 'BWTEST|Linux version'
    st=\${PIPESTATUS[0]}
    echo \"bulwark exited with status \$st (0: the guest asked for a reboot)\"
    exit \$st"
  step "guest: Debian's kernel under bulwark run (2 vCPUs, virtio-blk)"
  set +e # (demo.sh runs with -e and pipefail: the status is taken by hand below)
  if [[ -w /dev/kvm ]] && grep -qE 'vmx|svm' /proc/cpuinfo; then
    bash -c "$inner"
    st=$?
  elif [[ -x $rig ]]; then
    echo "(no hardware-speed /dev/kvm here: running inside the nested rig, emulated)"
    "$rig" -t 600 -- bash -c "$inner" 2>&1 | grep -avE '^\[ |SeaBIOS|Booting from ROM|\x1b'
    st=${PIPESTATUS[0]}
  else
    echo "guest: no usable /dev/kvm and no nested rig at $rig: step left out"
    set -e
    return 0
  fi
  set -e
  if [[ $st != 0 ]]; then
    echo "guest step FAILED (status $st)"
    return 1
  fi
}
demo_guest
