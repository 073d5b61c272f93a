/*
 * tests/common/rm_util.h - what the tests of stores mounted inside a
 * remote sandbox (remote_s3mount.c, remote_gcsmount.c) do alike on the
 * vendor's box (fake_env.h): mount, unmount, run a shell command there,
 * and read the fake's log of the requests that start commands.
 */
#ifndef WSP_TEST_RM_UTIL_H
#define WSP_TEST_RM_UTIL_H

#include "fake_env.h"

#include <CUnit/CUnit.h>

/* The box's mount and unmount slots, with a call of 60 s. */
int rm_mount(struct box *bx, const wsp_mount_source *s, const char *path,
	     uint32_t flags, wsp_error *err);
int rm_unmount(struct box *bx, const char *path, wsp_error *err);
/* The store's source below rel (a suite's own function), mounted at
 * path and wiped. */
typedef int (*rm_source_fn)(wsp_mount_source *s, const char *rel);
int rm_mount_rel(struct box *bx, rm_source_fn source, const char *rel,
		 const char *path, uint32_t flags, wsp_error *err);

/* Run cmd in the sandbox: its exit code (-1: the exec failed), stdout
 * in *out (malloc'ed) when out is not NULL. */
int rm_sh(struct box *bx, const char *cmd, char **out);

/* How many logged requests started a command (path ending in suffix). */
int rm_count_starts(const char *suffix);

/* How many of those hold one of the NULL-ended words (0 is right);
 * *starts gets how many there were. */
int rm_starts_holding(const char *suffix, const char *const *words,
		      int *starts);

/*
 * A suite's start: the vendor's fake with --mount-ns (RM_FAKE_START),
 * bx opened as root (RM_ROOT_OPTS) with secret as a word its log must
 * never hold, and its sandbox started. 0, or -1 with the reason on
 * stderr.
 */
int rm_box_start(struct box *bx, const char *id, const char *secret);

/*
 * Nothing secret where it must not be, asserted: no request that started
 * a command (RM_START_SUFFIX) holds one of words (NULL-ended); no
 * process named client has secret in its argv or environment, and one
 * has mark in its argv (where its credentials file is); in
 * /tmp/.wsp-mounts (0700) the markers are 0600 and no credentials file
 * is left; no file below /tmp holds secret.
 */
void rm_assert_secret_kept(struct box *bx, const char *client, const char *mark,
			   const char *secret, const char *const *words);

/* The suites run as root (a mount namespace for the fake's commands
 * takes root, CI's); any other user: 77, not run. */
int rm_main_root(CU_SuiteInfo *suites);

#endif
