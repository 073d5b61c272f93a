/*
 * tests/gcs/gcs_env.h - what the C tests of plugins/fs-gcs share: the
 * project's GCS fake (fake-gcs.mjs) started on 127.0.0.1 with --auth
 * bearer and a service-account key made here (its token_uri pointing at
 * the fake), its admin API, and the SDK's fake host (<wsp/fakehost.h>)
 * for wsp-fs-gcs.so's descriptor: the core's real HTTP service and a log
 * that fails the test on a secret (the keys' private keys; a test adds
 * the others it uses). One fake per test process.
 */
#ifndef WSP_TEST_GCS_ENV_H
#define WSP_TEST_GCS_ENV_H

#include <wsp/fakehost.h>
#include <wsp/plugin.h>

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <sys/types.h>

#define BUCKET "team-data"
#define EMAIL "robot@demo-project.iam.gserviceaccount.com"

extern wsp_fakehost *fh;	/* from start_fake to stop_fake */
extern const wsp_host *host; /* fh's host table */

/* fh and host (start_fake calls it first); 0 or -1 with the reason. */
int gcs_host_open(void);
void gcs_host_close(void);

extern int port;
/* the test's directory, the fake's key (EMAIL, kid-1), and a key of an
 * account the fake does not know */
extern char tmp[256], key_path[300], other_key_path[300];
extern char key_json[8192]; /* the key file's text */

/* A service-account key file for a fresh 2048-bit RSA key. */
int write_key(const char *path, const char *email, const char *kid,
	      const char *token_uri, char *json_out, size_t cap);

/* The first 40 characters of the key's PEM body as key_json has it
 * (what a leaked key would show) into out (41 bytes): 0, or -1. */
int gcs_key_secret(char *out, size_t cap);

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

/* The bytes a test sends: n pseudo-random bytes from seed (malloc'd); a
 * source over p[0..n) handing out at most piece bytes a call (0: as many
 * as fit). What it reads back goes to test_bytes.h's bytes_take. */
char *gcs_test_bytes(size_t n, unsigned seed);
struct gcs_test_src {
	const char *p;
	size_t n, at, piece;
};
int gcs_test_give(void *buf, size_t cap, size_t *out_n, void *payload);

#endif
