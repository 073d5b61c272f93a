/*
 * plugins/sandbox-local/agent/forward.c - previews of a sandbox without
 * network: the holder listens on an ephemeral port of 127.0.0.1 on the
 * host for each port asked for, and for every connection there asks the
 * agent for a connection to that port inside (CONNECT: the agent makes it
 * in the sandbox's network namespace and hands the socket over), then
 * copies bytes both ways. Each direction has one bounded buffer and is
 * read only when its buffer is empty, so a slow side slows the other
 * instead of growing memory; a side's end of stream is passed on as a
 * shutdown once its buffer has drained. libc only.
 */
#include "forward.h"
#include "env_proto.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define FWD_BUF		  (64 * 1024)
#define FWD_CONNECT_S	  5 /* a frozen (paused) agent does not stall us */
#define FWD_MAX_PORTS	  64
#define FWD_MAX_PAIRS	  1024

struct half {
	char *buf;
	size_t len, off;
	int eof;	/* the reading side ended */
	int shut;	/* passed on to the writing side */
};

struct pair {
	int fd[2];	  /* 0: the host's client, 1: inside */
	struct half h[2]; /* h[i]: read from fd[i], written to fd[1 - i] */
};

struct listener {
	int fd;
	uint32_t inner, outer;
};

struct fwd {
	int dirfd;
	struct listener ports[FWD_MAX_PORTS];
	size_t nports;
	struct pair *pairs[FWD_MAX_PAIRS];
	size_t npairs;
};

struct fwd *fwd_new(int dirfd)
{
	struct fwd *f = calloc(1, sizeof(*f));

	if (f)
		f->dirfd = dirfd;
	return f;
}

static int nonblock(int fd)
{
	return fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

int fwd_port(struct fwd *f, uint32_t inner, uint32_t *outer)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	size_t i;
	int fd;

	for (i = 0; i < f->nports; i++)
		if (f->ports[i].inner == inner) {
			*outer = f->ports[i].outer;
			return 0;
		}
	if (f->nports == FWD_MAX_PORTS)
		return -ENOSPC;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 128) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	f->ports[f->nports++] = (struct listener){ fd, inner,
						   ntohs(sa.sin_port) };
	*outer = ntohs(sa.sin_port);
	return 0;
}

/* A socket connected to inner inside the sandbox, from the agent. */
static int inside(struct fwd *f, uint32_t inner)
{
	struct timeval tv = { FWD_CONNECT_S, 0 };
	struct env_frame fr;
	unsigned char port[4];
	int sock = env_connect_at(f->dirfd), fd = -1;

	if (sock < 0)
		return -1;
	setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	env_put32(port, inner);
	if (env_send(sock, ENV_CONNECT, port, sizeof(port), NULL, 0) == 0 &&
	    env_recv(sock, &fr) == 0) {
		if (fr.type == ENV_FD && fr.nfds == 1) {
			fd = fr.fds[0];
			fr.fds[0] = -1;
			fr.nfds = 0;
		}
		env_frame_free(&fr);
	}
	close(sock);
	return fd;
}

static void accept_on(struct fwd *f, const struct listener *l)
{
	struct pair *p;
	int c, in, i;

	while ((c = accept4(l->fd, NULL, NULL,
			    SOCK_CLOEXEC | SOCK_NONBLOCK)) >= 0) {
		p = f->npairs < FWD_MAX_PAIRS ? calloc(1, sizeof(*p)) : NULL;
		in = p ? inside(f, l->inner) : -1;
		if (in < 0 || nonblock(in) < 0) {
			/* Nothing listens inside: the client sees it closed. */
			if (in >= 0)
				close(in);
			free(p);
			close(c);
			continue;
		}
		p->fd[0] = c;
		p->fd[1] = in;
		for (i = 0; i < 2; i++) {
			p->h[i].buf = malloc(FWD_BUF);
			if (!p->h[i].buf)
				p->h[i].eof = p->h[i].shut = 1;
		}
		f->pairs[f->npairs++] = p;
	}
}

size_t fwd_pollfds(const struct fwd *f, struct pollfd *out, size_t cap)
{
	size_t n = 0, i;
	int k;

	for (i = 0; i < f->nports && n < cap; i++)
		out[n++] = (struct pollfd){ f->ports[i].fd, POLLIN, 0 };
	for (i = 0; i < f->npairs && n + 2 <= cap; i++) {
		const struct pair *p = f->pairs[i];

		for (k = 0; k < 2; k++) {
			short ev = 0;

			if (!p->h[k].eof && !p->h[k].len)
				ev |= POLLIN;
			if (p->h[1 - k].len)
				ev |= POLLOUT;
			out[n++] = (struct pollfd){ p->fd[k], ev, 0 };
		}
	}
	return n;
}

/* Move what can move in one direction; -1 when the pair is broken. */
static int pump(struct pair *p, int k)
{
	struct half *h = &p->h[k];
	ssize_t n;

	if (!h->eof && !h->len) {
		n = read(p->fd[k], h->buf, FWD_BUF);
		if (n > 0) {
			h->len = (size_t)n;
			h->off = 0;
		} else if (n == 0) {
			h->eof = 1;
		} else if (errno != EAGAIN && errno != EINTR) {
			return -1;
		}
	}
	while (h->len) {
		n = send(p->fd[1 - k], h->buf + h->off, h->len, MSG_NOSIGNAL);
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		h->off += (size_t)n;
		h->len -= (size_t)n;
	}
	if (h->eof && !h->shut) {
		shutdown(p->fd[1 - k], SHUT_WR);
		h->shut = 1;
	}
	return 0;
}

static void drop_pair(struct fwd *f, size_t i)
{
	struct pair *p = f->pairs[i];

	close(p->fd[0]);
	close(p->fd[1]);
	free(p->h[0].buf);
	free(p->h[1].buf);
	free(p);
	f->pairs[i] = f->pairs[--f->npairs];
}

void fwd_handle(struct fwd *f, const struct pollfd *fds, size_t n)
{
	size_t nports = f->nports, i, at;
	int broken;

	/* The layout fwd_pollfds wrote: listeners, then two per pair. */
	for (i = 0; i < nports && i < n; i++)
		if (fds[i].revents)
			accept_on(f, &f->ports[i]);
	for (i = f->npairs, at = nports + 2 * (i - 1); i-- > 0; at -= 2) {
		struct pair *p = f->pairs[i];

		if (at + 1 >= n)
			continue; /* a pair accepted in this round */
		if (!fds[at].revents && !fds[at + 1].revents)
			continue;
		broken = pump(p, 0) < 0 || pump(p, 1) < 0;
		if (broken || (p->h[0].shut && p->h[1].shut && !p->h[0].len &&
			       !p->h[1].len))
			drop_pair(f, i);
	}
}
