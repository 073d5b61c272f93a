/*
 * conformance_fs_write.c - checks of how a filesystem provider writes:
 * append, the expected-mtime and expected-version preconditions, files of
 * several MiB streamed in odd-sized pieces, and the refusals of a
 * read_only instance. (Expired calls: conformance_fs_call.c.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conformance_fs.h"

/* A file of BIG_SIZE bytes: more than a multipart part, not a round size. */
#define BIG_SIZE (7u * 1024 * 1024 + 12345)

static int put_with(wsp_workspace *ws, const char *path,
		    const wsp_fs_write_opts *wo, const char *text,
		    wsp_error *err)
{
	return wsp_files_write_buf(NULL, ws, NULL, path, wo, text, strlen(text),
				   err);
}

/* Append adds to the end, and creates a missing file; or is refused. */
static void check_append(wsp_workspace *ws)
{
	wsp_fs_write_opts wo = WSP_FS_WRITE_OPTS_INIT;
	char pbuf[256];
	wsp_error err = {0};
	int rc;

	if (conf_put(ws, P("log.txt"), "first;", &err)) {
		conf_fail("fs.append", "write: %s", err.message);
		return;
	}
	wo.flags = WSP_FS_WRITE_APPEND;
	rc = put_with(ws, P("log.txt"), &wo, "second", &err);
	if (rc == WSP_ENOTSUP) {
		/* fs.h: a provider that cannot append says so this way. */
		conf_skip("fs.append", "provider refuses append: %s",
			  err.message);
		if (!conf_holds(ws, P("log.txt"), "first;"))
			conf_fail("fs.append-refused-untouched",
				  "refused append changed the file");
		else
			conf_pass("fs.append-refused-untouched");
		return;
	}
	if (rc)
		conf_fail("fs.append", "%s (%s)", err.message,
			  conf_errname(rc));
	else if (!conf_holds(ws, P("log.txt"), "first;second"))
		conf_fail("fs.append", "file does not hold 'first;second'");
	else
		conf_pass("fs.append");
	rc = put_with(ws, P("new-log.txt"), &wo, "only", &err);
	if (rc)
		conf_fail("fs.append-creates", "%s (%s)", err.message,
			  conf_errname(rc));
	else if (!conf_holds(ws, P("new-log.txt"), "only"))
		conf_fail("fs.append-creates", "file does not hold 'only'");
	else
		conf_pass("fs.append-creates");
}

/*
 * expected_mtime_ns: the file's own mtime lets the write through; one
 * ten seconds older (any provider's clock tells that apart) gives
 * WSP_ESTALE and leaves the file as it was.
 */
static void check_expected_mtime(struct conf *c)
{
	wsp_fs_write_opts wo = WSP_FS_WRITE_OPTS_INIT;
	wsp_fs_stat st = {.struct_size = sizeof(st)};
	char pbuf[256];
	wsp_error err = {0};
	int rc;

	if (conf_put(c->ws, P("mtime.txt"), "one", &err) ||
	    wsp_files_stat(&st, c->ws, NULL, P("mtime.txt"), 0, &err)) {
		conf_fail("fs.expected-mtime-match", "%s", err.message);
		return;
	}
	wo.expected_mtime_ns = st.mtime_ns;
	rc = put_with(c->ws, P("mtime.txt"), &wo, "two", &err);
	if (conf_expect("fs.expected-mtime-match", rc, 0, &err) &&
	    !conf_holds(c->ws, P("mtime.txt"), "two"))
		conf_fail("fs.expected-mtime-match", "file not written");
	wo.expected_mtime_ns = st.mtime_ns - INT64_C(10000000000);
	rc = put_with(c->ws, P("mtime.txt"), &wo, "three", &err);
	conf_expect("fs.expected-mtime-stale", rc, WSP_ESTALE, &err);
	if (!conf_holds(c->ws, P("mtime.txt"), "two"))
		conf_fail("fs.expected-mtime-stale-untouched",
			  "refused write changed the file");
	else
		conf_pass("fs.expected-mtime-stale-untouched");
}

/*
 * expected_version: the version stat gives lets a write through; after
 * another write changed the file, the old version gives WSP_ESTALE.
 */
static void check_expected_version(struct conf *c)
{
	wsp_fs_write_opts wo = WSP_FS_WRITE_OPTS_INIT;
	wsp_fs_stat st = {.struct_size = sizeof(st)};
	char pbuf[256], old[WSP_FS_VERSION_MAX];
	wsp_error err = {0};
	int rc;

	if (conf_put(c->ws, P("ver.txt"), "one", &err) ||
	    wsp_files_stat(&st, c->ws, NULL, P("ver.txt"), 0, &err)) {
		conf_fail("fs.expected-version-match", "%s", err.message);
		return;
	}
	if (!st.version[0]) {
		conf_fail("fs.expected-version-match",
			  "WSP_CAP_FS_CONDITIONAL, but stat gives no version");
		return;
	}
	snprintf(old, sizeof(old), "%s", st.version);
	wo.expected_version = old;
	usleep(50 * 1000); /* a new mtime, for mtime-based versions */
	rc = put_with(c->ws, P("ver.txt"), &wo, "two!", &err);
	if (!conf_expect("fs.expected-version-match", rc, 0, &err))
		return;
	rc = put_with(c->ws, P("ver.txt"), &wo, "three", &err);
	conf_expect("fs.expected-version-stale", rc, WSP_ESTALE, &err);
	if (!conf_holds(c->ws, P("ver.txt"), "two!"))
		conf_fail("fs.expected-version-stale-untouched",
			  "refused write changed the file");
	else
		conf_pass("fs.expected-version-stale-untouched");
}

void conf_fs_run_writes(struct conf *c)
{
	static const char *const cond[] = {
		"fs.expected-mtime-match",
		"fs.expected-mtime-stale",
		"fs.expected-version-match",
		"fs.expected-version-stale",
	};
	size_t i;

	check_append(c->ws);
	if (!(c->caps & WSP_CAP_FS_CONDITIONAL)) {
		for (i = 0; i < sizeof(cond) / sizeof(cond[0]); i++)
			conf_skip(cond[i], "provider does not declare "
					   "WSP_CAP_FS_CONDITIONAL");
		return;
	}
	check_expected_mtime(c);
	check_expected_version(c);
}

/* ---- large files ------------------------------------------------------- */

struct pattern {
	size_t pos, total, turn;
};

static unsigned char pattern_byte(size_t i)
{
	return (unsigned char)((i * 31u + i / 4093u) & 0xff);
}

/* Pieces of odd sizes, so no chunk boundary lines up with a block. */
static int pattern_source(void *buf, size_t cap, size_t *out_n, void *payload)
{
	static const size_t sizes[] = {1, 4093, 65537, 7, 333331, 1000003};
	struct pattern *p = payload;
	unsigned char *b = buf;
	size_t n = p->total - p->pos, i;

	if (n > sizes[p->turn % 6])
		n = sizes[p->turn % 6];
	if (n > cap)
		n = cap;
	p->turn++;
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

/* Read [from, from + len) of big.bin and compare with the pattern. */
static void check_big_read(wsp_workspace *ws, const char *check, size_t from,
			   size_t len)
{
	wsp_fs_read_opts ro = WSP_FS_READ_OPTS_INIT;
	struct pattern r = {from, from + len, 0};
	char pbuf[256];
	wsp_error err = {0};
	int rc;

	ro.offset = from;
	ro.length = len;
	rc = wsp_files_read(ws, NULL, P("big.bin"), &ro, pattern_check, &r,
			    &err);
	if (rc == WSP_EIO && r.pos < from + len)
		conf_fail(check, "byte %zu differs", r.pos);
	else if (rc)
		conf_fail(check, "read: %s", err.message);
	else if (r.pos != from + len)
		conf_fail(check, "read %zu bytes, want %zu", r.pos - from, len);
	else
		conf_pass(check);
}

void conf_fs_run_large(struct conf *c)
{
	wsp_fs_write_opts wo = WSP_FS_WRITE_OPTS_INIT;
	wsp_fs_stat st = {.struct_size = sizeof(st)};
	struct pattern w = {0, BIG_SIZE, 0};
	char pbuf[256];
	wsp_error err = {0};
	int rc;

	rc = wsp_files_write(&st, c->ws, NULL, P("big.bin"), &wo,
			     pattern_source, &w, &err);
	if (rc) {
		conf_fail("fs.large-write", "write: %s", err.message);
		return;
	}
	if (st.size != BIG_SIZE)
		conf_fail("fs.large-write", "wrote %llu bytes, want %u",
			  (unsigned long long)st.size, BIG_SIZE);
	else
		conf_pass("fs.large-write");
	check_big_read(c->ws, "fs.large-read", 0, BIG_SIZE);
	/* A range across the first MiB boundaries, at odd offsets. */
	check_big_read(c->ws, "fs.large-read-range", 1048573, 3000001);
	rc = wsp_files_remove(c->ws, NULL, P("big.bin"), 0, &err);
	if (rc)
		conf_fail("fs.large-remove", "%s", err.message);
}

/* ---- read_only --------------------------------------------------------- */

/* Every change refused with WSP_EROFS; nothing changed (seen read-write). */
void conf_fs_run_read_only(struct conf *c)
{
	wsp_fs_write_opts ap = WSP_FS_WRITE_OPTS_INIT;
	wsp_workspace *ro = NULL;
	char pbuf[256], qbuf[256];
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
	if (!conf_holds(ro, P("range.txt"), "0123456789abcdef"))
		conf_fail("fs.read-only-read", "cannot read the file");
	else
		conf_pass("fs.read-only-read");
	rc = conf_put(ro, P("range.txt"), "changed", &err);
	conf_expect("fs.read-only-write-erofs", rc, WSP_EROFS, &err);
	rc = conf_put(ro, P("ro-new.txt"), "new", &err);
	conf_expect("fs.read-only-create-erofs", rc, WSP_EROFS, &err);
	ap.flags = WSP_FS_WRITE_APPEND;
	rc = put_with(ro, P("range.txt"), &ap, "more", &err);
	conf_expect("fs.read-only-append-erofs", rc, WSP_EROFS, &err);
	rc = wsp_files_remove(ro, NULL, P("range.txt"), 0, &err);
	conf_expect("fs.read-only-remove-erofs", rc, WSP_EROFS, &err);
	rc = wsp_files_mkdir(ro, NULL, P("newdir"), 0, &err);
	conf_expect("fs.read-only-mkdir-erofs", rc, WSP_EROFS, &err);
	rc = wsp_files_rmdir(ro, NULL, P("notes"), WSP_FS_RECURSIVE, &err);
	conf_expect("fs.read-only-rmdir-erofs", rc, WSP_EROFS, &err);
	rc = wsp_files_copy(ro, NULL, P("range.txt"), Q("ro-copy.txt"), 0,
			    &err);
	conf_expect("fs.read-only-copy-erofs", rc, WSP_EROFS, &err);
	rc = wsp_files_move(ro, NULL, P("range.txt"), Q("ro-moved.txt"), 0,
			    &err);
	conf_expect("fs.read-only-move-erofs", rc, WSP_EROFS, &err);
	wsp_workspace_close(ro);
	if (!conf_holds(c->ws, P("range.txt"), "0123456789abcdef") ||
	    conf_there(c->ws, P("notes/report.txt")) != 1 ||
	    conf_there(c->ws, P("ro-new.txt")) != 0 ||
	    conf_there(c->ws, P("newdir")) != 0 ||
	    conf_there(c->ws, P("ro-copy.txt")) != 0 ||
	    conf_there(c->ws, P("ro-moved.txt")) != 0)
		conf_fail("fs.read-only-untouched",
			  "a refused change reached the files");
	else
		conf_pass("fs.read-only-untouched");
}
