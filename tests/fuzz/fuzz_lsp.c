/*
 * tests/fuzz/fuzz_lsp.c - the Language Server Protocol's base protocol
 * reader (toolkit/lsp_frame.c) on the bytes a language server writes, and the
 * file:// URI reader and writer (toolkit/lsp_client.c).
 *
 * First byte: the seed of piece sizes (1..16 bytes); the rest is fed whole
 * and in pieces. Both feedings must hand out the same bodies and the same
 * verdict; a body is never over the bound, never outside the input. Each
 * body is also read as a URI: a decoded path encodes and decodes back to
 * itself.
 */
#include "lsp_impl.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_BODY 4096
#define MAX_MSGS 64

struct run {
	size_t n;
	size_t len[MAX_MSGS];
	uint32_t sum[MAX_MSGS];
	int verdict; /* 0 more wanted, WSP_EPROTO */
};

static uint32_t hash(const char *p, size_t n)
{
	uint32_t h = 2166136261u;

	while (n--)
		h = (h ^ (uint8_t)*p++) * 16777619u;
	return h;
}

static void check_uri(const char *body, size_t len)
{
	char *s = strndup(body, len), *path, *uri, *back;

	if (!s)
		return;
	path = wsp__lsp_uri_path(s);
	if (path) {
		if (path[0] != '/')
			abort();
		uri = wsp__lsp_uri(path);
		back = uri ? wsp__lsp_uri_path(uri) : NULL;
		if (uri && (!back || strcmp(back, path)))
			abort();
		free(back);
		free(uri);
	}
	free(path);
	free(s);
}

/* Drain the reader; 1 when it stopped for good. */
static int drain(struct wsp__lsp_frame *f, struct run *r, size_t in_len,
		 int check)
{
	const char *body;
	size_t len;
	char why[128];
	int rc;

	while ((rc = wsp__lsp_frame_next(f, &body, &len, why, sizeof(why))) ==
	       1) {
		if (len > MAX_BODY || len > in_len)
			abort();
		if (r->n < MAX_MSGS) {
			r->len[r->n] = len;
			r->sum[r->n] = hash(body, len);
		}
		r->n++;
		if (check)
			check_uri(body, len);
	}
	if (rc < 0) {
		if (rc != WSP_EPROTO || !why[0])
			abort();
		r->verdict = rc;
		return 1;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wsp__lsp_frame f;
	struct run whole = {0}, parts = {0};
	unsigned seed;
	size_t off, n, i;

	if (size < 1)
		return 0;
	seed = data[0];
	data++;
	size--;
	wsp__lsp_frame_init(&f, MAX_BODY);
	if (wsp__lsp_frame_feed(&f, data, size) == 0)
		drain(&f, &whole, size, 1);
	wsp__lsp_frame_free(&f);
	wsp__lsp_frame_init(&f, MAX_BODY);
	for (off = 0; off < size; off += n) {
		seed = seed * 1103515245u + 12345u;
		n = 1 + (seed >> 16) % 16;
		if (n > size - off)
			n = size - off;
		if (wsp__lsp_frame_feed(&f, data + off, n))
			break;
		if (drain(&f, &parts, size, 0))
			break;
	}
	wsp__lsp_frame_free(&f);
	if (whole.n != parts.n || whole.verdict != parts.verdict)
		abort();
	for (i = 0; i < whole.n && i < MAX_MSGS; i++)
		if (whole.len[i] != parts.len[i] ||
		    whole.sum[i] != parts.sum[i])
			abort();
	return 0;
}
