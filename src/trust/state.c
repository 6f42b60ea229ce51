/* state.c: see state.h. */
#include "trust/state.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/file.h"

static int mkdir_p(const char *dir)
{
	char tmp[4096];
	size_t n = strlen(dir);

	if (n == 0 || n >= sizeof(tmp))
		return -ENAMETOOLONG;
	memcpy(tmp, dir, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (tmp[i] != '/' && tmp[i] != '\0')
			continue;
		tmp[i] = '\0';
		if (mkdir(tmp, 0700) < 0 && errno != EEXIST)
			return -errno;
		if (i < n)
			tmp[i] = '/';
	}
	return 0;
}

int trust_state_raise_floor(struct trust_state *st, const char *name, uint64_t seq)
{
	struct trust_floor *f;

	for (size_t i = 0; i < st->nfloors; i++) {
		if (!strcmp(st->floors[i].name, name)) {
			if (st->floors[i].seq < seq) {
				st->floors[i].seq = seq;
				st->dirty = true;
			}
			return 0;
		}
	}
	if (st->nfloors >= TRUST_STATE_MAX_FLOORS)
		return -E2BIG;
	if (strlen(name) > TRUST_NAME_MAX)
		return -EINVAL;
	f = realloc(st->floors, (st->nfloors + 1) * sizeof(*f));
	if (!f)
		return -ENOMEM;
	st->floors = f;
	snprintf(f[st->nfloors].name, sizeof(f->name), "%s", name);
	f[st->nfloors].seq = seq;
	st->nfloors++;
	st->dirty = true;
	return 0;
}

uint64_t trust_state_floor(const struct trust_state *st, const char *name)
{
	for (size_t i = 0; i < st->nfloors; i++)
		if (!strcmp(st->floors[i].name, name))
			return st->floors[i].seq;
	return 0;
}

int trust_state_accept_list(struct trust_state *st, const struct trustlist *tl)
{
	if (tl->version > st->trust_version) {
		st->trust_version = tl->version;
		st->dirty = true;
	}
	for (size_t i = 0; i < tl->nfloors; i++) {
		int rc = trust_state_raise_floor(st, tl->floors[i].name, tl->floors[i].seq);

		if (rc)
			return rc;
	}
	return 0;
}

int trust_state_parse(const char *what, const char *text, size_t len, struct trust_state *st,
		      char *err, size_t errlen)
{
	struct trust_text t;
	char line[TRUST_LINE_MAX + 1];
	char *tok[4];
	int rc, n;
	bool header = false;

	trust_text_init(&t, what, text, len, false);
	while ((rc = trust_text_next(&t, line, sizeof(line), err, errlen)) > 0) {
		uint64_t v;

		n = trust_split(&t, line, tok, 4, err, errlen);
		if (n < 0)
			return n;
		if (!header) {
			if (n != 2 || strcmp(tok[0], "bulwark-state") || strcmp(tok[1], "1"))
				return trust_line_err(&t, err, errlen,
						      "the first line must be 'bulwark-state 1'");
			header = true;
		} else if (n == 2 && (!strcmp(tok[0], "trust-version") ||
				      !strcmp(tok[0], "policy-version"))) {
			if (trust_parse_u64(tok[1], (uint64_t)INT64_MAX, &v))
				return trust_line_err(&t, err, errlen, "invalid number '%.40s'",
						      tok[1]);
			if (tok[0][0] == 't')
				st->trust_version = v;
			else
				st->policy_version = v;
		} else if (n == 3 && !strcmp(tok[0], "floor")) {
			if (!trust_valid_name(tok[1]) ||
			    trust_parse_u64(tok[2], (uint64_t)INT64_MAX, &v))
				return trust_line_err(&t, err, errlen, "invalid floor line");
			if (trust_state_floor(st, tok[1]))
				return trust_line_err(&t, err, errlen, "duplicate floor for '%s'",
						      tok[1]);
			rc = trust_state_raise_floor(st, tok[1], v);
			if (rc)
				return trust_line_err(&t, err, errlen, "too many floors");
		} else {
			return trust_line_err(&t, err, errlen, "unexpected line '%.40s'", tok[0]);
		}
	}
	if (rc < 0)
		return rc;
	if (!header && len) {
		trust_errf(err, errlen, "%s: no 'bulwark-state 1' line", what);
		return -EINVAL;
	}
	st->dirty = false;
	return 0;
}

int trust_state_open(const char *dir, bool writable, struct trust_state **out, char *err,
		     size_t errlen)
{
	struct trust_state *st;
	char lock[4200];
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->lock_fd = -1;
	if ((size_t)snprintf(st->path, sizeof(st->path), "%s/trust.state", dir) >=
	    sizeof(st->path)) {
		free(st);
		trust_errf(err, errlen, "state directory path too long");
		return -ENAMETOOLONG;
	}
	if (writable) {
		rc = mkdir_p(dir);
		if (rc) {
			trust_errf(err, errlen, "state directory %s: %s", dir, strerror(-rc));
			free(st);
			return rc;
		}
		snprintf(lock, sizeof(lock), "%s/trust.lock", dir);
		st->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (st->lock_fd < 0 || flock(st->lock_fd, LOCK_EX) < 0) {
			rc = -errno;
			trust_errf(err, errlen, "%s: %s", lock, strerror(-rc));
			trust_state_close(st);
			return rc;
		}
	}
	rc = bw_read_file(st->path, TRUST_STATE_MAX_SIZE, &buf, &len);
	if (rc == -ENOENT) {
		*out = st;
		return 0;
	}
	if (rc) {
		trust_errf(err, errlen, "state file %s: %s", st->path, strerror(-rc));
		trust_state_close(st);
		return rc;
	}
	rc = trust_state_parse(st->path, (const char *)buf, len, st, err, errlen);
	free(buf);
	if (rc) {
		trust_state_close(st);
		return rc;
	}
	*out = st;
	return 0;
}

int trust_state_save(struct trust_state *st, char *err, size_t errlen)
{
	char *text = NULL;
	size_t cap = 128 + st->nfloors * (TRUST_NAME_MAX + 32), n;
	int rc;

	if (!st->dirty)
		return 0;
	if (st->lock_fd < 0) {
		trust_errf(err, errlen, "state %s was opened read-only", st->path);
		return -EBADF;
	}
	text = malloc(cap);
	if (!text)
		return -ENOMEM;
	n = (size_t)snprintf(
	    text, cap, "bulwark-state 1\ntrust-version %" PRIu64 "\npolicy-version %" PRIu64 "\n",
	    st->trust_version, st->policy_version);
	for (size_t i = 0; i < st->nfloors && n < cap; i++)
		n += (size_t)snprintf(text + n, cap - n, "floor %s %" PRIu64 "\n",
				      st->floors[i].name, st->floors[i].seq);
	rc = bw_write_file_atomic(st->path, text, n, 0600);
	free(text);
	if (rc) {
		trust_errf(err, errlen, "state file %s: %s", st->path, strerror(-rc));
		return rc;
	}
	st->dirty = false;
	return 0;
}

void trust_state_close(struct trust_state *st)
{
	if (!st)
		return;
	if (st->lock_fd >= 0)
		close(st->lock_fd);
	free(st->floors);
	free(st);
}
