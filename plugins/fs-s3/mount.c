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
	if (wsp_mount_source_put(out->type, sizeof(out->type), "s3") ||
	    wsp_mount_source_put(out->bucket, sizeof(out->bucket), s->bucket) ||
	    wsp_mount_source_put(out->prefix, sizeof(out->prefix), key) ||
	    wsp_mount_source_put(out->endpoint, sizeof(out->endpoint), endpoint) ||
	    wsp_mount_source_put(out->region, sizeof(out->region), s->region))
		return wsp_error_set(err, WSP_ETOOBIG,
				     "cannot describe '%s' as a mount source: "
				     "a name is too long",
				     path);
	out->flags = (s->read_only ? WSP_MOUNT_READ_ONLY : 0) |
		     (s->path_style ? WSP_MOUNT_PATH_STYLE : 0) |
		     (s->anonymous ? WSP_MOUNT_ANONYMOUS : 0);
	if (!s->anonymous &&
	    (wsp_mount_source_add_credential(out, "access_key_id", s->akid) ||
	     wsp_mount_source_add_credential(out, "secret_access_key", s->secret) ||
	     wsp_mount_source_add_credential(out, "session_token", s->token))) {
		wsp_mount_source_wipe(out);
		out->struct_size = sizeof(*out);
		return wsp_error_set(err, WSP_ETOOBIG,
				     "cannot describe '%s' as a mount source: "
				     "a credential is longer than %d bytes",
				     path, WSP_MOUNT_CRED_VALUE_MAX - 1);
	}
	return 0;
}
