/*
 * tests/common/test_bytes.h - the sources and sinks the file tests
 * (tests/fs-local, and the remote sandboxes' tests/sandbox-blaxel, -e2b,
 * -daytona) stream through a provider's read and write: a pattern of any
 * length in pieces (byte i is i % 251, so an offset shows in the data), a
 * sink into a buffer of fixed size and one that grows, bytes in memory,
 * and a text.
 */
#ifndef WSP_TEST_BYTES_H
#define WSP_TEST_BYTES_H

#include <wsp/common.h>

#include <stdlib.h>
#include <string.h>

/* total bytes (i % 251) in pieces of at most piece bytes; WSP_EIO once
 * fail_at bytes went out, when fail_at is not 0 */
struct src {
	size_t total, sent, piece, fail_at;
};

static inline int give(void *buf, size_t cap, size_t *out_n, void *payload)
{
	struct src *s = payload;
	size_t n = s->total - s->sent;

	if (s->fail_at && s->sent >= s->fail_at)
		return WSP_EIO;
	if (n > cap)
		n = cap;
	if (n > s->piece)
		n = s->piece;
	for (size_t i = 0; i < n; i++)
		((unsigned char *)buf)[i] = (unsigned char)((s->sent + i) % 251);
	s->sent += n;
	*out_n = n;
	return 0;
}

/* into buf (cap bytes; more is WSP_ETOOBIG), counting the calls */
struct sink {
	unsigned char *buf;
	size_t len, cap;
	int calls;
};

static inline int take(const void *data, size_t len, void *payload)
{
	struct sink *s = payload;

	s->calls++;
	if (s->len + len > s->cap)
		return WSP_ETOOBIG;
	memcpy(s->buf + s->len, data, len);
	s->len += len;
	return 0;
}

/* len bytes at data, handed out from off on as far as each call takes */
struct bytes_src {
	const char *data;
	size_t len, off;
};

static inline int bytes_give(void *buf, size_t cap, size_t *out_n,
			     void *payload)
{
	struct bytes_src *b = payload;
	size_t n = b->len - b->off;

	if (n > cap)
		n = cap;
	memcpy(buf, b->data + b->off, n);
	b->off += n;
	*out_n = n;
	return 0;
}

/* into p (malloc'd, NUL-ended after its len bytes; NULL until the first
 * byte), its capacity doubled as it fills (reads of many megabytes come
 * in small pieces): WSP_ENOMEM when it cannot grow */
struct bytes_sink {
	char *p;
	size_t len, cap;
};

static inline int bytes_take(const void *data, size_t len, void *payload)
{
	struct bytes_sink *b = payload;

	if (b->len + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *np;

		while (cap < b->len + len + 1)
			cap *= 2;
		np = (char *)realloc(b->p, cap);
		if (!np)
			return WSP_ENOMEM;
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
	b->p[b->len] = '\0';
	return 0;
}

/* the NUL-ended text t, as bytes_give hands out bytes */
struct text_src {
	const char *t;
	size_t off;
};

static inline int text_give(void *buf, size_t cap, size_t *out_n,
			    void *payload)
{
	struct text_src *ts = payload;
	struct bytes_src b = {ts->t, strlen(ts->t), ts->off};
	int rc = bytes_give(buf, cap, out_n, &b);

	ts->off = b.off;
	return rc;
}

#endif
