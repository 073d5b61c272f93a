/*
 * tests/gcs/gcs_env.h - what the C tests of plugins/fs-gcs share: the
 * project's GCS fake (fake-gcs.mjs) started on 127.0.0.1 with --auth
 * bearer and a service-account key made here (its token_uri pointing at
 * the fake), its admin API, and a host table of the core's real HTTP
 * service with a captured log. One fake per test process.
 */
#ifndef WSP_TEST_GCS_ENV_H
#define WSP_TEST_GCS_ENV_H

#include <wsp/plugin.h>

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdbool.h>
#include <sys/types.h>

#define BUCKET "team-data"
#define EMAIL "robot@demo-project.iam.gserviceaccount.com"

extern const wsp_host host;
extern pthread_mutex_t log_lock;
extern char log_buf[1 << 16]; /* everything host->log got */
extern size_t log_len;

extern pid_t fake_pid;
extern int fake_stdin;
extern int port;
/* the test's directory, the fake's key (EMAIL, kid-1), and a key of an
 * account the fake does not know */
extern char tmp[256], key_path[300], other_key_path[300];
extern char key_json[8192]; /* the key file's text */

/* A service-account key file for a fresh 2048-bit RSA key. */
int write_key(const char *path, const char *email, const char *kid,
	      const char *token_uri, char *json_out, size_t cap);

/* Start the fake with extra arguments (NULL-terminated, may be NULL). */
int start_fake(const char *const *extra);
void stop_fake(void);

/* One request to the fake: its status, the body (malloc'ed) in *body. */
int call(const char *method, const char *path, const char *bearer,
	 const char *json, char **body);
/* GET of the bucket with that token (NULL: none). */
int bucket_status(const char *token);
/* The fake's request log, and how many match method and path ('*' at
 * the end: a prefix). */
cJSON *requests(void);
int count_requests(const char *method, const char *path);

#endif
