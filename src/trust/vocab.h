/* vocab.h: the names shared by bundles, the MAC policy and the audit log: hooks, helper classes
 * and agent requests (see ../shared/DESIGN.md, "Hooks, contexts and helpers"). Each list is an enum
 * whose values index the policy's bitmaps; the names are the only spelling accepted in files, and
 * an unknown name is an error wherever it appears. Grow the lists here as hooks are added. */
#ifndef BULWARK_TRUST_VOCAB_H
#define BULWARK_TRUST_VOCAB_H

#include <stddef.h>

enum trust_hook {
	TRUST_HOOK_NET_RX,
	TRUST_HOOK_NET_TX,
	TRUST_HOOK_BLK_READ,
	TRUST_HOOK_BLK_WRITE,
	TRUST_HOOK_MEM_WRITE,
	TRUST_HOOK_MSR_WRITE,
	TRUST_HOOK_VM_START,
	TRUST_HOOK_VM_STOP,
	TRUST_HOOK_COUNT
};

enum trust_helper_class {
	TRUST_HC_MAP,
	TRUST_HC_TIME,
	TRUST_HC_RANDOM,
	TRUST_HC_TRACE,
	TRUST_HC_EVENT,
	TRUST_HC_PKT_WRITE,
	TRUST_HC_NET_REDIRECT,
	TRUST_HC_GUEST_MEM_READ,
	TRUST_HC_GUEST_MEM_PROTECT,
	TRUST_HC_VCPU_REGS_READ,
	TRUST_HC_COUNT
};

/* What a slow-path agent may ask the VMM for. */
enum trust_agent_req {
	TRUST_AR_VERDICT,	    /* answer punted events with a verdict */
	TRUST_AR_PKT_INJECT,	    /* send a packet into a guest's network */
	TRUST_AR_GUEST_MEM_READ,    /* read guest memory */
	TRUST_AR_GUEST_MEM_PROTECT, /* change the protection of guest pages */
	TRUST_AR_VCPU_REGS_READ,    /* read vCPU registers */
	TRUST_AR_VM_PAUSE,	    /* pause or resume the VM */
	TRUST_AR_COUNT
};

/* The three kinds of object the policy speaks about. */
enum trust_obj_kind { TRUST_OBJ_HOOK, TRUST_OBJ_HELPER, TRUST_OBJ_AGENT, TRUST_OBJ_KINDS };

/* Name -> index, or -1 when the name is unknown. */
int trust_hook_from_name(const char *name);
int trust_helper_class_from_name(const char *name);
int trust_agent_req_from_name(const char *name);
int trust_obj_from_name(enum trust_obj_kind kind, const char *name);

/* Index -> name ("?" when out of range). */
const char *trust_hook_name(int hook);
const char *trust_helper_class_name(int cls);
const char *trust_agent_req_name(int req);
const char *trust_obj_name(enum trust_obj_kind kind, int idx);
/* Number of objects of a kind; "hook", "helper", "agent" for the kind's keyword. */
int trust_obj_count(enum trust_obj_kind kind);
const char *trust_obj_kind_name(enum trust_obj_kind kind);

#endif
