/*
 * plugins/sandbox-local/rclone.c - Debian's rclone for GCS stores
 * (rclone.h): its config and command line. The source's fields become
 * one remote ("wsp", backend "google cloud storage") in a 0600 config
 * file of the slot's private directory, removed once rclone has mounted
 * (docs/fs-gcs.md has the mapping); the credentials go nowhere else (not
 * its command line, its environment or a log line). `rclone mount
 * --daemon` returns once the mount is there (fusemount.c runs it).
 */
#include "rclone.h"
#include "fusemount.h"

#include <cjson/cJSON.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RCLONE "/usr/bin/rclone"
#define REMOTE "wsp"

/* The config's text, built in place and wiped (it holds the secrets). */
struct conf {
	char text[3 * WSP_MOUNT_CRED_VALUE_MAX + 2048];
	size_t n;
	int full;
};

static void conf_add(struct conf *c, const char *fmt, ...)
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
static int conf_string(struct conf *c, const char *key, const cJSON *j,
		       const char *name)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItem(j, name));

	if (!v || !v[0] || strpbrk(v, "\r\n"))
		return -EINVAL;
	conf_add(c, "%s = %s\n", key, v);
	return 0;
}

/* cJSON's one-line text of j as "key = ...", wiped after. */
static int conf_json(struct conf *c, const char *key, const cJSON *j)
{
	char *s = cJSON_PrintUnformatted(j);

	if (!s)
		return -ENOMEM;
	conf_add(c, "%s = %s\n", key, s);
	local_fuse_wipe_free(s);
	return 0;
}

/*
 * A key file (credentials_json): a service account's as rclone's
 * service_account_credentials (rclone signs its own JWTs at the key's
 * token_uri); a gcloud user file's client and refresh token as an
 * expired token, which rclone refreshes as gcloud does.
 */
static int conf_key(struct conf *c, const char *json)
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
static int conf_token(struct conf *c, const char *token, const char *expiry)
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

/* The remote for src: 0, -EINVAL (credentials rclone cannot use), -errno. */
static int conf_build(struct conf *c, const wsp_mount_source *src)
{
	const char *key = wsp_mount_source_credential(src, "credentials_json");
	const char *tok = wsp_mount_source_credential(src, "access_token");
	int rc = 0;

	conf_add(c, "[" REMOTE "]\ntype = google cloud storage\n"
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

int local_rclone_mount(const char *dir, const char *mnt,
		       const wsp_mount_source *src, int ro, wsp_error *err)
{
	char *file = local_path_join(dir, "rclone.conf");
	char *log = local_path_join(dir, "rclone.log");
	char *cache = local_path_join(dir, "cache");
	char *envp[] = {local_fuse_path_env, NULL};
	char remote[WSP_MOUNT_BUCKET_MAX + WSP_MOUNT_PREFIX_MAX + 8];
	char uid[16], gid[16];
	struct conf *c = calloc(1, sizeof(*c));
	size_t plen = strlen(src->prefix);
	int rc;

	if (!file || !log || !cache || !c) {
		rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
		goto out;
	}
	rc = conf_build(c, src);
	if (!rc)
		rc = local_fuse_secret_file(file, c->text, c->n);
	if (rc) {
		rc = wsp_error_set_os(
			err, rc == -EINVAL ? WSP_EINVAL : WSP_EIO, -rc,
			"cannot hand the credentials to rclone: %s",
			rc == -EINVAL ? "they are neither a service-account "
					"key, a gcloud user file nor a token"
				      : strerror(-rc));
		goto out;
	}
	/* REMOTE:bucket/prefix, without the prefix's final '/' */
	snprintf(remote, sizeof(remote), REMOTE ":%s/%.*s", src->bucket,
		 (int)(plen && src->prefix[plen - 1] == '/' ? plen - 1 : plen),
		 src->prefix);
	/* files the caller's (the sandbox's uid) and no one else's */
	snprintf(uid, sizeof(uid), "%u", (unsigned)getuid());
	snprintf(gid, sizeof(gid), "%u", (unsigned)getgid());
	{
		char *argv[] = {RCLONE, "mount", remote, (char *)mnt,
				"--config", file, "--cache-dir", cache,
				"--log-file", log, "--daemon",
				/* gives up before fusemount.c's wait does */
				"--daemon-wait", "20s", "--uid", uid, "--gid",
				gid, "--umask", "077",
				/* what the API changed shows within seconds */
				"--dir-cache-time", "5s",
				ro ? "--read-only" : NULL, NULL};
		struct local_fuse_run r = {
			.client = "rclone",
			.argv = argv,
			.envp = envp,
			.log = log,
			.secret_file = file,
			.bucket = src->bucket,
			.mnt = mnt,
			.silent_hint = " (rclone ended, or the bucket did not "
				       "answer)",
		};

		rc = local_fuse_mount(&r, err);
	}
out:
	if (c)
		local_fuse_wipe(c->text, sizeof(c->text));
	if (file)
		unlink(file);
	free(c);
	free(file);
	free(log);
	free(cache);
	return rc;
}

int local_rclone_usable(wsp_error *err)
{
	return local_fuse_client_usable(RCLONE, "gcs", err);
}
