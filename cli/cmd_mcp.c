/*
 * cli/cmd_mcp.c - `wsp mcp`: serve the workspace's tools to an MCP client
 * over stdio until the client closes stdin or SIGTERM, SIGINT or SIGHUP
 * arrives.
 */
#include "cli.h"

#include <wsp/mcp.h>
#include <wsp/tools.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const struct cli_opt mcp_opts[] = {
	{CLI_LONG, "kill-background", NULL,
	 "also kill the background processes this session\nstarted"},
	{0, NULL, NULL, NULL},
};

static const struct cli_cmd mcp_cmd = {
	"mcp",
	"usage: wsp mcp [--kill-background]\n\n"
	"Serve the workspace's agent tools over the Model Context Protocol on\n"
	"stdin/stdout (JSON-RPC 2.0, one message per line). Logs go to stderr.\n"
	"Stops when stdin closes or on SIGTERM, SIGINT or SIGHUP; running\n"
	"commands are killed, background processes keep running.\n",
	mcp_opts, NULL, 0, NULL};

int cmd_mcp(struct wsp_cli *cli, int argc, char **argv)
{
	wsp_tools_opts topts = WSP_TOOLS_OPTS_INIT;
	wsp_mcp_opts opts = WSP_MCP_OPTS_INIT;
	wsp_workspace *ws;
	wsp_tools *tools;
	wsp_error err;
	char *instructions = NULL;
	struct cli_parse p;
	int k, rc, kill_bg = 0;

	cli_parse_begin(&p, cli, &mcp_cmd, argc, argv);
	while ((k = cli_parse_next(&p)) > 0)
		kill_bg = 1; /* --kill-background, its one option */
	if (k != CLI_END)
		return cli_parse_exit(k);
	if (p.n_operands)
		return cli_usage("mcp", "unexpected argument '%s'",
				 p.operands[0]);
	if (cli_workspace(&ws, cli))
		return WSP_EXIT_FAIL;
	/* an agent must read a file before it overwrites it */
	topts.flags = WSP_TOOLS_READ_BEFORE_WRITE;
	if (wsp_tools_open(&tools, ws, &topts, &err) < 0) {
		cli_fail_error(&err);
		return WSP_EXIT_FAIL;
	}
	if (wsp_tools_instructions(&instructions, ws, &err) < 0)
		cli_error("warning: no instructions: %s", err.message);

	/* SIGTERM, ^C or a hang-up stops serving; a gone client shows as a
	 * write error (SIGPIPE ignored) */
	opts.stop = cli_interrupt_begin(&err);
	if (!opts.stop) {
		cli_fail_error(&err);
		wsp_tools_free(instructions);
		wsp_tools_close(tools);
		return WSP_EXIT_FAIL;
	}
	opts.in_fd = STDIN_FILENO;
	opts.out_fd = STDOUT_FILENO;
	opts.instructions = instructions;
	if (kill_bg)
		opts.flags |= WSP_MCP_KILL_BACKGROUND;
	rc = wsp_mcp_serve(tools, &opts, &err);
	if (rc < 0)
		cli_fail_error(&err);

	cli_interrupt_end();
	wsp_tools_free(instructions);
	wsp_tools_close(tools);
	return rc < 0 ? WSP_EXIT_FAIL : WSP_EXIT_OK;
}
