/*
 * conformance_fs.c - behavioural checks for a filesystem provider, made
 * through the public files API on a workspace whose root mount is the
 * provider. Everything happens under one fresh directory, removed at the
 * end, so a provider pointed at real data is not disturbed elsewhere.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conformance.h"

#define BIG_SIZE (3u * 1024 * 1024)

static char root[128];

/* A path under the test directory. */
static const char *at(char *buf, size_t cap, const char *rel)
{
	snprintf(buf, cap, "%s/%s", root, rel);
	return buf;
}

#define P(rel) at(pbuf, sizeof(pbuf), rel)
#define Q(rel) at(qbuf, sizeof(qbuf), rel)

/*
 * Report an operation's outcome: pass when it returned want, skip when
 * the provider says it lacks the operation, fail otherwise.
 */
static int expect(const char *check, int rc, int want, const wsp_error *err)
{
	if (rc == want) {
		conf_pass(check);
		return 1;
	}
	if (rc == WSP_ENOTSUP)
		conf_skip(check, "provider lacks the operation (%s)",
			  err->message);
	else if (rc)
		conf_fail(check, "got %s, want %s: %s", conf_errname(rc),
			  conf_errname(want), err->message);
	else
		conf_fail(check, "succeeded, want %s", conf_errname(want));
	return 0;
}

static int put(wsp_workspace *ws, const char *path, const char *text,
	       wsp_error *err)
{
	return wsp_files_write_buf(NULL, ws, path, NULL, text, strlen(text),
				   err);
}

static void check_round_trip(wsp_workspace *ws)
{
	static const char text[] = "team-data: quarterly numbers\n";
	char pbuf[256], *got = NULL;
	size_t len = 0;
	wsp_error err = {0};
	int rc;

	rc = put(ws, P("notes/report.txt"), text, &err);
	if (rc) {
		conf_fail("fs.write-read", "write: %s", err.message);
		return;
	}
	rc = wsp_files_read_all(&got, &len, ws, P("notes/report.txt"), 1 << 20,
				&err);
	if (rc)
		conf_fail("fs.write-read", "read: %s", err.message);
	else if (len != strlen(text) || memcmp(got, text, len))
		conf_fail("fs.write-read", "read back %zu bytes that differ",
			  len);
	else
		conf_pass("fs.write-read");
	free(got);
}

struct collect {
	char buf[64];
	size_t len;
	int overflow;
};

static int collect_sink(const void *data, size_t len, void *payload)
{
	struct collect *c = payload;

	if (c->len + len > sizeof(c->buf)) {
		c->overflow = 1;
		return 0;
	}
	memcpy(c->buf + c->len, data, len);
	c->len += len;
	return 0;
}

static void check_range(wsp_workspace *ws)
{
	wsp_fs_read_opts o = WSP_FS_READ_OPTS_INIT;
	struct collect c = {0};
	char pbuf[256];
	wsp_error err = {0};
	int rc;

	if (put(ws, P("range.txt"), "0123456789abcdef", &err)) {
		conf_fail("fs.read-range", "write: %s", err.message);
		return;
	}
	o.offset = 4;
	o.length = 6;
	rc = wsp_files_read(ws, P("range.txt"), &o, collect_sink, &c, &err);
	if (rc)
		conf_fail("fs.read-range", "read: %s", err.message);
	else if (c.len != 6 || memcmp(c.buf, "456789", 6))
		conf_fail("fs.read-range",
			  "got %zu bytes '%.*s', want '456789'", c.len,
			  (int)c.len, c.buf);
	else
		conf_pass("fs.read-range");
}

struct pattern {
	size_t pos, total;
};

static unsigned char pattern_byte(size_t i)
{
	return (unsigned char)((i * 31u + i / 4096u) & 0xff);
}

static int pattern_source(void *buf, size_t cap, size_t *out_n, void *payload)
{
	struct pattern *p = payload;
	unsigned char *b = buf;
	size_t n = p->total - p->pos, i;

	/* Small chunks: the provider must cope with many short pieces. */
	if (n > cap)
		n = cap;
	if (n > 65536)
		n = 65536;
	for (i = 0; i < n; i++)
		b[i] = pattern_byte(p->pos + i);
	p->pos += n;
	*out_n = n;
	return 0;
}

static int pattern_check(const void *data, size_t len, void *payload)
{
	struct pattern *p = payload;
	const unsigned char *b = data;
	size_t i;

	for (i = 0; i < len; i++)
		if (p->pos + i >= p->total || b[i] != pattern_byte(p->pos + i))
			return WSP_EIO;
	p->pos += len;
	return 0;
}

static void check_large(wsp_workspace *ws)
{
	wsp_fs_write_opts wo = WSP_FS_WRITE_OPTS_INIT;
	struct pattern w = {0, BIG_SIZE}, r = {0, BIG_SIZE};
	wsp_fs_stat st = {.struct_size = sizeof(st)};
	char pbuf[256];
	wsp_error err = {0};
	int rc;

	wo.size_hint = -1;
	rc = wsp_files_write(&st, ws, P("big.bin"), &wo, pattern_source, &w,
			     &err);
	if (rc) {
		conf_fail("fs.write-streamed-3MiB", "write: %s", err.message);
		return;
	}
	rc = wsp_files_read(ws, P("big.bin"), NULL, pattern_check, &r, &err);
	if (rc == WSP_EIO && r.pos < BIG_SIZE)
		conf_fail("fs.write-streamed-3MiB", "byte %zu differs", r.pos);
	else if (rc)
		conf_fail("fs.write-streamed-3MiB", "read: %s", err.message);
	else if (r.pos != BIG_SIZE)
		conf_fail("fs.write-streamed-3MiB", "read %zu bytes, want %u",
			  r.pos, BIG_SIZE);
	else
		conf_pass("fs.write-streamed-3MiB");
}

static void check_stat(wsp_workspace *ws)
{
	wsp_fs_stat st = {.struct_size = sizeof(st)};
	char pbuf[256];
	wsp_error err = {0};
	int rc;

	rc = wsp_files_stat(&st, ws, P("range.txt"), 0, &err);
	if (rc)
		conf_fail("fs.stat-file", "%s", err.message);
	else if (st.type != WSP_FS_TYPE_FILE || st.size != 16)
		conf_fail("fs.stat-file", "type %u size %llu, want file of 16",
			  st.type, (unsigned long long)st.size);
	else
		conf_pass("fs.stat-file");
	memset(&st, 0, sizeof(st));
	st.struct_size = sizeof(st);
	rc = wsp_files_stat(&st, ws, P("notes"), 0, &err);
	if (rc)
		conf_fail("fs.stat-dir", "%s", err.message);
	else if (st.type != WSP_FS_TYPE_DIR)
		conf_fail("fs.stat-dir", "type %u, want directory", st.type);
	else
		conf_pass("fs.stat-dir");
}

struct seen {
	int a, ab, abc, abcd, deeper, total;
};

static int on_entry(const wsp_fs_entry *e, void *payload)
{
	struct seen *s = payload;

	s->total++;
	if (!strcmp(e->path, "a"))
		s->a = e->type == WSP_FS_TYPE_DIR ? 1 : -1;
	else if (!strcmp(e->path, "a/b"))
		s->ab = e->depth == 2 ? 1 : -1;
	else if (!strcmp(e->path, "a/b/c.txt"))
		s->abc = e->type == WSP_FS_TYPE_FILE && e->size == 1 ? 1 : -1;
	else if (!strcmp(e->path, "a/b/d/e.txt"))
		s->abcd = 1;
	else
		s->deeper = 1;
	return 0;
}

static void check_mkdir_list(wsp_workspace *ws)
{
	wsp_fs_list_opts lo = WSP_FS_LIST_OPTS_INIT;
	struct seen s = {0};
	char pbuf[256];
	wsp_error err = {0};
	int rc;

	rc = wsp_files_mkdir(ws, P("tree/a/b/d"), WSP_FS_RECURSIVE, &err);
	if (!expect("fs.mkdir-recursive", rc, 0, &err))
		return;
	rc = wsp_files_mkdir(ws, P("tree/a/b/d"), WSP_FS_RECURSIVE, &err);
	expect("fs.mkdir-recursive-existing", rc, 0, &err);
	rc = wsp_files_mkdir(ws, P("tree/a"), 0, &err);
	expect("fs.mkdir-existing-eexist", rc, WSP_EEXIST, &err);
	if (put(ws, P("tree/a/b/c.txt"), "x", &err) ||
	    put(ws, P("tree/a/b/d/e.txt"), "y", &err)) {
		conf_fail("fs.list-recursive", "write: %s", err.message);
		return;
	}
	lo.flags = WSP_FS_RECURSIVE;
	rc = wsp_files_list(ws, P("tree"), &lo, on_entry, &s, &err);
	if (rc)
		conf_fail("fs.list-recursive", "%s", err.message);
	else if (s.a != 1 || s.ab != 1 || s.abc != 1 || s.abcd != 1 ||
		 s.total != 5)
		conf_fail("fs.list-recursive",
			  "entries wrong (%d total, want a, a/b, a/b/c.txt, "
			  "a/b/d, a/b/d/e.txt)",
			  s.total);
	else
		conf_pass("fs.list-recursive");
	memset(&s, 0, sizeof(s));
	lo.max_depth = 2;
	rc = wsp_files_list(ws, P("tree"), &lo, on_entry, &s, &err);
	if (rc)
		conf_fail("fs.list-max-depth", "%s", err.message);
	else if (s.a != 1 || s.ab != 1 || s.total != 2)
		conf_fail("fs.list-max-depth", "%d entries, want a and a/b",
			  s.total);
	else
		conf_pass("fs.list-max-depth");
	memset(&s, 0, sizeof(s));
	rc = wsp_files_list(ws, P("tree"), NULL, on_entry, &s, &err);
	if (rc)
		conf_fail("fs.list-children", "%s", err.message);
	else if (s.a != 1 || s.total != 1)
		conf_fail("fs.list-children", "%d entries, want only a",
			  s.total);
	else
		conf_pass("fs.list-children");
}

static void check_remove(wsp_workspace *ws)
{
	char pbuf[256];
	wsp_error err = {0};
	int rc, there = -1;

	rc = wsp_files_rmdir(ws, P("tree/a"), 0, &err);
	expect("fs.rmdir-not-empty", rc, WSP_ENOTEMPTY, &err);
	rc = wsp_files_remove(ws, P("tree/a"), 0, &err);
	expect("fs.remove-dir-eisdir", rc, WSP_EISDIR, &err);
	rc = wsp_files_rmdir(ws, P("range.txt"), 0, &err);
	expect("fs.rmdir-file-enotdir", rc, WSP_ENOTDIR, &err);
	rc = wsp_files_remove(ws, P("tree/a/b/c.txt"), 0, &err);
	if (expect("fs.remove-file", rc, 0, &err)) {
		rc = wsp_files_exists(&there, ws, P("tree/a/b/c.txt"), &err);
		if (rc || there)
			conf_fail("fs.remove-file-gone", "still there");
		else
			conf_pass("fs.remove-file-gone");
	}
	rc = wsp_files_remove(ws, P("tree/missing"), WSP_FS_FORCE, &err);
	expect("fs.remove-missing-force", rc, 0, &err);
	rc = wsp_files_rmdir(ws, P("tree/a"), WSP_FS_RECURSIVE, &err);
	if (expect("fs.rmdir-recursive", rc, 0, &err)) {
		rc = wsp_files_exists(&there, ws, P("tree/a"), &err);
		if (rc || there)
			conf_fail("fs.rmdir-recursive-gone", "still there");
		else
			conf_pass("fs.rmdir-recursive-gone");
	}
}

static void check_copy_move(wsp_workspace *ws)
{
	char pbuf[256], qbuf[256], *got = NULL;
	size_t len = 0;
	wsp_error err = {0};
	int rc, there = -1;

	rc = wsp_files_copy(ws, P("range.txt"), Q("copy.txt"), 0, &err);
	if (expect("fs.copy", rc, 0, &err)) {
		rc = wsp_files_read_all(&got, &len, ws, Q("copy.txt"), 1024,
					&err);
		if (rc || len != 16 || memcmp(got, "0123456789abcdef", 16))
			conf_fail("fs.copy-content", "copy differs");
		else
			conf_pass("fs.copy-content");
		free(got);
		got = NULL;
	}
	rc = wsp_files_copy(ws, P("range.txt"), Q("copy.txt"), 0, &err);
	expect("fs.copy-existing-eexist", rc, WSP_EEXIST, &err);
	rc = wsp_files_copy(ws, P("notes"), Q("notes-copy"), 0, &err);
	expect("fs.copy-dir-needs-recursive", rc, WSP_EISDIR, &err);
	rc = wsp_files_copy(ws, P("notes"), Q("notes-copy"), WSP_FS_RECURSIVE,
			    &err);
	if (expect("fs.copy-recursive", rc, 0, &err)) {
		rc = wsp_files_exists(&there, ws, Q("notes-copy/report.txt"),
				      &err);
		if (rc || !there)
			conf_fail("fs.copy-recursive-content", "file missing");
		else
			conf_pass("fs.copy-recursive-content");
	}
	rc = wsp_files_move(ws, P("copy.txt"), Q("moved.txt"), 0, &err);
	if (expect("fs.move", rc, 0, &err)) {
		int old = -1, new = -1;

		wsp_files_exists(&old, ws, Q("copy.txt"), &err);
		wsp_files_exists(&new, ws, Q("moved.txt"), &err);
		if (old != 0 || new != 1)
			conf_fail("fs.move-effect", "source %d, target %d", old,
				  new);
		else
			conf_pass("fs.move-effect");
	}
	put(ws, Q("other.txt"), "other", &err);
	rc = wsp_files_move(ws, P("other.txt"), Q("moved.txt"), 0, &err);
	expect("fs.move-existing-eexist", rc, WSP_EEXIST, &err);
	rc = wsp_files_move(ws, P("other.txt"), Q("moved.txt"),
			    WSP_FS_OVERWRITE, &err);
	expect("fs.move-overwrite", rc, 0, &err);
}

static void check_errors(wsp_workspace *ws)
{
	wsp_fs_write_opts wo = WSP_FS_WRITE_OPTS_INIT;
	wsp_fs_list_opts lo = WSP_FS_LIST_OPTS_INIT;
	wsp_fs_stat st = {.struct_size = sizeof(st)};
	struct seen s = {0};
	char pbuf[256], *got = NULL;
	size_t len;
	wsp_error err = {0};
	int rc, there = -1;

	rc = wsp_files_stat(&st, ws, P("missing.txt"), 0, &err);
	expect("fs.stat-missing-enotfound", rc, WSP_ENOTFOUND, &err);
	rc = wsp_files_read_all(&got, &len, ws, P("missing.txt"), 64, &err);
	expect("fs.read-missing-enotfound", rc, WSP_ENOTFOUND, &err);
	free(got);
	got = NULL;
	rc = wsp_files_read_all(&got, &len, ws, P("notes"), 64, &err);
	expect("fs.read-dir-eisdir", rc, WSP_EISDIR, &err);
	free(got);
	rc = wsp_files_list(ws, P("range.txt"), &lo, on_entry, &s, &err);
	expect("fs.list-file-enotdir", rc, WSP_ENOTDIR, &err);
	wo.flags = WSP_FS_WRITE_NO_OVERWRITE;
	rc = wsp_files_write_buf(NULL, ws, P("range.txt"), &wo, "z", 1, &err);
	expect("fs.write-no-overwrite-eexist", rc, WSP_EEXIST, &err);
	wo.flags = WSP_FS_WRITE_NO_PARENTS;
	rc = wsp_files_write_buf(NULL, ws, P("nowhere/x.txt"), &wo, "z", 1,
				 &err);
	expect("fs.write-no-parents-enotfound", rc, WSP_ENOTFOUND, &err);
	rc = wsp_files_exists(&there, ws, P("range.txt"), &err);
	if (rc || there != 1)
		conf_fail("fs.exists", "existing file: rc %d, exists %d", rc,
			  there);
	else if (wsp_files_exists(&there, ws, P("missing.txt"), &err) ||
		 there != 0)
		conf_fail("fs.exists", "missing file reported as existing");
	else
		conf_pass("fs.exists");
}

static void check_version(struct conf *c)
{
	wsp_fs_write_opts wo = WSP_FS_WRITE_OPTS_INIT;
	wsp_fs_stat st = {.struct_size = sizeof(st)};
	char pbuf[256], old[WSP_FS_VERSION_MAX];
	wsp_error err = {0};
	int rc;

	if (!(c->caps & WSP_CAP_FS_CONDITIONAL)) {
		conf_skip("fs.expected-version-stale",
			  "provider does not declare WSP_CAP_FS_CONDITIONAL");
		return;
	}
	rc = wsp_files_write_buf(&st, c->ws, P("ver.txt"), NULL, "one", 3,
				 &err);
	if (rc || !st.version[0]) {
		conf_fail("fs.expected-version-stale",
			  "write gave no version token: %s",
			  rc ? err.message : "empty");
		return;
	}
	snprintf(old, sizeof(old), "%s", st.version);
	wo.expected_version = old;
	rc = wsp_files_write_buf(&st, c->ws, P("ver.txt"), &wo, "two!", 4,
				 &err);
	if (!expect("fs.expected-version-match", rc, 0, &err))
		return;
	rc = wsp_files_write_buf(NULL, c->ws, P("ver.txt"), &wo, "three", 5,
				 &err);
	expect("fs.expected-version-stale", rc, WSP_ESTALE, &err);
}

static void check_read_only(struct conf *c)
{
	wsp_workspace *ro = NULL;
	char pbuf[256], *got = NULL;
	size_t len = 0;
	wsp_error err = {0};
	int rc;

	if (!c->has_read_only_opt) {
		conf_skip("fs.read-only", "provider declares no 'read_only' "
					  "option");
		return;
	}
	rc = conf_open(&ro, c, "      read_only: true\n", &err);
	if (rc) {
		conf_fail("fs.read-only", "open with read_only: %s",
			  err.message);
		return;
	}
	rc = wsp_files_read_all(&got, &len, ro, P("range.txt"), 64, &err);
	expect("fs.read-only-read", rc, 0, &err);
	free(got);
	rc = put(ro, P("range.txt"), "changed", &err);
	expect("fs.read-only-write-erofs", rc, WSP_EROFS, &err);
	rc = wsp_files_remove(ro, P("range.txt"), 0, &err);
	expect("fs.read-only-remove-erofs", rc, WSP_EROFS, &err);
	rc = wsp_files_mkdir(ro, P("newdir"), 0, &err);
	expect("fs.read-only-mkdir-erofs", rc, WSP_EROFS, &err);
	wsp_workspace_close(ro);
}

void conf_run_fs(struct conf *c)
{
	wsp_error err = {0};
	int rc;

	snprintf(root, sizeof(root), "/wsp-conformance-%ld", (long)getpid());
	rc = wsp_files_mkdir(c->ws, root, 0, &err);
	if (rc) {
		conf_fail("fs.setup", "cannot create '%s': %s", root,
			  err.message);
		return;
	}
	check_round_trip(c->ws);
	check_range(c->ws);
	check_large(c->ws);
	check_stat(c->ws);
	check_mkdir_list(c->ws);
	check_remove(c->ws);
	check_copy_move(c->ws);
	check_errors(c->ws);
	check_version(c);
	check_read_only(c);
	rc = wsp_files_rmdir(c->ws, root, WSP_FS_RECURSIVE, &err);
	if (rc)
		conf_fail("fs.cleanup", "cannot remove '%s': %s", root,
			  err.message);
}
