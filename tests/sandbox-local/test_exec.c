/*
 * tests/sandbox-local/test_exec.c - foreground exec without isolation:
 * output, exit codes, cwd, a clean environment, stdin, bounded capture.
 */
#include "cu_main.h"
#include "local_box.h"
#include "test_output.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

static const char *const none_opts[] = { "isolation=none", NULL };

static struct fake_sandbox fs;

static void open_none(void)
{
	wsp_error err = { 0 };

	CU_ASSERT_FATAL(fake_open(&fs, none_opts, &err) == 0);
}

static int run(wsp_exec_result *res, wsp_exec_opts *o, wsp_error *err)
{
	memset(res, 0, sizeof(*res));
	res->struct_size = sizeof(*res);
	return fs.desc->sandbox->exec(res, fs.self, &fake_call, o, err);
}

static void test_shell_output_and_status(void)
{
	wsp_exec_result res;
	wsp_error err = { 0 };

	open_none();
	CU_ASSERT_EQUAL_FATAL(
		fake_sh(&fs, &res, "echo out; echo err >&2; exit 7", &err), 0);
	CU_ASSERT_EQUAL(res.exit_code, 7);
	CU_ASSERT_EQUAL(res.term_signal, 0);
	CU_ASSERT_EQUAL(res.flags, 0);
	CU_ASSERT_STRING_EQUAL(res.stdout_data, "out\n");
	CU_ASSERT_EQUAL(res.stdout_len, 4);
	CU_ASSERT_STRING_EQUAL(res.stderr_data, "err\n");
	CU_ASSERT_EQUAL(res.stdout_dropped, 0);
	fake_result_release(&fs, &res);
	CU_ASSERT_EQUAL(fake_live_allocs(), 0);
	fake_close(&fs);
}

static void test_argv_no_shell(void)
{
	const char *const argv[] = { "printf", "%s|", "a b", "$HOME", NULL };
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	wsp_exec_result res;
	wsp_error err = { 0 };

	open_none();
	o.argv = argv;
	CU_ASSERT_EQUAL_FATAL(run(&res, &o, &err), 0);
	CU_ASSERT_EQUAL(res.exit_code, 0);
	CU_ASSERT_STRING_EQUAL(res.stdout_data, "a b|$HOME|");
	fake_result_release(&fs, &res);
	fake_close(&fs);
}

static void test_signal_exit(void)
{
	wsp_exec_result res;
	wsp_error err = { 0 };

	open_none();
	CU_ASSERT_EQUAL_FATAL(fake_sh(&fs, &res, "kill -USR1 $$", &err), 0);
	CU_ASSERT_EQUAL(res.term_signal, SIGUSR1);
	CU_ASSERT_EQUAL(res.exit_code, 128 + SIGUSR1);
	CU_ASSERT_EQUAL(res.flags & WSP_EXEC_KILLED, 0);
	fake_result_release(&fs, &res);
	fake_close(&fs);
}

static void test_cwd(void)
{
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	wsp_exec_result res;
	wsp_error err = { 0 };
	char dir[400], expect[420];

	open_none();
	snprintf(dir, sizeof(dir), "%s/sub", fs.workdir);
	CU_ASSERT_EQUAL_FATAL(mkdir(dir, 0755), 0);
	snprintf(dir, sizeof(dir), "%s/sub/deeper", fs.workdir);
	CU_ASSERT_EQUAL_FATAL(mkdir(dir, 0755), 0);

	/* default: the working directory */
	o.shell = "pwd";
	CU_ASSERT_EQUAL_FATAL(run(&res, &o, &err), 0);
	snprintf(expect, sizeof(expect), "%s\n", fs.workdir);
	CU_ASSERT_STRING_EQUAL(res.stdout_data, expect);
	fake_result_release(&fs, &res);

	/* relative: under the working directory */
	o.cwd = "sub/./deeper";
	CU_ASSERT_EQUAL_FATAL(run(&res, &o, &err), 0);
	snprintf(expect, sizeof(expect), "%s/sub/deeper\n", fs.workdir);
	CU_ASSERT_STRING_EQUAL(res.stdout_data, expect);
	fake_result_release(&fs, &res);

	/* missing: a clear error, nothing started */
	o.cwd = "no-such-dir";
	CU_ASSERT_EQUAL(run(&res, &o, &err), WSP_ENOTFOUND);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "no-such-dir"));
	CU_ASSERT_PTR_NULL(res.stdout_data);

	/* climbing out of the working directory is refused */
	o.cwd = "sub/../../..";
	CU_ASSERT_EQUAL(run(&res, &o, &err), WSP_EPERM);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "climbs out"));
	CU_ASSERT_EQUAL(fake_live_allocs(), 0);
	fake_close(&fs);
}

static void test_clean_env(void)
{
	const char *const env[] = { "TEAM=team-data", "PATH=/usr/bin:/bin",
				    NULL };
	const char *const opts[] = { "isolation=none",
				     "env=REGION:eu-west,TEAM:configured",
				     NULL };
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	wsp_exec_result res;
	wsp_error err = { 0 };
	char expect[1000];

	setenv("WSP_TEST_HOST_SECRET", "hunter2-do-not-leak", 1);
	CU_ASSERT_EQUAL_FATAL(fake_open(&fs, opts, &err), 0);
	o.shell = "env | sort";
	o.env = env;
	CU_ASSERT_EQUAL_FATAL(run(&res, &o, &err), 0);
	CU_ASSERT_PTR_NULL(strstr(res.stdout_data, "hunter2"));
	CU_ASSERT_PTR_NULL(strstr(res.stdout_data, "WSP_TEST_HOST_SECRET"));
	/* sh adds PWD (and dash nothing else): the rest is ours, in order */
	snprintf(expect, sizeof(expect),
		 "HOME=%s\nPATH=/usr/bin:/bin\nPWD=%s\nREGION=eu-west\n"
		 "TEAM=team-data\n", fs.workdir, fs.workdir);
	CU_ASSERT_STRING_EQUAL(res.stdout_data, expect);
	fake_result_release(&fs, &res);
	unsetenv("WSP_TEST_HOST_SECRET");

	/* a malformed per-call entry is refused without echoing it */
	{
		const char *const bad[] = { "1SECRET=x", NULL };

		o.env = bad;
		CU_ASSERT_EQUAL(run(&res, &o, &err), WSP_EINVAL);
		CU_ASSERT_PTR_NULL(strstr(err.message, "SECRET"));
	}
	fake_close(&fs);
}

static void test_stdin_round_trip(void)
{
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	wsp_exec_result res;
	wsp_error err = { 0 };
	size_t n = 3 * 1024 * 1024, i;
	char *data = malloc(n);

	for (i = 0; i < n; i++)
		data[i] = (char)('a' + i % 26);
	open_none();
	o.argv = (const char *const[]){ "cat", NULL };
	o.stdin_data = data;
	o.stdin_len = n;
	o.max_capture = 4 * 1024 * 1024;
	CU_ASSERT_EQUAL_FATAL(run(&res, &o, &err), 0);
	CU_ASSERT_EQUAL(res.exit_code, 0);
	CU_ASSERT_EQUAL_FATAL(res.stdout_len, n);
	CU_ASSERT(memcmp(res.stdout_data, data, n) == 0);
	fake_result_release(&fs, &res);

	/* a command that ignores its stdin still ends */
	o.argv = NULL;
	o.shell = "exit 3";
	CU_ASSERT_EQUAL_FATAL(run(&res, &o, &err), 0);
	CU_ASSERT_EQUAL(res.exit_code, 3);
	fake_result_release(&fs, &res);
	free(data);
	fake_close(&fs);
}

static void test_no_stdin_is_eof(void)
{
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	wsp_exec_result res;
	wsp_error err = { 0 };
	long long t0;

	open_none();
	o.argv = (const char *const[]){ "cat", NULL };
	o.timeout_ms = 30000;
	t0 = test_now_ms();
	CU_ASSERT_EQUAL_FATAL(run(&res, &o, &err), 0);
	CU_ASSERT(test_now_ms() - t0 < 15000); /* not the 30 s timeout */
	CU_ASSERT_EQUAL(res.exit_code, 0);
	CU_ASSERT_EQUAL(res.flags, 0);
	CU_ASSERT_EQUAL(res.stdout_len, 0);
	fake_result_release(&fs, &res);
	fake_close(&fs);
}

struct seen {
	unsigned long long bytes[3];
	unsigned char last_out;
};

static int count_output(uint32_t stream, const void *data, size_t len,
			void *payload)
{
	struct seen *s = payload;

	s->bytes[stream] += len;
	if (stream == WSP_STDOUT && len)
		s->last_out = ((const unsigned char *)data)[len - 1];
	return 0;
}

static void test_bounded_capture(void)
{
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	wsp_exec_result res;
	wsp_error err = { 0 };
	struct seen seen = { { 0 }, 0 };
	size_t mib = 1024 * 1024, i;
	int ok = 1;

	open_none();
	/*
	 * 10 MiB where byte k (0-based) is 'a' + (k / 1000) % 26 and each
	 * 1000-byte block is numbered, so the kept tail is checkable.
	 */
	o.shell = "i=0; while [ $i -lt 10486 ]; do "
		  "printf \"%0999d\\n\" $i; i=$((i+1)); done | "
		  "head -c 10485760;"
		  " echo e >&2";
	o.on_output = count_output;
	o.payload = &seen;
	o.max_capture = mib;
	CU_ASSERT_EQUAL_FATAL(run(&res, &o, &err), 0);
	CU_ASSERT_EQUAL(res.exit_code, 0);
	CU_ASSERT_EQUAL(seen.bytes[WSP_STDOUT], 10 * mib);
	CU_ASSERT_EQUAL(seen.bytes[WSP_STDERR], 2);
	CU_ASSERT_EQUAL_FATAL(res.stdout_len, mib);
	CU_ASSERT_EQUAL(res.stdout_dropped, 9 * mib);
	CU_ASSERT_EQUAL(res.stdout_data[mib], '\0');
	/* the kept MiB is exactly the stream's last MiB */
	for (i = 0; i < mib && ok; i++) {
		size_t k = 9 * mib + i;
		size_t block = k / 1000, off = k % 1000;
		char expect;

		if (off == 999) {
			expect = '\n';
		} else {
			char num[1001];

			snprintf(num, sizeof(num), "%0999zu", block);
			expect = num[off];
		}
		if (res.stdout_data[i] != expect)
			ok = 0;
	}
	CU_ASSERT(ok);
	CU_ASSERT_STRING_EQUAL(res.stderr_data, "e\n");
	fake_result_release(&fs, &res);

	/* without capture: callbacks only, everything counted as dropped */
	memset(&seen, 0, sizeof(seen));
	o.shell = "head -c 300000 /dev/zero";
	o.flags = WSP_EXEC_NO_CAPTURE;
	CU_ASSERT_EQUAL_FATAL(run(&res, &o, &err), 0);
	CU_ASSERT_EQUAL(seen.bytes[WSP_STDOUT], 300000);
	CU_ASSERT_EQUAL(res.stdout_len, 0);
	CU_ASSERT_EQUAL(res.stdout_dropped, 300000);
	fake_result_release(&fs, &res);
	CU_ASSERT_EQUAL(fake_live_allocs(), 0);
	fake_close(&fs);
}

static void test_callback_stops_command(void)
{
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	wsp_exec_result res;
	wsp_error err = { 0 };
	int stop = WSP_ECANCELED;
	long long t0;

	open_none();
	o.shell = "echo go; sleep 30";
	o.on_output = test_output_stop;
	o.payload = &stop;
	t0 = test_now_ms();
	CU_ASSERT_EQUAL(run(&res, &o, &err), WSP_ECANCELED);
	CU_ASSERT(test_now_ms() - t0 < 15000); /* not the 30 s sleep */
	CU_ASSERT_PTR_NULL(res.stdout_data);
	CU_ASSERT_EQUAL(fake_live_allocs(), 0);
	fake_close(&fs);
}

static void test_cannot_start(void)
{
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	wsp_exec_result res;
	wsp_error err = { 0 };

	open_none();
	o.argv = (const char *const[]){ "no-such-command-here", NULL };
	CU_ASSERT_EQUAL(run(&res, &o, &err), WSP_ENOTFOUND);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "no-such-command-here"));
	o.argv = (const char *const[]){ "./missing-script", NULL };
	CU_ASSERT_EQUAL(run(&res, &o, &err), WSP_ENOTFOUND);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "missing-script"));
	o.argv = (const char *const[]){ NULL };
	CU_ASSERT_EQUAL(run(&res, &o, &err), WSP_EINVAL);
	fake_close(&fs);
}

struct worker {
	int id;
	int failures;
};

static void *exec_many(void *arg)
{
	struct worker *w = arg;
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	char cmd[64], expect[64];
	int i;

	for (i = 0; i < 20; i++) {
		wsp_exec_result res;
		wsp_error err;

		snprintf(cmd, sizeof(cmd), "echo %d-%d; echo e%d >&2", w->id,
			 i, i);
		snprintf(expect, sizeof(expect), "%d-%d\n", w->id, i);
		o.shell = cmd;
		if (run(&res, &o, &err) != 0) {
			w->failures++;
			continue;
		}
		if (strcmp(res.stdout_data, expect) || res.exit_code != 0)
			w->failures++;
		fake_result_release(&fs, &res);
	}
	return NULL;
}

/* One instance, several threads: slots are thread-safe. */
static void test_concurrent_execs(void)
{
	struct worker w[4];
	pthread_t t[4];
	int i;

	open_none();
	for (i = 0; i < 4; i++) {
		w[i].id = i;
		w[i].failures = 0;
		CU_ASSERT_EQUAL_FATAL(pthread_create(&t[i], NULL, exec_many,
						     &w[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		CU_ASSERT_EQUAL(w[i].failures, 0);
	}
	CU_ASSERT_EQUAL(fake_live_allocs(), 0);
	fake_close(&fs);
}

static volatile sig_atomic_t ticks;

static void on_tick(int sig)
{
	(void)sig;
	ticks++;
}

/* Signals arriving in the caller (EINTR everywhere) change nothing. */
static void test_interrupted_syscalls(void)
{
	struct sigaction sa;
	struct itimerval it = { { 0, 5000 }, { 0, 5000 } };
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	wsp_exec_result res;
	wsp_error err = { 0 };
	static char data[300000];

	memset(data, 'x', sizeof(data));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_tick; /* no SA_RESTART */
	sigaction(SIGALRM, &sa, NULL);
	open_none();
	ticks = 0;
	setitimer(ITIMER_REAL, &it, NULL);
	o.shell = "sleep 0.3; wc -c; echo err >&2";
	o.stdin_data = data;
	o.stdin_len = sizeof(data);
	CU_ASSERT_EQUAL(run(&res, &o, &err), 0);
	setitimer(ITIMER_REAL, &off, NULL);
	signal(SIGALRM, SIG_DFL);
	CU_ASSERT(ticks > 10);
	CU_ASSERT_EQUAL(res.exit_code, 0);
	CU_ASSERT_STRING_EQUAL(res.stdout_data, "300000\n");
	CU_ASSERT_STRING_EQUAL(res.stderr_data, "err\n");
	fake_result_release(&fs, &res);
	fake_close(&fs);
}

/* A descriptor the host left inheritable never reaches the command. */
static void test_no_fd_leak(void)
{
	const char *const limited[] = { "isolation=none",
					"file_size_limit=1GiB", NULL };
	wsp_exec_result res;
	wsp_error err = { 0 };
	char cmd[128];
	int fd = open("/dev/null", O_RDONLY); /* no O_CLOEXEC on purpose */
	int pass;

	CU_ASSERT_FATAL(fd > 2);
	snprintf(cmd, sizeof(cmd),
		 "if [ -e /proc/self/fd/%d ]; then echo leaked; "
		 "else echo clean; fi", fd);
	/* both ways of starting: posix_spawn, and fork for the limits */
	for (pass = 0; pass < 2; pass++) {
		if (pass == 0)
			open_none();
		else
			CU_ASSERT_EQUAL_FATAL(fake_open(&fs, limited, &err), 0);
		CU_ASSERT_EQUAL_FATAL(fake_sh(&fs, &res, cmd, &err), 0);
		CU_ASSERT_STRING_EQUAL(res.stdout_data, "clean\n");
		fake_result_release(&fs, &res);
		fake_close(&fs);
	}
	close(fd);
}

static CU_TestInfo tests[] = {
	{"no descriptor leaks", test_no_fd_leak},
	{"interrupted system calls", test_interrupted_syscalls},
	{"concurrent execs", test_concurrent_execs},
	{"shell output and status", test_shell_output_and_status},
	{"argv without a shell", test_argv_no_shell},
	{"death by signal", test_signal_exit},
	{"cwd", test_cwd},
	{"clean environment", test_clean_env},
	{"stdin round trip", test_stdin_round_trip},
	{"no stdin is EOF at once", test_no_stdin_is_eof},
	{"bounded capture", test_bounded_capture},
	{"callback stops the command", test_callback_stops_command},
	{"command that cannot start", test_cannot_start},
	CU_TEST_INFO_NULL,
};

CU_MAIN("sandbox-local exec", tests)
