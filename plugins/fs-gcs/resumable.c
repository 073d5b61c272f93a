/*
 * plugins/fs-gcs/resumable.c - resumable uploads: large or streamed
 * writes in chunks, each confirmed by the server before the next is read.
 *
 * One chunk is held in memory (chunk_size bytes), so a chunk that broke
 * off is sent again from what the server says it stored (its Range), not
 * from the start of the object. Chunk PUTs are not retried by the core
 * (NO_RETRY): a failed or transiently refused one is followed here by a
 * status query (an empty PUT whose Content-Range has '*' for both range
 * and size) and the rest is resent; a session that makes no progress for
 * a few rounds is cancelled. The CRC-32C of everything read goes in
 * X-Goog-Hash on the last PUT (GCS checks it before the object becomes
 * live) and is compared with the answer.
 *
 * The session URL comes from the server's Location header; it must be on
 * the endpoint's own origin, so a hostile answer cannot send the data
 * elsewhere.
 */
#include "gcs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define STALLED_ROUNDS 5

struct session {
	char *url;
	int64_t stored; /* bytes the server has, -1 unknown */
};

static int on_location(const char *name, const char *value, void *payload)
{
	char **url = payload;

	if (!strcasecmp(name, "Location") && !*url)
		*url = strdup(value);
	return 0;
}

/* "bytes=0-N" -> N + 1; no header means nothing stored */
static int on_range(const char *name, const char *value, void *payload)
{
	struct session *s = payload;
	uint64_t last;
	char digits[24];

	if (strcasecmp(name, "Range") || strncmp(value, "bytes=0-", 8) ||
	    strlen(value + 8) >= sizeof(digits))
		return 0;
	snprintf(digits, sizeof(digits), "%s", value + 8);
	if (!gcs_parse_u64(&last, digits) && last < INT64_MAX)
		s->stored = (int64_t)last + 1;
	return 0;
}

static bool same_origin(const char *url, const char *endpoint)
{
	size_t n = strlen(endpoint);

	return !strncmp(url, endpoint, n) && (url[n] == '/' || !url[n]);
}

static void nap(int round)
{
	struct timespec ts = {0, (long)(100000000L << (round < 4 ? round : 4))};

	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec = ts.tv_nsec / 1000000000L;
		ts.tv_nsec %= 1000000000L;
	}
	nanosleep(&ts, NULL);
}

static void cancel_session(struct gcs *g, const char *url)
{
	wsp_http_response resp = {0};
	struct gcs_req r = {.method = "DELETE", .url = url,
			    .flags = WSP_HTTP_NO_RETRY};

	if (!gcs_request(&resp, g, &r, NULL))
		gcs_release(g, &resp);
}

/*
 * PUT bytes [from, from + n) of the object (or nothing, a query, when
 * buf is NULL); total < 0 while the size is unknown. 0 with the answer's
 * status in *status (resp kept for a final 200), or < 0 when nothing was
 * answered.
 */
static int put(wsp_http_response *resp, struct gcs *g, struct session *s,
	       const char *buf, int64_t from, size_t n, int64_t total,
	       const char *hash, wsp_error *err)
{
	char range[96], tot[24];
	wsp_http_header h[2];
	size_t nh = 0;

	if (total >= 0)
		snprintf(tot, sizeof(tot), "%lld", (long long)total);
	else
		snprintf(tot, sizeof(tot), "*");
	if (!buf || !n)
		snprintf(range, sizeof(range), "bytes */%s", tot);
	else
		snprintf(range, sizeof(range), "bytes %lld-%lld/%s",
			 (long long)from, (long long)(from + (int64_t)n - 1),
			 tot);
	h[nh++] = (wsp_http_header){"Content-Range", range};
	if (hash && total >= 0)
		h[nh++] = (wsp_http_header){"X-Goog-Hash", hash};
	struct gcs_req r = {
		.method = "PUT",
		.url = s->url,
		.headers = h,
		.n_headers = nh,
		.body = buf,
		.body_len = buf ? n : 0,
		.on_header = on_range,
		.header_payload = s,
		.flags = WSP_HTTP_NO_RETRY,
	};

	s->stored = -1;
	return gcs_request(resp, g, &r, err);
}

static int initiate(struct session *s, struct gcs *g, const char *name,
		    const char *mime, int64_t if_generation_match,
		    wsp_error *err)
{
	wsp_http_response resp = {0};
	char q[96], *meta = NULL, *en = gcs_json_string(name);
	char *et = gcs_json_string(mime);
	wsp_http_header h[2] = {
		{"Content-Type", "application/json; charset=UTF-8"},
		{"X-Upload-Content-Type", mime},
	};
	int rc;

	if (if_generation_match >= 0)
		snprintf(q, sizeof(q),
			 "uploadType=resumable&ifGenerationMatch=%lld",
			 (long long)if_generation_match);
	else
		snprintf(q, sizeof(q), "uploadType=resumable");
	if (!en || !et ||
	    asprintf(&meta, "{\"name\":%s,\"contentType\":%s}", en, et) < 0)
		meta = NULL;
	free(en);
	free(et);
	if (!meta)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	struct gcs_req r = {
		.method = "POST",
		.upload = true,
		.query = q,
		.headers = h,
		.n_headers = 2,
		.body = meta,
		.body_len = strlen(meta),
		.on_header = on_location,
		.header_payload = &s->url,
		/* starting a session twice leaves one unused: harmless */
		.flags = WSP_HTTP_IDEMPOTENT,
	};

	rc = gcs_request(&resp, g, &r, err);
	free(meta);
	if (rc)
		return rc;
	if (resp.status != 200) {
		rc = gcs_fail(&resp, "write", name, err);
		if (resp.status == 412 && if_generation_match == 0) {
			char p[256];

			gcs_printable(p, sizeof(p), name, strlen(name));
			rc = wsp_error_set(err, WSP_EEXIST,
					   "'%s' already exists", p);
		}
	} else if (!s->url || !same_origin(s->url, g->endpoint)) {
		rc = wsp_error_set(err, WSP_EPROTO,
				   "GCS started an upload of '%s' without a "
				   "session URL on %s",
				   name, g->endpoint);
	}
	gcs_release(g, &resp);
	return rc;
}

int gcs_fill(size_t *got, char *buf, size_t cap, wsp_source_fn src,
	     void *payload)
{
	*got = 0;
	while (*got < cap) {
		size_t n = 0;
		int rc = src(buf + *got, cap - *got, &n, payload);

		if (rc)
			return rc;
		if (!n)
			break;
		*got += n;
	}
	return 0;
}

/* 1 = finished (out filled), 0 = *stored set, < 0 = refused (err). */
static int outcome(struct gcs_object *out, int64_t *stored, struct gcs *g,
		   struct session *s, wsp_http_response *resp, const char *name,
		   int64_t if_generation_match, wsp_error *err)
{
	int rc;

	if (resp->status == 200 || resp->status == 201) {
		rc = gcs_parse_object(out, resp->body, resp->body_len, err);
		rc = rc ? rc : 1;
	} else if (resp->status == 308) {
		*stored = s->stored < 0 ? 0 : s->stored; /* no Range: none */
		rc = 0;
	} else if (resp->status == 412 && if_generation_match == 0) {
		char p[256];

		gcs_printable(p, sizeof(p), name, strlen(name));
		rc = wsp_error_set(err, WSP_EEXIST, "'%s' already exists", p);
	} else {
		rc = gcs_fail(resp, "write", name, err);
	}
	gcs_release(g, resp);
	return rc;
}

int gcs_upload_resumable(struct gcs_object *out, struct gcs *g,
			 const char *name, wsp_source_fn src, void *payload,
			 const char *mime, int64_t if_generation_match,
			 wsp_error *err)
{
	size_t cap = g->chunk_size ? (size_t)g->chunk_size : 8u << 20;
	struct session s = {NULL, -1};
	char *buf = malloc(cap), hash[20] = "";
	int64_t base = 0, total = -1; /* object offset of buf[0] */
	uint32_t crc = 0;
	int rc;

	if (!buf)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	if (!mime)
		mime = "application/octet-stream";
	rc = initiate(&s, g, name, mime, if_generation_match, err);
	while (!rc) {
		size_t n, off = 0; /* buf[off..n) is not stored yet */
		int stalled = 0;

		rc = gcs_fill(&n, buf, cap, src, payload);
		if (!rc)
			rc = gcs_expired(g, "write", name, err);
		if (rc)
			break;
		crc = gcs_crc32c(crc, buf, n);
		if (n < cap) { /* the source ended: this is the last chunk */
			char b64[9];

			total = base + (int64_t)n;
			gcs_crc32c_b64(b64, crc);
			snprintf(hash, sizeof(hash), "crc32c=%s", b64);
		}
		for (;;) {
			wsp_http_response resp = {0};
			int64_t stored = -1;
			int prc = put(&resp, g, &s, buf + off,
				      base + (int64_t)off, n - off, total,
				      hash, err);

			if (prc && gcs_expired(g, "write", name, NULL)) {
				rc = prc; /* the call ended it: no retry */
				goto fail;
			}
			if (!prc && resp.status != 429 && resp.status < 500) {
				rc = outcome(out, &stored, g, &s, &resp, name,
					     if_generation_match, err);
			} else {
				/* broke off, or a transient answer: ask the
				 * server what it has */
				if (!prc)
					gcs_release(g, &resp);
				nap(stalled);
				prc = put(&resp, g, &s, NULL, 0, 0, total,
					  hash, err);
				if (!prc && resp.status != 429 &&
				    resp.status < 500) {
					rc = outcome(out, &stored, g, &s,
						     &resp, name,
						     if_generation_match, err);
				} else if (!prc || prc == WSP_EUNAVAIL ||
					   prc == WSP_EIO ||
					   prc == WSP_ETIMEDOUT ||
					   prc == WSP_EPROTO) {
					/* no news: the same place again,
					 * counted as a round without
					 * progress */
					if (!prc)
						gcs_release(g, &resp);
					stored = base + (int64_t)off;
					rc = 0;
				} else {
					rc = prc;
				}
			}
			if (rc == 1)
				goto done;
			if (rc)
				goto fail;
			if (stored < base || stored > base + (int64_t)n) {
				rc = wsp_error_set(err, WSP_EPROTO,
						   "GCS says it stored %lld "
						   "bytes of '%s' while %lld "
						   "to %lld were sent",
						   (long long)stored, name,
						   (long long)base,
						   (long long)(base + (int64_t)n));
				goto fail;
			}
			if (stored > base + (int64_t)off)
				stalled = 0;
			else if (++stalled >= STALLED_ROUNDS) {
				rc = wsp_error_set(err, WSP_EUNAVAIL,
						   "the upload of '%s' makes "
						   "no progress",
						   name);
				goto fail;
			}
			off = (size_t)(stored - base);
			if (off == n && total < 0)
				break; /* the chunk is stored: read on */
		}
		base += (int64_t)n;
	}
fail:
	if (s.url)
		cancel_session(g, s.url);
	free(s.url);
	free(buf);
	return rc;
done:
	free(s.url);
	free(buf);
	/* compare what GCS made with what was read; one that finished
	 * before the last chunk told the total (-1) fails it too */
	return gcs_check_made(g, out, name, (uint64_t)total, crc, err);
}
