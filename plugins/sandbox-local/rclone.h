/*
 * plugins/sandbox-local/rclone.h - Debian's rclone, the FUSE client of
 * GCS stores for mounts.c (rclone.c; what every client shares:
 * fusemount.h).
 */
#ifndef WSP_SANDBOX_LOCAL_RCLONE_H
#define WSP_SANDBOX_LOCAL_RCLONE_H

#include "instance.h"

#include <wsp/mount.h>

/*
 * Why this host cannot run rclone for this user (FUSE not usable,
 * rclone missing), as WSP_ENOTSUP, or 0.
 */
int local_rclone_usable(wsp_error *err);

/*
 * rclone mounts src (type gcs) on mnt (an existing directory), read-only
 * when ro: 0, or an error naming rclone's complaint. dir (0700) holds its
 * log (rclone.log), its cache (cache/) and, until rclone has mounted, its
 * config file (rclone.conf, the only place the credentials go).
 */
int local_rclone_mount(const char *dir, const char *mnt,
		       const wsp_mount_source *src, int ro, wsp_error *err);

#endif /* WSP_SANDBOX_LOCAL_RCLONE_H */
