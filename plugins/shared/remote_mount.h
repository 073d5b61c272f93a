/*
 * plugins/shared/remote_mount.h - an object store mounted inside a remote
 * sandbox (the slots mount and unmount, <wsp/sandbox.h>), whatever the
 * vendor: everything happens through commands the provider's own exec
 * slot runs in the sandbox (sandbox-e2b, sandbox-blaxel).
 *
 * S3 only, with s3fs inside the sandbox. The secret pair reaches the
 * sandbox as the standard input of the command that writes s3fs's
 * credentials file (mode 0600 in a 0700 directory, removed as soon as
 * s3fs has mounted), never in a command line, the environment, a log line
 * or an error. A marker beside it records which source a path holds, so
 * mounting the same source again (the core does after each start) is a
 * no-op and another one is WSP_EBUSY.
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
	/* s3fs missing: install it with apt-get (1), or say so (0) */
	int install;
};

/*
 * Mount src (type "s3") at path inside the sandbox, read-only when flags
 * or src->flags say WSP_MOUNT_READ_ONLY: create the directory (it must
 * be empty), hand over the credentials, run s3fs and check with
 * mountpoint that it mounted. The same source already there: 0. Errors:
 * WSP_ENOTSUP (not S3, a session token, s3fs missing and not to be
 * installed), WSP_EBUSY (another mount there, or the directory not
 * empty), WSP_EPERM (neither root nor sudo in the sandbox), WSP_EUNAVAIL
 * (s3fs failed: its own last words; the install failed), WSP_EINVAL.
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
