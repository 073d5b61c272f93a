/*
 * tests/sandbox-e2b/test_fs.c - the sandbox's disk as a filesystem (the
 * descriptor's sandbox_fs) against the E2B fake: a streamed write lands
 * under a temporary name and is renamed into place (what a command then
 * reads), reads whole and by range, stat, listings to a depth, mkdir,
 * remove and rmdir with wsp's rules, move and copy (cp in the sandbox),
 * and the refusals (no overwrite, a missing parent, append).
 */
#include "e2_env.h"
#include "e2b.h"
#include "cu_main.h"
#include "test_bytes.h"

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static struct box bx;

static const wsp_fs_vtable *fs(void)
{
	return bx.d->sandbox_fs;
}

static int put_text(const char *path, const char *text, uint32_t flags,
		    wsp_error *err)
{
	struct text_src ts = {text, 0};
	wsp_fs_write_opts o = WSP_FS_WRITE_OPTS_INIT;

	o.flags = flags;
	return fs()->write(NULL, bx.self, box_call(&bx, 30000), path, &o,
			   text_give, &ts, err);
}

static void test_streamed_write_and_read(void)
{
	size_t total = (3u << 20) + 17;
	struct src s = {total, 0, 64 * 1024};
	struct sink k = {malloc(total), 0, total, 0};
	wsp_fs_write_opts wo = WSP_FS_WRITE_OPTS_INIT;
	wsp_fs_read_opts ro = WSP_FS_READ_OPTS_INIT;
	wsp_fs_stat st = {.struct_size = sizeof(st)};
	wsp_error err = {0};
	cJSON *log, *up;
	int ok = 1;

	fake_admin("DELETE", "/_fake/requests", NULL, NULL);
	CU_ASSERT_EQUAL_FATAL(fs()->write(&st, bx.self, box_call(&bx, 60000),
					  "data/big.bin", &wo, give, &s, &err),
			      0);
	CU_ASSERT_EQUAL(st.type, WSP_FS_TYPE_FILE);
	CU_ASSERT_EQUAL(st.size, total);
	/* uploaded chunked under a temporary name, then renamed */
	log = fake_requests();
	up = fake_log_find(log, "POST", "/files");
	CU_ASSERT_PTR_NOT_NULL_FATAL(up);
	CU_ASSERT_TRUE(cJSON_IsTrue(cJSON_GetObjectItem(up, "chunked")));
	CU_ASSERT_PTR_NOT_NULL(strstr(cJSON_GetStringValue(cJSON_GetObjectItem(
					      cJSON_GetObjectItem(up, "query"),
					      "path")),
				      "/home/user/data/.wsp-upload-"));
	CU_ASSERT_PTR_NOT_NULL(
		fake_log_find(log, "POST", "/filesystem.Filesystem/Move"));
	cJSON_Delete(log);
	/* read back whole, streamed in pieces */
	CU_ASSERT_EQUAL_FATAL(fs()->read(bx.self, box_call(&bx, 60000),
					 "data/big.bin", &ro, take, &k, &err),
			      0);
	CU_ASSERT_EQUAL(k.len, total);
	for (size_t i = 0; i < k.len && ok; i++)
		ok = k.buf[i] == (unsigned char)(i % 251);
	CU_ASSERT_TRUE(ok);
	CU_ASSERT_TRUE(k.calls > 1);
	/* a range */
	k.len = 0;
	ro.offset = 1000;
	ro.length = 10;
	CU_ASSERT_EQUAL_FATAL(fs()->read(bx.self, box_call(&bx, 60000),
					 "data/big.bin", &ro, take, &k, &err),
			      0);
	CU_ASSERT_EQUAL(k.len, 10);
	CU_ASSERT_EQUAL(k.buf[0], 1000 % 251);
	free(k.buf);
}

static void test_same_disk_as_commands(void)
{
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	wsp_exec_result r = {.struct_size = sizeof(r)};
	const wsp_host *h = wsp_fakehost_host(bx.fh);
	wsp_error err = {0};
	struct sink k = {malloc(64), 0, 64, 0};
	wsp_fs_read_opts ro = WSP_FS_READ_OPTS_INIT;

	CU_ASSERT_EQUAL_FATAL(put_text("notes/a.txt", "from wsp\n", 0, &err), 0);
	o.shell = "cat notes/a.txt; echo from-sandbox > notes/b.txt";
	CU_ASSERT_EQUAL_FATAL(box_vt(&bx)->exec(&r, bx.self,
						box_call(&bx, 30000), &o,
						&err),
			      0);
	CU_ASSERT_STRING_EQUAL(r.stdout_data, "from wsp\n");
	h->free(h, r.stdout_data);
	h->free(h, r.stderr_data);
	CU_ASSERT_EQUAL_FATAL(fs()->read(bx.self, box_call(&bx, 30000),
					 "notes/b.txt", &ro, take, &k, &err),
			      0);
	CU_ASSERT_EQUAL(k.len, 13);
	CU_ASSERT_EQUAL(memcmp(k.buf, "from-sandbox\n", 13), 0);
	free(k.buf);
}

struct names {
	char text[512];
};

static int collect(const wsp_fs_entry *en, void *payload)
{
	struct names *n = payload;
	size_t l = strlen(n->text);

	snprintf(n->text + l, sizeof(n->text) - l, "%s:%u%s ", en->path,
		 en->depth, en->type == WSP_FS_TYPE_DIR ? "/" : "");
	return 0;
}

static void test_tree_operations(void)
{
	wsp_fs_list_opts lo = WSP_FS_LIST_OPTS_INIT;
	wsp_fs_stat st = {.struct_size = sizeof(st)};
	const wsp_call *call = box_call(&bx, 60000);
	wsp_error err = {0};
	struct names n = {""};
	int there = -1;

	CU_ASSERT_EQUAL(fs()->mkdir(bx.self, call, "t/x/y", 0, &err),
			WSP_ENOTFOUND); /* no parents without RECURSIVE */
	CU_ASSERT_EQUAL(fs()->mkdir(bx.self, call, "t/x/y", WSP_FS_RECURSIVE,
				    &err),
			0);
	CU_ASSERT_EQUAL(fs()->mkdir(bx.self, call, "t/x", 0, &err),
			WSP_EEXIST);
	CU_ASSERT_EQUAL(fs()->mkdir(bx.self, call, "t/x", WSP_FS_RECURSIVE,
				    &err),
			0);
	CU_ASSERT_EQUAL_FATAL(put_text("t/x/y/f.md", "# f\n", 0, &err), 0);
	CU_ASSERT_EQUAL_FATAL(put_text("t/g.txt", "g", 0, &err), 0);
	/* no overwrite: refused, untouched */
	CU_ASSERT_EQUAL(put_text("t/g.txt", "other", WSP_FS_WRITE_NO_OVERWRITE,
				 &err),
			WSP_EEXIST);
	CU_ASSERT_EQUAL(fs()->stat(&st, bx.self, call, "t/g.txt", 0, &err), 0);
	CU_ASSERT_EQUAL(st.size, 1);
	CU_ASSERT_TRUE(st.mtime_ns > 0);
	CU_ASSERT_EQUAL(put_text("none/g.txt", "g", WSP_FS_WRITE_NO_PARENTS,
				 &err),
			WSP_ENOTFOUND);
	CU_ASSERT_EQUAL(put_text("t/g.txt", "g", WSP_FS_WRITE_APPEND, &err),
			WSP_ENOTSUP);
	/* listings: children, then the whole tree, then markdown only */
	CU_ASSERT_EQUAL(fs()->list(bx.self, call, "t", &lo, collect, &n, &err),
			0);
	CU_ASSERT_PTR_NOT_NULL(strstr(n.text, "x:1/ "));
	CU_ASSERT_PTR_NOT_NULL(strstr(n.text, "g.txt:1 "));
	CU_ASSERT_PTR_NULL(strstr(n.text, "x/y"));
	n.text[0] = '\0';
	lo.flags = WSP_FS_RECURSIVE;
	CU_ASSERT_EQUAL(fs()->list(bx.self, call, "t", &lo, collect, &n, &err),
			0);
	CU_ASSERT_PTR_NOT_NULL(strstr(n.text, "x/y/f.md:3 "));
	n.text[0] = '\0';
	{
		static const char *const md[] = {".md", NULL};

		lo.extensions = md;
		CU_ASSERT_EQUAL(fs()->list(bx.self, call, "t", &lo, collect,
					   &n, &err),
				0);
		CU_ASSERT_PTR_NULL(strstr(n.text, "g.txt"));
		CU_ASSERT_PTR_NOT_NULL(strstr(n.text, "x/y/f.md:3 "));
	}
	CU_ASSERT_EQUAL(fs()->list(bx.self, call, "t/g.txt", &lo, collect, &n,
				   &err),
			WSP_ENOTDIR);
	/* copy (cp in the sandbox) and move */
	CU_ASSERT_EQUAL(fs()->copy(bx.self, call, "t/x", "t/x2", 0, &err),
			WSP_EISDIR);
	CU_ASSERT_EQUAL(fs()->copy(bx.self, call, "t/x", "t/x2",
				   WSP_FS_RECURSIVE, &err),
			0);
	CU_ASSERT_EQUAL(fs()->exists(&there, bx.self, call, "t/x2/y/f.md", 0,
				     &err),
			0);
	CU_ASSERT_EQUAL(there, 1);
	CU_ASSERT_EQUAL(fs()->move(bx.self, call, "t/g.txt", "t/x2", 0, &err),
			WSP_EEXIST);
	CU_ASSERT_EQUAL(fs()->move(bx.self, call, "t/g.txt", "t/h.txt", 0,
				   &err),
			0);
	CU_ASSERT_EQUAL(fs()->stat(&st, bx.self, call, "t/g.txt", 0, &err),
			WSP_ENOTFOUND);
	/* remove and rmdir keep wsp's rules */
	CU_ASSERT_EQUAL(fs()->remove(bx.self, call, "t/x2", 0, &err),
			WSP_EISDIR);
	CU_ASSERT_EQUAL(fs()->rmdir(bx.self, call, "t/x2", 0, &err),
			WSP_ENOTEMPTY);
	CU_ASSERT_EQUAL(fs()->rmdir(bx.self, call, "t/h.txt", 0, &err),
			WSP_ENOTDIR);
	CU_ASSERT_EQUAL(fs()->rmdir(bx.self, call, "t/x2", WSP_FS_RECURSIVE,
				    &err),
			0);
	CU_ASSERT_EQUAL(fs()->remove(bx.self, call, "t/none", 0, &err),
			WSP_ENOTFOUND);
	CU_ASSERT_EQUAL(fs()->remove(bx.self, call, "t/none", WSP_FS_FORCE,
				    &err),
			0);
	CU_ASSERT_EQUAL(fs()->remove(bx.self, call, "t/h.txt", 0, &err), 0);
	CU_ASSERT_EQUAL(fs()->exists(&there, bx.self, call, "t/h.txt", 0,
				     &err),
			0);
	CU_ASSERT_EQUAL(there, 0);
	CU_ASSERT_EQUAL(wsp_fakehost_leaks(bx.fh), 0);
}

static long peak_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static int count_only(const void *data, size_t len, void *payload)
{
	(void)data;
	*(size_t *)payload += len;
	return 0;
}

/* 64 MiB up and down: this process's peak grows by far less than that */
static void test_bounded_memory(void)
{
	size_t total = 64u << 20, got = 0;
	struct src s = {total, 0, 1 << 20};
	wsp_fs_write_opts wo = WSP_FS_WRITE_OPTS_INIT;
	wsp_fs_read_opts ro = WSP_FS_READ_OPTS_INIT;
	wsp_error err = {0};
	long before = peak_kib();

	CU_ASSERT_EQUAL_FATAL(fs()->write(NULL, bx.self, box_call(&bx, 120000),
					  "huge.bin", &wo, give, &s, &err),
			      0);
	CU_ASSERT_EQUAL_FATAL(fs()->read(bx.self, box_call(&bx, 120000),
					 "huge.bin", &ro, count_only, &got,
					 &err),
			      0);
	CU_ASSERT_EQUAL(got, total);
	CU_ASSERT_TRUE(peak_kib() - before < 16 * 1024);
	if (peak_kib() - before >= 16 * 1024)
		fprintf(stderr, "peak grew by %ld KiB\n", peak_kib() - before);
	CU_ASSERT_EQUAL(fs()->remove(bx.self, box_call(&bx, 30000), "huge.bin",
				     0, &err),
			0);
}

static int fake_is(const cJSON *r, const char *method, const char *path)
{
	const char *m = cJSON_GetStringValue(cJSON_GetObjectItem(r, "method"));
	const char *p = cJSON_GetStringValue(cJSON_GetObjectItem(r, "path"));

	return m && p && !strcmp(m, method) && !strcmp(p, path);
}

/* user: root reaches root's files through /files too (its query) */
static void test_as_root(void)
{
	struct box rb;
	wsp_error err = {0};
	uint32_t outcome;
	struct text_src ts = {"secret\n", 0};
	wsp_fs_write_opts o = WSP_FS_WRITE_OPTS_INIT;
	wsp_fs_stat st = {.struct_size = sizeof(st)};

	CU_ASSERT_EQUAL_FATAL(box_open(&rb, "root-box",
				       "user: root\nworking_dir: /root\n", 0,
				       &err),
			      0);
	CU_ASSERT_EQUAL_FATAL(box_vt(&rb)->start(&outcome, rb.self,
						 box_call(&rb, 30000), 0,
						 &err),
			      0);
	CU_ASSERT_EQUAL(rb.d->sandbox_fs->write(&st, rb.self,
						box_call(&rb, 30000),
						"notes.txt", &o, text_give, &ts,
						&err),
			0);
	CU_ASSERT_EQUAL(st.size, 7);
	{
		cJSON *log = fake_requests(), *r = NULL, *it;
		const char *u;

		/* the last upload: it named the user */
		cJSON_ArrayForEach(it, cJSON_GetObjectItem(log, "requests"))
			if (fake_is(it, "POST", "/files"))
				r = it;
		u = cJSON_GetStringValue(cJSON_GetObjectItem(
			cJSON_GetObjectItem(r, "query"), "username"));

		CU_ASSERT_PTR_NOT_NULL(u);
		if (u)
			CU_ASSERT_STRING_EQUAL(u, "root");
		cJSON_Delete(log);
	}
	box_destroy(&rb);
}

static int suite_init(void)
{
	return e2_suite_start(&bx, "fs-box");
}

static int suite_clean(void)
{
	return e2_suite_stop(&bx);
}

static CU_TestInfo tests[] = {
	{"a streamed write renamed into place; reads", test_streamed_write_and_read},
	{"the disk the commands see", test_same_disk_as_commands},
	{"tree operations and refusals", test_tree_operations},
	{"64 MiB in a bounded memory", test_bounded_memory},
	{"files as the configured user", test_as_root},
	CU_TEST_INFO_NULL,
};

CU_MAIN_SUITE("sandbox-e2b files", suite_init, suite_clean, tests)
