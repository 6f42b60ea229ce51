/* test_run_opts.c: `bulwark run` option parsing: defaults, every option, repeatable --disk/--net,
 * and each kind of bad value refused with the option named. */
#include <errno.h>

#include "cli/run_opts.h"
#include "harness.h"

static int parse(struct run_opts *o, char *err, size_t errlen, const char **args)
{
	char *argv[32];
	int argc = 0;

	argv[argc++] = (char *)"run";
	for (; *args; args++)
		argv[argc++] = (char *)*args;
	argv[argc] = NULL;
	err[0] = '\0';
	return run_opts_parse(argc, argv, o, err, errlen);
}

#define PARSE(o, err, ...) parse(o, err, sizeof(err), (const char *[]){__VA_ARGS__, NULL})

TEST(defaults)
{
	struct run_opts o;
	char err[256];

	CHECK_EQ(PARSE(&o, err, "--kernel", "k"), 0);
	CHECK_STR(o.kernel, "k");
	CHECK_EQ(o.mem_mib, 256);
	CHECK_EQ(o.cpus, 1);
	CHECK_EQ(o.n_disks, 0);
	CHECK_EQ(o.n_nets, 0);
	CHECK(!o.initrd && !o.cmdline && !o.help && !o.no_sandbox);
	CHECK_EQ(PARSE(&o, err, "--no-sandbox", "--kernel", "k"), 0);
	CHECK(o.no_sandbox);
}

TEST(all_options)
{
	struct run_opts o;
	char err[256];

	CHECK_EQ(PARSE(&o, err, "--kernel", "bz", "--initrd", "ird", "--cmdline", "console=ttyS0",
		       "--mem", "1024", "--cpus", "8", "--disk", "a.img", "--disk", "b.img,ro",
		       "--net", "tap=tap0", "--net", "mac=02:AA:bb:cc:dd:0e,tap=t1,queues=4"),
		 0);
	CHECK_STR(err, "");
	CHECK_STR(o.initrd, "ird");
	CHECK_STR(o.cmdline, "console=ttyS0");
	CHECK_EQ(o.mem_mib, 1024);
	CHECK_EQ(o.cpus, 8);
	CHECK_EQ(o.n_disks, 2);
	CHECK_STR(o.disk[0].path, "a.img");
	CHECK(!o.disk[0].readonly);
	CHECK_STR(o.disk[1].path, "b.img");
	CHECK(o.disk[1].readonly);
	CHECK_EQ(o.n_nets, 2);
	CHECK_STR(o.net[0].tap, "tap0");
	CHECK(!o.net[0].has_mac);
	CHECK_EQ(o.net[0].queues, 1); /* default: one queue pair */
	CHECK_EQ(o.net[1].queues, 4);
	CHECK_STR(o.net[1].tap, "t1");
	CHECK(o.net[1].has_mac);
	CHECK_EQ(o.net[1].mac[0], 0x02);
	CHECK_EQ(o.net[1].mac[1], 0xaa);
	CHECK_EQ(o.net[1].mac[5], 0x0e);
	/* --opt=value form */
	CHECK_EQ(PARSE(&o, err, "--kernel=k2", "--mem=64"), 0);
	CHECK_STR(o.kernel, "k2");
	CHECK_EQ(o.mem_mib, 64);
}

TEST(help)
{
	struct run_opts o;
	char err[256];

	CHECK_EQ(PARSE(&o, err, "--help"), 0);
	CHECK(o.help);
}

TEST(bad_values_name_the_option)
{
	static const struct {
		const char *args[6];
		const char *named;
	} cases[] = {
	    {{"--mem", "0", "--kernel", "k"}, "--mem"},
	    {{"--mem", "12x", "--kernel", "k"}, "--mem"},
	    {{"--mem", "-5", "--kernel", "k"}, "--mem"},
	    {{"--mem", "99999999999999999999", "--kernel", "k"}, "--mem"},
	    {{"--cpus", "0", "--kernel", "k"}, "--cpus"},
	    {{"--cpus", "65", "--kernel", "k"}, "--cpus"},
	    {{"--cpus", "", "--kernel", "k"}, "--cpus"},
	    {{"--disk", ",ro", "--kernel", "k"}, "--disk"},
	    {{"--disk", "x,rw", "--kernel", "k"}, "--disk"},
	    {{"--net", "tap=", "--kernel", "k"}, "--net"},
	    {{"--net", "tap=0123456789abcdef", "--kernel", "k"}, "--net"},
	    {{"--net", "mac=02:00:00:00:00:01", "--kernel", "k"}, "--net"},
	    {{"--net", "tap=t,mac=02:00:00:00:00", "--kernel", "k"}, "--net"},
	    {{"--net", "tap=t,mac=02:00:00:00:00:01:", "--kernel", "k"}, "--net"},
	    {{"--net", "tap=t,mac=03:00:00:00:00:01", "--kernel", "k"}, "--net"},
	    {{"--net", "tap=t,speed=10", "--kernel", "k"}, "--net"},
	    {{"--net", "tap=t,queues=0", "--kernel", "k"}, "queues=0"},
	    {{"--net", "tap=t,queues=9", "--kernel", "k"}, "queues=9"},
	    {{"--net", "tap=t,queues=", "--kernel", "k"}, "queues="},
	    {{"--net", "tap=t,queues=2x", "--kernel", "k"}, "queues=2x"},
	    {{"--kernel", "k", "--kernel", "k2"}, "--kernel"},
	    {{"--kernel", ""}, "--kernel"},
	    {{"--mem", "64"}, "--kernel"},
	    {{"--kernel", "k", "--what"}, "--what"},
	    {{"--kernel", "k", "stray"}, "stray"},
	    {{"--kernel", "k", "--mem"}, "--mem"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct run_opts o;
		char err[256];
		const char *args[8] = {0};

		for (int j = 0; j < 6 && cases[i].args[j]; j++)
			args[j] = cases[i].args[j];
		CHECK_EQ(parse(&o, err, sizeof(err), args), -EINVAL);
		CHECK_CONTAINS(err, cases[i].named);
	}
}

TEST(repeat_limits)
{
	struct run_opts o;
	char err[256];
	const char *args[2 * RUN_MAX_DISKS + 6] = {"--kernel", "k"};
	int n = 2;

	for (int i = 0; i <= RUN_MAX_DISKS; i++) {
		args[n++] = "--disk";
		args[n++] = "d.img";
	}
	args[n] = NULL;
	CHECK_EQ(parse(&o, err, sizeof(err), args), -EINVAL);
	CHECK_CONTAINS(err, "--disk");
	args[n - 2] = NULL;
	CHECK_EQ(parse(&o, err, sizeof(err), args), 0);
	CHECK_EQ(o.n_disks, RUN_MAX_DISKS);
}

HARNESS_MAIN(defaults, all_options, help, bad_values_name_the_option, repeat_limits)
