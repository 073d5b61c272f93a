/*
 * toolkit/tool_exec.c - execute_command: run a shell command in the sandbox,
 * in the foreground (output streamed, then its tail for the model) or in
 * the background (a process id to follow with get_process_output).
 */
#include "tool_schemas.h"
#include "tools_backend.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/*
 * A trailing `| tail -N` or `| tail -n N`: agents add it to keep output
 * short, but it holds all output back until the command ends. Strip it
 * (so output streams) and apply it to the result instead, as Mastra does
 * (same pattern). Returns N, or 0 when there is none; *cut is where the
 * command then ends.
 */
size_t wsp__strip_tail_pipe(const char *cmd, size_t *cut)
{
	static const char pat[] = "\\|\\s*tail\\s+(?:-n\\s+)?-?(\\d{1,9})\\s*$";
	pcre2_match_data *md = NULL;
	pcre2_code *re;
	PCRE2_SIZE *ov, off;
	size_t n = 0, i;
	int ec;

	re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, 0, &ec, &off,
			   NULL);
	if (!re)
		return 0;
	md = pcre2_match_data_create_from_pattern(re, NULL);
	if (md && pcre2_match(re, (PCRE2_SPTR)cmd, PCRE2_ZERO_TERMINATED, 0, 0,
			      md, NULL) >= 2) {
		ov = pcre2_get_ovector_pointer(md);
		for (i = ov[2]; i < ov[3]; i++)
			n = n * 10 + (size_t)(cmd[i] - '0');
		i = ov[0];
		/* "a || tail 5" is an or-list, not a pipe into tail */
		if (i && cmd[i - 1] == '|')
			n = 0;
		while (i && isspace((unsigned char)cmd[i - 1]))
			i--;
		if (!i)
			n = 0;
		*cut = i;
	}
	pcre2_match_data_free(md);
	pcre2_code_free(re);
	return n;
}

struct fg {
	const wsp_tool_call_opts *opts;
};

static int forward(uint32_t stream, const void *data, size_t len, void *payload)
{
	struct fg *f = payload;

	if (f->opts->on_output)
		return f->opts->on_output(stream, data, len,
					  f->opts->output_payload);
	return 0;
}

/* Append output for the model: ANSI stripped, tail, token sandwich. */
static void add_output(struct wsp__tbuf *b, const char *s, size_t len,
		       size_t tail)
{
	struct wsp__tbuf clean = {0};

	wsp__text_strip_ansi(&clean, s, len);
	wsp__text_truncate(b, clean.p ? clean.p : "", clean.len, tail,
			   WSP__CMD_TOKENS);
	wsp__tbuf_free(&clean);
}

/*
 * stdout only, "stderr:\n..." alone, or both labelled; shared with
 * get_process_output.
 */
void wsp__format_streams(struct wsp__tbuf *b, const char *out, size_t out_len,
			 const char *err, size_t err_len, size_t tail)
{
	struct wsp__tbuf o = {0}, e = {0};

	add_output(&o, out, out_len, tail);
	add_output(&e, err, err_len, tail);
	/* the parts are joined with newlines: drop each one's last */
	if (o.len && o.p[o.len - 1] == '\n')
		o.p[--o.len] = '\0';
	if (e.len && e.p[e.len - 1] == '\n')
		e.p[--e.len] = '\0';
	if (o.len && e.len) {
		wsp__tbuf_puts(b, "stdout:\n");
		wsp__tbuf_add(b, o.p, o.len);
		wsp__tbuf_puts(b, "\n\nstderr:\n");
		wsp__tbuf_add(b, e.p, e.len);
	} else if (o.len) {
		wsp__tbuf_add(b, o.p, o.len);
	} else if (e.len) {
		wsp__tbuf_puts(b, "stderr:\n");
		wsp__tbuf_add(b, e.p, e.len);
	}
	wsp__tbuf_free(&o);
	wsp__tbuf_free(&e);
}

static void end_line(struct wsp__tbuf *b)
{
	if (b->len && b->p[b->len - 1] != '\n')
		wsp__tbuf_add(b, "\n", 1);
}

static int run(struct wsp__tool_ctx *c)
{
	const char *command = wsp__arg_str(c, "command", "");
	const char *cwd = wsp__arg_str(c, "cwd", NULL);
	int has_timeout;
	double timeout = wsp__arg_num(c, "timeout", 0, &has_timeout);
	int64_t tail_arg, timeout_ms = 0;
	size_t tail, cut = 0, piped;
	wsp_exec_opts eo = WSP_EXEC_OPTS_INIT;
	wsp_exec_result res;
	struct fg f = {c->opts};
	wsp_error err = {0};
	char *cmd = NULL;
	int rc;

	if (!command[0])
		return wsp__tool_fail(c, "Error: the command is empty");
	if (wsp__arg_int(c, "tail", WSP__TAIL_LINES, -WSP__JSON_INT_MAX,
			 WSP__JSON_INT_MAX, &tail_arg))
		return 0;
	tail = wsp__abs_count(tail_arg);
	/* seconds to ms, the range checked before the conversion */
	if (has_timeout &&
	    (timeout < 0 || timeout > 31536000 ||
	     wsp__num_to_int(timeout * 1000, 0, INT64_C(31536000000),
			     &timeout_ms)))
		return wsp__tool_fail(c, "Error: timeout must be between 0 "
					 "and 31536000 seconds");
	if (wsp__arg_bool(c, "background", 0)) {
		wsp_spawn_opts so = WSP_SPAWN_OPTS_INIT;
		char id[WSP_PROC_ID_MAX];

		so.shell = command;
		so.cwd = cwd;
		so.stdin_mode = WSP_STDIN_IGNORE;
		if (has_timeout && timeout > 0)
			so.timeout_ms = timeout_ms;
		else
			so.flags |= WSP_SPAWN_NO_TIMEOUT;
		rc = wsp_proc_spawn(id, c->ws, &c->call, &so, &err);
		if (rc)
			return wsp__tool_fail_err(c, &err);
		wsp__tools_note_spawn(c->set, id);
		wsp__tool_say(c, "Started background process (PID: %s)",
			       id);
		return 0;
	}
	piped = wsp__strip_tail_pipe(command, &cut);
	if (piped) {
		cmd = strndup(command, cut);
		if (!cmd)
			return WSP_ENOMEM;
		tail = piped;
	}
	eo.shell = cmd ? cmd : command;
	eo.cwd = cwd;
	eo.on_output = forward;
	eo.payload = &f;
	if (has_timeout && timeout > 0)
		eo.timeout_ms = timeout_ms;
	else if (has_timeout)
		eo.flags |= WSP_EXEC_NO_TIMEOUT; /* timeout 0: none */
	memset(&res, 0, sizeof(res));
	res.struct_size = sizeof(res);
	rc = wsp_sandbox_exec(&res, c->ws, &c->call, &eo, &err);
	free(cmd);
	if (rc && !res.stdout_len && !res.stderr_len) {
		wsp_exec_result_release(c->ws, &res);
		return wsp__tool_fail_err(c, &err);
	}
	wsp__format_streams(&c->out, res.stdout_data, res.stdout_len,
			    res.stderr_data, res.stderr_len, tail);
	if (rc) {
		end_line(&c->out);
		wsp__tool_say(c, "Error: %s", err.message);
		c->is_error = 1;
	} else if (res.flags & WSP_EXEC_CANCELED) {
		end_line(&c->out);
		wsp__tbuf_puts(&c->out, "Error: the command was canceled");
		c->is_error = 1;
	} else if (res.flags & WSP_EXEC_TIMED_OUT) {
		end_line(&c->out);
		wsp__tbuf_addf(&c->out,
			       "Error: the command timed out after %g "
			       "seconds\nExit code: %d",
			       has_timeout ? timeout
					   : (double)res.duration_ms / 1000,
			       res.exit_code);
		c->is_error = 1;
	} else if (res.exit_code != 0) {
		end_line(&c->out);
		wsp__tbuf_addf(&c->out, "Exit code: %d", res.exit_code);
		c->is_error = 1;
	} else if (!c->out.len) {
		wsp__tbuf_puts(&c->out, "(no output)");
	}
	wsp_exec_result_release(c->ws, &res);
	return 0;
}

const struct wsp__tool_def wsp__tool_execute_command = {
	.name = "execute_command",
	.description =
		"Execute a shell command in the workspace sandbox.\n"
		"\n"
		"Examples:\n"
		"  \"npm install && npm run build\"\n"
		"  \"ls -la src/\"\n"
		"  \"cat config.json | jq '.database'\"\n"
		"  \"cd /app && python main.py\"\n"
		"\n"
		"Usage:\n"
		"- Commands run in a shell, so pipes, redirects, and chaining "
		"(&&, ||, ;) all work.\n"
		"- Always quote file paths that contain spaces (e.g., cd "
		"\"/path/with spaces\").\n"
		"- Use the timeout parameter (in seconds) to limit execution "
		"time. Behavior when omitted depends on the sandbox provider.\n"
		"- Optionally use cwd to override the working directory. "
		"Commands run from the sandbox default if omitted.\n"
		"\n"
		"Set background: true to run long-running commands (dev "
		"servers, watchers) without blocking. You'll get a PID to "
		"track the process.",
	.schema = wsp__schema_execute_command,
	.flags = WSP_TOOL_STREAMS | WSP__TOOL_NEEDS_SANDBOX,
	.numeric_text_arg = "timeout",
	.run = run,
};
