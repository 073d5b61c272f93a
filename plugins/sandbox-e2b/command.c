/*
 * plugins/sandbox-e2b/command.c - what a command becomes in envd's Start
 * request: {"cmd","args","envs","cwd"} (remote-providers.md §1.2).
 *
 * A shell string runs as the SDK runs it, `/bin/bash -l -c STRING`, so
 * the template's login environment (PATH) is the same. An argv needs no
 * quoting at all: it goes to bash as positional parameters of a fixed
 * script. That script first asks whether the program exists and, when it
 * does not, writes a fixed marker to stderr and exits 127: an argv whose
 * program is missing must fail to start, as execve does locally, and
 * exec turns exactly that pair into WSP_ENOTFOUND.
 */
#include "e2b.h"
#include "remote.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MISSING_MARK "wsp-e2b: no such program\n"

static const char ARGV_SCRIPT[] =
	"command -v -- \"$0\" >/dev/null 2>&1 || "
	"{ printf 'wsp-e2b: no such program\\n' >&2; exit 127; }; "
	"exec \"$0\" \"$@\"";

int e2b_missing_program(const char *stderr_data, size_t len)
{
	return rmt_is_missing_mark(MISSING_MARK, stderr_data, len);
}

static int add_args(cJSON *args, const wsp_exec_opts *o)
{
	int ok = cJSON_AddItemToArray(args, cJSON_CreateString("-l")) &&
		 cJSON_AddItemToArray(args, cJSON_CreateString("-c"));

	if (o->shell)
		return ok && cJSON_AddItemToArray(args,
						  cJSON_CreateString(o->shell));
	ok = ok && cJSON_AddItemToArray(args, cJSON_CreateString(ARGV_SCRIPT));
	for (size_t i = 0; ok && o->argv[i]; i++)
		ok = cJSON_AddItemToArray(args, cJSON_CreateString(o->argv[i]));
	return ok;
}

int e2b_process_config(cJSON **out, const struct e2b *e,
		       const wsp_exec_opts *o, wsp_error *err)
{
	cJSON *p = cJSON_CreateObject(), *args, *envs;
	char *dir = rmt_command_dir(e->working_dir, o->cwd);
	int rc = 0;

	*out = NULL;
	if (!p || !dir || !cJSON_AddStringToObject(p, "cmd", "/bin/bash") ||
	    !(args = cJSON_AddArrayToObject(p, "args")) || !add_args(args, o) ||
	    !(envs = cJSON_AddObjectToObject(p, "envs")) ||
	    !cJSON_AddStringToObject(p, "cwd", dir))
		rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
	else
		rc = rmt_env_json(envs, o->env, err);
	free(dir);
	if (rc) {
		cJSON_Delete(p);
		return rc;
	}
	*out = p;
	return 0;
}

int e2b_envd_at_least(const char *version, int major, int minor, int patch)
{
	int v[3] = {0, 0, 0};

	if (!version || sscanf(version, "%d.%d.%d", &v[0], &v[1], &v[2]) != 3)
		return 1;
	if (v[0] != major)
		return v[0] > major;
	if (v[1] != minor)
		return v[1] > minor;
	return v[2] >= patch;
}
