/*
 * core/internal.h - what the core's modules share (never installed).
 *
 * The workspace module (workspace.c) owns configuration and provider
 * loading; the exec module and the files module (mount table) reach the
 * loaded providers only through the accessors below, which load a
 * provider the first time it is needed.
 */
#ifndef WSP_CORE_INTERNAL_H
#define WSP_CORE_INTERNAL_H

#include <wsp/plugin.h>
#include <wsp/plugins.h>
#include <wsp/workspace.h>

/* Internal non-static functions are named wsp__<module>_<verb>. */
#define WSP_INTERNAL __attribute__((visibility("hidden")))

/* A loaded plugin: sized copies of what it declared (newer slots zero). */
typedef struct wsp__provider {
	char *path;		    /* the .so that was loaded */
	void *dl;		    /* dlopen handle, never closed once used */
	wsp_plugin_desc desc;	    /* copy; strings still point into the .so */
	wsp_fs_vtable fs;	    /* zeroed unless desc.fs was set */
	wsp_sandbox_vtable sandbox; /* zeroed unless desc.sandbox was set */
	wsp_procmgr_vtable procmgr; /* zeroed unless desc.procmgr was set */
	int has_fs, has_sandbox, has_procmgr;
	wsp_fs_vtable sandbox_fs; /* a sandbox's own files; zeroed if none */
	int has_sandbox_fs;
	/* The option and extension tables, copied into this core's layout. */
	wsp_option_spec *options; /* n_options entries + a NULL-name end */
	size_t n_options;
	wsp_ext_op *ext_ops; /* n_ext_ops entries + a NULL-name end */
	size_t n_ext_ops;
} wsp__provider;

/* One initialised provider instance (the sandbox, or one mount). */
typedef struct wsp__instance {
	wsp__provider *prov;
	void *self;	      /* from desc.init */
	const wsp_host *host; /* the host table it was given */
	const char *id;	      /* sandbox id, or the mount path */
} wsp__instance;

/* The host table of a workspace (log, allocation, option getters...). */
WSP_INTERNAL const wsp_host *wsp__workspace_host(wsp_workspace *ws);

/* The sandbox instance, loaded and initialised on first use. */
WSP_INTERNAL int wsp__workspace_sandbox(wsp__instance **out, wsp_workspace *ws,
					wsp_error *err);

/*
 * The way into a sandbox slot (core/exec/exec.c, process.c): the sandbox
 * instance, and *c, the full-size copy of the caller's call context (NULL
 * = none) that the slot gets; WSP_ECANCELED or WSP_ETIMEDOUT, with err
 * naming what, when the call expired already, so it never reaches the
 * provider.
 */
WSP_INTERNAL int wsp__sandbox_enter(wsp__instance **out, wsp_call *c,
				    wsp_workspace *ws, const wsp_call *call,
				    const char *what, wsp_error *err);

/*
 * The sandbox's provider, loaded and its options checked but not
 * initialised: its descriptor says what it offers (a process manager,
 * capabilities) without starting anything. WSP_ENOTFOUND without a
 * sandbox; the loader's or the options' error otherwise.
 */
WSP_INTERNAL int wsp__workspace_sandbox_provider(const wsp__provider **out,
						 wsp_workspace *ws,
						 wsp_error *err);
/* Whether a sandbox is configured and loaded: wsp_sandbox_id() and
 * wsp_sandbox_loaded() (exec.h) are public since 0.5. */

/* Mounts, in configuration order; paths normalised ("/", "/data"). */
WSP_INTERNAL size_t wsp__workspace_mount_count(const wsp_workspace *ws);
WSP_INTERNAL const char *wsp__workspace_mount_path(const wsp_workspace *ws,
						   size_t index);
WSP_INTERNAL int wsp__workspace_mount_read_only(const wsp_workspace *ws,
						size_t index);
/* The filesystem instance of a mount, loaded and initialised on first use. */
WSP_INTERNAL int wsp__workspace_mount_instance(wsp__instance **out,
					       wsp_workspace *ws, size_t index,
					       wsp_error *err);

/*
 * tools.<name> of the configuration, for the tool layer: 0 and the values
 * when the tool is configured, WSP_ENOTFOUND when it is not (defaults
 * apply: enabled, own name, approval as the tool layer decides).
 * *rename is NULL unless `name:` is set; *require_approval is -1 unset.
 */
WSP_INTERNAL int wsp__workspace_tool_config(const wsp_workspace *ws,
					    const char *tool, int *enabled,
					    const char **rename,
					    int *require_approval);

/* tools.<name> entry number index (configuration order), or NULL past
 * the end (struct wsp__tool_cfg is in config.h). */
struct wsp__tool_cfg;
WSP_INTERNAL const struct wsp__tool_cfg *
wsp__workspace_tool_entry(const wsp_workspace *ws, size_t index);

/* The directory relative paths of the configuration resolve against. */
WSP_INTERNAL const char *wsp__workspace_config_dir(const wsp_workspace *ws);

/*
 * Fill a host table with the core's services (log, alloc, option getters,
 * cancel). The HTTP service sets http_request/http_response_release here.
 * The table must be the `pub` member of a struct wsp__host (host.c) so
 * log() can find where its lines go.
 */
WSP_INTERNAL void wsp__host_init(wsp_host *h);

/*
 * Check a descriptor as the loader does (path names it in messages, or
 * NULL), and when out is not NULL fill it with the sized copies. On
 * success out->options and out->ext_ops are allocated (free them with
 * wsp__provider_free_tables).
 */
WSP_INTERNAL int wsp__plugin_check(wsp__provider *out,
				   const wsp_plugin_desc *desc, uint32_t kind,
				   const char *path, wsp_error *err);
WSP_INTERNAL void wsp__provider_free_tables(wsp__provider *p);

/*
 * 0 if path looks like a complete shared object for this machine, else
 * -1 with the reason in why. Run before dlopen(), which would crash on a
 * truncated file instead of failing.
 */
WSP_INTERNAL int wsp__elf_check(const char *path, char *why, size_t cap);

/* The reverse of wsp_kind_name(): 0 for a name that is no kind. */
WSP_INTERNAL uint32_t wsp__kind_from_name(const char *name);

/*
 * Mask every secret the workspace knows in err's message (ws may be NULL):
 * public calls whose errors may quote a provider's words go through it.
 */
WSP_INTERNAL void wsp__workspace_mask_error(wsp_workspace *ws, wsp_error *err);

/*
 * quote.c: src into dst (cap bytes, cut if need be) with control characters
 * (C0, DEL, C1) escaped as \xNN or \u00NN. Every message that quotes user
 * input (a path, an argument) goes through it before anyone prints it.
 */
WSP_INTERNAL void wsp__escape_ctl(char *dst, size_t cap, const char *src);
/* The same in place (text holds cap bytes). */
WSP_INTERNAL void wsp__escape_ctl_inplace(char *text, size_t cap);
/* quote.c: the value of the hex digit c (either case), -1 for any other
 * character: %XX decoding (SigV4's canonical URIs, LSP's file URIs). */
WSP_INTERNAL int wsp__hex_digit(int c);

/*
 * 1 when the JSON text (len bytes) holds a \u0000 escape or a raw NUL
 * byte: parsed into a C string it would end there, so "in.txt\u0000/../.."
 * would silently read "in.txt". Such input is refused, never truncated.
 */
WSP_INTERNAL int wsp__json_has_nul(const char *json, size_t len);

/*
 * json_input.c: the JSON text (len bytes) parsed as one value with nothing
 * but whitespace after it, else NULL. cJSON alone stops at the end of the
 * first value and ignores the rest, so `{...} trailing` would be accepted.
 */
struct cJSON;
WSP_INTERNAL struct cJSON *wsp__json_parse_exact(const char *json, size_t len);

#endif /* WSP_CORE_INTERNAL_H */
