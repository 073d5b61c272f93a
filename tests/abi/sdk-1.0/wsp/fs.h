/*
 * wsp/fs.h - the filesystem interface a provider implements.
 *
 * Paths. The core normalises every path before a provider sees it: paths
 * are relative to the provider's root, '/'-separated, with no empty, "." or
 * ".." components and no leading or trailing '/'; the root itself is ".".
 * A provider must still contain every operation beneath its root (symlinks,
 * races), and enforce its own read-only flag.
 *
 * Slot conventions: outputs first, then `void *self` (from init), then
 * inputs, then (callback, payload), then wsp_error *err. Optional slots may
 * be NULL; the core then answers WSP_ENOTSUP (or emulates, where noted).
 * Every slot may block and must be safe to call from several threads.
 */
#ifndef WSP_FS_H
#define WSP_FS_H

#include <wsp/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/* wsp_fs_stat.type and wsp_fs_entry.type */
enum wsp_fs_type {
	WSP_FS_TYPE_FILE = 1,
	WSP_FS_TYPE_DIR = 2,
	WSP_FS_TYPE_SYMLINK = 3, /* only for a link that is not followed */
	WSP_FS_TYPE_OTHER = 4
};

#define WSP_FS_VERSION_MAX 128 /* version token: mtime, ETag, generation */
#define WSP_FS_MIME_MAX 96

typedef struct wsp_fs_stat {
	uint32_t struct_size; /* set by the caller */
	uint32_t type;        /* wsp_fs_type of the target */
	uint64_t size;        /* bytes */
	int64_t mtime_ns;     /* last modification, ns since the epoch */
	int64_t ctime_ns;     /* creation (or status change), ns; 0 unknown */
	uint32_t mode;        /* POSIX permission bits, 0 unknown */
	uint32_t is_symlink;  /* the path itself is a symlink (followed) */
	/*
	 * Opaque token that changes whenever the content changes, accepted by
	 * write as expected_version: mtime for local disks, ETag for S3,
	 * generation for GCS. Empty when the provider has none.
	 */
	char version[WSP_FS_VERSION_MAX];
	char mime_type[WSP_FS_MIME_MAX]; /* empty: the core derives it */
} wsp_fs_stat;

/* One listed entry; strings are valid only during the callback. */
typedef struct wsp_fs_entry {
	uint32_t struct_size; /* set by the provider */
	uint32_t type;        /* wsp_fs_type (of the link itself if symlink) */
	const char *path;     /* relative to the listed directory ("a/b.txt") */
	const char *name;     /* last component */
	uint64_t size;
	int64_t mtime_ns;
	uint32_t is_symlink;
	uint32_t depth;             /* 1 for direct children */
	const char *symlink_target; /* NULL unless is_symlink */
} wsp_fs_entry;

/* Return 0 to go on, a negative code to stop the listing with it. */
typedef int (*wsp_fs_entry_fn)(const wsp_fs_entry *entry, void *payload);

/* Flags of the operations below. */
#define WSP_FS_RECURSIVE (1u << 0)   /* delete/rmdir/copy/mkdir/list */
#define WSP_FS_FORCE (1u << 1)       /* delete/rmdir: missing is fine */
#define WSP_FS_OVERWRITE (1u << 2)   /* copy/move: replace destination */
#define WSP_FS_NO_FOLLOW (1u << 3)   /* stat: describe a symlink itself */

typedef struct wsp_fs_read_opts {
	uint32_t struct_size;
	uint32_t flags;           /* reserved, zero */
	uint64_t offset;          /* first byte */
	uint64_t length;          /* UINT64_MAX = to the end */
	const wsp_cancel *cancel; /* NULL = none */
} wsp_fs_read_opts;

#define WSP_FS_READ_OPTS_INIT \
	{ sizeof(wsp_fs_read_opts), 0, 0, UINT64_MAX, NULL }

/* wsp_fs_write_opts.flags */
#define WSP_FS_WRITE_NO_OVERWRITE (1u << 0) /* fail WSP_EEXIST, atomically */
#define WSP_FS_WRITE_NO_PARENTS (1u << 1)   /* missing parent: WSP_ENOTFOUND */
#define WSP_FS_WRITE_APPEND (1u << 2)       /* append; creates if missing */

typedef struct wsp_fs_write_opts {
	uint32_t struct_size;
	uint32_t flags;                /* WSP_FS_WRITE_* */
	int64_t expected_mtime_ns;     /* 0 = none; else WSP_ESTALE on mismatch */
	const char *expected_version;  /* NULL = none; else WSP_ESTALE on mismatch */
	const char *mime_type;         /* NULL = derived from the extension */
	int64_t size_hint;             /* total bytes, -1 unknown */
	const wsp_cancel *cancel;
} wsp_fs_write_opts;

#define WSP_FS_WRITE_OPTS_INIT \
	{ sizeof(wsp_fs_write_opts), 0, 0, NULL, NULL, -1, NULL }

typedef struct wsp_fs_list_opts {
	uint32_t struct_size;
	uint32_t flags;       /* WSP_FS_RECURSIVE */
	uint32_t max_depth;   /* with RECURSIVE: 0 = unlimited; 1 = children */
	uint32_t reserved;
	/* NULL-terminated extensions to keep (".md" or "md"); dirs always pass */
	const char *const *extensions;
	const wsp_cancel *cancel;
} wsp_fs_list_opts;

#define WSP_FS_LIST_OPTS_INIT \
	{ sizeof(wsp_fs_list_opts), 0, 0, 0, NULL, NULL }

typedef struct wsp_fs_vtable {
	uint32_t struct_size; /* sizeof(wsp_fs_vtable) in the provider */

	/* ABI 1.0, required */

	/* WSP_ENOTFOUND when missing. */
	int (*stat)(wsp_fs_stat *out, void *self, const char *path,
		    uint32_t flags, wsp_error *err);
	/* Stream a file (or a byte range of it) to sink; WSP_EISDIR for dirs. */
	int (*read)(void *self, const char *path, const wsp_fs_read_opts *opts,
		    wsp_sink_fn sink, void *payload, wsp_error *err);
	/*
	 * Write a file from source. Atomic: a reader, or a crash mid-write,
	 * sees the old file or the new one, never half (append excepted). out
	 * (may be NULL) receives the new file's stat.
	 */
	int (*write)(wsp_fs_stat *out, void *self, const char *path,
		     const wsp_fs_write_opts *opts, wsp_source_fn source,
		     void *payload, wsp_error *err);
	/* Entries of a directory (recursively with the flag), any order. */
	int (*list)(void *self, const char *path, const wsp_fs_list_opts *opts,
		    wsp_fs_entry_fn cb, void *payload, wsp_error *err);
	/* WSP_EEXIST if something is there (unless RECURSIVE and a dir). */
	int (*mkdir)(void *self, const char *path, uint32_t flags,
		     wsp_error *err);
	/* Remove a file; a directory only with RECURSIVE (else WSP_EISDIR). */
	int (*remove)(void *self, const char *path, uint32_t flags,
		      wsp_error *err);
	/* Remove a directory: WSP_ENOTEMPTY unless RECURSIVE; WSP_ENOTDIR. */
	int (*rmdir)(void *self, const char *path, uint32_t flags,
		     wsp_error *err);

	/* ABI 1.0, optional */

	/* NULL: the core streams read -> write. */
	int (*copy)(void *self, const char *src, const char *dst,
		    uint32_t flags, wsp_error *err);
	/* NULL: the core copies, then removes the source. */
	int (*move)(void *self, const char *src, const char *dst,
		    uint32_t flags, wsp_error *err);
	/* *out = 1 if the path exists. NULL: the core uses stat. */
	int (*exists)(int *out, void *self, const char *path, wsp_error *err);
	/*
	 * Host path of a directory of this filesystem, for binding it into a
	 * local sandbox. Writes at most cap bytes (NUL included); WSP_ENOTSUP
	 * for filesystems that are not on the local disk.
	 */
	int (*host_path)(char *out, size_t cap, void *self, const char *path,
			 wsp_error *err);

	/* ABI 1.1+: append new slots here, never above */
} wsp_fs_vtable;

#ifdef __cplusplus
}
#endif
#endif /* WSP_FS_H */
