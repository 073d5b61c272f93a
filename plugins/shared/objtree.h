/*
 * plugins/shared/objtree.h - the directory tree an object store's flat
 * names describe, as wsp_fs_entry callbacks.
 *
 * S3 and GCS have no directories: a name "a/b/c.txt" implies a and a/b,
 * an empty object "a/b/" marks a directory that holds nothing, and a
 * listing with delimiter '/' folds what lies deeper into prefixes
 * ("a/b/"). Both providers list a directory the same way on top of their
 * own listing call: one level is one delimited listing (objects are
 * files, folded prefixes directories); a recursive listing lists the
 * subtree undelimited and makes up the directories between names.
 *
 * Names come back in byte order, so every name under a directory is
 * contiguous: each made-up directory is given once by comparing with
 * the previous name's directory alone, with no set of names seen.
 */
#ifndef WSP_PLUGIN_OBJTREE_H
#define WSP_PLUGIN_OBJTREE_H

#include <wsp/plugin.h>

#include <stdbool.h>
#include <stdint.h>

/* The longest name either store accepts (bytes of UTF-8). */
#define OBJTREE_NAME_MAX 1024

struct objtree {
	const char *prefix; /* the listed directory: "" or ending in '/' */
	size_t prefix_len;
	bool recursive;	    /* list undelimited, make up the directories */
	uint32_t max_depth; /* 0: no limit */
	const char *const *exts;
	wsp_fs_entry_fn cb;
	void *payload;
	/* Called before every entry is given, when set: non-zero (a
	 * wsp_error code already set by it) stops the listing, so a
	 * callback that cancels the call stops it at once. */
	int (*check)(void *check_ctx);
	void *check_ctx;
	bool found; /* anything at all below the prefix, markers included */
	char last_dir[OBJTREE_NAME_MAX + 1]; /* the previous name's directory */
};

/*
 * Start a listing of the directory whose names begin with prefix (kept,
 * not copied) with the core's full-size options: RECURSIVE and max_depth
 * (1 lists one level even with RECURSIVE), extensions.
 */
void objtree_init(struct objtree *t, const char *prefix,
		  const wsp_fs_list_opts *opts, wsp_fs_entry_fn cb,
		  void *payload);

/*
 * One name of the listing, in the store's byte order: an object (its
 * size and mtime) or, with is_prefix, a prefix the store folded the
 * deeper names into. Names outside the prefix are ignored. 0, or the
 * first non-zero of check or the callback, which ends the listing.
 */
int objtree_name(struct objtree *t, const char *name, bool is_prefix,
		 uint64_t size, int64_t mtime_ns);

#endif
