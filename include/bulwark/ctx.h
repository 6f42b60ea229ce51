/* bulwark/ctx.h: the contexts bulwark's hooks give extension programs (r1), for extension authors
 * (include from BPF C: `#include <bulwark/ctx.h>`) and for the hooks that build them.
 *
 * Packet hooks (net.rx, net.tx; program type "xdp", SEC("xdp")) use Linux's struct xdp_md from
 * <linux/bpf.h> unchanged, and Linux's XDP verdicts, so an XDP program written for Linux loads
 * as is. The other hooks have small structs of their own, below. Pointers to data appear to the
 * program as __u32 fields (data, data_end), as in xdp_md: read them, cast them
 * ((void *)(long)ctx->data), check every access against data_end (the verifier insists). At run
 * time r1 points to the hook's *runtime* struct (64-bit pointers, struct bw_*_runtime below, host
 * side only) and the verifier rewrites each context load to it (ctx conversion): the program sees
 * the layout documented here, whatever the runtime layout is.
 *
 * Context fields are read-only. */
#ifndef BULWARK_PUBLIC_CTX_H
#define BULWARK_PUBLIC_CTX_H

#include <linux/types.h>

/* ---- verdicts ---------------------------------------------------------------------------- */

/* XDP programs: Linux's enum xdp_action (XDP_ABORTED 0, XDP_DROP 1, XDP_PASS 2, XDP_TX 3,
 * XDP_REDIRECT 4) plus one of bulwark's: hand the packet to the slow path (the user-space agent
 * of the bundle decides; the packet waits in the hook's queue meanwhile). */
#define BW_XDP_PUNT 5

/* Other hooks (blk.read, blk.write, mem.write, msr.write) */
#define BW_ALLOW 0 /* let the operation happen */
#define BW_DENY 1  /* refuse it: blk: I/O error to the guest; mem/msr: the write is dropped */
#define BW_PUNT 2  /* ask the slow path (the vCPU or request waits for its answer) */

/* ---- blk.read / blk.write: program type "blk", SEC("bulwark/blk") ------------------------- */
#define BW_BLK_READ 0
#define BW_BLK_WRITE 1
#define BW_BLK_FLUSH 2

struct bw_blk_md {
	__u64 sector;	  /* first 512-byte sector of the request */
	__u32 nr_sectors; /* length in sectors (0 for flush) */
	__u32 op;	  /* BW_BLK_READ, BW_BLK_WRITE, BW_BLK_FLUSH */
	__u32 dev_index;  /* which virtio-blk device of the VM (0, 1, ...) */
	__u32 data;	  /* the request's data: written data for writes, read data for reads */
	__u32 data_end;	  /* (blk.read runs after the read completed) */
	__u32 reserved;
};

/* ---- mem.write: program type "mem.write", SEC("bulwark/mem.write") ------------------------- */
/* A guest write into a protected guest-physical range (the hook emulates the instruction). */
struct bw_mem_write_md {
	__u64 gpa;   /* guest-physical address written */
	__u64 value; /* the first 8 bytes written, little-endian, zero-extended */
	__u64 rip;   /* guest RIP of the writing instruction */
	__u32 len;   /* bytes written (1, 2, 4, 8, or more for string/vector writes) */
	__u32 vcpu;  /* vCPU index */
	__u32 data;  /* all written bytes: data .. data_end (len bytes) */
	__u32 data_end;
};

/* ---- msr.write: program type "msr.write", SEC("bulwark/msr.write") ------------------------- */
struct bw_msr_write_md {
	__u32 msr;   /* MSR index (ECX) */
	__u32 vcpu;  /* vCPU index */
	__u64 value; /* EDX:EAX */
	__u64 rip;   /* guest RIP of the WRMSR */
};

/* ---- runtime structs (host side: what r1 really points to) --------------------------------- */
#ifndef __bpf__
struct bw_xdp_runtime {
	void *data;
	void *data_end;
	void *data_meta;       /* == data: bulwark has no metadata area yet */
	__u32 ingress_ifindex; /* virtio-net device index of the VM, for net.rx */
	__u32 rx_queue_index;
	__u32 egress_ifindex; /* for net.tx */
	__u32 reserved;
};

struct bw_blk_runtime {
	__u64 sector;
	__u32 nr_sectors;
	__u32 op;
	__u32 dev_index;
	__u32 reserved;
	void *data;
	void *data_end;
};

struct bw_mem_write_runtime {
	__u64 gpa;
	__u64 value;
	__u64 rip;
	__u32 len;
	__u32 vcpu;
	void *data;
	void *data_end;
};

/* msr.write: the runtime struct is struct bw_msr_write_md itself (no pointers). */
#endif

#endif
