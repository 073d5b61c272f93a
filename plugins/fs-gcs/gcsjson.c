/*
 * plugins/fs-gcs/gcsjson.c - the JSON answers of the GCS JSON API, the
 * OAuth token endpoints and the credential files, read with cJSON.
 *
 * Everything here is untrusted (a server, a file): sizes are bounded
 * before parsing, every field's type is checked, numbers that GCS sends
 * as strings must be plain decimals, names must be what GCS allows, and
 * text that reaches a message is made printable first.
 */
#include "gcs.h"
#include "rfc3339.h"

#include <cjson/cJSON.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parse a whole document (nothing but white space after the value). */
static cJSON *parse(const char *body, size_t len, size_t max, const char *what,
		    wsp_error *err)
{
	const char *end = NULL;
	cJSON *j;

	if (!body || !len)
		return wsp_error_set(err, WSP_EPROTO, "%s is empty", what),
		       NULL;
	if (len > max)
		return wsp_error_set(err, WSP_EPROTO,
				     "%s is larger than %zu bytes", what, max),
		       NULL;
	if (memchr(body, '\0', len))
		return wsp_error_set(err, WSP_EPROTO, "%s holds a NUL byte",
				     what),
		       NULL;
	j = cJSON_ParseWithLengthOpts(body, len, &end, false);
	if (j && end) {
		while (end < body + len &&
		       (*end == ' ' || *end == '\t' || *end == '\r' ||
			*end == '\n'))
			end++;
		if (end != body + len) {
			cJSON_Delete(j);
			j = NULL;
		}
	}
	if (!j || !cJSON_IsObject(j)) {
		cJSON_Delete(j);
		wsp_error_set(err, WSP_EPROTO, "%s is not a JSON object", what);
		return NULL;
	}
	return j;
}

/* A string member, NULL when absent; -1 when present but not a string. */
static int str(const char **out, const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	*out = NULL;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v) || !v->valuestring)
		return -1;
	*out = v->valuestring;
	return 0;
}

static int object_from(struct gcs_object *o, const cJSON *j, wsp_error *err)
{
	const char *name, *size, *gen, *mgen, *upd, *crc, *md5, *ct, *etag;
	uint64_t v;

	memset(o, 0, sizeof(*o));
	if (!cJSON_IsObject(j) || str(&name, j, "name") ||
	    str(&size, j, "size") || str(&gen, j, "generation") ||
	    str(&mgen, j, "metageneration") || str(&upd, j, "updated") ||
	    str(&crc, j, "crc32c") || str(&md5, j, "md5Hash") ||
	    str(&ct, j, "contentType") || str(&etag, j, "etag"))
		return wsp_error_set(err, WSP_EPROTO,
				     "GCS sent an object resource with a "
				     "member of the wrong type");
	if (!name || !gcs_name_ok(name, strlen(name)))
		return wsp_error_set(err, WSP_EPROTO,
				     "GCS sent an object without a valid "
				     "name");
	memcpy(o->name, name, strlen(name) + 1);
	if (!size || gcs_parse_u64(&o->size, size))
		return wsp_error_set(err, WSP_EPROTO,
				     "GCS sent an object without a valid "
				     "size");
	if (!gen || gcs_parse_u64(&v, gen) || !v || v > INT64_MAX)
		return wsp_error_set(err, WSP_EPROTO,
				     "GCS sent an object without a valid "
				     "generation");
	o->generation = (int64_t)v;
	if (!mgen || gcs_parse_u64(&v, mgen) || !v || v > INT64_MAX)
		return wsp_error_set(err, WSP_EPROTO,
				     "GCS sent an object without a valid "
				     "metageneration");
	o->metageneration = (int64_t)v;
	o->mtime_ns = rfc3339_ns_or0(upd); /* none or unreadable: unknown */
	if (crc) {
		if (gcs_crc32c_from_b64(&o->crc32c, crc))
			return wsp_error_set(err, WSP_EPROTO,
					     "GCS sent an object with a "
					     "malformed crc32c");
		o->has_crc32c = true;
	}
	if (md5) {
		if (strlen(md5) != 24)
			return wsp_error_set(err, WSP_EPROTO,
					     "GCS sent an object with a "
					     "malformed md5Hash");
		memcpy(o->md5, md5, 25);
	}
	/* informative only: cut, and printable so it may be shown */
	if (ct)
		gcs_printable(o->content_type, sizeof(o->content_type), ct,
			      strlen(ct));
	if (etag && strlen(etag) < sizeof(o->etag))
		gcs_printable(o->etag, sizeof(o->etag), etag, strlen(etag));
	return 0;
}

int gcs_parse_object(struct gcs_object *o, const char *body, size_t len,
		     wsp_error *err)
{
	cJSON *j = parse(body, len, GCS_JSON_MAX, "the GCS object answer",
			 err);
	int rc;

	if (!j)
		return WSP_EPROTO;
	rc = object_from(o, j, err);
	cJSON_Delete(j);
	return rc;
}

int gcs_parse_list(const char *body, size_t len, gcs_list_fn fn,
		   void *payload, char **next_token, wsp_error *err)
{
	cJSON *j = parse(body, len, GCS_JSON_MAX, "the GCS listing", err);
	const cJSON *items, *prefixes, *it;
	const char *tok;
	struct gcs_object *o = NULL;
	int rc = 0;

	*next_token = NULL;
	if (!j)
		return WSP_EPROTO;
	items = cJSON_GetObjectItemCaseSensitive(j, "items");
	prefixes = cJSON_GetObjectItemCaseSensitive(j, "prefixes");
	if ((items && !cJSON_IsArray(items)) ||
	    (prefixes && !cJSON_IsArray(prefixes)) ||
	    str(&tok, j, "nextPageToken") ||
	    (tok && (!*tok || strlen(tok) > 4096 ||
		     !gcs_name_ok(tok, strlen(tok))))) {
		rc = wsp_error_set(err, WSP_EPROTO,
				   "GCS sent a malformed listing");
		goto out;
	}
	o = malloc(sizeof(*o));
	if (!o) {
		rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
		goto out;
	}
	cJSON_ArrayForEach(it, items)
	{
		rc = object_from(o, it, err);
		if (!rc)
			rc = fn(o, NULL, payload);
		if (rc)
			goto out;
	}
	cJSON_ArrayForEach(it, prefixes)
	{
		if (!cJSON_IsString(it) || !it->valuestring ||
		    !gcs_name_ok(it->valuestring, strlen(it->valuestring))) {
			rc = wsp_error_set(err, WSP_EPROTO,
					   "GCS sent a malformed prefix in a "
					   "listing");
			goto out;
		}
		rc = fn(NULL, it->valuestring, payload);
		if (rc)
			goto out;
	}
	if (tok && !(*next_token = strdup(tok)))
		rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
out:
	free(o);
	cJSON_Delete(j);
	return rc;
}

int gcs_parse_rewrite(struct gcs_rewrite *r, const char *body, size_t len,
		      wsp_error *err)
{
	cJSON *j = parse(body, len, GCS_JSON_MAX, "the GCS rewrite answer",
			 err);
	const cJSON *done;
	const char *tok, *total, *rewritten;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	if (!j)
		return WSP_EPROTO;
	done = cJSON_GetObjectItemCaseSensitive(j, "done");
	if (!cJSON_IsBool(done) || str(&tok, j, "rewriteToken") ||
	    str(&total, j, "objectSize") ||
	    str(&rewritten, j, "totalBytesRewritten") ||
	    (total && gcs_parse_u64(&r->total, total)) ||
	    (rewritten && gcs_parse_u64(&r->rewritten, rewritten))) {
		rc = wsp_error_set(err, WSP_EPROTO,
				   "GCS sent a malformed rewrite answer");
		goto out;
	}
	r->done = cJSON_IsTrue(done);
	if (r->done) {
		rc = object_from(&r->resource,
				 cJSON_GetObjectItemCaseSensitive(j,
								  "resource"),
				 err);
	} else if (!tok || !*tok || strlen(tok) > 8192 ||
		   !gcs_name_ok(tok, strlen(tok))) {
		rc = wsp_error_set(err, WSP_EPROTO,
				   "GCS sent an unfinished rewrite without "
				   "a token");
	} else if (!(r->token = strdup(tok))) {
		rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
out:
	cJSON_Delete(j);
	return rc;
}

void gcs_rewrite_free(struct gcs_rewrite *r)
{
	free(r->token);
	r->token = NULL;
}

void gcs_parse_error(char *reason, size_t rcap, char *message, size_t mcap,
		     const char *body, size_t len)
{
	cJSON *j = parse(body, len, 1u << 20, "", NULL);
	const cJSON *e = j ? cJSON_GetObjectItemCaseSensitive(j, "error")
			   : NULL;
	const cJSON *errs, *first;
	const char *r = NULL, *m = NULL;

	if (rcap)
		reason[0] = '\0';
	if (mcap)
		message[0] = '\0';
	if (cJSON_IsObject(e)) {
		errs = cJSON_GetObjectItemCaseSensitive(e, "errors");
		first = cJSON_IsArray(errs) ? cJSON_GetArrayItem(errs, 0)
					    : NULL;
		if (cJSON_IsObject(first) && str(&r, first, "reason"))
			r = NULL;
		if (str(&m, e, "message"))
			m = NULL;
	} else if (cJSON_IsString(e)) {
		/* OAuth's {"error":"invalid_grant","error_description"} */
		r = e->valuestring;
		if (str(&m, j, "error_description"))
			m = NULL;
	}
	if (r)
		gcs_printable(reason, rcap, r, strlen(r));
	if (m)
		gcs_printable(message, mcap, m, strlen(m));
	cJSON_Delete(j);
}

int gcs_parse_token(struct gcs_token *t, const char *body, size_t len,
		    wsp_error *err)
{
	cJSON *j = parse(body, len, 1u << 20, "the token answer", err);
	const cJSON *exp, *e;
	const char *tok, *type;
	int rc = 0;

	memset(t, 0, sizeof(*t));
	if (!j)
		return WSP_EPROTO;
	e = cJSON_GetObjectItemCaseSensitive(j, "error");
	if (e) {
		char reason[64], msg[256];

		cJSON_Delete(j);
		gcs_parse_error(reason, sizeof(reason), msg, sizeof(msg), body,
				len);
		return wsp_error_set(err, WSP_EAUTH,
				     "the token endpoint refused: %s%s%s",
				     reason[0] ? reason : "an error",
				     msg[0] ? ": " : "", msg);
	}
	exp = cJSON_GetObjectItemCaseSensitive(j, "expires_in");
	if (str(&tok, j, "access_token") || !tok || !*tok ||
	    strlen(tok) > 8192 || str(&type, j, "token_type") ||
	    (type && strcasecmp(type, "Bearer")) ||
	    (exp && !cJSON_IsNumber(exp))) {
		rc = wsp_error_set(err, WSP_EPROTO,
				   "the token answer is not an OAuth bearer "
				   "token");
		goto out;
	}
	/* a token is one header value: printable ASCII only */
	for (const char *p = tok; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f) {
			rc = wsp_error_set(err, WSP_EPROTO,
					   "the access token holds bytes a "
					   "header cannot carry");
			goto out;
		}
	t->expires_in = 3600;
	if (exp) {
		double d = exp->valuedouble;

		if (!(d >= 1 && d <= 366.0 * 86400)) {
			rc = wsp_error_set(err, WSP_EPROTO,
					   "the token answer has an "
					   "expires_in out of range");
			goto out;
		}
		t->expires_in = (int64_t)d;
	}
	if (!(t->access_token = strdup(tok)))
		rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
out:
	cJSON_Delete(j);
	return rc;
}

void gcs_token_free(struct gcs_token *t)
{
	gcs_secret_free(t->access_token);
	t->access_token = NULL;
}

static int dup_member(char **out, const cJSON *j, const char *name,
		      bool required, const char *what, wsp_error *err)
{
	const char *v;

	*out = NULL;
	if (str(&v, j, name))
		return wsp_error_set(err, WSP_ECONFIG,
				     "%s: '%s' is not a string", what, name);
	if (!v || !*v) {
		if (!required)
			return 0;
		return wsp_error_set(err, WSP_ECONFIG, "%s has no '%s'", what,
				     name);
	}
	if (!(*out = strdup(v)))
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	return 0;
}

int gcs_parse_key(struct gcs_key *k, const char *json, size_t len,
		  const char *what, wsp_error *err)
{
	cJSON *j;
	const char *type;
	int rc;

	memset(k, 0, sizeof(*k));
	j = parse(json, len, GCS_KEYFILE_MAX, what, NULL);
	if (!j)
		return wsp_error_set(err, WSP_ECONFIG,
				     "%s is not a JSON object of at most "
				     "%u bytes",
				     what, GCS_KEYFILE_MAX);
	if (str(&type, j, "type") || !type) {
		rc = wsp_error_set(err, WSP_ECONFIG, "%s has no 'type'", what);
	} else if (!strcmp(type, "service_account")) {
		k->type = GCS_KEY_SERVICE_ACCOUNT;
		rc = dup_member(&k->client_email, j, "client_email", true,
				what, err);
		if (!rc)
			rc = dup_member(&k->private_key, j, "private_key",
					true, what, err);
		if (!rc)
			rc = dup_member(&k->private_key_id, j,
					"private_key_id", false, what, err);
		if (!rc)
			rc = dup_member(&k->project_id, j, "project_id", false,
					what, err);
	} else if (!strcmp(type, "authorized_user")) {
		k->type = GCS_KEY_USER;
		rc = dup_member(&k->client_id, j, "client_id", true, what,
				err);
		if (!rc)
			rc = dup_member(&k->client_secret, j, "client_secret",
					true, what, err);
		if (!rc)
			rc = dup_member(&k->refresh_token, j, "refresh_token",
					true, what, err);
		if (!rc)
			rc = dup_member(&k->project_id, j, "quota_project_id",
					false, what, err);
	} else {
		char t[64];

		gcs_printable(t, sizeof(t), type, strlen(type));
		rc = wsp_error_set(err, WSP_ECONFIG,
				   "%s is of type '%s'; wsp reads "
				   "'service_account' and 'authorized_user'",
				   what, t);
	}
	if (!rc)
		rc = dup_member(&k->token_uri, j, "token_uri", false, what,
				err);
	if (!rc && k->token_uri && strncmp(k->token_uri, "https://", 8) &&
	    strncmp(k->token_uri, "http://", 7))
		rc = wsp_error_set(err, WSP_ECONFIG,
				   "%s: 'token_uri' is not an http(s) URL",
				   what);
	if (!rc && !k->token_uri &&
	    !(k->token_uri = strdup("https://oauth2.googleapis.com/token")))
		rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
	cJSON_Delete(j);
	if (rc)
		gcs_key_free(k);
	return rc;
}

void gcs_key_free(struct gcs_key *k)
{
	gcs_secret_free(k->private_key);
	gcs_secret_free(k->client_secret);
	gcs_secret_free(k->refresh_token);
	free(k->client_email);
	free(k->private_key_id);
	free(k->client_id);
	free(k->token_uri);
	free(k->project_id);
	memset(k, 0, sizeof(*k));
}

char *gcs_json_string(const char *s)
{
	cJSON *j = cJSON_CreateString(s);
	char *out = j ? cJSON_PrintUnformatted(j) : NULL;
	char *copy = out ? strdup(out) : NULL;

	cJSON_free(out);
	cJSON_Delete(j);
	return copy;
}
