/*
 * core/skills.h - workspace skills (issue 20): SKILL.md files found under
 * the configured paths, as Mastra's Workspace has them.
 *
 * skill_parse.c   a SKILL.md's YAML front matter (libyaml, bounded) and
 *                 Mastra's checks of name and description (pure; fuzzed)
 * config_skills.c the skills: section of wsp.yaml
 * skills_find.c   where the skills are: listings through the file API
 * skills.c        the catalogue: skills loaded, checked, and their BM25
 *                 index (the search engine of search_db.c, in memory)
 * tool_skills.c   the `skill`, `skill_search` and `skill_read` tools
 */
#ifndef WSP_CORE_SKILLS_H
#define WSP_CORE_SKILLS_H

#include "internal.h"
#include "search.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

/* Bounds of untrusted skill files. */
#define WSP__SKILL_FILE_MAX  (1024 * 1024) /* a SKILL.md or reference read */
#define WSP__SKILL_FRONT_MAX (64 * 1024)   /* its front matter */
#define WSP__SKILL_NAME_MAX  64	    /* Mastra's (the Agent Skills spec) */
#define WSP__SKILL_DESC_MAX  2048   /* Mastra's (the spec says 1024) */
#define WSP__SKILLS_MAX	     1000   /* skills a workspace may have */
#define WSP__SKILL_FILES_MAX 1000   /* files one skill directory lists */

/* ---- one SKILL.md (skill_parse.c) -------------------------------------- */

struct wsp__skill_doc {
	char *name;
	char *description;
	cJSON *front;	    /* every front-matter key, as JSON (an object) */
	size_t body_off;    /* where the body starts in the text */
	uint32_t body_line; /* its first line, 1-based */
};

/*
 * Parse text (len bytes, at most WSP__SKILL_FILE_MAX) of the SKILL.md at
 * file (used in messages) whose directory is named dir_name: front matter
 * between '---' lines, a mapping with a valid name (matching dir_name)
 * and description. Returns 0; WSP_EINVAL with every problem in why
 * ("; "-separated); WSP_ENOMEM.
 */
WSP_INTERNAL int wsp__skill_parse(struct wsp__skill_doc *out,
				  const char *text, size_t len,
				  const char *file, const char *dir_name,
				  char *why, size_t cap);
WSP_INTERNAL void wsp__skill_doc_free(struct wsp__skill_doc *d);

/* ---- discovery (skills_find.c) ------------------------------------------ */

/* One entry of a listing: a workspace path. */
struct wsp__skill_ent {
	char *path;
	uint32_t type;
	uint32_t symlink;
	uint64_t size;
};

struct wsp__skill_listing {
	struct wsp__skill_ent *v; /* sorted by path */
	size_t n, cap, max;
	const char *base;
	int oom, truncated;
};

/*
 * Everything below dir (depth 0: all levels), at most max entries (then
 * truncated is set and the rest left out), .git skipped, sorted.
 */
WSP_INTERNAL int wsp__skills_list(struct wsp__skill_listing *l,
				  wsp_workspace *ws, const wsp_call *call,
				  const char *dir, uint32_t depth, size_t max,
				  wsp_error *err);
WSP_INTERNAL void wsp__skills_listing_free(struct wsp__skill_listing *l);

/* Skill directories found (unsorted, maybe repeated). */
struct wsp__skill_dirs {
	char **v;
	size_t n, cap;
	int oom;
};

/* The skill directories one skills: entry (a path or a glob) names. */
WSP_INTERNAL int wsp__skills_find_dirs(struct wsp__skill_dirs *d,
				       wsp_workspace *ws,
				       const wsp_call *call, const char *pat,
				       wsp_error *err);

/*
 * A failure e2 to read path ("read", "list" it): canceled, timed out or
 * out of memory ends discovery (copied to err, returned); anything else
 * is logged (unless not found) and 0 returned, the rest going on.
 */
WSP_INTERNAL int wsp__skills_fatal(wsp_workspace *ws, const char *what,
				   const char *path, const wsp_error *e2,
				   wsp_error *err);

/* The last component of a path. */
WSP_INTERNAL const char *wsp__skills_base_name(const char *path);

/* ---- the catalogue (skills.c) ------------------------------------------ */

struct wsp__skill {
	char *name;
	char *description;
	char *path;	    /* the skill's directory (workspace path) */
	char *instructions; /* the body, trimmed */
	cJSON *front;	    /* the front matter, every key */
	char **files;	    /* below path, relative, sorted */
	size_t n_files;
};

/* A SKILL.md that could not be used, and why. */
struct wsp__skill_problem {
	char *path;
	char *message;
};

struct wsp__skills {
	struct wsp__skill *v; /* sorted by name, then path */
	size_t n;
	struct wsp__skill_problem *bad;
	size_t n_bad;
	struct wsp__search_db *db; /* SKILL.md bodies and references */
	uint64_t indexed;	   /* bytes of text in db */
	size_t over_budget;	   /* files left out of db (too much text) */
	int64_t built_ns;	   /* CLOCK_MONOTONIC */
};

/*
 * The workspace's skills, discovered (again when older than 30 s or when
 * wsp changed a file, as Mastra re-checks) and locked for the caller until
 * wsp__skills_release. WSP_ENOTSUP without a skills: section.
 */
WSP_INTERNAL int wsp__skills_get(struct wsp__skills **out, wsp_workspace *ws,
				 const wsp_call *call, wsp_error *err);
WSP_INTERNAL void wsp__skills_release(wsp_workspace *ws);

/* Files changed (the file API wrote, a command ran): discover again. */
WSP_INTERNAL void wsp__skills_stale(wsp_workspace *ws);
/* Free the catalogue (wsp_workspace_close). */
WSP_INTERNAL void wsp__skills_close(wsp_workspace *ws);

/* Whether discovering the skills would start the sandbox (a mount of
 * `provider: sandbox` before any command ran): instructions must not. */
WSP_INTERNAL int wsp__skills_need_sandbox(wsp_workspace *ws);

/*
 * The skill an identifier names, as Mastra's tools resolve it: its path
 * (with or without "/SKILL.md"), else its name. NULL with *n_named = 0
 * when none; NULL with *n_named > 1 when several share the name.
 */
WSP_INTERNAL const struct wsp__skill *
wsp__skills_find(const struct wsp__skills *s, const char *id, size_t *n_named);

/* The skill a search hit's document (path) belongs to; *source is the
 * document's path relative to it ("SKILL.md", "references/a.md"). */
WSP_INTERNAL const struct wsp__skill *
wsp__skills_owner(const struct wsp__skills *s, const char *doc,
		  const char **source);

#endif /* WSP_CORE_SKILLS_H */
