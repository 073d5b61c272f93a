/*
 * plugins/fs-gcs/batch.c - object deletes in batches of up to 100, one
 * HTTP request each, through the JSON API's batch endpoint
 * (POST /batch/storage/v1, multipart/mixed; see batchparse.c for the
 * answer).
 *
 * Every nested delete carries the listed generation (ifGenerationMatch),
 * so sending a whole batch again is safe: the core may retry it like any
 * idempotent request. What a batch leaves unsure (a part answered 429 or
 * 5xx, or missing, or garbled) is deleted singly, where the core's
 * backoff applies; nothing is counted removed that was not answered
 * 2xx or 404. Servers without the endpoint (emulators answer 404 or 501)
 * get single deletes from then on.
 */
#include "gcs.h"

#include <openssl/rand.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int gcs_batch_delete_body(char **out, size_t *len, const struct gcs *g,
			  const char *boundary, const char *const *names,
			  const int64_t *gens, size_t n)
{
	char *eb = gcs_encode(g->bucket);
	char *ep = g->project_id ? gcs_encode(g->project_id) : NULL;
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	int bad = !eb || (g->project_id && !ep) || !f;

	for (size_t i = 0; i < n && !bad; i++) {
		char *eo = gcs_encode(names[i]);
		char q[64] = "";

		if (!eo) {
			bad = 1;
			break;
		}
		if (gens[i] > 0)
			snprintf(q, sizeof(q), "?ifGenerationMatch=%lld",
				 (long long)gens[i]);
		/* the part's headers, a blank line, the nested request: its
		 * line and the blank line that ends its (no) headers */
		fprintf(f,
			"--%s\r\nContent-Type: application/http\r\n"
			"Content-Transfer-Encoding: binary\r\n"
			"Content-ID: <%zu>\r\n\r\n"
			"DELETE /storage/v1/b/%s/o/%s%s%s%s HTTP/1.1\r\n\r\n",
			boundary, i + 1, eb, eo, q,
			ep ? (q[0] ? "&userProject=" : "?userProject=") : "",
			ep ? ep : "");
		free(eo);
	}
	if (f) {
		if (!bad)
			fprintf(f, "--%s--\r\n", boundary);
		bad |= ferror(f) != 0;
		bad |= fclose(f) != 0;
	}
	free(eb);
	free(ep);
	if (bad) {
		free(buf);
		return WSP_ENOMEM;
	}
	*out = buf;
	*len = size;
	return 0;
}

struct ctype {
	char value[256];
};

static int on_header(const char *name, const char *value, void *payload)
{
	struct ctype *c = payload;

	if (!strcasecmp(name, "Content-Type"))
		snprintf(c->value, sizeof(c->value), "%s", value);
	return 0;
}

/* A part's answer as a response gcs_fail() can explain. */
static int part_fail(const struct gcs_batch_part *p, const char *name,
		     wsp_error *err)
{
	char body[4096];
	size_t n =
		p->body_len < sizeof(body) - 1 ? p->body_len : sizeof(body) - 1;
	wsp_http_response r = {.struct_size = sizeof(r),
			       .status = p->status,
			       .body = body,
			       .body_len = n};

	memcpy(body, p->body, n);
	body[n] = '\0';
	return gcs_fail(&r, "delete", name, err);
}

static bool retry_singly(int status)
{
	return status == 0 || status == 401 || status == 408 || status == 429 ||
	       status >= 500;
}

int gcs_delete_single(struct gcs *g, const char *name, int64_t gen,
		      wsp_error *err)
{
	int rc = gcs_expired(g, "remove", name, err);

	if (!rc)
		rc = gcs_delete_object(g, name, gen, err);
	return rc == WSP_ENOTFOUND ? 0 : rc; /* gone already */
}

/* Sends the batch: 1 = the endpoint lacks batches, 0 with resp, or < 0. */
static int send_batch(wsp_http_response *resp, struct ctype *ct, struct gcs *g,
		      const char *boundary, const char *body, size_t len,
		      const char *first, wsp_error *err)
{
	char type[GCS_BOUNDARY_MAX + 64], *url = NULL;
	wsp_http_header h[] = {{"Content-Type", type}};
	int rc;

	snprintf(type, sizeof(type), "multipart/mixed; boundary=%s", boundary);
	if (asprintf(&url, "%s/batch/storage/v1", g->endpoint) < 0)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	struct gcs_req r = {.method = "POST",
			    .url = url,
			    .headers = h,
			    .n_headers = 1,
			    .body = body,
			    .body_len = len,
			    .on_header = on_header,
			    .header_payload = ct,
			    /* every part is conditional: resending is safe */
			    .flags = WSP_HTTP_IDEMPOTENT};
	rc = gcs_request(resp, g, &r, err);
	free(url);
	if (rc)
		return rc;
	if (resp->status == 404 || resp->status == 501) {
		__atomic_store_n(&g->no_batch, true, __ATOMIC_RELAXED);
		gcs_release(g, resp);
		return 1;
	}
	if (resp->status == 401 || resp->status == 403) {
		rc = gcs_fail(resp, "remove", first, err);
		gcs_release(g, resp);
		return rc;
	}
	return 0;
}

int gcs_delete_batch(struct gcs *g, const char *const *names,
		     const int64_t *gens, size_t n, wsp_error *err)
{
	struct gcs_batch_part parts[GCS_BATCH_MAX];
	wsp_http_response resp = {0};
	struct ctype ct = {{0}};
	unsigned char rnd[12];
	char boundary[GCS_BOUNDARY_MAX + 1], bnd[GCS_BOUNDARY_MAX + 1];
	char *body = NULL;
	size_t len = 0;
	int rc;

	if (n > GCS_BATCH_MAX)
		n = GCS_BATCH_MAX;
	if (!n)
		return 0;
	/* encoded names hold no CR, so no line can start with it; random
	 * only so that no two batches look alike in a log */
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		memset(rnd, 0x5a, sizeof(rnd));
	snprintf(boundary, sizeof(boundary), "wsp_batch_");
	for (size_t i = 0; i < sizeof(rnd); i++)
		snprintf(boundary + 10 + 2 * i, 3, "%02x", rnd[i]);

	if (__atomic_load_n(&g->no_batch, __ATOMIC_RELAXED))
		return 1;
	rc = gcs_expired(g, "remove", names[0], err);
	if (!rc)
		rc = gcs_batch_delete_body(&body, &len, g, boundary, names,
					   gens, n);
	if (rc == WSP_ENOMEM)
		wsp_error_set(err, rc, "out of memory");
	if (!rc)
		rc = send_batch(&resp, &ct, g, boundary, body, len, names[0],
				err);
	free(body);
	if (rc)
		return rc; /* 1: no batches here, nothing was deleted */
	for (size_t i = 0; i < n; i++)
		parts[i] = (struct gcs_batch_part){0};
	/* an answer that is not a batch answer leaves every part unanswered */
	if (resp.status == 200 && !gcs_batch_boundary(bnd, ct.value))
		gcs_batch_parse(parts, n, bnd, resp.body, resp.body_len);
	for (size_t i = 0; i < n && !rc; i++) {
		int st = parts[i].status;

		if ((st >= 200 && st < 300) || st == 404)
			continue; /* deleted, or gone already */
		if (retry_singly(st))
			rc = gcs_delete_single(g, names[i], gens[i], err);
		else
			rc = part_fail(&parts[i], names[i], err);
	}
	gcs_release(g, &resp);
	return rc;
}
