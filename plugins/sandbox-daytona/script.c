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
 * "\n<nonce>\n" on both streams: the log is then exactly the output, the
 * separator and the trailer line, whatever the output's last byte, and
 * the nonce (random per exec) cannot be forged by the command. A cwd or
 * program that is not there ends the script before the command with
 * "<nonce>:cwd" or "<nonce>:prog" on stderr, so wsp can say the command
 * could not start rather than report exit 127.
 */
#include "daytona.h"

#include <ctype.h>
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

static void base64(struct buf *b, const unsigned char *p, size_t n)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char q[4];
	size_t i;

	for (i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;

		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		q[0] = tab[v >> 18];
		q[1] = tab[(v >> 12) & 63];
		q[2] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
		q[3] = i + 2 < n ? tab[v & 63] : '=';
		put(b, q, 4);
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
	puts_(b, " || { printf '\\n%s:");
	puts_(b, why);
	puts_(b, "\\n' \"$__n\" >&2; printf '\\n%s\\n' \"$__n\"; exit 127; }\n");
}

static int env_lines(struct buf *b, const char *const *env, wsp_error *err)
{
	size_t i;

	for (i = 0; env && env[i]; i++) {
		const char *eq = strchr(env[i], '=');

		if (!eq || !name_ok(env[i], (size_t)(eq - env[i])))
			return wsp_error_set(err, WSP_EINVAL,
					     "environment entry %zu is not "
					     "NAME=VALUE", i);
		puts_(b, "export ");
		put(b, env[i], (size_t)(eq - env[i]));
		put(b, "=", 1);
		quoted(b, eq + 1, strlen(eq + 1));
		put(b, "\n", 1);
	}
	return 0;
}

int dt_script_build(struct dt_script *s, const wsp_exec_opts *o,
		    wsp_error *err)
{
	struct buf b = { 0 };
	size_t i;
	int rc;

	memset(s, 0, sizeof(*s));
	if (o->stdin_len > DT_STDIN_MAX)
		return wsp_error_set(err, WSP_ETOOBIG,
				     "stdin data over %u bytes: a Daytona "
				     "exec carries it in the request",
				     DT_STDIN_MAX);
	if (make_nonce(s->nonce))
		return wsp_error_set(err, WSP_EIO, "no random bytes");
	puts_(&b, "( __n='");
	puts_(&b, s->nonce);
	puts_(&b, "'\n");
	if (o->cwd) {
		puts_(&b, "cd -- ");
		quoted(&b, o->cwd, strlen(o->cwd));
		puts_(&b, " 2>/dev/null");
		refuse(&b, "cwd");
	}
	if (!o->shell) {
		puts_(&b, "command -v -- ");
		quoted(&b, o->argv[0], strlen(o->argv[0]));
		puts_(&b, " >/dev/null 2>&1");
		refuse(&b, "prog");
	}
	if ((rc = env_lines(&b, o->env, err))) {
		free(b.p);
		return rc;
	}
	if (o->stdin_len) {
		puts_(&b, "printf '%s' '");
		base64(&b, o->stdin_data, o->stdin_len);
		puts_(&b, "' | base64 -d | ");
	}
	puts_(&b, "{ ");
	if (o->shell) {
		puts_(&b, "sh -c ");
		quoted(&b, o->shell, strlen(o->shell));
	} else {
		puts_(&b, "command --");
		for (i = 0; o->argv[i]; i++) {
			put(&b, " ", 1);
			quoted(&b, o->argv[i], strlen(o->argv[i]));
		}
	}
	/* Without stdin data the command reads end of file at once (the
	 * session would keep its input pipe open). */
	puts_(&b, o->stdin_len ? "\n}\n" : "\n} </dev/null\n");
	puts_(&b, "__r=$?\nprintf '\\n%s\\n' \"$__n\"\n"
		  "printf '\\n%s\\n' \"$__n\" >&2\nexit $__r\n)");
	if (b.oom) {
		free(b.p);
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	s->text = b.p;
	return 0;
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

int dt_script_output(size_t *len, int *nostart, const char *log,
		     size_t log_len, const char *nonce, int done)
{
	size_t nl = strlen(nonce), st, ln, end = log_len;

	*nostart = 0;
	/* Only whole lines: a line being written may be the trailer. */
	while (end && log[end - 1] != '\n')
		end--;
	if (!last_line(log, end, &st, &ln) && ln >= nl &&
	    !memcmp(log + st, nonce, nl) && st > 0 && log[st - 1] == '\n') {
		const char *rest = log + st + nl;
		size_t rl = ln - nl;

		if (rl == 0 || (rl == 4 && !memcmp(rest, ":cwd", 4)) ||
		    (rl == 5 && !memcmp(rest, ":prog", 5))) {
			*nostart = rl == 4 ? 1 : rl == 5 ? 2 : 0;
			*len = st - 1;
			return 0;
		}
	}
	if (done == DT_LOG_DONE) {
		*len = 0;
		return WSP_EPROTO;
	}
	/* Hold back the newline that ends what we have: it may be ours;
	 * unless the command is being killed, when it is nearly always its
	 * own (ours comes only with the trailer, which is not there). */
	*len = done == DT_LOG_LAST || !end ? end : end - 1;
	return 0;
}
