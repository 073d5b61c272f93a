/*
 * plugins/fs-local/local.h - what the local filesystem provider's sources
 * share: the instance, its roots, and the contained path resolver.
 *
 * Containment model. An instance has one base root (base_path) and zero or
 * more extra roots (allowed_paths). Each root is held as an open directory
 * descriptor taken at init; every path is resolved beneath one of those
 * descriptors with openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS), or,
 * where the kernel lacks openat2, with a component-by-component O_NOFOLLOW
 * walk that expands symlinks itself and refuses any that leave the root.
 * Operations that act on a name (unlink, rename, mkdir, link) first open the
 * parent directory that way and then use the *at() call on the last
 * component, which the kernel never follows, so a symlink swapped in during
 * the call cannot redirect them.
 */
#ifndef WSP_FS_LOCAL_H
#define WSP_FS_LOCAL_H

#include <wsp/plugin.h>

#include <limits.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/types.h>

/* Longest path accepted, in bytes (NUL excluded). */
#define LFS_PATH_MAX 4095

/*
 * Prefix of the temporary names a write uses when the kernel cannot make
 * an unnamed file (O_TMPFILE). Entries with this prefix are never listed.
 */
#define LFS_TMP_PREFIX ".wsp-tmp."

struct lfs_root {
	int fd;	      /* O_PATH | O_DIRECTORY descriptor of the root */
	char *real;   /* its canonical host path, no trailing '/' */
	char *prefix; /* how paths address it: "" for the base, "srv/docs" */
	size_t prefix_len;
};

/* Locks that serialise conditional writes of one path (by hash). */
#define LFS_STRIPES 64

struct lfs {
	const wsp_host *host;
	int read_only;
	int use_walk;	/* resolve with the O_NOFOLLOW walk, not openat2 */
	int no_tmpfile; /* write through a named temporary file */
	struct lfs_root base;
	struct lfs_root *extra; /* allowed_paths */
	size_t n_extra;
	pthread_mutex_t stripes[LFS_STRIPES];
};

/* A path resolved to a root: rel is "." or "a/b" (validated). */
struct lfs_path {
	const struct lfs_root *root;
	const char *shown; /* the path as the caller gave it, for messages */
	char rel[LFS_PATH_MAX + 1];
};

/* resolve.c */

/*
 * Check path (no leading '/', no ".." component, bounded; empty and "."
 * components are dropped), pick the root that serves it and fill *out.
 * Escapes fail with WSP_EPERM naming the path.
 */
int lfs_route(struct lfs_path *out, const struct lfs *fs, const char *path,
	      wsp_error *err);

/*
 * openat() beneath root: flags as open(2) (O_NOFOLLOW keeps a final symlink
 * unfollowed), mode used with O_CREAT/O_TMPFILE. Returns a descriptor, or
 * -1 with errno set; EXDEV means the path leaves the root.
 */
int lfs_open(const struct lfs *fs, const struct lfs_root *root, const char *rel,
	     int flags, mode_t mode);

/*
 * lfs_route, then lfs_open of what it gives with flags: < 0 with err set
 * when the path is refused; else 0 with *fd a descriptor, or -1 and
 * errno set as lfs_open leaves it.
 */
int lfs_route_open(int *fd, const struct lfs *fs, const char *path, int flags,
		   wsp_error *err);

/*
 * readlinkat(2) NUL-terminated in out (cap bytes): 0, or -1 with errno
 * set (ENAMETOOLONG when the target does not fit).
 */
int lfs_readlinkat(int dirfd, const char *name, char *out, size_t cap);

/*
 * Open the directory that holds the last component of p (O_RDONLY |
 * O_DIRECTORY, beneath the root) and point *name at that component.
 * Fails with EINVAL for the root itself.
 */
int lfs_open_parent(const struct lfs *fs, const struct lfs_path *p,
		    const char **name);

/* True when openat2 is used (for tests and `wsp plugins info`). */
int lfs_uses_openat2(const struct lfs *fs);

/* errors.c */

/* Map errno to a wsp_errcode and fill err: "cannot <op> '<path>': why". */
int lfs_fail(wsp_error *err, int os_errno, const char *op, const char *path);
int lfs_errno_code(int os_errno);
int lfs_read_only(wsp_error *err, const char *path);
/*
 * 0 while the call may go on; else its code (WSP_ECANCELED, WSP_ETIMEDOUT)
 * with "cannot <op> '<path>': ..." in err. Checked once per chunk, entry
 * or file of every loop: the core refuses an expired call up front.
 */
int lfs_expired(const struct lfs *fs, const wsp_call *call, wsp_error *err,
		const char *op, const char *path);

/* inspect.c */
void lfs_fill_stat(wsp_fs_stat *out, const struct stat *st, int is_symlink);
int lfs_stat(wsp_fs_stat *out, void *self, const wsp_call *call,
	     const char *path, uint32_t flags, wsp_error *err);
int lfs_read(void *self, const wsp_call *call, const char *path,
	     const wsp_fs_read_opts *opts, wsp_sink_fn sink, void *payload,
	     wsp_error *err);
int lfs_exists(int *out, void *self, const wsp_call *call, const char *path,
	       uint32_t flags, wsp_error *err);
int lfs_host_path(char *out, size_t cap, void *self, const wsp_call *call,
		  const char *path, uint32_t flags, wsp_error *err);
/* Canonical host path of an open descriptor (through /proc/self/fd). */
int lfs_fd_path(char *out, size_t cap, int fd);

/* list.c */
int lfs_list(void *self, const wsp_call *call, const char *path,
	     const wsp_fs_list_opts *opts, wsp_fs_entry_fn cb, void *payload,
	     wsp_error *err);

/* write.c */

/* An atomic write in progress: a temporary file that becomes p. */
struct lfs_txn {
	int dirfd;	  /* parent directory of the target */
	const char *name; /* last component of the target */
	int fd;		  /* the temporary (or, appending, the target) */
	int unnamed;	  /* fd is an O_TMPFILE file */
	int append;
	char tmp[64]; /* name of a named temporary, else "" */
};

int lfs_write(wsp_fs_stat *out, void *self, const wsp_call *call,
	      const char *path, const wsp_fs_write_opts *opts,
	      wsp_source_fn source, void *payload, wsp_error *err);
/* Start writing p (parents made unless WSP_FS_WRITE_NO_PARENTS). */
int lfs_txn_begin(struct lfs_txn *t, struct lfs *fs, struct lfs_path *p,
		  const wsp_fs_write_opts *opts, mode_t mode, wsp_error *err);
/* fsync and put the file in place (no_overwrite: fail WSP_EEXIST). */
int lfs_txn_commit(struct lfs_txn *t, struct lfs *fs, const struct lfs_path *p,
		   const wsp_fs_write_opts *opts, wsp_error *err);
void lfs_txn_abort(struct lfs_txn *t);

/* tree.c */
int lfs_mkdir(void *self, const wsp_call *call, const char *path,
	      uint32_t flags, wsp_error *err);
int lfs_remove(void *self, const wsp_call *call, const char *path,
	       uint32_t flags, wsp_error *err);
int lfs_rmdir(void *self, const wsp_call *call, const char *path,
	      uint32_t flags, wsp_error *err);
int lfs_copy(void *self, const wsp_call *call, const char *src, const char *dst,
	     uint32_t flags, wsp_error *err);
int lfs_move(void *self, const wsp_call *call, const char *src, const char *dst,
	     uint32_t flags, wsp_error *err);
/* mkdir -p of p's parent directories, beneath the root. */
int lfs_make_parents(struct lfs *fs, const struct lfs_path *p, wsp_error *err);

#endif /* WSP_FS_LOCAL_H */
