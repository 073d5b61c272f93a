/*
 * plugins/fs-local/plugin.c - wsp-fs-local.so: files on the host disk,
 * contained beneath base_path (and the extra roots in allowed_paths).
 *
 * allowed_paths addressing: each entry is a host directory (absolute, or
 * relative to the config file's directory, "~/" expanded). It is reached at
 * its own absolute path inside the filesystem: with allowed_paths
 * [/srv/team-data], the provider path "srv/team-data/report.csv" (on a
 * mount at "/", the workspace path "/srv/team-data/report.csv") is
 * /srv/team-data/report.csv on the host, contained beneath that directory
 * exactly as base_path is. An allowed path shadows whatever base_path holds
 * at the same place. Extra roots are not listed in base_path's listings.
 *
 * Testing knobs (environment, read at init): WSP_FS_LOCAL_RESOLVE=walk
 * forces the O_NOFOLLOW walk instead of openat2; WSP_FS_LOCAL_TMPFILE=named
 * makes writes use a named temporary file instead of O_TMPFILE.
 */
#include "local.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const wsp_option_spec lfs_options[] = {
	WSP_OPTION_REQUIRED(WSP_OPT_STRING, "base_path",
			    "directory holding the files (created if missing; "
			    "relative to the config file)"),
	WSP_OPTION(WSP_OPT_BOOL, "read_only", "false", "refuse every change"),
	WSP_OPTION(WSP_OPT_LIST, "allowed_paths", NULL,
		   "extra host directories, reachable at their absolute path"),
	WSP_OPTION_END,
};

/* The options as host->opt_fill writes them (owned by the config). */
struct lfs_opts {
	const char *base_path;
	const char *const *allowed_paths; /* NULL when not given */
	int read_only;
};

static const wsp_option_field lfs_fields[] = {
	WSP_OPTION_FIELD(struct lfs_opts, base_path, "base_path"),
	WSP_OPTION_FIELD(struct lfs_opts, allowed_paths, "allowed_paths"),
	WSP_OPTION_FIELD(struct lfs_opts, read_only, "read_only"),
	WSP_OPTION_FIELD_END,
};

/* Absolute form of a configured path: "~/" and config_dir applied. */
static char *absolute_path(const char *path, const char *config_dir)
{
	const char *base = NULL, *rest = path;
	char *out;
	size_t n;

	if (path[0] == '~' && (path[1] == '/' || !path[1])) {
		base = getenv("HOME");
		rest = path[1] ? path + 2 : "";
	} else if (path[0] != '/') {
		base = config_dir;
	}
	if (!base || !*base) {
		if (path[0] != '/')
			base = ".";
		else
			return strdup(path);
	}
	n = strlen(base) + strlen(rest) + 2;
	out = malloc(n);
	if (out)
		snprintf(out, n, "%s/%s", base, rest);
	return out;
}

/* Lexical normal form of an absolute path, without the leading '/'. */
static void fold_path(char *p)
{
	char *src = p, *dst = p;

	while (*src) {
		size_t n;

		while (*src == '/')
			src++;
		n = strcspn(src, "/");
		if (n == 0)
			break;
		if (n == 1 && src[0] == '.') {
		} else if (n == 2 && src[0] == '.' && src[1] == '.') {
			while (dst > p && dst[-1] != '/')
				dst--;
			if (dst > p)
				dst--;
		} else {
			if (dst > p)
				*dst++ = '/';
			memmove(dst, src, n);
			dst += n;
		}
		src += n;
	}
	*dst = '\0';
}

/* mkdir -p of a host path given by the operator (not untrusted input). */
static int make_dirs(char *path)
{
	char *s;

	for (s = path + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(path, 0777) < 0 && errno != EEXIST) {
			*s = '/';
			return -1;
		}
		*s = '/';
	}
	if (mkdir(path, 0777) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

static int open_root(struct lfs_root *r, const char *path, int create,
		     const char *what, wsp_error *err)
{
	char real[PATH_MAX];
	char *p = strdup(path);

	if (!p)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	if (create && make_dirs(p) < 0) {
		int e = errno;

		free(p);
		return wsp_error_set_os(err, lfs_errno_code(e), e,
					"cannot create %s '%s': %s", what, path,
					strerror(e));
	}
	free(p);
	r->fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (r->fd < 0 || !realpath(path, real)) {
		int e = errno;

		return wsp_error_set_os(err, WSP_ECONFIG, e,
					"cannot open %s '%s': %s", what, path,
					strerror(e));
	}
	r->real = strdup(real);
	if (!r->real)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	return 0;
}

static void lfs_fini(void *self)
{
	struct lfs *fs = self;
	size_t i;

	if (!fs)
		return;
	if (fs->base.fd >= 0)
		close(fs->base.fd);
	free(fs->base.real);
	for (i = 0; i < fs->n_extra; i++) {
		if (fs->extra[i].fd >= 0)
			close(fs->extra[i].fd);
		free(fs->extra[i].real);
		free(fs->extra[i].prefix);
	}
	free(fs->extra);
	for (i = 0; i < LFS_STRIPES; i++)
		pthread_mutex_destroy(&fs->stripes[i]);
	free(fs);
}

static int add_allowed(struct lfs *fs, const char *item,
		       const wsp_instance_args *args, wsp_error *err)
{
	struct lfs_root *r = &fs->extra[fs->n_extra];
	char *abs = absolute_path(item, args->config_dir);
	int rc;

	if (!abs)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	r->fd = -1;
	fs->n_extra++;
	rc = open_root(r, abs, 0, "allowed path", err);
	if (rc == 0) {
		fold_path(abs);
		if (!*abs) {
			rc = wsp_error_set(err, WSP_ECONFIG,
					   "allowed path '%s' would cover the "
					   "whole host; name a directory",
					   item);
		} else {
			r->prefix = abs;
			r->prefix_len = strlen(abs);
			abs = NULL;
		}
	}
	free(abs);
	return rc;
}

static int lfs_init(void **out_self, const wsp_host *host,
		    const wsp_instance_args *args, wsp_error *err)
{
	const char *base = NULL, *const *allowed = NULL;
	struct lfs_opts o = { 0 };
	const char *knob;
	struct lfs *fs;
	char *abs;
	size_t n = 0;
	int rc;

	*out_self = NULL;
	fs = calloc(1, sizeof(*fs));
	if (!fs)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	fs->host = host;
	fs->base.fd = -1;
	for (size_t i = 0; i < LFS_STRIPES; i++)
		pthread_mutex_init(&fs->stripes[i], NULL);
	fs->base.prefix = (char *)"";
	rc = host->opt_fill(&o, host, args->options, lfs_fields, err);
	if (rc < 0)
		goto fail;
	base = o.base_path;
	allowed = o.allowed_paths;
	fs->read_only = o.read_only;
	if (!base || !*base) {
		rc = wsp_error_set(err, WSP_ECONFIG,
				   "option 'base_path' is "
				   "empty; name the directory to serve");
		goto fail;
	}

	abs = absolute_path(base, args->config_dir);
	if (!abs) {
		rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
		goto fail;
	}
	rc = open_root(&fs->base, abs, !fs->read_only, "base path", err);
	free(abs);
	if (rc < 0)
		goto fail;

	while (allowed && allowed[n])
		n++;
	if (n) {
		fs->extra = calloc(n, sizeof(*fs->extra));
		if (!fs->extra) {
			rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
			goto fail;
		}
	}
	for (size_t i = 0; i < n; i++) {
		rc = add_allowed(fs, allowed[i], args, err);
		if (rc < 0)
			goto fail;
	}

	knob = getenv("WSP_FS_LOCAL_RESOLVE");
	fs->use_walk = knob && !strcmp(knob, "walk");
	knob = getenv("WSP_FS_LOCAL_TMPFILE");
	/* O_TMPFILE files are linked in through /proc/self/fd. */
	fs->no_tmpfile = (knob && !strcmp(knob, "named")) ||
			 access("/proc/self/fd", X_OK) < 0;
	host->log(host, WSP_LOG_DEBUG,
		  "fs-local: serving '%s' (%s%s, %zu allowed paths)",
		  fs->base.real, fs->read_only ? "read-only" : "read-write",
		  fs->use_walk ? ", O_NOFOLLOW walk" : "", fs->n_extra);
	*out_self = fs;
	return 0;
fail:
	lfs_fini(fs);
	return rc;
}

static const wsp_fs_vtable lfs_vtable = {
	.struct_size = sizeof(wsp_fs_vtable),
	.stat = lfs_stat,
	.read = lfs_read,
	.write = lfs_write,
	.list = lfs_list,
	.mkdir = lfs_mkdir,
	.remove = lfs_remove,
	.rmdir = lfs_rmdir,
	.copy = lfs_copy,
	.move = lfs_move,
	.exists = lfs_exists,
	.host_path = lfs_host_path,
};

WSP_PLUGIN_DEFINE(WSP_KIND_FS, "local", "0.1.0",
		  "files on the host disk, contained beneath base_path",
		  WSP_CAP_FS_STREAMING | WSP_CAP_FS_ATOMIC_WRITE |
			  WSP_CAP_FS_CONDITIONAL | WSP_CAP_FS_SYMLINKS |
			  WSP_CAP_FS_LOCAL_PATH,
		  lfs_options, lfs_init, lfs_fini, &lfs_vtable, NULL, NULL,
		  NULL)
