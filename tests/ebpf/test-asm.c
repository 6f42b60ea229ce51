/* test-asm.c: the assembler and disassembler (src/ebpf/asm.c, disasm.c) and the conformance file
 * reader: exact encodings, round trips over every suite file and every valid encoding we can
 * enumerate, and error messages for bad text. */
#include <dirent.h>
#include <errno.h>

#include "harness.h"
#include "ebpf/asm.h"
#include "ebpf/conformance.h"

static char errbuf[256];

/* Assembles one line and returns its first slot (count in *n). */
static int asm1(const char *text, struct ebpf_insn *first, uint32_t *n)
{
	struct ebpf_insn *insns;
	uint32_t cnt;
	int rc = ebpf_asm(text, &insns, &cnt, errbuf, sizeof(errbuf));

	if (rc)
		return rc;
	if (cnt)
		*first = insns[0];
	*n = cnt;
	free(insns);
	return 0;
}

static uint64_t word(const struct ebpf_insn *i)
{
	uint64_t v;

	memcpy(&v, i, 8);
	return v;
}

#define CHECK_ENC(text, code_, dst_, src_, off_, imm_) \
	do {                                           \
		struct ebpf_insn i_ = {0};             \
		uint32_t n_ = 0;                       \
		int rc_ = asm1(text, &i_, &n_);        \
		CHECK_EQ(rc_, 0);                      \
		if (!rc_) {                            \
			CHECK_EQ(i_.code, code_);      \
			CHECK_EQ(i_.dst, dst_);        \
			CHECK_EQ(i_.src, src_);        \
			CHECK_EQ(i_.off, off_);        \
			CHECK_EQ(i_.imm, imm_);        \
		}                                      \
	} while (0)

TEST(encodings)
{
	CHECK_ENC("mov32 %r0, 0", 0xb4, 0, 0, 0, 0);
	CHECK_ENC("mov %r1, -1", 0xb7, 1, 0, 0, -1);
	CHECK_ENC("add %r2, %r3", 0x0f, 2, 3, 0, 0);
	CHECK_ENC("sdiv32 %r2, 7", 0x34, 2, 0, 1, 7);
	CHECK_ENC("smod %r2, %r9", 0x9f, 2, 9, 1, 0);
	CHECK_ENC("neg32 %r4", 0x84, 4, 0, 0, 0);
	CHECK_ENC("neg %r4", 0x87, 4, 0, 0, 0);
	CHECK_ENC("be16 %r0", 0xdc, 0, 0, 0, 16);
	CHECK_ENC("le64 %r0", 0xd4, 0, 0, 0, 64);
	CHECK_ENC("bswap32 %r5", 0xd7, 5, 0, 0, 32);
	CHECK_ENC("swap64 %r5", 0xd7, 5, 0, 0, 64);
	CHECK_ENC("movsx832 %r2, %r1", 0xbc, 2, 1, 8, 0);
	CHECK_ENC("movsx1664 %r8, %r7", 0xbf, 8, 7, 16, 0);
	CHECK_ENC("movsx3264 %r0, %r9", 0xbf, 0, 9, 32, 0);
	CHECK_ENC("ldxdw %r0, [%r10-8]", 0x79, 0, 10, -8, 0);
	CHECK_ENC("ldxb %r0, [%r1]", 0x71, 0, 1, 0, 0);
	CHECK_ENC("ldxsh %r0, [%r10-2]", 0x89, 0, 10, -2, 0);
	CHECK_ENC("ldxsw %r0, [%r1+4]", 0x81, 0, 1, 4, 0);
	CHECK_ENC("stw [%r1+2], 0x11223344", 0x62, 1, 0, 2, 0x11223344);
	CHECK_ENC("stxh [%r1 + 2], %r3", 0x6b, 1, 3, 2, 0);
	CHECK_ENC("stdw [%r10-8], -1", 0x7a, 10, 0, -8, -1);
	CHECK_ENC("ja +3", 0x05, 0, 0, 3, 0);
	CHECK_ENC("ja32 -2", 0x06, 0, 0, 0, -2);
	CHECK_ENC("gotol +7", 0x06, 0, 0, 0, 7);
	CHECK_ENC("jeq %r1, 0xa5, +2", 0x15, 1, 0, 2, 0xa5);
	CHECK_ENC("jsle32 %r1, %r2, -1", 0xde, 1, 2, -1, 0);
	CHECK_ENC("jset %r1, 2147483648, +0", 0x45, 1, 0, 0, INT32_MIN);
	CHECK_ENC("call 5", 0x85, 0, 0, 0, 5);
	CHECK_ENC("call %r2", 0x8d, 2, 0, 0, 0);
	CHECK_ENC("exit", 0x95, 0, 0, 0, 0);
	CHECK_ENC("lock add [%r10-8], %r1", 0xdb, 10, 1, -8, 0x00);
	CHECK_ENC("lock fetch xor32 [%r10-4], %r3", 0xc3, 10, 3, -4, 0xa1);
	CHECK_ENC("lock xchg32 [%r10-8], %r1", 0xc3, 10, 1, -8, 0xe1);
	CHECK_ENC("lock cmpxchg [%r10-8], %r1", 0xdb, 10, 1, -8, 0xf1);
	CHECK_ENC(".insn 0xff, 1, 2, -3, 4", 0xff, 1, 2, -3, 4);
}

TEST(lddw_and_labels)
{
	struct ebpf_insn *p;
	uint32_t n;

	CHECK_EQ(ebpf_asm("lddw %r0, 0x1122334455667788\nexit\n", &p, &n, errbuf, sizeof(errbuf)),
		 0);
	CHECK_EQ(n, 3);
	CHECK_EQ(word(&p[0]), 0x5566778800000018ull);
	CHECK_EQ(word(&p[1]), 0x1122334400000000ull);
	CHECK_EQ(word(&p[2]), 0x95);
	free(p);

	CHECK_EQ(ebpf_asm("lddw %r1, map_value 3 + 8\nlddw %r2, map_idx 1\n", &p, &n, errbuf,
			  sizeof(errbuf)),
		 0);
	CHECK_EQ(n, 4);
	CHECK_EQ(p[0].src, 2);
	CHECK_EQ(p[0].imm, 3);
	CHECK_EQ(p[1].imm, 8);
	CHECK_EQ(p[2].src, 5);
	CHECK_EQ(p[2].dst, 2);
	free(p);

	/* labels before and after, implicit `exit`, local calls, labels sharing a line */
	CHECK_EQ(ebpf_asm("  jeq %r1, 0, exit # comment\n"
			  "back: mov %r0, 1\n"
			  "ja fwd\n"
			  "exit\n"
			  "fwd:\n"
			  "call local back\n"
			  "ja32 back\n"
			  "jne %r0, %r1, back\n",
			  &p, &n, errbuf, sizeof(errbuf)),
		 0);
	CHECK_EQ(n, 7);
	CHECK_EQ(p[0].off, 2);	/* to the first exit at 3 */
	CHECK_EQ(p[2].off, 1);	/* fwd at 4 */
	CHECK_EQ(p[4].imm, -4); /* back at 1 from 4 */
	CHECK_EQ(p[4].src, 1);
	CHECK_EQ(p[5].imm, -5);
	CHECK_EQ(p[6].off, -6);
	free(p);

	/* an explicit label named exit wins over the implicit one */
	CHECK_EQ(ebpf_asm("ja exit\nexit\nexit:\nexit\n", &p, &n, errbuf, sizeof(errbuf)), 0);
	CHECK_EQ(p[0].off, 1);
	free(p);
	/* empty program */
	CHECK_EQ(ebpf_asm("# nothing\n\n", &p, &n, errbuf, sizeof(errbuf)), 0);
	CHECK_EQ(n, 0);
	free(p);
}

static void check_error(const char *text, const char *want)
{
	struct ebpf_insn *p = (struct ebpf_insn *)1;
	uint32_t n = 7;
	int rc = ebpf_asm(text, &p, &n, errbuf, sizeof(errbuf));

	CHECK_EQ(rc, -EINVAL);
	CHECK(p == NULL);
	CHECK_EQ(n, 0);
	CHECK_CONTAINS(errbuf, want);
}

TEST(errors_name_line_and_token)
{
	check_error("mov %r0, 1\nfrob %r0, 1\n", "line 2: unknown mnemonic 'frob'");
	check_error("mov %r16, 1", "line 1: bad register '%r16'");
	check_error("mov %r0, %rx", "bad register '%rx'");
	check_error("mov %r0", "line 1: 'mov' takes 2 operands, got 1");
	check_error("exit %r0", "'exit' takes 0 operands, got 1");
	check_error("mov %r0, 0x100000000", "immediate '0x100000000' does not fit in 32 bits");
	check_error("mov %r0, -2147483649", "immediate '-2147483649' does not fit in 32 bits");
	check_error("mov %r0, 12z", "bad number '12z'");
	check_error("lddw %r0, 0x10000000000000000", "bad number");
	check_error("ja +32768", "offset '+32768' does not fit in 16 bits");
	check_error("ldxw %r0, [%r1+40000]", "offset '40000' does not fit in 16 bits");
	check_error("ldxw %r0, %r1", "expected a memory operand");
	check_error("ldxw %r0, [%r1*2]", "bad register '%r1*2'");
	check_error("\n\nja nowhere\nexit\n", "line 3: unknown label 'nowhere'");
	check_error("a:\na:\nexit", "line 2: duplicate label 'a'");
	check_error("lock fetch xchg [%r1], %r2", "always fetches");
	check_error("lock nand [%r1], %r2", "unknown atomic operation 'nand'");
	check_error("call local", "'call local' needs one operand");
	check_error("call foo bar", "unexpected 'bar'");
	check_error("movsx816 %r0, %r1", "unknown mnemonic 'movsx816'");
	check_error("movsx832 %r0, 5", "needs a source register");
	check_error("ldxsdw %r0, [%r1]", "unknown mnemonic 'ldxsdw'");
	check_error("mov %r0,, 1", "empty operand");
	check_error("jeq %r0, 1, 2", "bad jump target '2'");
	check_error(".insn 0x100, 0, 0, 0, 0", "opcode '0x100' out of range");
	check_error("1abc: exit", "bad label name '1abc'");
	check_error("lddw %r0, map_fd", "'map_fd' needs a number");
	check_error("lddw %r0, map_fd 1 + 2", "unexpected '+'");
}

/* asm(disasm(x)) == x for one instruction (1 or 2 slots) */
static int round_trip(const struct ebpf_insn *insns, uint32_t n, uint32_t pc, bool *valid)
{
	char text[128];
	struct ebpf_insn *back;
	uint32_t nb;
	int slots = ebpf_disasm_insn(insns, n, pc, text, sizeof(text));

	*valid = slots > 0;
	if (ebpf_asm(text, &back, &nb, errbuf, sizeof(errbuf))) {
		printf("#   '%s' does not assemble: %s\n", text, errbuf);
		return -1;
	}
	if (nb != (uint32_t)(slots > 0 ? slots : 1) || memcmp(back, &insns[pc], nb * 8)) {
		printf("#   round trip of %016llx at %u via '%s' differs\n",
		       (unsigned long long)word(&insns[pc]), pc, text);
		free(back);
		return -1;
	}
	free(back);
	return slots > 0 ? slots : 1;
}

static int conf_files(char names[][64], int max)
{
	char dir[4096];
	DIR *d = opendir(ebpf_conf_dir(BULWARK_SRC_ROOT, dir, sizeof(dir)));
	struct dirent *e;
	int n = 0;

	if (!d) {
		printf("# conformance suite missing at %s\n", dir);
		return -1;
	}
	while ((e = readdir(d)) && n < max) {
		size_t l = strlen(e->d_name);

		if (l > 5 && l < 64 && !strcmp(e->d_name + l - 5, ".data"))
			snprintf(names[n++], 64, "%s", e->d_name);
	}
	closedir(d);
	return n;
}

TEST(suite_round_trip)
{
	static char names[512][64];
	int n = conf_files(names, 512), insns_checked = 0, raw_checked = 0;
	char dir[2048], path[4400];

	CHECK(n >= 313);
	ebpf_conf_dir(BULWARK_SRC_ROOT, dir, sizeof(dir));
	for (int f = 0; f < n; f++) {
		struct ebpf_conf_test t;
		struct ebpf_insn *p;
		uint32_t np, pc;
		bool valid;
		int s;

		snprintf(path, sizeof(path), "%s/%.63s", dir, names[f]);
		if (ebpf_conf_load(path, &t, errbuf, sizeof(errbuf))) {
			printf("#   %s\n", errbuf);
			CHECK(0);
			continue;
		}
		CHECK(t.asm_text != NULL);
		CHECK(t.has_result);
		if (!t.asm_text || ebpf_asm(t.asm_text, &p, &np, errbuf, sizeof(errbuf))) {
			printf("#   %s: %s\n", names[f], errbuf);
			CHECK(0);
			ebpf_conf_free(&t);
			continue;
		}
		CHECK(np > 0);
		for (pc = 0; pc < np; pc += s) {
			s = round_trip(p, np, pc, &valid);
			CHECK(s > 0);
			if (s <= 0)
				break;
			if (!valid)
				printf("#   %s: slot %u is not a valid encoding\n", names[f], pc);
			CHECK(valid);
			insns_checked++;
		}
		if (t.raw) {
			CHECK_EQ(t.n_raw, np);
			CHECK(t.n_raw == np && !memcmp(t.raw, p, np * 8));
			raw_checked++;
		}
		free(p);
		ebpf_conf_free(&t);
	}
	printf("# %d files, %d instructions round-tripped, %d raw sections matched\n", n,
	       insns_checked, raw_checked);
	CHECK(insns_checked > 2500);
	CHECK(raw_checked >= 1);
}

/* Every opcode with many field values: whatever the disassembler calls valid must round-trip
 * exactly, and invalid slots must round-trip through .insn. */
TEST(enumerated_encodings_round_trip)
{
	static const uint8_t srcs[] = {0, 1, 2, 5, 6, 10, 11, 15};
	static const int16_t offs[] = {0, 1, -1, 8, 16, 32, 0x7fff, -0x8000};
	static const int32_t imms[] = {0,    1,	   -1,	 16,   32,   64,   INT32_MIN, INT32_MAX,
				       0x40, 0x41, 0x50, 0x51, 0xa0, 0xa1, 0xe1,      0xf1};
	unsigned valid_count = 0, total = 0;
	bool failed = false;

	for (unsigned code = 0; code < 256 && !failed; code++)
		for (unsigned dst = 0; dst < 16 && !failed; dst += 3)
			for (unsigned si = 0; si < sizeof(srcs) && !failed; si++)
				for (size_t o = 0; o < sizeof(offs) / 2 && !failed; o++)
					for (size_t k = 0; k < sizeof(imms) / 4; k++) {
						struct ebpf_insn in[2] = {{0}};
						bool valid;

						in[0].code = (uint8_t)code;
						in[0].dst = dst;
						in[0].src = srcs[si];
						in[0].off = offs[o];
						in[0].imm = imms[k];
						in[1].imm = imms[(k + 3) % 16];
						total++;
						if (round_trip(in, 2, 0, &valid) < 0) {
							failed = true;
							break;
						}
						valid_count += valid;
					}
	CHECK(!failed);
	printf("# %u encodings, %u valid ones round-tripped\n", total, valid_count);
	CHECK(valid_count > 10000);
}

TEST(disasm_rejects_reserved_encodings)
{
	struct ebpf_insn i[2] = {{0}};
	char buf[128];

	i[0].code = 0x18; /* lddw without its second slot */
	CHECK_EQ(ebpf_disasm_insn(i, 1, 0, buf, sizeof(buf)), -EINVAL);
	CHECK_CONTAINS(buf, ".insn 0x18");
	i[0].code = 0xb7;
	i[0].src = 1; /* mov imm with a source register */
	CHECK_EQ(ebpf_disasm_insn(i, 1, 0, buf, sizeof(buf)), -EINVAL);
	i[0] = (struct ebpf_insn){.code = 0xbc, .src = 1, .off = 32}; /* movsx3232 */
	CHECK_EQ(ebpf_disasm_insn(i, 1, 0, buf, sizeof(buf)), -EINVAL);
	i[0] = (struct ebpf_insn){.code = 0xdf, .imm = 16}; /* ALU64 END with X */
	CHECK_EQ(ebpf_disasm_insn(i, 1, 0, buf, sizeof(buf)), -EINVAL);
	i[0] = (struct ebpf_insn){.code = 0xdb, .imm = 0x02}; /* bad atomic op */
	CHECK_EQ(ebpf_disasm_insn(i, 1, 0, buf, sizeof(buf)), -EINVAL);
	i[0] = (struct ebpf_insn){.code = 0xd3, .imm = 0}; /* atomic on a byte */
	CHECK_EQ(ebpf_disasm_insn(i, 1, 0, buf, sizeof(buf)), -EINVAL);
	i[0] = (struct ebpf_insn){.code = 0xb7, .dst = 11}; /* r11 */
	CHECK_EQ(ebpf_disasm_insn(i, 1, 0, buf, sizeof(buf)), -EINVAL);
	i[0] = (struct ebpf_insn){.code = 0x96}; /* exit in JMP32 */
	CHECK_EQ(ebpf_disasm_insn(i, 1, 0, buf, sizeof(buf)), -EINVAL);
	i[0] = (struct ebpf_insn){.code = 0x95};
	CHECK_EQ(ebpf_disasm_insn(i, 1, 0, buf, sizeof(buf)), 1);
	CHECK_STR(buf, "exit");
	CHECK_EQ(ebpf_disasm_insn(i, 1, 1, buf, sizeof(buf)), -EINVAL); /* pc out of range */
	i[0] = (struct ebpf_insn){.code = 0x18, .dst = 3, .imm = -1};
	i[1] = (struct ebpf_insn){.imm = 0x7fffffff};
	CHECK_EQ(ebpf_disasm_insn(i, 2, 0, buf, sizeof(buf)), 2);
	CHECK_STR(buf, "lddw %r3, 0x7fffffffffffffff");
	i[0] = (struct ebpf_insn){.code = 0x79, .dst = 0, .src = 10, .off = -8};
	CHECK_EQ(ebpf_disasm_insn(i, 1, 0, buf, sizeof(buf)), 1);
	CHECK_STR(buf, "ldxdw %r0, [%r10-8]");
	/* tiny buffers are truncated, never overrun */
	CHECK_EQ(ebpf_disasm_insn(i, 1, 0, buf, 4), 1);
	CHECK_STR(buf, "ldx");
}

TEST(conformance_reader)
{
	struct ebpf_conf_test t;

	CHECK_EQ(ebpf_conf_parse("# c\n-- asm\nmov %r0, 1\n# x\nexit\n-- mem\n00 ff\n 1a\n"
				 "-- result\n0xffffffffffffffff\n-- error\nboom\n-- c\nint x;\n",
				 &t, errbuf, sizeof(errbuf)),
		 0);
	CHECK_STR(t.asm_text, "mov %r0, 1\n# x\nexit\n");
	CHECK_EQ(t.mem_len, 3);
	CHECK(t.mem && t.mem[0] == 0 && t.mem[1] == 0xff && t.mem[2] == 0x1a);
	CHECK(t.has_result);
	CHECK(t.result == UINT64_MAX);
	CHECK_STR(t.error, "boom");
	ebpf_conf_free(&t);
	CHECK_EQ(ebpf_conf_parse("-- mem\n0g\n", &t, errbuf, sizeof(errbuf)), -EINVAL);
	CHECK_CONTAINS(errbuf, "line 2: bad memory byte '0g'");
	CHECK_EQ(ebpf_conf_parse("-- result\nzz\n", &t, errbuf, sizeof(errbuf)), -EINVAL);
	CHECK_CONTAINS(errbuf, "bad result 'zz'");
}

HARNESS_MAIN(encodings, lddw_and_labels, errors_name_line_and_token, suite_round_trip,
	     enumerated_encodings_round_trip, disasm_rejects_reserved_encodings, conformance_reader)
