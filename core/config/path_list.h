/*
 * core/config/path_list.h - a list of workspace paths or globs in
 * wsp.yaml (search.auto_index_paths, skills), read one way.
 */
#ifndef WSP_CORE_CONFIG_PATH_LIST_H
#define WSP_CORE_CONFIG_PATH_LIST_H

#include "config.h"

/*
 * The list at n under key (named in every message): one scalar or a
 * sequence of them, each normalised as a file call would (relative ones
 * below "/", ".." above "/" refused, glob characters kept), at most 64
 * entries of at most 1024 bytes: the file is untrusted input, and the list
 * decides how much is read. hint follows "a list of paths or globs" in the
 * message for a mapping ("" for none); with refuse_empty an empty string
 * is refused too. Problems go to d and leave the entry out (a mapping or
 * too many entries: the whole list); only WSP_ENOMEM is returned. *out is
 * NULL-ended, its strings and itself freed by the section's _free.
 */
WSP_INTERNAL int wsp__config_path_list(char ***out, size_t *out_n,
				       const struct wsp__config *cfg,
				       const struct wsp__ynode *n,
				       const char *key, const char *hint,
				       int refuse_empty, struct wsp__diags *d);

#endif /* WSP_CORE_CONFIG_PATH_LIST_H */
