/*
 * plugins/sandbox-e2b/keeper_client.c - the provider's side of
 * wsp-e2b-keeper (keeper.h): where a sandbox's directory is, starting its
 * keeper when none listens, one request and its answer.
 *
 * The keeper is found beside this module (dladdr), as the local sandbox
 * finds its monitor; a program that links the provider in (the tests)
 * names it in WSP_E2B_KEEPER. It is started with posix_spawn, its two
 * pipes on fixed descriptors; it forks once and its first process exits,
 * so it is nobody's child and outlives this wsp.
 */
#include "keeper.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* how long a starting keeper may take to reconcile and say "ok" */
#define LAUNCH_WAIT_MS 30000

static pthread_once_t keeper_once = PTHREAD_ONCE_INIT;
static char keeper_path[4096];

static void find_keeper(void)
{
	Dl_info info;
	const char *slash, *env;

	if (dladdr((void *)find_keeper, &info) && info.dli_fname &&
	    (slash = strrchr(info.dli_fname, '/'))) {
		snprintf(keeper_path, sizeof(keeper_path), "%.*s/%s",
			 (int)(slash - info.dli_fname), info.dli_fname,
			 KEEPER_NAME);
		if (!access(keeper_path, X_OK))
			return;
	}
	env = getenv(KEEPER_ENV);
	snprintf(keeper_path, sizeof(keeper_path), "%s",
		 env && *env == '/' ? env : "");
}

static int valid_sandbox(const char *id)
{
	size_t n = strlen(id);

	if (!n || n >= E2B_ID_MAX)
		return 0;
	for (; *id; id++)
		if (!((*id >= 'a' && *id <= 'z') || (*id >= '0' && *id <= '9') ||
		      (*id >= 'A' && *id <= 'Z')))
			return 0;
	return 1;
}

int e2b_keeper_dir(char *out, size_t cap, const struct e2b *e,
		   const char *sandbox)
{
	if (!valid_sandbox(sandbox) || !e->state_dir[0])
		return WSP_EINVAL;
	if ((size_t)snprintf(out, cap, "%s/e2b/%s", e->state_dir, sandbox) >=
	    cap)
		return WSP_ETOOBIG;
	return 0;
}

int e2b_proc_sandbox(char *out, const char *proc_id)
{
	const char *start, *dash, *p;
	size_t n;

	if (!proc_id || strncmp(proc_id, KEEPER_ID_PREFIX,
				strlen(KEEPER_ID_PREFIX)))
		return -1;
	start = proc_id + strlen(KEEPER_ID_PREFIX);
	dash = strrchr(start, '-');
	if (!dash || (n = (size_t)(dash - start)) >= E2B_ID_MAX)
		return -1;
	memcpy(out, start, n);
	out[n] = '\0';
	/* after the sandbox: a pid, and ".N" when envd reused it */
	p = dash + 1;
	for (int part = 0; part < 2; part++) {
		if (*p < '0' || *p > '9')
			return -1;
		while (*p >= '0' && *p <= '9')
			p++;
		if (*p != '.')
			break;
		p++;
	}
	if (*p || strlen(proc_id) >= WSP_PROC_ID_MAX)
		return -1;
	return valid_sandbox(out) ? 0 : -1;
}

/* mkdir -p of path, each directory made 0700. */
static int make_dirs(const char *path)
{
	char copy[4096];
	size_t n = strlen(path);

	if (n >= sizeof(copy))
		return -ENAMETOOLONG;
	memcpy(copy, path, n + 1);
	for (char *s = copy + 1;; s++) {
		char c = *s;

		if (c != '/' && c)
			continue;
		*s = '\0';
		if (mkdir(copy, 0700) < 0 && errno != EEXIST)
			return -errno;
		*s = c;
		if (!c)
			return 0;
	}
}

/* The sandbox's directory, only when it is ours and nobody else's. */
static int open_dir(const char *dir, int create, wsp_error *err)
{
	struct stat st;
	int fd, rc;

	if (create && (rc = make_dirs(dir)))
		return wsp_error_set_os(err, WSP_EIO, -rc,
					"cannot make '%s': %s", dir,
					strerror(-rc));
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT
			       ? wsp_error_set(err, WSP_ENOTFOUND,
					       "no process keeper here")
			       : wsp_error_set_os(err, WSP_EIO, errno,
						  "cannot open '%s': %s", dir,
						  strerror(errno));
	if (fstat(fd, &st) < 0 || st.st_uid != geteuid() ||
	    (st.st_mode & 077)) {
		close(fd);
		return wsp_error_set(err, WSP_EPERM,
				     "refusing '%s': not a private directory "
				     "of this user",
				     dir);
	}
	return fd;
}

/* Connect to the keeper's socket in dirfd (any path length, through
 * /proc); the socket or -errno. */
static int dial(int dirfd)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), e;

	if (fd < 0)
		return -errno;
	snprintf(a.sun_path, sizeof(a.sun_path), "/proc/self/fd/%d/%s", dirfd,
		 KEEPER_SOCK);
	if (!connect(fd, (struct sockaddr *)&a, sizeof(a)))
		return fd;
	e = errno;
	close(fd);
	return -e;
}

/* The spec the keeper reads from its pipe: the connection (token!). */
static char *spec_of(const struct e2b *e, const struct e2b_conn *c)
{
	cJSON *j = cJSON_CreateObject();
	char *text;

	cJSON_AddStringToObject(j, "sandbox", c->id);
	cJSON_AddStringToObject(j, "url", c->url);
	cJSON_AddStringToObject(j, "token", c->token);
	cJSON_AddStringToObject(j, "envd", c->envd);
	if (e->user)
		cJSON_AddStringToObject(j, "user", e->user);
	cJSON_AddNumberToObject(j, "request_timeout_ms",
				(double)e->request_timeout_ms);
	text = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	return text;
}

static void wipe_free(char *s)
{
	for (volatile char *p = s; p && *p; p++)
		*p = '\0';
	cJSON_free(s);
}

/* Read the keeper's report ("ok" or "error CODE TEXT") into line. */
static int read_report(char *line, size_t cap, int fd)
{
	size_t n = 0;
	struct timespec t0, now;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (n + 1 < cap) {
		struct pollfd p = {fd, POLLIN, 0};
		ssize_t got;
		long left;

		clock_gettime(CLOCK_MONOTONIC, &now);
		left = LAUNCH_WAIT_MS - (now.tv_sec - t0.tv_sec) * 1000 -
		       (now.tv_nsec - t0.tv_nsec) / 1000000;
		if (left <= 0 || poll(&p, 1, (int)left) == 0)
			return -ETIMEDOUT;
		got = read(fd, line + n, cap - 1 - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		n += (size_t)got;
	}
	line[n] = '\0';
	return 0;
}

/* Move *fd above the fixed descriptors, so the dup2s cannot collide. */
static int above(int *fd)
{
	int moved = fcntl(*fd, F_DUPFD_CLOEXEC, 10);

	if (moved < 0)
		return -1;
	close(*fd);
	*fd = moved;
	return 0;
}

/*
 * The keeper's environment: ours (proxies, CA bundles, as libcurl reads
 * them) without E2B's key, which it has no use for. NULL when out of
 * memory; free the array only.
 */
static char **keeper_env(void)
{
	size_t n = 0, k = 0;
	char **env;

	while (environ[n])
		n++;
	if (!(env = calloc(n + 1, sizeof(*env))))
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "E2B_API_KEY=", 12))
			env[k++] = environ[i];
	return env;
}

static int launch(struct e2b *e, const struct e2b_conn *c, const char *dir,
		  wsp_error *err)
{
	posix_spawn_file_actions_t fa;
	int ready[2] = {-1, -1}, spec[2] = {-1, -1}, rc = 0, status;
	char *argv[3], line[512], *text, **env = NULL;
	pid_t pid;

	pthread_once(&keeper_once, find_keeper);
	if (!keeper_path[0] || access(keeper_path, X_OK))
		return wsp_error_set(err, WSP_ENOTFOUND,
				     "cannot find '" KEEPER_NAME "' beside the "
				     "E2B provider (nor in $" KEEPER_ENV
				     "); reinstall wsp");
	if (!(text = spec_of(e, c)))
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	if (!(env = keeper_env())) {
		wipe_free(text);
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	if (pipe2(ready, O_CLOEXEC) || pipe2(spec, O_CLOEXEC) ||
	    above(&ready[1]) || above(&spec[0])) {
		rc = wsp_error_set_os(err, WSP_EIO, errno,
				      "cannot start the keeper: %s",
				      strerror(errno));
		goto out;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, ready[1], KEEPER_READY_FD);
	posix_spawn_file_actions_adddup2(&fa, spec[0], KEEPER_SPEC_FD);
	argv[0] = keeper_path;
	argv[1] = (char *)dir;
	argv[2] = NULL;
	rc = posix_spawn(&pid, keeper_path, &fa, NULL, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	if (rc) {
		rc = wsp_error_set_os(err, WSP_EIO, rc,
				      "cannot start '%s': %s", keeper_path,
				      strerror(rc));
		goto out;
	}
	close(ready[1]);
	close(spec[0]);
	ready[1] = spec[0] = -1;
	/* a spec is far below a pipe's buffer: this never waits */
	if (write(spec[1], text, strlen(text)) < 0) {
	}
	close(spec[1]);
	spec[1] = -1;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (read_report(line, sizeof(line), ready[0]))
		rc = wsp_error_set(err, WSP_ETIMEDOUT,
				   "the process keeper did not start within "
				   "%d s",
				   LAUNCH_WAIT_MS / 1000);
	else if (strncmp(line, "ok", 2))
		rc = wsp_error_set(err, WSP_EIO,
				   "the process keeper could not start: %.300s",
				   line[0] ? line : "it said nothing");
out:
	for (int i = 0; i < 2; i++) {
		if (ready[i] >= 0)
			close(ready[i]);
		if (spec[i] >= 0)
			close(spec[i]);
	}
	wipe_free(text);
	free(env);
	return rc;
}

/* One request on a connected socket; an error answer into err. */
static int exchange(cJSON **ans, int fd, const cJSON *req, int wait_ms,
		    wsp_error *err)
{
	const cJSON *code, *msg;
	int rc = e2b_msg_send(fd, req);

	if (!rc)
		rc = e2b_msg_recv(ans, fd, wait_ms);
	if (rc == -ECONNRESET || rc == -EPIPE)
		return rc; /* the keeper was leaving: try again */
	if (rc)
		return wsp_error_set(err, rc == -ETIMEDOUT ? WSP_ETIMEDOUT
							   : WSP_EPROTO,
				     "the process keeper %s",
				     rc == -ETIMEDOUT ? "did not answer"
						      : "answered nonsense");
	code = cJSON_GetObjectItemCaseSensitive(*ans, "code");
	if (!cJSON_IsNumber(code))
		return 0;
	msg = cJSON_GetObjectItemCaseSensitive(*ans, "message");
	rc = code->valueint < 0 && code->valueint > -1000 ? code->valueint
							  : WSP_ERROR;
	wsp_error_set(err, rc, "%.400s",
		      cJSON_IsString(msg) ? msg->valuestring : "keeper error");
	cJSON_Delete(*ans);
	*ans = NULL;
	return rc;
}

static int call_keeper(cJSON **ans, struct e2b *e, const struct e2b_conn *c,
		       const char *sandbox, const cJSON *req,
		       const wsp_call *call, wsp_error *err)
{
	char dir[4096];
	int64_t left = e->host->call_remaining_ms(e->host, call);
	int wait_ms = (int)(e->request_timeout_ms + 10000), dirfd, rc = 0;

	*ans = NULL;
	if (left >= 0 && left < wait_ms)
		wait_ms = (int)left;
	if (e2b_keeper_dir(dir, sizeof(dir), e, sandbox))
		return wsp_error_set(err, WSP_EINVAL,
				     "no state directory for the sandbox's "
				     "processes");
	if ((dirfd = open_dir(dir, c != NULL, err)) < 0)
		return dirfd;
	for (int tries = 0; tries < 4; tries++) {
		int fd = dial(dirfd);

		if (fd < 0 && !c) {
			rc = wsp_error_set(err, WSP_ENOTFOUND,
					   "no process keeper runs");
			break;
		}
		if (fd < 0) {
			/* none, or one leaving: start one (it waits for the
			 * leaving one's lock) */
			if ((rc = launch(e, c, dir, err)))
				break;
			continue;
		}
		rc = exchange(ans, fd, req, wait_ms, err);
		close(fd);
		if (rc != -ECONNRESET && rc != -EPIPE)
			break;
		rc = wsp_error_set(err, WSP_EUNAVAIL,
				   "the process keeper went away");
		usleep(20000);
	}
	close(dirfd);
	return rc;
}

int e2b_keeper_call(cJSON **ans, struct e2b *e, const struct e2b_conn *c,
		    const cJSON *req, int launch_one, const wsp_call *call,
		    wsp_error *err)
{
	return call_keeper(ans, e, launch_one ? c : NULL, c->id, req, call,
			   err);
}

int e2b_keeper_tell(cJSON **ans, struct e2b *e, const char *sandbox,
		    const cJSON *req, const wsp_call *call, wsp_error *err)
{
	return call_keeper(ans, e, NULL, sandbox, req, call, err);
}
