/*
 * plugins/fs-s3/list.c - ListObjectsV2 pages, and directory listings on
 * top of them.
 *
 * Keys come back in byte order, so every key under a prefix is
 * contiguous: a recursive listing derives the directories between keys
 * from the previous key's directory alone, with no set of seen names.
 */
#include "s3.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
			pg->cur.mtime_ns = s3_parse_time(x.text);
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

struct walk {
	struct s3 *s;
	const char *prefix; /* key prefix of the listed directory */
	size_t prefix_len;
	bool recursive;
	uint32_t max_depth;
	const char *const *exts;
	wsp_fs_entry_fn cb;
	void *payload;
	bool found;		       /* anything at all below the prefix */
	char last_dir[S3_KEY_MAX + 1]; /* relative dir of the previous key */
};

static uint32_t depth_of(const char *rel)
{
	uint32_t d = 1;

	for (; *rel; rel++)
		d += *rel == '/';
	return d;
}

static bool ext_ok(const char *name, const char *const *exts)
{
	size_t nl = strlen(name);

	if (!exts)
		return true;
	for (; *exts; exts++) {
		const char *e = **exts == '.' ? *exts + 1 : *exts;
		size_t el = strlen(e);

		if (nl > el + 1 && name[nl - el - 1] == '.' &&
		    !strcasecmp(name + nl - el, e))
			return true;
	}
	return false;
}

static int give(struct walk *w, const char *rel, uint32_t type, uint64_t size,
		int64_t mtime)
{
	const char *slash = strrchr(rel, '/');
	uint32_t depth = depth_of(rel);
	wsp_fs_entry e = {
		.struct_size = sizeof(e),
		.type = type,
		.path = rel,
		.name = slash ? slash + 1 : rel,
		.size = size,
		.mtime_ns = mtime,
		.depth = depth,
	};

	if (w->max_depth && depth > w->max_depth)
		return 0;
	if (type == WSP_FS_TYPE_FILE && !ext_ok(e.name, w->exts))
		return 0;
	return w->cb(&e, w->payload);
}

/*
 * Emit dir and its ancestors, except those the previous key already
 * emitted (the ancestors of last_dir, itself included).
 */
static int give_dirs(struct walk *w, const char *dir)
{
	size_t n = strlen(dir);
	char buf[S3_KEY_MAX + 1];

	for (size_t i = 1; i <= n; i++) {
		if (i < n && dir[i] != '/')
			continue;
		bool seen = !strncmp(w->last_dir, dir, i) &&
			    (w->last_dir[i] == '\0' || w->last_dir[i] == '/');

		if (seen)
			continue;
		memcpy(buf, dir, i);
		buf[i] = '\0';
		int rc = give(w, buf, WSP_FS_TYPE_DIR, 0, 0);

		if (rc)
			return rc;
	}
	snprintf(w->last_dir, sizeof(w->last_dir), "%s", dir);
	return 0;
}

static int on_item(const struct s3_item *it, void *payload)
{
	struct walk *w = payload;
	const char *rel = it->key + w->prefix_len;
	char dir[S3_KEY_MAX + 1];
	size_t rl;

	if (strncmp(it->key, w->prefix, w->prefix_len))
		return 0;
	w->found = true;
	if (!*rel)
		return 0; /* the directory's own marker */
	rl = strlen(rel);
	if (!w->recursive) {
		if (it->is_prefix || rel[rl - 1] == '/') {
			snprintf(dir, sizeof(dir), "%.*s", (int)(rl - 1), rel);
			return give(w, dir, WSP_FS_TYPE_DIR, 0, 0);
		}
		return give(w, rel, WSP_FS_TYPE_FILE, it->size, it->mtime_ns);
	}
	/* recursive: a marker "x/y/" is the directory x/y */
	const char *slash =
		rel[rl - 1] == '/' ? rel + rl - 1 : strrchr(rel, '/');

	if (slash) {
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - rel), rel);
		int rc = give_dirs(w, dir);

		if (rc || rel[rl - 1] == '/')
			return rc;
	}
	return give(w, rel, WSP_FS_TYPE_FILE, it->size, it->mtime_ns);
}

int s3_list(void *self, const wsp_call *call, const char *path,
	    const wsp_fs_list_opts *opts, wsp_fs_entry_fn cb, void *payload,
	    wsp_error *err)
{
	struct s3 *s = self;
	char prefix[S3_KEY_MAX + 2];
	struct walk *w;
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
	w = calloc(1, sizeof(*w));
	if (!w)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	w->s = s;
	w->prefix = prefix;
	w->prefix_len = strlen(prefix);
	/* opts is the core's full-size copy (the boundary rule). */
	w->recursive = (opts->flags & WSP_FS_RECURSIVE) && opts->max_depth != 1;
	w->max_depth = (opts->flags & WSP_FS_RECURSIVE) ? opts->max_depth : 1;
	w->exts = opts->extensions;
	w->cb = cb;
	w->payload = payload;
	rc = s3_list_keys(s, prefix, w->recursive, s->max_keys, call, on_item,
			  w, err);
	if (rc > 0)
		rc = 0; /* stopped by the callback with a positive value */
	if (!rc && !w->found && strcmp(path, ".")) {
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
	free(w);
	return rc;
}
