/* test_minisign.c: minisign keys and signatures: parsing is strict, signing and verification
 * agree, and every kind of tampering is caught. Interoperability with stock minisign is tested in
 * tests/trust/test-minisign-interop.sh. */
#include <errno.h>
#include <sodium.h>
#include <stdlib.h>

#include "common/file.h"
#include "harness.h"
#include "trust/minisign.h"

/* A key pair made with libsodium, as minisign -G -W would store it. */
static void make_key(struct minisign_seckey *sk, struct minisign_pubkey *pk, uint8_t id_byte)
{
	uint8_t pub[32];

	if (sodium_init() < 0)
		abort();
	crypto_sign_ed25519_keypair(pub, sk->sk);
	memset(sk->key_id, id_byte, 8);
	sk->key_id[0] = 0x11;
	minisign_seckey_pubkey(sk, pk);
}

/* Text of a .minisig for msg, re-parsed into sig. */
static char *sign_text(const struct minisign_seckey *sk, const char *msg, const char *comment)
{
	char *text = NULL;

	CHECK_EQ(minisign_sign(sk, (const uint8_t *)msg, strlen(msg), comment, &text), 0);
	return text;
}

TEST(sign_then_verify)
{
	struct minisign_seckey sk;
	struct minisign_pubkey pk;
	struct minisign_sig sig;
	char err[256];
	char *text;

	make_key(&sk, &pk, 0x22);
	text = sign_text(&sk, "hello", "bulwark-bundle/1 name=fw seq=3");
	CHECK_EQ(minisign_parse_sig(text, strlen(text), &sig, err, sizeof(err)), 0);
	CHECK(sig.prehashed);
	CHECK(!memcmp(sig.key_id, sk.key_id, 8));
	CHECK_STR(sig.trusted_comment, "bulwark-bundle/1 name=fw seq=3");
	CHECK_EQ(minisign_verify_sig(&pk, &sig, (const uint8_t *)"hello", 5, err, sizeof(err)), 0);
	CHECK_EQ(minisign_verify_sig(&pk, &sig, (const uint8_t *)"hellp", 5, err, sizeof(err)),
		 -EBADMSG);
	free(text);
}

TEST(tampered_trusted_comment_fails_global_signature)
{
	struct minisign_seckey sk;
	struct minisign_pubkey pk;
	struct minisign_sig sig;
	char err[256];
	char *text;

	make_key(&sk, &pk, 0x33);
	text = sign_text(&sk, "payload", "bulwark-trust/1 version=4");
	CHECK_EQ(minisign_parse_sig(text, strlen(text), &sig, err, sizeof(err)), 0);
	sig.trusted_comment[strlen(sig.trusted_comment) - 1] = '5';
	CHECK_EQ(minisign_verify_sig(&pk, &sig, (const uint8_t *)"payload", 7, err, sizeof(err)),
		 -EPROTO);
	CHECK_CONTAINS(err, "trusted comment");
	free(text);
}

TEST(wrong_key_fails)
{
	struct minisign_seckey sk, sk2;
	struct minisign_pubkey pk, pk2;
	struct minisign_sig sig;
	char err[256];
	char *text;

	make_key(&sk, &pk, 0x44);
	make_key(&sk2, &pk2, 0x44); /* same id, other key bytes */
	text = sign_text(&sk, "m", "c");
	CHECK_EQ(minisign_parse_sig(text, strlen(text), &sig, err, sizeof(err)), 0);
	CHECK_EQ(minisign_verify_sig(&pk2, &sig, (const uint8_t *)"m", 1, err, sizeof(err)),
		 -EBADMSG);
	free(text);
}

TEST(pubkey_round_trip_and_bare_line)
{
	struct minisign_seckey sk;
	struct minisign_pubkey pk, back;
	char b64[57], file[200], err[256];

	make_key(&sk, &pk, 0x55);
	minisign_pubkey_base64(&pk, b64);
	CHECK_EQ(strlen(b64), 56);
	CHECK(!strncmp(b64, "RW", 2));
	CHECK_EQ(minisign_parse_pubkey(b64, strlen(b64), &back, err, sizeof(err)), 0);
	CHECK(!memcmp(&back, &pk, sizeof(pk)));
	snprintf(file, sizeof(file), "untrusted comment: minisign public key X\n%s\n", b64);
	memset(&back, 0, sizeof(back));
	CHECK_EQ(minisign_parse_pubkey(file, strlen(file), &back, err, sizeof(err)), 0);
	CHECK(!memcmp(&back, &pk, sizeof(pk)));
}

TEST(malformed_inputs_are_refused_with_a_reason)
{
	static const char *const bad_keys[] = {
	    "",
	    "untrusted comment: x\n",
	    "untrusted comment: x\nRWQ\n",
	    "comment: x\nRWQfI9a8kKI7YtwbrKHjR49BbkByh+nhNHEK4kP7IISD0IcisBqGh3k6\n",
	    ("untrusted comment: x\n"
	     "RWQfI9a8kKI7YtwbrKHjR49BbkByh+nhNHEK4kP7IISD0IcisBqGh3k6\nextra\n"),
	    "untrusted comment: x\r\nRWQfI9a8kKI7YtwbrKHjR49BbkByh+nhNHEK4kP7IISD0IcisBqGh3k6\n",
	    "RWQfI9a8kKI7YtwbrKHjR49BbkByh+nhNHEK4kP7IISD0IcisBqGh3k=", /* 41 bytes */
	    "RVQfI9a8kKI7YtwbrKHjR49BbkByh+nhNHEK4kP7IISD0IcisBqGh3k6", /* algorithm "Et" */
	};
	struct minisign_pubkey pk;
	struct minisign_sig sig;
	struct minisign_seckey sk;
	char err[256];

	for (size_t i = 0; i < sizeof(bad_keys) / sizeof(bad_keys[0]); i++) {
		err[0] = 0;
		CHECK_EQ(
		    minisign_parse_pubkey(bad_keys[i], strlen(bad_keys[i]), &pk, err, sizeof(err)),
		    -EINVAL);
		CHECK(err[0] != 0);
	}
	CHECK_EQ(minisign_parse_sig("untrusted comment: a\nRUQ=\n", 26, &sig, err, sizeof(err)),
		 -EINVAL);
	CHECK_EQ(minisign_parse_sig("", 0, &sig, err, sizeof(err)), -EINVAL);
	CHECK_EQ(minisign_parse_seckey("untrusted comment: a\nRWQ=\n", 26, &sk, err, sizeof(err)),
		 -EINVAL);
}

TEST(legacy_signature_is_parsed_as_not_prehashed)
{
	struct minisign_seckey sk;
	struct minisign_pubkey pk;
	struct minisign_sig sig;
	char err[256], *text, *p;

	make_key(&sk, &pk, 0x66);
	text = sign_text(&sk, "m", "c");
	/* "RUQ" encodes 'E','D'; 'E','d' is "RWQ" with the same following bits */
	p = strchr(text, '\n') + 1;
	CHECK(!strncmp(p, "RUQ", 3));
	p[1] = 'W';
	CHECK_EQ(minisign_parse_sig(text, strlen(text), &sig, err, sizeof(err)), 0);
	CHECK(!sig.prehashed);
	/* and its signature, made over the hash, does not verify as a legacy one */
	CHECK_EQ(minisign_verify_sig(&pk, &sig, (const uint8_t *)"m", 1, err, sizeof(err)),
		 -EBADMSG);
	free(text);
}

TEST(key_id_prints_like_minisign)
{
	const uint8_t id[8] = {0x1f, 0x23, 0xd6, 0xbc, 0x90, 0xa2, 0x3b, 0x62};
	char out[17];

	minisign_key_id_hex(id, out);
	CHECK_STR(out, "623BA290BCD6231F");
}

/* Interoperability with Debian's minisign: its signatures verify here, ours verify there. */
static bool have_minisign(void)
{
	return system("command -v minisign >/dev/null 2>&1") == 0;
}

TEST(interop_with_stock_minisign)
{
	char dir[] = "/tmp/bw-test-minisign-XXXXXX", cmd[1024], path[256], err[256];
	struct minisign_pubkey pk;
	struct minisign_seckey sk;
	struct minisign_sig sig;
	uint8_t *text = NULL;
	size_t len = 0;
	char *ours = NULL;
	FILE *f;

	if (!have_minisign()) {
		SKIP("minisign is not installed (scripts/install-deps.sh installs it)");
		return;
	}
	CHECK(mkdtemp(dir) != NULL);
	snprintf(
	    cmd, sizeof(cmd),
	    "cd %s && minisign -G -W -p k.pub -s k.key >/dev/null 2>&1 && printf 'payload' > m "
	    "&& minisign -S -s k.key -m m -t 'bulwark-bundle/1 name=fw seq=7' >/dev/null 2>&1 "
	    "&& minisign -S -l -s k.key -m m -x m.legacy -t 'legacy' >/dev/null 2>&1",
	    dir);
	CHECK_EQ(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/k.pub", dir);
	CHECK_EQ(minisign_read_pubkey_file(path, &pk, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/k.key", dir);
	CHECK_EQ(minisign_read_seckey_file(path, &sk, err, sizeof(err)), 0);
	CHECK(!memcmp(sk.key_id, pk.key_id, 8));
	/* theirs, verified here */
	snprintf(path, sizeof(path), "%s/m.minisig", dir);
	CHECK_EQ(bw_read_file(path, 4096, &text, &len), 0);
	CHECK_EQ(minisign_parse_sig((char *)text, len, &sig, err, sizeof(err)), 0);
	CHECK(sig.prehashed);
	CHECK_STR(sig.trusted_comment, "bulwark-bundle/1 name=fw seq=7");
	CHECK_EQ(minisign_verify_sig(&pk, &sig, (const uint8_t *)"payload", 7, err, sizeof(err)),
		 0);
	free(text);
	/* their legacy signature parses as legacy and verifies as one */
	snprintf(path, sizeof(path), "%s/m.legacy", dir);
	CHECK_EQ(bw_read_file(path, 4096, &text, &len), 0);
	CHECK_EQ(minisign_parse_sig((char *)text, len, &sig, err, sizeof(err)), 0);
	CHECK(!sig.prehashed);
	CHECK_EQ(minisign_verify_sig(&pk, &sig, (const uint8_t *)"payload", 7, err, sizeof(err)),
		 0);
	free(text);
	/* ours, verified by minisign -V */
	CHECK_EQ(
	    minisign_sign(&sk, (const uint8_t *)"payload", 7, "bulwark-trust/1 version=2", &ours),
	    0);
	snprintf(path, sizeof(path), "%s/ours.minisig", dir);
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f) {
		fputs(ours, f);
		fclose(f);
	}
	snprintf(cmd, sizeof(cmd), "cd %s && minisign -V -p k.pub -m m -x ours.minisig -q", dir);
	CHECK_EQ(system(cmd), 0);
	/* and a flipped payload byte fails there too */
	snprintf(cmd, sizeof(cmd),
		 "cd %s && printf 'paylaad' > m && minisign -V -p k.pub -m m -x ours.minisig -q "
		 ">/dev/null 2>&1",
		 dir);
	CHECK(system(cmd) != 0);
	free(ours);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK_EQ(system(cmd), 0);
}

HARNESS_MAIN(sign_then_verify, tampered_trusted_comment_fails_global_signature, wrong_key_fails,
	     pubkey_round_trip_and_bare_line, malformed_inputs_are_refused_with_a_reason,
	     legacy_signature_is_parsed_as_not_prehashed, key_id_prints_like_minisign,
	     interop_with_stock_minisign)
