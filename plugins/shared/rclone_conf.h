/*
 * plugins/shared/rclone_conf.h - the rclone config that mounts a GCS
 * store (a wsp_mount_source of type "gcs"), wherever rclone runs: on
 * this machine for the local sandbox (sandbox-local/rclone.c) or inside
 * a remote sandbox (remote_mount.c). One place maps the source's fields
 * to rclone's (docs/fs-gcs.md "As a mount source" has the table).
 *
 * The text holds the credentials: callers wipe it (rclone_conf_wipe) and
 * hand it to rclone only as a 0600 file, removed once rclone has mounted.
 */
#ifndef WSP_PLUGIN_SHARED_RCLONE_CONF_H
#define WSP_PLUGIN_SHARED_RCLONE_CONF_H

#include <wsp/mount.h>

#include <stddef.h>

/* The one remote of the config: rclone's source is "wsp:BUCKET/PREFIX". */
#define RCLONE_REMOTE "wsp"

/* A config's text, built in place (it holds the secrets). */
struct rclone_conf {
	char text[3 * WSP_MOUNT_CRED_VALUE_MAX + 2048];
	size_t n;
	int full;
};

/*
 * The remote for src into c (zeroed first by the caller): endpoint as
 * the JSON API's base, anonymous, else a key file (credentials_json: a
 * service account's key, or a gcloud user file's refresh token), else
 * a token (access_token, expires_at). 0; -EINVAL when the credentials
 * are none of those; -ENAMETOOLONG when they do not fit; -ENOMEM.
 */
int rclone_conf_gcs(struct rclone_conf *c, const wsp_mount_source *src);

/* rclone's source for src: "wsp:BUCKET/PREFIX" (no final '/'). */
void rclone_conf_remote(char *out, size_t cap, const wsp_mount_source *src);

/* Zero the text in a way the compiler cannot drop. */
void rclone_conf_wipe(struct rclone_conf *c);

#endif /* WSP_PLUGIN_SHARED_RCLONE_CONF_H */
