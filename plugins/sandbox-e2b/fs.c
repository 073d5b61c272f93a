/*
 * plugins/sandbox-e2b/fs.c - the sandbox's own disk as a filesystem
 * (the descriptor's sandbox_fs, `mounts: { /: { provider: sandbox } }`):
 * paths relative to working_dir, through envd (remote-providers.md §1.2).
 *
 * Bytes stream both ways through the core's HTTP service, never held
 * whole: a read is GET /files (a Range for a part) into the caller's
 * sink; a write is POST /files of raw octet-stream from the caller's
 * source (chunked) to a temporary name beside the file, then
 * filesystem.Filesystem/Move over it, a rename: readers see the old file
 * or the new one, never half. The rest are envd's Filesystem calls (Stat,
 * ListDir, MakeDir, Move, Remove), with the checks wsp's rules need and
 * envd does not make (a directory removed only with RECURSIVE, a parent
 * that must exist, no overwrite, what may replace what) done by a Stat
 * first. A path under a file envd answers with an internal error whose
 * words say so: WSP_ENOTDIR, as fs.h asks. Those checks and
 * the call that follows are two requests: another writer between them
 * can win (no-overwrite is not atomic on E2B, which has no exclusive
 * create). envd has no copy: cp runs in the sandbox. It has no append
 * and no conditional write either: those answer WSP_ENOTSUP.
 */
#include "e2b.h"
#include "remote.h"
#include "remote_fs.h"
#include "remote_io.h"
#include "rfc3339.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PATH_MAX_E2B 4096

/*
 * envd has no code for "a parent is not a directory": Go's ENOTDIR (of
 * its lstat, stat or rename) and its EnsureDirs' "path is a file" come
 * as internal (500), told apart by their words only, which end in Go's
 * text of the errno or begin with EnsureDirs' own.
 */
static int under_a_file(int status, const cJSON *ans)
{
	static const char tail[] = ": not a directory",
			  head[] = "path is a file: ";
	const char *m = e2b_str(ans, "message"), *code = e2b_str(ans, "code");
	size_t n = m ? strlen(m) : 0, t = sizeof(tail) - 1;

	if (status != 500 || !m || !code || strcmp(code, "internal"))
		return 0;
	return (n >= t && !strcmp(m + n - t, tail)) ||
	       !strncmp(m, head, sizeof(head) - 1);
}

/* One Filesystem RPC; 0, or the error of its status (404 ENOTFOUND...,
 * a path under a file WSP_ENOTDIR). */
static int rpc(cJSON **ans, struct e2b *e, const struct e2b_conn *c,
	       const char *method, const cJSON *body, const wsp_call *call,
	       wsp_error *err)
{
	char path[64], *text = cJSON_PrintUnformatted(body);
	struct e2b_req r = {.plane = E2B_ENVD, .method = "POST", .path = path,
			    .body = text, .conn = c, .call = call};
	int status = 0, rc;

	*ans = NULL;
	if (!text)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	snprintf(path, sizeof(path), "/filesystem.Filesystem/%s", method);
	rc = e2b_request(&status, ans, e, &r, err);
	cJSON_free(text);
	if (!rc && status != 200) {
		rc = e2b_fail(e, status, *ans, method, err);
		if (under_a_file(status, *ans)) {
			rc = WSP_ENOTDIR; /* envd's words stay the message */
			if (err)
				err->code = rc;
		}
		cJSON_Delete(*ans);
		*ans = NULL;
	}
	return rc;
}

/* A request body {"path": p} (and more members by the caller). */
static cJSON *path_body(const char *key, const char *p)
{
	cJSON *b = cJSON_CreateObject();

	if (b && !cJSON_AddStringToObject(b, key, p)) {
		cJSON_Delete(b);
		return NULL;
	}
	return b;
}

static uint32_t type_of(const cJSON *entry)
{
	const char *t = e2b_str(entry, "type");

	if (t && !strcmp(t, "FILE_TYPE_DIRECTORY"))
		return WSP_FS_TYPE_DIR;
	if (t && !strcmp(t, "FILE_TYPE_FILE"))
		return WSP_FS_TYPE_FILE;
	return WSP_FS_TYPE_OTHER;
}

static uint64_t size_of(const cJSON *entry)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(entry, "size");

	if (cJSON_IsString(v))
		return strtoull(v->valuestring, NULL, 10);
	return cJSON_IsNumber(v) && v->valuedouble > 0 ? (uint64_t)v->valuedouble
						       : 0;
}

/* Stat full into out (may be NULL); WSP_ENOTFOUND when missing. */
static int stat_full(wsp_fs_stat *out, struct e2b *e, const struct e2b_conn *c,
		     const char *full, const wsp_call *call, wsp_error *err)
{
	cJSON *b = path_body("path", full), *ans = NULL, *entry;
	const cJSON *mode;
	int rc;

	if (!b)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	rc = rpc(&ans, e, c, "Stat", b, call, err);
	cJSON_Delete(b);
	entry = cJSON_GetObjectItemCaseSensitive(ans, "entry");
	if (!rc && !cJSON_IsObject(entry))
		rc = wsp_error_set(err, WSP_EPROTO, "envd's Stat has no entry");
	if (!rc && out) {
		out->type = type_of(entry);
		out->size = out->type == WSP_FS_TYPE_FILE ? size_of(entry) : 0;
		out->mtime_ns = rfc3339_ns_or0(e2b_str(entry, "modifiedTime"));
		mode = cJSON_GetObjectItemCaseSensitive(entry, "mode");
		out->mode = cJSON_IsNumber(mode) ? (uint32_t)mode->valueint &
							   07777
						 : 0;
		out->is_symlink = e2b_str(entry, "symlinkTarget") != NULL;
	}
	cJSON_Delete(ans);
	return rc;
}

/* The sandbox and the full path of rel. */
static int begin(struct e2b_conn *c, char *full, struct e2b *e,
		 const char *rel, const wsp_call *call, wsp_error *err)
{
	int rc = rfs_join(full, PATH_MAX_E2B, e->working_dir, rel, err);

	return rc ? rc : e2b_ready(c, e, call, err);
}

static int fs_stat(wsp_fs_stat *out, void *self, const wsp_call *call,
		   const char *path, uint32_t flags, wsp_error *err)
{
	struct e2b_conn c;
	char full[PATH_MAX_E2B];
	int rc = begin(&c, full, self, path, call, err);

	(void)flags; /* envd follows links; NO_FOLLOW without SYMLINKS */
	return rc ? rc : stat_full(out, self, &c, full, call, err);
}

static int fs_exists(int *out, void *self, const wsp_call *call,
		     const char *path, uint32_t flags, wsp_error *err)
{
	return rfs_exists(out, fs_stat(NULL, self, call, path, flags, err));
}

/* GET /files?path=... into a sink, or POST /files?path=... from a source */
static int files_request(struct e2b *e, const struct e2b_conn *c,
			 const char *method, const char *full,
			 const char *range, wsp_http_request *req,
			 const wsp_call *call, wsp_error *err)
{
	char url[E2B_URL_MAX + 3 * PATH_MAX_E2B + 96], esc[3 * PATH_MAX_E2B];
	const char *secrets[4];
	wsp_http_header h[8];
	char auth[160];
	wsp_http_response resp = {.struct_size = sizeof(resp)};
	size_t n = e2b_envd_headers(h, auth, sizeof(auth), e, c);
	cJSON *ans = NULL;
	int rc;

	if (e2b_escape(esc, sizeof(esc), full))
		return wsp_error_set(err, WSP_ETOOBIG, "path too long");
	/* /files names the user in its query, the RPCs in a header */
	snprintf(url, sizeof(url), "%s/files?path=%s%s%s", c->url, esc,
		 e->user ? "&username=" : "", e->user ? e->user : "");
	if (req->body_source) {
		h[n++] = (wsp_http_header){"Content-Type",
					   "application/octet-stream"};
	} else if (range) {
		h[n++] = (wsp_http_header){"Range", range};
	}
	e2b_secrets(secrets, e, c);
	req->struct_size = sizeof(*req);
	req->flags = WSP_HTTP_NO_ERROR_MAP |
		     (req->body_source ? WSP_HTTP_NO_RETRY : 0);
	req->method = method;
	req->url = url;
	req->headers = h;
	req->n_headers = n;
	req->timeout_ms = 0; /* a large file takes what it takes */
	req->call = call;
	req->secrets = secrets;
	if ((rc = e->host->http_request(&resp, e->host, req, err)))
		return rc;
	if (resp.status >= 300 && resp.status != 416) {
		ans = resp.body ? cJSON_ParseWithLength(resp.body, resp.body_len)
				: NULL;
		wsp_http_error_detail(err, &resp);
		rc = e2b_fail(e, resp.status, ans, method, err);
		cJSON_Delete(ans);
	}
	e->host->http_response_release(e->host, &resp);
	return rc;
}

static int fs_read(void *self, const wsp_call *call, const char *path,
		   const wsp_fs_read_opts *opts, wsp_sink_fn sink,
		   void *payload, wsp_error *err)
{
	struct e2b *e = self;
	struct e2b_conn c;
	wsp_fs_stat st = {.struct_size = sizeof(st)};
	wsp_http_request req = {0};
	char full[PATH_MAX_E2B], range[64] = "";
	int rc = begin(&c, full, e, path, call, err);

	if (!rc)
		rc = stat_full(&st, e, &c, full, call, err);
	if (!rc && st.type == WSP_FS_TYPE_DIR)
		rc = wsp_error_set(err, WSP_EISDIR, "'%s' is a directory", path);
	if (rc || opts->offset >= st.size)
		return rc;
	if (opts->offset || opts->length < st.size - opts->offset) {
		uint64_t last = opts->length >= st.size - opts->offset
					? st.size - 1
					: opts->offset + opts->length - 1;

		snprintf(range, sizeof(range), "bytes=%llu-%llu",
			 (unsigned long long)opts->offset,
			 (unsigned long long)last);
	}
	req.response_sink = sink;
	req.response_payload = payload;
	return files_request(e, &c, "GET", full, range[0] ? range : NULL, &req,
			     call, err);
}

static int move_full(struct e2b *e, const struct e2b_conn *c, const char *a,
		     const char *b, const wsp_call *call, wsp_error *err)
{
	cJSON *body = path_body("source", a), *ans = NULL;
	int rc;

	if (!body || !cJSON_AddStringToObject(body, "destination", b)) {
		cJSON_Delete(body);
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	rc = rpc(&ans, e, c, "Move", body, call, err);
	cJSON_Delete(body);
	cJSON_Delete(ans);
	return rc;
}

static int remove_full(struct e2b *e, const struct e2b_conn *c,
		       const char *full, const wsp_call *call, wsp_error *err)
{
	cJSON *body = path_body("path", full), *ans = NULL;
	int rc;

	if (!body)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	rc = rpc(&ans, e, c, "Remove", body, call, err);
	cJSON_Delete(body);
	cJSON_Delete(ans);
	return rc;
}

/* The parent of full must exist and be a directory. */
static int parent_there(struct e2b *e, const struct e2b_conn *c,
			const char *full, const wsp_call *call, wsp_error *err)
{
	char parent[PATH_MAX_E2B];
	wsp_fs_stat st = {.struct_size = sizeof(st)};
	int rc;

	rfs_parent(parent, sizeof(parent), full);
	rc = stat_full(&st, e, c, parent, call, err);
	if (!rc && st.type != WSP_FS_TYPE_DIR)
		rc = wsp_error_set(err, WSP_ENOTDIR, "a parent is a file");
	return rc;
}

static int fs_write(wsp_fs_stat *out, void *self, const wsp_call *call,
		    const char *path, const wsp_fs_write_opts *opts,
		    wsp_source_fn source, void *payload, wsp_error *err)
{
	struct e2b *e = self;
	struct e2b_conn c;
	wsp_fs_stat st = {.struct_size = sizeof(st)};
	wsp_http_request req = {0};
	char full[PATH_MAX_E2B], tmp[PATH_MAX_E2B + 32];
	int rc = begin(&c, full, e, path, call, err);

	if (rc)
		return rc;
	if (opts->flags & WSP_FS_WRITE_APPEND)
		return wsp_error_set(err, WSP_ENOTSUP,
				     "E2B's envd cannot append to a file");
	if (opts->expected_mtime_ns || opts->expected_version)
		return wsp_error_set(err, WSP_ENOTSUP,
				     "E2B's envd has no conditional write");
	if ((opts->flags & WSP_FS_WRITE_NO_PARENTS) &&
	    (rc = parent_there(e, &c, full, call, err)))
		return rc;
	rc = stat_full(&st, e, &c, full, call, err);
	if ((rc = rfs_write_ok(rc, &st, opts->flags, path, err)))
		return rc;
	if ((rc = rfs_temp_name(tmp, sizeof(tmp), full, err)))
		return rc;
	req.body_source = source;
	req.body_payload = payload;
	req.body_size = opts->flags & WSP_FS_WRITE_SIZE_KNOWN
				? (int64_t)opts->size_hint
				: -1;
	rc = files_request(e, &c, "POST", tmp, NULL, &req, call, err);
	if (!rc)
		rc = move_full(e, &c, tmp, full, call, err);
	if (rc) { /* no half file left behind, whatever the call says */
		wsp_error ignored = {0};

		remove_full(e, &c, tmp, NULL, &ignored);
		return rc;
	}
	return out ? stat_full(out, e, &c, full, call, err) : 0;
}

struct walk {
	const wsp_fs_list_opts *o;
	wsp_fs_entry_fn cb;
	void *payload;
	size_t base_len; /* of the listed directory's full path + '/' */
};

static int fs_list(void *self, const wsp_call *call, const char *path,
		   const wsp_fs_list_opts *opts, wsp_fs_entry_fn cb,
		   void *payload, wsp_error *err)
{
	struct e2b *e = self;
	struct e2b_conn c;
	wsp_fs_stat st = {.struct_size = sizeof(st)};
	char full[PATH_MAX_E2B];
	uint32_t depth = !(opts->flags & WSP_FS_RECURSIVE) ? 1
			 : opts->max_depth		  ? opts->max_depth
							  : 64;
	cJSON *b = NULL, *ans = NULL, *it;
	size_t base;
	int rc = begin(&c, full, e, path, call, err);

	if (!rc)
		rc = stat_full(&st, e, &c, full, call, err);
	if (!rc && st.type != WSP_FS_TYPE_DIR)
		rc = wsp_error_set(err, WSP_ENOTDIR, "'%s' is not a directory",
				   path);
	if (!rc && (!(b = path_body("path", full)) ||
		    !cJSON_AddNumberToObject(b, "depth", depth)))
		rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
	if (!rc)
		rc = rpc(&ans, e, &c, "ListDir", b, call, err);
	cJSON_Delete(b);
	base = strlen(full) + (full[1] ? 1 : 0);
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(ans, "entries"))
	{
		const char *p = e2b_str(it, "path"), *name = e2b_str(it, "name");
		wsp_fs_entry en = {.struct_size = sizeof(en)};
		uint32_t d = 1;

		if (rc)
			break;
		/* only what lies below the listed directory */
		if (!p || !name || strlen(p) <= base ||
		    strncmp(p, full, base - (full[1] ? 1 : 0)))
			continue;
		en.path = p + base;
		for (const char *s = en.path; *s; s++)
			d += *s == '/';
		en.type = type_of(it);
		en.name = name;
		en.size = en.type == WSP_FS_TYPE_FILE ? size_of(it) : 0;
		en.mtime_ns = rfc3339_ns_or0(e2b_str(it, "modifiedTime"));
		en.depth = d;
		rc = rfs_give(e->host, call, opts, &en, cb, payload, err);
	}
	cJSON_Delete(ans);
	return rc;
}

static int fs_mkdir(void *self, const wsp_call *call, const char *path,
		    uint32_t flags, wsp_error *err)
{
	struct e2b *e = self;
	struct e2b_conn c;
	char full[PATH_MAX_E2B];
	cJSON *b, *ans = NULL;
	int rc = begin(&c, full, e, path, call, err);

	if (!rc && !(flags & WSP_FS_RECURSIVE))
		rc = parent_there(e, &c, full, call, err);
	if (rc)
		return rc;
	if (!(b = path_body("path", full)))
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	rc = rpc(&ans, e, &c, "MakeDir", b, call, err);
	cJSON_Delete(b);
	cJSON_Delete(ans);
	if (rc == WSP_EINVAL) /* "path already exists but it is not a dir" */
		rc = wsp_error_set(err, WSP_EEXIST, "'%s' exists as a file",
				   path);
	/* an existing directory is fine when asked for parents too */
	if (rc == WSP_EEXIST && (flags & WSP_FS_RECURSIVE)) {
		wsp_fs_stat st = {.struct_size = sizeof(st)};

		if (!stat_full(&st, e, &c, full, call, err) &&
		    st.type == WSP_FS_TYPE_DIR)
			rc = 0;
		else
			rc = wsp_error_set(err, WSP_EEXIST,
					   "'%s' exists as a file", path);
	}
	return rc;
}

/* 0 when the directory full holds nothing, else WSP_ENOTEMPTY (path
 * names it): one ListDir of depth 1. */
static int dir_empty(struct e2b *e, const struct e2b_conn *c,
		     const char *full, const char *path, const wsp_call *call,
		     wsp_error *err)
{
	cJSON *b = path_body("path", full), *ans = NULL;
	int rc;

	if (!b || !cJSON_AddNumberToObject(b, "depth", 1)) {
		cJSON_Delete(b);
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	rc = rpc(&ans, e, c, "ListDir", b, call, err);
	cJSON_Delete(b);
	if (!rc && cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(
			   ans, "entries")) > 0)
		rc = wsp_error_set(err, WSP_ENOTEMPTY, "'%s' is not empty",
				   path);
	cJSON_Delete(ans);
	return rc;
}

/* remove (dir: 0) and rmdir (dir: 1) */
static int remove_any(struct e2b *e, const wsp_call *call, const char *path,
		      uint32_t flags, int dir, wsp_error *err)
{
	struct e2b_conn c;
	wsp_fs_stat st = {.struct_size = sizeof(st)};
	char full[PATH_MAX_E2B];
	int rc = begin(&c, full, e, path, call, err);

	if (!rc && !strcmp(full, e->working_dir))
		return wsp_error_set(err, WSP_EPERM,
				     "the root of the mount stays");
	if (!rc)
		rc = stat_full(&st, e, &c, full, call, err);
	if (rc == WSP_ENOTFOUND && (flags & WSP_FS_FORCE))
		return 0;
	if (rc)
		return rc;
	if ((rc = rfs_remove_ok(&st, flags, dir, path, err)))
		return rc;
	if (dir && !(flags & WSP_FS_RECURSIVE) &&
	    (rc = dir_empty(e, &c, full, path, call, err)))
		return rc;
	return remove_full(e, &c, full, call, err);
}

static int fs_remove(void *self, const wsp_call *call, const char *path,
		     uint32_t flags, wsp_error *err)
{
	return remove_any(self, call, path, flags, 0, err);
}

static int fs_rmdir(void *self, const wsp_call *call, const char *path,
		    uint32_t flags, wsp_error *err)
{
	return remove_any(self, call, path, flags, 1, err);
}

/* A move's or a copy's source and destination. */
struct pair {
	struct e2b_conn c;
	char a[PATH_MAX_E2B], b[PATH_MAX_E2B]; /* src's and dst's full paths */
	wsp_fs_stat from, to;                  /* to: filled by the caller */
};

/* The sandbox, both full paths and what src is. */
static int begin_pair(struct pair *p, struct e2b *e, const char *src,
		      const char *dst, const wsp_call *call, wsp_error *err)
{
	int rc = begin(&p->c, p->a, e, src, call, err);

	p->from = (wsp_fs_stat){.struct_size = sizeof(p->from)};
	p->to = (wsp_fs_stat){.struct_size = sizeof(p->to)};
	if (!rc)
		rc = rfs_join(p->b, sizeof(p->b), e->working_dir, dst, err);
	return rc ? rc : stat_full(&p->from, e, &p->c, p->a, call, err);
}

/*
 * A move is envd's Move, a rename(2), and keeps its rules over what is
 * there (fs.h): with OVERWRITE a file replaces a file, never a
 * directory (WSP_EISDIR), and a directory replaces an empty directory
 * only (WSP_ENOTEMPTY), never a file (WSP_ENOTDIR). Go's os.Rename
 * refuses any directory as the destination, an empty one too: that one
 * is removed first, so such a move costs a ListDir and a Remove more
 * (and is two steps: another writer between them can win).
 */
static int fs_move(void *self, const wsp_call *call, const char *src,
		   const char *dst, uint32_t flags, wsp_error *err)
{
	struct e2b *e = self;
	struct pair p;
	int rc = begin_pair(&p, e, src, dst, call, err);

	if (rc)
		return rc;
	rc = stat_full(&p.to, e, &p.c, p.b, call, err);
	if (rc == WSP_ENOTFOUND)
		return move_full(e, &p.c, p.a, p.b, call, err);
	if (rc)
		return rc;
	if (!(flags & WSP_FS_OVERWRITE))
		return wsp_error_set(err, WSP_EEXIST, "'%s' exists", dst);
	if ((rc = rfs_replace_ok(&p.from, &p.to, dst, err)))
		return rc;
	if (p.to.type == WSP_FS_TYPE_DIR &&
	    ((rc = dir_empty(e, &p.c, p.b, dst, call, err)) ||
	     (rc = remove_full(e, &p.c, p.b, call, err))))
		return rc;
	return move_full(e, &p.c, p.a, p.b, call, err);
}

/* MakeDir of full's parent; one that is there already is fine. */
static int make_parent(struct e2b *e, const struct e2b_conn *c,
		       const char *full, const wsp_call *call, wsp_error *err)
{
	char parent[PATH_MAX_E2B];
	cJSON *b, *ans = NULL;
	int rc;

	rfs_parent(parent, sizeof(parent), full);
	if (!(b = path_body("path", parent)))
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	rc = rpc(&ans, e, c, "MakeDir", b, call, err);
	cJSON_Delete(b);
	cJSON_Delete(ans);
	return rc == WSP_EEXIST ? 0 : rc;
}

/*
 * envd has no copy: cp runs inside the sandbox (its own disk, no byte
 * through wsp), bounded by the call only. An existing destination that
 * may be replaced (a file by a file, a directory by a directory: the
 * old tree goes, nothing is merged) goes first, so a directory is not
 * copied into it. What cp said on stderr is in the error when it fails
 * (rio_fs_run, as Blaxel's and Daytona's commands on files).
 */
static const char *const cp_r[] = {"cp", "-R", "--", NULL};

static int fs_copy(void *self, const wsp_call *call, const char *src,
		   const char *dst, uint32_t flags, wsp_error *err)
{
	struct e2b *e = self;
	struct pair p;
	int rc = begin_pair(&p, e, src, dst, call, err);

	if (rc)
		return rc;
	if (p.from.type == WSP_FS_TYPE_DIR && !(flags & WSP_FS_RECURSIVE))
		return wsp_error_set(err, WSP_EISDIR,
				     "'%s' is a directory: copy it with "
				     "RECURSIVE",
				     src);
	rc = stat_full(&p.to, e, &p.c, p.b, call, err);
	if (!rc && !(flags & WSP_FS_OVERWRITE))
		return wsp_error_set(err, WSP_EEXIST, "'%s' exists", dst);
	if (!rc && !(rc = rfs_replace_ok(&p.from, &p.to, dst, err)))
		rc = remove_full(e, &p.c, p.b, call, err);
	else if (rc == WSP_ENOTFOUND)
		rc = make_parent(e, &p.c, p.b, call, err);
	if (rc)
		return rc;
	return rio_fs_run(e2b_exec, e, e->host, call, cp_r, p.a, p.b, err);
}

const wsp_fs_vtable e2b_fs = {
	.struct_size = sizeof(wsp_fs_vtable),
	.stat = fs_stat,
	.read = fs_read,
	.write = fs_write,
	.list = fs_list,
	.mkdir = fs_mkdir,
	.remove = fs_remove,
	.rmdir = fs_rmdir,
	.copy = fs_copy,
	.move = fs_move,
	.exists = fs_exists,
};
