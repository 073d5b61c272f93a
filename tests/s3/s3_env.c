/*
 * tests/s3/s3_env.c - see s3_env.h.
 */
#include "s3_env.h"
#include "test_bytes.h"
#include "test_port.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
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
	srv->port = test_free_port();
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

/* --- the instance, on the SDK's fake host --- */

char *s3_test_log(const struct s3fs *f)
{
	size_t n = wsp_fakehost_log_count(f->fh), len = 0;
	char *out = calloc(1, 1);

	for (size_t i = 0; out && i < n; i++) {
		const char *line = wsp_fakehost_log_line(f->fh, i, NULL);
		size_t l = line ? strlen(line) : 0;
		char *g = realloc(out, len + l + 2);

		if (!g) {
			free(out);
			return NULL;
		}
		out = g;
		memcpy(out + len, line ? line : "", l);
		len += l;
		out[len++] = '\n';
		out[len] = '\0';
	}
	return out;
}

void s3_test_log_clear(struct s3fs *f)
{
	wsp_fakehost_log_clear(f->fh);
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

/* One "name: 'value'" line when value is set (test values hold no quote). */
static void put_str(char *yaml, size_t cap, const char *name, const char *v)
{
	size_t len = strlen(yaml);

	if (v)
		snprintf(yaml + len, cap - len, "%s: '%s'\n", name, v);
}

/* cfg as the YAML the core checks (unset members left out). */
static void config_yaml(char *yaml, size_t cap, const struct wsp_config *c)
{
	size_t len;

	yaml[0] = '\0';
	put_str(yaml, cap, "bucket", c->bucket);
	put_str(yaml, cap, "region", c->region);
	put_str(yaml, cap, "endpoint", c->endpoint);
	put_str(yaml, cap, "prefix", c->prefix);
	put_str(yaml, cap, "access_key_id", c->access_key_id);
	put_str(yaml, cap, "secret_access_key", c->secret_access_key);
	put_str(yaml, cap, "session_token", c->session_token);
	put_str(yaml, cap, "profile", c->profile);
	len = strlen(yaml);
	snprintf(yaml + len, cap - len, "anonymous: %s\nread_only: %s\n",
		 c->anonymous ? "true" : "false",
		 c->read_only ? "true" : "false");
	len = strlen(yaml);
	if (c->force_path_style >= 0)
		snprintf(yaml + len, cap - len, "force_path_style: %s\n",
			 c->force_path_style ? "true" : "false");
	len = strlen(yaml);
	if (c->multipart_threshold)
		snprintf(yaml + len, cap - len, "multipart_threshold: %llu\n",
			 (unsigned long long)c->multipart_threshold);
	len = strlen(yaml);
	if (c->part_size)
		snprintf(yaml + len, cap - len, "part_size: %llu\n",
			 (unsigned long long)c->part_size);
	len = strlen(yaml);
	if (c->multipart_copy_threshold)
		snprintf(yaml + len, cap - len,
			 "multipart_copy_threshold: %llu\n",
			 (unsigned long long)c->multipart_copy_threshold);
	len = strlen(yaml);
	if (c->parallelism)
		snprintf(yaml + len, cap - len, "parallelism: %lld\n",
			 (long long)c->parallelism);
}

int s3fs_open(struct s3fs *out, const struct wsp_config *cfg, wsp_error *err)
{
	const wsp_instance_args *checked;
	wsp_instance_args args;
	char yaml[4096];
	int rc;

	memset(out, 0, sizeof(*out));
	rc = wsp_fakehost_load(&out->fh, WSP_FS_S3_SO, err);
	if (rc)
		return rc;
	out->desc = wsp_fakehost_desc(out->fh);
	out->fs = out->desc->fs;
	config_yaml(yaml, sizeof(yaml), cfg);
	rc = wsp_fakehost_options(out->fh, yaml, err);
	if (!rc)
		rc = wsp_fakehost_args(&checked, out->fh, err);
	if (rc)
		return rc;
	args = *checked;
	args.instance_id = "/bucket";
	return out->desc->init(&out->self, wsp_fakehost_host(out->fh), &args,
			       err);
}

void s3fs_close(struct s3fs *f)
{
	if (f->self)
		f->desc->fini(f->self);
	f->self = NULL;
	wsp_fakehost_free(f->fh);
	f->fh = NULL;
	/* the .so stays loaded: the plugin's threads are joined by now */
}

int s3fs_put(struct s3fs *f, const char *path, const void *data, size_t len,
	     const wsp_fs_write_opts *opts, wsp_fs_stat *out, wsp_error *err)
{
	struct bytes_src m = {data, len, 0};
	wsp_fs_write_opts o = WSP_FS_WRITE_OPTS_INIT;

	if (!opts)
		opts = &o;
	return f->fs->write(out, f->self, &s3_call, path, opts, bytes_give, &m,
			    err);
}

const wsp_call s3_call = {sizeof(wsp_call), 0, NULL, 0};

int s3fs_get(struct s3fs *f, const char *path, uint64_t off, uint64_t len,
	     char **out, size_t *out_len, wsp_error *err)
{
	struct bytes_sink m = {NULL, 0, 0};
	wsp_fs_read_opts o = WSP_FS_READ_OPTS_INIT;
	int rc;

	o.offset = off;
	o.length = len;
	rc = f->fs->read(f->self, &s3_call, path, &o, bytes_take, &m, err);
	if (rc) {
		free(m.p);
		return rc;
	}
	if (!m.p)
		m.p = calloc(1, 1);
	*out = m.p;
	*out_len = m.len;
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
