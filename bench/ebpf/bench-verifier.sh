#!/bin/bash
# bench-verifier.sh: verification time and peak memory per program, bulwark's verifier
# (`bulwark verify`) against the Linux kernel's verifier loading the same ELF through libbpf
# (`bpftool prog loadall`, root only), in the same run. Programs: the C test programs
# (tests/ebpf/progs, XDP ones on both sides) and two large ones generated here: a firewall of
# many rules (~4,000 instructions) and an IPv6 header parser with a bounded loop.
# Times are the best of 5 runs (wall clock of the whole command: bpftool's includes libbpf's
# object handling, so the kernel figure is an upper bound); memory is the peak RSS of bulwark.
set -u
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BULWARK=${BULWARK:-$SRC/build/bulwark}
tmp=$(mktemp -d)
mounted=0
cleanup() { rm -rf "$tmp"; rm -rf /sys/fs/bpf/bwbench 2>/dev/null; [[ $mounted -eq 1 ]] && umount /sys/fs/bpf; }
trap cleanup EXIT
ma=$(gcc -print-multiarch)
CFLAGS=(-O2 -g -target bpf -mcpu=v3 -I/usr/include/$ma -I"$SRC/include")

# --- generated programs ---
{
  echo '#include <linux/bpf.h>'
  echo '#include <linux/if_ether.h>'
  echo '#include <linux/ip.h>'
  echo '#include <linux/tcp.h>'
  echo '#include <bpf/bpf_helpers.h>'
  echo 'SEC("xdp") int firewall(struct xdp_md *ctx) {'
  echo ' void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;'
  echo ' struct ethhdr *eth = data; struct iphdr *ip = (void *)(eth + 1); struct tcphdr *tcp = (void *)(ip + 1);'
  echo ' if ((void *)(tcp + 1) > end) return XDP_PASS;'
  echo ' if (eth->h_proto != __builtin_bswap16(ETH_P_IP) || ip->protocol != 6) return XDP_PASS;'
  echo ' __u32 s = ip->saddr, d = ip->daddr; __u16 p = tcp->dest;'
  for i in $(seq 1 420); do
    echo " if (s == ${i}0001u && d == ${i}0002u && p == $((i % 60000 + 1))) return XDP_DROP;"
  done
  echo ' return XDP_PASS; }'
  echo 'char LICENSE[] SEC("license") = "GPL";'
} > "$tmp/firewall.bpf.c"
cat > "$tmp/parser.bpf.c" <<'C'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct hdr { unsigned char next, len; unsigned short pad; unsigned int x; };
SEC("xdp") int parser(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	unsigned char *p = data;
	unsigned int sum = 0;
	unsigned char next = 0;
	if (p + 54 > (unsigned char *)end) return XDP_PASS;
	next = p[20];
	p += 54;
#pragma clang loop unroll(disable)
	for (int i = 0; i < 16; i++) {
		struct hdr *h = (void *)p;
		if ((void *)(h + 1) > end) break;
		if (next != 0 && next != 43 && next != 60) break;
		sum += h->x;
		next = h->next;
		p += 8;
	}
	return sum == 0x1234 ? XDP_DROP : XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
C
for f in firewall parser; do
  clang "${CFLAGS[@]}" -c "$tmp/$f.bpf.c" -o "$tmp/$f.bpf.o" || { echo "clang failed on $f"; exit 1; }
done
objs=("$tmp/firewall.bpf.o" "$tmp/parser.bpf.o" "$SRC"/build/tests/ebpf/*.bpf.o)

best() { # best of 5 wall times (seconds) of a command; "FAIL" if it fails
  local b="" t
  for _ in 1 2 3 4 5; do
    local s=$(date +%s%N)
    "$@" >/dev/null 2>&1 || { echo FAIL; return; }
    t=$(( $(date +%s%N) - s ))
    [[ -z $b || $t -lt $b ]] && b=$t
  done
  echo "$b"
}

kernel_ok=0
if [[ $(id -u) -eq 0 ]] && command -v bpftool >/dev/null; then
  if ! mount | grep -q ' /sys/fs/bpf '; then mount -t bpf bpf /sys/fs/bpf 2>/dev/null && mounted=1; fi
  mount | grep -q ' /sys/fs/bpf ' && kernel_ok=1
fi
[[ $kernel_ok -eq 0 ]] && echo "kernel comparison skipped: needs root, bpftool and a bpf file system"

printf "%-28s %7s %11s %11s %9s %11s %7s\n" program insns bulwark_ms peak_kB worst kernel_ms ratio
for o in "${objs[@]}"; do
  n=$(basename "$o" .bpf.o)
  [[ $n == bad_* ]] && continue
  out=$("$BULWARK" verify "$o" 2>&1) || { printf "%-28s refused: %s\n" "$n" "${out:0:100}"; continue; }
  worst=$(sed -n 's/.*worst case \([0-9]*\) instructions.*/\1/p' <<<"$out" | sort -n | tail -1)
  insns=$(llvm-objdump -d "$o" 2>/dev/null | grep -cE '^ +[0-9]+:')
  bt=$(best "$BULWARK" verify "$o")
  mem=$( { /usr/bin/time -f "%M" "$BULWARK" verify "$o" >/dev/null; } 2>&1 | tail -1)
  kt="n/a" ratio="n/a"
  if [[ $kernel_ok -eq 1 ]] && grep -q "(xdp)" <<<"$out"; then
    load() { rm -rf /sys/fs/bpf/bwbench; mkdir -p /sys/fs/bpf/bwbench && bpftool prog loadall "$1" /sys/fs/bpf/bwbench; }
    kt=$(best load "$o")
    rm -rf /sys/fs/bpf/bwbench
    if [[ $kt != FAIL && $bt != FAIL ]]; then ratio=$(awk -v a="$bt" -v b="$kt" 'BEGIN{printf "%.2f", a/b}'); fi
    [[ $kt != FAIL ]] && kt=$(awk -v t="$kt" 'BEGIN{printf "%.2f", t/1e6}')
  fi
  [[ $bt != FAIL ]] && bt=$(awk -v t="$bt" 'BEGIN{printf "%.2f", t/1e6}')
  printf "%-28s %7s %11s %11s %9s %11s %7s\n" "$n" "$insns" "$bt" "$mem" "$worst" "$kt" "$ratio"
done
echo "ratio = bulwark / kernel verification time (whole commands; < 1 means bulwark is faster)"
