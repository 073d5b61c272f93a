/*
 * plugins/sandbox-local/paths.c - path and string-vector helpers: joining,
 * containment, lexical resolution, mkdir -p and rm -rf.
 */
#include "instance.h"

#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *local_path_join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *p;

	while (la > 1 && a[la - 1] == '/')
		la--;
	p = malloc(la + 1 + lb + 1);
	if (!p)
		return NULL;
	memcpy(p, a, la);
	if (!(la == 1 && a[0] == '/'))
		p[la++] = '/';
	memcpy(p + la, b, lb + 1);
	return p;
}

int local_mkdir_p(const char *path, mode_t mode)
{
	char *copy = strdup(path);
	char *s;
	struct stat st;
	int rc = 0;

	if (!copy)
		return -ENOMEM;
	for (s = copy + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char saved = *s;

		*s = '\0';
		if (mkdir(copy, mode) < 0 && errno != EEXIST) {
			rc = -errno;
			break;
		}
		*s = saved;
		if (!saved)
			break;
	}
	free(copy);
	if (rc)
		return rc;
	if (stat(path, &st) < 0)
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

/* Remove everything inside the directory open as dfd, then close it. */
static int remove_contents(int dfd)
{
	DIR *d = fdopendir(dfd);
	struct dirent *e;
	int rc = 0;

	if (!d) {
		close(dfd);
		return -errno;
	}
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (!unlinkat(dirfd(d), e->d_name, 0))
			continue;
		if (errno != EISDIR && errno != EPERM) {
			rc = rc ? rc : -errno;
			continue;
		}
		int sub = openat(dirfd(d), e->d_name,
				 O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
					 O_CLOEXEC);
		if (sub < 0) {
			rc = rc ? rc : -errno;
			continue;
		}
		int r = remove_contents(sub);

		if (r)
			rc = rc ? rc : r;
		if (unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR) < 0)
			rc = rc ? rc : -errno;
	}
	closedir(d);
	return rc;
}

int local_remove_tree(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int rc;

	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		if (errno == ENOTDIR || errno == ELOOP)
			return unlink(path) < 0 ? -errno : 0;
		return -errno;
	}
	rc = remove_contents(fd);
	if (rmdir(path) < 0 && !rc)
		rc = -errno;
	return rc;
}

int local_path_within(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (n == 1 && dir[0] == '/')
		return path[0] == '/';
	return !strncmp(path, dir, n) && (path[n] == '\0' || path[n] == '/');
}

char *local_path_resolve_under(const char *base, const char *rel)
{
	size_t lb = strlen(base), lr = strlen(rel);
	char *out = malloc(lb + 1 + lr + 1);
	size_t len, floor;
	const char *s = rel;

	if (!out)
		return NULL;
	memcpy(out, base, lb + 1);
	while (lb > 1 && out[lb - 1] == '/')
		out[--lb] = '\0';
	len = floor = lb;
	while (*s) {
		const char *e = strchr(s, '/');
		size_t n = e ? (size_t)(e - s) : strlen(s);

		if (n == 0 || (n == 1 && s[0] == '.')) {
			/* skip */
		} else if (n == 2 && s[0] == '.' && s[1] == '.') {
			if (len == floor) {
				free(out);
				errno = EACCES; /* climbs above base */
				return NULL;
			}
			while (len > floor && out[len - 1] != '/')
				len--;
			if (len > 1)
				len--; /* the '/' itself, unless it is root */
			out[len] = '\0';
		} else {
			if (!(len == 1 && out[0] == '/'))
				out[len++] = '/';
			memcpy(out + len, s, n);
			len += n;
			out[len] = '\0';
		}
		s += n;
		if (*s == '/')
			s++;
	}
	return out;
}

size_t local_strv_len(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

void local_strv_free(char **v)
{
	size_t i;

	for (i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}
