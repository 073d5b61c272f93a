/*
 * core/glob.h - glob patterns and .gitignore rules matched against
 * '/'-separated relative paths (never installed): list_files' and grep's
 * patterns, the search index's and the skills' directory scans.
 */
#ifndef WSP_CORE_GLOB_H
#define WSP_CORE_GLOB_H

#include "internal.h"

#include <stddef.h>

/* dir + "/" + rel ("/" + rel when dir is "/"); -1 when cap is too small. */
WSP_INTERNAL int wsp__path_join(char *out, size_t cap, const char *dir,
				const char *rel);

/* True if s has glob syntax (* ? [ {). */
WSP_INTERNAL int wsp__glob_has_magic(const char *s);
/* The directory a glob's matches are below: its part before the first
 * component with glob syntax ("/a/b/[star].c" -> "/a/b"); s itself when it
 * has none. */
WSP_INTERNAL void wsp__glob_base(char *out, size_t cap, const char *pat);
/*
 * Match path against a glob: `*` and `?` within one component, `**`
 * across components, `[...]` classes, `{a,b}` alternatives. With dot
 * false, a component starting with '.' only matches a pattern component
 * that starts with '.' too.
 */
WSP_INTERNAL int wsp__glob_match(const char *pattern, const char *path,
				 int dot);

/* A component of relative path rel starts with '.' / is ".git". */
WSP_INTERNAL int wsp__path_has_hidden(const char *rel);
WSP_INTERNAL int wsp__path_has_git(const char *rel);

struct wsp__gitignore;

/* Parse .gitignore text (NULL-safe: NULL text gives NULL). */
WSP_INTERNAL struct wsp__gitignore *wsp__gitignore_parse(const char *text,
							 size_t len);
WSP_INTERNAL void wsp__gitignore_free(struct wsp__gitignore *gi);
/* path relative to the .gitignore's directory; is_dir for directories. */
WSP_INTERNAL int wsp__gitignore_match(const struct wsp__gitignore *gi,
				      const char *path, int is_dir);

#endif /* WSP_CORE_GLOB_H */
