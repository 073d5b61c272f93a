/*
 * sandbox_template.c - the smallest complete wsp sandbox provider.
 *
 * Commands run through /bin/sh -c in one configured directory, with a clean
 * environment (PATH, HOME and the call's own variables: the host's
 * environment is never inherited). Output is captured into buffers
 * allocated with host->alloc, streamed to the caller's callback, and the
 * command is killed when its timeout or the call's deadline passes
 * (whichever is first) or the call is canceled.
 *
 * The core hands every slot full-size structs with defaults filled in and
 * a call context that is never NULL (<wsp/sandbox.h>), so the slots below
 * read members directly.
 *
 * There is no isolation: the command runs as the calling user, and can
 * read and write whatever that user can. A real provider adds its own
 * isolation (or talks to a remote service) behind the same exec slot.
 *
 * Copy this file, rename the provider (PROVIDER_NAME below and the name in
 * CMakeLists.txt), and build it against an installed wsp SDK.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* pipe2, realpath */
#endif

#include <wsp/plugin.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PROVIDER_NAME "template"
#define PROVIDER_VERSION "0.1.0"
#define CLEAN_PATH "PATH=/usr/local/bin:/usr/bin:/bin"
#define DEFAULT_CAPTURE (1024 * 1024)
#define MAX_EXTRA_ENV 256

struct tpl_sandbox {
	const wsp_host *host;
	char *id;
	char *dir;          /* absolute, resolved working directory */
	int64_t timeout_ms; /* configured default; 0 = none */
};

/*
 * Designated initializers: members a later ABI minor appends (2.1 added
 * min_value and max_value) are then zero without a change here, and the
 * same source builds against older headers.
 */
static const wsp_option_spec tpl_options[] = {
	{ .struct_size = sizeof(wsp_option_spec),
	  .type = WSP_OPT_STRING,
	  .name = "working_dir",
	  .default_value = ".",
	  .help = "directory commands run in (relative to the config file)" },
	{ .struct_size = sizeof(wsp_option_spec),
	  .type = WSP_OPT_DURATION,
	  .name = "timeout",
	  .default_value = "60s",
	  .help = "default command timeout (0 = none)" },
	WSP_OPTION_END
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static char *tpl_strdup(const wsp_host *host, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = host->alloc(host, n);

	if (p)
		memcpy(p, s, n);
	return p;
}

/* Resolve path (relative to base) and insist it is a directory. */
static int resolve_dir(char out[PATH_MAX], const char *base, const char *path,
		       wsp_error *err)
{
	char joined[PATH_MAX];
	int n;

	if (path[0] == '/')
		n = snprintf(joined, sizeof(joined), "%s", path);
	else
		n = snprintf(joined, sizeof(joined), "%s/%s", base, path);
	if (n < 0 || (size_t)n >= sizeof(joined))
		return wsp_error_set(err, WSP_ETOOBIG,
				     "path '%s' is too long", path);
	if (!realpath(joined, out))
		return wsp_error_set_os(err, WSP_ENOTFOUND, errno,
					"cannot use directory '%s': %s",
					joined, strerror(errno));
	return 0;
}

static void tpl_fini(void *self)
{
	struct tpl_sandbox *sb = self;

	if (!sb)
		return;
	sb->host->free(sb->host, sb->dir);
	sb->host->free(sb->host, sb->id);
	sb->host->free(sb->host, sb);
}

static int tpl_init(void **out_self, const wsp_host *host,
		    const wsp_instance_args *args, wsp_error *err)
{
	struct tpl_sandbox *sb;
	const char *dir = ".";
	char resolved[PATH_MAX];
	int ret;

	ret = host->opt_string(&dir, host, args->options, "working_dir", err);
	if (ret < 0)
		return ret;
	sb = host->alloc(host, sizeof(*sb));
	if (!sb)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	memset(sb, 0, sizeof(*sb));
	sb->host = host;
	ret = host->opt_duration(&sb->timeout_ms, host, args->options,
				 "timeout", err);
	if (ret < 0)
		goto fail;
	ret = resolve_dir(resolved, args->config_dir ? args->config_dir : ".",
			  dir, err);
	if (ret < 0)
		goto fail;
	sb->dir = tpl_strdup(host, resolved);
	sb->id = tpl_strdup(host, args->instance_id ? args->instance_id : "");
	if (!sb->dir || !sb->id) {
		ret = wsp_error_set(err, WSP_ENOMEM, "out of memory");
		goto fail;
	}
	*out_self = sb;
	return 0;
fail:
	tpl_fini(sb);
	return ret;
}

/*
 * The directory a command starts in: the working directory, or a path
 * under it. Paths that resolve outside it are refused.
 */
static int command_cwd(char out[PATH_MAX], const struct tpl_sandbox *sb,
		       const char *cwd, wsp_error *err)
{
	size_t n = strlen(sb->dir);
	int ret;

	if (!cwd)
		cwd = ".";
	ret = resolve_dir(out, sb->dir, cwd, err);
	if (ret < 0)
		return ret;
	if (strncmp(out, sb->dir, n) || (out[n] && out[n] != '/' &&
					 strcmp(sb->dir, "/")))
		return wsp_error_set(err, WSP_EPERM,
				     "cwd '%s' is outside the working directory",
				     cwd);
	return 0;
}

/* Captured output of one stream: the newest `cap` bytes are kept. */
struct capture {
	const wsp_host *host;
	char *buf;
	size_t len, cap;
	uint64_t dropped;
};

static int capture_add(struct capture *c, const char *data, size_t n)
{
	if (!c->buf) {
		c->buf = c->host->alloc(c->host, c->cap + 1);
		if (!c->buf)
			return WSP_ENOMEM;
	}
	if (n > c->cap) {
		c->dropped += n - c->cap;
		data += n - c->cap;
		n = c->cap;
	}
	if (c->len + n > c->cap) {
		size_t drop = c->len + n - c->cap;

		memmove(c->buf, c->buf + drop, c->len - drop);
		c->len -= drop;
		c->dropped += drop;
	}
	memcpy(c->buf + c->len, data, n);
	c->len += n;
	return 0;
}

/* The child: new process group, pipes on 0/1/2, clean env, then sh. */
static void run_child(const char *dir, int in, int out, int errfd,
		      char *const argv[], char *const envp[])
{
	setpgid(0, 0);
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(errfd, 2) < 0)
		_exit(127);
	if (chdir(dir) < 0)
		_exit(127);
	execve("/bin/sh", argv, envp);
	_exit(127);
}

/* Build argv: a shell string, or an argv vector run through sh's exec. */
static int build_argv(const char **argv, size_t max,
		      const wsp_exec_opts *opts, wsp_error *err)
{
	size_t i = 0, j;

	argv[i++] = "sh";
	argv[i++] = "-c";
	if (opts->shell) {
		argv[i++] = opts->shell;
	} else {
		if (!opts->argv || !opts->argv[0])
			return wsp_error_set(err, WSP_EINVAL,
					     "no command given");
		argv[i++] = "exec \"$@\"";
		argv[i++] = "sh";
		for (j = 0; opts->argv[j]; j++) {
			if (i + 1 >= max)
				return wsp_error_set(err, WSP_ETOOBIG,
						     "too many arguments");
			argv[i++] = opts->argv[j];
		}
	}
	argv[i] = NULL;
	return 0;
}

/*
 * An argv command whose program is not found fails before it starts
 * (<wsp/exec.h>), rather than as sh's exit 127. PATH is the last one in
 * envp: the call's own, or the clean one.
 */
static int find_program(const char *dir, const char *prog,
			const char *const *envp, wsp_error *err)
{
	const char *path = CLEAN_PATH + 5, *s, *e;
	char full[PATH_MAX];
	size_t i;
	int n;

	for (i = 0; envp[i]; i++)
		if (!strncmp(envp[i], "PATH=", 5))
			path = envp[i] + 5;
	/* A path cut to fit would name another file: never try one. */
	if (strchr(prog, '/')) {
		n = snprintf(full, sizeof(full), "%s/%s",
			     prog[0] == '/' ? "" : dir, prog);
		if (n > 0 && (size_t)n < sizeof(full) && !access(full, X_OK))
			return 0;
	} else {
		for (s = path; *s; s = *e ? e + 1 : e) {
			e = strchrnul(s, ':');
			n = snprintf(full, sizeof(full), "%.*s/%s",
				     (int)(e - s), s, prog);
			if (e > s && n > 0 && (size_t)n < sizeof(full) &&
			    !access(full, X_OK))
				return 0;
		}
	}
	return wsp_error_set(err, WSP_ENOTFOUND,
			     "cannot run '%s': no such program", prog);
}

static int build_env(const char **envp, size_t max, const char *home,
		     const wsp_exec_opts *opts, wsp_error *err)
{
	size_t i = 0, j;

	envp[i++] = CLEAN_PATH;
	envp[i++] = home;
	for (j = 0; opts->env && opts->env[j]; j++) {
		if (!strchr(opts->env[j], '=') || opts->env[j][0] == '=')
			return wsp_error_set(err, WSP_EINVAL,
					     "environment entry '%s' is not KEY=VALUE",
					     opts->env[j]);
		if (i + 1 >= max)
			return wsp_error_set(err, WSP_ETOOBIG,
					     "too many environment variables");
		envp[i++] = opts->env[j];
	}
	envp[i] = NULL;
	return 0;
}

struct run {
	pid_t pid;
	int fd[3]; /* stdin (write end), stdout, stderr (read ends) */
	const unsigned char *in;
	size_t in_left;
};

static int spawn(struct run *r, const char *dir, const char **argv,
		 const char **envp, wsp_error *err)
{
	int p[3][2] = { { -1, -1 }, { -1, -1 }, { -1, -1 } };
	int i;

	/*
	 * stdin is a socket pair, not a pipe, so a command that exits without
	 * reading makes send() fail with EPIPE instead of raising SIGPIPE in
	 * the caller's process.
	 */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p[0]) < 0)
		goto fail;
	for (i = 1; i < 3; i++)
		if (pipe2(p[i], O_CLOEXEC) < 0)
			goto fail;
	r->pid = fork();
	if (r->pid < 0)
		goto fail;
	if (r->pid == 0)
		run_child(dir, p[0][1], p[1][1], p[2][1], (char *const *)argv,
			  (char *const *)envp);
	setpgid(r->pid, r->pid); /* also here: no race with kill(-pid) */
	close(p[0][1]);
	close(p[1][1]);
	close(p[2][1]);
	r->fd[0] = p[0][0];
	r->fd[1] = p[1][0];
	r->fd[2] = p[2][0];
	if (!r->in_left) {
		shutdown(r->fd[0], SHUT_WR);
		close(r->fd[0]);
		r->fd[0] = -1;
	}
	return 0;
fail:
	for (i = 0; i < 3; i++) {
		if (p[i][0] >= 0)
			close(p[i][0]);
		if (p[i][1] >= 0)
			close(p[i][1]);
	}
	return wsp_error_set_os(err, WSP_EIO, errno,
				"cannot start '/bin/sh': %s", strerror(errno));
}

/* pump() result when the cancel token fired (not an error: see tpl_exec) */
#define PUMP_CANCELED 1

/*
 * Pump stdin and both outputs until the command closes them, the deadline
 * passes (returns WSP_ETIMEDOUT), the call is canceled (PUMP_CANCELED) or
 * the output callback stops it (returns the callback's code).
 */
static int pump(struct run *r, struct capture cap[2], const wsp_host *host,
		const wsp_call *call, const wsp_exec_opts *opts,
		int64_t deadline)
{
	int cancel_fd = host->call_fd(host, call);
	char buf[65536];

	while (r->fd[1] >= 0 || r->fd[2] >= 0) {
		struct pollfd pf[4] = {
			{ r->fd[0], POLLOUT, 0 }, { r->fd[1], POLLIN, 0 },
			{ r->fd[2], POLLIN, 0 }, { cancel_fd, POLLIN, 0 },
		};
		int wait = -1, i, ret;

		if (deadline >= 0) {
			int64_t left = deadline - now_ms();

			if (left <= 0)
				return WSP_ETIMEDOUT;
			wait = left > INT_MAX ? INT_MAX : (int)left;
		}
		if (poll(pf, 4, wait) < 0 && errno != EINTR)
			return WSP_EIO;
		if (pf[3].revents)
			return PUMP_CANCELED;
		if (pf[0].revents) {
			ssize_t n = send(r->fd[0], r->in, r->in_left,
					 MSG_NOSIGNAL | MSG_DONTWAIT);

			if (n > 0) {
				r->in += n;
				r->in_left -= (size_t)n;
			}
			if ((n < 0 && errno != EAGAIN) || !r->in_left) {
				shutdown(r->fd[0], SHUT_WR); /* EOF on stdin */
				close(r->fd[0]);
				r->fd[0] = -1;
			}
		}
		for (i = 1; i <= 2; i++) {
			ssize_t n;

			if (!pf[i].revents)
				continue;
			n = read(r->fd[i], buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				close(r->fd[i]);
				r->fd[i] = -1;
				continue;
			}
			ret = opts->on_output ?
				      opts->on_output((uint32_t)i, buf,
						      (size_t)n, opts->payload) :
				      0;
			if (ret < 0)
				return ret;
			if (opts->flags & WSP_EXEC_NO_CAPTURE)
				continue;
			ret = capture_add(&cap[i - 1], buf, (size_t)n);
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}

static int tpl_exec(wsp_exec_result *out, void *self, const wsp_call *call,
		    const wsp_exec_opts *caller_opts, wsp_error *err)
{
	struct tpl_sandbox *sb = self;
	const wsp_host *host = sb->host;
	const wsp_exec_opts opts = *caller_opts;
	wsp_exec_result res;
	struct run r = { -1, { -1, -1, -1 }, NULL, 0 };
	struct capture cap[2] = { { host, NULL, 0, DEFAULT_CAPTURE, 0 },
				  { host, NULL, 0, DEFAULT_CAPTURE, 0 } };
	const char *argv[4096], *envp[MAX_EXTRA_ENV + 3];
	char dir[PATH_MAX], home[PATH_MAX + 8];
	int64_t start = now_ms(), timeout, left, deadline = -1;
	int ret, status = 0, i;

	/* A call that expired already starts nothing. */
	ret = host->call_expired(host, call);
	if (ret)
		return wsp_error_set(err, ret, "the call ended before the "
					       "command started");
	memset(&res, 0, sizeof(res));
	ret = command_cwd(dir, sb, opts.cwd, err);
	if (ret < 0)
		return ret;
	snprintf(home, sizeof(home), "HOME=%s", sb->dir);
	ret = build_argv(argv, sizeof(argv) / sizeof(argv[0]), &opts, err);
	if (ret < 0)
		return ret;
	ret = build_env(envp, sizeof(envp) / sizeof(envp[0]), home, &opts,
			err);
	if (ret < 0)
		return ret;
	if (!opts.shell) {
		ret = find_program(dir, opts.argv[0], envp, err);
		if (ret < 0)
			return ret;
	}
	if (opts.max_capture)
		cap[0].cap = cap[1].cap = (size_t)opts.max_capture;
	/* 0 is the configured timeout; the flag says none of its own. */
	if (opts.flags & WSP_EXEC_NO_TIMEOUT)
		timeout = 0;
	else
		timeout = opts.timeout_ms ? opts.timeout_ms : sb->timeout_ms;
	if (timeout > 0)
		deadline = start + timeout;
	/* The call's deadline ends the command the same way, if sooner. */
	left = host->call_remaining_ms(host, call);
	if (left >= 0) {
		left += now_ms(); /* the call's end, on our clock */
		if (deadline < 0 || left < deadline)
			deadline = left;
	}

	r.in = opts.stdin_data;
	r.in_left = opts.stdin_data ? opts.stdin_len : 0;
	ret = spawn(&r, dir, argv, envp, err);
	if (ret < 0)
		return ret;
	ret = pump(&r, cap, host, call, &opts, deadline);
	if (ret != 0)
		kill(-r.pid, SIGKILL); /* the whole process group */
	for (i = 0; i < 3; i++)
		if (r.fd[i] >= 0)
			close(r.fd[i]);
	while (waitpid(r.pid, &status, 0) < 0 && errno == EINTR)
		;

	res.duration_ms = (uint64_t)(now_ms() - start);
	if (WIFSIGNALED(status)) {
		res.term_signal = WTERMSIG(status);
		res.exit_code = 128 + res.term_signal;
	} else {
		res.exit_code = WEXITSTATUS(status);
	}
	if (ret == WSP_ETIMEDOUT) {
		res.flags |= WSP_EXEC_TIMED_OUT | WSP_EXEC_KILLED;
		res.exit_code = 124;
		ret = 0;
	} else if (ret == PUMP_CANCELED) {
		/* Not a failure: the caller keeps the output so far. */
		res.flags |= WSP_EXEC_CANCELED | WSP_EXEC_KILLED;
		res.exit_code = 130;
		ret = 0;
	} else if (ret == WSP_EIO || ret == WSP_ENOMEM) {
		wsp_error_set(err, ret, "cannot read the command's output");
	} else if (ret < 0) {
		wsp_error_set(err, ret, "the output callback stopped the "
					"command");
	}
	if (ret < 0) {
		host->free(host, cap[0].buf);
		host->free(host, cap[1].buf);
		return ret;
	}
	for (i = 0; i < 2; i++) {
		if (!cap[i].buf)
			cap[i].buf = host->alloc(host, 1);
		if (!cap[i].buf) {
			host->free(host, cap[0].buf);
			return wsp_error_set(err, WSP_ENOMEM, "out of memory");
		}
		cap[i].buf[cap[i].len] = '\0';
	}
	res.stdout_data = cap[0].buf;
	res.stdout_len = cap[0].len;
	res.stdout_dropped = cap[0].dropped;
	res.stderr_data = cap[1].buf;
	res.stderr_len = cap[1].len;
	res.stderr_dropped = cap[1].dropped;
	res.struct_size = sizeof(res);
	*out = res; /* full size: the core copies back what its caller holds */
	return 0;
}

static int tpl_info(void *self, const wsp_call *call, uint32_t flags,
		    wsp_kv_fn cb, void *payload, wsp_error *err)
{
	struct tpl_sandbox *sb = self;
	int ret;

	(void)call; /* quick: nothing to cancel */
	(void)flags;
	(void)err;
	ret = cb("id", sb->id, payload);
	if (!ret)
		ret = cb("provider", PROVIDER_NAME, payload);
	if (!ret)
		ret = cb("isolation", "none", payload);
	if (!ret)
		ret = cb("working_dir", sb->dir, payload);
	return ret;
}

static const wsp_sandbox_vtable tpl_sandbox_vtable = {
	.struct_size = sizeof(wsp_sandbox_vtable),
	.exec = tpl_exec,
	.info = tpl_info,
};

WSP_PLUGIN_DEFINE(WSP_KIND_SANDBOX, PROVIDER_NAME, PROVIDER_VERSION,
		  "runs commands with /bin/sh in a directory (SDK template)",
		  0, tpl_options, tpl_init, tpl_fini, NULL,
		  &tpl_sandbox_vtable, NULL, NULL)
