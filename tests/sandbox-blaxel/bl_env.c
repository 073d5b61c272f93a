/*
 * tests/sandbox-blaxel/bl_env.c - see bl_env.h.
 */
#include "bl_env.h"

#include <stdio.h>

const char fake_env_key[] = BL_KEY;

int fake_start(void)
{
	return fake_start_with(NULL);
}

int fake_start_with(const char *const *extra)
{
	const char *argv[8] = {WSP_TEST_BLAXEL_DIR "/fake-blaxel.mjs"};

	for (int n = 1; extra && *extra && n < 7; n++)
		argv[n] = *extra++;
	return fake_env_start("wsp-blaxel-test", argv);
}

void fake_env_options(char *out, size_t cap, const char *extra, int no_key)
{
	snprintf(out, cap,
		 "api_url: http://127.0.0.1:%d/v0\nworkspace: " BL_WS "\n"
		 "%s%s",
		 fake_port(), no_key ? "" : "api_key: " BL_KEY "\n",
		 extra ? extra : "");
}

long vm_hwm_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kib = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

int box_spawn(struct box *bx, char id[WSP_PROC_ID_MAX], const char *shell,
	      int64_t timeout_ms)
{
	wsp_spawn_opts o = {.struct_size = sizeof(o)};
	wsp_error err = {0};

	o.shell = shell;
	o.stdin_mode = WSP_STDIN_IGNORE;
	o.timeout_ms = timeout_ms;
	return bx->d->procmgr->spawn(id, bx->self, box_call(bx, 30000), &o,
				     &err);
}
