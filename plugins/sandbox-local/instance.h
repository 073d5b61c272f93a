/*
 * plugins/sandbox-local/instance.h - the sandbox instance and the helpers
 * the foreground sources share (sandbox.c, lifecycle.c, prepare.c,
 * bwrap.c, limits.c, exec.c, paths.c; the capture ring is
 * plugins/shared/capture.c).
 *
 * The background process manager (procmgr.c) sees only local.h: it reaches
 * the instance through the accessors declared there.
 */
#ifndef WSP_SANDBOX_LOCAL_INSTANCE_H
#define WSP_SANDBOX_LOCAL_INSTANCE_H

#include "capture.h"
#include "env_proto.h"
#include "local.h"

#include <dirent.h>
#include <pthread.h>
#include <stdbool.h>
#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Configured isolation (option `isolation`). Only the configuration and
 * the API (wsp_sandbox_set_option, which `wsp exec --isolation` uses)
 * choose it: nothing in the environment can weaken it.
 */
enum local_isolation {
	LOCAL_ISOLATION_AUTO = 0,
	LOCAL_ISOLATION_NONE = 1,
	LOCAL_ISOLATION_BWRAP = 2
};

#define LOCAL_DEFAULT_PATH "/usr/local/bin:/usr/bin:/bin"

struct local_sandbox {
	const wsp_host *host;
	char *id;          /* the configuration's sandbox id */
	char *working_dir; /* absolute, canonical, exists */
	char *state_dir;   /* absolute; created by start */

	int64_t timeout_ms;    /* default per exec; 0 = none */
	int64_t kill_grace_ms; /* SIGTERM .. SIGKILL */
	uint64_t max_capture;  /* default bytes kept per stream */
	struct local_limits limits;

	int isolation;  /* enum local_isolation, as configured */
	int allow_network;
	int read_only_workdir;
	char **ro_paths; /* canonical, NULL-terminated */
	char **rw_paths;
	char **env;      /* configured "K=V", NULL-terminated */
	char *path;      /* PATH inside */
	int devnull;     /* /dev/null, read-only: stdin without data */

	/* Resolved on first use (bwrap probed once); guarded by lock. */
	pthread_mutex_t lock;
	int resolved;     /* isolation below is final */
	int use_bwrap;    /* commands run under bubblewrap */
	char *bwrap_path; /* absolute path of bwrap, when found */
	char *unisolated_why; /* why auto fell back to none */
	int warned;       /* the unisolated warning was logged */
	uint64_t env_fp;  /* what the kept environment is built from (env.c) */
	int env_fp_known;
};

/* ---- sandbox.c ---------------------------------------------------------- */

/*
 * Decide (once) whether commands run under bubblewrap. Fails for
 * `isolation: bwrap` when bwrap is missing or unusable.
 */
int local_resolve_isolation(struct local_sandbox *sb, wsp_error *err);
/* "bwrap" or "none" (resolving first); "unknown" if resolving fails. */
const char *local_isolation_name(struct local_sandbox *sb);

/* ---- bwrap.c ------------------------------------------------------------ */

/*
 * Absolute path of an executable bwrap in the sandbox's PATH (the same
 * directories commands see), or NULL; caller frees.
 */
char *local_bwrap_find(const char *path);
/*
 * Run a trivial command under the sandbox's bwrap arguments; 0 when it
 * works, else WSP_EUNAVAIL with bwrap's complaint in err.
 */
int local_bwrap_probe(struct local_sandbox *sb, const char *bwrap,
		      wsp_error *err);
/*
 * Build the bwrap argument vector wrapping cmd (NULL-terminated, copied)
 * with the per-command cwd inside. Returns a heap vector or NULL.
 */
char **local_bwrap_argv(const struct local_sandbox *sb, const char *bwrap,
			const char *cwd, char *const *cmd);

/* ---- limits.c ----------------------------------------------------------- */

/*
 * The configured limits as setrlimit pairs (env_limit order; UINT64_MAX:
 * none): what local_apply_limits() sets here, and what a command run in
 * the kept environment asks the agent to set. Async-signal-safe.
 */
void local_limits_rlimits(const struct local_limits *l,
			  uint64_t soft[ENV_LIMITS], uint64_t hard[ENV_LIMITS]);

/*
 * Which limit (enum wsp_limit) most likely stopped a command, from how it
 * ended and what it printed (see limits.c for the heuristics).
 */
uint32_t local_limit_classify(const struct local_limits *limits, int exited,
			      int code_or_signal, uint64_t cpu_used_ms,
			      const char *err_tail, size_t err_len);

/* ---- exec.c ------------------------------------------------------------- */

int local_exec(wsp_exec_result *out, void *self, const wsp_call *call,
	       const wsp_exec_opts *opts, wsp_error *err);

/* ---- paths.c ------------------------------------------------------------ */

/* "a" + "/" + "b", or NULL on allocation failure. */
char *local_path_join(const char *a, const char *b);
/*
 * The first executable `name` in the directories of the ':'-separated
 * path, or NULL; caller frees. Empty entries are skipped, and with
 * absolute_only relative ones too.
 */
char *local_path_search(const char *path, const char *name, bool absolute_only);
/*
 * A DIR reading the directory open as dirfd through a duplicate of it
 * (dirfd stays the caller's, and open), or NULL with errno set.
 */
DIR *local_opendir_dup(int dirfd);
/* Like mkdir -p (mode for new directories); 0 or -errno. */
int local_mkdir_p(const char *path, mode_t mode);
/* Like rm -rf, without following symlinks; 0 or -errno. */
int local_remove_tree(const char *path);
/* True if path equals dir or lies beneath it (both canonical). */
int local_path_within(const char *path, const char *dir);
/*
 * Resolve rel against base lexically ("." and ".." folded) into a new
 * absolute path; NULL when it would climb above base (errno EACCES) or
 * on ENOMEM.
 */
char *local_path_resolve_under(const char *base, const char *rel);

/*
 * The path the kernel reaches through the absolute path once mkdir -p has
 * made what is missing: every existing symlink followed, "." and ".."
 * folded where they apply (after a link, at its target). A new string,
 * or NULL with errno.
 */
char *local_path_real(const char *path);

/* NULL-terminated string vectors. */
size_t local_strv_len(char *const *v);
void local_strv_free(char **v);

#endif /* WSP_SANDBOX_LOCAL_INSTANCE_H */
