/* harness.h: bulwark's unit-test harness. Each test binary is a list of TEST() functions; the
 * harness runs them all and prints TAP ("ok N - name", "not ok N - name", "ok N - name # SKIP why")
 * which tests/run-tests.sh counts. A failed CHECK prints the file, line and expression and marks
 * the test failed; the test goes on so one run shows every broken assertion.
 *
 *   #include "harness.h"
 *   TEST(parses_header) { CHECK(parse(buf) == 0); CHECK_EQ(x, 3); }
 *   TEST(needs_root) { if (geteuid()) { SKIP("needs root"); return; } ... }
 *   HARNESS_MAIN(parses_header, needs_root)
 *
 * A test binary may also be given test names on its command line to run only those. */
#ifndef BULWARK_TEST_HARNESS_H
#define BULWARK_TEST_HARNESS_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct harness_test {
	const char *name;
	void (*fn)(void);
};

static int harness_failed_checks;
static const char *harness_skip_reason;

#define TEST(name) static void name(void)

#define CHECK(expr)                                                                         \
	do {                                                                                \
		if (!(expr)) {                                                              \
			printf("#   %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #expr); \
			harness_failed_checks++;                                            \
		}                                                                           \
	} while (0)

#define CHECK_EQ(a, b)                                                                          \
	do {                                                                                    \
		long long harness_a_ = (long long)(a), harness_b_ = (long long)(b);             \
		if (harness_a_ != harness_b_) {                                                 \
			printf("#   %s:%d: CHECK_EQ(%s, %s) failed: %lld != %lld (0x%llx != "   \
			       "0x%llx)\n",                                                     \
			       __FILE__, __LINE__, #a, #b, harness_a_, harness_b_,              \
			       (unsigned long long)harness_a_, (unsigned long long)harness_b_); \
			harness_failed_checks++;                                                \
		}                                                                               \
	} while (0)

#define CHECK_STR(a, b)                                                                        \
	do {                                                                                   \
		const char *harness_a_ = (a), *harness_b_ = (b);                               \
		if (!harness_a_ || !harness_b_ || strcmp(harness_a_, harness_b_)) {            \
			printf("#   %s:%d: CHECK_STR(%s, %s) failed: \"%s\" != \"%s\"\n",      \
			       __FILE__, __LINE__, #a, #b, harness_a_ ? harness_a_ : "(null)", \
			       harness_b_ ? harness_b_ : "(null)");                            \
			harness_failed_checks++;                                               \
		}                                                                              \
	} while (0)

/* Checks that haystack contains needle (for error messages). */
#define CHECK_CONTAINS(haystack, needle)                                                          \
	do {                                                                                      \
		const char *harness_h_ = (haystack), *harness_n_ = (needle);                      \
		if (!harness_h_ || !strstr(harness_h_, harness_n_)) {                             \
			printf("#   %s:%d: \"%s\" does not contain \"%s\"\n", __FILE__, __LINE__, \
			       harness_h_ ? harness_h_ : "(null)", harness_n_);                   \
			harness_failed_checks++;                                                  \
		}                                                                                 \
	} while (0)

/* Marks the current test skipped, with the reason printed and counted; return after it. */
#define SKIP(reason) (harness_skip_reason = (reason))

static inline int harness_run(const struct harness_test *tests, size_t n, int argc, char **argv)
{
	size_t i, run = 0;
	int failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < n; i++) {
		bool selected = argc < 2;

		for (int a = 1; a < argc; a++)
			if (!strcmp(argv[a], tests[i].name))
				selected = true;
		run += selected;
	}
	printf("1..%zu\n", run);
	run = 0;
	for (i = 0; i < n; i++) {
		bool selected = argc < 2;

		for (int a = 1; a < argc; a++)
			if (!strcmp(argv[a], tests[i].name))
				selected = true;
		if (!selected)
			continue;
		harness_failed_checks = 0;
		harness_skip_reason = NULL;
		tests[i].fn();
		run++;
		if (harness_failed_checks) {
			printf("not ok %zu - %s\n", run, tests[i].name);
			failed++;
		} else if (harness_skip_reason) {
			printf("ok %zu - %s # SKIP %s\n", run, tests[i].name, harness_skip_reason);
		} else {
			printf("ok %zu - %s\n", run, tests[i].name);
		}
	}
	return failed ? 1 : 0;
}

#define HARNESS_ENTRY_(t) {#t, t},
#define HARNESS_MAP0_(f, x) f(x)
#define HARNESS_MAIN(...)                                                                \
	int main(int argc, char **argv)                                                  \
	{                                                                                \
		static const struct harness_test tests[] = {                             \
		    HARNESS_FOREACH_(HARNESS_ENTRY_, __VA_ARGS__)};                      \
		return harness_run(tests, sizeof(tests) / sizeof(tests[0]), argc, argv); \
	}

/* Applies m to up to 64 arguments. */
#define HARNESS_FOREACH_(m, ...) HARNESS_FE_N_(__VA_ARGS__, HARNESS_FE_SEQ_)(m, __VA_ARGS__)
#define HARNESS_FE_N_(...) HARNESS_FE_ARG_(__VA_ARGS__)
#define HARNESS_FE_ARG_(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16,     \
			_17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, \
			_32, _33, _34, _35, _36, _37, _38, _39, _40, _41, _42, _43, _44, _45, _46, \
			_47, _48, _49, _50, _51, _52, _53, _54, _55, _56, _57, _58, _59, _60, _61, \
			_62, _63, _64, N, ...)                                                     \
	HARNESS_FE_##N
#define HARNESS_FE_SEQ_                                                                         \
	64, 63, 62, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46, 45, 44, 43, \
	    42, 41, 40, 39, 38, 37, 36, 35, 34, 33, 32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, \
	    21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1
#define HARNESS_FE_1(m, x) m(x)
#define HARNESS_FE_2(m, x, ...) m(x) HARNESS_FE_1(m, __VA_ARGS__)
#define HARNESS_FE_3(m, x, ...) m(x) HARNESS_FE_2(m, __VA_ARGS__)
#define HARNESS_FE_4(m, x, ...) m(x) HARNESS_FE_3(m, __VA_ARGS__)
#define HARNESS_FE_5(m, x, ...) m(x) HARNESS_FE_4(m, __VA_ARGS__)
#define HARNESS_FE_6(m, x, ...) m(x) HARNESS_FE_5(m, __VA_ARGS__)
#define HARNESS_FE_7(m, x, ...) m(x) HARNESS_FE_6(m, __VA_ARGS__)
#define HARNESS_FE_8(m, x, ...) m(x) HARNESS_FE_7(m, __VA_ARGS__)
#define HARNESS_FE_9(m, x, ...) m(x) HARNESS_FE_8(m, __VA_ARGS__)
#define HARNESS_FE_10(m, x, ...) m(x) HARNESS_FE_9(m, __VA_ARGS__)
#define HARNESS_FE_11(m, x, ...) m(x) HARNESS_FE_10(m, __VA_ARGS__)
#define HARNESS_FE_12(m, x, ...) m(x) HARNESS_FE_11(m, __VA_ARGS__)
#define HARNESS_FE_13(m, x, ...) m(x) HARNESS_FE_12(m, __VA_ARGS__)
#define HARNESS_FE_14(m, x, ...) m(x) HARNESS_FE_13(m, __VA_ARGS__)
#define HARNESS_FE_15(m, x, ...) m(x) HARNESS_FE_14(m, __VA_ARGS__)
#define HARNESS_FE_16(m, x, ...) m(x) HARNESS_FE_15(m, __VA_ARGS__)
#define HARNESS_FE_17(m, x, ...) m(x) HARNESS_FE_16(m, __VA_ARGS__)
#define HARNESS_FE_18(m, x, ...) m(x) HARNESS_FE_17(m, __VA_ARGS__)
#define HARNESS_FE_19(m, x, ...) m(x) HARNESS_FE_18(m, __VA_ARGS__)
#define HARNESS_FE_20(m, x, ...) m(x) HARNESS_FE_19(m, __VA_ARGS__)
#define HARNESS_FE_21(m, x, ...) m(x) HARNESS_FE_20(m, __VA_ARGS__)
#define HARNESS_FE_22(m, x, ...) m(x) HARNESS_FE_21(m, __VA_ARGS__)
#define HARNESS_FE_23(m, x, ...) m(x) HARNESS_FE_22(m, __VA_ARGS__)
#define HARNESS_FE_24(m, x, ...) m(x) HARNESS_FE_23(m, __VA_ARGS__)
#define HARNESS_FE_25(m, x, ...) m(x) HARNESS_FE_24(m, __VA_ARGS__)
#define HARNESS_FE_26(m, x, ...) m(x) HARNESS_FE_25(m, __VA_ARGS__)
#define HARNESS_FE_27(m, x, ...) m(x) HARNESS_FE_26(m, __VA_ARGS__)
#define HARNESS_FE_28(m, x, ...) m(x) HARNESS_FE_27(m, __VA_ARGS__)
#define HARNESS_FE_29(m, x, ...) m(x) HARNESS_FE_28(m, __VA_ARGS__)
#define HARNESS_FE_30(m, x, ...) m(x) HARNESS_FE_29(m, __VA_ARGS__)
#define HARNESS_FE_31(m, x, ...) m(x) HARNESS_FE_30(m, __VA_ARGS__)
#define HARNESS_FE_32(m, x, ...) m(x) HARNESS_FE_31(m, __VA_ARGS__)
#define HARNESS_FE_33(m, x, ...) m(x) HARNESS_FE_32(m, __VA_ARGS__)
#define HARNESS_FE_34(m, x, ...) m(x) HARNESS_FE_33(m, __VA_ARGS__)
#define HARNESS_FE_35(m, x, ...) m(x) HARNESS_FE_34(m, __VA_ARGS__)
#define HARNESS_FE_36(m, x, ...) m(x) HARNESS_FE_35(m, __VA_ARGS__)
#define HARNESS_FE_37(m, x, ...) m(x) HARNESS_FE_36(m, __VA_ARGS__)
#define HARNESS_FE_38(m, x, ...) m(x) HARNESS_FE_37(m, __VA_ARGS__)
#define HARNESS_FE_39(m, x, ...) m(x) HARNESS_FE_38(m, __VA_ARGS__)
#define HARNESS_FE_40(m, x, ...) m(x) HARNESS_FE_39(m, __VA_ARGS__)
#define HARNESS_FE_41(m, x, ...) m(x) HARNESS_FE_40(m, __VA_ARGS__)
#define HARNESS_FE_42(m, x, ...) m(x) HARNESS_FE_41(m, __VA_ARGS__)
#define HARNESS_FE_43(m, x, ...) m(x) HARNESS_FE_42(m, __VA_ARGS__)
#define HARNESS_FE_44(m, x, ...) m(x) HARNESS_FE_43(m, __VA_ARGS__)
#define HARNESS_FE_45(m, x, ...) m(x) HARNESS_FE_44(m, __VA_ARGS__)
#define HARNESS_FE_46(m, x, ...) m(x) HARNESS_FE_45(m, __VA_ARGS__)
#define HARNESS_FE_47(m, x, ...) m(x) HARNESS_FE_46(m, __VA_ARGS__)
#define HARNESS_FE_48(m, x, ...) m(x) HARNESS_FE_47(m, __VA_ARGS__)
#define HARNESS_FE_49(m, x, ...) m(x) HARNESS_FE_48(m, __VA_ARGS__)
#define HARNESS_FE_50(m, x, ...) m(x) HARNESS_FE_49(m, __VA_ARGS__)
#define HARNESS_FE_51(m, x, ...) m(x) HARNESS_FE_50(m, __VA_ARGS__)
#define HARNESS_FE_52(m, x, ...) m(x) HARNESS_FE_51(m, __VA_ARGS__)
#define HARNESS_FE_53(m, x, ...) m(x) HARNESS_FE_52(m, __VA_ARGS__)
#define HARNESS_FE_54(m, x, ...) m(x) HARNESS_FE_53(m, __VA_ARGS__)
#define HARNESS_FE_55(m, x, ...) m(x) HARNESS_FE_54(m, __VA_ARGS__)
#define HARNESS_FE_56(m, x, ...) m(x) HARNESS_FE_55(m, __VA_ARGS__)
#define HARNESS_FE_57(m, x, ...) m(x) HARNESS_FE_56(m, __VA_ARGS__)
#define HARNESS_FE_58(m, x, ...) m(x) HARNESS_FE_57(m, __VA_ARGS__)
#define HARNESS_FE_59(m, x, ...) m(x) HARNESS_FE_58(m, __VA_ARGS__)
#define HARNESS_FE_60(m, x, ...) m(x) HARNESS_FE_59(m, __VA_ARGS__)
#define HARNESS_FE_61(m, x, ...) m(x) HARNESS_FE_60(m, __VA_ARGS__)
#define HARNESS_FE_62(m, x, ...) m(x) HARNESS_FE_61(m, __VA_ARGS__)
#define HARNESS_FE_63(m, x, ...) m(x) HARNESS_FE_62(m, __VA_ARGS__)
#define HARNESS_FE_64(m, x, ...) m(x) HARNESS_FE_63(m, __VA_ARGS__)

#endif
