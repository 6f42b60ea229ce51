#!/usr/bin/env bash
# extract-vmlinux.sh: writes the vmlinux ELF inside a bzImage (the XZ stream after the magic
# FD 37 7A 58 5A 00) to OUT, for bulwark's PVH entry. Debian's kernels are XZ-compressed.
# usage: extract-vmlinux.sh BZIMAGE OUT      needs (Debian): xz-utils grep
set -euo pipefail
in=${1:?usage: extract-vmlinux.sh BZIMAGE OUT} out=${2:?usage: extract-vmlinux.sh BZIMAGE OUT}
off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$in" | head -n 1 | cut -d: -f1) || true
[[ -n $off ]] || { echo "extract-vmlinux: no XZ payload in $in" >&2; exit 1; }
# through a file, not a pipe: xz stops reading at the end of the stream (SIGPIPE for tail)
tail -c +$((off + 1)) "$in" > "$out.xz"
xz -dc --single-stream "$out.xz" > "$out"
rm -f "$out.xz"
head -c 4 "$out" | grep -q 'ELF' || { echo "extract-vmlinux: $in's payload is not an ELF" >&2; exit 1; }
echo "extract-vmlinux: $out from $in (XZ stream at offset $off)"
