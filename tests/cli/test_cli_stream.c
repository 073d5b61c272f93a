/*
 * tests/cli/test_cli_stream.c - output a program reads as it comes
 * (issue 13, item 5): `wsp logs -f` ends with the process's own status
 * and under --json streams JSON lines; `wsp exec --json --stream` does
 * too; wsp's own notices never land in the command's stderr unless -v,
 * or go to --log-file.
 */
#include "cli_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include "test_wait.h"

/*
 * Check JSON lines: each {"stream","data"} appended to the stream's text,
 * the last one returned (the caller deletes it); NULL if a line is not
 * one JSON object.
 */
static cJSON *json_lines(const char *text, char *out, char *err, size_t cap)
{
	cJSON *last = NULL;
	char line[8192];

	out[0] = err[0] = '\0';
	while (*text) {
		size_t n = strcspn(text, "\n");
		const char *stream;

		if (n >= sizeof(line))
			return NULL;
		memcpy(line, text, n);
		line[n] = '\0';
		text += n + (text[n] == '\n');
		cJSON_Delete(last);
		last = cli_json(line);
		if (!cJSON_IsObject(last))
			return NULL;
		stream = cli_str(last, "stream");
		if (!strcmp(stream, "stdout"))
			strncat(out, cli_str(last, "data"), cap - strlen(out) - 1);
		else if (!strcmp(stream, "stderr"))
			strncat(err, cli_str(last, "data"), cap - strlen(err) - 1);
	}
	return last;
}

static void test_logs_follow_status(void)
{
	char id[64], o[256], e[256];
	cJSON *end;

	CU_ASSERT_FATAL(cli_spawn(id, sizeof(id),
				  "--no-stdin -c 'echo one; echo two >&2; "
				  "exit 3'") == 0);
	CU_ASSERT_EQUAL(cli_run("logs -f %s", id), 3);
	CU_ASSERT_STRING_EQUAL(cli_out, "one\n");
	CU_ASSERT_STRING_EQUAL(cli_err, "two\n"); /* nothing of wsp's */
	CU_ASSERT_EQUAL(cli_run("--json logs -f %s", id), 3);
	end = json_lines(cli_out, o, e, sizeof(o));
	CU_ASSERT_PTR_NOT_NULL_FATAL(end);
	CU_ASSERT_STRING_EQUAL(o, "one\n");
	CU_ASSERT_STRING_EQUAL(e, "two\n");
	CU_ASSERT_EQUAL(cJSON_GetObjectItem(end, "exit")->valueint, 3);
	CU_ASSERT_STRING_EQUAL(cli_str(end, "state"), "exited");
	cJSON_Delete(end);
	CU_ASSERT_STRING_EQUAL(cli_err, "");
	/* without -f it is a read: success */
	CU_ASSERT_EQUAL(cli_run("logs %s", id), 0);
	CU_ASSERT_EQUAL(cli_run("release %s", id), 0);

	/* killed by a signal: 128+N, as a shell reports it */
	CU_ASSERT_FATAL(cli_spawn(id, sizeof(id),
				  "--no-stdin -c 'kill -KILL $$'") == 0);
	CU_ASSERT_EQUAL(cli_run("logs -f --json %s", id), 128 + 9);
	end = json_lines(cli_out, o, e, sizeof(o));
	CU_ASSERT_PTR_NOT_NULL_FATAL(end);
	CU_ASSERT_EQUAL(cJSON_GetObjectItem(end, "exit")->valueint, 137);
	CU_ASSERT_EQUAL(cJSON_GetObjectItem(end, "signal")->valueint, 9);
	CU_ASSERT_STRING_EQUAL(cli_str(end, "state"), "signaled");
	cJSON_Delete(end);
	CU_ASSERT_EQUAL(cli_run("release %s", id), 0);
	CU_ASSERT_EQUAL(cli_run("logs --help"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(cli_out, "{\"exit\":STATUS"));
}

/* The first line arrives while the process still runs. */
static void test_logs_follow_streams(void)
{
	char id[64], cmd[1024], line[512];
	long long t0;
	cJSON *doc;
	FILE *p;

	CU_ASSERT_FATAL(cli_spawn(id, sizeof(id),
				  "--no-stdin -c 'echo first; sleep 3; "
				  "printf \"\\303\"; sleep 0.3; "
				  "printf \"\\251 done\\n\"'") == 0);
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && '%s' --config wsp.yaml --json logs -f %s",
		 cli_dir, WSP_CLI, id);
	t0 = test_now_ms();
	p = popen(cmd, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fgets(line, sizeof(line), p));
	CU_ASSERT(test_now_ms() - t0 < 2500); /* not at the end, 3 s later */
	CU_ASSERT_STRING_EQUAL(line,
			       "{\"stream\":\"stdout\",\"data\":\"first\\n\"}\n");
	/* a character split between two writes stays whole */
	CU_ASSERT_PTR_NOT_NULL(fgets(line, sizeof(line), p));
	doc = cli_json(line);
	CU_ASSERT_STRING_EQUAL(cli_str(doc, "data"), "\xc3\xa9 done\n");
	cJSON_Delete(doc);
	CU_ASSERT_PTR_NOT_NULL(fgets(line, sizeof(line), p));
	CU_ASSERT_PTR_NOT_NULL(strstr(line, "{\"exit\":0,"));
	CU_ASSERT_EQUAL(WEXITSTATUS(pclose(p)), 0);
	CU_ASSERT_EQUAL(cli_run("release %s", id), 0);
}

static void test_exec_stream(void)
{
	char o[256], e[256];
	cJSON *end;

	CU_ASSERT_EQUAL(cli_run("--json exec --stream -- sh -c "
				"'echo a; echo b >&2; exit 4'"),
			4);
	end = json_lines(cli_out, o, e, sizeof(o));
	CU_ASSERT_PTR_NOT_NULL_FATAL(end);
	CU_ASSERT_STRING_EQUAL(o, "a\n");
	CU_ASSERT_STRING_EQUAL(e, "b\n");
	CU_ASSERT_EQUAL(cJSON_GetObjectItem(end, "exit_code")->valueint, 4);
	CU_ASSERT_PTR_NULL(cJSON_GetObjectItem(end, "stdout"));
	cJSON_Delete(end);
	CU_ASSERT_EQUAL(cli_run("exec --stream -- true"), 125);
	CU_ASSERT_EQUAL(cli_run("exec --help"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(cli_out, "--stream"));
}

/* wsp's notices: not in the command's stderr; with -v, or in the log file. */
static void test_notices_apart(void)
{
	char log[8192];
	FILE *f;
	size_t n;

	CU_ASSERT_EQUAL(cli_run("sh --timeout 300ms 'echo mine >&2; "
				"sleep 30'"),
			124);
	CU_ASSERT_STRING_EQUAL(cli_err, "mine\n");
	CU_ASSERT_EQUAL(cli_run("--log-file wsp.log sh --timeout 300ms "
				"'echo mine >&2; sleep 30'"),
			124);
	CU_ASSERT_STRING_EQUAL(cli_err, "mine\n");
	f = fopen(cli_path("wsp.log"), "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	n = fread(log, 1, sizeof(log) - 1, f);
	log[n] = '\0';
	fclose(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "wsp: command timed out after"));
	CU_ASSERT_PTR_NULL(strstr(log, "mine"));
	CU_ASSERT_EQUAL(cli_run("-v sh --timeout 300ms 'sleep 30'"), 124);
	CU_ASSERT_PTR_NOT_NULL(strstr(cli_err, "timed out"));
	CU_ASSERT_EQUAL(cli_run("--log-file /nonexistent/dir/x.log version"),
			2);
	CU_ASSERT_EQUAL(cli_run("--help"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(cli_out, "--log-file FILE"));
}

static CU_TestInfo tests[] = {
	{"logs -f: the process's status, JSON lines", test_logs_follow_status},
	{"logs -f --json streams as it comes", test_logs_follow_streams},
	{"exec --json --stream", test_exec_stream},
	{"wsp's notices stay out of the command's stderr", test_notices_apart},
	CU_TEST_INFO_NULL,
};

int main(void)
{
	return cli_main("wsp output as it comes", tests);
}
