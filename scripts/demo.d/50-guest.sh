# 50-guest.sh (sourced by scripts/demo.sh): Debian's own kernel boots under `bulwark run` with two
# vCPUs, a virtio-blk disk and the busybox test initramfs (guest/linux), and bulwark exits 0 when
# the guest reboots. On a host whose /dev/kvm runs guest kernels natively this runs directly; on a
# machine without one (or with an emulating /dev/kvm, see ../shared/TESTBED.md) it runs inside
# ../shared/tools/nested-rig (about a minute, emulated).
demo_guest() {
  local kernel d inner rig=$SRC/../shared/tools/nested-rig
  kernel=$(ls /boot/vmlinuz-*-amd64 2>/dev/null | sort -V | tail -n 1)
  if [[ -z $kernel ]]; then
    echo "guest: no /boot/vmlinuz-*-amd64 (apt-get install linux-image-amd64): step left out"
    return 0
  fi
  d=$(mktemp -d /tmp/bulwark-demo-guest-XXXXXX)
  inner="    \"$SRC/guest/linux/build-initramfs.sh\" \"$d/initrd.gz\" ${kernel#/boot/vmlinuz-}
    truncate -s 16M \"$d/disk.img\"
    echo '\$ bulwark run --kernel $kernel --initrd initrd.gz --cpus 2 --mem 256 --disk disk.img --cmdline \"console=ttyS0 reboot=k bwtest=boot\"'
    st=0; \"$B\" run --kernel \"$kernel\" --initrd \"$d/initrd.gz\" --cpus 2 --mem 256 \
      --disk \"$d/disk.img\" --cmdline 'console=ttyS0 reboot=k quiet bwtest=boot' </dev/null \
      | grep -E 'BWTEST|Linux version'
    st=\${PIPESTATUS[0]}
    echo \"bulwark exited with status \$st (0: the guest asked for a reboot)\""
  step "guest: Debian's kernel under bulwark run (2 vCPUs, virtio-blk)"
  if [[ -w /dev/kvm ]] && grep -qE 'vmx|svm' /proc/cpuinfo; then
    bash -c "$inner"
  elif [[ -x $rig ]]; then
    echo "(no hardware-speed /dev/kvm here: running inside the nested rig, emulated)"
    "$rig" -t 600 -- bash -c "$inner" 2>&1 | grep -vE '^\[ |SeaBIOS|Booting from ROM|\x1b' || true
  else
    echo "guest: no usable /dev/kvm and no nested rig at $rig: step left out"
  fi
  rm -rf "$d"
}
demo_guest
