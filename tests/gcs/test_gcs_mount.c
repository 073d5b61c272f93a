/*
 * tests/gcs/test_gcs_mount.c - fs-gcs's mount source (<wsp/mount.h>):
 * the fields for each auth route (key file, gcloud user file, metadata
 * server, anonymous), the core's check of them, read_only, a
 * subdirectory's prefix, a key too large for a secret pair; and that the
 * description is enough for a real client: Debian's rclone, configured
 * only from its fields (docs/fs-gcs.md says how), lists, reads and
 * writes objects on the project's GCS fake, once with the key file and
 * once with the metadata server's short-lived token.
 */
#include "gcs.h"
#include "cu_main.h"
#include "gcs_env.h"
#include "gcs_open.h"
#include "mount_source.h"


#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static struct gcs g;

static int open_gcs(const char *credentials, bool anonymous, bool read_only,
		    const char *endpoint, const char *prefix)
{
	if (gcs_test_open(&g, endpoint, prefix, credentials, anonymous,
			  read_only))
		return -1;
	g.chunk_size = 8 << 20;
	g.resumable_threshold = 8 << 20;
	g.page_size = 1000;
	return 0;
}

/* The source of path, checked as the core checks every source. */
static int describe(wsp_mount_source *s, const char *path, wsp_error *err)
{
	int rc;

	memset(s, 0, sizeof(*s));
	s->struct_size = sizeof(*s);
	rc = gcs_mount_source(s, &g, NULL, path, 0, err);
	if (!rc)
		rc = wsp__mount_source_check(s, "gcs", err);
	return rc;
}

static int suite_init(void)
{
	unsetenv("GOOGLE_APPLICATION_CREDENTIALS");
	unsetenv("CLOUDSDK_CONFIG");
	unsetenv("GCE_METADATA_HOST");
	unsetenv("GCE_METADATA_IP");
	return start_fake(NULL);
}

static int suite_clean(void)
{
	stop_fake();
	return 0;
}

static void test_key_file(void)
{
	wsp_mount_source s;
	wsp_error err = {0};
	char ep[64];

	snprintf(ep, sizeof(ep), "http://127.0.0.1:%d", port);
	CU_ASSERT_FATAL(open_gcs(key_path, false, false, NULL,
				 "agents/dev-box/") == 0);
	CU_ASSERT_EQUAL_FATAL(describe(&s, ".", &err), 0);
	CU_ASSERT_STRING_EQUAL(s.type, "gcs");
	CU_ASSERT_STRING_EQUAL(s.bucket, BUCKET);
	CU_ASSERT_STRING_EQUAL(s.prefix, "agents/dev-box/");
	CU_ASSERT_STRING_EQUAL(s.endpoint, ep);
	CU_ASSERT_STRING_EQUAL(s.region, "");
	CU_ASSERT_EQUAL(s.flags, 0);
	CU_ASSERT_EQUAL_FATAL(s.n_credentials, 1);
	CU_ASSERT_STRING_EQUAL(s.credential_keys[0], "credentials_json");
	/* the key file's text itself: the tool signs its own JWTs */
	CU_ASSERT_STRING_EQUAL(s.credential_values[0], key_json);
	wsp_mount_source_wipe(&s);

	/* a subdirectory: the prefix goes on, ending in '/' */
	CU_ASSERT_EQUAL_FATAL(describe(&s, "notes/2026", &err), 0);
	CU_ASSERT_STRING_EQUAL(s.prefix, "agents/dev-box/notes/2026/");
	wsp_mount_source_wipe(&s);
	gcs_test_close(&g);

	/* no prefix: the whole bucket; Google's endpoint is left empty */
	CU_ASSERT_FATAL(open_gcs(key_json, false, true,
				 GCS_ENDPOINT_DEFAULT, "") == 0);
	CU_ASSERT_EQUAL_FATAL(describe(&s, ".", &err), 0);
	CU_ASSERT_STRING_EQUAL(s.prefix, "");
	CU_ASSERT_STRING_EQUAL(s.endpoint, "");
	CU_ASSERT_EQUAL(s.flags, WSP_MOUNT_READ_ONLY);
	CU_ASSERT_STRING_EQUAL(wsp_mount_source_credential(
				       &s, "credentials_json"), key_json);
	wsp_mount_source_wipe(&s);
	gcs_test_close(&g);
}

static void test_user_file(void)
{
	static const char user[] =
		"{\"type\":\"authorized_user\",\"client_id\":\"cid-1\","
		"\"client_secret\":\"csecret-7f3a\","
		"\"refresh_token\":\"1//rtok-9b2c\"}";
	wsp_mount_source s;
	wsp_error err = {0};

	CU_ASSERT_FATAL(open_gcs(user, false, false, NULL, "") == 0);
	CU_ASSERT_EQUAL(g.auth.kind, GCS_AUTH_USER);
	CU_ASSERT_EQUAL_FATAL(describe(&s, ".", &err), 0);
	CU_ASSERT_EQUAL_FATAL(s.n_credentials, 1);
	CU_ASSERT_STRING_EQUAL(s.credential_keys[0], "credentials_json");
	CU_ASSERT_STRING_EQUAL(s.credential_values[0], user);
	wsp_mount_source_wipe(&s);
	gcs_test_close(&g);
}

static void test_anonymous(void)
{
	wsp_mount_source s;
	wsp_error err = {0};

	CU_ASSERT_FATAL(open_gcs(key_path, true, false, NULL, "pub/") == 0);
	CU_ASSERT_EQUAL_FATAL(describe(&s, ".", &err), 0);
	CU_ASSERT_EQUAL(s.flags, WSP_MOUNT_ANONYMOUS);
	CU_ASSERT_EQUAL(s.n_credentials, 0);
	CU_ASSERT_STRING_EQUAL(s.prefix, "pub/");
	wsp_mount_source_wipe(&s);
	gcs_test_close(&g);
}

static time_t parse_utc(const char *s)
{
	struct tm tm = {0};
	const char *end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);

	return end && !*end ? timegm(&tm) : (time_t)-1;
}

static void test_metadata_token(void)
{
	wsp_mount_source s;
	wsp_error err = {0};
	char hostport[64], home[300];
	const char *tok, *exp;
	time_t at, now;

	call("POST", "/_fake/config", NULL, "{\"tokenLifetime\":3600}", NULL);
	snprintf(home, sizeof(home), "%s/home-empty", tmp);
	mkdir(home, 0700);
	setenv("HOME", home, 1);
	snprintf(hostport, sizeof(hostport), "127.0.0.1:%d", port);
	setenv("GCE_METADATA_HOST", hostport, 1);
	CU_ASSERT_FATAL(open_gcs(NULL, false, false, NULL, "") == 0);
	unsetenv("GCE_METADATA_HOST");
	CU_ASSERT_EQUAL(g.auth.kind, GCS_AUTH_METADATA);
	CU_ASSERT_EQUAL_FATAL(describe(&s, ".", &err), 0);
	CU_ASSERT_EQUAL_FATAL(s.n_credentials, 2);
	tok = wsp_mount_source_credential(&s, "access_token");
	exp = wsp_mount_source_credential(&s, "expires_at");
	CU_ASSERT_PTR_NOT_NULL_FATAL(tok);
	CU_ASSERT_PTR_NOT_NULL_FATAL(exp);
	/* a token the store accepts, not the metadata server's address */
	CU_ASSERT_EQUAL(bucket_status(tok), 200);
	CU_ASSERT_PTR_NULL(strstr(s.credential_values[0], hostport));
	now = time(NULL);
	at = parse_utc(exp);
	CU_ASSERT(at > now + 3500 && at <= now + 3601);
	wsp_mount_source_wipe(&s);
	gcs_test_close(&g);
}

static void test_key_too_large(void)
{
	size_t cap = WSP_MOUNT_CRED_VALUE_MAX + 200, n;
	char *big = malloc(cap + strlen(key_json));
	wsp_mount_source s;
	wsp_error err = {0};

	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	/* the same key with a field that pushes it past a secret pair */
	n = (size_t)sprintf(big, "{\"notes\":\"");
	memset(big + n, 'x', WSP_MOUNT_CRED_VALUE_MAX);
	n += WSP_MOUNT_CRED_VALUE_MAX;
	sprintf(big + n, "\",%s", strchr(key_json, '{') + 1);
	CU_ASSERT_FATAL(open_gcs(big, false, false, NULL, "") == 0);
	memset(&s, 0, sizeof(s));
	s.struct_size = sizeof(s);
	CU_ASSERT_EQUAL(gcs_mount_source(&s, &g, NULL, ".", 0, &err),
			WSP_ETOOBIG);
	CU_ASSERT_EQUAL(s.n_credentials, 0);
	CU_ASSERT_EQUAL(s.credential_values[0][0], '\0');
	CU_ASSERT_PTR_NULL(strstr(err.message, "PRIVATE"));
	CU_ASSERT_PTR_NULL(strstr(err.message, "xxxx"));
	gcs_test_close(&g);
	free(big);
}

/* --- rclone, configured only from a source's fields --- */

/* One line of JSON: the newlines between its tokens become spaces. */
static void one_line(FILE *f, const char *json)
{
	for (; *json; json++)
		fputc(*json == '\n' || *json == '\r' ? ' ' : *json, f);
}

/*
 * The rclone remote "g" for s (docs/fs-gcs.md's mapping), in a 0600
 * file: rclone's endpoint is the JSON API's base, below the source's.
 */
static int rclone_conf(char *path, size_t cap, const wsp_mount_source *s)
{
	const char *key = wsp_mount_source_credential(s, "credentials_json");
	const char *tok = wsp_mount_source_credential(s, "access_token");
	const char *exp = wsp_mount_source_credential(s, "expires_at");
	FILE *f;

	snprintf(path, cap, "%s/rclone.conf", tmp);
	unlink(path);
	f = fopen(path, "w");
	if (!f || chmod(path, 0600))
		return -1;
	fprintf(f, "[g]\ntype = google cloud storage\n");
	fprintf(f, "bucket_policy_only = true\nno_check_bucket = true\n");
	if (s->endpoint[0])
		fprintf(f, "endpoint = %s/storage/v1/\n", s->endpoint);
	if (s->flags & WSP_MOUNT_ANONYMOUS)
		fprintf(f, "anonymous = true\n");
	if (key) {
		fprintf(f, "service_account_credentials = ");
		one_line(f, key);
		fputc('\n', f);
	} else if (tok) {
		fprintf(f, "token = {\"access_token\":\"%s\","
			   "\"token_type\":\"Bearer\",\"expiry\":\"%s\"}\n",
			tok, exp ? exp : "");
	}
	return fclose(f) ? -1 : 0;
}

/* rclone with that config and args; its stdout in out (may be NULL). */
static int rclone(const char *conf, const char *args, char *out, size_t cap)
{
	char cmd[4608];
	FILE *p;
	size_t n = 0;

	snprintf(cmd, sizeof(cmd),
		 "env -u http_proxy -u https_proxy -u HTTP_PROXY -u "
		 "HTTPS_PROXY -u ALL_PROXY -u all_proxy rclone --config '%s' "
		 "--low-level-retries 1 --retries 1 %s",
		 conf, args);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	if (out) {
		n = fread(out, 1, cap - 1, p);
		out[n] = '\0';
	} else {
		char sink[512];

		while (fread(sink, 1, sizeof(sink), p) > 0)
			;
	}
	return pclose(p);
}

static int to_buf(const void *data, size_t len, void *payload)
{
	char *b = payload;
	size_t have = strlen(b);

	if (have + len >= 256)
		return WSP_ETOOBIG;
	memcpy(b + have, data, len);
	b[have + len] = '\0';
	return 0;
}

/* rclone lists, reads and writes what the source describes. */
static void rclone_round(const wsp_mount_source *s, const char *tag)
{
	char conf[400], local[400], remote[1400], args[4096], out[4096];
	char back[256] = "", name[1400], want[100];
	struct gcs_object o;
	wsp_error err = {0};
	FILE *f;

	CU_ASSERT_EQUAL_FATAL(rclone_conf(conf, sizeof(conf), s), 0);
	snprintf(remote, sizeof(remote), "g:%s/%s", s->bucket, s->prefix);
	/* an object the provider wrote, read through rclone */
	snprintf(name, sizeof(name), "%sfrom-wsp-%s.txt", s->prefix, tag);
	snprintf(want, sizeof(want), "written by wsp (%s)\n", tag);
	CU_ASSERT_EQUAL_FATAL(gcs_upload_multipart(&o, &g, name, want,
						   strlen(want), "text/plain",
						   -1, &err),
			      0);
	snprintf(args, sizeof(args), "lsf '%s'", remote);
	CU_ASSERT_EQUAL(rclone(conf, args, out, sizeof(out)), 0);
	snprintf(name, sizeof(name), "from-wsp-%s.txt", tag);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, name));
	snprintf(args, sizeof(args), "cat '%s%s'", remote, name);
	CU_ASSERT_EQUAL(rclone(conf, args, out, sizeof(out)), 0);
	CU_ASSERT_STRING_EQUAL(out, want);
	/* a file rclone wrote, read by the provider */
	snprintf(local, sizeof(local), "%s/from-rclone.txt", tmp);
	f = fopen(local, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fprintf(f, "written by rclone (%s)\n", tag);
	fclose(f);
	snprintf(args, sizeof(args), "copyto '%s' '%sfrom-rclone-%s.txt'",
		 local, remote, tag);
	CU_ASSERT_EQUAL(rclone(conf, args, NULL, 0), 0);
	snprintf(name, sizeof(name), "%sfrom-rclone-%s.txt", s->prefix, tag);
	CU_ASSERT_EQUAL(gcs_download(&g, name, 0, UINT64_MAX, to_buf, back,
				     &err),
			0);
	snprintf(want, sizeof(want), "written by rclone (%s)\n", tag);
	CU_ASSERT_STRING_EQUAL(back, want);
	unlink(conf);
}

static void test_rclone_key_file(void)
{
	wsp_mount_source s;
	wsp_error err = {0};

	CU_ASSERT_FATAL(open_gcs(key_path, false, false, NULL, "rc/key/") ==
			0);
	CU_ASSERT_EQUAL_FATAL(describe(&s, ".", &err), 0);
	rclone_round(&s, "key");
	wsp_mount_source_wipe(&s);
	gcs_test_close(&g);
}

static void test_rclone_metadata_token(void)
{
	wsp_mount_source s;
	wsp_error err = {0};
	char hostport[64];

	snprintf(hostport, sizeof(hostport), "127.0.0.1:%d", port);
	setenv("GCE_METADATA_HOST", hostport, 1);
	CU_ASSERT_FATAL(open_gcs(NULL, false, false, NULL, "rc/meta/") == 0);
	unsetenv("GCE_METADATA_HOST");
	CU_ASSERT_EQUAL_FATAL(describe(&s, ".", &err), 0);
	rclone_round(&s, "token");
	wsp_mount_source_wipe(&s);
	gcs_test_close(&g);
}

static CU_TestInfo tests[] = {
	{"key file", test_key_file},
	{"gcloud user file", test_user_file},
	{"anonymous", test_anonymous},
	{"metadata server token", test_metadata_token},
	{"key too large for a pair", test_key_too_large},
	{"rclone with the key file", test_rclone_key_file},
	{"rclone with the token", test_rclone_metadata_token},
	CU_TEST_INFO_NULL,
};

CU_MAIN_SUITE("gcs_mount", suite_init, suite_clean, tests)
