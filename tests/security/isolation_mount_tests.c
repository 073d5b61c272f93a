/*
 * tests/security/isolation_mount_tests.c - the shared checks of an
 * object store mounted in the local sandbox (see the header): CUnit
 * assertions, run inside the calling suite's tests.
 */
#include "isolation_mount_tests.h"

#include "test_files.h"

#include <CUnit/CUnit.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int iso_wsp5(struct iso *t, const char *a, const char *b, const char *c,
	     const char *d, const char *e)
{
	return iso_wsp(t, (const char *const[]){a, b, c, d, e, NULL});
}

void iso_mount_read_inside(struct iso *t, const char *file)
{
	CU_ASSERT_EQUAL(iso_wsp5(t, "exec", "--", "cat", file, NULL), 0);
	CU_ASSERT_STRING_EQUAL(t->out, "put by wsp fs\n");
}

void iso_mount_put_then_read(struct iso *t, char *verbose, size_t cap)
{
	char host[400];

	snprintf(host, sizeof(host), "%s/hello.md", t->dir);
	CU_ASSERT_EQUAL_FATAL(test_write_text(host, "put by wsp fs\n"), 0);
	CU_ASSERT_EQUAL(
		iso_wsp5(t, "fs", "put", host, "/data/notes/hello.md", NULL),
		0);
	CU_ASSERT_EQUAL_FATAL(iso_wsp5(t, "-v", "sandbox", "start", NULL, NULL),
			      0);
	snprintf(verbose, cap, "%s%s", t->out, t->err);
	CU_ASSERT_EQUAL(iso_mounted_below(t->dir), 2);
	iso_mount_read_inside(t, "/mnt/data/notes/hello.md");
	/* the same objects through the read-only mount */
	iso_mount_read_inside(t, "/mnt/ro/notes/hello.md");
	/* start again (a reconnection) mounts nothing twice */
	CU_ASSERT_EQUAL(iso_wsp5(t, "sandbox", "start", NULL, NULL, NULL), 0);
	CU_ASSERT_EQUAL(iso_mounted_below(t->dir), 2);
}

void iso_mount_write_inside(struct iso *t)
{
	CU_ASSERT_EQUAL(iso_wsp5(t, "exec", "--", "sh", "-c",
				 "echo written inside > /mnt/data/inside.txt"),
			0);
	CU_ASSERT_EQUAL(
		iso_wsp5(t, "fs", "cat", "/data/inside.txt", NULL, NULL), 0);
	CU_ASSERT_STRING_EQUAL(t->out, "written inside\n");
}

void iso_mount_read_only_refuses(struct iso *t)
{
	CU_ASSERT_NOT_EQUAL(iso_wsp5(t, "exec", "--", "sh", "-c",
				     "echo no > /mnt/ro/refused.txt"),
			    0);
	CU_ASSERT_PTR_NOT_NULL(strstr(t->err, "Read-only file system"));
	CU_ASSERT_NOT_EQUAL(
		iso_wsp5(t, "exec", "--", "rm", "/mnt/ro/notes/hello.md", NULL),
		0);
	CU_ASSERT_NOT_EQUAL(
		iso_wsp5(t, "fs", "cat", "/data/refused.txt", NULL, NULL), 0);
	CU_ASSERT_EQUAL(
		iso_wsp5(t, "fs", "cat", "/data/notes/hello.md", NULL, NULL),
		0);
}

void iso_mount_running_gains_none(struct iso *t)
{
	CU_ASSERT_NOT_EQUAL(iso_wsp5(t, "sandbox", "mount", "/data/notes",
				     "/mnt/late", NULL),
			    0);
	CU_ASSERT_PTR_NOT_NULL(strstr(t->err, "cannot gain a mount"));
	CU_ASSERT_NOT_EQUAL(
		iso_wsp5(t, "sandbox", "unmount", "/mnt/data", NULL, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(t->err, "until it stops"));
}

void iso_mount_stop_unmounts(struct iso *t, const char *client)
{
	CU_ASSERT_EQUAL(iso_wsp5(t, "sandbox", "stop", NULL, NULL, NULL), 0);
	CU_ASSERT_EQUAL(iso_mounted_below(t->dir), 0);
	/* the client ends once the last reference (the environment's) is
	 * gone */
	for (int i = 0;
	     i < 500 && iso_procs_with("cmdline", client, t->dir) > 0; i++)
		usleep(20 * 1000);
	CU_ASSERT_EQUAL(iso_procs_with("cmdline", client, t->dir), 0);
	CU_ASSERT_NOT_EQUAL(
		iso_wsp5(t, "sandbox", "unmount", "/mnt/data", NULL, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(t->err, "nothing is mounted"));
	/* stopped, a store mounts by hand and is there from the first
	 * command */
	CU_ASSERT_EQUAL(iso_wsp5(t, "sandbox", "mount", "--read-only",
				 "/data/notes", "/mnt/late"),
			0);
	iso_mount_read_inside(t, "/mnt/late/hello.md");
	CU_ASSERT_EQUAL(iso_wsp5(t, "sandbox", "stop", NULL, NULL, NULL), 0);
	CU_ASSERT_EQUAL(iso_mounted_below(t->dir), 0);
}
