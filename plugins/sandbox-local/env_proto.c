/*
 * plugins/sandbox-local/env_proto.c - frames between the host and the
 * environment's agent (env_proto.h): sending and reading them with their
 * descriptors, and the RUN and EXIT payloads. libc only.
 */
#include "env_proto.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* The frames' numbers are little-endian of 4 or 8 bytes: one loop each
 * way serves both widths. */
static void put_le(unsigned char *p, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_le(const unsigned char *p, int bytes)
{
	uint64_t v = 0;

	for (int i = bytes - 1; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

void env_put32(unsigned char *p, uint32_t v)
{
	put_le(p, v, 4);
}

void env_put64(unsigned char *p, uint64_t v)
{
	put_le(p, v, 8);
}

uint32_t env_get32(const unsigned char *p)
{
	return (uint32_t)get_le(p, 4);
}

uint64_t env_get64(const unsigned char *p)
{
	return get_le(p, 8);
}

/* sendmsg of one buffer, descriptors on the first call only. */
static int send_part(int sock, const void *buf, size_t len, const int *fds,
		     int nfds)
{
	union {
		struct cmsghdr h;
		char space[CMSG_SPACE(3 * sizeof(int))];
	} ctl;
	struct iovec iov = { (void *)buf, len };
	struct msghdr msg;
	ssize_t n;

	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (nfds > 0) {
		struct cmsghdr *c;

		memset(&ctl, 0, sizeof(ctl));
		msg.msg_control = ctl.space;
		msg.msg_controllen = CMSG_SPACE((size_t)nfds * sizeof(int));
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN((size_t)nfds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, (size_t)nfds * sizeof(int));
	}
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : (int)n;
}

static int send_all(int sock, const char *buf, size_t len, const int *fds,
		    int nfds)
{
	while (len) {
		size_t part = len > (1u << 20) ? (1u << 20) : len;
		int n = send_part(sock, buf, part, fds, nfds);

		if (n < 0)
			return n;
		buf += n;
		len -= (size_t)n;
		nfds = 0; /* sent with the first byte */
	}
	return 0;
}

int env_send(int sock, uint32_t type, const void *payload, size_t len,
	     const int *fds, int nfds)
{
	unsigned char head[ENV_HEADER_SIZE];
	int rc;

	if (len > ENV_FRAME_MAX || nfds < 0 || nfds > 3)
		return -E2BIG;
	env_put32(head, (uint32_t)len);
	env_put32(head + 4, type);
	rc = send_all(sock, (const char *)head, sizeof(head), fds, nfds);
	if (!rc && len)
		rc = send_all(sock, payload, len, NULL, 0);
	return rc;
}

static void keep_fds(struct env_frame *f, struct msghdr *msg)
{
	struct cmsghdr *c;

	for (c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		size_t n, i;
		int fd;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int),
			       sizeof(int));
			if (f->nfds < 3)
				f->fds[f->nfds++] = fd;
			else
				close(fd); /* more than a frame may carry */
		}
	}
}

/* Read exactly len bytes, collecting descriptors on the way. */
static int recv_all(int sock, char *buf, size_t len, struct env_frame *f)
{
	union {
		struct cmsghdr h;
		char space[CMSG_SPACE(4 * sizeof(int))];
	} ctl;

	while (len) {
		struct iovec iov = { buf, len };
		struct msghdr msg;
		ssize_t n;

		memset(&msg, 0, sizeof(msg));
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = ctl.space;
		msg.msg_controllen = sizeof(ctl.space);
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		keep_fds(f, &msg);
		if (msg.msg_flags & MSG_CTRUNC)
			return -EPROTO;
		if (n == 0)
			return -ECONNRESET;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

void env_frame_free(struct env_frame *f)
{
	int i;

	for (i = 0; i < f->nfds; i++)
		if (f->fds[i] >= 0)
			close(f->fds[i]);
	free(f->data);
	memset(f, 0, sizeof(*f));
	f->fds[0] = f->fds[1] = f->fds[2] = -1;
}

int env_recv(int sock, struct env_frame *f)
{
	unsigned char head[ENV_HEADER_SIZE];
	int rc;

	memset(f, 0, sizeof(*f));
	f->fds[0] = f->fds[1] = f->fds[2] = -1;
	rc = recv_all(sock, (char *)head, sizeof(head), f);
	if (rc < 0)
		goto fail;
	f->len = env_get32(head);
	f->type = env_get32(head + 4);
	if (f->len > ENV_FRAME_MAX || f->type < ENV_RUN ||
	    f->type > ENV_PORT) {
		rc = -EPROTO;
		goto fail;
	}
	f->data = malloc((size_t)f->len + 1);
	if (!f->data) {
		rc = -ENOMEM;
		goto fail;
	}
	rc = recv_all(sock, f->data, f->len, f);
	if (rc < 0)
		goto fail;
	f->data[f->len] = '\0';
	return 0;
fail:
	env_frame_free(f);
	return rc;
}

/* ---- RUN ------------------------------------------------------------- */

#define RUN_FIXED (2u * ENV_LIMITS * 8u + 8u)

static size_t strv_count(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

int env_run_encode(const struct env_run *run, char **out, size_t *out_len)
{
	size_t argc = strv_count(run->argv), envc = strv_count(run->envp);
	size_t len = RUN_FIXED + strlen(run->cwd) + 1, i, n;
	unsigned char *p;
	char *buf;

	for (i = 0; i < argc; i++)
		len += strlen(run->argv[i]) + 1;
	for (i = 0; i < envc; i++)
		len += strlen(run->envp[i]) + 1;
	if (len > ENV_FRAME_MAX || !argc)
		return -E2BIG;
	buf = malloc(len);
	if (!buf)
		return -ENOMEM;
	p = (unsigned char *)buf;
	for (i = 0; i < ENV_LIMITS; i++) {
		env_put64(p + 16 * i, run->soft[i]);
		env_put64(p + 16 * i + 8, run->hard[i]);
	}
	env_put32(p + 16 * ENV_LIMITS, (uint32_t)argc);
	env_put32(p + 16 * ENV_LIMITS + 4, (uint32_t)envc);
	n = RUN_FIXED;
	memcpy(buf + n, run->cwd, strlen(run->cwd) + 1);
	n += strlen(run->cwd) + 1;
	for (i = 0; i < argc; i++) {
		memcpy(buf + n, run->argv[i], strlen(run->argv[i]) + 1);
		n += strlen(run->argv[i]) + 1;
	}
	for (i = 0; i < envc; i++) {
		memcpy(buf + n, run->envp[i], strlen(run->envp[i]) + 1);
		n += strlen(run->envp[i]) + 1;
	}
	*out = buf;
	*out_len = len;
	return 0;
}

void env_run_free(struct env_run *run)
{
	free(run->argv);
	free(run->envp);
	run->argv = run->envp = NULL;
}

/* The next NUL-terminated string at *off, or NULL past the end. */
static char *next_str(char *data, size_t len, size_t *off)
{
	char *s = data + *off, *nul;

	if (*off >= len)
		return NULL;
	nul = memchr(s, '\0', len - *off);
	if (!nul)
		return NULL;
	*off += (size_t)(nul - s) + 1;
	return s;
}

int env_run_decode(struct env_run *run, char *data, size_t len)
{
	const unsigned char *p = (const unsigned char *)data;
	size_t argc, envc, off = RUN_FIXED, i;

	memset(run, 0, sizeof(*run));
	if (len < RUN_FIXED)
		return -EPROTO;
	for (i = 0; i < ENV_LIMITS; i++) {
		run->soft[i] = env_get64(p + 16 * i);
		run->hard[i] = env_get64(p + 16 * i + 8);
		if (run->soft[i] > run->hard[i])
			return -EPROTO;
	}
	argc = env_get32(p + 16 * ENV_LIMITS);
	envc = env_get32(p + 16 * ENV_LIMITS + 4);
	/* Every string takes a byte at least: counts are bounded by len. */
	if (!argc || argc > len || envc > len)
		return -EPROTO;
	run->argv = calloc(argc + 1, sizeof(char *));
	run->envp = calloc(envc + 1, sizeof(char *));
	if (!run->argv || !run->envp) {
		env_run_free(run);
		return -ENOMEM;
	}
	run->cwd = next_str(data, len, &off);
	for (i = 0; run->cwd && i < argc; i++)
		if (!(run->argv[i] = next_str(data, len, &off)))
			break;
	if (run->cwd && i == argc)
		for (i = 0; i < envc; i++)
			if (!(run->envp[i] = next_str(data, len, &off)))
				break;
	if (!run->cwd || run->cwd[0] != '/' || !run->argv[argc - 1] ||
	    (envc && !run->envp[envc - 1]) || off != len || !run->argv[0][0]) {
		env_run_free(run);
		return -EPROTO;
	}
	return 0;
}

/* ---- EXIT ------------------------------------------------------------ */

void env_exit_encode(const struct env_exit *x, unsigned char *out)
{
	env_put32(out, (uint32_t)x->status);
	env_put64(out + 4, x->cpu_ms);
}

int env_exit_decode(struct env_exit *x, const char *data, size_t len)
{
	const unsigned char *p = (const unsigned char *)data;

	if (len != ENV_EXIT_SIZE)
		return -EPROTO;
	x->status = (int32_t)env_get32(p);
	x->cpu_ms = env_get64(p + 4);
	/* A wait status: exited (code << 8) or killed by a signal. */
	if ((x->status & 0x7f) ? ((x->status & ~0xff) != 0 ||
				  (x->status & 0x7f) == 0x7f)
			       : (x->status & ~0xff00) != 0)
		return -EPROTO;
	return 0;
}

/* ---- connecting ------------------------------------------------------ */

int env_connect_at(int dirfd)
{
	return env_connect_name(dirfd, ENV_SOCK_NAME);
}

int env_connect_name(int dirfd, const char *name)
{
	struct sockaddr_un sa;
	int fd, rc;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s",
		 dirfd, name);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	do
		rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	while (rc < 0 && errno == EINTR);
	if (rc < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

int env_listen_at(int dirfd, const char *name)
{
	struct sockaddr_un sa;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s",
		 dirfd, name);
	unlinkat(dirfd, name, 0);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 1024) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}
