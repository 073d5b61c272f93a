/*
 * plugins/shared/remote_mount.h - an object store mounted inside a remote
 * sandbox (the slots mount and unmount, <wsp/sandbox.h>), whatever the
 * vendor: everything happens through commands the provider's own exec
 * slot runs in the sandbox (sandbox-e2b, sandbox-blaxel, sandbox-daytona).
 *
 * S3 with s3fs, GCS with rclone (Debian packages both; gcsfuse is not
 * one), inside the sandbox. How a source's fields map:
 *   s3   bucket[:/prefix]; endpoint -> url=, region -> endpoint=,
 *        path style -> use_path_request_style, anonymous ->
 *        public_bucket=1; the key pair -> passwd_file (a session token
 *        is refused: s3fs reads one only from its environment)
 *   gcs  wsp:bucket/prefix of one rclone remote (rclone_conf.h):
 *        endpoint -> the JSON API base, anonymous -> anonymous = true,
 *        credentials_json (a service-account key, rclone signs its own
 *        JWTs at the key's token_uri; or a gcloud user file) or an
 *        access_token (expires: no refresh) -> the config
 * The secrets (s3fs's passwd line, rclone's whole config) reach the
 * sandbox as the standard input of the command that writes them to a
 * file (mode 0600 in a 0700 directory, removed as soon as the client has
 * mounted), or, for a provider whose exec carries stdin inside the
 * command's text, as an uploaded file (rmount_sandbox.put); never in a
 * command line, the environment, a log line or an error. A marker beside
 * it records which source a path holds, so mounting the same source
 * again (the core does after each start) is a no-op and another one is
 * WSP_EBUSY.
 */
#ifndef WSP_PLUGIN_SHARED_REMOTE_MOUNT_H
#define WSP_PLUGIN_SHARED_REMOTE_MOUNT_H

#include <wsp/plugin.h>

/* The directory inside the sandbox that holds the credentials files and
 * the markers (root's, 0700, when mounting takes sudo). */
#define RMOUNT_DIR "/tmp/.wsp-mounts"

/* How the shared code reaches one sandbox. */
struct rmount_sandbox {
	const wsp_host *host;
	/* the provider's exec slot and its instance */
	int (*exec)(wsp_exec_result *out, void *self, const wsp_call *call,
		    const wsp_exec_opts *o, wsp_error *err);
	void *self;
	const char *vendor; /* "E2B", in messages */
	/* the client missing: install it with apt-get (1), or say so (0) */
	int install;
	/*
	 * NULL: the secrets go as the mount command's stdin (the exec slot
	 * carries stdin outside the command). Else how they go instead:
	 * write len bytes of data to a new file at path in the sandbox
	 * (an absolute path; its directory, 0700 and the sandbox user's, is
	 * there): 0 or a wsp error. The file is read and removed first
	 * thing by the mount's script.
	 */
	int (*put)(void *self, const wsp_call *call, const char *path,
		   const char *data, size_t len, wsp_error *err);
};

/*
 * Mount src (type "s3" or "gcs") at path inside the sandbox, read-only
 * when flags or src->flags say WSP_MOUNT_READ_ONLY: create the directory
 * (it must be empty), hand over the credentials, run s3fs or rclone and
 * check with mountpoint that it mounted. The same source already there:
 * 0. Errors: WSP_ENOTSUP (another type, a session token, the client
 * missing and not to be installed), WSP_EBUSY (another mount there, or
 * the directory not empty), WSP_EPERM (neither root nor sudo in the
 * sandbox), WSP_EUNAVAIL (the client failed: its own last words; the
 * install failed), WSP_EINVAL (credentials the client cannot take).
 */
int rmount_mount(const struct rmount_sandbox *sb, const wsp_call *call,
		 const wsp_mount_source *src, const char *path, uint32_t flags,
		 wsp_error *err);

/*
 * Unmount what rmount_mount put at path (fusermount -u, else umount,
 * else a lazy umount) and remove its files: 0, WSP_ENOTFOUND when
 * nothing wsp mounted is there, WSP_EBUSY when it would not go.
 */
int rmount_unmount(const struct rmount_sandbox *sb, const wsp_call *call,
		   const char *path, wsp_error *err);

#endif
