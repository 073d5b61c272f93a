/*
 * tests/sandbox-blaxel/test_logcap.c - output past the sandbox-api's caps,
 * on a fake started with small ones (CMakeLists: /logs answers the last
 * 64 KiB of a stream, a log file keeps its last 512 KiB), as the real
 * service does at 4 MiB and 32 MiB: a foreground command whose stream is
 * cut gets its exact output from the log stream's replay, not the /logs
 * tail; a background process's output is read exactly from any offset
 * once it ended, refused while it runs (no offset is known for the
 * tail), followed exactly through a cut; and output whose head the log
 * file released is an error that says so, never bytes.
 */
#include "bl_env.h"
#include "cu_main.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LOGS_CAP 65536 /* SANDBOX_MAX_LOGS_RESPONSE_BYTES, CMakeLists */
#define SEQ_N	 40000 /* `seq 1 40000`: 228894 bytes, past LOGS_CAP */

static struct box bx;
static char want[300000];
static size_t want_len;

static const wsp_procmgr_vtable *pm(void)
{
	return bx.d->procmgr;
}

/* `seq 1 40000`'s output in want, and the fake with its small caps. */
static int suite_init(void)
{
	wsp_error err = {0};

	for (int i = 1; i <= SEQ_N; i++)
		want_len += (size_t)snprintf(
			want + want_len, sizeof(want) - want_len, "%d\n", i);
	return fake_start() ? -1 : box_open(&bx, "logcap-box", NULL, 0, &err);
}

static int suite_clean(void)
{
	box_destroy(&bx);
	fake_env_stop();
	return 0;
}

/* What a sink got, per stream. */
struct got {
	char *out;
	size_t out_len, err_len;
	char err[256];
};

static int on_output(uint32_t stream, const void *data, size_t len,
		     void *payload)
{
	struct got *g = payload;

	if (stream == WSP_STDOUT) {
		char *p = realloc(g->out, g->out_len + len + 1);

		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		memcpy(p + g->out_len, data, len);
		g->out = p;
		g->out_len += len;
		g->out[g->out_len] = '\0';
	} else if (g->err_len + len < sizeof(g->err)) {
		memcpy(g->err + g->err_len, data, len);
		g->err_len += len;
		g->err[g->err_len] = '\0';
	}
	return 0;
}

/* want + extra, the command's whole stdout. */
static int is_want(const struct got *g, size_t from, const char *extra)
{
	size_t n = strlen(extra);

	return g->out_len == want_len + n - from &&
	       !memcmp(g->out, want + from, want_len - from) &&
	       !memcmp(g->out + want_len - from, extra, n);
}

/* Log streams asked for since the request log was cleared. */
static int replays(void)
{
	cJSON *log = fake_requests(), *r;
	int n = 0;

	cJSON_ArrayForEach(r, cJSON_GetObjectItem(log, "requests"))
	{
		const char *p =
			cJSON_GetStringValue(cJSON_GetObjectItem(r, "path"));

		n += p && strstr(p, "/logs/stream") != NULL;
	}
	cJSON_Delete(log);
	return n;
}

static int read_out(wsp_proc_status *st, struct got *g, const char *id,
		    uint64_t offset, uint32_t flags, wsp_error *err)
{
	wsp_output_opts oo = {.struct_size = sizeof(oo),
			      .streams = WSP_STDOUT | WSP_STDERR,
			      .flags = flags | WSP_OUTPUT_STREAM_OFFSETS,
			      .offset = offset};

	free(g->out);
	memset(g, 0, sizeof(*g));
	memset(st, 0, sizeof(*st));
	st->struct_size = sizeof(*st);
	return pm()->read_output(st, bx.self, box_call(&bx, 60000), id, &oo,
				 on_output, g, err);
}

/*
 * A streamed exec cut at once: the output, four times the /logs cap and
 * ending without a newline, comes back exact from the replay.
 */
static void test_exec_cut_past_cap(void)
{
	wsp_exec_opts o = {.struct_size = sizeof(o)};
	wsp_exec_result r = {.struct_size = sizeof(r)};
	struct got g = {0};
	wsp_error err = {0};
	const wsp_host *h = wsp_fakehost_host(bx.fh);

	fake_admin("DELETE", "/_fake/requests", NULL, NULL);
	CU_ASSERT_EQUAL_FATAL(
		fake_admin("POST", "/_fake/faults",
			   "{\"kind\":\"reset\",\"afterBytes\":300,\"plane\":"
			   "\"sandbox\",\"path\":\"/process\",\"method\":"
			   "\"POST\"}",
			   NULL),
		201);
	o.shell = "seq 1 40000; printf end; echo oops >&2";
	o.on_output = on_output;
	o.payload = &g;
	if (bx.d->sandbox->exec(&r, bx.self, box_call(&bx, 60000), &o, &err))
		fprintf(stderr, "exec: %s\n", err.message);
	CU_ASSERT_EQUAL(r.exit_code, 0);
	CU_ASSERT_EQUAL(r.stdout_len, want_len + 3);
	CU_ASSERT(r.stdout_data && !memcmp(r.stdout_data, want, want_len) &&
		  !strcmp(r.stdout_data + want_len, "end"));
	CU_ASSERT(is_want(&g, 0, "end"));
	CU_ASSERT_STRING_EQUAL(r.stderr_data, "oops\n");
	/* the rest came from the replay: /logs held only the tail */
	CU_ASSERT(replays() >= 1);
	h->free(h, r.stdout_data);
	h->free(h, r.stderr_data);
	free(g.out);
	fake_admin("DELETE", "/_fake/faults", NULL, NULL);
}

/* A listed process's stdout total, by id (list's callback). */
struct listed {
	const char *id;
	uint64_t total;
	int seen;
};

static int on_listed(const char *id, const char *command,
		     const wsp_proc_status *st, void *payload)
{
	struct listed *l = payload;

	(void)command;
	if (!strcmp(id, l->id)) {
		l->seen++;
		l->total = st->stdout_total;
	}
	return 0;
}

/*
 * Ended: any offset exact, the totals exact; a list, which inlines only
 * the last 64 KiB (the marker first), gives that floor, never the
 * marker counted in.
 */
static void test_read_after_end(void)
{
	char id[WSP_PROC_ID_MAX];
	wsp_proc_status st;
	struct got g = {0};
	wsp_error err = {0};

	CU_ASSERT_EQUAL_FATAL(box_spawn(&bx, id, "seq 1 40000; printf end", 0),
			      0);
	CU_ASSERT_EQUAL_FATAL(pm()->wait(&st, bx.self, box_call(&bx, 60000), id,
					 50000, 0, &err),
			      0);
	CU_ASSERT_EQUAL(st.stdout_total, want_len + 3);
	CU_ASSERT_EQUAL(read_out(&st, &g, id, 0, 0, &err), 0);
	CU_ASSERT(is_want(&g, 0, "end"));
	CU_ASSERT_EQUAL(read_out(&st, &g, id, 150000, 0, &err), 0);
	CU_ASSERT(is_want(&g, 150000, "end"));
	CU_ASSERT_EQUAL(st.stdout_total, want_len + 3);
	{
		struct listed l = {.id = id};

		CU_ASSERT_EQUAL(pm()->list(bx.self, box_call(&bx, 30000), 0,
					   on_listed, &l, &err),
				0);
		CU_ASSERT_EQUAL(l.seen, 1);
		CU_ASSERT_EQUAL(l.total, 65536); /* MaxInlinedLogBytes */
	}
	free(g.out);
	pm()->release(bx.self, box_call(&bx, 30000), id, 0, &err);
}

/*
 * Running past the cap: a read is refused (the tail has no offset), a
 * status's total is a floor; once it ended the read is exact.
 */
static void test_read_while_running(void)
{
	char id[WSP_PROC_ID_MAX];
	wsp_proc_status st = {.struct_size = sizeof(st)};
	struct got g = {0};
	wsp_error err = {0};
	struct timespec tick = {0, 20 * 1000000L};
	int waited = 0;

	CU_ASSERT_EQUAL_FATAL(
		box_spawn(&bx, id, "seq 1 40000; echo ready >&2; sleep 60", 0),
		0);
	/* stderr's line comes after all of stdout */
	while (waited++ < 3000 &&
	       !pm()->status(&st, bx.self, box_call(&bx, 30000), id, 0, &err) &&
	       st.stderr_total < 6)
		nanosleep(&tick, NULL);
	CU_ASSERT_EQUAL_FATAL(st.stderr_total, 6);
	CU_ASSERT_EQUAL(st.state, WSP_PROC_RUNNING);
	CU_ASSERT(st.stdout_total >= LOGS_CAP && st.stdout_total <= want_len);
	CU_ASSERT_EQUAL(read_out(&st, &g, id, 0, 0, &err), WSP_EBUSY);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "still runs"));
	CU_ASSERT_EQUAL(g.out_len, 0);
	CU_ASSERT_EQUAL_FATAL(pm()->signal(bx.self, box_call(&bx, 30000), id,
					   SIGKILL, 0, &err),
			      0);
	CU_ASSERT_EQUAL(pm()->wait(&st, bx.self, box_call(&bx, 60000), id,
				   50000, 0, &err),
			0);
	CU_ASSERT_EQUAL(read_out(&st, &g, id, 0, 0, &err), 0);
	CU_ASSERT(is_want(&g, 0, ""));
	CU_ASSERT_STRING_EQUAL(g.err, "ready\n");
	free(g.out);
	pm()->release(bx.self, box_call(&bx, 30000), id, 0, &err);
}

/* A follow from 0, its log stream cut mid-way: each byte once. */
static void test_follow_cut_past_cap(void)
{
	char id[WSP_PROC_ID_MAX], fault[300];
	wsp_proc_status st;
	struct got g = {0};
	wsp_error err = {0};

	CU_ASSERT_EQUAL_FATAL(
		box_spawn(&bx, id,
			  "seq 1 20000; sleep 1; seq 20001 40000; printf end",
			  0),
		0);
	snprintf(fault, sizeof(fault),
		 "{\"kind\":\"reset\",\"afterBytes\":100001,\"plane\":"
		 "\"sandbox\",\"path\":\"/process/%s/logs/stream\"}",
		 id);
	CU_ASSERT_EQUAL_FATAL(fake_admin("POST", "/_fake/faults", fault, NULL),
			      201);
	if (read_out(&st, &g, id, 0, WSP_OUTPUT_FOLLOW, &err))
		fprintf(stderr, "follow: %s\n", err.message);
	CU_ASSERT(is_want(&g, 0, "end"));
	CU_ASSERT_EQUAL(st.state, WSP_PROC_EXITED);
	CU_ASSERT_EQUAL(st.stdout_total, want_len + 3);
	free(g.out);
	fake_admin("DELETE", "/_fake/faults", NULL, NULL);
	pm()->release(bx.self, box_call(&bx, 30000), id, 0, &err);
}

/*
 * Past the log file's own cap: its head is gone. The wait still ends,
 * and a read from 0, or a follow, says the output is no longer kept.
 */
static void test_head_released(void)
{
	char id[WSP_PROC_ID_MAX];
	wsp_proc_status st;
	struct got g = {0};
	wsp_error err = {0};

	CU_ASSERT_EQUAL_FATAL(box_spawn(&bx, id, "seq 1 200000", 0), 0);
	CU_ASSERT_EQUAL_FATAL(pm()->wait(&st, bx.self, box_call(&bx, 60000), id,
					 50000, 0, &err),
			      0);
	CU_ASSERT_EQUAL(st.state, WSP_PROC_EXITED);
	CU_ASSERT_EQUAL(read_out(&st, &g, id, 0, 0, &err), WSP_ENOTFOUND);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "no longer kept"));
	CU_ASSERT_EQUAL(g.out_len, 0);
	CU_ASSERT_EQUAL(read_out(&st, &g, id, 0, WSP_OUTPUT_FOLLOW, &err),
			WSP_ENOTFOUND);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "no longer kept"));
	CU_ASSERT_EQUAL(g.out_len, 0);
	free(g.out);
	pm()->release(bx.self, box_call(&bx, 30000), id, 0, &err);
}

static CU_TestInfo tests[] = {
	{"a cut exec past the /logs cap", test_exec_cut_past_cap},
	{"a read after the end, any offset", test_read_after_end},
	{"a read while it runs past the cap", test_read_while_running},
	{"a follow cut past the cap", test_follow_cut_past_cap},
	{"the log file's head released", test_head_released},
	CU_TEST_INFO_NULL,
};

CU_MAIN_SUITE("sandbox-blaxel log caps", suite_init, suite_clean, tests)
