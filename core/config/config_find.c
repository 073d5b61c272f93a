/*
 * core/config/config_find.c - which configuration is used, and reading it.
 *
 * Order: config_text, config_path, $WSP_CONFIG, ./wsp.yaml,
 * $XDG_CONFIG_HOME/wsp/wsp.yaml (default ~/.config), /etc/wsp/wsp.yaml,
 * then the embedded default. A file named explicitly (config_path or
 * $WSP_CONFIG) must exist; the others are skipped when absent but not
 * when present and unreadable, so a broken file is never silently passed
 * over.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SYSTEM_CONFIG "/etc/wsp/wsp.yaml"

/*
 * Read a whole configuration file (bounded). Returns 0, WSP_ENOTFOUND when
 * it does not exist, or another code with err set.
 */
static int read_file(char **out, size_t *out_len, const char *path,
		     wsp_error *err)
{
	struct stat st;
	size_t len = 0, cap;
	ssize_t n;
	char *buf;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		if (errno == ENOENT)
			return wsp_error_set_os(err, WSP_ENOTFOUND, errno,
						"cannot read config file '%s': "
						"%s; check the path",
						path, strerror(errno));
		return wsp_error_set_os(err, WSP_EIO, errno,
					"cannot read config file '%s': %s; "
					"check its permissions",
					path, strerror(errno));
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return wsp_error_set(err, WSP_ECONFIG,
				     "config file '%s' is not a regular file; "
				     "point at a wsp.yaml file",
				     path);
	}
	if (st.st_size > WSP__YAML_MAX_BYTES) {
		close(fd);
		return wsp_error_set(err, WSP_ETOOBIG,
				     "config file '%s' is %lld bytes, more "
				     "than the 1 MiB a configuration may have",
				     path, (long long)st.st_size);
	}
	cap = (size_t)st.st_size + 1;
	buf = malloc(cap + 1);
	if (!buf) {
		close(fd);
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	/* The file may grow while read: stop at the bound all the same. */
	while ((n = read(fd, buf + len, cap - len)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			wsp_error_set_os(err, WSP_EIO, errno,
					 "cannot read config file '%s': %s",
					 path, strerror(errno));
			free(buf);
			close(fd);
			return WSP_EIO;
		}
		len += (size_t)n;
		if (len == cap)
			break;
	}
	close(fd);
	if (len > WSP__YAML_MAX_BYTES) {
		free(buf);
		return wsp_error_set(err, WSP_ETOOBIG,
				     "config file '%s' is more than the 1 MiB "
				     "a configuration may have",
				     path);
	}
	buf[len] = '\0';
	*out = buf;
	*out_len = len;
	return 0;
}

static int current_dir(char *buf, size_t cap, wsp_error *err)
{
	if (getcwd(buf, cap))
		return 0;
	return wsp_error_set_os(err, WSP_EIO, errno,
				"cannot find the current directory: %s",
				strerror(errno));
}

/* Parse file at path (which exists); its directory anchors relative paths. */
static int load_file(struct wsp__config **out, const char *path,
		     struct wsp__diags *d, wsp_error *err)
{
	char dir[PATH_MAX], *text = NULL, *slash;
	size_t len = 0;
	int rc;

	rc = read_file(&text, &len, path, err);
	if (rc)
		return rc;
	if (!realpath(path, dir)) {
		rc = current_dir(dir, sizeof(dir), err);
		if (rc) {
			free(text);
			return rc;
		}
	} else {
		slash = strrchr(dir, '/');
		if (slash == dir)
			slash[1] = '\0';
		else if (slash)
			*slash = '\0';
	}
	rc = wsp__config_parse(out, text, len, path, dir, 1, d);
	free(text);
	if (rc == WSP_ECONFIG)
		return wsp__diag_to_error(d, err);
	if (rc == WSP_ENOMEM)
		return wsp_error_set(err, rc, "out of memory");
	return rc;
}

static int load_text(struct wsp__config **out, const char *text,
		     const char *name, struct wsp__diags *d, wsp_error *err)
{
	char dir[PATH_MAX];
	int rc;

	rc = current_dir(dir, sizeof(dir), err);
	if (rc)
		return rc;
	rc = wsp__config_parse(out, text, strlen(text), name, dir, 0, d);
	if (rc == WSP_ECONFIG)
		return wsp__diag_to_error(d, err);
	if (rc == WSP_ENOMEM)
		return wsp_error_set(err, rc, "out of memory");
	return rc;
}

/* Load path if it exists; *found says whether it did. */
static int try_file(struct wsp__config **out, int *found, const char *path,
		    struct wsp__diags *d, wsp_error *err)
{
	struct stat st;

	*found = 0;
	if (stat(path, &st) < 0 && errno == ENOENT)
		return 0;
	*found = 1;
	return load_file(out, path, d, err);
}

int wsp__config_load(struct wsp__config **out, const wsp_open_opts *opts,
		     struct wsp__diags *d, wsp_error *err)
{
	char path[PATH_MAX];
	const char *env, *home;
	int rc, found;

	*out = NULL;
	if (opts && (opts->flags & WSP_OPEN_DEFAULT_CONFIG))
		return load_text(out, wsp__default_config, "<default>", d,
				 err);
	if (opts && opts->config_text)
		return load_text(out, opts->config_text,
				 opts->config_name ? opts->config_name :
						     "<config>",
				 d, err);
	if (opts && opts->config_path)
		return load_file(out, opts->config_path, d, err);
	env = getenv("WSP_CONFIG");
	if (env && *env)
		return load_file(out, env, d, err);
	rc = try_file(out, &found, "wsp.yaml", d, err);
	if (found)
		return rc;
	env = getenv("XDG_CONFIG_HOME");
	home = getenv("HOME");
	path[0] = '\0';
	if (env && *env == '/')
		snprintf(path, sizeof(path), "%s/wsp/wsp.yaml", env);
	else if (home && *home)
		snprintf(path, sizeof(path), "%s/.config/wsp/wsp.yaml", home);
	if (path[0]) {
		rc = try_file(out, &found, path, d, err);
		if (found)
			return rc;
	}
	rc = try_file(out, &found, SYSTEM_CONFIG, d, err);
	if (found)
		return rc;
	return load_text(out, wsp__default_config, "<default>", d, err);
}
