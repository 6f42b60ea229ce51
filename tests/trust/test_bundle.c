/* test_bundle.c: bundle_verify() admits a well-signed bundle and keeps the verified bytes (also
 * as a sealed memfd), refuses in the documented order, never follows symlinks, and applies the
 * trust list, the host's floors and the MAC policy. Keys and signatures come from libsodium via
 * minisign.c (the shell test test-bundles.sh does the same with stock minisign). */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "trust/bundle.h"
#include "trust/minisign.h"

static struct minisign_seckey vendor, other;
static char vendor_b64[57], other_b64[57];
static char root_dir[64];
static char err[512];

static void make_key(struct minisign_seckey *sk, char b64[57])
{
	struct minisign_pubkey pk;
	uint8_t pkb[32];

	randombytes_buf(sk->key_id, sizeof(sk->key_id));
	crypto_sign_keypair(pkb, sk->sk);
	minisign_seckey_pubkey(sk, &pk);
	minisign_pubkey_base64(&pk, b64);
}

static void setup(void)
{
	if (root_dir[0])
		return;
	if (sodium_init() < 0)
		abort();
	make_key(&vendor, vendor_b64);
	make_key(&other, other_b64);
	snprintf(root_dir, sizeof(root_dir), "/tmp/bw-test-bundle-XXXXXX");
	if (!mkdtemp(root_dir))
		abort();
}

static void write_file(const char *dir, const char *name, const void *data, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		abort();
	fwrite(data, 1, len, f);
	fclose(f);
}

static void hex_hash(const char *data, size_t len, char out[129])
{
	uint8_t h[64];

	crypto_generichash(h, 64, (const uint8_t *)data, len, NULL, 0);
	trust_hex(h, 64, out);
}

/* A bundle dir/NAME with payloads a.o ("AAAA") and sub/agent ("BBBB"), signed by sk with the
 * trusted comment tc (NULL: the right one). Returns the directory path (static buffer). */
static const char *make_bundle(const char *name, const char *bname, uint64_t seq, const char *extra,
			       const struct minisign_seckey *sk, const char *tc)
{
	static char dir[256];
	char manifest[2048], ha[129], hb[129], want_tc[160], sub[300];
	char *sig = NULL;
	int n;

	setup();
	snprintf(dir, sizeof(dir), "%s/%s", root_dir, name);
	mkdir(dir, 0700);
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	mkdir(sub, 0700);
	write_file(dir, "a.o", "AAAA", 4);
	write_file(dir, "sub/agent", "BBBB", 4);
	hex_hash("AAAA", 4, ha);
	hex_hash("BBBB", 4, hb);
	n = snprintf(manifest, sizeof(manifest),
		     "bulwark-bundle 1\nname %s\nversion 1\nseq %llu\n%shook net.rx\nhelper map\n"
		     "file ext a.o %s\nfile agent sub/agent %s\n",
		     bname, (unsigned long long)seq, extra, ha, hb);
	write_file(dir, "MANIFEST", manifest, (size_t)n);
	snprintf(want_tc, sizeof(want_tc), "bulwark-bundle/1 name=%s seq=%llu", bname,
		 (unsigned long long)seq);
	if (minisign_sign(sk, (const uint8_t *)manifest, (size_t)n, tc ? tc : want_tc, &sig))
		abort();
	write_file(dir, "MANIFEST.minisig", sig, strlen(sig));
	free(sig);
	return dir;
}

static struct trustlist *list(const char *extra)
{
	char text[2048];
	struct trustlist *tl = NULL;

	setup();
	snprintf(text, sizeof(text), "bulwark-trust 1\nversion 1\nvendor acme %s names acme-*\n%s",
		 vendor_b64, extra);
	if (trustlist_parse(text, strlen(text), &tl, err, sizeof(err))) {
		printf("# %s\n", err);
		abort();
	}
	return tl;
}

static int verify(const char *dir, struct trustlist *tl, struct bundle **b,
		  struct trust_refusal *why)
{
	struct bundle_checks c = {.trust = tl, .now = 1800000000};

	memset(why, 0, sizeof(*why));
	return bundle_verify(dir, &c, b, why);
}

TEST(admits_and_keeps_the_bytes)
{
	const char *dir = make_bundle("ok", "acme-fw", 3, "", &vendor, NULL);
	struct trustlist *tl = list("");
	struct trust_refusal why;
	struct bundle *b = NULL;
	const uint8_t *p;
	size_t len = 0;
	char buf[8];
	int fd, seals;

	CHECK_EQ(verify(dir, tl, &b, &why), 0);
	CHECK(b != NULL);
	if (!b) {
		printf("# %s: %s\n", why.code, why.msg);
		trustlist_free(tl);
		return;
	}
	CHECK_STR(b->vendor, "acme");
	CHECK_STR(b->manifest.name, "acme-fw");
	CHECK(!memcmp(b->signer.key_id, vendor.key_id, 8));
	p = bundle_payload(b, "sub/agent", &len);
	CHECK(p && len == 4 && !memcmp(p, "BBBB", 4));
	CHECK(bundle_payload(b, "nope", &len) == NULL);
	/* later changes to the files do not reach the verified bytes */
	write_file(dir, "a.o", "EVIL", 4);
	p = bundle_payload(b, "a.o", &len);
	CHECK(p && len == 4 && !memcmp(p, "AAAA", 4));
	/* sealed memfd */
	fd = bundle_payload_memfd(b, 0, err, sizeof(err));
	CHECK(fd >= 0);
	if (fd >= 0) {
		seals = fcntl(fd, F_GET_SEALS);
		CHECK_EQ(seals & (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE),
			 F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE);
		CHECK_EQ(read(fd, buf, sizeof(buf)), 4);
		CHECK(!memcmp(buf, "AAAA", 4));
		CHECK_EQ(pwrite(fd, "X", 1, 0), -1);
		CHECK_EQ(errno, EPERM);
		CHECK_EQ(ftruncate(fd, 0), -1);
		CHECK_EQ(fcntl(fd, F_ADD_SEALS, 0) == 0 ? 0 : errno, EPERM);
		CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
		close(fd);
	}
	CHECK_EQ(bundle_payload_memfd(b, 2, err, sizeof(err)), -EINVAL);
	bundle_free(b);
	trustlist_free(tl);
}

static void expect(const char *dir, struct trustlist *tl, const char *code)
{
	struct trust_refusal why;
	struct bundle *b = NULL;
	int rc = verify(dir, tl, &b, &why);

	if (rc != -EPERM || strcmp(why.code, code))
		printf("#   %s: rc %d, %s: %s (expected %s)\n", dir, rc, why.code, why.msg, code);
	CHECK_EQ(rc, -EPERM);
	CHECK_STR(why.code, code);
	CHECK(b == NULL);
}

TEST(refusals_in_order)
{
	struct trustlist *tl = list("");
	const char *dir;
	char path[300];

	/* key lookup comes before parsing: a malformed manifest by an unknown key */
	dir = make_bundle("order1", "acme-fw", 1, "bogus line\n", &other, NULL);
	expect(dir, tl, "unknown-key");
	/* signature before parsing: the same, by the vendor, after a byte changed */
	dir = make_bundle("order2", "acme-fw", 1, "bogus line\n", &vendor, NULL);
	expect(dir, tl, "bad-manifest");
	snprintf(path, sizeof(path), "%s/MANIFEST", dir);
	write_file(dir, "MANIFEST", "bulwark-bundle 1\n", 17);
	expect(dir, tl, "bad-signature");
	/* trusted comment */
	dir = make_bundle("tc", "acme-fw", 1, "", &vendor, "bulwark-bundle/1 name=acme-fw seq=2");
	expect(dir, tl, "trusted-comment-mismatch");
	dir = make_bundle("tc2", "acme-fw", 1, "", &vendor, "bulwark-bundle/1 name=acme-fw seq=1 ");
	expect(dir, tl, "trusted-comment-mismatch");
	/* trust list before payloads: name not allowed, although a payload is also broken */
	dir = make_bundle("names", "other-fw", 1, "", &vendor, NULL);
	write_file(dir, "a.o", "EVIL", 4);
	expect(dir, tl, "name-not-allowed");
	/* payloads */
	dir = make_bundle("payload", "acme-fw", 1, "", &vendor, NULL);
	write_file(dir, "sub/agent", "BBBC", 4);
	expect(dir, tl, "payload-hash-mismatch");
	snprintf(path, sizeof(path), "%s/sub/agent", dir);
	unlink(path);
	expect(dir, tl, "payload-unreadable");
	/* missing signature, missing bundle */
	snprintf(path, sizeof(path), "%s/MANIFEST.minisig", dir);
	unlink(path);
	expect(dir, tl, "signature-unreadable");
	expect("/nonexistent/bundle", tl, "bundle-unreadable");
	trustlist_free(tl);
}

TEST(symlinks_and_special_files_are_refused)
{
	struct trustlist *tl = list("");
	const char *dir;
	char path[300], target[300];
	struct trust_refusal why;
	struct bundle *b = NULL;

	/* a symlinked directory on the path */
	dir = make_bundle("symdir", "acme-fw", 1, "", &vendor, NULL);
	snprintf(path, sizeof(path), "%s/sub", dir);
	snprintf(target, sizeof(target), "%s/realsub", dir);
	rename(path, target);
	CHECK_EQ(symlink("realsub", path), 0);
	CHECK_EQ(verify(dir, tl, &b, &why), -EPERM);
	CHECK_STR(why.code, "payload-unreadable");
	CHECK_CONTAINS(why.msg, "symbolic link");
	/* a symlinked file */
	dir = make_bundle("symfile", "acme-fw", 1, "", &vendor, NULL);
	snprintf(path, sizeof(path), "%s/a.o", dir);
	snprintf(target, sizeof(target), "%s/a.real", dir);
	rename(path, target);
	CHECK_EQ(symlink("a.real", path), 0);
	CHECK_EQ(verify(dir, tl, &b, &why), -EPERM);
	CHECK_CONTAINS(why.msg, "symbolic link");
	/* a FIFO (must not block) */
	dir = make_bundle("fifo", "acme-fw", 1, "", &vendor, NULL);
	snprintf(path, sizeof(path), "%s/a.o", dir);
	unlink(path);
	CHECK_EQ(mkfifo(path, 0600), 0);
	CHECK_EQ(verify(dir, tl, &b, &why), -EPERM);
	CHECK_CONTAINS(why.msg, "not a regular file");
	/* a symlinked MANIFEST */
	dir = make_bundle("symmanifest", "acme-fw", 1, "", &vendor, NULL);
	snprintf(path, sizeof(path), "%s/MANIFEST", dir);
	snprintf(target, sizeof(target), "%s/M", dir);
	rename(path, target);
	CHECK_EQ(symlink("M", path), 0);
	CHECK_EQ(verify(dir, tl, &b, &why), -EPERM);
	CHECK_STR(why.code, "bundle-unreadable");
	trustlist_free(tl);
}

TEST(read_beneath_refuses_escapes)
{
	int dfd;
	uint8_t *data = NULL;
	size_t len;

	setup();
	dfd = open(root_dir, O_RDONLY | O_DIRECTORY);
	CHECK(dfd >= 0);
	CHECK_EQ(bundle_read_beneath(dfd, "../etc/passwd", 100, &data, &len, err, sizeof(err)),
		 -EINVAL);
	CHECK_EQ(bundle_read_beneath(dfd, "/etc/passwd", 100, &data, &len, err, sizeof(err)),
		 -EINVAL);
	CHECK_EQ(bundle_read_beneath(dfd, "a//b", 100, &data, &len, err, sizeof(err)), -EINVAL);
	CHECK(data == NULL);
	close(dfd);
}

TEST(trust_list_rules)
{
	const char *dir = make_bundle("rules", "acme-fw", 5, "", &vendor, NULL);
	struct trustlist *tl;
	char line[256], hb[129];

	snprintf(line, sizeof(line), "deny key %s\nvendor x %s names *\n", vendor_b64, other_b64);
	tl = list(line);
	expect(dir, tl, "denied-key");
	trustlist_free(tl);
	tl = list("deny name acme-f*\n");
	expect(dir, tl, "denied-name");
	trustlist_free(tl);
	hex_hash("BBBB", 4, hb);
	snprintf(line, sizeof(line), "deny hash %s\n", hb);
	tl = list(line);
	expect(dir, tl, "denied-hash");
	trustlist_free(tl);
	tl = list("floor acme-fw 6\n");
	expect(dir, tl, "seq-below-floor");
	trustlist_free(tl);
	tl = list("floor acme-fw 5\n"); /* equal to the floor: admitted */
	{
		struct trust_refusal why;
		struct bundle *b = NULL;

		CHECK_EQ(verify(dir, tl, &b, &why), 0);
		bundle_free(b);
	}
	trustlist_free(tl);
}

TEST(state_floor_and_expiry)
{
	const char *dir =
	    make_bundle("exp", "acme-fw", 5, "expires 2027-01-15T00:00:00Z\n", &vendor, NULL);
	struct trustlist *tl = list("");
	struct trust_state st = {.lock_fd = -1};
	struct trust_floor f = {"acme-fw", 9};
	struct bundle_checks c = {.trust = tl, .state = &st, .now = 1700000000};
	struct trust_refusal why;
	struct bundle *b = NULL;

	CHECK_EQ(bundle_verify(dir, &c, &b, &why), 0); /* 2023: before expiry */
	bundle_free(b);
	b = NULL;
	c.now = 1800000000; /* 2027-01-15T08:00:00Z */
	CHECK_EQ(bundle_verify(dir, &c, &b, &why), -EPERM);
	CHECK_STR(why.code, "expired");
	CHECK_CONTAINS(why.msg, "expired at 2027-01-15T00:00:00Z");
	c.now = 1700000000;
	st.floors = &f;
	st.nfloors = 1;
	CHECK_EQ(bundle_verify(dir, &c, &b, &why), -EPERM);
	CHECK_STR(why.code, "seq-below-floor");
	CHECK_CONTAINS(why.msg, "host state 9");
	trustlist_free(tl);
}

TEST(policy_step)
{
	const char *dir = make_bundle("pol", "acme-fw", 5, "", &vendor, NULL);
	struct trustlist *tl = list("");
	struct policy *p = NULL;
	struct bundle_checks c = {.trust = tl, .now = 1700000000, .vm = "prod-1"};
	struct trust_refusal why;
	struct bundle *b = NULL;
	static const char grant[] = "bulwark-policy 1\nversion 1\n"
				    "subject fw signer acme names acme-*\n"
				    "allow fw * hook net.rx\nallow fw * helper map\n";
	static const char nohelper[] =
	    "bulwark-policy 1\nversion 1\n"
	    "subject fw signer acme names acme-*\nallow fw * hook net.rx\n";
	static const char permissive[] = "bulwark-policy 1\nversion 1\nmode permissive\n";

	CHECK_EQ(policy_parse(grant, strlen(grant), &p, err, sizeof(err)), 0);
	c.policy = p;
	CHECK_EQ(bundle_verify(dir, &c, &b, &why), 0);
	CHECK(b && !b->permissive.code[0]);
	bundle_free(b);
	b = NULL;
	policy_free(p);
	CHECK_EQ(policy_parse(nohelper, strlen(nohelper), &p, err, sizeof(err)), 0);
	c.policy = p;
	CHECK_EQ(bundle_verify(dir, &c, &b, &why), -EPERM);
	CHECK_STR(why.code, "policy-helper-denied");
	CHECK_CONTAINS(why.msg, "helper class map");
	policy_free(p);
	CHECK_EQ(policy_parse(permissive, strlen(permissive), &p, err, sizeof(err)), 0);
	c.policy = p;
	CHECK_EQ(bundle_verify(dir, &c, &b, &why), 0);
	CHECK(b != NULL);
	if (b) {
		CHECK_STR(b->permissive.code, "policy-hook-denied");
		bundle_free(b);
	}
	policy_free(p);
	trustlist_free(tl);
}

HARNESS_MAIN(admits_and_keeps_the_bytes, refusals_in_order, symlinks_and_special_files_are_refused,
	     read_beneath_refuses_escapes, trust_list_rules, state_floor_and_expiry, policy_step)
