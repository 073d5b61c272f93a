/*
 * plugins/sandbox-local/s3fs.h - Debian's s3fs, the FUSE client of S3
 * stores for mounts.c (s3fs.c; what every client shares: fusemount.h).
 */
#ifndef WSP_SANDBOX_LOCAL_S3FS_H
#define WSP_SANDBOX_LOCAL_S3FS_H

#include "instance.h"

#include <wsp/mount.h>

/*
 * Why this host cannot run s3fs for this user (FUSE not usable, s3fs
 * missing), as WSP_ENOTSUP, or 0.
 */
int local_s3fs_usable(wsp_error *err);

/*
 * s3fs mounts src (type s3) on mnt (an existing directory), read-only
 * when ro: 0, or an error naming s3fs's complaint. dir (0700) holds its
 * log (s3fs.log) and, until s3fs has mounted, its passwd file.
 */
int local_s3fs_mount(const char *dir, const char *mnt,
		     const wsp_mount_source *src, int ro, wsp_error *err);

#endif /* WSP_SANDBOX_LOCAL_S3FS_H */
