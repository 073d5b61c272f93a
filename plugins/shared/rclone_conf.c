/*
 * plugins/shared/rclone_conf.c - see rclone_conf.h.
 */
#include "rclone_conf.h"

#include <cjson/cJSON.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rclone_conf_wipe(struct rclone_conf *c)
{
	if (c)
		explicit_bzero(c->text, sizeof(c->text));
}

static void conf_add(struct rclone_conf *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void conf_add(struct rclone_conf *c, const char *fmt, ...)
{
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = vsnprintf(c->text + c->n, sizeof(c->text) - c->n, fmt, ap);
	va_end(ap);
	if (k < 0 || (size_t)k >= sizeof(c->text) - c->n)
		c->full = 1;
	else
		c->n += (size_t)k;
}

/* "key = value" when value is a string on one line; -EINVAL if not. */
static int conf_string(struct rclone_conf *c, const char *key, const cJSON *j,
		       const char *name)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItem(j, name));

	if (!v || !v[0] || strpbrk(v, "\r\n"))
		return -EINVAL;
	conf_add(c, "%s = %s\n", key, v);
	return 0;
}

/* cJSON's one-line text of j as "key = ...", wiped after. */
static int conf_json(struct rclone_conf *c, const char *key, const cJSON *j)
{
	char *s = cJSON_PrintUnformatted(j);

	if (!s)
		return -ENOMEM;
	conf_add(c, "%s = %s\n", key, s);
	explicit_bzero(s, strlen(s));
	free(s);
	return 0;
}

/*
 * A key file (credentials_json): a service account's as rclone's
 * service_account_credentials (rclone signs its own JWTs at the key's
 * token_uri); a gcloud user file's client and refresh token as an
 * expired token, which rclone refreshes as gcloud does.
 */
static int conf_key(struct rclone_conf *c, const char *json)
{
	cJSON *j = cJSON_Parse(json), *tok = NULL;
	const char *type = cJSON_GetStringValue(cJSON_GetObjectItem(j, "type"));
	const char *refresh;
	int rc = -EINVAL;

	if (type && !strcmp(type, "service_account")) {
		rc = conf_json(c, "service_account_credentials", j);
	} else if (type && !strcmp(type, "authorized_user")) {
		refresh = cJSON_GetStringValue(
			cJSON_GetObjectItem(j, "refresh_token"));
		tok = cJSON_CreateObject();
		if (refresh && tok &&
		    cJSON_AddStringToObject(tok, "access_token", "") &&
		    cJSON_AddStringToObject(tok, "token_type", "Bearer") &&
		    cJSON_AddStringToObject(tok, "refresh_token", refresh) &&
		    cJSON_AddStringToObject(tok, "expiry",
					    "2000-01-01T00:00:00Z") &&
		    !conf_string(c, "client_id", j, "client_id") &&
		    !conf_string(c, "client_secret", j, "client_secret"))
			rc = conf_json(c, "token", tok);
	}
	/* cJSON_Delete frees, never wipes: the key's copies are short-lived
	 * heap of this process, which holds the key anyway */
	cJSON_Delete(tok);
	cJSON_Delete(j);
	return rc;
}

/* The metadata server's token, as rclone's token (no refresh: expires). */
static int conf_token(struct rclone_conf *c, const char *token,
		      const char *expiry)
{
	cJSON *tok = cJSON_CreateObject();
	int rc = -ENOMEM;

	if (tok && cJSON_AddStringToObject(tok, "access_token", token) &&
	    cJSON_AddStringToObject(tok, "token_type", "Bearer") &&
	    cJSON_AddStringToObject(tok, "expiry", expiry ? expiry : ""))
		rc = conf_json(c, "token", tok);
	cJSON_Delete(tok);
	return rc;
}

int rclone_conf_gcs(struct rclone_conf *c, const wsp_mount_source *src)
{
	const char *key = wsp_mount_source_credential(src, "credentials_json");
	const char *tok = wsp_mount_source_credential(src, "access_token");
	int rc = 0;

	conf_add(c, "[" RCLONE_REMOTE "]\ntype = google cloud storage\n"
		    /* objects, not ACLs; the bucket is there or it is not */
		    "bucket_policy_only = true\nno_check_bucket = true\n");
	if (src->endpoint[0]) /* rclone's is the JSON API's base */
		conf_add(c, "endpoint = %s/storage/v1/\n", src->endpoint);
	if (src->flags & WSP_MOUNT_ANONYMOUS)
		conf_add(c, "anonymous = true\n");
	else if (key)
		rc = conf_key(c, key);
	else if (tok)
		rc = conf_token(c, tok,
				wsp_mount_source_credential(src, "expires_at"));
	else
		rc = -EINVAL;
	return rc ? rc : c->full ? -ENAMETOOLONG : 0;
}

void rclone_conf_remote(char *out, size_t cap, const wsp_mount_source *src)
{
	size_t plen = strlen(src->prefix);

	snprintf(out, cap, RCLONE_REMOTE ":%s/%.*s", src->bucket,
		 (int)(plen && src->prefix[plen - 1] == '/' ? plen - 1 : plen),
		 src->prefix);
}
