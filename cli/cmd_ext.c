/*
 * cli/cmd_ext.c - `wsp ext TARGET [OP [ARGS...]]`: a provider's extension
 * operations, listed or called by name (through libffi, in the core).
 */
#include "cli.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
	"usage: wsp ext TARGET\n"
	"   or: wsp ext TARGET OP [--] [ARGS...]\n"
	"\n"
	"A provider's own operations beyond the common interfaces (a local\n"
	"checkpoint, a cloud sandbox's timeout...). Without OP, list them\n"
	"with their signatures; with OP, call it with ARGS and print its\n"
	"result. TARGET is the sandbox's provider name, a mount's provider\n"
	"name, or a mount path ('/data').\n"
	"\n"
	"Signatures: one letter per argument, i integer, d number,\n"
	"b boolean (true/false), s text; 'r:' first when it returns text.\n"
	"Arguments are checked against it before anything is called.\n"
	"\n"
	"exit status: 0 success, 1 failure (unknown target or operation,\n"
	"or the operation's own error), 2 usage error (wrong number or\n"
	"type of arguments)\n"
	"\n"
	"With the global --json, print JSON.\n";

static int print_op(const char *name, const char *signature, const char *help,
		    void *payload)
{
	cJSON *arr = payload, *o;

	if (!arr) {
		printf("%-20s (%s) %s\n", name, signature, help);
		return 0;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "name", name);
	cJSON_AddStringToObject(o, "signature", signature);
	cJSON_AddStringToObject(o, "help", help);
	cJSON_AddItemToArray(arr, o);
	return 0;
}

static int print_json(cJSON *doc)
{
	char *text = cJSON_Print(doc);

	cJSON_Delete(doc);
	if (!text) {
		cli_error("out of memory");
		return WSP_EXIT_FAIL;
	}
	printf("%s\n", text);
	free(text);
	return WSP_EXIT_OK;
}

static int list(struct wsp_cli *cli, wsp_workspace *ws, const char *target)
{
	cJSON *arr = cli->json ? cJSON_CreateArray() : NULL;
	wsp_error err;

	if (wsp_workspace_ext_list(ws, target, print_op, arr, &err)) {
		cJSON_Delete(arr);
		cli_fail_error(&err);
		return WSP_EXIT_FAIL;
	}
	return arr ? print_json(arr) : WSP_EXIT_OK;
}

int cmd_ext(struct wsp_cli *cli, int argc, char **argv)
{
	wsp_workspace *ws;
	wsp_error err;
	char *result = NULL;
	int first = 1, args, rc;

	if (cli_wants_help(argc, argv)) {
		fputs(usage_text, stdout);
		return WSP_EXIT_OK;
	}
	if (first < argc && !strcmp(argv[first], "--"))
		first++;
	if (first >= argc)
		return cli_usage("ext", "no TARGET given");
	if (cli_workspace(&ws, cli))
		return WSP_EXIT_FAIL;
	if (first + 1 >= argc)
		return list(cli, ws, argv[first]);

	/* "--" before the arguments lets one start with '-' unambiguously. */
	args = first + 2;
	if (args < argc && !strcmp(argv[args], "--"))
		args++;
	rc = wsp_workspace_ext_call(&result, ws, argv[first], argv[first + 1],
				    (size_t)(argc - args),
				    (const char *const *)argv + args, &err);
	if (rc) {
		cli_fail_error(&err);
		return rc == WSP_EINVAL ? WSP_EXIT_USAGE : WSP_EXIT_FAIL;
	}
	if (cli->json) {
		cJSON *doc = cJSON_CreateObject();

		if (result)
			cJSON_AddStringToObject(doc, "result", result);
		else
			cJSON_AddNullToObject(doc, "result");
		wsp_ext_result_free(result);
		return print_json(doc);
	}
	if (result && *result) {
		fputs(result, stdout);
		if (result[strlen(result) - 1] != '\n')
			putchar('\n');
	}
	wsp_ext_result_free(result);
	return WSP_EXIT_OK;
}
