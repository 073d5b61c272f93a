/*
 * wsp/workspace.h - embedding API: open a workspace (a sandbox plus a
 * mount table of filesystems) from a config file, a config string or the
 * embedded default, and close it. libgit2's style: opaque handles, `**out`
 * first, versioned options structs with an _INIT macro, _close(NULL) is a
 * no-op.
 *
 * Providers are loaded lazily: opening a workspace parses and checks the
 * configuration, and a provider's .so is opened only when a call first
 * needs its sandbox or one of its mounts.
 */
#ifndef WSP_WORKSPACE_H
#define WSP_WORKSPACE_H

#include <wsp/common.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct wsp_workspace wsp_workspace;

/* Receives the core's and the providers' log lines (secrets masked). */
typedef void (*wsp_log_fn)(int level, const char *line, void *payload);

/* wsp_open_opts.flags */
#define WSP_OPEN_DEFAULT_CONFIG (1u << 0) /* no lookup: the embedded default */

typedef struct wsp_open_opts {
	uint32_t struct_size;
	uint32_t flags;          /* WSP_OPEN_* */
	const char *config_path; /* a file (--config); NULL = the lookup order */
	const char *config_text; /* YAML text used instead of any file */
	const char *config_name; /* name of config_text in messages */
	const char *plugin_path; /* colon-separated dirs searched first */
	wsp_log_fn log;          /* NULL = stderr for warnings and errors */
	void *log_payload;
	int log_level;           /* highest wsp_log_level passed to log */
	int reserved;
} wsp_open_opts;

#define WSP_OPEN_OPTS_INIT \
	{ sizeof(wsp_open_opts), 0, NULL, NULL, NULL, NULL, NULL, NULL, 1, 0 }

/*
 * Deprecated since wsp 0.5.0: the spelling before every options struct
 * was wsp_*_opts. Kept so that code written for 0.3 and 0.4 still
 * compiles (same type, same layout: nothing changes for binaries); define
 * WSP_NO_DEPRECATED to make sure a program no longer uses it. It goes with
 * the next major.
 */
#ifndef WSP_NO_DEPRECATED
typedef wsp_open_opts wsp_open_options;
#define WSP_OPEN_OPTIONS_INIT WSP_OPEN_OPTS_INIT
#endif

/*
 * Open a workspace. The configuration is found in this order: config_text,
 * config_path, $WSP_CONFIG, ./wsp.yaml, $XDG_CONFIG_HOME/wsp/wsp.yaml,
 * /etc/wsp/wsp.yaml; none = the embedded default (local sandbox, local
 * filesystem in ./workspace). Errors in the file read FILE:LINE:COL: ...
 */
WSP_EXTERN int wsp_workspace_open(wsp_workspace **out,
				  const wsp_open_opts *opts, wsp_error *err);

/* Close a workspace: finalise its providers. NULL is a no-op. */
WSP_EXTERN void wsp_workspace_close(wsp_workspace *ws);

/*
 * Name of the configuration in use: its path as given, "<default>" for
 * the embedded default, or the config_name of config_text ("<config>").
 */
WSP_EXTERN const char *wsp_workspace_config_name(const wsp_workspace *ws);

/* Receives one "FILE:LINE:COL: message" line per problem found. */
typedef void (*wsp_diag_fn)(const char *line, void *payload);

/* wsp_config_check() flags */
#define WSP_CHECK_INIT (1u << 0) /* also start (init, then fini) providers */

/*
 * Check a configuration completely: find it as wsp_workspace_open() does,
 * parse it, load every provider it names and validate their options
 * against their schemas (with WSP_CHECK_INIT, also initialise each one,
 * which may reach remote services). Every problem goes to cb (may be
 * NULL). Returns 0 when there is none, WSP_ECONFIG when there are (err
 * holds the first), or another code when the check itself failed.
 */
WSP_EXTERN int wsp_config_check(const wsp_open_opts *opts, uint32_t flags,
				wsp_diag_fn cb, void *payload, wsp_error *err);

/* wsp_workspace_config_show() flags */
#define WSP_SHOW_JSON (1u << 0) /* JSON instead of YAML */

/*
 * Write the effective configuration to sink: ${VAR} resolved, provider
 * defaults filled in, the value of every secret option replaced by
 * "********". Loads the providers (not init) to learn their schemas.
 */
WSP_EXTERN int wsp_workspace_config_show(wsp_workspace *ws, uint32_t flags,
					 wsp_sink_fn sink, void *payload,
					 wsp_error *err);

#ifdef __cplusplus
}
#endif
#endif /* WSP_WORKSPACE_H */
