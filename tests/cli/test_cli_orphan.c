/*
 * tests/cli/test_cli_orphan.c - no orphan (issue 13, item 4): with
 * `isolation: none`, a SIGKILL of the `wsp exec` process, which no handler
 * of wsp sees, still ends the command and what it started; and exec or
 * spawn on a stopped sandbox starts it, says so under -v, and its status
 * is true afterwards.
 */
#include "cli_run.h"
#include "procs_util.h"
#include "test_files.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The pid in work/<name>, waiting up to 10 s for it to be written. */
static pid_t pid_in(const char *name)
{
	char rel[64], text[32];
	int i;

	snprintf(rel, sizeof(rel), "work/%s", name);
	for (i = 0; i < 200; i++) {
		test_read_text(cli_path(rel), text, sizeof(text));
		if (strchr(text, '\n'))
			return (pid_t)atol(text);
		usleep(50000);
	}
	return -1;
}

/* Start `wsp exec -- sh -c SCRIPT` unwaited; its pid. */
static pid_t start_exec(const char *script)
{
	pid_t pid = fork();

	if (pid == 0) {
		if (chdir(cli_dir) < 0)
			_exit(126);
		execl(WSP_CLI, WSP_CLI, "--config", "wsp.yaml", "exec", "--",
		      "sh", "-c", script, (char *)NULL);
		_exit(127);
	}
	return pid;
}

static void test_sigkill_ends_command(void)
{
	pid_t wsp, sh, child;
	int status;

	CU_ASSERT_EQUAL_FATAL(cli_run("sandbox start"), 0);
	wsp = start_exec("echo $$ > sh.pid; sleep 300 & echo $! > "
			 "child.pid; wait");
	CU_ASSERT_FATAL(wsp > 0);
	sh = pid_in("sh.pid");
	child = pid_in("child.pid");
	CU_ASSERT_FATAL(sh > 1 && child > 1);
	CU_ASSERT_EQUAL(kill(sh, 0), 0); /* running */
	CU_ASSERT_EQUAL(kill(wsp, SIGKILL), 0);
	CU_ASSERT_EQUAL(waitpid(wsp, &status, 0), wsp);
	CU_ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	/* the shell and the sleep it started in the background */
	CU_ASSERT(pid_gone_within(sh, 5000));
	CU_ASSERT(pid_gone_within(child, 5000));
	if (!pid_gone_within(child, 0)) { /* leave nothing behind */
		kill(sh, SIGKILL);
		kill(child, SIGKILL);
	}
}

/* Ended normally, or by its deadline: nothing of it (or of wsp) stays. */
static void test_normal_end_leaves_nothing(void)
{
	pid_t child;

	CU_ASSERT_EQUAL(cli_run("sh 'sleep 300 & echo $! > bg.pid; true'"), 0);
	child = pid_in("bg.pid");
	CU_ASSERT(child > 1 && pid_gone_within(child, 5000));
	CU_ASSERT_EQUAL(cli_run("sh --timeout 300ms 'echo $$ > t.pid; "
				"sleep 300'"),
			124);
	child = pid_in("t.pid");
	CU_ASSERT(child > 1 && pid_gone_within(child, 5000));
	CU_ASSERT_EQUAL(count_zombie_children(), 0);
}

static void test_exec_starts_stopped(void)
{
	char id[64];

	CU_ASSERT_EQUAL(cli_run("sandbox stop"), 0);
	CU_ASSERT_EQUAL(cli_run("sandbox status"), 0);
	CU_ASSERT_STRING_EQUAL(cli_out, "stopped\n");
	CU_ASSERT_EQUAL(cli_run("-v exec -- echo ran"), 0);
	CU_ASSERT_STRING_EQUAL(cli_out, "ran\n");
	CU_ASSERT_PTR_NOT_NULL(strstr(cli_err, "it was stopped; exec started "
					       "it again"));
	CU_ASSERT_EQUAL(cli_run("sandbox status"), 0);
	CU_ASSERT_STRING_EQUAL(cli_out, "running\n");
	/* without -v: the same, and nothing of it in the command's stderr */
	CU_ASSERT_EQUAL(cli_run("sandbox stop"), 0);
	CU_ASSERT_EQUAL(cli_run("sh 'echo mine >&2'"), 0);
	CU_ASSERT_STRING_EQUAL(cli_err, "mine\n");
	CU_ASSERT_EQUAL(cli_run("--json sandbox status"), 0);
	CU_ASSERT_STRING_EQUAL(cli_out, "{\"state\":\"running\"}\n");
	/* spawn too */
	CU_ASSERT_EQUAL(cli_run("sandbox stop"), 0);
	CU_ASSERT_FATAL(cli_spawn(id, sizeof(id), "--no-stdin -- true") == 0);
	CU_ASSERT_EQUAL(cli_run("sandbox status"), 0);
	CU_ASSERT_STRING_EQUAL(cli_out, "running\n");
	CU_ASSERT_EQUAL(cli_run("release %s", id), 0);
}

static CU_TestInfo tests[] = {
	{"SIGKILL of wsp exec ends the command", test_sigkill_ends_command},
	{"a normal end leaves nothing", test_normal_end_leaves_nothing},
	{"exec on a stopped sandbox starts it", test_exec_starts_stopped},
	CU_TEST_INFO_NULL,
};

int main(void)
{
	return cli_main("no orphan; exec on a stopped sandbox", tests);
}
