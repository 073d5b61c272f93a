/*
 * plugins/fs-s3/list.c - ListObjectsV2 pages, and directory listings on
 * top of them.
 *
 * Keys come back in byte order, so every key under a prefix is
 * contiguous: a recursive listing derives the directories between keys
 * from the previous key's directory alone, with no set of seen names.
 */
#include "s3.h"
#include "objtree.h"
#include "rfc3339.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct page {
	struct s3_item cur;
	char *key, *etag;
	bool have;
	char *next_token;
	bool truncated;
};

static int emit(struct page *pg, s3_item_fn fn, void *payload)
{
	int rc = 0;

	if (pg->have) {
		pg->cur.key = pg->key;
		pg->cur.etag = pg->etag;
		rc = fn(&pg->cur, payload);
	}
	free(pg->key);
	free(pg->etag);
	pg->key = pg->etag = NULL;
	memset(&pg->cur, 0, sizeof(pg->cur));
	pg->have = false;
	return rc;
}

static int parse_page(struct page *pg, const char *doc, size_t len,
		      s3_item_fn fn, void *payload, wsp_error *err)
{
	struct s3xml x;
	int rc, stop = 0;

	s3xml_init(&x, doc, len);
	while (!stop && (rc = s3xml_next(&x)) > 0) {
		const char *p = x.path;

		if (strncmp(p, "ListBucketResult/", 17))
			continue;
		p += 17;
		if (!strcmp(p, "Contents/Key") ||
		    !strcmp(p, "CommonPrefixes/Prefix")) {
			stop = emit(pg, fn, payload);
			if (stop)
				break;
			pg->key = strdup(x.text);
			pg->have = pg->key != NULL;
			pg->cur.is_prefix =
				p[0] == 'C' && p[1] == 'o' && p[2] == 'm';
		} else if (!strcmp(p, "Contents/Size")) {
			if (s3_parse_u64(&pg->cur.size, x.text))
				pg->cur.size = 0;
		} else if (!strcmp(p, "Contents/LastModified")) {
			pg->cur.mtime_ns = rfc3339_ns_or0(x.text);
		} else if (!strcmp(p, "Contents/ETag")) {
			free(pg->etag);
			pg->etag = strdup(x.text);
		} else if (!strcmp(p, "IsTruncated")) {
			pg->truncated = !strcmp(x.text, "true");
		} else if (!strcmp(p, "NextContinuationToken")) {
			free(pg->next_token);
			pg->next_token = strdup(x.text);
		}
	}
	if (!stop && rc < 0) {
		s3xml_free(&x);
		emit(pg, NULL, NULL);
		return wsp_error_set(err, WSP_EPROTO,
				     "cannot list: malformed ListObjectsV2 "
				     "answer");
	}
	if (!stop)
		stop = emit(pg, fn, payload);
	else
		emit(pg, NULL, NULL);
	s3xml_free(&x);
	return stop;
}

/* Each item goes through here: the call is checked before it. */
struct checked {
	struct s3 *s;
	const wsp_call *call;
	const char *what;
	s3_item_fn fn;
	void *payload;
	wsp_error *err;
};

static int checked_item(const struct s3_item *it, void *payload)
{
	struct checked *c = payload;
	int rc = s3_expired(c->s, c->call, c->err, "list", c->what);

	return rc < 0 ? rc : c->fn(it, c->payload);
}

int s3_list_keys(struct s3 *s, const char *key_prefix, bool recursive,
		 uint32_t max_keys, const wsp_call *call, s3_item_fn fn,
		 void *payload, wsp_error *err)
{
	struct checked chk = {s, call, key_prefix, fn, payload, err};
	char *token = NULL;
	char *eprefix = s3_uri_encode(key_prefix, false);
	int rc = 0;

	if (!eprefix)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	for (;;) {
		char *etoken = token ? s3_uri_encode(token, false) : NULL;
		char *query = NULL;
		wsp_http_response resp;
		struct page pg = {0};

		if (asprintf(&query, "list-type=2&prefix=%s%s&max-keys=%u%s%s",
			     eprefix, recursive ? "" : "&delimiter=%2F",
			     max_keys ? max_keys : 1000,
			     etoken ? "&continuation-token=" : "",
			     etoken ? etoken : "") < 0) {
			free(etoken);
			rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
			break;
		}
		free(etoken);

		struct s3_req r = {
			.method = "GET",
			.query = query,
			.flags = WSP_HTTP_NO_ERROR_MAP,
			.call = call,
		};

		rc = s3_request(&resp, s, &r, err);
		free(query);
		if (rc)
			break;
		if (resp.status != 200) {
			rc = s3_fail(&resp, "list", key_prefix, err);
			s3_release(s, &resp);
			break;
		}
		rc = parse_page(&pg, resp.body, resp.body_len, checked_item,
				&chk, err);
		s3_release(s, &resp);
		free(token);
		token = pg.next_token;
		if (rc || !pg.truncated || !token)
			break;
	}
	free(token);
	free(eprefix);
	/* The last item's callback may have fired the token. */
	if (rc == 0)
		rc = s3_expired(s, call, err, "list", key_prefix);
	return rc < 0 ? rc : (rc > 0 ? 1 : 0);
}

/* --- the vtable's list --- */

static int on_item(const struct s3_item *it, void *payload)
{
	return objtree_name(payload, it->key, it->is_prefix, it->size,
			    it->mtime_ns);
}

int s3_list(void *self, const wsp_call *call, const char *path,
	    const wsp_fs_list_opts *opts, wsp_fs_entry_fn cb, void *payload,
	    wsp_error *err)
{
	struct s3 *s = self;
	char prefix[S3_KEY_MAX + 2];
	struct objtree *t;
	wsp_fs_stat st;
	int rc;

	if (strcmp(path, ".")) {
		rc = s3_key(prefix, sizeof(prefix) - 1, s, path, err);
		if (rc)
			return rc;
		strcat(prefix, "/");
	} else {
		snprintf(prefix, sizeof(prefix), "%s", s->prefix);
	}
	t = malloc(sizeof(*t));
	if (!t)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	/* opts is the core's full-size copy (the boundary rule). */
	objtree_init(t, prefix, opts, cb, payload);
	rc = s3_list_keys(s, prefix, t->recursive, s->max_keys, call, on_item,
			  t, err);
	if (rc > 0)
		rc = 0; /* stopped by the callback with a positive value */
	if (!rc && !t->found && strcmp(path, ".")) {
		/* nothing below: a file, or nothing at all */
		rc = s3_stat(&st, s, call, path, 0, err);
		if (!rc)
			rc = st.type == WSP_FS_TYPE_FILE
				     ? wsp_error_set(err, WSP_ENOTDIR,
						     "cannot list '%s': not a "
						     "directory",
						     path)
				     : 0;
	}
	free(t);
	return rc;
}
