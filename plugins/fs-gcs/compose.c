/*
 * plugins/fs-gcs/compose.c - appends by compose, and removes of a whole
 * prefix.
 *
 * An append uploads the new bytes as a temporary object beside the file
 * and composes [file at its generation, temporary] onto the file under
 * ifGenerationMatch, so binary data is never read back and re-encoded
 * (Mastra's append corrupts it that way) and a concurrent writer is
 * noticed (WSP_ESTALE) rather than overwritten. The temporary object is
 * removed whatever happens. GCS limits an object to 1024 components;
 * past that the compose is refused and the error says so.
 *
 * A prefix is removed by listing it whole (no delimiter), then deleting
 * in batches of up to 100 (batch.c), `parallelism` batches at once;
 * objects already gone count as removed. Where the endpoint has no
 * batches, `parallelism` single deletes run at once instead.
 */
#include "gcs.h"

#include <openssl/rand.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int gcs_compose(struct gcs_object *out, struct gcs *g, const char *dst,
		const char *const *src, const int64_t *src_gen, size_t n,
		const char *mime, int64_t if_generation_match, wsp_error *err)
{
	wsp_http_response resp = {0};
	wsp_http_header h[1] = {{"Content-Type", "application/json"}};
	char q[64] = "", *body = NULL, *et = NULL;
	size_t len = 0, cap = 256;
	int rc;

	if (n < 1 || n > 32)
		return wsp_error_set(err, WSP_EINVAL,
				     "a compose takes 1 to 32 sources");
	et = gcs_json_string(mime ? mime : "application/octet-stream");
	body = malloc(cap);
	if (!et || !body) {
		free(et);
		free(body);
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	len = (size_t)snprintf(body, cap,
			       "{\"destination\":{\"contentType\":%s},"
			       "\"sourceObjects\":[",
			       et);
	free(et);
	for (size_t i = 0; i < n; i++) {
		char *en = gcs_json_string(src[i]), *nb;
		size_t need = (en ? strlen(en) : 0) + 160;

		if (!en || !(nb = realloc(body, len + need))) {
			free(en);
			free(body);
			return wsp_error_set(err, WSP_ENOMEM, "out of memory");
		}
		body = nb;
		if (src_gen && src_gen[i] > 0)
			len += (size_t)sprintf(
				body + len,
				"%s{\"name\":%s,\"generation\":\"%lld\","
				"\"objectPreconditions\":{"
				"\"ifGenerationMatch\":\"%lld\"}}",
				i ? "," : "", en, (long long)src_gen[i],
				(long long)src_gen[i]);
		else
			len += (size_t)sprintf(body + len, "%s{\"name\":%s}",
					       i ? "," : "", en);
		free(en);
	}
	memcpy(body + len, "]}", 3);
	len += 2;
	if (if_generation_match >= 0)
		snprintf(q, sizeof(q), "ifGenerationMatch=%lld",
			 (long long)if_generation_match);
	struct gcs_req r = {
		.method = "POST",
		.object = dst,
		.suffix = "/compose",
		.query = q,
		.headers = h,
		.n_headers = 1,
		.body = body,
		.body_len = len,
		/* sources pinned by generation, destination by precondition:
		 * a repeat is refused rather than doubled */
		.flags = if_generation_match >= 0 ? WSP_HTTP_IDEMPOTENT : 0,
	};

	rc = gcs_request(&resp, g, &r, err);
	free(body);
	if (rc)
		return rc;
	if (resp.status == 200)
		rc = gcs_parse_object(out, resp.body, resp.body_len, err);
	else
		rc = gcs_fail(&resp, "append to", dst, err);
	gcs_release(g, &resp);
	return rc;
}

int gcs_append(struct gcs_object *out, struct gcs *g, const char *name,
	       const void *data, size_t len, const char *mime, wsp_error *err)
{
	struct gcs_object cur, part;
	unsigned char rnd[8];
	char *tmp = NULL;
	int rc;

	rc = gcs_stat_object(&cur, g, name, err);
	if (rc == 1) /* nothing yet: the append creates it, only if still so */
		return gcs_upload_multipart(out, g, name, data, len, mime, 0,
					    err);
	if (rc)
		return rc;
	if (!len) {
		*out = cur;
		return 0;
	}
	if (RAND_bytes(rnd, sizeof(rnd)) != 1 ||
	    asprintf(&tmp, "%s.wsp-append-%02x%02x%02x%02x%02x%02x%02x%02x",
		     name, rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5],
		     rnd[6], rnd[7]) < 0)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	if (strlen(tmp) > GCS_NAME_MAX) {
		free(tmp);
		return wsp_error_set(err, WSP_ETOOBIG,
				     "'%s' is too long a name to append to",
				     name);
	}
	rc = gcs_upload_multipart(&part, g, tmp, data, len, mime, 0, err);
	if (!rc) {
		const char *src[2] = {name, tmp};
		int64_t gen[2] = {cur.generation, part.generation};

		rc = gcs_compose(out, g, name, src, gen, 2,
				 cur.content_type[0] ? cur.content_type : mime,
				 cur.generation, err);
		gcs_delete_object(g, tmp, part.generation, NULL);
		if (!rc && out->size != cur.size + len)
			rc = wsp_error_set(err, WSP_EPROTO,
					   "GCS composed %llu bytes for '%s', "
					   "not %llu",
					   (unsigned long long)out->size, name,
					   (unsigned long long)(cur.size + len));
		if (rc == WSP_ESTALE && err && err->http_status == 412)
			wsp_error_set(err, WSP_ESTALE,
				      "'%s' changed while it was appended to",
				      name);
	}
	free(tmp);
	return rc;
}

/* --- removing a prefix --- */

struct page {
	char **names;
	int64_t *gens;
	size_t n, cap;
};

static int collect(const struct gcs_object *o, const char *prefix,
		   void *payload)
{
	struct page *p = payload;

	(void)prefix;
	if (!o)
		return 0;
	if (p->n == p->cap) {
		size_t nc = p->cap ? 2 * p->cap : 64;
		char **nn = realloc(p->names, nc * sizeof(*nn));
		int64_t *ng;

		if (!nn)
			return WSP_ENOMEM;
		p->names = nn;
		ng = realloc(p->gens, nc * sizeof(*ng));
		if (!ng)
			return WSP_ENOMEM;
		p->gens = ng;
		p->cap = nc;
	}
	if (!(p->names[p->n] = strdup(o->name)))
		return WSP_ENOMEM;
	p->gens[p->n++] = o->generation;
	return 0;
}

struct deleter {
	struct gcs *g;
	const wsp_call *call; /* the slot's, entered by every worker */
	struct page *p;
	pthread_mutex_t lock;
	size_t next;
	int rc;
	wsp_error err;
};

static void *delete_worker(void *arg)
{
	struct deleter *d = arg;
	const wsp_call *prev = gcs_call_enter(d->call);

	for (;;) {
		const char *const *names;
		size_t i, k;
		wsp_error e = {0};
		int rc;

		/* a batch's worth, or one when the endpoint has no batches */
		k = __atomic_load_n(&d->g->no_batch, __ATOMIC_RELAXED)
			    ? 1
			    : GCS_BATCH_MAX;
		pthread_mutex_lock(&d->lock);
		i = d->next;
		if (d->rc)
			i = d->p->n;
		if (i < d->p->n && k > d->p->n - i)
			k = d->p->n - i;
		d->next = i < d->p->n ? i + k : i;
		pthread_mutex_unlock(&d->lock);
		if (i >= d->p->n) {
			gcs_call_enter(prev);
			return NULL;
		}
		/* only the generations that were listed: a newer object of
		 * the same name written meanwhile is not removed */
		names = (const char *const *)d->p->names + i;
		rc = k > 1 ? gcs_delete_batch(d->g, names, d->p->gens + i, k,
					      &e)
			   : 1;
		/* singly: one object, or a batch the endpoint did not take
		 * (gcs_delete_prefix's first batch finds that out alone) */
		if (rc == 1) {
			rc = 0;
			for (size_t j = i; !rc && j < i + k; j++)
				rc = gcs_delete_single(d->g, d->p->names[j],
						       d->p->gens[j], &e);
		}
		if (rc) {
			pthread_mutex_lock(&d->lock);
			if (!d->rc) {
				d->rc = rc;
				d->err = e;
			}
			pthread_mutex_unlock(&d->lock);
		}
	}
}

int gcs_delete_prefix(struct gcs *g, const char *name_prefix, size_t *removed,
		      wsp_error *err)
{
	struct page p = {0};
	struct deleter d = {.g = g, .call = gcs_call(), .p = &p};
	pthread_t t[64];
	size_t nt = g->parallelism ? g->parallelism : 4, started = 0;
	int rc;

	if (removed)
		*removed = 0;
	/* the whole listing first: deleting while paging would shift pages */
	rc = gcs_list_walk(g, name_prefix, false, 0, collect, &p, err);
	if (rc == WSP_ENOMEM)
		wsp_error_set(err, WSP_ENOMEM, "out of memory");
	/* the first batch goes alone: it tells whether the endpoint takes
	 * batches before the work is split up */
	if (!rc && p.n > 1) {
		size_t k = p.n < GCS_BATCH_MAX ? p.n : GCS_BATCH_MAX;

		rc = gcs_delete_batch(g, (const char *const *)p.names, p.gens,
				      k, err);
		if (!rc)
			d.next = k;
		else if (rc == 1)
			rc = 0; /* singly, below */
	}
	if (!rc && d.next < p.n) {
		size_t left = p.n - d.next;

		/* a worker per batch, or, singly, per object */
		if (!g->no_batch)
			left = (left + GCS_BATCH_MAX - 1) / GCS_BATCH_MAX;
		if (nt > 64)
			nt = 64;
		if (nt > left)
			nt = left;
		pthread_mutex_init(&d.lock, NULL);
		for (size_t i = 1; i < nt; i++)
			if (!pthread_create(&t[i], NULL, delete_worker, &d))
				started = i;
			else
				break;
		delete_worker(&d);
		for (size_t i = 1; i <= started; i++)
			pthread_join(t[i], NULL);
		pthread_mutex_destroy(&d.lock);
		rc = d.rc;
		if (rc && err)
			*err = d.err;
	}
	if (!rc && removed)
		*removed = p.n;
	for (size_t i = 0; i < p.n; i++)
		free(p.names[i]);
	free(p.names);
	free(p.gens);
	return rc;
}
