/*
 * plugins/sandbox-local/s3fs.h - s3fs and fusermount3, run on the host
 * for mounts.c (s3fs.c), and whether a FUSE mount is at a path.
 */
#ifndef WSP_SANDBOX_LOCAL_S3FS_H
#define WSP_SANDBOX_LOCAL_S3FS_H

#include "instance.h"

#include <wsp/mount.h>

/*
 * Why this host cannot run s3fs for this user (s3fs missing, /dev/fuse
 * not usable, fusermount3 missing), as WSP_ENOTSUP, or 0.
 */
int local_s3fs_usable(wsp_error *err);

/*
 * s3fs mounts src (type s3) on mnt (an existing directory), read-only
 * when ro: 0, or an error naming s3fs's complaint. dir (0700) holds its
 * log (s3fs.log) and, until s3fs has mounted, its passwd file.
 */
int local_s3fs_mount(const char *dir, const char *mnt,
		     const wsp_mount_source *src, int ro, wsp_error *err);

/* 1 when a FUSE filesystem is mounted exactly at mnt (canonical). */
int local_fuse_mounted_at(const char *mnt);

/* Unmount the FUSE mount at mnt (lazily if busy): 0, or -EBUSY. */
int local_fuse_unmount(const char *mnt);

#endif /* WSP_SANDBOX_LOCAL_S3FS_H */
