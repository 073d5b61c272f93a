/*
 * plugins/sandbox-local/agent/serve.c - `wsp-local-agent serve`: the
 * process that keeps an isolated sandbox's environment, run by bubblewrap
 * inside it (its PID, network, IPC, UTS, mount and user namespaces).
 *
 * It starts every command of the sandbox, so they all share one network,
 * one /tmp and one process table, and each inherits the environment's
 * restrictions (no capability, the seccomp filter, no new user namespace)
 * from the agent itself: nothing is applied twice, nothing can be
 * forgotten. Requests come from the host on the listening socket at
 * ENV_LISTEN_FD (env_proto.h says what they are); nothing inside can reach
 * it: its path is in the state directory, which is not mounted, and the
 * descriptor is close-on-exec. The agent is not dumpable, so the sandbox's
 * own processes (same uid, no capability) cannot ptrace it or open its
 * descriptors through /proc.
 *
 * One thread, one poll loop: the listening socket, a signalfd for SIGCHLD,
 * and per connection its socket and, once it ran a command, the report
 * pipe of the command's shim (shim.c: the command's parent and the
 * subreaper of what it starts). One shim is always forked ahead, ready,
 * so a command's start waits for no fork of ours but its own. When the caller closes the connection,
 * the shim's finish pipe is closed: it kills the command's group and every
 * leftover, and leaves. libc only.
 */
#include "agent.h"
#include "env_proto.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

/* A client that stops halfway through a frame does not stall the rest. */
#define RECV_TIMEOUT_S 5

struct conn {
	int fd;		/* the caller's socket; -1: gone */
	pid_t shim;	/* the command's shim, or 0 */
	pid_t cmd;	/* the command (its process group), once started */
	int report_fd;	/* from the shim, or -1 */
	int finish_fd;	/* to the shim: closing it ends the command */
};

/* A shim forked ahead, ready for the next command (shim.c). */
struct spare {
	pid_t pid;	/* 0: none */
	int job_fd;	/* the RUN frame goes here */
	int report_fd, finish_fd;
};

struct agent {
	int listen_fd, sig_fd;
	struct conn *conns;
	size_t n, cap;
	struct spare spare;
	int shutdown;
};

/* ERROR: errno e, and "what: strerror(e)" for messages. */
static void send_error(int fd, int e, const char *what)
{
	char msg[ENV_ERROR_MAX];
	int n;

	env_put32((unsigned char *)msg, (uint32_t)e);
	n = snprintf(msg + 4, sizeof(msg) - 4, "%s: %s", what, strerror(e));
	if (n < 0)
		n = 0;
	if ((size_t)n > sizeof(msg) - 5)
		n = (int)sizeof(msg) - 5;
	env_send(fd, ENV_ERROR, msg, 4 + (size_t)n, NULL, 0);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/*
 * Fork the next command's shim now, so a RUN finds it ready: its fork
 * and setup are off the path of the command's start.
 */
static void make_spare(struct agent *a)
{
	int report[2] = { -1, -1 }, finish[2] = { -1, -1 },
	    job[2] = { -1, -1 };
	pid_t pid;

	if (a->spare.pid > 0 || a->shutdown)
		return;
	if (pipe2(report, O_CLOEXEC) < 0 || pipe2(finish, O_CLOEXEC) < 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, job) < 0)
		goto fail;
	pid = fork();
	if (pid == 0)
		agent_shim(job[1], report[1], finish[0]);
	if (pid < 0)
		goto fail;
	close(report[1]);
	close(finish[0]);
	close(job[1]);
	a->spare = (struct spare){ pid, job[0], report[0], finish[1] };
	return;
fail:
	close_fd(&report[0]);
	close_fd(&report[1]);
	close_fd(&finish[0]);
	close_fd(&finish[1]);
	close_fd(&job[0]);
	close_fd(&job[1]);
}

/* RUN: the spare shim gets the frame with the three descriptors. */
static void do_run(struct agent *a, struct conn *c, struct env_frame *f)
{
	int rc;

	if (c->shim || f->nfds != 3) {
		send_error(c->fd, EPROTO, "bad request");
		return;
	}
	make_spare(a);
	if (a->spare.pid <= 0) {
		send_error(c->fd, errno ? errno : EAGAIN, "cannot start");
		return;
	}
	rc = env_send(a->spare.job_fd, ENV_RUN, f->data, f->len, f->fds, 3);
	close_fd(&a->spare.job_fd);
	c->shim = a->spare.pid;
	c->report_fd = a->spare.report_fd;
	c->finish_fd = a->spare.finish_fd;
	a->spare.pid = 0;
	if (rc < 0)
		close_fd(&c->finish_fd); /* the shim is told to leave */
}

/* Read exactly n bytes of a report (written whole: < PIPE_BUF). */
static int read_exact(int fd, void *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, (char *)buf + got, n - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

/*
 * One message of the shim (shim.c lists them), relayed to the caller.
 * Messages may arrive together in the pipe: each is read by its type's
 * size.
 */
static void shim_report(struct conn *c)
{
	unsigned char body[ENV_EXIT_SIZE];
	char type = 0;
	size_t size;
	int e;

	if (read_exact(c->report_fd, &type, 1) == 0) {
		size = type == 'S' ? 4u
		       : type == 'E' ? sizeof(int)
		       : type == 'X' ? ENV_EXIT_SIZE : 0;
		if (!size || read_exact(c->report_fd, body, size) < 0)
			type = 0;
	}
	if (!type) {
		/* Gone without a word: the command went with it. */
		close_fd(&c->report_fd);
		if (c->fd >= 0 && !c->cmd)
			send_error(c->fd, EIO, "the command's shim ended");
		return;
	}
	if (c->fd < 0)
		return;
	if (type == 'S') {
		c->cmd = (pid_t)env_get32(body);
		env_send(c->fd, ENV_STARTED, body, 4, NULL, 0);
	} else if (type == 'E') {
		memcpy(&e, body, sizeof(e));
		send_error(c->fd, e, "cannot run the command");
	} else {
		env_send(c->fd, ENV_EXIT, body, ENV_EXIT_SIZE, NULL, 0);
	}
}

/* CONNECT: a TCP connection to 127.0.0.1:port in this network. */
static void do_connect(struct conn *c, struct env_frame *f)
{
	struct sockaddr_in sa;
	uint32_t port;
	int s;

	if (f->len != 4 || (port = env_get32((unsigned char *)f->data)) == 0 ||
	    port > 65535) {
		send_error(c->fd, EINVAL, "bad port");
		return;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		if (s >= 0)
			close(s);
		send_error(c->fd, e, "nothing answers on that port in the "
			      "sandbox");
		return;
	}
	env_send(c->fd, ENV_FD, NULL, 0, &s, 1);
	close(s);
}

/* SHUTDOWN: every process of the namespace but us and its init. */
static void do_shutdown(struct agent *a)
{
	kill(-1, SIGKILL);
	a->shutdown = 1;
}

static void close_conn(struct conn *c)
{
	close_fd(&c->fd);
	/* What is left of the command goes with its caller (shim.c). */
	close_fd(&c->finish_fd);
}

static void handle_frame(struct agent *a, struct conn *c)
{
	struct env_frame f;
	int sig;

	if (env_recv(c->fd, &f) < 0) {
		close_conn(c);
		return;
	}
	switch (f.type) {
	case ENV_RUN:
		do_run(a, c, &f);
		break;
	case ENV_SIGNAL:
		sig = f.len == 4 ? (int)env_get32((unsigned char *)f.data) : 0;
		if (c->cmd > 0 && sig > 0 && sig < NSIG)
			kill(-c->cmd, sig);
		break;
	case ENV_CONNECT:
		do_connect(c, &f);
		break;
	case ENV_PING:
		env_send(c->fd, ENV_PONG, NULL, 0, NULL, 0);
		break;
	case ENV_SHUTDOWN:
		do_shutdown(a);
		break;
	default:
		close_conn(c);
		break;
	}
	env_frame_free(&f);
}

/* Reap shims that left; drop connections with nothing left. */
static void check_children(struct agent *a)
{
	size_t i;

	/* A spare that died (it should not) is replaced. */
	if (a->spare.pid > 0 && waitpid(a->spare.pid, NULL, WNOHANG) > 0) {
		close_fd(&a->spare.job_fd);
		close_fd(&a->spare.report_fd);
		close_fd(&a->spare.finish_fd);
		a->spare.pid = 0;
	}

	for (i = 0; i < a->n; i++) {
		struct conn *c = &a->conns[i];

		if (c->shim > 0 && waitpid(c->shim, NULL, WNOHANG) > 0)
			c->shim = -1; /* reaped; the slot stays "ran" */
	}
	for (i = 0; i < a->n;) {
		struct conn *c = &a->conns[i];

		if (c->fd < 0 && c->shim <= 0 && c->report_fd < 0) {
			close_fd(&c->finish_fd);
			a->conns[i] = a->conns[--a->n];
		} else {
			i++;
		}
	}
}

static void accept_conns(struct agent *a)
{
	struct timeval tv = { RECV_TIMEOUT_S, 0 };
	int fd;

	while ((fd = accept4(a->listen_fd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
		if (a->n == a->cap) {
			size_t cap = a->cap ? a->cap * 2 : 64;
			struct conn *v = realloc(a->conns, cap * sizeof(*v));

			if (!v) {
				close(fd);
				return;
			}
			a->conns = v;
			a->cap = cap;
		}
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		a->conns[a->n++] = (struct conn){ fd, 0, 0, -1, -1 };
	}
}

static int loop(struct agent *a)
{
	struct pollfd *p = NULL;
	size_t cap = 0;

	while (!a->shutdown) {
		size_t np = 2, i;
		struct signalfd_siginfo si;

		if (cap < 2 * a->n + 2) {
			struct pollfd *v = realloc(p, (2 * a->n + 64) *
							      sizeof(*v));

			if (!v)
				return 1;
			p = v;
			cap = 2 * a->n + 64;
		}
		p[0] = (struct pollfd){ a->listen_fd, POLLIN, 0 };
		p[1] = (struct pollfd){ a->sig_fd, POLLIN, 0 };
		/* Two entries per connection: its socket, its shim's reports. */
		for (i = 0; i < a->n; i++) {
			p[np++] = (struct pollfd){ a->conns[i].fd, POLLIN, 0 };
			p[np++] = (struct pollfd){ a->conns[i].report_fd,
						   POLLIN, 0 };
		}
		if (poll(p, np, -1) < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		if (p[1].revents)
			while (read(a->sig_fd, &si, sizeof(si)) > 0)
				;
		/* Slots stay put until check_children: indexes hold. */
		for (i = 0; i < a->n; i++) {
			if (p[2 + 2 * i + 1].revents &&
			    a->conns[i].report_fd >= 0)
				shim_report(&a->conns[i]);
			if (p[2 + 2 * i].revents && a->conns[i].fd >= 0)
				handle_frame(a, &a->conns[i]);
		}
		check_children(a);
		if (p[0].revents)
			accept_conns(a);
		/* The next command's shim, forked while nothing waits. */
		make_spare(a);
	}
	free(p);
	return 0;
}

int agent_serve(void)
{
	struct agent a;
	sigset_t set;

	memset(&a, 0, sizeof(a));
	/* Not dumpable: the sandbox's processes cannot ptrace us. */
	prctl(PR_SET_DUMPABLE, 0);
	a.listen_fd = ENV_LISTEN_FD;
	if (fcntl(a.listen_fd, F_SETFD, FD_CLOEXEC) < 0 ||
	    fcntl(a.listen_fd, F_SETFL, O_NONBLOCK) < 0) {
		fprintf(stderr, "wsp-local-agent: no listening socket on "
				"descriptor %d\n", ENV_LISTEN_FD);
		return 1;
	}
	/* The executable's descriptor and anything else inherited. */
	close(3);
	syscall(SYS_close_range, (unsigned)ENV_LISTEN_FD + 1, ~0u, 0u);
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	a.sig_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (a.sig_fd < 0) {
		perror("wsp-local-agent: signalfd");
		return 1;
	}
	return loop(&a);
}
