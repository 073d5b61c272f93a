/*
 * plugins/fs-s3/read.c - GetObject, resumed where a body broke off.
 *
 * The core's HTTP service never retries once a byte reached the sink
 * (it cannot take it back). A long download that loses its connection
 * mid-way is resumed here instead: the rest is asked for with
 * `Range: bytes=<next>-<end>` and `If-Match: <ETag of the first
 * response>`, so a changed object answers 412 and is never spliced onto
 * the old bytes. Each resumed answer must say (Content-Range) that it is
 * exactly the rest, from the next byte on, so the sink never sees a byte
 * twice or a gap. Attempts are bounded; without an ETag there is no resuming.
 */
#include "s3.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Resumed requests after the first, at most. */
#define RESUME_MAX 3

struct get {
	struct s3 *s;
	const wsp_call *call; /* checked after each chunk the sink takes */
	int expired;	      /* its code, once it stopped the body */
	wsp_sink_fn sink;
	void *payload;
	uint64_t delivered; /* to the caller's sink, over every attempt */
	uint64_t attempt_bytes;
	uint64_t start; /* where this attempt's body must begin */
	uint64_t last;	/* the caller's last byte, UINT64_MAX: the end */
	bool resuming;
	bool checked; /* this attempt's Content-Range was looked at */
	int refused;  /* the sink failed, or the answer did not fit */
	char etag[WSP_FS_VERSION_MAX];
	char content_range[128];
};

static int on_get_header(const char *name, const char *value, void *p)
{
	struct get *g = p;

	if (!strcasecmp(name, "ETag") && !g->resuming && s3_etag_ok(value))
		snprintf(g->etag, sizeof(g->etag), "%s", value);
	else if (!strcasecmp(name, "Content-Range"))
		snprintf(g->content_range, sizeof(g->content_range), "%s",
			 value);
	return 0;
}

/*
 * A resumed body must be exactly the rest that was asked for: "bytes
 * <start>-<last>/<size>", last being the caller's last byte or the
 * object's.
 */
static bool is_the_rest(const char *content_range, uint64_t start,
			uint64_t last)
{
	uint64_t a, b, size;

	if (s3_parse_content_range(&a, &b, &size, content_range))
		return false;
	return a == start && b == (last < size ? last : size - 1);
}

static int on_get_body(const void *data, size_t len, void *p)
{
	struct get *g = p;
	int rc;

	if (g->resuming && !g->checked) {
		g->checked = true;
		if (!is_the_rest(g->content_range, g->start, g->last)) {
			g->refused = WSP_EPROTO;
			return WSP_EPROTO;
		}
	}
	rc = g->sink(data, len, g->payload);
	if (rc) {
		g->refused = rc;
		return rc;
	}
	g->delivered += len;
	g->attempt_bytes += len;
	/* The sink may have fired the token: stop here, not at the end. */
	rc = s3_expired(g->s, g->call, NULL, "read", "");
	if (rc) {
		g->expired = g->refused = rc;
		return rc;
	}
	return 0;
}

/* Whether a failed attempt may be continued by another. */
static bool resumable(const struct get *g, int rc, int attempt)
{
	return !g->refused && rc != WSP_ECANCELED && rc != WSP_ENOMEM &&
	       g->attempt_bytes && g->etag[0] && attempt < RESUME_MAX;
}

static int answer(const wsp_http_response *resp, const struct get *g,
		  int attempt, const char *path, wsp_error *err)
{
	int st = resp->status;

	if (attempt && st == 412)
		return wsp_error_set(err, WSP_ESTALE,
				     "cannot read '%s': it changed while it "
				     "was read (no longer ETag %s); read it "
				     "again",
				     path, g->etag);
	if (attempt && (st == 200 || st == 206) && !g->checked)
		/* bytes were missing: an answer without them is no end */
		return wsp_error_set(err, WSP_EPROTO,
				     "cannot read '%s': the resumed answer "
				     "(HTTP %d) has none of the missing bytes",
				     path, st);
	if (st == 200 || st == 206 || (!attempt && st == 416))
		return 0; /* 416: the range starts past the end: no bytes */
	if (!attempt && st == 404) {
		/* the caller decides what it means; S3's word is kept */
		wsp_error_set(err, WSP_ENOTFOUND, "cannot read '%s': no such "
			      "object", path);
		wsp_http_error_detail(err, resp);
		return 1;
	}
	return s3_fail(resp, "read", path, err);
}

int s3_get(struct s3 *s, const char *key, const char *path, uint64_t off,
	   uint64_t len, const wsp_call *call, wsp_sink_fn sink, void *payload,
	   wsp_error *err)
{
	/* the last byte wanted, UINT64_MAX = to the end */
	uint64_t last = len == UINT64_MAX || off + len < off ? UINT64_MAX
							     : off + len - 1;
	struct get g = {.s = s,
			.call = call,
			.sink = sink,
			.payload = payload,
			.last = last};
	char range[64];
	wsp_http_header h[2];
	wsp_http_response resp;
	wsp_error e = {0};

	for (int attempt = 0;; attempt++) {
		uint64_t from = off + g.delivered;
		struct s3_req r = {
			.method = "GET",
			.key = key,
			.headers = h,
			.sink = on_get_body,
			.sink_payload = &g,
			.on_header = on_get_header,
			.header_payload = &g,
			.flags = WSP_HTTP_NO_ERROR_MAP,
			.call = call,
		};
		int rc;

		if (from || last != UINT64_MAX) {
			if (last == UINT64_MAX)
				snprintf(range, sizeof(range),
					 "bytes=%" PRIu64 "-", from);
			else
				snprintf(range, sizeof(range),
					 "bytes=%" PRIu64 "-%" PRIu64, from,
					 last);
			h[r.n_headers++] = (wsp_http_header){"Range", range};
		}
		if (attempt)
			h[r.n_headers++] =
				(wsp_http_header){"If-Match", g.etag};
		g.resuming = attempt > 0;
		g.checked = false;
		g.start = from;
		g.attempt_bytes = 0;
		g.content_range[0] = '\0';
		rc = s3_request(&resp, s, &r, &e);
		if (!rc) {
			rc = answer(&resp, &g, attempt, path, err);
			s3_release(s, &resp);
			return rc;
		}
		if (g.expired)
			return s3_expired(s, call, err, "read", path);
		if (g.refused == WSP_EPROTO)
			return wsp_error_set(err, WSP_EPROTO,
					     "cannot read '%s': the resumed "
					     "answer is not the rest from "
					     "byte %" PRIu64
					     " (Content-Range '%s')",
					     path, from, g.content_range);
		if (!resumable(&g, rc, attempt)) {
			if (attempt && rc != WSP_ECANCELED && !g.refused)
				return wsp_error_set(err, rc,
						     "cannot read '%s': gave "
						     "up after %d broken "
						     "answers; last: %s",
						     path, attempt + 1,
						     e.message);
			if (err)
				*err = e;
			return rc;
		}
		s->host->log(s->host, WSP_LOG_DEBUG,
			     "fs-s3: resuming '%s' at byte %" PRIu64 ": %s",
			     path, off + g.delivered, e.message);
	}
}
