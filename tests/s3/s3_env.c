/*
 * tests/s3/s3_env.c - see s3_env.h.
 */
#include "s3_env.h"

#include "http.h"
#include "sigv4.h"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* --- the server --- */

static int free_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && !bind(fd, (struct sockaddr *)&a, sizeof(a)) &&
	    !getsockname(fd, (struct sockaddr *)&a, &al))
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

static bool port_open(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	bool ok;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)port);
	ok = fd >= 0 && !connect(fd, (struct sockaddr *)&a, sizeof(a));
	if (fd >= 0)
		close(fd);
	return ok;
}

int s3_server_start(struct s3_server *srv, const char *kind)
{
	bool fauxqs = !strcmp(kind, "fauxqs");
	const char *node =
		!strcmp(kind, "plain") ? WSP_TEST_NODE : WSP_TEST_NODE24;
	char script[512];

	memset(srv, 0, sizeof(*srv));
	snprintf(script, sizeof(script), "%s/%s", WSP_TEST_S3_DIR,
		 fauxqs ? "start-fauxqs.mjs" : "start-s3rver.js");
	if (access(fauxqs ? WSP_TEST_S3_DIR "/node_modules/fauxqs"
			  : WSP_TEST_S3_DIR "/node_modules/s3rver",
		   F_OK) ||
	    access(node, X_OK)) {
		fprintf(stderr,
			"the S3 test servers are not installed: run "
			"'npm ci' in %s\n",
			WSP_TEST_S3_DIR);
		return -1;
	}
	snprintf(srv->dir, sizeof(srv->dir), "%s/wsp-s3-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(srv->dir))
		return -1;
	srv->port = free_port();
	if (srv->port < 0)
		return -1;
	snprintf(srv->endpoint, sizeof(srv->endpoint), "http://127.0.0.1:%d",
		 srv->port);
	srv->pid = fork();
	if (srv->pid < 0)
		return -1;
	if (srv->pid == 0) {
		char port[16];
		int null = open("/dev/null", O_WRONLY);

		/* the server must not outlive a test that crashed */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		snprintf(port, sizeof(port), "%d", srv->port);
		if (null >= 0 && !getenv("WSP_TEST_VERBOSE"))
			dup2(null, STDOUT_FILENO);
		setenv("NODE_OPTIONS", "--openssl-legacy-provider", 1);
		setenv("WSP_S3_BUCKET", TEST_BUCKET, 1);
		execl(node, node, script, kind, srv->dir, port, (char *)NULL);
		_exit(127);
	}
	/* 30 s: node starts slowly on a loaded machine */
	for (int i = 0; i < 1200; i++) {
		int status;

		if (port_open(srv->port))
			return 0;
		if (waitpid(srv->pid, &status, WNOHANG) == srv->pid) {
			srv->pid = 0;
			return -1;
		}
		usleep(25 * 1000);
	}
	s3_server_stop(srv);
	return -1;
}

static void remove_tree(const char *dir)
{
	char cmd[600];

	/* test data under a mkdtemp name only */
	if (strstr(dir, "/wsp-s3-")) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd))
			fprintf(stderr, "could not remove %s\n", dir);
	}
}

void s3_server_stop(struct s3_server *srv)
{
	if (srv->pid > 0) {
		int status;

		kill(srv->pid, SIGTERM);
		for (int i = 0; i < 100; i++) {
			if (waitpid(srv->pid, &status, WNOHANG) == srv->pid)
				break;
			usleep(20 * 1000);
			if (i == 99) {
				kill(srv->pid, SIGKILL);
				waitpid(srv->pid, &status, 0);
			}
		}
		srv->pid = 0;
	}
	if (srv->dir[0])
		remove_tree(srv->dir);
	srv->dir[0] = '\0';
}

/* --- the host --- */

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char *log_buf;
static size_t log_len;

static void host_log(const wsp_host *h, int level, const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	int n;

	(void)h;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	if (getenv("WSP_TEST_VERBOSE"))
		fprintf(stderr, "[%d] %s\n", level, line);
	pthread_mutex_lock(&log_lock);
	char *nb = realloc(log_buf, log_len + (size_t)n + 2);

	if (nb) {
		log_buf = nb;
		memcpy(log_buf + log_len, line, (size_t)n);
		log_len += (size_t)n;
		log_buf[log_len++] = '\n';
		log_buf[log_len] = '\0';
	}
	pthread_mutex_unlock(&log_lock);
}

char *s3_test_log(void)
{
	char *c;

	pthread_mutex_lock(&log_lock);
	c = strdup(log_buf ? log_buf : "");
	pthread_mutex_unlock(&log_lock);
	return c;
}

void s3_test_log_clear(void)
{
	pthread_mutex_lock(&log_lock);
	log_len = 0;
	if (log_buf)
		log_buf[0] = '\0';
	pthread_mutex_unlock(&log_lock);
}

static int opt_string(const char **out, const wsp_host *h, const wsp_config *c,
		      const char *name, wsp_error *err)
{
	const char *v = NULL;

	(void)h;
	(void)err;
	if (!strcmp(name, "bucket"))
		v = c->bucket;
	else if (!strcmp(name, "region"))
		v = c->region;
	else if (!strcmp(name, "endpoint"))
		v = c->endpoint;
	else if (!strcmp(name, "prefix"))
		v = c->prefix;
	else if (!strcmp(name, "access_key_id"))
		v = c->access_key_id;
	else if (!strcmp(name, "secret_access_key"))
		v = c->secret_access_key;
	else if (!strcmp(name, "session_token"))
		v = c->session_token;
	else if (!strcmp(name, "profile"))
		v = c->profile;
	else
		return WSP_EINVAL;
	*out = v;
	return v ? 0 : WSP_ENOTFOUND;
}

static int opt_bool(int *out, const wsp_host *h, const wsp_config *c,
		    const char *name, wsp_error *err)
{
	(void)h;
	(void)err;
	if (!strcmp(name, "anonymous"))
		*out = c->anonymous;
	else if (!strcmp(name, "read_only"))
		*out = c->read_only;
	else if (!strcmp(name, "force_path_style")) {
		if (c->force_path_style < 0)
			return WSP_ENOTFOUND;
		*out = c->force_path_style;
	} else
		return WSP_EINVAL;
	return 0;
}

static int opt_size(uint64_t *out, const wsp_host *h, const wsp_config *c,
		    const char *name, wsp_error *err)
{
	(void)h;
	(void)err;
	if (!strcmp(name, "multipart_threshold"))
		*out = c->multipart_threshold ? c->multipart_threshold
					      : 8 << 20;
	else if (!strcmp(name, "part_size"))
		*out = c->part_size ? c->part_size : 8 << 20;
	else if (!strcmp(name, "multipart_copy_threshold"))
		*out = c->multipart_copy_threshold ? c->multipart_copy_threshold
						   : 5ull << 30;
	else
		return WSP_EINVAL;
	return 0;
}

static int opt_int(int64_t *out, const wsp_host *h, const wsp_config *c,
		   const char *name, wsp_error *err)
{
	(void)h;
	(void)err;
	if (strcmp(name, "parallelism"))
		return WSP_EINVAL;
	*out = c->parallelism ? c->parallelism : 4;
	return 0;
}

static int cancel_requested(const wsp_host *h, const wsp_cancel *c)
{
	(void)h;
	return c ? *(const volatile int *)(const void *)c : 0;
}

static int cancel_fd(const wsp_host *h, const wsp_cancel *c)
{
	(void)h;
	(void)c;
	return -1;
}

/* The call context as the core answers it: token first, then deadline. */
static int64_t fake_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int fake_call_expired(const wsp_host *host, const wsp_call *call)
{
	if (!call)
		return 0;
	if (cancel_requested(host, call->cancel))
		return WSP_ECANCELED;
	if (call->deadline_ms && fake_now_ms() >= call->deadline_ms)
		return WSP_ETIMEDOUT;
	return 0;
}

static int64_t fake_call_remaining_ms(const wsp_host *host,
				      const wsp_call *call)
{
	int64_t left;

	if (!call ||
	    (!call->deadline_ms && !cancel_requested(host, call->cancel)))
		return -1;
	if (cancel_requested(host, call->cancel))
		return 0;
	left = call->deadline_ms - fake_now_ms();
	return left > 0 ? left : 0;
}

static int fake_call_fd(const wsp_host *host, const wsp_call *call)
{
	(void)host, (void)call;
	return -1;
}

static const wsp_host host = {
	.struct_size = sizeof(wsp_host),
	.abi_major = WSP_PLUGIN_ABI_MAJOR,
	.abi_minor = WSP_PLUGIN_ABI_MINOR,
	.log = host_log,
	.opt_string = opt_string,
	.opt_int = opt_int,
	.opt_bool = opt_bool,
	.opt_size = opt_size,
	.cancel_requested = cancel_requested,
	.cancel_fd = cancel_fd,
	.call_expired = fake_call_expired,
	.call_remaining_ms = fake_call_remaining_ms,
	.call_fd = fake_call_fd,
	.http_request = wsp__http_request,
	.http_response_release = wsp__http_response_release,
	.sign_aws_v4 = wsp__sigv4_host_sign,
};

const wsp_host *s3_test_host(void)
{
	return &host;
}

struct wsp_config s3_config(const struct s3_server *srv)
{
	struct wsp_config c = {
		.bucket = TEST_BUCKET,
		.region = "us-east-1",
		.endpoint = srv->endpoint,
		.access_key_id = "S3RVER",
		.secret_access_key = "S3RVER",
		.force_path_style = -1,
	};

	return c;
}

int s3_suite_open(struct s3_server *srv, const char *kind, struct s3fs *fs,
		  void (*tweak)(struct wsp_config *cfg))
{
	struct wsp_config cfg;
	wsp_error err = {0};

	if (s3_server_start(srv, kind))
		return -1;
	cfg = s3_config(srv);
	if (tweak)
		tweak(&cfg);
	if (s3fs_open(fs, &cfg, &err)) {
		fprintf(stderr, "open: %s\n", err.message);
		s3_server_stop(srv);
		return -1;
	}
	return 0;
}

void s3_suite_close(struct s3_server *srv, struct s3fs *fs)
{
	s3fs_close(fs);
	s3_server_stop(srv);
}

int s3fs_open(struct s3fs *out, const struct wsp_config *cfg, wsp_error *err)
{
	wsp_plugin_entry_fn entry;
	wsp_instance_args args = {.struct_size = sizeof(args)};

	memset(out, 0, sizeof(*out));
	out->dl = dlopen(WSP_FS_S3_SO, RTLD_NOW | RTLD_LOCAL);
	if (!out->dl)
		return wsp_error_set(err, WSP_ENOTPLUGIN, "dlopen: %s",
				     dlerror());
	*(void **)&entry = dlsym(out->dl, WSP_PLUGIN_ENTRY_SYMBOL);
	if (!entry)
		return wsp_error_set(err, WSP_ENOTPLUGIN, "no entry");
	out->desc = entry(WSP_PLUGIN_ABI_MAJOR, WSP_PLUGIN_ABI_MINOR);
	out->fs = out->desc->fs;
	args.instance_id = "/bucket";
	args.options = cfg;
	return out->desc->init(&out->self, &host, &args, err);
}

void s3fs_close(struct s3fs *f)
{
	if (f->self)
		f->desc->fini(f->self);
	f->self = NULL;
	/* the .so stays loaded: the plugin's threads are joined by now */
}

struct membuf {
	const char *data;
	size_t len, pos;
	char *out;
	size_t out_len, out_cap;
};

static int mem_source(void *buf, size_t cap, size_t *n, void *p)
{
	struct membuf *m = p;
	size_t left = m->len - m->pos;

	*n = left < cap ? left : cap;
	memcpy(buf, m->data + m->pos, *n);
	m->pos += *n;
	return 0;
}

static int mem_sink(const void *data, size_t len, void *p)
{
	struct membuf *m = p;

	if (m->out_len + len + 1 > m->out_cap) {
		size_t nc = m->out_cap ? m->out_cap : 4096;

		while (nc < m->out_len + len + 1)
			nc *= 2;
		char *n = realloc(m->out, nc);

		if (!n)
			return WSP_ENOMEM;
		m->out = n;
		m->out_cap = nc;
	}
	memcpy(m->out + m->out_len, data, len);
	m->out_len += len;
	m->out[m->out_len] = '\0';
	return 0;
}

int s3fs_put(struct s3fs *f, const char *path, const void *data, size_t len,
	     const wsp_fs_write_opts *opts, wsp_fs_stat *out, wsp_error *err)
{
	struct membuf m = {.data = data, .len = len};
	wsp_fs_write_opts o = WSP_FS_WRITE_OPTS_INIT;

	if (!opts)
		opts = &o;
	return f->fs->write(out, f->self, &s3_call, path, opts, mem_source, &m,
			    err);
}

const wsp_call s3_call = {sizeof(wsp_call), 0, NULL, 0};

int s3fs_get(struct s3fs *f, const char *path, uint64_t off, uint64_t len,
	     char **out, size_t *out_len, wsp_error *err)
{
	struct membuf m = {0};
	wsp_fs_read_opts o = WSP_FS_READ_OPTS_INIT;
	int rc;

	o.offset = off;
	o.length = len;
	rc = f->fs->read(f->self, &s3_call, path, &o, mem_sink, &m, err);
	if (rc) {
		free(m.out);
		return rc;
	}
	if (!m.out)
		m.out = calloc(1, 1);
	*out = m.out;
	*out_len = m.out_len;
	return 0;
}

char *test_bytes(size_t n, unsigned seed)
{
	char *b = malloc(n ? n : 1);
	uint64_t x = seed * 2654435761u + 1;

	for (size_t i = 0; b && i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		b[i] = (char)(x >> 24);
	}
	return b;
}

int aws_cli(const struct s3_server *srv, const char *fmt, ...)
{
	char args[2048], cmd[4096], conf[300], cred[300];
	va_list ap;
	FILE *f;
	int rc;

	snprintf(conf, sizeof(conf), "%s.aws-config", srv->dir);
	snprintf(cred, sizeof(cred), "%s.aws-credentials", srv->dir);
	f = fopen(conf, "w");
	if (!f)
		return -1;
	fprintf(f, "[default]\nregion = us-east-1\ns3 =\n"
		   "    addressing_style = path\n");
	fclose(f);
	f = fopen(cred, "w");
	if (!f)
		return -1;
	fprintf(f, "[default]\naws_access_key_id = S3RVER\n"
		   "aws_secret_access_key = S3RVER\n");
	fclose(f);
	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd),
		 "env -u AWS_PROFILE -u AWS_ACCESS_KEY_ID "
		 "-u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN "
		 "AWS_CONFIG_FILE='%s' AWS_SHARED_CREDENTIALS_FILE='%s' "
		 "AWS_EC2_METADATA_DISABLED=true AWS_PAGER= "
		 "%s --endpoint-url %s %s",
		 conf, cred, WSP_TEST_AWS, srv->endpoint, args);
	rc = system(cmd);
	unlink(conf);
	unlink(cred);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

char *test_tmpdir(void)
{
	char *d = NULL;

	if (asprintf(&d, "%s/wsp-s3-XXXXXX",
		     getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp") < 0)
		return NULL;
	if (!mkdtemp(d)) {
		free(d);
		return NULL;
	}
	return d;
}
