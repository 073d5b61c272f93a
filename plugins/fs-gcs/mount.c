/*
 * plugins/fs-gcs/mount.c - the bucket as a mount source (<wsp/mount.h>):
 * what gcsfuse or rclone inside a sandbox needs to reach the objects this
 * provider serves. Credentials per auth route (docs/fs-gcs.md):
 *
 *   key file (service account or gcloud user file): "credentials_json",
 *     the file's text, so the tool signs or refreshes for itself and the
 *     mount outlives any one token;
 *   metadata server: "access_token" and "expires_at" (RFC 3339, UTC), a
 *     token fetched here, because a remote sandbox cannot reach this
 *     host's metadata server and must not get a way to mint more tokens;
 *     at expiry the tool's requests fail with 401 until it is remounted;
 *   anonymous: WSP_MOUNT_ANONYMOUS and no credentials.
 *
 * The values only ever go into the secret pairs.
 */
#include "gcs.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* When the cached token stops working, as wall-clock RFC 3339 UTC. */
static void token_expiry(char out[32], struct gcs_auth *a)
{
	struct timespec mono, real;
	int64_t left_ms;
	time_t at;
	struct tm tm;

	pthread_mutex_lock(&a->lock);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	left_ms = a->expires_at_ms -
		  ((int64_t)mono.tv_sec * 1000 + mono.tv_nsec / 1000000);
	pthread_mutex_unlock(&a->lock);
	clock_gettime(CLOCK_REALTIME, &real);
	at = real.tv_sec + (time_t)(left_ms > 0 ? left_ms / 1000 : 0);
	gmtime_r(&at, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int credentials(wsp_mount_source *out, struct gcs *g,
		       const char *path, wsp_error *err)
{
	char *token = NULL, expiry[32];
	int rc, bad;

	switch (g->auth.kind) {
	case GCS_AUTH_ANONYMOUS:
		out->flags |= WSP_MOUNT_ANONYMOUS;
		return 0;
	case GCS_AUTH_SERVICE_ACCOUNT:
	case GCS_AUTH_USER:
		bad = wsp_mount_source_add_credential(out, "credentials_json", g->auth.key_json);
		break;
	default: /* the metadata server: a token, not the server */
		rc = gcs_auth_token(&token, &g->auth, NULL, err);
		if (rc)
			return rc;
		token_expiry(expiry, &g->auth);
		bad = wsp_mount_source_add_credential(out, "access_token", token) ||
		      wsp_mount_source_add_credential(out, "expires_at", expiry);
		gcs_secret_free(token);
		break;
	}
	if (!bad)
		return 0;
	wsp_mount_source_wipe(out);
	out->struct_size = sizeof(*out);
	return wsp_error_set(err, WSP_ETOOBIG,
			     "cannot describe '%s' as a mount source: "
			     "%s holds more than %d bytes",
			     path, g->auth.source, WSP_MOUNT_CRED_VALUE_MAX - 1);
}

int gcs_mount_source(wsp_mount_source *out, void *self, const wsp_call *call,
		     const char *path, uint32_t flags, wsp_error *err)
{
	struct gcs *g = self;
	char name[GCS_NAME_MAX + 2];
	const wsp_call *prev;
	size_t n;
	int rc;

	(void)flags;
	rc = gcs_name(name, sizeof(name) - 1, g, path, err);
	if (rc)
		return rc;
	n = strlen(name);
	if (n && name[n - 1] != '/') { /* a directory's prefix */
		name[n] = '/';
		name[n + 1] = '\0';
	}
	if (wsp_mount_source_put(out->type, sizeof(out->type), "gcs") ||
	    wsp_mount_source_put(out->bucket, sizeof(out->bucket), g->bucket) ||
	    wsp_mount_source_put(out->prefix, sizeof(out->prefix), name) ||
	    /* empty: Google's, the tools' default */
	    wsp_mount_source_put(out->endpoint, sizeof(out->endpoint),
		strcmp(g->endpoint, GCS_ENDPOINT_DEFAULT) ? g->endpoint : ""))
		return wsp_error_set(err, WSP_ETOOBIG,
				     "cannot describe '%s' as a mount source: "
				     "a name is too long",
				     path);
	out->flags = g->read_only ? WSP_MOUNT_READ_ONLY : 0;
	prev = gcs_call_enter(call); /* a metadata token is fetched in it */
	rc = credentials(out, g, path, err);
	gcs_call_enter(prev);
	return rc;
}
