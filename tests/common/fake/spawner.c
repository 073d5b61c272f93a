/*
 * tests/common/fake/spawner.c - the process inside a fake sandbox's one
 * long-lived bubblewrap that forks the sandbox's commands, as a vendor's
 * daemon does inside its VM (tests/common/fake/spawner.mjs is the other
 * end). One bubblewrap per sandbox (and per sandbox user) instead of one
 * per command: its set-up was most of a command's time in the fakes.
 *
 * Requests come as frames on stdin, events go as frames on stdout, both
 * in the machine's byte order (the two ends are on one host):
 *
 *   header: u8 type, u8 arg, u16 zero, u32 id, u32 len, then len bytes
 *
 *   requests                          events
 *   'S' spawn, arg 1: stdin piped     'N' started: i32 pid, or -errno
 *       u32 argc, u32 envc, then      'O' output, arg 1 stdout / 2 stderr:
 *       cwd, argv..., env... as           one read's bytes
 *       NUL-terminated strings        'E' end of output, arg the stream
 *   'I' stdin bytes (one at a time:   'A' stdin bytes written: i32 errno
 *       the next after its 'A')           (0: all of them)
 *   'C' close stdin                   'X' exited: i32 wait status
 *   'K' signal arg to the group
 *   'P' pause output, 'R' resume it
 *
 * Each command: fork, setsid (a group of its own, which 'K' signals, so
 * a signal reaches what the command started), its pipes as fds 0-2, no
 * other fd, the signal mask and dispositions reset, chdir, execve with
 * the given environment. A failing chdir or execve says so on the
 * command's stderr and ends it with 127. The spawner runs with no
 * capabilities (bubblewrap's --cap-drop ALL) and sets no_new_privs.
 *
 * Trust: the frames come from the fake's own node process, never from a
 * client or a command (commands only see their own pipes), so this is no
 * parser of untrusted input and has no fuzz target; it still checks every
 * frame (sizes, counts, terminators, ids) and exits on one that is wrong,
 * which ends the sandbox's commands with an error the fake reports.
 * Output is read only while node has not paused it, and each command has
 * at most one stdin frame in flight, so the spawner holds bounded memory.
 * When stdin ends (the fake stopped or the sandbox ended) it exits, and
 * bubblewrap's init, the PID namespace's, takes every command with it.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* closefrom, pipe2, signalfd; the cc fallback lacks -D */
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

enum {
	HDR = 12,
	MAX_FRAME = 1 << 20, /* a spawn request: argv and env together */
	MAX_INPUT = 64 << 10,
	READ_SIZE = 64 << 10,
	MAX_CMDS = 1024,
	MAX_STRS = 8192,
};

struct cmd {
	uint32_t id;
	pid_t pid;       /* 0 once reaped */
	pid_t pgid;      /* its group, signalled until the command is dropped */
	int out[2];      /* stdout, stderr read ends; -1 once at their end */
	int in;          /* stdin write end, -1 when none or closed */
	int paused;
	int close_after; /* close stdin once the bytes in flight are written */
	char *pending;   /* stdin bytes not yet written */
	size_t pend_len, pend_off;
};

static struct cmd cmds[MAX_CMDS];
static int ncmds;
static unsigned char inbuf[HDR + MAX_FRAME];
static size_t inlen;
static unsigned char readbuf[READ_SIZE];

static void die(const char *what)
{
	fprintf(stderr, "spawner: %s\n", what);
	exit(2);
}

static void write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n) {
		ssize_t w = write(fd, c, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			exit(0); /* the fake is gone: nothing to report to */
		c += w;
		n -= (size_t)w;
	}
}

static void event(char type, int arg, uint32_t id, const void *data,
		  uint32_t len)
{
	unsigned char h[HDR] = {(unsigned char)type, (unsigned char)arg};

	memcpy(h + 4, &id, 4);
	memcpy(h + 8, &len, 4);
	write_all(1, h, HDR);
	if (len)
		write_all(1, data, len);
}

static void event_int(char type, uint32_t id, int32_t v)
{
	event(type, 0, id, &v, 4);
}

static struct cmd *find(uint32_t id)
{
	for (int i = 0; i < ncmds; i++)
		if (cmds[i].id == id)
			return &cmds[i];
	return NULL;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* A command is forgotten once reaped and at the end of both outputs. */
static void maybe_drop(struct cmd *c)
{
	if (c->pid || c->out[0] >= 0 || c->out[1] >= 0)
		return;
	close_fd(&c->in);
	free(c->pending);
	*c = cmds[--ncmds];
}

/* In the child: never returns. */
static void child(int ready, int in, int out, int err, char *cwd,
		  char **argv, char **envp)
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (setsid() < 0)
		_exit(127);
	close(ready); /* the parent may signal the group from now on */
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
		_exit(127);
	closefrom(3);
	if (chdir(cwd)) {
		dprintf(2, "spawner: cannot enter %s: %s\n", cwd,
			strerror(errno));
		_exit(127);
	}
	execve(argv[0], argv, envp);
	dprintf(2, "spawner: cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* Splits `n` NUL-terminated strings off p..end into out; -1 if short. */
static int strings(char *p, char *end, char **out, uint32_t n, char **next)
{
	for (uint32_t i = 0; i < n; i++) {
		char *z = memchr(p, '\0', (size_t)(end - p));

		if (!z)
			return -1;
		out[i] = p;
		p = z + 1;
	}
	*next = p;
	return 0;
}

static void spawn_cmd(uint32_t id, int with_stdin, char *p, uint32_t len)
{
	static char *strs[MAX_STRS + 2];
	char *end = p + len, *cwd, **argv, **envp;
	uint32_t argc, envc;
	int in[2] = {-1, -1}, out[2], err[2], ready[2];
	struct cmd *c;
	pid_t pid;
	char x;

	if (len < 9 || find(id))
		die("bad spawn request");
	memcpy(&argc, p, 4);
	memcpy(&envc, p + 4, 4);
	p += 8;
	if (argc < 1 || argc > MAX_STRS || envc > MAX_STRS - argc)
		die("bad spawn request: counts");
	if (end[-1] != '\0' || strings(p, end, &cwd, 1, &p))
		die("bad spawn request: cwd");
	argv = strs;
	if (strings(p, end, argv, argc, &p))
		die("bad spawn request: argv");
	argv[argc] = NULL;
	envp = strs + argc + 1;
	if (strings(p, end, envp, envc, &p) || p != end)
		die("bad spawn request: env");
	envp[envc] = NULL;
	if (ncmds == MAX_CMDS) {
		event_int('N', id, -EAGAIN);
		return;
	}
	if ((with_stdin ? pipe2(in, O_CLOEXEC) : 0) ||
	    pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC) ||
	    pipe2(ready, O_CLOEXEC))
		die("pipe");
	if (!with_stdin && (in[0] = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0)
		die("/dev/null");
	pid = fork();
	if (pid == 0)
		child(ready[1], in[0], out[1], err[1], cwd, argv, envp);
	close(in[0]);
	close(out[1]);
	close(err[1]);
	close(ready[1]);
	if (pid < 0) {
		close_fd(&in[1]);
		close(out[0]);
		close(err[0]);
		close(ready[0]);
		event_int('N', id, -errno);
		return;
	}
	/* Its setsid is done once this pipe ends: a signal can go to the
	 * group from the first 'K' on. */
	while (read(ready[0], &x, 1) < 0 && errno == EINTR)
		;
	close(ready[0]);
	c = &cmds[ncmds++];
	*c = (struct cmd){.id = id, .pid = pid, .pgid = pid,
			  .out = {out[0], err[0]}, .in = in[1]};
	if (c->in >= 0)
		fcntl(c->in, F_SETFL, O_NONBLOCK);
	event_int('N', id, pid);
}

/* Writes what it can of the stdin bytes in flight; 'A' once done. */
static void flush_input(struct cmd *c)
{
	while (c->pend_off < c->pend_len) {
		ssize_t w = write(c->in, c->pending + c->pend_off,
				  c->pend_len - c->pend_off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN)
			return;
		if (w < 0) {
			event_int('A', c->id, errno);
			close_fd(&c->in);
			break;
		}
		c->pend_off += (size_t)w;
	}
	if (c->pend_off == c->pend_len && c->in >= 0)
		event_int('A', c->id, 0);
	free(c->pending);
	c->pending = NULL;
	c->pend_len = c->pend_off = 0;
	if (c->close_after)
		close_fd(&c->in);
}

static void request(unsigned char type, unsigned char arg, uint32_t id,
		    char *data, uint32_t len)
{
	struct cmd *c = type == 'S' ? NULL : find(id);

	if (type == 'S') {
		spawn_cmd(id, arg == 1, data, len);
		return;
	}
	if (!c)
		return; /* it ended meanwhile */
	switch (type) {
	case 'I':
		if (len == 0 || len > MAX_INPUT || c->pending)
			die("bad stdin frame");
		if (c->in < 0) {
			event_int('A', id, EPIPE);
			return;
		}
		if (!(c->pending = malloc(len)))
			die("out of memory");
		memcpy(c->pending, data, len);
		c->pend_len = len;
		flush_input(c);
		break;
	case 'C':
		/* after the bytes in flight */
		c->close_after = 1;
		if (!c->pending)
			close_fd(&c->in);
		break;
	case 'K':
		if (arg < 1 || arg > 64)
			die("bad signal");
		kill(-c->pgid, arg);
		break;
	case 'P':
	case 'R':
		c->paused = type == 'P';
		break;
	default:
		die("unknown request");
	}
}

/* Reads stdin; handles every whole frame. Returns 0 at its end. */
static int read_requests(void)
{
	ssize_t n = read(0, inbuf + inlen, sizeof(inbuf) - inlen);
	size_t off = 0;

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 1;
	if (n <= 0)
		return 0;
	inlen += (size_t)n;
	while (inlen - off >= HDR) {
		unsigned char *h = inbuf + off;
		uint32_t id, len;

		memcpy(&id, h + 4, 4);
		memcpy(&len, h + 8, 4);
		if (h[2] || h[3] || len > MAX_FRAME)
			die("bad frame header");
		if (inlen - off < HDR + (size_t)len)
			break;
		request(h[0], h[1], id, (char *)h + HDR, len);
		off += HDR + len;
	}
	memmove(inbuf, inbuf + off, inlen - off);
	inlen -= off;
	return 1;
}

static void read_output(struct cmd *c, int s)
{
	ssize_t n = read(c->out[s], readbuf, sizeof(readbuf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n > 0) {
		event('O', s + 1, c->id, readbuf, (uint32_t)n);
		return;
	}
	close_fd(&c->out[s]);
	event('E', s + 1, c->id, NULL, 0);
}

static void reap(void)
{
	int st;
	pid_t pid;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		for (int i = 0; i < ncmds; i++) {
			if (cmds[i].pid != pid)
				continue;
			cmds[i].pid = 0;
			event_int('X', cmds[i].id, st);
			break;
		}
	}
}

int main(void)
{
	static struct pollfd pfd[2 + 3 * MAX_CMDS];
	static struct cmd *who[2 + 3 * MAX_CMDS];
	static int what[2 + 3 * MAX_CMDS];
	sigset_t chld;
	int sfd;

	closefrom(3); /* the program's own fd and whatever bwrap left */
	signal(SIGPIPE, SIG_IGN);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		die("no_new_privs");
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0)
		die("signalfd");
	for (;;) {
		nfds_t n = 2;

		pfd[0] = (struct pollfd){.fd = 0, .events = POLLIN};
		pfd[1] = (struct pollfd){.fd = sfd, .events = POLLIN};
		for (int i = 0; i < ncmds; i++) {
			struct cmd *c = &cmds[i];

			for (int s = 0; s < 2; s++) {
				if (c->out[s] < 0 || c->paused)
					continue;
				who[n] = c;
				what[n] = s;
				pfd[n++] = (struct pollfd){.fd = c->out[s],
							   .events = POLLIN};
			}
			if (c->pending) {
				who[n] = c;
				what[n] = 2;
				pfd[n++] = (struct pollfd){.fd = c->in,
							   .events = POLLOUT};
			}
		}
		if (poll(pfd, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll");
		}
		if (pfd[1].revents) {
			struct signalfd_siginfo si;

			while (read(sfd, &si, sizeof(si)) > 0)
				;
			reap();
		}
		/* in order, stdout before stderr (what arrived together);
		 * no command is dropped before the loop ends */
		for (nfds_t i = 2; i < n; i++) {
			struct cmd *c = who[i];

			if (!pfd[i].revents)
				continue;
			if (what[i] == 2)
				flush_input(c);
			else if (c->out[what[i]] == pfd[i].fd)
				read_output(c, what[i]);
		}
		for (int i = ncmds; i-- > 0;)
			maybe_drop(&cmds[i]);
		if (pfd[0].revents && !read_requests())
			return 0;
	}
}
