/*
 * cli/cmd_tools.c - the agent tools from the command line: `wsp tools`
 * lists them, `wsp tool NAME JSON` runs one, `wsp instructions` prints
 * the text an agent's system prompt gets about the workspace.
 */
#include "cli.h"

#include <wsp/tools.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int open_tools(wsp_tools **out, struct wsp_cli *cli, uint32_t flags)
{
	wsp_tools_opts opts = WSP_TOOLS_OPTS_INIT;
	wsp_workspace *ws;
	wsp_error err;

	if (cli_workspace(&ws, cli))
		return WSP_EXIT_FAIL;
	opts.flags = flags;
	if (wsp_tools_open(out, ws, &opts, &err) < 0) {
		cli_fail_error(&err);
		return WSP_EXIT_FAIL;
	}
	return WSP_EXIT_OK;
}

static const struct cli_opt tools_opts[] = {
	{CLI_G_JSON, "json", NULL,
	 "each tool with its JSON Schema (MCP's tools/list shape)"},
	{0, NULL, NULL, NULL},
};

static const struct cli_cmd tools_cmd = {
	"tools",
	"usage: wsp tools [--json]\n\n"
	"List the agent tools of the workspace: name and description.\n",
	tools_opts, NULL, 0, NULL};

int cmd_tools(struct wsp_cli *cli, int argc, char **argv)
{
	wsp_tools *tools;
	wsp_tool_info info;
	wsp_error err;
	char *json;
	struct cli_parse p;
	size_t i, n;
	int k, rc;

	k = cli_parse_all(&p, cli, &tools_cmd, argc, argv);
	if (k != CLI_END)
		return cli_parse_exit(k);
	if (p.n_operands)
		return cli_usage("tools", "unexpected argument '%s'",
				 p.operands[0]);
	if ((rc = open_tools(&tools, cli, 0)))
		return rc;
	if (cli->json) {
		if (wsp_tools_list_json(&json, tools, &err) < 0) {
			cli_fail_error(&err);
			wsp_tools_close(tools);
			return WSP_EXIT_FAIL;
		}
		printf("%s\n", json);
		wsp_tools_free(json);
	} else {
		n = wsp_tools_count(tools);
		for (i = 0; i < n; i++) {
			const char *d, *nl;

			info.struct_size = sizeof(info);
			if (wsp_tools_get(&info, tools, i))
				break;
			d = info.description;
			nl = strchr(d, '\n');
			printf("%-20s %.*s%s\n", info.name,
			       (int)(nl ? (size_t)(nl - d) : strlen(d)), d,
			       info.flags & WSP_TOOL_REQUIRE_APPROVAL
				       ? " [requires approval]"
				       : "");
		}
	}
	wsp_tools_close(tools);
	return WSP_EXIT_OK;
}

/* Approval at the terminal: only when a person can answer. */
static int ask_terminal(const char *name, const char *args, void *payload)
{
	int yes = *(int *)payload;
	char line[16];
	FILE *tty;

	if (yes)
		return 1;
	if (!isatty(STDIN_FILENO))
		return 0;
	fprintf(stderr, "wsp: allow tool '%s' with %s? [y/N] ", name, args);
	tty = stdin;
	if (!fgets(line, sizeof(line), tty))
		return 0;
	return line[0] == 'y' || line[0] == 'Y';
}

static const struct cli_opt tool_opts[] = {
	{'y', "yes", NULL,
	 "approve a tool configured with require_approval (else\n"
	 "asked at the terminal, or refused without one)"},
	{0, NULL, NULL, NULL},
};

static const struct cli_cmd tool_cmd = {
	"tool",
	"usage: wsp tool [--yes] NAME ['JSON-ARGS']\n\n"
	"Run one agent tool with its arguments as a JSON object (default {})\n"
	"and print its result. Exit status 1 when the tool reports an error.\n",
	tool_opts,
	"Options and global options go before NAME; what follows is the\n"
	"tool's. With the global --json it prints {\"text\", \"is_error\"} (and\n"
	"media_type, media_bytes for an image result).\n",
	CLI_IN_ORDER, NULL};

int cmd_tool(struct wsp_cli *cli, int argc, char **argv)
{
	wsp_tool_call_opts opts = WSP_TOOL_CALL_OPTS_INIT;
	wsp_tool_result res = {.struct_size = sizeof(res)};
	const char *name = NULL, *args = NULL;
	struct cli_parse p;
	wsp_tools *tools;
	wsp_error err;
	int k, rc, yes = 0;

	cli_parse_begin(&p, cli, &tool_cmd, argc, argv);
	while ((k = cli_parse_next(&p)) > 0)
		yes = 1; /* --yes, its one option */
	if (k != CLI_END)
		return cli_parse_exit(k);
	if (p.n_operands > 2)
		return cli_usage("tool", "unexpected argument '%s'",
				 p.operands[2]);
	name = p.n_operands > 0 ? p.operands[0] : NULL;
	args = p.n_operands > 1 ? p.operands[1] : NULL;
	if (!name)
		return cli_usage("tool", "which tool? 'wsp tools' lists them");
	if ((rc = open_tools(&tools, cli, 0)))
		return rc;
	/* ^C cancels the tool's call (its command killed), then we report */
	opts.cancel = cli_interrupt_begin(&err);
	if (!opts.cancel) {
		cli_fail_error(&err);
		wsp_tools_close(tools);
		return WSP_EXIT_FAIL;
	}
	opts.approve = ask_terminal;
	opts.approve_payload = &yes;
	rc = wsp_tool_call(&res, tools, name, args, &opts, &err);
	cli_interrupt_end();
	if (rc < 0) {
		cli_fail_error(&err);
		rc = rc == WSP_ENOTFOUND || rc == WSP_EINVAL ? WSP_EXIT_USAGE
							     : WSP_EXIT_FAIL;
	} else if (cli->json) {
		/* The result as the model gets it (media counted, not
		 * printed): {"text", "is_error", "media_type", "media_bytes"} */
		fputs("{\"text\":", stdout);
		cli_put_json(res.text);
		printf(",\"is_error\":%s", res.is_error ? "true" : "false");
		if (res.media_type) {
			fputs(",\"media_type\":", stdout);
			cli_put_json(res.media_type);
			printf(",\"media_bytes\":%zu", res.media_len);
		}
		puts("}");
		rc = res.is_error ? WSP_EXIT_FAIL : WSP_EXIT_OK;
	} else {
		fputs(res.text, stdout);
		if (!res.len || res.text[res.len - 1] != '\n')
			fputc('\n', stdout);
		if (res.media_type)
			printf("(%s shown to the model: %zu bytes of base64 "
			       "not printed)\n",
			       res.media_type, res.media_len);
		rc = res.is_error ? WSP_EXIT_FAIL : WSP_EXIT_OK;
	}
	wsp_tool_result_release(&res);
	wsp_tools_close(tools);
	return rc;
}

static const struct cli_cmd instructions_cmd = {
	"instructions",
	"usage: wsp instructions\n\n"
	"Print the text an agent's system prompt gets about this workspace\n"
	"(what `wsp mcp` sends as its instructions). With the global --json:\n"
	"{\"instructions\": text}.\n",
	NULL, NULL, 0, NULL};

int cmd_instructions(struct wsp_cli *cli, int argc, char **argv)
{
	struct cli_parse p;
	wsp_workspace *ws;
	wsp_error err;
	char *text;
	int k;

	k = cli_parse_all(&p, cli, &instructions_cmd, argc, argv);
	if (k != CLI_END)
		return cli_parse_exit(k);
	if (p.n_operands)
		return cli_usage("instructions", "unexpected argument '%s'",
				 p.operands[0]);
	if (cli_workspace(&ws, cli))
		return WSP_EXIT_FAIL;
	if (wsp_tools_instructions(&text, ws, &err) < 0) {
		cli_fail_error(&err);
		return WSP_EXIT_FAIL;
	}
	if (cli->json) {
		fputs("{\"instructions\":", stdout);
		cli_put_json(text);
		puts("}");
	} else {
		fputs(text, stdout);
	}
	wsp_tools_free(text);
	return WSP_EXIT_OK;
}
