/* audit.c: see audit.h. One record per line, five tab-separated fields:
 *     SEQ  TIME  EVENT  DETAIL  HASH
 * SEQ counts from 1; TIME is RFC 3339 UTC; DETAIL has control characters and backslashes escaped
 * as \xHH; HASH = hex(BLAKE2b-256(previous HASH (32 zero bytes before the first record) ||
 * "SEQ\tTIME\tEVENT\tDETAIL")). A checkpoint is a record with EVENT "checkpoint" and DETAIL
 * "key=KEYID sig=BASE64" where sig is Ed25519 over "bulwark-audit/1 seq=S hash=H" (S and H of the
 * record before it), made with the host key. */
#include "trust/audit.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/file.h"

#define HASH_LEN 32
#define CHECKPOINT_EVENT "checkpoint"

struct audit_log {
	int fd;
	char path[PATH_MAX];
	bool have_key;
	struct minisign_seckey key;
	uint64_t appended_since_checkpoint; /* by this process */
};

static int fail(char *err, size_t errlen, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}

static void hex(const uint8_t *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}

static int unhex(const char *s, size_t slen, uint8_t *out, size_t n)
{
	if (slen != 2 * n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned v = 0;

		for (int k = 0; k < 2; k++) {
			char c = s[2 * i + k];

			v <<= 4;
			if (c >= '0' && c <= '9')
				v |= (unsigned)(c - '0');
			else if (c >= 'a' && c <= 'f')
				v |= (unsigned)(c - 'a' + 10);
			else
				return -1;
		}
		out[i] = (uint8_t)v;
	}
	return 0;
}

static void chain_hash(const uint8_t prev[HASH_LEN], const char *body, size_t len,
		       uint8_t out[HASH_LEN])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, HASH_LEN);
	crypto_generichash_update(&st, prev, HASH_LEN);
	crypto_generichash_update(&st, (const uint8_t *)body, len);
	crypto_generichash_final(&st, out, HASH_LEN);
}

/* A parsed record line (pointers into the text). */
struct record {
	uint64_t seq;
	const char *body; /* "SEQ\tTIME\tEVENT\tDETAIL" */
	size_t body_len;
	const char *event, *detail;
	size_t event_len, detail_len;
	uint8_t hash[HASH_LEN];
};

static int parse_record(const char *line, size_t len, struct record *r)
{
	const char *f[5];
	size_t flen[5];
	size_t start = 0;
	int n = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i == len || line[i] == '\t') {
			if (n == 5)
				return -1;
			f[n] = line + start;
			flen[n] = i - start;
			n++;
			start = i + 1;
		}
	}
	if (n != 5 || flen[0] == 0 || flen[0] > 20 || (flen[0] > 1 && f[0][0] == '0'))
		return -1;
	r->seq = 0;
	for (size_t i = 0; i < flen[0]; i++) {
		if (f[0][i] < '0' || f[0][i] > '9')
			return -1;
		if (r->seq > (UINT64_MAX - 9) / 10)
			return -1;
		r->seq = r->seq * 10 + (uint64_t)(f[0][i] - '0');
	}
	if (r->seq == 0 || flen[1] == 0 || flen[2] == 0)
		return -1;
	if (unhex(f[4], flen[4], r->hash, HASH_LEN))
		return -1;
	r->body = line;
	r->body_len = (size_t)(f[4] - line) - 1;
	r->event = f[2];
	r->event_len = flen[2];
	r->detail = f[3];
	r->detail_len = flen[3];
	return 0;
}

static bool is_checkpoint(const struct record *r)
{
	return r->event_len == strlen(CHECKPOINT_EVENT) &&
	       !memcmp(r->event, CHECKPOINT_EVENT, r->event_len);
}

static void checkpoint_message(uint64_t seq, const uint8_t hash[HASH_LEN], char *out, size_t n)
{
	char h[2 * HASH_LEN + 1];

	hex(hash, HASH_LEN, h);
	snprintf(out, n, "bulwark-audit/1 seq=%llu hash=%s", (unsigned long long)seq, h);
}

/* Reads the last record of the file: *seq = 0 and zero hash for an empty file. -EBADMSG when
 * the file does not end in a complete, well-formed record. */
static int read_tail(int fd, uint64_t *seq, uint8_t hash[HASH_LEN], off_t *size)
{
	struct stat st;
	char buf[2 * AUDIT_RECORD_MAX + 2];
	size_t want, got = 0;
	off_t off;
	struct record r;
	char *line;

	if (fstat(fd, &st) < 0)
		return -errno;
	*size = st.st_size;
	if (st.st_size == 0) {
		*seq = 0;
		memset(hash, 0, HASH_LEN);
		return 0;
	}
	want = (size_t)st.st_size < sizeof(buf) - 1 ? (size_t)st.st_size : sizeof(buf) - 1;
	off = st.st_size - (off_t)want;
	while (got < want) {
		ssize_t n = pread(fd, buf + got, want - got, off + (off_t)got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		got += (size_t)n;
	}
	buf[got] = 0;
	if (buf[got - 1] != '\n')
		return -EBADMSG;
	buf[got - 1] = 0;
	line = strrchr(buf, '\n');
	if (line)
		line++;
	else if (off == 0)
		line = buf;
	else
		return -EBADMSG; /* a record longer than allowed */
	if (parse_record(line, strlen(line), &r))
		return -EBADMSG;
	*seq = r.seq;
	memcpy(hash, r.hash, HASH_LEN);
	return 0;
}

static int mkdir_parents(const char *path)
{
	char dir[PATH_MAX];
	char *p;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	p = strrchr(dir, '/');
	if (!p || p == dir)
		return 0;
	*p = 0;
	for (p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(dir, 0750) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(dir, 0750) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int audit_log_open(const char *path, const char *host_seckey_path, struct audit_log **out,
		   char *err, size_t errlen)
{
	struct audit_log *log;
	uint8_t hash[HASH_LEN];
	uint64_t seq;
	off_t size;
	struct stat st;
	int r;

	*out = NULL;
	if (sodium_init() < 0)
		return fail(err, errlen, -ENOSYS, "libsodium failed to initialise");
	log = calloc(1, sizeof(*log));
	if (!log)
		return fail(err, errlen, -ENOMEM, "out of memory");
	if (snprintf(log->path, sizeof(log->path), "%s", path) >= (int)sizeof(log->path)) {
		free(log);
		return fail(err, errlen, -ENAMETOOLONG, "audit log path too long");
	}
	if (host_seckey_path) {
		char inner[512];

		r = minisign_read_seckey_file(host_seckey_path, &log->key, inner, sizeof(inner));
		if (r) {
			free(log);
			return fail(err, errlen, r, "audit host key: %s", inner);
		}
		log->have_key = true;
	}
	r = mkdir_parents(path);
	if (r) {
		free(log);
		return fail(err, errlen, r, "audit log %s: cannot create its directory: %s", path,
			    strerror(-r));
	}
	log->fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (log->fd < 0) {
		r = -errno;
		free(log);
		return fail(err, errlen, r, "audit log %s: %s", path, strerror(-r));
	}
	if (fstat(log->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(log->fd);
		free(log);
		return fail(err, errlen, -EINVAL, "audit log %s: not a regular file", path);
	}
	flock(log->fd, LOCK_SH);
	r = read_tail(log->fd, &seq, hash, &size);
	flock(log->fd, LOCK_UN);
	if (r) {
		close(log->fd);
		free(log);
		if (r == -EBADMSG)
			return fail(
			    err, errlen, r,
			    "audit log %s: the last record is incomplete or malformed "
			    "(interrupted write or tampering); check it with `bulwark audit "
			    "verify` before appending",
			    path);
		return fail(err, errlen, r, "audit log %s: %s", path, strerror(-r));
	}
	*out = log;
	return 0;
}

static void escape(const char *in, char *out, size_t outlen)
{
	size_t o = 0;

	for (const unsigned char *p = (const unsigned char *)in; *p && o + 5 < outlen; p++) {
		if (*p < 0x20 || *p == 0x7f || *p == '\\') {
			snprintf(out + o, outlen - o, "\\x%02x", *p);
			o += 4;
		} else {
			out[o++] = (char)*p;
		}
	}
	out[o] = 0;
}

static void now_rfc3339(char out[32])
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Writes one line at the end of the file (caller holds the lock) and fsyncs; on any failure the
 * file is cut back to its old size. */
static int write_line(struct audit_log *log, const char *line, size_t len, off_t old_size)
{
	size_t done = 0;
	int r = 0;

	while (done < len) {
		ssize_t n = write(log->fd, line + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = n < 0 ? -errno : -EIO;
			break;
		}
		done += (size_t)n;
	}
	if (!r && fsync(log->fd) < 0)
		r = -errno;
	if (r) {
		if (ftruncate(log->fd, old_size) == 0)
			fsync(log->fd);
	}
	return r;
}

/* Appends a record with the given event and (already escaped) detail; caller holds the lock. */
static int append_locked(struct audit_log *log, const char *event, const char *detail,
			 uint64_t *seq_out, uint8_t hash_out[HASH_LEN], char *line_out,
			 size_t line_out_len)
{
	char line[AUDIT_RECORD_MAX + 1], when[32], h[2 * HASH_LEN + 1];
	uint8_t prev[HASH_LEN], hash[HASH_LEN];
	uint64_t seq;
	off_t size;
	int body, n, r;

	r = read_tail(log->fd, &seq, prev, &size);
	if (r)
		return r;
	now_rfc3339(when);
	body = snprintf(line, sizeof(line), "%llu\t%s\t%s\t%s", (unsigned long long)(seq + 1), when,
			event, detail);
	if (body < 0 || body + 2 * HASH_LEN + 2 > (int)sizeof(line) - 1)
		return -E2BIG;
	chain_hash(prev, line, (size_t)body, hash);
	hex(hash, HASH_LEN, h);
	n = snprintf(line + body, sizeof(line) - (size_t)body, "\t%s\n", h);
	r = write_line(log, line, (size_t)body + (size_t)n, size);
	if (r)
		return r;
	if (seq_out)
		*seq_out = seq + 1;
	if (hash_out)
		memcpy(hash_out, hash, HASH_LEN);
	if (line_out)
		snprintf(line_out, line_out_len, "%s", line);
	return 0;
}

static int checkpoint_locked(struct audit_log *log)
{
	char msg[160], id[17], b64[sodium_base64_ENCODED_LEN(64, sodium_base64_VARIANT_ORIGINAL)];
	char detail[256], head_path[PATH_MAX + 8], line[AUDIT_RECORD_MAX + 1];
	uint8_t prev[HASH_LEN], sig[64];
	uint64_t seq;
	off_t size;
	int r;

	if (!log->have_key)
		return 0;
	r = read_tail(log->fd, &seq, prev, &size);
	if (r)
		return r;
	if (seq == 0)
		return 0;
	checkpoint_message(seq, prev, msg, sizeof(msg));
	crypto_sign_ed25519_detached(sig, NULL, (const uint8_t *)msg, strlen(msg), log->key.sk);
	sodium_bin2base64(b64, sizeof(b64), sig, sizeof(sig), sodium_base64_VARIANT_ORIGINAL);
	minisign_key_id_hex(log->key.key_id, id);
	snprintf(detail, sizeof(detail), "key=%s sig=%s", id, b64);
	r = append_locked(log, CHECKPOINT_EVENT, detail, NULL, NULL, line, sizeof(line));
	if (r)
		return r;
	log->appended_since_checkpoint = 0;
	/* The head file remembers the newest checkpoint, so cutting the log before it shows. */
	snprintf(head_path, sizeof(head_path), "%s.head", log->path);
	return bw_write_file_atomic(head_path, line, strlen(line), 0640);
}

int audit_log_append(struct audit_log *log, const char *event, const char *fmt, ...)
{
	char detail[AUDIT_RECORD_MAX], escaped[AUDIT_RECORD_MAX], ev[64];
	va_list ap;
	uint64_t seq = 0;
	void (*old_xfsz)(int);
	int r;

	if (!log)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	escape(detail, escaped, sizeof(escaped));
	escape(event, ev, sizeof(ev));
	if (!ev[0] || strchr(ev, '\t') || !strcmp(ev, CHECKPOINT_EVENT))
		return -EINVAL;
	/* A file-size limit must surface as an error here, not kill the process. */
	old_xfsz = signal(SIGXFSZ, SIG_IGN);
	if (flock(log->fd, LOCK_EX) < 0) {
		r = -errno;
		goto out;
	}
	r = append_locked(log, ev, escaped, &seq, NULL, NULL, 0);
	if (!r) {
		log->appended_since_checkpoint++;
		if (seq % AUDIT_CHECKPOINT_EVERY == 0) {
			/* The record is on disk; a failed checkpoint only leaves a longer unsigned
			 * tail, which `audit verify` reports. */
			checkpoint_locked(log);
		}
	}
	flock(log->fd, LOCK_UN);
out:
	signal(SIGXFSZ, old_xfsz);
	return r;
}

int audit_log_checkpoint(struct audit_log *log)
{
	void (*old_xfsz)(int);
	int r;

	if (!log->have_key)
		return 0;
	old_xfsz = signal(SIGXFSZ, SIG_IGN);
	flock(log->fd, LOCK_EX);
	r = checkpoint_locked(log);
	flock(log->fd, LOCK_UN);
	signal(SIGXFSZ, old_xfsz);
	return r;
}

int audit_log_close(struct audit_log *log)
{
	int r = 0;

	if (!log)
		return 0;
	if (log->appended_since_checkpoint)
		r = audit_log_checkpoint(log);
	close(log->fd);
	sodium_memzero(&log->key, sizeof(log->key));
	free(log);
	return r;
}

/* ---- verification ------------------------------------------------------------------------ */

static int verify_checkpoint(const struct record *r, uint64_t prev_seq, const uint8_t *prev_hash,
			     const struct minisign_pubkey *pk, char *why, size_t whylen)
{
	char msg[160], id[17], want_id[17];
	uint8_t sig[64];
	const char *d = r->detail, *end = r->detail + r->detail_len, *sp;
	size_t got = 0;
	const char *b64end = NULL;

	if (r->detail_len < 4 || memcmp(d, "key=", 4))
		return snprintf(why, whylen, "checkpoint without key"), -1;
	sp = memchr(d, ' ', r->detail_len);
	if (!sp || sp - (d + 4) != 16 || end - sp < 5 || memcmp(sp, " sig=", 5))
		return snprintf(why, whylen, "malformed checkpoint"), -1;
	memcpy(id, d + 4, 16);
	id[16] = 0;
	if (sodium_base642bin(sig, sizeof(sig), sp + 5, (size_t)(end - (sp + 5)), NULL, &got,
			      &b64end, sodium_base64_VARIANT_ORIGINAL) ||
	    got != 64 || b64end != end)
		return snprintf(why, whylen, "malformed checkpoint signature"), -1;
	if (!pk)
		return 0;
	minisign_key_id_hex(pk->key_id, want_id);
	if (strcmp(id, want_id))
		return snprintf(why, whylen, "checkpoint signed by key %s, not the host key %s", id,
				want_id),
		       -1;
	checkpoint_message(prev_seq, prev_hash, msg, sizeof(msg));
	if (crypto_sign_ed25519_verify_detached(sig, (const uint8_t *)msg, strlen(msg), pk->pk))
		return snprintf(why, whylen, "checkpoint signature invalid"), -1;
	return 0;
}

static int problem(struct audit_verify_report *rep, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int problem(struct audit_verify_report *rep, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rep->problem, sizeof(rep->problem), fmt, ap);
	va_end(ap);
	rep->ok = false;
	return -EBADMSG;
}

int audit_verify_text(const char *text, size_t len, const struct minisign_pubkey *pk,
		      const char *head_text, size_t head_len, struct audit_verify_report *rep)
{
	uint8_t prev[HASH_LEN] = {0}, h[HASH_LEN];
	struct record head = {0};
	bool have_head = false, head_seen = false;
	uint64_t seq = 0, line_no = 0;
	size_t start = 0;

	if (sodium_init() < 0)
		return -ENOSYS;
	memset(rep, 0, sizeof(*rep));
	rep->ok = true;
	if (head_text && head_len) {
		size_t hl = head_len;

		if (head_text[hl - 1] == '\n')
			hl--;
		if (parse_record(head_text, hl, &head) || !is_checkpoint(&head))
			return problem(rep, "head file is malformed");
		have_head = true;
	}
	while (start < len) {
		const char *line = text + start, *nl = memchr(line, '\n', len - start);
		char why[256];
		struct record r;
		size_t ll;

		line_no++;
		if (!nl)
			return problem(rep,
				       "line %llu: the log ends in an incomplete record (truncated "
				       "write or truncation)",
				       (unsigned long long)line_no);
		ll = (size_t)(nl - line);
		start += ll + 1;
		if (ll > AUDIT_RECORD_MAX || memchr(line, 0, ll) || parse_record(line, ll, &r))
			return problem(rep, "line %llu: malformed record",
				       (unsigned long long)line_no);
		if (r.seq != seq + 1)
			return problem(
			    rep,
			    "line %llu: record %llu follows record %llu (records deleted, "
			    "inserted or reordered)",
			    (unsigned long long)line_no, (unsigned long long)r.seq,
			    (unsigned long long)seq);
		chain_hash(prev, r.body, r.body_len, h);
		if (memcmp(h, r.hash, HASH_LEN))
			return problem(rep,
				       "line %llu: record %llu does not match its hash (the record "
				       "was edited)",
				       (unsigned long long)line_no, (unsigned long long)r.seq);
		if (is_checkpoint(&r)) {
			if (verify_checkpoint(&r, seq, prev, pk, why, sizeof(why)))
				return problem(rep,
					       "line %llu: record %llu: %s (records before it "
					       "were rewritten, or the checkpoint was forged)",
					       (unsigned long long)line_no,
					       (unsigned long long)r.seq, why);
			rep->checkpoints++;
			rep->last_checkpoint_seq = r.seq;
		}
		if (have_head && r.seq == head.seq) {
			if (memcmp(r.hash, head.hash, HASH_LEN))
				return problem(rep,
					       "line %llu: record %llu differs from the checkpoint "
					       "recorded in the head file (log rewritten)",
					       (unsigned long long)line_no,
					       (unsigned long long)r.seq);
			head_seen = true;
		}
		memcpy(prev, r.hash, HASH_LEN);
		seq = r.seq;
		rep->records++;
	}
	if (have_head && !head_seen)
		return problem(rep,
			       "the log ends at record %llu, before the checkpoint at record %llu "
			       "recorded in the head file: the log was truncated",
			       (unsigned long long)seq, (unsigned long long)head.seq);
	rep->unsigned_tail = seq - rep->last_checkpoint_seq;
	return 0;
}

int audit_verify_file(const char *path, const struct minisign_pubkey *pk,
		      struct audit_verify_report *rep)
{
	char head_path[PATH_MAX + 8];
	uint8_t *text = NULL, *head = NULL;
	size_t len = 0, head_len = 0;
	int r;

	r = bw_read_file(path, (size_t)1 << 34, &text, &len);
	if (r)
		return r;
	snprintf(head_path, sizeof(head_path), "%s.head", path);
	if (bw_read_file(head_path, AUDIT_RECORD_MAX * 2, &head, &head_len))
		head = NULL;
	r = audit_verify_text((const char *)text, len, pk, (const char *)head, head_len, rep);
	free(text);
	free(head);
	return r;
}
