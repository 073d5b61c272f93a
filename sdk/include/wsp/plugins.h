/*
 * wsp/plugins.h - what the providers on the plugin path are (embedding API).
 *
 * `wsp plugins` is built on these. Listing opens every wsp-*.so on the
 * search path (without initialising any) and reports each, refused ones
 * included, so a broken plugin is visible instead of silently missing.
 */
#ifndef WSP_PLUGINS_H
#define WSP_PLUGINS_H

#include <wsp/common.h>
#include <wsp/plugin.h>
#include <wsp/workspace.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A wsp_plugin_kind's name as configurations, plugin file names
 * (wsp-<kind>-<name>.so) and `wsp plugins` write it: "fs", "sandbox";
 * NULL for a number that is no kind. Static text. Since 2.1.
 */
WSP_EXTERN const char *wsp_kind_name(uint32_t kind);

/* wsp_plugin_info.status */
enum wsp_plugin_status {
	WSP_PLUGIN_OK = 0,	/* loads and passes every check */
	WSP_PLUGIN_REFUSED = 1, /* refused: see message */
	WSP_PLUGIN_SHADOWED = 2 /* same kind and name earlier on the path */
};

/*
 * One plugin file. Strings and tables are valid only during the callback.
 * For a refused plugin only kind (from the file name; 0 when the name
 * says none), name, path, status, code and message are meaningful.
 */
typedef struct wsp_plugin_info {
	uint32_t struct_size; /* sizeof(wsp_plugin_info) of the core */
	uint32_t status;      /* wsp_plugin_status */
	uint32_t kind;	      /* wsp_plugin_kind */
	uint16_t abi_major;   /* what the plugin was built against */
	uint16_t abi_minor;   /* (abi_minor_required: below) */
	const char *name;     /* provider name ("local") */
	const char *path;     /* the .so */
	const char *version;  /* the provider's own version */
	const char *description;
	uint64_t caps; /* WSP_CAP_* */
	/* The option schema, in this core's layout; n_options entries. */
	const wsp_option_spec *options;
	size_t n_options;
	/* Extension operations, in this core's layout; n_ext_ops entries. */
	const wsp_ext_op *ext_ops;
	size_t n_ext_ops;
	int code;	      /* wsp_errcode of a refusal, else 0 */
	const char *message;  /* refusal, or "shadowed by '...'"; or NULL */
	uint32_t has_procmgr; /* the sandbox offers background processes */
	uint16_t abi_minor_required; /* the lowest core minor it runs on */
	uint16_t reserved;
} wsp_plugin_info;

/* Return 0 to go on, a negative code to stop the listing with it. */
typedef int (*wsp_plugin_fn)(const wsp_plugin_info *info, void *payload);

/*
 * Every wsp-<kind>-<name>.so on the workspace's plugin path, in search
 * order (each directory sorted by name). Directories that cannot be read
 * are reported through the workspace's log and skipped.
 */
WSP_EXTERN int wsp_workspace_plugins(wsp_workspace *ws, wsp_plugin_fn cb,
				     void *payload, wsp_error *err);

/*
 * The plugin a configuration naming kind and name would use: calls cb once
 * (a refused plugin included). WSP_ENOTFOUND when no file has that name.
 */
WSP_EXTERN int wsp_workspace_plugin(wsp_workspace *ws, uint32_t kind,
				    const char *name, wsp_plugin_fn cb,
				    void *payload, wsp_error *err);

/*
 * The plugin search path of the workspace, in order: calls cb with each
 * directory and where it came from ("--plugin-path", "$WSP_PLUGIN_PATH",
 * "plugin_path", "build tree", "install dir").
 */
typedef int (*wsp_dir_fn)(const char *dir, const char *source, void *payload);
WSP_EXTERN int wsp_workspace_plugin_dirs(wsp_workspace *ws, wsp_dir_fn cb,
					 void *payload, wsp_error *err);

/*
 * Check a descriptor as the loader does: magic, ABI version, sizes, kind
 * (0 = either), required slots, option and extension tables. For plugin
 * test suites and ABI checkers; returns 0 or WSP_ENOTPLUGIN/WSP_EABI.
 */
WSP_EXTERN int wsp_plugin_validate(const wsp_plugin_desc *desc, uint32_t kind,
				   wsp_error *err);

#ifdef __cplusplus
}
#endif
#endif /* WSP_PLUGINS_H */
