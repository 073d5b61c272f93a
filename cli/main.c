/*
 * cli/main.c - the wsp command line: global options, then one command.
 */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct command {
	const char *name;
	wsp_cli_fn fn;
	const char *summary;
} commands[] = {
#define WSP_CLI_COMMAND(name, fn, summary) { name, fn, summary },
#include "commands.def"
#undef WSP_CLI_COMMAND
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

const char *cli_command_name(size_t i)
{
	return i < N_COMMANDS ? commands[i].name : NULL;
}

static void usage(FILE *out);

static const struct cli_cmd wsp_cmd = {
	NULL,
	"usage: wsp [--config FILE] [--plugin-path DIRS] [--json] [-v]\n"
	"           [--log-file FILE] COMMAND [ARGS]\n"
	"\n"
	"Workspaces for AI agents: files and a sandbox where commands run,\n"
	"behind one plugin ABI ('wsp plugins' lists the providers installed).\n",
	cli_global_opts,
	"Global options may also follow the command (before '--'; for exec,\n"
	"sh, spawn, tool and ext, before the program or tool they name).\n"
	"Every command reads --opt VALUE and --opt=VALUE alike.\n",
	CLI_IN_ORDER,
	usage,
};

static void usage(FILE *out)
{
	size_t i;

	cli_help(out, &wsp_cmd);
	fputs("\ncommands:\n", out);
	/* Two spaces at least between name and summary, as every list
	 * in our help has: help2man (the man pages) reads it so. */
	for (i = 0; i < N_COMMANDS; i++)
		fprintf(out, "  %-12s  %s\n", commands[i].name,
			commands[i].summary);
	fprintf(out, "\nexit status: 0 success, 1 failure, 2 usage error; "
		     "exec returns the command's own status (124 on timeout)\n");
}

void cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("wsp: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "wsp%s%s: ", cmd ? " " : "", cmd ? cmd : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\ntry 'wsp%s%s --help'\n", cmd ? " " : "",
		cmd ? cmd : "");
	return WSP_EXIT_USAGE;
}

/* Where wsp's own messages go: --log-file, stderr, or nowhere. */
static FILE *own_channel(const struct wsp_cli *cli)
{
	if (cli->log_file)
		return cli->log_file;
	return cli->owns_stderr && !cli->verbose ? NULL : stderr;
}

static void log_line(int level, const char *line, void *payload)
{
	static const char *const names[] = { "error", "warning", "info",
					     "debug" };
	FILE *f = own_channel(payload);

	if (level < 0 || level > WSP_LOG_DEBUG)
		level = WSP_LOG_ERROR;
	if (f) {
		fprintf(f, "wsp: %s: %s\n", names[level], line);
		fflush(f);
	}
}

void cli_notice(const struct wsp_cli *cli, const char *fmt, ...)
{
	FILE *f = own_channel(cli);
	va_list ap;

	if (!f)
		return;
	fputs("wsp: ", f);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	fflush(f);
}

void cli_open_options(wsp_open_opts *opts, const struct wsp_cli *cli)
{
	wsp_open_opts init = WSP_OPEN_OPTS_INIT;

	*opts = init;
	opts->config_path = cli->config_path;
	opts->plugin_path = cli->plugin_path;
	opts->log = log_line;
	opts->log_payload = (void *)cli; /* read only, by log_line */
	opts->log_level = WSP_LOG_WARN + cli->verbose;
}

int cli_workspace(wsp_workspace **out, struct wsp_cli *cli)
{
	wsp_open_opts opts;
	wsp_error err;

	if (!cli->ws) {
		cli_open_options(&opts, cli);
		if (wsp_workspace_open(&cli->ws, &opts, &err) < 0) {
			cli_fail_error(&err);
			return WSP_EXIT_FAIL;
		}
	}
	*out = cli->ws;
	return WSP_EXIT_OK;
}

int cli_isolation_arg(const char *cmd, const char *v)
{
	if (!strcmp(v, "none") || !strcmp(v, "bwrap") || !strcmp(v, "auto"))
		return 0;
	return cli_usage(cmd, "unknown isolation '%s'; use none, bwrap or auto",
			 v);
}

int cli_env_add(const char **env, size_t *n, const char *cmd, const char *v)
{
	if (!strchr(v, '=') || v[0] == '=')
		return cli_usage(cmd, "'--env %s' is not NAME=VALUE", v);
	if (*n == CLI_MAX_ENV)
		return cli_usage(cmd, "more than %d --env", CLI_MAX_ENV);
	env[(*n)++] = v;
	env[*n] = NULL;
	return 0;
}

int cli_workspace_isolation(wsp_workspace *ws, const char *mode)
{
	wsp_error err;

	if (wsp_sandbox_set_option(ws, "isolation", mode, &err) < 0) {
		cli_fail_error(&err);
		return WSP_EXIT_FAIL;
	}
	return WSP_EXIT_OK;
}

int cli_global_option(struct wsp_cli *cli, const char *cmd, int key,
		      const char *v)
{
	switch (key) {
	case CLI_G_CONFIG:
		cli->config_path = v;
		break;
	case CLI_G_PLUGIN_PATH:
		cli->plugin_path = v;
		break;
	case CLI_G_JSON:
		cli->json = 1;
		cli_json_errors = 1;
		break;
	case CLI_G_VERBOSE:
		cli->verbose++;
		break;
	case CLI_G_LOG_FILE:
		if (cli->log_file)
			fclose(cli->log_file);
		cli->log_file = fopen(v, "a");
		if (!cli->log_file) {
			cli_usage(cmd, "cannot open log file '%s': %s", v,
				  strerror(errno));
			return -1;
		}
		break;
	default:
		break;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct wsp_cli cli = { 0 };
	struct cli_parse p;
	const char *name;
	size_t c;
	int rc;

	/* The global options before the command: options end at it. */
	cli_parse_begin(&p, &cli, &wsp_cmd, argc, argv);
	rc = cli_parse_next(&p);
	if (rc == CLI_HELP)
		return WSP_EXIT_OK;
	if (rc != CLI_END || !p.n_operands) {
		if (rc == CLI_END)
			usage(stderr);
		return WSP_EXIT_USAGE;
	}
	name = p.operands[0];
	/* The shell completions' helper (completions/): not a command. */
	if (!strcmp(name, "__complete"))
		return cmd_complete(&cli, p.n_operands, p.operands);
	for (c = 0; c < N_COMMANDS; c++)
		if (!strcmp(name, commands[c].name))
			break;
	if (c == N_COMMANDS) {
		fprintf(stderr, "wsp: unknown command '%s'\ntry 'wsp --help'\n",
			name);
		return WSP_EXIT_USAGE;
	}
	rc = commands[c].fn(&cli, p.n_operands, p.operands);
	wsp_workspace_close(cli.ws);
	if (cli.log_file)
		fclose(cli.log_file);
	return rc;
}
