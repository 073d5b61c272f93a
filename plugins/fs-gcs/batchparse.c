/*
 * plugins/fs-gcs/batchparse.c - a bounded reader of the JSON API's batch
 * answers (multipart/mixed, one application/http part per request).
 *
 * The answer comes from a server, so nothing in it is trusted: the
 * boundary is checked against RFC 2046's rules, every part must name its
 * request by Content-ID ("<response-N>", N = 1..n as the request's parts
 * were numbered), and a part's status line must be "HTTP/1.x NNN". A part
 * that says none of this, names a request out of range or one already
 * answered, or is cut off leaves (or makes) that request unanswered
 * (status 0): the caller retries those singly, so a garbled answer costs
 * requests, never a wrong result. The work is linear in the answer and
 * at most GCS_BATCH_PARTS_SEEN parts are looked at.
 */
#include "gcs.h"

#include <string.h>
#include <strings.h>

/* Part header blocks larger than this are garbage (Google's are ~100 B). */
#define PART_HEADERS_MAX     8192
#define GCS_BATCH_PARTS_SEEN (4 * GCS_BATCH_MAX)
#define NONE		     ((size_t)-1)

static bool bchar(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || strchr("'()+_,-./:=?", c);
}

int gcs_batch_boundary(char out[GCS_BOUNDARY_MAX + 1], const char *ct)
{
	static const char mixed[] = "multipart/mixed";
	const char *p = ct;

	out[0] = '\0';
	if (!ct)
		return -1;
	while (*p == ' ' || *p == '\t')
		p++;
	if (strncasecmp(p, mixed, sizeof(mixed) - 1))
		return -1;
	p += sizeof(mixed) - 1;
	while (*p) {
		const char *name;
		size_t n = 0;
		bool quoted, is_boundary;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != ';')
			return -1;
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		name = p;
		while (*p && *p != '=' && *p != ';')
			p++;
		if (*p != '=')
			return -1;
		is_boundary =
			p - name == 8 && !strncasecmp(name, "boundary", 8);
		p++;
		quoted = *p == '"';
		p += quoted;
		if (is_boundary) {
			for (; p[n] && (quoted ? p[n] != '"' : bchar(p[n]));
			     n++)
				if (n == GCS_BOUNDARY_MAX ||
				    (p[n] != ' ' && !bchar(p[n])))
					return -1;
			/* 1..70 characters, no space at the end */
			if (!n || (quoted && p[n] != '"') || p[n - 1] == ' ')
				return -1;
			memcpy(out, p, n);
			out[n] = '\0';
			p += n + quoted;
			continue;
		}
		/* another parameter: skipped */
		while (*p && (quoted ? *p != '"' : *p != ';'))
			p++;
		if (quoted && *p++ != '"')
			return -1;
	}
	return out[0] ? 0 : -1;
}

/* The first s[at..] == needle, or len when there is none. */
static size_t find(const char *s, size_t len, size_t at, const char *needle,
		   size_t nlen)
{
	if (nlen > len)
		return len;
	for (; at + nlen <= len; at++)
		if (s[at] == needle[0] && !memcmp(s + at, needle, nlen))
			return at;
	return len;
}

/*
 * The next delimiter line at or after at: "--boundary" at the very start
 * or after CRLF, followed by "--" (the close) or transport padding and
 * CRLF. Returns where the part after it starts (len at most), or
 * NONE; *closed tells which; *before is where the CRLF before the
 * delimiter starts.
 */
static size_t next_delimiter(const char *s, size_t len, size_t at,
			     const char *dl, size_t dlen, size_t *before,
			     bool *closed)
{
	for (;;) {
		size_t i, p;

		if (at == 0 && dlen - 2 <= len && !memcmp(s, dl + 2, dlen - 2))
			i = 0, p = dlen - 2;
		else if ((i = find(s, len, at, dl, dlen)) == len)
			return NONE;
		else
			p = i + dlen;
		*before = i;
		if (p + 2 <= len && s[p] == '-' && s[p + 1] == '-') {
			*closed = true;
			return p + 2;
		}
		while (p < len && (s[p] == ' ' || s[p] == '\t'))
			p++;
		if (p + 2 <= len && s[p] == '\r' && s[p + 1] == '\n') {
			*closed = false;
			return p + 2;
		}
		/* "--boundaryX": not a delimiter, look further */
		at = i + 1;
	}
}

/* The N of a Content-ID "<response-N>" or "response-N", 1..n; else 0. */
static size_t content_id(const char *v, size_t vlen, size_t n)
{
	size_t id = 0;

	if (vlen >= 2 && v[0] == '<' && v[vlen - 1] == '>')
		v++, vlen -= 2;
	if (vlen < 10 || strncasecmp(v, "response-", 9))
		return 0;
	v += 9, vlen -= 9;
	if (vlen > 3 || v[0] == '0')
		return 0;
	for (size_t i = 0; i < vlen; i++) {
		if (v[i] < '0' || v[i] > '9')
			return 0;
		id = id * 10 + (size_t)(v[i] - '0');
	}
	return id <= n ? id : 0;
}

/* The request a part answers, from its header block (h, hlen). */
static size_t part_id(const char *h, size_t hlen, size_t n)
{
	size_t at = 0, id = 0;

	while (at < hlen) {
		size_t eol = find(h, hlen, at, "\r\n", 2), c = at;

		while (c < eol && h[c] != ':')
			c++;
		if (c < eol && c - at == 10 &&
		    !strncasecmp(h + at, "Content-ID", 10)) {
			size_t v = c + 1, e = eol;

			while (v < e && (h[v] == ' ' || h[v] == '\t'))
				v++;
			while (e > v && (h[e - 1] == ' ' || h[e - 1] == '\t'))
				e--;
			if (id) /* two Content-IDs: which one? */
				return 0;
			if (!(id = content_id(h + v, e - v, n)))
				return 0;
		}
		at = eol + 2;
	}
	return id;
}

/*
 * The nested response (s, len): "HTTP/1.x NNN reason" CRLF, headers, a
 * blank line, the body. Fills status (0 when it is not that) and body.
 */
static void nested(struct gcs_batch_part *out, const char *s, size_t len)
{
	size_t eol = find(s, len, 0, "\r\n", 2), end;
	int st = 0;

	out->status = 0;
	if (eol < 12 || memcmp(s, "HTTP/1.", 7) || s[7] < '0' || s[7] > '9' ||
	    s[8] != ' ' || (eol > 12 && s[12] != ' '))
		return;
	for (int i = 9; i < 12; i++) {
		if (s[i] < '0' || s[i] > '9')
			return;
		st = st * 10 + s[i] - '0';
	}
	if (st < 100 || st > 599)
		return;
	if (eol == len || eol + 2 == len) {
		end = len; /* a status line and nothing else */
	} else if (s[eol + 2] == '\r' && eol + 4 <= len && s[eol + 3] == '\n') {
		end = eol + 4; /* no headers */
	} else if ((end = find(s, len, eol, "\r\n\r\n", 4)) == len) {
		return; /* headers without their end */
	} else {
		end += 4;
	}
	out->status = st;
	out->body = s + end;
	out->body_len = len - end;
}

size_t gcs_batch_parse(struct gcs_batch_part *parts, size_t n,
		       const char *boundary, const char *body, size_t len)
{
	char dl[GCS_BOUNDARY_MAX + 5];
	unsigned char seen[GCS_BATCH_MAX + 1] = {0};
	size_t blen = strlen(boundary), dlen, at, before, answered = 0;
	bool closed = false;

	if (n > GCS_BATCH_MAX)
		n = GCS_BATCH_MAX;
	for (size_t i = 0; i < n; i++)
		parts[i] = (struct gcs_batch_part){0};
	if (!blen || blen > GCS_BOUNDARY_MAX || !body)
		return 0;
	memcpy(dl, "\r\n--", 4);
	memcpy(dl + 4, boundary, blen);
	dlen = blen + 4;

	at = next_delimiter(body, len, 0, dl, dlen, &before, &closed);
	for (size_t k = 0; at != NONE && !closed && k < GCS_BATCH_PARTS_SEEN;
	     k++) {
		size_t start = at, hend, id;
		struct gcs_batch_part got;

		at = next_delimiter(body, len, start, dl, dlen, &before,
				    &closed);
		if (at == NONE)
			break; /* cut off: the part is not whole */
		/* the part is body[start .. before) */
		hend = find(body, before, start, "\r\n\r\n", 4);
		if (start + 2 <= before && body[start] == '\r' &&
		    body[start + 1] == '\n')
			continue; /* no headers, so no Content-ID */
		if (hend == before || hend - start > PART_HEADERS_MAX)
			continue;
		id = part_id(body + start, hend + 2 - start, n);
		if (!id || seen[id] == 2)
			continue;
		if (seen[id] == 1) {
			/* answered twice: believe neither */
			seen[id] = 2;
			if (parts[id - 1].status)
				answered--;
			parts[id - 1] = (struct gcs_batch_part){0};
			continue;
		}
		seen[id] = 1;
		nested(&got, body + hend + 4, before - (hend + 4));
		if (got.status) {
			parts[id - 1] = got;
			answered++;
		}
	}
	return answered;
}
