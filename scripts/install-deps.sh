#!/usr/bin/env bash
# install-deps.sh: installs the Debian 12 packages bulwark needs to build, test and benchmark.
# Called by `make` targets before anything else; a warm machine (everything present) does nothing.
# Runs `apt-get update` at most once, then one `apt-get install` of whatever is missing.
set -euo pipefail
pkgs=(
  # build
  gcc clang llvm lld meson ninja-build pkg-config make clang-format
  libelf-dev zlib1g-dev libsodium-dev libseccomp-dev libcap-ng-dev libbpf-dev
  # sanitizers and libFuzzer runtime
  libclang-rt-14-dev
  # tests: signatures, eBPF reference, nested rig, Linux test guest
  minisign bpftool qemu-system-x86 busybox-static linux-image-amd64 cpio xz-utils
  iproute2 iputils-ping netcat-openbsd iperf3 procps kmod
)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0
if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps: missing Debian packages: ${missing[*]} (run as root, or install them)" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null
