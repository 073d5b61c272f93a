/*
 * tests/sandbox-local/test_cli.c - `wsp exec`, `wsp sh` and `wsp sandbox`
 * as a user runs them: exit statuses, streams, JSON, options, interrupts.
 * Runs the built wsp binary against a config file using the local sandbox.
 */
#include "cu_main.h"
#include "test_files.h"
#include "test_run.h"
#include "test_wait.h"

#include <cjson/cJSON.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef WSP_CLI
#error "WSP_CLI must name the wsp binary"
#endif

static char dir[64];
static char config[128];
static char err_file[128]; /* where test_closed_output's shell writes */
static char out[1 << 16], err[1 << 16];

/* Run `wsp --config CONFIG <args>` through sh; returns its exit status. */
static int wsp(const char *args)
{
	return test_run_cli_apart(dir, WSP_CLI, config, args, out, sizeof(out),
				  err, sizeof(err));
}

static int suite_init(void)
{
	FILE *f;

	snprintf(dir, sizeof(dir), "/tmp/wsp-cli-test-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	snprintf(config, sizeof(config), "%s/wsp.yaml", dir);
	snprintf(err_file, sizeof(err_file), "%s/err", dir);
	f = fopen(config, "w");
	if (!f)
		return 1;
	fputs("sandbox:\n"
	      "  provider: local\n"
	      "  id: cli-box\n"
	      "  options:\n"
	      "    isolation: none\n"
	      "    state_dir: ./state\n"
	      "    timeout: 60s\n"
	      "    kill_grace: 500ms\n"
	      "    env: { TEAM: team-data }\n",
	      f);
	fclose(f);
	return 0;
}

static int suite_clean(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : 1;
}

static void test_exit_status_and_streams(void)
{
	CU_ASSERT_EQUAL(wsp("sh 'echo out; echo err >&2; exit 7'"), 7);
	CU_ASSERT_STRING_EQUAL(out, "out\n");
	CU_ASSERT_STRING_EQUAL(err, "err\n");
	CU_ASSERT_EQUAL(wsp("exec -- printf '%s,' a 'b c'"), 0);
	CU_ASSERT_STRING_EQUAL(out, "a,b c,");
	CU_ASSERT_EQUAL(wsp("exec -- sh -c 'kill -TERM $$'"), 128 + SIGTERM);
	CU_ASSERT_EQUAL(wsp("sh true"), 0);
}

static void test_errors(void)
{
	CU_ASSERT_EQUAL(wsp("exec -- no-such-program-x"), 127);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "'no-such-program-x' not found"));
	CU_ASSERT_EQUAL(wsp("exec --cwd missing-dir -- true"), 127);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "missing-dir"));
	CU_ASSERT_EQUAL(wsp("exec --cwd ../.. -- true"), 126);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "climbs out"));
	CU_ASSERT_EQUAL(wsp("exec --frobnicate -- true"), 125);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "unknown option '--frobnicate'"));
	CU_ASSERT_EQUAL(wsp("exec --timeout soon -- true"), 125);
	CU_ASSERT_EQUAL(wsp("exec --isolation docker -- true"), 125);
	CU_ASSERT_EQUAL(wsp("exec"), 125);
	CU_ASSERT_EQUAL(wsp("sh 'echo' extra"), 125);
	CU_ASSERT_EQUAL(wsp("exec --help"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "usage: wsp exec"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "124"));
}

static void test_timeout(void)
{
	long long t0 = test_now_ms();

	CU_ASSERT_EQUAL(wsp("exec --timeout 300ms -- sleep 30"), 124);
	CU_ASSERT(test_now_ms() - t0 < 15000); /* not the 30 s sleep */
	/* the command's stderr is its own: wsp's notice only with -v */
	CU_ASSERT_STRING_EQUAL(err, "");
	CU_ASSERT_EQUAL(wsp("-v exec --timeout 300ms -- sleep 30"), 124);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "timed out"));
	CU_ASSERT_EQUAL(wsp("sh --timeout 0 'sleep 0.2; echo ok'"), 0);
	CU_ASSERT_STRING_EQUAL(out, "ok\n");
}

static void test_env_cwd_stdin(void)
{
	char path[128];

	setenv("WSP_CLI_TEST_SECRET", "hunter2-cli", 1);
	CU_ASSERT_EQUAL(wsp("exec --env REGION=eu-west -- env"), 0);
	CU_ASSERT_PTR_NULL(strstr(out, "hunter2-cli"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "REGION=eu-west\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "TEAM=team-data\n"));
	unsetenv("WSP_CLI_TEST_SECRET");

	snprintf(path, sizeof(path), "%s/workspace/sub", dir);
	mkdir(path, 0755);
	CU_ASSERT_EQUAL(wsp("sh --cwd sub pwd"), 0);
	snprintf(path, sizeof(path), "%s/workspace/sub\n", dir);
	CU_ASSERT_STRING_EQUAL(out, path);

	snprintf(path, sizeof(path), "%s/input", dir);
	{
		FILE *f = fopen(path, "w");

		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		fputs("round trip\n", f);
		fclose(f);
	}
	CU_ASSERT_EQUAL(wsp("exec --stdin -- tr a-z A-Z < input"), 0);
	CU_ASSERT_STRING_EQUAL(out, "ROUND TRIP\n");
	/* without --stdin the command sees end of file at once */
	CU_ASSERT_EQUAL(wsp("exec -- cat < /dev/zero"), 0);
	CU_ASSERT_STRING_EQUAL(out, "");
}

/* A closed reader stops the command, like SIGPIPE in a shell pipeline. */
static void test_closed_output(void)
{
	char cmd[1024];
	long long t0 = test_now_ms();
	int st;

	snprintf(cmd, sizeof(cmd),
		 "cd %s && { %s --config %s exec -- yes; echo $? > %s; } "
		 "| head -c 4 > /dev/null",
		 dir, WSP_CLI, config, err_file);
	st = system(cmd);
	CU_ASSERT(WIFEXITED(st));
	CU_ASSERT(test_now_ms() - t0 < 20000); /* not the 60 s configured timeout */
	test_read_text(err_file, err, sizeof(err));
	CU_ASSERT_STRING_EQUAL(err, "141\n");
}

static void test_json(void)
{
	cJSON *doc, *v;

	CU_ASSERT_EQUAL(wsp("--json sh 'echo out; echo err >&2; exit 3'"), 3);
	doc = cJSON_Parse(out);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	v = cJSON_GetObjectItem(doc, "exit_code");
	CU_ASSERT(cJSON_IsNumber(v) && v->valueint == 3);
	CU_ASSERT_STRING_EQUAL(
		cJSON_GetStringValue(cJSON_GetObjectItem(doc, "stdout")),
		"out\n");
	CU_ASSERT_STRING_EQUAL(
		cJSON_GetStringValue(cJSON_GetObjectItem(doc, "stderr")),
		"err\n");
	CU_ASSERT(cJSON_IsFalse(cJSON_GetObjectItem(doc, "timed_out")));
	CU_ASSERT(cJSON_IsNumber(cJSON_GetObjectItem(doc, "duration_ms")));
	CU_ASSERT(cJSON_IsNumber(cJSON_GetObjectItem(doc, "stdout_dropped")));
	cJSON_Delete(doc);

	/*
	 * timeout, binary output, a NUL: still valid JSON (1 s: time enough
	 * for the printf to run before the deadline on a loaded machine)
	 */
	CU_ASSERT_EQUAL(wsp("exec --json --timeout 1s -- sh -c "
			    "'printf \"\\000\\377x\"; sleep 30'"), 124);
	doc = cJSON_Parse(out);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT(cJSON_IsTrue(cJSON_GetObjectItem(doc, "timed_out")));
	CU_ASSERT(cJSON_IsTrue(cJSON_GetObjectItem(doc, "killed")));
	v = cJSON_GetObjectItem(doc, "exit_code");
	CU_ASSERT(cJSON_IsNumber(v) && v->valueint == 124);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"stdout\":\"\\u0000\\ufffdx\""));
	cJSON_Delete(doc);

	/*
	 * UTF-8 kept whole, each byte of what is not UTF-8 a U+FFFD: a
	 * surrogate (ED A0 80), an overlong '/' (C0 AF), past U+10FFFF
	 * (F4 90 80 80), a character cut short at the end (E2 82)
	 */
	CU_ASSERT_EQUAL(wsp("exec --json -- printf "
			    "'\\303\\251\\355\\240\\200\\300\\257"
			    "\\364\\220\\200\\200\\342\\202'"),
			0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"stdout\":\"\xc3\xa9"
					   "\\ufffd\\ufffd\\ufffd"
					   "\\ufffd\\ufffd"
					   "\\ufffd\\ufffd\\ufffd\\ufffd"
					   "\\ufffd\\ufffd\""));
}

static void test_isolation_override(void)
{
	char probe[] = "/var/tmp/wsp-cli-probe-XXXXXX", args[256];

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(probe));
	/* configured none: host directories are visible */
	snprintf(args, sizeof(args), "sh 'test -d %s && echo visible'", probe);
	CU_ASSERT_EQUAL(wsp(args), 0);
	CU_ASSERT_STRING_EQUAL(out, "visible\n");
	/* --isolation bwrap for this call: they are not */
	snprintf(args, sizeof(args),
		 "sh --isolation bwrap 'test -d %s && echo visible; "
		 "echo done'", probe);
	CU_ASSERT_EQUAL(wsp(args), 0);
	CU_ASSERT_STRING_EQUAL(out, "done\n");
	rmdir(probe);
	/* the isolated run started the sandbox's environment: it runs */
	CU_ASSERT_EQUAL(wsp("sandbox status"), 0);
	CU_ASSERT_STRING_EQUAL(out, "running\n");
	CU_ASSERT_EQUAL(wsp("sandbox destroy"), 0);
}

/*
 * Run cmd (a shell line) in dir, wait for ready to appear, send sig;
 * returns the wait status and the milliseconds from the signal to exit.
 */
static int signal_when_ready(const char *cmd, const char *ready, int sig,
			     long long *ms)
{
	long long t0;
	pid_t pid;
	int st = 0;

	pid = fork();
	if (pid == 0) {
		if (chdir(dir) < 0)
			_exit(99);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(99);
	}
	CU_ASSERT_FATAL(pid > 0);
	CU_ASSERT(test_wait_file(ready, 30000));
	t0 = test_now_ms();
	kill(pid, sig);
	waitpid(pid, &st, 0);
	*ms = test_now_ms() - t0;
	return st;
}

static void test_interrupt(void)
{
	char cmd[768], ready[128];
	long long ms;
	int st;

	/*
	 * The command writes a file once it runs (so wsp already catches
	 * SIGINT) and its SIGTERM trap is set.
	 */
	snprintf(ready, sizeof(ready), "%s/interrupt-ready", dir);
	snprintf(cmd, sizeof(cmd),
		 "exec %s --config %s sh 'trap \"\" TERM; echo > %s; "
		 "sleep 30' >/dev/null 2>&1",
		 WSP_CLI, config, ready);
	st = signal_when_ready(cmd, ready, SIGINT, &ms);
	/*
	 * the command ignores SIGTERM: SIGKILL after the 500ms grace, not
	 * the end of its 30 s sleep
	 */
	CU_ASSERT(ms >= 490);
	CU_ASSERT(ms < 15000);
	CU_ASSERT(WIFEXITED(st));
	CU_ASSERT_EQUAL(WEXITSTATUS(st), 130);
}

/*
 * `wsp tool` shares exec's signal handling: a hang-up (a closed terminal)
 * cancels the tool's running command, which is killed, instead of
 * waiting out its 30 s sleep; the tool fails.
 */
static void test_hangup_tool(void)
{
	char cmd[1024], ready[128];
	long long ms;
	int st;

	snprintf(ready, sizeof(ready), "%s/tool-ready", dir);
	snprintf(cmd, sizeof(cmd),
		 "exec %s --config %s tool execute_command "
		 "'{\"command\":\"echo > %s; sleep 30\"}' >/dev/null 2>&1",
		 WSP_CLI, config, ready);
	st = signal_when_ready(cmd, ready, SIGHUP, &ms);
	CU_ASSERT(ms < 15000);
	CU_ASSERT(WIFEXITED(st));
	CU_ASSERT_NOT_EQUAL(WEXITSTATUS(st), 0);

}

/*
 * An MCP session whose client keeps stdin open ends on a hang-up: once
 * it answered initialize (so its handlers are in place), SIGHUP makes it
 * stop serving and exit 0.
 */
static void test_hangup_mcp(void)
{
	static const char init[] =
		"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\","
		"\"params\":{\"protocolVersion\":\"2025-06-18\","
		"\"capabilities\":{},\"clientInfo\":{\"name\":\"t\","
		"\"version\":\"1\"}}}\n";
	char buf[4096];
	int in[2], outp[2], st = 0;
	struct pollfd p;
	long long t0;
	ssize_t n;
	pid_t pid;

	CU_ASSERT_EQUAL_FATAL(pipe(in), 0);
	CU_ASSERT_EQUAL_FATAL(pipe(outp), 0);
	pid = fork();
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(outp[1], 1);
		close(in[1]);
		close(outp[0]);
		if (chdir(dir) < 0)
			_exit(99);
		execl(WSP_CLI, WSP_CLI, "--config", config, "mcp",
		      (char *)NULL);
		_exit(99);
	}
	CU_ASSERT_FATAL(pid > 0);
	close(in[0]);
	close(outp[1]);
	CU_ASSERT_EQUAL(write(in[1], init, sizeof(init) - 1),
			(ssize_t)sizeof(init) - 1);
	p = (struct pollfd){outp[0], POLLIN, 0};
	CU_ASSERT_EQUAL(poll(&p, 1, 30000), 1);
	n = read(outp[0], buf, sizeof(buf) - 1);
	CU_ASSERT(n > 0);
	buf[n > 0 ? n : 0] = '\0';
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\"protocolVersion\""));
	t0 = test_now_ms();
	kill(pid, SIGHUP);
	waitpid(pid, &st, 0);
	CU_ASSERT(test_now_ms() - t0 < 15000);
	CU_ASSERT(WIFEXITED(st));
	CU_ASSERT_EQUAL(WEXITSTATUS(st), 0);
	close(in[1]); /* stdin stayed open until the end */
	close(outp[0]);
}

static void test_sandbox_lifecycle(void)
{
	CU_ASSERT_EQUAL(wsp("sandbox status"), 0);
	CU_ASSERT_STRING_EQUAL(out, "absent\n");
	CU_ASSERT_EQUAL(wsp("sandbox start"), 0);
	CU_ASSERT_STRING_EQUAL(out, "created\n");
	CU_ASSERT_EQUAL(wsp("sandbox start"), 0);
	CU_ASSERT_STRING_EQUAL(out, "connected\n");
	CU_ASSERT_EQUAL(wsp("sandbox info"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "id                   cli-box\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "isolation            none\n"));
	CU_ASSERT_EQUAL(wsp("--json sandbox info"), 0);
	{
		cJSON *doc = cJSON_Parse(out);

		CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
		CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(
			cJSON_GetObjectItem(doc, "provider")), "local");
		cJSON_Delete(doc);
	}
	CU_ASSERT_EQUAL(wsp("sandbox instructions"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "Working directory"));
	CU_ASSERT_EQUAL(wsp("sandbox stop"), 0);
	CU_ASSERT_EQUAL(wsp("sandbox status"), 0);
	CU_ASSERT_STRING_EQUAL(out, "stopped\n");
	CU_ASSERT_EQUAL(wsp("sh 'echo keep > kept.txt'"), 0);
	CU_ASSERT_EQUAL(wsp("sandbox destroy"), 0);
	CU_ASSERT_EQUAL(wsp("sandbox status"), 0);
	CU_ASSERT_STRING_EQUAL(out, "absent\n");
	CU_ASSERT_EQUAL(wsp("sh 'cat kept.txt'"), 0);
	CU_ASSERT_STRING_EQUAL(out, "keep\n");
	CU_ASSERT_EQUAL(wsp("sandbox destroy --files"), 0);
	CU_ASSERT_NOT_EQUAL(wsp("sh 'cat kept.txt'"), 0);
	CU_ASSERT_EQUAL(wsp("sandbox frob"), 2);
	CU_ASSERT_EQUAL(wsp("sandbox --help"), 0);
}

static CU_TestInfo tests[] = {
	{ "exit status and streams", test_exit_status_and_streams },
	{ "errors", test_errors },
	{ "timeout", test_timeout },
	{ "env, cwd, stdin", test_env_cwd_stdin },
	{ "closed output stops the command", test_closed_output },
	{ "json", test_json },
	{ "isolation override", test_isolation_override },
	{ "interrupt", test_interrupt },
	{ "hang-up: wsp tool", test_hangup_tool },
	{ "hang-up: wsp mcp", test_hangup_mcp },
	{ "sandbox lifecycle", test_sandbox_lifecycle },
	CU_TEST_INFO_NULL,
};

int main(void)
{
	CU_SuiteInfo suites[] = { { "wsp exec/sh/sandbox", suite_init,
				    suite_clean, NULL, NULL, tests },
				  CU_SUITE_INFO_NULL };

	/* no CU_MAIN_SUITE: SIGPIPE keeps its default so wsp children see it */
	return cu_run_suites(suites);
}
