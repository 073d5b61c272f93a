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

static void usage(FILE *out)
{
	size_t i;

	fprintf(out,
		"usage: wsp [--config FILE] [--plugin-path DIRS] [--json] [-v]\n"
		"           [--log-file FILE] COMMAND [ARGS]\n"
		"\n"
		"Workspaces for AI agents: files and a sandbox where commands run,\n"
		"behind one plugin ABI ('wsp plugins' lists the providers installed).\n"
		"\n"
		"global options:\n"
		"  --config FILE       use this wsp.yaml (default: $WSP_CONFIG, ./wsp.yaml,\n"
		"                      $XDG_CONFIG_HOME/wsp/wsp.yaml, /etc/wsp/wsp.yaml,\n"
		"                      else the embedded default)\n"
		"  --plugin-path DIRS  colon-separated directories searched for providers\n"
		"                      first (then $WSP_PLUGIN_PATH, plugin_path: in the\n"
		"                      config, the install directory)\n"
		"  --json              print data as JSON\n"
		"  -v, --verbose       log more (repeat for debug)\n"
		"  --log-file FILE     append wsp's own log lines and notices to FILE\n"
		"                      instead of stderr (exec, sh and logs keep them\n"
		"                      out of the command's stderr anyway unless -v)\n"
		"  -h, --help          show this help; COMMAND --help shows a command's\n"
		"Global options may also follow the command (before '--'; for exec,\n"
		"sh, spawn, tool and ext, before the program or tool they name).\n"
		"\n"
		"commands:\n");
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

	fprintf(stderr, "wsp %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\ntry 'wsp %s --help'\n", cmd);
	return WSP_EXIT_USAGE;
}

int cli_wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			return 0;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return 1;
	}
	return 0;
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

void cli_open_options(wsp_open_options *opts, const struct wsp_cli *cli)
{
	wsp_open_options init = WSP_OPEN_OPTIONS_INIT;

	*opts = init;
	opts->config_path = cli->config_path;
	opts->plugin_path = cli->plugin_path;
	opts->log = log_line;
	opts->log_payload = (void *)cli; /* read only, by log_line */
	opts->log_level = WSP_LOG_WARN + cli->verbose;
}

int cli_workspace(wsp_workspace **out, struct wsp_cli *cli)
{
	wsp_open_options opts;
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

int cli_isolation_valid(const char *mode)
{
	return !strcmp(mode, "none") || !strcmp(mode, "bwrap") ||
	       !strcmp(mode, "auto");
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

/*
 * One global option at argv[*i] (its value consumed too): 1 when it was
 * one, 0 when not, -1 after a message when it is wrong (missing value,
 * unwritable log file).
 */
static int global_option(struct wsp_cli *cli, int argc, char **argv, int *i)
{
	const char *v;
	int missing = 0;

	if ((v = cli_option_value(argc, argv, i, "--config", &missing))) {
		cli->config_path = v;
	} else if ((v = cli_option_value(argc, argv, i, "--plugin-path",
					 &missing))) {
		cli->plugin_path = v;
	} else if ((v = cli_option_value(argc, argv, i, "--log-file",
					 &missing))) {
		if (cli->log_file)
			fclose(cli->log_file);
		cli->log_file = fopen(v, "a");
		if (!cli->log_file) {
			fprintf(stderr, "wsp: cannot open log file '%s': %s\n",
				v, strerror(errno));
			return -1;
		}
	} else if (missing) {
		fprintf(stderr, "wsp: option '%s' needs a value\n"
				"try 'wsp --help'\n", argv[*i]);
		return -1;
	} else if (!strcmp(argv[*i], "--json")) {
		cli->json = 1;
		cli_json_errors = 1;
	} else if (!strcmp(argv[*i], "-v") || !strcmp(argv[*i], "--verbose")) {
		cli->verbose++;
	} else {
		return 0;
	}
	return 1;
}

static int in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return 1;
	return 0;
}

/*
 * Global options after the command (`wsp plugins --json` as `wsp --json
 * plugins`), taken out of the command's arguments into cmd_argv: before a
 * "--", and for the commands whose later arguments are another program's
 * or a tool's own, before the first of those. A command that reads --json
 * itself keeps it. The number of arguments left, or -1 after a message.
 */
static int globals_after(struct wsp_cli *cli, int argc, char **argv,
			 char **cmd_argv)
{
	static const char *const runs_program[] = {"exec", "sh", "spawn",
						   "tool", "ext", NULL};
	static const char *const own_json[] = {"exec", "sh", "fs", "logs",
					       "tools", NULL};
	int i, n = 1, scanning = 1, rc;

	cmd_argv[0] = argv[0];
	for (i = 1; i < argc; i++) {
		if (scanning && !strcmp(argv[i], "--"))
			scanning = 0;
		else if (scanning && argv[i][0] != '-' &&
			 in_list(argv[0], runs_program))
			scanning = 0;
		if (!scanning || argv[i][0] != '-' ||
		    (!strcmp(argv[i], "--json") && in_list(argv[0], own_json))) {
			cmd_argv[n++] = argv[i];
			continue;
		}
		rc = global_option(cli, argc, argv, &i);
		if (rc < 0)
			return -1;
		if (!rc)
			cmd_argv[n++] = argv[i];
	}
	cmd_argv[n] = NULL;
	return n;
}

int main(int argc, char **argv)
{
	struct wsp_cli cli = { 0 };
	char **cmd_argv;
	size_t c;
	int i, rc, cmd_argc;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return WSP_EXIT_OK;
		}
		rc = global_option(&cli, argc, argv, &i);
		if (rc < 0)
			return WSP_EXIT_USAGE;
		if (!rc) {
			fprintf(stderr, "wsp: unknown option '%s'\n"
					"try 'wsp --help'\n", argv[i]);
			return WSP_EXIT_USAGE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return WSP_EXIT_USAGE;
	}
	/* The shell completions' helper (completions/): not a command. */
	if (!strcmp(argv[i], "__complete"))
		return cmd_complete(&cli, argc - i, argv + i);
	for (c = 0; c < N_COMMANDS; c++)
		if (!strcmp(argv[i], commands[c].name))
			break;
	if (c == N_COMMANDS) {
		fprintf(stderr, "wsp: unknown command '%s'\ntry 'wsp --help'\n",
			argv[i]);
		return WSP_EXIT_USAGE;
	}
	cmd_argv = calloc((size_t)(argc - i) + 1, sizeof(*cmd_argv));
	if (!cmd_argv) {
		fprintf(stderr, "wsp: out of memory\n");
		return WSP_EXIT_FAIL;
	}
	cmd_argc = globals_after(&cli, argc - i, argv + i, cmd_argv);
	rc = cmd_argc < 0 ? WSP_EXIT_USAGE
			  : commands[c].fn(&cli, cmd_argc, cmd_argv);
	free(cmd_argv);
	wsp_workspace_close(cli.ws);
	if (cli.log_file)
		fclose(cli.log_file);
	return rc;
}
