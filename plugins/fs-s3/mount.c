/*
 * plugins/fs-s3/mount.c - the bucket as a mount source (<wsp/mount.h>):
 * what s3fs (or rclone) inside a sandbox needs to reach the same objects
 * this provider serves, taken from the instance as init resolved it
 * (options, AWS_* variables or a profile). No request is made: a prefix
 * that holds nothing yet is still a place to mount.
 */
#include "s3.h"

#include <stdio.h>
#include <string.h>

/* Copy v into a field of cap bytes; 1 when it did not fit. */
static int put(char *field, size_t cap, const char *v)
{
	int n = snprintf(field, cap, "%s", v ? v : "");

	return n < 0 || (size_t)n >= cap;
}

static int put_cred(wsp_mount_source *out, const char *key, const char *v)
{
	uint32_t i = out->n_credentials;

	if (!v || !*v)
		return 0;
	if (i >= WSP_MOUNT_CRED_MAX ||
	    put(out->credential_keys[i], sizeof(out->credential_keys[i]), key) ||
	    put(out->credential_values[i], sizeof(out->credential_values[i]),
		v))
		return 1;
	out->n_credentials = i + 1;
	return 0;
}

int s3_mount_source(wsp_mount_source *out, void *self, const wsp_call *call,
		    const char *path, uint32_t flags, wsp_error *err)
{
	struct s3 *s = self;
	char key[S3_KEY_MAX + 2], endpoint[WSP_MOUNT_ENDPOINT_MAX];
	size_t n;
	int rc;

	(void)call; /* no request, nothing to wait for */
	(void)flags;
	rc = s3_key(key, sizeof(key) - 1, s, path, err);
	if (rc)
		return rc;
	n = strlen(key);
	if (n && key[n - 1] != '/') { /* a directory's prefix */
		key[n] = '/';
		key[n + 1] = '\0';
	}
	snprintf(endpoint, sizeof(endpoint), "%s://%s", s->scheme,
		 s->authority);
	if (put(out->type, sizeof(out->type), "s3") ||
	    put(out->bucket, sizeof(out->bucket), s->bucket) ||
	    put(out->prefix, sizeof(out->prefix), key) ||
	    put(out->endpoint, sizeof(out->endpoint), endpoint) ||
	    put(out->region, sizeof(out->region), s->region))
		return wsp_error_set(err, WSP_ETOOBIG,
				     "cannot describe '%s' as a mount source: "
				     "a name is too long",
				     path);
	out->flags = (s->read_only ? WSP_MOUNT_READ_ONLY : 0) |
		     (s->path_style ? WSP_MOUNT_PATH_STYLE : 0) |
		     (s->anonymous ? WSP_MOUNT_ANONYMOUS : 0);
	if (!s->anonymous &&
	    (put_cred(out, "access_key_id", s->akid) ||
	     put_cred(out, "secret_access_key", s->secret) ||
	     put_cred(out, "session_token", s->token))) {
		wsp_mount_source_wipe(out);
		out->struct_size = sizeof(*out);
		return wsp_error_set(err, WSP_ETOOBIG,
				     "cannot describe '%s' as a mount source: "
				     "a credential is longer than %d bytes",
				     path, WSP_MOUNT_CRED_VALUE_MAX - 1);
	}
	return 0;
}
