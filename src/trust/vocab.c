/* vocab.c: the name tables behind vocab.h. The order of each table is its enum's order. */
#include "trust/vocab.h"

#include <string.h>

static const char *const hook_names[TRUST_HOOK_COUNT] = {
    "net.rx", "net.tx", "blk.read", "blk.write", "mem.write", "msr.write", "vm.start", "vm.stop",
};

static const char *const helper_names[TRUST_HC_COUNT] = {
    "map",
    "time",
    "random",
    "trace",
    "event",
    "pkt.write",
    "net.redirect",
    "guest.mem.read",
    "guest.mem.protect",
    "vcpu.regs.read",
};

static const char *const agent_names[TRUST_AR_COUNT] = {
    "verdict", "pkt.inject", "guest.mem.read", "guest.mem.protect", "vcpu.regs.read", "vm.pause",
};

static const struct {
	const char *kind;
	const char *const *names;
	int count;
} tables[TRUST_OBJ_KINDS] = {
    [TRUST_OBJ_HOOK] = {"hook", hook_names, TRUST_HOOK_COUNT},
    [TRUST_OBJ_HELPER] = {"helper", helper_names, TRUST_HC_COUNT},
    [TRUST_OBJ_AGENT] = {"agent", agent_names, TRUST_AR_COUNT},
};

int trust_obj_from_name(enum trust_obj_kind kind, const char *name)
{
	if ((unsigned)kind >= TRUST_OBJ_KINDS || !name)
		return -1;
	for (int i = 0; i < tables[kind].count; i++)
		if (!strcmp(tables[kind].names[i], name))
			return i;
	return -1;
}

const char *trust_obj_name(enum trust_obj_kind kind, int idx)
{
	if ((unsigned)kind >= TRUST_OBJ_KINDS || idx < 0 || idx >= tables[kind].count)
		return "?";
	return tables[kind].names[idx];
}

int trust_obj_count(enum trust_obj_kind kind)
{
	return (unsigned)kind < TRUST_OBJ_KINDS ? tables[kind].count : 0;
}

const char *trust_obj_kind_name(enum trust_obj_kind kind)
{
	return (unsigned)kind < TRUST_OBJ_KINDS ? tables[kind].kind : "?";
}

int trust_hook_from_name(const char *name)
{
	return trust_obj_from_name(TRUST_OBJ_HOOK, name);
}

int trust_helper_class_from_name(const char *name)
{
	return trust_obj_from_name(TRUST_OBJ_HELPER, name);
}

int trust_agent_req_from_name(const char *name)
{
	return trust_obj_from_name(TRUST_OBJ_AGENT, name);
}

const char *trust_hook_name(int hook)
{
	return trust_obj_name(TRUST_OBJ_HOOK, hook);
}

const char *trust_helper_class_name(int cls)
{
	return trust_obj_name(TRUST_OBJ_HELPER, cls);
}

const char *trust_agent_req_name(int req)
{
	return trust_obj_name(TRUST_OBJ_AGENT, req);
}
