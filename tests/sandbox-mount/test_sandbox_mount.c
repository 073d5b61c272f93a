/*
 * tests/sandbox-mount/test_sandbox_mount.c - stores mounted inside the
 * sandbox, through the real CLI, core, fs-s3 (its mount source) and the
 * recording sandbox provider (mountrec.c): mounts configured with
 * sandbox_path: are mounted on start (and again, harmlessly, on the next
 * start), `wsp sandbox mount/unmount` work on any path of a store, a
 * read_only mount arrives read-only, `wsp config check` refuses what
 * cannot work, and the secret reaches the 0600 credentials file and
 * nothing else: not the provider's log, the command line it would run,
 * wsp's own verbose output or a sandboxed command's environment.
 */
#include "cu_main.h"
#include "test_run.h"

#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define SECRET "made-up-mount-secret-42"
#define AKID "AKIDMOUNTTEST"

static char top[256], cfg[300], out[65536];

/* Run `wsp -v -v --config cfg ARGS` in top; stdout+stderr in out. */
static int wsp(const char *args)
{
	return test_run_cli(out, sizeof(out), top, WSP_CLI, "-v -v", cfg, args);
}

/* A configuration: sandbox provider sb, and extra lines for /data. */
/* What the local sandbox needs to claim WSP_CAP_SANDBOX_MOUNT. */
static int local_can_mount(void)
{
	return (access("/usr/bin/s3fs", X_OK) == 0 ||
		access("/usr/bin/rclone", X_OK) == 0) &&
	       access("/dev/fuse", R_OK | W_OK) == 0;
}

static void write_config(const char *sb, const char *data_extra)
{
	FILE *f = fopen(cfg, "w");

	if (!f)
		return;
	fprintf(f,
		"plugin_path: [%s]\n"
		"sandbox:\n"
		"  provider: %s\n"
		"  id: mount-box\n"
		"%s"
		"mounts:\n"
		"  /:\n"
		"    provider: local\n"
		"    options: { base_path: %s/ws }\n"
		"  /data:\n"
		"    provider: s3\n"
		"%s"
		"    options:\n"
		"      bucket: team-data\n"
		"      endpoint: http://127.0.0.1:9\n"
		"      region: eu-west-1\n"
		"      prefix: agents/box\n"
		"      access_key_id: " AKID "\n"
		"      secret_access_key: " SECRET "\n",
		WSP_MOUNTREC_DIR, sb,
		strcmp(sb, "mountrec") ? ""
				       : "  options: { root: BOX }\n",
		top, data_extra);
	fclose(f);
	/* BOX: the sandbox's root, spelt out after the fact */
	{
		char cmd[1200];

		snprintf(cmd, sizeof(cmd), "sed -i 's|BOX|%s/box|' '%s'", top,
			 cfg);
		if (system(cmd))
			fprintf(stderr, "sed failed\n");
	}
}

/* The whole of a file (static buffer), "" when it cannot be read. */
static const char *slurp(const char *rel)
{
	static char buf[16384];
	char path[512];
	FILE *f;
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/%s", top, rel);
	buf[0] = '\0';
	f = fopen(path, "r");
	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

static int suite_init(void)
{
	char d[300];

	snprintf(top, sizeof(top), "%s/wsp-sbmount-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(top))
		return -1;
	snprintf(cfg, sizeof(cfg), "%s/wsp.yaml", top);
	snprintf(d, sizeof(d), "%s/ws", top);
	if (mkdir(d, 0700))
		return -1;
	snprintf(d, sizeof(d), "%s/box", top);
	if (mkdir(d, 0700))
		return -1;
	setenv("XDG_STATE_HOME", top, 1);
	return 0;
}

static int suite_clean(void)
{
	char cmd[400];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	return strstr(top, "/wsp-sbmount-") && system(cmd) ? -1 : 0;
}

static void test_config_check(void)
{
	write_config("mountrec", "    sandbox_path: /mnt/data\n");
	CU_ASSERT_EQUAL(wsp("config check"), 0);
	write_config("mountrec", "    sandbox_path: /\n");
	CU_ASSERT_NOT_EQUAL(wsp("config check"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "may not be '/'"));
	write_config("mountrec", "    sandbox_path: /mnt/../x/..\n");
	CU_ASSERT_NOT_EQUAL(wsp("config check"), 0);
	/* the local sandbox mounts (s3fs, rclone) where this user may use FUSE */
	write_config("local", "    sandbox_path: /mnt/data\n");
	if (local_can_mount()) {
		CU_ASSERT_EQUAL(wsp("config check"), 0);
	} else {
		CU_ASSERT_NOT_EQUAL(wsp("config check"), 0);
		CU_ASSERT_PTR_NOT_NULL(strstr(out, "cannot mount stores"));
	}
	CU_ASSERT_PTR_NULL(strstr(out, SECRET));
}

static void test_start_mounts_configured(void)
{
	struct stat st;
	char path[512];
	const char *log;

	write_config("mountrec", "    sandbox_path: /mnt/data\n");
	CU_ASSERT_EQUAL(wsp("sandbox start"), 0);
	CU_ASSERT_PTR_NULL(strstr(out, SECRET));
	/* wsp's own debug output saw the provider's log line */
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "mountrec: mount /mnt/data"));
	log = slurp("box/.mounts/log");
	CU_ASSERT_PTR_NOT_NULL(strstr(
		log, "mount /mnt/data: type=s3 bucket=team-data "
		     "prefix=agents/box/ endpoint=http://127.0.0.1:9 "
		     "region=eu-west-1 ro=0 path_style=1 creds=2"));
	CU_ASSERT_PTR_NOT_NULL(strstr(
		log, "argv: s3fs team-data:/agents/box/ /mnt/data -o "
		     "url=http://127.0.0.1:9,endpoint=eu-west-1,passwd_file="));
	CU_ASSERT_PTR_NULL(strstr(log, SECRET));
	/* the secret is in the credentials file, readable by its owner only */
	snprintf(path, sizeof(path), "%s/box/.mounts/mnt_data.cred", top);
	CU_ASSERT_EQUAL_FATAL(stat(path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
	CU_ASSERT_STRING_EQUAL(slurp("box/.mounts/mnt_data.cred"),
			       AKID ":" SECRET "\n");

	/* a command in the sandbox: no secret in its environment */
	CU_ASSERT_EQUAL(wsp("sh 'env; echo END'"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "END"));
	CU_ASSERT_PTR_NULL(strstr(out, SECRET));
	CU_ASSERT_PTR_NULL(strstr(out, AKID));

	/* the next start mounts it again, which changes nothing */
	CU_ASSERT_EQUAL(wsp("sandbox start"), 0);
	CU_ASSERT_PTR_NOT_NULL(
		strstr(slurp("box/.mounts/log"), "mount /mnt/data again"));
}

static void test_cli_mount_unmount(void)
{
	const char *log;
	char path[512];

	write_config("mountrec", "    read_only: true\n");
	/* a subdirectory of the store, read-only as its mount is */
	CU_ASSERT_EQUAL(wsp("sandbox mount /data/reports /mnt/reports"), 0);
	log = slurp("box/.mounts/log");
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "mount /mnt/reports: type=s3 "
					   "bucket=team-data prefix=agents/"
					   "box/reports/ "));
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "ro=1"));
	CU_ASSERT_PTR_NOT_NULL(strstr(log, ",ro\n"));
	CU_ASSERT_PTR_NULL(strstr(log, SECRET));
	CU_ASSERT_PTR_NULL(strstr(out, SECRET));
	/* another store at the same place is refused */
	CU_ASSERT_NOT_EQUAL(wsp("sandbox mount /data /mnt/reports"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "holds another mount"));
	/* the local filesystem has no mount source */
	CU_ASSERT_NOT_EQUAL(wsp("sandbox mount / /mnt/root"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "offers no mount source"));
	CU_ASSERT_NOT_EQUAL(wsp("sandbox mount /data /"), 0);

	CU_ASSERT_EQUAL(wsp("sandbox unmount /mnt/reports"), 0);
	snprintf(path, sizeof(path), "%s/box/.mounts/mnt_reports.cred", top);
	CU_ASSERT_NOT_EQUAL(access(path, F_OK), 0);
	CU_ASSERT_PTR_NOT_NULL(
		strstr(slurp("box/.mounts/log"), "unmount /mnt/reports"));
	CU_ASSERT_NOT_EQUAL(wsp("sandbox unmount /mnt/reports"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "nothing is mounted"));
}

/*
 * The local sandbox: without s3fs and rclone, or without a usable
 * /dev/fuse, it cannot mount stores and says so; with them, what it
 * refuses (the real mounts are tested in security_isolation_mounts and
 * fs-gcs-sandbox-mount).
 */
static void test_local_sandbox_refuses(void)
{
	write_config("local", "");
	if (!local_can_mount()) {
		CU_ASSERT_NOT_EQUAL(wsp("sandbox unmount /mnt/data"), 0);
		CU_ASSERT_PTR_NOT_NULL(strstr(out, "cannot mount stores"));
		CU_ASSERT_NOT_EQUAL(wsp("sandbox mount /data /mnt/data"), 0);
		CU_ASSERT_PTR_NOT_NULL(strstr(out, "cannot mount stores"));
		CU_ASSERT_PTR_NULL(strstr(out, SECRET));
		return;
	}
	CU_ASSERT_NOT_EQUAL(wsp("sandbox unmount /mnt/data"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "nothing is mounted"));
	/* a local directory has no mount source: it is bound by host_path */
	CU_ASSERT_NOT_EQUAL(wsp("sandbox mount / /mnt/data"), 0);
	CU_ASSERT_PTR_NULL(strstr(out, SECRET));
}

/* A configuration whose root mount is the sandbox's own files. */
static void write_shared_config(const char *sb, const char *root_extra,
				int with_sandbox)
{
	FILE *f = fopen(cfg, "w");

	if (!f)
		return;
	fprintf(f, "plugin_path: [%s]\n", WSP_MOUNTREC_DIR);
	if (with_sandbox)
		fprintf(f,
			"sandbox:\n"
			"  provider: %s\n"
			"  id: mount-box\n"
			"%s%s%s",
			sb, strcmp(sb, "mountrec") ? "" : "  options: { root: ",
			strcmp(sb, "mountrec") ? "" : top,
			strcmp(sb, "mountrec") ? "" : "/box }\n");
	fprintf(f,
		"mounts:\n"
		"  /:\n"
		"    provider: sandbox\n"
		"%s",
		root_extra);
	fclose(f);
}

static void test_sandbox_files_as_mount(void)
{
	write_shared_config("mountrec", "", 1);
	CU_ASSERT_EQUAL(wsp("config check"), 0);
	/*
	 * the agent's file tool writes (the parent made, as every fs does:
	 * the fixture keeps the fs rules wsp-conformance checks); a command
	 * in the sandbox reads
	 */
	CU_ASSERT_EQUAL(wsp("tool write_file "
			    "'{\"path\":\"/notes/plan.md\",\"content\":"
			    "\"step one\"}'"),
			0);
	CU_ASSERT_STRING_EQUAL(slurp("box/notes/plan.md"), "step one");
	CU_ASSERT_EQUAL(wsp("sh 'cat notes/plan.md'"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "step one"));
	/* and the other way: a command writes, the file API reads */
	CU_ASSERT_EQUAL(wsp("sh 'echo from-the-box > made.txt'"), 0);
	CU_ASSERT_EQUAL(wsp("fs cat /made.txt"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "from-the-box"));
	CU_ASSERT_EQUAL(wsp("tool read_file '{\"path\":\"/made.txt\"}'"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "from-the-box"));
	CU_ASSERT_EQUAL(wsp("fs ls /notes"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "plan.md"));
	CU_ASSERT_EQUAL(wsp("fs rm /made.txt"), 0);
	CU_ASSERT_NOT_EQUAL(access(strcat(strcpy((char[600]){0}, top),
					  "/box/made.txt"),
				   F_OK),
			    0);
}

static void test_sandbox_files_refused(void)
{
	/* the local sandbox offers no sandbox_fs (yet: issue 13) */
	write_shared_config("local", "", 1);
	CU_ASSERT_NOT_EQUAL(wsp("config check"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "offers no files of its own"));
	CU_ASSERT_NOT_EQUAL(wsp("fs ls /"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "offers no files of its own"));
	write_shared_config("mountrec", "", 0);
	CU_ASSERT_NOT_EQUAL(wsp("config check"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "no sandbox is configured"));
	write_shared_config("mountrec", "    options: { base_path: x }\n", 1);
	CU_ASSERT_NOT_EQUAL(wsp("config check"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "base_path"));
}

static CU_TestInfo tests[] = {
	{"config check", test_config_check},
	{"start mounts sandbox_path mounts", test_start_mounts_configured},
	{"wsp sandbox mount and unmount", test_cli_mount_unmount},
	{"the local sandbox refuses", test_local_sandbox_refuses},
	{"provider: sandbox: its files as a mount",
	 test_sandbox_files_as_mount},
	{"provider: sandbox refused without sandbox_fs",
	 test_sandbox_files_refused},
	CU_TEST_INFO_NULL,
};

CU_MAIN_SUITE("stores mounted in the sandbox", suite_init, suite_clean,
	      tests)
