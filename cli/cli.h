/*
 * cli/cli.h - what the CLI's command files share.
 *
 * Each command group lives in its own file (cmd_<group>.c) and is listed
 * once in commands.def. A command gets the global options read before it
 * and its own argv (argv[0] is the command name), reads its options with
 * cli/opts.h (global ones after the command included) and returns the
 * exit status:
 * 0 success, 1 failure, 2 usage error (exec-like commands: the command's).
 */
#ifndef WSP_CLI_H
#define WSP_CLI_H

#include <wsp/wsp.h>

#include "opts.h"

#include <stdio.h>

enum { WSP_EXIT_OK = 0, WSP_EXIT_FAIL = 1, WSP_EXIT_USAGE = 2 };

struct wsp_cli {
	const char *config_path; /* --config */
	const char *plugin_path; /* --plugin-path */
	int json;		 /* --json */
	int verbose;		 /* -v, repeatable */
	FILE *log_file;		 /* --log-file: wsp's own messages go there */
	/*
	 * Set by a command whose stderr carries a sandboxed command's
	 * stderr (exec, sh, logs): wsp's own log lines and notices then stay
	 * out of it unless -v (or go to --log-file).
	 */
	int owns_stderr;
	wsp_workspace *ws; /* opened on first use, closed at exit */
};

typedef int (*wsp_cli_fn)(struct wsp_cli *cli, int argc, char **argv);

#define WSP_CLI_COMMAND(name, fn, summary)                                     \
	int fn(struct wsp_cli *cli, int argc, char **argv);
#include "commands.def"
#undef WSP_CLI_COMMAND

/* The i-th command's name in 'wsp --help' order; NULL past the last. */
const char *cli_command_name(size_t i);
/* `wsp __complete WORD... CURRENT` (cli/cmd_complete.c). */
int cmd_complete(struct wsp_cli *cli, int argc, char **argv);

/*
 * Print a NUL-terminated text as a JSON string to stdout (quotes,
 * backslashes and control bytes escaped), as `wsp sandbox` prints.
 */
void cli_put_json(const char *s);

/*
 * cli/json_bytes.c: arbitrary bytes as one JSON string (valid UTF-8
 * kept, control characters escaped, each invalid byte U+FFFD).
 */
void cli_put_json_bytes(FILE *f, const char *data, size_t n);

/*
 * A live stream as JSON lines, {"stream":"stdout"|"stderr","data":...}
 * a chunk, flushed at once; a character split between two chunks is
 * held back (per stream) until it is whole. cli_jsonl_finish prints what
 * is held. Zero-initialise with f set.
 */
struct cli_jsonl {
	FILE *f;
	unsigned char carry[2][4];
	size_t n_carry[2];
};
int cli_jsonl_chunk(struct cli_jsonl *j, uint32_t stream, const void *data,
		    size_t len);
void cli_jsonl_finish(struct cli_jsonl *j);

/* What `wsp sandbox SUB` read: its options and the words after SUB. */
struct sandbox_args {
	int files, read_only, keepalive, show_secret;
	char **args;
	int n_args;
};

/* `wsp sandbox pause|resume|timeout|preview` (cmd_sandbox_slots.c). */
int cmd_sandbox_slot(struct wsp_cli *cli, const char *sub,
		     const struct sandbox_args *a);

/*
 * The workspace of the global options, opened on first use. On failure it
 * prints the error and returns WSP_EXIT_FAIL; otherwise 0 and *out set.
 */
int cli_workspace(wsp_workspace **out, struct wsp_cli *cli);

/*
 * What exec, sh and spawn share: --cwd, --env (repeatable, at most
 * CLI_MAX_ENV) and --isolation, one table entry and one check each.
 */
enum { CLI_RUN_CWD = CLI_LONG + 64, CLI_RUN_ENV, CLI_RUN_ISOLATION };
#define CLI_MAX_ENV 256
#define CLI_OPT_CWD                                                            \
	{CLI_RUN_CWD, "cwd", "DIR",                                             \
	 "run in DIR (relative: under the working directory)"}
#define CLI_OPT_ENV                                                            \
	{CLI_RUN_ENV, "env", "NAME=VALUE", "add a variable (repeatable)"}

/* --env v into env[*n] (NULL kept after it): 0, or a usage error. */
int cli_env_add(const char **env, size_t *n, const char *cmd, const char *v);

/*
 * --isolation v (none, bwrap, auto): 0, or a usage error. After a good
 * one, cli_workspace_isolation() sets the sandbox's option `isolation`
 * to it for this run through the API (nothing goes through the
 * environment); on failure it prints the error and returns WSP_EXIT_FAIL.
 */
int cli_isolation_arg(const char *cmd, const char *v);
int cli_workspace_isolation(wsp_workspace *ws, const char *mode);

/* Open options filled from the global options (config, plugin path, log). */
void cli_open_options(wsp_open_opts *opts, const struct wsp_cli *cli);

/* Print "wsp: <msg>" to stderr. */
void cli_error(const char *fmt, ...) WSP_PRINTF(1, 2);

/*
 * A notice of wsp's own that is not the command's result ("command timed
 * out after 5000 ms"): "wsp: <msg>" to --log-file if given, else to
 * stderr unless the command owns stderr (cli->owns_stderr) and no -v.
 */
void cli_notice(const struct wsp_cli *cli, const char *fmt, ...)
	WSP_PRINTF(2, 3);

/*
 * Print a failed call's error: "wsp: <message> (HTTP 404, NoSuchKey)" to
 * stderr, or with --json one line {"error": message, "code": "ENOENT",
 * "reason": "not found", "http_status", "service_code", "retryable",
 * "retry_after_ms"} (the last four only when set). The one place the
 * CLI reports a wsp_error.
 */
void cli_fail_error(const wsp_error *err);

/*
 * A failure the CLI itself finds (no wsp_error behind it): the message,
 * or with --json {"error": message, "code": name, "reason": reason}.
 * Returns WSP_EXIT_FAIL.
 */
int cli_fail(const char *name, const char *reason, const char *fmt, ...)
	WSP_PRINTF(3, 4);

/* Set by --json (global or a subcommand's): errors are JSON too. */
extern int cli_json_errors;

/*
 * Print "wsp <cmd>: <msg>" and a hint to run --help to stderr ("wsp:" and
 * 'wsp --help' when cmd is NULL); returns WSP_EXIT_USAGE.
 */
int cli_usage(const char *cmd, const char *fmt, ...) WSP_PRINTF(2, 3);

/*
 * cli/interrupt.c: a cancel token that SIGINT, SIGTERM and SIGHUP fire
 * (SIGPIPE ignored), for the call of a command that waits; NULL with err
 * set when it cannot be made. cli_interrupt_end frees it.
 */
wsp_cancel *cli_interrupt_begin(wsp_error *err);
void cli_interrupt_end(void);

#endif /* WSP_CLI_H */
