/*
 * tests/cli/cli_run.c - the CLI suites' workspace and runner (cli_run.h).
 */
#include "cli_run.h"
#include "procs_util.h"
#include "test_files.h"
#include "test_run.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef WSP_CLI
#error "WSP_CLI must name the wsp binary"
#endif

char cli_dir[256];
char cli_out[1 << 16], cli_err[1 << 16];

int cli_setup(void)
{
	const char *t = getenv("TMPDIR");
	char cfg[300];
	FILE *f;

	snprintf(cli_dir, sizeof(cli_dir), "%s/wsp-cli-XXXXXX",
		 t && *t ? t : "/tmp");
	if (!mkdtemp(cli_dir))
		return -1;
	snprintf(cfg, sizeof(cfg), "%s/wsp.yaml", cli_dir);
	f = fopen(cfg, "w");
	if (!f)
		return -1;
	/* relative directories: under the config file's directory */
	fputs("sandbox:\n"
	      "  provider: local\n"
	      "  id: cli-box\n"
	      "  options:\n"
	      "    isolation: none\n"
	      "    state_dir: ./state\n"
	      "    working_dir: ./work\n"
	      "    timeout: 60s\n"
	      "    kill_grace: 500ms\n"
	      "mounts:\n"
	      "  /:\n    provider: local\n    options:\n"
	      "      base_path: root\n"
	      "  /ro:\n    provider: local\n    read_only: true\n"
	      "    options:\n      base_path: shared\n",
	      f);
	fclose(f);
	if (mkdir(cli_path("root"), 0755) || mkdir(cli_path("shared"), 0755))
		return -1;
	return 0;
}

int cli_teardown(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", cli_dir);
	return system(cmd) == 0 ? 0 : 1;
}

const char *cli_path(const char *rel)
{
	static char buf[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", cli_dir, rel);
	return buf[i];
}

int cli_run(const char *fmt, ...)
{
	char args[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	return test_run_cli_apart(cli_dir, WSP_CLI, "wsp.yaml", args, cli_out,
				  sizeof(cli_out), cli_err, sizeof(cli_err));
}

cJSON *cli_json(const char *text)
{
	const char *end = NULL;
	cJSON *doc = cJSON_ParseWithOpts(text, &end, 0);

	if (!doc)
		return NULL;
	end += strspn(end, " \n");
	if (*end) { /* more than one document */
		cJSON_Delete(doc);
		return NULL;
	}
	return doc;
}

const char *cli_str(const cJSON *o, const char *name)
{
	const char *s =
		cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, name));

	return s ? s : "";
}

int cli_spawn(char *id, size_t cap, const char *args)
{
	if (cli_run("spawn %s", args) != 0)
		return -1;
	cli_out[strcspn(cli_out, "\n")] = '\0';
	if (strlen(cli_out) < 3 || strlen(cli_out) >= cap)
		return -1;
	memcpy(id, cli_out, strlen(cli_out) + 1);
	return 0;
}

int cli_main(const char *suite, CU_TestInfo *tests)
{
	int rc;

	if (cli_setup() < 0)
		return 2;
	rc = procs_main(suite, tests);
	cli_teardown();
	return rc;
}
