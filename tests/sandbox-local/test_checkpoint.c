/*
 * tests/sandbox-local/test_checkpoint.c - the extension operations
 * checkpoint, restore and checkpoints: a restored working directory equals
 * the checkpointed one exactly (contents, modes, mtimes, symlinks kept as
 * links); bad, unknown and existing names are refused.
 */
#include "cu_main.h"
#include "local_box.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static struct fake_sandbox fs;

typedef int (*ckpt_fn)(char **result, void *self, const char *name,
		       wsp_error *err);
typedef int (*list_fn)(char **result, void *self, wsp_error *err);

static const wsp_ext_op *find_op(const char *name)
{
	const wsp_ext_op *op;

	for (op = fs.desc->ext_ops; op && op->name; op++)
		if (!strcmp(op->name, name))
			return op;
	return NULL;
}

/* Call a "r:s" operation; *out gets the result or the error message. */
static int call(const char *op_name, const char *arg, char *out, size_t cap)
{
	const wsp_ext_op *op = find_op(op_name);
	wsp_error err = {0};
	char *res = NULL;
	int rc;

	CU_ASSERT_PTR_NOT_NULL_FATAL(op);
	if (arg) {
		CU_ASSERT_STRING_EQUAL(op->signature, "r:s");
		rc = ((ckpt_fn)(void (*)(void))op->fn)(&res, fs.self, arg,
						       &err);
	} else {
		CU_ASSERT_STRING_EQUAL(op->signature, "r:");
		rc = ((list_fn)(void (*)(void))op->fn)(&res, fs.self, &err);
	}
	snprintf(out, cap, "%s", rc ? err.message : res ? res : "");
	if (res)
		fs.host->free(fs.host, res);
	CU_ASSERT(rc == 0 || res == NULL);
	return rc;
}

static void put(const char *rel, const char *text, mode_t mode)
{
	char p[600];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", fs.workdir, rel);
	f = fopen(p, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
	CU_ASSERT_EQUAL(chmod(p, mode), 0);
}

static void at(char *p, size_t n, const char *rel)
{
	snprintf(p, n, "%s/%s", fs.workdir, rel);
}

/*
 * Append a description of the tree at dir to buf: per entry, by name, its
 * path, type, mode, mtime and contents or link target.
 */
static void describe(const char *dir, const char *rel, char *buf, size_t cap)
{
	struct dirent **v;
	int n, i;

	n = scandir(dir, &v, NULL, alphasort);
	CU_ASSERT_FATAL(n >= 0);
	for (i = 0; i < n; i++) {
		char p[1024], r[1024], body[256] = "";
		size_t len = strlen(buf);
		struct stat st;

		if (!strcmp(v[i]->d_name, ".") || !strcmp(v[i]->d_name, "..")) {
			free(v[i]);
			continue;
		}
		snprintf(p, sizeof(p), "%s/%s", dir, v[i]->d_name);
		snprintf(r, sizeof(r), "%s/%s", rel, v[i]->d_name);
		free(v[i]);
		CU_ASSERT_EQUAL_FATAL(lstat(p, &st), 0);
		if (S_ISLNK(st.st_mode)) {
			ssize_t k = readlink(p, body, sizeof(body) - 1);

			CU_ASSERT_FATAL(k >= 0);
			body[k] = '\0';
		} else if (S_ISREG(st.st_mode)) {
			FILE *f = fopen(p, "r");
			size_t k;

			CU_ASSERT_PTR_NOT_NULL_FATAL(f);
			k = fread(body, 1, sizeof(body) - 1, f);
			body[k] = '\0';
			fclose(f);
		}
		snprintf(buf + len, cap - len, "%s %o %lld [%s]\n", r,
			 (unsigned)st.st_mode,
			 S_ISLNK(st.st_mode) ? 0LL : (long long)st.st_mtime,
			 body);
		if (S_ISDIR(st.st_mode))
			describe(p, r, buf, cap);
	}
	free(v);
}

static void test_round_trip(void)
{
	const char *const opts[] = {"isolation=none", NULL};
	static char before[8192], after[8192], changed[8192];
	char msg[512], p[600];
	struct stat st;
	wsp_error err = {0};

	CU_ASSERT_EQUAL_FATAL(fake_open(&fs, opts, &err), 0);
	at(p, sizeof(p), "src");
	CU_ASSERT_EQUAL(mkdir(p, 0750), 0);
	at(p, sizeof(p), "src/deep");
	CU_ASSERT_EQUAL(mkdir(p, 0700), 0);
	put("notes.txt", "team-data notes\n", 0644);
	put("src/run.sh", "#!/bin/sh\necho dev-box\n", 0755);
	put("src/deep/secret.key", "k3y", 0600);
	at(p, sizeof(p), "link-to-notes");
	CU_ASSERT_EQUAL(symlink("notes.txt", p), 0);
	at(p, sizeof(p), "dangling");
	CU_ASSERT_EQUAL(symlink("/nonexistent/target", p), 0);
	at(p, sizeof(p), "src/deep");
	CU_ASSERT_EQUAL(chmod(p, 0710), 0);

	before[0] = '\0';
	describe(fs.workdir, "", before, sizeof(before));
	CU_ASSERT_EQUAL(call("checkpoint", "base-1", msg, sizeof(msg)), 0);
	CU_ASSERT_STRING_EQUAL(msg, "checkpoint 'base-1': 3 files, 42 bytes");
	snprintf(p, sizeof(p), "%s/checkpoints/base-1/link-to-notes",
		 fs.statedir);
	CU_ASSERT(lstat(p, &st) == 0 && S_ISLNK(st.st_mode));

	/* Change everything: contents, modes, removals, additions. */
	put("notes.txt", "rewritten", 0600);
	at(p, sizeof(p), "src/run.sh");
	CU_ASSERT_EQUAL(unlink(p), 0);
	at(p, sizeof(p), "link-to-notes");
	CU_ASSERT_EQUAL(unlink(p), 0);
	CU_ASSERT_EQUAL(symlink("src", p), 0);
	put("new-file", "added", 0644);
	at(p, sizeof(p), "newdir");
	CU_ASSERT_EQUAL(mkdir(p, 0755), 0);
	put("newdir/x", "x", 0644);
	changed[0] = '\0';
	describe(fs.workdir, "", changed, sizeof(changed));
	CU_ASSERT_STRING_NOT_EQUAL(changed, before);

	CU_ASSERT_EQUAL(call("restore", "base-1", msg, sizeof(msg)), 0);
	CU_ASSERT_STRING_EQUAL(msg, "restored 'base-1': 3 files, 42 bytes");
	after[0] = '\0';
	describe(fs.workdir, "", after, sizeof(after));
	CU_ASSERT_STRING_EQUAL(after, before);
	at(p, sizeof(p), "link-to-notes");
	CU_ASSERT(lstat(p, &st) == 0 && S_ISLNK(st.st_mode));

	/* The checkpoint survives a restore and can be restored again. */
	put("notes.txt", "again", 0644);
	CU_ASSERT_EQUAL(call("restore", "base-1", msg, sizeof(msg)), 0);
	after[0] = '\0';
	describe(fs.workdir, "", after, sizeof(after));
	CU_ASSERT_STRING_EQUAL(after, before);

	/* No temporary directories left beside the working directory. */
	snprintf(p, sizeof(p), "%s", fs.tmp);
	changed[0] = '\0';
	describe(p, "", changed, sizeof(changed));
	CU_ASSERT_PTR_NULL(strstr(changed, ".restore-"));
	CU_ASSERT_PTR_NULL(strstr(changed, ".tmp-"));
	fake_close(&fs);
}

/* 65 characters: one more than a name may have. */
static const char long_name[] = "a-name-that-is-far-too-long-to-be-accepted-"
				"by-the-checkpoint-opsx";

static void test_names_and_list(void)
{
	const char *const opts[] = {"isolation=none", NULL};
	static const char *const bad[] = {
		"",	 ".",	   "..",  ".hidden", "a/b",
		"../up", "sp ace", "x\n", long_name, NULL};
	char msg[512], max_name[65];
	wsp_error err = {0};
	int i;

	CU_ASSERT_EQUAL_FATAL(fake_open(&fs, opts, &err), 0);
	put("a.txt", "a", 0644);
	for (i = 0; bad[i]; i++) {
		CU_ASSERT_EQUAL(call("checkpoint", bad[i], msg, sizeof(msg)),
				WSP_EINVAL);
		CU_ASSERT_PTR_NOT_NULL(strstr(msg, "invalid checkpoint name"));
		CU_ASSERT_EQUAL(call("restore", bad[i], msg, sizeof(msg)),
				WSP_EINVAL);
	}
	/* 64 characters is the longest accepted. */
	CU_ASSERT_EQUAL(strlen(long_name), 65);
	memset(max_name, '0', 64);
	max_name[64] = '\0';
	CU_ASSERT_EQUAL(call("checkpoint", max_name, msg, sizeof(msg)), 0);

	CU_ASSERT_EQUAL(call("restore", "never-made", msg, sizeof(msg)),
			WSP_ENOTFOUND);
	CU_ASSERT_STRING_EQUAL(msg, "no checkpoint named 'never-made'; list "
				    "them with 'wsp ext local checkpoints'");

	CU_ASSERT_EQUAL(call("checkpoint", "v2.0_rc-1", msg, sizeof(msg)), 0);
	put("a.txt", "changed", 0644);
	CU_ASSERT_EQUAL(call("checkpoint", "v2.0_rc-1", msg, sizeof(msg)),
			WSP_EEXIST);
	CU_ASSERT_STRING_EQUAL(msg, "checkpoint 'v2.0_rc-1' already exists; "
				    "pick another name");
	CU_ASSERT_EQUAL(call("checkpoint", "after", msg, sizeof(msg)), 0);

	CU_ASSERT_EQUAL(call("checkpoints", NULL, msg, sizeof(msg)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "after\t20"));
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "\nv2.0_rc-1\t20"));
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, max_name));
	CU_ASSERT_PTR_NULL(strstr(msg, ".tmp"));
	/* Sorted by name, one line each. */
	CU_ASSERT(strstr(msg, max_name) < strstr(msg, "after"));
	CU_ASSERT(strstr(msg, "after") < strstr(msg, "v2.0"));
	CU_ASSERT_EQUAL(msg[strlen(msg) - 1], '\n');
	fake_close(&fs);
	CU_ASSERT_EQUAL(fake_live_allocs(), 0);
}

static void test_empty_list(void)
{
	const char *const opts[] = {"isolation=none", NULL};
	char msg[64] = "x";
	wsp_error err = {0};

	CU_ASSERT_EQUAL_FATAL(fake_open(&fs, opts, &err), 0);
	CU_ASSERT_EQUAL(call("checkpoints", NULL, msg, sizeof(msg)), 0);
	CU_ASSERT_STRING_EQUAL(msg, "");
	fake_close(&fs);
}

static CU_TestInfo tests[] = {
	{"round trip", test_round_trip},
	{"names, refusals, list", test_names_and_list},
	{"empty list", test_empty_list},
	CU_TEST_INFO_NULL,
};

CU_MAIN("sandbox-local checkpoints", tests)
