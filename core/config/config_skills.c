/*
 * core/config/config_skills.c - the skills: section of wsp.yaml (issue 20): where
 * the workspace's SKILL.md files are, as Mastra's Workspace `skills`
 * option.
 *
 *   skills:
 *     - /skills                 a directory of skill directories, or a skill
 *     - "/team/[star][star]/SKILL.md"  a glob (written with real stars)
 *
 * Entries are workspace paths (relative ones are below "/"; ".." above "/"
 * is refused), at most 64 of at most 1024 bytes: the file is untrusted
 * input, and the list decides how much discovery lists and reads.
 */
#include "config.h"

#include <wsp/files.h>

#include <stdlib.h>
#include <string.h>

#define MAX_PATHS   64
#define MAX_PATTERN 1024

#define AT(n) (n)->line, (n)->col

void wsp__config_skills_free(struct wsp__skills_cfg *s)
{
	size_t i;

	for (i = 0; i < s->n_paths; i++)
		free(s->paths[i]);
	free(s->paths);
	memset(s, 0, sizeof(*s));
}

static int add_path(struct wsp__config *cfg, const struct wsp__ynode *n,
		    struct wsp__diags *d)
{
	struct wsp__skills_cfg *s = &cfg->skills;
	char norm[WSP_FILES_PATH_MAX + 2];
	wsp_error err;

	if (n->type != WSP__Y_SCALAR || wsp__yaml_is_null(n) || !n->value[0]) {
		wsp__diag_add(d, cfg->file, AT(n),
			      "an entry of 'skills' must be a path or a glob, "
			      "not %s",
			      n->type == WSP__Y_SCALAR
				      ? "empty"
				      : wsp__yaml_type_name(n));
		return 0;
	}
	if (strlen(n->value) > MAX_PATTERN) {
		wsp__diag_add(d, cfg->file, AT(n),
			      "an entry of 'skills' is longer than %d bytes",
			      MAX_PATTERN);
		return 0;
	}
	if (wsp_files_normalize(norm, sizeof(norm), n->value, &err)) {
		wsp__diag_add(d, cfg->file, AT(n), "'skills': '%.128s': %s",
			      n->value, err.message);
		return 0;
	}
	s->paths[s->n_paths] = strdup(norm);
	if (!s->paths[s->n_paths])
		return WSP_ENOMEM;
	s->n_paths++;
	return 0;
}

int wsp__config_skills_parse(struct wsp__config *cfg,
			     const struct wsp__ynode *n, struct wsp__diags *d)
{
	size_t i, cnt;
	int rc = 0;

	cfg->skills.configured = 1;
	if (wsp__yaml_is_null(n))
		return 0; /* skills: with no paths: no skill, tools listed */
	if (n->type == WSP__Y_MAP) {
		wsp__diag_add(d, cfg->file, AT(n),
			      "'skills' must be a list of paths or globs "
			      "(where SKILL.md files are), not a mapping");
		return 0;
	}
	cnt = n->type == WSP__Y_SEQ ? n->n : 1;
	if (cnt > MAX_PATHS) {
		wsp__diag_add(d, cfg->file, AT(n),
			      "'skills' has %zu entries; the limit is %d (use "
			      "globs)",
			      cnt, MAX_PATHS);
		return 0;
	}
	cfg->skills.paths = calloc(cnt + 1, sizeof(char *));
	if (!cfg->skills.paths)
		return WSP_ENOMEM;
	if (n->type == WSP__Y_SCALAR)
		return add_path(cfg, n, d);
	for (i = 0; !rc && i < n->n; i++)
		rc = add_path(cfg, n->items[i], d);
	return rc;
}
