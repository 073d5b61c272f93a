/*
 * tests/fuzz/fuzz_dtws.c - the Daytona provider's WebSocket log follow on
 * arbitrary bytes (issue 15): the client's frame decoder and encoder
 * (plugins/sandbox-daytona/wsframe.c) and the reader that finds the
 * script's trailer as a stream's log arrives (tail.c), compiled in.
 *
 * First byte: bit 0 picks the reader (0 frames, 1 trailer), the rest
 * seeds the piece sizes. Then the bytes a server sent. Checked besides
 * crashes, UB and leaks: fed whole and in pieces of 1..16 bytes both
 * give the same messages, control frames and verdict; no control
 * payload exceeds 125 bytes, data never exceeds the input, a close code
 * handed out is one a peer may send; a frame the encoder writes unmasks
 * to its payload; the trailer reader's output is a prefix of the stream,
 * holds back no more than DT_TAIL_MAX bytes of an unfinished line, and
 * stops right before the nonce when it finds the trailer.
 */
#include "../../plugins/sandbox-daytona/script.c"
#include "../../plugins/sandbox-daytona/tail.c"
#include "../../plugins/sandbox-daytona/wsframe.c"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NONCE "wsp-abcdefghij0123456789"

/* A record of what the decoder handed out, comparable across feedings. */
struct rec {
	unsigned char *log, *msg;
	size_t n, cap, msg_n;
};

static void rec_put(struct rec *r, const void *p, size_t n)
{
	if (r->n + n > r->cap)
		abort();
	memcpy(r->log + r->n, p, n);
	r->n += n;
}

static int on_ev(int op, const unsigned char *p, size_t n, int fin, void *pl)
{
	struct rec *r = pl;
	unsigned char h[2] = { (unsigned char)op, 0 };
	uint64_t len;

	if (op == DT_WS_TEXT || op == DT_WS_BINARY) {
		if (!n && !fin)
			abort(); /* an empty piece only ends a message */
		memcpy(r->msg + r->msg_n, p, n);
		r->msg_n += n;
		if (!fin)
			return 0;
		h[1] = 'M';
		len = r->msg_n;
		rec_put(r, h, 2);
		rec_put(r, &len, sizeof len);
		rec_put(r, r->msg, r->msg_n);
		r->msg_n = 0;
		return 0;
	}
	if ((op != DT_WS_CLOSE && op != DT_WS_PING && op != DT_WS_PONG) ||
	    n > DT_WS_CTL_MAX || !fin)
		abort();
	if (op == DT_WS_CLOSE && n &&
	    (n < 2 || !dt_ws_close_code_ok(((unsigned)p[0] << 8) | p[1])))
		abort();
	h[1] = 'C';
	len = n;
	rec_put(r, h, 2);
	rec_put(r, &len, sizeof len);
	rec_put(r, p, n);
	return 0;
}

static size_t piece(unsigned *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return 1 + (*seed >> 16) % 16;
}

static void frames(const uint8_t *p, size_t n, unsigned seed)
{
	struct dt_ws_dec d;
	struct rec a = { 0 }, b = { 0 };
	size_t i, k, cap = 8 * n + 64;
	int ra, rb = 0;
	unsigned char enc[DT_WS_HEAD_MAX + DT_WS_CTL_MAX];
	unsigned char mask[4] = { 0x12, 0x34, 0x56, 0x78 };

	a.log = malloc(cap);
	b.log = malloc(cap);
	a.msg = malloc(n + 1);
	b.msg = malloc(n + 1);
	a.cap = b.cap = cap;
	if (!a.log || !b.log || !a.msg || !b.msg)
		abort();
	dt_ws_dec_init(&d, 4096);
	ra = dt_ws_dec_feed(&d, p, n, on_ev, &a);
	dt_ws_dec_init(&d, 4096);
	for (i = 0; i < n && !rb; i += k) {
		k = piece(&seed);
		if (k > n - i)
			k = n - i;
		rb = dt_ws_dec_feed(&d, p + i, k, on_ev, &b);
	}
	if (ra != rb || a.n != b.n || memcmp(a.log, b.log, a.n))
		abort();
	if (ra && ra != WSP_EPROTO)
		abort();
	/* The encoder: a control frame that unmasks to its payload. */
	k = n < DT_WS_CTL_MAX ? n : DT_WS_CTL_MAX;
	if (dt_ws_encode(enc, DT_WS_PING, p, k, mask) != 6 + k ||
	    enc[0] != 0x89 || enc[1] != (0x80 | k))
		abort();
	for (i = 0; i < k; i++)
		if ((enc[6 + i] ^ mask[i & 3]) != p[i])
			abort();
	if (dt_ws_encode(enc, DT_WS_PING, p, DT_WS_CTL_MAX + 1, mask) != 0)
		abort();
	free(a.log);
	free(b.log);
	free(a.msg);
	free(b.msg);
}

struct out {
	char *s;
	size_t n;
};

static int collect(const char *p, size_t n, void *pl)
{
	struct out *o = pl;

	if (!n)
		abort();
	memcpy(o->s + o->n, p, n);
	o->n += n;
	return 0;
}

static void trailer(const char *p, size_t n, unsigned seed)
{
	struct dt_tail a, b;
	struct out oa = { malloc(n + 1), 0 }, ob = { malloc(n + 1), 0 };
	size_t i, k, nl = strlen(NONCE), line;

	if (!oa.s || !ob.s)
		abort();
	dt_tail_init(&a, NONCE);
	dt_tail_init(&b, NONCE);
	dt_tail_feed(&a, p, n, collect, &oa);
	for (i = 0; i < n; i += k) {
		k = piece(&seed);
		if (k > n - i)
			k = n - i;
		dt_tail_feed(&b, p + i, k, collect, &ob);
	}
	if (oa.n != ob.n || memcmp(oa.s, ob.s, oa.n) || a.ended != b.ended ||
	    a.tag != b.tag || oa.n > n || memcmp(oa.s, p, oa.n))
		abort();
	if (a.ended) {
		/* stopped right before the nonce, which a tag and a newline
		 * follow */
		if (oa.n + nl > n || memcmp(p + oa.n, NONCE, nl) ||
		    !memchr(p + oa.n, '\n', n - oa.n))
			abort();
	} else {
		/* all but the unfinished line's newest DT_TAIL_MAX bytes */
		for (line = n; line && p[line - 1] != '\n'; line--)
			;
		if (oa.n < line || n - oa.n > DT_TAIL_MAX)
			abort();
	}
	free(oa.s);
	free(ob.s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] & 1)
		trailer((const char *)data + 1, size - 1, data[0]);
	else
		frames(data + 1, size - 1, data[0]);
	return 0;
}
