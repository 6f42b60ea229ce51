/* minisign.h: minisign-compatible Ed25519 keys and signatures (the format of
 * https://jedisct1.github.io/minisign/), the primitive under bundles, trust lists, policies and
 * audit-log checkpoints. Parsing is strict (vendor files are untrusted input); the cryptography is
 * libsodium's (Ed25519, BLAKE2b). Verification here checks only the cryptography: the order of
 * checks a bundle needs (prehashed only, key by id, full key equality, trusted comment contents)
 * is the caller's (src/trust/bundle.c). */
#ifndef BULWARK_TRUST_MINISIGN_H
#define BULWARK_TRUST_MINISIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MINISIGN_COMMENT_MAX 1024

struct minisign_pubkey {
	uint8_t key_id[8];
	uint8_t pk[32];
};

struct minisign_seckey {
	uint8_t key_id[8];
	uint8_t sk[64]; /* libsodium's Ed25519 secret key: seed || public key */
};

struct minisign_sig {
	bool prehashed; /* "ED": signature over BLAKE2b-512(message); false: legacy "Ed" */
	uint8_t key_id[8];
	uint8_t sig[64];
	char trusted_comment[MINISIGN_COMMENT_MAX]; /* without the "trusted comment: " prefix */
	uint8_t global_sig[64];			    /* over sig || trusted_comment */
};

/* A public key file's text (comment line + base64 line), or the bare base64 line ("RW..."). */
int minisign_parse_pubkey(const char *text, size_t len, struct minisign_pubkey *pk, char *err,
			  size_t errlen);
int minisign_read_pubkey_file(const char *path, struct minisign_pubkey *pk, char *err,
			      size_t errlen);
/* Unencrypted secret keys only (made with `minisign -G -W`); an encrypted key is refused with a
 * message saying so. The key pair is checked for consistency. */
int minisign_read_seckey_file(const char *path, struct minisign_seckey *sk, char *err,
			      size_t errlen);
int minisign_parse_seckey(const char *text, size_t len, struct minisign_seckey *sk, char *err,
			  size_t errlen);
/* A .minisig file's text: untrusted comment, signature, trusted comment, global signature. */
int minisign_parse_sig(const char *text, size_t len, struct minisign_sig *sig, char *err,
		       size_t errlen);

/* Checks the signature of msg and the global signature over sig || trusted comment with pk.
 * Returns 0, -EBADMSG (signature invalid) or -EPROTO (trusted comment signature invalid). Does not
 * compare key ids (the caller looks keys up by id first). */
int minisign_verify_sig(const struct minisign_pubkey *pk, const struct minisign_sig *sig,
			const uint8_t *msg, size_t len, char *err, size_t errlen);

/* Signs msg (prehashed) with trusted_comment and returns the .minisig text in *sig_text
 * (malloc'ed), which stock `minisign -V` accepts. Returns 0 or -errno. */
int minisign_sign(const struct minisign_seckey *sk, const uint8_t *msg, size_t len,
		  const char *trusted_comment, char **sig_text);
/* Signs msg (prehashed) and returns the raw parts (no text). */
int minisign_sign_raw(const struct minisign_seckey *sk, const uint8_t *msg, size_t len,
		      const char *trusted_comment, struct minisign_sig *out);

/* Key ids print as minisign prints them: 16 upper-case hex digits, the 8 bytes reversed. */
void minisign_key_id_hex(const uint8_t key_id[8], char out[17]);
/* The public key of a secret key. */
void minisign_seckey_pubkey(const struct minisign_seckey *sk, struct minisign_pubkey *pk);
/* The bare base64 line of a public key ("RW..."), NUL-terminated; out must hold 57 bytes. */
void minisign_pubkey_base64(const struct minisign_pubkey *pk, char out[57]);

#endif
