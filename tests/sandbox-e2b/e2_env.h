/*
 * tests/sandbox-e2b/e2_env.h - what the tests of wsp-sandbox-e2b.so
 * share: the project's E2B fake (tests/e2b/fake-e2b.mjs) and provider
 * instances pointed at it, both URLs on its one port, on
 * tests/common/fake_env.h.
 */
#ifndef WSP_TEST_E2_ENV_H
#define WSP_TEST_E2_ENV_H

#include "fake_admin.h"
#include "fake_env.h"

#define E2_KEY "e2b_test_key_4f7a0c"

/* Start the fake (the suite's init): 0, or -1. */
int e2_fake_start(void);
/* The same with more arguments (NULL-ended): "--envd-version", "0.5.0". */
int e2_fake_start_with(const char *const *extra);

/* fake_env_options here: api_url and sandbox_url of the fake, the key
 * unless no_key, then extra. */

/* A suite's init: the fake, and bx with its sandbox started (0, or -1
 * with the reason on stderr); its cleanup destroys both. */
int e2_suite_start(struct box *bx, const char *id);
int e2_suite_stop(struct box *bx);

/* The fake's sandbox of that id (a copy), or NULL. */
static inline cJSON *e2_fake_sandbox(const char *id)
{
	return fake_sandbox_by("sandboxID", id);
}
/* The sandbox id the instance's state store keeps ("" when none). */
void box_kept_id(char *out, size_t cap, struct box *bx);

#endif
