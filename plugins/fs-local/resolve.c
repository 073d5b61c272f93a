/*
 * plugins/fs-local/resolve.c - contained path resolution.
 *
 * Two resolvers with one contract (see local.h): openat2 with
 * RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS where the kernel has it (5.6+),
 * and otherwise a walk that opens one component at a time with O_NOFOLLOW,
 * keeps the directories it went through as descriptors (so ".." is a pop,
 * never a lookup that a concurrent rename could redirect), expands symlinks
 * itself and refuses absolute targets and any ".." above the root. Both
 * report an escape as EXDEV.
 */
#include "local.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define LFS_MAX_SYMLINKS  40   /* as the kernel's MAXSYMLINKS */
#define LFS_WALK_DEPTH	  1024 /* directories held open by one walk */
#define LFS_OPENAT2_TRIES 32   /* EAGAIN: a rename raced the lookup */
#define LFS_WALK_RETRIES  32   /* a name changed type while we looked */

/* Set once openat2 answered ENOSYS: the whole process walks from then on. */
static atomic_int openat2_missing;

int lfs_uses_openat2(const struct lfs *fs)
{
	return !fs->use_walk && !atomic_load(&openat2_missing);
}

static int is_dotdot(const char *s, size_t n)
{
	return n == 2 && s[0] == '.' && s[1] == '.';
}

int lfs_route(struct lfs_path *out, const struct lfs *fs, const char *path,
	      wsp_error *err)
{
	const char *s = path;
	size_t len = 0, i, best = 0;
	int found = 0;

	if (!path)
		return wsp_error_set(err, WSP_EINVAL, "path is missing");
	out->shown = path;
	out->root = &fs->base;
	if (strlen(path) > LFS_PATH_MAX)
		return wsp_error_set(err, WSP_EINVAL,
				     "path '%.64s...' is longer than %d bytes",
				     path, LFS_PATH_MAX);
	if (path[0] == '/')
		return wsp_error_set(err, WSP_EPERM,
				     "path '%s' escapes the filesystem root: "
				     "absolute paths are not accepted here",
				     path);
	while (*s) {
		const char *e = strchrnul(s, '/');
		size_t n = (size_t)(e - s);

		if (is_dotdot(s, n))
			return wsp_error_set(err, WSP_EPERM,
					     "path '%s' escapes the filesystem "
					     "root: '..' is not accepted here",
					     path);
		if (n && !(n == 1 && s[0] == '.')) {
			if (len)
				out->rel[len++] = '/';
			memcpy(out->rel + len, s, n);
			len += n;
		}
		s = *e ? e + 1 : e;
	}
	if (!len)
		out->rel[len++] = '.';
	out->rel[len] = '\0';

	/* The longest allowed_paths prefix that covers the path serves it. */
	for (i = 0; i < fs->n_extra; i++) {
		const struct lfs_root *r = &fs->extra[i];
		size_t n = r->prefix_len;

		if (n >= best && !strncmp(out->rel, r->prefix, n) &&
		    (out->rel[n] == '\0' || out->rel[n] == '/')) {
			out->root = r;
			best = n;
			found = 1;
		}
	}
	if (found) {
		const char *rest = out->rel + best;

		if (*rest == '/')
			rest++;
		if (!*rest)
			rest = ".";
		memmove(out->rel, rest, strlen(rest) + 1);
	}
	return 0;
}

/* Take the first component of *rem into comp; 0 when none is left. */
static size_t next_component(char **rem, const char **comp)
{
	char *s = *rem;
	size_t n;

	for (;;) {
		while (*s == '/')
			s++;
		n = strcspn(s, "/");
		if (n == 1 && s[0] == '.') {
			s += 1;
			continue;
		}
		break;
	}
	*comp = s;
	*rem = s + n;
	return n;
}

/*
 * Replace the walk's remaining path with target + "/" + rest. Absolute
 * targets leave the root: EXDEV.
 */
static int expand_link(char *buf, size_t cap, const char *target,
		       const char *rest)
{
	size_t t = strlen(target), r = strlen(rest);

	if (target[0] == '/') {
		errno = EXDEV;
		return -1;
	}
	if (t + 1 + r + 1 > cap) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memmove(buf + t + 1, rest, r + 1);
	memcpy(buf, target, t);
	buf[t] = '/';
	return 0;
}

int lfs_readlinkat(int dirfd, const char *name, char *out, size_t cap)
{
	ssize_t n = readlinkat(dirfd, name, out, cap);

	if (n < 0)
		return -1;
	if ((size_t)n >= cap) {
		errno = ENAMETOOLONG;
		return -1;
	}
	out[n] = '\0';
	return 0;
}

static int walk_open(int rootfd, const char *rel, int flags, mode_t mode)
{
	char buf[2 * LFS_PATH_MAX + 2], target[LFS_PATH_MAX + 1];
	int stack[LFS_WALK_DEPTH];
	int depth = 0, links = 0, retries = 0, fd = -1, saved;
	char *rem = buf;
	struct stat st;

	if (strlen(rel) >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(buf, rel);
	for (;;) {
		int cur = depth ? stack[depth - 1] : rootfd;
		const char *comp;
		char name[NAME_MAX + 1];
		size_t n = next_component(&rem, &comp);
		int last;

		if (n > NAME_MAX) {
			errno = ENAMETOOLONG;
			goto fail;
		}
		if (!n) {
			/* Nothing left: the directory we are in is the end. */
			fd = openat(cur, ".", (flags & ~O_NOFOLLOW) | O_CLOEXEC,
				    mode);
			if (fd < 0)
				goto fail;
			break;
		}
		if (is_dotdot(comp, n)) {
			if (!depth) {
				errno = EXDEV;
				goto fail;
			}
			close(stack[--depth]);
			continue;
		}
		memcpy(name, comp, n);
		name[n] = '\0';
		while (*rem == '/')
			rem++;
		last = !*rem;

		if (last) {
			fd = openat(cur, name, flags | O_NOFOLLOW | O_CLOEXEC,
				    mode);
			if (fd >= 0) {
				if (!(flags & O_PATH) || (flags & O_NOFOLLOW))
					break;
				if (fstat(fd, &st) < 0)
					goto fail;
				if (!S_ISLNK(st.st_mode))
					break;
				/* O_PATH gave us the link itself: follow. */
			} else {
				if (flags & O_NOFOLLOW)
					goto fail;
				if (errno != ELOOP && errno != ENOTDIR &&
				    errno != EEXIST)
					goto fail;
				saved = errno;
				fd = openat(cur, name,
					    O_PATH | O_NOFOLLOW | O_CLOEXEC);
				if (fd < 0)
					goto fail;
				if (fstat(fd, &st) < 0)
					goto fail;
				if ((flags & O_CREAT) && (flags & O_EXCL)) {
					errno = saved;
					goto fail;
				}
				if (!S_ISLNK(st.st_mode)) {
					/* Swapped back under us: try again. */
					if (++retries > LFS_WALK_RETRIES) {
						errno = saved;
						goto fail;
					}
					close(fd);
					fd = -1;
					rem = (char *)comp;
					continue;
				}
			}
		} else {
			fd = openat(cur, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
			if (fd < 0)
				goto fail;
			if (fstat(fd, &st) < 0)
				goto fail;
			if (S_ISDIR(st.st_mode)) {
				if (depth == LFS_WALK_DEPTH) {
					errno = ENAMETOOLONG;
					goto fail;
				}
				stack[depth++] = fd;
				fd = -1;
				continue;
			}
			if (!S_ISLNK(st.st_mode)) {
				errno = ENOTDIR;
				goto fail;
			}
		}
		/* fd is a symlink inside cur: splice its target in. */
		if (++links > LFS_MAX_SYMLINKS) {
			errno = ELOOP;
			goto fail;
		}
		/* the link itself, opened with O_PATH | O_NOFOLLOW */
		if (lfs_readlinkat(fd, "", target, sizeof(target)) < 0)
			goto fail;
		close(fd);
		fd = -1;
		if (expand_link(buf, sizeof(buf), target, rem) < 0)
			goto fail;
		rem = buf;
	}
	while (depth)
		close(stack[--depth]);
	return fd;
fail:
	saved = errno;
	if (fd >= 0)
		close(fd);
	while (depth)
		close(stack[--depth]);
	errno = saved;
	return -1;
}

int lfs_open(const struct lfs *fs, const struct lfs_root *root, const char *rel,
	     int flags, mode_t mode)
{
	if (lfs_uses_openat2(fs)) {
		struct open_how how = {0};
		int tries, fd = -1;

		how.flags = (uint64_t)(flags | O_CLOEXEC);
		if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE)
			how.mode = mode;
		how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
		for (tries = 0; tries < LFS_OPENAT2_TRIES; tries++) {
			fd = (int)syscall(SYS_openat2, root->fd, rel, &how,
					  sizeof(how));
			if (fd >= 0 || errno != EAGAIN)
				break;
		}
		if (fd >= 0 || errno != ENOSYS)
			return fd;
		atomic_store(&openat2_missing, 1);
	}
	return walk_open(root->fd, rel, flags, mode);
}

int lfs_route_open(int *fd, const struct lfs *fs, const char *path, int flags,
		   wsp_error *err)
{
	struct lfs_path p;
	int rc = lfs_route(&p, fs, path, err);

	if (rc < 0)
		return rc;
	*fd = lfs_open(fs, p.root, p.rel, flags, 0);
	return 0;
}

int lfs_open_parent(const struct lfs *fs, const struct lfs_path *p,
		    const char **name)
{
	char dir[LFS_PATH_MAX + 1];
	const char *slash = strrchr(p->rel, '/');

	if (!strcmp(p->rel, ".")) {
		errno = EINVAL;
		return -1;
	}
	if (slash) {
		memcpy(dir, p->rel, (size_t)(slash - p->rel));
		dir[slash - p->rel] = '\0';
		*name = slash + 1;
	} else {
		strcpy(dir, ".");
		*name = p->rel;
	}
	return lfs_open(fs, p->root, dir, O_RDONLY | O_DIRECTORY, 0);
}
