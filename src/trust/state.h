/* state.h: the host's trust state, kept across runs in STATE_DIR/trust.state (default
 * /var/lib/bulwark): the highest trust-list and policy versions accepted (an older list or
 * policy is refused: no rollback of the administrator's files) and the rollback floors per bundle
 * name. A name's floor is the highest of the floors of every trust list accepted and of the seq
 * of every bundle admitted under that name: once build N is admitted, builds below N are refused
 * even when a later list forgets the floor. Writers hold an exclusive lock (STATE_DIR/trust.lock)
 * from open to close and save with an atomic rename (bw_write_file_atomic).
 *
 *   bulwark-state 1
 *   trust-version 7
 *   policy-version 3
 *   floor acme-firewall 42
 */
#ifndef BULWARK_TRUST_STATE_H
#define BULWARK_TRUST_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trust/trustlist.h"

#define TRUST_STATE_DEFAULT_DIR "/var/lib/bulwark"
#define TRUST_STATE_MAX_SIZE (1024 * 1024)
#define TRUST_STATE_MAX_FLOORS 16384

struct trust_state {
	uint64_t trust_version;
	uint64_t policy_version;
	struct trust_floor *floors;
	size_t nfloors;
	char path[4096]; /* DIR/trust.state */
	int lock_fd;	 /* -1 when opened read-only */
	bool dirty;
};

/* Reads DIR/trust.state; a missing file is an empty state (versions 0, no floors).
 * writable: creates DIR (mode 0700) when missing and takes the lock (waits for other writers).
 * Returns 0 or -errno with a message naming the file and line. */
int trust_state_open(const char *dir, bool writable, struct trust_state **out, char *err,
		     size_t errlen);
/* Parses a state file's text (what is the file's name in messages). */
int trust_state_parse(const char *what, const char *text, size_t len, struct trust_state *st,
		      char *err, size_t errlen);
/* Writes the state atomically when it changed (needs a writable state). Returns 0 or -errno. */
int trust_state_save(struct trust_state *st, char *err, size_t errlen);
/* Releases the lock and frees st (unsaved changes are dropped). */
void trust_state_close(struct trust_state *st);

uint64_t trust_state_floor(const struct trust_state *st, const char *name);
/* Raises name's floor to seq when it is lower. Returns 0 or -ENOMEM/-E2BIG. */
int trust_state_raise_floor(struct trust_state *st, const char *name, uint64_t seq);
/* Records an accepted trust list: its version and floors. */
int trust_state_accept_list(struct trust_state *st, const struct trustlist *tl);

#endif
