/*
 * tests/sandbox-blaxel/bl_env.h - what the tests of wsp-sandbox-blaxel.so
 * share: the project's Blaxel fake (tests/blaxel/fake-blaxel.mjs) and
 * provider instances pointed at it, on tests/common/fake_env.h.
 */
#ifndef WSP_TEST_BL_ENV_H
#define WSP_TEST_BL_ENV_H

#include "fake_admin.h"
#include "fake_env.h"

#define BL_KEY "bl_test_key_93c4e1"
#define BL_WS "team-dev"

/* Start the fake (the suite's init): 0, or -1. */
int fake_start(void);
/* The same with more arguments (NULL-ended): "--mount-ns". */
int fake_start_with(const char *const *extra);

/* The fake's view of sandbox name ("status" member), or NULL. */
static inline cJSON *fake_sandbox(const char *name)
{
	return fake_sandbox_by("name", name);
}

/* This process's peak resident memory so far (VmHWM), in KiB (-1:
 * unknown): what the bound tests measure. */
long vm_hwm_kib(void);

/* A background `sh -c shell` in bx, stdin ignored, timeout_ms 0 for
 * none: the procmgr's spawn. */
int box_spawn(struct box *bx, char id[WSP_PROC_ID_MAX], const char *shell,
	      int64_t timeout_ms);

/* fake_env_options here: api_url and workspace set for the fake, the key
 * unless no_key, then extra. */

#endif
