/*
 * tests/s3/test_fs_s3_mount.c - fs-s3's mount source (<wsp/mount.h>):
 * what it says for each configuration (no server needed), and that what
 * it says is enough for s3fs (Debian's s3fs-fuse) to mount the bucket: a
 * file the S3 API wrote is read through the mount, and a file written
 * through the mount is read by the S3 API.
 */
#include "s3_env.h"

#include "cu_main.h"

#include <CUnit/Basic.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int describe(wsp_mount_source *out, const struct wsp_config *cfg,
		    const char *path)
{
	struct s3fs f;
	wsp_error err = {0};
	int rc;

	memset(out, 0, sizeof(*out));
	out->struct_size = sizeof(*out);
	rc = s3fs_open(&f, cfg, &err);
	if (rc)
		return rc;
	rc = f.fs->mount_source(out, f.self, &s3_call, path, 0, &err);
	s3fs_close(&f);
	return rc;
}

static void test_custom_endpoint(void)
{
	struct wsp_config cfg = {
		.bucket = "team-data",
		.region = "eu-west-1",
		.endpoint = "http://127.0.0.1:9",
		.prefix = "/agents/dev-box/",
		.access_key_id = "AKIDEXAMPLE",
		.secret_access_key = "made-up-secret",
		.session_token = "made-up-token",
		.force_path_style = -1,
	};
	wsp_mount_source s;

	CU_ASSERT_EQUAL_FATAL(describe(&s, &cfg, "."), 0);
	CU_ASSERT_STRING_EQUAL(s.type, "s3");
	CU_ASSERT_STRING_EQUAL(s.bucket, "team-data");
	CU_ASSERT_STRING_EQUAL(s.prefix, "agents/dev-box/");
	CU_ASSERT_STRING_EQUAL(s.endpoint, "http://127.0.0.1:9");
	CU_ASSERT_STRING_EQUAL(s.region, "eu-west-1");
	/* an endpoint means path style unless told otherwise */
	CU_ASSERT_EQUAL(s.flags, WSP_MOUNT_PATH_STYLE);
	CU_ASSERT_EQUAL_FATAL(s.n_credentials, 3);
	CU_ASSERT_STRING_EQUAL(wsp_mount_source_credential(&s, "access_key_id"),
			       "AKIDEXAMPLE");
	CU_ASSERT_STRING_EQUAL(
		wsp_mount_source_credential(&s, "secret_access_key"),
		"made-up-secret");
	CU_ASSERT_STRING_EQUAL(wsp_mount_source_credential(&s, "session_token"),
			       "made-up-token");
	CU_ASSERT_PTR_NULL(wsp_mount_source_credential(&s, "secret"));

	/* a directory's prefix lies below the mount's, ending in '/' */
	CU_ASSERT_EQUAL_FATAL(describe(&s, &cfg, "notes/2024"), 0);
	CU_ASSERT_STRING_EQUAL(s.prefix, "agents/dev-box/notes/2024/");
	wsp_mount_source_wipe(&s);
	CU_ASSERT_EQUAL(s.n_credentials, 0);
	CU_ASSERT_EQUAL(s.credential_values[1][0], '\0');
}

static void test_aws_anonymous_read_only(void)
{
	struct wsp_config cfg = {
		.bucket = "public-data",
		.region = "eu-west-1",
		.anonymous = 1,
		.read_only = 1,
		.force_path_style = -1,
	};
	wsp_mount_source s;

	CU_ASSERT_EQUAL_FATAL(describe(&s, &cfg, "."), 0);
	CU_ASSERT_STRING_EQUAL(s.prefix, "");
	CU_ASSERT_STRING_EQUAL(s.endpoint,
			       "https://s3.eu-west-1.amazonaws.com");
	CU_ASSERT_EQUAL(s.flags, WSP_MOUNT_READ_ONLY | WSP_MOUNT_ANONYMOUS);
	CU_ASSERT_EQUAL(s.n_credentials, 0);

	/* dotted bucket names need path style on AWS (TLS) */
	cfg.bucket = "public.data";
	CU_ASSERT_EQUAL_FATAL(describe(&s, &cfg, "logs"), 0);
	CU_ASSERT_STRING_EQUAL(s.prefix, "logs/");
	CU_ASSERT(s.flags & WSP_MOUNT_PATH_STYLE);
}

/* Run argv (no shell); its exit status, or -1. */
static int run(char *const argv[])
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0)
			dup2(null, STDOUT_FILENO);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static int usable_s3fs(void)
{
	return access("/usr/bin/s3fs", X_OK) == 0 &&
	       access("/dev/fuse", R_OK | W_OK) == 0;
}

static void put_prefix(struct wsp_config *cfg)
{
	cfg->prefix = "agents/dev-box";
}

/* Mount the source with s3fs the way a sandbox would, secrets in a file. */
static void test_s3fs_mounts_the_source(void)
{
	struct s3_server srv;
	struct s3fs fs;
	wsp_mount_source s;
	wsp_error err = {0};
	char *dir, passwd[300], mnt[300], opts[1024], bucket[600], file[400];
	char buf[64] = "", *got = NULL;
	size_t len = 0;
	ssize_t n = -1;
	FILE *f;
	int fd, rc;

	if (!usable_s3fs()) {
		fprintf(stderr, "\nNOTE: no usable s3fs or /dev/fuse: the s3fs "
				"mount is not checked here\n");
		return;
	}
	CU_ASSERT_EQUAL_FATAL(s3_suite_open(&srv, "plain", &fs, put_prefix),
			      0);
	CU_ASSERT_EQUAL(s3fs_put(&fs, "notes/hello.md", "written by S3", 13,
				 NULL, NULL, &err),
			0);
	memset(&s, 0, sizeof(s));
	s.struct_size = sizeof(s);
	CU_ASSERT_EQUAL_FATAL(
		fs.fs->mount_source(&s, fs.self, &s3_call, ".", 0, &err), 0);
	dir = test_tmpdir();
	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	snprintf(passwd, sizeof(passwd), "%s/passwd", dir);
	snprintf(mnt, sizeof(mnt), "%s/mnt", dir);
	CU_ASSERT_EQUAL_FATAL(mkdir(mnt, 0700), 0);
	/* s3fs refuses a passwd file others can read: 0600, as promised */
	fd = open(passwd, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	CU_ASSERT_FATAL(fd >= 0);
	f = fdopen(fd, "w");
	fprintf(f, "%s:%s\n", wsp_mount_source_credential(&s, "access_key_id"),
		wsp_mount_source_credential(&s, "secret_access_key"));
	fclose(f);
	/* bucket:/prefix without its final '/' */
	snprintf(bucket, sizeof(bucket), "%s:/%.*s", s.bucket,
		 (int)strlen(s.prefix) - 1, s.prefix);
	snprintf(opts, sizeof(opts), "url=%s,endpoint=%s,passwd_file=%s%s",
		 s.endpoint, s.region, passwd,
		 s.flags & WSP_MOUNT_PATH_STYLE ? ",use_path_request_style"
						: "");
	wsp_mount_source_wipe(&s);
	{
		char *argv[] = {"s3fs", bucket, mnt, "-o", opts, NULL};

		rc = run(argv);
	}
	CU_ASSERT_EQUAL(rc, 0);
	if (rc == 0) {
		snprintf(file, sizeof(file), "%s/notes/hello.md", mnt);
		fd = open(file, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			n = read(fd, buf, sizeof(buf) - 1);
			close(fd);
		}
		CU_ASSERT_EQUAL(n, 13);
		CU_ASSERT_STRING_EQUAL(buf, "written by S3");
		/* and back: a file written through the mount */
		snprintf(file, sizeof(file), "%s/from-mount.txt", mnt);
		f = fopen(file, "w");
		CU_ASSERT_PTR_NOT_NULL(f);
		if (f) {
			fputs("written through s3fs", f);
			CU_ASSERT_EQUAL(fclose(f), 0);
		}
		{
			char *argv[] = {"fusermount", "-u", mnt, NULL};

			CU_ASSERT_EQUAL(run(argv), 0);
		}
		CU_ASSERT_EQUAL(s3fs_get(&fs, "from-mount.txt", 0, UINT64_MAX,
					 &got, &len, &err),
				0);
		CU_ASSERT_PTR_NOT_NULL(got);
		if (got)
			CU_ASSERT_STRING_EQUAL(got, "written through s3fs");
		free(got);
	}
	unlink(passwd);
	rmdir(mnt);
	rmdir(dir);
	free(dir);
	s3_suite_close(&srv, &fs);
}

static CU_TestInfo tests[] = {
	{"custom endpoint, prefix, credentials", test_custom_endpoint},
	{"AWS, anonymous, read-only, dotted bucket",
	 test_aws_anonymous_read_only},
	{"s3fs mounts the source both ways", test_s3fs_mounts_the_source},
	CU_TEST_INFO_NULL,
};

CU_MAIN_SUITE("fs-s3 mount source", NULL, NULL, tests)
