/* cli/cmd_config.c - `wsp config check [FILE]` and `wsp config show`. */
#include "cli.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct cli_opt config_opts[] = {
	{CLI_LONG, "init", NULL,
	 "check: also start each provider once (reaches\n"
	 "remote services, checks credentials)"},
	{0, NULL, NULL, NULL},
};

static const struct cli_cmd config_cmd = {
	"config",
	"usage: wsp config check [--init] [FILE]\n"
	"   or: wsp config show\n"
	"\n"
	"check  parse the configuration (FILE, or the one wsp would use),\n"
	"       load every provider it names and validate their options;\n"
	"       prints each problem as FILE:LINE:COL: message and exits 1,\n"
	"       or prints \"ok\"\n"
	"show   print the effective configuration: variables resolved,\n"
	"       defaults filled in, secrets masked as ********\n",
	config_opts, "With the global --json, both print JSON.\n", 0, NULL};

static void print_line(const char *line, void *payload)
{
	cJSON *arr = payload;

	if (arr)
		cJSON_AddItemToArray(arr, cJSON_CreateString(line));
	else
		fprintf(stderr, "%s\n", line);
}

static int check(struct wsp_cli *cli, uint32_t flags, int argc, char **argv)
{
	wsp_open_opts opts;
	const char *file = argc > 1 ? argv[1] : NULL;
	cJSON *doc = NULL, *problems = NULL;
	wsp_error err;
	char *text;
	int rc;

	if (argc > 2)
		return cli_usage("config", "unexpected argument '%s'", argv[2]);
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
	struct cli_parse p;
	uint32_t flags = 0;
	int k;

	cli_parse_begin(&p, cli, &config_cmd, argc, argv);
	while ((k = cli_parse_next(&p)) > 0)
		flags |= WSP_CHECK_INIT; /* --init, its one option */
	if (k != CLI_END)
		return cli_parse_exit(k);
	if (!p.n_operands)
		return cli_usage("config", "which subcommand: check or show?");
	if (!strcmp(p.operands[0], "check"))
		return check(cli, flags, p.n_operands, p.operands);
	if (!strcmp(p.operands[0], "show") && flags)
		return cli_usage("config", "show takes no option '--init'");
	if (!strcmp(p.operands[0], "show"))
		return show(cli, p.n_operands, p.operands);
	return cli_usage("config", "unknown subcommand '%s'", p.operands[0]);
}
