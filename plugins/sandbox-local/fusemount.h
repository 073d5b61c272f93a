/*
 * plugins/sandbox-local/fusemount.h - what every FUSE client of mounts.c
 * shares (fusemount.c): whether FUSE is usable, running a client until
 * its mount is there, the mount table, fusermount3, and the secrets' way
 * to a client (a 0600 file in the slot's private directory, removed once
 * the client has mounted, or the client's own environment). s3fs.c and
 * rclone.c only build their client's command line.
 */
#ifndef WSP_SANDBOX_LOCAL_FUSEMOUNT_H
#define WSP_SANDBOX_LOCAL_FUSEMOUNT_H

#include <wsp/mount.h>

#include <stddef.h>

/* "PATH=/usr/bin:/bin", every client's whole environment but secrets */
extern char local_fuse_path_env[];

/*
 * Why FUSE is not usable by this user (/dev/fuse, or fusermount3 when
 * not root), as WSP_ENOTSUP, or 0.
 */
int local_fuse_usable(wsp_error *err);

/*
 * Why client (an absolute path, named after its Debian package) cannot
 * mount stores of type for this user: local_fuse_usable's reason, or the
 * client missing, as WSP_ENOTSUP; or 0.
 */
int local_fuse_client_usable(const char *client, const char *type,
			     wsp_error *err);

/* 1 when a FUSE filesystem is mounted exactly at mnt (canonical). */
int local_fuse_mounted_at(const char *mnt);

/* Unmount the FUSE mount at mnt (lazily if busy): 0, or -EBUSY. */
int local_fuse_unmount(const char *mnt);

/*
 * A file only this user may read (0600, made here, never followed) with
 * text in it: 0, or -errno (nothing left behind).
 */
int local_fuse_secret_file(const char *file, const char *text, size_t len);

/* "NAME=value", malloc'ed (NULL when out of memory); wipe_free it. */
char *local_fuse_secret_env(const char *name, const char *value);

/* Zero n bytes at p in a way the compiler cannot drop. */
void local_fuse_wipe(void *p, size_t n);

/* Zero the string s, then free it (NULL is fine). */
void local_fuse_wipe_free(char *s);

/* One client run that mounts a bucket (local_fuse_mount). */
struct local_fuse_run {
	const char *client;	  /* "s3fs": its name in messages */
	char *const *argv;	  /* argv[0] an absolute path */
	char *const *envp;	  /* local_fuse_path_env and secrets only */
	const char *log;	  /* its stderr, appended (0600) */
	const char *secret_file;  /* removed once it ran (may be NULL) */
	const char *bucket, *mnt; /* for the error */
	const char *silent_hint;  /* said when it left no message */
};

/*
 * Run the client, which returns once it has mounted and gone to the
 * background, and wait until its mount is at r->mnt: 0, or
 * WSP_EUNAVAIL with the last line it logged (anything it half mounted
 * unmounted again).
 */
int local_fuse_mount(const struct local_fuse_run *r, wsp_error *err);

#endif /* WSP_SANDBOX_LOCAL_FUSEMOUNT_H */
