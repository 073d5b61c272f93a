/*
 * conformance_fs.c - behavioural checks for a filesystem provider, made
 * through the public files API on a workspace whose root mount is the
 * provider. Everything happens under one fresh directory, removed at the
 * end, so a provider pointed at real data is not disturbed elsewhere.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conformance_fs.h"

#define expect conf_expect
#define put    conf_put

char conf_fs_root[128];

const char *conf_fs_at(char *buf, size_t cap, const char *rel)
{
	snprintf(buf, cap, "%s/%s", conf_fs_root, rel);
	return buf;
}

int conf_put(wsp_workspace *ws, const char *path, const char *text,
	     wsp_error *err)
{
	return wsp_files_write_buf(NULL, ws, NULL, path, NULL, text,
				   strlen(text), err);
}

int conf_holds(wsp_workspace *ws, const char *path, const char *text)
{
	wsp_error err = {0};
	char *got = NULL;
	size_t len = 0;
	int same;

	if (wsp_files_read_all(&got, &len, ws, NULL, path, 1 << 20, &err))
		return 0;
	same = len == strlen(text) && !memcmp(got, text, len);
	free(got);
	return same;
}

int conf_there(wsp_workspace *ws, const char *path)
{
	wsp_error err = {0};
	int there = -1;

	if (wsp_files_exists(&there, ws, NULL, path, &err))
		return -1;
	return there != 0;
}

int conf_count_entries(const wsp_fs_entry *e, void *payload)
{
	(void)e;
	(*(size_t *)payload)++;
	return 0;
}

/* Entry names of a listing, sorted, directories with a trailing '/'. */
struct names {
	char *v[64];
	int n, overflow;
};

static int on_name(const wsp_fs_entry *e, void *payload)
{
	struct names *nm = payload;
	size_t len = strlen(e->path);
	char *s;

	if (nm->n == (int)(sizeof(nm->v) / sizeof(nm->v[0]))) {
		nm->overflow = 1;
		return 0;
	}
	s = malloc(len + 2);
	if (!s)
		return WSP_ENOMEM;
	memcpy(s, e->path, len);
	s[len] = e->type == WSP_FS_TYPE_DIR ? '/' : '\0';
	s[len + 1] = '\0';
	nm->v[nm->n++] = s;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* List path into out as "a/ a/b.md" (sorted); returns the list's code. */
static int list_names(char *out, size_t cap, wsp_workspace *ws,
		      const char *path, const wsp_fs_list_opts *lo,
		      wsp_error *err)
{
	struct names nm = {{0}, 0, 0};
	size_t len = 0;
	int rc, i;

	out[0] = '\0';
	rc = wsp_files_list(ws, NULL, path, lo, on_name, &nm, err);
	qsort(nm.v, (size_t)nm.n, sizeof(nm.v[0]), by_name);
	for (i = 0; i < nm.n; i++) {
		int w = snprintf(out + len, cap - len, "%s%s", i ? " " : "",
				 nm.v[i]);

		if (w > 0 && (size_t)w < cap - len)
			len += (size_t)w;
		free(nm.v[i]);
	}
	if (nm.overflow && len + 4 < cap)
		strcpy(out + len, " ...");
	return rc;
}

/* Pass when listing path gives exactly want (see list_names). */
static void expect_names(const char *check, wsp_workspace *ws, const char *path,
			 const wsp_fs_list_opts *lo, const char *want)
{
	char got[2048];
	wsp_error err = {0};
	int rc = list_names(got, sizeof(got), ws, path, lo, &err);

	if (rc)
		conf_fail(check, "%s", err.message);
	else if (strcmp(got, want))
		conf_fail(check, "listed '%s', want '%s'", got, want);
	else
		conf_pass(check);
}

static void check_round_trip(wsp_workspace *ws)
{
	static const char text[] = "team-data: quarterly numbers\n";
	wsp_fs_stat st = {.struct_size = sizeof(st)};
	char pbuf[256], *got = NULL;
	size_t len = 0;
	wsp_error err = {0};
	int rc;

	rc = wsp_files_write_buf(&st, ws, NULL, P("notes/report.txt"), NULL,
				 text, strlen(text), &err);
	if (rc) {
		conf_fail("fs.write-read", "write: %s", err.message);
		return;
	}
	if (st.type != WSP_FS_TYPE_FILE || st.size != strlen(text))
		conf_fail("fs.write-out-stat",
			  "type %u size %llu, want a file of %zu bytes",
			  st.type, (unsigned long long)st.size, strlen(text));
	else
		conf_pass("fs.write-out-stat");
	rc = wsp_files_read_all(&got, &len, ws, NULL, P("notes/report.txt"),
				1 << 20, &err);
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
	rc = wsp_files_read(ws, NULL, P("range.txt"), &o, collect_sink, &c,
			    &err);
	if (rc)
		conf_fail("fs.read-range", "read: %s", err.message);
	else if (c.len != 6 || memcmp(c.buf, "456789", 6))
		conf_fail("fs.read-range",
			  "got %zu bytes '%.*s', want '456789'", c.len,
			  (int)c.len, c.buf);
	else
		conf_pass("fs.read-range");
	/* From an offset to the end of the file. */
	memset(&c, 0, sizeof(c));
	o.offset = 10;
	o.length = UINT64_MAX;
	rc = wsp_files_read(ws, NULL, P("range.txt"), &o, collect_sink, &c,
			    &err);
	if (rc)
		conf_fail("fs.read-range-to-end", "read: %s", err.message);
	else if (c.len != 6 || memcmp(c.buf, "abcdef", 6))
		conf_fail("fs.read-range-to-end",
			  "got %zu bytes '%.*s', want 'abcdef'", c.len,
			  (int)c.len, c.buf);
	else
		conf_pass("fs.read-range-to-end");
}

static void check_stat(wsp_workspace *ws)
{
	wsp_fs_stat st = {.struct_size = sizeof(st)};
	char pbuf[256];
	wsp_error err = {0};
	int rc;

	rc = wsp_files_stat(&st, ws, NULL, P("range.txt"), 0, &err);
	if (rc)
		conf_fail("fs.stat-file", "%s", err.message);
	else if (st.type != WSP_FS_TYPE_FILE || st.size != 16)
		conf_fail("fs.stat-file", "type %u size %llu, want file of 16",
			  st.type, (unsigned long long)st.size);
	else
		conf_pass("fs.stat-file");
	memset(&st, 0, sizeof(st));
	st.struct_size = sizeof(st);
	rc = wsp_files_stat(&st, ws, NULL, P("notes"), 0, &err);
	if (rc)
		conf_fail("fs.stat-dir", "%s", err.message);
	else if (st.type != WSP_FS_TYPE_DIR)
		conf_fail("fs.stat-dir", "type %u, want directory", st.type);
	else
		conf_pass("fs.stat-dir");
}

/*
 * The version token changes whenever the content does. A token made of a
 * timestamp cannot tell two writes within one clock tick apart (fs.h
 * allows mtime), so the second write comes a little later.
 */
static void check_version_changes(wsp_workspace *ws)
{
	wsp_fs_stat a = {.struct_size = sizeof(a)};
	wsp_fs_stat b = {.struct_size = sizeof(b)};
	char pbuf[256];
	wsp_error err = {0};

	if (put(ws, P("token.txt"), "first", &err) ||
	    wsp_files_stat(&a, ws, NULL, P("token.txt"), 0, &err)) {
		conf_fail("fs.version-changes", "%s", err.message);
		return;
	}
	if (!a.version[0]) {
		conf_skip("fs.version-changes",
			  "provider gives no version token");
		return;
	}
	usleep(50 * 1000);
	if (put(ws, P("token.txt"), "second!", &err) ||
	    wsp_files_stat(&b, ws, NULL, P("token.txt"), 0, &err))
		conf_fail("fs.version-changes", "%s", err.message);
	else if (!strcmp(a.version, b.version))
		conf_fail("fs.version-changes",
			  "version '%s' unchanged by a write", a.version);
	else
		conf_pass("fs.version-changes");
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

/*
 * One rule for every provider (<wsp/fs.h>): names compare byte for byte,
 * so "md" keeps plan.md and not LOUD.MD, and ".MD" the other way round,
 * wherever the mount is served (a disk, a bucket, a sandbox); the whole
 * ending counts, so "tar.gz" keeps pkg.tar.gz. tree/a/b holds plan.md.
 */
static void check_ext_rule(wsp_workspace *ws, wsp_fs_list_opts *lo)
{
	static const char *const md[] = {"md", NULL};
	static const char *const upper_md[] = {".MD", NULL};
	static const char *const tar_gz[] = {"tar.gz", NULL};
	char pbuf[256];
	wsp_error err = {0};

	if (put(ws, P("tree/a/b/LOUD.MD"), "# loud", &err) ||
	    put(ws, P("tree/a/b/pkg.tar.gz"), "gz", &err)) {
		conf_fail("fs.list-extensions-case", "write: %s", err.message);
		return;
	}
	lo->extensions = md;
	expect_names("fs.list-extensions-case", ws, P("tree"), lo,
		     "a/ a/b/ a/b/d/ a/b/plan.md");
	lo->extensions = upper_md;
	expect_names("fs.list-extensions-case-upper", ws, P("tree"), lo,
		     "a/ a/b/ a/b/LOUD.MD a/b/d/");
	lo->extensions = tar_gz;
	expect_names("fs.list-extensions-two-dots", ws, P("tree"), lo,
		     "a/ a/b/ a/b/d/ a/b/pkg.tar.gz");
	if (wsp_files_remove(ws, NULL, P("tree/a/b/LOUD.MD"), 0, &err) ||
	    wsp_files_remove(ws, NULL, P("tree/a/b/pkg.tar.gz"), 0, &err))
		conf_fail("fs.list-extensions-case", "remove: %s",
			  err.message);
}

static void check_mkdir_list(wsp_workspace *ws)
{
	static const char *const md[] = {"md", NULL};
	static const char *const dot_md[] = {".md", NULL};
	wsp_fs_list_opts lo = WSP_FS_LIST_OPTS_INIT;
	struct seen s = {0};
	char pbuf[256];
	wsp_error err = {0};
	int rc;

	rc = wsp_files_mkdir(ws, NULL, P("tree/a/b/d"), WSP_FS_RECURSIVE, &err);
	if (!expect("fs.mkdir-recursive", rc, 0, &err))
		return;
	rc = wsp_files_mkdir(ws, NULL, P("tree/a/b/d"), WSP_FS_RECURSIVE, &err);
	expect("fs.mkdir-recursive-existing", rc, 0, &err);
	rc = wsp_files_mkdir(ws, NULL, P("tree/a"), 0, &err);
	expect("fs.mkdir-existing-eexist", rc, WSP_EEXIST, &err);
	rc = wsp_files_mkdir(ws, NULL, P("range.txt"), WSP_FS_RECURSIVE, &err);
	expect("fs.mkdir-over-file-eexist", rc, WSP_EEXIST, &err);
	if (put(ws, P("tree/a/b/c.txt"), "x", &err) ||
	    put(ws, P("tree/a/b/d/e.txt"), "y", &err)) {
		conf_fail("fs.list-recursive", "write: %s", err.message);
		return;
	}
	lo.flags = WSP_FS_RECURSIVE;
	rc = wsp_files_list(ws, NULL, P("tree"), &lo, on_entry, &s, &err);
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
	rc = wsp_files_list(ws, NULL, P("tree"), &lo, on_entry, &s, &err);
	if (rc)
		conf_fail("fs.list-max-depth", "%s", err.message);
	else if (s.a != 1 || s.ab != 1 || s.total != 2)
		conf_fail("fs.list-max-depth", "%d entries, want a and a/b",
			  s.total);
	else
		conf_pass("fs.list-max-depth");
	memset(&s, 0, sizeof(s));
	rc = wsp_files_list(ws, NULL, P("tree"), NULL, on_entry, &s, &err);
	if (rc)
		conf_fail("fs.list-children", "%s", err.message);
	else if (s.a != 1 || s.total != 1)
		conf_fail("fs.list-children", "%d entries, want only a",
			  s.total);
	else
		conf_pass("fs.list-children");
	/* Extensions keep matching files; directories always pass. */
	if (put(ws, P("tree/a/b/plan.md"), "# plan", &err)) {
		conf_fail("fs.list-extensions", "write: %s", err.message);
		return;
	}
	lo.max_depth = 0;
	lo.extensions = md;
	expect_names("fs.list-extensions", ws, P("tree"), &lo,
		     "a/ a/b/ a/b/d/ a/b/plan.md");
	lo.extensions = dot_md;
	expect_names("fs.list-extensions-dot", ws, P("tree"), &lo,
		     "a/ a/b/ a/b/d/ a/b/plan.md");
	check_ext_rule(ws, &lo);
	rc = wsp_files_remove(ws, NULL, P("tree/a/b/plan.md"), 0, &err);
	if (rc)
		conf_fail("fs.list-extensions", "remove: %s", err.message);
}

static void check_remove(wsp_workspace *ws)
{
	char pbuf[256];
	wsp_error err = {0};
	int rc;

	rc = wsp_files_rmdir(ws, NULL, P("tree/a"), 0, &err);
	expect("fs.rmdir-not-empty", rc, WSP_ENOTEMPTY, &err);
	rc = wsp_files_remove(ws, NULL, P("tree/a"), 0, &err);
	expect("fs.remove-dir-eisdir", rc, WSP_EISDIR, &err);
	rc = wsp_files_rmdir(ws, NULL, P("range.txt"), 0, &err);
	expect("fs.rmdir-file-enotdir", rc, WSP_ENOTDIR, &err);
	rc = wsp_files_remove(ws, NULL, P("tree/a/b/c.txt"), 0, &err);
	if (expect("fs.remove-file", rc, 0, &err)) {
		if (conf_there(ws, P("tree/a/b/c.txt")) != 0)
			conf_fail("fs.remove-file-gone", "still there");
		else
			conf_pass("fs.remove-file-gone");
	}
	rc = wsp_files_remove(ws, NULL, P("tree/missing"), 0, &err);
	expect("fs.remove-missing-enotfound", rc, WSP_ENOTFOUND, &err);
	rc = wsp_files_remove(ws, NULL, P("tree/missing"), WSP_FS_FORCE, &err);
	expect("fs.remove-missing-force", rc, 0, &err);
	rc = wsp_files_rmdir(ws, NULL, P("tree/missing"), 0, &err);
	expect("fs.rmdir-missing-enotfound", rc, WSP_ENOTFOUND, &err);
	rc = wsp_files_rmdir(ws, NULL, P("tree/missing"), WSP_FS_FORCE, &err);
	expect("fs.rmdir-missing-force", rc, 0, &err);
	rc = wsp_files_mkdir(ws, NULL, P("tree/empty"), 0, &err);
	if (expect("fs.mkdir", rc, 0, &err)) {
		rc = wsp_files_rmdir(ws, NULL, P("tree/empty"), 0, &err);
		if (expect("fs.rmdir-empty", rc, 0, &err) &&
		    conf_there(ws, P("tree/empty")) != 0)
			conf_fail("fs.rmdir-empty-gone", "still there");
		else if (!rc)
			conf_pass("fs.rmdir-empty-gone");
	}
	if (put(ws, P("tree/x/y/z.txt"), "z", &err)) {
		conf_fail("fs.remove-recursive", "write: %s", err.message);
	} else {
		rc = wsp_files_remove(ws, NULL, P("tree/x"), WSP_FS_RECURSIVE,
				      &err);
		if (expect("fs.remove-recursive", rc, 0, &err) &&
		    conf_there(ws, P("tree/x")) != 0)
			conf_fail("fs.remove-recursive-gone", "still there");
		else if (!rc)
			conf_pass("fs.remove-recursive-gone");
	}
	rc = wsp_files_rmdir(ws, NULL, P("tree/a"), WSP_FS_RECURSIVE, &err);
	if (expect("fs.rmdir-recursive", rc, 0, &err)) {
		if (conf_there(ws, P("tree/a")) != 0)
			conf_fail("fs.rmdir-recursive-gone", "still there");
		else
			conf_pass("fs.rmdir-recursive-gone");
	}
}

static void check_copy(wsp_workspace *ws)
{
	char pbuf[256], qbuf[256];
	wsp_error err = {0};
	int rc;

	rc = wsp_files_copy(ws, NULL, P("range.txt"), Q("copy.txt"), 0, &err);
	if (expect("fs.copy", rc, 0, &err)) {
		if (!conf_holds(ws, Q("copy.txt"), "0123456789abcdef"))
			conf_fail("fs.copy-content", "copy differs");
		else
			conf_pass("fs.copy-content");
	}
	rc = wsp_files_copy(ws, NULL, P("missing.txt"), Q("copy2.txt"), 0,
			    &err);
	expect("fs.copy-missing-enotfound", rc, WSP_ENOTFOUND, &err);
	rc = wsp_files_copy(ws, NULL, P("range.txt"), Q("copy.txt"), 0, &err);
	expect("fs.copy-existing-eexist", rc, WSP_EEXIST, &err);
	if (!put(ws, P("copy-src.txt"), "newer", &err)) {
		rc = wsp_files_copy(ws, NULL, P("copy-src.txt"), Q("copy.txt"),
				    WSP_FS_OVERWRITE, &err);
		if (expect("fs.copy-overwrite", rc, 0, &err)) {
			if (!conf_holds(ws, Q("copy.txt"), "newer"))
				conf_fail("fs.copy-overwrite-content",
					  "destination not replaced");
			else
				conf_pass("fs.copy-overwrite-content");
		}
	}
	rc = wsp_files_copy(ws, NULL, P("notes"), Q("notes-copy"), 0, &err);
	expect("fs.copy-dir-needs-recursive", rc, WSP_EISDIR, &err);
	rc = wsp_files_copy(ws, NULL, P("notes"), Q("notes-copy"),
			    WSP_FS_RECURSIVE, &err);
	if (expect("fs.copy-recursive", rc, 0, &err)) {
		if (!conf_holds(ws, Q("notes-copy/report.txt"),
				"team-data: quarterly numbers\n"))
			conf_fail("fs.copy-recursive-content",
				  "file missing or different");
		else
			conf_pass("fs.copy-recursive-content");
	}
}

static void check_move(wsp_workspace *ws)
{
	char pbuf[256], qbuf[256];
	wsp_error err = {0};
	int rc;

	rc = wsp_files_move(ws, NULL, P("copy.txt"), Q("moved.txt"), 0, &err);
	if (expect("fs.move", rc, 0, &err)) {
		int old = conf_there(ws, P("copy.txt"));

		if (old != 0 || !conf_holds(ws, Q("moved.txt"), "newer"))
			conf_fail("fs.move-effect", "source %s, target %s",
				  old ? "still there" : "gone",
				  conf_holds(ws, Q("moved.txt"), "newer")
					  ? "right"
					  : "missing or different");
		else
			conf_pass("fs.move-effect");
	}
	rc = wsp_files_move(ws, NULL, P("missing.txt"), Q("moved2.txt"), 0,
			    &err);
	expect("fs.move-missing-enotfound", rc, WSP_ENOTFOUND, &err);
	put(ws, Q("other.txt"), "other", &err);
	rc = wsp_files_move(ws, NULL, P("other.txt"), Q("moved.txt"), 0, &err);
	expect("fs.move-existing-eexist", rc, WSP_EEXIST, &err);
	if (!conf_holds(ws, Q("moved.txt"), "newer"))
		conf_fail("fs.move-existing-untouched",
			  "refused move changed the destination");
	else
		conf_pass("fs.move-existing-untouched");
	rc = wsp_files_move(ws, NULL, P("other.txt"), Q("moved.txt"),
			    WSP_FS_OVERWRITE, &err);
	if (expect("fs.move-overwrite", rc, 0, &err)) {
		if (!conf_holds(ws, Q("moved.txt"), "other"))
			conf_fail("fs.move-overwrite-content",
				  "destination not replaced");
		else
			conf_pass("fs.move-overwrite-content");
	}
	rc = wsp_files_move(ws, NULL, P("notes-copy"), Q("notes-moved"), 0,
			    &err);
	if (expect("fs.move-dir", rc, 0, &err)) {
		if (conf_there(ws, P("notes-copy")) != 0 ||
		    !conf_holds(ws, Q("notes-moved/report.txt"),
				"team-data: quarterly numbers\n"))
			conf_fail("fs.move-dir-effect",
				  "source left or content lost");
		else
			conf_pass("fs.move-dir-effect");
	}
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
	int rc;

	rc = wsp_files_stat(&st, ws, NULL, P("missing.txt"), 0, &err);
	expect("fs.stat-missing-enotfound", rc, WSP_ENOTFOUND, &err);
	rc = wsp_files_read_all(&got, &len, ws, NULL, P("missing.txt"), 64,
				&err);
	expect("fs.read-missing-enotfound", rc, WSP_ENOTFOUND, &err);
	free(got);
	got = NULL;
	rc = wsp_files_read_all(&got, &len, ws, NULL, P("notes"), 64, &err);
	expect("fs.read-dir-eisdir", rc, WSP_EISDIR, &err);
	free(got);
	rc = wsp_files_list(ws, NULL, P("range.txt"), &lo, on_entry, &s, &err);
	expect("fs.list-file-enotdir", rc, WSP_ENOTDIR, &err);
	rc = wsp_files_list(ws, NULL, P("missing"), &lo, on_entry, &s, &err);
	expect("fs.list-missing-enotfound", rc, WSP_ENOTFOUND, &err);
	wo.flags = WSP_FS_WRITE_NO_OVERWRITE;
	rc = wsp_files_write_buf(NULL, ws, NULL, P("range.txt"), &wo, "z", 1,
				 &err);
	expect("fs.write-no-overwrite-eexist", rc, WSP_EEXIST, &err);
	if (!conf_holds(ws, P("range.txt"), "0123456789abcdef")) {
		conf_fail("fs.write-no-overwrite-untouched",
			  "refused write changed the file");
		/* Later checks read it: do not let one failure cascade. */
		put(ws, P("range.txt"), "0123456789abcdef", &err);
	} else {
		conf_pass("fs.write-no-overwrite-untouched");
	}
	rc = wsp_files_write_buf(NULL, ws, NULL, P("fresh.txt"), &wo, "new", 3,
				 &err);
	if (expect("fs.write-no-overwrite-new", rc, 0, &err) &&
	    !conf_holds(ws, P("fresh.txt"), "new"))
		conf_fail("fs.write-no-overwrite-new", "content differs");
	wo.flags = WSP_FS_WRITE_NO_PARENTS;
	rc = wsp_files_write_buf(NULL, ws, NULL, P("nowhere/x.txt"), &wo, "z",
				 1, &err);
	expect("fs.write-no-parents-enotfound", rc, WSP_ENOTFOUND, &err);
	if (conf_there(ws, P("nowhere")) != 0)
		conf_fail("fs.write-no-parents-nothing-made",
			  "the parent was created");
	else
		conf_pass("fs.write-no-parents-nothing-made");
	if (conf_there(ws, P("range.txt")) != 1 ||
	    conf_there(ws, P("notes")) != 1)
		conf_fail("fs.exists", "existing file or directory not seen");
	else if (conf_there(ws, P("missing.txt")) != 0)
		conf_fail("fs.exists", "missing file reported as existing");
	else
		conf_pass("fs.exists");
}

/* host_path: the file's bytes on the local disk, or WSP_ENOTSUP. */
static void check_host_path(struct conf *c)
{
	char pbuf[256], host[4096], got[32] = "";
	wsp_error err = {0};
	ssize_t n = -1;
	int rc, fd;

	rc = wsp_files_host_path(host, sizeof(host), c->ws, NULL,
				 P("range.txt"), &err);
	if (!(c->caps & WSP_CAP_FS_LOCAL_PATH)) {
		if (rc == WSP_ENOTSUP)
			conf_pass("fs.host-path-enotsup");
		else
			conf_fail("fs.host-path-enotsup",
				  "no WSP_CAP_FS_LOCAL_PATH, but got %s",
				  conf_errname(rc));
		return;
	}
	if (rc) {
		conf_fail("fs.host-path", "%s", err.message);
		return;
	}
	fd = open(host, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, got, sizeof(got) - 1);
		close(fd);
	}
	if (n != 16 || memcmp(got, "0123456789abcdef", 16))
		conf_fail("fs.host-path", "'%s' does not hold the file", host);
	else
		conf_pass("fs.host-path");
}

void conf_run_fs(struct conf *c)
{
	wsp_error err = {0};
	int rc;

	snprintf(conf_fs_root, sizeof(conf_fs_root), "/wsp-conformance-%ld",
		 (long)getpid());
	rc = wsp_files_mkdir(c->ws, NULL, conf_fs_root, 0, &err);
	if (rc) {
		conf_fail("fs.setup", "cannot create '%s': %s", conf_fs_root,
			  err.message);
		return;
	}
	check_round_trip(c->ws);
	check_range(c->ws);
	check_stat(c->ws);
	check_version_changes(c->ws);
	check_mkdir_list(c->ws);
	check_remove(c->ws);
	check_copy(c->ws);
	check_move(c->ws);
	check_errors(c->ws);
	check_host_path(c);
	conf_fs_run_mount_source(c);
	conf_fs_run_writes(c);
	conf_fs_run_call(c);
	conf_fs_run_large(c);
	conf_fs_run_read_only(c);
	conf_fs_run_symlinks(c);
	rc = wsp_files_rmdir(c->ws, NULL, conf_fs_root, WSP_FS_RECURSIVE, &err);
	if (rc)
		conf_fail("fs.cleanup", "cannot remove '%s': %s", conf_fs_root,
			  err.message);
}
