/*
 * plugins/sandbox-local/checkpoint.c - named snapshots of the working
 * directory, offered as extension operations (`wsp ext`):
 *
 *   checkpoint NAME   copy the working directory to
 *                     <state_dir>/checkpoints/NAME
 *   restore NAME      make the working directory that copy again
 *   checkpoints       list the names, with their creation times
 *
 * Both directions build a complete copy under a temporary name first and
 * only then rename it into place, so a crash leaves either the old tree or
 * the new one, never a mix. Restore swaps the two directories with
 * renameat2(RENAME_EXCHANGE), which needs the copy on the working
 * directory's filesystem: it is built as a sibling of the working
 * directory ("<workdir>.restore-XXXXXX").
 *
 * Regular files, directories and symbolic links (kept as links, never
 * followed) are copied with their permission bits and modification times;
 * other file types (sockets, fifos, devices) are skipped.
 */
#include "instance.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CKPT_NAME_MAX  64
#define CKPT_DEPTH_MAX 128

struct copy_stats {
	uint64_t files;
	uint64_t bytes;
};

/* [A-Za-z0-9._-]{1,64}, not starting with '.' (no hidden or ".." names). */
static int is_checkpoint_name(const char *s)
{
	size_t n = 0;

	if (!s || s[0] == '.' || s[0] == '\0')
		return 0;
	for (; s[n]; n++) {
		char c = s[n];

		if (n >= CKPT_NAME_MAX)
			return 0;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			return 0;
	}
	return 1;
}

static int check_name(const char *name, wsp_error *err)
{
	if (is_checkpoint_name(name))
		return 0;
	return wsp_error_set(
		err, WSP_EINVAL,
		"invalid checkpoint name '%s'; use 1 to %d letters, digits, "
		"'.', '_' or '-', not starting with '.'",
		name ? name : "", CKPT_NAME_MAX);
}

/* A host->alloc copy of s, as extension results must be. */
static int give_result(char **result, const struct local_sandbox *sb,
		       const char *s, wsp_error *err)
{
	const wsp_host *h = local_host(sb);
	size_t n = strlen(s) + 1;

	*result = h->alloc(h, n);
	if (!*result)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	memcpy(*result, s, n);
	return 0;
}

static int copy_file(int sdir, int ddir, const char *name,
		     const struct stat *st, struct copy_stats *stats)
{
	char buf[65536];
	int in, out, rc = 0;
	ssize_t n;

	in = openat(sdir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return -errno;
	out = openat(ddir, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out < 0) {
		rc = -errno;
		close(in);
		return rc;
	}
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		char *p = buf;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			break;
		}
		stats->bytes += (uint64_t)n;
		while (n > 0) {
			ssize_t w = write(out, p, (size_t)n);

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				rc = -errno;
				goto done;
			}
			p += w;
			n -= w;
		}
	}
done:
	if (!rc && fchmod(out, st->st_mode & 07777) < 0)
		rc = -errno;
	if (!rc) {
		struct timespec ts[2] = {st->st_atim, st->st_mtim};

		if (futimens(out, ts) < 0)
			rc = -errno;
	}
	if (close(out) < 0 && !rc)
		rc = -errno;
	close(in);
	if (!rc)
		stats->files++;
	return rc;
}

static int copy_link(int sdir, int ddir, const char *name,
		     const struct stat *st)
{
	struct timespec ts[2] = {st->st_atim, st->st_mtim};
	char target[PATH_MAX];
	ssize_t n;

	n = readlinkat(sdir, name, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	if (symlinkat(target, ddir, name) < 0)
		return -errno;
	/* Best effort: some filesystems keep no times on links. */
	utimensat(ddir, name, ts, AT_SYMLINK_NOFOLLOW);
	return 0;
}

/* Give a copied directory its source's mode and times, contents first. */
static int finish_dir(int dfd, const struct stat *st)
{
	struct timespec ts[2] = {st->st_atim, st->st_mtim};

	if (fchmod(dfd, st->st_mode & 07777) < 0 || futimens(dfd, ts) < 0)
		return -errno;
	return 0;
}

static int copy_entries(int sfd, int dfd, int depth, struct copy_stats *stats);

static int copy_subdir(int sdir, int ddir, const char *name,
		       const struct stat *st, int depth,
		       struct copy_stats *stats)
{
	int sfd, dfd, rc;

	if (depth >= CKPT_DEPTH_MAX)
		return -ELOOP;
	if (mkdirat(ddir, name, 0700) < 0)
		return -errno;
	sfd = openat(sdir, name,
		     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sfd < 0)
		return -errno;
	dfd = openat(ddir, name,
		     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0) {
		rc = -errno;
		close(sfd);
		return rc;
	}
	rc = copy_entries(sfd, dfd, depth + 1, stats);
	if (!rc)
		rc = finish_dir(dfd, st);
	close(dfd);
	close(sfd);
	return rc;
}

/* Copy what directory sfd holds into the empty directory dfd. */
static int copy_entries(int sfd, int dfd, int depth, struct copy_stats *stats)
{
	DIR *d = local_opendir_dup(sfd);
	struct dirent *e;
	int rc = 0;

	if (!d)
		return -errno;
	while (!rc && (errno = 0, e = readdir(d))) {
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (fstatat(sfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			rc = -errno;
			break;
		}
		if (S_ISDIR(st.st_mode))
			rc = copy_subdir(sfd, dfd, e->d_name, &st, depth,
					 stats);
		else if (S_ISREG(st.st_mode))
			rc = copy_file(sfd, dfd, e->d_name, &st, stats);
		else if (S_ISLNK(st.st_mode))
			rc = copy_link(sfd, dfd, e->d_name, &st);
	}
	if (!rc && errno)
		rc = -errno;
	closedir(d);
	return rc;
}

/* Copy the tree at src into the existing, empty directory dst. */
static int copy_tree(const char *src, const char *dst, struct copy_stats *stats)
{
	int sfd, dfd, rc;
	struct stat st;

	sfd = open(src, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sfd < 0)
		return -errno;
	dfd = open(dst, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0) {
		rc = -errno;
		close(sfd);
		return rc;
	}
	rc = fstat(sfd, &st) < 0 ? -errno : 0;
	if (!rc)
		rc = copy_entries(sfd, dfd, 0, stats);
	if (!rc)
		rc = finish_dir(dfd, &st);
	close(dfd);
	close(sfd);
	return rc;
}

/* "<state_dir>/checkpoints", and "<...>/NAME" when name is set. */
static char *checkpoint_path(const struct local_sandbox *sb, const char *name)
{
	char *dir = local_path_join(local_state_dir(sb), "checkpoints");
	char *out;

	if (!dir || !name)
		return dir;
	out = local_path_join(dir, name);
	free(dir);
	return out;
}

static int local_checkpoint(char **result, void *self, const char *name,
			    wsp_error *err)
{
	struct local_sandbox *sb = self;
	struct copy_stats stats = {0, 0};
	char *dir = NULL, *dst = NULL, *tmp = NULL, msg[256];
	int rc;

	*result = NULL;
	if ((rc = check_name(name, err)) < 0)
		return rc;
	dir = checkpoint_path(sb, NULL);
	dst = checkpoint_path(sb, name);
	tmp = local_path_join(dir ? dir : "", ".tmp-XXXXXX");
	if (!dir || !dst || !tmp) {
		rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
		goto out;
	}
	if (access(dst, F_OK) == 0) {
		rc = wsp_error_set(
			err, WSP_EEXIST,
			"checkpoint '%s' already exists; pick another name",
			name);
		goto out;
	}
	rc = local_mkdir_p(dir, 0700);
	if (rc < 0) {
		rc = wsp_error_set_os(err, WSP_EIO, -rc,
				      "cannot create '%s': %s", dir,
				      strerror(-rc));
		goto out;
	}
	if (!mkdtemp(tmp)) {
		rc = wsp_error_set_os(err, WSP_EIO, errno,
				      "cannot create a directory in '%s': %s",
				      dir, strerror(errno));
		goto out;
	}
	rc = copy_tree(sb->working_dir, tmp, &stats);
	if (rc < 0) {
		rc = wsp_error_set_os(
			err, WSP_EIO, -rc,
			"cannot checkpoint '%s': copying '%s' failed: %s", name,
			sb->working_dir, strerror(-rc));
		goto fail;
	}
	/* NOREPLACE: a plain rename would replace an empty directory. */
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, dst, RENAME_NOREPLACE) < 0) {
		if (errno == EEXIST)
			rc = wsp_error_set(
				err, WSP_EEXIST,
				"checkpoint '%s' already exists; pick another "
				"name",
				name);
		else
			rc = wsp_error_set_os(
				err, WSP_EIO, errno,
				"cannot checkpoint '%s': rename failed: %s",
				name, strerror(errno));
		goto fail;
	}
	snprintf(msg, sizeof(msg), "checkpoint '%s': %llu files, %llu bytes",
		 name, (unsigned long long)stats.files,
		 (unsigned long long)stats.bytes);
	rc = give_result(result, sb, msg, err);
	goto out;
fail:
	local_remove_tree(tmp);
out:
	free(tmp);
	free(dst);
	free(dir);
	return rc;
}

static int local_restore(char **result, void *self, const char *name,
			 wsp_error *err)
{
	struct local_sandbox *sb = self;
	struct copy_stats stats = {0, 0};
	char *src = NULL, *tmp = NULL, msg[256];
	struct stat st;
	size_t n;
	int rc;

	*result = NULL;
	if ((rc = check_name(name, err)) < 0)
		return rc;
	src = checkpoint_path(sb, name);
	n = strlen(sb->working_dir) + sizeof(".restore-XXXXXX");
	tmp = malloc(n);
	if (!src || !tmp) {
		rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
		goto out;
	}
	if (lstat(src, &st) < 0 || !S_ISDIR(st.st_mode)) {
		rc = wsp_error_set(err, WSP_ENOTFOUND,
				   "no checkpoint named '%s'; list them with "
				   "'wsp ext local checkpoints'",
				   name);
		goto out;
	}
	/* A sibling: same filesystem, so the exchange below can work. */
	snprintf(tmp, n, "%s.restore-XXXXXX", sb->working_dir);
	if (!mkdtemp(tmp)) {
		rc = wsp_error_set_os(
			err, WSP_EIO, errno,
			"cannot restore '%s': cannot create '%s': %s", name,
			tmp, strerror(errno));
		goto out;
	}
	rc = copy_tree(src, tmp, &stats);
	if (rc < 0) {
		rc = wsp_error_set_os(
			err, WSP_EIO, -rc,
			"cannot restore '%s': copying it failed: %s; the "
			"working directory is unchanged",
			name, strerror(-rc));
		local_remove_tree(tmp);
		goto out;
	}
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, sb->working_dir,
		      RENAME_EXCHANGE) < 0) {
		rc = wsp_error_set_os(
			err, WSP_EIO, errno,
			"cannot restore '%s': swapping directories failed: "
			"%s; the working directory is unchanged",
			name, strerror(errno));
		local_remove_tree(tmp);
		goto out;
	}
	/* tmp now names the old tree. */
	rc = local_remove_tree(tmp);
	if (rc < 0)
		local_host(sb)->log(
			local_host(sb), WSP_LOG_WARN,
			"restore '%s': cannot remove the old tree '%s': %s",
			name, tmp, strerror(-rc));
	snprintf(msg, sizeof(msg), "restored '%s': %llu files, %llu bytes",
		 name, (unsigned long long)stats.files,
		 (unsigned long long)stats.bytes);
	rc = give_result(result, sb, msg, err);
out:
	free(tmp);
	free(src);
	return rc;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * One "NAME<TAB>YYYY-MM-DDTHH:MM:SSZ" line per checkpoint, by name. The
 * time is the directory's ctime: set when it was renamed into place and
 * untouched afterwards.
 */
static int local_checkpoints(char **result, void *self, wsp_error *err)
{
	struct local_sandbox *sb = self;
	char **names = NULL, *dir, *out = NULL;
	size_t n = 0, cap = 0, len = 0, i;
	struct dirent *e;
	int rc = 0;
	DIR *d;

	*result = NULL;
	dir = checkpoint_path(sb, NULL);
	if (!dir)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	d = opendir(dir);
	if (!d && errno != ENOENT) {
		rc = wsp_error_set_os(err, WSP_EIO, errno,
				      "cannot list '%s': %s", dir,
				      strerror(errno));
		goto out;
	}
	while (d && (e = readdir(d))) {
		if (!is_checkpoint_name(e->d_name))
			continue;
		if (n == cap) {
			char **v;

			cap = cap ? cap * 2 : 16;
			v = realloc(names, cap * sizeof(*v));
			if (!v)
				goto nomem;
			names = v;
		}
		names[n] = strdup(e->d_name);
		if (!names[n])
			goto nomem;
		n++;
	}
	if (n)
		qsort(names, n, sizeof(*names), cmp_names);
	out = malloc(n * (CKPT_NAME_MAX + 32) + 1);
	if (!out)
		goto nomem;
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		struct stat st;
		char when[32] = "?";
		struct tm tm;

		if (fstatat(dirfd(d), names[i], &st, AT_SYMLINK_NOFOLLOW) ||
		    !S_ISDIR(st.st_mode))
			continue;
		if (gmtime_r(&st.st_ctim.tv_sec, &tm))
			strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		len += (size_t)sprintf(out + len, "%s\t%s\n", names[i], when);
	}
	rc = give_result(result, sb, out, err);
	goto out;
nomem:
	rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
out:
	if (d)
		closedir(d);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(out);
	free(dir);
	return rc;
}

#define EXT(name_, sig_, fn_, help_)                                           \
	{                                                                      \
		sizeof(wsp_ext_op), 0, (name_), (sig_), (wsp_ext_fn)(fn_),     \
			(help_)                                                \
	}

const wsp_ext_op local_ext_ops[] = {
	EXT("checkpoint", "r:s", local_checkpoint,
	    "NAME: snapshot the working directory under NAME"),
	EXT("restore", "r:s", local_restore,
	    "NAME: replace the working directory with checkpoint NAME"),
	EXT("checkpoints", "r:", local_checkpoints,
	    "list checkpoints, with their creation times"),
	WSP_EXT_END};
