/*
 * tests/gcs/gcs_env.c - see gcs_env.h.
 */
#include "gcs_env.h"
#include "node_fake.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* --- the SDK's fake host, for wsp-fs-gcs.so's descriptor --- */

wsp_fakehost *fh;
const wsp_host *host;

int gcs_host_open(void)
{
	wsp_error err = {0};

	if (fh)
		return 0;
	if (wsp_fakehost_load(&fh, WSP_FS_GCS_SO, &err)) {
		fprintf(stderr, "%s\n", err.message);
		return -1;
	}
	host = wsp_fakehost_host(fh);
	return 0;
}

void gcs_host_close(void)
{
	wsp_fakehost_free(fh);
	fh = NULL;
	host = NULL;
}

/* The first line of the PEM's body: what a leaked key would show. */
static int add_key_secret(const char *pem)
{
	const char *b = strchr(pem, '\n'), *e;
	char line[128];
	wsp_error err = {0};

	if (!b || !(e = strchr(b + 1, '\n')) || e - b - 1 >= (long)sizeof(line))
		return -1;
	memcpy(line, b + 1, (size_t)(e - b - 1));
	line[e - b - 1] = '\0';
	return wsp_fakehost_add_secret(fh, line, &err);
}

/* --- the fake --- */

static struct node_fake fake;
int port;
char tmp[256], key_path[300], other_key_path[300];
char key_json[8192];

/* A service-account key file for a fresh RSA key; the PEM kept in pem. */
int write_key(const char *path, const char *email, const char *kid,
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
		if (fh && add_key_secret(p)) {
			free(p);
			goto out;
		}
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

int start_fake(const char *const *extra)
{
	const char *argv[32] = {WSP_TEST_GCS_DIR "/fake-gcs.mjs",
				"--bucket", BUCKET, "--auth", "bearer",
				"--service-account", key_path, "--project",
				"demo-project", "--dir", tmp};
	int ac = 11;

	if (gcs_host_open() || node_fake_tmpdir(&fake, "wsp-gcs-auth"))
		return -1;
	snprintf(tmp, sizeof(tmp), "%s", fake.dir);
	/* the key names the fake's token URI; the port is known only later,
	 * so the fake gets the key first and the URI is fixed up after */
	snprintf(key_path, sizeof(key_path), "%s/key.json", tmp);
	snprintf(other_key_path, sizeof(other_key_path), "%s/other.json", tmp);
	if (write_key(key_path, EMAIL, "kid-1", "http://127.0.0.1:1/token",
		      NULL, 0))
		return -1;
	for (int i = 0; extra && extra[i] && ac < 31; i++)
		argv[ac++] = extra[i];
	argv[ac] = NULL;
	if (node_fake_start(&fake, "wsp-gcs-auth", argv))
		return -1;
	port = fake.port;
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

void stop_fake(void)
{
	node_fake_stop(&fake);
	gcs_host_close();
	tmp[0] = '\0';
}

/* One call to the fake; the status, the body (malloc'ed) in *body. */
int call(const char *method, const char *path, const char *bearer,
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
	if (host->http_request(&resp, host, &r, &err))
		return -1;
	status = resp.status;
	if (body)
		*body = resp.body ? strdup(resp.body) : NULL;
	host->http_response_release(host, &resp);
	return status;
}

int bucket_status(const char *token)
{
	return call("GET", "/storage/v1/b/" BUCKET, token, NULL, NULL);
}

cJSON *requests(void)
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
int count_requests(const char *method, const char *path)
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


int gcs_key_secret(char *out, size_t cap)
{
	const char *mark = "PRIVATE KEY-----\\n";
	const char *p = strstr(key_json, mark);

	if (!p || cap < 41)
		return -1;
	snprintf(out, cap, "%.40s", p + strlen(mark));
	return strlen(out) == 40 ? 0 : -1;
}

char *gcs_test_bytes(size_t n, unsigned seed)
{
	char *b = malloc(n ? n : 1);

	for (size_t i = 0; b && i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		b[i] = (char)(seed >> 16);
	}
	return b;
}

int gcs_test_give(void *buf, size_t cap, size_t *out_n, void *payload)
{
	struct gcs_test_src *s = payload;
	size_t k = s->n - s->at;

	if (k > cap)
		k = cap;
	if (s->piece && k > s->piece)
		k = s->piece;
	memcpy(buf, s->p + s->at, k);
	s->at += k;
	*out_n = k;
	return 0;
}
