/*
 * tests/http-stream/test_http_frame.c - the incremental framers
 * (core/host/http_lines.c, core/host/http_envelope.c): the vendors' own byte
 * sequences from reference/remote-providers.md, cut at every byte
 * boundary (and into single bytes), give the same frames as fed whole;
 * bounds, broken frames and consumer errors.
 */
#include "http_frame.h"

#include <CUnit/CUnit.h>
#include <cu_main.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Frames as seen, one per line: "<flags>:<len>:<bytes>\n". */
struct seen {
	char text[8192];
	size_t len;
	int calls;
	int stop_at; /* return WSP_EIO on this call (1-based), 0 = never */
};

static void seen_add(struct seen *w, int flags, const char *msg, size_t len)
{
	int n = snprintf(w->text + w->len, sizeof(w->text) - w->len,
			 "%d:%zu:%.*s\n", flags, len, (int)len, msg);

	if (n > 0 && (size_t)n < sizeof(w->text) - w->len)
		w->len += (size_t)n;
}

static int on_line(const char *line, size_t len, void *p)
{
	struct seen *w = p;

	w->calls++;
	CU_ASSERT_PTR_NULL(memchr(line, '\n', len));
	seen_add(w, 0, line, len);
	return w->stop_at && w->calls == w->stop_at ? WSP_EIO : 0;
}

static int on_envelope(uint8_t flags, const char *msg, size_t len, void *p)
{
	struct seen *w = p;

	w->calls++;
	seen_add(w, flags, msg, len);
	return w->stop_at && w->calls == w->stop_at ? WSP_EIO : 0;
}

/* Feed input cut at `cut` (and whole when cut >= len); the final rc. */
static int lines_run(struct seen *w, const char *in, size_t len, size_t cut,
		     size_t max)
{
	wsp__lines l;
	wsp_error err = {0};
	int rc;

	memset(w, 0, sizeof(*w));
	wsp__lines_init(&l, max, on_line, w);
	if (cut > len)
		cut = len;
	rc = wsp__lines_feed(&l, in, cut, &err);
	if (!rc)
		rc = wsp__lines_feed(&l, in + cut, len - cut, &err);
	if (!rc)
		rc = wsp__lines_finish(&l, &err);
	wsp__lines_free(&l);
	return rc;
}

static int lines_bytewise(struct seen *w, const char *in, size_t len,
			  size_t max)
{
	wsp__lines l;
	wsp_error err = {0};
	int rc = 0;

	memset(w, 0, sizeof(*w));
	wsp__lines_init(&l, max, on_line, w);
	for (size_t i = 0; i < len && !rc; i++)
		rc = wsp__lines_feed(&l, in + i, 1, &err);
	if (!rc)
		rc = wsp__lines_finish(&l, &err);
	wsp__lines_free(&l);
	return rc;
}

/* Blaxel's log stream and streamed exec, from the reference. */
static const char blaxel_logs[] = "stdout:line1\nstderr:oops\n[keepalive]\n"
				  "stdout:li\r\n\nstdout:last";
static const char blaxel_logs_seen[] = "0:12:stdout:line1\n"
				       "0:11:stderr:oops\n"
				       "0:11:[keepalive]\n"
				       "0:9:stdout:li\n"
				       "0:0:\n"
				       "0:11:stdout:last\n";

static void test_lines_every_cut(void)
{
	size_t len = sizeof(blaxel_logs) - 1;
	struct seen w;

	for (size_t cut = 0; cut <= len; cut++) {
		CU_ASSERT_EQUAL(lines_run(&w, blaxel_logs, len, cut, 64), 0);
		CU_ASSERT_STRING_EQUAL(w.text, blaxel_logs_seen);
	}
	CU_ASSERT_EQUAL(lines_bytewise(&w, blaxel_logs, len, 64), 0);
	CU_ASSERT_STRING_EQUAL(w.text, blaxel_logs_seen);
}

static void test_lines_ndjson(void)
{
	static const char in[] =
		"{\"type\":\"stdout\",\"data\":\"out\\n\"}\n"
		"{\"type\":\"keepalive\"}\n"
		"{\"type\":\"result\",\"data\":\"{\\\"exitCode\\\":3}\"}\n";
	size_t len = sizeof(in) - 1;
	struct seen whole, w;

	CU_ASSERT_EQUAL(lines_run(&whole, in, len, len, 4096), 0);
	CU_ASSERT_EQUAL(whole.calls, 3);
	for (size_t cut = 0; cut <= len; cut++) {
		CU_ASSERT_EQUAL(lines_run(&w, in, len, cut, 4096), 0);
		CU_ASSERT_STRING_EQUAL(w.text, whole.text);
	}
}

/* A line of exactly the bound passes; one byte more fails, whether it
 * arrives whole or cut, and the error sticks. */
static void test_lines_bound(void)
{
	char in[40];
	struct seen w;
	wsp__lines l;
	wsp_error err = {0};

	memset(in, 'x', sizeof(in));
	in[16] = '\n';
	CU_ASSERT_EQUAL(lines_run(&w, in, 17, 17, 16), 0);
	CU_ASSERT_EQUAL(w.calls, 1);
	in[16] = 'x';
	in[17] = '\n';
	for (size_t cut = 0; cut <= 18; cut++) {
		CU_ASSERT_EQUAL(lines_run(&w, in, 18, cut, 16), WSP_ETOOBIG);
		CU_ASSERT_EQUAL(w.calls, 0);
	}
	/* without any newline at all, too */
	wsp__lines_init(&l, 16, on_line, &w);
	CU_ASSERT_EQUAL(wsp__lines_feed(&l, in, 17, &err), WSP_ETOOBIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "longer than 16 bytes"));
	CU_ASSERT_EQUAL(wsp__lines_feed(&l, "\n", 1, &err), WSP_ETOOBIG);
	CU_ASSERT_EQUAL(wsp__lines_finish(&l, &err), WSP_ETOOBIG);
	wsp__lines_free(&l);
}

static void test_lines_consumer_error(void)
{
	static const char in[] = "a\nb\nc\n";
	struct seen w;
	wsp__lines l;
	wsp_error err = {0};

	memset(&w, 0, sizeof(w));
	w.stop_at = 2;
	wsp__lines_init(&l, 16, on_line, &w);
	CU_ASSERT_EQUAL(wsp__lines_feed(&l, in, 6, &err), WSP_EIO);
	CU_ASSERT_EQUAL(w.calls, 2);
	CU_ASSERT_EQUAL(wsp__lines_feed(&l, in, 6, &err), WSP_EIO);
	CU_ASSERT_EQUAL(w.calls, 2);
	wsp__lines_free(&l);
}

/* Append one envelope to buf at *n. */
static void env_put(char *buf, size_t *n, uint8_t flags, const char *msg)
{
	size_t len = strlen(msg);

	buf[(*n)++] = (char)flags;
	buf[(*n)++] = (char)(len >> 24);
	buf[(*n)++] = (char)(len >> 16);
	buf[(*n)++] = (char)(len >> 8);
	buf[(*n)++] = (char)len;
	memcpy(buf + *n, msg, len);
	*n += len;
}

/* E2B's process stream from the reference: start, data, keepalive, an
 * empty message, end, end-of-stream. */
static size_t e2b_stream(char *buf)
{
	size_t n = 0;

	env_put(buf, &n, 0, "{\"event\":{\"start\":{\"pid\":100}}}");
	env_put(buf, &n, 0, "{\"event\":{\"data\":{\"stdout\":\"aGkK\"}}}");
	env_put(buf, &n, 0, "{\"event\":{\"keepalive\":{}}}");
	env_put(buf, &n, 0, "");
	env_put(buf, &n, 0,
		"{\"event\":{\"end\":{\"exited\":true,\"status\":\"exit "
		"status 0\"}}}");
	env_put(buf, &n, WSP__ENVELOPE_END_STREAM, "{}");
	return n;
}

static int env_run(struct seen *w, const char *in, size_t len, size_t cut,
		   size_t max, wsp_error *err)
{
	wsp__envelope e;
	int rc;

	memset(w, 0, sizeof(*w));
	wsp__envelope_init(&e, max, on_envelope, w);
	if (cut > len)
		cut = len;
	rc = wsp__envelope_feed(&e, in, cut, err);
	if (!rc)
		rc = wsp__envelope_feed(&e, in + cut, len - cut, err);
	if (!rc)
		rc = wsp__envelope_finish(&e, err);
	wsp__envelope_free(&e);
	return rc;
}

static void test_envelope_every_cut(void)
{
	char in[512];
	size_t len = e2b_stream(in);
	struct seen whole, w;
	wsp_error err = {0};
	wsp__envelope e;
	int rc = 0;

	CU_ASSERT_EQUAL(env_run(&whole, in, len, len, 1024, &err), 0);
	CU_ASSERT_EQUAL(whole.calls, 6);
	CU_ASSERT_PTR_NOT_NULL(strstr(whole.text, "\n0:0:\n0:"));
	CU_ASSERT_STRING_EQUAL(whole.text + whole.len - 7, "2:2:{}\n");
	for (size_t cut = 0; cut <= len; cut++) {
		CU_ASSERT_EQUAL(env_run(&w, in, len, cut, 1024, &err), 0);
		CU_ASSERT_STRING_EQUAL(w.text, whole.text);
	}
	memset(&w, 0, sizeof(w));
	wsp__envelope_init(&e, 1024, on_envelope, &w);
	for (size_t i = 0; i < len && !rc; i++)
		rc = wsp__envelope_feed(&e, in + i, 1, &err);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_EQUAL(wsp__envelope_finish(&e, &err), 0);
	CU_ASSERT_STRING_EQUAL(w.text, whole.text);
	wsp__envelope_free(&e);
}

/* A length over the bound fails at the header, before any buffering. */
static void test_envelope_bound(void)
{
	static const char huge[] = {0, 0x7f, 0, 0, 0};
	char in[64];
	size_t n = 0;
	struct seen w;
	wsp_error err = {0};

	env_put(in, &n, 0, "0123456789");
	CU_ASSERT_EQUAL(env_run(&w, in, n, 3, 10, &err), WSP_EPROTO);
	CU_ASSERT_EQUAL(w.calls, 1); /* fine, then no end-of-stream */
	CU_ASSERT_EQUAL(env_run(&w, in, n, 3, 9, &err), WSP_ETOOBIG);
	CU_ASSERT_EQUAL(w.calls, 0);
	CU_ASSERT_EQUAL(env_run(&w, huge, 5, 2, 1 << 20, &err), WSP_ETOOBIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "2130706432 bytes"));
}

static void test_envelope_protocol_errors(void)
{
	char in[64];
	size_t n = 0;
	struct seen w;
	wsp_error err = {0};

	env_put(in, &n, WSP__ENVELOPE_COMPRESSED, "x");
	CU_ASSERT_EQUAL(env_run(&w, in, n, n, 64, &err), WSP_EPROTO);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "compressed"));
	n = 0;
	env_put(in, &n, 0x80, "x");
	CU_ASSERT_EQUAL(env_run(&w, in, n, n, 64, &err), WSP_EPROTO);
	n = 0;
	env_put(in, &n, WSP__ENVELOPE_END_STREAM, "{}");
	env_put(in, &n, 0, "late");
	CU_ASSERT_EQUAL(env_run(&w, in, n, 4, 64, &err), WSP_EPROTO);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "after the end-of-stream"));
	CU_ASSERT_EQUAL(w.calls, 1);
	/* cut inside the header, and inside a message */
	CU_ASSERT_EQUAL(env_run(&w, in, 3, 3, 64, &err), WSP_EPROTO);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "inside an envelope"));
	CU_ASSERT_EQUAL(env_run(&w, in, 6, 6, 64, &err), WSP_EPROTO);
	CU_ASSERT_EQUAL(env_run(&w, in, 0, 0, 64, &err), WSP_EPROTO);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "without the end-of"));
}

static void test_envelope_consumer_error(void)
{
	char in[512];
	size_t len = e2b_stream(in);
	struct seen w;
	wsp_error err = {0};
	wsp__envelope e;

	memset(&w, 0, sizeof(w));
	w.stop_at = 3;
	wsp__envelope_init(&e, 1024, on_envelope, &w);
	CU_ASSERT_EQUAL(wsp__envelope_feed(&e, in, len, &err), WSP_EIO);
	CU_ASSERT_EQUAL(w.calls, 3);
	CU_ASSERT_EQUAL(wsp__envelope_finish(&e, &err), WSP_EIO);
	wsp__envelope_free(&e);
}

static CU_TestInfo tests[] = {
	{"lines: every cut of Blaxel's log stream", test_lines_every_cut},
	{"lines: NDJSON", test_lines_ndjson},
	{"lines: bounded line length", test_lines_bound},
	{"lines: consumer error sticks", test_lines_consumer_error},
	{"envelope: every cut of E2B's stream", test_envelope_every_cut},
	{"envelope: bounded message size", test_envelope_bound},
	{"envelope: protocol errors", test_envelope_protocol_errors},
	{"envelope: consumer error sticks", test_envelope_consumer_error},
	CU_TEST_INFO_NULL,
};

CU_MAIN("http-frame", tests)
