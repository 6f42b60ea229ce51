/* test_manifest.c: the MANIFEST parser accepts the documented format, refuses every malformed
 * input with a message naming the line, and the writer's output parses back; also the RFC 3339
 * times and BULWARK_NOW of text.c. */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "harness.h"
#include "trust/manifest.h"
#include "trust/text.h"
#include "trust/vocab.h"

#define H128                                                               \
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" \
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static const char good[] = "bulwark-bundle 1\n"
			   "name acme-fw\n"
			   "version 1.2.3~rc1\n"
			   "seq 42\n"
			   "expires 2027-06-30T00:00:00Z\n"
			   "hook net.rx\n"
			   "hook net.tx\n"
			   "helper map\n"
			   "helper guest.mem.read\n"
			   "file ext fw.o " H128 "\n"
			   "file agent bin/agent " H128 "\n";

static struct manifest m;
static char err[512];

static int parse(const char *s)
{
	err[0] = '\0';
	return manifest_parse(s, strlen(s), &m, err, sizeof(err));
}

TEST(parses_the_documented_format)
{
	CHECK_EQ(parse(good), 0);
	CHECK_STR(m.name, "acme-fw");
	CHECK_STR(m.version, "1.2.3~rc1");
	CHECK_EQ(m.seq, 42);
	CHECK(m.has_expires);
	CHECK_EQ(m.expires, 1814313600); /* date -d 2027-06-30T00:00:00Z +%s */
	CHECK_EQ(m.hooks, (1u << TRUST_HOOK_NET_RX) | (1u << TRUST_HOOK_NET_TX));
	CHECK_EQ(m.helpers, (1u << TRUST_HC_MAP) | (1u << TRUST_HC_GUEST_MEM_READ));
	CHECK_EQ(m.nfiles, 2);
	CHECK_EQ(m.files[0].kind, MANIFEST_KIND_EXT);
	CHECK_STR(m.files[1].path, "bin/agent");
	CHECK_EQ(m.files[1].kind, MANIFEST_KIND_AGENT);
	CHECK_EQ(m.files[0].hash[0], 0x01);
	CHECK_EQ(m.files[0].hash[63], 0xef);
}

TEST(minimal_manifest)
{
	CHECK_EQ(parse("bulwark-bundle 1\nname a\nversion 1\nseq 0\nfile ext a.o " H128 "\n"), 0);
	CHECK(!m.has_expires);
	CHECK_EQ(m.hooks, 0);
	CHECK_EQ(m.seq, 0);
}

TEST(write_round_trips)
{
	char *text = NULL;
	size_t len = 0;
	struct manifest copy;

	CHECK_EQ(parse(good), 0);
	copy = m;
	CHECK_EQ(manifest_write(&copy, &text, &len, err, sizeof(err)), 0);
	CHECK(text != NULL);
	if (!text)
		return;
	CHECK_STR(text, good); /* good lists hooks and helpers in vocabulary order */
	CHECK_EQ(len, strlen(good));
	CHECK_EQ(parse(text), 0);
	CHECK(!memcmp(&m, &copy, sizeof(m)));
	free(text);
}

TEST(write_refuses_invalid_fields)
{
	char *text = NULL;
	size_t len;
	struct manifest bad;

	CHECK_EQ(parse(good), 0);
	bad = m;
	strcpy(bad.files[0].path, "../escape");
	CHECK_EQ(manifest_write(&bad, &text, &len, err, sizeof(err)), -EINVAL);
	CHECK_CONTAINS(err, "..");
	bad = m;
	bad.hooks |= 1u << 30;
	CHECK_EQ(manifest_write(&bad, &text, &len, err, sizeof(err)), -EINVAL);
	bad = m;
	strcpy(bad.name, "bad name");
	CHECK_EQ(manifest_write(&bad, &text, &len, err, sizeof(err)), -EINVAL);
	CHECK(text == NULL);
}

TEST(trusted_comment)
{
	char tc[MANIFEST_COMMENT_MAX];

	CHECK_EQ(parse(good), 0);
	manifest_trusted_comment(&m, tc);
	CHECK_STR(tc, "bulwark-bundle/1 name=acme-fw seq=42");
}

/* Each malformed manifest and a piece of the message it must produce. */
static const struct {
	const char *text, *msg;
} bad[] = {
    {"", "ends before its 'bulwark-bundle' line"},
    {"bulwark-bundle 1\nname a\nversion 1\nseq 1\nfile ext a.o " H128, "no newline"},
    {"bulwark-bundle 2\n", "unsupported format version '2'"},
    {"bulwark-bundle 1 x\n", "expected 'bulwark-bundle 1'"},
    {"name a\n", "first line must be 'bulwark-bundle 1'"},
    {"bulwark-bundle 1\r\nname a\n", "line 1: byte 0x0d"},
    {"bulwark-bundle 1\nname\ta\n", "line 2: byte 0x09"},
    {"bulwark-bundle 1\nname  a\n", "line 2: more than one space"},
    {"bulwark-bundle 1\nname a \n", "line 2: space at the start or end"},
    {"bulwark-bundle 1\n name a\n", "space at the start or end"},
    {"bulwark-bundle 1\n\nname a\n", "line 2: empty line"},
    {"bulwark-bundle 1\n# comment\n", "unknown keyword '#'"},
    {"bulwark-bundle 1\nname a\nversion 1\nseq 1\nfrobnicate x\n",
     "line 5: unknown keyword 'frobnicate'"},
    {"bulwark-bundle 1\nversion 1\n", "line 2: 'version' where 'name' was expected"},
    {"bulwark-bundle 1\nname a\nname b\n", "line 3: duplicate or misplaced 'name'"},
    {"bulwark-bundle 1\nname a\nversion 1\nhook net.rx\n", "'hook' where 'seq' was expected"},
    {"bulwark-bundle 1\nname a\nversion 1\nseq 1\nhelper map\nhook net.rx\n",
     "line 6: 'hook' after 'helper'"},
    {"bulwark-bundle 1\nname a\nversion 1\nseq 1\nfile ext a.o " H128 "\nhook net.rx\n",
     "'hook' after 'file'"},
    {"bulwark-bundle 1\nname a\nversion 1\nseq 1\nhook net.rx\nexpires 2027-01-01T00:00:00Z\n",
     "'expires' after 'hook'"},
    {"bulwark-bundle 1\nname a\nversion 1\nseq 1\nexpires 2027-01-01T00:00:00Z\n"
     "expires 2027-01-01T00:00:00Z\n",
     "duplicate 'expires'"},
    {"bulwark-bundle 1\nname a\nversion 1\nseq 1\nhook net.rx\nhook net.rx\n",
     "line 6: duplicate hook 'net.rx'"},
    {"bulwark-bundle 1\nname a\nversion 1\nseq 1\nhook net.foo\n", "unknown hook 'net.foo'"},
    {"bulwark-bundle 1\nname a\nversion 1\nseq 1\nhelper kernel\n",
     "unknown helper class 'kernel'"},
    {"bulwark-bundle 1\nname a\nversion 1\nseq 1\nhelper map\nhelper map\n",
     "duplicate helper 'map'"},
    {"bulwark-bundle 1\nname a\nversion 1\nseq 1\nhook\n", "expected 'hook NAME'"},
    {"bulwark-bundle 1\nname a\nversion 1\nseq 1\nfile ext ../x " H128 "\n", "'..' component"},
    {"bulwark-bundle 1\nname a\nversion 1\nseq 1\nfile ext a/../../x " H128 "\n", "'..' component"},
    {"bulwark-bundle 1\nname a\nversion 1\nseq 1\nfile ext ./x " H128 "\n", "'.' component"},
    {"bulwark-bundle 1\nname a\nversion 1\nseq 1\nfile ext /etc/passwd " H128 "\n", "is absolute"},
    {"bulwark-bundle 1\nname a\nversion 1\nseq 1\nfile ext a//b " H128 "\n", "empty component"},
    {"bulwark-bundle 1\nname a\nversion 1\nseq 1\nfile ext a/ " H128 "\n", "empty component"},
    {"bulwark-bundle 1\nname a\nversion 1\nseq 1\nfile ext .hidden " H128 "\n", "hidden"},
    {"bulwark-bundle 1\nname a\nversion 1\nseq 1\nfile ext a*b " H128 "\n", "the character '*'"},
    {"bulwark-bundle 1\nname a\nversion 1\nseq 1\nfile ext a\\b " H128 "\n", "the character '\\'"},
    {"bulwark-bundle 1\nname a\nversion 1\nseq 1\nfile ext MANIFEST " H128 "\n", "reserved"},
    {"bulwark-bundle 1\nname a\nversion 1\nseq 1\nfile ext MANIFEST.minisig " H128 "\n",
     "reserved"},
    {"bulwark-bundle 1\nname a\nversion 1\nseq 1\nfile ext a/b/c/d/e/f/g/h/i " H128 "\n",
     "deeper than 8"},
    {"bulwark-bundle 1\nname a\nversion 1\nseq 1\nfile elf a.o " H128 "\n",
     "unknown file kind 'elf'"},
    {"bulwark-bundle 1\nname a\nversion 1\nseq 1\nfile ext a.o "
     "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"
     "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n",
     "invalid hash for 'a.o'"},
    {"bulwark-bundle 1\nname a\nversion 1\nseq 1\nfile ext a.o 0123\n", "invalid hash"},
    {"bulwark-bundle 1\nname a\nversion 1\nseq 1\nfile ext a.o " H128 "0\n", "invalid hash"},
    {"bulwark-bundle 1\nname a\nversion 1\nseq 1\nfile ext a.o\n",
     "expected 'file KIND PATH BLAKE2B-512-HEX'"},
    {"bulwark-bundle 1\nname a\nversion 1\nseq 1\nfile ext a.o " H128 "\nfile agent a.o " H128 "\n",
     "line 6: duplicate file 'a.o'"},
    {"bulwark-bundle 1\nname a\nversion 1\nseq 1\n", "lists no file"},
    {"bulwark-bundle 1\nname a\nversion 1\n", "ends before its 'seq' line"},
    {"bulwark-bundle 1\nname a\nversion 1\nseq 01\n", "invalid seq '01'"},
    {"bulwark-bundle 1\nname a\nversion 1\nseq -1\n", "invalid seq"},
    {"bulwark-bundle 1\nname a\nversion 1\nseq 9223372036854775808\n", "invalid seq"},
    {"bulwark-bundle 1\nname a\nversion 1\nseq 99999999999999999999999\n", "invalid seq"},
    {"bulwark-bundle 1\nname -a\n", "invalid name '-a'"},
    {"bulwark-bundle 1\nname a/b\n", "invalid name 'a/b'"},
    {"bulwark-bundle 1\nname a=b\n", "invalid name"},
    {"bulwark-bundle 1\nname "
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
     "invalid name"},
    {"bulwark-bundle 1\nname a\nversion .1\n", "invalid version '.1'"},
    {"bulwark-bundle 1\nname a\nversion 1:2\n", "invalid version"},
    {"bulwark-bundle 1\nname a\nversion 1\nseq 1\nexpires 2027-02-30T00:00:00Z\n", "invalid time"},
    {"bulwark-bundle 1\nname a\nversion 1\nseq 1\nexpires 2027-01-01T00:00:00\n", "invalid time"},
    {"bulwark-bundle 1\nname a\nversion 1\nseq 1\nexpires 2027-01-01\n", "invalid time"},
    {"bulwark-bundle 1\nname \xc3\xa9\n", "byte 0xc3"},
};

TEST(refuses_malformed_manifests)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = parse(bad[i].text);

		if (rc != -EINVAL || !strstr(err, bad[i].msg))
			printf("#   case %zu: rc %d, message '%s', expected '%s'\n", i, rc, err,
			       bad[i].msg);
		CHECK_EQ(rc, -EINVAL);
		CHECK_CONTAINS(err, bad[i].msg);
	}
}

TEST(refuses_nul_long_lines_and_too_many_files)
{
	static const char nul[] = "bulwark-bundle 1\nname a\0b\n";
	char *big;
	size_t n = 0;

	CHECK_EQ(manifest_parse(nul, sizeof(nul) - 1, &m, err, sizeof(err)), -EINVAL);
	CHECK_CONTAINS(err, "byte 0x00");

	big = malloc(MANIFEST_MAX_SIZE * 2);
	if (!big)
		return;
	n = (size_t)sprintf(big, "bulwark-bundle 1\nname ");
	memset(big + n, 'a', 2000);
	n += 2000;
	big[n++] = '\n';
	CHECK_EQ(manifest_parse(big, n, &m, err, sizeof(err)), -EINVAL);
	CHECK_CONTAINS(err, "line 2: line longer than");

	n = (size_t)sprintf(big, "bulwark-bundle 1\nname a\nversion 1\nseq 1\n");
	for (int i = 0; i <= MANIFEST_MAX_FILES; i++)
		n += (size_t)sprintf(big + n, "file ext f%d.o %s\n", i, H128);
	CHECK_EQ(manifest_parse(big, n, &m, err, sizeof(err)), -EINVAL);
	CHECK_CONTAINS(err, "more than 64 files");
	CHECK_EQ(manifest_parse(big, MANIFEST_MAX_SIZE + 1, &m, err, sizeof(err)), -EINVAL);
	CHECK_CONTAINS(err, "at most");
	free(big);
}

TEST(path_rules)
{
	CHECK_EQ(manifest_check_path("a/b/c.o", err, sizeof(err)), 0);
	CHECK_EQ(manifest_check_path("x..y", err, sizeof(err)), 0); /* ".." only as a component */
	CHECK_EQ(manifest_check_path("..", err, sizeof(err)), -EINVAL);
	CHECK_EQ(manifest_check_path("", err, sizeof(err)), -EINVAL);
	CHECK_EQ(manifest_check_path("dir/MANIFEST", err, sizeof(err)), 0);
}

TEST(rfc3339_times)
{
	int64_t t;
	struct tm tm = {.tm_year = 2026 - 1900, .tm_mon = 10, .tm_mday = 23, .tm_hour = 8};

	CHECK_EQ(trust_parse_time("1970-01-01T00:00:00Z", &t), 0);
	CHECK_EQ(t, 0);
	CHECK_EQ(trust_parse_time("2000-03-01T00:00:00Z", &t), 0);
	CHECK_EQ(t, 951868800);
	CHECK_EQ(trust_parse_time("2026-11-23T10:00:00+02:00", &t), 0);
	CHECK_EQ(t, (int64_t)timegm(&tm));
	CHECK_EQ(trust_parse_time("2026-11-23T03:30:00.123456-04:30", &t), 0);
	CHECK_EQ(t, (int64_t)timegm(&tm));
	CHECK_EQ(trust_parse_time("2024-02-29T12:00:00z", &t), 0);
	CHECK_EQ(trust_parse_time("2023-02-29T12:00:00Z", &t), -EINVAL);
	CHECK_EQ(trust_parse_time("2100-02-29T12:00:00Z", &t), -EINVAL);
	CHECK_EQ(trust_parse_time("2000-02-29T12:00:00Z", &t), 0);
	CHECK_EQ(trust_parse_time("2026-13-01T00:00:00Z", &t), -EINVAL);
	CHECK_EQ(trust_parse_time("2026-11-23T24:00:00Z", &t), -EINVAL);
	CHECK_EQ(trust_parse_time("2026-11-23T10:00:00+24:00", &t), -EINVAL);
	CHECK_EQ(trust_parse_time("2026-11-23T10:00:00.Z", &t), -EINVAL);
	CHECK_EQ(trust_parse_time("2026-11-23T10:00:00Zx", &t), -EINVAL);
	CHECK_EQ(trust_parse_time("2026-11-23 10:00:00Z", &t), -EINVAL);
	CHECK_EQ(trust_parse_time("1969-12-31T23:59:59Z", &t), -EINVAL);
}

TEST(bulwark_now_override)
{
	int64_t now;
	char e[256];

	setenv("BULWARK_NOW", "2030-01-01T00:00:00Z", 1);
	CHECK_EQ(trust_now(&now, e, sizeof(e)), 0);
	CHECK_EQ(now, 1893456000);
	setenv("BULWARK_NOW", "@12345", 1);
	CHECK_EQ(trust_now(&now, e, sizeof(e)), 0);
	CHECK_EQ(now, 12345);
	setenv("BULWARK_NOW", "tomorrow", 1);
	CHECK_EQ(trust_now(&now, e, sizeof(e)), -EINVAL);
	CHECK_CONTAINS(e, "BULWARK_NOW");
	unsetenv("BULWARK_NOW");
	CHECK_EQ(trust_now(&now, e, sizeof(e)), 0);
	CHECK(now > 1700000000);
}

TEST(vocabulary)
{
	CHECK_EQ(trust_hook_from_name("msr.write"), TRUST_HOOK_MSR_WRITE);
	CHECK_EQ(trust_hook_from_name("MSR.WRITE"), -1);
	CHECK_EQ(trust_helper_class_from_name("vcpu.regs.read"), TRUST_HC_VCPU_REGS_READ);
	CHECK_EQ(trust_agent_req_from_name("verdict"), TRUST_AR_VERDICT);
	for (int k = 0; k < TRUST_OBJ_KINDS; k++)
		for (int i = 0; i < trust_obj_count(k); i++)
			CHECK_EQ(trust_obj_from_name(k, trust_obj_name(k, i)), i);
	CHECK_STR(trust_hook_name(99), "?");
}

HARNESS_MAIN(parses_the_documented_format, minimal_manifest, write_round_trips,
	     write_refuses_invalid_fields, trusted_comment, refuses_malformed_manifests,
	     refuses_nul_long_lines_and_too_many_files, path_rules, rfc3339_times,
	     bulwark_now_override, vocabulary)
