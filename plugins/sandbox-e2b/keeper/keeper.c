/*
 * plugins/sandbox-e2b/keeper/keeper.c - wsp-e2b-keeper: holds one E2B
 * sandbox's background processes between wsp calls (keeper.h says the
 * contract; kprocs.c does the processes).
 *
 *   wsp-e2b-keeper DIR
 *     descriptor 3: where it reports "ok" or "error CODE TEXT";
 *     descriptor 4: the spec (JSON: envd's URL, the sandbox, its access
 *     token, the user, the request timeout), read to its end
 *
 * It forks once and its first process exits, so the starter reaps it at
 * once and the keeper is nobody's child; it takes DIR/keeper.lock (a
 * keeper that is leaving is waited for), takes over what a dead keeper
 * left (kp_adopt: reconciled with envd's list), listens on
 * DIR/keeper.sock and reports. Its streams run on the core's streaming
 * engine, through the host table libwsp builds for one provider
 * (<wsp/harness.h>): the same HTTP service, masking and engine a wsp
 * call uses. It answers one request per connection, from its own user
 * only, and leaves once it holds no running process (after LINGER_MS,
 * so a spawn that follows an exit finds it) or when told the sandbox
 * ended. Nothing of the spec is written anywhere, and it logs nothing.
 */
#include "kpr.h"

#include <wsp/harness.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* the provider's entry: plugin.c is linked in, for the harness */
const wsp_plugin_desc *wsp_plugin_entry(uint32_t major, uint32_t minor);

#define LINGER_MS 1000
#define SPEC_MAX 65536
#define LOCK_WAIT_MS 10000
/* a client has this long to send its request */
#define REQUEST_WAIT_MS 5000

static int ready_fd = -1;

static void report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void report(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	if (ready_fd < 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > 0 && write(ready_fd, line,
			   (size_t)n < sizeof(line) ? (size_t)n
						    : sizeof(line) - 1) < 0) {
	}
	close(ready_fd);
	ready_fd = -1;
}

static char *read_spec(int fd)
{
	char *buf = malloc(SPEC_MAX + 1);
	size_t len = 0;
	ssize_t n;

	if (!buf)
		return NULL;
	while (len < SPEC_MAX &&
	       ((n = read(fd, buf + len, SPEC_MAX - len)) > 0 ||
		(n < 0 && errno == EINTR)))
		len += n > 0 ? (size_t)n : 0;
	buf[len] = '\0';
	close(fd);
	return buf;
}

static void wipe(char *s)
{
	for (volatile char *p = s; p && *p; p++)
		*p = '\0';
}

/* The connection to envd from the spec into k->e. */
static int take_spec(struct keeper *k, const char *text)
{
	cJSON *j = cJSON_Parse(text);
	const char *sb = e2b_str(j, "sandbox"), *url = e2b_str(j, "url");
	const char *token = e2b_str(j, "token"), *envd = e2b_str(j, "envd");
	const char *user = e2b_str(j, "user");
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "request_timeout_ms");
	int rc = -1;

	if (sb && url && token && strlen(sb) < sizeof(k->e.conn.id) &&
	    strlen(url) < sizeof(k->e.conn.url) &&
	    strlen(token) < sizeof(k->e.conn.token) &&
	    (!user || (k->e.user = strdup(user)))) {
		snprintf(k->e.conn.id, sizeof(k->e.conn.id), "%s", sb);
		snprintf(k->e.conn.url, sizeof(k->e.conn.url), "%s", url);
		snprintf(k->e.conn.token, sizeof(k->e.conn.token), "%s", token);
		snprintf(k->e.conn.envd, sizeof(k->e.conn.envd), "%s",
			 envd ? envd : "");
		k->e.request_timeout_ms =
			cJSON_IsNumber(t) && t->valuedouble >= 1000 &&
					t->valuedouble <= 3600000
				? (int64_t)t->valuedouble
				: 60000;
		rc = 0;
	}
	/* the token's copy in the parsed tree goes with it */
	if (token)
		wipe((char *)token);
	cJSON_Delete(j);
	return rc;
}

/* DIR/keeper.lock, waiting for a keeper that is leaving. */
static int take_lock(int dirfd)
{
	int fd = openat(dirfd, KEEPER_LOCK,
			O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);

	for (int waited = 0; fd >= 0; waited += 20) {
		if (!flock(fd, LOCK_EX | LOCK_NB))
			return fd;
		if (errno != EWOULDBLOCK || waited >= LOCK_WAIT_MS)
			break;
		usleep(20000);
	}
	if (fd >= 0)
		close(fd);
	return -1;
}

static int listen_at(int dirfd)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	mode_t old;

	if (fd < 0)
		return -1;
	unlinkat(dirfd, KEEPER_SOCK, 0); /* a dead keeper's */
	snprintf(a.sun_path, sizeof(a.sun_path), "/proc/self/fd/%d/%s", dirfd,
		 KEEPER_SOCK);
	old = umask(077);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 16)) {
		umask(old);
		close(fd);
		return -1;
	}
	umask(old);
	return fd;
}

static cJSON *error_answer(const wsp_error *err)
{
	cJSON *a = cJSON_CreateObject();

	cJSON_AddNumberToObject(a, "code", err->code ? err->code : WSP_ERROR);
	cJSON_AddStringToObject(a, "message", err->message);
	return a;
}

/* One request; *leave when the keeper must go after answering. */
static cJSON *answer(struct keeper *k, const cJSON *req, int *leave)
{
	const char *op = e2b_str(req, "op"), *id = e2b_str(req, "id");
	cJSON *a = NULL;
	wsp_error err = {0};

	if (op && !strcmp(op, "spawn")) {
		char pid_id[WSP_PROC_ID_MAX];
		uint32_t pid = 0;

		if (kp_spawn(k, req, pid_id, &pid, &err))
			return error_answer(&err);
		a = cJSON_CreateObject();
		cJSON_AddStringToObject(a, "id", pid_id);
		cJSON_AddNumberToObject(a, "pid", pid);
		return a;
	}
	if (op && !strcmp(op, "reattach")) {
		kp_retry(k, 1);
	} else if (op && !strcmp(op, "stdin-closed") && id) {
		kp_stdin_closed(k, id);
	} else if (op && !strcmp(op, "forget") && id) {
		kp_forget(k, id);
	} else if (op && !strcmp(op, "end")) {
		kp_end_all(k, e2b_str(req, "why"));
		*leave = 1;
	} else {
		wsp_error_set(&err, WSP_EINVAL, "the keeper has no such request");
		return error_answer(&err);
	}
	return cJSON_CreateObject();
}

/* Accept one client of ours and answer its request. */
static void serve(struct keeper *k, int lfd, int *leave)
{
	struct ucred who;
	socklen_t len = sizeof(who);
	cJSON *req = NULL, *a;
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &who, &len) ||
	    who.uid != geteuid() ||
	    e2b_msg_recv(&req, fd, REQUEST_WAIT_MS)) {
		close(fd);
		return;
	}
	a = answer(k, req, leave);
	if (a)
		e2b_msg_send(fd, a);
	cJSON_Delete(a);
	cJSON_Delete(req);
	close(fd);
}

static void run(struct keeper *k, int lfd)
{
	int64_t idle_since = kp_mono_ms();
	int leave = 0;

	while (!leave) {
		struct pollfd p[2] = {{lfd, POLLIN, 0}, {k->efd, POLLIN, 0}};
		int64_t now = kp_mono_ms();
		int wait = kp_next_ms(k);
		uint64_t v;

		if (kp_sweep(k)) {
			idle_since = now;
		} else if (now - idle_since >= LINGER_MS) {
			break;
		} else if (wait < 0 || wait > LINGER_MS - (now - idle_since)) {
			wait = (int)(LINGER_MS - (now - idle_since));
		}
		if (poll(p, 2, wait) < 0 && errno != EINTR)
			break;
		if ((p[1].revents & POLLIN) && read(k->efd, &v, sizeof(v)) < 0) {
		}
		if (p[0].revents & POLLIN)
			serve(k, lfd, &leave);
		kp_retry(k, 0);
	}
}

/* The host table: libwsp's own services for the E2B provider. */
static int open_host(wsp_host_harness **h, const char *dir)
{
	wsp_host_harness_args a = {
		.struct_size = sizeof(a),
		.desc = wsp_plugin_entry(WSP_PLUGIN_ABI_MAJOR,
					 WSP_PLUGIN_ABI_MINOR),
		.state_dir = dir,
		.instance_id = "keeper",
	};
	wsp_error err = {0};

	return wsp_host_harness_open(h, &a, &err);
}

static int keep(const char *dir)
{
	static struct keeper k;
	wsp_host_harness *h = NULL;
	struct stat st;
	char *spec = read_spec(KEEPER_SPEC_FD);
	int dirfd, lockfd = -1, lfd = -1, rc = 1;

	k.procsfd = k.efd = -1;
	pthread_mutex_init(&k.lock, NULL);
	pthread_mutex_init(&k.e.lock, NULL);
	k.e.state_dir = (char *)"";
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (!spec || take_spec(&k, spec)) {
		report("error %d no usable spec\n", WSP_EINVAL);
	} else if (dirfd < 0 || fstat(dirfd, &st) || st.st_uid != geteuid() ||
		   (st.st_mode & 077)) {
		report("error %d '%s' is not a private directory of ours\n",
		       WSP_EPERM, dir);
	} else if ((lockfd = take_lock(dirfd)) < 0) {
		report("error %d another keeper holds '%s'\n", WSP_EBUSY, dir);
	} else if ((mkdirat(dirfd, KEEPER_PROCS, 0700) && errno != EEXIST) ||
		   (k.procsfd = proc_openat(dirfd, KEEPER_PROCS,
					    O_RDONLY | O_DIRECTORY,
					    S_IFDIR)) < 0 ||
		   (k.efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0) {
		report("error %d cannot open '%s/" KEEPER_PROCS "'\n", WSP_EIO,
		       dir);
	} else if (open_host(&h, dir)) {
		report("error %d no host services\n", WSP_ENOTSUP);
	} else if ((lfd = listen_at(dirfd)) < 0) {
		report("error %d cannot listen in '%s': %s\n", WSP_EIO, dir,
		       strerror(errno));
	} else {
		k.e.host = h->host;
		kp_adopt(&k);
		report("ok\n");
		run(&k, lfd);
		kp_release_all(&k); /* nothing runs, unless poll failed */
		rc = 0;
	}
	if (spec)
		wipe(spec);
	free(spec);
	if (lfd >= 0) {
		/* gone from the directory before the lock is let go */
		unlinkat(dirfd, KEEPER_SOCK, 0);
		close(lfd);
	}
	if (h)
		h->close(h);
	wipe(k.e.conn.token);
	free(k.e.user);
	if (k.efd >= 0)
		close(k.efd);
	if (k.procsfd >= 0)
		close(k.procsfd);
	if (lockfd >= 0)
		close(lockfd);
	if (dirfd >= 0)
		close(dirfd);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR (started by wsp)\n", argv[0]);
		return 2;
	}
	/* keep nothing of the starter's but the two pipes */
	close_range(KEEPER_SPEC_FD + 1, ~0u, 0);
	ready_fd = fcntl(KEEPER_READY_FD, F_GETFD) < 0 ? -1 : KEEPER_READY_FD;
	if (ready_fd >= 0)
		fcntl(ready_fd, F_SETFD, FD_CLOEXEC);
	if (fcntl(KEEPER_SPEC_FD, F_SETFD, FD_CLOEXEC) < 0) {
		report("error %d no spec on descriptor %d\n", WSP_EINVAL,
		       KEEPER_SPEC_FD);
		return 2;
	}
	/* not the starter's child: it reaps this first process at once */
	if (proc_writer_detach()) {
		report("error %d cannot fork\n", WSP_EIO);
		return 1;
	}
	return keep(argv[1]);
}
