/*
 * plugins/shared/objdir.c - mkdir in an object store: a marker for every
 * missing level (see objdir.h).
 */
#include "objdir.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A level's name and the '/' its marker adds. */
typedef char objdir_level[OBJTREE_NAME_MAX + 2];

/* The parent directory of path ("." for top-level names). */
static void parent_of(char *out, size_t cap, const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(out, cap, ".");
	else
		snprintf(out, cap, "%.*s", (int)(slash - path), path);
}

/*
 * The levels of path that do not exist yet, deepest first, looking at no
 * more than max of them and stopping at one that exists (the root always
 * does): their count, or a negative code. A file at a level is EEXIST at
 * path itself, ENOTDIR above it (as on a local disk).
 */
static int missing_levels(objdir_level *levels, int max,
			  const struct objdir_store *st, const char *path,
			  wsp_error *err)
{
	char level[OBJTREE_NAME_MAX + 1], up[OBJTREE_NAME_MAX + 1];
	int n = 0;

	snprintf(level, sizeof(level), "%s", path);
	while (n < max && strcmp(level, ".")) {
		int rc;

		if (n == OBJDIR_LEVELS_MAX)
			return wsp_error_set(err, WSP_ETOOBIG,
					     "cannot mkdir '%s': more than %d "
					     "missing levels",
					     path, OBJDIR_LEVELS_MAX);
		rc = st->dir_name(levels[n], OBJTREE_NAME_MAX + 1, st->self,
				  level, err);
		if (!rc)
			rc = st->what_is(st->self, levels[n], level, err);
		if (rc == OBJDIR_FILE)
			return n ? wsp_error_set(err, WSP_ENOTDIR,
						 "cannot mkdir '%s': '%s' is "
						 "a file",
						 path, level)
				 : wsp_error_set(err, WSP_EEXIST,
						 "cannot mkdir '%s': a file "
						 "exists there",
						 path);
		if (rc < 0)
			return rc;
		if (rc)
			break;
		n++;
		parent_of(up, sizeof(up), level);
		memcpy(level, up, sizeof(level));
	}
	return n;
}

int objdir_mkdir(const struct objdir_store *st, const char *path,
		 uint32_t flags, wsp_error *err)
{
	bool recursive = flags & WSP_FS_RECURSIVE;
	objdir_level *levels;
	int rc = 0, n;

	if (!strcmp(path, "."))
		return recursive ? 0
				 : wsp_error_set(err, WSP_EEXIST,
						 "cannot mkdir '.': exists");
	levels = malloc(OBJDIR_LEVELS_MAX * sizeof(*levels));
	if (!levels)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	/* without RECURSIVE only the path and its parent matter */
	n = missing_levels(levels, recursive ? OBJDIR_LEVELS_MAX + 1 : 2, st,
			   path, err);
	if (n < 0) {
		rc = n;
	} else if (!n && !recursive) {
		rc = wsp_error_set(err, WSP_EEXIST,
				   "cannot mkdir '%s': directory exists", path);
	} else if (n > 1 && !recursive) {
		char parent[OBJTREE_NAME_MAX + 1];

		parent_of(parent, sizeof(parent), path);
		rc = wsp_error_set(err, WSP_ENOTFOUND,
				   "cannot mkdir '%s': parent '%s' does not "
				   "exist",
				   path, parent);
	}
	/*
	 * A marker for every missing level, top down as mkdir -p goes, so
	 * removing the deepest one keeps its parents.
	 */
	for (int i = n - 1; !rc && i >= 0; i--) {
		strcat(levels[i], "/");
		rc = st->put_marker(st->self, levels[i], path, err);
	}
	free(levels);
	return rc;
}
