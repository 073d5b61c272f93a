/*
 * tests/fs-local/fs_box.h - load wsp-fs-local.so without a workspace, on
 * the SDK's fake host (<wsp/fakehost.h>: the core's option checks, call
 * contexts and host services), plus helpers for files on the real disk.
 */
#ifndef WSP_TEST_FS_BOX_H
#define WSP_TEST_FS_BOX_H

#include <wsp/fakehost.h>

struct fake_fs {
	const wsp_plugin_desc *desc;
	const wsp_fs_vtable *fs;
	void *self;
	wsp_fakehost *fh;     /* the SDK's fake host the instance runs on */
	const wsp_host *host; /* its table */
};

/*
 * What the core hands a provider (the boundary rule, <wsp/fs.h>): a
 * full-size call that never expires, and full-size options with the
 * defaults filled in (a read's length UINT64_MAX for "to the end").
 */
extern const wsp_call fake_call;
#define FAKE_READ_ALL                                                          \
	(&(const wsp_fs_read_opts){sizeof(wsp_fs_read_opts), 0, 0, UINT64_MAX})
#define FAKE_LIST_DEFAULT (&(const wsp_fs_list_opts)WSP_FS_LIST_OPTS_INIT)
/*
 * dlopen the plugin (path from WSP_FS_LOCAL_SO) and init one instance on
 * a fresh fake host, its options checked as the core checks wsp.yaml
 * (allowed NULL: the option absent).
 */
int fake_fs_open(struct fake_fs *out, const char *base, int read_only,
		 const char *const *allowed, wsp_error *err);
void fake_fs_close(struct fake_fs *f);
/*
 * A call of f's fake host with a cancel token of its own (fire it with
 * wsp_fakehost_call_cancel; a fired token stays fired: take a new call).
 */
wsp_call *fake_fs_call(struct fake_fs *f);
/* How many lines the provider logged (any level) containing needle. */
size_t fake_fs_logged(const struct fake_fs *f, const char *needle);

/* Whole-buffer helpers over the streaming slots. */
int fake_fs_put(struct fake_fs *f, const char *path, const char *data,
		size_t len, uint32_t flags, wsp_error *err);
int fake_fs_put_opts(struct fake_fs *f, const char *path, const char *data,
		     size_t len, const wsp_fs_write_opts *opts, wsp_error *err);
/* *out is malloc'ed and NUL-terminated. */
int fake_fs_get(struct fake_fs *f, const char *path, char **out, size_t *len,
		wsp_error *err);

/* Host-side helpers (plain POSIX, for setting up and checking). */
char *tmpdir_make(const char *tag); /* mkdtemp under $TMPDIR or /tmp */
void tree_remove(const char *path); /* rm -rf, no symlink following */
void tree_empty(const char *path);  /* rm -rf of what path holds */
void file_put(const char *path, const char *data);
char *file_get(const char *path);	       /* NULL if missing; malloc'ed */
char *path_join(const char *a, const char *b); /* malloc'ed a/b */
/*
 * A snapshot of a tree: one sorted line per entry with its type, size,
 * mtime (ns), symlink target and content, so any change shows up.
 * Entries whose path starts with exclude (may be NULL) are left out.
 */
char *tree_snapshot(const char *path, const char *exclude);

#endif
