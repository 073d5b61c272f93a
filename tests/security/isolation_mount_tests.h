/*
 * tests/security/isolation_mount_tests.h - what every object store
 * mounted in the local sandbox must do, one body for each store's suite
 * (tests/security/test_isolation_mounts.c: S3 through s3fs;
 * tests/gcs/test_gcs_sandbox_mount.c: GCS through rclone). The workspace
 * has /data read-write at /mnt/data and /ro read-only at /mnt/ro, over
 * the same bucket prefix.
 */
#ifndef WSP_TEST_ISOLATION_MOUNT_TESTS_H
#define WSP_TEST_ISOLATION_MOUNT_TESTS_H

#include "isolation_util.h"

#include <stddef.h>

/* iso_wsp with up to five words (a NULL ends them early). */
int iso_wsp5(struct iso *t, const char *a, const char *b, const char *c,
	     const char *d, const char *e);

/* `wsp exec -- cat FILE` in t prints what iso_mount_put_then_read put. */
void iso_mount_read_inside(struct iso *t, const char *file);
/* A file put by `wsp fs put` before the start is read inside through
 * both mounts; a second start mounts nothing twice. What the verbose
 * start printed (stdout, then stderr) is kept in verbose. */
void iso_mount_put_then_read(struct iso *t, char *verbose, size_t cap);
/* A file written inside /mnt/data is in the bucket (`wsp fs cat`). */
void iso_mount_write_inside(struct iso *t);
/* /mnt/ro refuses writes and removals; the bucket is unchanged. */
void iso_mount_read_only_refuses(struct iso *t);
/* A started environment gains no mount and loses none. */
void iso_mount_running_gains_none(struct iso *t);
/* Stopping unmounts everything and ends the store's client (processes
 * whose command line starts with client, as "/usr/bin/s3fs "); stopped,
 * a store mounts by hand, is there from the first command, and goes with
 * the next stop. */
void iso_mount_stop_unmounts(struct iso *t, const char *client);

#endif
