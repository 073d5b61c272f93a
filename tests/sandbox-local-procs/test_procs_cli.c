/*
 * tests/sandbox-local-procs/test_procs_cli.c - the background-process
 * commands of the real CLI (<build>/bin/wsp), each call a separate wsp
 * process: one spawns, later ones list, read, write to, kill and release.
 */
#include "procs_util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char tmp[256], config[512];

static void make_config(const char *isolation)
{
	FILE *f;

	snprintf(tmp, sizeof(tmp), "/tmp/wsp-procs-cli-XXXXXX");
	CU_ASSERT_FATAL(mkdtemp(tmp) != NULL);
	snprintf(config, sizeof(config), "%s/wsp.yaml", tmp);
	f = fopen(config, "w");
	CU_ASSERT_FATAL(f != NULL);
	fprintf(f,
		"sandbox:\n"
		"  provider: local\n"
		"  id: dev-box\n"
		"  options:\n"
		"    isolation: %s\n"
		"    kill_grace: 500ms\n"
		"    working_dir: %s/work\n"
		"    state_dir: %s/state\n",
		isolation, tmp, tmp);
	fclose(f);
}

static void remove_config(void)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	CU_ASSERT(system(cmd) == 0);
}

/*
 * Run `wsp --config CONFIG ARGS` (ARGS as a shell fragment); its stdout
 * into *out (may be NULL), its exit status returned.
 */
static int wsp(char **out, const char *fmt, ...) WSP_PRINTF(2, 3);
static int wsp(char **out, const char *fmt, ...)
{
	char args[1024], cmd[2048], *buf = NULL;
	size_t len = 0, n;
	va_list ap;
	FILE *p;
	int status;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "'%s' --config '%s' %s", WSP_CLI, config,
		 args);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	for (;;) {
		char *grown = realloc(buf, len + 4097);

		if (!grown)
			break;
		buf = grown;
		n = fread(buf + len, 1, 4096, p);
		len += n;
		if (n == 0)
			break;
	}
	if (buf)
		buf[len] = '\0';
	status = pclose(p);
	if (out)
		*out = buf;
	else
		free(buf);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Spawn through the CLI; the id it printed (without newline). */
static void spawn(char id[WSP_PROC_ID_MAX], const char *args)
{
	char *out = NULL;
	int rc = wsp(&out, "spawn %s", args);

	CU_ASSERT_FATAL(rc == 0 && out != NULL);
	out[strcspn(out, "\n")] = '\0';
	CU_ASSERT_FATAL(strlen(out) > 2 && strlen(out) < WSP_PROC_ID_MAX);
	strcpy(id, out);
	free(out);
}

/* `wsp logs ID` until its stdout equals want (20 s at most). */
static int logs_become(const char *id, const char *want)
{
	int i, ok = 0;

	for (i = 0; i < 400 && !ok; i++) {
		char *out = NULL;

		wsp(&out, "logs --stdout %s", id);
		ok = out && !strcmp(out, want);
		free(out);
		if (!ok)
			usleep(50000);
	}
	return ok;
}

static void test_spawn_send_follow(void)
{
	char id[WSP_PROC_ID_MAX], *out = NULL, line[512];

	make_config("none");
	spawn(id, "-c 'echo ready; cat; echo done >&2'");
	CU_ASSERT(wsp(&out, "ps") == 0);
	snprintf(line, sizeof(line), "%s", id);
	CU_ASSERT(out && strstr(out, line) && strstr(out, "running") &&
		  strstr(out, "echo ready; cat"));
	free(out);
	CU_ASSERT(logs_become(id, "ready\n"));
	CU_ASSERT(wsp(NULL, "send %s 'hello there\n'", id) == 0);
	CU_ASSERT(wsp(NULL, "send %s - < '%s'", id, config) == 0);
	CU_ASSERT(wsp(NULL, "send --close %s", id) == 0);
	/* logs -f returns once the process ended, with all of it. */
	CU_ASSERT(wsp(&out, "logs -f --stdout %s", id) == 0);
	CU_ASSERT(out && !strncmp(out, "ready\nhello there\nsandbox:\n", 25));
	free(out);
	CU_ASSERT(wsp(&out, "--json logs %s", id) == 0);
	CU_ASSERT(out && strstr(out, "\"state\":\"exited\"") &&
		  strstr(out, "\"exit_code\":0") &&
		  strstr(out, "\"stderr\":\"done\\n\""));
	free(out);
	/* The last line of the config file it read from stdin. */
	CU_ASSERT(wsp(&out, "logs --tail 1 --stdout %s", id) == 0);
	snprintf(line, sizeof(line), "    state_dir: %s/state\n", tmp);
	CU_ASSERT(out && !strcmp(out, line));
	free(out);
	CU_ASSERT(wsp(NULL, "release %s", id) == 0);
	CU_ASSERT(wsp(&out, "--json ps") == 0);
	CU_ASSERT(out && !strcmp(out, "[]\n"));
	free(out);
	CU_ASSERT(wsp(NULL, "logs %s 2>/dev/null", id) == 1);
	CU_ASSERT(wsp(NULL, "logs 2>/dev/null") == 2);
	CU_ASSERT(wsp(NULL, "kill --signal NOPE %s 2>/dev/null", id) == 2);
	remove_config();
}

static void kill_from_another_wsp(const char *isolation)
{
	char id[WSP_PROC_ID_MAX], *out = NULL;

	make_config(isolation);
	spawn(id, "--no-stdin -c 'echo up; sleep 60 & sleep 60'");
	CU_ASSERT(logs_become(id, "up\n"));
	CU_ASSERT(wsp(NULL, "kill --signal KILL %s", id) == 0);
	/* The follower returns once the kill took effect, with its status. */
	CU_ASSERT(wsp(NULL, "logs -f %s", id) == 128 + 9);
	CU_ASSERT(wsp(&out, "--json ps") == 0);
	CU_ASSERT(out && strstr(out, id) &&
		  strstr(out, "\"state\":\"signaled\"") &&
		  strstr(out, "\"signal\":9"));
	free(out);
	CU_ASSERT(wsp(NULL, "release %s", id) == 0);
	remove_config();
}

static void test_kill_from_another_wsp(void)
{
	kill_from_another_wsp("none");
}

static void test_kill_from_another_wsp_bwrap(void)
{
	if (access("/usr/bin/bwrap", X_OK) && access("/bin/bwrap", X_OK)) {
		CU_FAIL("bubblewrap is needed for this test");
		return;
	}
	kill_from_another_wsp("bwrap");
}

/*
 * ^C ends a follow, not the process: wsp exits 130 once, having printed
 * what was written so far exactly once, and the process still runs.
 */
static void test_follow_interrupted(void)
{
	char id[WSP_PROC_ID_MAX], cmd[1024], buf[256], *out = NULL;
	size_t len;
	FILE *p;
	int status;

	make_config("none");
	spawn(id, "--no-stdin -c 'echo up; exec sleep 60'");
	CU_ASSERT(logs_become(id, "up\n"));
	snprintf(cmd, sizeof(cmd),
		 "timeout --preserve-status -s INT 1 '%s' --config '%s' "
		 "logs -f %s",
		 WSP_CLI, config, id);
	p = popen(cmd, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	len = fread(buf, 1, sizeof(buf) - 1, p);
	buf[len] = '\0';
	status = pclose(p);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 130);
	CU_ASSERT_STRING_EQUAL(buf, "up\n");
	CU_ASSERT(wsp(&out, "--json ps") == 0);
	CU_ASSERT(out && strstr(out, id) && strstr(out, "\"state\":\"running\""));
	free(out);
	CU_ASSERT(wsp(NULL, "release %s", id) == 0);
	remove_config();
}

static CU_TestInfo tests[] = {
	{"spawn, ps, send, logs -f, release", test_spawn_send_follow},
	{"kill from another wsp", test_kill_from_another_wsp},
	{"logs -f interrupted", test_follow_interrupted},
	{"kill from another wsp, bubblewrap", test_kill_from_another_wsp_bwrap},
	CU_TEST_INFO_NULL,
};

int main(void)
{
	return procs_main("wsp spawn/ps/logs/send/kill/release", tests);
}
