/*
 * tests/sandbox-blaxel/test_fs.c - the sandbox's disk as a filesystem
 * (the descriptor's sandbox_fs, issue 16) against the Blaxel fake: a
 * streamed write lands under a temporary name (the raw `//abs` path, a
 * chunked multipart PUT) and is renamed into place in the sandbox, reads
 * whole and by range (the `%2F` path, a Range), the disk commands see,
 * names that need escaping, stat, listings to a depth, mkdir, remove and
 * rmdir with wsp's rules, move and copy (mv and cp in the sandbox), the
 * refusals, a server that answers a Range with the whole file, links
 * (stat follows them, listings name them), and faults: a 503 on a listing
 * retried, a download reset mid-file reported, never taken for the whole file.
 */
#include "bl_env.h"
#include "cu_main.h"
#include "remote_fs_tests.h"
#include "test_bytes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct box bx;

static const wsp_fs_vtable *fs(void)
{
	return bx.d->sandbox_fs;
}

static const char *str_of(const cJSON *o, const char *k)
{
	return cJSON_GetStringValue(cJSON_GetObjectItem(o, k));
}

/* The last logged request of method whose path starts with prefix. */
static cJSON *last_req(cJSON *log, const char *method, const char *prefix)
{
	cJSON *it, *found = NULL;

	cJSON_ArrayForEach(it, cJSON_GetObjectItem(log, "requests"))
	{
		const char *m = str_of(it, "method"), *p = str_of(it, "path");

		if (m && p && !strcmp(m, method) &&
		    !strncmp(p, prefix, strlen(prefix)))
			found = it;
	}
	return found;
}

/* the raw form, chunked multipart, under a temporary name; renamed by a
 * process, stat'd through the parent's listing */
static void wire_write(cJSON *log)
{
	cJSON *r = last_req(log, "PUT", "/sbx/fs-box/filesystem/");
	const char *ct;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(strncmp(str_of(r, "path"),
				"/sbx/fs-box/filesystem//blaxel/data/"
				".wsp-upload-",
				48),
			0);
	CU_ASSERT_TRUE(cJSON_IsTrue(cJSON_GetObjectItem(r, "chunked")));
	ct = str_of(cJSON_GetObjectItem(r, "headers"), "content-type");
	CU_ASSERT_PTR_NOT_NULL(ct && strstr(ct, "multipart/form-data"));
	CU_ASSERT_PTR_NOT_NULL(last_req(log, "POST", "/sbx/fs-box/process"));
	CU_ASSERT_PTR_NOT_NULL(last_req(
		log, "GET", "/sbx/fs-box/filesystem/%2Fblaxel%2Fdata"));
}

/* a range: the escaped form, download=true and a Range */
static void wire_range(cJSON *log)
{
	cJSON *r =
		last_req(log, "GET",
			 "/sbx/fs-box/filesystem/%2Fblaxel%2Fdata%2Fbig.bin");

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_STRING_EQUAL(
		str_of(cJSON_GetObjectItem(r, "query"), "download"), "true");
	CU_ASSERT_STRING_EQUAL(
		str_of(cJSON_GetObjectItem(r, "headers"), "range"),
		"bytes=1000-1009");
}

static void test_streamed_write_and_read(void)
{
	static const struct rfs_wire_checks wire = {wire_write, wire_range};

	rfs_streamed_write_and_read(&bx, &wire);
}

/* A sandbox-api that copies a download out whole, Range or not (some
 * versions do): the part is cut here from the stream, which is stopped
 * once the part went out. */
static void test_range_ignored(void)
{
	struct sink k = {malloc(4096), 0, 4096, 0};
	wsp_fs_read_opts ro = {
		.struct_size = sizeof(ro), .offset = 2u << 20, .length = 100};
	wsp_error err = {0};
	int ok = 1;

	CU_ASSERT_EQUAL_FATAL(fake_admin("POST", "/_fake/config",
					 "{\"downloadRanges\":0}", NULL),
			      200);
	CU_ASSERT_EQUAL(fs()->read(bx.self, box_call(&bx, 60000),
				   "data/big.bin", &ro, take, &k, &err),
			0);
	CU_ASSERT_EQUAL(k.len, 100);
	for (size_t i = 0; i < k.len && ok; i++)
		ok = k.buf[i] == (unsigned char)(((2u << 20) + i) % 251);
	CU_ASSERT_TRUE(ok);
	/* a part at the very start, and one to the end of the file */
	k.len = 0;
	ro.offset = 0;
	ro.length = 7;
	CU_ASSERT_EQUAL(fs()->read(bx.self, box_call(&bx, 60000),
				   "data/big.bin", &ro, take, &k, &err),
			0);
	CU_ASSERT_EQUAL(k.len, 7);
	CU_ASSERT_EQUAL(k.buf[6], 6);
	k.len = 0;
	ro.offset = (3u << 20) + 10;
	ro.length = UINT64_MAX;
	CU_ASSERT_EQUAL(fs()->read(bx.self, box_call(&bx, 60000),
				   "data/big.bin", &ro, take, &k, &err),
			0);
	CU_ASSERT_EQUAL(k.len, 7);
	CU_ASSERT_EQUAL(k.buf[0], ((3u << 20) + 10) % 251);
	fake_admin("POST", "/_fake/config", "{\"downloadRanges\":1}", NULL);
	free(k.buf);
}

static int type_of(const wsp_fs_entry *en, void *payload)
{
	struct rfs_names *n = payload;
	size_t l = strlen(n->text);

	snprintf(n->text + l, sizeof(n->text) - l, "%s=%u%s ", en->path,
		 en->type, en->is_symlink ? "L" : "");
	return 0;
}

/* Links made by a command: stat follows them (the listing does not),
 * NO_FOLLOW describes the link, a listing names them as links. */
static void test_links(void)
{
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	wsp_exec_result r = {.struct_size = sizeof(r)};
	const wsp_host *h = wsp_fakehost_host(bx.fh);
	const wsp_call *call = box_call(&bx, 30000);
	wsp_fs_stat st = {.struct_size = sizeof(st)};
	wsp_fs_list_opts lo = WSP_FS_LIST_OPTS_INIT;
	struct rfs_names n = {""};
	wsp_error err = {0};

	o.shell = "mkdir -p ln/d && echo hello > ln/f.txt && : > ln/empty && "
		  "ln -s f.txt ln/lf && ln -s d ln/ld && ln -s empty ln/le && "
		  "ln -s nowhere ln/dangle";
	CU_ASSERT_EQUAL_FATAL(bx.d->sandbox->exec(&r, bx.self, call, &o, &err),
			      0);
	CU_ASSERT_EQUAL(r.exit_code, 0);
	h->free(h, r.stdout_data);
	h->free(h, r.stderr_data);
	CU_ASSERT_EQUAL(fs()->stat(&st, bx.self, call, "ln/lf", 0, &err), 0);
	CU_ASSERT_EQUAL(st.type, WSP_FS_TYPE_FILE);
	CU_ASSERT_EQUAL(st.size, 6);
	CU_ASSERT_EQUAL(st.is_symlink, 1);
	memset(&st, 0, sizeof(st));
	st.struct_size = sizeof(st);
	CU_ASSERT_EQUAL(fs()->stat(&st, bx.self, call, "ln/ld", 0, &err), 0);
	CU_ASSERT_EQUAL(st.type, WSP_FS_TYPE_DIR);
	CU_ASSERT_EQUAL(st.is_symlink, 1);
	memset(&st, 0, sizeof(st));
	st.struct_size = sizeof(st);
	CU_ASSERT_EQUAL(fs()->stat(&st, bx.self, call, "ln/le", 0, &err), 0);
	CU_ASSERT_EQUAL(st.type, WSP_FS_TYPE_FILE);
	CU_ASSERT_EQUAL(st.size, 0);
	CU_ASSERT_EQUAL(fs()->stat(&st, bx.self, call, "ln/dangle", 0, &err),
			WSP_ENOTFOUND);
	memset(&st, 0, sizeof(st));
	st.struct_size = sizeof(st);
	CU_ASSERT_EQUAL(
		fs()->stat(&st, bx.self, call, "ln/lf", WSP_FS_NO_FOLLOW, &err),
		0);
	CU_ASSERT_EQUAL(st.type, WSP_FS_TYPE_SYMLINK);
	CU_ASSERT_STRING_EQUAL(rfs_get_text(&bx, "ln/lf"), "hello\n");
	/* a server that ignores the Range: the size from Content-Length */
	fake_admin("POST", "/_fake/config", "{\"downloadRanges\":0}", NULL);
	memset(&st, 0, sizeof(st));
	st.struct_size = sizeof(st);
	CU_ASSERT_EQUAL(fs()->stat(&st, bx.self, call, "ln/lf", 0, &err), 0);
	CU_ASSERT_EQUAL(st.type, WSP_FS_TYPE_FILE);
	CU_ASSERT_EQUAL(st.size, 6);
	CU_ASSERT_EQUAL(fs()->stat(&st, bx.self, call, "ln/le", 0, &err), 0);
	CU_ASSERT_EQUAL(st.size, 0);
	fake_admin("POST", "/_fake/config", "{\"downloadRanges\":1}", NULL);
	CU_ASSERT_EQUAL(fs()->list(bx.self, call, "ln", &lo, type_of, &n, &err),
			0);
	CU_ASSERT_PTR_NOT_NULL(strstr(n.text, "lf=3L "));
	CU_ASSERT_PTR_NOT_NULL(strstr(n.text, "ld=3L "));
	CU_ASSERT_PTR_NOT_NULL(strstr(n.text, "f.txt=1 "));
	CU_ASSERT_PTR_NOT_NULL(strstr(n.text, "d=2 "));
	n.text[0] = '\0';
	CU_ASSERT_EQUAL(
		fs()->list(bx.self, call, "ln/ld", &lo, type_of, &n, &err), 0);
	CU_ASSERT_STRING_EQUAL(n.text, "");
	CU_ASSERT_EQUAL(
		fs()->rmdir(bx.self, call, "ln", WSP_FS_RECURSIVE, &err), 0);
}

static int count_only(const void *data, size_t len, void *payload)
{
	(void)data;
	*(size_t *)payload += len;
	return 0;
}

static void test_faults(void)
{
	/* length: what the core makes of 0 (to the end) */
	wsp_fs_read_opts ro = {.struct_size = sizeof(ro), .length = UINT64_MAX};
	wsp_fs_write_opts wo = WSP_FS_WRITE_OPTS_INIT;
	wsp_fs_stat st = {.struct_size = sizeof(st)};
	size_t total = 1u << 20, got = 0;
	struct src s = {.total = total, .piece = 64 * 1024};
	wsp_error err = {0};
	int rc;

	CU_ASSERT_EQUAL_FATAL(fs()->write(NULL, bx.self, box_call(&bx, 60000),
					  "f/one.bin", &wo, give, &s, &err),
			      0);
	/* a 503 on the listing a stat reads: retried by the core */
	CU_ASSERT_EQUAL(fake_admin("POST", "/_fake/faults",
				   "{\"kind\":\"error\",\"status\":503,"
				   "\"plane\":\"sandbox\",\"method\":\"GET\","
				   "\"path\":\"/filesystem/*\"}",
				   NULL),
			201);
	CU_ASSERT_EQUAL(fs()->stat(&st, bx.self, box_call(&bx, 30000),
				   "f/one.bin", 0, &err),
			0);
	CU_ASSERT_EQUAL(st.size, total);
	/* a download reset mid-file is an error, never a short file (a
	 * fault with afterBytes meets raw downloads only, not listings) */
	CU_ASSERT_EQUAL(fake_admin("POST", "/_fake/faults",
				   "{\"kind\":\"reset\",\"afterBytes\":300000,"
				   "\"plane\":\"sandbox\",\"method\":\"GET\","
				   "\"path\":\"/filesystem/*\"}",
				   NULL),
			201);
	rc = fs()->read(bx.self, box_call(&bx, 30000), "f/one.bin", &ro,
			count_only, &got, &err);
	CU_ASSERT_NOT_EQUAL(rc, 0);
	CU_ASSERT_TRUE(got < total);
	fake_admin("DELETE", "/_fake/faults", NULL, NULL);
	got = 0;
	CU_ASSERT_EQUAL(fs()->read(bx.self, box_call(&bx, 30000), "f/one.bin",
				   &ro, count_only, &got, &err),
			0);
	CU_ASSERT_EQUAL(got, total);
	/* a write the sandbox refuses (a parent is a file) leaves nothing */
	CU_ASSERT_EQUAL_FATAL(rfs_put_text(&bx, "f/file", "x", 0, &err), 0);
	CU_ASSERT_NOT_EQUAL(rfs_put_text(&bx, "f/file/under.txt", "y", 0, &err),
			    0);
	CU_ASSERT_EQUAL(fs()->rmdir(bx.self, box_call(&bx, 30000), "f",
				    WSP_FS_RECURSIVE, &err),
			0);
}

/* A sandbox stopped by this instance refuses file calls too. */
static void test_stopped(void)
{
	wsp_error err = {0};
	uint32_t outcome;

	CU_ASSERT_EQUAL_FATAL(
		bx.d->sandbox->stop(bx.self, box_call(&bx, 60000), 0, &err), 0);
	CU_ASSERT_EQUAL(
		fs()->stat(NULL, bx.self, box_call(&bx, 30000), ".", 0, &err),
		WSP_EBUSY);
	CU_ASSERT_EQUAL_FATAL(bx.d->sandbox->start(&outcome, bx.self,
						   box_call(&bx, 60000), 0,
						   &err),
			      0);
	/* the files were kept (archive) */
	CU_ASSERT_STRING_EQUAL(rfs_get_text(&bx, "notes/a.txt"), "from wsp\n");
}

static int suite_init(void)
{
	wsp_error err = {0};

	rfs_box = &bx;
	if (fake_start())
		return -1;
	return box_open(&bx, "fs-box", NULL, 0, &err);
}

static int suite_clean(void)
{
	box_destroy(&bx);
	fake_env_stop();
	return 0;
}

static CU_TestInfo tests[] = {
	{"a streamed write renamed into place; reads",
	 test_streamed_write_and_read},
	{"a server that ignores the Range", test_range_ignored},
	{"the disk the commands see", rfs_test_same_disk_as_commands},
	{"names that need escaping", rfs_test_names_to_escape},
	{"tree operations and refusals", rfs_test_tree_operations},
	{"a path under a file", rfs_test_under_a_file},
	{"a file over a directory, a directory over a file",
	 rfs_test_over_a_directory},
	{"links: followed by stat, named by listings", test_links},
	{"faults: retried or reported", test_faults},
	{"a stopped sandbox", test_stopped},
	CU_TEST_INFO_NULL,
};

CU_MAIN_SUITE("sandbox-blaxel files", suite_init, suite_clean, tests)
