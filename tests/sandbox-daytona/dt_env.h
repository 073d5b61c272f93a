/*
 * tests/sandbox-daytona/dt_env.h - the Daytona fake on
 * tests/common/fake_env.h (dt_env.c), for the tests shared with the
 * other remote sandboxes.
 */
#ifndef WSP_TEST_DT_ENV_H
#define WSP_TEST_DT_ENV_H

#include "dt_fake.h" /* DT_TEST_KEY */
#include "fake_admin.h"
#include "fake_env.h"

/* Start the fake with more arguments (NULL-ended): "--mount-ns". */
int dt_env_start_with(const char *const *extra);

#endif
