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
/*
 * A process's output as text, per stream: e2_text_into (an on_output /
 * read_output callback) appends each piece, NUL-ended, cut at the end of
 * the buffer. The procs and keeper suites read output so; zero it first.
 */
struct e2_text {
	char out[8192], errs[8192];
};
int e2_text_into(uint32_t stream, const void *data, size_t len,
		 void *payload);

/* The sandbox id the instance's state store keeps ("" when none). */
void box_kept_id(char *out, size_t cap, struct box *bx);

#endif
