/* test_trustlist.c: the trust list parser accepts the documented format and refuses malformed
 * lists naming the line; its queries implement default deny, deny beats allow, fnmatch patterns
 * and floors; the state file keeps versions and floors and refuses corruption. */
#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "trust/minisign.h"
#include "trust/state.h"
#include "trust/trustlist.h"

#define H128                                                               \
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" \
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static struct minisign_pubkey k1, k2, k1_other_bytes;
static char b1[57], b2[57], b1x[57];
static char err[512];
static char text[8192];

static void keys(void)
{
	static bool done;

	if (done)
		return;
	done = true;
	if (sodium_init() < 0)
		abort();
	randombytes_buf(&k1, sizeof(k1));
	randombytes_buf(&k2, sizeof(k2));
	k1_other_bytes = k1;
	k1_other_bytes.pk[5] ^= 1;
	minisign_pubkey_base64(&k1, b1);
	minisign_pubkey_base64(&k2, b2);
	minisign_pubkey_base64(&k1_other_bytes, b1x);
}

static struct trustlist *parse(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static struct trustlist *parse(const char *fmt, ...)
{
	struct trustlist *tl = NULL;
	va_list ap;

	keys();
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	err[0] = '\0';
	if (trustlist_parse(text, strlen(text), &tl, err, sizeof(err)))
		return NULL;
	return tl;
}

/* Parses tmpl with @K1 (k1), @K2 (k2) and @K3 (k1's id with other bytes) replaced. */
static struct trustlist *parse_subst(const char *tmpl)
{
	char out[4096];
	size_t n = 0;

	keys();
	for (const char *p = tmpl; *p && n < sizeof(out) - 64;) {
		if (p[0] == '@' && p[1] == 'K' && p[2] >= '1' && p[2] <= '3') {
			const char *k = p[2] == '1' ? b1 : p[2] == '2' ? b2 : b1x;

			n += (size_t)snprintf(out + n, sizeof(out) - n, "%s", k);
			p += 3;
		} else {
			out[n++] = *p++;
		}
	}
	out[n] = '\0';
	return parse("%s", out);
}

TEST(parses_the_documented_format)
{
	struct trustlist *tl;
	uint8_t h[64];

	keys();
	tl = parse("# the administrator's list\n"
		   "bulwark-trust 1\n"
		   "version 7\n"
		   "expires 2027-01-01T00:00:00Z\n"
		   "\n"
		   "vendor acme %s names acme-* net-fw\n"
		   "vendor other\t%s   names [a-c]x?\n"
		   "deny key %s\n"
		   "deny hash " H128 "\n"
		   "deny name acme-old*\n"
		   "floor acme-fw 40\n",
		   b1, b2, b2);
	CHECK(tl != NULL);
	if (!tl) {
		printf("# %s\n", err);
		return;
	}
	CHECK_EQ(tl->version, 7);
	CHECK(tl->has_expires);
	CHECK_EQ(tl->expires, 1798761600);
	CHECK_EQ(tl->nvendors, 2);
	CHECK_STR(tl->vendors[0].name, "acme");
	CHECK_EQ(tl->vendors[0].npatterns, 2);
	CHECK(trustlist_find_key(tl, k1.key_id) == &tl->vendors[0]);
	CHECK(trustlist_find_key(tl, k2.key_id) == &tl->vendors[1]);
	CHECK(!memcmp(tl->vendors[0].key.pk, k1.pk, 32));
	/* patterns: fnmatch globs, default deny */
	CHECK_STR(trust_vendor_allows(&tl->vendors[0], "acme-fw"), "acme-*");
	CHECK_STR(trust_vendor_allows(&tl->vendors[0], "net-fw"), "net-fw");
	CHECK(trust_vendor_allows(&tl->vendors[0], "net-fw2") == NULL);
	CHECK(trust_vendor_allows(&tl->vendors[0], "evil") == NULL);
	CHECK(trust_vendor_allows(&tl->vendors[1], "bx1") != NULL);
	CHECK(trust_vendor_allows(&tl->vendors[1], "dx1") == NULL);
	/* denies */
	CHECK(trustlist_key_denied(tl, &k2));
	CHECK(!trustlist_key_denied(tl, &k1));
	CHECK_STR(trustlist_name_denied(tl, "acme-old-fw"), "acme-old*");
	CHECK(trustlist_name_denied(tl, "acme-fw") == NULL);
	CHECK_EQ(trust_parse_hex(H128, h, 64), 0);
	CHECK(trustlist_hash_denied(tl, h));
	h[3] ^= 1;
	CHECK(!trustlist_hash_denied(tl, h));
	CHECK_EQ(trustlist_floor(tl, "acme-fw"), 40);
	CHECK_EQ(trustlist_floor(tl, "acme-x"), 0);
	trustlist_free(tl);
}

TEST(deny_key_matches_id_or_bytes)
{
	struct trustlist *tl;
	struct minisign_pubkey same_bytes = k1;

	keys();
	same_bytes.key_id[0] ^= 0xff;
	tl = parse("bulwark-trust 1\nversion 1\ndeny key %s\n", b1);
	CHECK(tl != NULL);
	if (!tl)
		return;
	CHECK(trustlist_key_denied(tl, &k1));
	CHECK(trustlist_key_denied(tl, &k1_other_bytes)); /* same id */
	CHECK(trustlist_key_denied(tl, &same_bytes));	  /* same bytes */
	CHECK(!trustlist_key_denied(tl, &k2));
	CHECK(trustlist_find_key(tl, k1.key_id) == NULL); /* default deny: no vendor */
	trustlist_free(tl);
}

TEST(refuses_malformed_lists)
{
	static const struct {
		const char *fmt, *msg;
	} bad[] = {
	    {"", "ends before its 'bulwark-trust 1' line"},
	    {"bulwark-trust 1\n", "ends before its 'version N' line"},
	    {"bulwark-trust 2\nversion 1\n", "unsupported format version '2'"},
	    {"version 1\n", "line 1: the first line must be 'bulwark-trust 1'"},
	    {"bulwark-trust 1\nvendor a @K1 names a\n", "line 2: the second line must be"},
	    {"bulwark-trust 1\nversion 0\n", "invalid version '0'"},
	    {"bulwark-trust 1\nversion 01\n", "invalid version"},
	    {"bulwark-trust 1\nversion 1\nversion 2\n", "line 3: 'version' must come before"},
	    {"bulwark-trust 1\nversion 1\nfloor a 1\nexpires 2027-01-01T00:00:00Z\n",
	     "line 4: 'expires' must come before"},
	    {"bulwark-trust 1\nversion 1\nexpires tomorrow\n", "line 3: expected 'expires"},
	    {"bulwark-trust 1\nversion 1\nallow a\n", "line 3: unknown keyword 'allow'"},
	    {"bulwark-trust 1\nversion 1\nvendor a @K1\n",
	     "expected 'vendor NAME PUBKEY names PATTERN...'"},
	    {"bulwark-trust 1\nversion 1\nvendor a @K1 name a\n", "expected 'vendor"},
	    {"bulwark-trust 1\nversion 1\nvendor a RWQnotbase64 names a\n",
	     "line 3: invalid public key"},
	    {"bulwark-trust 1\nversion 1\nvendor -a @K1 names a\n", "invalid vendor name"},
	    {"bulwark-trust 1\nversion 1\nvendor a @K1 names a/b\n", "invalid name pattern"},
	    {"bulwark-trust 1\nversion 1\nvendor a @K1 names a a\n", "duplicate pattern 'a'"},
	    {"bulwark-trust 1\nversion 1\nvendor a @K1 names a\nvendor a @K2 names b\n",
	     "line 4: duplicate vendor 'a'"},
	    {"bulwark-trust 1\nversion 1\nvendor a @K1 names a\nvendor b @K3 names b\n",
	     "already vendor 'a''s key"},
	    {"bulwark-trust 1\nversion 1\ndeny key\n", "expected 'deny key PUBKEY'"},
	    {"bulwark-trust 1\nversion 1\ndeny vendor a\n", "expected 'deny key PUBKEY'"},
	    {"bulwark-trust 1\nversion 1\ndeny key @K1\ndeny key @K1\n", "duplicate deny key"},
	    {"bulwark-trust 1\nversion 1\ndeny hash abc\n", "invalid hash"},
	    {"bulwark-trust 1\nversion 1\ndeny hash " H128 "\ndeny hash " H128 "\n",
	     "duplicate deny hash"},
	    {"bulwark-trust 1\nversion 1\ndeny name a b\n", "expected 'deny key"},
	    {"bulwark-trust 1\nversion 1\ndeny name x\ndeny name x\n", "duplicate deny name"},
	    {"bulwark-trust 1\nversion 1\nfloor a* 3\n", "a floor names one bundle"},
	    {"bulwark-trust 1\nversion 1\nfloor a -3\n", "invalid seq"},
	    {"bulwark-trust 1\nversion 1\nfloor a 1\nfloor a 2\n", "duplicate floor for 'a'"},
	    {"bulwark-trust 1\nversion 1\nfloor a 1", "no newline"},
	    {"bulwark-trust 1\nversion 1\nfloor a \x01\n", "byte 0x01"},
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct trustlist *tl;

		tl = parse_subst(bad[i].fmt);
		if (tl || !strstr(err, bad[i].msg))
			printf("#   case %zu: message '%s', expected '%s'\n", i, err, bad[i].msg);
		CHECK(tl == NULL);
		CHECK_CONTAINS(err, bad[i].msg);
		trustlist_free(tl);
	}
}

TEST(refuses_too_many_patterns_and_oversize)
{
	size_t n;
	struct trustlist *tl = NULL;
	char *big;

	keys();
	n = (size_t)snprintf(text, sizeof(text), "bulwark-trust 1\nversion 1\nvendor a %s names",
			     b1);
	for (int i = 0; i <= TRUSTLIST_MAX_PATTERNS; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, " p%d", i);
	snprintf(text + n, sizeof(text) - n, "\n");
	CHECK_EQ(trustlist_parse(text, strlen(text), &tl, err, sizeof(err)), -EINVAL);
	CHECK_CONTAINS(err, "line 3: too many fields");
	big = calloc(1, TRUSTLIST_MAX_SIZE + 1);
	if (!big)
		return;
	CHECK_EQ(trustlist_parse(big, TRUSTLIST_MAX_SIZE + 1, &tl, err, sizeof(err)), -EINVAL);
	CHECK_CONTAINS(err, "at most");
	free(big);
	CHECK(tl == NULL);
}

TEST(many_entries_grow)
{
	char *big = malloc(200000);
	size_t n;
	struct trustlist *tl = NULL;

	if (!big)
		return;
	n = (size_t)sprintf(big, "bulwark-trust 1\nversion 3\n");
	for (int i = 0; i < 3000; i++)
		n += (size_t)sprintf(big + n, "floor b%d %d\ndeny name x%d\n", i, i, i);
	CHECK_EQ(trustlist_parse(big, n, &tl, err, sizeof(err)), 0);
	if (tl) {
		CHECK_EQ(tl->nfloors, 3000);
		CHECK_EQ(trustlist_floor(tl, "b2999"), 2999);
		CHECK_STR(trustlist_name_denied(tl, "x1234"), "x1234");
	}
	trustlist_free(tl);
	free(big);
}

static char dir[64];

static void make_dir(void)
{
	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "/tmp/bw-test-trust-XXXXXX");
		if (!mkdtemp(dir))
			abort();
	}
}

TEST(state_round_trip)
{
	struct trust_state *st = NULL;
	struct trustlist *tl;
	char sub[128];

	make_dir();
	snprintf(sub, sizeof(sub), "%s/a/b", dir); /* created with its parents */
	CHECK_EQ(trust_state_open(sub, true, &st, err, sizeof(err)), 0);
	if (!st)
		return;
	CHECK_EQ(st->trust_version, 0);
	tl = parse("bulwark-trust 1\nversion 5\nfloor x 10\nfloor y 3\n");
	CHECK(tl != NULL);
	if (tl)
		CHECK_EQ(trust_state_accept_list(st, tl), 0);
	trustlist_free(tl);
	CHECK_EQ(trust_state_raise_floor(st, "y", 2), 0); /* lower: no change */
	CHECK_EQ(trust_state_raise_floor(st, "x", 12), 0);
	CHECK_EQ(trust_state_raise_floor(st, "z", 1), 0);
	st->policy_version = 4;
	st->dirty = true;
	CHECK_EQ(trust_state_save(st, err, sizeof(err)), 0);
	trust_state_close(st);
	st = NULL;
	CHECK_EQ(trust_state_open(sub, false, &st, err, sizeof(err)), 0);
	if (!st)
		return;
	CHECK_EQ(st->trust_version, 5);
	CHECK_EQ(st->policy_version, 4);
	CHECK_EQ(trust_state_floor(st, "x"), 12);
	CHECK_EQ(trust_state_floor(st, "y"), 3);
	CHECK_EQ(trust_state_floor(st, "z"), 1);
	CHECK_EQ(trust_state_floor(st, "w"), 0);
	CHECK_EQ(trust_state_raise_floor(st, "w", 1), 0);
	CHECK_EQ(trust_state_save(st, err, sizeof(err)), -EBADF); /* read-only */
	trust_state_close(st);
}

TEST(state_missing_is_empty_and_corrupt_is_refused)
{
	struct trust_state *st = NULL;
	char sub[128], path[160];
	FILE *f;

	make_dir();
	snprintf(sub, sizeof(sub), "%s/none", dir);
	CHECK_EQ(trust_state_open(sub, false, &st, err, sizeof(err)), 0);
	CHECK(st && st->trust_version == 0 && st->nfloors == 0);
	trust_state_close(st);
	st = NULL;
	snprintf(sub, sizeof(sub), "%s/corrupt", dir);
	mkdir(sub, 0700);
	snprintf(path, sizeof(path), "%s/trust.state", sub);
	f = fopen(path, "w");
	if (!f)
		return;
	fputs("bulwark-state 1\ntrust-version x\n", f);
	fclose(f);
	CHECK_EQ(trust_state_open(sub, true, &st, err, sizeof(err)), -EINVAL);
	CHECK_CONTAINS(err, "trust.state line 2");
	CHECK(st == NULL);
}

HARNESS_MAIN(parses_the_documented_format, deny_key_matches_id_or_bytes, refuses_malformed_lists,
	     refuses_too_many_patterns_and_oversize, many_entries_grow, state_round_trip,
	     state_missing_is_empty_and_corrupt_is_refused)
