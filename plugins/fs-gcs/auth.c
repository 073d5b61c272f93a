/*
 * plugins/fs-gcs/auth.c - access tokens for the JSON API.
 *
 * Four sources, in Google's order when no credentials are configured
 * (Application Default Credentials): a service-account key (an RS256 JWT
 * signed here with OpenSSL and exchanged at the key's own token_uri, which
 * the Node client ignores and wsp honours so a test or a private endpoint
 * can stand in), the gcloud user file (refresh-token grant), and the GCE
 * metadata server. Anonymous access sends no Authorization at all.
 *
 * A token is kept until it is due (well before it expires) or until a
 * caller reports that the service refused it; the exchange happens under
 * the instance's lock, so threads that need a token at once wait for one
 * exchange. Tokens, assertions and refresh tokens go into the request's
 * secrets list, so the core's log and messages mask them; nothing here
 * logs one.
 */
#include "gcs.h"

#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A credentials file, bounded and regular; *out NUL-terminated. */
static int read_small(char **out, size_t *out_len, const char *path,
		      const char *what, wsp_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	char *buf;
	ssize_t n;

	if (fd < 0)
		return wsp_error_set_os(err,
					errno == ENOENT ? WSP_ENOTFOUND
							: WSP_ECONFIG,
					errno, "cannot open %s: %s", what,
					strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) ||
	    st.st_size > (off_t)GCS_KEYFILE_MAX) {
		close(fd);
		return wsp_error_set(err, WSP_ECONFIG,
				     "%s is not a regular file of at most "
				     "%u bytes",
				     what, GCS_KEYFILE_MAX);
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	n = read(fd, buf, (size_t)st.st_size);
	close(fd);
	if (n != st.st_size) {
		gcs_secret_free(buf);
		return wsp_error_set(err, WSP_EIO, "cannot read %s", what);
	}
	buf[n] = '\0';
	*out = buf;
	*out_len = (size_t)n;
	return 0;
}

static int load_key(struct gcs_auth *a, const char *json, size_t len,
		    wsp_error *err)
{
	BIO *bio;
	EVP_PKEY *pk;
	int rc = gcs_parse_key(&a->key, json, len, a->source, err);

	if (rc)
		return rc;
	a->key_json = strndup(json, len);
	if (!a->key_json)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	if (a->key.type == GCS_KEY_USER) {
		a->kind = GCS_AUTH_USER;
		return 0;
	}
	a->kind = GCS_AUTH_SERVICE_ACCOUNT;
	bio = BIO_new_mem_buf(a->key.private_key, -1);
	pk = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	if (!pk || EVP_PKEY_get_base_id(pk) != EVP_PKEY_RSA) {
		EVP_PKEY_free(pk);
		return wsp_error_set(err, WSP_ECONFIG,
				     "%s: 'private_key' is not an RSA key in "
				     "PEM form",
				     a->source);
	}
	a->pkey = pk;
	return 0;
}

static int from_file(struct gcs_auth *a, const char *path, const char *how,
		     wsp_error *err)
{
	char p[256], *json = NULL;
	size_t len = 0;
	int rc;

	gcs_printable(p, sizeof(p), path, strlen(path));
	if (asprintf(&a->source, "%s '%s'", how, p) < 0) {
		a->source = NULL;
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	rc = read_small(&json, &len, path, a->source, err);
	if (!rc)
		rc = load_key(a, json, len, err);
	gcs_secret_free(json);
	return rc;
}

int gcs_auth_init(struct gcs_auth *a, const wsp_host *host,
		  const char *credentials, bool anonymous, bool read_only,
		  wsp_error *err)
{
	const char *env, *home, *s;
	char well_known[4096];
	int rc = 0;

	memset(a, 0, sizeof(*a));
	a->host = host;
	a->scope = read_only ? GCS_SCOPE_RO : GCS_SCOPE_RW;
	pthread_mutex_init(&a->lock, NULL);
	if (anonymous) {
		a->kind = GCS_AUTH_ANONYMOUS;
		a->source = strdup("anonymous access");
		goto out;
	}
	if (credentials && *credentials) {
		for (s = credentials; *s == ' ' || *s == '\t' || *s == '\n' ||
				      *s == '\r';
		     s++)
			;
		if (*s == '{') {
			a->source = strdup("the 'credentials' option");
			if (!a->source)
				goto nomem;
			rc = load_key(a, credentials, strlen(credentials), err);
		} else {
			rc = from_file(a, credentials, "key file", err);
		}
		goto out;
	}
	env = getenv("GOOGLE_APPLICATION_CREDENTIALS");
	if (env && *env) {
		rc = from_file(a, env, "GOOGLE_APPLICATION_CREDENTIALS file",
			       err);
		goto out;
	}
	env = getenv("CLOUDSDK_CONFIG");
	home = getenv("HOME");
	well_known[0] = '\0';
	if (env && *env)
		snprintf(well_known, sizeof(well_known),
			 "%s/application_default_credentials.json", env);
	else if (home && *home)
		snprintf(well_known, sizeof(well_known),
			 "%s/.config/gcloud/"
			 "application_default_credentials.json",
			 home);
	if (well_known[0] && !access(well_known, F_OK)) {
		rc = from_file(a, well_known, "gcloud credentials file", err);
		goto out;
	}
	env = getenv("GCE_METADATA_HOST");
	if (!env || !*env)
		env = getenv("GCE_METADATA_IP");
	if (!env || !*env)
		env = GCS_METADATA_DEFAULT;
	if (!strncmp(env, "http://", 7))
		env += 7;
	for (s = env; *s; s++)
		if (!(isalnum((unsigned char)*s) || strchr(".-:[]", *s))) {
			char p[128];

			gcs_printable(p, sizeof(p), env, strlen(env));
			rc = wsp_error_set(err, WSP_ECONFIG,
					   "GCE_METADATA_HOST '%s' is not a "
					   "host[:port]",
					   p);
			goto out;
		}
	a->kind = GCS_AUTH_METADATA;
	a->metadata_host = strdup(env);
	if (!a->metadata_host ||
	    asprintf(&a->source, "the metadata server at %s", env) < 0) {
		a->source = NULL;
		goto nomem;
	}
out:
	if (!rc && !a->source)
		goto nomem;
	if (rc)
		gcs_auth_free(a);
	return rc;
nomem:
	gcs_auth_free(a);
	return wsp_error_set(err, WSP_ENOMEM, "out of memory");
}

void gcs_auth_free(struct gcs_auth *a)
{
	if (!a->host)
		return;
	gcs_key_free(&a->key);
	gcs_secret_free(a->key_json);
	EVP_PKEY_free(a->pkey);
	gcs_secret_free(a->token);
	free(a->source);
	free(a->metadata_host);
	pthread_mutex_destroy(&a->lock);
	memset(a, 0, sizeof(*a));
}

int gcs_auth_jwt(char **out, struct gcs_auth *a, int64_t now_s,
		 wsp_error *err)
{
	cJSON *hdr = cJSON_CreateObject(), *cl = cJSON_CreateObject();
	char *hj = NULL, *cj = NULL, *h64 = NULL, *c64 = NULL, *s64 = NULL;
	char *input = NULL;
	unsigned char *sig = NULL;
	size_t sig_len = 0;
	EVP_MD_CTX *md = NULL;
	int rc = WSP_ENOMEM;

	*out = NULL;
	if (a->kind != GCS_AUTH_SERVICE_ACCOUNT || !a->pkey) {
		cJSON_Delete(hdr);
		cJSON_Delete(cl);
		return wsp_error_set(err, WSP_EINVAL,
				     "no service-account key to sign with");
	}
	if (!hdr || !cl || !cJSON_AddStringToObject(hdr, "alg", "RS256") ||
	    !cJSON_AddStringToObject(hdr, "typ", "JWT") ||
	    (a->key.private_key_id &&
	     !cJSON_AddStringToObject(hdr, "kid", a->key.private_key_id)) ||
	    !cJSON_AddStringToObject(cl, "iss", a->key.client_email) ||
	    !cJSON_AddStringToObject(cl, "scope", a->scope) ||
	    !cJSON_AddStringToObject(cl, "aud", a->key.token_uri) ||
	    !cJSON_AddNumberToObject(cl, "iat", (double)now_s) ||
	    /* Google's limit: an hour at most */
	    !cJSON_AddNumberToObject(cl, "exp", (double)(now_s + 3600)))
		goto out;
	hj = cJSON_PrintUnformatted(hdr);
	cj = cJSON_PrintUnformatted(cl);
	if (!hj || !cj || !(h64 = gcs_b64url(hj, strlen(hj))) ||
	    !(c64 = gcs_b64url(cj, strlen(cj))) ||
	    asprintf(&input, "%s.%s", h64, c64) < 0) {
		input = NULL;
		goto out;
	}
	md = EVP_MD_CTX_new();
	if (!md ||
	    EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, a->pkey) != 1 ||
	    EVP_DigestSign(md, NULL, &sig_len, (unsigned char *)input,
			   strlen(input)) != 1 ||
	    !(sig = malloc(sig_len)) ||
	    EVP_DigestSign(md, sig, &sig_len, (unsigned char *)input,
			   strlen(input)) != 1) {
		rc = wsp_error_set(err, WSP_ERROR,
				   "cannot sign the token request with %s",
				   a->source);
		goto out;
	}
	if (!(s64 = gcs_b64url(sig, sig_len)) ||
	    asprintf(out, "%s.%s", input, s64) < 0) {
		*out = NULL;
		goto out;
	}
	rc = 0;
out:
	if (rc == WSP_ENOMEM)
		wsp_error_set(err, WSP_ENOMEM, "out of memory");
	EVP_MD_CTX_free(md);
	cJSON_Delete(hdr);
	cJSON_Delete(cl);
	cJSON_free(hj);
	cJSON_free(cj);
	free(h64);
	free(c64);
	free(s64);
	free(sig);
	free(input);
	return rc;
}

/* application/x-www-form-urlencoded of one value, appended to *buf. */
static int form_add(char **buf, size_t *len, const char *name,
		    const char *value)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t need = strlen(name) + 3 * strlen(value) + 3;
	char *b = realloc(*buf, *len + need), *o;

	if (!b)
		return -1;
	*buf = b;
	o = b + *len;
	if (*len)
		*o++ = '&';
	o += sprintf(o, "%s=", name);
	for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
		if (isalnum(*p) || *p == '-' || *p == '_' || *p == '.' ||
		    *p == '~') {
			*o++ = (char)*p;
		} else {
			*o++ = '%';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 15];
		}
	}
	*o = '\0';
	*len = (size_t)(o - b);
	return 0;
}

struct flavor {
	bool google;
};

static int on_flavor(const char *name, const char *value, void *payload)
{
	struct flavor *f = payload;

	if (!strcasecmp(name, "Metadata-Flavor") && !strcmp(value, "Google"))
		f->google = true;
	return 0;
}

/* One exchange: the token answer into t. */
static int fetch(struct gcs_token *t, struct gcs_auth *a, wsp_error *err)
{
	wsp_http_response resp = {.struct_size = sizeof(resp)};
	wsp_http_request req = {.struct_size = sizeof(req)};
	wsp_http_header h[2];
	const char *secrets[4] = {NULL};
	char *form = NULL, *jwt = NULL, *url = NULL;
	size_t form_len = 0;
	struct flavor fl = {false};
	int rc;

	if (!a->host->http_request)
		return wsp_error_set(err, WSP_ENOTSUP,
				     "this wsp core has no HTTP service");
	req.flags = WSP_HTTP_NO_ERROR_MAP | WSP_HTTP_IDEMPOTENT;
	req.secrets = secrets;
	if (a->kind == GCS_AUTH_METADATA) {
		if (asprintf(&url,
			     "http://%s/computeMetadata/v1/instance/"
			     "service-accounts/default/token?scopes=%s",
			     a->metadata_host, a->scope) < 0)
			return wsp_error_set(err, WSP_ENOMEM, "out of memory");
		h[0] = (wsp_http_header){"Metadata-Flavor", "Google"};
		req.method = "GET";
		req.url = url;
		req.headers = h;
		req.n_headers = 1;
		req.on_header = on_flavor;
		req.header_payload = &fl;
		/* an absent metadata server should not take long to say so */
		req.connect_timeout_ms = 3000;
	} else {
		if (a->kind == GCS_AUTH_SERVICE_ACCOUNT) {
			rc = gcs_auth_jwt(&jwt, a, (int64_t)time(NULL), err);
			if (rc)
				return rc;
			secrets[0] = jwt;
			rc = form_add(&form, &form_len, "grant_type",
				      "urn:ietf:params:oauth:grant-type:"
				      "jwt-bearer") ||
			     form_add(&form, &form_len, "assertion", jwt);
		} else {
			secrets[0] = a->key.refresh_token;
			secrets[1] = a->key.client_secret;
			rc = form_add(&form, &form_len, "grant_type",
				      "refresh_token") ||
			     form_add(&form, &form_len, "client_id",
				      a->key.client_id) ||
			     form_add(&form, &form_len, "client_secret",
				      a->key.client_secret) ||
			     form_add(&form, &form_len, "refresh_token",
				      a->key.refresh_token);
		}
		if (rc) {
			gcs_secret_free(jwt);
			gcs_secret_free(form);
			return wsp_error_set(err, WSP_ENOMEM, "out of memory");
		}
		h[0] = (wsp_http_header){"Content-Type",
					 "application/x-www-form-urlencoded"};
		req.method = "POST";
		req.url = a->key.token_uri;
		req.headers = h;
		req.n_headers = 1;
		req.body = form;
		req.body_len = form_len;
	}
	rc = a->host->http_request(&resp, a->host, &req, err);
	if (rc) {
		if (a->kind == GCS_AUTH_METADATA) {
			char why[WSP_ERROR_MSG_MAX];

			snprintf(why, sizeof(why), "%s", err ? err->message : "");
			wsp_error_set(err, WSP_EAUTH,
				      "no Google credentials: no 'credentials' "
				      "option, no GOOGLE_APPLICATION_"
				      "CREDENTIALS, no gcloud credentials "
				      "file, and %s did not answer (%s)",
				      a->source, why);
			rc = WSP_EAUTH;
		}
		goto out;
	}
	if (resp.status == 200 && a->kind == GCS_AUTH_METADATA && !fl.google) {
		rc = wsp_error_set(err, WSP_EPROTO,
				   "%s answered without 'Metadata-Flavor: "
				   "Google'",
				   a->source);
	} else if (resp.status == 200) {
		rc = gcs_parse_token(t, resp.body, resp.body_len, err);
	} else {
		char reason[64], msg[256];

		gcs_parse_error(reason, sizeof(reason), msg, sizeof(msg),
				resp.body, resp.body_len);
		rc = wsp_error_set(err,
				   resp.status >= 500 ? WSP_EUNAVAIL
						      : WSP_EAUTH,
				   "cannot get an access token from %s: HTTP "
				   "%d%s%s%s%s",
				   a->source, resp.status, reason[0] ? " " : "",
				   reason, msg[0] ? ": " : "", msg);
		if (err)
			err->http_status = resp.status;
	}
	if (rc && rc != WSP_EUNAVAIL && rc != WSP_EAUTH && rc != WSP_ENOMEM) {
		char why[WSP_ERROR_MSG_MAX];

		snprintf(why, sizeof(why), "%s", err ? err->message : "");
		rc = wsp_error_set(err, rc, "%s: %s", a->source, why);
	}
	a->host->http_response_release(a->host, &resp);
out:
	gcs_secret_free(jwt);
	gcs_secret_free(form);
	free(url);
	return rc;
}

int gcs_auth_token(char **out, struct gcs_auth *a, const char *stale,
		   wsp_error *err)
{
	int64_t now;
	int rc = 0;

	*out = NULL;
	if (a->kind == GCS_AUTH_ANONYMOUS)
		return 0;
	pthread_mutex_lock(&a->lock);
	now = mono_ms();
	if (!a->token || now >= a->refresh_at_ms ||
	    (stale && !strcmp(stale, a->token))) {
		struct gcs_token t;

		rc = fetch(&t, a, err);
		if (!rc) {
			int64_t life = t.expires_in * 1000;
			/* five minutes early, or halfway for short ones */
			int64_t early = life / 2 < 300000 ? life / 2 : 300000;

			gcs_secret_free(a->token);
			a->token = t.access_token;
			a->expires_at_ms = now + life;
			a->refresh_at_ms = now + life - early;
			a->fetches++;
		}
	}
	if (!rc && !(*out = strdup(a->token)))
		rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
	pthread_mutex_unlock(&a->lock);
	return rc;
}
