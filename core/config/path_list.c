/*
 * core/config/path_list.c - a list of workspace paths or globs in
 * wsp.yaml, as search.auto_index_paths and skills write it (path_list.h).
 */
#include "path_list.h"

#include <wsp/files.h>

#include <stdlib.h>
#include <string.h>

#define MAX_PATHS   64
#define MAX_PATTERN 1024

#define AT(n) (n)->line, (n)->col

static int add_path(char **paths, size_t *n_paths,
		    const struct wsp__config *cfg, const struct wsp__ynode *n,
		    const char *key, int refuse_empty, struct wsp__diags *d)
{
	char norm[WSP_FILES_PATH_MAX + 2];
	wsp_error err;

	if (n->type != WSP__Y_SCALAR || wsp__yaml_is_null(n) ||
	    (refuse_empty && !n->value[0])) {
		wsp__diag_add(d, cfg->file, AT(n),
			      "an entry of '%s' must be a path or a glob, "
			      "not %s",
			      key,
			      n->type == WSP__Y_SCALAR && refuse_empty
				      ? "empty"
				      : wsp__yaml_type_name(n));
		return 0;
	}
	if (strlen(n->value) > MAX_PATTERN) {
		wsp__diag_add(d, cfg->file, AT(n),
			      "an entry of '%s' is longer than %d bytes", key,
			      MAX_PATTERN);
		return 0;
	}
	/* '..' climbing out and over-long paths are refused as a file
	 * call would refuse them; glob characters pass through. */
	if (wsp_files_normalize(norm, sizeof(norm), n->value, &err)) {
		wsp__diag_add(d, cfg->file, AT(n), "'%s': '%.128s': %s", key,
			      n->value, err.message);
		return 0;
	}
	paths[*n_paths] = strdup(norm);
	if (!paths[*n_paths])
		return WSP_ENOMEM;
	(*n_paths)++;
	return 0;
}

int wsp__config_path_list(char ***out, size_t *out_n,
			  const struct wsp__config *cfg,
			  const struct wsp__ynode *n, const char *key,
			  const char *hint, int refuse_empty,
			  struct wsp__diags *d)
{
	size_t i, cnt = n->type == WSP__Y_SEQ ? n->n : 1;
	int rc = 0;

	if (n->type == WSP__Y_MAP) {
		wsp__diag_add(d, cfg->file, AT(n),
			      "'%s' must be a list of paths or globs%s, not a "
			      "mapping",
			      key, hint);
		return 0;
	}
	if (cnt > MAX_PATHS) {
		wsp__diag_add(d, cfg->file, AT(n),
			      "'%s' has %zu entries; the limit is %d (use "
			      "globs)",
			      key, cnt, MAX_PATHS);
		return 0;
	}
	*out = calloc(cnt + 1, sizeof(char *));
	if (!*out)
		return WSP_ENOMEM;
	if (n->type == WSP__Y_SCALAR)
		return add_path(*out, out_n, cfg, n, key, refuse_empty, d);
	for (i = 0; !rc && i < n->n; i++)
		rc = add_path(*out, out_n, cfg, n->items[i], key, refuse_empty,
			      d);
	return rc;
}
