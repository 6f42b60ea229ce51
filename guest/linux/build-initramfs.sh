#!/usr/bin/env bash
# build-initramfs.sh: builds the Linux test guest's initramfs (gzip'ed newc cpio) at test time from
# the host's Debian packages: busybox-static, the virtio modules of the guest kernel (from
# /lib/modules/KVER, in modules.dep order as modprobe resolves it) and guest/linux/init.
#
# usage: build-initramfs.sh OUT.cpio.gz [KVER]
#   KVER defaults to the newest /lib/modules/* (the version of /boot/vmlinuz-KVER).
# needs (Debian): busybox-static cpio kmod gzip (xz-utils when the modules are .ko.xz)
set -euo pipefail
out=${1:?usage: build-initramfs.sh OUT.cpio.gz [KVER]}
kver=${2:-$(ls /lib/modules | sort -V | tail -n 1)}
here=$(cd "$(dirname "$0")" && pwd)
mods=(virtio_pci virtio_net virtio_blk)
busybox=$(command -v busybox) || { echo "build-initramfs: busybox is missing (apt-get install busybox-static)" >&2; exit 1; }
if command -v readelf >/dev/null && readelf -lW "$busybox" | grep -q 'Requesting program interpreter'; then
  echo "build-initramfs: $busybox is not statically linked (apt-get install busybox-static)" >&2; exit 1
fi
[[ -d /lib/modules/$kver ]] || { echo "build-initramfs: no /lib/modules/$kver" >&2; exit 1; }
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,dev,proc,sys,tmp,mods}
cp "$busybox" "$root/bin/busybox"
cp "$here/init" "$root/init"
chmod 755 "$root/init"
# modules.dep order: modprobe --show-depends prints the insmod lines dependencies first.
n=0 seen=" "
for m in "${mods[@]}"; do
  deps=$(modprobe -S "$kver" --show-depends "$m")   # (no <(...): the nested rig has no /dev/fd)
  while read -r verb path _; do
    [[ $verb == insmod ]] || continue   # "builtin NAME": nothing to load
    name=$(basename "$path"); name=${name%%.ko*}
    [[ $seen == *" $name "* ]] && continue
    seen+="$name "
    n=$((n + 1))
    dst=$root/mods/$(printf '%02d' "$n")-$name.ko
    case $path in
      *.ko.xz) xz -dc "$path" > "$dst";;
      *.ko.zst) zstd -dcq "$path" > "$dst";;
      *.ko.gz) gzip -dc "$path" > "$dst";;
      *) cp "$path" "$dst";;
    esac
  done <<< "$deps"
done
[[ $n -gt 0 ]] || { echo "build-initramfs: no virtio modules found for $kver (built in?)" >&2; }
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet | gzip -1) > "$out"
echo "build-initramfs: $out: kernel $kver, modules:$(cd "$root/mods" && ls | sed 's/^[0-9]*-/ /; s/\.ko$//' | tr -d '\n')"
