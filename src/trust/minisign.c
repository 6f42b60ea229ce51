/* minisign.c: see minisign.h. File layouts (all base64 is the standard alphabet with padding):
 *   public key  "untrusted comment: ..." / base64("Ed" key_id[8] pk[32])
 *   secret key  "untrusted comment: ..." / base64("Ed" kdf[2] "B2" salt[32] ops[8] mem[8]
 *                                                 key_id[8] sk[64] checksum[32])
 *   signature   "untrusted comment: ..." / base64("ED"|"Ed" key_id[8] sig[64]) /
 *               "trusted comment: TEXT" / base64(global_sig[64] over sig || TEXT) */
#include "trust/minisign.h"

#include <errno.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/file.h"

#define UNTRUSTED_PREFIX "untrusted comment: "
#define TRUSTED_PREFIX "trusted comment: "
#define KEY_FILE_MAX 4096
#define SIG_FILE_MAX (4 * MINISIGN_COMMENT_MAX)

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

static int sodium_ready(void)
{
	return sodium_init() < 0 ? -ENOSYS : 0;
}

/* Splits text into at most max lines (without their '\n'; a "\r\n" ending is refused as not
 * minisign's). Returns the number of lines, or -1 when there are more, a NUL byte, or a '\r'. */
struct line {
	const char *s;
	size_t len;
};

static int split_lines(const char *text, size_t len, struct line *lines, int max)
{
	int n = 0;
	size_t start = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i < len && (text[i] == '\0' || text[i] == '\r'))
			return -1;
		if (i == len || text[i] == '\n') {
			if (i == len && start == len)
				break; /* final newline */
			if (n == max)
				return -1;
			lines[n].s = text + start;
			lines[n].len = i - start;
			n++;
			start = i + 1;
		}
	}
	return n;
}

/* Decodes one base64 line into exactly want bytes. */
static int decode_exact(const struct line *l, uint8_t *out, size_t want)
{
	size_t got = 0;
	const char *end = NULL;

	if (l->len == 0 || l->len > 4 * ((want + 2) / 3))
		return -1;
	if (sodium_base642bin(out, want, l->s, l->len, NULL, &got, &end,
			      sodium_base64_VARIANT_ORIGINAL) != 0)
		return -1;
	if (got != want || end != l->s + l->len)
		return -1;
	return 0;
}

static bool starts_with(const struct line *l, const char *prefix)
{
	size_t n = strlen(prefix);

	return l->len >= n && !memcmp(l->s, prefix, n);
}

int minisign_parse_pubkey(const char *text, size_t len, struct minisign_pubkey *pk, char *err,
			  size_t errlen)
{
	struct line lines[2];
	const struct line *key;
	uint8_t raw[42];
	int n;

	if (sodium_ready())
		return fail(err, errlen, -ENOSYS, "libsodium failed to initialise");
	n = split_lines(text, len, lines, 2);
	if (n == 1) {
		key = &lines[0];
	} else if (n == 2 && starts_with(&lines[0], UNTRUSTED_PREFIX)) {
		key = &lines[1];
	} else {
		return fail(
		    err, errlen, -EINVAL,
		    "not a minisign public key: expected an 'untrusted comment:' line and a "
		    "base64 key line");
	}
	if (decode_exact(key, raw, sizeof(raw)))
		return fail(err, errlen, -EINVAL,
			    "not a minisign public key: the key line is not base64 of 42 bytes");
	if (raw[0] != 'E' || raw[1] != 'd')
		return fail(err, errlen, -EINVAL,
			    "unsupported public key algorithm '%c%c' (expected 'Ed', Ed25519)",
			    raw[0] >= 32 && raw[0] < 127 ? raw[0] : '?',
			    raw[1] >= 32 && raw[1] < 127 ? raw[1] : '?');
	memcpy(pk->key_id, raw + 2, 8);
	memcpy(pk->pk, raw + 10, 32);
	return 0;
}

static int read_text(const char *path, size_t max, char **text, size_t *len, char *err,
		     size_t errlen)
{
	uint8_t *buf;
	int r = bw_read_file(path, max, &buf, len);

	if (r == -EFBIG)
		return fail(err, errlen, r, "%s: larger than %zu bytes", path, max);
	if (r < 0)
		return fail(err, errlen, r, "%s: %s", path, strerror(-r));
	*text = (char *)buf;
	return 0;
}

int minisign_read_pubkey_file(const char *path, struct minisign_pubkey *pk, char *err,
			      size_t errlen)
{
	char *text, inner[256];
	size_t len;
	int r = read_text(path, KEY_FILE_MAX, &text, &len, err, errlen);

	if (r)
		return r;
	r = minisign_parse_pubkey(text, len, pk, inner, sizeof(inner));
	free(text);
	if (r)
		return fail(err, errlen, r, "%s: %s", path, inner);
	return 0;
}

void minisign_seckey_pubkey(const struct minisign_seckey *sk, struct minisign_pubkey *pk)
{
	memcpy(pk->key_id, sk->key_id, 8);
	crypto_sign_ed25519_sk_to_pk(pk->pk, sk->sk);
}

int minisign_parse_seckey(const char *text, size_t len, struct minisign_seckey *sk, char *err,
			  size_t errlen)
{
	struct line lines[2];
	uint8_t raw[158], seed_pk[32], seed_sk[64], chk[32], zero[32] = {0};
	int n, r = 0;

	if (sodium_ready())
		return fail(err, errlen, -ENOSYS, "libsodium failed to initialise");
	n = split_lines(text, len, lines, 2);
	if (n != 2 || !starts_with(&lines[0], UNTRUSTED_PREFIX) ||
	    decode_exact(&lines[1], raw, sizeof(raw)))
		return fail(err, errlen, -EINVAL,
			    "not a minisign secret key: expected an 'untrusted comment:' line and "
			    "base64 of 158 bytes");
	if (raw[0] != 'E' || raw[1] != 'd' || raw[4] != 'B' || raw[5] != '2')
		return fail(err, errlen, -EINVAL, "unsupported secret key algorithms");
	if (raw[2] != 0 || raw[3] != 0)
		return fail(err, errlen, -EINVAL,
			    "the secret key is encrypted with a password; bulwark needs an "
			    "unencrypted key (minisign -G -W)");
	memcpy(sk->key_id, raw + 54, 8);
	memcpy(sk->sk, raw + 62, 64);
	/* The checksum is BLAKE2b-256(sig_alg || key_id || sk); minisign -W leaves it zero. */
	if (memcmp(raw + 126, zero, 32)) {
		crypto_generichash_state st;

		crypto_generichash_init(&st, NULL, 0, sizeof(chk));
		crypto_generichash_update(&st, raw, 2);
		crypto_generichash_update(&st, raw + 54, 72);
		crypto_generichash_final(&st, chk, sizeof(chk));
		if (sodium_memcmp(chk, raw + 126, 32))
			r = fail(err, errlen, -EINVAL, "secret key checksum mismatch");
	}
	if (!r) {
		/* seed -> key pair must give the stored public half */
		crypto_sign_ed25519_seed_keypair(seed_pk, seed_sk, sk->sk);
		if (sodium_memcmp(seed_pk, sk->sk + 32, 32))
			r = fail(err, errlen, -EINVAL, "secret key is inconsistent (public half)");
	}
	sodium_memzero(raw, sizeof(raw));
	sodium_memzero(seed_sk, sizeof(seed_sk));
	if (r)
		sodium_memzero(sk, sizeof(*sk));
	return r;
}

int minisign_read_seckey_file(const char *path, struct minisign_seckey *sk, char *err,
			      size_t errlen)
{
	char *text, inner[256];
	size_t len;
	int r = read_text(path, KEY_FILE_MAX, &text, &len, err, errlen);

	if (r)
		return r;
	r = minisign_parse_seckey(text, len, sk, inner, sizeof(inner));
	sodium_memzero(text, len);
	free(text);
	if (r)
		return fail(err, errlen, r, "%s: %s", path, inner);
	return 0;
}

int minisign_parse_sig(const char *text, size_t len, struct minisign_sig *sig, char *err,
		       size_t errlen)
{
	struct line lines[4];
	uint8_t raw[74];
	size_t tlen;
	int n;

	if (sodium_ready())
		return fail(err, errlen, -ENOSYS, "libsodium failed to initialise");
	memset(sig, 0, sizeof(*sig));
	n = split_lines(text, len, lines, 4);
	if (n != 4)
		return fail(err, errlen, -EINVAL,
			    "not a minisign signature: expected 4 lines (untrusted comment, "
			    "signature, trusted comment, global signature)");
	if (!starts_with(&lines[0], UNTRUSTED_PREFIX))
		return fail(err, errlen, -EINVAL,
			    "not a minisign signature: line 1 is not an 'untrusted comment:'");
	if (decode_exact(&lines[1], raw, sizeof(raw)))
		return fail(err, errlen, -EINVAL,
			    "not a minisign signature: line 2 is not base64 of 74 bytes");
	if (raw[0] == 'E' && raw[1] == 'D')
		sig->prehashed = true;
	else if (raw[0] == 'E' && raw[1] == 'd')
		sig->prehashed = false;
	else
		return fail(err, errlen, -EINVAL,
			    "unsupported signature algorithm (expected 'ED' or 'Ed')");
	memcpy(sig->key_id, raw + 2, 8);
	memcpy(sig->sig, raw + 10, 64);
	if (!starts_with(&lines[2], TRUSTED_PREFIX))
		return fail(err, errlen, -EINVAL,
			    "not a minisign signature: line 3 is not a 'trusted comment:'");
	tlen = lines[2].len - strlen(TRUSTED_PREFIX);
	if (tlen >= sizeof(sig->trusted_comment))
		return fail(err, errlen, -EINVAL, "trusted comment longer than %d bytes",
			    MINISIGN_COMMENT_MAX - 1);
	memcpy(sig->trusted_comment, lines[2].s + strlen(TRUSTED_PREFIX), tlen);
	sig->trusted_comment[tlen] = 0;
	if (decode_exact(&lines[3], sig->global_sig, 64))
		return fail(err, errlen, -EINVAL,
			    "not a minisign signature: line 4 is not base64 of 64 bytes");
	return 0;
}

int minisign_verify_sig(const struct minisign_pubkey *pk, const struct minisign_sig *sig,
			const uint8_t *msg, size_t len, char *err, size_t errlen)
{
	uint8_t hash[crypto_generichash_BYTES_MAX];
	size_t tlen = strnlen(sig->trusted_comment, sizeof(sig->trusted_comment));
	uint8_t *global;
	int ok;

	if (sodium_ready())
		return fail(err, errlen, -ENOSYS, "libsodium failed to initialise");
	if (sig->prehashed) {
		crypto_generichash(hash, sizeof(hash), msg, len, NULL, 0);
		ok = crypto_sign_ed25519_verify_detached(sig->sig, hash, sizeof(hash), pk->pk) == 0;
	} else {
		ok = crypto_sign_ed25519_verify_detached(sig->sig, msg, len, pk->pk) == 0;
	}
	if (!ok)
		return fail(err, errlen, -EBADMSG, "signature verification failed");
	global = malloc(64 + tlen);
	if (!global)
		return fail(err, errlen, -ENOMEM, "out of memory");
	memcpy(global, sig->sig, 64);
	memcpy(global + 64, sig->trusted_comment, tlen);
	ok = crypto_sign_ed25519_verify_detached(sig->global_sig, global, 64 + tlen, pk->pk) == 0;
	free(global);
	if (!ok)
		return fail(err, errlen, -EPROTO, "trusted comment signature verification failed");
	return 0;
}

int minisign_sign_raw(const struct minisign_seckey *sk, const uint8_t *msg, size_t len,
		      const char *trusted_comment, struct minisign_sig *out)
{
	uint8_t hash[crypto_generichash_BYTES_MAX];
	size_t tlen = strlen(trusted_comment);
	uint8_t *global;

	if (sodium_ready())
		return -ENOSYS;
	if (tlen >= sizeof(out->trusted_comment) || strchr(trusted_comment, '\n'))
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->prehashed = true;
	memcpy(out->key_id, sk->key_id, 8);
	crypto_generichash(hash, sizeof(hash), msg, len, NULL, 0);
	crypto_sign_ed25519_detached(out->sig, NULL, hash, sizeof(hash), sk->sk);
	memcpy(out->trusted_comment, trusted_comment, tlen + 1);
	global = malloc(64 + tlen);
	if (!global)
		return -ENOMEM;
	memcpy(global, out->sig, 64);
	memcpy(global + 64, trusted_comment, tlen);
	crypto_sign_ed25519_detached(out->global_sig, NULL, global, 64 + tlen, sk->sk);
	free(global);
	return 0;
}

int minisign_sign(const struct minisign_seckey *sk, const uint8_t *msg, size_t len,
		  const char *trusted_comment, char **sig_text)
{
	struct minisign_sig s;
	uint8_t raw[74];
	char b64sig[sodium_base64_ENCODED_LEN(74, sodium_base64_VARIANT_ORIGINAL)];
	char b64glob[sodium_base64_ENCODED_LEN(64, sodium_base64_VARIANT_ORIGINAL)];
	char id[17];
	int r = minisign_sign_raw(sk, msg, len, trusted_comment, &s);

	if (r)
		return r;
	raw[0] = 'E';
	raw[1] = 'D';
	memcpy(raw + 2, s.key_id, 8);
	memcpy(raw + 10, s.sig, 64);
	sodium_bin2base64(b64sig, sizeof(b64sig), raw, sizeof(raw), sodium_base64_VARIANT_ORIGINAL);
	sodium_bin2base64(b64glob, sizeof(b64glob), s.global_sig, 64,
			  sodium_base64_VARIANT_ORIGINAL);
	minisign_key_id_hex(s.key_id, id);
	if (asprintf(sig_text, "untrusted comment: signature from bulwark, key %s\n%s\n%s%s\n%s\n",
		     id, b64sig, TRUSTED_PREFIX, s.trusted_comment, b64glob) < 0)
		return -ENOMEM;
	return 0;
}

void minisign_key_id_hex(const uint8_t key_id[8], char out[17])
{
	for (int i = 0; i < 8; i++)
		snprintf(out + 2 * i, 3, "%02X", key_id[7 - i]);
}

void minisign_pubkey_base64(const struct minisign_pubkey *pk, char out[57])
{
	uint8_t raw[42] = {'E', 'd'};

	memcpy(raw + 2, pk->key_id, 8);
	memcpy(raw + 10, pk->pk, 32);
	sodium_bin2base64(out, 57, raw, sizeof(raw), sodium_base64_VARIANT_ORIGINAL);
}
