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
 * `const wsp_call *call`, then inputs (the last of them a `uint32_t flags`
 * word, zero unless a flag below is named), then (callback, payload), then
 * wsp_error *err. Optional slots may be NULL; the core then answers
 * WSP_ENOTSUP (or emulates, where noted). Every slot may block and must be
 * safe to call from several threads.
 *
 * The call. `call` is never NULL and always full size: its cancel token
 * and deadline bound the whole operation. The core refuses an expired call
 * before it reaches a provider, so a provider checks it only where it waits
 * or loops (chunks of a read or write, pages of a listing, entries of a
 * recursive remove or copy) and returns WSP_ECANCELED (token fired) or
 * WSP_ETIMEDOUT (deadline passed); the host's helpers say which.
 *
 * The boundary rule. Option structs and stat results reach a provider as
 * structs of the provider's header size at least, zeroed, with the core's
 * defaults filled in (each struct below says what a provider sees), so a
 * provider reads and writes every member without WSP_HAS_MEMBER. A caller
 * of the embedding API may pass an older (shorter) or newer (longer)
 * struct; only the core copes with that.
 */
#ifndef WSP_FS_H
#define WSP_FS_H

#include <wsp/common.h>
#include <wsp/mount.h>

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

/*
 * A stat result. A provider's `out` is zeroed and full size (struct_size
 * set by the core); the core copies it back into the caller's struct.
 */
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

/*
 * Zero means "default" in every options struct below, so
 * `{ .struct_size = sizeof(x) }` is complete, and the _INIT macros are just
 * that (spelt out member by member). Option structs hold no cancel token: the
 * call carries it.
 */

typedef struct wsp_fs_read_opts {
	uint32_t struct_size;
	uint32_t flags;	 /* reserved, zero */
	uint64_t offset; /* first byte */
	/*
	 * Bytes to read; 0 = to the end. A provider never sees 0: the core
	 * turns it into UINT64_MAX ("to the end").
	 */
	uint64_t length;
} wsp_fs_read_opts;

/* Every member named, so -Wmissing-field-initializers and C++ accept it. */
#define WSP_FS_READ_OPTS_INIT                                                  \
	{                                                                      \
		sizeof(wsp_fs_read_opts), 0, 0, 0                              \
	}

/* wsp_fs_write_opts.flags */
#define WSP_FS_WRITE_NO_OVERWRITE (1u << 0) /* fail WSP_EEXIST, atomically */
#define WSP_FS_WRITE_NO_PARENTS (1u << 1)   /* missing parent: WSP_ENOTFOUND */
#define WSP_FS_WRITE_APPEND (1u << 2)       /* append; creates if missing */
#define WSP_FS_WRITE_SIZE_KNOWN	  (1u << 3)	  /* size_hint is the total */

typedef struct wsp_fs_write_opts {
	uint32_t struct_size;
	uint32_t flags;		   /* WSP_FS_WRITE_* */
	int64_t expected_mtime_ns; /* 0 = none; else WSP_ESTALE on mismatch */
	const char *
		expected_version; /* NULL = none; else WSP_ESTALE on mismatch */
	/*
	 * The type the file is stored with (an object store's Content-Type).
	 * NULL or "": the core's wsp_files_mime_type() of the path's
	 * extension. The core fills it in its own copy of these options
	 * before any provider's write (wsp_files_write, and a copy between
	 * mounts), so a provider always sees the type the core chose; one
	 * driven without the core may see NULL and stores
	 * "application/octet-stream" then.
	 */
	const char *mime_type;
	/*
	 * Total bytes the source will give, with WSP_FS_WRITE_SIZE_KNOWN
	 * (ignored, and seen as 0 by a provider, without it).
	 */
	uint64_t size_hint;
} wsp_fs_write_opts;

#define WSP_FS_WRITE_OPTS_INIT                                                 \
	{                                                                      \
		sizeof(wsp_fs_write_opts), 0, 0, NULL, NULL, 0                 \
	}

typedef struct wsp_fs_list_opts {
	uint32_t struct_size;
	uint32_t flags;	    /* WSP_FS_RECURSIVE */
	uint32_t max_depth; /* with RECURSIVE: 0 = unlimited; 1 = children */
	uint32_t reserved;
	/*
	 * NULL-terminated extensions to keep (".md" or "md"); dirs always
	 * pass. NULL = every entry. A file is kept when its name ends in '.'
	 * and the extension, with a byte before that dot, compared byte for
	 * byte: case-sensitive ("MD" keeps "A.MD", not "a.md"; "tar.gz"
	 * keeps "b.tar.gz"; "" keeps nothing). wsp-conformance checks it.
	 */
	const char *const *extensions;
} wsp_fs_list_opts;

#define WSP_FS_LIST_OPTS_INIT                                                  \
	{                                                                      \
		sizeof(wsp_fs_list_opts), 0, 0, 0, NULL                        \
	}

typedef struct wsp_fs_vtable {
	uint32_t struct_size; /* sizeof(wsp_fs_vtable) in the provider */

	/* ABI 2.0, required */

	/*
	 * WSP_ENOTFOUND when missing; WSP_ENOTDIR when a parent is a file
	 * ("a.txt/b"), as POSIX has it (an object store, where a name can
	 * be a file and a directory's prefix at once, answers
	 * WSP_ENOTFOUND). Either means "not there" to exists.
	 * flags: WSP_FS_NO_FOLLOW.
	 */
	int (*stat)(wsp_fs_stat *out, void *self, const wsp_call *call,
		    const char *path, uint32_t flags, wsp_error *err);
	/*
	 * Stream a file (or a byte range of it) to sink; WSP_EISDIR for dirs.
	 * opts is never NULL (see wsp_fs_read_opts for what a provider sees).
	 */
	int (*read)(void *self, const wsp_call *call, const char *path,
		    const wsp_fs_read_opts *opts, wsp_sink_fn sink,
		    void *payload, wsp_error *err);
	/*
	 * Write a file from source. Atomic: a reader, or a crash mid-write,
	 * sees the old file or the new one, never half (append excepted). out
	 * (may be NULL) receives the new file's stat. opts is never NULL.
	 */
	int (*write)(wsp_fs_stat *out, void *self, const wsp_call *call,
		     const char *path, const wsp_fs_write_opts *opts,
		     wsp_source_fn source, void *payload, wsp_error *err);
	/*
	 * Entries of a directory (recursively with the flag), any order. opts
	 * is never NULL.
	 */
	int (*list)(void *self, const wsp_call *call, const char *path,
		    const wsp_fs_list_opts *opts, wsp_fs_entry_fn cb,
		    void *payload, wsp_error *err);
	/* WSP_EEXIST if something is there (unless RECURSIVE and a dir). */
	int (*mkdir)(void *self, const wsp_call *call, const char *path,
		     uint32_t flags, wsp_error *err);
	/* Remove a file; a directory only with RECURSIVE (else WSP_EISDIR). */
	int (*remove)(void *self, const wsp_call *call, const char *path,
		      uint32_t flags, wsp_error *err);
	/* Remove a directory: WSP_ENOTEMPTY unless RECURSIVE; WSP_ENOTDIR. */
	int (*rmdir)(void *self, const wsp_call *call, const char *path,
		     uint32_t flags, wsp_error *err);

	/* ABI 2.0, optional */

	/*
	 * copy and move onto a dst that exists: WSP_EEXIST without
	 * WSP_FS_OVERWRITE. With it a file replaces a file (move: by a
	 * rename where the store has one), but never a directory
	 * (WSP_EISDIR: nothing is removed, nothing lands inside it), and a
	 * directory never replaces a file (WSP_ENOTDIR), as rename(2) and
	 * mv -T refuse them. A directory over a directory is the
	 * provider's to say, in its docs (fs-local: a move is rename(2),
	 * an empty one replaced, else WSP_ENOTEMPTY; a copy merges).
	 */
	/* NULL: the core streams read -> write. */
	int (*copy)(void *self, const wsp_call *call, const char *src,
		    const char *dst, uint32_t flags, wsp_error *err);
	/* NULL: the core copies, then removes the source. */
	int (*move)(void *self, const wsp_call *call, const char *src,
		    const char *dst, uint32_t flags, wsp_error *err);
	/* *out = 1 if the path exists. NULL: the core uses stat. flags: 0. */
	int (*exists)(int *out, void *self, const wsp_call *call,
		      const char *path, uint32_t flags, wsp_error *err);
	/*
	 * Host path of a directory of this filesystem, for binding it into a
	 * local sandbox. Writes at most cap bytes (NUL included); WSP_ENOTSUP
	 * for filesystems that are not on the local disk. flags: 0.
	 */
	int (*host_path)(char *out, size_t cap, void *self,
			 const wsp_call *call, const char *path, uint32_t flags,
			 wsp_error *err);

	/*
	 * The store under path (a directory, "." the root) as a mount source
	 * (<wsp/mount.h>), for a sandbox to mount it itself; with
	 * WSP_CAP_FS_MOUNT_SOURCE. out is zeroed and full size; fill it from
	 * the instance's options, credentials included (the core wipes it
	 * after use). WSP_ENOTSUP for a filesystem a sandbox binds by
	 * host_path instead (fs-local). flags: 0.
	 */
	int (*mount_source)(wsp_mount_source *out, void *self,
			    const wsp_call *call, const char *path,
			    uint32_t flags, wsp_error *err);

	/* ABI 2.1+: append new slots here, never above */
} wsp_fs_vtable;

#ifdef __cplusplus
}
#endif
#endif /* WSP_FS_H */
