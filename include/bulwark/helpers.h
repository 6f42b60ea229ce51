/* bulwark/helpers.h: helper ids for extension authors. Helpers Linux also has keep Linux's ids and
 * prototypes: use libbpf's <bpf/bpf_helpers.h> for them (bpf_map_lookup_elem 1, ...,
 * bpf_ringbuf_output 130, ...). bulwark's own helpers (guest memory, address translation, page
 * protection, vCPU registers, ...) take ids from BULWARK_HELPER_BASE up, a range Linux does not
 * use (Linux's ids are below 300 and grow by a few a year):
 *
 *   0x10000 - 0x1ffff   bulwark helpers (this file lists the ids assigned so far)
 *
 * Each helper has a MAC class (docs/extensions.md); a bundle's policy grants classes, not ids.
 * Declare a bulwark helper in a program the way bpf_helpers.h does:
 *     static long (*bw_x)(void *dst, __u32 size) = (void *)(BULWARK_HELPER_BASE + N);
 */
#ifndef BULWARK_PUBLIC_HELPERS_H
#define BULWARK_PUBLIC_HELPERS_H

#define BULWARK_HELPER_BASE 0x10000
#define BULWARK_HELPER_LAST 0x1ffff

/* Ids in the range are assigned with the hooks that provide the helpers (src/ext). */

#endif
