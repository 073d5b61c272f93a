/*
 * tests/sandbox-daytona/dt_env.c - the project's Daytona fake and
 * instances pointed at it on tests/common/fake_env.h, for the tests that
 * Daytona shares with the other remote sandboxes (the mounts of
 * tests/common/remote_mount_tests.cmake); its own tests use dt_fake.h.
 */
#include "dt_env.h"

#include <stdio.h>

const char fake_env_key[] = DT_TEST_KEY;

int dt_env_start_with(const char *const *extra)
{
	const char *argv[8] = {WSP_TEST_DAYTONA_DIR "/fake-daytona.mjs"};

	for (int n = 1; extra && *extra && n < 7; n++)
		argv[n] = *extra++;
	return fake_env_start("wsp-daytona-test", argv);
}

void fake_env_options(char *out, size_t cap, const char *extra, int no_key)
{
	snprintf(out, cap, "api_url: http://127.0.0.1:%d/api\n%s%s",
		 fake_port(), no_key ? "" : "api_key: " DT_TEST_KEY "\n",
		 extra ? extra : "");
}
