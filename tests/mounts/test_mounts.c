/*
 * tests/mounts/test_mounts.c - the mount table through the public file
 * API: path normalisation, longest-prefix routing, virtual directories,
 * read-only mounts, mount points, streamed copies and moves between
 * mounts. Workspaces are opened from YAML naming local mounts under a
 * temporary directory; every effect is checked on the disk itself.
 */
#include <wsp/wsp.h>

#include <CUnit/Basic.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cu_main.h"
#include "test_files.h"

static char top[512];
static wsp_workspace *ws;   /* "/", "/data", "/ro", "/deep/er" */
static wsp_workspace *bare; /* "/data", "/docs/team": no root mount */
static wsp_error err;

static char *at(const char *rel)
{
	static char buf[8][4200];
	static int i;

	i = (i + 1) % 8;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", top, rel);
	return buf[i];
}

static void put(const char *rel, const char *data)
{
	FILE *fp = fopen(at(rel), "w");

	if (fp) {
		fputs(data, fp);
		fclose(fp);
	}
}

static char *get(const char *rel)
{
	static char buf[4096];
	FILE *fp = fopen(at(rel), "r");
	size_t n;

	if (!fp)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

#define ASSERT_FILE(rel, want)                                                 \
	do {                                                                   \
		const char *g_ = get(rel);                                     \
		CU_ASSERT_PTR_NOT_NULL(g_);                                    \
		if (g_)                                                        \
			CU_ASSERT_STRING_EQUAL(g_, want);                      \
	} while (0)

static int open_ws(wsp_workspace **out, const char *yaml)
{
	wsp_open_opts o = WSP_OPEN_OPTS_INIT;

	o.config_text = yaml;
	o.config_name = "test.yaml";
	return wsp_workspace_open(out, &o, &err);
}

static int suite_init(void)
{
	char yaml[16384];
	const char *t = getenv("TMPDIR");

	snprintf(top, sizeof(top), "%s/wsp-mounts-XXXXXX",
		 t && *t ? t : "/tmp");
	if (!mkdtemp(top))
		return -1;
	mkdir(at("ro"), 0755);
	put("ro/keep.txt", "keep");
	snprintf(yaml, sizeof(yaml),
		 "mounts:\n"
		 "  /:\n    provider: local\n    options:\n"
		 "      base_path: %s/root\n"
		 "  /data:\n    provider: local\n    options:\n"
		 "      base_path: %s/data\n"
		 "  /ro:\n    provider: local\n    read_only: true\n"
		 "    options:\n      base_path: %s/ro\n"
		 "  /deep/er:\n    provider: local\n    options:\n"
		 "      base_path: %s/deeper\n",
		 top, top, top, top);
	if (open_ws(&ws, yaml) < 0) {
		fprintf(stderr, "open: %s\n", err.message);
		return -1;
	}
	snprintf(yaml, sizeof(yaml),
		 "mounts:\n"
		 "  /data:\n    provider: local\n    options:\n"
		 "      base_path: %s/data\n"
		 "  /docs/team:\n    provider: local\n    options:\n"
		 "      base_path: %s/team\n",
		 top, top);
	if (open_ws(&bare, yaml) < 0) {
		fprintf(stderr, "open: %s\n", err.message);
		return -1;
	}
	/* Mounts load lazily: touch each so their base dirs exist. */
	wsp_files_mkdir(ws, NULL, "/", WSP_FS_RECURSIVE, &err);
	wsp_files_mkdir(ws, NULL, "/data/.", WSP_FS_RECURSIVE, &err);
	wsp_files_mkdir(ws, NULL, "/deep/er", WSP_FS_RECURSIVE, &err);
	wsp_files_mkdir(bare, NULL, "/docs/team", WSP_FS_RECURSIVE, &err);
	return 0;
}

static int suite_fini(void)
{
	wsp_workspace_close(ws);
	wsp_workspace_close(bare);
	test_remove_tree(top);
	return 0;
}

static void test_normalize(void)
{
	static const struct {
		const char *in, *out;
		int rc;
	} cases[] = {
		{"/", "/", 0},
		{"", "/", 0},
		{".", "/", 0},
		{"data/x", "/data/x", 0},
		{"/data/x", "/data/x", 0},
		{"//data///x//", "/data/x", 0},
		{"./data/./x", "/data/x", 0},
		{"/data/../etc", "/etc", 0},
		{"a/b/../../c", "/c", 0},
		{"/a/..", "/", 0},
		{"...", "/...", 0},
		{"..", NULL, WSP_EPERM},
		{"/..", NULL, WSP_EPERM},
		{"/data/../../etc", NULL, WSP_EPERM},
		{"a/../../b", NULL, WSP_EPERM},
	};
	char out[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = wsp_files_normalize(out, sizeof(out), cases[i].in,
					     &err);

		CU_ASSERT_EQUAL(rc, cases[i].rc);
		if (rc == 0 && cases[i].out)
			CU_ASSERT_STRING_EQUAL(out, cases[i].out);
		if (rc == WSP_EPERM)
			CU_ASSERT(strstr(err.message, cases[i].in) != NULL);
	}
	CU_ASSERT_EQUAL(wsp_files_normalize(out, 4, "/abcdef", &err),
			WSP_EINVAL);
}

static void test_mime(void)
{
	CU_ASSERT_STRING_EQUAL(wsp_files_mime_type("notes.md"),
			       "text/markdown");
	CU_ASSERT_STRING_EQUAL(wsp_files_mime_type("/a/b/PHOTO.JPG"),
			       "image/jpeg");
	CU_ASSERT_STRING_EQUAL(wsp_files_mime_type("x.tar.gz"),
			       "application/gzip");
	CU_ASSERT_STRING_EQUAL(wsp_files_mime_type("data.json"),
			       "application/json");
	CU_ASSERT_STRING_EQUAL(wsp_files_mime_type(".bashrc"),
			       "application/octet-stream");
	CU_ASSERT_STRING_EQUAL(wsp_files_mime_type("Makefile"),
			       "application/octet-stream");
	CU_ASSERT_STRING_EQUAL(wsp_files_mime_type("a.unknownext"),
			       "application/octet-stream");
}

/* The kinds the object stores (fs-s3, fs-gcs) once typed from a short
 * table of their own: the core's one table knows each, and an upload now
 * stores these (tests/common/cli_fs_tests.h). */
static void test_mime_store_kinds(void)
{
	static const struct {
		const char *name, *type;
	} rows[] = {
		{"a.txt", "text/plain"},
		{"a.md", "text/markdown"},
		{"a.html", "text/html"},
		{"a.htm", "text/html"},
		{"a.css", "text/css"},
		{"a.csv", "text/csv"},
		{"a.js", "text/javascript"},
		{"a.mjs", "text/javascript"},
		{"a.json", "application/json"},
		{"a.xml", "application/xml"},
		{"a.yaml", "application/yaml"},
		{"a.yml", "application/yaml"},
		{"a.pdf", "application/pdf"},
		{"a.zip", "application/zip"},
		{"a.gz", "application/gzip"},
		{"a.tar", "application/x-tar"},
		{"a.png", "image/png"},
		{"a.jpg", "image/jpeg"},
		{"a.jpeg", "image/jpeg"},
		{"a.gif", "image/gif"},
		{"a.svg", "image/svg+xml"},
		{"a.webp", "image/webp"},
		{"a.py", "text/x-python"},
		{"a.c", "text/x-c"},
		{"a.h", "text/x-c"},
		{"a.sh", "text/x-shellscript"},
		{"a.wasm", "application/wasm"},
		{"dir.d/README", "application/octet-stream"},
		{"x.", "application/octet-stream"},
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *t = wsp_files_mime_type(rows[i].name);

		if (strcmp(t, rows[i].type))
			printf("\n  %s: %s, want %s", rows[i].name, t,
			       rows[i].type);
		CU_ASSERT_STRING_EQUAL(t, rows[i].type);
	}
}

static void test_routing(void)
{
	char *s = NULL;
	size_t n = 0;

	CU_ASSERT_EQUAL(wsp_files_write_buf(NULL, ws, NULL, "/data/x.txt", NULL,
					    "in data", 7, &err),
			0);
	ASSERT_FILE("data/x.txt", "in data");
	CU_ASSERT_EQUAL(access(at("root/data/x.txt"), F_OK), -1);
	/* relative and absolute name the same file */
	CU_ASSERT_EQUAL(
		wsp_files_read_all(&s, &n, ws, NULL, "data/x.txt", 100, &err),
		0);
	CU_ASSERT_STRING_EQUAL(s ? s : "", "in data");
	free(s);
	CU_ASSERT_EQUAL(wsp_files_read_all(&s, &n, ws, NULL,
					   "/deep/../data/./x.txt", 100, &err),
			0);
	CU_ASSERT_EQUAL(n, 7);
	free(s);
	/* the root mount takes the rest */
	CU_ASSERT_EQUAL(wsp_files_write_buf(NULL, ws, NULL, "notes.txt", NULL,
					    "n", 1, &err),
			0);
	ASSERT_FILE("root/notes.txt", "n");
	/* "/datax" is not "/data" */
	CU_ASSERT_EQUAL(wsp_files_write_buf(NULL, ws, NULL, "/datax/y", NULL,
					    "y", 1, &err),
			0);
	ASSERT_FILE("root/datax/y", "y");
	CU_ASSERT_EQUAL(wsp_files_write_buf(NULL, ws, NULL, "/deep/er/z", NULL,
					    "z", 1, &err),
			0);
	ASSERT_FILE("deeper/z", "z");
	/* nothing above the workspace root */
	CU_ASSERT_EQUAL(wsp_files_read_all(&s, &n, ws, NULL,
					   "/data/../../etc/passwd", 100, &err),
			WSP_EPERM);
	CU_ASSERT(strstr(err.message, "/data/../../etc/passwd") != NULL);
	/* "/etc/passwd" is a workspace path: the root mount's etc/passwd */
	CU_ASSERT_EQUAL(
		wsp_files_read_all(&s, &n, ws, NULL, "/etc/passwd", 100, &err),
		WSP_ENOTFOUND);
	CU_ASSERT_EQUAL(
		wsp_files_read_all(&s, &n, ws, NULL, "/data/x.txt", 3, &err),
		WSP_ETOOBIG);
	/* no mount serves it */
	CU_ASSERT_EQUAL(
		wsp_files_read_all(&s, &n, bare, NULL, "/other/f", 100, &err),
		WSP_ENOTFOUND);
}

struct seen {
	int n;
	char path[64][256];
	uint32_t type[64], depth[64];
};

static int collect(const wsp_fs_entry *e, void *p)
{
	struct seen *s = p;

	if (s->n == 64)
		return WSP_ETOOBIG;
	snprintf(s->path[s->n], 256, "%s", e->path);
	s->type[s->n] = e->type;
	s->depth[s->n] = e->depth;
	s->n++;
	return 0;
}

static int find(const struct seen *s, const char *path)
{
	int i, hit = -1;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->path[i], path)) {
			if (hit >= 0)
				return -2; /* listed twice */
			hit = i;
		}
	return hit;
}

static void test_virtual_dirs(void)
{
	wsp_fs_list_opts lo = WSP_FS_LIST_OPTS_INIT;
	wsp_fs_stat st = {.struct_size = sizeof(st)};
	struct seen s = {0};
	int i, ex = 0;

	/* what the root mount holds under a mount point is hidden */
	mkdir(at("root/data"), 0755);
	put("root/data/hidden.txt", "shadowed");
	mkdir(at("root/deep"), 0755);
	put("root/deep/real.txt", "r");
	CU_ASSERT_EQUAL(wsp_files_list(ws, NULL, "/", &lo, collect, &s, &err),
			0);
	i = find(&s, "data");
	CU_ASSERT_FATAL(i >= 0);
	CU_ASSERT_EQUAL(s.type[i], WSP_FS_TYPE_DIR);
	CU_ASSERT(find(&s, "ro") >= 0);
	CU_ASSERT(find(&s, "deep") >= 0);
	CU_ASSERT(find(&s, "notes.txt") >= 0);
	CU_ASSERT(find(&s, "deep/er") < 0); /* not recursive */

	memset(&s, 0, sizeof(s));
	lo.flags = WSP_FS_RECURSIVE;
	CU_ASSERT_EQUAL(wsp_files_list(ws, NULL, "/", &lo, collect, &s, &err),
			0);
	CU_ASSERT(find(&s, "data/hidden.txt") == -1);
	i = find(&s, "data/x.txt");
	CU_ASSERT_FATAL(i >= 0);
	CU_ASSERT_EQUAL(s.depth[i], 2);
	i = find(&s, "deep/er");
	CU_ASSERT_FATAL(i >= 0);
	CU_ASSERT_EQUAL(s.depth[i], 2);
	i = find(&s, "deep/er/z");
	CU_ASSERT_FATAL(i >= 0);
	CU_ASSERT_EQUAL(s.depth[i], 3);
	CU_ASSERT(find(&s, "deep/real.txt") >= 0); /* beside the mount */
	CU_ASSERT(find(&s, "ro/keep.txt") >= 0);
	/* max depth 2 stops before deep/er/z */
	memset(&s, 0, sizeof(s));
	lo.max_depth = 2;
	CU_ASSERT_EQUAL(wsp_files_list(ws, NULL, "/", &lo, collect, &s, &err),
			0);
	CU_ASSERT(find(&s, "deep/er") >= 0);
	CU_ASSERT(find(&s, "deep/er/z") == -1);

	/* no root mount: "/" and "/docs" are virtual */
	memset(&s, 0, sizeof(s));
	lo = (wsp_fs_list_opts)WSP_FS_LIST_OPTS_INIT;
	CU_ASSERT_EQUAL(wsp_files_list(bare, NULL, "/", &lo, collect, &s, &err),
			0);
	CU_ASSERT_EQUAL(s.n, 2);
	CU_ASSERT(find(&s, "data") >= 0);
	CU_ASSERT(find(&s, "docs") >= 0);
	memset(&s, 0, sizeof(s));
	CU_ASSERT_EQUAL(
		wsp_files_list(bare, NULL, "docs", &lo, collect, &s, &err), 0);
	CU_ASSERT_EQUAL(s.n, 1);
	CU_ASSERT(find(&s, "team") >= 0);
	CU_ASSERT_EQUAL(wsp_files_stat(&st, bare, NULL, "/docs", 0, &err), 0);
	CU_ASSERT_EQUAL(st.type, WSP_FS_TYPE_DIR);
	CU_ASSERT_EQUAL(wsp_files_stat(&st, bare, NULL, "/", 0, &err), 0);
	CU_ASSERT_EQUAL(wsp_files_exists(&ex, bare, NULL, "/docs", &err), 0);
	CU_ASSERT_EQUAL(ex, 1);
	CU_ASSERT_EQUAL(wsp_files_exists(&ex, bare, NULL, "/nothing", &err), 0);
	CU_ASSERT_EQUAL(ex, 0);
	CU_ASSERT_EQUAL(wsp_files_stat(&st, bare, NULL, "/nothing", 0, &err),
			WSP_ENOTFOUND);
	CU_ASSERT_EQUAL(
		wsp_files_list(bare, NULL, "/nothing", &lo, collect, &s, &err),
		WSP_ENOTFOUND);
	/* virtual dirs cannot change; mount points are not removed */
	CU_ASSERT_EQUAL(wsp_files_write_buf(NULL, bare, NULL, "/new.txt", NULL,
					    "x", 1, &err),
			WSP_EROFS);
	CU_ASSERT_EQUAL(wsp_files_mkdir(bare, NULL, "/newdir", 0, &err),
			WSP_EROFS);
	CU_ASSERT_EQUAL(wsp_files_mkdir(bare, NULL, "/docs", 0, &err),
			WSP_EEXIST);
	CU_ASSERT_EQUAL(
		wsp_files_mkdir(bare, NULL, "/docs", WSP_FS_RECURSIVE, &err),
		0);
	CU_ASSERT_EQUAL(
		wsp_files_rmdir(bare, NULL, "/docs", WSP_FS_RECURSIVE, &err),
		WSP_EBUSY);
	CU_ASSERT_EQUAL(
		wsp_files_rmdir(ws, NULL, "/data", WSP_FS_RECURSIVE, &err),
		WSP_EBUSY);
	CU_ASSERT_EQUAL(wsp_files_remove(ws, NULL, "/", WSP_FS_RECURSIVE, &err),
			WSP_EBUSY);
	CU_ASSERT_EQUAL(wsp_files_move(ws, NULL, "/data", "/moved", 0, &err),
			WSP_EBUSY);
	CU_ASSERT_EQUAL(wsp_files_write_buf(NULL, ws, NULL, "/data", NULL, "x",
					    1, &err),
			WSP_EISDIR);
	{
		char *s2 = NULL;

		CU_ASSERT_EQUAL(wsp_files_read_all(&s2, NULL, ws, NULL, "/deep",
						   10, &err),
				WSP_EISDIR);
	}
	CU_ASSERT_EQUAL(access(at("data/x.txt"), F_OK), 0);
}

static void test_read_only_mount(void)
{
	wsp_fs_stat st = {.struct_size = sizeof(st)};
	char *s = NULL;

	CU_ASSERT_EQUAL(wsp_files_write_buf(NULL, ws, NULL, "/ro/new.txt", NULL,
					    "x", 1, &err),
			WSP_EROFS);
	CU_ASSERT(strstr(err.message, "'/ro'") != NULL);
	CU_ASSERT_EQUAL(wsp_files_write_buf(NULL, ws, NULL, "/ro/keep.txt",
					    NULL, "x", 1, &err),
			WSP_EROFS);
	CU_ASSERT_EQUAL(wsp_files_mkdir(ws, NULL, "/ro/d", 0, &err), WSP_EROFS);
	CU_ASSERT_EQUAL(wsp_files_remove(ws, NULL, "/ro/keep.txt", 0, &err),
			WSP_EROFS);
	/* missing: not found before read-only, as POSIX orders them */
	CU_ASSERT_EQUAL(wsp_files_rmdir(ws, NULL, "/ro/d", 0, &err),
			WSP_ENOTFOUND);
	CU_ASSERT_EQUAL(wsp_files_rmdir(ws, NULL, "/ro/d", WSP_FS_FORCE, &err),
			0);
	CU_ASSERT_EQUAL(wsp_files_remove(ws, NULL, "/ro/none", 0, &err),
			WSP_ENOTFOUND);
	CU_ASSERT_EQUAL(
		wsp_files_copy(ws, NULL, "/data/none", "/ro/x.txt", 0, &err),
		WSP_ENOTFOUND);
	CU_ASSERT_EQUAL(
		wsp_files_copy(ws, NULL, "/data/x.txt", "/ro/x.txt", 0, &err),
		WSP_EROFS);
	CU_ASSERT_EQUAL(
		wsp_files_move(ws, NULL, "/ro/keep.txt", "/data/k", 0, &err),
		WSP_EROFS);
	CU_ASSERT_EQUAL(access(at("data/k"), F_OK), -1);
	ASSERT_FILE("ro/keep.txt", "keep");
	CU_ASSERT_EQUAL(access(at("ro/new.txt"), F_OK), -1);
	/* reading and copying out work */
	CU_ASSERT_EQUAL(wsp_files_read_all(&s, NULL, ws, NULL, "/ro/keep.txt",
					   100, &err),
			0);
	free(s);
	CU_ASSERT_EQUAL(wsp_files_copy(ws, NULL, "/ro/keep.txt",
				       "/data/keep.txt", 0, &err),
			0);
	ASSERT_FILE("data/keep.txt", "keep");
	CU_ASSERT_EQUAL(wsp_files_stat(&st, ws, NULL, "/ro/keep.txt", 0, &err),
			0);
	CU_ASSERT_STRING_EQUAL(st.mime_type, "text/plain");
}

static void test_stat_and_mounts(void)
{
	wsp_fs_stat st = {.struct_size = sizeof(st)};
	const char *path;
	char hp[4096], real[4096];
	wsp_fs_write_opts wo = WSP_FS_WRITE_OPTS_INIT;
	int ro, i;

	/* the core types the write in its own copy, never in the caller's */
	CU_ASSERT_EQUAL(wsp_files_write_buf(NULL, ws, NULL, "/data/r.md", &wo,
					    "#", 1, &err),
			0);
	CU_ASSERT_PTR_NULL(wo.mime_type);
	CU_ASSERT_EQUAL(wsp_files_stat(&st, ws, NULL, "/data/r.md", 0, &err),
			0);
	CU_ASSERT_EQUAL(st.type, WSP_FS_TYPE_FILE);
	CU_ASSERT_EQUAL(st.size, 1);
	CU_ASSERT_STRING_EQUAL(st.mime_type, "text/markdown");
	CU_ASSERT(st.version[0] != '\0');
	CU_ASSERT_EQUAL(wsp_files_stat(&st, ws, NULL, "/data", 0, &err), 0);
	CU_ASSERT_EQUAL(st.type, WSP_FS_TYPE_DIR);
	CU_ASSERT_EQUAL(wsp_files_host_path(hp, sizeof(hp), ws, NULL,
					    "/data/r.md", &err),
			0);
	CU_ASSERT_PTR_NOT_NULL(realpath(at("data/r.md"), real));
	CU_ASSERT_STRING_EQUAL(hp, real);
	for (i = 0; wsp_files_mount(&path, &ro, ws, (size_t)i) == 0; i++) {
		if (!strcmp(path, "/ro"))
			CU_ASSERT_EQUAL(ro, 1);
		if (!strcmp(path, "/data"))
			CU_ASSERT_EQUAL(ro, 0);
	}
	CU_ASSERT_EQUAL(i, 4);
}

static void test_copy_move_across(void)
{
	size_t big = 9 * 1024 * 1024 + 3, i;
	char *data = malloc(big), *back = NULL;
	size_t n = 0;
	struct stat hs;

	for (i = 0; i < big; i++)
		data[i] = (char)(i * 7 + i / 4096);
	CU_ASSERT_EQUAL(wsp_files_write_buf(NULL, ws, NULL, "/data/big.bin",
					    NULL, data, big, &err),
			0);
	/* between mounts: streamed */
	CU_ASSERT_EQUAL(wsp_files_copy(ws, NULL, "/data/big.bin",
				       "/copies/big.bin", 0, &err),
			0);
	CU_ASSERT_EQUAL(stat(at("root/copies/big.bin"), &hs), 0);
	CU_ASSERT_EQUAL((size_t)hs.st_size, big);
	CU_ASSERT_EQUAL(wsp_files_read_all(&back, &n, ws, NULL,
					   "/copies/big.bin", big, &err),
			0);
	CU_ASSERT_EQUAL(n, big);
	CU_ASSERT(back && !memcmp(back, data, big));
	free(back);
	CU_ASSERT_EQUAL(wsp_files_copy(ws, NULL, "/data/big.bin",
				       "/copies/big.bin", 0, &err),
			WSP_EEXIST);
	CU_ASSERT_EQUAL(wsp_files_copy(ws, NULL, "/data/x.txt",
				       "/copies/big.bin", WSP_FS_OVERWRITE,
				       &err),
			0);
	ASSERT_FILE("root/copies/big.bin", "in data");
	CU_ASSERT_EQUAL(
		wsp_files_copy(ws, NULL, "/data/none", "/copies/none", 0, &err),
		WSP_ENOTFOUND);
	/* a directory between mounts */
	CU_ASSERT_EQUAL(wsp_files_mkdir(ws, NULL, "/data/tree/a/b",
					WSP_FS_RECURSIVE, &err),
			0);
	CU_ASSERT_EQUAL(wsp_files_write_buf(NULL, ws, NULL,
					    "/data/tree/a/b/leaf", NULL, "leaf",
					    4, &err),
			0);
	CU_ASSERT_EQUAL(wsp_files_write_buf(NULL, ws, NULL, "/data/tree/top",
					    NULL, "top", 3, &err),
			0);
	CU_ASSERT_EQUAL(wsp_files_copy(ws, NULL, "/data/tree", "/deep/er/tree",
				       0, &err),
			WSP_EISDIR);
	CU_ASSERT_EQUAL(wsp_files_copy(ws, NULL, "/data/tree", "/deep/er/tree",
				       WSP_FS_RECURSIVE, &err),
			0);
	ASSERT_FILE("deeper/tree/a/b/leaf", "leaf");
	ASSERT_FILE("deeper/tree/top", "top");
	CU_ASSERT_EQUAL(wsp_files_copy(ws, NULL, "/data/tree", "/deep/er/tree",
				       WSP_FS_RECURSIVE, &err),
			WSP_EEXIST);
	/* moves between mounts: copy, then remove */
	CU_ASSERT_EQUAL(wsp_files_move(ws, NULL, "/data/big.bin", "/moved.bin",
				       0, &err),
			0);
	CU_ASSERT_EQUAL(access(at("data/big.bin"), F_OK), -1);
	CU_ASSERT_EQUAL(stat(at("root/moved.bin"), &hs), 0);
	CU_ASSERT_EQUAL((size_t)hs.st_size, big);
	CU_ASSERT_EQUAL(wsp_files_move(ws, NULL, "/deep/er/tree", "/data/tree2",
				       0, &err),
			0);
	ASSERT_FILE("data/tree2/a/b/leaf", "leaf");
	CU_ASSERT_EQUAL(access(at("deeper/tree"), F_OK), -1);
	/* within a mount: the provider renames */
	CU_ASSERT_EQUAL(
		wsp_files_move(ws, NULL, "/data/tree2", "/data/tree3", 0, &err),
		0);
	ASSERT_FILE("data/tree3/top", "top");
	CU_ASSERT_EQUAL(wsp_files_copy(ws, NULL, "/data/tree3",
				       "/data/tree3/in", WSP_FS_RECURSIVE,
				       &err),
			WSP_EINVAL);
	free(data);
}

/*
 * A tree holding a link out of its mount cannot be moved to another mount
 * (the link cannot be read there): the move is refused before anything
 * changes, instead of stopping half way with a partial copy.
 */
static void test_move_across_all_or_nothing(void)
{
	CU_ASSERT_EQUAL(wsp_files_mkdir(ws, NULL, "/data/half/sub",
					WSP_FS_RECURSIVE, &err),
			0);
	put("data/half/a.txt", "a");
	put("data/half/sub/b.txt", "b");
	put("data/half/zz.txt", "z");
	put("outside.txt", "keep");
	CU_ASSERT_EQUAL(symlink(at("outside.txt"), at("data/half/m-link")), 0);
	CU_ASSERT(wsp_files_move(ws, NULL, "/data/half", "/deep/er/half", 0,
				 &err) < 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "nothing was changed"));
	CU_ASSERT_EQUAL(access(at("deeper/half"), F_OK), -1);
	ASSERT_FILE("data/half/a.txt", "a");
	ASSERT_FILE("data/half/sub/b.txt", "b");
	ASSERT_FILE("data/half/zz.txt", "z");
	CU_ASSERT_EQUAL(wsp_files_copy(ws, NULL, "/data/half", "/deep/er/half",
				       WSP_FS_RECURSIVE, &err) < 0,
			1);
	CU_ASSERT_EQUAL(access(at("deeper/half"), F_OK), -1);
	/* Delete the link itself (its target stays): then the move works. */
	CU_ASSERT_EQUAL(
		wsp_files_remove(ws, NULL, "/data/half/m-link", 0, &err), 0);
	ASSERT_FILE("outside.txt", "keep");
	CU_ASSERT_EQUAL(wsp_files_move(ws, NULL, "/data/half", "/deep/er/half",
				       0, &err),
			0);
	ASSERT_FILE("deeper/half/sub/b.txt", "b");
	CU_ASSERT_EQUAL(access(at("data/half"), F_OK), -1);
}

/* Escapes through the core: normalisation first, then the provider. */
static void test_escapes_through_core(void)
{
	wsp_fs_list_opts lo = WSP_FS_LIST_OPTS_INIT;
	wsp_fs_stat st = {.struct_size = sizeof(st)};
	struct seen s = {0};
	char *out = NULL, target[600];

	mkdir(at("outside"), 0755);
	put("outside/secret.txt", "TOP-SECRET");
	snprintf(target, sizeof(target), "%s/outside", top);
	CU_ASSERT_EQUAL(symlink(target, at("data/abs-out")), 0);
	CU_ASSERT_EQUAL(symlink("../outside", at("data/rel-out")), 0);
	CU_ASSERT_EQUAL(
		symlink("../../outside/secret.txt", at("deeper/file-out")), 0);
	CU_ASSERT_EQUAL(wsp_files_read_all(&out, NULL, ws, NULL,
					   "/data/abs-out/secret.txt", 100,
					   &err),
			WSP_EPERM);
	CU_ASSERT(strstr(err.message, "'/data/abs-out/secret.txt'") != NULL);
	CU_ASSERT_EQUAL(wsp_files_read_all(&out, NULL, ws, NULL,
					   "data/rel-out/secret.txt", 100,
					   &err),
			WSP_EPERM);
	CU_ASSERT_EQUAL(wsp_files_read_all(&out, NULL, ws, NULL,
					   "/deep/er/file-out", 100, &err),
			WSP_EPERM);
	CU_ASSERT_PTR_NULL(out);
	CU_ASSERT_EQUAL(wsp_files_write_buf(NULL, ws, NULL, "/data/rel-out/new",
					    NULL, "x", 1, &err),
			WSP_EPERM);
	CU_ASSERT_EQUAL(access(at("outside/new"), F_OK), -1);
	CU_ASSERT_EQUAL(wsp_files_list(ws, NULL, "/data/abs-out", &lo, collect,
				       &s, &err),
			WSP_EPERM);
	CU_ASSERT_EQUAL(s.n, 0);
	CU_ASSERT_EQUAL(
		wsp_files_stat(&st, ws, NULL, "/data/../../outside", 0, &err),
		WSP_EPERM);
	/* a cross-mount copy cannot carry it out either */
	CU_ASSERT_EQUAL(wsp_files_copy(ws, NULL, "/data/rel-out/secret.txt",
				       "/stolen.txt", 0, &err),
			WSP_EPERM);
	CU_ASSERT_EQUAL(access(at("root/stolen.txt"), F_OK), -1);
	CU_ASSERT_EQUAL(
		wsp_files_remove(ws, NULL, "/data/rel-out/secret.txt", 0, &err),
		WSP_EPERM);
	CU_ASSERT_EQUAL(access(at("outside/secret.txt"), F_OK), 0);
}

static void test_nested_mounts_refused(void)
{
	wsp_workspace *w = NULL;
	char yaml[4096];

	snprintf(yaml, sizeof(yaml),
		 "mounts:\n"
		 "  /data:\n    provider: local\n    options:\n"
		 "      base_path: %s/data\n"
		 "  /data/sub:\n    provider: local\n    options:\n"
		 "      base_path: %s/sub\n",
		 top, top);
	CU_ASSERT(open_ws(&w, yaml) < 0);
	CU_ASSERT(strstr(err.message, "nests") != NULL);
	wsp_workspace_close(w);
}

static CU_TestInfo tests[] = {
	{"normalize", test_normalize},
	{"mime types", test_mime},
	{"mime types the object stores used", test_mime_store_kinds},
	{"routing", test_routing},
	{"virtual directories", test_virtual_dirs},
	{"read-only mount", test_read_only_mount},
	{"stat, host path, mount list", test_stat_and_mounts},
	{"copy and move across mounts", test_copy_move_across},
	{"a move across mounts is all or nothing",
	 test_move_across_all_or_nothing},
	{"escapes through the core", test_escapes_through_core},
	{"nested mounts refused", test_nested_mounts_refused},
	CU_TEST_INFO_NULL,
};

int main(void)
{
	return cu_run_suite("mounts", suite_init, suite_fini, tests);
}
