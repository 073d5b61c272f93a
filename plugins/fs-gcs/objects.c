/*
 * plugins/fs-gcs/objects.c - the object calls the file system operations
 * are made of.
 *
 * Checksums: every upload sends its CRC-32C and compares the one GCS
 * answers (a mismatch deletes what was made, under a precondition on its
 * generation, and fails: the SDK does the same); a whole-object read
 * compares the bytes against X-Goog-Hash. Reads that break off resume
 * from the last byte delivered, pinned to the generation first seen, so
 * a concurrent overwrite is noticed (WSP_ESTALE) instead of splicing two
 * versions.
 */
#include "gcs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DOWNLOAD_ATTEMPTS 5

int gcs_stat_object(struct gcs_object *o, struct gcs *g, const char *name,
		    wsp_error *err)
{
	wsp_http_response resp = {0};
	struct gcs_req r = {.method = "GET", .object = name};
	int rc = gcs_request(&resp, g, &r, err);

	if (rc)
		return rc;
	if (resp.status == 200)
		rc = gcs_parse_object(o, resp.body, resp.body_len, err);
	else if (resp.status == 404)
		rc = 1;
	else
		rc = gcs_fail(&resp, "stat", name, err);
	gcs_release(g, &resp);
	return rc;
}

int gcs_delete_object(struct gcs *g, const char *name, int64_t if_generation,
		      wsp_error *err)
{
	wsp_http_response resp = {0};
	char q[64] = "";
	struct gcs_req r = {.method = "DELETE", .object = name, .query = q};
	int rc;

	if (if_generation > 0)
		snprintf(q, sizeof(q), "ifGenerationMatch=%lld",
			 (long long)if_generation);
	rc = gcs_request(&resp, g, &r, err);
	if (rc)
		return rc;
	if (resp.status != 204 && resp.status != 200)
		rc = gcs_fail(&resp, "delete", name, err);
	gcs_release(g, &resp);
	return rc;
}

/* --- reads --- */

struct dl {
	wsp_sink_fn sink;
	void *payload;
	uint64_t delivered;
	int sink_rc;
	uint32_t crc;
	int64_t generation; /* from X-Goog-Generation */
	bool has_hash;
	uint32_t server_crc;
};

static int dl_header(const char *name, const char *value, void *payload)
{
	struct dl *d = payload;

	if (!strcasecmp(name, "X-Goog-Generation")) {
		uint64_t v;

		if (!gcs_parse_u64(&v, value) && v && v <= INT64_MAX &&
		    !d->generation)
			d->generation = (int64_t)v;
	} else if (!strcasecmp(name, "X-Goog-Hash")) {
		/* "crc32c=AAAAAA==,md5=..." (one header or several) */
		for (const char *p = value; p && *p;) {
			while (*p == ' ' || *p == ',')
				p++;
			if (!strncmp(p, "crc32c=", 7)) {
				char b[9];
				size_t n = strcspn(p + 7, ", ");

				if (n == 8) {
					memcpy(b, p + 7, 8);
					b[8] = '\0';
					if (!gcs_crc32c_from_b64(&d->server_crc,
								 b))
						d->has_hash = true;
				}
			}
			p = strchr(p, ',');
		}
	}
	return 0;
}

static int dl_sink(const void *data, size_t len, void *payload)
{
	struct dl *d = payload;
	int rc = d->sink(data, len, d->payload);

	if (rc) {
		d->sink_rc = rc;
		return rc;
	}
	d->crc = gcs_crc32c(d->crc, data, len);
	d->delivered += len;
	return 0;
}

int gcs_download(struct gcs *g, const char *name, uint64_t off, uint64_t len,
		 wsp_sink_fn sink, void *payload, wsp_error *err)
{
	struct dl d = {.sink = sink, .payload = payload};
	bool whole = off == 0 && len == UINT64_MAX;
	int rc = 0;

	if (len == 0)
		return 0;
	for (int attempt = 0; attempt < DOWNLOAD_ATTEMPTS; attempt++) {
		wsp_http_response resp = {0};
		char q[64], range[64];
		wsp_http_header h[1];
		uint64_t start = off + d.delivered;
		uint64_t before = d.delivered;
		struct gcs_req r = {
			.method = "GET",
			.object = name,
			.query = q,
			.headers = h,
			.sink = dl_sink,
			.sink_payload = &d,
			.on_header = dl_header,
			.header_payload = &d,
		};

		if (d.generation)
			snprintf(q, sizeof(q), "alt=media&generation=%lld",
				 (long long)d.generation);
		else
			snprintf(q, sizeof(q), "alt=media");
		if (start || len != UINT64_MAX) {
			if (len == UINT64_MAX || off + len < off)
				snprintf(range, sizeof(range), "bytes=%llu-",
					 (unsigned long long)start);
			else
				snprintf(range, sizeof(range),
					 "bytes=%llu-%llu",
					 (unsigned long long)start,
					 (unsigned long long)(off + len - 1));
			h[0] = (wsp_http_header){"Range", range};
			r.n_headers = 1;
		}
		/* a resumed read keeps the first answer's hash */
		rc = gcs_request(&resp, g, &r, err);
		if (d.sink_rc)
			return d.sink_rc;
		if (rc && gcs_expired(g, "read", name, NULL))
			return rc; /* the call ended the transfer */
		if (rc) {
			/* the body broke off: go on from where it stopped,
			 * if it got anywhere (the core already retried a
			 * request that got nothing) */
			if (d.delivered > before || attempt == 0)
				continue;
			return rc;
		}
		if (resp.status == 200 || resp.status == 206) {
			if (resp.status == 200 && start) {
				rc = wsp_error_set(err, WSP_EPROTO,
						   "GCS ignored the Range of a "
						   "read of '%s'",
						   name);
			} else if (whole && d.has_hash &&
				   d.crc != d.server_crc) {
				rc = wsp_error_set(err, WSP_EIO,
						   "the bytes read of '%s' do "
						   "not match its CRC-32C "
						   "(%08x, GCS says %08x)",
						   name, d.crc, d.server_crc);
			}
		} else if (resp.status == 416) {
			rc = 0; /* the range starts past the end */
		} else if (resp.status == 404 && d.generation) {
			rc = wsp_error_set(err, WSP_ESTALE,
					   "'%s' changed while it was read",
					   name);
		} else {
			rc = gcs_fail(&resp, "read", name, err);
		}
		gcs_release(g, &resp);
		return rc;
	}
	return rc;
}

/* --- uploads --- */

static int precondition_fail(const wsp_http_response *resp,
			     int64_t if_generation_match, const char *path,
			     wsp_error *err)
{
	int rc = gcs_fail(resp, "write", path, err);

	if (resp->status == 412 && if_generation_match == 0) {
		char p[256];

		gcs_printable(p, sizeof(p), path, strlen(path));
		rc = wsp_error_set(err, WSP_EEXIST, "'%s' already exists", p);
		if (err)
			err->http_status = 412;
	}
	return rc;
}

/* Compare what GCS made with what was sent; undo it on a mismatch (both
 * upload kinds check alike, so resumable.c calls this too). */
int gcs_check_made(struct gcs *g, const struct gcs_object *o,
		   const char *name, uint64_t size, uint32_t crc,
		   wsp_error *err)
{
	if (o->has_crc32c && o->crc32c == crc && o->size == size &&
	    !strcmp(o->name, name))
		return 0;
	gcs_delete_object(g, name, o->generation, NULL);
	return wsp_error_set(err, WSP_EIO,
			     "GCS answered a different object for '%s' than "
			     "was sent (CRC-32C %08x, size %llu; sent %08x, "
			     "%llu bytes): removed",
			     name, o->has_crc32c ? o->crc32c : 0,
			     (unsigned long long)o->size, crc,
			     (unsigned long long)size);
}

static void precondition_query(char *q, size_t cap, const char *type,
			       int64_t if_generation_match)
{
	if (if_generation_match >= 0)
		snprintf(q, cap, "uploadType=%s&ifGenerationMatch=%lld", type,
			 (long long)if_generation_match);
	else
		snprintf(q, cap, "uploadType=%s", type);
}

int gcs_upload_multipart(struct gcs_object *out, struct gcs *g,
			 const char *name, const void *data, size_t len,
			 const char *mime, int64_t if_generation_match,
			 wsp_error *err)
{
	uint32_t crc = gcs_crc32c(0, data, len);
	char b64[9], boundary[64], ctype[96], q[96];
	char *meta = NULL, *body = NULL;
	size_t body_len;
	wsp_http_response resp = {0};
	wsp_http_header h[1];
	int rc;

	gcs_crc32c_b64(b64, crc);
	/* a boundary the data does not contain */
	for (unsigned i = 0;; i++) {
		snprintf(boundary, sizeof(boundary), "wsp-gcs-%08x-%u", crc, i);
		if (!len || !memmem(data, len, boundary, strlen(boundary)))
			break;
	}
	{
		/* name and type as JSON strings (escaped by cJSON's rules) */
		char *en = NULL, *et = NULL;

		en = gcs_json_string(name);
		et = gcs_json_string(mime ? mime : "application/octet-stream");
		if (!en || !et || asprintf(&meta,
					   "{\"name\":%s,\"contentType\":%s,"
					   "\"crc32c\":\"%s\"}",
					   en, et, b64) < 0)
			meta = NULL;
		free(en);
		free(et);
		if (!meta)
			return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	{
		char *head = NULL, tail[96];
		int hl = asprintf(&head,
				  "--%s\r\nContent-Type: application/json; "
				  "charset=UTF-8\r\n\r\n%s\r\n--%s\r\n"
				  "Content-Type: %s\r\n\r\n",
				  boundary, meta, boundary,
				  mime ? mime : "application/octet-stream");
		int tl = snprintf(tail, sizeof(tail), "\r\n--%s--\r\n",
				  boundary);

		body = hl < 0 ? NULL : malloc((size_t)hl + len + (size_t)tl);
		if (!body) {
			if (hl >= 0)
				free(head);
			free(meta);
			return wsp_error_set(err, WSP_ENOMEM, "out of memory");
		}
		memcpy(body, head, (size_t)hl);
		if (len)
			memcpy(body + hl, data, len);
		memcpy(body + (size_t)hl + len, tail, (size_t)tl);
		body_len = (size_t)hl + len + (size_t)tl;
		free(head);
	}
	free(meta);
	snprintf(ctype, sizeof(ctype), "multipart/related; boundary=%s",
		 boundary);
	h[0] = (wsp_http_header){"Content-Type", ctype};
	precondition_query(q, sizeof(q), "multipart", if_generation_match);
	{
		struct gcs_req r = {
			.method = "POST",
			.upload = true,
			.query = q,
			.headers = h,
			.n_headers = 1,
			.body = body,
			.body_len = body_len,
			/* the same bytes again make the same object; with a
			 * precondition a repeat is refused, not doubled */
			.flags = WSP_HTTP_IDEMPOTENT,
		};

		rc = gcs_request(&resp, g, &r, err);
	}
	free(body);
	if (rc)
		return rc;
	if (resp.status == 200) {
		rc = gcs_parse_object(out, resp.body, resp.body_len, err);
		if (!rc)
			rc = gcs_check_made(g, out, name, len, crc, err);
	} else {
		rc = precondition_fail(&resp, if_generation_match, name, err);
	}
	gcs_release(g, &resp);
	return rc;
}

/* --- listing --- */

int gcs_list_walk(struct gcs *g, const char *name_prefix, bool delimit,
		  uint32_t page_size, gcs_list_fn fn, void *payload,
		  wsp_error *err)
{
	char *token = NULL, *ep = gcs_encode(name_prefix ? name_prefix : "");
	int rc = 0;

	if (!ep)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	for (;;) {
		wsp_http_response resp = {0};
		char *q = NULL, *et = NULL;
		char *next = NULL;

		rc = gcs_expired(g, "list", name_prefix, err);
		if (rc)
			break;
		et = token ? gcs_encode(token) : NULL;

		if ((token && !et) ||
		    asprintf(&q, "prefix=%s%s&maxResults=%u%s%s", ep,
			     delimit ? "&delimiter=%2F" : "",
			     page_size	    ? page_size
			     : g->page_size ? g->page_size
					    : 1000,
			     et ? "&pageToken=" : "", et ? et : "") < 0) {
			free(et);
			rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
			break;
		}
		free(et);
		struct gcs_req r = {.method = "GET", .query = q};

		rc = gcs_request(&resp, g, &r, err);
		free(q);
		if (rc)
			break;
		if (resp.status == 200)
			rc = gcs_parse_list(resp.body, resp.body_len, fn,
					    payload, &next, err);
		else
			rc = gcs_fail(&resp, "list", name_prefix, err);
		gcs_release(g, &resp);
		if (!rc && next && token && !strcmp(next, token))
			rc = wsp_error_set(err, WSP_EPROTO,
					   "GCS answered the same page token "
					   "twice");
		free(token);
		token = next;
		if (rc || !token)
			break;
	}
	free(token);
	free(ep);
	return rc;
}

/* --- copies --- */

int gcs_rewrite(struct gcs_object *out, struct gcs *g, const char *src,
		const char *dst, int64_t if_generation_match, wsp_error *err)
{
	char *suffix = NULL, *eb = gcs_encode(g->bucket), *ed = gcs_encode(dst);
	char *token = NULL;
	wsp_http_header h[1] = {{"Content-Type", "application/json"}};
	int rc = 0;

	if (!eb || !ed || asprintf(&suffix, "/rewriteTo/b/%s/o/%s", eb, ed) < 0) {
		free(eb);
		free(ed);
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	free(eb);
	free(ed);
	for (unsigned calls = 0;; calls++) {
		wsp_http_response resp = {0};
		struct gcs_rewrite rw;
		char *q = NULL, *et = token ? gcs_encode(token) : NULL;

		rc = gcs_expired(g, "copy", src, err);
		if (rc)
			break;
		if (calls >= 100000) {
			rc = wsp_error_set(err, WSP_EPROTO,
					   "the copy of '%s' did not finish",
					   src);
			break;
		}
		if ((token && !et) ||
		    asprintf(&q, "%s%s", et ? "rewriteToken=" : "",
			     et ? et : "") < 0) {
			free(et);
			rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
			break;
		}
		free(et);
		if (if_generation_match >= 0) {
			char *q2 = NULL;

			if (asprintf(&q2, "%s%sifGenerationMatch=%lld", q,
				     *q ? "&" : "",
				     (long long)if_generation_match) < 0) {
				free(q);
				rc = wsp_error_set(err, WSP_ENOMEM,
						   "out of memory");
				break;
			}
			free(q);
			q = q2;
		}
		struct gcs_req r = {
			.method = "POST",
			.object = src,
			.suffix = suffix,
			.query = q,
			.headers = h,
			.n_headers = 1,
			.body = "{}",
			.body_len = 2,
			.flags = WSP_HTTP_IDEMPOTENT,
		};

		rc = gcs_request(&resp, g, &r, err);
		free(q);
		if (rc)
			break;
		if (resp.status == 200) {
			rc = gcs_parse_rewrite(&rw, resp.body, resp.body_len,
					       err);
		} else {
			rc = resp.status == 412
				     ? precondition_fail(&resp,
							 if_generation_match,
							 dst, err)
				     : gcs_fail(&resp, "copy", src, err);
		}
		gcs_release(g, &resp);
		if (rc)
			break;
		free(token);
		token = NULL;
		if (rw.done) {
			*out = rw.resource;
			break;
		}
		token = rw.token; /* sent back on the next call */
	}
	free(token);
	free(suffix);
	return rc;
}
