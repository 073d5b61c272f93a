/*
 * cli/cmd_ext.c - `wsp ext TARGET [OP [ARGS...]]`: a provider's extension
 * operations, listed or called by name (through libffi, in the core).
 */
#include "cli.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct cli_cmd ext_cmd = {
	"ext",
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
	"Global options go before TARGET; every word after it is the\n"
	"operation's. With the global --json, print JSON.\n",
	NULL, NULL, CLI_IN_ORDER, NULL};

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
	struct cli_parse p;
	char **w;
	int n, args, rc;

	rc = cli_parse_all(&p, cli, &ext_cmd, argc, argv);
	if (rc != CLI_END)
		return cli_parse_exit(rc);
	w = p.operands;
	n = p.n_operands;
	if (n < 1)
		return cli_usage("ext", "no TARGET given");
	if (cli_workspace(&ws, cli))
		return WSP_EXIT_FAIL;
	if (n < 2)
		return list(cli, ws, w[0]);

	/* "--" before the arguments lets one start with '-' unambiguously. */
	args = 2;
	if (args < n && !strcmp(w[args], "--"))
		args++;
	rc = wsp_workspace_ext_call(&result, ws, w[0], w[1], (size_t)(n - args),
				    (const char *const *)w + args, &err);
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
