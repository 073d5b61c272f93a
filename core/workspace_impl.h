/*
 * core/workspace_impl.h - the workspace's insides, shared by the files
 * that implement its public functions (workspace.c, check.c,
 * config_show.c, plugins.c). Other modules use internal.h's accessors.
 */
#ifndef WSP_CORE_WORKSPACE_IMPL_H
#define WSP_CORE_WORKSPACE_IMPL_H

#include "config.h"
#include "host.h"
#include "loader.h"

#include <wsp/wsp.h>

#include <pthread.h>

/* The sandbox or one mount. */
struct wsp__inst {
	wsp__instance pub;  /* prov and self valid once ready */
	struct wsp__host host;
	uint32_t kind;
	const struct wsp__provider_ref *ref;
	char label[96];     /* "sandbox 'dev-box'", "mount '/data'" */
	wsp_config *opts;   /* validated options, once prepared */
	int ready;          /* init succeeded */
	wsp_state *state;   /* its state store, from init until fini */
	/*
	 * A mount with `provider: sandbox`: the sandbox's provider with its
	 * sandbox_fs as fs, no fini and no options (the sandbox instance owns
	 * self), which pub.prov points at (workspace_sandbox_fs.c).
	 */
	int shares_sandbox;
	wsp__provider shared;
};

struct wsp_workspace {
	pthread_mutex_t lock; /* guards instance set-up */
	struct wsp__config *cfg;
	struct wsp__loader loader;
	struct wsp__logsink sink;
	struct wsp__host host; /* the core's own table */
	struct wsp__inst sandbox; /* used when cfg->has_sandbox */
	struct wsp__inst *mounts; /* cfg->n_mounts */
	char *state_dir;
	int secrets_learned;
	/* search (search.c): the index, opened by the first search */
	pthread_mutex_t search_lock;
	struct wsp__search *search;
	int search_stale; /* a command ran since the last check */
	/* skills (skills.c): the catalogue, discovered by the first use */
	pthread_mutex_t skills_lock;
	struct wsp__skills *skills;
	int skills_stale; /* a file changed since the discovery */ /* every instance's secrets are in sink */
};

/* mkdir -p, mode 0700 for what it creates; best effort. */
WSP_INTERNAL void wsp__make_dirs(const char *path);

/* Open, with configuration problems reported to d. */
WSP_INTERNAL int wsp__workspace_new(wsp_workspace **out,
				    const wsp_open_opts *opts,
				    struct wsp__diags *d, wsp_error *err);

/*
 * Tell the log sink the value of every secret option of every instance
 * (once; providers that do not load are skipped), so that no output masks
 * one instance's secret only after another has printed it.
 */
WSP_INTERNAL void wsp__workspace_learn_secrets(wsp_workspace *ws);

/* Load the provider and check its options (no init); problems to d. */
WSP_INTERNAL int wsp__inst_prepare(wsp_workspace *ws, struct wsp__inst *in,
				   struct wsp__diags *d, wsp_error *err);

/* Prepare and initialise (caller holds ws->lock). */
/*
 * provider: sandbox (workspace_sandbox_fs.c): whether in is such a mount;
 * its prepare (the sandbox's provider loaded, its sandbox_fs required, no
 * options) and init (the sandbox instance's self, started if need be).
 */
#define WSP__SANDBOX_FS_PROVIDER "sandbox"
WSP_INTERNAL int wsp__inst_is_sandbox_fs(const struct wsp__inst *in);
WSP_INTERNAL int wsp__inst_prepare_sandbox_fs(wsp_workspace *ws,
					      struct wsp__inst *in,
					      struct wsp__diags *d,
					      wsp_error *err);
WSP_INTERNAL int wsp__inst_init_sandbox_fs(wsp_workspace *ws,
					   struct wsp__inst *in,
					   wsp_error *err);

WSP_INTERNAL int wsp__inst_init(wsp_workspace *ws, struct wsp__inst *in,
				wsp_error *err);

#endif /* WSP_CORE_WORKSPACE_IMPL_H */
