/*
 * tests/gcs/test_gcs_sandbox_mount.c - GCS mounts inside the local
 * sandbox at their sandbox_path (issue 17, item 4; docs/local-
 * environment.md "Mounts"): Debian's rclone against the project's GCS
 * fake, through the real CLI. A file put with `wsp fs put` (fs-gcs) is
 * read inside, before and after the sandbox started; a file written
 * inside is read back with `wsp fs cat`; a read_only mount refuses
 * writes; the key appears in no command line, environment, state file or
 * log line; a running environment gains no mount; stop and unmount leave
 * nothing mounted. Unisolated, rclone mounts at the path itself, there
 * with the metadata server's token (the other credential route), and
 * unmount works while the sandbox is started.
 *
 * As uid 65534 (fs-gcs-sandbox-mount_unprivileged) FUSE is often root's
 * only (/dev/fuse 0600): then the test checks that wsp refuses with that
 * reason, says so and exits 77; where that user may open /dev/fuse (CI:
 * scripts/check.sh) the whole suite runs.
 */
#include "cu_main.h"
#include "gcs_env.h"
#include "isolation_mount_tests.h"
#include "test_files.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static struct iso t, flat;
static char secret[48]; /* a line of the key's PEM body */
static char verbose_start[2 << 16];

/*
 * The GCS mounts of w: /data read-write, /ro read-only, both the fake's
 * bucket under agents/box; auth the option line (with its indent and
 * newline) saying how: the key file, anonymous, or "" for the metadata
 * server (GCE_METADATA_HOST, set for the whole test).
 */
static int add_mounts(const struct iso *w, int fake_port, const char *data_at,
		      const char *ro_at, const char *auth)
{
	char options[1024];

	snprintf(options, sizeof(options),
		 "      bucket: " BUCKET "\n"
		 "      endpoint: http://127.0.0.1:%d\n"
		 "      prefix: agents/box\n"
		 "%s",
		 fake_port, auth);
	return iso_add_store_mounts(w, "gcs", data_at, ro_at, options);
}

static int suite_init(void)
{
	char at[400], ro[400], hostport[64], gcloud[300], auth[400];

	unsetenv("GOOGLE_APPLICATION_CREDENTIALS");
	if (start_fake(NULL) || gcs_key_secret(secret, sizeof(secret)))
		return -1;
	/* no gcloud user file: the metadata server is the flat one's route */
	snprintf(gcloud, sizeof(gcloud), "%s/no-gcloud", tmp);
	mkdir(gcloud, 0700);
	setenv("CLOUDSDK_CONFIG", gcloud, 1);
	snprintf(hostport, sizeof(hostport), "127.0.0.1:%d", port);
	setenv("GCE_METADATA_HOST", hostport, 1);
	snprintf(auth, sizeof(auth), "      credentials: %s\n", key_path);
	if (iso_setup(&t, "bwrap", NULL) ||
	    add_mounts(&t, port, "/mnt/data", "/mnt/ro", auth) ||
	    iso_setup(&flat, "none", NULL))
		return -1;
	/* unisolated, the paths are the host's: inside the test's directory */
	snprintf(at, sizeof(at), "%s/host-mnt", flat.dir);
	snprintf(ro, sizeof(ro), "%s/host-ro", flat.dir);
	return add_mounts(&flat, port, at, ro, "");
}

static int suite_clean(void)
{
	iso_teardown(&t);
	iso_teardown(&flat);
	stop_fake();
	return 0;
}

/* `wsp fs put` of a host file holding text. */
static int put(struct iso *w, const char *name, const char *text,
	       const char *to)
{
	char path[400];

	snprintf(path, sizeof(path), "%s/%s", w->dir, name);
	CU_ASSERT_EQUAL_FATAL(test_write_text(path, text), 0);
	return iso_wsp5(w, "fs", "put", path, to, NULL);
}

static void test_put_then_read_inside(void)
{
	iso_mount_put_then_read(&t, verbose_start, sizeof(verbose_start));
}

static void test_put_while_running_is_seen(void)
{
	int i, rc = -1;

	CU_ASSERT_EQUAL(
		put(&t, "later.md", "put later\n", "/data/notes/later.md"), 0);
	/* rclone keeps a directory's listing for seconds (--dir-cache-time) */
	for (i = 0; i < 40 && rc != 0; i++) {
		rc = iso_wsp5(&t, "exec", "--", "cat",
			      "/mnt/data/notes/later.md", NULL);
		if (rc)
			usleep(250 * 1000);
	}
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_STRING_EQUAL(t.out, "put later\n");
}

static void test_write_inside_lands_in_bucket(void)
{
	iso_mount_write_inside(&t);
	/* the bucket's own name for it, as the fake lists it */
	CU_ASSERT_EQUAL(iso_wsp5(&t, "fs", "ls", "/ro", NULL, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(t.out, "inside.txt"));
}

static void test_read_only_refuses_writes(void)
{
	iso_mount_read_only_refuses(&t);
}

/* The rclone processes serving workspace w. */
static int rclone_of(const struct iso *w)
{
	return iso_procs_with("cmdline", "/usr/bin/rclone mount ", w->dir);
}

static void test_credentials_nowhere(void)
{
	char state[400];

	CU_ASSERT_EQUAL(rclone_of(&t), 2);
	CU_ASSERT_EQUAL(iso_procs_with("cmdline", secret, NULL), 0);
	/* rclone's own environment holds PATH only */
	CU_ASSERT_EQUAL(iso_procs_with("environ", secret, NULL), 0);
	CU_ASSERT_EQUAL(iso_procs_with("environ", "GCE_METADATA_HOST",
				       "/usr/bin/rclone"),
			0);
	/* the state files, not the bucket behind the mounts; rclone's
	 * config is gone once it has mounted */
	snprintf(state, sizeof(state), "%s/state", t.dir);
	CU_ASSERT_EQUAL(iso_tree_has(state, secret), 0);
	CU_ASSERT_EQUAL(iso_tree_has(state, "service_account_credentials"), 0);
	CU_ASSERT_PTR_NULL(strstr(verbose_start, secret));
	/* nor in a command's environment inside */
	CU_ASSERT_EQUAL(iso_wsp5(&t, "exec", "--", "env", NULL, NULL), 0);
	CU_ASSERT_PTR_NULL(strstr(t.out, secret));
	CU_ASSERT_PTR_NULL(strstr(t.out, "private_key"));
}

static void test_running_environment_gains_no_mount(void)
{
	iso_mount_running_gains_none(&t);
}

static void test_stop_and_unmount(void)
{
	iso_mount_stop_unmounts(&t, "/usr/bin/rclone mount ");
	/* and unmounts by hand before any command */
	CU_ASSERT_EQUAL(iso_wsp5(&t, "sandbox", "mount", "/data/notes",
				 "/mnt/late", NULL),
			0);
	CU_ASSERT_EQUAL(iso_mounted_below(t.dir), 1);
	CU_ASSERT_EQUAL(
		iso_wsp5(&t, "sandbox", "unmount", "/mnt/late", NULL, NULL), 0);
	CU_ASSERT_EQUAL(iso_mounted_below(t.dir), 0);
	CU_ASSERT_NOT_EQUAL(
		iso_wsp5(&t, "sandbox", "unmount", "/mnt/late", NULL, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(t.err, "nothing is mounted"));
}

/*
 * Without rclone (hidden behind /dev/null, which nobody may execute, in
 * a mount namespace of its own: root only) a GCS mount is refused,
 * naming it, while the capability stays (s3fs is there).
 */
static void test_without_rclone_refused(void)
{
	char cmd[2048], errf[400], text[4096] = "";
	FILE *f;
	size_t n;
	int rc;

	if (getuid() != 0) {
		fprintf(stderr, "\nNOTE: hiding rclone needs root: checked "
				"by fs-gcs-sandbox-mount\n");
		return;
	}
	snprintf(errf, sizeof(errf), "%s/no-rclone.err", t.dir);
	snprintf(cmd, sizeof(cmd),
		 "unshare -m --propagation private sh -c 'mount --bind "
		 "/dev/null /usr/bin/rclone && cd %s && exec %s --config %s "
		 "sandbox mount /data /mnt/late' >/dev/null 2>%s",
		 t.ws, WSP_CLI, t.config, errf);
	rc = system(cmd);
	CU_ASSERT_NOT_EQUAL(rc, 0);
	f = fopen(errf, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "cannot mount stores of type "
					    "'gcs': rclone is not installed"));
	CU_ASSERT_EQUAL(iso_mounted_below(t.dir), 0);
}

static void test_unisolated_mounts_at_the_path(void)
{
	char file[400], cmd[600];

	CU_ASSERT_EQUAL_FATAL(
		iso_wsp5(&flat, "sandbox", "start", NULL, NULL, NULL), 0);
	CU_ASSERT_EQUAL(iso_mounted_below(flat.dir), 2);
	CU_ASSERT_EQUAL(rclone_of(&flat), 2);
	snprintf(file, sizeof(file), "%s/host-ro/notes/hello.md", flat.dir);
	iso_mount_read_inside(&flat, file);
	/* read-only unisolated too: rclone itself mounted it so */
	CU_ASSERT_NOT_EQUAL(iso_wsp5(&flat, "exec", "--", "rm", file, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(flat.err, "Read-only file system"));
	/* written with the metadata server's token */
	snprintf(cmd, sizeof(cmd), "echo by token > %s/host-mnt/token.txt",
		 flat.dir);
	CU_ASSERT_EQUAL(iso_wsp5(&flat, "exec", "--", "sh", "-c", cmd), 0);
	CU_ASSERT_EQUAL(
		iso_wsp5(&flat, "fs", "cat", "/data/token.txt", NULL, NULL), 0);
	CU_ASSERT_STRING_EQUAL(flat.out, "by token\n");
	/* no environment holds it: unmount works while started */
	snprintf(file, sizeof(file), "%s/host-ro", flat.dir);
	CU_ASSERT_EQUAL(iso_wsp5(&flat, "sandbox", "unmount", file, NULL, NULL),
			0);
	CU_ASSERT_EQUAL(iso_mounted_below(flat.dir), 1);
	CU_ASSERT_EQUAL(iso_wsp5(&flat, "sandbox", "stop", NULL, NULL, NULL),
			0);
	CU_ASSERT_EQUAL(iso_mounted_below(flat.dir), 0);
	snprintf(file, sizeof(file), "%s/host-mnt/token.txt", flat.dir);
	CU_ASSERT_NOT_EQUAL(access(file, F_OK), 0);
}

static CU_TestInfo tests[] = {
	{"a file put with wsp fs is read inside", test_put_then_read_inside},
	{"a file put while it runs is seen inside",
	 test_put_while_running_is_seen},
	{"a write inside lands in the bucket",
	 test_write_inside_lands_in_bucket},
	{"read_only refuses writes inside", test_read_only_refuses_writes},
	{"the key in no cmdline, environment, state file or log",
	 test_credentials_nowhere},
	{"a running environment gains no mount",
	 test_running_environment_gains_no_mount},
	{"stop and unmount leave nothing mounted", test_stop_and_unmount},
	{"without rclone a GCS mount is refused", test_without_rclone_refused},
	{"isolation none mounts at the path, by the metadata token",
	 test_unisolated_mounts_at_the_path},
	CU_TEST_INFO_NULL,
};

/* For the refusal without FUSE: anonymous, at an address never used. */
static int unreachable_mounts(const struct iso *w)
{
	return add_mounts(w, 9, "/mnt/data", "/mnt/ro",
			  "      anonymous: true\n");
}

int main(void)
{
	CU_SuiteInfo suites[] = {
		{"GCS mounts inside the local sandbox", suite_init, suite_clean,
		 NULL, NULL, tests},
		CU_SUITE_INFO_NULL,
	};

	return iso_mount_main(suites, "/usr/bin/rclone", unreachable_mounts,
			      "PRIVATE KEY");
}
