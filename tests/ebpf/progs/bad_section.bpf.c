/* bad_section.bpf.c: a program in a section bulwark has no program type for (a Linux kprobe):
 * the loader must refuse the object and name the section. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("kprobe/do_sys_open")
int probe(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
