/*
 * tests/common/remote_fs_tests.c - the file test bodies the remote
 * sandboxes share (see remote_fs_tests.h): CUnit assertions on a box's
 * sandbox_fs, run inside the calling suite's tests.
 */
#include "remote_fs_tests.h"
#include "test_bytes.h"

#include <CUnit/CUnit.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rfs_put_text(struct box *bx, const char *path, const char *text,
		 uint32_t flags, wsp_error *err)
{
	struct text_src ts = {text, 0};
	wsp_fs_write_opts o = WSP_FS_WRITE_OPTS_INIT;

	o.flags = flags;
	return bx->d->sandbox_fs->write(NULL, bx->self, box_call(bx, 30000),
					path, &o, text_give, &ts, err);
}

const char *rfs_get_text(struct box *bx, const char *path)
{
	static unsigned char buf[4096];
	struct sink k = {buf, 0, sizeof(buf) - 1, 0};
	/* length: what the core makes of 0 (to the end) */
	wsp_fs_read_opts ro = {.struct_size = sizeof(ro), .length = UINT64_MAX};
	wsp_error err = {0};

	if (bx->d->sandbox_fs->read(bx->self, box_call(bx, 30000), path, &ro,
				    take, &k, &err))
		k.len = 0;
	buf[k.len] = '\0';
	return (const char *)buf;
}

void rfs_streamed_write_and_read(struct box *bx,
				 const struct rfs_wire_checks *wire)
{
	const wsp_fs_vtable *fs = bx->d->sandbox_fs;
	size_t total = (3u << 20) + 17;
	struct src s = {.total = total, .piece = 64 * 1024};
	struct sink k = {malloc(total), 0, total, 0};
	wsp_fs_write_opts wo = WSP_FS_WRITE_OPTS_INIT;
	/* length: what the core makes of 0 (to the end) */
	wsp_fs_read_opts ro = {.struct_size = sizeof(ro), .length = UINT64_MAX};
	wsp_fs_stat st = {.struct_size = sizeof(st)};
	wsp_error err = {0};
	cJSON *log;
	int ok = 1;

	fake_admin("DELETE", "/_fake/requests", NULL, NULL);
	CU_ASSERT_EQUAL_FATAL(fs->write(&st, bx->self, box_call(bx, 60000),
					"data/big.bin", &wo, give, &s, &err),
			      0);
	CU_ASSERT_EQUAL(st.type, WSP_FS_TYPE_FILE);
	CU_ASSERT_EQUAL(st.size, total);
	CU_ASSERT_EQUAL(st.mode, 0644);
	CU_ASSERT_TRUE(st.mtime_ns > 0);
	log = fake_requests();
	wire->after_write(log);
	cJSON_Delete(log);
	/* read back whole, streamed in pieces */
	CU_ASSERT_EQUAL_FATAL(fs->read(bx->self, box_call(bx, 60000),
				       "data/big.bin", &ro, take, &k, &err),
			      0);
	CU_ASSERT_EQUAL(k.len, total);
	for (size_t i = 0; i < k.len && ok; i++)
		ok = k.buf[i] == (unsigned char)(i % 251);
	CU_ASSERT_TRUE(ok);
	CU_ASSERT_TRUE(k.calls > 1);
	/* a range */
	fake_admin("DELETE", "/_fake/requests", NULL, NULL);
	k.len = 0;
	ro.offset = 1000;
	ro.length = 10;
	CU_ASSERT_EQUAL_FATAL(fs->read(bx->self, box_call(bx, 60000),
				       "data/big.bin", &ro, take, &k, &err),
			      0);
	CU_ASSERT_EQUAL(k.len, 10);
	CU_ASSERT_EQUAL(k.buf[0], 1000 % 251);
	CU_ASSERT_EQUAL(k.buf[9], 1009 % 251);
	log = fake_requests();
	wire->after_range(log);
	cJSON_Delete(log);
	/* past the end: nothing */
	k.len = 0;
	ro.offset = total + 5;
	CU_ASSERT_EQUAL(fs->read(bx->self, box_call(bx, 60000), "data/big.bin",
				 &ro, take, &k, &err),
			0);
	CU_ASSERT_EQUAL(k.len, 0);
	free(k.buf);
}

void rfs_same_disk_as_commands(struct box *bx)
{
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	wsp_exec_result r = {.struct_size = sizeof(r)};
	const wsp_host *h = wsp_fakehost_host(bx->fh);
	wsp_error err = {0};

	CU_ASSERT_EQUAL_FATAL(
		rfs_put_text(bx, "notes/a.txt", "from wsp\n", 0, &err), 0);
	o.shell = "cat notes/a.txt; echo from-sandbox > notes/b.txt";
	CU_ASSERT_EQUAL_FATAL(
		box_vt(bx)->exec(&r, bx->self, box_call(bx, 30000), &o, &err),
		0);
	CU_ASSERT_STRING_EQUAL(r.stdout_data, "from wsp\n");
	h->free(h, r.stdout_data);
	h->free(h, r.stderr_data);
	CU_ASSERT_STRING_EQUAL(rfs_get_text(bx, "notes/b.txt"),
			       "from-sandbox\n");
}

int rfs_collect(const wsp_fs_entry *en, void *payload)
{
	struct rfs_names *n = payload;
	size_t l = strlen(n->text);

	snprintf(n->text + l, sizeof(n->text) - l, "%s:%u%s ", en->path,
		 en->depth, en->type == WSP_FS_TYPE_DIR ? "/" : "");
	return 0;
}

/* Names a URL cannot carry as they are: each form escapes its own. */
void rfs_names_to_escape(struct box *bx)
{
	const wsp_fs_vtable *fs = bx->d->sandbox_fs;
	static const char *const odd[] = {
		"odd dir/a%2Fb.txt", "odd dir/q'uote \"x\".txt",
		"odd dir/\xc3\xbcml?#&=+.txt", "odd dir/~tilde.txt", NULL};
	wsp_fs_list_opts lo = WSP_FS_LIST_OPTS_INIT;
	wsp_error err = {0};
	struct rfs_names n = {""};

	for (const char *const *p = odd; *p; p++) {
		CU_ASSERT_EQUAL(rfs_put_text(bx, *p, *p, 0, &err), 0);
		CU_ASSERT_STRING_EQUAL(rfs_get_text(bx, *p), *p);
	}
	CU_ASSERT_EQUAL(fs->list(bx->self, box_call(bx, 30000), "odd dir", &lo,
				 rfs_collect, &n, &err),
			0);
	for (const char *const *p = odd; *p; p++) {
		char want[256];

		snprintf(want, sizeof(want), "%s:1 ", *p + 8);
		CU_ASSERT_PTR_NOT_NULL(strstr(n.text, want));
	}
	/* nothing went astray: a%2Fb is no directory a */
	CU_ASSERT_EQUAL(fs->stat(NULL, bx->self, box_call(bx, 30000),
				 "odd dir/a", 0, &err),
			WSP_ENOTFOUND);
	CU_ASSERT_EQUAL(fs->rmdir(bx->self, box_call(bx, 30000), "odd dir",
				  WSP_FS_RECURSIVE, &err),
			0);
}

void rfs_tree_operations(struct box *bx)
{
	const wsp_fs_vtable *fs = bx->d->sandbox_fs;
	wsp_fs_list_opts lo = WSP_FS_LIST_OPTS_INIT;
	wsp_fs_stat st = {.struct_size = sizeof(st)};
	const wsp_call *call = box_call(bx, 60000);
	wsp_error err = {0};
	struct rfs_names n = {""};
	int there = -1;

	CU_ASSERT_EQUAL(fs->mkdir(bx->self, call, "t/x/y", 0, &err),
			WSP_ENOTFOUND); /* no parents without RECURSIVE */
	CU_ASSERT_EQUAL(
		fs->mkdir(bx->self, call, "t/x/y", WSP_FS_RECURSIVE, &err), 0);
	CU_ASSERT_EQUAL(fs->mkdir(bx->self, call, "t/x", 0, &err), WSP_EEXIST);
	CU_ASSERT_EQUAL(
		fs->mkdir(bx->self, call, "t/x", WSP_FS_RECURSIVE, &err), 0);
	CU_ASSERT_EQUAL(fs->stat(&st, bx->self, call, "t/x", 0, &err), 0);
	CU_ASSERT_EQUAL(st.type, WSP_FS_TYPE_DIR);
	CU_ASSERT_EQUAL_FATAL(rfs_put_text(bx, "t/x/y/f.md", "# f\n", 0, &err),
			      0);
	CU_ASSERT_EQUAL_FATAL(rfs_put_text(bx, "t/g.txt", "g", 0, &err), 0);
	CU_ASSERT_EQUAL(
		fs->mkdir(bx->self, call, "t/g.txt", WSP_FS_RECURSIVE, &err),
		WSP_EEXIST);
	/* no overwrite: refused, untouched (and no temporary file left) */
	CU_ASSERT_EQUAL(rfs_put_text(bx, "t/g.txt", "other",
				     WSP_FS_WRITE_NO_OVERWRITE, &err),
			WSP_EEXIST);
	CU_ASSERT_STRING_EQUAL(rfs_get_text(bx, "t/g.txt"), "g");
	CU_ASSERT_EQUAL(rfs_put_text(bx, "t/new.txt", "new",
				     WSP_FS_WRITE_NO_OVERWRITE, &err),
			0);
	CU_ASSERT_STRING_EQUAL(rfs_get_text(bx, "t/new.txt"), "new");
	CU_ASSERT_EQUAL(fs->stat(&st, bx->self, call, "t/g.txt", 0, &err), 0);
	CU_ASSERT_EQUAL(st.size, 1);
	CU_ASSERT_TRUE(st.mtime_ns > 0);
	CU_ASSERT_EQUAL(rfs_put_text(bx, "none/g.txt", "g",
				     WSP_FS_WRITE_NO_PARENTS, &err),
			WSP_ENOTFOUND);
	/* both: a new file whose parent is there is written */
	CU_ASSERT_EQUAL(rfs_put_text(bx, "t/both.txt", "b",
				     WSP_FS_WRITE_NO_PARENTS |
					     WSP_FS_WRITE_NO_OVERWRITE,
				     &err),
			0);
	CU_ASSERT_STRING_EQUAL(rfs_get_text(bx, "t/both.txt"), "b");
	CU_ASSERT_EQUAL(
		rfs_put_text(bx, "t/g.txt", "g", WSP_FS_WRITE_APPEND, &err),
		WSP_ENOTSUP);
	CU_ASSERT_EQUAL(rfs_put_text(bx, "t/x", "g", 0, &err), WSP_EISDIR);
	/* listings: children, then the whole tree, then markdown only */
	CU_ASSERT_EQUAL(
		fs->list(bx->self, call, "t", &lo, rfs_collect, &n, &err), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(n.text, "x:1/ "));
	CU_ASSERT_PTR_NOT_NULL(strstr(n.text, "g.txt:1 "));
	CU_ASSERT_PTR_NULL(strstr(n.text, "x/y"));
	CU_ASSERT_PTR_NULL(strstr(n.text, ".wsp-upload-"));
	n.text[0] = '\0';
	lo.flags = WSP_FS_RECURSIVE;
	CU_ASSERT_EQUAL(
		fs->list(bx->self, call, "t", &lo, rfs_collect, &n, &err), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(n.text, "x/y/f.md:3 "));
	n.text[0] = '\0';
	lo.max_depth = 2;
	CU_ASSERT_EQUAL(
		fs->list(bx->self, call, "t", &lo, rfs_collect, &n, &err), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(n.text, "x/y:2/ "));
	CU_ASSERT_PTR_NULL(strstr(n.text, "f.md"));
	n.text[0] = '\0';
	lo.max_depth = 0;
	{
		static const char *const md[] = {".md", NULL};

		lo.extensions = md;
		CU_ASSERT_EQUAL(fs->list(bx->self, call, "t", &lo, rfs_collect,
					 &n, &err),
				0);
		CU_ASSERT_PTR_NULL(strstr(n.text, "g.txt"));
		CU_ASSERT_PTR_NOT_NULL(strstr(n.text, "x/y/f.md:3 "));
	}
	CU_ASSERT_EQUAL(
		fs->list(bx->self, call, "t/g.txt", &lo, rfs_collect, &n, &err),
		WSP_ENOTDIR);
	/* copy (cp in the sandbox) and move (mv) */
	CU_ASSERT_EQUAL(fs->copy(bx->self, call, "t/x", "t/x2", 0, &err),
			WSP_EISDIR);
	CU_ASSERT_EQUAL(
		fs->copy(bx->self, call, "t/x", "t/x2", WSP_FS_RECURSIVE, &err),
		0);
	CU_ASSERT_EQUAL(
		fs->exists(&there, bx->self, call, "t/x2/y/f.md", 0, &err), 0);
	CU_ASSERT_EQUAL(there, 1);
	CU_ASSERT_EQUAL(fs->move(bx->self, call, "t/g.txt", "t/x2", 0, &err),
			WSP_EEXIST);
	CU_ASSERT_EQUAL(fs->move(bx->self, call, "t/g.txt", "t/h.txt", 0, &err),
			0);
	CU_ASSERT_EQUAL(fs->stat(&st, bx->self, call, "t/g.txt", 0, &err),
			WSP_ENOTFOUND);
	CU_ASSERT_STRING_EQUAL(rfs_get_text(bx, "t/h.txt"), "g");
	CU_ASSERT_EQUAL(
		fs->move(bx->self, call, "t/h.txt", "t/deep/er/h.txt", 0, &err),
		0);
	CU_ASSERT_STRING_EQUAL(rfs_get_text(bx, "t/deep/er/h.txt"), "g");
	/* remove and rmdir keep wsp's rules */
	CU_ASSERT_EQUAL(fs->remove(bx->self, call, "t/x", 0, &err), WSP_EISDIR);
	CU_ASSERT_EQUAL(fs->rmdir(bx->self, call, "t/x", 0, &err),
			WSP_ENOTEMPTY);
	CU_ASSERT_EQUAL(fs->rmdir(bx->self, call, "t/deep/er/h.txt", 0, &err),
			WSP_ENOTDIR);
	CU_ASSERT_EQUAL(
		fs->rmdir(bx->self, call, "t/x", WSP_FS_RECURSIVE, &err), 0);
	CU_ASSERT_EQUAL(fs->remove(bx->self, call, "t/none", 0, &err),
			WSP_ENOTFOUND);
	CU_ASSERT_EQUAL(
		fs->remove(bx->self, call, "t/none", WSP_FS_FORCE, &err), 0);
	CU_ASSERT_EQUAL(fs->remove(bx->self, call, "t/deep/er/h.txt", 0, &err),
			0);
	CU_ASSERT_EQUAL(
		fs->exists(&there, bx->self, call, "t/deep/er/h.txt", 0, &err),
		0);
	CU_ASSERT_EQUAL(there, 0);
	CU_ASSERT_EQUAL(fs->remove(bx->self, call, ".", WSP_FS_RECURSIVE, &err),
			WSP_EPERM);
	CU_ASSERT_EQUAL(fs->rmdir(bx->self, call, "t", WSP_FS_RECURSIVE, &err),
			0);
	CU_ASSERT_EQUAL(wsp_fakehost_leaks(bx->fh), 0);
}

void rfs_under_a_file(struct box *bx)
{
	const wsp_fs_vtable *fs = bx->d->sandbox_fs;
	wsp_fs_list_opts lo = WSP_FS_LIST_OPTS_INIT;
	/* length: what the core makes of 0 (to the end) */
	wsp_fs_read_opts ro = {.struct_size = sizeof(ro), .length = UINT64_MAX};
	const wsp_call *call = box_call(bx, 60000);
	unsigned char buf[16];
	struct sink k = {buf, 0, sizeof(buf), 0};
	wsp_error err = {0};
	struct rfs_names n = {""};
	int there = -1;

	CU_ASSERT_EQUAL_FATAL(rfs_put_text(bx, "u/file.txt", "f", 0, &err), 0);
	CU_ASSERT_EQUAL(fs->stat(NULL, bx->self, call, "u/file.txt/x", 0, &err),
			WSP_ENOTDIR);
	CU_ASSERT_EQUAL(
		fs->stat(NULL, bx->self, call, "u/file.txt/x/y", 0, &err),
		WSP_ENOTDIR);
	/* what is under a file is not there: no error */
	CU_ASSERT_EQUAL(
		fs->exists(&there, bx->self, call, "u/file.txt/x", 0, &err), 0);
	CU_ASSERT_EQUAL(there, 0);
	CU_ASSERT_EQUAL(fs->list(bx->self, call, "u/file.txt/x", &lo,
				 rfs_collect, &n, &err),
			WSP_ENOTDIR);
	CU_ASSERT_EQUAL(fs->read(bx->self, call, "u/file.txt/x", &ro, take, &k,
				 &err),
			WSP_ENOTDIR);
	CU_ASSERT_EQUAL(fs->mkdir(bx->self, call, "u/file.txt/x",
				  WSP_FS_RECURSIVE, &err),
			WSP_ENOTDIR);
	CU_ASSERT_EQUAL(rfs_put_text(bx, "u/file.txt/x", "y", 0, &err),
			WSP_ENOTDIR);
	CU_ASSERT_STRING_EQUAL(rfs_get_text(bx, "u/file.txt"), "f");
	CU_ASSERT_EQUAL(fs->rmdir(bx->self, call, "u", WSP_FS_RECURSIVE, &err),
			0);
}

void rfs_over_a_directory(struct box *bx)
{
	const wsp_fs_vtable *fs = bx->d->sandbox_fs;
	const wsp_call *call = box_call(bx, 60000);
	wsp_error err = {0};
	int there = -1;

	CU_ASSERT_EQUAL_FATAL(
		rfs_put_text(bx, "o/x2/y/f.md", "# f\n", 0, &err), 0);
	CU_ASSERT_EQUAL_FATAL(rfs_put_text(bx, "o/new.txt", "new", 0, &err),
			      0);
	CU_ASSERT_EQUAL_FATAL(rfs_put_text(bx, "o/old.txt", "old", 0, &err),
			      0);
	CU_ASSERT_EQUAL(fs->move(bx->self, call, "o/new.txt", "o/x2", 0, &err),
			WSP_EEXIST);
	/* OVERWRITE: a file never replaces a directory, nor moves into it */
	CU_ASSERT_EQUAL(fs->move(bx->self, call, "o/new.txt", "o/x2",
				 WSP_FS_OVERWRITE, &err),
			WSP_EISDIR);
	CU_ASSERT_EQUAL(fs->copy(bx->self, call, "o/new.txt", "o/x2",
				 WSP_FS_OVERWRITE | WSP_FS_RECURSIVE, &err),
			WSP_EISDIR);
	CU_ASSERT_STRING_EQUAL(rfs_get_text(bx, "o/x2/y/f.md"), "# f\n");
	CU_ASSERT_EQUAL(
		fs->exists(&there, bx->self, call, "o/x2/new.txt", 0, &err), 0);
	CU_ASSERT_EQUAL(there, 0);
	/* nor a directory a file */
	CU_ASSERT_EQUAL(fs->move(bx->self, call, "o/x2", "o/old.txt",
				 WSP_FS_OVERWRITE, &err),
			WSP_ENOTDIR);
	CU_ASSERT_EQUAL(fs->copy(bx->self, call, "o/x2", "o/old.txt",
				 WSP_FS_OVERWRITE | WSP_FS_RECURSIVE, &err),
			WSP_ENOTDIR);
	CU_ASSERT_STRING_EQUAL(rfs_get_text(bx, "o/old.txt"), "old");
	CU_ASSERT_STRING_EQUAL(rfs_get_text(bx, "o/x2/y/f.md"), "# f\n");
	/* a file over a file is replaced */
	CU_ASSERT_EQUAL(fs->move(bx->self, call, "o/new.txt", "o/old.txt",
				 WSP_FS_OVERWRITE, &err),
			0);
	CU_ASSERT_STRING_EQUAL(rfs_get_text(bx, "o/old.txt"), "new");
	CU_ASSERT_EQUAL(
		fs->exists(&there, bx->self, call, "o/new.txt", 0, &err), 0);
	CU_ASSERT_EQUAL(there, 0);
	CU_ASSERT_EQUAL(fs->rmdir(bx->self, call, "o", WSP_FS_RECURSIVE, &err),
			0);
}

struct box *rfs_box;

void rfs_test_same_disk_as_commands(void)
{
	rfs_same_disk_as_commands(rfs_box);
}

void rfs_test_names_to_escape(void)
{
	rfs_names_to_escape(rfs_box);
}

void rfs_test_tree_operations(void)
{
	rfs_tree_operations(rfs_box);
}

void rfs_test_under_a_file(void)
{
	rfs_under_a_file(rfs_box);
}

void rfs_test_over_a_directory(void)
{
	rfs_over_a_directory(rfs_box);
}
