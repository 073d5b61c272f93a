/*
 * tests/sandbox-local-procs/test_procs_api.c - the embedding API of
 * background processes (<wsp/process.h>) over a real workspace with the
 * local sandbox: every call once, and the checks the core makes before a
 * provider sees anything.
 */
#include "procs_util.h"

#include <wsp/wsp.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmp[256];

static wsp_workspace *open_ws(void)
{
	wsp_open_opts oo = WSP_OPEN_OPTS_INIT;
	wsp_workspace *ws = NULL;
	wsp_error err = {0};
	char cfg[1024];

	snprintf(tmp, sizeof(tmp), "/tmp/wsp-procs-api-XXXXXX");
	CU_ASSERT_FATAL(mkdtemp(tmp) != NULL);
	snprintf(cfg, sizeof(cfg),
		 "sandbox:\n"
		 "  provider: local\n"
		 "  id: api-box\n"
		 "  options:\n"
		 "    isolation: none\n"
		 "    working_dir: %s/ws\n"
		 "    state_dir: %s/state\n",
		 tmp, tmp);
	oo.config_text = cfg;
	oo.config_name = "<test>";
	oo.plugin_path = WSP_PLUGIN_DIR;
	if (wsp_workspace_open(&ws, &oo, &err))
		fprintf(stderr, "open: %s\n", err.message);
	CU_ASSERT_FATAL(ws != NULL);
	return ws;
}

static void close_ws(wsp_workspace *ws)
{
	char cmd[300];

	wsp_workspace_close(ws);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	CU_ASSERT(system(cmd) == 0);
}

static int count(const char *id, const char *command, const wsp_proc_status *st,
		 void *payload)
{
	(void)id;
	(void)command;
	(void)st;
	++*(int *)payload;
	return 0;
}

static void test_round_trip(void)
{
	wsp_workspace *ws = open_ws();
	wsp_spawn_opts so = WSP_SPAWN_OPTS_INIT;
	wsp_proc_status st = {.struct_size = sizeof(st)};
	struct collected c = {0};
	wsp_error err;
	char id[WSP_PROC_ID_MAX];
	int n = 0;

	so.shell = "read line; echo \"got $line\"; echo bye >&2";
	CU_ASSERT_FATAL(wsp_proc_spawn(id, ws, NULL, &so, &err) == 0);
	CU_ASSERT(wsp_proc_list(ws, NULL, count, &n, &err) == 0 && n == 1);
	CU_ASSERT(wsp_proc_get_status(&st, ws, NULL, id, &err) == 0);
	CU_ASSERT_STRING_EQUAL(wsp_proc_state_name(st.state), "running");
	CU_ASSERT(wsp_proc_write_stdin(ws, NULL, id, "ping\n", 5, &err) == 0);
	CU_ASSERT(wsp_proc_close_stdin(ws, NULL, id, &err) == 0);
	CU_ASSERT(wsp_proc_wait(&st, ws, NULL, id, 10000, &err) == 0);
	CU_ASSERT_STRING_EQUAL(wsp_proc_state_name(st.state), "exited");
	/* NULL options: everything of both streams. */
	CU_ASSERT(wsp_proc_read_output(&st, ws, NULL, id, NULL, collect_sink,
				       &c, &err) == 0);
	CU_ASSERT_STRING_EQUAL(c.data[WSP_STDOUT], "got ping\n");
	CU_ASSERT_STRING_EQUAL(c.data[WSP_STDERR], "bye\n");
	CU_ASSERT(st.stdout_total == 9 && st.stderr_total == 4);
	collected_free(&c);
	CU_ASSERT(wsp_proc_signal(ws, NULL, id, SIGTERM, &err) == 0);
	CU_ASSERT(wsp_proc_release(ws, NULL, id, &err) == 0);
	CU_ASSERT(wsp_proc_get_status(&st, ws, NULL, id, &err) ==
		  WSP_ENOTFOUND);
	close_ws(ws);
}

static void test_checks(void)
{
	wsp_workspace *ws = open_ws();
	wsp_spawn_opts so = WSP_SPAWN_OPTS_INIT;
	wsp_proc_status st = {.struct_size = sizeof(st)};
	wsp_error err;
	char id[WSP_PROC_ID_MAX];

	CU_ASSERT(wsp_proc_spawn(id, ws, NULL, &so, &err) == WSP_EINVAL);
	CU_ASSERT(wsp_proc_spawn(id, ws, NULL, NULL, &err) == WSP_EINVAL);
	so.shell = "true";
	CU_ASSERT(wsp_proc_spawn(id, NULL, NULL, &so, &err) == WSP_EINVAL);
	CU_ASSERT(wsp_proc_get_status(&st, ws, NULL, "", &err) == WSP_EINVAL);
	CU_ASSERT(wsp_proc_get_status(NULL, ws, NULL, "p-00000000", &err) ==
		  WSP_EINVAL);
	CU_ASSERT(wsp_proc_list(ws, NULL, NULL, NULL, &err) == WSP_EINVAL);
	CU_ASSERT(wsp_proc_write_stdin(ws, NULL, "p-00000000", NULL, 3, &err) ==
		  WSP_EINVAL);
	CU_ASSERT(wsp_proc_wait(NULL, ws, NULL, "p-00000000", 0, &err) ==
		  WSP_EINVAL);
	CU_ASSERT(wsp_proc_release(ws, NULL, "p-00000000", &err) ==
		  WSP_ENOTFOUND);
	CU_ASSERT(strstr(err.message, "p-00000000") != NULL);
	CU_ASSERT(wsp_proc_signal(ws, NULL, "../../x", SIGKILL, &err) ==
		  WSP_ENOTFOUND);
	CU_ASSERT_STRING_EQUAL(wsp_proc_state_name(WSP_PROC_LOST), "lost");
	CU_ASSERT_STRING_EQUAL(wsp_proc_state_name(99), "unknown");
	close_ws(ws);
}

static CU_TestInfo tests[] = {
	{"every call once", test_round_trip},
	{"argument checks", test_checks},
	CU_TEST_INFO_NULL,
};

int main(void)
{
	return procs_main("wsp_proc_* embedding API", tests);
}
