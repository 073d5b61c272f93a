/*
 * tests/core/test_host.c - the host table and instances, end to end: the
 * fixture's init reads every option type through the host getters and
 * writes what it got to $WSP_FIXTURE_REPORT; log lines are filtered by
 * level and secrets masked; instances start once under concurrency;
 * cancel tokens.
 */
#include "workspace_impl.h"
#include "testutil.h"

#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIX(dir) WSP_FIXTURE_DIR "/" dir

static char logbuf[8192];

static void collect_log(int level, const char *line, void *payload)
{
	size_t n = strlen(logbuf);

	(void)payload;
	snprintf(logbuf + n, sizeof(logbuf) - n, "%d %s\n", level, line);
}

static wsp_workspace *open_text(const char *text, int level, char **dir)
{
	wsp_open_opts o = WSP_OPEN_OPTS_INIT;
	wsp_workspace *ws = NULL;
	wsp_error err;

	*dir = tu_tmpdir();
	setenv("WSP_FIXTURE_REPORT", tu_path(*dir, "report"), 1);
	setenv("XDG_STATE_HOME", *dir, 1);
	unsetenv("WSP_PLUGIN_PATH");
	logbuf[0] = '\0';
	o.plugin_path = FIX("good");
	o.config_text = text;
	o.config_name = "host.yaml";
	o.log = collect_log;
	o.log_level = level;
	if (wsp_workspace_open(&ws, &o, &err))
		fprintf(stderr, "open: %s\n", err.message);
	CU_ASSERT_PTR_NOT_NULL(ws);
	return ws;
}

static void done(wsp_workspace *ws, char *dir)
{
	wsp_workspace_close(ws);
	tu_rmrf(dir);
	free(dir);
	unsetenv("WSP_FIXTURE_REPORT");
	unsetenv("XDG_STATE_HOME");
	unsetenv("FIXTURE_TOKEN");
}

static void test_typed_options_through_host(void)
{
	char *dir, *report;
	wsp__instance *inst = NULL;
	wsp_error err;
	wsp_workspace *ws;

	setenv("FIXTURE_TOKEN", "tok-4f9a2c", 1);
	ws = open_text("mounts:\n"
		       "  /data:\n"
		       "    provider: fixture\n"
		       "    options:\n"
		       "      root: ${FIXTURE_ROOT:-/srv/team-data}\n"
		       "      mode: fast\n"
		       "      retries: -2\n"
		       "      verbose: yes\n"
		       "      timeout: 250ms\n"
		       "      max_size: 4GiB\n"
		       "      tags: [red, blue]\n"
		       "      labels: {team: data, tier: gold}\n"
		       "      token: ${FIXTURE_TOKEN}\n",
		       WSP_LOG_WARN, &dir);
	if (!ws)
		return;
	CU_ASSERT_EQUAL(wsp__workspace_mount_count(ws), 1);
	CU_ASSERT_STRING_EQUAL(wsp__workspace_mount_path(ws, 0), "/data");
	CU_ASSERT_EQUAL(wsp__workspace_mount_instance(&inst, ws, 0, &err), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(inst);
	CU_ASSERT_PTR_NOT_NULL(inst->self);
	CU_ASSERT_STRING_EQUAL(inst->id, "/data");
	report = tu_read(tu_path(dir, "report"));
	TU_ASSERT_CONTAINS(report, "instance_id=/data\n");
	TU_ASSERT_CONTAINS(report, "root=/srv/team-data\n");
	TU_ASSERT_CONTAINS(report, "mode=fast\n");
	TU_ASSERT_CONTAINS(report, "retries=-2\n");
	TU_ASSERT_CONTAINS(report, "verbose=1\n");
	TU_ASSERT_CONTAINS(report, "timeout_ms=250\n");
	TU_ASSERT_CONTAINS(report, "max_size=4294967296\n");
	TU_ASSERT_CONTAINS(report, "tag=red\ntag=blue\n");
	TU_ASSERT_CONTAINS(report, "label=team:data\nlabel=tier:gold\n");
	TU_ASSERT_CONTAINS(report, "token_len=10\n");
	/* A wrong-type read and an undeclared name are refused. */
	TU_ASSERT_CONTAINS(report, "int_as_string=-3\n");
	TU_ASSERT_CONTAINS(report, "undeclared=-3\n");
	TU_ASSERT_CONTAINS(report, "state_dir=");
	TU_ASSERT_CONTAINS(report, "/wsp\n");
	/* Its state store is where docs/security.md says, id escaped. */
	TU_ASSERT_CONTAINS(report, "state_put=0\n");
	free(report);
	report = tu_read(tu_path(dir, "wsp/store/fs-fixture/%2fdata/probe"));
	CU_ASSERT_PTR_NOT_NULL(report);
	if (report)
		CU_ASSERT_STRING_EQUAL(report, "remote-7");
	/* The fixture logged its token: it must come out masked. */
	TU_ASSERT_CONTAINS(logbuf, "1 mount '/data': token is ********");
	TU_ASSERT_LACKS(logbuf, "tok-4f9a2c");
	free(report);
	done(ws, dir);
}

static void test_defaults_and_level_filter(void)
{
	char *dir, *report;
	wsp__instance *inst = NULL;
	wsp_error err;
	wsp_workspace *ws;

	setenv("FIXTURE_TOKEN", "tok-77", 1);
	ws = open_text("mounts: {/: {provider: fixture, options: "
		       "{root: /w, token: \"${FIXTURE_TOKEN}\"}}}\n",
		       WSP_LOG_ERROR, &dir);
	if (!ws)
		return;
	CU_ASSERT_EQUAL(wsp__workspace_mount_instance(&inst, ws, 0, &err), 0);
	report = tu_read(tu_path(dir, "report"));
	TU_ASSERT_CONTAINS(report, "mode=safe\n");
	TU_ASSERT_CONTAINS(report, "retries=3\n");
	TU_ASSERT_CONTAINS(report, "verbose=0\n");
	TU_ASSERT_CONTAINS(report, "timeout_ms=30000\n");
	TU_ASSERT_CONTAINS(report, "max_size=65536\n");
	TU_ASSERT_LACKS(report, "tag=");
	/* The warning is above the ERROR level asked for: filtered out. */
	CU_ASSERT_STRING_EQUAL(logbuf, "");
	free(report);
	done(ws, dir);
}

static wsp_workspace *race_ws;
static wsp__instance *race_got[8];

static void *race(void *arg)
{
	wsp_error err;

	if (wsp__workspace_mount_instance(&race_got[(size_t)arg], race_ws, 0,
					  &err))
		race_got[(size_t)arg] = NULL;
	return NULL;
}

/* Eight threads ask at once: one init, one instance for all. */
static void test_instance_starts_once(void)
{
	pthread_t t[8];
	char *dir, *report, *p;
	size_t i, inits = 0;

	race_ws = open_text("mounts: {/: {provider: fixture, options: "
			    "{root: /w}}}\n",
			    WSP_LOG_WARN, &dir);
	if (!race_ws)
		return;
	for (i = 0; i < 8; i++)
		pthread_create(&t[i], NULL, race, (void *)i);
	for (i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < 8; i++) {
		CU_ASSERT_PTR_NOT_NULL(race_got[i]);
		CU_ASSERT_PTR_EQUAL(race_got[i], race_got[0]);
	}
	report = tu_read(tu_path(dir, "report"));
	for (p = report; p && (p = strstr(p, "provider=")); p++)
		inits++;
	CU_ASSERT_EQUAL(inits, 1);
	free(report);
	done(race_ws, dir);
}

static void test_sandbox_instance(void)
{
	char *dir, *report;
	wsp__instance *inst = NULL;
	wsp_error err;
	wsp_workspace *ws;

	ws = open_text("sandbox:\n  provider: fixture\n  id: dev-box\n"
		       "  options: {root: /w}\n",
		       WSP_LOG_WARN, &dir);
	if (!ws)
		return;
	CU_ASSERT_EQUAL(wsp__workspace_mount_count(ws), 0);
	CU_ASSERT_EQUAL(wsp__workspace_sandbox(&inst, ws, &err), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(inst);
	CU_ASSERT(inst->prov->has_sandbox);
	CU_ASSERT_PTR_NOT_NULL(inst->prov->sandbox.exec);
	report = tu_read(tu_path(dir, "report"));
	TU_ASSERT_CONTAINS(report, "instance_id=dev-box\n");
	free(report);
	done(ws, dir);
}

static void test_no_sandbox_configured(void)
{
	char *dir;
	wsp__instance *inst = NULL;
	wsp_error err;
	wsp_workspace *ws = open_text("mounts: {}\n", WSP_LOG_WARN, &dir);

	if (!ws)
		return;
	CU_ASSERT_EQUAL(wsp__workspace_sandbox(&inst, ws, &err),
			WSP_ENOTFOUND);
	TU_ASSERT_CONTAINS(err.message, "host.yaml configures no sandbox");
	CU_ASSERT_EQUAL(wsp__workspace_mount_instance(&inst, ws, 3, &err),
			WSP_EINVAL);
	done(ws, dir);
}

static void test_host_table_basics(void)
{
	char *dir;
	wsp_workspace *ws = open_text("mounts: {}\n", WSP_LOG_WARN, &dir);
	const wsp_host *h;
	void *p;

	if (!ws)
		return;
	h = wsp__workspace_host(ws);
	CU_ASSERT_EQUAL(h->struct_size, sizeof(wsp_host));
	CU_ASSERT_EQUAL(h->abi_major, WSP_PLUGIN_ABI_MAJOR);
	CU_ASSERT_EQUAL(h->cancel_requested(h, NULL), 0);
	CU_ASSERT_EQUAL(h->cancel_fd(h, NULL), -1);
	p = h->alloc(h, 100);
	CU_ASSERT_PTR_NOT_NULL(p);
	memset(p, 1, 100);
	h->free(h, p);
	h->log(h, WSP_LOG_WARN, "core line %d", 7);
	TU_ASSERT_CONTAINS(logbuf, "1 core line 7\n");
	done(ws, dir);
}

static char last_line[4096];

static void keep_last(int level, const char *line, void *payload)
{
	(void)level, (void)payload;
	snprintf(last_line, sizeof(last_line), "%s", line);
}

/* A secret cut in half by the line limit is still masked. */
static void test_mask_cut_secret(void)
{
	struct wsp__logsink sink;
	char pad[4096];
	size_t len;

	wsp__logsink_init(&sink, keep_last, NULL, WSP_LOG_DEBUG);
	CU_ASSERT_EQUAL(wsp__logsink_add_secret(&sink, "zq-secret-771"), 0);
	wsp__log(&sink, WSP_LOG_INFO, "a zq-secret-771 b zq-secret-771");
	CU_ASSERT_STRING_EQUAL(last_line, "a ******** b ********");
	memset(pad, 'x', 2040);
	pad[2040] = '\0';
	wsp__log(&sink, WSP_LOG_INFO, "%s zq-secret-771 tail", pad);
	len = strlen(last_line);
	TU_ASSERT_LACKS(last_line, "zq-");
	CU_ASSERT(len > 8 && !strcmp(last_line + len - 8, "********"));
	wsp__logsink_fini(&sink);
}

static void test_cancel_token(void)
{
	struct pollfd pfd;
	wsp_cancel *c = NULL;
	wsp_error err;

	CU_ASSERT_EQUAL_FATAL(wsp_cancel_new(&c, &err), 0);
	CU_ASSERT_EQUAL(wsp_cancel_requested(c), 0);
	pfd.fd = wsp_cancel_fd(c);
	pfd.events = POLLIN;
	CU_ASSERT(pfd.fd >= 0);
	CU_ASSERT_EQUAL(poll(&pfd, 1, 0), 0);
	wsp_cancel_fire(c);
	wsp_cancel_fire(c);
	CU_ASSERT_EQUAL(wsp_cancel_requested(c), 1);
	CU_ASSERT_EQUAL(poll(&pfd, 1, 0), 1);
	CU_ASSERT(pfd.revents & POLLIN);
	CU_ASSERT_EQUAL(wsp_cancel_requested(NULL), 0);
	CU_ASSERT_EQUAL(wsp_cancel_fd(NULL), -1);
	wsp_cancel_free(c);
	wsp_cancel_free(NULL);
}

static const CU_TestInfo tests[] = {
	{ "typed options through the host", test_typed_options_through_host },
	{ "defaults and log level filter", test_defaults_and_level_filter },
	{ "instance starts once", test_instance_starts_once },
	{ "sandbox instance", test_sandbox_instance },
	{ "no sandbox configured", test_no_sandbox_configured },
	{ "host table basics", test_host_table_basics },
	{ "mask a secret cut by the line limit", test_mask_cut_secret },
	{ "cancel token", test_cancel_token },
	CU_TEST_INFO_NULL,
};

int main(void)
{
	return tu_main("core_host", tests);
}
