/*
 * toolkit/tools_impl.h - what the tool layer's modules share (never
 * installed).
 *
 * tools.c         the set: which tools, config (enable, rename,
 *                 approval), call dispatch
 * tools_schema.c  argument validation against a tool's JSON Schema
 * tools_guard.c   read tracker (stale writes) and per-path write locks
 * tools_ext.c     providers' extension operations the configuration exposes
 * tools_text.c    output shaping: tail lines, token sandwich, line clip
 * tool_*.c        one tool (or a family) each
 */
#ifndef WSP_TOOLKIT_TOOLS_IMPL_H
#define WSP_TOOLKIT_TOOLS_IMPL_H

#include "glob.h"
#include "internal.h"
#include "json_num.h"
#include "tbuf.h"

#include <wsp/cancel.h>
#include <wsp/tools.h>
#include <wsp/wsp.h>

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdint.h>

/* ---- a call ----------------------------------------------------------- */

struct wsp__tool_def;

struct wsp__tool_ctx {
	wsp_tools *set;
	wsp_workspace *ws;
	const struct wsp__tool_def *def;
	const char *name;		/* exposed name */
	const cJSON *args;		/* validated object */
	const wsp_tool_call_opts *opts; /* never NULL */
	/* opts->cancel, no deadline: the call every slot gets. */
	wsp_call call;
	struct wsp__tbuf out;		/* the result text */
	int is_error;
	const char *media_type; /* static; with media: read_file's image */
	struct wsp__tbuf media; /* base64 */
};

/*
 * Set the result to an error text (replacing what was there); control
 * characters of quoted input are escaped (wsp__escape_ctl).
 */
WSP_INTERNAL int wsp__tool_fail(struct wsp__tool_ctx *c, const char *fmt, ...)
	WSP_PRINTF(2, 3);

/*
 * "Error: <message>" for a failed call, with the service's detail
 * (wsp_error_detail(): " (HTTP 404, NoSuchKey)") as the CLI prints it.
 */
WSP_INTERNAL int wsp__tool_fail_err(struct wsp__tool_ctx *c,
				    const wsp_error *err);
/*
 * Append a one-line message that quotes user input (a path, a process id)
 * to the result, control characters escaped as in wsp__tool_fail().
 */
WSP_INTERNAL int wsp__tool_say(struct wsp__tool_ctx *c, const char *fmt, ...)
	WSP_PRINTF(2, 3);

/* Argument getters: the schema was checked, so only absence is left. */
WSP_INTERNAL const char *wsp__arg_str(const struct wsp__tool_ctx *c,
				      const char *key, const char *dflt);
WSP_INTERNAL int wsp__arg_bool(const struct wsp__tool_ctx *c, const char *key,
			       int dflt);
/* Numbers: *present says whether it was given (not null). */
WSP_INTERNAL double wsp__arg_num(const struct wsp__tool_ctx *c, const char *key,
				 double dflt, int *present);
/*
 * Integers (a fraction dropped toward zero): *out is args[key], or dflt
 * when absent or null, and 0 is returned. A number outside [lo, hi]
 * (infinity too) is never converted (json_num.h): the call's result is
 * an error naming key, and -1 is returned.
 */
WSP_INTERNAL int wsp__arg_int(struct wsp__tool_ctx *c, const char *key,
			      int64_t dflt, int64_t lo, int64_t hi,
			      int64_t *out);

/* |n| as a line count (tail: negative means the same as positive). */
static inline size_t wsp__abs_count(int64_t n)
{
	uint64_t u = n < 0 ? 0 - (uint64_t)n : (uint64_t)n;

	return u > 1000000000u ? 1000000000u : (size_t)u;
}

/* wsp__tool_def.flags (beyond the public WSP_TOOL_*) */
#define WSP__TOOL_NEEDS_FS	(1u << 8)  /* only with a mount table */
#define WSP__TOOL_NEEDS_SANDBOX (1u << 9)  /* only with a sandbox */
#define WSP__TOOL_NEEDS_PROCS	(1u << 10) /* with a process manager */
#define WSP__TOOL_NEEDS_SEARCH	(1u << 11) /* with a search: section */
#define WSP__TOOL_NEEDS_SKILLS	(1u << 15) /* with a skills: section */
#define WSP__TOOL_NEEDS_LSP	(1u << 12) /* with an lsp: section */

struct wsp__tool_def {
	const char *name;
	const char *description;
	const char *schema; /* JSON text */
	uint32_t flags;	    /* WSP_TOOL_WRITES, _STREAMS, WSP__TOOL_NEEDS_* */
	/* Optional: an argument a model may send as numeric text ("30"),
	 * made a number before validation (Mastra accepts both). */
	const char *numeric_text_arg;
	/* Run: fill c->out; return 0, or a negative code for an internal
	 * failure (out of memory) that the set turns into an error result. */
	int (*run)(struct wsp__tool_ctx *c);
};

/* ---- schema validation ------------------------------------------------ */

/*
 * Check value against schema (a parsed JSON Schema subset: type, enum,
 * properties, required, additionalProperties, items, minimum, maximum,
 * minLength, maxLength, minItems). On failure writes why (naming the
 * property) and returns WSP_EINVAL.
 */
WSP_INTERNAL int wsp__schema_check(const cJSON *schema, const cJSON *value,
				   char *why, size_t why_cap);

/* ---- guard: read tracker and write locks ------------------------------ */

struct wsp__guard;

WSP_INTERNAL struct wsp__guard *wsp__guard_new(void);
WSP_INTERNAL void wsp__guard_free(struct wsp__guard *g);
/* Remember the version of a file the agent was shown. */
WSP_INTERNAL void wsp__guard_note_read(struct wsp__guard *g, const char *path,
				       const char *version);
/* The version last read (copied into out), or 0 if never read. */
WSP_INTERNAL int wsp__guard_last_read(struct wsp__guard *g, const char *path,
				      char *out, size_t cap);
WSP_INTERNAL void wsp__guard_forget(struct wsp__guard *g, const char *path);
/* One writer per path: WSP_ETIMEDOUT after timeout_ms. */
WSP_INTERNAL int wsp__guard_lock(struct wsp__guard *g, const char *path,
				 int64_t timeout_ms);
WSP_INTERNAL void wsp__guard_unlock(struct wsp__guard *g, const char *path);

/* ---- output shaping --------------------------------------------------- */

/* Defaults shared with Mastra. */
#define WSP__TAIL_LINES	   200	/* command output lines */
#define WSP__CMD_TOKENS	   2000 /* sandwich budget of command output */
#define WSP__OUTPUT_TOKENS 3000 /* read_file, list_files, grep */

/* Estimated tokens of text (about four bytes a token, as tokenx does). */
WSP_INTERNAL size_t wsp__text_tokens(const char *s, size_t len);
/*
 * Append command output s to b as Mastra's truncateOutput does: the last
 * `tail` lines (0 = all) with a "[showing last N of M lines]" note, then
 * a head+tail sandwich when over max_tokens (10 % head, 90 % tail).
 */
WSP_INTERNAL void wsp__text_truncate(struct wsp__tbuf *b, const char *s,
				     size_t len, size_t tail,
				     size_t max_tokens);
/*
 * Append s to b keeping its first lines within max_tokens, then an
 * "[output truncated: showing first ~K of ~T tokens]" note.
 */
WSP_INTERNAL void wsp__text_limit(struct wsp__tbuf *b, const char *s,
				  size_t len, size_t max_tokens);
/*
 * A trailing "| tail -N" / "| tail -n N" of a shell command: N (0: none)
 * and in *cut the length of the command without it.
 */
WSP_INTERNAL size_t wsp__strip_tail_pipe(const char *cmd, size_t *cut);
/*
 * Command output for a model: stdout alone, "stderr:\n..." alone, or both
 * labelled "stdout:" / "stderr:"; each cut by wsp__text_truncate(tail).
 */
WSP_INTERNAL void wsp__format_streams(struct wsp__tbuf *b, const char *out,
				      size_t out_len, const char *err,
				      size_t err_len, size_t tail);
/* Append s with ANSI escape sequences removed. */
WSP_INTERNAL void wsp__text_strip_ansi(struct wsp__tbuf *b, const char *s,
				       size_t len);

/* ---- configuration ---------------------------------------------------- */

struct wsp__tool_settings {
	int enabled;
	const char *rename; /* NULL: the tool's own name */
	int require_approval;
};

/* tools.<tool> of the workspace's configuration, defaults filled in. */
WSP_INTERNAL void wsp__tools_settings(struct wsp__tool_settings *st,
				      wsp_workspace *ws, const char *tool);

/* ---- the tools -------------------------------------------------------- */

extern const struct wsp__tool_def wsp__tool_execute_command;
extern const struct wsp__tool_def wsp__tool_get_process_output;
extern const struct wsp__tool_def wsp__tool_kill_process;
extern const struct wsp__tool_def wsp__tool_read_file;
extern const struct wsp__tool_def wsp__tool_write_file;
extern const struct wsp__tool_def wsp__tool_edit_file;
extern const struct wsp__tool_def wsp__tool_list_files;
extern const struct wsp__tool_def wsp__tool_delete;
extern const struct wsp__tool_def wsp__tool_file_stat;
extern const struct wsp__tool_def wsp__tool_mkdir;
extern const struct wsp__tool_def wsp__tool_grep;
extern const struct wsp__tool_def wsp__tool_search;
extern const struct wsp__tool_def wsp__tool_index;
extern const struct wsp__tool_def wsp__tool_skill;
extern const struct wsp__tool_def wsp__tool_skill_search;
extern const struct wsp__tool_def wsp__tool_skill_read;
extern const struct wsp__tool_def wsp__tool_lsp_inspect;

/* The tools a set may hold, in listing order (those built so far). */
#define WSP__TOOL_LIST                                                         \
	&wsp__tool_execute_command, &wsp__tool_get_process_output,             \
		&wsp__tool_kill_process, &wsp__tool_read_file,                 \
		&wsp__tool_write_file, &wsp__tool_edit_file,                   \
		&wsp__tool_list_files, &wsp__tool_delete,                      \
		&wsp__tool_file_stat, &wsp__tool_mkdir, &wsp__tool_grep,       \
		&wsp__tool_search, &wsp__tool_index, &wsp__tool_lsp_inspect,    \
		WSP__SKILL_TOOLS

/* Mastra's skill tools (tool_skills.c), listed after the others. */
#define WSP__SKILL_TOOLS                                                       \
	&wsp__tool_skill, &wsp__tool_skill_search, &wsp__tool_skill_read

/* ---- extension operations as tools ----------------------------------- */

struct wsp__tool_cfg;

/*
 * The definition of extension tool tc (an `ext` entry of the
 * configuration): the provider is loaded, not started. WSP_ECONFIG, with
 * the entry's FILE:LINE:COL, when its target, op or signature is wrong.
 * Free with wsp__tools_ext_free.
 */
WSP_INTERNAL int wsp__tools_ext_def(struct wsp__tool_def **out,
				    wsp_workspace *ws,
				    const struct wsp__tool_cfg *tc,
				    wsp_error *err);
WSP_INTERNAL void wsp__tools_ext_free(struct wsp__tool_def *def);

/* ---- paths and tree walks (globs and .gitignore: core/glob.h) ------- */

/* A path as a lock/read-tracker key: "/a/b" ("./a//b/" -> "/a/b"). */
WSP_INTERNAL void wsp__tools_path_key(char *out, size_t cap, const char *path);

struct wsp__walk_entry {
	char *path; /* relative to the walked directory */
	const char *name;
	char *target; /* symlink target or NULL */
	uint32_t type;
	uint32_t depth;
	uint32_t is_symlink;
	uint64_t size;
};

struct wsp__walk {
	struct wsp__walk_entry *v;
	size_t n, cap;
	int truncated; /* hit max_entries */
};

/*
 * Filter of a walk: 0 drops an entry (its path is relative to the walked
 * directory) before it is kept; called in listing order, so it must judge
 * from the path alone (an ignored directory's children are dropped by
 * checking their ancestors, which is what the ignore rules do).
 */
typedef int (*wsp__walk_keep_fn)(const wsp_fs_entry *entry, void *payload);

/*
 * Everything below path in one recursive listing (max_depth 0 =
 * unlimited), sorted so that a directory's subtree directly follows it.
 * keep (may be NULL) filters entries as they come, so pruned subtrees
 * cost no memory. At most max_entries are kept (walk->truncated then
 * set).
 */
WSP_INTERNAL int wsp__walk(struct wsp__walk *w, wsp_workspace *ws,
			   const char *path, uint32_t max_depth,
			   size_t max_entries, wsp__walk_keep_fn keep,
			   void *keep_payload, const wsp_call *call,
			   wsp_error *err);
WSP_INTERNAL void wsp__walk_free(struct wsp__walk *w);
/* Index of the first entry after v[i]'s subtree. */
WSP_INTERNAL size_t wsp__walk_skip(const struct wsp__walk *w, size_t i);

/* ---- the set's shared state, for tools -------------------------------- */

WSP_INTERNAL struct wsp__guard *wsp__tools_guard(wsp_tools *set);
WSP_INTERNAL uint32_t wsp__tools_flags(const wsp_tools *set);
struct wsp__lsp;
/* The set's language servers (lsp.h), or NULL without an lsp: section. */
WSP_INTERNAL struct wsp__lsp *wsp__tools_lsp(wsp_tools *set);
/* Remember a background process the set started (for kill_background). */
WSP_INTERNAL void wsp__tools_note_spawn(wsp_tools *set, const char *id);

#endif /* WSP_TOOLKIT_TOOLS_IMPL_H */
