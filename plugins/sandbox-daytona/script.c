/*
 * plugins/sandbox-daytona/script.c - the shell text one exec runs as a
 * toolbox session command, and reading its output back exactly.
 *
 * Why a script: a session command has no cwd, env or stdin fields (only
 * process/execute has cwd and env, and it merges stdout into stderr), so
 * they go into the text, quoted. It runs in a subshell, so nothing it
 * does (cd, export, exit) reaches the session's shell.
 *
 * Why a trailer: the daemon's log labels output line by line and ends
 * every line with a newline, also a last line that had none, so "a b|c"
 * would come back as "a b|c\n". After the command the script writes
 * "<nonce>\n" on both streams: an unfinished last line of the command
 * becomes "a b|c<nonce>", so the log is exactly the output followed by
 * the nonce and the labeler's newline, whatever the output's last byte,
 * and every newline before that line is the command's own (so output
 * is exact while the command still runs). The nonce (random per exec)
 * cannot be forged by the command. A cwd or program that is not there
 * ends the script before the command with "<nonce>:cwd" or
 * "<nonce>:prog" on stderr, so wsp can say the command could not start
 * rather than report exit 127.
 */
#include "daytona.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

struct buf {
	char *p;
	size_t len, cap;
	int oom;
};

static void put(struct buf *b, const char *s, size_t n)
{
	char *p;
	size_t cap;

	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		cap = b->cap ? b->cap * 2 : 1024;
		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void puts_(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

/* s in single quotes; a quote inside becomes '\''. */
static void quoted(struct buf *b, const char *s, size_t n)
{
	size_t i, from = 0;

	put(b, "'", 1);
	for (i = 0; i < n; i++)
		if (s[i] == '\'') {
			put(b, s + from, i - from);
			puts_(b, "'\\''");
			from = i + 1;
		}
	put(b, s + from, n - from);
	put(b, "'", 1);
}

size_t dt_base64(char *out, const void *data, size_t n)
{
	/* OpenSSL's encoder (linked for the WebSocket handshake); every
	 * caller's n is a bounded chunk, far below INT_MAX */
	return (size_t)EVP_EncodeBlock((unsigned char *)out, data, (int)n);
}

static void base64(struct buf *b, const unsigned char *p, size_t n)
{
	char q[4097];
	size_t i, m;

	for (i = 0; i < n; i += 3072) {
		m = n - i < 3072 ? n - i : 3072;
		put(b, q, dt_base64(q, p + i, m));
	}
}

static int name_ok(const char *s, size_t n)
{
	size_t i;

	if (!n || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return 0;
	for (i = 1; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return 0;
	return 1;
}

static int make_nonce(char out[DT_NONCE_LEN + 1])
{
	static const char alpha[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char raw[DT_NONCE_LEN];
	size_t i;

	if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw)
		return -1;
	memcpy(out, "wsp-", 4);
	for (i = 4; i < DT_NONCE_LEN; i++)
		out[i] = alpha[raw[i] % 36];
	out[DT_NONCE_LEN] = '\0';
	return 0;
}

/* What ends the script before the command, when something is missing. */
static void refuse(struct buf *b, const char *why)
{
	puts_(b, " || { printf '%s:");
	puts_(b, why);
	puts_(b, "\\n' \"$__n\" >&2; printf '%s\\n' \"$__n\"; exit 127; }\n");
}

static int env_lines(struct buf *b, const char *const *env, wsp_error *err)
{
	size_t i;

	for (i = 0; env && env[i]; i++) {
		const char *eq = strchr(env[i], '=');

		if (!eq || !name_ok(env[i], (size_t)(eq - env[i])))
			return wsp_error_set(err, WSP_EINVAL,
					     "environment entry %zu is not "
					     "NAME=VALUE",
					     i);
		puts_(b, "export ");
		put(b, env[i], (size_t)(eq - env[i]));
		put(b, "=", 1);
		quoted(b, eq + 1, strlen(eq + 1));
		put(b, "\n", 1);
	}
	return 0;
}

/*
 * The start both scripts share: the nonce, the working directory and the
 * program checked (refusals on stderr), the environment exported.
 */
static int head(struct buf *b, struct dt_script *s, const char *cwd,
		const char *shell, const char *const *argv,
		const char *const *env, wsp_error *err)
{
	if (make_nonce(s->nonce))
		return wsp_error_set(err, WSP_EIO, "no random bytes");
	puts_(b, "( __n='");
	puts_(b, s->nonce);
	puts_(b, "'\n");
	if (cwd) {
		puts_(b, "cd -- ");
		quoted(b, cwd, strlen(cwd));
		puts_(b, " 2>/dev/null");
		refuse(b, "cwd");
	}
	if (!shell) {
		puts_(b, "command -v -- ");
		quoted(b, argv[0], strlen(argv[0]));
		puts_(b, " >/dev/null 2>&1");
		refuse(b, "prog");
	}
	return env_lines(b, env, err);
}

/* The command itself: sh -c 'text', or the words of argv. */
static void words(struct buf *b, const char *pre, const char *shell,
		  const char *const *argv)
{
	size_t i;

	if (shell) {
		puts_(b, "sh -c ");
		quoted(b, shell, strlen(shell));
		return;
	}
	puts_(b, pre);
	for (i = 0; argv[i]; i++) {
		put(b, " ", 1);
		quoted(b, argv[i], strlen(argv[i]));
	}
}

/* The trailer on both streams and the exit ($__g: a tag, may be ""). */
static void tail(struct buf *b, const char *tag)
{
	puts_(b, "printf '%s\\n' \"$__n\"\nprintf '%s%s\\n' \"$__n\" ");
	puts_(b, tag);
	puts_(b, " >&2\nexit $__r\n)");
}

static int done(struct buf *b, struct dt_script *s, wsp_error *err)
{
	if (b->oom) {
		free(b->p);
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	s->text = b->p;
	return 0;
}

int dt_script_build(struct dt_script *s, const wsp_exec_opts *o, wsp_error *err)
{
	struct buf b = {0};
	int rc;

	memset(s, 0, sizeof(*s));
	if (o->stdin_len > DT_STDIN_MAX)
		return wsp_error_set(err, WSP_ETOOBIG,
				     "stdin data over %u bytes: a Daytona "
				     "exec carries it in the request",
				     DT_STDIN_MAX);
	if ((rc = head(&b, s, o->cwd, o->shell, o->argv, o->env, err))) {
		free(b.p);
		return rc;
	}
	if (o->stdin_len) {
		puts_(&b, "printf '%s' '");
		base64(&b, o->stdin_data, o->stdin_len);
		puts_(&b, "' | base64 -d | ");
	}
	puts_(&b, "{ ");
	words(&b, "command --", o->shell, o->argv);
	/* Without stdin data the command reads end of file at once (the
	 * session would keep its input pipe open). */
	puts_(&b, o->stdin_len ? "\n}\n" : "\n} </dev/null\n");
	puts_(&b, "__r=$?\n");
	tail(&b, "''");
	return done(&b, s, err);
}

/*
 * A background process. The command runs in a process group of its own
 * (setsid, where the sandbox has it) so a signal reaches all it started.
 * Beside it, a control loop reads the session command's input, which
 * wsp alone writes (input echo suppressed), one line at a time:
 *   <base64>  data for the command's stdin (exact bytes: the daemon
 *             adds a newline to every input, so raw data could not be
 *             sent as it is)
 *   .         end of stdin
 *   !N        signal N to the group (the toolbox has no per-command
 *             signal, and another session may not see the process)
 * A timeout is a watchdog that kills the group with SIGKILL. The stderr
 * trailer says what ended it: ":sigN" when wsp signalled, ":timeout".
 * Helpers are stopped with SIGPIPE, which bash does not report on the
 * command's stderr as it does SIGTERM ("Terminated").
 */
int dt_script_build_proc(struct dt_script *s, const wsp_spawn_opts *o,
			 int64_t timeout_ms, wsp_error *err)
{
	struct buf b = {0};
	int pipe_in = o->stdin_mode == WSP_STDIN_PIPE, rc;
	char secs[40];

	memset(s, 0, sizeof(*s));
	if ((rc = head(&b, s, o->cwd, o->shell, o->argv, o->env, err))) {
		free(b.p);
		return rc;
	}
	puts_(&b, "__t=$(mktemp -d 2>/dev/null)");
	refuse(&b, "tmp");
	if (pipe_in) {
		puts_(&b, "mkfifo \"$__t/in\"");
		refuse(&b, "tmp");
	}
	puts_(&b, "__s=; command -v setsid >/dev/null 2>&1 && __s=setsid\n"
		  "exec 4<&0\n$__s ");
	words(&b, "", o->shell, o->argv);
	puts_(&b,
	      pipe_in ? " <\"$__t/in\" & __p=$!\n" : " </dev/null & __p=$!\n");
	puts_(&b, "( while IFS= read -r __l; do case $__l in\n"
		  "'!'*) __g=${__l#!}; echo \"$__g\" >\"$__t/sig\"; "
		  "kill -\"$__g\" -- -\"$__p\" 2>/dev/null || "
		  "kill -\"$__g\" \"$__p\" ;;\n");
	if (pipe_in)
		puts_(&b, ".) exec 3>&- ;;\n"
			  "*) printf '%s' \"$__l\" | base64 -d >&3 ;;\n");
	puts_(&b, "esac; done ) <&4 ");
	if (pipe_in)
		puts_(&b, "3>\"$__t/in\" ");
	puts_(&b, ">/dev/null 2>&1 & __c=$!\nexec 4<&-\n__w=\n");
	if (timeout_ms > 0) {
		snprintf(secs, sizeof secs, "%lld.%03lld",
			 (long long)(timeout_ms / 1000),
			 (long long)(timeout_ms % 1000));
		puts_(&b, "( sleep ");
		puts_(&b, secs);
		puts_(&b, "; : >\"$__t/timeout\"; kill -9 -- -\"$__p\" "
			  "2>/dev/null || kill -9 \"$__p\" ) "
			  "</dev/null >/dev/null 2>&1 & __w=$!\n");
	}
	puts_(&b, "wait \"$__p\" 2>/dev/null; __r=$?\n"
		  "{ kill -s PIPE \"$__c\" $__w; wait \"$__c\" $__w; } "
		  "2>/dev/null\n__g=\n"
		  "[ -e \"$__t/timeout\" ] && __g=:timeout\n"
		  "[ -s \"$__t/sig\" ] && __g=\":sig$(cat \"$__t/sig\")\"\n"
		  "rm -rf \"$__t\"\n");
	tail(&b, "\"$__g\"");
	return done(&b, s, err);
}

void dt_script_free(struct dt_script *s)
{
	free(s->text);
	s->text = NULL;
}

/* The last complete line of log[0..n) as (start, len); -1 if none. */
static int last_line(const char *log, size_t n, size_t *start, size_t *len)
{
	size_t i;

	if (!n || log[n - 1] != '\n')
		return -1;
	for (i = n - 1; i > 0 && log[i - 1] != '\n'; i--)
		;
	*start = i;
	*len = n - 1 - i;
	return 0;
}

/*
 * What follows the nonce on the trailer line: "" 0, ":cwd" and ":prog"
 * (DT_END_CWD, DT_END_PROG), ":tmp" (DT_END_TMP), ":timeout", ":sigN"
 * (DT_END_SIG + N); -1 for anything else (not our trailer).
 */
int dt_trailer_tag(const char *t, size_t n)
{
	size_t i;
	int sig = 0;

	if (!n)
		return 0;
	if (n == 4 && !memcmp(t, ":cwd", 4))
		return DT_END_CWD;
	if (n == 5 && !memcmp(t, ":prog", 5))
		return DT_END_PROG;
	if (n == 4 && !memcmp(t, ":tmp", 4))
		return DT_END_TMP;
	if (n == 8 && !memcmp(t, ":timeout", 8))
		return DT_END_TIMEOUT;
	if (n < 5 || n > 6 || memcmp(t, ":sig", 4))
		return -1;
	for (i = 4; i < n; i++) {
		if (t[i] < '0' || t[i] > '9')
			return -1;
		sig = sig * 10 + (t[i] - '0');
	}
	return sig >= 1 && sig <= 64 ? DT_END_SIG + sig : -1;
}

int dt_script_output(size_t *len, int *nostart, const char *log, size_t log_len,
		     const char *nonce, int done)
{
	size_t nl = strlen(nonce), st, ln, end = log_len, i;

	*nostart = 0;
	/* Only whole lines: a line being written may be the trailer. */
	while (end && log[end - 1] != '\n')
		end--;
	if (!last_line(log, end, &st, &ln) && ln >= nl) {
		/* the trailer ends the last line: the nonce, maybe a tag */
		for (i = ln - nl + 1; i-- > 0;)
			if (!memcmp(log + st + i, nonce, nl))
				break;
		if (i != (size_t)-1) {
			int tag =
				dt_trailer_tag(log + st + i + nl, ln - i - nl);

			if (tag >= 0) {
				*nostart = tag;
				*len = st + i;
				return 0;
			}
		}
	}
	if (done == DT_LOG_DONE) {
		*len = 0;
		return WSP_EPROTO;
	}
	/* Every whole line is the command's: the trailer adds no newline
	 * of its own before it. */
	*len = end;
	return 0;
}
