/*
 * tests/tools/test_mcp_server.c - wsp_mcp_serve driven over pipes as a
 * client would: initialize and version negotiation, ping, tools/list,
 * tools/call, progress notifications, cancellation, concurrent calls,
 * elicitation for approval, malformed and oversized messages, shutdown.
 */
#include "cu_main.h"
#include "fixture.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct session {
	struct fixture fx;
	int to_server, from_server; /* our ends */
	int srv_in, srv_out;	    /* the server's ends */
	wsp_cancel *stop;
	pthread_t th;
	uint32_t flags;
	int rc;
	char buf[1 << 20];
	size_t len;
};

static void *serve(void *arg)
{
	struct session *s = arg;
	wsp_mcp_opts o = WSP_MCP_OPTS_INIT;
	wsp_error err;

	o.in_fd = s->srv_in;
	o.out_fd = s->srv_out;
	o.max_message = 4096;
	o.instructions = "use the tools wisely";
	o.stop = s->stop;
	o.flags = s->flags;
	s->rc = wsp_mcp_serve(s->fx.tools, &o, &err);
	close(s->srv_out);
	return NULL;
}

static void start_flags(struct session *s, const char *yaml, uint32_t flags)
{
	int a[2], b[2];
	wsp_error err;

	memset(s, 0, sizeof(*s));
	s->flags = flags;
	CU_ASSERT_EQUAL_FATAL(fixture_open(&s->fx, yaml, 0), 0);
	CU_ASSERT_EQUAL_FATAL(pipe(a), 0);
	CU_ASSERT_EQUAL_FATAL(pipe(b), 0);
	s->srv_in = a[0];
	s->to_server = a[1];
	s->from_server = b[0];
	s->srv_out = b[1];
	CU_ASSERT_EQUAL_FATAL(wsp_cancel_new(&s->stop, &err), 0);
	CU_ASSERT_EQUAL_FATAL(pthread_create(&s->th, NULL, serve, s), 0);
}

static void start(struct session *s, const char *yaml)
{
	start_flags(s, yaml, 0);
}

static void finish(struct session *s)
{
	if (s->to_server >= 0)
		close(s->to_server);
	pthread_join(s->th, NULL);
	close(s->srv_in);
	close(s->from_server);
	wsp_cancel_free(s->stop);
	fixture_close(&s->fx);
}

static void send_raw(struct session *s, const char *line)
{
	size_t n = strlen(line);

	CU_ASSERT_EQUAL(write(s->to_server, line, n), (ssize_t)n);
	CU_ASSERT_EQUAL(write(s->to_server, "\n", 1), 1);
}

/* A tools/call of execute_command with id; command is the JSON string's
 * content, as it goes on the wire. */
static void send_command(struct session *s, int id, const char *command)
{
	char line[1024];
	int n = snprintf(line, sizeof(line),
			 "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":"
			 "\"tools/call\",\"params\":{\"name\":"
			 "\"execute_command\",\"arguments\":{\"command\":"
			 "\"%s\"}}}",
			 id, command);

	CU_ASSERT_FATAL(n > 0 && (size_t)n < sizeof(line));
	send_raw(s, line);
}

/* Answer the server's request j (freed here) with result, a JSON object. */
static void answer(struct session *s, cJSON *j, const char *result)
{
	const cJSON *id;
	char line[256];
	int n;

	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	id = cJSON_GetObjectItem(j, "id");
	CU_ASSERT_FATAL(cJSON_IsString(id));
	n = snprintf(line, sizeof(line),
		     "{\"jsonrpc\":\"2.0\",\"id\":\"%s\",\"result\":%s}",
		     id->valuestring, result);
	cJSON_Delete(j);
	CU_ASSERT_FATAL(n > 0 && (size_t)n < sizeof(line));
	send_raw(s, line);
}

/* The next message from the server (parsed), or NULL after timeout_ms. */
static cJSON *next(struct session *s, int timeout_ms)
{
	struct pollfd p = {s->from_server, POLLIN, 0};
	char *nl;
	cJSON *j;
	ssize_t n;

	for (;;) {
		nl = memchr(s->buf, '\n', s->len);
		if (nl) {
			*nl = '\0';
			j = cJSON_Parse(s->buf);
			CU_ASSERT_PTR_NOT_NULL(j);
			s->len -= (size_t)(nl + 1 - s->buf);
			memmove(s->buf, nl + 1, s->len);
			return j;
		}
		if (poll(&p, 1, timeout_ms) <= 0)
			return NULL;
		n = read(s->from_server, s->buf + s->len,
			 sizeof(s->buf) - s->len - 1);
		if (n <= 0)
			return NULL;
		s->len += (size_t)n;
	}
}

/* The next message that is not a progress notification. */
static cJSON *next_reply(struct session *s, int timeout_ms)
{
	cJSON *j;
	const cJSON *m;

	for (;;) {
		j = next(s, timeout_ms);
		m = cJSON_GetObjectItem(j, "method");
		if (!j || !cJSON_IsString(m) ||
		    strcmp(m->valuestring, "notifications/progress"))
			return j;
		cJSON_Delete(j);
	}
}

static int error_code(const cJSON *j)
{
	const cJSON *e = cJSON_GetObjectItem(j, "error");

	return e ? cJSON_GetObjectItem(e, "code")->valueint : 0;
}

static const char *result_text(const cJSON *j, int *is_error)
{
	const cJSON *r = cJSON_GetObjectItem(j, "result");
	const cJSON *c =
		cJSON_GetArrayItem(cJSON_GetObjectItem(r, "content"), 0);

	*is_error = cJSON_IsTrue(cJSON_GetObjectItem(r, "isError"));
	return c ? cJSON_GetObjectItem(c, "text")->valuestring : "";
}

static int id_of(const cJSON *j)
{
	const cJSON *id = cJSON_GetObjectItem(j, "id");

	return cJSON_IsNumber(id) ? id->valueint : -1;
}

static void initialize(struct session *s, const char *version, const char *caps,
		       const char **got_version)
{
	char line[512];
	cJSON *j;

	snprintf(line, sizeof(line),
		 "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\","
		 "\"params\":{\"protocolVersion\":\"%s\",\"capabilities\":%s,"
		 "\"clientInfo\":{\"name\":\"test\",\"version\":\"1\"}}}",
		 version, caps);
	send_raw(s, line);
	j = next(s, 5000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	if (got_version) {
		static char v[32];
		const cJSON *r = cJSON_GetObjectItem(j, "result");

		snprintf(
			v, sizeof(v), "%s",
			cJSON_GetObjectItem(r, "protocolVersion")->valuestring);
		*got_version = v;
	}
	cJSON_Delete(j);
	send_raw(s, "{\"jsonrpc\":\"2.0\",\"method\":"
		    "\"notifications/initialized\"}");
}

static void test_initialize(void)
{
	struct session s;
	const cJSON *r, *info;
	const char *v;
	cJSON *j;

	start(&s, NULL);
	initialize(&s, "2025-03-26", "{}", &v);
	CU_ASSERT_STRING_EQUAL(v, "2025-03-26");
	send_raw(&s, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"initialize\","
		     "\"params\":{\"protocolVersion\":\"2099-01-01\"}}");
	j = next(&s, 20000);
	r = cJSON_GetObjectItem(j, "result");
	CU_ASSERT_STRING_EQUAL(
		cJSON_GetObjectItem(r, "protocolVersion")->valuestring,
		"2025-06-18");
	info = cJSON_GetObjectItem(r, "serverInfo");
	CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(info, "name")->valuestring,
			       "wsp");
	CU_ASSERT_STRING_EQUAL(
		cJSON_GetObjectItem(r, "instructions")->valuestring,
		"use the tools wisely");
	CU_ASSERT(cJSON_IsObject(cJSON_GetObjectItem(
		cJSON_GetObjectItem(r, "capabilities"), "tools")));
	cJSON_Delete(j);

	send_raw(&s, "{\"jsonrpc\":\"2.0\",\"id\":\"p\",\"method\":\"ping\"}");
	j = next(&s, 20000);
	CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(j, "id")->valuestring, "p");
	CU_ASSERT(cJSON_IsObject(cJSON_GetObjectItem(j, "result")));
	cJSON_Delete(j);

	send_raw(&s,
		 "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/list\"}");
	j = next(&s, 20000);
	r = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "result"), "tools");
	CU_ASSERT_EQUAL(cJSON_GetArraySize(r), 11);
	CU_ASSERT_STRING_EQUAL(
		cJSON_GetObjectItem(cJSON_GetArrayItem(r, 0), "name")
			->valuestring,
		"execute_command");
	CU_ASSERT(cJSON_IsObject(
		cJSON_GetObjectItem(cJSON_GetArrayItem(r, 0), "inputSchema")));
	cJSON_Delete(j);
	finish(&s);
	CU_ASSERT_EQUAL(s.rc, 0);
}

static void expect_error(struct session *s, const char *line, int code, int id)
{
	cJSON *j;

	send_raw(s, line);
	j = next(s, 5000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(error_code(j), code);
	CU_ASSERT_EQUAL(id_of(j), id);
	cJSON_Delete(j);
}

/* A valid ping request exactly total bytes long (padding in params). */
static void ping_of_length(char *buf, size_t total, int id)
{
	int n = snprintf(buf, total + 1,
			 "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"ping\","
			 "\"params\":{\"p\":\"",
			 id);

	memset(buf + n, 'x', total - (size_t)n - 3);
	strcpy(buf + total - 3, "\"}}");
	CU_ASSERT_EQUAL(strlen(buf), total);
}

static void test_malformed(void)
{
	struct session s;
	char big[6001];
	cJSON *j;

	start(&s, NULL);
	initialize(&s, "2025-06-18", "{}", NULL);
	expect_error(&s, "{bad json", -32700, -1);
	expect_error(&s, "[1,2]", -32600, -1);
	expect_error(&s, "\"just a string\"", -32600, -1);
	expect_error(&s, "{\"id\":4,\"method\":\"ping\"}", -32600, 4);
	expect_error(&s, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"nope\"}",
		     -32601, 5);
	expect_error(&s,
		     "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":"
		     "\"tools/call\",\"params\":{\"name\":5}}",
		     -32602, 6);
	expect_error(&s,
		     "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":"
		     "\"tools/call\",\"params\":{\"name\":\"nope\"}}",
		     -32602, 7);
	expect_error(&s,
		     "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":"
		     "\"tools/call\",\"params\":{\"name\":"
		     "\"execute_command\",\"arguments\":{}}}",
		     -32602, 8);
	expect_error(&s,
		     "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":"
		     "\"tools/call\",\"params\":[]}",
		     -32602, 9);
	/* a NUL would cut the path to "in.txt": refused, not truncated */
	expect_error(&s,
		     "{\"jsonrpc\":\"2.0\",\"id\":12,\"method\":"
		     "\"tools/call\",\"params\":{\"name\":\"read_file\","
		     "\"arguments\":{\"path\":\"in.txt\\u0000/../..\"}}}",
		     -32602, 12);
	/* valid JSON over the bound (4096 here) is refused unread */
	ping_of_length(big, 6000, 10);
	expect_error(&s, big, -32700, -1);
	ping_of_length(big, 4097, 10);
	expect_error(&s, big, -32700, -1);
	/* exactly at the bound is fine */
	ping_of_length(big, 4096, 10);
	send_raw(&s, big);
	j = next(&s, 20000);
	CU_ASSERT_EQUAL(id_of(j), 10);
	CU_ASSERT(cJSON_IsObject(cJSON_GetObjectItem(j, "result")));
	cJSON_Delete(j);
	{
		/* a huge line in pieces: the buffer never grows past the bound
		 */
		static char huge[100000];

		memset(huge, 'y', sizeof(huge) - 1);
		send_raw(&s, huge);
		j = next(&s, 20000);
		CU_ASSERT_EQUAL(error_code(j), -32700);
		CU_ASSERT_PTR_NOT_NULL(strstr(
			cJSON_GetObjectItem(cJSON_GetObjectItem(j, "error"),
					    "message")
				->valuestring,
			"over 4096 bytes"));
		cJSON_Delete(j);
	}
	send_raw(&s, "{\"jsonrpc\":\"2.0\",\"id\":11,\"method\":\"ping\"}");
	j = next(&s, 20000);
	CU_ASSERT_EQUAL(id_of(j), 11);
	cJSON_Delete(j);
	/* notifications get no answer, unknown ones included */
	send_raw(&s, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/x\"}");
	CU_ASSERT_PTR_NULL(next(&s, 200));
	finish(&s);
	CU_ASSERT_EQUAL(s.rc, 0);
}

static void test_call_and_progress(void)
{
	struct session s;
	int is_error, progress = 0;
	const cJSON *m, *p;
	cJSON *j;

	start(&s, NULL);
	initialize(&s, "2025-06-18", "{}", NULL);
	/* "two" waits (30 s at most) until the test saw progress for "one" */
	send_raw(&s, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\","
		     "\"params\":{\"name\":\"execute_command\",\"arguments\":"
		     "{\"command\":\"echo one; i=0; while [ ! -e go-two ] && "
		     "[ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done; "
		     "echo two\"},"
		     "\"_meta\":{\"progressToken\":\"tok\"}}}");
	for (;;) {
		j = next(&s, 20000);
		CU_ASSERT_PTR_NOT_NULL_FATAL(j);
		m = cJSON_GetObjectItem(j, "method");
		if (!m)
			break;
		CU_ASSERT_STRING_EQUAL(m->valuestring,
				       "notifications/progress");
		p = cJSON_GetObjectItem(j, "params");
		CU_ASSERT_STRING_EQUAL(
			cJSON_GetObjectItem(p, "progressToken")->valuestring,
			"tok");
		CU_ASSERT_EQUAL(cJSON_GetObjectItem(p, "progress")->valueint,
				progress + 1);
		progress++;
		if (progress == 1)
			fixture_write(&s.fx, "go-two", "go");
		cJSON_Delete(j);
	}
	CU_ASSERT(progress >= 2);
	CU_ASSERT_EQUAL(id_of(j), 2);
	CU_ASSERT_STRING_EQUAL(result_text(j, &is_error), "one\ntwo");
	CU_ASSERT_FALSE(is_error);
	cJSON_Delete(j);

	/* a failing command is a result with isError, not a JSON-RPC error */
	send_command(&s, 3, "exit 4");
	j = next(&s, 20000);
	CU_ASSERT_STRING_EQUAL(result_text(j, &is_error), "Exit code: 4");
	CU_ASSERT_TRUE(is_error);
	cJSON_Delete(j);
	finish(&s);
}

static int alive(long pid)
{
	return kill((pid_t)pid, 0) == 0 || errno != ESRCH;
}

static long read_pid(struct fixture *fx)
{
	char *text;
	long pid = 0;
	int i;

	for (i = 0; i < 400 && !pid; i++) {
		text = fixture_read(fx, "pid");
		if (text && text[0])
			pid = strtol(text, NULL, 10);
		free(text);
		if (!pid)
			usleep(50000);
	}
	return pid;
}

static void test_cancel_and_concurrency(void)
{
	struct session s;
	long pid;
	int i, is_error;
	cJSON *j;

	start(&s, NULL);
	initialize(&s, "2025-06-18", "{}", NULL);
	/*
	 * a slow call and a fast one: the fast answer comes first, as the
	 * slow one waits (30 s at most) until the test got the fast answer
	 */
	send_command(&s, 20,
		     "i=0; while [ ! -e go-slow ] && [ $i -lt 300 ]; do "
		     "sleep 0.1; i=$((i+1)); done; echo slow");
	send_command(&s, 21, "echo fast");
	j = next(&s, 20000);
	CU_ASSERT_EQUAL(id_of(j), 21);
	CU_ASSERT_STRING_EQUAL(result_text(j, &is_error), "fast");
	cJSON_Delete(j);
	fixture_write(&s.fx, "go-slow", "go");
	j = next(&s, 20000);
	CU_ASSERT_EQUAL(id_of(j), 20);
	CU_ASSERT_STRING_EQUAL(result_text(j, &is_error), "slow");
	cJSON_Delete(j);

	/* notifications/cancelled kills the command; no answer follows */
	send_command(&s, 30, "echo $$ > pid; exec sleep 60");
	pid = read_pid(&s.fx);
	CU_ASSERT_FATAL(pid > 0);
	CU_ASSERT(alive(pid));
	send_raw(&s, "{\"jsonrpc\":\"2.0\",\"method\":"
		     "\"notifications/cancelled\",\"params\":{\"requestId\":30,"
		     "\"reason\":\"user stop\"}}");
	for (i = 0; i < 400 && alive(pid); i++)
		usleep(50000);
	CU_ASSERT_FALSE(alive(pid));
	send_raw(&s, "{\"jsonrpc\":\"2.0\",\"id\":31,\"method\":\"ping\"}");
	j = next(&s, 20000);
	CU_ASSERT_EQUAL(id_of(j), 31);
	cJSON_Delete(j);
	CU_ASSERT_PTR_NULL(next(&s, 300));
	finish(&s);
}

static void test_shutdown_kills_running(void)
{
	struct session s;
	long pid;
	int i;

	start(&s, NULL);
	initialize(&s, "2025-06-18", "{}", NULL);
	send_command(&s, 2, "echo $$ > pid; exec sleep 60");
	pid = read_pid(&s.fx);
	CU_ASSERT_FATAL(pid > 0);
	/* the stop token (SIGTERM in `wsp mcp`) ends the session */
	wsp_cancel_fire(s.stop);
	pthread_join(s.th, NULL);
	CU_ASSERT_EQUAL(s.rc, 0);
	for (i = 0; i < 400 && alive(pid); i++)
		usleep(50000);
	CU_ASSERT_FALSE(alive(pid));
	close(s.to_server);
	close(s.srv_in);
	close(s.from_server);
	wsp_cancel_free(s.stop);
	fixture_close(&s.fx);
}

/* Background processes outlive the session unless asked otherwise. */
static void test_background_at_shutdown(void)
{
	struct session s;
	long pid;
	int i, keep;
	cJSON *j;

	for (keep = 1; keep >= 0; keep--) {
		start_flags(&s, NULL, keep ? 0 : WSP_MCP_KILL_BACKGROUND);
		initialize(&s, "2025-06-18", "{}", NULL);
		send_raw(&s, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":"
			     "\"tools/call\",\"params\":{\"name\":"
			     "\"execute_command\",\"arguments\":{\"command\":"
			     "\"echo $$ > pid; exec sleep 60\","
			     "\"background\":true}}}");
		j = next(&s, 20000);
		CU_ASSERT_EQUAL(id_of(j), 2);
		cJSON_Delete(j);
		pid = read_pid(&s.fx);
		CU_ASSERT_FATAL(pid > 0);
		close(s.to_server); /* EOF: the client went away */
		s.to_server = -1;
		pthread_join(s.th, NULL);
		CU_ASSERT_EQUAL(s.rc, 0);
		for (i = 0; i < 400 && alive(pid) != keep; i++)
			usleep(50000);
		CU_ASSERT_EQUAL(alive(pid), keep);
		if (alive(pid))
			kill((pid_t)pid, SIGKILL);
		close(s.srv_in);
		close(s.from_server);
		wsp_cancel_free(s.stop);
		fixture_close(&s.fx);
	}
}

static const char approval_yaml[] = "tools:\n"
				    "  execute_command:\n"
				    "    require_approval: true\n";

static void test_elicitation(void)
{
	struct session s;
	const cJSON *params;
	int is_error;
	cJSON *j;

	start(&s, approval_yaml);
	initialize(&s, "2025-06-18", "{\"elicitation\":{}}", NULL);
	send_command(&s, 2, "echo approved");
	j = next(&s, 20000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(j, "method")->valuestring,
			       "elicitation/create");
	params = cJSON_GetObjectItem(j, "params");
	CU_ASSERT_PTR_NOT_NULL(
		strstr(cJSON_GetObjectItem(params, "message")->valuestring,
		       "echo approved"));
	CU_ASSERT(
		cJSON_IsObject(cJSON_GetObjectItem(params, "requestedSchema")));
	answer(&s, j, "{\"action\":\"accept\",\"content\":{\"approve\":true}}");
	j = next_reply(&s, 5000);
	CU_ASSERT_EQUAL(id_of(j), 2);
	CU_ASSERT_STRING_EQUAL(result_text(j, &is_error), "approved");
	cJSON_Delete(j);

	send_command(&s, 3, "echo nope");
	j = next(&s, 20000);
	answer(&s, j, "{\"action\":\"decline\"}");
	j = next_reply(&s, 5000);
	CU_ASSERT_EQUAL(id_of(j), 3);
	CU_ASSERT_STRING_EQUAL(result_text(j, &is_error),
			       "Tool 'execute_command' was not approved by "
			       "the user; it did not run.");
	CU_ASSERT_TRUE(is_error);
	cJSON_Delete(j);
	finish(&s);

	/* a client without elicitation: refused, saying why */
	start(&s, approval_yaml);
	initialize(&s, "2025-06-18", "{}", NULL);
	send_command(&s, 2, "echo x");
	j = next(&s, 20000);
	CU_ASSERT_STRING_EQUAL(result_text(j, &is_error),
			       "Tool 'execute_command' requires approval and "
			       "no approver is available; it did not run.");
	CU_ASSERT_TRUE(is_error);
	cJSON_Delete(j);
	finish(&s);
}

/*
 * A client that hangs up before reading its reply: with SIGPIPE at its
 * default action (a host that never touched it, unlike `wsp mcp`), the
 * server's write fails with EPIPE, serving ends with an output error and
 * the host lives on with no SIGPIPE left pending.
 */
static void test_client_hangs_up(void)
{
	struct session s;
	sigset_t pending;

	signal(SIGPIPE, SIG_DFL);
	start(&s, NULL);
	close(s.from_server); /* no reader left on the server's output */
	send_raw(&s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}");
	close(s.to_server);
	s.to_server = -1;
	pthread_join(s.th, NULL);
	CU_ASSERT(s.rc < 0);
	sigpending(&pending);
	CU_ASSERT_FALSE(sigismember(&pending, SIGPIPE));
	close(s.srv_in);
	wsp_cancel_free(s.stop);
	fixture_close(&s.fx);
	signal(SIGPIPE, SIG_IGN);
}

static CU_TestInfo tests[] = {
	{"initialize, version negotiation, ping, tools/list", test_initialize},
	{"malformed and oversized messages get JSON-RPC errors",
	 test_malformed},
	{"tools/call streams progress and returns text",
	 test_call_and_progress},
	{"calls run concurrently; cancellation kills the command",
	 test_cancel_and_concurrency},
	{"stopping the server kills running commands",
	 test_shutdown_kills_running},
	{"background processes are kept, or killed when asked",
	 test_background_at_shutdown},
	{"approval through elicitation, or refusal without it",
	 test_elicitation},
	{"a client that hangs up ends serving, not the host",
	 test_client_hangs_up},
	CU_TEST_INFO_NULL,
};

CU_MAIN("mcp_server", tests)
