/*
 * core/host/state.c - host->state_get/put/update/delete/list. One file per
 * key in the instance's store directory; every name is opened relative
 * to that directory's descriptor with O_NOFOLLOW, and every file is
 * checked (a regular file of the caller, within the size limit) before a
 * byte of it is read, since someone else may have put it there.
 *
 * Writers (put, update, delete) hold an exclusive flock on ".lock" in
 * the store, so an update's read-modify-write is never interleaved with
 * another writer in any process. Readers take no lock: a value is
 * replaced by renaming a complete, synced file over it. Names starting
 * with '.' (the lock, temporary files) are never keys.
 */
#include "state.h"
#include "grow.h"

#include <wsp/wsp.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOCK_NAME ".lock"

static int key_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
	       c == '_' || c == '-';
}

/* 1 when key is a valid key (or, with prefix, a valid key's start). */
static int key_ok(const char *key, int prefix)
{
	size_t n;

	if (!key)
		return prefix;
	for (n = 0; key[n]; n++)
		if (n >= WSP_STATE_KEY_MAX || !key_char((unsigned char)key[n]))
			return 0;
	return prefix || (n > 0 && key[0] != '.');
}

static int check_key(const char *key, const char *what, int prefix,
		     wsp_error *err)
{
	char shown[160];

	if (key_ok(key, prefix))
		return 0;
	if (!key)
		return wsp_error_set(err, WSP_EINVAL, "state store: no key");
	wsp__escape_ctl(shown, sizeof(shown), key);
	return wsp_error_set(err, WSP_EINVAL,
			     "state store: invalid %s '%s': keys are 1 to %d "
			     "of a-z 0-9 . _ - and do not start with '.'",
			     what, shown, WSP_STATE_KEY_MAX);
}

static int os_error(wsp_error *err, const wsp_state *st, const char *what,
		    const char *name)
{
	int e = errno;
	char shown[160];

	wsp__escape_ctl(shown, sizeof(shown), name);
	return wsp_error_set_os(err, e == EACCES ? WSP_EPERM : WSP_EIO, e,
				"state store %s/%s: cannot %s '%s': %s",
				st->group, st->inst, what, shown, strerror(e));
}

static int refused(wsp_error *err, const wsp_state *st, const char *name,
		   const char *why)
{
	char shown[160];

	wsp__escape_ctl(shown, sizeof(shown), name);
	return wsp_error_set(err, WSP_EPERM,
			     "state store %s/%s: refusing '%s': %s", st->group,
			     st->inst, shown, why);
}

/*
 * The store's directory as a descriptor: the state directory (trusted),
 * then store/, <kind>-<provider>/ and <instance>/, each a private
 * directory. Without create a missing one is WSP_ENOTFOUND, unreported.
 */
static int open_store(int *out, const wsp_state *st, int create,
		      wsp_error *err)
{
	const char *parts[3] = { "store", st->group, st->inst }, *why;
	int fd, next, rc;
	size_t i;

	*out = -1;
	fd = open(st->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && create && !mkdir(st->root, 0700))
		fd = open(st->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT && !create)
			return WSP_ENOTFOUND;
		return os_error(err, st, "open the state directory",
				st->root);
	}
	for (i = 0; i < 3; i++) {
		rc = wsp__private_dir_open(&next, fd, parts[i], create, &why);
		close(fd);
		if (rc == WSP_EPERM)
			return refused(err, st, parts[i], why);
		if (rc == WSP_EIO)
			return os_error(err, st, "open the directory",
					parts[i]);
		if (rc)
			return rc;
		fd = next;
	}
	*out = fd;
	return 0;
}

/* Why the file st describes may not be read or used, or NULL. */
static const char *file_refusal(const struct stat *sb)
{
	if (S_ISLNK(sb->st_mode))
		return "it is a symbolic link";
	if (!S_ISREG(sb->st_mode))
		return "it is not a regular file";
	if (sb->st_uid != geteuid())
		return "it belongs to another user";
	return NULL;
}

/*
 * What an open file (fd, opened as name) is now, not what its name was a
 * moment ago: refused as file_refusal says, or when it cannot be looked
 * at (what: "look at", in the message). fd is closed when it fails.
 */
static int check_opened(int fd, struct stat *sb, wsp_error *err,
			const wsp_state *st, const char *name,
			const char *what)
{
	const char *why;

	if (fstat(fd, sb) < 0) {
		close(fd);
		return os_error(err, st, what, name);
	}
	why = file_refusal(sb);
	if (why) {
		close(fd);
		return refused(err, st, name, why);
	}
	return 0;
}

/* Take the store's writer lock: its descriptor in *out. */
static int lock_store(int *out, int dfd, const wsp_state *st, wsp_error *err)
{
	struct stat sb;
	int fd, rc;

	*out = -1;
	/* O_NONBLOCK: a FIFO planted here must not hang the open. */
	fd = openat(dfd, LOCK_NAME,
		    O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK,
		    0600);
	if (fd < 0 && errno == ELOOP)
		return refused(err, st, LOCK_NAME, "it is a symbolic link");
	if (fd < 0)
		return os_error(err, st, "open the lock file", LOCK_NAME);
	rc = check_opened(fd, &sb, err, st, LOCK_NAME, "look at the lock file");
	if (rc < 0)
		return rc;
	while (flock(fd, LOCK_EX) < 0) {
		if (errno == EINTR)
			continue;
		close(fd);
		return os_error(err, st, "lock", LOCK_NAME);
	}
	*out = fd;
	return 0;
}

/* Closing the descriptor drops the flock. */
static void unlock_store(int lfd)
{
	if (lfd >= 0)
		close(lfd);
}

static int too_big(wsp_error *err, const wsp_state *st, const char *key)
{
	return wsp_error_set(err, WSP_ETOOBIG,
			     "state store %s/%s: the value of '%s' is larger "
			     "than %d bytes",
			     st->group, st->inst, key, WSP_STATE_VALUE_MAX);
}

static int no_key(wsp_error *err, const wsp_state *st, const char *key)
{
	return wsp_error_set(err, WSP_ENOTFOUND,
			     "state store %s/%s: no key '%s'", st->group,
			     st->inst, key);
}

/*
 * Read key (valid) from the store dfd: *out allocated with host->alloc,
 * NUL-terminated. Looked at before it is opened (a FIFO or device must
 * not be opened at all) and again once open, and never read past the
 * limit whatever its size says.
 */
static int read_value(char **out, size_t *out_len, const wsp_host *host,
		      const wsp_state *st, int dfd, const char *key,
		      wsp_error *err)
{
	struct stat before, sb;
	const char *why;
	size_t len = 0;
	ssize_t n;
	char extra, *buf;
	int fd, rc;

	*out = NULL;
	*out_len = 0;
	if (fstatat(dfd, key, &before, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return no_key(err, st, key);
		return os_error(err, st, "look at", key);
	}
	why = file_refusal(&before);
	if (why)
		return refused(err, st, key, why);
	if (before.st_size > WSP_STATE_VALUE_MAX)
		return too_big(err, st, key);
	fd = openat(dfd, key, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 && errno == ENOENT) /* deleted in between */
		return no_key(err, st, key);
	if (fd < 0)
		return errno == ELOOP ?
			       refused(err, st, key, "it is a symbolic link") :
			       os_error(err, st, "open", key);
	/* A put may have replaced it in between: what was opened counts. */
	rc = check_opened(fd, &sb, err, st, key, "look at");
	if (rc < 0)
		return rc;
	if (sb.st_size > WSP_STATE_VALUE_MAX) {
		close(fd);
		return too_big(err, st, key);
	}
	buf = host->alloc(host, (size_t)sb.st_size + 1);
	if (!buf) {
		close(fd);
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	while (len < (size_t)sb.st_size) {
		n = read(fd, buf + len, (size_t)sb.st_size - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	/* wsp never changes a value file in place: someone else did. */
	n = len == (size_t)sb.st_size ? read(fd, &extra, 1) : 1;
	if (n != 0) {
		close(fd);
		host->free(host, buf);
		return wsp_error_set(err, WSP_EIO,
				     "state store %s/%s: '%s' changed while "
				     "it was read",
				     st->group, st->inst, key);
	}
	close(fd);
	buf[len] = '\0';
	*out = buf;
	*out_len = len;
	return 0;
}

/* A name for a temporary file no other thread or process uses. */
static void temp_name(char *buf, size_t cap)
{
	static unsigned long counter;
	unsigned long n = __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED);

	snprintf(buf, cap, ".tmp-%ld-%lu", (long)getpid(), n);
}

static int write_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Replace key by value: a synced temporary file renamed over it. */
static int write_value(const wsp_state *st, int dfd, const char *key,
		       const void *value, size_t len, wsp_error *err)
{
	char tmp[64];
	int fd, rc = 0;

	temp_name(tmp, sizeof(tmp));
	fd = openat(dfd, tmp,
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		    0600);
	if (fd < 0)
		return os_error(err, st, "create a temporary file for", key);
	if (write_all(fd, value, len) < 0 || fsync(fd) < 0)
		rc = os_error(err, st, "write", key);
	if (close(fd) < 0 && !rc)
		rc = os_error(err, st, "write", key);
	/* rename() replaces a link in key's place; it never follows it. */
	if (!rc && renameat(dfd, tmp, dfd, key) < 0)
		rc = os_error(err, st, "replace", key);
	if (rc) {
		unlinkat(dfd, tmp, 0);
		return rc;
	}
	fsync(dfd); /* the rename itself survives a crash */
	return 0;
}

/* What every operation checks first: the host and store, then its key
 * (what: "key", or "prefix" for a list, which may be empty). */
static int check_args(const wsp_host *host, const wsp_state *st,
		      const char *key, const char *what, int prefix,
		      wsp_error *err)
{
	if (!host || !st)
		return wsp_error_set(err, WSP_EINVAL,
				     "state store: no %s; use the host table "
				     "and the store given to init",
				     host ? "store" : "host");
	return check_key(key, what, prefix, err);
}

int wsp__state_get(char **out, size_t *out_len, const wsp_host *host,
		   const wsp_state *st, const char *key, wsp_error *err)
{
	int dfd, rc;

	if (!out || !out_len)
		return wsp_error_set(err, WSP_EINVAL,
				     "state_get: no place for the value");
	*out = NULL;
	*out_len = 0;
	rc = check_args(host, st, key, "key", 0, err);
	if (!rc)
		rc = open_store(&dfd, st, 0, err);
	if (rc == WSP_ENOTFOUND)
		return no_key(err, st, key);
	if (rc)
		return rc;
	rc = read_value(out, out_len, host, st, dfd, key, err);
	close(dfd);
	return rc;
}

int wsp__state_put(const wsp_host *host, const wsp_state *st,
		   const char *key, const void *value, size_t len,
		   wsp_error *err)
{
	int dfd, lfd, rc;

	rc = check_args(host, st, key, "key", 0, err);
	if (rc)
		return rc;
	if (len > WSP_STATE_VALUE_MAX)
		return too_big(err, st, key);
	if (len && !value)
		return wsp_error_set(err, WSP_EINVAL, "state_put: no value");
	rc = open_store(&dfd, st, 1, err);
	if (rc)
		return rc;
	rc = lock_store(&lfd, dfd, st, err);
	if (!rc)
		rc = write_value(st, dfd, key, value ? value : "", len, err);
	unlock_store(lfd);
	close(dfd);
	return rc;
}

static int remove_key(const wsp_state *st, int dfd, const char *key,
		      wsp_error *err)
{
	if (!unlinkat(dfd, key, 0) || errno == ENOENT)
		return 0;
	if (errno == EISDIR || errno == EPERM)
		return refused(err, st, key, "it is a directory");
	return os_error(err, st, "delete", key);
}

int wsp__state_update(const wsp_host *host, const wsp_state *st,
		      const char *key, wsp_state_update_fn fn, void *payload,
		      wsp_error *err)
{
	char *old = NULL, *next = NULL;
	size_t old_len = 0, next_len = 0;
	int dfd, lfd, rc, exists;

	rc = check_args(host, st, key, "key", 0, err);
	if (!rc && !fn)
		rc = wsp_error_set(err, WSP_EINVAL,
				   "state_update: no update function");
	if (!rc)
		rc = open_store(&dfd, st, 1, err);
	if (rc)
		return rc;
	rc = lock_store(&lfd, dfd, st, err);
	if (rc)
		goto out;
	rc = read_value(&old, &old_len, host, st, dfd, key, err);
	exists = !rc;
	if (rc && rc != WSP_ENOTFOUND)
		goto out;
	rc = fn(&next, &next_len, old, old_len, exists, payload);
	if (rc) {
		if (next)
			host->free(host, next);
		next = NULL;
		rc = wsp_error_set(err, rc < 0 ? rc : WSP_ERROR,
				   "state store %s/%s: the update of '%s' was "
				   "abandoned by its function (%s)",
				   st->group, st->inst, key,
				   wsp_strerror(rc < 0 ? rc : WSP_ERROR));
	} else if (!next) {
		rc = remove_key(st, dfd, key, err);
	} else if (next_len > WSP_STATE_VALUE_MAX) {
		rc = too_big(err, st, key);
	} else {
		rc = write_value(st, dfd, key, next, next_len, err);
	}
out:
	unlock_store(lfd);
	close(dfd);
	if (old)
		host->free(host, old);
	if (next)
		host->free(host, next);
	return rc;
}

int wsp__state_delete(const wsp_host *host, const wsp_state *st,
		      const char *key, wsp_error *err)
{
	int dfd, lfd, rc;

	rc = check_args(host, st, key, "key", 0, err);
	if (!rc)
		rc = open_store(&dfd, st, 0, err);
	if (rc == WSP_ENOTFOUND)
		return 0; /* no store, so no key */
	if (rc)
		return rc;
	rc = lock_store(&lfd, dfd, st, err);
	if (!rc)
		rc = remove_key(st, dfd, key, err);
	unlock_store(lfd);
	close(dfd);
	return rc;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The keys of the store dfd that start with prefix, sorted. */
static int collect_keys(char ***out, size_t *out_n, const wsp_state *st,
			int dfd, const char *prefix, wsp_error *err)
{
	size_t n = 0, cap = 0, plen = strlen(prefix);
	char **v = NULL, **grown, *copy;
	struct dirent *e;
	struct stat sb;
	int fd = dup(dfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return os_error(err, st, "list", ".");
	}
	while ((e = readdir(d))) {
		if (!key_ok(e->d_name, 0) || strncmp(e->d_name, prefix, plen))
			continue;
		/* Only values: no link, directory or FIFO is a key. */
		if (fstatat(dfd, e->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0 ||
		    file_refusal(&sb))
			continue;
		grown = wsp__grow(v, &cap, n, sizeof(*v), 16);
		if (!grown)
			goto nomem;
		v = grown;
		copy = strdup(e->d_name);
		if (!copy)
			goto nomem;
		v[n++] = copy;
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), by_name);
	*out = v;
	*out_n = n;
	return 0;
nomem:
	closedir(d);
	while (n)
		free(v[--n]);
	free(v);
	return wsp_error_set(err, WSP_ENOMEM, "out of memory");
}

int wsp__state_list(const wsp_host *host, const wsp_state *st,
		    const char *prefix, wsp_state_key_fn fn, void *payload,
		    wsp_error *err)
{
	char **keys = NULL;
	size_t i, n = 0;
	int dfd, rc;

	rc = check_args(host, st, prefix, "prefix", 1, err);
	if (!rc && !fn)
		rc = wsp_error_set(err, WSP_EINVAL,
				   "state_list: no key function");
	if (!rc)
		rc = open_store(&dfd, st, 0, err);
	if (rc == WSP_ENOTFOUND)
		return 0; /* no store, so no keys */
	if (rc)
		return rc;
	rc = collect_keys(&keys, &n, st, dfd, prefix ? prefix : "", err);
	close(dfd);
	for (i = 0; i < n; i++) {
		if (!rc)
			rc = fn(keys[i], payload);
		free(keys[i]);
	}
	free(keys);
	return rc;
}
