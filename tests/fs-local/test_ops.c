/*
 * tests/fs-local/test_ops.c - every operation of wsp-fs-local.so and every
 * error code it maps, against real files in a temporary directory.
 */
#include "fs_box.h"
#include "test_bytes.h"

#include <CUnit/Basic.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cu_main.h"

static char *top;  /* temporary directory of the suite */
static char *base; /* top/base: the filesystem's root */
static struct fake_fs F;
static wsp_error err;

/* String equality that fails (rather than crashes) on NULL. */
#define ASSERT_STR(a, b)                                                       \
	do {                                                                   \
		const char *a_ = (a);                                          \
		CU_ASSERT_PTR_NOT_NULL(a_);                                    \
		if (a_)                                                        \
			CU_ASSERT_STRING_EQUAL(a_, b);                         \
	} while (0)

#define FS   (F.fs)
#define SELF (F.self)

static char *at(const char *rel)
{
	static char buf[8][4096];
	static int i;

	i = (i + 1) % 8;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", base, rel);
	return buf[i];
}

static void host_mkdir(const char *rel)
{
	mkdir(at(rel), 0755);
}

/* An empty base directory before each test (the same directory: the
 * instance holds it open). */
static void fresh(void)
{
	tree_empty(base);
	memset(&err, 0, sizeof(err));
}

static int suite_init(void)
{
	top = tmpdir_make("fsops");
	if (!top)
		return -1;
	base = path_join(top, "base");
	if (fake_fs_open(&F, base, 0, NULL, &err) < 0) {
		fprintf(stderr, "init: %s\n", err.message);
		return -1;
	}
	return 0;
}

static int suite_fini(void)
{
	fake_fs_close(&F);
	tree_remove(top);
	free(base);
	free(top);
	return 0;
}

static char *get(const char *path, int *rc)
{
	char *out = NULL;

	*rc = fake_fs_get(&F, path, &out, NULL, &err);
	return out;
}

static void test_init_creates_base(void)
{
	struct fake_fs g;
	char *nested = path_join(top, "made/on/init");
	struct stat st;

	CU_ASSERT_EQUAL(fake_fs_open(&g, nested, 0, NULL, &err), 0);
	CU_ASSERT_EQUAL(stat(nested, &st), 0);
	CU_ASSERT(S_ISDIR(st.st_mode));
	fake_fs_close(&g);
	/* read_only: the base must already exist (nothing is created). */
	tree_remove(nested);
	CU_ASSERT_EQUAL(fake_fs_open(&g, nested, 1, NULL, &err), WSP_ECONFIG);
	CU_ASSERT(strstr(err.message, "made/on/init") != NULL);
	fake_fs_close(&g);
	free(nested);
}

static void test_write_read_whole(void)
{
	int rc;
	char *s;

	fresh();
	CU_ASSERT_EQUAL(
		fake_fs_put(&F, "hello.txt", "hello world", 11, 0, &err), 0);
	if (getenv("WSP_TEST_VERBOSE"))
		fprintf(stderr, "%s\n", err.message);
	s = file_get(at("hello.txt"));
	ASSERT_STR(s, "hello world");
	free(s);
	s = get("hello.txt", &rc);
	CU_ASSERT_EQUAL(rc, 0);
	ASSERT_STR(s, "hello world");
	free(s);
	/* empty file */
	CU_ASSERT_EQUAL(fake_fs_put(&F, "empty", "", 0, 0, &err), 0);
	s = get("empty", &rc);
	CU_ASSERT_EQUAL(rc, 0);
	ASSERT_STR(s, "");
	free(s);
	/* "./a//b" is the same file as "a/b" */
	CU_ASSERT_EQUAL(fake_fs_put(&F, "./sub//x.txt", "x", 1, 0, &err), 0);
	s = file_get(at("sub/x.txt"));
	ASSERT_STR(s, "x");
	free(s);
}

struct chunks {
	size_t calls, bytes;
	char first, last;
};

static int count_sink(const void *d, size_t n, void *p)
{
	struct chunks *c = p;

	if (!c->bytes && n)
		c->first = ((const char *)d)[0];
	if (n)
		c->last = ((const char *)d)[n - 1];
	c->calls++;
	c->bytes += n;
	return 0;
}

static void test_read_range_and_stream(void)
{
	wsp_fs_read_opts o = WSP_FS_READ_OPTS_INIT;
	struct chunks c = {0};
	size_t big = 5 * 1024 * 1024 + 7, i;
	char *data = malloc(big);

	o.length = UINT64_MAX; /* as the core hands "to the end" over */
	fresh();
	for (i = 0; i < big; i++)
		data[i] = (char)('a' + i % 26);
	CU_ASSERT_EQUAL(fake_fs_put(&F, "big.bin", data, big, 0, &err), 0);
	CU_ASSERT_EQUAL(
		FS->read(SELF, &fake_call, "big.bin", &o, count_sink, &c, &err),
		0);
	CU_ASSERT_EQUAL(c.bytes, big);
	CU_ASSERT(c.calls > 1); /* streamed, not one buffer */
	CU_ASSERT_EQUAL(c.last, data[big - 1]);
	/* byte range */
	memset(&c, 0, sizeof(c));
	o.offset = 27;
	o.length = 100;
	CU_ASSERT_EQUAL(
		FS->read(SELF, &fake_call, "big.bin", &o, count_sink, &c, &err),
		0);
	CU_ASSERT_EQUAL(c.bytes, 100);
	CU_ASSERT_EQUAL(c.first, data[27]);
	CU_ASSERT_EQUAL(c.last, data[126]);
	/* range past the end: what is there */
	memset(&c, 0, sizeof(c));
	o.offset = big - 3;
	o.length = 100;
	CU_ASSERT_EQUAL(
		FS->read(SELF, &fake_call, "big.bin", &o, count_sink, &c, &err),
		0);
	CU_ASSERT_EQUAL(c.bytes, 3);
	free(data);
}

static int failing_sink(const void *d, size_t n, void *p)
{
	(void)d, (void)n, (void)p;
	return WSP_EIO;
}

static void test_read_errors(void)
{
	wsp_fs_read_opts o = WSP_FS_READ_OPTS_INIT;
	wsp_call *canceled;
	struct chunks c = {0};
	int rc;

	fresh();
	host_mkdir("dir");
	file_put(at("f.txt"), "data");
	free(get("missing.txt", &rc));
	CU_ASSERT_EQUAL(rc, WSP_ENOTFOUND);
	CU_ASSERT_EQUAL(err.os_errno, ENOENT);
	CU_ASSERT(strstr(err.message, "'missing.txt'") != NULL);
	free(get("dir", &rc));
	CU_ASSERT_EQUAL(rc, WSP_EISDIR);
	free(get("f.txt/x", &rc));
	CU_ASSERT_EQUAL(rc, WSP_ENOTDIR);
	CU_ASSERT_EQUAL(mkfifo(at("fifo"), 0600), 0);
	free(get("fifo", &rc)); /* must not hang */
	CU_ASSERT_EQUAL(rc, WSP_EINVAL);
	/* a consumer's error stops the read and comes back */
	CU_ASSERT_EQUAL(FS->read(SELF, &fake_call, "f.txt", FAKE_READ_ALL,
				 failing_sink, NULL, &err),
			WSP_EIO);
	/* a canceled call */
	canceled = fake_fs_call(&F);
	wsp_fakehost_call_cancel(canceled);
	o.length = UINT64_MAX;
	CU_ASSERT_EQUAL(FS->read(SELF, canceled, "f.txt", &o,
				 count_sink, &c, &err),
			WSP_ECANCELED);
	CU_ASSERT_EQUAL(c.bytes, 0);
}

/* A sink or a listing callback that fires the call's token. */
struct firing {
	wsp_call *call;
	int calls;
};

static int firing_sink(const void *d, size_t n, void *p)
{
	struct firing *f = p;

	(void)d, (void)n;
	f->calls++;
	wsp_fakehost_call_cancel(f->call);
	return 0;
}

static int firing_entry(const wsp_fs_entry *e, void *p)
{
	(void)e;
	return firing_sink(NULL, 0, p);
}

/*
 * The call is honoured inside the loops: a token fired by the consumer
 * of the first chunk or entry stops the read (even of a one-chunk file),
 * the listing (even at its last entry), a recursive remove and a copy.
 */
static void test_call_fired_midway(void)
{
	wsp_fs_list_opts lo = WSP_FS_LIST_OPTS_INIT;
	struct firing f = {NULL, 0};
	wsp_call *call;
	char name[32];
	int i;

	fresh();
	file_put(at("small.txt"), "one chunk");
	/* a fired token stays fired: each phase takes a fresh call */
	f.call = call = fake_fs_call(&F);
	CU_ASSERT_EQUAL(FS->read(SELF, call, "small.txt", FAKE_READ_ALL,
				 firing_sink, &f, &err),
			WSP_ECANCELED);
	CU_ASSERT_EQUAL(f.calls, 1);
	CU_ASSERT(strstr(err.message, "canceled") != NULL);

	host_mkdir("many");
	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "many/f%02d.txt", i);
		file_put(at(name), "x");
	}
	f.call = call = fake_fs_call(&F);
	f.calls = 0;
	lo.flags = WSP_FS_RECURSIVE;
	CU_ASSERT_EQUAL(
		FS->list(SELF, call, "many", &lo, firing_entry, &f, &err),
		WSP_ECANCELED);
	CU_ASSERT_EQUAL(f.calls, 1);
	/* a one-entry listing: fired at its last entry */
	host_mkdir("one");
	file_put(at("one/only.txt"), "x");
	f.call = call = fake_fs_call(&F);
	f.calls = 0;
	CU_ASSERT_EQUAL(
		FS->list(SELF, call, "one", &lo, firing_entry, &f, &err),
		WSP_ECANCELED);
	CU_ASSERT_EQUAL(f.calls, 1);

	/* an expired call stops a recursive remove and a copy */
	call = fake_fs_call(&F);
	wsp_fakehost_call_cancel(call);
	CU_ASSERT_EQUAL(FS->remove(SELF, call, "many", WSP_FS_RECURSIVE, &err),
			WSP_ECANCELED);
	CU_ASSERT_EQUAL(access(at("many/f00.txt"), F_OK), 0);
	CU_ASSERT_EQUAL(
		FS->copy(SELF, call, "many", "copied", WSP_FS_RECURSIVE, &err),
		WSP_ECANCELED);
	CU_ASSERT_EQUAL(
		FS->copy(SELF, call, "small.txt", "small2.txt", 0, &err),
		WSP_ECANCELED);
	CU_ASSERT_EQUAL(access(at("small2.txt"), F_OK), -1);
	CU_ASSERT_EQUAL(FS->write(NULL, SELF, call, "new.txt",
				  &(wsp_fs_write_opts)WSP_FS_WRITE_OPTS_INIT,
				  NULL, NULL, &err),
			WSP_ECANCELED);
	CU_ASSERT_EQUAL(access(at("new.txt"), F_OK), -1);
}

static void test_write_flags(void)
{
	wsp_fs_write_opts o = WSP_FS_WRITE_OPTS_INIT;
	wsp_fs_stat st = {.struct_size = sizeof(st)};
	char *s;
	int rc;

	fresh();
	/* parents are created by default */
	CU_ASSERT_EQUAL(fake_fs_put(&F, "a/b/c/d.txt", "1", 1, 0, &err), 0);
	s = file_get(at("a/b/c/d.txt"));
	ASSERT_STR(s, "1");
	free(s);
	/* ... unless told not to */
	CU_ASSERT_EQUAL(fake_fs_put(&F, "x/y.txt", "1", 1,
				    WSP_FS_WRITE_NO_PARENTS, &err),
			WSP_ENOTFOUND);
	CU_ASSERT_EQUAL(access(at("x"), F_OK), -1);
	/* no_overwrite */
	CU_ASSERT_EQUAL(fake_fs_put(&F, "a/b/c/d.txt", "2", 1,
				    WSP_FS_WRITE_NO_OVERWRITE, &err),
			WSP_EEXIST);
	s = file_get(at("a/b/c/d.txt"));
	ASSERT_STR(s, "1");
	free(s);
	CU_ASSERT_EQUAL(fake_fs_put(&F, "new.txt", "n", 1,
				    WSP_FS_WRITE_NO_OVERWRITE, &err),
			0);
	/* append creates, then appends */
	CU_ASSERT_EQUAL(fake_fs_put(&F, "log.txt", "one\n", 4,
				    WSP_FS_WRITE_APPEND, &err),
			0);
	CU_ASSERT_EQUAL(fake_fs_put(&F, "log.txt", "two\n", 4,
				    WSP_FS_WRITE_APPEND, &err),
			0);
	s = get("log.txt", &rc);
	ASSERT_STR(s, "one\ntwo\n");
	free(s);
	/* writing a directory */
	host_mkdir("dir");
	CU_ASSERT_EQUAL(fake_fs_put(&F, "dir", "x", 1, 0, &err), WSP_EISDIR);
	CU_ASSERT_EQUAL(fake_fs_put(&F, ".", "x", 1, 0, &err), WSP_EISDIR);
	/* a parent that is a file */
	CU_ASSERT_EQUAL(fake_fs_put(&F, "new.txt/z", "x", 1, 0, &err),
			WSP_ENOTDIR);
	/* the mode of a replaced file is kept */
	chmod(at("new.txt"), 0640);
	CU_ASSERT_EQUAL(fake_fs_put(&F, "new.txt", "m", 1, 0, &err), 0);
	CU_ASSERT_EQUAL(FS->stat(&st, SELF, &fake_call, "new.txt", 0, &err), 0);
	CU_ASSERT_EQUAL(st.mode, 0640);
	(void)o;
}

static int failing_source(void *buf, size_t cap, size_t *out, void *p)
{
	(void)buf, (void)cap, (void)out, (void)p;
	return WSP_EPROTO;
}

static void test_write_preconditions(void)
{
	wsp_fs_write_opts o = WSP_FS_WRITE_OPTS_INIT;
	wsp_fs_stat st = {.struct_size = sizeof(st)},
		    st2 = {.struct_size = sizeof(st2)};
	struct timespec ts[2] = {{1000, 0}, {1000, 0}};
	struct bytes_src m = {"v2", 2, 0};
	char stale[32];
	char *s;

	fresh();
	CU_ASSERT_EQUAL(fake_fs_put(&F, "doc.md", "v1", 2, 0, &err), 0);
	CU_ASSERT_EQUAL(FS->stat(&st, SELF, &fake_call, "doc.md", 0, &err), 0);
	/* matching mtime: accepted; out gets the new stat */
	o.expected_mtime_ns = st.mtime_ns;
	CU_ASSERT_EQUAL(utimensat(AT_FDCWD, at("doc.md"), ts, 0), 0);
	/* the file changed behind our back: stale */
	CU_ASSERT_EQUAL(FS->write(&st2, SELF, &fake_call, "doc.md", &o,
				  bytes_give, &m, &err),
			WSP_ESTALE);
	CU_ASSERT(strstr(err.message, "doc.md") != NULL);
	s = file_get(at("doc.md"));
	ASSERT_STR(s, "v1");
	free(s);
	/* version token = mtime in ns */
	CU_ASSERT_EQUAL(FS->stat(&st, SELF, &fake_call, "doc.md", 0, &err), 0);
	CU_ASSERT_EQUAL(st.mtime_ns, INT64_C(1000000000000));
	CU_ASSERT_STRING_EQUAL(st.version, "1000000000000");
	o.expected_mtime_ns = 0;
	snprintf(stale, sizeof(stale), "%" PRId64, st.mtime_ns - 1);
	o.expected_version = stale;
	CU_ASSERT_EQUAL(FS->write(NULL, SELF, &fake_call, "doc.md", &o,
				  bytes_give, &m, &err),
			WSP_ESTALE);
	/* expected on a missing file: stale (it was removed) */
	o.expected_version = st.version;
	CU_ASSERT_EQUAL(FS->write(NULL, SELF, &fake_call, "gone.md", &o,
				  bytes_give, &m, &err),
			WSP_ESTALE);
}

static void test_write_precondition_match(void)
{
	wsp_fs_write_opts o = WSP_FS_WRITE_OPTS_INIT;
	wsp_fs_stat st = {.struct_size = sizeof(st)},
		    out = {.struct_size = sizeof(out)};
	struct bytes_src m = {"v2", 2, 0};
	char *s;

	fresh();
	CU_ASSERT_EQUAL(fake_fs_put(&F, "doc.md", "v1", 2, 0, &err), 0);
	CU_ASSERT_EQUAL(FS->stat(&st, SELF, &fake_call, "doc.md", 0, &err), 0);
	o.expected_mtime_ns = st.mtime_ns;
	o.expected_version = st.version;
	CU_ASSERT_EQUAL(FS->write(&out, SELF, &fake_call, "doc.md", &o,
				  bytes_give, &m, &err),
			0);
	CU_ASSERT_EQUAL(out.size, 2);
	CU_ASSERT_EQUAL(out.type, WSP_FS_TYPE_FILE);
	s = file_get(at("doc.md"));
	ASSERT_STR(s, "v2");
	free(s);
	/* a producer's error aborts the write: old content stays */
	CU_ASSERT_EQUAL(FS->write(NULL, SELF, &fake_call, "doc.md", NULL,
				  failing_source, NULL, &err),
			WSP_EPROTO);
	s = file_get(at("doc.md"));
	ASSERT_STR(s, "v2");
	free(s);
}

static void test_write_through_inside_symlink(void)
{
	struct stat lst;
	char *s;

	fresh();
	host_mkdir("real");
	file_put(at("real/target.txt"), "old");
	CU_ASSERT_EQUAL(symlink("real/target.txt", at("link.txt")), 0);
	CU_ASSERT_EQUAL(symlink("real", at("dirlink")), 0);
	CU_ASSERT_EQUAL(fake_fs_put(&F, "link.txt", "new", 3, 0, &err), 0);
	s = file_get(at("real/target.txt"));
	ASSERT_STR(s, "new");
	free(s);
	CU_ASSERT_EQUAL(lstat(at("link.txt"), &lst), 0);
	CU_ASSERT(S_ISLNK(lst.st_mode)); /* still a link */
	/* through a symlinked directory that stays inside */
	CU_ASSERT_EQUAL(fake_fs_put(&F, "dirlink/via.txt", "v", 1, 0, &err), 0);
	s = file_get(at("real/via.txt"));
	ASSERT_STR(s, "v");
	free(s);
	/* a dangling link inside */
	CU_ASSERT_EQUAL(symlink("nowhere.txt", at("dangling")), 0);
	CU_ASSERT_EQUAL(fake_fs_put(&F, "dangling", "v", 1, 0, &err),
			WSP_ENOTFOUND);
}

static void test_stat_exists_host_path(void)
{
	wsp_fs_stat st = {.struct_size = sizeof(st)};
	char hp[4096], real[4096];
	struct stat hst;
	int ex = -1;

	fresh();
	file_put(at("notes.md"), "12345");
	host_mkdir("d");
	CU_ASSERT_EQUAL(symlink("notes.md", at("ln")), 0);
	CU_ASSERT_EQUAL(FS->stat(&st, SELF, &fake_call, "notes.md", 0, &err),
			0);
	CU_ASSERT_EQUAL(stat(at("notes.md"), &hst), 0);
	CU_ASSERT_EQUAL(st.type, WSP_FS_TYPE_FILE);
	CU_ASSERT_EQUAL(st.size, 5);
	CU_ASSERT_EQUAL(st.mtime_ns, (int64_t)hst.st_mtim.tv_sec * 1000000000 +
					     hst.st_mtim.tv_nsec);
	CU_ASSERT(st.ctime_ns > 0);
	CU_ASSERT_EQUAL(st.mode, hst.st_mode & 07777);
	CU_ASSERT_EQUAL(st.is_symlink, 0);
	CU_ASSERT_STRING_EQUAL(st.mime_type, ""); /* the core derives it */
	CU_ASSERT_EQUAL(FS->stat(&st, SELF, &fake_call, "d", 0, &err), 0);
	CU_ASSERT_EQUAL(st.type, WSP_FS_TYPE_DIR);
	CU_ASSERT_EQUAL(FS->stat(&st, SELF, &fake_call, ".", 0, &err), 0);
	CU_ASSERT_EQUAL(st.type, WSP_FS_TYPE_DIR);
	/* followed symlink: the target's type, flagged as a link */
	CU_ASSERT_EQUAL(FS->stat(&st, SELF, &fake_call, "ln", 0, &err), 0);
	CU_ASSERT_EQUAL(st.type, WSP_FS_TYPE_FILE);
	CU_ASSERT_EQUAL(st.size, 5);
	CU_ASSERT_EQUAL(st.is_symlink, 1);
	CU_ASSERT_EQUAL(
		FS->stat(&st, SELF, &fake_call, "ln", WSP_FS_NO_FOLLOW, &err),
		0);
	CU_ASSERT_EQUAL(st.type, WSP_FS_TYPE_SYMLINK);
	CU_ASSERT_EQUAL(FS->stat(&st, SELF, &fake_call, "nope", 0, &err),
			WSP_ENOTFOUND);
	CU_ASSERT_EQUAL(FS->stat(&st, SELF, &fake_call, "notes.md/x", 0, &err),
			WSP_ENOTDIR);

	CU_ASSERT_EQUAL(FS->exists(&ex, SELF, &fake_call, "notes.md", 0, &err),
			0);
	CU_ASSERT_EQUAL(ex, 1);
	CU_ASSERT_EQUAL(FS->exists(&ex, SELF, &fake_call, "d", 0, &err), 0);
	CU_ASSERT_EQUAL(ex, 1);
	CU_ASSERT_EQUAL(FS->exists(&ex, SELF, &fake_call, "nope", 0, &err), 0);
	CU_ASSERT_EQUAL(ex, 0);
	CU_ASSERT_EQUAL(
		FS->exists(&ex, SELF, &fake_call, "notes.md/x", 0, &err), 0);
	CU_ASSERT_EQUAL(ex, 0);

	CU_ASSERT_EQUAL(
		FS->host_path(hp, sizeof(hp), SELF, &fake_call, "d", 0, &err),
		0);
	CU_ASSERT_PTR_NOT_NULL(realpath(at("d"), real));
	CU_ASSERT_STRING_EQUAL(hp, real);
	CU_ASSERT_EQUAL(FS->host_path(hp, 4, SELF, &fake_call, "d", 0, &err),
			WSP_ETOOBIG);
	CU_ASSERT_EQUAL(FS->host_path(hp, sizeof(hp), SELF, &fake_call, "nope",
				      0, &err),
			WSP_ENOTFOUND);
}

static void test_mkdir(void)
{
	struct stat st;

	fresh();
	CU_ASSERT_EQUAL(FS->mkdir(SELF, &fake_call, "d", 0, &err), 0);
	CU_ASSERT_EQUAL(stat(at("d"), &st), 0);
	CU_ASSERT(S_ISDIR(st.st_mode));
	CU_ASSERT_EQUAL(FS->mkdir(SELF, &fake_call, "d", 0, &err), WSP_EEXIST);
	CU_ASSERT_EQUAL(
		FS->mkdir(SELF, &fake_call, "d", WSP_FS_RECURSIVE, &err), 0);
	CU_ASSERT_EQUAL(FS->mkdir(SELF, &fake_call, "p/q/r", 0, &err),
			WSP_ENOTFOUND);
	CU_ASSERT_EQUAL(
		FS->mkdir(SELF, &fake_call, "p/q/r", WSP_FS_RECURSIVE, &err),
		0);
	CU_ASSERT_EQUAL(stat(at("p/q/r"), &st), 0);
	file_put(at("file"), "x");
	CU_ASSERT_EQUAL(FS->mkdir(SELF, &fake_call, "file", 0, &err),
			WSP_EEXIST);
	CU_ASSERT_EQUAL(
		FS->mkdir(SELF, &fake_call, "file", WSP_FS_RECURSIVE, &err),
		WSP_EEXIST);
	CU_ASSERT_EQUAL(
		FS->mkdir(SELF, &fake_call, "file/sub", WSP_FS_RECURSIVE, &err),
		WSP_ENOTDIR);
	CU_ASSERT_EQUAL(
		FS->mkdir(SELF, &fake_call, ".", WSP_FS_RECURSIVE, &err), 0);
	CU_ASSERT_EQUAL(FS->mkdir(SELF, &fake_call, ".", 0, &err), WSP_EEXIST);
}

static void test_remove_rmdir(void)
{
	fresh();
	file_put(at("f"), "x");
	host_mkdir("d");
	file_put(at("d/inner"), "x");
	host_mkdir("empty");
	CU_ASSERT_EQUAL(FS->remove(SELF, &fake_call, "f", 0, &err), 0);
	CU_ASSERT_EQUAL(access(at("f"), F_OK), -1);
	CU_ASSERT_EQUAL(FS->remove(SELF, &fake_call, "f", 0, &err),
			WSP_ENOTFOUND);
	CU_ASSERT_EQUAL(FS->remove(SELF, &fake_call, "f", WSP_FS_FORCE, &err),
			0);
	CU_ASSERT_EQUAL(
		FS->remove(SELF, &fake_call, "nodir/f", WSP_FS_FORCE, &err), 0);
	CU_ASSERT_EQUAL(access(at("nodir"), F_OK), -1);
	CU_ASSERT_EQUAL(FS->remove(SELF, &fake_call, "d", 0, &err), WSP_EISDIR);
	CU_ASSERT_EQUAL(FS->rmdir(SELF, &fake_call, "d", 0, &err),
			WSP_ENOTEMPTY);
	CU_ASSERT_EQUAL(access(at("d/inner"), F_OK), 0);
	CU_ASSERT_EQUAL(FS->rmdir(SELF, &fake_call, "empty", 0, &err), 0);
	CU_ASSERT_EQUAL(access(at("empty"), F_OK), -1);
	CU_ASSERT_EQUAL(FS->rmdir(SELF, &fake_call, "empty", 0, &err),
			WSP_ENOTFOUND);
	CU_ASSERT_EQUAL(
		FS->rmdir(SELF, &fake_call, "empty", WSP_FS_FORCE, &err), 0);
	file_put(at("g"), "x");
	CU_ASSERT_EQUAL(FS->rmdir(SELF, &fake_call, "g", 0, &err), WSP_ENOTDIR);
	CU_ASSERT_EQUAL(
		FS->remove(SELF, &fake_call, ".", WSP_FS_RECURSIVE, &err),
		WSP_EPERM);
	CU_ASSERT_EQUAL(
		FS->rmdir(SELF, &fake_call, ".", WSP_FS_RECURSIVE, &err),
		WSP_EPERM);
	/* recursive, with a deep tree and a symlink that is not followed */
	CU_ASSERT_EQUAL(
		FS->mkdir(SELF, &fake_call, "t/a/b/c", WSP_FS_RECURSIVE, &err),
		0);
	file_put(at("t/a/b/c/f"), "x");
	file_put(at("keep"), "keep");
	CU_ASSERT_EQUAL(symlink("../../keep", at("t/a/ln")), 0);
	CU_ASSERT_EQUAL(
		FS->rmdir(SELF, &fake_call, "t", WSP_FS_RECURSIVE, &err), 0);
	CU_ASSERT_EQUAL(access(at("t"), F_OK), -1);
	CU_ASSERT_EQUAL(access(at("keep"), F_OK), 0);
	CU_ASSERT_EQUAL(
		FS->remove(SELF, &fake_call, "d", WSP_FS_RECURSIVE, &err), 0);
	CU_ASSERT_EQUAL(access(at("d"), F_OK), -1);
}

static void test_copy(void)
{
	char *s;

	fresh();
	file_put(at("a.txt"), "alpha");
	CU_ASSERT_EQUAL(chmod(at("a.txt"), 0751), 0);
	CU_ASSERT_EQUAL(FS->copy(SELF, &fake_call, "a.txt", "b.txt", 0, &err),
			0);
	s = file_get(at("b.txt"));
	ASSERT_STR(s, "alpha");
	free(s);
	{
		struct stat st;

		CU_ASSERT_EQUAL(stat(at("b.txt"), &st), 0);
		CU_ASSERT_EQUAL(st.st_mode & 07777, 0751);
	}
	file_put(at("c.txt"), "gamma");
	CU_ASSERT_EQUAL(FS->copy(SELF, &fake_call, "c.txt", "b.txt", 0, &err),
			WSP_EEXIST);
	CU_ASSERT_EQUAL(FS->copy(SELF, &fake_call, "c.txt", "b.txt",
				 WSP_FS_OVERWRITE, &err),
			0);
	s = file_get(at("b.txt"));
	ASSERT_STR(s, "gamma");
	free(s);
	CU_ASSERT_EQUAL(FS->copy(SELF, &fake_call, "nope", "x", 0, &err),
			WSP_ENOTFOUND);
	/* into new parents */
	CU_ASSERT_EQUAL(
		FS->copy(SELF, &fake_call, "a.txt", "n/e/w.txt", 0, &err), 0);
	/* directories */
	CU_ASSERT_EQUAL(
		FS->mkdir(SELF, &fake_call, "src/sub", WSP_FS_RECURSIVE, &err),
		0);
	file_put(at("src/one"), "1");
	file_put(at("src/sub/two"), "2");
	CU_ASSERT_EQUAL(symlink("one", at("src/ln")), 0);
	CU_ASSERT_EQUAL(FS->copy(SELF, &fake_call, "src", "dst", 0, &err),
			WSP_EISDIR);
	CU_ASSERT_EQUAL(FS->copy(SELF, &fake_call, "src", "dst",
				 WSP_FS_RECURSIVE, &err),
			0);
	s = file_get(at("dst/sub/two"));
	ASSERT_STR(s, "2");
	free(s);
	s = file_get(at("dst/ln")); /* the link was copied as a link */
	ASSERT_STR(s, "1");
	free(s);
	{
		char t[64] = "";

		CU_ASSERT_EQUAL(readlink(at("dst/ln"), t, sizeof(t)), 3);
	}
	CU_ASSERT_EQUAL(FS->copy(SELF, &fake_call, "src", "dst",
				 WSP_FS_RECURSIVE, &err),
			WSP_EEXIST);
	file_put(at("src/one"), "1b");
	CU_ASSERT_EQUAL(FS->copy(SELF, &fake_call, "src", "dst",
				 WSP_FS_RECURSIVE | WSP_FS_OVERWRITE, &err),
			0);
	s = file_get(at("dst/one"));
	ASSERT_STR(s, "1b");
	free(s);
	CU_ASSERT_EQUAL(FS->copy(SELF, &fake_call, "src", "src/sub/inside",
				 WSP_FS_RECURSIVE, &err),
			WSP_EINVAL);
}

static void test_move(void)
{
	char *s;

	fresh();
	file_put(at("a"), "A");
	file_put(at("b"), "B");
	CU_ASSERT_EQUAL(FS->move(SELF, &fake_call, "a", "b", 0, &err),
			WSP_EEXIST);
	s = file_get(at("b"));
	ASSERT_STR(s, "B");
	free(s);
	CU_ASSERT_EQUAL(
		FS->move(SELF, &fake_call, "a", "b", WSP_FS_OVERWRITE, &err),
		0);
	s = file_get(at("b"));
	ASSERT_STR(s, "A");
	free(s);
	CU_ASSERT_EQUAL(access(at("a"), F_OK), -1);
	CU_ASSERT_EQUAL(FS->move(SELF, &fake_call, "a", "c", 0, &err),
			WSP_ENOTFOUND);
	CU_ASSERT_EQUAL(FS->move(SELF, &fake_call, "b", "deep/er/c", 0, &err),
			0);
	s = file_get(at("deep/er/c"));
	ASSERT_STR(s, "A");
	free(s);
	CU_ASSERT_EQUAL(FS->move(SELF, &fake_call, "deep", "moved", 0, &err),
			0);
	CU_ASSERT_EQUAL(access(at("moved/er/c"), F_OK), 0);
	CU_ASSERT_EQUAL(
		FS->move(SELF, &fake_call, "moved", "moved/er/x", 0, &err),
		WSP_EINVAL);
	CU_ASSERT_EQUAL(FS->move(SELF, &fake_call, ".", "x", 0, &err),
			WSP_EPERM);
	host_mkdir("full");
	file_put(at("full/f"), "x");
	file_put(at("g"), "x");
	CU_ASSERT_EQUAL(
		FS->move(SELF, &fake_call, "g", "full", WSP_FS_OVERWRITE, &err),
		WSP_EISDIR);
}

static void test_move_across_devices(void)
{
	struct fake_fs g;
	char *shm = strdup("/dev/shm/wsp-fsops-XXXXXX");
	const char *allowed[2] = {shm, NULL};
	char rel[4200], *s;
	int rc;

	fresh();
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(shm));
	CU_ASSERT_EQUAL_FATAL(fake_fs_open(&g, base, 0, allowed, &err), 0);
	file_put(at("local.txt"), "cross");
	/* allowed_paths are addressed by their absolute path */
	snprintf(rel, sizeof(rel), "%s/moved.txt", shm + 1);
	rc = g.fs->move(g.self, &fake_call, "local.txt", rel, 0, &err);
	CU_ASSERT_EQUAL(rc, 0);
	s = path_join(shm, "moved.txt");
	{
		char *c = file_get(s);

		CU_ASSERT_PTR_NOT_NULL(c);
		if (c)
			ASSERT_STR(c, "cross");
		free(c);
	}
	CU_ASSERT_EQUAL(access(at("local.txt"), F_OK), -1);
	/* escaping the allowed root is refused like base's */
	snprintf(rel, sizeof(rel), "%s/../etc/passwd", shm + 1);
	CU_ASSERT_EQUAL(
		g.fs->stat(&(wsp_fs_stat){.struct_size = sizeof(wsp_fs_stat)},
			   g.self, &fake_call, rel, 0, &err),
		WSP_EPERM);
	free(s);
	fake_fs_close(&g);
	tree_remove(shm);
	free(shm);
}

struct seen {
	int n;
	char names[64][256];
	wsp_fs_entry e[64];
	char targets[64][256];
	char leaf[64][256]; /* entry names: e[i].name dies with the callback */
};

static int collect(const wsp_fs_entry *e, void *p)
{
	struct seen *s = p;

	if (s->n == 64)
		return WSP_ETOOBIG;
	snprintf(s->names[s->n], 256, "%s", e->path);
	s->e[s->n] = *e;
	s->e[s->n].path = s->e[s->n].name = s->e[s->n].symlink_target = NULL;
	snprintf(s->leaf[s->n], 256, "%s", e->name);
	snprintf(s->targets[s->n], 256, "%s",
		 e->symlink_target ? e->symlink_target : "");
	s->n++;
	return 0;
}

static int find(struct seen *s, const char *path)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->names[i], path))
			return i;
	return -1;
}

static void test_list(void)
{
	wsp_fs_list_opts o = WSP_FS_LIST_OPTS_INIT;
	/* case matters (plugins/shared/fs_ext.h): "C" keeps no low.c */
	const char *exts[] = {".md", "txt", "C", NULL};
	struct seen s = {0};
	int i;

	fresh();
	CU_ASSERT_EQUAL(
		FS->mkdir(SELF, &fake_call, "a/b/c", WSP_FS_RECURSIVE, &err),
		0);
	file_put(at("top.md"), "12");
	file_put(at("a/mid.txt"), "123");
	file_put(at("a/b/low.c"), "1234");
	file_put(at("a/b/c/deep.md"), "1");
	CU_ASSERT_EQUAL(symlink("a/b", at("lnk")), 0);
	file_put(at(".wsp-tmp.0123456789abcdef"), "partial");

	CU_ASSERT_EQUAL(FS->list(SELF, &fake_call, ".", &o, collect, &s, &err),
			0);
	CU_ASSERT_EQUAL(s.n, 3); /* top.md a lnk; the temporary is hidden */
	CU_ASSERT(find(&s, "top.md") >= 0);
	i = find(&s, "a");
	CU_ASSERT_FATAL(i >= 0);
	CU_ASSERT_EQUAL(s.e[i].type, WSP_FS_TYPE_DIR);
	CU_ASSERT_EQUAL(s.e[i].depth, 1);
	i = find(&s, "lnk");
	CU_ASSERT_FATAL(i >= 0);
	CU_ASSERT_EQUAL(s.e[i].is_symlink, 1);
	CU_ASSERT_EQUAL(s.e[i].type, WSP_FS_TYPE_SYMLINK);
	CU_ASSERT_STRING_EQUAL(s.targets[i], "a/b");
	i = find(&s, "top.md");
	CU_ASSERT_EQUAL(s.e[i].size, 2);
	CU_ASSERT(s.e[i].mtime_ns > 0);

	/* recursive, unlimited: the symlinked dir is not entered */
	memset(&s, 0, sizeof(s));
	o.flags = WSP_FS_RECURSIVE;
	CU_ASSERT_EQUAL(FS->list(SELF, &fake_call, ".", &o, collect, &s, &err),
			0);
	CU_ASSERT_EQUAL(s.n, 8);
	i = find(&s, "a/b/c/deep.md");
	CU_ASSERT_FATAL(i >= 0);
	CU_ASSERT_EQUAL(s.e[i].depth, 4);
	CU_ASSERT_STRING_EQUAL(s.leaf[i], "deep.md");
	CU_ASSERT(find(&s, "lnk/low.c") < 0);

	/* max depth 2 */
	memset(&s, 0, sizeof(s));
	o.max_depth = 2;
	CU_ASSERT_EQUAL(FS->list(SELF, &fake_call, ".", &o, collect, &s, &err),
			0);
	CU_ASSERT_EQUAL(s.n, 5); /* top.md a lnk a/mid.txt a/b */

	/* extension filter: dirs always pass, names compare byte for byte */
	memset(&s, 0, sizeof(s));
	o.max_depth = 0;
	o.extensions = exts;
	CU_ASSERT_EQUAL(FS->list(SELF, &fake_call, ".", &o, collect, &s, &err),
			0);
	CU_ASSERT(find(&s, "top.md") >= 0);
	CU_ASSERT(find(&s, "a/mid.txt") >= 0);
	CU_ASSERT(find(&s, "a/b/c/deep.md") >= 0);
	CU_ASSERT(find(&s, "a/b/low.c") < 0);
	CU_ASSERT(find(&s, "a/b") >= 0);

	/* a sub-directory, and through an inside symlink */
	memset(&s, 0, sizeof(s));
	o = (wsp_fs_list_opts)WSP_FS_LIST_OPTS_INIT;
	CU_ASSERT_EQUAL(
		FS->list(SELF, &fake_call, "lnk", &o, collect, &s, &err), 0);
	CU_ASSERT_EQUAL(s.n, 2);
	CU_ASSERT(find(&s, "low.c") >= 0);
	CU_ASSERT_EQUAL(
		FS->list(SELF, &fake_call, "top.md", &o, collect, &s, &err),
		WSP_ENOTDIR);
	CU_ASSERT_EQUAL(
		FS->list(SELF, &fake_call, "none", &o, collect, &s, &err),
		WSP_ENOTFOUND);
	/* a consumer can stop the listing */
	memset(&s, 0, sizeof(s));
	s.n = 64;
	CU_ASSERT_EQUAL(FS->list(SELF, &fake_call, ".", &o, collect, &s, &err),
			WSP_ETOOBIG);
}

static void test_read_only(void)
{
	struct fake_fs ro;
	wsp_fs_stat st = {.struct_size = sizeof(st)};
	char *s = NULL;

	fresh();
	file_put(at("keep.txt"), "keep");
	host_mkdir("d");
	CU_ASSERT_EQUAL_FATAL(fake_fs_open(&ro, base, 1, NULL, &err), 0);
	CU_ASSERT_EQUAL(fake_fs_put(&ro, "keep.txt", "x", 1, 0, &err),
			WSP_EROFS);
	CU_ASSERT(strstr(err.message, "read-only") != NULL);
	CU_ASSERT_EQUAL(fake_fs_put(&ro, "new.txt", "x", 1, 0, &err),
			WSP_EROFS);
	CU_ASSERT_EQUAL(
		fake_fs_put(&ro, "keep.txt", "x", 1, WSP_FS_WRITE_APPEND, &err),
		WSP_EROFS);
	CU_ASSERT_EQUAL(ro.fs->mkdir(ro.self, &fake_call, "m", 0, &err),
			WSP_EROFS);
	CU_ASSERT_EQUAL(ro.fs->remove(ro.self, &fake_call, "keep.txt", 0, &err),
			WSP_EROFS);
	CU_ASSERT_EQUAL(ro.fs->rmdir(ro.self, &fake_call, "d", 0, &err),
			WSP_EROFS);
	CU_ASSERT_EQUAL(
		ro.fs->copy(ro.self, &fake_call, "keep.txt", "c", 0, &err),
		WSP_EROFS);
	CU_ASSERT_EQUAL(
		ro.fs->move(ro.self, &fake_call, "keep.txt", "c", 0, &err),
		WSP_EROFS);
	/* reads still work */
	CU_ASSERT_EQUAL(fake_fs_get(&ro, "keep.txt", &s, NULL, &err), 0);
	ASSERT_STR(s, "keep");
	free(s);
	CU_ASSERT_EQUAL(
		ro.fs->stat(&st, ro.self, &fake_call, "keep.txt", 0, &err), 0);
	CU_ASSERT_EQUAL(access(at("new.txt"), F_OK), -1);
	CU_ASSERT_EQUAL(access(at("m"), F_OK), -1);
	s = file_get(at("keep.txt"));
	ASSERT_STR(s, "keep");
	free(s);
	fake_fs_close(&ro);
}

/*
 * Permission errors: as root, a child drops to an unprivileged user first
 * (root bypasses file modes).
 */
static void test_permission(void)
{
	pid_t pid;
	int status = -1;

	fresh();
	file_put(at("secret.txt"), "x");
	CU_ASSERT_EQUAL(chmod(at("secret.txt"), 0), 0);
	CU_ASSERT_EQUAL(chmod(top, 0755), 0);
	CU_ASSERT_EQUAL(chmod(base, 0755), 0);
	pid = fork();
	if (pid == 0) {
		char *out = NULL;
		int rc;

		if (geteuid() == 0 && (setgid(65534) < 0 || setuid(65534) < 0))
			_exit(3);
		rc = fake_fs_get(&F, "secret.txt", &out, NULL, &err);
		if (rc != WSP_EPERM || err.os_errno != EACCES)
			_exit(1);
		rc = fake_fs_put(&F, "new.txt", "x", 1, 0, &err);
		_exit(rc == WSP_EPERM ? 0 : 2);
	}
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT(WIFEXITED(status));
	CU_ASSERT_EQUAL(WEXITSTATUS(status), 0);
}

static void test_descriptor(void)
{
	const wsp_option_spec *o = F.desc->options;

	CU_ASSERT_EQUAL(F.desc->kind, WSP_KIND_FS);
	CU_ASSERT_STRING_EQUAL(F.desc->name, "local");
	CU_ASSERT_STRING_EQUAL(o[0].name, "base_path");
	CU_ASSERT(o[0].flags & WSP_OPT_REQUIRED);
	CU_ASSERT_STRING_EQUAL(o[1].name, "read_only");
	CU_ASSERT_STRING_EQUAL(o[2].name, "allowed_paths");
	CU_ASSERT_PTR_NULL(o[3].name);
	CU_ASSERT_PTR_NOT_NULL(F.fs->copy);
	CU_ASSERT_PTR_NOT_NULL(F.fs->move);
	CU_ASSERT_PTR_NOT_NULL(F.fs->exists);
	CU_ASSERT_PTR_NOT_NULL(F.fs->host_path);
}

static CU_TestInfo tests[] = {
	{"descriptor", test_descriptor},
	{"init creates base", test_init_creates_base},
	{"write and read whole", test_write_read_whole},
	{"read range and stream", test_read_range_and_stream},
	{"read errors", test_read_errors},
	{"call fired midway", test_call_fired_midway},
	{"write flags", test_write_flags},
	{"write preconditions stale", test_write_preconditions},
	{"write preconditions match", test_write_precondition_match},
	{"write through inside symlink", test_write_through_inside_symlink},
	{"stat exists host_path", test_stat_exists_host_path},
	{"mkdir", test_mkdir},
	{"remove and rmdir", test_remove_rmdir},
	{"copy", test_copy},
	{"move", test_move},
	{"move across devices", test_move_across_devices},
	{"list", test_list},
	{"read-only", test_read_only},
	{"permission", test_permission},
	CU_TEST_INFO_NULL,
};

int main(void)
{
	return cu_run_suite("fs-local ops", suite_init, suite_fini, tests);
}
