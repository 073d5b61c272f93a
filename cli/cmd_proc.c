/*
 * cli/cmd_proc.c - background processes of the workspace's sandbox:
 * `wsp spawn`, `wsp ps`, `wsp logs`, `wsp send`, `wsp kill` and
 * `wsp release`. Each is one short call through <wsp/process.h>; the
 * processes outlive the wsp that started them, so every command works on
 * what any earlier wsp (or program using libwsp) spawned.
 */
#include "cli.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- shared helpers ----------------------------------------------------- */

static const struct {
	const char *name;
	int num;
} signals[] = {{"HUP", SIGHUP},	  {"INT", SIGINT},   {"QUIT", SIGQUIT},
	       {"KILL", SIGKILL}, {"USR1", SIGUSR1}, {"USR2", SIGUSR2},
	       {"TERM", SIGTERM}, {"CONT", SIGCONT}, {"STOP", SIGSTOP},
	       {"TSTP", SIGTSTP}};

/* "TERM", "SIGTERM", "term" or "15"; 0 if unknown. */
static int parse_signal(const char *s)
{
	char *end;
	long n;
	size_t i;

	if (!strncasecmp(s, "SIG", 3))
		s += 3;
	for (i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		if (!strcasecmp(s, signals[i].name))
			return signals[i].num;
	n = strtol(s, &end, 10);
	return (end != s && !*end && n > 0 && n < NSIG) ? (int)n : 0;
}

static int workspace(wsp_workspace **ws, struct wsp_cli *cli)
{
	return cli_workspace(ws, cli);
}

/* Print err and return the exit status for a failed call. */
static int failed(const wsp_error *err)
{
	cli_fail_error(err);
	return WSP_EXIT_FAIL;
}

/* Exactly one ID operand, else a usage error. */
static int one_id(const char *cmd, const struct cli_parse *p, const char **id)
{
	if (p->n_operands < 1)
		return cli_usage(cmd, "no process id given");
	if (p->n_operands > 1)
		return cli_usage(cmd, "unexpected argument '%s'",
				 p->operands[1]);
	*id = p->operands[0];
	return 0;
}

/* ---- wsp spawn ---------------------------------------------------------- */

enum { S_TIMEOUT = CLI_LONG, S_NO_STDIN, S_LOG_LIMIT };

static const struct cli_opt spawn_opts[] = {
	{'c', "sh", "STRING", "run the string with /bin/sh -c instead of CMD"},
	CLI_OPT_CWD,
	CLI_OPT_ENV,
	{S_TIMEOUT, "timeout", "DUR",
	 "stop it after 250ms, 1.5s, 5m, 1h (bare number =\n"
	 "seconds); default none"},
	{CLI_RUN_ISOLATION, "isolation", "MODE",
	 "none, bwrap or auto: sets the sandbox's\n"
	 "'isolation' option for this process"},
	{S_NO_STDIN, "no-stdin", NULL,
	 "its stdin is at end of file at once (default: a\n"
	 "pipe that `wsp send` writes to)"},
	{S_LOG_LIMIT, "log-limit", "SIZE",
	 "bytes kept per stream: 64KiB, 1.5MiB, 8MiB\n"
	 "(default); sizes and durations as in wsp.yaml"},
	{0, NULL, NULL, NULL},
};

static const struct cli_cmd spawn_cmd = {
	"spawn",
	"usage: wsp spawn [OPTIONS] [--] CMD [ARGS...]\n"
	"   or: wsp spawn [OPTIONS] -c 'SHELL STRING'\n"
	"\n"
	"Start a background process in the workspace's sandbox and print its\n"
	"id. It keeps running after wsp exits; `wsp ps`, `wsp logs`, `wsp "
	"send`\n"
	"and `wsp kill` reach it from any later wsp. Its output is kept (the\n"
	"newest bytes, up to the log limit per stream) until `wsp release`.\n",
	spawn_opts,
	"Options end at CMD (or at '--'): every later word is the command's.\n",
	CLI_IN_ORDER, NULL};

int cmd_spawn(struct wsp_cli *cli, int argc, char **argv)
{
	wsp_spawn_opts o = WSP_SPAWN_OPTS_INIT;
	const char *env[CLI_MAX_ENV + 1] = {NULL}, *v, *isolation = NULL;
	char id[WSP_PROC_ID_MAX];
	struct cli_parse p;
	wsp_workspace *ws;
	wsp_error err;
	size_t n_env = 0;
	int k;

	cli_parse_begin(&p, cli, &spawn_cmd, argc, argv);
	while ((k = cli_parse_next(&p)) > 0) {
		v = p.value;
		switch (k) {
		case CLI_RUN_CWD:
			o.cwd = v;
			break;
		case CLI_RUN_ENV:
			if (cli_env_add(env, &n_env, "spawn", v))
				return WSP_EXIT_USAGE;
			break;
		case S_TIMEOUT:
			if (wsp_parse_duration_ms(&o.timeout_ms, v))
				return cli_usage("spawn",
						 "invalid duration "
						 "'%s'; use e.g. 500ms, 1.5s, "
						 "5m",
						 v);
			if (o.timeout_ms == 0) /* 0 = none, as said */
				o.flags |= WSP_SPAWN_NO_TIMEOUT;
			break;
		case CLI_RUN_ISOLATION:
			if (cli_isolation_arg("spawn", v))
				return WSP_EXIT_USAGE;
			isolation = v;
			break;
		case S_LOG_LIMIT:
			/* 0 would mean the default, not "keep nothing" */
			if (wsp_parse_size(&o.log_limit, v) || !o.log_limit)
				return cli_usage("spawn",
						 "invalid size '%s'; "
						 "use e.g. 64KiB, 8MiB",
						 v);
			break;
		case 'c':
			o.shell = v;
			break;
		case S_NO_STDIN:
			o.stdin_mode = WSP_STDIN_IGNORE;
			break;
		}
	}
	if (k != CLI_END)
		return cli_parse_exit(k);
	if (o.shell && p.n_operands)
		return cli_usage("spawn", "give either -c 'SHELL STRING' or "
					  "CMD [ARGS...], not both");
	if (!o.shell && !p.n_operands)
		return cli_usage("spawn", "no command given");
	if (!o.shell)
		o.argv = (const char *const *)p.operands;
	o.env = n_env ? env : NULL;
	if (workspace(&ws, cli))
		return WSP_EXIT_FAIL;
	if (isolation && cli_workspace_isolation(ws, isolation))
		return WSP_EXIT_FAIL;
	if (wsp_proc_spawn(id, ws, NULL, &o, &err) < 0)
		return failed(&err);
	if (cli->json)
		printf("{\"id\":\"%s\"}\n", id);
	else
		printf("%s\n", id);
	return WSP_EXIT_OK;
}

/* ---- wsp ps ------------------------------------------------------------- */

static void describe_end(char *buf, size_t size, const wsp_proc_status *st)
{
	if (st->state == WSP_PROC_EXITED)
		snprintf(buf, size, "%d%s", st->exit_code,
			 st->timed_out ? " (timed out)" : "");
	else if (st->state == WSP_PROC_SIGNALED)
		snprintf(buf, size, "SIG%d%s", st->term_signal,
			 st->timed_out ? " (timed out)" : "");
	else
		snprintf(buf, size, "-");
}

static void describe_age(char *buf, size_t size, int64_t started_ms)
{
	int64_t s = (int64_t)time(NULL) - started_ms / 1000;

	if (s < 0)
		s = 0;
	if (s < 120)
		snprintf(buf, size, "%llds ago", (long long)s);
	else if (s < 7200)
		snprintf(buf, size, "%lldm ago", (long long)(s / 60));
	else if (s < 172800)
		snprintf(buf, size, "%lldh ago", (long long)(s / 3600));
	else
		snprintf(buf, size, "%lldd ago", (long long)(s / 86400));
}

static cJSON *status_json(const char *id, const char *command,
			  const wsp_proc_status *st)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	if (id)
		cJSON_AddStringToObject(o, "id", id);
	if (command)
		cJSON_AddStringToObject(o, "command", command);
	cJSON_AddStringToObject(o, "state", wsp_proc_state_name(st->state));
	if (st->state == WSP_PROC_EXITED || st->state == WSP_PROC_SIGNALED)
		cJSON_AddNumberToObject(o, "exit_code", st->exit_code);
	else
		cJSON_AddNullToObject(o, "exit_code");
	cJSON_AddNumberToObject(o, "signal", st->term_signal);
	cJSON_AddBoolToObject(o, "timed_out", st->timed_out != 0);
	cJSON_AddNumberToObject(o, "pid", (double)st->os_pid);
	cJSON_AddNumberToObject(o, "started_ms", (double)st->started_ms);
	cJSON_AddNumberToObject(o, "ended_ms", (double)st->ended_ms);
	cJSON_AddNumberToObject(o, "stdout_bytes", (double)st->stdout_total);
	cJSON_AddNumberToObject(o, "stderr_bytes", (double)st->stderr_total);
	cJSON_AddNumberToObject(o, "stdout_dropped",
				(double)st->stdout_dropped);
	cJSON_AddNumberToObject(o, "stderr_dropped",
				(double)st->stderr_dropped);
	cJSON_AddBoolToObject(o, "stdin_open", st->stdin_open != 0);
	return o;
}

static int print_row(const char *id, const char *command,
		     const wsp_proc_status *st, void *payload)
{
	char end[48], age[32];

	(void)payload;
	describe_end(end, sizeof(end), st);
	describe_age(age, sizeof(age), st->started_ms);
	printf("%-12s %-9s %-8s %-8lld %-9s %s\n", id,
	       wsp_proc_state_name(st->state), end, (long long)st->os_pid, age,
	       command);
	return 0;
}

static int add_row(const char *id, const char *command,
		   const wsp_proc_status *st, void *payload)
{
	cJSON *row = status_json(id, command, st);

	if (!row)
		return WSP_ENOMEM;
	cJSON_AddItemToArray(payload, row);
	return 0;
}

/* `wsp ps ID`: the one listed process whose id matches. */
struct one_proc {
	const char *id;
	cJSON *json; /* --json: the object, once found */
	int found;
};

static int find_one(const char *id, const char *command,
		    const wsp_proc_status *st, void *payload)
{
	struct one_proc *one = payload;

	if (one->found || strcmp(id, one->id))
		return 0;
	one->found = 1;
	if (!one->json)
		return print_row(id, command, st, NULL);
	cJSON_Delete(one->json); /* the marker */
	one->json = status_json(id, command, st);
	return one->json ? 0 : WSP_ENOMEM;
}

static void print_header(void)
{
	printf("%-12s %-9s %-8s %-8s %-9s %s\n", "ID", "STATE", "EXIT", "PID",
	       "STARTED", "COMMAND");
}

static int print_json_doc(cJSON *doc)
{
	char *text = doc ? cJSON_PrintUnformatted(doc) : NULL;

	cJSON_Delete(doc);
	if (!text)
		return cli_fail("ENOMEM", "out of memory", "out of memory");
	printf("%s\n", text);
	free(text);
	return WSP_EXIT_OK;
}

static int ps_one(struct wsp_cli *cli, wsp_workspace *ws, const char *id)
{
	wsp_proc_status st = {.struct_size = sizeof(st)};
	struct one_proc one = {id, NULL, 0};
	wsp_error err;

	if (cli->json)
		one.json = cJSON_CreateNull(); /* a marker: collect */
	else
		print_header();
	if (wsp_proc_list(ws, NULL, find_one, &one, &err) < 0) {
		cJSON_Delete(one.json);
		return failed(&err);
	}
	if (!one.found) {
		cJSON_Delete(one.json);
		/* The provider's own "not found" (or a process that
		 * appeared since the list, shown without its command). */
		if (wsp_proc_get_status(&st, ws, NULL, id, &err) < 0)
			return failed(&err);
		if (!cli->json)
			return print_row(id, "", &st, NULL), WSP_EXIT_OK;
		one.json = status_json(id, NULL, &st);
	}
	return cli->json ? print_json_doc(one.json) : WSP_EXIT_OK;
}

static const struct cli_cmd ps_cmd = {
	"ps",
	"usage: wsp ps [ID]\n\n"
	"List the sandbox's background processes, running or not, until\n"
	"released: id, state (running, exited, signaled, lost), exit code or\n"
	"signal, pid, age and command. With ID, only that process (exit\n"
	"status 1 when it is unknown). --json prints an array of objects, or\n"
	"with ID one object.\n",
	NULL, NULL, 0, NULL};

int cmd_ps(struct wsp_cli *cli, int argc, char **argv)
{
	struct cli_parse p;
	wsp_workspace *ws;
	wsp_error err;
	cJSON *rows = NULL;
	int rc, k;

	k = cli_parse_all(&p, cli, &ps_cmd, argc, argv);
	if (k != CLI_END)
		return cli_parse_exit(k);
	if (p.n_operands > 1)
		return cli_usage("ps", "unexpected argument '%s'",
				 p.operands[1]);
	if (workspace(&ws, cli))
		return WSP_EXIT_FAIL;
	if (p.n_operands == 1)
		return ps_one(cli, ws, p.operands[0]);
	if (cli->json) {
		rows = cJSON_CreateArray();
		if (!rows)
			return WSP_EXIT_FAIL;
		rc = wsp_proc_list(ws, NULL, add_row, rows, &err);
		if (rc < 0) {
			cJSON_Delete(rows);
			return failed(&err);
		}
		return print_json_doc(rows);
	}
	print_header();
	rc = wsp_proc_list(ws, NULL, print_row, NULL, &err);
	return rc < 0 ? failed(&err) : WSP_EXIT_OK;
}

/* ---- wsp logs ----------------------------------------------------------- */

enum { L_TAIL = CLI_LONG, L_STDOUT, L_STDERR };

static const struct cli_opt logs_opts[] = {
	{'f', "follow", NULL,
	 "keep printing new output as it is written until the\n"
	 "process ends (woken by the sandbox, no polling where\n"
	 "the provider can follow); then exit with the\n"
	 "process's status: its exit code, 128+N when signal N\n"
	 "killed it, 1 when it is lost. ^C stops following\n"
	 "(exit 130), not the process"},
	{L_TAIL, "tail", "N", "only the last N lines of each stream"},
	{L_STDOUT, "stdout", NULL, "only its stdout"},
	{L_STDERR, "stderr", NULL, "only its stderr"},
	{CLI_G_JSON, "json", NULL,
	 "print {stdout, stderr, state, exit_code, ...}; with\n"
	 "-f, JSON lines on stdout as the output comes:\n"
	 "{\"stream\":\"stdout\"|\"stderr\",\"data\":...} then\n"
	 "{\"exit\":STATUS,\"state\",\"exit_code\",\"signal\",\n"
	 "\"timed_out\"}"},
	{0, NULL, NULL, NULL},
};

static const struct cli_cmd logs_cmd = {
	"logs",
	"usage: wsp logs [OPTIONS] ID\n"
	"\n"
	"Print what a background process wrote: its stdout to wsp's stdout,\n"
	"its stderr to wsp's stderr. Only the newest bytes within its log "
	"limit\n"
	"are kept.\n",
	logs_opts, NULL, 0, NULL};

struct logs_out {
	cJSON *json; /* NULL: print to stdout/stderr as the chunks come */
	int flush;   /* following: each chunk reaches the reader at once */
	struct cli_jsonl *lines; /* -f --json: JSON lines as they come */
	char *buf[3];
	size_t len[3];
};

static int on_chunk(uint32_t stream, const void *data, size_t len,
		    void *payload)
{
	struct logs_out *lo = payload;
	char *p;

	if (stream != WSP_STDOUT && stream != WSP_STDERR)
		return 0;
	if (lo->lines)
		return cli_jsonl_chunk(lo->lines, stream, data, len);
	if (!lo->json) {
		FILE *f = stream == WSP_STDOUT ? stdout : stderr;

		if (fwrite(data, 1, len, f) != len ||
		    (lo->flush && fflush(f) != 0))
			return WSP_EIO;
		return 0;
	}
	p = realloc(lo->buf[stream], lo->len[stream] + len + 1);
	if (!p)
		return WSP_ENOMEM;
	memcpy(p + lo->len[stream], data, len);
	lo->len[stream] += len;
	p[lo->len[stream]] = '\0';
	lo->buf[stream] = p;
	return 0;
}

static int print_logs_json(struct logs_out *lo, const wsp_proc_status *st)
{
	cJSON *o = status_json(NULL, NULL, st);
	char *text;

	if (!o)
		return WSP_EXIT_FAIL;
	/* Output is bytes; cJSON escapes what JSON needs escaped. */
	cJSON_AddStringToObject(o, "stdout",
				lo->buf[WSP_STDOUT] ? lo->buf[WSP_STDOUT] : "");
	cJSON_AddStringToObject(o, "stderr",
				lo->buf[WSP_STDERR] ? lo->buf[WSP_STDERR] : "");
	text = cJSON_PrintUnformatted(o);
	if (text)
		printf("%s\n", text);
	free(text);
	cJSON_Delete(o);
	return text ? WSP_EXIT_OK : WSP_EXIT_FAIL;
}

/* What `logs -f` exits with: the process's own status, as exec's. */
static int proc_exit_status(const wsp_proc_status *st)
{
	if (st->state == WSP_PROC_EXITED)
		return st->exit_code;
	if (st->state == WSP_PROC_SIGNALED)
		return 128 + st->term_signal;
	return WSP_EXIT_FAIL; /* lost: the outcome is unknown */
}

/* The last JSON line of `logs -f --json`. */
static void print_exit_line(const wsp_proc_status *st)
{
	printf("{\"exit\":%d,\"state\":\"%s\",\"exit_code\":",
	       proc_exit_status(st), wsp_proc_state_name(st->state));
	if (st->state == WSP_PROC_EXITED || st->state == WSP_PROC_SIGNALED)
		printf("%d", st->exit_code);
	else
		fputs("null", stdout);
	printf(",\"signal\":%d,\"timed_out\":%s}\n", st->term_signal,
	       st->timed_out ? "true" : "false");
	fflush(stdout);
}

/*
 * logs -f: one read that follows (WSP_OUTPUT_FOLLOW) until the process
 * ends, ^C canceling it. A provider that cannot follow gets reads from
 * the last totals, each waiting up to 250 ms for the exit.
 */
static int follow_logs(wsp_proc_status *st, wsp_workspace *ws, const char *id,
		       wsp_output_opts *o, struct logs_out *lo, wsp_error *err)
{
	wsp_call call = {sizeof(call), 0, NULL, 0};
	int rc, ended = 0;

	call.cancel = cli_interrupt_begin(err);
	if (!call.cancel)
		return err->code;
	lo->flush = 1;
	o->flags = WSP_OUTPUT_FOLLOW;
	rc = wsp_proc_read_output(st, ws, &call, id, o, on_chunk, lo, err);
	if (rc == WSP_ENOTSUP) {
		/* The first read (tail included), then what follows it. */
		o->flags = WSP_OUTPUT_STREAM_OFFSETS;
		rc = wsp_proc_read_output(st, ws, &call, id, o, on_chunk, lo,
					  err);
		o->tail_lines = 0;
		while (rc == 0 && !ended) {
			ended = st->state != WSP_PROC_RUNNING;
			fflush(stdout);
			o->offset = st->stdout_total;
			o->stderr_offset = st->stderr_total;
			o->wait_ms = ended ? 0 : 250; /* returns at the exit */
			rc = wsp_proc_read_output(st, ws, &call, id, o,
						  on_chunk, lo, err);
		}
	}
	cli_interrupt_end();
	if (rc == WSP_ECANCELED) /* ^C: the usual quiet end */
		return 128 + SIGINT;
	return rc;
}

int cmd_logs(struct wsp_cli *cli, int argc, char **argv)
{
	wsp_output_opts o = WSP_OUTPUT_OPTS_INIT;
	wsp_proc_status st = {.struct_size = sizeof(st)};
	struct cli_jsonl lines = {stdout, {{0}}, {0, 0}};
	struct logs_out lo = {0};
	const char *id = NULL;
	struct cli_parse p;
	wsp_workspace *ws;
	wsp_error err;
	int k, follow = 0, rc;

	cli_parse_begin(&p, cli, &logs_cmd, argc, argv);
	while ((k = cli_parse_next(&p)) > 0) {
		const char *v = p.value;
		char *end;
		long n;

		switch (k) {
		case L_TAIL:
			n = strtol(v, &end, 10);
			if (end == v || *end || n < 0 || n > 100000000)
				return cli_usage("logs",
						 "invalid line count "
						 "'%s'",
						 v);
			o.tail_lines = (uint32_t)n;
			break;
		case 'f':
			follow = 1;
			break;
		case L_STDOUT:
			o.streams |= WSP_STDOUT;
			break;
		case L_STDERR:
			o.streams |= WSP_STDERR;
			break;
		}
	}
	if (k != CLI_END)
		return cli_parse_exit(k);
	if (one_id("logs", &p, &id))
		return WSP_EXIT_USAGE;
	cli->owns_stderr = !cli->json; /* it carries the process's stderr */
	if (workspace(&ws, cli))
		return WSP_EXIT_FAIL;
	if (cli->json && follow)
		lo.lines = &lines;
	else if (cli->json)
		lo.json = cJSON_CreateNull(); /* a marker: collect */
	if (follow) {
		rc = follow_logs(&st, ws, id, &o, &lo, &err);
	} else {
		signal(SIGPIPE, SIG_IGN);
		rc = wsp_proc_read_output(&st, ws, NULL, id, &o, on_chunk, &lo,
					  &err);
	}
	if (lo.lines)
		cli_jsonl_finish(lo.lines);
	if (rc < 0) {
		cJSON_Delete(lo.json);
		free(lo.buf[WSP_STDOUT]);
		free(lo.buf[WSP_STDERR]);
		return failed(&err);
	}
	fflush(stdout);
	if (follow && rc == 0) {
		/* Followed to its end: its status is ours. */
		if (lo.lines)
			print_exit_line(&st);
		rc = proc_exit_status(&st);
		if (st.state == WSP_PROC_LOST)
			cli_notice(cli,
				   "background process '%s' is lost: its "
				   "outcome is unknown",
				   id);
	} else if (cli->json && !follow) {
		rc = print_logs_json(&lo, &st);
	}
	cJSON_Delete(lo.json);
	free(lo.buf[WSP_STDOUT]);
	free(lo.buf[WSP_STDERR]);
	return rc;
}

/* ---- wsp send ----------------------------------------------------------- */

/*
 * What send, kill and release print under --json: {"id": ID, <members>}
 * (members: ready JSON text). Nothing without --json. Returns exit 0.
 */
static int done_json(const struct wsp_cli *cli, const char *id,
		     const char *members)
{
	if (!cli->json)
		return WSP_EXIT_OK;
	fputs("{\"id\":", stdout);
	cli_put_json(id);
	printf(",%s}\n", members);
	return WSP_EXIT_OK;
}

static const struct cli_opt send_opts[] = {
	{CLI_LONG, "close", NULL, "close its stdin instead of writing"},
	{0, NULL, NULL, NULL},
};

static const struct cli_cmd send_cmd = {
	"send",
	"usage: wsp send ID DATA\n"
	"   or: wsp send ID -        (send wsp's stdin until its end)\n"
	"   or: wsp send --close ID  (close its stdin)\n\n"
	"Write to the stdin of a background process spawned with a stdin\n"
	"pipe. DATA is sent as given: no newline is added (after '--' it may\n"
	"start with '-'). With the global --json it prints {\"id\", \"sent\":\n"
	"bytes} or {\"id\", \"stdin_closed\": true}.\n",
	send_opts, NULL, 0, NULL};

int cmd_send(struct wsp_cli *cli, int argc, char **argv)
{
	const char *id = NULL, *data = NULL;
	struct cli_parse p;
	wsp_workspace *ws;
	wsp_error err;
	char buf[65536];
	uint64_t sent = 0;
	int close_it = 0, k;

	cli_parse_begin(&p, cli, &send_cmd, argc, argv);
	while ((k = cli_parse_next(&p)) > 0)
		close_it = 1; /* --close, its one option */
	if (k != CLI_END)
		return cli_parse_exit(k);
	if (close_it) {
		if (one_id("send", &p, &id))
			return WSP_EXIT_USAGE;
	} else {
		if (p.n_operands != 2)
			return cli_usage("send", "give an id and the data (or "
						 "'-' for stdin)");
		id = p.operands[0];
		data = p.operands[1];
	}
	if (workspace(&ws, cli))
		return WSP_EXIT_FAIL;
	if (close_it)
		return wsp_proc_close_stdin(ws, NULL, id, &err) < 0
			       ? failed(&err)
			       : done_json(cli, id, "\"stdin_closed\":true");
	if (strcmp(data, "-")) {
		if (wsp_proc_write_stdin(ws, NULL, id, data, strlen(data),
					 &err) < 0)
			return failed(&err);
		snprintf(buf, sizeof(buf), "\"sent\":%zu", strlen(data));
		return done_json(cli, id, buf);
	}
	for (;;) {
		ssize_t n = read(0, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			cli_error("cannot read standard input: %s",
				  strerror(errno));
			return WSP_EXIT_FAIL;
		}
		if (n == 0) {
			snprintf(buf, sizeof(buf), "\"sent\":%llu",
				 (unsigned long long)sent);
			return done_json(cli, id, buf);
		}
		if (wsp_proc_write_stdin(ws, NULL, id, buf, (size_t)n, &err) <
		    0)
			return failed(&err);
		sent += (uint64_t)n;
	}
}

/* ---- wsp kill / wsp release --------------------------------------------- */

static const struct cli_opt kill_opts[] = {
	{'s', "signal", "SIG",
	 "the signal: TERM (default), a name such as KILL,\n"
	 "INT, HUP (SIG prefix optional), or a number"},
	{0, NULL, NULL, NULL},
};

static const struct cli_cmd kill_cmd = {
	"kill",
	"usage: wsp kill [--signal SIG] ID\n\n"
	"Send a signal to the whole process group of a background process.\n"
	"Its output stays readable until `wsp release ID`. A process that has\n"
	"already ended is not signalled: wsp says so and exits 1 (--json code\n"
	"\"ESRCH\"). With the global --json it prints {\"id\", \"signal\"}.\n",
	kill_opts, NULL, 0, NULL};

int cmd_kill(struct wsp_cli *cli, int argc, char **argv)
{
	wsp_proc_status st = {.struct_size = sizeof(st)};
	const char *id = NULL;
	struct cli_parse p;
	char end[64];
	wsp_workspace *ws;
	wsp_error err;
	int k, sig = SIGTERM;

	cli_parse_begin(&p, cli, &kill_cmd, argc, argv);
	while ((k = cli_parse_next(&p)) > 0) {
		sig = parse_signal(p.value); /* -s, its one option */
		if (!sig)
			return cli_usage("kill", "unknown signal '%s'",
					 p.value);
	}
	if (k != CLI_END)
		return cli_parse_exit(k);
	if (one_id("kill", &p, &id))
		return WSP_EXIT_USAGE;
	if (workspace(&ws, cli))
		return WSP_EXIT_FAIL;
	/*
	 * Signalling what has ended does nothing: say so, as kill(1) does
	 * for a pid that is gone, so a caller does not believe it stopped
	 * it. (A lost process goes on to the provider, which may still
	 * find and signal it.)
	 */
	if (wsp_proc_get_status(&st, ws, NULL, id, &err) < 0)
		return failed(&err);
	if (st.state == WSP_PROC_EXITED || st.state == WSP_PROC_SIGNALED) {
		describe_end(end, sizeof(end), &st);
		return cli_fail("ESRCH", "no such process",
				"background process '%s' has already ended "
				"(%s %s); nothing to signal",
				id,
				st.state == WSP_PROC_EXITED ? "exit code"
							    : "killed by",
				end);
	}
	if (wsp_proc_signal(ws, NULL, id, sig, &err) < 0)
		return failed(&err);
	snprintf(end, sizeof(end), "\"signal\":%d", sig);
	return done_json(cli, id, end);
}

static const struct cli_cmd release_cmd = {
	"release",
	"usage: wsp release ID\n\n"
	"Forget a background process: kill it if it still runs, then remove\n"
	"its status and output. With the global --json it prints {\"id\",\n"
	"\"released\": true}.\n",
	NULL, NULL, 0, NULL};

int cmd_release(struct wsp_cli *cli, int argc, char **argv)
{
	const char *id = NULL;
	struct cli_parse p;
	wsp_workspace *ws;
	wsp_error err;
	int k;

	k = cli_parse_all(&p, cli, &release_cmd, argc, argv);
	if (k != CLI_END)
		return cli_parse_exit(k);
	if (one_id("release", &p, &id))
		return WSP_EXIT_USAGE;
	if (workspace(&ws, cli))
		return WSP_EXIT_FAIL;
	return wsp_proc_release(ws, NULL, id, &err) < 0
		       ? failed(&err)
		       : done_json(cli, id, "\"released\":true");
}
