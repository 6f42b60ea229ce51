/* audit.h: bulwark's tamper-evident audit log.
 *
 * Every security decision (bundle admitted or refused and why, trust list or policy loaded or
 * refused, extension attached or detached) is appended as one record, written and fsync'ed
 * before the action takes effect; if the record cannot be written (disk full, I/O error) the
 * caller refuses the action, so there is never a silent gap. Records form a hash chain
 * (BLAKE2b-256 over the previous hash and the record) and checkpoints signed with the host's
 * minisign key (Ed25519) seal the chain every AUDIT_CHECKPOINT_EVERY records and when the log is
 * closed. The latest checkpoint is also kept in LOG.head, so that truncating the log before it
 * is detected. Format and guarantees: docs/audit-log.md. */
#ifndef BULWARK_TRUST_AUDIT_H
#define BULWARK_TRUST_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trust/minisign.h"

#define AUDIT_CHECKPOINT_EVERY 16
#define AUDIT_RECORD_MAX 4096 /* bytes of one record line */

struct audit_log;

/* Opens (creating the file and its parent directory when missing) the log at path for
 * appending. host_seckey_path: the host's unencrypted minisign secret key that signs
 * checkpoints, or NULL for a log without checkpoints. Refuses a log whose last record is
 * malformed (an interrupted write must be looked at with `bulwark audit verify`). */
int audit_log_open(const char *path, const char *host_seckey_path, struct audit_log **out,
		   char *err, size_t errlen);

/* Appends one record: event ("bundle.admit", "bundle.refuse", "trust.load", ...) and a
 * printf-formatted one-line detail (key=value pairs; newlines and tabs are escaped). Takes an
 * exclusive lock on the file (several bulwark processes may share a log), writes, fsyncs, and
 * adds a checkpoint when one is due. Returns 0 or -errno, in which case nothing was added (a
 * partial write is cut back) and the caller must refuse the action it was recording. */
int audit_log_append(struct audit_log *log, const char *event, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Writes a checkpoint now (no-op without a host key). Returns 0 or -errno. */
int audit_log_checkpoint(struct audit_log *log);

/* Writes a final checkpoint when records were added since the last one, and closes. */
int audit_log_close(struct audit_log *log);

/* Verification (`bulwark audit verify`). */
struct audit_verify_report {
	uint64_t records; /* records read, checkpoints included */
	uint64_t checkpoints;
	uint64_t last_checkpoint_seq;
	uint64_t unsigned_tail; /* records after the last checkpoint */
	bool ok;		/* no tampering found */
	char problem[512];	/* the first problem found: line, seq and what */
};

/* Verifies the log's text. pk: the host public key for checkpoints (NULL: chain only, and
 * checkpoints are reported unverified). head_text: contents of LOG.head or NULL. Returns 0 when
 * the log is intact, -EBADMSG with report->problem set when tampering is found, -errno on I/O. */
int audit_verify_text(const char *text, size_t len, const struct minisign_pubkey *pk,
		      const char *head_text, size_t head_len, struct audit_verify_report *report);
int audit_verify_file(const char *path, const struct minisign_pubkey *pk,
		      struct audit_verify_report *report);

#endif
