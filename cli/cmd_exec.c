/*
 * cli/cmd_exec.c - `wsp exec [OPTIONS] -- CMD [ARGS]` and
 * `wsp sh [OPTIONS] 'SHELL STRING'`: run one command in the workspace's
 * sandbox, streaming its output live (or printing the whole result as
 * JSON), and exit with its status.
 */
#include "cli.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Exit statuses of wsp itself, as timeout(1) and env(1) use them. */
enum {
	EXEC_EXIT_TIMEOUT = 124,
	EXEC_EXIT_WSP = 125, /* wsp failed (usage, configuration) */
	EXEC_EXIT_CANNOT_RUN = 126,
	EXEC_EXIT_NOT_FOUND = 127
};

#define STDIN_MAX (64u << 20)

enum { O_TIMEOUT = CLI_LONG, O_STDIN, O_STREAM };

static const struct cli_opt exec_opts[] = {
	CLI_OPT_CWD,
	CLI_OPT_ENV,
	{O_TIMEOUT, "timeout", "DUR",
	 "deadline: 250ms, 1.5s, 5m, 1h (bare number =\n"
	 "seconds), 0 = none; default: the sandbox's timeout"},
	{CLI_RUN_ISOLATION, "isolation", "MODE",
	 "none, bwrap or auto for this call: sets the\n"
	 "sandbox's 'isolation' option (the local sandbox\n"
	 "has it) over the configuration's"},
	{O_STDIN, "stdin", NULL,
	 "pass wsp's standard input to the command (read\n"
	 "fully first, at most 64 MiB); default: the\n"
	 "command's stdin is at end of file at once"},
	{CLI_G_JSON, "json", NULL,
	 "print the whole result as JSON instead of\n"
	 "streaming: exit_code, signal, timed_out, killed,\n"
	 "canceled, limit, stdout, stderr, stdout_dropped,\n"
	 "stderr_dropped, duration_ms (output beyond the\n"
	 "sandbox's capture limit is counted, not kept)"},
	{O_STREAM, "stream", NULL,
	 "with --json: JSON lines on stdout as the output\n"
	 "comes, {\"stream\":\"stdout\"|\"stderr\",\"data\":...},\n"
	 "then the result without stdout and stderr"},
	{0, NULL, NULL, NULL},
};

#define EXEC_USAGE_TAIL                                                        \
	"Run one command in the workspace's sandbox and wait for it. exec "    \
	"runs\n"                                                               \
	"CMD with ARGS as given (no shell); sh runs the string with /bin/sh "  \
	"-c.\n"                                                                \
	"The command's stdout and stderr are streamed live to wsp's own. Its\n" \
	"environment is clean (PATH, HOME and the sandbox's configured\n"      \
	"variables); wsp's own environment is not passed on.\n"

static const char exec_more[] =
	"Options end at CMD (or at '--'): every later word is the command's.\n"
	"wsp's own notices (the deadline stopped it, a limit did) stay out of\n"
	"the command's stderr: they are printed with -v only, or go to the\n"
	"global --log-file; the exit status (and --json) tells a program.\n"
	"\n"
	"exit status: the command's own; 124 when the deadline stopped it, "
	"130\n"
	"when interrupted (SIGINT/SIGTERM to wsp stop the command first), "
	"128+N\n"
	"when signal N killed it, 141 when wsp's output was closed (the "
	"command\n"
	"is stopped, as SIGPIPE would); 125 when wsp itself failed (bad "
	"usage,\n"
	"configuration), 126 when the command could not be started, 127 when\n"
	"it was not found.\n";

static const struct cli_cmd exec_cmd = {
	"exec",
	"usage: wsp exec [OPTIONS] [--] CMD [ARGS...]\n"
	"   or: wsp sh [OPTIONS] [--] 'SHELL STRING'\n"
	"\n" EXEC_USAGE_TAIL,
	exec_opts, exec_more, CLI_IN_ORDER, NULL};

static const struct cli_cmd sh_cmd = {
	"sh",
	"usage: wsp sh [OPTIONS] [--] 'SHELL STRING'\n"
	"   or: wsp exec [OPTIONS] [--] CMD [ARGS...]\n"
	"\n" EXEC_USAGE_TAIL,
	exec_opts, exec_more, CLI_IN_ORDER, NULL};

struct exec_args {
	const char *cwd;
	const char *env[CLI_MAX_ENV + 1];
	size_t n_env;
	int64_t timeout_ms; /* -1 not given, 0 none */
	const char *isolation;
	int read_stdin;
	int stream; /* --stream: JSON lines (with --json) */
	char **cmd; /* NULL-terminated (exec) or one string (sh) */
	int n_cmd;
};

/* 0, CLI_HELP or CLI_BAD (a message printed). */
static int parse_args(struct exec_args *a, struct wsp_cli *cli,
		      const struct cli_cmd *cmd, int argc, char **argv)
{
	const char *name = cmd->name;
	struct cli_parse p;
	const char *v;
	int k;

	memset(a, 0, sizeof(*a));
	a->timeout_ms = -1; /* not given: the sandbox's timeout */
	cli_parse_begin(&p, cli, cmd, argc, argv);
	while ((k = cli_parse_next(&p)) > 0) {
		v = p.value;
		switch (k) {
		case CLI_RUN_CWD:
			a->cwd = v;
			break;
		case CLI_RUN_ENV:
			if (cli_env_add(a->env, &a->n_env, name, v))
				return CLI_BAD;
			break;
		case O_TIMEOUT:
			if (wsp_parse_duration_ms(&a->timeout_ms, v))
				return cli_usage(name,
						 "invalid duration '%s'; "
						 "use e.g. 500ms, 1.5s, 5m",
						 v),
				       CLI_BAD;
			break;
		case CLI_RUN_ISOLATION:
			if (cli_isolation_arg(name, v))
				return CLI_BAD;
			a->isolation = v;
			break;
		case O_STDIN:
			a->read_stdin = 1;
			break;
		case O_STREAM:
			a->stream = 1;
			break;
		}
	}
	if (k != CLI_END)
		return k;
	a->cmd = p.operands;
	a->n_cmd = p.n_operands;
	if (a->n_cmd == 0)
		return cli_usage(name, "no command given"), CLI_BAD;
	if (!strcmp(name, "sh") && a->n_cmd != 1)
		return cli_usage(name, "give the shell command as one "
				       "argument (quote it)"),
		       CLI_BAD;
	return 0;
}

/* ---- output ------------------------------------------------------------- */

/* Set when our own stdout or stderr went away (a closed pipe). */
static int output_closed;

/*
 * Stream output straight to our descriptors, unbuffered. When the reader
 * is gone (`wsp exec -- yes | head -1`) the command is stopped, as a
 * shell pipeline would stop it with SIGPIPE.
 */
static int stream_out(uint32_t stream, const void *data, size_t len,
		      void *payload)
{
	int fd = stream == WSP_STDERR ? 2 : 1;
	const char *p = data;

	(void)payload;
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			output_closed = 1;
			return WSP_EIO;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static const char *limit_name(uint32_t limit)
{
	switch (limit) {
	case WSP_LIMIT_MEMORY:
		return "memory";
	case WSP_LIMIT_PROCESSES:
		return "processes";
	case WSP_LIMIT_CPU:
		return "cpu";
	case WSP_LIMIT_FILE_SIZE:
		return "file_size";
	default:
		return "none";
	}
}

/* The result; with_output 0 (--stream): without stdout and stderr. */
static void print_json(const wsp_exec_result *r, int with_output)
{
	FILE *f = stdout;

	fprintf(f,
		"{\"exit_code\":%d,\"signal\":%d,\"timed_out\":%s,"
		"\"killed\":%s,\"canceled\":%s,\"limit\":\"%s\",",
		r->exit_code, r->term_signal,
		r->flags & WSP_EXEC_TIMED_OUT ? "true" : "false",
		r->flags & WSP_EXEC_KILLED ? "true" : "false",
		r->flags & WSP_EXEC_CANCELED ? "true" : "false",
		limit_name(r->limit));
	/* streamed, all of it was delivered: nothing to count as dropped */
	if (with_output) {
		fputs("\"stdout\":", f);
		cli_put_json_bytes(f, r->stdout_data ? r->stdout_data : "",
				   r->stdout_len);
		fputs(",\"stderr\":", f);
		cli_put_json_bytes(f, r->stderr_data ? r->stderr_data : "",
				   r->stderr_len);
		fprintf(f, ",\"stdout_dropped\":%llu,\"stderr_dropped\":%llu,",
			(unsigned long long)r->stdout_dropped,
			(unsigned long long)r->stderr_dropped);
	}
	fprintf(f, "\"duration_ms\":%llu}\n",
		(unsigned long long)r->duration_ms);
	fflush(f);
}

/* --json --stream: each chunk a JSON line on stdout. */
static int stream_json(uint32_t stream, const void *data, size_t len,
		       void *payload)
{
	if (cli_jsonl_chunk(payload, stream, data, len) < 0) {
		output_closed = 1;
		return WSP_EIO;
	}
	return 0;
}

/* Read all of stdin (bounded) into *out. */
static int slurp_stdin(char **out, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap);
	ssize_t r;

	if (!buf)
		return -1;
	for (;;) {
		if (n == cap) {
			char *p;

			if (cap >= STDIN_MAX) {
				free(buf);
				errno = EFBIG;
				return -1;
			}
			cap *= 2;
			p = realloc(buf, cap);
			if (!p) {
				free(buf);
				return -1;
			}
			buf = p;
		}
		r = read(0, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(buf);
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*out = buf;
	*len = n;
	return 0;
}

static int run(struct wsp_cli *cli, const struct cli_cmd *cmd, int argc,
	       char **argv)
{
	const char *name = cmd->name;
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	wsp_call call = {sizeof(call), 0, NULL, 0};
	wsp_exec_result r;
	struct cli_jsonl lines = {stdout, {{0}}, {0, 0}};
	struct exec_args a;
	wsp_workspace *ws;
	wsp_error err;
	char *in = NULL;
	size_t in_len = 0;
	int rc;

	memset(&r, 0, sizeof(r));
	r.struct_size = sizeof(r);
	rc = parse_args(&a, cli, cmd, argc, argv);
	if (rc == CLI_HELP)
		return WSP_EXIT_OK;
	if (rc)
		return EXEC_EXIT_WSP;
	if (a.stream && !cli->json)
		return cli_usage(name, "--stream goes with --json"),
		       EXEC_EXIT_WSP;
	/* Streaming, our stderr is the command's: keep wsp's own out. */
	cli->owns_stderr = !cli->json;
	if (cli_workspace(&ws, cli))
		return EXEC_EXIT_WSP;
	if (a.isolation && cli_workspace_isolation(ws, a.isolation))
		return EXEC_EXIT_WSP;
	if (a.read_stdin && slurp_stdin(&in, &in_len) < 0) {
		cli_error("cannot read standard input: %s", strerror(errno));
		return EXEC_EXIT_WSP;
	}
	call.cancel = cli_interrupt_begin(&err); /* ^C: exit 130 */
	if (!call.cancel) {
		cli_fail_error(&err);
		free(in);
		return EXEC_EXIT_WSP;
	}

	if (!strcmp(name, "sh"))
		o.shell = a.cmd[0];
	else
		o.argv = (const char *const *)a.cmd;
	o.cwd = a.cwd;
	o.env = a.n_env ? a.env : NULL;
	if (a.timeout_ms == 0)
		o.flags |= WSP_EXEC_NO_TIMEOUT;
	else if (a.timeout_ms > 0)
		o.timeout_ms = a.timeout_ms;
	o.stdin_data = in ? in : NULL;
	o.stdin_len = in_len;
	if (!cli->json || a.stream) {
		o.on_output = a.stream ? stream_json : stream_out;
		o.payload = &lines;
		o.flags |= WSP_EXEC_NO_CAPTURE;
	}
	rc = wsp_sandbox_exec(&r, ws, &call, &o, &err);
	free(in);
	if (a.stream)
		cli_jsonl_finish(&lines);
	if (rc < 0 && output_closed) {
		/* Quietly, with the status of a SIGPIPE death. */
		cli_interrupt_end();
		return 128 + SIGPIPE;
	}
	if (rc < 0) {
		cli_fail_error(&err);
		cli_interrupt_end();
		if (rc == WSP_ENOTFOUND)
			return EXEC_EXIT_NOT_FOUND;
		return rc == WSP_ECONFIG ? EXEC_EXIT_WSP : EXEC_EXIT_CANNOT_RUN;
	}
	if (cli->json)
		print_json(&r, !a.stream);
	else if (r.flags & WSP_EXEC_TIMED_OUT)
		cli_notice(cli, "command timed out after %llu ms",
			   (unsigned long long)r.duration_ms);
	else if (r.flags & WSP_EXEC_LIMIT)
		cli_notice(cli, "command stopped by its %s limit",
			   limit_name(r.limit));
	rc = r.exit_code;
	wsp_exec_result_release(ws, &r);
	cli_interrupt_end();
	return rc;
}

int cmd_exec(struct wsp_cli *cli, int argc, char **argv)
{
	return run(cli, &exec_cmd, argc, argv);
}

int cmd_sh(struct wsp_cli *cli, int argc, char **argv)
{
	return run(cli, &sh_cmd, argc, argv);
}
