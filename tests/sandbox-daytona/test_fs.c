/*
 * tests/sandbox-daytona/test_fs.c - the sandbox's disk as a filesystem
 * (the descriptor's sandbox_fs) against the Daytona fake: a streamed
 * write goes up as one multipart part (chunked, or with its length when
 * known) under a temporary name and is renamed into place (what a
 * command then reads), reads whole and by part, stat, listings to a
 * depth, mkdir, remove and rmdir with wsp's rules, move and copy, paths
 * with quotes and spaces, the refusals, and failures that leave neither
 * a half file nor a temporary one. What the toolbox saw is checked in
 * the fake's request log; the client's memory while 48 MiB go up and
 * down stays far below the file's size.
 */
#include "daytona.h"
#include "dt_fake.h"

#include <cu_main.h>
#include <test_bytes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static wsp_fakehost *fh;
static void *box;

static const wsp_fs_vtable *fs(void)
{
	return dt_desc()->sandbox_fs;
}

static int suite_init(void)
{
	wsp_error err = { 0 };

	if (dt_fake_start(NULL))
		return -1;
	if (dt_box_open(&fh, &box, NULL, &err)) {
		fprintf(stderr, "open: %s\n", err.message);
		return -1;
	}
	return 0;
}

static int suite_clean(void)
{
	wsp_error err = { 0 };

	if (box)
		dt_desc()->sandbox->destroy(box, &dt_no_call, 0, &err);
	dt_box_close(fh, box);
	dt_fake_stop();
	return 0;
}

/* A sink that checks the pattern from `at` on, keeping nothing. */
struct check {
	size_t at, seen, bad;
};

static int check_take(const void *data, size_t len, void *payload)
{
	struct check *c = payload;

	for (size_t i = 0; i < len; i++)
		if (((const unsigned char *)data)[i] !=
		    (unsigned char)((c->at + c->seen + i) % 251))
			c->bad++;
	c->seen += len;
	return 0;
}

struct text {
	char buf[4096];
	size_t len;
};

static int text_take(const void *data, size_t len, void *payload)
{
	struct text *t = payload;

	if (t->len + len >= sizeof t->buf)
		return WSP_ETOOBIG;
	memcpy(t->buf + t->len, data, len);
	t->len += len;
	t->buf[t->len] = '\0';
	return 0;
}

static int put(const char *path, const char *s, uint32_t flags)
{
	wsp_fs_write_opts o = WSP_FS_WRITE_OPTS_INIT;
	struct text_src t = { s, 0 };
	wsp_error err = { 0 };
	int rc;

	o.flags = flags;
	rc = fs()->write(NULL, box, &dt_no_call, path, &o, text_give, &t, &err);
	if (rc && rc != WSP_EEXIST && rc != WSP_ENOTSUP)
		fprintf(stderr, "write %s: %s\n", path, err.message);
	return rc;
}

/* The file's text ("" and the code when it cannot be read). */
static int get(struct text *t, const char *path)
{
	wsp_fs_read_opts o = WSP_FS_READ_OPTS_INIT;
	wsp_error err = { 0 };

	memset(t, 0, sizeof *t);
	o.length = UINT64_MAX;
	return fs()->read(box, &dt_no_call, path, &o, text_take, t, &err);
}

/* stdout of sh in the sandbox (its working directory). */
static void sh(struct text *out, const char *shell)
{
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	wsp_exec_result r = { .struct_size = sizeof r };
	wsp_error err = { 0 };
	const wsp_host *h = wsp_fakehost_host(fh);

	memset(out, 0, sizeof *out);
	o.shell = shell;
	CU_ASSERT_FATAL(dt_desc()->sandbox->exec(&r, box, &dt_no_call, &o,
						 &err) == 0);
	CU_ASSERT_EQUAL(r.exit_code, 0);
	snprintf(out->buf, sizeof out->buf, "%.*s", (int)r.stdout_len,
		 r.stdout_data ? r.stdout_data : "");
	out->len = strlen(out->buf);
	h->free(h, r.stdout_data);
	h->free(h, r.stderr_data);
}

/* The newest request of this method whose path ends with tail (a copy). */
static cJSON *last_request(const char *method, const char *tail)
{
	cJSON *j = NULL, *r, *found = NULL;

	if (dt_fake_call(fh, "GET", "/_fake/requests", NULL, &j))
		return NULL;
	cJSON_ArrayForEach(r, cJSON_GetObjectItem(j, "requests")) {
		const char *m = cJSON_GetStringValue(cJSON_GetObjectItem(r, "method"));
		const char *p = cJSON_GetStringValue(cJSON_GetObjectItem(r, "path"));

		if (m && p && !strcmp(m, method) && strlen(p) >= strlen(tail) &&
		    !strcmp(p + strlen(p) - strlen(tail), tail))
			found = r;
	}
	found = found ? cJSON_Duplicate(found, 1) : NULL;
	cJSON_Delete(j);
	return found;
}

static long peak_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static void test_stream(void)
{
	wsp_fs_write_opts o = WSP_FS_WRITE_OPTS_INIT;
	wsp_fs_read_opts ro = WSP_FS_READ_OPTS_INIT;
	wsp_fs_stat st = { .struct_size = sizeof st };
	struct src s = { .total = 48u << 20, .piece = 100000 };
	struct check c = { 0 };
	wsp_error err = { 0 };
	struct text t;
	cJSON *up, *h;
	const char *body;
	long before = peak_kib();
	int rc;

	/* 48 MiB of unknown size: one chunked multipart part */
	rc = fs()->write(&st, box, &dt_no_call, "big/data.bin", &o, give, &s,
			 &err);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	if (rc)
		fprintf(stderr, "write: %s\n", err.message);
	CU_ASSERT_EQUAL(st.size, 48u << 20);
	CU_ASSERT_EQUAL(st.type, WSP_FS_TYPE_FILE);
	up = last_request("POST", "/files/bulk-upload");
	CU_ASSERT_FATAL(up != NULL);
	CU_ASSERT_TRUE(cJSON_IsTrue(cJSON_GetObjectItem(up, "chunked")));
	h = cJSON_GetObjectItem(up, "headers");
	CU_ASSERT_PTR_NOT_NULL(strstr(cJSON_GetStringValue(cJSON_GetObjectItem(
					      h, "content-type")),
				      "multipart/form-data; boundary=wsp-"));
	cJSON_Delete(up);
	/* a text write shows the body: the path part, then the file part */
	CU_ASSERT_EQUAL(put("big/t.txt", "some text\n", 0), 0);
	up = last_request("POST", "/files/bulk-upload");
	body = cJSON_GetStringValue(cJSON_GetObjectItem(up, "body"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(body);
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "name=\"files[0].path\"\r\n"
					    "\r\n/home/daytona/big/"
					    ".wsp-upload-"));
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "name=\"files[0].file\"; "
					    "filename=\".wsp-upload-"));
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "\r\n\r\nsome text\n\r\n--wsp-"));
	cJSON_Delete(up);
	/* renamed into place by mv -f in the sandbox */
	up = last_request("POST", "/process/execute");
	CU_ASSERT_FATAL(up != NULL);
	body = cJSON_GetStringValue(cJSON_GetObjectItem(up, "body"));
	CU_ASSERT_PTR_NOT_NULL(body && strstr(body, "mv -f -- '/home/daytona"
						    "/big/.wsp-upload-"));
	cJSON_Delete(up);
	sh(&t, "ls -a big; wc -c < big/data.bin");
	CU_ASSERT_STRING_EQUAL(t.buf, ".\n..\ndata.bin\nt.txt\n50331648\n");

	/* read whole: every byte, in pieces as they come, no Range */
	ro.length = UINT64_MAX;
	rc = fs()->read(box, &dt_no_call, "big/data.bin", &ro, check_take, &c,
			&err);
	CU_ASSERT_EQUAL(rc, 0);
	up = last_request("GET", "/files/download");
	CU_ASSERT_PTR_NULL(cJSON_GetObjectItem(cJSON_GetObjectItem(up, "headers"),
					       "range"));
	cJSON_Delete(up);
	CU_ASSERT_EQUAL(c.seen, 48u << 20);
	CU_ASSERT_EQUAL(c.bad, 0);
	/* nothing held whole: the peak grew by far less than the file */
	CU_ASSERT_TRUE(peak_kib() - before < 16 * 1024);
	if (peak_kib() - before >= 16 * 1024)
		fprintf(stderr, "peak grew by %ld KiB\n", peak_kib() - before);

	/* a part: exactly its bytes */
	c = (struct check){ .at = 5000001 };
	ro.offset = 5000001;
	ro.length = 777777;
	CU_ASSERT_EQUAL(fs()->read(box, &dt_no_call, "big/data.bin", &ro,
				   check_take, &c, &err), 0);
	CU_ASSERT_EQUAL(c.seen, 777777);
	CU_ASSERT_EQUAL(c.bad, 0);
	/* asked with a Range (the fake answers 206, as Go's ServeFile) */
	up = last_request("GET", "/files/download");
	body = cJSON_GetStringValue(cJSON_GetObjectItem(
		cJSON_GetObjectItem(up, "headers"), "range"));
	CU_ASSERT_STRING_EQUAL(body ? body : "", "bytes=5000001-5777777");
	cJSON_Delete(up);
	/* from an offset to the end */
	c = (struct check){ .at = (48u << 20) - 1000 };
	ro.offset = (48u << 20) - 1000;
	ro.length = UINT64_MAX;
	CU_ASSERT_EQUAL(fs()->read(box, &dt_no_call, "big/data.bin", &ro,
				   check_take, &c, &err), 0);
	CU_ASSERT_EQUAL(c.seen, 1000);
	CU_ASSERT_EQUAL(c.bad, 0);
	/* past the end: nothing, no error */
	c = (struct check){ 0 };
	ro.offset = 48u << 20;
	CU_ASSERT_EQUAL(fs()->read(box, &dt_no_call, "big/data.bin", &ro,
				   check_take, &c, &err), 0);
	CU_ASSERT_EQUAL(c.seen, 0);

	/* a size known: sent with its length, not chunked */
	s = (struct src){ .total = 300000, .piece = 7000 };
	o.flags = WSP_FS_WRITE_SIZE_KNOWN;
	o.size_hint = 300000;
	CU_ASSERT_EQUAL(fs()->write(NULL, box, &dt_no_call, "big/data.bin", &o,
				    give, &s, &err), 0);
	up = last_request("POST", "/files/bulk-upload");
	CU_ASSERT_FALSE(cJSON_IsTrue(cJSON_GetObjectItem(up, "chunked")));
	cJSON_Delete(up);
	CU_ASSERT_EQUAL(fs()->stat(&st, box, &dt_no_call, "big/data.bin", 0,
				   &err), 0);
	CU_ASSERT_EQUAL(st.size, 300000);
	CU_ASSERT_EQUAL(fs()->rmdir(box, &dt_no_call, "big", WSP_FS_RECURSIVE,
				    &err), 0);
}

static void test_meta(void)
{
	wsp_fs_stat st = { .struct_size = sizeof st };
	wsp_error err = { 0 };
	struct text t;
	int there = -1;

	CU_ASSERT_EQUAL(put("m/a.txt", "alpha\n", 0), 0);
	CU_ASSERT_EQUAL(fs()->stat(&st, box, &dt_no_call, "m/a.txt", 0, &err),
			0);
	CU_ASSERT_EQUAL(st.type, WSP_FS_TYPE_FILE);
	CU_ASSERT_EQUAL(st.size, 6);
	CU_ASSERT_EQUAL(st.mode, 0644);
	CU_ASSERT_TRUE(st.mtime_ns > 1700000000LL * 1000000000LL);
	CU_ASSERT_EQUAL(fs()->stat(&st, box, &dt_no_call, "m", 0, &err), 0);
	CU_ASSERT_EQUAL(st.type, WSP_FS_TYPE_DIR);
	CU_ASSERT_EQUAL(st.size, 0);
	/* the root is the working directory commands start in */
	CU_ASSERT_EQUAL(fs()->stat(&st, box, &dt_no_call, ".", 0, &err), 0);
	CU_ASSERT_EQUAL(st.type, WSP_FS_TYPE_DIR);
	sh(&t, "cat m/a.txt");
	CU_ASSERT_STRING_EQUAL(t.buf, "alpha\n");
	CU_ASSERT_EQUAL(fs()->stat(&st, box, &dt_no_call, "m/none", 0, &err),
			WSP_ENOTFOUND);
	/* under a file: no such path */
	CU_ASSERT_EQUAL(fs()->exists(&there, box, &dt_no_call, "m/a.txt/x", 0,
				     &err), 0);
	CU_ASSERT_EQUAL(there, 0);
	CU_ASSERT_EQUAL(fs()->exists(&there, box, &dt_no_call, "m/a.txt", 0,
				     &err), 0);
	CU_ASSERT_EQUAL(there, 1);

	/* mkdir: parents only with RECURSIVE; existing only as a dir */
	CU_ASSERT_EQUAL(fs()->mkdir(box, &dt_no_call, "m/x/y", 0, &err),
			WSP_ENOTFOUND);
	CU_ASSERT_EQUAL(fs()->mkdir(box, &dt_no_call, "m/x/y",
				    WSP_FS_RECURSIVE, &err), 0);
	CU_ASSERT_EQUAL(fs()->mkdir(box, &dt_no_call, "m/x/y",
				    WSP_FS_RECURSIVE, &err), 0);
	CU_ASSERT_EQUAL(fs()->mkdir(box, &dt_no_call, "m/x", 0, &err),
			WSP_EEXIST);
	CU_ASSERT_EQUAL(fs()->mkdir(box, &dt_no_call, "m/a.txt",
				    WSP_FS_RECURSIVE, &err), WSP_EEXIST);
	CU_ASSERT_EQUAL(fs()->mkdir(box, &dt_no_call, "m/a.txt/z",
				    WSP_FS_RECURSIVE, &err), WSP_ENOTDIR);

	/* remove and rmdir with wsp's rules */
	CU_ASSERT_EQUAL(fs()->rmdir(box, &dt_no_call, "m/x", 0, &err),
			WSP_ENOTEMPTY);
	CU_ASSERT_EQUAL(fs()->remove(box, &dt_no_call, "m/x", 0, &err),
			WSP_EISDIR);
	CU_ASSERT_EQUAL(fs()->rmdir(box, &dt_no_call, "m/a.txt", 0, &err),
			WSP_ENOTDIR);
	CU_ASSERT_EQUAL(fs()->remove(box, &dt_no_call, "m/gone", 0, &err),
			WSP_ENOTFOUND);
	CU_ASSERT_EQUAL(fs()->remove(box, &dt_no_call, "m/gone", WSP_FS_FORCE,
				    &err), 0);
	CU_ASSERT_EQUAL(fs()->rmdir(box, &dt_no_call, "m/x/y", 0, &err), 0);
	CU_ASSERT_EQUAL(fs()->rmdir(box, &dt_no_call, ".", WSP_FS_RECURSIVE,
				    &err), WSP_EPERM);
	CU_ASSERT_EQUAL(fs()->remove(box, &dt_no_call, "m/x", WSP_FS_RECURSIVE,
				    &err), 0);
	CU_ASSERT_EQUAL(fs()->remove(box, &dt_no_call, "m", WSP_FS_RECURSIVE,
				    &err), 0);
	sh(&t, "test -e m || echo gone");
	CU_ASSERT_STRING_EQUAL(t.buf, "gone\n");
}

struct seen {
	char buf[2048];
};

static int seen_add(const wsp_fs_entry *e, void *payload)
{
	struct seen *s = payload;
	size_t n = strlen(s->buf);

	snprintf(s->buf + n, sizeof s->buf - n, "%s:%u:%c:%llu ", e->path,
		 e->depth, e->type == WSP_FS_TYPE_DIR ? 'd' : 'f',
		 (unsigned long long)e->size);
	return 0;
}

static void test_list(void)
{
	wsp_fs_list_opts o = WSP_FS_LIST_OPTS_INIT;
	const char *md[] = { "md", NULL };
	struct seen s = { "" };
	wsp_error err = { 0 };
	struct text t;

	sh(&t, "mkdir -p l/a/b/c && echo 1 > l/a/one.md && echo 22 > "
	       "l/a/b/two.txt && echo 333 > l/a/b/c/three.md && echo ok");
	CU_ASSERT_EQUAL(fs()->list(box, &dt_no_call, "l", &o, seen_add, &s,
				   &err), 0);
	CU_ASSERT_STRING_EQUAL(s.buf, "a:1:d:0 ");
	o.flags = WSP_FS_RECURSIVE;
	o.max_depth = 2;
	memset(&s, 0, sizeof s);
	CU_ASSERT_EQUAL(fs()->list(box, &dt_no_call, "l", &o, seen_add, &s,
				   &err), 0);
	/* the fake lists in name order */
	CU_ASSERT_STRING_EQUAL(s.buf, "a:1:d:0 a/b:2:d:0 a/one.md:2:f:2 ");
	o.max_depth = 0;
	o.extensions = md;
	memset(&s, 0, sizeof s);
	CU_ASSERT_EQUAL(fs()->list(box, &dt_no_call, "l", &o, seen_add, &s,
				   &err), 0);
	CU_ASSERT_STRING_EQUAL(s.buf, "a:1:d:0 a/b:2:d:0 a/b/c:3:d:0 "
				      "a/b/c/three.md:4:f:4 a/one.md:2:f:2 ");
	CU_ASSERT_EQUAL(fs()->list(box, &dt_no_call, "l/a/one.md", &o, seen_add,
				   &s, &err), WSP_ENOTDIR);
	CU_ASSERT_EQUAL(fs()->list(box, &dt_no_call, "l/none", &o, seen_add,
				   &s, &err), WSP_ENOTFOUND);
	CU_ASSERT_EQUAL(fs()->rmdir(box, &dt_no_call, "l", WSP_FS_RECURSIVE,
				    &err), 0);
}

static void test_move_copy(void)
{
	wsp_error err = { 0 };
	struct text t;
	int execs;

	/* names process/execute carries quoted as both a shell and the
	 * daemon's own splitter read them: in '...', or "..." with a ' */
	execs = dt_fake_seen(fh, "POST", "/process/execute");
	CU_ASSERT_EQUAL(put("mc/a $b \"c\".txt", "q1\n", 0), 0);
	CU_ASSERT_EQUAL(put("mc/it's fine.txt", "q2\n", 0), 0);
	CU_ASSERT_EQUAL(dt_fake_seen(fh, "POST", "/process/execute"),
			execs + 2);
	sh(&t, "cat mc/a*.txt \"mc/it's fine.txt\"");
	CU_ASSERT_STRING_EQUAL(t.buf, "q1\nq2\n");
	CU_ASSERT_EQUAL(fs()->remove(box, &dt_no_call, "mc/a $b \"c\".txt", 0,
				     &err), 0);
	CU_ASSERT_EQUAL(fs()->remove(box, &dt_no_call, "mc/it's fine.txt", 0,
				     &err), 0);
	/* one with a ' and a $: the long way, a session command */
	execs = dt_fake_seen(fh, "POST", "/process/execute");
	CU_ASSERT_EQUAL(put("mc/it's a $file.txt", "one\n", 0), 0);
	CU_ASSERT_EQUAL(dt_fake_seen(fh, "POST", "/process/execute"), execs);
	CU_ASSERT_EQUAL(get(&t, "mc/it's a $file.txt"), 0);
	CU_ASSERT_STRING_EQUAL(t.buf, "one\n");
	CU_ASSERT_EQUAL(put("mc/b.txt", "two\n", 0), 0);
	CU_ASSERT_EQUAL(fs()->move(box, &dt_no_call, "mc/it's a $file.txt",
				   "mc/b.txt", 0, &err), WSP_EEXIST);
	CU_ASSERT_EQUAL(fs()->move(box, &dt_no_call, "mc/it's a $file.txt",
				   "mc/b.txt", WSP_FS_OVERWRITE, &err), 0);
	CU_ASSERT_EQUAL(get(&t, "mc/b.txt"), 0);
	CU_ASSERT_STRING_EQUAL(t.buf, "one\n");
	CU_ASSERT_EQUAL(get(&t, "mc/it's a $file.txt"), WSP_ENOTFOUND);
	CU_ASSERT_EQUAL(fs()->move(box, &dt_no_call, "mc/none", "mc/c", 0,
				   &err), WSP_ENOTFOUND);

	/* copy: a directory only with RECURSIVE, replaced, not entered */
	CU_ASSERT_EQUAL(fs()->copy(box, &dt_no_call, "mc", "mc2", 0, &err),
			WSP_EISDIR);
	CU_ASSERT_EQUAL(fs()->copy(box, &dt_no_call, "mc", "deep/mc2",
				   WSP_FS_RECURSIVE, &err), 0);
	CU_ASSERT_EQUAL(fs()->copy(box, &dt_no_call, "mc", "deep/mc2",
				   WSP_FS_RECURSIVE, &err), WSP_EEXIST);
	CU_ASSERT_EQUAL(put("mc/b.txt", "three\n", 0), 0);
	CU_ASSERT_EQUAL(fs()->copy(box, &dt_no_call, "mc", "deep/mc2",
				   WSP_FS_RECURSIVE | WSP_FS_OVERWRITE, &err),
			0);
	sh(&t, "find deep | sort; cat deep/mc2/b.txt");
	CU_ASSERT_STRING_EQUAL(t.buf, "deep\ndeep/mc2\ndeep/mc2/b.txt\nthree\n");
	/* a directory moved over another: the old one goes */
	CU_ASSERT_EQUAL(fs()->move(box, &dt_no_call, "mc", "deep/mc2",
				   WSP_FS_OVERWRITE, &err), 0);
	sh(&t, "test -e mc || ls deep/mc2");
	CU_ASSERT_STRING_EQUAL(t.buf, "b.txt\n");
	CU_ASSERT_EQUAL(fs()->remove(box, &dt_no_call, "deep", WSP_FS_RECURSIVE,
				     &err), 0);
}

static void test_refusals(void)
{
	wsp_fs_write_opts o = WSP_FS_WRITE_OPTS_INIT;
	struct src s = { .total = 1 << 20, .piece = 65536, .fail_at = 300000 };
	wsp_error err = { 0 };
	struct text t;
	char id[DT_ID_MAX + 1], fault[512];
	int rc;

	CU_ASSERT_EQUAL(put("r/keep.txt", "kept\n", 0), 0);
	CU_ASSERT_EQUAL(put("r/keep.txt", "other\n", WSP_FS_WRITE_NO_OVERWRITE),
			WSP_EEXIST);
	CU_ASSERT_EQUAL(put("r/new.txt", "new\n", WSP_FS_WRITE_NO_OVERWRITE),
			0);
	CU_ASSERT_EQUAL(put("r/keep.txt", "more\n", WSP_FS_WRITE_APPEND),
			WSP_ENOTSUP);
	CU_ASSERT_EQUAL(put("r/no/parent.txt", "x\n", WSP_FS_WRITE_NO_PARENTS),
			WSP_ENOTFOUND);
	/* a new file under a parent that is there: both refusals pass */
	CU_ASSERT_EQUAL(put("r/strict.txt", "x\n", WSP_FS_WRITE_NO_PARENTS |
					     WSP_FS_WRITE_NO_OVERWRITE),
			0);
	CU_ASSERT_EQUAL(fs()->remove(box, &dt_no_call, "r/strict.txt", 0, &err),
			0);
	CU_ASSERT_EQUAL(put("r/keep.txt/under", "x\n", 0), WSP_ENOTDIR);
	CU_ASSERT_EQUAL(put("r", "x\n", 0), WSP_EISDIR);
	CU_ASSERT_EQUAL(get(&t, "r"), WSP_EISDIR);

	/* the source fails halfway: the old file stays, no temporary one */
	rc = fs()->write(NULL, box, &dt_no_call, "r/keep.txt", &o, give, &s,
			 &err);
	CU_ASSERT_EQUAL(rc, WSP_EIO);
	/* the rename fails (500): the same */
	snprintf(id, sizeof id, "%s", ((struct dt *)box)->remote_id);
	snprintf(fault, sizeof fault,
		 "{\"kind\":\"error\",\"status\":500,\"plane\":\"toolbox\","
		 "\"path\":\"/toolbox/%s/process/execute\"}",
		 id);
	CU_ASSERT_EQUAL(dt_fake_call(fh, "POST", "/_fake/faults", fault, NULL),
			0);
	CU_ASSERT_NOT_EQUAL(put("r/keep.txt", "replaced\n", 0), 0);
	sh(&t, "ls -a r; cat r/keep.txt");
	CU_ASSERT_STRING_EQUAL(t.buf, ".\n..\nkeep.txt\nnew.txt\nkept\n");
	CU_ASSERT_EQUAL(fs()->rmdir(box, &dt_no_call, "r", WSP_FS_RECURSIVE,
				    &err), 0);
}

static void arm(const char *kind_etc, const char *tail)
{
	char fault[512];

	snprintf(fault, sizeof fault,
		 "{%s,\"plane\":\"toolbox\",\"path\":\"/toolbox/%s%s\"}",
		 kind_etc, ((struct dt *)box)->remote_id, tail);
	CU_ASSERT_EQUAL(dt_fake_call(fh, "POST", "/_fake/faults", fault, NULL),
			0);
}

/* 429 and 503 on the file calls retried; a download cut short and an
 * upload dropped are errors, never a short file or a half one. */
static void test_faults(void)
{
	wsp_fs_read_opts ro = WSP_FS_READ_OPTS_INIT;
	wsp_fs_stat st = { .struct_size = sizeof st };
	struct src s = { .total = 200000, .piece = 50000 };
	struct check c = { 0 };
	wsp_error err = { 0 };
	struct text t;
	int rc, uploads;

	CU_ASSERT_EQUAL(put("fa/kept.txt", "kept\n", 0), 0);
	arm("\"kind\":\"rate_limit\",\"count\":2,\"retryAfter\":0",
	    "/files/info");
	arm("\"kind\":\"error\",\"status\":503", "/files");
	CU_ASSERT_EQUAL(fs()->stat(&st, box, &dt_no_call, "fa/kept.txt", 0,
				   &err), 0);
	CU_ASSERT_EQUAL(st.size, 5);
	CU_ASSERT_EQUAL(fs()->rmdir(box, &dt_no_call, "fa", 0, &err),
			WSP_ENOTEMPTY); /* its listing met the 503 first */

	CU_ASSERT_EQUAL(fs()->write(NULL, box, &dt_no_call, "fa/big.bin",
				    &(wsp_fs_write_opts)WSP_FS_WRITE_OPTS_INIT,
				    give, &s, &err), 0);
	arm("\"kind\":\"drop\",\"afterBytes\":70000", "/files/download");
	ro.length = UINT64_MAX;
	rc = fs()->read(box, &dt_no_call, "fa/big.bin", &ro, check_take, &c,
			&err);
	CU_ASSERT_NOT_EQUAL(rc, 0);
	CU_ASSERT_TRUE(c.seen <= 70000);
	CU_ASSERT_EQUAL(c.bad, 0);

	/* an upload dropped: not sent again (the source is read once) */
	arm("\"kind\":\"drop\"", "/files/bulk-upload");
	uploads = dt_fake_seen(fh, "POST", "/files/bulk-upload");
	CU_ASSERT_NOT_EQUAL(put("fa/kept.txt", "replaced\n", 0), 0);
	CU_ASSERT_EQUAL(dt_fake_seen(fh, "POST", "/files/bulk-upload"),
			uploads + 1);
	sh(&t, "ls -a fa; cat fa/kept.txt");
	CU_ASSERT_STRING_EQUAL(t.buf, ".\n..\nbig.bin\nkept.txt\nkept\n");
	CU_ASSERT_EQUAL(fs()->rmdir(box, &dt_no_call, "fa", WSP_FS_RECURSIVE,
				    &err), 0);
}

/* Auto-stopped between two file calls: the next one starts it again. */
static void test_autostop(void)
{
	wsp_error err = { 0 };
	int state = 0, starts;
	struct text t;
	char path[160];

	CU_ASSERT_EQUAL(put("as/kept.txt", "still here\n", 0), 0);
	snprintf(path, sizeof path, "/_fake/sandboxes/%s/autostop",
		 ((struct dt *)box)->remote_id);
	CU_ASSERT_EQUAL(dt_fake_call(fh, "POST", path, "{}", NULL), 0);
	/* asked of the fake, not of the provider: it must find out itself */
	for (int i = 0; i < 100 && state != 1; i++) {
		cJSON *j = NULL, *sb;

		usleep(20 * 1000);
		if (dt_fake_call(fh, "GET", "/_fake/sandboxes", NULL, &j))
			break;
		cJSON_ArrayForEach(sb, cJSON_GetObjectItem(j, "sandboxes")) {
			const char *id = cJSON_GetStringValue(
				cJSON_GetObjectItem(sb, "id"));
			const char *st = cJSON_GetStringValue(
				cJSON_GetObjectItem(sb, "state"));

			if (id && st && !strcmp(id, ((struct dt *)box)->remote_id) &&
			    !strcmp(st, "stopped"))
				state = 1;
		}
		cJSON_Delete(j);
	}
	CU_ASSERT_EQUAL(state, 1);
	starts = dt_fake_seen(fh, "POST", "/start");
	CU_ASSERT_EQUAL(get(&t, "as/kept.txt"), 0);
	CU_ASSERT_EQUAL(dt_fake_seen(fh, "POST", "/start"), starts + 1);
	CU_ASSERT_STRING_EQUAL(t.buf, "still here\n");
	CU_ASSERT_EQUAL(fs()->rmdir(box, &dt_no_call, "as", WSP_FS_RECURSIVE,
				    &err), 0);
}

static CU_TestInfo tests[] = {
	{ "streamed write and read, parts, chunked or sized, memory",
	  test_stream },
	{ "stat, exists, mkdir, remove, rmdir", test_meta },
	{ "listings to a depth, extensions", test_list },
	{ "move and copy, quoted names, overwrite", test_move_copy },
	{ "refusals, failed writes leave no trace", test_refusals },
	{ "429 and 503 retried, a cut download and a dropped upload fail",
	  test_faults },
	{ "a sandbox auto-stopped under the mount is started again",
	  test_autostop },
	CU_TEST_INFO_NULL,
};

CU_MAIN_SUITE("sandbox-daytona files against the fake", suite_init,
	      suite_clean, tests)
