/*
 * tests/http/fault_server.c - see fault_server.h.
 *
 * Routes (query parameters in brackets):
 *   /ok                 200 "hello", header X-Attempt: <hit number>
 *   /echo               200 with the request body
 *   /flaky[fail,ra,code] the first `fail` hits answer `code` (503) with
 *                       Retry-After `ra` when given, then 200 "recovered"
 *   /ra-date[fail]      429 with an HTTP-date Retry-After 2 s ahead
 *   /notfound           404 with an S3-style XML error
 *   /forbidden          403 with a JSON error echoing header X-Api-Key
 *   /reset[fail]        the first `fail` hits send 1000 of 100000 bytes
 *                       then reset the connection; later hits send all
 *   /truncated          Content-Length 100, 50 bytes, then close
 *   /stall              Content-Length 1000, 10 bytes, then silence (30 s)
 *   /trickle            Content-Length 1000000, 1000 bytes every 250 ms
 *                       (well above the tests' low-speed limit) for 30 s
 *   /always503          503 every time
 *   /team-data/...      an S3 look-alike for the fs-s3 fault tests
 *                       (fault_s3.c)
 */
#include "fault_server_impl.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "test_wait.h"

#define MAX_CONNS   128
#define MAX_TARGETS 256
#define HEAD_MAX    16384
#define BODY_MAX    (4 << 20) /* chunked bodies; plain ones up to 64 MiB */

struct target_count {
	char target[256];
	int hits;
};

struct fault_server {
	int lfd, port;
	atomic_int stop;
	pthread_t acceptor;
	pthread_mutex_t lock;
	pthread_t conns[MAX_CONNS];
	int n_conns;
	int accepts;
	struct target_count targets[MAX_TARGETS];
	int n_targets;
	char last_head[HEAD_MAX];
	char *last_body;
	size_t last_body_len;
};

struct conn {
	struct fault_server *fs;
	int fd;
};

/* Wait for input up to ms, giving up early when the server stops. */
int fault_wait_readable(struct fault_server *fs, int fd, int ms)
{
	int64_t end = test_now_ms() + ms;

	while (!atomic_load(&fs->stop)) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int64_t left = end - test_now_ms();

		if (left <= 0)
			return 0;
		if (poll(&p, 1, left < 50 ? (int)left : 50) > 0)
			return 1;
	}
	return -1;
}

int fault_sendf(int fd, const char *fmt, ...)
{
	char buf[4096];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return test_http_send_all(fd, buf, (size_t)n);
}

static void reset_close(int fd)
{
	struct linger l = {.l_onoff = 1, .l_linger = 0};

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close(fd);
}

int fault_count_hit(struct fault_server *fs, const char *target)
{
	int n = 0;

	pthread_mutex_lock(&fs->lock);
	for (int i = 0; i < fs->n_targets; i++) {
		if (!strcmp(fs->targets[i].target, target)) {
			n = ++fs->targets[i].hits;
			break;
		}
	}
	if (!n && fs->n_targets < MAX_TARGETS) {
		struct target_count *t = &fs->targets[fs->n_targets++];

		snprintf(t->target, sizeof(t->target), "%s", target);
		n = t->hits = 1;
	}
	pthread_mutex_unlock(&fs->lock);
	return n;
}

/* Read exactly len bytes, using what is already buffered first. */
static int read_exact(struct fault_server *fs, int fd, char *buf, size_t len,
		      char *pending, size_t *n_pending)
{
	size_t got = *n_pending < len ? *n_pending : len;

	memcpy(buf, pending, got);
	memmove(pending, pending + got, *n_pending - got);
	*n_pending -= got;
	while (got < len) {
		if (fault_wait_readable(fs, fd, 5000) <= 0)
			return -1;
		ssize_t n = recv(fd, buf + got, len - got, 0);

		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

static int read_line(struct fault_server *fs, int fd, char *line, size_t cap,
		     char *pending, size_t *n_pending)
{
	size_t pos = 0;

	for (;;) {
		char c;

		if (read_exact(fs, fd, &c, 1, pending, n_pending))
			return -1;
		if (c == '\n')
			break;
		if (pos + 1 < cap && c != '\r')
			line[pos++] = c;
	}
	line[pos] = '\0';
	return 0;
}

/* The request body, plain or chunked. */
static char *read_body(struct fault_server *fs, int fd, const char *head,
		       size_t *out_len, char *pending, size_t *n_pending)
{
	char v[64];
	char *body = malloc(BODY_MAX);
	size_t len = 0;

	if (!body)
		return NULL;
	if (test_http_header(head, "Content-Length", v, sizeof(v)) &&
	    strtoul(v, NULL, 10) > BODY_MAX) {
		char *big = realloc(body, strtoul(v, NULL, 10) + 1);

		if (!big)
			goto fail;
		body = big;
		len = strtoul(v, NULL, 10);
		if (read_exact(fs, fd, body, len, pending, n_pending))
			goto fail;
		*out_len = len;
		return body;
	}
	if (test_http_header(head, "Transfer-Encoding", v, sizeof(v)) &&
	    !strcasecmp(v, "chunked")) {
		for (;;) {
			char line[64];
			size_t n;

			if (read_line(fs, fd, line, sizeof(line), pending,
				      n_pending))
				goto fail;
			n = strtoul(line, NULL, 16);
			if (len + n > BODY_MAX)
				goto fail;
			if (read_exact(fs, fd, body + len, n, pending,
				       n_pending))
				goto fail;
			len += n;
			if (read_line(fs, fd, line, sizeof(line), pending,
				      n_pending))
				goto fail;
			if (!n)
				break;
		}
	} else if (test_http_header(head, "Content-Length", v, sizeof(v))) {
		len = strtoul(v, NULL, 10);
		if (len > BODY_MAX ||
		    read_exact(fs, fd, body, len, pending, n_pending))
			goto fail;
	}
	*out_len = len;
	return body;
fail:
	free(body);
	return NULL;
}

void fault_send_pattern(int fd, size_t from, size_t len)
{
	char buf[4096];

	while (len) {
		size_t n = len < sizeof(buf) ? len : sizeof(buf);

		for (size_t i = 0; i < n; i++)
			buf[i] = (char)('a' + (from + i) % 26);
		if (test_http_send_all(fd, buf, n))
			return;
		from += n;
		len -= n;
	}
}

/* Answer one request; returns 0 to keep the connection, -1 to drop it. */
static int respond(struct fault_server *fs, int fd, const char *head,
		   const char *body, size_t body_len)
{
	char target[256], method[16], v[256];
	int hit;

	if (sscanf(head, "%15s %255s", method, target) != 2)
		return -1;
	hit = fault_count_hit(fs, target);
	if (!strncmp(target, "/team-data", 10))
		return fault_s3(fs, fd, method, target, head, hit);
	if (!strncmp(target, "/ok", 3)) {
		const char *b = strcmp(method, "HEAD") ? "hello" : "";

		fault_sendf(fd,
			    "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
			    "X-Attempt: %d\r\nETag: \"abc\"\r\n\r\n%s",
			    hit, b);
		return 0;
	}
	if (!strncmp(target, "/echo", 5)) {
		fault_sendf(fd,
			    "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n",
			    body_len);
		test_http_send_all(fd, body, body_len);
		return 0;
	}
	if (!strncmp(target, "/flaky", 6)) {
		int fail = (int)test_http_query_long(target, "fail", 1);
		int ra = (int)test_http_query_long(target, "ra", -1);
		int code = (int)test_http_query_long(target, "code", 503);
		const char *err = "<?xml version=\"1.0\"?><Error><Code>SlowDown"
				  "</Code><Message>please slow down</Message>"
				  "</Error>";

		if (hit <= fail) {
			char ra_line[64] = "";

			if (ra >= 0)
				snprintf(ra_line, sizeof(ra_line),
					 "Retry-After: %d\r\n", ra);
			fault_sendf(
				fd,
				"HTTP/1.1 %d Busy\r\n%sContent-Length: %zu\r\n"
				"X-Attempt: %d\r\n\r\n%s",
				code, ra_line, strlen(err), hit, err);
			return 0;
		}
		fault_sendf(fd,
			    "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n"
			    "X-Attempt: %d\r\n\r\nrecovered",
			    hit);
		return 0;
	}
	if (!strncmp(target, "/ra-date", 8)) {
		if (hit <= (int)test_http_query_long(target, "fail", 1)) {
			char date[64];
			time_t t = time(NULL) + 2;
			struct tm tm;

			gmtime_r(&t, &tm);
			strftime(date, sizeof(date),
				 "%a, %d %b %Y %H:%M:%S GMT", &tm);
			fault_sendf(
				fd,
				"HTTP/1.1 429 Too Many\r\nRetry-After: %s\r\n"
				"Content-Length: 0\r\n\r\n",
				date);
			return 0;
		}
		fault_sendf(fd,
			    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
		return 0;
	}
	if (!strncmp(target, "/notfound", 9)) {
		const char *err =
			"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>"
			"<Code>NoSuchKey</Code>\n<Message>The specified key "
			"does not\n exist.</Message></Error>";

		fault_sendf(fd,
			    "HTTP/1.1 404 Not Found\r\nContent-Length: "
			    "%zu\r\n\r\n%s",
			    strlen(err), err);
		return 0;
	}
	if (!strncmp(target, "/forbidden", 10)) {
		char err[512];

		if (!test_http_header(head, "X-Api-Key", v, sizeof(v)))
			strcpy(v, "none");
		snprintf(err, sizeof(err),
			 "{\"error\":{\"message\":\"api key %s is not "
			 "allowed here\",\"code\":403}}",
			 v);
		fault_sendf(fd,
			    "HTTP/1.1 403 Forbidden\r\nContent-Type: "
			    "application/json\r\nContent-Length: %zu\r\n\r\n%s",
			    strlen(err), err);
		return 0;
	}
	if (!strncmp(target, "/reset", 6)) {
		if (hit <= (int)test_http_query_long(target, "fail", 1)) {
			fault_sendf(fd, "HTTP/1.1 200 OK\r\n"
					"Content-Length: 100000\r\n\r\n");
			fault_send_pattern(fd, 0, 1000);
			usleep(50 * 1000);
			return -2; /* reset */
		}
		fault_sendf(
			fd,
			"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n");
		fault_send_pattern(fd, 0, 100000);
		return 0;
	}
	if (!strncmp(target, "/truncated", 10)) {
		fault_sendf(fd,
			    "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n");
		fault_send_pattern(fd, 0, 50);
		return -1;
	}
	if (!strncmp(target, "/stall", 6)) {
		fault_sendf(fd,
			    "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
		fault_send_pattern(fd, 0, 10);
		/*
		 * silence until the client gives up or the server stops; long,
		 * so a test tells the client's timeouts from this end of it
		 */
		while (fault_wait_readable(fs, fd, 30000) > 0) {
			char c;

			if (recv(fd, &c, 1, 0) <= 0)
				break;
		}
		return -1;
	}
	if (!strncmp(target, "/trickle", 8)) {
		size_t sent;

		fault_sendf(fd, "HTTP/1.1 200 OK\r\n"
				"Content-Length: 1000000\r\n\r\n");
		/* until the client goes away, the server stops or 30 s */
		for (sent = 0; sent < 120 * 1000; sent += 1000) {
			fault_send_pattern(fd, sent, 1000);
			if (fault_wait_readable(fs, fd, 250) != 0)
				break;
		}
		return -1;
	}
	if (!strncmp(target, "/detail", 7)) {
		/* error bodies and Retry-After values of real services */
		static const struct {
			int status;
			const char *retry_after; /* "" = none */
			const char *body;
		} kinds[] = {
			{404, "", "{\"code\":\"sandbox.not_found\","
				  "\"message\":\"no sandbox sbx-1\"}"},
			{403, "", "{\"error\":{\"code\":403,\"message\":"
				  "\"denied\",\"status\":"
				  "\"PERMISSION_DENIED\"}}"},
			{400, "", "{\"errorCode\":\"Bad.Request/x:1\","
				  "\"message\":\"bad\"}"},
			/* control characters, an escape sequence, spaces */
			{400, "", "{\"code\":\"Evil\\u001b[31mCode\\u0007 "
				  "x\\n y\"}"},
			{400, "", "<Error><Code>AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
				  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
				  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA</Code>"
				  "</Error>"},
			{400, "", "{\"code\":\"key-sk-live-0123456789\"}"},
			{503, "soon", "{\"error\":{\"code\":\"Busy\"}}"},
			{429, "99999", "{\"code\":\"TooMany\"}"},
			{408, "", ""},
			{502, "-3", "<html>bad gateway</html>"},
		};
		int k = (int)test_http_query_long(target, "k", 0);
		char ra_line[64] = "";

		if (k < 0 || k >= (int)(sizeof(kinds) / sizeof(kinds[0])))
			k = 0;
		if (kinds[k].retry_after[0])
			snprintf(ra_line, sizeof(ra_line),
				 "Retry-After: %s\r\n", kinds[k].retry_after);
		fault_sendf(fd,
			    "HTTP/1.1 %d Failed\r\n%sContent-Length: %zu\r\n"
			    "\r\n%s",
			    kinds[k].status, ra_line, strlen(kinds[k].body),
			    kinds[k].body);
		return 0;
	}
	if (!strncmp(target, "/always503", 10)) {
		fault_sendf(fd,
			    "HTTP/1.1 503 Unavailable\r\nContent-Length: 4\r\n"
			    "\r\nbusy");
		return 0;
	}
	fault_sendf(fd,
		    "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
	return 0;
}

static void *conn_main(void *arg)
{
	struct conn *c = arg;
	struct fault_server *fs = c->fs;
	char *pending = malloc(HEAD_MAX);
	char *head = malloc(HEAD_MAX);
	size_t n_pending = 0;

	while (pending && head && !atomic_load(&fs->stop)) {
		size_t hl = 0;
		char *body;
		size_t body_len = 0;
		char v[64];
		int rc;

		/* read the head line by line until the empty line */
		for (;;) {
			char line[4096];

			if (read_line(fs, c->fd, line, sizeof(line), pending,
				      &n_pending))
				goto out;
			if (!line[0] && hl)
				break;
			if (!line[0])
				continue;
			hl += (size_t)snprintf(head + hl, HEAD_MAX - hl,
					       "%s\r\n", line);
			if (hl >= HEAD_MAX - 1)
				goto out;
		}
		if (test_http_header(head, "Expect", v, sizeof(v)))
			fault_sendf(c->fd, "HTTP/1.1 100 Continue\r\n\r\n");
		body = read_body(fs, c->fd, head, &body_len, pending,
				 &n_pending);
		if (!body)
			goto out;
		pthread_mutex_lock(&fs->lock);
		snprintf(fs->last_head, sizeof(fs->last_head), "%s", head);
		free(fs->last_body);
		fs->last_body = malloc(body_len + 1);
		if (fs->last_body)
			memcpy(fs->last_body, body, body_len);
		fs->last_body_len = fs->last_body ? body_len : 0;
		pthread_mutex_unlock(&fs->lock);
		rc = respond(fs, c->fd, head, body, body_len);
		free(body);
		if (rc == -2) {
			reset_close(c->fd);
			c->fd = -1;
			goto out;
		}
		if (rc)
			goto out;
	}
out:
	if (c->fd >= 0)
		close(c->fd);
	free(pending);
	free(head);
	free(c);
	return NULL;
}

static void *accept_main(void *arg)
{
	struct fault_server *fs = arg;

	while (!atomic_load(&fs->stop)) {
		struct pollfd p = {.fd = fs->lfd, .events = POLLIN};

		if (poll(&p, 1, 50) <= 0)
			continue;
		int fd = accept(fs->lfd, NULL, NULL);

		if (fd < 0)
			continue;
		struct conn *c = malloc(sizeof(*c));

		pthread_mutex_lock(&fs->lock);
		if (!c || fs->n_conns >= MAX_CONNS) {
			pthread_mutex_unlock(&fs->lock);
			free(c);
			close(fd);
			continue;
		}
		c->fs = fs;
		c->fd = fd;
		fs->accepts++;
		if (pthread_create(&fs->conns[fs->n_conns], NULL, conn_main,
				   c)) {
			free(c);
			close(fd);
		} else {
			fs->n_conns++;
		}
		pthread_mutex_unlock(&fs->lock);
	}
	return NULL;
}

struct fault_server *fault_server_start(void)
{
	struct fault_server *fs = calloc(1, sizeof(*fs));
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t al = sizeof(a);

	if (!fs)
		return NULL;
	pthread_mutex_init(&fs->lock, NULL);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fs->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fs->lfd < 0 || bind(fs->lfd, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(fs->lfd, 64) ||
	    getsockname(fs->lfd, (struct sockaddr *)&a, &al) ||
	    pthread_create(&fs->acceptor, NULL, accept_main, fs)) {
		if (fs->lfd >= 0)
			close(fs->lfd);
		free(fs);
		return NULL;
	}
	fs->port = ntohs(a.sin_port);
	return fs;
}

void fault_server_stop(struct fault_server *fs)
{
	if (!fs)
		return;
	atomic_store(&fs->stop, 1);
	pthread_join(fs->acceptor, NULL);
	/* No new connection threads now; join the ones there are. */
	for (int i = 0; i < fs->n_conns; i++)
		pthread_join(fs->conns[i], NULL);
	close(fs->lfd);
	free(fs->last_body);
	pthread_mutex_destroy(&fs->lock);
	free(fs);
}

int fault_server_port(const struct fault_server *fs)
{
	return fs->port;
}

int fault_server_accepts(struct fault_server *fs)
{
	int n;

	pthread_mutex_lock(&fs->lock);
	n = fs->accepts;
	pthread_mutex_unlock(&fs->lock);
	return n;
}

int fault_server_hits(struct fault_server *fs, const char *target)
{
	int n = 0;

	pthread_mutex_lock(&fs->lock);
	for (int i = 0; i < fs->n_targets; i++)
		if (!strcmp(fs->targets[i].target, target))
			n = fs->targets[i].hits;
	pthread_mutex_unlock(&fs->lock);
	return n;
}

size_t fault_server_last(struct fault_server *fs, char *head, size_t head_cap,
			 char *body, size_t body_cap)
{
	size_t n;

	pthread_mutex_lock(&fs->lock);
	snprintf(head, head_cap, "%s", fs->last_head);
	n = fs->last_body_len < body_cap ? fs->last_body_len : body_cap;
	if (fs->last_body)
		memcpy(body, fs->last_body, n);
	pthread_mutex_unlock(&fs->lock);
	return fs->last_body_len;
}
