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

/* wsp_open_options.flags */
#define WSP_OPEN_DEFAULT_CONFIG (1u << 0) /* no lookup: the embedded default */

typedef struct wsp_open_options {
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
} wsp_open_options;

#define WSP_OPEN_OPTIONS_INIT \
	{ sizeof(wsp_open_options), 0, NULL, NULL, NULL, NULL, NULL, NULL, 1, 0 }

/*
 * Open a workspace. The configuration is found in this order: config_text,
 * config_path, $WSP_CONFIG, ./wsp.yaml, $XDG_CONFIG_HOME/wsp/wsp.yaml,
 * /etc/wsp/wsp.yaml; none = the embedded default (local sandbox, local
 * filesystem in ./workspace). Errors in the file read FILE:LINE:COL: ...
 */
WSP_EXTERN int wsp_workspace_open(wsp_workspace **out,
				  const wsp_open_options *opts, wsp_error *err);

/* Close a workspace: finalise its providers. NULL is a no-op. */
WSP_EXTERN void wsp_workspace_close(wsp_workspace *ws);

#ifdef __cplusplus
}
#endif
#endif /* WSP_WORKSPACE_H */
