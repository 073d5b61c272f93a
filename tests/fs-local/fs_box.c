/* tests/fs-local/fs_box.c - see fs_box.h. */
#include "fs_box.h"
#include "test_bytes.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* A list option as a YAML flow sequence of single-quoted paths. */
static void put_list(char *yaml, size_t cap, const char *const *items)
{
	size_t len = strlen(yaml);

	snprintf(yaml + len, cap - len, "allowed_paths: [");
	for (size_t i = 0; items[i]; i++) {
		len = strlen(yaml);
		snprintf(yaml + len, cap - len, "%s'%s'", i ? ", " : "",
			 items[i]);
	}
	len = strlen(yaml);
	snprintf(yaml + len, cap - len, "]\n");
}

int fake_fs_open(struct fake_fs *f, const char *base, int read_only,
		 const char *const *allowed, wsp_error *err)
{
	char yaml[8192];
	int rc;

	memset(f, 0, sizeof(*f));
	rc = wsp_fakehost_load(&f->fh, WSP_FS_LOCAL_SO, err);
	if (rc)
		return rc;
	f->desc = wsp_fakehost_desc(f->fh);
	f->fs = f->desc->fs;
	f->host = wsp_fakehost_host(f->fh);
	/* test paths come from mkdtemp: no quote to escape */
	snprintf(yaml, sizeof(yaml), "base_path: '%s'\nread_only: %s\n", base,
		 read_only ? "true" : "false");
	if (allowed)
		put_list(yaml, sizeof(yaml), allowed);
	rc = wsp_fakehost_options(f->fh, yaml, err);
	if (rc)
		return rc;
	return wsp_fakehost_init(&f->self, f->fh, err);
}

void fake_fs_close(struct fake_fs *f)
{
	if (f->desc && f->self)
		f->desc->fini(f->self);
	wsp_fakehost_free(f->fh);
	memset(f, 0, sizeof(*f));
}

wsp_call *fake_fs_call(struct fake_fs *f)
{
	wsp_call *c = wsp_fakehost_call(f->fh, 0);

	if (!c)
		abort();
	return c;
}

size_t fake_fs_logged(const struct fake_fs *f, const char *needle)
{
	return wsp_fakehost_log_find(f->fh, WSP_LOG_DEBUG, needle);
}

const wsp_call fake_call = {sizeof(wsp_call), 0, NULL, 0};

int fake_fs_put_opts(struct fake_fs *f, const char *path, const char *data,
		     size_t len, const wsp_fs_write_opts *opts, wsp_error *err)
{
	struct bytes_src m = {data, len, 0};

	return f->fs->write(NULL, f->self, &fake_call, path, opts, bytes_give,
			    &m, err);
}

int fake_fs_put(struct fake_fs *f, const char *path, const char *data,
		size_t len, uint32_t flags, wsp_error *err)
{
	wsp_fs_write_opts o = WSP_FS_WRITE_OPTS_INIT;

	o.flags = flags;
	return fake_fs_put_opts(f, path, data, len, &o, err);
}

int fake_fs_get(struct fake_fs *f, const char *path, char **out, size_t *len,
		wsp_error *err)
{
	struct bytes_sink m = {NULL, 0, 0};
	int rc = f->fs->read(f->self, &fake_call, path, FAKE_READ_ALL,
			     bytes_take, &m, err);

	if (rc < 0 || !m.p) {
		if (rc == 0)
			m.p = calloc(1, 1);
	}
	if (rc < 0) {
		free(m.p);
		m.p = NULL;
		m.len = 0;
	}
	*out = m.p;
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
