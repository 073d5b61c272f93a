/* tests/fs-local/fake_host.c - see fake_host.h. */
#include "fake_host.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

char fake_host_last_log[512];

static void fh_log(const wsp_host *host, int level, const char *fmt, ...)
{
	va_list ap;

	(void)host;
	va_start(ap, fmt);
	vsnprintf(fake_host_last_log, sizeof(fake_host_last_log), fmt, ap);
	va_end(ap);
	if (!getenv("WSP_TEST_VERBOSE") && level > WSP_LOG_WARN)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void *fh_alloc(const wsp_host *host, size_t size)
{
	(void)host;
	return malloc(size);
}

static void fh_free(const wsp_host *host, void *ptr)
{
	(void)host;
	free(ptr);
}

static int fh_string(const char **out, const wsp_host *host,
		     const wsp_config *cfg, const char *name, wsp_error *err)
{
	(void)host;
	if (!strcmp(name, "base_path") && cfg->base_path) {
		*out = cfg->base_path;
		return 0;
	}
	return wsp_error_set(err, WSP_ENOTFOUND, "option '%s' is not set",
			     name);
}

static int fh_bool(int *out, const wsp_host *host, const wsp_config *cfg,
		   const char *name, wsp_error *err)
{
	(void)host;
	if (!strcmp(name, "read_only")) {
		*out = cfg->read_only;
		return 0;
	}
	return wsp_error_set(err, WSP_EINVAL, "option '%s' is not a bool",
			     name);
}

static int fh_list(const char *const **out, const wsp_host *host,
		   const wsp_config *cfg, const char *name, wsp_error *err)
{
	(void)host;
	if (!strcmp(name, "allowed_paths") && cfg->allowed_paths) {
		*out = cfg->allowed_paths;
		return 0;
	}
	return wsp_error_set(err, WSP_ENOTFOUND, "option '%s' is not set",
			     name);
}

static int fh_int(int64_t *out, const wsp_host *host, const wsp_config *cfg,
		  const char *name, wsp_error *err)
{
	(void)out, (void)host, (void)cfg;
	return wsp_error_set(err, WSP_EINVAL, "option '%s' is unknown", name);
}

static int fh_size(uint64_t *out, const wsp_host *host, const wsp_config *cfg,
		   const char *name, wsp_error *err)
{
	(void)out, (void)host, (void)cfg;
	return wsp_error_set(err, WSP_EINVAL, "option '%s' is unknown", name);
}

static int fh_map(const char *const **out, const wsp_host *host,
		  const wsp_config *cfg, const char *name, wsp_error *err)
{
	(void)out, (void)host, (void)cfg;
	return wsp_error_set(err, WSP_EINVAL, "option '%s' is unknown", name);
}

static int fh_cancel_requested(const wsp_host *host, const wsp_cancel *c)
{
	(void)host;
	return c && atomic_load(&((struct wsp_cancel *)c)->canceled);
}

static int fh_cancel_fd(const wsp_host *host, const wsp_cancel *c)
{
	(void)host, (void)c;
	return -1;
}

/* The call context as the core answers it: token first, then deadline. */
static int64_t fh_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int fh_call_expired(const wsp_host *host, const wsp_call *call)
{
	if (!call)
		return 0;
	if (fh_cancel_requested(host, call->cancel))
		return WSP_ECANCELED;
	if (call->deadline_ms && fh_now_ms() >= call->deadline_ms)
		return WSP_ETIMEDOUT;
	return 0;
}

static int64_t fh_call_remaining_ms(const wsp_host *host, const wsp_call *call)
{
	int64_t left;

	if (!call ||
	    (!call->deadline_ms && !fh_cancel_requested(host, call->cancel)))
		return -1;
	if (fh_cancel_requested(host, call->cancel))
		return 0;
	left = call->deadline_ms - fh_now_ms();
	return left > 0 ? left : 0;
}

static int fh_call_fd(const wsp_host *host, const wsp_call *call)
{
	(void)host, (void)call;
	return -1;
}

static const wsp_host host_table = {
	.struct_size = sizeof(wsp_host),
	.abi_major = WSP_PLUGIN_ABI_MAJOR,
	.abi_minor = WSP_PLUGIN_ABI_MINOR,
	.log = fh_log,
	.alloc = fh_alloc,
	.free = fh_free,
	.opt_string = fh_string,
	.opt_int = fh_int,
	.opt_bool = fh_bool,
	.opt_duration = fh_int,
	.opt_size = fh_size,
	.opt_list = fh_list,
	.opt_map = fh_map,
	.cancel_requested = fh_cancel_requested,
	.cancel_fd = fh_cancel_fd,
	.call_expired = fh_call_expired,
	.call_remaining_ms = fh_call_remaining_ms,
	.call_fd = fh_call_fd,
};

const wsp_host *fake_host(void)
{
	return &host_table;
}

int fake_fs_open(struct fake_fs *f, const char *base, int read_only,
		 const char *const *allowed, wsp_error *err)
{
	wsp_instance_args args;
	wsp_plugin_entry_fn entry;
	int rc;

	memset(f, 0, sizeof(*f));
	f->dl = dlopen(WSP_FS_LOCAL_SO, RTLD_NOW | RTLD_LOCAL);
	if (!f->dl)
		return wsp_error_set(err, WSP_ENOTPLUGIN, "dlopen: %s",
				     dlerror());
	*(void **)&entry = dlsym(f->dl, WSP_PLUGIN_ENTRY_SYMBOL);
	if (!entry)
		return wsp_error_set(err, WSP_ENOTPLUGIN, "no entry symbol");
	f->desc = entry(WSP_PLUGIN_ABI_MAJOR, WSP_PLUGIN_ABI_MINOR);
	f->fs = f->desc->fs;
	f->cfg.base_path = base;
	f->cfg.read_only = read_only;
	f->cfg.allowed_paths = allowed;
	memset(&args, 0, sizeof(args));
	args.struct_size = sizeof(args);
	args.instance_id = "/";
	args.options = &f->cfg;
	args.config_dir = "/";
	args.state_dir = "/tmp";
	rc = f->desc->init(&f->self, &host_table, &args, err);
	return rc;
}

void fake_fs_close(struct fake_fs *f)
{
	if (f->desc && f->self)
		f->desc->fini(f->self);
	if (f->dl)
		dlclose(f->dl);
	memset(f, 0, sizeof(*f));
}

struct mem_src {
	const char *data;
	size_t len, off;
};

static int mem_source(void *buf, size_t cap, size_t *out_n, void *payload)
{
	struct mem_src *m = payload;
	size_t n = m->len - m->off;

	if (n > cap)
		n = cap;
	memcpy(buf, m->data + m->off, n);
	m->off += n;
	*out_n = n;
	return 0;
}

const wsp_call fake_call = {sizeof(wsp_call), 0, NULL, 0};

int fake_fs_put_opts(struct fake_fs *f, const char *path, const char *data,
		     size_t len, const wsp_fs_write_opts *opts, wsp_error *err)
{
	struct mem_src m = {data, len, 0};

	return f->fs->write(NULL, f->self, &fake_call, path, opts, mem_source,
			    &m, err);
}

int fake_fs_put(struct fake_fs *f, const char *path, const char *data,
		size_t len, uint32_t flags, wsp_error *err)
{
	wsp_fs_write_opts o = WSP_FS_WRITE_OPTS_INIT;

	o.flags = flags;
	return fake_fs_put_opts(f, path, data, len, &o, err);
}

struct mem_sink {
	char *buf;
	size_t len, cap;
};

static int mem_sink(const void *data, size_t len, void *payload)
{
	struct mem_sink *m = payload;

	if (m->len + len + 1 > m->cap) {
		size_t cap = (m->len + len + 1) * 2;
		char *b = realloc(m->buf, cap);

		if (!b)
			return WSP_ENOMEM;
		m->buf = b;
		m->cap = cap;
	}
	memcpy(m->buf + m->len, data, len);
	m->len += len;
	m->buf[m->len] = '\0';
	return 0;
}

int fake_fs_get(struct fake_fs *f, const char *path, char **out, size_t *len,
		wsp_error *err)
{
	struct mem_sink m = {NULL, 0, 0};
	int rc = f->fs->read(f->self, &fake_call, path, FAKE_READ_ALL, mem_sink,
			     &m, err);

	if (rc < 0 || !m.buf) {
		if (rc == 0)
			m.buf = calloc(1, 1);
	}
	if (rc < 0) {
		free(m.buf);
		m.buf = NULL;
		m.len = 0;
	}
	*out = m.buf;
	if (len)
		*len = m.len;
	return rc;
}

char *tmpdir_make(const char *tag)
{
	const char *t = getenv("TMPDIR");
	char buf[4096];

	snprintf(buf, sizeof(buf), "%s/wsp-%s-XXXXXX", t && *t ? t : "/tmp",
		 tag);
	if (!mkdtemp(buf))
		return NULL;
	return strdup(buf);
}

static int rm_one(const char *p, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st, (void)ftw;
	if (flag == FTW_DP)
		chmod(p, 0700), rmdir(p);
	else
		unlink(p);
	return 0;
}

void tree_remove(const char *path)
{
	nftw(path, rm_one, 64, FTW_DEPTH | FTW_PHYS);
}

void tree_empty(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		char *p;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		p = path_join(path, de->d_name);
		tree_remove(p);
		free(p);
	}
	closedir(d);
}

void file_put(const char *path, const char *data)
{
	FILE *fp = fopen(path, "w");

	if (!fp)
		return;
	fputs(data, fp);
	fclose(fp);
}

char *file_get(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *buf;
	long n;

	if (!fp)
		return NULL;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	if (buf) {
		n = (long)fread(buf, 1, (size_t)n, fp);
		buf[n] = '\0';
	}
	fclose(fp);
	return buf;
}

char *path_join(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *p = malloc(n);

	snprintf(p, n, "%s/%s", a, b);
	return p;
}

struct snap {
	char **lines;
	size_t n, cap;
	size_t root_len;
	const char *exclude;
};

static struct snap *cur_snap;

static int snap_one(const char *p, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	struct snap *s = cur_snap;
	char line[8192], target[4096] = "";
	char *content = NULL;

	(void)flag, (void)ftw;
	if (s->exclude && !strncmp(p, s->exclude, strlen(s->exclude)))
		return 0;
	if (S_ISLNK(st->st_mode)) {
		ssize_t n = readlink(p, target, sizeof(target) - 1);

		target[n < 0 ? 0 : n] = '\0';
	} else if (S_ISREG(st->st_mode) && st->st_size < 4096) {
		content = file_get(p);
	}
	snprintf(line, sizeof(line), "%s|%o|%lld|%lld.%09ld|%s|%s",
		 p + s->root_len, (unsigned)st->st_mode, (long long)st->st_size,
		 (long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec, target,
		 content ? content : "");
	free(content);
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->lines = realloc(s->lines, s->cap * sizeof(*s->lines));
	}
	s->lines[s->n++] = strdup(line);
	return 0;
}

static int cmp_lines(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char *tree_snapshot(const char *path, const char *exclude)
{
	struct snap s = {NULL, 0, 0, strlen(path), exclude};
	size_t i, total = 1;
	char *out;

	cur_snap = &s;
	nftw(path, snap_one, 64, FTW_PHYS);
	cur_snap = NULL;
	qsort(s.lines, s.n, sizeof(*s.lines), cmp_lines);
	for (i = 0; i < s.n; i++)
		total += strlen(s.lines[i]) + 1;
	out = malloc(total);
	out[0] = '\0';
	for (i = 0; i < s.n; i++) {
		strcat(out, s.lines[i]);
		strcat(out, "\n");
		free(s.lines[i]);
	}
	free(s.lines);
	return out;
}
