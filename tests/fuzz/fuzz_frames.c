/*
 * tests/fuzz/fuzz_frames.c - the streaming framers (core/host/http_lines.c,
 * core/host/http_envelope.c) on arbitrary bytes. The first byte chooses the
 * framer (even: lines, odd: Connect envelopes), the second its bound
 * (max = 1 + 4 * byte), the rest is the body. The body is fed whole, then
 * again in pieces whose sizes come from the body's own bytes: both runs
 * must hand over the same frames and end with the same code, every line
 * free of "\n" and within the bound, every message within the bound.
 */
#include "http_frame.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail_if(bool bad)
{
	if (bad)
		__builtin_trap();
}

/* What a run saw: each frame as [flags][len:8][bytes]. */
struct record {
	uint8_t *buf;
	size_t len, cap;
	size_t max;
};

static void put(struct record *r, const void *p, size_t n)
{
	if (r->len + n > r->cap) {
		size_t nc = r->cap ? r->cap * 2 : 1024;

		while (nc < r->len + n)
			nc *= 2;
		r->buf = realloc(r->buf, nc);
		fail_if(!r->buf);
		r->cap = nc;
	}
	memcpy(r->buf + r->len, p, n);
	r->len += n;
}

static void put_frame(struct record *r, uint8_t flags, const char *m,
		      size_t len)
{
	uint64_t l = len;

	put(r, &flags, 1);
	put(r, &l, sizeof(l));
	put(r, m, len);
}

static int on_line(const char *line, size_t len, void *p)
{
	struct record *r = p;

	fail_if(len > r->max);
	fail_if(memchr(line, '\n', len) != NULL);
	put_frame(r, 0, line, len);
	return 0;
}

static int on_envelope(uint8_t flags, const char *msg, size_t len, void *p)
{
	struct record *r = p;

	fail_if(len > r->max);
	fail_if((flags & ~WSP__ENVELOPE_END_STREAM) != 0);
	put_frame(r, flags, msg, len);
	return 0;
}

/* Feed body in pieces: 0 = whole, else sizes 1 + body[i] % 97. */
static int run(bool lines, size_t max, const uint8_t *body, size_t n,
	       bool split, struct record *r)
{
	wsp__lines l;
	wsp__envelope e;
	wsp_error err;
	size_t off = 0, k = 0;
	int rc = 0;

	r->max = max;
	if (lines)
		wsp__lines_init(&l, max, on_line, r);
	else
		wsp__envelope_init(&e, max, on_envelope, r);
	while (off < n && !rc) {
		size_t piece = split ? 1 + body[k++ % n] % 97 : n;

		if (piece > n - off)
			piece = n - off;
		rc = lines ? wsp__lines_feed(&l, (const char *)body + off,
					     piece, &err)
			   : wsp__envelope_feed(&e, (const char *)body + off,
						piece, &err);
		off += piece;
	}
	if (!rc)
		rc = lines ? wsp__lines_finish(&l, &err)
			   : wsp__envelope_finish(&e, &err);
	if (rc)
		fail_if(err.code != rc ||
			!memchr(err.message, 0, sizeof(err.message)));
	if (lines)
		wsp__lines_free(&l);
	else
		wsp__envelope_free(&e);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct record whole = {0}, cut = {0};
	bool lines;
	size_t max;
	int a, b;

	if (size < 2)
		return 0;
	lines = !(data[0] & 1);
	max = 1 + 4 * (size_t)data[1];
	a = run(lines, max, data + 2, size - 2, false, &whole);
	b = run(lines, max, data + 2, size - 2, true, &cut);
	fail_if(a != b);
	fail_if(whole.len != cut.len ||
		(whole.len && memcmp(whole.buf, cut.buf, whole.len)));
	free(whole.buf);
	free(cut.buf);
	return 0;
}
