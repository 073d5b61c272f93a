/*
 * plugins/shared/objdir.h - directories made in an object store the way
 * fs-s3 and fs-gcs both make them: an empty marker object "a/b/" for each
 * missing level, the way `mkdir -p` goes.
 *
 * The store answers three questions through struct objdir_store (its own
 * name for a path, what stands at a name, writing one marker); the rules
 * of mkdir (EEXIST, ENOTDIR, a missing parent, at most
 * OBJDIR_LEVELS_MAX levels) are here once.
 */
#ifndef WSP_PLUGIN_OBJDIR_H
#define WSP_PLUGIN_OBJDIR_H

#include "objtree.h"

#include <wsp/plugin.h>

#include <stddef.h>

/* The most missing levels one mkdir makes. */
#define OBJDIR_LEVELS_MAX 64

/* What stands at a name (objdir_store.what_is). */
enum objdir_kind {
	OBJDIR_NOTHING = 0,
	OBJDIR_DIR = 1,
	OBJDIR_FILE = 2,
};

struct objdir_store {
	void *self;
	/* The store's name for the directory at path, with no trailing
	 * '/' ("" for the root), in out (cap bytes, OBJTREE_NAME_MAX + 1
	 * here): 0 or a code. */
	int (*dir_name)(char *out, size_t cap, void *self, const char *path,
			wsp_error *err);
	/* What stands at name (path is the caller's, for messages): an
	 * enum objdir_kind, or a negative code. */
	int (*what_is)(void *self, const char *name, const char *path,
		       wsp_error *err);
	/* Write the empty directory marker `marker` (a name ending in
	 * '/') for mkdir of path: 0 or a code. */
	int (*put_marker)(void *self, const char *marker, const char *path,
			  wsp_error *err);
};

/*
 * mkdir of path ("." is the root) with the slot's flags: RECURSIVE makes
 * the missing parents too and accepts a directory that exists. The
 * caller has refused a read-only mount already. 0 or a code.
 */
int objdir_mkdir(const struct objdir_store *st, const char *path,
		 uint32_t flags, wsp_error *err);

#endif
