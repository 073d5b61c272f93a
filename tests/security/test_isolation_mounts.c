/*
 * tests/security/test_isolation_mounts.c - the workspace's S3 mounts
 * inside the local sandbox at their sandbox_path (issue 13, item 3;
 * docs/local-environment.md "Mounts"): real s3fs against the S3 test
 * server (tests/s3), through the real CLI. A file put with `wsp fs put`
 * is read inside, a file written inside is read back with `wsp fs cat`,
 * a read_only mount refuses writes, the credentials appear in no command
 * line, state file or log line, a running environment gains no mount, and
 * nothing stays mounted after stop; unisolated, s3fs mounts at the path
 * itself (there with a session token, which s3fs gets with the other
 * credentials through its environment).
 *
 * As uid 65534 (run-unprivileged.sh) FUSE is often root's only
 * (/dev/fuse 0600, as on the development machine): then the test checks
 * that wsp refuses with that reason, says so and exits 77; where that user
 * may open /dev/fuse the whole suite runs.
 */
#include "cu_main.h"
#include "isolation_mount_tests.h"
#include "s3_env.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* s3rver's fixed key pair: the secret must show nowhere */
#define SECRET "S3RVER"
/* a session token (the test server checks none) */
#define TOKEN "made-up-session-token"

static struct s3_server srv;
static struct iso t, flat;
static char verbose_start[2 << 16];

/*
 * The S3 mounts of a workspace: /data read-write, /ro read-only; with a
 * session token when token is set (s3fs then gets them all through its
 * environment: its passwd file has no place for one).
 */
static int add_mounts(const struct iso *w, const char *endpoint,
		      const char *data_at, const char *ro_at, const char *token)
{
	char options[1024];

	snprintf(options, sizeof(options),
		 "      bucket: " TEST_BUCKET "\n"
		 "      endpoint: %s\n"
		 "      prefix: agents/box\n"
		 "      region: us-east-1\n"
		 "      access_key_id: " SECRET "\n"
		 "      secret_access_key: " SECRET "\n"
		 "%s%s%s",
		 endpoint, token ? "      session_token: " : "",
		 token ? token : "", token ? "\n" : "");
	return iso_add_store_mounts(w, "s3", data_at, ro_at, options);
}

static int suite_init(void)
{
	char at[400], ro[400];

	if (s3_server_start(&srv, "plain"))
		return -1;
	if (iso_setup(&t, "bwrap", NULL) ||
	    add_mounts(&t, srv.endpoint, "/mnt/data", "/mnt/ro", NULL) ||
	    iso_setup(&flat, "none", NULL))
		return -1;
	/* unisolated, the paths are the host's: inside the test's directory */
	snprintf(at, sizeof(at), "%s/host-mnt", flat.dir);
	snprintf(ro, sizeof(ro), "%s/host-ro", flat.dir);
	return add_mounts(&flat, srv.endpoint, at, ro, TOKEN);
}

static int suite_clean(void)
{
	iso_teardown(&t);
	iso_teardown(&flat);
	s3_server_stop(&srv);
	return 0;
}

static void test_put_then_read_inside(void)
{
	iso_mount_put_then_read(&t, verbose_start, sizeof(verbose_start));
}

static void test_write_inside_lands_in_bucket(void)
{
	iso_mount_write_inside(&t);
}

static void test_read_only_refuses_writes(void)
{
	iso_mount_read_only_refuses(&t);
}

/* The s3fs processes serving this test's workspace w. */
static int s3fs_of(const struct iso *w)
{
	return iso_procs_with("cmdline", "/usr/bin/s3fs ", w->dir);
}

static int cmdlines_with(const char *needle)
{
	return iso_procs_with("cmdline", needle, NULL);
}

static void test_credentials_nowhere(void)
{
	char state[400];

	/* s3fs runs (two of them), with its passwd file's name only */
	CU_ASSERT_EQUAL(s3fs_of(&t), 2);
	CU_ASSERT_EQUAL(cmdlines_with(SECRET), 0);
	/* the state files, not the bucket behind the mounts */
	snprintf(state, sizeof(state), "%s/state", t.dir);
	CU_ASSERT_EQUAL(iso_tree_has(state, SECRET), 0);
	CU_ASSERT_PTR_NULL(strstr(verbose_start, SECRET));
}

static void test_running_environment_gains_no_mount(void)
{
	iso_mount_running_gains_none(&t);
}

static void test_stop_unmounts_everything(void)
{
	iso_mount_stop_unmounts(&t, "/usr/bin/s3fs ");
}

static void test_unisolated_mounts_at_the_path(void)
{
	char file[400];

	CU_ASSERT_EQUAL_FATAL(
		iso_wsp5(&flat, "sandbox", "start", NULL, NULL, NULL), 0);
	CU_ASSERT_EQUAL(iso_mounted_below(flat.dir), 2);
	/* with a token the credentials go through s3fs's environment */
	CU_ASSERT_EQUAL(s3fs_of(&flat), 2);
	CU_ASSERT_EQUAL(cmdlines_with(TOKEN), 0);
	CU_ASSERT_EQUAL(cmdlines_with(SECRET), 0);
	snprintf(file, sizeof(file), "%s/host-ro/notes/hello.md", flat.dir);
	iso_mount_read_inside(&flat, file);
	/* read-only unisolated too: s3fs itself mounted it ro */
	CU_ASSERT_NOT_EQUAL(iso_wsp5(&flat, "exec", "--", "rm", file, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(flat.err, "Read-only file system"));
	snprintf(file, sizeof(file), "%s/host-mnt/notes/hello.md", flat.dir);
	iso_mount_read_inside(&flat, file);
	CU_ASSERT_EQUAL(iso_wsp5(&flat, "sandbox", "stop", NULL, NULL, NULL),
			0);
	CU_ASSERT_EQUAL(iso_mounted_below(flat.dir), 0);
	CU_ASSERT_NOT_EQUAL(access(file, F_OK), 0);
}

static CU_TestInfo tests[] = {
	{ "a file put with wsp fs is read inside",
	  test_put_then_read_inside },
	{ "a write inside lands in the bucket",
	  test_write_inside_lands_in_bucket },
	{ "read_only refuses writes inside", test_read_only_refuses_writes },
	{ "credentials in no cmdline, state file or log",
	  test_credentials_nowhere },
	{ "a running environment gains no mount",
	  test_running_environment_gains_no_mount },
	{ "stop unmounts everything", test_stop_unmounts_everything },
	{ "isolation none mounts at the path, a token through the env",
	  test_unisolated_mounts_at_the_path },
	CU_TEST_INFO_NULL,
};

/* For the refusal without FUSE: the mounts, at an address never used. */
static int unreachable_mounts(const struct iso *w)
{
	return add_mounts(w, "http://127.0.0.1:9", "/mnt/data", "/mnt/ro",
			  NULL);
}

int main(void)
{
	CU_SuiteInfo suites[] = {
		{ "S3 mounts inside the local sandbox", suite_init,
		  suite_clean, NULL, NULL, tests },
		CU_SUITE_INFO_NULL,
	};

	return iso_mount_main(suites, "/usr/bin/s3fs", unreachable_mounts,
			      SECRET);
}
