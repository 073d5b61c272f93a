/*
 * tests/sandbox-local/test_bwrap.c - isolation with bubblewrap: the
 * per-command cwd is honoured inside, no network, nothing writable or
 * visible outside the working directory, options for read-only paths,
 * and `isolation: bwrap` without bwrap is an error, not a fallback.
 *
 * These tests need a working bwrap (Debian package bubblewrap) and fail
 * without it.
 */
#include "cu_main.h"
#include "local_box.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const bwrap_opts[] = { "isolation=bwrap", NULL };

static struct fake_sandbox fs;

static int run(wsp_exec_result *res, wsp_exec_opts *o, wsp_error *err)
{
	memset(res, 0, sizeof(*res));
	res->struct_size = sizeof(*res);
	return fs.desc->sandbox->exec(res, fs.self, &fake_call, o, err);
}

static void open_bwrap(const char *const *opts)
{
	wsp_error err = { 0 };

	CU_ASSERT_FATAL(fake_have_bwrap());
	if (fake_open(&fs, opts ? opts : bwrap_opts, &err) != 0) {
		fprintf(stderr, "init: %s\n", err.message);
		CU_FAIL_FATAL("init failed");
	}
}

static void test_cwd_honoured(void)
{
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	wsp_exec_result res;
	wsp_error err = { 0 };
	char dir[400], expect[420];

	open_bwrap(NULL);
	snprintf(dir, sizeof(dir), "%s/project", fs.workdir);
	CU_ASSERT_EQUAL_FATAL(mkdir(dir, 0755), 0);
	o.shell = "pwd; echo made > here.txt";
	o.cwd = "project";
	CU_ASSERT_EQUAL_FATAL(run(&res, &o, &err), 0);
	CU_ASSERT_EQUAL(res.exit_code, 0);
	snprintf(expect, sizeof(expect), "%s/project\n", fs.workdir);
	CU_ASSERT_STRING_EQUAL(res.stdout_data, expect);
	fake_result_release(&fs, &res);
	/* the file landed in the host directory */
	snprintf(dir, sizeof(dir), "%s/project/here.txt", fs.workdir);
	CU_ASSERT_EQUAL(access(dir, F_OK), 0);

	/* the default cwd is the working directory */
	o.cwd = NULL;
	o.shell = "pwd";
	CU_ASSERT_EQUAL_FATAL(run(&res, &o, &err), 0);
	snprintf(expect, sizeof(expect), "%s\n", fs.workdir);
	CU_ASSERT_STRING_EQUAL(res.stdout_data, expect);
	fake_result_release(&fs, &res);

	/*
	 * An absolute cwd the host does not show the sandbox is a directory
	 * of the sandbox's own: its /tmp works, the host's /root is absent.
	 */
	o.cwd = "/tmp";
	CU_ASSERT_EQUAL_FATAL(run(&res, &o, &err), 0);
	CU_ASSERT_STRING_EQUAL(res.stdout_data, "/tmp\n");
	fake_result_release(&fs, &res);
	o.cwd = "/root";
	CU_ASSERT_EQUAL(run(&res, &o, &err), WSP_ENOTFOUND);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "/root"));
	fake_close(&fs);
}

static void test_no_network(void)
{
	struct sockaddr_in addr;
	socklen_t len = sizeof(addr);
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	wsp_exec_result res;
	wsp_error err = { 0 };
	char cmd[300];
	int lfd;

	lfd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CU_ASSERT_EQUAL_FATAL(bind(lfd, (struct sockaddr *)&addr, len), 0);
	CU_ASSERT_EQUAL_FATAL(listen(lfd, 4), 0);
	CU_ASSERT_EQUAL_FATAL(getsockname(lfd, (struct sockaddr *)&addr, &len),
			      0);
	/* bash's /dev/tcp connects without needing curl or nc */
	snprintf(cmd, sizeof(cmd),
		 "bash -c 'echo hi > /dev/tcp/127.0.0.1/%d' && echo reached",
		 ntohs(addr.sin_port));

	/* control: unisolated, the socket is reachable */
	{
		const char *const opts[] = { "isolation=none", NULL };

		CU_ASSERT_EQUAL_FATAL(fake_open(&fs, opts, &err), 0);
		o.shell = cmd;
		CU_ASSERT_EQUAL_FATAL(run(&res, &o, &err), 0);
		CU_ASSERT_STRING_EQUAL(res.stdout_data, "reached\n");
		fake_result_release(&fs, &res);
		fake_close(&fs);
	}
	open_bwrap(NULL);
	o.shell = cmd;
	CU_ASSERT_EQUAL_FATAL(run(&res, &o, &err), 0);
	CU_ASSERT_NOT_EQUAL(res.exit_code, 0);
	CU_ASSERT_STRING_EQUAL(res.stdout_data, "");
	fake_result_release(&fs, &res);
	fake_close(&fs);

	/* allow_network: reachable again */
	{
		const char *const opts[] = { "isolation=bwrap",
					     "allow_network=true", NULL };

		open_bwrap(opts);
		CU_ASSERT_EQUAL_FATAL(run(&res, &o, &err), 0);
		CU_ASSERT_STRING_EQUAL(res.stdout_data, "reached\n");
		fake_result_release(&fs, &res);
		fake_close(&fs);
	}
	close(lfd);
}

static void test_no_writes_outside(void)
{
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	wsp_exec_result res;
	wsp_error err = { 0 };
	char cmd[1200], dir[] = "/var/tmp/wsp-local-outside-XXXXXX";
	char outside[100], line[64];
	FILE *f;

	open_bwrap(NULL);
	/* a host file outside the working directory and outside /tmp */
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(outside, sizeof(outside), "%s/outside.txt", dir);
	f = fopen(outside, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("host\n", f);
	fclose(f);
	snprintf(cmd, sizeof(cmd),
		 "cat %s 2>/dev/null && echo read-outside; "
		 "echo x > %s 2>/dev/null && echo wrote-outside; "
		 "echo x > /usr/wsp-test 2>/dev/null && echo wrote-usr; "
		 "echo x > /etc/wsp-test 2>/dev/null && echo wrote-etc; "
		 "echo x > /wsp-test 2>/dev/null && echo wrote-root; "
		 "ls /root >/dev/null 2>&1 && echo saw-root; "
		 "ls /home/* >/dev/null 2>&1 && echo saw-home; "
		 "test -e /etc/shadow && echo saw-shadow; "
		 "echo t > /tmp/x && cat /tmp/x; "
		 "echo w > inside.txt && echo wrote-workdir",
		 outside, outside);
	o.shell = cmd;
	CU_ASSERT_EQUAL_FATAL(run(&res, &o, &err), 0);
	CU_ASSERT_STRING_EQUAL(res.stdout_data, "t\nwrote-workdir\n");
	fake_result_release(&fs, &res);
	/* the host file is untouched, the working directory got its file */
	f = fopen(outside, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT(fgets(line, sizeof(line), f) && !strcmp(line, "host\n"));
	fclose(f);
	CU_ASSERT_NOT_EQUAL(access("/usr/wsp-test", F_OK), 0);
	snprintf(cmd, sizeof(cmd), "%s/inside.txt", fs.workdir);
	CU_ASSERT_EQUAL(access(cmd, F_OK), 0);
	unlink(outside);
	rmdir(dir);
	fake_close(&fs);
}

static void test_read_only_options(void)
{
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	wsp_exec_result res;
	wsp_error err = { 0 };
	char ro[100], rw[100], opt_ro[120], opt_rw[120], cmd[1200];
	const char *opts[] = { "isolation=bwrap", "read_only_workdir=true",
			       opt_ro, opt_rw, NULL };
	char tmpl[] = "/tmp/wsp-local-extra-XXXXXX";

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(tmpl));
	snprintf(ro, sizeof(ro), "%s/ro", tmpl);
	snprintf(rw, sizeof(rw), "%s/rw", tmpl);
	CU_ASSERT_EQUAL_FATAL(mkdir(ro, 0755), 0);
	CU_ASSERT_EQUAL_FATAL(mkdir(rw, 0755), 0);
	snprintf(opt_ro, sizeof(opt_ro), "read_only_paths=%s", ro);
	snprintf(opt_rw, sizeof(opt_rw), "read_write_paths=%s", rw);
	open_bwrap(opts);
	snprintf(cmd, sizeof(cmd),
		 "echo x > \"$HOME/ws.txt\" 2>/dev/null && echo wrote-ws; "
		 "ls %s >/dev/null && echo saw-ro; "
		 "echo x > %s/f 2>/dev/null && echo wrote-ro; "
		 "echo x > %s/f && echo wrote-rw; pwd",
		 ro, ro, rw);
	o.shell = cmd;
	o.cwd = rw; /* an absolute cwd in a configured path is allowed */
	CU_ASSERT_EQUAL_FATAL(run(&res, &o, &err), 0);
	snprintf(cmd, sizeof(cmd), "saw-ro\nwrote-rw\n%s\n", rw);
	CU_ASSERT_STRING_EQUAL(res.stdout_data, cmd);
	fake_result_release(&fs, &res);
	fake_close(&fs);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpl);
	CU_ASSERT_EQUAL(system(cmd), 0);
}

/* Binds nest: parents first, each path keeps its own mode. */
static void test_nested_binds(void)
{
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	wsp_exec_result res;
	wsp_error err = { 0 };
	char top[] = "/var/tmp/wsp-local-nest-XXXXXX";
	char ws[100], locked[120], o_wd[140], o_ro[300], cmd[1200];
	const char *opts[] = { "isolation=bwrap", o_wd, o_ro, NULL };

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(top));
	snprintf(ws, sizeof(ws), "%s/ws", top);
	snprintf(locked, sizeof(locked), "%s/ws/locked", top);
	CU_ASSERT_EQUAL_FATAL(mkdir(ws, 0755), 0);
	CU_ASSERT_EQUAL_FATAL(mkdir(locked, 0755), 0);
	snprintf(o_wd, sizeof(o_wd), "working_dir=%s", ws);
	/* a read-only parent of the working dir, and a child of it */
	snprintf(o_ro, sizeof(o_ro), "read_only_paths=%s,%s", locked, top);
	open_bwrap(opts);
	snprintf(cmd, sizeof(cmd),
		 "echo x > %s/f && echo wrote-ws; "
		 "echo x > %s/f 2>/dev/null && echo wrote-locked; "
		 "echo x > %s/f 2>/dev/null && echo wrote-top; "
		 "ls -d %s >/dev/null && echo saw-top",
		 ws, locked, top, top);
	o.shell = cmd;
	CU_ASSERT_EQUAL_FATAL(run(&res, &o, &err), 0);
	CU_ASSERT_STRING_EQUAL(res.stdout_data, "wrote-ws\nsaw-top\n");
	fake_result_release(&fs, &res);
	fake_close(&fs);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", top);
	CU_ASSERT_EQUAL(system(cmd), 0);
}

static void test_timeout_under_bwrap(void)
{
	const char *const opts[] = { "isolation=bwrap", "timeout=300ms",
				     "kill_grace=300ms", NULL };
	wsp_exec_result res;
	wsp_error err = { 0 };
	long long t0;

	open_bwrap(opts);
	t0 = test_now_ms();
	CU_ASSERT_EQUAL_FATAL(
		fake_sh(&fs, &res,
			"trap '' TERM; (trap '' TERM; sleep 30) & sleep 30",
			&err),
		0);
	CU_ASSERT(test_now_ms() - t0 < 15000); /* not the 30 s sleeps */
	CU_ASSERT_EQUAL(res.exit_code, 124);
	CU_ASSERT(res.flags & WSP_EXEC_TIMED_OUT);
	fake_result_release(&fs, &res);
	fake_close(&fs);
}

static void test_env_and_pid_namespace(void)
{
	wsp_exec_result res;
	wsp_error err = { 0 };

	setenv("WSP_TEST_HOST_SECRET", "hunter2-do-not-leak", 1);
	open_bwrap(NULL);
	CU_ASSERT_EQUAL_FATAL(
		fake_sh(&fs, &res,
			"env; ls /proc | grep -c '^[0-9]*$'", &err), 0);
	CU_ASSERT_PTR_NULL(strstr(res.stdout_data, "hunter2"));
	CU_ASSERT_PTR_NOT_NULL(strstr(res.stdout_data, "PATH="));
	/*
	 * last line: processes visible in /proc: the environment's (bwrap's
	 * init, the agent, the command's shim and the next one's, forked
	 * ahead) and the command's (sh, ls, grep); none of the host's.
	 */
	{
		char *last = strrchr(res.stdout_data, '\n');
		long n;

		CU_ASSERT_PTR_NOT_NULL_FATAL(last);
		*last = '\0';
		last = strrchr(res.stdout_data, '\n');
		n = strtol(last ? last + 1 : res.stdout_data, NULL, 10);
		CU_ASSERT(n >= 1 && n <= 7);
	}
	fake_result_release(&fs, &res);
	unsetenv("WSP_TEST_HOST_SECRET");
	fake_close(&fs);
}

static void test_bwrap_missing_is_an_error(void)
{
	const char *const opts[] = { "isolation=bwrap",
				     "path=/nonexistent-bin", NULL };
	const char *const auto_opts[] = { "isolation=auto",
					  "path=/nonexistent-bin", NULL };
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	wsp_exec_result res;
	wsp_error err = { 0 };

	CU_ASSERT_EQUAL_FATAL(fake_open(&fs, opts, &err), 0);
	o.argv = (const char *const[]){ "/bin/true", NULL };
	CU_ASSERT_EQUAL(run(&res, &o, &err), WSP_EUNAVAIL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "bwrap is not installed"));
	fake_close(&fs);

	/* auto falls back, with one warning for all the commands */
	CU_ASSERT_EQUAL_FATAL(fake_open(&fs, auto_opts, &err), 0);
	CU_ASSERT_EQUAL_FATAL(run(&res, &o, &err), 0);
	fake_result_release(&fs, &res);
	CU_ASSERT_EQUAL_FATAL(run(&res, &o, &err), 0);
	fake_result_release(&fs, &res);
	CU_ASSERT_EQUAL(fake_warnings(&fs, ""), 1);
	CU_ASSERT_EQUAL(fake_warnings(&fs, "unisolated"), 1);
	fake_close(&fs);

	/* auto with bwrap present: isolated, no warning */
	open_bwrap((const char *const[]){ "isolation=auto", NULL });
	o.argv = NULL;
	o.shell = "ls /root 2>/dev/null || echo isolated";
	CU_ASSERT_EQUAL_FATAL(run(&res, &o, &err), 0);
	CU_ASSERT_STRING_EQUAL(res.stdout_data, "isolated\n");
	CU_ASSERT_EQUAL(fake_warnings(&fs, ""), 0);
	fake_result_release(&fs, &res);
	fake_close(&fs);
}

static void test_limits_under_bwrap(void)
{
	const char *const opts[] = { "isolation=bwrap", "file_size_limit=64KiB",
				     NULL };
	wsp_exec_result res;
	wsp_error err = { 0 };

	open_bwrap(opts);
	CU_ASSERT_EQUAL_FATAL(
		fake_sh(&fs, &res, "exec head -c 1000000 /dev/zero > big",
			&err), 0);
	CU_ASSERT_NOT_EQUAL(res.exit_code, 0);
	CU_ASSERT(res.flags & WSP_EXEC_LIMIT);
	CU_ASSERT_EQUAL(res.limit, WSP_LIMIT_FILE_SIZE);
	fake_result_release(&fs, &res);
	fake_close(&fs);
}

static CU_TestInfo tests[] = {
	{ "limits under bwrap", test_limits_under_bwrap },
	{ "cwd honoured inside", test_cwd_honoured },
	{ "no network", test_no_network },
	{ "no writes outside the working directory", test_no_writes_outside },
	{ "read-only options", test_read_only_options },
	{ "nested binds keep their modes", test_nested_binds },
	{ "timeout under bwrap", test_timeout_under_bwrap },
	{ "clean env, own pid namespace", test_env_and_pid_namespace },
	{ "bwrap missing is an error", test_bwrap_missing_is_an_error },
	CU_TEST_INFO_NULL,
};

CU_MAIN("sandbox-local bubblewrap", tests)
