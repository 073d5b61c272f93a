/*
 * core/files/path.c - workspace path normalisation, done once here so that no
 * provider ever sees '.', '..', repeated or trailing slashes.
 */
#include "files.h"

#include <string.h>

int wsp_files_normalize(char *out, size_t cap, const char *path, wsp_error *err)
{
	const char *s = path;
	size_t len = 0;

	if (!path)
		return wsp_error_set(err, WSP_EINVAL, "path is missing");
	if (strlen(path) > WSP_FILES_PATH_MAX)
		return wsp_error_set(err, WSP_EINVAL,
				     "path '%.64s...' is longer than %d bytes",
				     path, WSP_FILES_PATH_MAX);
	if (cap < 2)
		return wsp_error_set(err, WSP_EINVAL,
				     "no room to normalise '%s'", path);
	while (*s) {
		const char *e = strchrnul(s, '/');
		size_t n = (size_t)(e - s);

		if (n == 2 && s[0] == '.' && s[1] == '.') {
			if (!len)
				return wsp_error_set(err, WSP_EPERM,
						     "path '%s' escapes the "
						     "workspace root",
						     path);
			do
				len--;
			while (len && out[len] != '/');
		} else if (n && !(n == 1 && s[0] == '.')) {
			if (len + 1 + n + 1 > cap)
				return wsp_error_set(err, WSP_EINVAL,
						     "path '%.64s...' is too "
						     "long",
						     path);
			out[len++] = '/';
			memcpy(out + len, s, n);
			len += n;
		}
		s = *e ? e + 1 : e;
	}
	if (!len)
		out[len++] = '/';
	out[len] = '\0';
	return 0;
}

int wsp__path_within(const char *dir, const char *path)
{
	size_t n = strlen(dir);

	if (!strcmp(dir, "/"))
		return 1;
	return !strncmp(dir, path, n) && (path[n] == '\0' || path[n] == '/');
}

const char *wsp__path_rest(const char *dir, const char *path)
{
	size_t n = strlen(dir);

	if (!strcmp(dir, "/"))
		n = 0;
	path += n;
	while (*path == '/')
		path++;
	return *path ? path : ".";
}
