/*
 * core/loader/loader.h - finding provider files on the plugin path and loading
 * them (dlopen, checks, sized copies). A file is opened at most once per
 * loader; a provider is only ever looked up when a command needs it, and
 * only a listing (`wsp plugins`) opens every file.
 */
#ifndef WSP_CORE_LOADER_H
#define WSP_CORE_LOADER_H

#include "config.h"
#include "internal.h"

#include <pthread.h>

struct wsp__plugin_dir {
	char *path;
	const char *source; /* "--plugin-path", "$WSP_PLUGIN_PATH", ... */
};

/* One file the loader has opened (or tried to). */
struct wsp__loaded {
	char *path;
	uint32_t kind; /* from the file name */
	char *name;    /* from the file name */
	wsp__provider *prov; /* NULL when refused */
	int code;            /* refusal code, 0 when loaded */
	char message[WSP_ERROR_MSG_MAX];
};

struct wsp__loader {
	struct wsp__plugin_dir *dirs;
	size_t n_dirs;
	struct wsp__loaded **files;
	size_t n_files, cap_files;
	char **warned; /* "kind-name" already warned about as duplicate */
	size_t n_warned;
	/* Where the loader's notes go, with a WSP_LOG_* level. */
	void (*log)(void *ctx, int level, const char *msg);
	void *log_ctx;
	pthread_mutex_t lock;
};

/*
 * Build the search path: cli_path (colon-separated), $WSP_PLUGIN_PATH,
 * cfg's plugin_path, the build tree's plugin directory when libwsp runs
 * from its build tree, the install directory. Directories named
 * explicitly must exist: a missing one is an error (for the config's,
 * reported to d at its position).
 */
WSP_INTERNAL int wsp__loader_init(struct wsp__loader *l, const char *cli_path,
				  const struct wsp__config *cfg,
				  struct wsp__diags *d, wsp_error *err);
WSP_INTERNAL void wsp__loader_fini(struct wsp__loader *l);

/* Load the provider of that kind and name (cached). */
WSP_INTERNAL int wsp__loader_get(wsp__provider **out, struct wsp__loader *l,
				 uint32_t kind, const char *name,
				 wsp_error *err);

/*
 * The file that kind and name resolve to, loaded (or refused): *out is
 * owned by the loader. WSP_ENOTFOUND when no directory has it.
 */
WSP_INTERNAL int wsp__loader_resolve(struct wsp__loaded **out,
				     struct wsp__loader *l, uint32_t kind,
				     const char *name, wsp_error *err);

/*
 * Every wsp-<kind>-<name>.so on the path, in order, loaded or refused;
 * shadowed_by is the earlier file of the same kind and name, or NULL.
 */
typedef int (*wsp__scan_fn)(const struct wsp__loaded *file,
			    const char *shadowed_by, void *payload);
WSP_INTERNAL int wsp__loader_scan(struct wsp__loader *l, wsp__scan_fn cb,
				  void *payload, wsp_error *err);

/*
 * Split "wsp-<kind>-<name>.so" into kind and name (name copied to buf);
 * 0 on success, -1 when the file name is not a provider's.
 */
WSP_INTERNAL int wsp__plugin_file_name(uint32_t *kind, char *name,
				       size_t cap, const char *file);

#endif /* WSP_CORE_LOADER_H */
