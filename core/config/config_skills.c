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
#include "path_list.h"

#include <stdlib.h>
#include <string.h>

void wsp__config_skills_free(struct wsp__skills_cfg *s)
{
	size_t i;

	for (i = 0; i < s->n_paths; i++)
		free(s->paths[i]);
	free(s->paths);
	memset(s, 0, sizeof(*s));
}

int wsp__config_skills_parse(struct wsp__config *cfg,
			     const struct wsp__ynode *n, struct wsp__diags *d)
{
	cfg->skills.configured = 1;
	if (wsp__yaml_is_null(n))
		return 0; /* skills: with no paths: no skill, tools listed */
	return wsp__config_path_list(&cfg->skills.paths, &cfg->skills.n_paths,
				     cfg, n, "skills",
				     " (where SKILL.md files are)", 1, d);
}
