/* test-conformance.c: the conformance runner. Every file of the BPF conformance suite
 * ($BULWARK_SHARED/conformance/tests, default <source root>/../shared/conformance/tests; missing
 * is a failure) is assembled with bulwark's assembler (its `-- raw` section, when present, must
 * equal the assembly), then run through the conformance plugin of the same build
 * (<build>/bulwark-conformance-plugin, found next to this binary's build tree, or
 * $BULWARK_CONFORMANCE_PLUGIN) exactly as the upstream runner does: program as one line of hex
 * on stdin, `-- mem` bytes as the first argument, --interpret or --jit, r0 in hex on stdout.
 * r0 must equal `-- result` (files with `-- error` must fail). One TAP line per file per engine,
 * and a count per engine at the end. While the JIT is not in the tree (EBPF_CORE_HAVE_JIT, set by
 * src/ebpf/meson.build), its lines are counted as skipped with that reason. */
#include <dirent.h>
#include <stdarg.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ebpf/asm.h"
#include "ebpf/conformance.h"

static int tap_n, tap_failed;

static void tap(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void tap(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", ok ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	tap_failed += !ok;
}

static void diag(const char *text)
{
	char line[512];
	const char *p = text;

	while (*p) {
		size_t n = strcspn(p, "\n");

		snprintf(line, sizeof(line), "%.*s", (int)(n < 400 ? n : 400), p);
		printf("#   %s\n", line);
		p += n;
		if (*p)
			p++;
	}
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs the plugin; out/err get its standard output and error (NUL-terminated, truncated).
 * Returns its exit status, 128+signal, or -1 on timeout or failure to start. */
static int run_plugin(const char *plugin, const char *mem_hex, const char *engine, const char *hex,
		      char *out, size_t outlen, char *err, size_t errlen)
{
	int in_p[2], out_p[2], err_p[2], status;
	size_t no = 0, ne = 0, written = 0, hexlen = strlen(hex);
	struct timespec start, now;
	pid_t pid;
	bool timed_out = false;

	out[0] = err[0] = 0;
	if (pipe(in_p) || pipe(out_p) || pipe(err_p))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		char *argv[4];
		int a = 0;

		dup2(in_p[0], 0);
		dup2(out_p[1], 1);
		dup2(err_p[1], 2);
		close(in_p[1]);
		close(out_p[0]);
		close(err_p[0]);
		argv[a++] = (char *)plugin;
		if (mem_hex)
			argv[a++] = (char *)mem_hex;
		argv[a++] = (char *)engine;
		argv[a] = NULL;
		execv(plugin, argv);
		fprintf(stderr, "cannot run %s: %s\n", plugin, strerror(errno));
		_exit(127);
	}
	close(in_p[0]);
	close(out_p[1]);
	close(err_p[1]);
	clock_gettime(CLOCK_MONOTONIC, &start);
	signal(SIGPIPE, SIG_IGN);
	for (;;) {
		struct pollfd fds[3] = {
		    {in_p[1], POLLOUT, 0}, {out_p[0], POLLIN, 0}, {err_p[0], POLLIN, 0}};
		long waited;
		int r;

		if (fds[0].fd < 0 && out_p[0] < 0 && err_p[0] < 0)
			break;
		fds[0].fd = in_p[1];
		fds[1].fd = out_p[0];
		fds[2].fd = err_p[0];
		r = poll(fds, 3, 1000);
		clock_gettime(CLOCK_MONOTONIC, &now);
		waited = (long)(now.tv_sec - start.tv_sec);
		if (waited > 20) {
			timed_out = true;
			kill(pid, SIGKILL);
			break;
		}
		if (r <= 0)
			continue;
		if (in_p[1] >= 0 && (fds[0].revents & (POLLOUT | POLLERR | POLLHUP))) {
			ssize_t w = write(in_p[1], hex + written, hexlen - written);

			if (w > 0)
				written += (size_t)w;
			if (w <= 0 || written == hexlen) {
				close(in_p[1]);
				in_p[1] = -1;
			}
		}
		for (int k = 1; k < 3; k++) {
			int *fd = k == 1 ? &out_p[0] : &err_p[0];
			char *buf = k == 1 ? out : err;
			size_t *n = k == 1 ? &no : &ne, len = k == 1 ? outlen : errlen;
			char tmp[4096];
			ssize_t rd;

			if (*fd < 0 || !(fds[k].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			rd = read(*fd, tmp, sizeof(tmp));
			if (rd <= 0) {
				close(*fd);
				*fd = -1;
				continue;
			}
			for (ssize_t i = 0; i < rd && *n + 1 < len; i++)
				buf[(*n)++] = tmp[i];
			buf[*n] = 0;
		}
	}
	if (in_p[1] >= 0)
		close(in_p[1]);
	if (out_p[0] >= 0)
		close(out_p[0]);
	if (err_p[0] >= 0)
		close(err_p[0]);
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	if (timed_out)
		return -1;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static void find_plugin(char *buf, size_t len)
{
	const char *env = getenv("BULWARK_CONFORMANCE_PLUGIN");
	char exe[PATH_MAX];
	ssize_t n;

	if (env && *env) {
		snprintf(buf, len, "%s", env);
		return;
	}
	/* this binary is <build>/tests/ebpf/test-conformance */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0) {
		snprintf(buf, len, "build/bulwark-conformance-plugin");
		return;
	}
	exe[n] = 0;
	for (int up = 0; up < 3; up++) {
		char *slash = strrchr(exe, '/');

		if (slash)
			*slash = 0;
	}
	snprintf(buf, len, "%.*s/bulwark-conformance-plugin", (int)(len - 32), exe);
}

int main(void)
{
	static const char *const engines[] = {"--interpret", "--jit"};
	unsigned pass[2] = {0}, total = 0;
	char dir[2048], plugin[PATH_MAX], path[2400], err[512];
	char *names[1024];
	int n = 0;
	struct dirent *e;
	DIR *d;

	setvbuf(stdout, NULL, _IOLBF, 0);
	find_plugin(plugin, sizeof(plugin));
	ebpf_conf_dir(BULWARK_SRC_ROOT, dir, sizeof(dir));
	d = opendir(dir);
	if (!d) {
		tap(false, "conformance suite present at %s (%s)", dir, strerror(errno));
		printf("1..%d\n", tap_n);
		return 1;
	}
	while ((e = readdir(d)) && n < 1024) {
		size_t l = strlen(e->d_name);

		if (l > 5 && !strcmp(e->d_name + l - 5, ".data"))
			names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_names);
	if (access(plugin, X_OK)) {
		tap(false, "conformance plugin at %s (%s)", plugin, strerror(errno));
		printf("1..%d\n", tap_n);
		return 1;
	}

	for (int f = 0; f < n; f++) {
		struct ebpf_conf_test t;
		struct ebpf_insn *insns = NULL;
		uint32_t ni = 0;
		char *hex = NULL, *mem_hex = NULL;

		total++;
		snprintf(path, sizeof(path), "%s/%s", dir, names[f]);
		if (ebpf_conf_load(path, &t, err, sizeof(err)) || !t.asm_text ||
		    ebpf_asm(t.asm_text, &insns, &ni, err, sizeof(err))) {
			for (int k = 0; k < 2; k++) {
				tap(false, "%s %s", engines[k] + 2, names[f]);
				diag(t.asm_text ? err : "no -- asm section");
			}
			ebpf_conf_free(&t);
			free(names[f]);
			continue;
		}
		if (t.raw) {
			bool same = t.n_raw == ni && !memcmp(t.raw, insns, (size_t)ni * 8);

			tap(same, "asm matches -- raw: %s", names[f]);
		}
		hex = malloc((size_t)ni * 16 + 1);
		mem_hex = t.mem_len ? malloc(t.mem_len * 2 + 1) : NULL;
		if (!hex || (t.mem_len && !mem_hex)) {
			fprintf(stderr, "out of memory\n");
			return 1;
		}
		for (size_t i = 0; i < (size_t)ni * 8; i++)
			sprintf(hex + 2 * i, "%02x", ((const uint8_t *)insns)[i]);
		hex[(size_t)ni * 16] = 0;
		for (size_t i = 0; i < t.mem_len; i++)
			sprintf(mem_hex + 2 * i, "%02x", t.mem[i]);
		for (int k = 0; k < 2; k++) {
#ifndef EBPF_CORE_HAVE_JIT
			if (k == 1) {
				printf("ok %d - jit %s # SKIP the x86-64 JIT is not in this build "
				       "yet\n",
				       ++tap_n, names[f]);
				continue;
			}
#endif
			char out[256], perr[2048];
			int st = run_plugin(plugin, mem_hex, engines[k], hex, out, sizeof(out),
					    perr, sizeof(perr));
			uint64_t r0 = 0;
			char *end = NULL;
			bool parsed = false;

			if (st == 0) {
				errno = 0;
				r0 = strtoull(out, &end, 16);
				parsed = !errno && end != out && (*end == '\n' || !*end);
			}
			if (t.error) {
				bool ok = st > 0;

				pass[k] += ok;
				tap(ok, "%s %s (expects an error)", engines[k] + 2, names[f]);
				if (!ok)
					printf("#   expected the error '%s', plugin exit %d, r0 %s",
					       t.error, st, out);
			} else if (st == 0 && parsed && t.has_result && r0 == t.result) {
				pass[k]++;
				tap(true, "%s %s", engines[k] + 2, names[f]);
			} else {
				tap(false, "%s %s", engines[k] + 2, names[f]);
				if (st)
					printf("#   plugin exit status %d\n", st);
				else
					printf("#   r0 = 0x%" PRIx64 ", expected 0x%" PRIx64 "\n",
					       r0, t.result);
				diag(perr);
			}
		}
		free(hex);
		free(mem_hex);
		free(insns);
		ebpf_conf_free(&t);
		free(names[f]);
	}
	tap(total >= 313, "the suite has all 313 files (%u)", total);
	for (int k = 0; k < 2; k++)
		printf("# conformance on %s: %u/%u passed (all files, callx.data included)\n",
		       engines[k] + 2, pass[k], total);
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}
