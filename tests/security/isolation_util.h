/*
 * tests/security/isolation_util.h - what the isolation suites share: a
 * workspace of their own (a config selecting the local sandbox, a working
 * directory holding the probe), running the real `wsp` CLI against it,
 * and reading the probe's "name=result" lines.
 *
 * Every suite runs twice under ctest: as the invoking user (root in CI)
 * and as uid 65534 through run-unprivileged.sh, so each promise is checked
 * both ways; iso_root() tells a test which run it is in where the two
 * differ (who owns a file, which mechanism holds a limit).
 */
#ifndef WSP_TEST_ISOLATION_UTIL_H
#define WSP_TEST_ISOLATION_UTIL_H

#include <stddef.h>
#include <sys/types.h>

#ifndef WSP_CLI
#error "WSP_CLI must name the wsp binary"
#endif
#ifndef ISO_PROBE
#error "ISO_PROBE must name the isolation probe"
#endif

struct iso {
	char dir[256];    /* the test's own directory: config, state, host files */
	char ws[300];     /* the working directory: dir/ws, holds ./probe */
	char config[300];
	char out[1 << 16], err[1 << 16]; /* of the last iso_wsp() */
	int status;       /* its exit status (128+N: signal N) */
	char running[32]; /* the subcommand started last, for messages */
};

/*
 * A new workspace whose sandbox options are `isolation: MODE` plus the
 * extra YAML lines in options (each "    key: value\n", may be NULL).
 * Returns 0, or -1 after printing why.
 */
int iso_setup(struct iso *t, const char *mode, const char *options);
void iso_teardown(struct iso *t);

/*
 * Add a store's two mounts to t's config: /data read-write and /ro
 * read-only, of provider, at data_at and ro_at in the sandbox, both with
 * the option lines in options (each "      key: value\n"). 0, or -1.
 */
int iso_add_store_mounts(const struct iso *t, const char *provider,
			 const char *data_at, const char *ro_at,
			 const char *options);

/*
 * Run `wsp --config CONFIG ARG...` (NULL-terminated) from the working
 * directory with stdin at end of file; output into t->out and t->err.
 * Returns the exit status.
 */
int iso_wsp(struct iso *t, const char *const *args);

/*
 * iso_wsp() in two halves, for a test that watches while wsp runs: start
 * it (the pid, or -1), then wait for it and collect what it printed.
 */
pid_t iso_wsp_start(struct iso *t, const char *const *args);
int iso_wsp_finish(struct iso *t, pid_t pid);

/* `wsp exec -- ./probe ARG...`: the probe in the sandbox. */
int iso_probe(struct iso *t, const char *a1, const char *a2, const char *a3);

/*
 * The value of the probe's "name=..." line in t->out (up to the end of
 * the line), or "" when there is none.
 */
const char *iso_get(const struct iso *t, const char *name);

/* 1 when running as root (the first run), 0 as the unprivileged user. */
int iso_root(void);

/*
 * Processes whose command line contains the argument token (matched as a
 * whole argument), counted over the host's /proc.
 */
int iso_count_procs(const char *token);

/*
 * Wait (polling every 10 ms, at most ms) until iso_count_procs(token) is
 * at least want (want > 0) or zero (want == 0); returns the last count.
 */
int iso_wait_procs(const char *token, int want, int ms);

/*
 * For the mount suites (S3 and GCS stores inside the sandbox):
 *   iso_mounted_below  lines of /proc/mounts naming dir (what is still
 *                      mounted below it), or -1
 *   iso_file_has       1 when file holds needle (its NULs, as between a
 *                      command's arguments, read as spaces)
 *   iso_procs_with     processes whose /proc/PID/<what> ("cmdline",
 *                      "environ") holds needle and, when and is set,
 *                      whose command line holds and too
 *   iso_tree_has       files below dir holding needle, not crossing into
 *                      mounts (the state files, not a bucket behind
 *                      them); each one named on stderr
 */
int iso_mounted_below(const char *dir);
int iso_file_has(const char *file, const char *needle);
int iso_procs_with(const char *what, const char *needle, const char *and);
int iso_tree_has(const char *dir, const char *needle);

/*
 * main() of a mount suite: with /dev/fuse usable by this user and client
 * (an absolute path) installed, run suites (CUnit) and return its exit
 * status; client missing is a failure (1). Without a usable /dev/fuse
 * (uid 65534 on a machine whose /dev/fuse is root's), check that wsp
 * refuses a workspace's configured mounts (add_mounts adds them to a
 * fresh isolated one) naming /dev/fuse, not showing secret, mounting
 * nothing: then 77 (skipped, saying why), else 1.
 */
struct CU_SuiteInfo;
int iso_mount_main(struct CU_SuiteInfo *suites, const char *client,
		   int (*add_mounts)(const struct iso *w), const char *secret);

#endif
