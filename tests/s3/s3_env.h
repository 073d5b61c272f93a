/*
 * tests/s3/s3_env.h - what the fs-s3 tests share: an S3 test server
 * started on 127.0.0.1 (npm s3rver, pinned in package-lock.json), and
 * wsp-fs-s3.so loaded on the SDK's fake host (<wsp/fakehost.h>): the
 * core's HTTP, SigV4, option checks and call contexts, and a log that
 * fails the test on a secret (secret_access_key, session_token).
 */
#ifndef WSP_TEST_S3_ENV_H
#define WSP_TEST_S3_ENV_H

#include <wsp/fakehost.h>

#include <stdbool.h>
#include <sys/types.h>

#define TEST_BUCKET "team-data"

struct s3_server {
	pid_t pid;
	int port;
	char dir[256];
	char endpoint[64];
};

/*
 * kind: "verify" (@20minutes/s3rver, checks SigV4), "plain" (s3rver) or
 * "fauxqs" (implements UploadPartCopy; checks no signature).
 */
int s3_server_start(struct s3_server *srv, const char *kind);
void s3_server_stop(struct s3_server *srv);

/*
 * Options of one instance; NULL/0 members are "not set" (the declared
 * default applies). s3fs_open turns them into the YAML the core checks.
 */
struct wsp_config {
	const char *bucket, *region, *endpoint, *prefix;
	const char *access_key_id, *secret_access_key, *session_token;
	const char *profile;
	int anonymous, read_only;
	int force_path_style; /* -1 unset */
	uint64_t multipart_threshold, part_size, multipart_copy_threshold;
	int64_t parallelism;
};

struct s3fs {
	const wsp_plugin_desc *desc;
	const wsp_fs_vtable *fs;
	void *self;
	wsp_fakehost *fh; /* the instance's own fake host */
};

/*
 * What the core hands a provider (the boundary rule, <wsp/fs.h>): a
 * full-size call that never expires, and full-size options with the
 * defaults filled in (a read's length UINT64_MAX for "to the end").
 */
extern const wsp_call s3_call;
#define S3_READ_ALL                                                            \
	(&(const wsp_fs_read_opts){sizeof(wsp_fs_read_opts), 0, 0, UINT64_MAX})
#define S3_LIST_DEFAULT (&(const wsp_fs_list_opts)WSP_FS_LIST_OPTS_INIT)
/* Everything f logged so far, a line each (malloc'ed); and forget it. */
char *s3_test_log(const struct s3fs *f);
void s3_test_log_clear(struct s3fs *f);

/* A config for the server with s3rver's fixed keys. */
struct wsp_config s3_config(const struct s3_server *srv);

int s3fs_open(struct s3fs *out, const struct wsp_config *cfg, wsp_error *err);
void s3fs_close(struct s3fs *f);

/*
 * A suite's set-up: start a server of kind, open fs on it with
 * s3_config() changed by tweak (when not NULL). 0, or -1 with the reason
 * on stderr and nothing left running. s3_suite_close() undoes it.
 */
int s3_suite_open(struct s3_server *srv, const char *kind, struct s3fs *fs,
		  void (*tweak)(struct wsp_config *cfg));
void s3_suite_close(struct s3_server *srv, struct s3fs *fs);

/* Whole-buffer helpers over the streaming slots. */
int s3fs_put(struct s3fs *f, const char *path, const void *data, size_t len,
	     const wsp_fs_write_opts *opts, wsp_fs_stat *out, wsp_error *err);
/* *out is malloc'ed and NUL-terminated. */
int s3fs_get(struct s3fs *f, const char *path, uint64_t off, uint64_t len,
	     char **out, size_t *out_len, wsp_error *err);

/* Random bytes (deterministic for a seed), malloc'ed. */
char *test_bytes(size_t n, unsigned seed);

/* Run a command with the aws CLI environment for srv; its exit code. */
int aws_cli(const struct s3_server *srv, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A temporary directory for files of one test (removed by the caller). */
char *test_tmpdir(void);

#endif
