/*
 * core/loader/loader.c - the plugin search path, and opening provider files.
 *
 * dlopen(RTLD_NOW | RTLD_LOCAL): a missing symbol fails at load rather
 * than mid-call, and providers cannot interpose on each other. A file is
 * closed again only when it is refused; a loaded provider stays mapped
 * until exit, since its code may sit on a thread or callback of its own.
 */
#include "loader.h"

#include <wsp/wsp.h>

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef WSP_PLUGIN_INSTALL_DIR
#define WSP_PLUGIN_INSTALL_DIR "/usr/local/lib/wsp/plugins"
#endif

/* Providers on one path: far more than anyone installs. */
#define SCAN_MAX 4096

int wsp__plugin_file_name(uint32_t *kind, char *name, size_t cap,
			  const char *file)
{
	size_t len = strlen(file), i, nlen;
	const char *n;

	if (strncmp(file, "wsp-", 4) || len < 8 ||
	    strcmp(file + len - 3, ".so"))
		return -1;
	if (!strncmp(file + 4, "fs-", 3)) {
		*kind = WSP_KIND_FS;
		n = file + 7;
	} else if (!strncmp(file + 4, "sandbox-", 8)) {
		*kind = WSP_KIND_SANDBOX;
		n = file + 12;
	} else {
		return -1;
	}
	if (n > file + len - 3)
		return -1;
	nlen = (size_t)(file + len - 3 - n);
	if (!nlen || nlen >= cap)
		return -1;
	for (i = 0; i < nlen; i++)
		if (!((n[i] >= 'a' && n[i] <= 'z') ||
		      (n[i] >= '0' && n[i] <= '9') ||
		      (i && (n[i] == '_' || n[i] == '-'))))
			return -1;
	memcpy(name, n, nlen);
	name[nlen] = '\0';
	return 0;
}

static int add_dir(struct wsp__loader *l, const char *path, const char *source)
{
	char cwd[PATH_MAX], *p;
	struct wsp__plugin_dir *dirs;
	size_t i;

	for (i = 0; i < l->n_dirs; i++)
		if (!strcmp(l->dirs[i].path, path))
			return 0; /* searched already */
	if (path[0] == '/') {
		p = strdup(path);
	} else {
		if (!getcwd(cwd, sizeof(cwd)))
			return WSP_EIO;
		p = malloc(strlen(cwd) + strlen(path) + 2);
		if (p)
			sprintf(p, "%s/%s", cwd, path);
	}
	if (!p)
		return WSP_ENOMEM;
	dirs = realloc(l->dirs, (l->n_dirs + 1) * sizeof(*dirs));
	if (!dirs) {
		free(p);
		return WSP_ENOMEM;
	}
	l->dirs = dirs;
	dirs[l->n_dirs].path = p;
	dirs[l->n_dirs].source = source;
	l->n_dirs++;
	return 0;
}

/* 0 if path is a searchable directory; else errno-ish reason in why. */
static int check_dir(const char *path, const char **why)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		*why = strerror(errno);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		*why = "not a directory";
		return -1;
	}
	if (access(path, R_OK | X_OK) < 0) {
		*why = strerror(errno);
		return -1;
	}
	return 0;
}

/* Colon-separated dirs from the command line or the environment. */
static int add_dir_list(struct wsp__loader *l, const char *list,
			const char *source, wsp_error *err)
{
	const char *s = list, *e, *why;
	char dir[PATH_MAX];
	size_t len;
	int rc;

	while (*s) {
		e = strchr(s, ':');
		len = e ? (size_t)(e - s) : strlen(s);
		if (len >= sizeof(dir))
			return wsp_error_set(err, WSP_EINVAL,
					     "a directory in %s is longer than "
					     "%d bytes",
					     source, PATH_MAX);
		memcpy(dir, s, len);
		dir[len] = '\0';
		s += len + (e ? 1 : 0);
		if (!len)
			continue;
		if (check_dir(dir, &why) < 0)
			return wsp_error_set(err, WSP_ENOTFOUND,
					     "plugin directory '%s' (from %s) "
					     "cannot be searched: %s; create "
					     "it or fix %s",
					     dir, source, why, source);
		rc = add_dir(l, dir, source);
		if (rc)
			return wsp_error_set(err, rc,
					     "cannot add plugin "
					     "directory '%s'",
					     dir);
	}
	return 0;
}

/* Any address inside libwsp, for dladdr(). */
static const char libwsp_anchor;

/*
 * A build tree's wsp finds the build tree's plugins with no setting:
 * when the code running is the build's own, the libwsp built in its
 * core/ or a program of the build that links the core statically (the
 * unit tests), but not a tree installed somewhere under the build
 * directory (the SDK tests stage one there).
 */
static int running_from_build_tree(void)
{
#if defined(WSP_BUILD_DIR) && defined(WSP_BUILD_LIB_DIR) &&                    \
	defined(WSP_BUILD_PLUGIN_DIR)
	char self[PATH_MAX], dir[PATH_MAX], *slash;
	Dl_info info;
	size_t n;

	if (!dladdr(&libwsp_anchor, &info) || !info.dli_fname ||
	    !realpath(info.dli_fname, self) || !(slash = strrchr(self, '/')))
		return 0;
	if (strncmp(slash + 1, "libwsp.so", 9)) {
		/* linked in statically: a program of the build tree? */
		if (!realpath(WSP_BUILD_DIR, dir))
			return 0;
		n = strlen(dir);
		return !strncmp(self, dir, n) && self[n] == '/';
	}
	*slash = '\0';
	return realpath(WSP_BUILD_LIB_DIR, dir) && !strcmp(self, dir);
#else
	(void)libwsp_anchor;
	return 0;
#endif
}

/*
 * The install directory: the plugin directory beside the libwsp that is
 * running (its real path's directory + WSP_PLUGIN_DIR_FROM_LIBDIR), so an
 * installed tree runs from any prefix and after it is moved; the
 * directory compiled in when the plugin directory is not under libdir (a
 * distribution placed it elsewhere) or libwsp cannot find itself.
 */
static const char *install_dir(char *buf, size_t cap)
{
#ifdef WSP_PLUGIN_DIR_FROM_LIBDIR
	char lib[PATH_MAX], *slash;
	Dl_info info;

	if (dladdr(&libwsp_anchor, &info) && info.dli_fname &&
	    realpath(info.dli_fname, lib) && (slash = strrchr(lib, '/'))) {
		*slash = '\0';
		if (snprintf(buf, cap, "%s/%s", lib,
			     WSP_PLUGIN_DIR_FROM_LIBDIR) < (int)cap)
			return buf;
	}
#endif
	(void)buf;
	(void)cap;
	return WSP_PLUGIN_INSTALL_DIR;
}

int wsp__loader_init(struct wsp__loader *l, const char *cli_path,
		     const struct wsp__config *cfg, struct wsp__diags *d,
		     wsp_error *err)
{
	const char *env = getenv("WSP_PLUGIN_PATH"), *why;
	char installed[PATH_MAX];
	size_t i, before = wsp__diag_count(d);
	int rc;

	memset(l, 0, sizeof(*l));
	pthread_mutex_init(&l->lock, NULL);
	if (cli_path && (rc = add_dir_list(l, cli_path, "--plugin-path", err)))
		return rc;
	if (env && (rc = add_dir_list(l, env, "$WSP_PLUGIN_PATH", err)))
		return rc;
	for (i = 0; cfg && i < cfg->n_plugin_path; i++) {
		const struct wsp__ynode *n = cfg->plugin_path_nodes[i];

		if (check_dir(cfg->plugin_path[i], &why) < 0) {
			wsp__diag_add(d, cfg->file, n->line, n->col,
				      "plugin directory '%.128s' cannot be "
				      "searched: %s; create it or fix "
				      "'plugin_path'",
				      cfg->plugin_path[i], why);
			continue;
		}
		if ((rc = add_dir(l, cfg->plugin_path[i], "plugin_path")))
			return wsp_error_set(err, rc, "out of memory");
	}
	if (wsp__diag_count(d) != before)
		return wsp__diag_to_error(d, err);
#ifdef WSP_BUILD_PLUGIN_DIR
	if (running_from_build_tree() &&
	    (rc = add_dir(l, WSP_BUILD_PLUGIN_DIR, "build tree")))
		return wsp_error_set(err, rc, "out of memory");
#endif
	/* A build tree's libwsp is not installed: its compiled-in dir. */
	if ((rc = add_dir(l,
			  running_from_build_tree()
				  ? WSP_PLUGIN_INSTALL_DIR
				  : install_dir(installed, sizeof(installed)),
			  "install dir")))
		return wsp_error_set(err, rc, "out of memory");
	return 0;
}

static void free_loaded(struct wsp__loaded *f)
{
	if (!f)
		return;
	if (f->prov) {
		wsp__provider_free_tables(f->prov);
		free(f->prov->path);
		free(f->prov);
	}
	free(f->path);
	free(f->name);
	free(f);
}

void wsp__loader_fini(struct wsp__loader *l)
{
	size_t i;

	for (i = 0; i < l->n_dirs; i++)
		free(l->dirs[i].path);
	free(l->dirs);
	for (i = 0; i < l->n_files; i++)
		free_loaded(l->files[i]);
	free(l->files);
	for (i = 0; i < l->n_warned; i++)
		free(l->warned[i]);
	free(l->warned);
	pthread_mutex_destroy(&l->lock);
	memset(l, 0, sizeof(*l));
}

/* dlerror() usually starts with the path again: keep only the reason. */
static const char *dl_reason(const char *path)
{
	const char *msg = dlerror();
	size_t n = strlen(path);

	if (!msg)
		return "unknown error";
	if (!strncmp(msg, path, n) && msg[n] == ':' && msg[n + 1] == ' ')
		return msg + n + 2;
	return msg;
}

/* "its group" / "every user" / "its group and every user". */
static const char *writers(mode_t mode)
{
	if ((mode & S_IWGRP) && (mode & S_IWOTH))
		return "its group and every user";
	return (mode & S_IWGRP) ? "its group" : "every user";
}

/*
 * ssh's StrictModes, for a plugin: code another user may replace is code
 * that user runs in our process (as root, when root runs wsp). The file
 * and every directory above it, up to /, must belong to root or to the
 * user running wsp, and none may be writable by group or others, except
 * a directory with the sticky bit (/tmp), where others cannot rename or
 * remove what they do not own. The resolved path is checked: a symbolic
 * link leads to the file dlopen() maps. 0, or 1 with the refusal (the
 * path and the reason) in msg.
 */
static int unsafe_path(const char *path, char *msg, size_t cap)
{
	char *real, *slash;
	uid_t me = geteuid();
	struct stat st;
	int is_file = 1, bad = 0;

	real = realpath(path, NULL);
	if (!real) {
		/* An unresolvable path is refused: nothing to check it by. */
		snprintf(msg, cap,
			 "plugin '%s' is not loaded: cannot resolve its "
			 "path: %s",
			 path, strerror(errno));
		return 1;
	}
	for (;;) {
		/* The file is named at the start of the message already. */
		const char *what = is_file ? "the file" : "the directory '",
			   *name = is_file ? "" : real,
			   *end = is_file ? "" : "'";

		if (stat(real, &st) < 0) {
			snprintf(msg, cap,
				 "plugin '%s' is not loaded: cannot check "
				 "%s%s%s: %s",
				 path, what, name, end, strerror(errno));
			bad = 1;
		} else if (st.st_uid != 0 && st.st_uid != me) {
			snprintf(msg, cap,
				 "plugin '%s' is not loaded: %s%s%s belongs to "
				 "uid %u, not to root or to the caller (uid "
				 "%u), so that user could replace it; chown it",
				 path, what, name, end, (unsigned)st.st_uid,
				 (unsigned)me);
			bad = 1;
		} else if ((st.st_mode & (S_IWGRP | S_IWOTH)) &&
			   (is_file || !(st.st_mode & S_ISVTX))) {
			snprintf(msg, cap,
				 "plugin '%s' is not loaded: %s%s%s is "
				 "writable by %s (mode %04o%s), so others "
				 "could replace it; chmod go-w it",
				 path, what, name, end, writers(st.st_mode),
				 (unsigned)(st.st_mode & 07777),
				 is_file ? "" : ", not sticky");
			bad = 1;
		}
		if (bad || !strcmp(real, "/"))
			break;
		slash = strrchr(real, '/');
		if (slash == real)
			slash[1] = '\0';
		else
			*slash = '\0';
		is_file = 0;
	}
	free(real);
	return bad;
}

/* Open and check one file; the outcome is recorded in f. */
static void open_file(struct wsp__loaded *f)
{
	wsp_plugin_entry_fn entry;
	const wsp_plugin_desc *desc;
	wsp__provider *p;
	wsp_error err;
	char why[160];
	void *dl;
	int rc;

	if (unsafe_path(f->path, f->message, sizeof(f->message))) {
		f->code = WSP_EPERM;
		return;
	}
	if (wsp__elf_check(f->path, why, sizeof(why)) < 0) {
		f->code = WSP_ENOTPLUGIN;
		snprintf(f->message, sizeof(f->message),
			 "cannot load plugin '%s': %s; rebuild or reinstall "
			 "it",
			 f->path, why);
		return;
	}
	dlerror();
	dl = dlopen(f->path, RTLD_NOW | RTLD_LOCAL);
	if (!dl) {
		f->code = WSP_ENOTPLUGIN;
		snprintf(f->message, sizeof(f->message),
			 "cannot load plugin '%s': %s; it is not a usable "
			 "shared object, rebuild or reinstall it",
			 f->path, dl_reason(f->path));
		return;
	}
	*(void **)&entry = dlsym(dl, WSP_PLUGIN_ENTRY_SYMBOL);
	if (!entry) {
		f->code = WSP_ENOTPLUGIN;
		snprintf(f->message, sizeof(f->message),
			 "'%s' is not a wsp plugin: it exports no '%s' "
			 "symbol; build it with WSP_PLUGIN_DEFINE",
			 f->path, WSP_PLUGIN_ENTRY_SYMBOL);
		dlclose(dl);
		return;
	}
	desc = entry(WSP_PLUGIN_ABI_MAJOR, WSP_PLUGIN_ABI_MINOR);
	p = calloc(1, sizeof(*p));
	if (!p) {
		f->code = WSP_ENOMEM;
		snprintf(f->message, sizeof(f->message), "out of memory");
		dlclose(dl);
		return;
	}
	rc = wsp__plugin_check(p, desc, f->kind, f->path, &err);
	if (!rc && strcmp(p->desc.name, f->name)) {
		rc = wsp_error_set(&err, WSP_EABI,
				   "plugin '%s' calls itself '%.64s', but its "
				   "file name says '%s'; rename it "
				   "wsp-%s-%.64s.so",
				   f->path, p->desc.name, f->name,
				   wsp_kind_name(f->kind), p->desc.name);
		wsp__provider_free_tables(p);
	}
	if (!rc) {
		p->path = strdup(f->path);
		if (!p->path) {
			wsp__provider_free_tables(p);
			rc = wsp_error_set(&err, WSP_ENOMEM, "out of memory");
		}
	}
	if (rc) {
		f->code = rc;
		snprintf(f->message, sizeof(f->message), "%s", err.message);
		free(p);
		dlclose(dl);
		return;
	}
	p->dl = dl;
	f->prov = p;
}

/* The record for path, opened on first use (lock held). */
static struct wsp__loaded *load_path(struct wsp__loader *l, const char *path,
				     uint32_t kind, const char *name)
{
	struct wsp__loaded *f, **files;
	size_t i, cap;

	for (i = 0; i < l->n_files; i++)
		if (!strcmp(l->files[i]->path, path))
			return l->files[i];
	if (l->n_files == l->cap_files) {
		cap = l->cap_files ? l->cap_files * 2 : 8;
		files = realloc(l->files, cap * sizeof(*files));
		if (!files)
			return NULL;
		l->files = files;
		l->cap_files = cap;
	}
	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->path = strdup(path);
	f->name = strdup(name);
	f->kind = kind;
	if (!f->path || !f->name) {
		free_loaded(f);
		return NULL;
	}
	open_file(f);
	l->files[l->n_files++] = f;
	return f;
}

static int exists_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static void warn_duplicate(struct wsp__loader *l, const char *first,
			   const char *other, const char *key)
{
	char msg[2 * PATH_MAX + 128], **w;
	size_t i;

	for (i = 0; i < l->n_warned; i++)
		if (!strcmp(l->warned[i], key))
			return;
	w = realloc(l->warned, (l->n_warned + 1) * sizeof(*w));
	if (!w)
		return;
	l->warned = w;
	w[l->n_warned] = strdup(key);
	if (!w[l->n_warned])
		return;
	l->n_warned++;
	if (!l->log)
		return;
	snprintf(msg, sizeof(msg),
		 "plugin '%s' is shadowed by '%s', which comes first on the "
		 "plugin path; remove one of them",
		 other, first);
	/* An information, not a warning on every command: the first file
	 * wins by the documented order, and 'wsp plugins' shows the other
	 * as shadowed (docs/loader.md). -v shows this line. */
	l->log(l->log_ctx, WSP_LOG_INFO, msg);
}

static char **list_dir(struct wsp__loader *l, const char *dir, int all,
		       size_t *n_out);

/*
 * The provider name of that kind on the path closest to name, if it is a
 * likely typo (written to buf); else NULL.
 */
static const char *suggest_name(struct wsp__loader *l, uint32_t kind,
				const char *name, char *buf, size_t cap)
{
	const char *cand[2] = {NULL, NULL}, *best = NULL;
	size_t i, j, n, d, best_d = (size_t)-1;
	char other[128], **names;
	uint32_t k;

	for (i = 0; i < l->n_dirs; i++) {
		names = list_dir(l, l->dirs[i].path, 0, &n);
		for (j = 0; j < n; j++) {
			if (wsp__plugin_file_name(&k, other, sizeof(other),
						  names[j]) < 0 ||
			    k != kind)
				continue;
			cand[0] = other;
			if (!wsp__suggest(name, cand))
				continue;
			d = wsp__edit_distance(name, other);
			if (d < best_d) {
				best_d = d;
				snprintf(buf, cap, "%s", other);
				best = buf;
			}
		}
		for (j = 0; j < n; j++)
			free(names[j]);
		free(names);
	}
	return best;
}

int wsp__loader_resolve(struct wsp__loaded **out, struct wsp__loader *l,
			uint32_t kind, const char *name, wsp_error *err)
{
	char file[128], path[PATH_MAX], first[PATH_MAX] = "";
	const char *kn = wsp_kind_name(kind);
	struct wsp__loaded *f;
	size_t i;

	*out = NULL;
	if (!kn || snprintf(file, sizeof(file), "wsp-%s-%s.so", kn, name) >=
			   (int)sizeof(file))
		return wsp_error_set(err, WSP_EINVAL, "bad provider name '%s'",
				     name);
	pthread_mutex_lock(&l->lock);
	for (i = 0; i < l->n_dirs; i++) {
		snprintf(path, sizeof(path), "%s/%s", l->dirs[i].path, file);
		if (!exists_file(path))
			continue;
		if (!first[0])
			snprintf(first, sizeof(first), "%s", path);
		else
			warn_duplicate(l, first, path, file);
	}
	if (!first[0]) {
		const char *hint =
			suggest_name(l, kind, name, path, sizeof(path));

		pthread_mutex_unlock(&l->lock);
		if (hint)
			return wsp_error_set(err, WSP_ENOTFOUND,
					     "no %s provider '%s' in the %zu "
					     "plugin directories; did you mean "
					     "'%s'? (see 'wsp plugins')",
					     kn, name, l->n_dirs, hint);
		return wsp_error_set(err, WSP_ENOTFOUND,
				     "no %s provider '%s': '%s' is in none of "
				     "the %zu plugin directories (see 'wsp "
				     "plugins'); install it or add its "
				     "directory with --plugin-path",
				     kn, name, file, l->n_dirs);
	}
	f = load_path(l, first, kind, name);
	pthread_mutex_unlock(&l->lock);
	if (!f)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	*out = f;
	return 0;
}

int wsp__loader_get(wsp__provider **out, struct wsp__loader *l, uint32_t kind,
		    const char *name, wsp_error *err)
{
	struct wsp__loaded *f;
	int rc;

	*out = NULL;
	rc = wsp__loader_resolve(&f, l, kind, name, err);
	if (rc)
		return rc;
	if (!f->prov)
		return wsp_error_set(err, f->code, "%s", f->message);
	*out = f->prov;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int looks_like_plugin(const char *file)
{
	size_t len = strlen(file);

	return !strncmp(file, "wsp-", 4) && len > 7 &&
	       !strcmp(file + len - 3, ".so");
}

/*
 * Sorted provider file names of one directory (NULL-terminated); with
 * all, every wsp-*.so, well named or not. A directory that exists but
 * cannot be read is reported as a warning.
 */
static char **list_dir(struct wsp__loader *l, const char *dir, int all,
		       size_t *n_out)
{
	char **names = NULL, **tmp, name[128], msg[PATH_MAX + 96];
	struct dirent *de;
	uint32_t kind;
	size_t n = 0;
	DIR *dh;

	*n_out = 0;
	dh = opendir(dir);
	if (!dh) {
		if (errno != ENOENT && all && l->log) {
			snprintf(msg, sizeof(msg),
				 "cannot read plugin directory '%s': %s", dir,
				 strerror(errno));
			l->log(l->log_ctx, WSP_LOG_WARN, msg);
		}
		return NULL;
	}
	while ((de = readdir(dh)) && n < SCAN_MAX) {
		if (all ? !looks_like_plugin(de->d_name)
			: wsp__plugin_file_name(&kind, name, sizeof(name),
						de->d_name) < 0)
			continue;
		tmp = realloc(names, (n + 2) * sizeof(*names));
		if (!tmp)
			break;
		names = tmp;
		names[n] = strdup(de->d_name);
		if (!names[n])
			break;
		names[++n] = NULL;
	}
	closedir(dh);
	if (names)
		qsort(names, n, sizeof(*names), cmp_str);
	*n_out = n;
	return names;
}

/* A wsp-*.so whose name says no kind or a bad name: listed as refused. */
static int misnamed(const char *path, const char *file, wsp__scan_fn cb,
		    void *payload)
{
	struct wsp__loaded f = {0};
	char stem[128];
	size_t len = strlen(file) - 3 - 4;

	snprintf(stem, sizeof(stem), "%.*s", (int)len, file + 4);
	f.path = (char *)path;
	f.name = stem;
	f.code = WSP_ENOTPLUGIN;
	snprintf(f.message, sizeof(f.message),
		 "'%.150s' is not named wsp-fs-NAME.so or "
		 "wsp-sandbox-NAME.so (NAME of a-z, 0-9, '_', '-'); rename it",
		 path);
	return cb(&f, NULL, payload);
}

int wsp__loader_scan(struct wsp__loader *l, wsp__scan_fn cb, void *payload,
		     wsp_error *err)
{
	char path[PATH_MAX], name[128];
	struct wsp__loaded *f, *first;
	size_t i, j, k, n;
	char **names;
	uint32_t kind;
	int rc = 0;

	pthread_mutex_lock(&l->lock);
	for (i = 0; i < l->n_dirs && !rc; i++) {
		names = list_dir(l, l->dirs[i].path, 1, &n);
		for (j = 0; j < n && !rc; j++) {
			snprintf(path, sizeof(path), "%s/%s", l->dirs[i].path,
				 names[j]);
			if (wsp__plugin_file_name(&kind, name, sizeof(name),
						  names[j]) < 0) {
				rc = misnamed(path, names[j], cb, payload);
				continue;
			}
			/* The first file of this kind and name wins. */
			first = NULL;
			for (k = 0; k < l->n_files && !first; k++)
				if (l->files[k]->kind == kind &&
				    !strcmp(l->files[k]->name, name) &&
				    strcmp(l->files[k]->path, path))
					first = l->files[k];
			if (first) {
				struct wsp__loaded shadow = {0};

				shadow.path = path;
				shadow.kind = kind;
				shadow.name = name;
				rc = cb(&shadow, first->path, payload);
				continue;
			}
			f = load_path(l, path, kind, name);
			if (!f) {
				rc = wsp_error_set(err, WSP_ENOMEM,
						   "out of memory");
				break;
			}
			rc = cb(f, NULL, payload);
		}
		for (j = 0; j < n; j++)
			free(names[j]);
		free(names);
	}
	pthread_mutex_unlock(&l->lock);
	if (rc < 0 && rc != WSP_ENOMEM)
		wsp_error_set(err, rc, "plugin listing stopped: %s",
			      wsp_strerror(rc));
	return rc;
}
