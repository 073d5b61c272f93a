/*
 * core/config/config.h - the parsed wsp.yaml and the validated provider options.
 *
 * config_find.c   which file is used (the lookup order) and reading it
 * config_env.c    ${VAR} / ${VAR:-default} expansion
 * config_model.c  the document's shape: plugin_path, sandbox, mounts, tools
 * config_http.c   the http: section (the HTTP service's settings)
 * options.c       a provider's options checked against its declared schema
 * optvalue.c      the text forms of bool, int, duration and size
 * optrange.c      the min_value/max_value bounds of numeric options
 * config_show.c   the effective configuration, secrets masked
 */
#ifndef WSP_CORE_CONFIG_H
#define WSP_CORE_CONFIG_H

#include "diag.h"
#include "http.h"
#include "yaml_tree.h"

/* A provider chosen for the sandbox or for one mount. */
struct wsp__provider_ref {
	const char *provider;		    /* validated name ("local") */
	const struct wsp__ynode *node;	    /* the entry (position) */
	const struct wsp__ynode *prov_node; /* the provider: value */
	const struct wsp__ynode *options;   /* mapping, or NULL */
};

struct wsp__mount_cfg {
	char *path;		      /* normalised: "/", "/data" */
	const struct wsp__ynode *key; /* as written (position) */
	int read_only;
	/* sandbox_path: where the sandbox mounts this store too, or NULL */
	char *sandbox_path;
	const struct wsp__ynode *sandbox_node; /* its value (position) */
	struct wsp__provider_ref ref;
};

/*
 * tools.<name>: how the tool layer exposes one tool. An extension tool
 * (ext) is a provider's extension operation, exposed only when configured:
 * its own name is the key, target and op say which operation.
 */
struct wsp__tool_cfg {
	const char *tool;     /* the tool's own name ("execute_command") */
	int enabled;	      /* 1 unless `enabled: false` */
	const char *rename;   /* `name:`, or NULL */
	int require_approval; /* -1 unset, else 0/1 */
	const struct wsp__ynode *node; /* the key (position) */
	int ext;		       /* an extension tool */
	const char *target;	       /* ext: a provider name or mount path */
	const char *op;		       /* ext: the operation's name */
	const struct wsp__ynode *op_node; /* ext: the op: value (position) */
};

/*
 * http: what the HTTP service does for this workspace's providers. Zero
 * members of set were not configured (the service's defaults apply).
 */
struct wsp__http_cfg {
	wsp__http_settings set; /* set.ca_bundle points at ca_bundle */
	char *ca_bundle;	/* absolute path, or NULL */
};

/* search.mode: how a query is answered (docs/search.md). */
enum wsp__search_mode {
	WSP__SEARCH_BM25,
	WSP__SEARCH_VECTOR,
	WSP__SEARCH_HYBRID,
};

/*
 * search.embeddings: an OpenAI-compatible endpoint (config_search_embed.c).
 * url is NULL when the section is absent: then there are no vectors and
 * the vector and hybrid modes fall back to bm25.
 */
struct wsp__embed_cfg {
	char *url; /* base URL, no trailing '/'; POST {url}/embeddings */
	char *model;
	char *api_key;	     /* a secret: masked everywhere, or NULL */
	uint32_t dimensions; /* 0: learned from the first answer */
	uint32_t batch_size; /* chunks per request */
};

/*
 * search: workspace search over BM25 (config_search.c). configured is 0
 * when the section is absent: then the search tools do not exist.
 */
struct wsp__search_cfg {
	int configured;
	enum wsp__search_mode mode; /* the default of a query */
	int mode_set;		    /* mode: given (else auto, as Mastra) */
	double vector_weight;	    /* hybrid: the vector score's weight */
	struct wsp__embed_cfg embed;
	char **paths; /* auto_index_paths, normalised (globs allowed) */
	size_t n_paths;
	uint32_t chunk_chars; /* max_chunk_chars (Mastra's maxChunkChars) */
	uint32_t overlap_lines;
	uint64_t max_file_size; /* bytes of a file that are indexed */
	uint64_t max_files;	/* files auto-indexed at most */
	char *index_path;	/* absolute, or NULL: the state directory */
};

/*
 * skills: where SKILL.md files are (config_skills.c). configured is 0
 * when the section is absent: then the skill tools do not exist.
 */
struct wsp__skills_cfg {
	int configured;
	char **paths; /* workspace paths or globs, normalised */
	size_t n_paths;
};

/*
 * lsp: language servers run in the sandbox (config_lsp.c, docs/lsp.md).
 * Strings point into the configuration's tree or at built-in presets;
 * cmd_copy owns the pieces of a command given as one string.
 */
#define WSP__LSP_MAX_SERVERS 16
#define WSP__LSP_MAX_ARGS    32
#define WSP__LSP_MAX_TYPES   32

struct wsp__lsp_server_cfg {
	const char *name;
	const char *argv[WSP__LSP_MAX_ARGS + 1];   /* NULL-terminated */
	const char *types[WSP__LSP_MAX_TYPES + 1]; /* "c", "py"; no dot */
	const char *language_id; /* NULL: from the file's extension */
	char *cmd_copy;
	const struct wsp__ynode *node;
};

struct wsp__lsp_cfg {
	int configured;
	struct wsp__lsp_server_cfg servers[WSP__LSP_MAX_SERVERS];
	size_t n;
	int64_t init_timeout_ms;       /* start + initialize */
	int64_t diagnostic_timeout_ms; /* wait for a file's diagnostics */
	uint64_t max_chars;	       /* appended diagnostics text */
};

struct wsp__config {
	char *file;  /* name in messages: a path, "<default>", "<config>" */
	char *dir;   /* absolute directory relative paths resolve against */
	int is_file; /* came from a file (so `file` is a path) */
	struct wsp__ynode *root; /* owns every node below (expanded) */

	char **plugin_path; /* absolute directories, in order */
	const struct wsp__ynode **plugin_path_nodes;
	size_t n_plugin_path;

	int has_sandbox;
	/*
	 * `id:`, or one derived from dir ("ws-<16 hex>") so workspaces in
	 * different directories never share background processes or state,
	 * while every call from the same directory reconnects.
	 */
	const char *sandbox_id;
	char default_sandbox_id[24];
	struct wsp__provider_ref sandbox;

	struct wsp__mount_cfg *mounts;
	size_t n_mounts;

	struct wsp__tool_cfg *tools;
	size_t n_tools;

	struct wsp__http_cfg http;

	struct wsp__search_cfg search;

	struct wsp__skills_cfg skills;
	struct wsp__lsp_cfg lsp;
};

/* The configuration used when no file is found. */
extern const char wsp__default_config[];

/*
 * Load the configuration the options point to (see the lookup order in
 * <wsp/workspace.h>). Problems go to d; the return is 0, WSP_ECONFIG,
 * WSP_ENOTFOUND (an explicit file is missing: err says so), WSP_ENOMEM.
 */
WSP_INTERNAL int wsp__config_load(struct wsp__config **out,
				  const wsp_open_opts *opts,
				  struct wsp__diags *d, wsp_error *err);

/* Parse text named file, relative paths resolving against dir. */
WSP_INTERNAL int wsp__config_parse(struct wsp__config **out, const char *text,
				   size_t len, const char *file,
				   const char *dir, int is_file,
				   struct wsp__diags *d);

WSP_INTERNAL void wsp__config_free(struct wsp__config *cfg);

/*
 * Expand ${VAR} references of in into a new string (*out, malloc'd). On
 * failure writes the reason to why and returns WSP_ECONFIG (or
 * WSP_ETOOBIG, WSP_ENOMEM).
 */
WSP_INTERNAL int wsp__config_expand(char **out, const char *in, char *why,
				    size_t why_cap);

/* rel joined to dir unless absolute (malloc'd), or NULL. */
WSP_INTERNAL char *wsp__config_join(const char *dir, const char *rel);

/*
 * Check the http: section n into cfg->http; problems go to d. Returns 0,
 * or WSP_ENOMEM.
 */
WSP_INTERNAL int wsp__config_http_parse(struct wsp__config *cfg,
					const struct wsp__ynode *n,
					struct wsp__diags *d);

/*
 * "unknown key 'x' in WHERE; did you mean 'y'?" at key's position, the
 * suggestion taken from known (NULL-terminated) when one is close.
 */
WSP_INTERNAL void wsp__diag_unknown_key(struct wsp__diags *d, const char *file,
					const struct wsp__ynode *key,
					const char *where,
					const char *const *known);

/*
 * Check the search: section n into cfg->search; problems go to d. Returns
 * 0, or WSP_ENOMEM.
 */
WSP_INTERNAL int wsp__config_search_parse(struct wsp__config *cfg,
					  const struct wsp__ynode *n,
					  struct wsp__diags *d);
WSP_INTERNAL void wsp__config_search_free(struct wsp__search_cfg *s);
/* search.embeddings (config_search_embed.c): 0, or WSP_ENOMEM. */
WSP_INTERNAL int wsp__config_embed_parse(struct wsp__config *cfg,
					 const struct wsp__ynode *n,
					 struct wsp__diags *d);
WSP_INTERNAL void wsp__config_embed_free(struct wsp__embed_cfg *e);
/* "bm25", "vector", "hybrid" */
WSP_INTERNAL const char *wsp__search_mode_name(enum wsp__search_mode m);

/* The skills: section (config_skills.c), as the search: one above. */
WSP_INTERNAL int wsp__config_skills_parse(struct wsp__config *cfg,
					  const struct wsp__ynode *n,
					  struct wsp__diags *d);
WSP_INTERNAL void wsp__config_skills_free(struct wsp__skills_cfg *s);
/* The lsp: section n into cfg->lsp (config_lsp.c): 0 or WSP_ENOMEM. */
WSP_INTERNAL int wsp__config_lsp_parse(struct wsp__config *cfg,
				       const struct wsp__ynode *n,
				       struct wsp__diags *d);
WSP_INTERNAL void wsp__config_lsp_free(struct wsp__lsp_cfg *l);

/*
 * A section of the configuration that is a mapping of known keys (http:,
 * search:): where says which in messages ("'http'"). A null section is
 * fine; another kind, or an unknown key, is reported to d. For each known
 * key with a non-null value, key(k, key, val) is called, k its index in
 * known; its nonzero return (WSP_ENOMEM) ends the walk and is returned.
 */
typedef int (*wsp__config_key_fn)(struct wsp__config *cfg, size_t k,
				  const struct wsp__ynode *key,
				  const struct wsp__ynode *val,
				  struct wsp__diags *d);
WSP_INTERNAL int
wsp__config_section(struct wsp__config *cfg, const struct wsp__ynode *n,
		    const char *where, const char *const *known,
		    wsp__config_key_fn key, struct wsp__diags *d);

/* Edit distance, for "did you mean" suggestions. */
WSP_INTERNAL size_t wsp__edit_distance(const char *a, const char *b);

/*
 * The closest of candidates (NULL-terminated, or n entries with stride)
 * to word, if close enough to be a likely typo; else NULL.
 */
WSP_INTERNAL const char *wsp__suggest(const char *word,
				      const char *const *candidates);

/* ---- option values ---------------------------------------------------- */

/* One option's validated value (index = the spec's index). */
struct wsp__optval {
	int set; /* given, or defaulted */
	int from_default;
	char *text;   /* scalar text (STRING, SECRET, and the source) */
	int64_t i;    /* INT, DURATION (ms) */
	uint64_t u;   /* SIZE (bytes) */
	int b;	      /* BOOL */
	char **items; /* LIST: items; MAP: key, value, ...; NULL-ended */
	size_t n_items;
	const struct wsp__ynode *node; /* where it was given */
};

/* wsp_config of <wsp/options.h>: an instance's options. */
struct wsp_config {
	const wsp_option_spec *spec; /* normalised table of the provider */
	size_t n;
	struct wsp__optval *vals; /* n entries */
};

/*
 * Check a provider's options mapping (may be NULL) against spec (n
 * normalised entries) and build its values. what names the provider in
 * messages ("sandbox provider 'local'"); at is the entry the options
 * belong to (position of "missing required option" errors).
 */
WSP_INTERNAL int wsp__options_check(wsp_config **out,
				    const wsp_option_spec *spec, size_t n,
				    const struct wsp__ynode *options,
				    const struct wsp__ynode *at,
				    const char *what, const char *file,
				    struct wsp__diags *d);

WSP_INTERNAL void wsp__options_free(wsp_config *cfg);

/* Index of name in cfg's spec, or -1. */
WSP_INTERNAL long wsp__options_find(const wsp_config *cfg, const char *name);

/* What an error about a malformed duration or size suggests instead. */
#define WSP__DURATION_HINT                                                     \
	"use a number with ms, s, m, h or d (like 250ms, 1.5s, 5m)"
#define WSP__SIZE_HINT                                                         \
	"use a number with B, KiB, MiB, GiB, TiB (or K, M, G, T), KB, MB, "    \
	"GB or TB (like 512MiB)"

/*
 * Parse text as a value of the given type into v (not LIST or MAP). On
 * failure writes why (never the value itself for SECRET) and returns
 * WSP_EINVAL.
 */
WSP_INTERNAL int wsp__optvalue_parse(struct wsp__optval *v, uint32_t type,
				     const char *text, char *why,
				     size_t why_cap);

WSP_INTERNAL const char *wsp__option_type_name(uint32_t type);

/*
 * Replace the value of option name in cfg with text, read as YAML and
 * checked like the file's. Returns 0, WSP_ENOTFOUND (no such option),
 * WSP_EINVAL with why (a bad value), or WSP_ENOMEM.
 */
WSP_INTERNAL int wsp__options_override(wsp_config *cfg, const char *name,
				       const char *text, char *why, size_t cap);

/* 0 when s's default parses as its type; else why and WSP_EINVAL. */
WSP_INTERNAL int wsp__option_default_check(const wsp_option_spec *s, char *why,
					   size_t cap);

/*
 * 0 when s's min_value/max_value are well formed (optrange.c): only on
 * INT, DURATION and SIZE options, each parses as the type, min not above
 * max. Else why and WSP_EINVAL.
 */
WSP_INTERNAL int wsp__option_bounds_check(const wsp_option_spec *s, char *why,
					  size_t cap);

/*
 * 0 when v (parsed from text) lies within s's bounds; else why (naming
 * the option, the value as written and the bounds) and WSP_EINVAL.
 */
WSP_INTERNAL int wsp__option_in_range(const struct wsp__optval *v,
				      const wsp_option_spec *s,
				      const char *text, char *why,
				      size_t cap);

#endif /* WSP_CORE_CONFIG_H */
