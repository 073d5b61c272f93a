/*
 * plugins/sandbox-local/paths.c - path and string-vector helpers: joining,
 * containment, lexical resolution, mkdir -p and rm -rf.
 */
#include "instance.h"

#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <limits.h>
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

char *local_path_search(const char *path, const char *name, bool absolute_only)
{
	const char *s = path;

	while (*s) {
		size_t n = strcspn(s, ":");
		char *dir = strndup(s, n);
		char *full;

		if (!dir)
			return NULL;
		full = (absolute_only ? dir[0] == '/' : n > 0)
			       ? local_path_join(dir, name)
			       : NULL;
		free(dir);
		if (full && access(full, X_OK) == 0)
			return full;
		free(full);
		s += n;
		if (*s == ':')
			s++;
	}
	return NULL;
}

DIR *local_opendir_dup(int dirfd)
{
	int fd = dup(dirfd), e;
	DIR *d;

	if (fd < 0)
		return NULL;
	d = fdopendir(fd);
	if (!d) {
		e = errno;
		close(fd);
		errno = e;
	}
	return d;
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

/*
 * One step of local_path_real(): take the first component of *rest into
 * comp (NUL-terminated, at most cap - 1 bytes) and advance *rest past it
 * and the slashes after it; 0 at the end of the path, -1 when too long.
 */
static int next_component(const char **rest, char *comp, size_t cap)
{
	const char *s = *rest;
	size_t n;

	while (*s == '/')
		s++;
	n = strcspn(s, "/");
	if (n >= cap)
		return -1;
	memcpy(comp, s, n);
	comp[n] = '\0';
	s += n;
	while (*s == '/')
		s++;
	*rest = s;
	return n ? 1 : 0;
}

char *local_path_real(const char *path)
{
	char cur[PATH_MAX], comp[NAME_MAX + 1], target[PATH_MAX];
	char *pending = NULL, *grown;
	const char *rest = path;
	size_t len = 0; /* of cur; "" stands for "/" */
	int links = 0, more;
	struct stat st;
	ssize_t n;

	if (!path || path[0] != '/') {
		errno = EINVAL;
		return NULL;
	}
	cur[0] = '\0';
	while ((more = next_component(&rest, comp, sizeof(comp))) > 0) {
		if (!strcmp(comp, "."))
			continue;
		if (!strcmp(comp, "..")) {
			while (len && cur[len - 1] != '/')
				len--;
			if (len)
				len--;
			cur[len] = '\0';
			continue;
		}
		if (len + 1 + strlen(comp) >= sizeof(cur))
			goto too_long;
		cur[len++] = '/';
		strcpy(cur + len, comp);
		len += strlen(comp);
		if (lstat(cur, &st) < 0) {
			if (errno == ENOENT)
				continue; /* made by mkdir -p: a real directory */
			goto fail;
		}
		if (!S_ISLNK(st.st_mode))
			continue;
		/* A link: its target takes its place in what is left. */
		if (++links > 40) {
			errno = ELOOP;
			goto fail;
		}
		n = readlink(cur, target, sizeof(target) - 1);
		if (n < 0)
			goto fail;
		target[n] = '\0';
		grown = malloc((size_t)n + 1 + strlen(rest) + 1);
		if (!grown)
			goto fail;
		strcpy(grown, target);
		strcat(grown, "/");
		strcat(grown, rest);
		free(pending);
		pending = grown;
		rest = pending;
		if (target[0] == '/')
			len = 0;
		else
			while (len && cur[len - 1] != '/')
				len--;
		if (len && cur[len - 1] == '/')
			len--;
		cur[len] = '\0';
	}
	if (more < 0)
		goto too_long;
	free(pending);
	return strdup(len ? cur : "/");
too_long:
	errno = ENAMETOOLONG;
fail:
	free(pending);
	return NULL;
}

void local_printable(char *dst, size_t cap, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	if (!cap)
		return;
	/* Room is kept for "..." and the NUL, in case s does not fit. */
	for (; *s && o + 4 + 4 <= cap; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c != 0x7f) {
			dst[o++] = (char)c;
			continue;
		}
		dst[o++] = '\\';
		dst[o++] = 'x';
		dst[o++] = hex[c >> 4];
		dst[o++] = hex[c & 15];
	}
	if (*s && o + 4 <= cap) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o] = '\0';
}
