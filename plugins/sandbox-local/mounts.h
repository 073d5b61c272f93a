/*
 * plugins/sandbox-local/mounts.h - object stores mounted inside a local
 * sandbox (the mount and unmount slots, WSP_CAP_SANDBOX_MOUNT): a FUSE
 * client (s3fs for S3, rclone for GCS) run by the host, its mount bound
 * into the isolated environment when that starts, or mounted at the path
 * itself with `isolation: none` (docs/local-environment.md, "Mounts").
 *
 * Files, in <state_dir>/mounts/ (0700), one directory per sandbox path
 * (named by a hash of it):
 *   record    "path=", "source=" (type, bucket, prefix, endpoint: no
 *             secret), "mnt=" (where the client mounted it on the
 *             host), "ro="
 *   mnt/      that mount point, when isolated
 *   s3fs.log, rclone.log  what the client said (never a secret: it
 *             gets them in a 0600 file, passwd or rclone.conf, removed
 *             once it has mounted, or s3fs a session token in its env)
 *   cache/    rclone's (it caches nothing with its defaults)
 *   lock      (in mounts/) serialises mounting between processes
 */
#ifndef WSP_SANDBOX_LOCAL_MOUNTS_H
#define WSP_SANDBOX_LOCAL_MOUNTS_H

#include "instance.h"

#include <wsp/mount.h>

int local_mount(void *self, const wsp_call *call, const wsp_mount_source *src,
		const char *path, uint32_t flags, wsp_error *err);
int local_unmount(void *self, const wsp_call *call, const char *path,
		  uint32_t flags, wsp_error *err);

/*
 * 1 when FUSE is usable by this user and s3fs or rclone is installed
 * (the capability; mount refuses a store whose own client is missing).
 */
int local_mounts_usable(void);

/*
 * Unmount every store of the sandbox (stop, destroy; after its
 * environment ended, which held its own references to them). 0, or why
 * one is still mounted: destroy must then not remove the state directory
 * (removing through a live mount would delete the bucket's objects).
 */
int local_mounts_unmount_all(struct local_sandbox *sb, wsp_error *err);

/* One store to bind into the environment: its host mount point. */
struct local_bind_mount {
	char *mnt;  /* host path of the client's mount */
	char *path; /* where the sandbox sees it */
	int read_only;
};

/*
 * The recorded mounts (isolated sandboxes), for bwrap.c's command line:
 * *out a calloc'ed array of *n entries (free with local_bind_mounts_free).
 * 0, or -errno.
 */
int local_bind_mounts(const struct local_sandbox *sb,
		      struct local_bind_mount **out, size_t *n);
void local_bind_mounts_free(struct local_bind_mount *v, size_t n);

#endif /* WSP_SANDBOX_LOCAL_MOUNTS_H */
