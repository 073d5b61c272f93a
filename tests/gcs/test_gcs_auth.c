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
#include "cu_main.h"
#include "gcs_env.h"

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


static int suite_init(void)
{
	wsp_error err = {0};

	unsetenv("GOOGLE_APPLICATION_CREDENTIALS");
	unsetenv("CLOUDSDK_CONFIG");
	unsetenv("GCE_METADATA_HOST");
	unsetenv("GCE_METADATA_IP");
	if (start_fake(NULL))
		return -1;
	/* the gcloud user file's secrets: no log line may show them */
	return wsp_fakehost_add_secret(fh, "csecret-7f3a", &err) ||
	       wsp_fakehost_add_secret(fh, "rtok-9b2c", &err);
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

	CU_ASSERT_FATAL(gcs_auth_init(&a, host, key_path, false, false,
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
	CU_ASSERT_FATAL(gcs_auth_init(&a, host, key_path, false, true,
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
	CU_ASSERT_FATAL(gcs_auth_init(&a, host, key_path, false, false,
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
	CU_ASSERT_FATAL(gcs_auth_init(&a, host, key_json, false, false,
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
	CU_ASSERT_FATAL(gcs_auth_init(&a, host, other_key_path, false, false,
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
		CU_ASSERT_EQUAL(gcs_auth_init(&a, host, bad, false, false,
					      &err),
				WSP_ECONFIG);
		CU_ASSERT_PTR_NULL(strstr(err.message, "MIIE"));
		snprintf(bad, sizeof(bad), "%s/none.json", tmp);
		CU_ASSERT_EQUAL(gcs_auth_init(&a, host, bad, false, false,
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
	CU_ASSERT_FATAL(gcs_auth_init(&a, host, key_path, false, false,
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
	CU_ASSERT_FATAL(gcs_auth_init(&a, host, key_path, false, false,
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
	CU_ASSERT_FATAL(gcs_auth_init(&a, host, key_path, false, false,
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
	CU_ASSERT_FATAL(gcs_auth_init(&a, host, NULL, false, false, &err) ==
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
	CU_ASSERT_FATAL(gcs_auth_init(&a, host, NULL, false, false, &err) ==
			0);
	CU_ASSERT_EQUAL(gcs_auth_token(&tok, &a, NULL, &err), WSP_EAUTH);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "no Google credentials"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "127.0.0.1:1"));
	gcs_auth_free(&a);
	setenv("GCE_METADATA_HOST", "evil/host?x", 1);
	CU_ASSERT_EQUAL(gcs_auth_init(&a, host, NULL, false, false, &err),
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
	CU_ASSERT_FATAL(gcs_auth_init(&a, host, NULL, false, false, &err) ==
			0);
	CU_ASSERT_EQUAL(a.kind, GCS_AUTH_SERVICE_ACCOUNT);
	CU_ASSERT_PTR_NOT_NULL(strstr(a.source, "GOOGLE_APPLICATION_CREDENTIALS"));
	CU_ASSERT_EQUAL(gcs_auth_token(&tok, &a, NULL, &err), 0);
	CU_ASSERT_EQUAL(bucket_status(tok), 200);
	gcs_secret_free(tok);
	gcs_auth_free(&a);
	/* the option wins over everything */
	setenv("GOOGLE_APPLICATION_CREDENTIALS", "/nonexistent/key.json", 1);
	CU_ASSERT_EQUAL(gcs_auth_init(&a, host, key_path, false, false, &err),
			0);
	CU_ASSERT_EQUAL(a.kind, GCS_AUTH_SERVICE_ACCOUNT);
	gcs_auth_free(&a);
	/* a set but missing file is an error, not a fall-through */
	CU_ASSERT_EQUAL(gcs_auth_init(&a, host, NULL, false, false, &err),
			WSP_ENOTFOUND);
	unsetenv("GOOGLE_APPLICATION_CREDENTIALS");

	/* 2. the gcloud user file: the refresh-token grant at its token_uri
	 * (the fake grants only JWTs: its refusal proves what was sent) */
	CU_ASSERT_FATAL(gcs_auth_init(&a, host, NULL, false, false, &err) ==
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
	CU_ASSERT_FATAL(gcs_auth_init(&a, host, NULL, false, false, &err) ==
			0);
	CU_ASSERT_EQUAL(a.kind, GCS_AUTH_METADATA);
	gcs_auth_free(&a);
	unsetenv("CLOUDSDK_CONFIG");
	unsetenv("GCE_METADATA_HOST");

	/* anonymous: no token, nothing fetched, whatever the environment */
	CU_ASSERT_FATAL(gcs_auth_init(&a, host, key_path, true, false, &err) ==
			0);
	tok = (char *)"x";
	CU_ASSERT_EQUAL(gcs_auth_token(&tok, &a, NULL, &err), 0);
	CU_ASSERT_PTR_NULL(tok);
	gcs_auth_free(&a);
}

static void test_nothing_secret_logged(void)
{
	/* the log did record the exchanges and the storage calls (the core's
	 * HTTP debug log goes through host->log) ... */
	CU_ASSERT(wsp_fakehost_log_find(fh, WSP_LOG_DEBUG, "/token") > 0);
	CU_ASSERT(wsp_fakehost_log_find(fh, WSP_LOG_DEBUG,
					"/storage/v1/b/" BUCKET) > 0);
	/* ... and no token the fake issued in this run, nor a private key
	 * (the fake host would have aborted on the secrets it knows) */
	CU_ASSERT_EQUAL(wsp_fakehost_log_find(fh, WSP_LOG_DEBUG, "ya29."), 0);
	CU_ASSERT_EQUAL(wsp_fakehost_log_find(fh, WSP_LOG_DEBUG,
					      "PRIVATE KEY"), 0);
	CU_ASSERT_EQUAL(wsp_fakehost_leaks(fh), 0);
}

static CU_TestInfo tests[] = {
	{"JWT claims and signature", test_jwt_claims},
	{"exchange at the key's token_uri", test_exchange},
	{"refused key, bad files", test_refused},
	{"expired token refreshed", test_expired_refresh},
	{"refreshed before expiry", test_refresh_before_expiry},
	{"threads share one exchange", test_threads_share_one_exchange},
	{"metadata server", test_metadata_server},
	{"ADC order and anonymous", test_adc_order},
	{"nothing secret logged", test_nothing_secret_logged},
	CU_TEST_INFO_NULL,
};

CU_MAIN_SUITE("gcs_auth", suite_init, suite_clean, tests)
