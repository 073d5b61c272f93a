/* cli/cmd_config.c - `wsp config check [FILE]` and `wsp config show`. */
#include "cli.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
	"usage: wsp config check [--init] [FILE]\n"
	"   or: wsp config show\n"
	"\n"
	"check  parse the configuration (FILE, or the one wsp would use),\n"
	"       load every provider it names and validate their options;\n"
	"       prints each problem as FILE:LINE:COL: message and exits 1,\n"
	"       or prints \"ok\"\n"
	"       --init  also start each provider once (reaches remote\n"
	"               services, checks credentials)\n"
	"show   print the effective configuration: variables resolved,\n"
	"       defaults filled in, secrets masked as ********\n"
	"\n"
	"With the global --json, both print JSON.\n";

static void print_line(const char *line, void *payload)
{
	cJSON *arr = payload;

	if (arr)
		cJSON_AddItemToArray(arr, cJSON_CreateString(line));
	else
		fprintf(stderr, "%s\n", line);
}

static int check(struct wsp_cli *cli, int argc, char **argv)
{
	wsp_open_options opts;
	const char *file = NULL;
	cJSON *doc = NULL, *problems = NULL;
	uint32_t flags = 0;
	wsp_error err;
	char *text;
	int i, rc;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--init"))
			flags |= WSP_CHECK_INIT;
		else if (argv[i][0] == '-' && argv[i][1])
			return cli_usage("config", "unknown option '%s'",
					 argv[i]);
		else if (file)
			return cli_usage("config", "unexpected argument '%s'",
					 argv[i]);
		else
			file = argv[i];
	}
	cli_open_options(&opts, cli);
	if (file)
		opts.config_path = file;
	if (cli->json) {
		doc = cJSON_CreateObject();
		problems = cJSON_AddArrayToObject(doc, "problems");
	}
	rc = wsp_config_check(&opts, flags, print_line, problems, &err);
	if (doc) {
		cJSON_AddBoolToObject(doc, "ok", rc == 0);
		text = cJSON_Print(doc);
		if (text)
			printf("%s\n", text);
		free(text);
		cJSON_Delete(doc);
	} else if (!rc) {
		printf("ok\n");
	}
	return rc ? WSP_EXIT_FAIL : WSP_EXIT_OK;
}

static int write_stdout(const void *data, size_t len, void *payload)
{
	(void)payload;
	return fwrite(data, 1, len, stdout) == len ? 0 : WSP_EIO;
}

static int show(struct wsp_cli *cli, int argc, char **argv)
{
	wsp_workspace *ws;
	wsp_error err;
	int rc;

	if (argc > 1)
		return cli_usage("config", "unexpected argument '%s'",
				 argv[1]);
	rc = cli_workspace(&ws, cli);
	if (rc)
		return rc;
	if (wsp_workspace_config_show(ws, cli->json ? WSP_SHOW_JSON : 0,
				      write_stdout, NULL, &err) < 0) {
		cli_fail_error(&err);
		return WSP_EXIT_FAIL;
	}
	return WSP_EXIT_OK;
}

int cmd_config(struct wsp_cli *cli, int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		fputs(usage_text, stdout);
		return WSP_EXIT_OK;
	}
	if (argc < 2)
		return cli_usage("config", "which subcommand: check or show?");
	if (!strcmp(argv[1], "check"))
		return check(cli, argc - 1, argv + 1);
	if (!strcmp(argv[1], "show"))
		return show(cli, argc - 1, argv + 1);
	return cli_usage("config", "unknown subcommand '%s'", argv[1]);
}
