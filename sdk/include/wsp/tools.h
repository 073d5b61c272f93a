/*
 * wsp/tools.h - embedding API: the agent tools of a workspace.
 *
 * A tool set exposes a workspace to an AI agent as Mastra's workspace
 * tools (same names without the `mastra_workspace_` prefix, same
 * parameters, defaults, output text and limits): execute_command,
 * get_process_output, kill_process, read_file, write_file, edit_file,
 * list_files, delete, file_stat, mkdir, grep. The same set is what
 * `wsp mcp` serves and what `wsp tool NAME JSON` runs.
 *
 * Which tools a set holds follows the workspace: write tools are absent
 * when every mount is read-only, process tools when the sandbox keeps no
 * background processes; the `tools:` section of the configuration can
 * disable (`enabled: false`), rename (`name:`) or guard
 * (`require_approval: true`) each tool. It can also expose a provider's
 * extension operations (<wsp/ext.h>) as tools: an entry with `target:` and
 * `op:` under a name of its own; none is exposed unless named.
 *
 * Arguments and schemas are JSON text. A call validates its arguments
 * against the tool's schema (wrong type, missing required or unknown
 * property: an error naming the property) before the tool runs.
 *
 * Safety the set keeps across calls: a write to a file the agent read
 * fails when the file changed since (stale write); with
 * WSP_TOOLS_READ_BEFORE_WRITE an existing file must have been read before
 * it is overwritten or edited; writes to one path are serialised.
 *
 * Thread safety: a set may be called from several threads at once.
 */
#ifndef WSP_TOOLS_H
#define WSP_TOOLS_H

#include <wsp/common.h>
#include <wsp/sandbox.h>
#include <wsp/workspace.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct wsp_tools wsp_tools;

/* wsp_tools_opts.flags */
#define WSP_TOOLS_READ_BEFORE_WRITE (1u << 0) /* refuse blind overwrites */

typedef struct wsp_tools_opts {
	uint32_t struct_size;
	uint32_t flags; /* WSP_TOOLS_* */
} wsp_tools_opts;

#define WSP_TOOLS_OPTS_INIT                                                    \
	{                                                                      \
		sizeof(wsp_tools_opts), 0                                      \
	}

/*
 * Deprecated since wsp 0.5.0: the spelling before every options struct
 * was wsp_*_opts. Kept so that code written for 0.3 and 0.4 still
 * compiles (same type, same layout: nothing changes for binaries); define
 * WSP_NO_DEPRECATED to make sure a program no longer uses it. It goes with
 * the next major.
 */
#ifndef WSP_NO_DEPRECATED
typedef wsp_tools_opts wsp_tools_options;
#define WSP_TOOLS_OPTIONS_INIT WSP_TOOLS_OPTS_INIT
#endif

/*
 * Build the tool set of a workspace (opts may be NULL). The workspace
 * must outlive the set. Fails with WSP_ECONFIG when the `tools:` section
 * names an unknown tool or renames two tools alike, or when an extension
 * tool's target or operation does not exist (the message then starts
 * with FILE:LINE:COL). No provider is started (init) here: the sandbox's
 * provider and the extension tools' targets are loaded to read their
 * descriptors (whether the sandbox has a process manager, the
 * operations' signatures) and their options checked; the first call that
 * needs an instance starts it.
 */
WSP_EXTERN int wsp_tools_open(wsp_tools **out, wsp_workspace *ws,
			      const wsp_tools_opts *opts, wsp_error *err);

/* Release a tool set. NULL is a no-op. */
WSP_EXTERN void wsp_tools_close(wsp_tools *tools);

/* wsp_tool_info.flags */
#define WSP_TOOL_WRITES		  (1u << 0) /* changes files */
#define WSP_TOOL_REQUIRE_APPROVAL (1u << 1) /* asks the approval callback */
#define WSP_TOOL_STREAMS	  (1u << 2) /* may stream command output */

typedef struct wsp_tool_info {
	uint32_t struct_size; /* set by the caller */
	uint32_t flags;	      /* WSP_TOOL_* */
	const char *name;     /* exposed name (after any rename) */
	const char *tool;     /* the tool's own name ("execute_command") */
	const char *description;
	const char *input_schema; /* JSON Schema of the arguments (object) */
} wsp_tool_info;

/* Number of tools in the set. */
WSP_EXTERN size_t wsp_tools_count(const wsp_tools *tools);

/*
 * Describe tool number index (0 <= index < count); the strings live as
 * long as the set. WSP_ENOTFOUND past the end.
 */
WSP_EXTERN int wsp_tools_get(wsp_tool_info *out, const wsp_tools *tools,
			     size_t index);

/*
 * The whole list as a JSON array of {"name", "description",
 * "inputSchema"} objects (MCP's tools/list shape), NUL-terminated, in
 * *out; free it with wsp_tools_free().
 */
WSP_EXTERN int wsp_tools_list_json(char **out, const wsp_tools *tools,
				   wsp_error *err);

/*
 * Text for an agent's system prompt describing the workspace: the
 * sandbox, then the mounts (path, read-only). Starts no provider: until
 * a call has started the sandbox, it is named from the configuration (id,
 * provider) with a note that the first command starts it; once started,
 * its provider's own instructions are used. Free with wsp_tools_free().
 */
WSP_EXTERN int wsp_tools_instructions(char **out, wsp_workspace *ws,
				      wsp_error *err);

/* Free memory the functions of this header returned. NULL is a no-op. */
WSP_EXTERN void wsp_tools_free(void *ptr);

/*
 * Asked before a tool that requires approval runs: name is the exposed
 * name, args_json the validated arguments. Return 1 to run it, 0 to
 * refuse (the call then reports that approval was denied), or a negative
 * wsp_errcode to fail the call.
 */
typedef int (*wsp_tool_approve_fn)(const char *name, const char *args_json,
				   void *payload);

typedef struct wsp_tool_call_opts {
	uint32_t struct_size;
	uint32_t flags; /* reserved, zero */
	/* Command output as it is produced (execute_command, wait). */
	wsp_output_fn on_output;
	void *output_payload;
	/* NULL: tools that require approval are refused. */
	wsp_tool_approve_fn approve;
	void *approve_payload;
	const wsp_cancel *cancel; /* NULL = none */
} wsp_tool_call_opts;

#define WSP_TOOL_CALL_OPTS_INIT                                                \
	{                                                                      \
		sizeof(wsp_tool_call_opts), 0, NULL, NULL, NULL, NULL, NULL    \
	}

typedef struct wsp_tool_result {
	uint32_t struct_size; /* set by the caller */
	int is_error;	      /* the tool failed; text says why */
	char *text;	      /* NUL-terminated result for the model */
	size_t len;
	/*
	 * A file shown to the model as media besides the text (read_file of
	 * a PNG, JPEG, GIF or WebP image or a PDF up to 10 MiB): its MIME
	 * type and its bytes in base64 (NUL-terminated). NULL when none.
	 */
	const char *media_type;
	char *media_base64;
	size_t media_len;
} wsp_tool_result;

/*
 * Run tool `name` (the exposed name) with args_json (a JSON object; NULL
 * or "" = {}). Returns 0 when the call was made, even if the tool failed
 * (out->is_error then set, out->text saying why, as the model should see
 * it). Returns WSP_ENOTFOUND for an unknown tool and WSP_EINVAL for
 * arguments that are not JSON or break the schema (err says which
 * property and why); WSP_ETOOBIG for arguments over 16 MiB. Release out
 * with wsp_tool_result_release().
 */
WSP_EXTERN int wsp_tool_call(wsp_tool_result *out, wsp_tools *tools,
			     const char *name, const char *args_json,
			     const wsp_tool_call_opts *opts, wsp_error *err);

/* Free a result's text. */
WSP_EXTERN void wsp_tool_result_release(wsp_tool_result *result);

/*
 * Kill the background processes this set started (execute_command with
 * background: true) that still run, and release them. For a session that
 * should not leave processes behind; by default they outlive the set.
 */
WSP_EXTERN int wsp_tools_kill_background(wsp_tools *tools, wsp_error *err);

#ifdef __cplusplus
}
#endif
#endif /* WSP_TOOLS_H */
