/*
 * tests/sandbox-daytona/test_units.c - the provider's parts that need no
 * server: reading a command's log back (trailer and its tags), the
 * multiplexed log split by stream, the background script's text, the
 * newest-bytes capture, Daytona's states, the options'
 * checks (through the fake host, with the core's own schema rules) and
 * the create request's body.
 */
#include "capture.h"
#include "daytona.h"
#include "dt_fake.h"
#include "logmux.h"
#include "wsframe.h"

#include <cu_main.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#define NONCE_T "wsp-0123456789abcdefghij"

#define NONCE "wsp-abcdefghij0123456789"

/* dt_script_output on a literal log */
static int out_of(size_t *len, int *tag, const char *log, int mode)
{
	return dt_script_output(len, tag, log, strlen(log), NONCE, mode);
}

static void test_output_done(void)
{
	size_t len = 99;
	int ns = 9;

	/* no trailing newline of its own: the nonce ends its last line */
	CU_ASSERT_EQUAL(out_of(&len, &ns, "a b|c" NONCE "\n", 1), 0);
	CU_ASSERT_EQUAL(len, 5);
	CU_ASSERT_EQUAL(ns, 0);
	/* its own newline kept, the trailer line dropped */
	CU_ASSERT_EQUAL(out_of(&len, &ns, "x\n\n" NONCE "\n", 1), 0);
	CU_ASSERT_EQUAL(len, 3);
	/* nothing at all */
	CU_ASSERT_EQUAL(out_of(&len, &ns, NONCE "\n", 1), 0);
	CU_ASSERT_EQUAL(len, 0);
	/* refusals and a background process's ends */
	CU_ASSERT_EQUAL(out_of(&len, &ns, NONCE ":cwd\n", 1), 0);
	CU_ASSERT_EQUAL(ns, DT_END_CWD);
	CU_ASSERT_EQUAL(out_of(&len, &ns, NONCE ":prog\n", 1), 0);
	CU_ASSERT_EQUAL(ns, DT_END_PROG);
	CU_ASSERT_EQUAL(out_of(&len, &ns, "e\n" NONCE ":timeout\n", 1), 0);
	CU_ASSERT_EQUAL(ns, DT_END_TIMEOUT);
	CU_ASSERT_EQUAL(len, 2);
	CU_ASSERT_EQUAL(out_of(&len, &ns, "half" NONCE ":sig15\n", 1), 0);
	CU_ASSERT_EQUAL(ns, DT_END_SIG + 15);
	CU_ASSERT_EQUAL(len, 4);
	/* tags out of range or unknown are not a trailer */
	CU_ASSERT_EQUAL(out_of(&len, &ns, NONCE ":sig0\n", 1), WSP_EPROTO);
	CU_ASSERT_EQUAL(out_of(&len, &ns, NONCE ":sig65\n", 1), WSP_EPROTO);
	CU_ASSERT_EQUAL(out_of(&len, &ns, NONCE ":other\n", 1), WSP_EPROTO);
	/* ended without the trailer (the sandbox stopped under it) */
	CU_ASSERT_EQUAL(out_of(&len, &ns, "half\n", 1), WSP_EPROTO);
	/* a forged trailer with another nonce is output */
	CU_ASSERT_EQUAL(out_of(&len, &ns, "wsp-zzzzzzzzzz0123456789\n", 1),
			WSP_EPROTO);
}

static void test_output_running(void)
{
	size_t len = 99;
	int ns = 0;

	/* every whole line is output, its newline too */
	CU_ASSERT_EQUAL(out_of(&len, &ns, "one\ntwo\n", 0), 0);
	CU_ASSERT_EQUAL(len, 8);
	/* a line being written is not delivered: it may be the trailer */
	CU_ASSERT_EQUAL(out_of(&len, &ns, "one\nwsp-ab", 0), 0);
	CU_ASSERT_EQUAL(len, 4);
	CU_ASSERT_EQUAL(out_of(&len, &ns, "", 0), 0);
	CU_ASSERT_EQUAL(len, 0);
	/* the trailer seen before the exit code: output ends there */
	CU_ASSERT_EQUAL(out_of(&len, &ns, "one\n" NONCE "\n", 0), 0);
	CU_ASSERT_EQUAL(len, 4);
	/* the last look before a kill: whole lines, no partial one */
	CU_ASSERT_EQUAL(out_of(&len, &ns, "one\ntw", DT_LOG_LAST), 0);
	CU_ASSERT_EQUAL(len, 4);
}

static void test_script_text(void)
{
	static const char *const argv[] = { "printf", "it's", NULL };
	static const char *const env[] = { "A_1=x'y", NULL };
	static const char *const bad_env[] = { "1A=x", NULL };
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	struct dt_script s;
	wsp_error err = { 0 };

	o.argv = argv;
	o.env = env;
	o.cwd = "/tmp/a dir";
	CU_ASSERT_EQUAL(dt_script_build(&s, &o, &err), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(s.text, "command -- 'printf' 'it'\\''s'"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s.text, "export A_1='x'\\''y'"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s.text, "cd -- '/tmp/a dir'"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s.text, "} </dev/null"));
	CU_ASSERT_EQUAL(strncmp(s.nonce, "wsp-", 4), 0);
	dt_script_free(&s);

	o = (wsp_exec_opts)WSP_EXEC_OPTS_INIT;
	o.shell = "cat";
	o.stdin_data = "hi\n";
	o.stdin_len = 3;
	CU_ASSERT_EQUAL(dt_script_build(&s, &o, &err), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(s.text, "printf '%s' 'aGkK' | base64 -d"));
	CU_ASSERT_PTR_NULL(strstr(s.text, "</dev/null"));
	dt_script_free(&s);

	o.env = bad_env;
	CU_ASSERT_EQUAL(dt_script_build(&s, &o, &err), WSP_EINVAL);
	o.env = NULL;
	o.stdin_len = DT_STDIN_MAX + 1;
	CU_ASSERT_EQUAL(dt_script_build(&s, &o, &err), WSP_ETOOBIG);
}

static void test_capture(void)
{
	/* the ring of plugins/shared/capture.c as exec.c uses it */
	wsp_fakehost *fh = NULL;
	struct capture c;
	wsp_error err = { 0 };
	char *p;

	CU_ASSERT_FATAL(wsp_fakehost_new(&fh, dt_desc(), &err) == 0);
	capture_init(&c, 4);
	CU_ASSERT_EQUAL(capture_append(&c, "ab", 2), 0);
	CU_ASSERT_EQUAL(capture_append(&c, "cde", 3), 0);
	CU_ASSERT_EQUAL(capture_append(&c, "f", 1), 0);
	p = capture_take(&c, wsp_fakehost_host(fh));
	CU_ASSERT_EQUAL(c.len, 4);
	CU_ASSERT_STRING_EQUAL(p, "cdef");
	CU_ASSERT_EQUAL(c.dropped, 2);
	wsp_fakehost_host(fh)->free(wsp_fakehost_host(fh), p);
	CU_ASSERT_EQUAL(capture_append(&c, "0123456789", 10), 0);
	p = capture_take(&c, wsp_fakehost_host(fh));
	CU_ASSERT_STRING_EQUAL(p, "6789");
	CU_ASSERT_EQUAL(c.dropped, 12);
	wsp_fakehost_host(fh)->free(wsp_fakehost_host(fh), p);
	capture_free(&c);
	CU_ASSERT_EQUAL(wsp_fakehost_live_allocs(fh), 0);
	wsp_fakehost_free(fh);
}

static void test_states(void)
{
	CU_ASSERT_EQUAL(dt_state_map("started"), WSP_SANDBOX_RUNNING);
	CU_ASSERT_EQUAL(dt_state_map("archived"), WSP_SANDBOX_STOPPED);
	CU_ASSERT_EQUAL(dt_state_map("pending_build"), WSP_SANDBOX_STARTING);
	CU_ASSERT_EQUAL(dt_state_map("build_failed"), WSP_SANDBOX_ERROR);
	CU_ASSERT_EQUAL(dt_state_map("something-new"), WSP_SANDBOX_UNKNOWN);
	CU_ASSERT_TRUE(dt_state_settled("stopped"));
	CU_ASSERT_FALSE(dt_state_settled("stopping"));
	CU_ASSERT_FALSE(dt_state_settled("unknown"));
	CU_ASSERT_TRUE(dt_id_ok("b72f4721-55ab-4c1f-a575-dd4fd0509178"));
	CU_ASSERT_FALSE(dt_id_ok("../x"));
	CU_ASSERT_FALSE(dt_id_ok(""));
	CU_ASSERT_FALSE(dt_id_ok("a/b"));
}

/* init with these options: its code, and the message in err. */
static char body_text[4096];

static int try_opts(const char *yaml, wsp_error *err, struct dt **out)
{
	wsp_fakehost *fh = NULL;
	void *self = NULL;
	int rc;

	memset(err, 0, sizeof(*err));
	if (wsp_fakehost_new(&fh, dt_desc(), err))
		return -999;
	rc = wsp_fakehost_options(fh, yaml, err);
	if (!rc)
		rc = wsp_fakehost_init(&self, fh, err);
	if (out && !rc) {
		*out = self; /* the caller looks, then frees through fini */
		self = NULL;
	}
	/* the fake host aborts the test if a log line held the key */
	CU_ASSERT_FALSE(wsp_fakehost_text_leaks(fh, err->message));
	if (self)
		dt_desc()->fini(self);
	if (out && *out && !rc) {
		cJSON *b = dt_create_body(*out);
		char *txt = cJSON_PrintUnformatted(b);

		snprintf(body_text, sizeof body_text, "%s", txt);
		cJSON_free(txt);
		cJSON_Delete(b);
		dt_desc()->fini(*out);
		*out = NULL;
	}
	wsp_fakehost_free(fh);
	return rc;
}

static void expect_refused(const char *yaml, const char *needle)
{
	wsp_error err;
	int rc = try_opts(yaml, &err, NULL);

	CU_ASSERT_EQUAL(rc, WSP_ECONFIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, needle));
	if (!strstr(err.message, needle))
		fprintf(stderr, "message: %s\n", err.message);
}

static void test_options_refused(void)
{
	unsetenv("DAYTONA_API_KEY");
	expect_refused("api_url: http://x\n", "DAYTONA_API_KEY");
	expect_refused("api_key: dtn_unit_key_77aa\nsnapshot: s\nimage: python:3.12\n",
		       "exclude");
	expect_refused("api_key: dtn_unit_key_77aa\ncpu: 2\n", "need 'image'");
	expect_refused("api_key: dtn_unit_key_77aa\nenv: { 1BAD: x }\n", "variable name");
	expect_refused("api_key: dtn_unit_key_77aa\nlabels: { wsp-sandbox-id: x }\n",
		       "wsp's own label");
	expect_refused("api_key: dtn_unit_key_77aa\nnetwork_allow_list: [ example.com ]\n",
		       "CIDR");
	expect_refused("api_key: dtn_unit_key_77aa\nauto_stop_interval: 90s\n",
		       "whole minutes");
	expect_refused("api_key: dtn_unit_key_77aa\napi_url: ftp://x\n", "http");
	expect_refused("api_key: dtn_unit_key_77aa\nephemeral: true\nauto_delete_interval: "
		       "1h\n", "exclude");
	/* ranges: the option table's, refused by the core at their place */
	expect_refused("api_key: dtn_unit_key_77aa\nmax_capture: 0\n",
		       "options.yaml:2:14: option 'max_capture' is 0; it must be "
		       "1 to 256MiB");
	expect_refused("api_key: dtn_unit_key_77aa\nimage: i\ncpu: 65\n",
		       "option 'cpu' is 65; it must be 1 to 64");
	expect_refused("api_key: dtn_unit_key_77aa\nimage: i\ndisk: 0\n",
		       "option 'disk' is 0; it must be 1 to 4096");
	expect_refused("api_key: dtn_unit_key_77aa\nauto_stop_interval: 366d\n",
		       "option 'auto_stop_interval' is 366d; it must be at most "
		       "365d");
	expect_refused("api_key: dtn_unit_key_77aa\ncreate_timeout: 0s\n",
		       "option 'create_timeout' is 0s; it must be at least 1ms");
	/* the core's schema: an unknown option is refused before init */
	expect_refused("api_key: dtn_unit_key_77aa\nsnapshots: s\n", "snapshots");
}

static void test_create_body(void)
{
	wsp_error err;
	struct dt *d = NULL;

	setenv("DAYTONA_API_KEY", "dtn_env_key_1234", 1);
	CU_ASSERT_EQUAL(try_opts("image: python:3.12\ncpu: 2\nmemory: 4\n"
				 "env: { A: '1' }\nlabels: { team: infra }\n"
				 "ephemeral: true\nauto_stop_interval: 15m\n"
				 "network_allow_list: [ 10.0.0.0/8, "
				 "192.168.0.0/16 ]\nlanguage: python\n",
				 &err, &d),
			0);
	CU_ASSERT_PTR_NOT_NULL(strstr(body_text,
		"\"buildInfo\":{\"dockerfileContent\":\"FROM python:3.12\\n\"}"));
	CU_ASSERT_PTR_NOT_NULL(strstr(body_text, "\"cpu\":2,\"memory\":4"));
	CU_ASSERT_PTR_NOT_NULL(strstr(body_text, "\"env\":{\"A\":\"1\"}"));
	CU_ASSERT_PTR_NOT_NULL(strstr(body_text,
		"\"labels\":{\"team\":\"infra\",\"wsp-sandbox-id\":\"test\","
		"\"code-toolbox-language\":\"python\"}"));
	CU_ASSERT_PTR_NOT_NULL(strstr(body_text, "\"autoStopInterval\":15"));
	CU_ASSERT_PTR_NOT_NULL(strstr(body_text, "\"autoDeleteInterval\":0"));
	CU_ASSERT_PTR_NOT_NULL(strstr(body_text,
		"\"networkAllowList\":\"10.0.0.0/8,192.168.0.0/16\""));
	CU_ASSERT_PTR_NULL(strstr(body_text, "autoArchiveInterval"));
	CU_ASSERT_PTR_NULL(strstr(body_text, "dtn_env_key_1234"));
	CU_ASSERT_PTR_NULL(strstr(body_text, "\"name\""));
	unsetenv("DAYTONA_API_KEY");
}

struct muxed {
	char s[2][64];
	size_t n[2];
	int calls, stop_at;
};

static int on_mux(int stream, const char *p, size_t n, void *payload)
{
	struct muxed *x = payload;

	if (++x->calls == x->stop_at)
		return WSP_ECANCELED;
	CU_ASSERT_TRUE(n > 0);
	if (x->n[stream] + n < sizeof x->s[0]) {
		memcpy(x->s[stream] + x->n[stream], p, n);
		x->n[stream] += n;
	}
	return 0;
}

/* log (len bytes) fed whole and one byte at a time: the same split */
static void split(struct muxed *x, const char *log, size_t len)
{
	struct muxed y;
	struct dt_mux m;
	size_t i;

	memset(x, 0, sizeof(*x));
	memset(&y, 0, sizeof y);
	dt_mux_init(&m);
	CU_ASSERT_EQUAL(dt_mux_feed(&m, log, len, on_mux, x), 0);
	CU_ASSERT_EQUAL(dt_mux_end(&m, on_mux, x), 0);
	dt_mux_init(&m);
	for (i = 0; i < len; i++)
		CU_ASSERT_EQUAL(dt_mux_feed(&m, log + i, 1, on_mux, &y), 0);
	CU_ASSERT_EQUAL(dt_mux_end(&m, on_mux, &y), 0);
	for (i = 0; i < 2; i++) {
		CU_ASSERT_EQUAL(x->n[i], y.n[i]);
		CU_ASSERT_EQUAL(memcmp(x->s[i], y.s[i], x->n[i]), 0);
	}
}

static void test_mux(void)
{
	static const char log[] = "\1\1\1out\n\2\2\2err\n\1\1\1more\n";
	static const char odd[] = "pre\1x\1\1\2\2\2e\2\1\1\1\1";
	struct muxed x;
	struct dt_mux m;

	split(&x, log, sizeof log - 1);
	CU_ASSERT_EQUAL(x.n[0], 9);
	CU_ASSERT_EQUAL(memcmp(x.s[0], "out\nmore\n", 9), 0);
	CU_ASSERT_EQUAL(x.n[1], 4);
	CU_ASSERT_EQUAL(memcmp(x.s[1], "err\n", 4), 0);
	/* before any marker: stdout; short runs of 01/02 are output (of
	 * the stream in force before the next marker); a run held at the
	 * end is output too */
	split(&x, odd, sizeof odd - 1);
	CU_ASSERT_EQUAL(x.n[0], 8);
	CU_ASSERT_EQUAL(memcmp(x.s[0], "pre\1x\1\1\1", 8), 0);
	CU_ASSERT_EQUAL(x.n[1], 2);
	CU_ASSERT_EQUAL(memcmp(x.s[1], "e\2", 2), 0);
	/* a callback's code stops the feed */
	memset(&x, 0, sizeof x);
	x.stop_at = 2;
	dt_mux_init(&m);
	CU_ASSERT_EQUAL(dt_mux_feed(&m, log, sizeof log - 1, on_mux, &x),
			WSP_ECANCELED);
}


/* What the frame decoder handed out, as text: "B:data|" "P:ping|"... */
struct evlog {
	char s[512];
	size_t n;
};

static int ev(int op, const unsigned char *p, size_t n, int fin, void *pl)
{
	struct evlog *l = pl;

	l->n += (size_t)snprintf(l->s + l->n, sizeof l->s - l->n, "%d%s:%.*s|",
				 op, fin ? "F" : "", (int)n, (const char *)p);
	return 0;
}

static int feed(struct dt_ws_dec *d, struct evlog *l, const char *p,
		size_t n)
{
	memset(l, 0, sizeof(*l));
	return dt_ws_dec_feed(d, (const unsigned char *)p, n, ev, l);
}

static void test_ws_frames(void)
{
	/* remote-providers.md §2.3: stdout "line1\n", then close 1000 */
	static const char doc[] = "\x82\x09\x01\x01\x01line1\n\x88\x02\x03\xe8";
	static const char frag[] = "\x02\x02" "ab" "\x89\x01" "p" "\x80\x01" "c";
	struct dt_ws_dec d;
	struct evlog l;
	unsigned char out[DT_WS_HEAD_MAX + DT_WS_CTL_MAX];
	const unsigned char mask[4] = { 1, 2, 3, 4 };
	size_t i;

	dt_ws_dec_init(&d, 1024);
	CU_ASSERT_EQUAL(feed(&d, &l, doc, sizeof doc - 1), 0);
	CU_ASSERT_STRING_EQUAL(l.s, "2F:\x01\x01\x01line1\n|8F:\x03\xe8|");
	CU_ASSERT_TRUE(dt_ws_dec_idle(&d));
	/* fragments, a ping between them; fed a byte at a time */
	dt_ws_dec_init(&d, 1024);
	memset(&l, 0, sizeof l);
	for (i = 0; i < sizeof frag - 1; i++)
		CU_ASSERT_EQUAL(dt_ws_dec_feed(&d, (const unsigned char *)frag + i,
					       1, ev, &l), 0);
	CU_ASSERT_STRING_EQUAL(l.s, "2:a|2:b|9F:p|2F:c|");
	/* what a server must not send */
	dt_ws_dec_init(&d, 1024);
	CU_ASSERT_EQUAL(feed(&d, &l, "\x82\x81\0\0\0\0x", 7), WSP_EPROTO);
	CU_ASSERT_STRING_EQUAL(d.why, "a masked frame from the server");
	CU_ASSERT_EQUAL(feed(&d, &l, "\x82\x00", 2), WSP_EPROTO); /* stays failed */
	dt_ws_dec_init(&d, 1024);
	CU_ASSERT_EQUAL(feed(&d, &l, "\xc2\x00", 2), WSP_EPROTO); /* RSV1 */
	dt_ws_dec_init(&d, 1024);
	CU_ASSERT_EQUAL(feed(&d, &l, "\x80\x00", 2), WSP_EPROTO); /* lone CONT */
	dt_ws_dec_init(&d, 1024);
	CU_ASSERT_EQUAL(feed(&d, &l, "\x09\x00", 2), WSP_EPROTO); /* split ping */
	dt_ws_dec_init(&d, 1024);
	CU_ASSERT_EQUAL(feed(&d, &l, "\x88\x01\x03", 3), WSP_EPROTO);
	dt_ws_dec_init(&d, 1024);
	CU_ASSERT_EQUAL(feed(&d, &l, "\x88\x02\x03\xed", 4), WSP_EPROTO); /* 1005 */
	dt_ws_dec_init(&d, 1024);
	CU_ASSERT_EQUAL(feed(&d, &l, "\x82\x7e\x00\x10", 4), WSP_EPROTO); /* not shortest */
	dt_ws_dec_init(&d, 100);
	CU_ASSERT_EQUAL(feed(&d, &l, "\x82\x7e\x01\x00", 4), WSP_EPROTO); /* bound */
	CU_ASSERT_STRING_EQUAL(d.why, "a frame longer than wsp takes");
	dt_ws_dec_init(&d, 1024);
	CU_ASSERT_EQUAL(feed(&d, &l, "\x8b\x00", 2), WSP_EPROTO); /* opcode 11 */
	/* the client's frame: FIN, masked */
	CU_ASSERT_EQUAL(dt_ws_encode(out, DT_WS_PONG, "hi", 2, mask), 8);
	CU_ASSERT_EQUAL(out[0], 0x8a);
	CU_ASSERT_EQUAL(out[1], 0x82);
	CU_ASSERT_EQUAL(out[6], 'h' ^ 1);
	CU_ASSERT_EQUAL(out[7], 'i' ^ 2);
	CU_ASSERT_EQUAL(dt_ws_encode(out, DT_WS_PONG, doc, 126, mask), 0);
}

struct tailout {
	char s[256];
	size_t n;
	int calls;
};

static int tail_put(const char *p, size_t n, void *pl)
{
	struct tailout *o = pl;

	CU_ASSERT_TRUE(n > 0);
	memcpy(o->s + o->n, p, n);
	o->n += n;
	o->calls++;
	return 0;
}

static void test_tail(void)
{
	static const char log[] = "one\nbig" NONCE_T "x\nlast" NONCE_T "\nchild\n";
	static const char err[] = NONCE_T ":cwd\n";
	struct dt_tail t;
	struct tailout o = { "", 0, 0 };
	size_t i;

	/* fed a byte at a time: the output up to the trailer, exactly */
	dt_tail_init(&t, NONCE_T);
	for (i = 0; i < sizeof log - 1; i++)
		CU_ASSERT_EQUAL(dt_tail_feed(&t, log + i, 1, tail_put, &o), 0);
	CU_ASSERT_TRUE(t.ended);
	CU_ASSERT_EQUAL(t.tag, 0);
	CU_ASSERT_EQUAL(o.n, strlen("one\nbig" NONCE_T "x\nlast"));
	CU_ASSERT_EQUAL(memcmp(o.s, "one\nbig" NONCE_T "x\nlast", o.n), 0);
	/* a long unfinished line: all but DT_TAIL_MAX bytes go on */
	memset(&o, 0, sizeof o);
	dt_tail_init(&t, NONCE_T);
	CU_ASSERT_EQUAL(dt_tail_feed(&t, "0123456789012345678901234567890123456789",
				     40, tail_put, &o), 0);
	CU_ASSERT_EQUAL(o.n, 40 - DT_TAIL_MAX);
	CU_ASSERT_FALSE(t.ended);
	/* the tag of a command that never started */
	memset(&o, 0, sizeof o);
	dt_tail_init(&t, NONCE_T);
	CU_ASSERT_EQUAL(dt_tail_feed(&t, err, sizeof err - 1, tail_put, &o), 0);
	CU_ASSERT_TRUE(t.ended);
	CU_ASSERT_EQUAL(t.tag, DT_END_CWD);
	CU_ASSERT_EQUAL(o.n, 0);
}

static CU_TestInfo tests[] = {
	{ "WebSocket frames: decoded, refused, encoded", test_ws_frames },
	{ "trailer found as the log arrives", test_tail },
	{ "multiplexed log split by stream", test_mux },
	{ "log read back once the command ended", test_output_done },
	{ "log read while the command runs", test_output_running },
	{ "script text: quoting, cwd, env, stdin", test_script_text },
	{ "capture keeps the newest bytes", test_capture },
	{ "Daytona states and ids", test_states },
	{ "options refused with a clear message", test_options_refused },
	{ "create body from the options", test_create_body },
	CU_TEST_INFO_NULL,
};

CU_MAIN_SUITE("sandbox-daytona units", NULL, NULL, tests)
