/*
 * tests/gcs/test_gcs_auth.c - the GCS provider's credentials against the
 * project's GCS fake (fake-gcs.mjs, started here on 127.0.0.1 with
 * --auth bearer): the service-account JWT exchanged at the key's own
 * token_uri, its claims checked by the fake and here, tokens used on
 * storage calls, refreshed when due and when refused, one exchange for
 * many threads, the metadata-server route, the ADC lookup order, and
 * nothing secret in messages or logs. All HTTP goes through the core's
 * HTTP service, as in the provider.
 */
#include "gcs.h"

#include "http.h"

#include <CUnit/Basic.h>
#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define BUCKET "team-data"
#define EMAIL "robot@demo-project.iam.gserviceaccount.com"

/* --- a host table of the real HTTP service, with a captured log --- */

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char log_buf[1 << 16];
static size_t log_len;

static void host_log(const wsp_host *h, int level, const char *fmt, ...)
{
	va_list ap;

	(void)h;
	(void)level;
	pthread_mutex_lock(&log_lock);
	va_start(ap, fmt);
	if (log_len < sizeof(log_buf) - 2) {
		int n = vsnprintf(log_buf + log_len,
				  sizeof(log_buf) - log_len - 1, fmt, ap);

		if (n > 0)
			log_len += (size_t)n < sizeof(log_buf) - log_len - 1
					   ? (size_t)n
					   : sizeof(log_buf) - log_len - 2;
		log_buf[log_len++] = '\n';
		log_buf[log_len] = '\0';
	}
	va_end(ap);
	pthread_mutex_unlock(&log_lock);
}

static const wsp_host host = {
	.struct_size = sizeof(wsp_host),
	.abi_major = WSP_PLUGIN_ABI_MAJOR,
	.abi_minor = WSP_PLUGIN_ABI_MINOR,
	.log = host_log,
	.http_request = wsp__http_request,
	.http_response_release = wsp__http_response_release,
};

/* --- the fake --- */

static pid_t fake_pid;
static int fake_stdin = -1;
static int port;
static char tmp[256], key_path[300], other_key_path[300];
static char key_json[8192];

/* A service-account key file for a fresh RSA key; the PEM kept in pem. */
static int write_key(const char *path, const char *email, const char *kid,
		     const char *token_uri, char *json_out, size_t cap)
{
	EVP_PKEY *pk = EVP_RSA_gen(2048);
	BIO *bio = BIO_new(BIO_s_mem());
	char *pem = NULL, *txt;
	long n;
	cJSON *j = cJSON_CreateObject();
	FILE *f;
	int rc = -1;

	if (!pk || !bio || !PEM_write_bio_PrivateKey(bio, pk, NULL, NULL, 0,
						     NULL, NULL))
		goto out;
	n = BIO_get_mem_data(bio, &pem);
	cJSON_AddStringToObject(j, "type", "service_account");
	cJSON_AddStringToObject(j, "project_id", "demo-project");
	cJSON_AddStringToObject(j, "private_key_id", kid);
	{
		char *p = strndup(pem, (size_t)n);

		cJSON_AddStringToObject(j, "private_key", p);
		free(p);
	}
	cJSON_AddStringToObject(j, "client_email", email);
	cJSON_AddStringToObject(j, "token_uri", token_uri);
	txt = cJSON_Print(j);
	f = fopen(path, "w");
	if (f && txt) {
		fputs(txt, f);
		fclose(f);
		if (json_out)
			snprintf(json_out, cap, "%s", txt);
		rc = 0;
	}
	free(txt);
out:
	cJSON_Delete(j);
	BIO_free(bio);
	EVP_PKEY_free(pk);
	return rc;
}

static int start_fake(void)
{
	int in[2], out[2];
	char line[128], arg_key[320];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s/wsp-gcs-auth-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmp))
		return -1;
	/* the key names the fake's token URI; the port is known only later,
	 * so the fake gets the key first and the URI is fixed up after */
	snprintf(key_path, sizeof(key_path), "%s/key.json", tmp);
	snprintf(other_key_path, sizeof(other_key_path), "%s/other.json", tmp);
	if (write_key(key_path, EMAIL, "kid-1", "http://127.0.0.1:1/token",
		      NULL, 0))
		return -1;
	if (pipe(in) || pipe(out))
		return -1;
	fake_pid = fork();
	if (fake_pid < 0)
		return -1;
	if (fake_pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		snprintf(arg_key, sizeof(arg_key), "%s", key_path);
		execlp(WSP_TEST_NODE, WSP_TEST_NODE,
		       WSP_TEST_GCS_DIR "/fake-gcs.mjs", "--bucket", BUCKET,
		       "--auth", "bearer", "--service-account", arg_key,
		       "--project", "demo-project", "--dir", tmp,
		       (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	fake_stdin = in[1];
	f = fdopen(out[0], "r");
	if (!f || !fgets(line, sizeof(line), f) ||
	    sscanf(line, "listening 127.0.0.1:%d", &port) != 1) {
		fprintf(stderr, "the GCS fake did not start (node %s)\n",
			WSP_TEST_NODE);
		return -1;
	}
	/* the fake keeps its stdout; its later lines are not read */
	{
		char uri[64];

		snprintf(uri, sizeof(uri), "http://127.0.0.1:%d/token", port);
		/* same key, now pointing at the fake */
		FILE *k = fopen(key_path, "r");
		size_t n = k ? fread(key_json, 1, sizeof(key_json) - 1, k) : 0;
		cJSON *j;
		char *txt;

		if (k)
			fclose(k);
		key_json[n] = '\0';
		j = cJSON_Parse(key_json);
		cJSON_ReplaceItemInObject(j, "token_uri",
					  cJSON_CreateString(uri));
		txt = cJSON_Print(j);
		snprintf(key_json, sizeof(key_json), "%s", txt);
		k = fopen(key_path, "w");
		fputs(key_json, k);
		fclose(k);
		free(txt);
		cJSON_Delete(j);
		/* an account the fake does not know, at the same URI */
		if (write_key(other_key_path, "stranger@demo-project.iam."
					      "gserviceaccount.com",
			      "kid-9", uri, NULL, 0))
			return -1;
	}
	return 0;
}

static void stop_fake(void)
{
	char cmd[300];

	if (fake_stdin >= 0)
		close(fake_stdin); /* the fake exits at end of file */
	if (fake_pid > 0) {
		int status;

		for (int i = 0; i < 250; i++) {
			if (waitpid(fake_pid, &status, WNOHANG) == fake_pid)
				break;
			usleep(20000);
			if (i == 249) {
				kill(fake_pid, SIGKILL);
				waitpid(fake_pid, &status, 0);
			}
		}
	}
	if (strstr(tmp, "/wsp-gcs-auth-")) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
		if (system(cmd))
			fprintf(stderr, "could not remove %s\n", tmp);
	}
}

/* One call to the fake; the status, the body (malloc'ed) in *body. */
static int call(const char *method, const char *path, const char *bearer,
		const char *json, char **body)
{
	char url[512], authz[4096];
	wsp_http_header h[2];
	size_t n = 0;
	wsp_http_request r = {.struct_size = sizeof(r)};
	wsp_http_response resp = {.struct_size = sizeof(resp)};
	wsp_error err = {0};
	int status;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
	if (bearer) {
		snprintf(authz, sizeof(authz), "Bearer %s", bearer);
		h[n++] = (wsp_http_header){"Authorization", authz};
	}
	if (json)
		h[n++] = (wsp_http_header){"Content-Type", "application/json"};
	r.method = method;
	r.url = url;
	r.headers = h;
	r.n_headers = n;
	r.body = json;
	r.body_len = json ? strlen(json) : 0;
	r.flags = WSP_HTTP_NO_ERROR_MAP | WSP_HTTP_NO_RETRY;
	if (wsp__http_request(&resp, &host, &r, &err))
		return -1;
	status = resp.status;
	if (body)
		*body = resp.body ? strdup(resp.body) : NULL;
	wsp__http_response_release(&host, &resp);
	return status;
}

static int bucket_status(const char *token)
{
	return call("GET", "/storage/v1/b/" BUCKET, token, NULL, NULL);
}

static cJSON *requests(void)
{
	char *body = NULL;
	cJSON *j;

	if (call("GET", "/_fake/requests", NULL, NULL, &body) != 200)
		return NULL;
	j = cJSON_Parse(body);
	free(body);
	return j;
}

/* How many logged requests have this method and path (prefix with '*'). */
static int count_requests(const char *method, const char *path)
{
	cJSON *j = requests(), *r;
	size_t pl = strlen(path);
	bool prefix = pl && path[pl - 1] == '*';
	int n = 0;

	cJSON_ArrayForEach(r, cJSON_GetObjectItem(j, "requests"))
	{
		const char *m = cJSON_GetStringValue(cJSON_GetObjectItem(r, "method"));
		const char *p = cJSON_GetStringValue(cJSON_GetObjectItem(r, "path"));

		if (m && p && !strcmp(m, method) &&
		    (prefix ? !strncmp(p, path, pl - 1) : !strcmp(p, path)))
			n++;
	}
	cJSON_Delete(j);
	return n;
}

static int suite_init(void)
{
	unsetenv("GOOGLE_APPLICATION_CREDENTIALS");
	unsetenv("CLOUDSDK_CONFIG");
	unsetenv("GCE_METADATA_HOST");
	unsetenv("GCE_METADATA_IP");
	return start_fake();
}

static int suite_clean(void)
{
	stop_fake();
	return 0;
}

static void reset(void)
{
	call("POST", "/_fake/reset", NULL, "{}", NULL);
	call("POST", "/_fake/config", NULL, "{\"tokenLifetime\":3600}", NULL);
}

/* --- tests --- */

static void test_jwt_claims(void)
{
	struct gcs_auth a;
	wsp_error err = {0};
	char *jwt = NULL, *p1, *p2;
	unsigned char *hj, *cj, *sig;
	size_t hl, cl, sl;
	cJSON *h, *c;
	EVP_PKEY *pub;
	EVP_MD_CTX *md;
	BIO *bio;
	char uri[64];

	CU_ASSERT_FATAL(gcs_auth_init(&a, &host, key_path, false, false,
				      &err) == 0);
	CU_ASSERT_EQUAL(a.kind, GCS_AUTH_SERVICE_ACCOUNT);
	CU_ASSERT_EQUAL_FATAL(gcs_auth_jwt(&jwt, &a, 1796472000, &err), 0);
	p1 = strchr(jwt, '.');
	p2 = p1 ? strchr(p1 + 1, '.') : NULL;
	CU_ASSERT_FATAL(p1 && p2 && !strchr(p2 + 1, '.'));
	CU_ASSERT_FATAL(!gcs_b64url_decode(&hj, &hl, jwt, (size_t)(p1 - jwt)));
	CU_ASSERT_FATAL(!gcs_b64url_decode(&cj, &cl, p1 + 1,
					   (size_t)(p2 - p1 - 1)));
	CU_ASSERT_FATAL(!gcs_b64url_decode(&sig, &sl, p2 + 1, strlen(p2 + 1)));
	h = cJSON_ParseWithLength((char *)hj, hl);
	c = cJSON_ParseWithLength((char *)cj, cl);
	CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetObjectItem(h, "alg")), "RS256");
	CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetObjectItem(h, "kid")), "kid-1");
	CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetObjectItem(c, "iss")), EMAIL);
	CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetObjectItem(c, "scope")), GCS_SCOPE_RW);
	snprintf(uri, sizeof(uri), "http://127.0.0.1:%d/token", port);
	/* the key's token_uri, honoured */
	CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetObjectItem(c, "aud")), uri);
	CU_ASSERT_EQUAL(cJSON_GetObjectItem(c, "iat")->valuedouble, 1796472000);
	CU_ASSERT_EQUAL(cJSON_GetObjectItem(c, "exp")->valuedouble, 1796472000 + 3600);
	CU_ASSERT_PTR_NULL(cJSON_GetObjectItem(c, "sub"));
	/* RS256 over header.claims, verifiable with the key's public half */
	bio = BIO_new_mem_buf(a.key.private_key, -1);
	pub = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	md = EVP_MD_CTX_new();
	CU_ASSERT_EQUAL(sl, 256);
	CU_ASSERT_EQUAL(EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pub), 1);
	CU_ASSERT_EQUAL(EVP_DigestVerify(md, sig, sl, (unsigned char *)jwt,
					 (size_t)(p2 - jwt)),
			1);
	sig[0] ^= 1;
	EVP_MD_CTX_free(md);
	md = EVP_MD_CTX_new();
	EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pub);
	CU_ASSERT_NOT_EQUAL(EVP_DigestVerify(md, sig, sl, (unsigned char *)jwt,
					     (size_t)(p2 - jwt)),
			    1);
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(pub);
	BIO_free(bio);
	cJSON_Delete(h);
	cJSON_Delete(c);
	free(hj);
	free(cj);
	free(sig);
	gcs_secret_free(jwt);
	gcs_auth_free(&a);

	/* read-only asks for the read-only scope */
	CU_ASSERT_FATAL(gcs_auth_init(&a, &host, key_path, false, true,
				      &err) == 0);
	CU_ASSERT_EQUAL_FATAL(gcs_auth_jwt(&jwt, &a, 1796472000, &err), 0);
	p1 = strchr(jwt, '.');
	p2 = strchr(p1 + 1, '.');
	gcs_b64url_decode(&cj, &cl, p1 + 1, (size_t)(p2 - p1 - 1));
	c = cJSON_ParseWithLength((char *)cj, cl);
	CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetObjectItem(c, "scope")), GCS_SCOPE_RO);
	cJSON_Delete(c);
	free(cj);
	gcs_secret_free(jwt);
	gcs_auth_free(&a);
}

static void test_exchange(void)
{
	struct gcs_auth a;
	wsp_error err = {0};
	char *tok = NULL, *tok2 = NULL;

	reset();
	/* the fake refuses anonymous storage calls */
	CU_ASSERT_EQUAL(bucket_status(NULL), 401);
	CU_ASSERT_FATAL(gcs_auth_init(&a, &host, key_path, false, false,
				      &err) == 0);
	CU_ASSERT_EQUAL_FATAL(gcs_auth_token(&tok, &a, NULL, &err), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tok);
	CU_ASSERT_EQUAL(bucket_status(tok), 200);
	/* cached: the second caller gets the same token, no exchange */
	CU_ASSERT_EQUAL(gcs_auth_token(&tok2, &a, NULL, &err), 0);
	CU_ASSERT_STRING_EQUAL(tok2, tok);
	CU_ASSERT_EQUAL(a.fetches, 1);
	CU_ASSERT_EQUAL(count_requests("POST", "/token"), 1);
	/* the form the fake got: the JWT-bearer grant */
	{
		cJSON *j = requests(), *r;
		bool seen = false;

		cJSON_ArrayForEach(r, cJSON_GetObjectItem(j, "requests"))
		{
			const char *p = cJSON_GetStringValue(cJSON_GetObjectItem(r, "path"));
			const char *b = cJSON_GetStringValue(cJSON_GetObjectItem(r, "body"));

			if (p && !strcmp(p, "/token") && b &&
			    strstr(b, "grant_type=urn%3Aietf%3Aparams%3Aoauth%3A"
				      "grant-type%3Ajwt-bearer&assertion=ey") &&
			    cJSON_GetObjectItem(r, "status")->valueint == 200)
				seen = true;
		}
		CU_ASSERT_TRUE(seen);
		cJSON_Delete(j);
	}
	gcs_secret_free(tok);
	gcs_secret_free(tok2);
	gcs_auth_free(&a);

	/* inline JSON works the same */
	CU_ASSERT_FATAL(gcs_auth_init(&a, &host, key_json, false, false,
				      &err) == 0);
	CU_ASSERT_EQUAL(gcs_auth_token(&tok, &a, NULL, &err), 0);
	CU_ASSERT_EQUAL(bucket_status(tok), 200);
	CU_ASSERT_PTR_NULL(strstr(a.source, "PRIVATE"));
	gcs_secret_free(tok);
	gcs_auth_free(&a);
}

static void test_refused(void)
{
	struct gcs_auth a;
	wsp_error err = {0};
	char *tok = (char *)"x";

	reset();
	/* a key the fake does not know: its claims fail the fake's checks */
	CU_ASSERT_FATAL(gcs_auth_init(&a, &host, other_key_path, false, false,
				      &err) == 0);
	CU_ASSERT_EQUAL(gcs_auth_token(&tok, &a, NULL, &err), WSP_EAUTH);
	CU_ASSERT_PTR_NULL(tok);
	CU_ASSERT_EQUAL(err.http_status, 400);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "invalid_grant"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "account not found"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "other.json"));
	/* neither the assertion nor the key in the message */
	CU_ASSERT_PTR_NULL(strstr(err.message, "eyJ"));
	CU_ASSERT_PTR_NULL(strstr(err.message, "PRIVATE"));
	gcs_auth_free(&a);

	/* a key that is not JSON, and one that is missing */
	{
		char bad[320];
		FILE *f;

		snprintf(bad, sizeof(bad), "%s/bad.json", tmp);
		f = fopen(bad, "w");
		fputs("-----BEGIN PRIVATE KEY-----\nMIIE\n", f);
		fclose(f);
		CU_ASSERT_EQUAL(gcs_auth_init(&a, &host, bad, false, false,
					      &err),
				WSP_ECONFIG);
		CU_ASSERT_PTR_NULL(strstr(err.message, "MIIE"));
		snprintf(bad, sizeof(bad), "%s/none.json", tmp);
		CU_ASSERT_EQUAL(gcs_auth_init(&a, &host, bad, false, false,
					      &err),
				WSP_ENOTFOUND);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "none.json"));
	}
}

static void test_expired_refresh(void)
{
	struct gcs_auth a;
	wsp_error err = {0};
	char *old = NULL, *tok = NULL;

	reset();
	CU_ASSERT_FATAL(gcs_auth_init(&a, &host, key_path, false, false,
				      &err) == 0);
	CU_ASSERT_EQUAL_FATAL(gcs_auth_token(&old, &a, NULL, &err), 0);
	CU_ASSERT_EQUAL(bucket_status(old), 200);
	/* the service forgets every token: the old one is refused */
	CU_ASSERT_EQUAL(call("POST", "/_fake/tokens/expire", NULL, "{}", NULL),
			200);
	CU_ASSERT_EQUAL(bucket_status(old), 401);
	/* a caller that got 401 names the refused token: a new one comes */
	CU_ASSERT_EQUAL(gcs_auth_token(&tok, &a, old, &err), 0);
	CU_ASSERT_STRING_NOT_EQUAL(tok, old);
	CU_ASSERT_EQUAL(bucket_status(tok), 200);
	CU_ASSERT_EQUAL(a.fetches, 2);
	/* a stale name that is not the current token changes nothing */
	gcs_secret_free(old);
	old = tok;
	CU_ASSERT_EQUAL(gcs_auth_token(&tok, &a, "ya29.other", &err), 0);
	CU_ASSERT_STRING_EQUAL(tok, old);
	CU_ASSERT_EQUAL(a.fetches, 2);
	gcs_secret_free(old);
	gcs_secret_free(tok);
	gcs_auth_free(&a);
}

static void test_refresh_before_expiry(void)
{
	struct gcs_auth a;
	wsp_error err = {0};
	char *t1 = NULL, *t2 = NULL, *t3 = NULL;

	reset();
	/* tokens that live 2 s are refreshed after 1 s */
	CU_ASSERT_EQUAL(call("POST", "/_fake/config", NULL,
			     "{\"tokenLifetime\":2}", NULL),
			200);
	CU_ASSERT_FATAL(gcs_auth_init(&a, &host, key_path, false, false,
				      &err) == 0);
	CU_ASSERT_EQUAL_FATAL(gcs_auth_token(&t1, &a, NULL, &err), 0);
	CU_ASSERT_EQUAL(gcs_auth_token(&t2, &a, NULL, &err), 0);
	CU_ASSERT_STRING_EQUAL(t1, t2);
	usleep(1200 * 1000);
	CU_ASSERT_EQUAL(gcs_auth_token(&t3, &a, NULL, &err), 0);
	CU_ASSERT_STRING_NOT_EQUAL(t3, t1);
	/* the new one works; the old one, once past its life, does not */
	CU_ASSERT_EQUAL(bucket_status(t3), 200);
	usleep(900 * 1000);
	CU_ASSERT_EQUAL(bucket_status(t1), 401);
	CU_ASSERT_EQUAL(a.fetches, 2);
	gcs_secret_free(t1);
	gcs_secret_free(t2);
	gcs_secret_free(t3);
	gcs_auth_free(&a);
	reset();
}

struct worker {
	struct gcs_auth *a;
	char *tok;
	int rc;
};

static void *worker(void *p)
{
	struct worker *w = p;
	wsp_error err = {0};

	w->rc = gcs_auth_token(&w->tok, w->a, NULL, &err);
	return NULL;
}

static void test_threads_share_one_exchange(void)
{
	struct gcs_auth a;
	wsp_error err = {0};
	struct worker w[6];
	pthread_t t[6];

	reset();
	CU_ASSERT_FATAL(gcs_auth_init(&a, &host, key_path, false, false,
				      &err) == 0);
	for (int i = 0; i < 6; i++) {
		w[i] = (struct worker){&a, NULL, -1};
		pthread_create(&t[i], NULL, worker, &w[i]);
	}
	for (int i = 0; i < 6; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < 6; i++) {
		CU_ASSERT_EQUAL(w[i].rc, 0);
		CU_ASSERT_PTR_NOT_NULL(w[i].tok);
		if (w[i].tok && w[0].tok)
			CU_ASSERT_STRING_EQUAL(w[i].tok, w[0].tok);
	}
	CU_ASSERT_EQUAL(a.fetches, 1);
	CU_ASSERT_EQUAL(count_requests("POST", "/token"), 1);
	for (int i = 0; i < 6; i++)
		gcs_secret_free(w[i].tok);
	gcs_auth_free(&a);
}

static void test_metadata_server(void)
{
	struct gcs_auth a;
	wsp_error err = {0};
	char hostport[64], home[300], *tok = NULL;

	reset();
	snprintf(home, sizeof(home), "%s/home-empty", tmp);
	mkdir(home, 0700);
	setenv("HOME", home, 1);
	snprintf(hostport, sizeof(hostport), "127.0.0.1:%d", port);
	setenv("GCE_METADATA_HOST", hostport, 1);
	CU_ASSERT_FATAL(gcs_auth_init(&a, &host, NULL, false, false, &err) ==
			0);
	CU_ASSERT_EQUAL(a.kind, GCS_AUTH_METADATA);
	CU_ASSERT_EQUAL_FATAL(gcs_auth_token(&tok, &a, NULL, &err), 0);
	CU_ASSERT_EQUAL(bucket_status(tok), 200);
	/* the fake answers the metadata route only with the flavor header */
	{
		cJSON *j = requests(), *r;
		bool seen = false;

		cJSON_ArrayForEach(r, cJSON_GetObjectItem(j, "requests"))
		{
			const char *p = cJSON_GetStringValue(cJSON_GetObjectItem(r, "path"));
			const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(
				cJSON_GetObjectItem(r, "query"), "scopes"));
			const char *f = cJSON_GetStringValue(cJSON_GetObjectItem(
				cJSON_GetObjectItem(r, "headers"),
				"metadata-flavor"));

			if (p && !strcmp(p, "/computeMetadata/v1/instance/"
					    "service-accounts/default/token") &&
			    s && !strcmp(s, GCS_SCOPE_RW) && f &&
			    !strcmp(f, "Google") &&
			    cJSON_GetObjectItem(r, "status")->valueint == 200)
				seen = true;
		}
		CU_ASSERT_TRUE(seen);
		cJSON_Delete(j);
	}
	gcs_secret_free(tok);
	gcs_auth_free(&a);

	/* no metadata server there: one clear message naming every source */
	setenv("GCE_METADATA_HOST", "127.0.0.1:1", 1);
	CU_ASSERT_FATAL(gcs_auth_init(&a, &host, NULL, false, false, &err) ==
			0);
	CU_ASSERT_EQUAL(gcs_auth_token(&tok, &a, NULL, &err), WSP_EAUTH);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "no Google credentials"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "127.0.0.1:1"));
	gcs_auth_free(&a);
	setenv("GCE_METADATA_HOST", "evil/host?x", 1);
	CU_ASSERT_EQUAL(gcs_auth_init(&a, &host, NULL, false, false, &err),
			WSP_ECONFIG);
	unsetenv("GCE_METADATA_HOST");
}

static void test_adc_order(void)
{
	struct gcs_auth a;
	wsp_error err = {0};
	char home[300], dir[400], user[500], cfg[300], hostport[64];
	char *tok = (char *)"x";
	FILE *f;

	reset();
	snprintf(hostport, sizeof(hostport), "127.0.0.1:%d", port);
	setenv("GCE_METADATA_HOST", hostport, 1);
	snprintf(home, sizeof(home), "%s/home-user", tmp);
	snprintf(dir, sizeof(dir), "%s/.config", home);
	mkdir(home, 0700);
	mkdir(dir, 0700);
	snprintf(dir, sizeof(dir), "%s/.config/gcloud", home);
	mkdir(dir, 0700);
	snprintf(user, sizeof(user), "%s/application_default_credentials.json",
		 dir);
	f = fopen(user, "w");
	fprintf(f,
		"{\"type\":\"authorized_user\",\"client_id\":\"cid-1\","
		"\"client_secret\":\"csecret-7f3a\",\"refresh_token\":"
		"\"1//rtok-9b2c\",\"token_uri\":\"http://127.0.0.1:%d/token\"}",
		port);
	fclose(f);
	setenv("HOME", home, 1);

	/* 1. GOOGLE_APPLICATION_CREDENTIALS wins over the gcloud file */
	setenv("GOOGLE_APPLICATION_CREDENTIALS", key_path, 1);
	CU_ASSERT_FATAL(gcs_auth_init(&a, &host, NULL, false, false, &err) ==
			0);
	CU_ASSERT_EQUAL(a.kind, GCS_AUTH_SERVICE_ACCOUNT);
	CU_ASSERT_PTR_NOT_NULL(strstr(a.source, "GOOGLE_APPLICATION_CREDENTIALS"));
	CU_ASSERT_EQUAL(gcs_auth_token(&tok, &a, NULL, &err), 0);
	CU_ASSERT_EQUAL(bucket_status(tok), 200);
	gcs_secret_free(tok);
	gcs_auth_free(&a);
	/* the option wins over everything */
	setenv("GOOGLE_APPLICATION_CREDENTIALS", "/nonexistent/key.json", 1);
	CU_ASSERT_EQUAL(gcs_auth_init(&a, &host, key_path, false, false, &err),
			0);
	CU_ASSERT_EQUAL(a.kind, GCS_AUTH_SERVICE_ACCOUNT);
	gcs_auth_free(&a);
	/* a set but missing file is an error, not a fall-through */
	CU_ASSERT_EQUAL(gcs_auth_init(&a, &host, NULL, false, false, &err),
			WSP_ENOTFOUND);
	unsetenv("GOOGLE_APPLICATION_CREDENTIALS");

	/* 2. the gcloud user file: the refresh-token grant at its token_uri
	 * (the fake grants only JWTs: its refusal proves what was sent) */
	CU_ASSERT_FATAL(gcs_auth_init(&a, &host, NULL, false, false, &err) ==
			0);
	CU_ASSERT_EQUAL(a.kind, GCS_AUTH_USER);
	call("DELETE", "/_fake/requests", NULL, NULL, NULL);
	tok = (char *)"x";
	CU_ASSERT_EQUAL(gcs_auth_token(&tok, &a, NULL, &err), WSP_EAUTH);
	CU_ASSERT_PTR_NULL(tok);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "unsupported_grant_type"));
	CU_ASSERT_PTR_NULL(strstr(err.message, "csecret-7f3a"));
	CU_ASSERT_PTR_NULL(strstr(err.message, "rtok-9b2c"));
	{
		cJSON *j = requests(), *r;
		bool seen = false;

		cJSON_ArrayForEach(r, cJSON_GetObjectItem(j, "requests"))
		{
			const char *b = cJSON_GetStringValue(cJSON_GetObjectItem(r, "body"));

			if (b && !strcmp(b, "grant_type=refresh_token&"
					    "client_id=cid-1&client_secret="
					    "csecret-7f3a&refresh_token=1%2F%2F"
					    "rtok-9b2c"))
				seen = true;
		}
		CU_ASSERT_TRUE(seen);
		cJSON_Delete(j);
	}
	gcs_auth_free(&a);

	/* CLOUDSDK_CONFIG moves the gcloud directory: none there, so the
	 * metadata server is next */
	snprintf(cfg, sizeof(cfg), "%s/cloudsdk", tmp);
	mkdir(cfg, 0700);
	setenv("CLOUDSDK_CONFIG", cfg, 1);
	CU_ASSERT_FATAL(gcs_auth_init(&a, &host, NULL, false, false, &err) ==
			0);
	CU_ASSERT_EQUAL(a.kind, GCS_AUTH_METADATA);
	gcs_auth_free(&a);
	unsetenv("CLOUDSDK_CONFIG");
	unsetenv("GCE_METADATA_HOST");

	/* anonymous: no token, nothing fetched, whatever the environment */
	CU_ASSERT_FATAL(gcs_auth_init(&a, &host, key_path, true, false, &err) ==
			0);
	tok = (char *)"x";
	CU_ASSERT_EQUAL(gcs_auth_token(&tok, &a, NULL, &err), 0);
	CU_ASSERT_PTR_NULL(tok);
	gcs_auth_free(&a);
}

static void test_nothing_secret_logged(void)
{
	/* every token the fake issued in this run, against the captured log
	 * (the core's HTTP debug log goes through host->log) */
	pthread_mutex_lock(&log_lock);
	/* the log did record the exchanges and the storage calls */
	CU_ASSERT_PTR_NOT_NULL(strstr(log_buf, "/token"));
	CU_ASSERT_PTR_NOT_NULL(strstr(log_buf, "/storage/v1/b/" BUCKET));
	CU_ASSERT_PTR_NULL(strstr(log_buf, "ya29."));
	CU_ASSERT_PTR_NULL(strstr(log_buf, "csecret-7f3a"));
	CU_ASSERT_PTR_NULL(strstr(log_buf, "rtok-9b2c"));
	CU_ASSERT_PTR_NULL(strstr(log_buf, "PRIVATE KEY"));
	pthread_mutex_unlock(&log_lock);
}

int main(void)
{
	CU_pSuite s;
	int failed;

	if (access(WSP_TEST_NODE, X_OK) && strchr(WSP_TEST_NODE, '/')) {
		fprintf(stderr, "node is needed for the GCS fake\n");
		return 1;
	}
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("gcs_auth", suite_init, suite_clean);
	CU_add_test(s, "JWT claims and signature", test_jwt_claims);
	CU_add_test(s, "exchange at the key's token_uri", test_exchange);
	CU_add_test(s, "refused key, bad files", test_refused);
	CU_add_test(s, "expired token refreshed", test_expired_refresh);
	CU_add_test(s, "refreshed before expiry", test_refresh_before_expiry);
	CU_add_test(s, "threads share one exchange",
		    test_threads_share_one_exchange);
	CU_add_test(s, "metadata server", test_metadata_server);
	CU_add_test(s, "ADC order and anonymous", test_adc_order);
	CU_add_test(s, "nothing secret logged", test_nothing_secret_logged);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = (int)(CU_get_number_of_failures() +
		       CU_get_number_of_suites_failed());
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
