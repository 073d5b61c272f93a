/*
 * plugins/sandbox-local/freezer.c - pause and resume with the cgroup
 * freezer (see freezer.h for what is frozen and why the cgroup lives only
 * while paused).
 */
#include "cgroup.h"
#include "freezer.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

/* How long to wait for the kernel to report the cgroup frozen. */
#define FREEZE_WAIT_MS 5000
/* Scans for processes forked while freezing, at most. */
#define FREEZE_ROUNDS 64
/* How long removal waits for moved processes to leave. */
#define REMOVE_WAIT_MS 2000
#define CGROUP_NAME_PREFIX "wsp-sb-"

static void sleep_ms(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&t, NULL);
}

/* The directory new freezer cgroups go in; 1 for v1, 2 for v2, or -1. */
static int freezer_base(char *dir, size_t cap, char *why, size_t why_len)
{
	char probe[PATH_MAX];

	if (local_cgroup_own_dir("freezer", dir, cap) == 0) {
		if (access(dir, W_OK) == 0)
			return 1;
		snprintf(why, why_len, "the cgroup freezer '%s' is not "
				       "writable by this user", dir);
		return -1;
	}
	if (local_cgroup_own_dir(NULL, dir, cap) == 0) {
		/* cgroup.freeze is in every non-root v2 cgroup (5.2+). */
		snprintf(probe, sizeof(probe), "%s/cgroup.controllers", dir);
		if (access(probe, F_OK) == 0 && access(dir, W_OK) == 0)
			return 2;
		snprintf(why, why_len, "the cgroup v2 directory '%s' is not "
				       "writable by this user", dir);
		return -1;
	}
	snprintf(why, why_len, "no cgroup freezer is mounted (neither a v1 "
			       "freezer hierarchy nor cgroup v2)");
	return -1;
}

int local_freezer_usable(char *why, size_t why_len)
{
	char dir[PATH_MAX];

	return freezer_base(dir, sizeof(dir), why, why_len) < 0 ? -1 : 0;
}

static int write_file(const char *dir, const char *file, const char *text)
{
	char path[PATH_MAX];
	int fd, e = 0;

	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) < 0)
		e = errno;
	close(fd);
	return -e;
}

static int read_file(const char *dir, const char *file, char *buf,
		     size_t cap)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, cap - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return n < 0 ? -1 : 0;
}

/* A set of pids, grown on demand. */
struct pids {
	pid_t *v;
	size_t n, cap;
};

static int pids_has(const struct pids *s, pid_t p)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->v[i] == p)
			return 1;
	return 0;
}

static int pids_add(struct pids *s, pid_t p)
{
	if (pids_has(s, p))
		return 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		pid_t *v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = p;
	return 0;
}

/* The parent of pid from /proc/<pid>/stat, or -1. */
static pid_t parent_of(pid_t pid)
{
	char path[64], buf[512], *close_paren;
	int fd;
	ssize_t n;
	long ppid;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* The command name may hold anything: parse after its last ')'. */
	close_paren = strrchr(buf, ')');
	if (!close_paren || sscanf(close_paren + 1, " %*c %ld", &ppid) != 1)
		return -1;
	return (pid_t)ppid;
}

/*
 * Every descendant of the monitors (not the monitors): the processes of
 * /proc whose chain of parents reaches one. 0 or -errno.
 */
static int descendants(struct pids *out, const pid_t *monitors, size_t n)
{
	struct pids all = { 0 }, parent = { 0 };
	DIR *d = opendir("/proc");
	struct dirent *de;
	size_t i, j;
	int rc = 0, grew;

	if (!d)
		return -errno;
	while (!rc && (de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);

		if (*end || pid <= 1)
			continue;
		/* Kept side by side: all.v[i]'s parent is parent.v[i]. */
		if (all.n == all.cap || parent.n == parent.cap) {
			size_t cap = all.cap ? all.cap * 2 : 256;
			pid_t *a = realloc(all.v, cap * sizeof(*a));

			if (a)
				all.v = a;
			a = a ? realloc(parent.v, cap * sizeof(*a)) : NULL;
			if (!a) {
				rc = -ENOMEM;
				break;
			}
			parent.v = a;
			all.cap = parent.cap = cap;
		}
		all.v[all.n++] = (pid_t)pid;
		parent.v[parent.n++] = parent_of((pid_t)pid);
	}
	closedir(d);
	/* Grow the set from the monitors until no process joins it. */
	do {
		grew = 0;
		for (i = 0; !rc && i < all.n; i++) {
			int below = 0;

			if (pids_has(out, all.v[i]))
				continue;
			for (j = 0; j < n && !below; j++)
				below = parent.v[i] == monitors[j];
			below = below || pids_has(out, parent.v[i]);
			if (below) {
				rc = pids_add(out, all.v[i]);
				grew = 1;
			}
		}
	} while (grew && !rc);
	free(all.v);
	free(parent.v);
	return rc;
}

/* Read a cgroup's member pids into s. */
static void members(struct pids *s, const char *dir)
{
	char path[PATH_MAX];
	FILE *f;
	long pid;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fscanf(f, "%ld", &pid) == 1)
		if (pids_add(s, (pid_t)pid))
			break;
	fclose(f);
}

/* Move what the scan finds and the cgroup lacks in; how many moved. */
static int move_in(const char *dir, const pid_t *monitors, size_t n,
		   int *err)
{
	struct pids want = { 0 }, have = { 0 };
	char num[32];
	size_t i;
	int moved = 0;

	*err = descendants(&want, monitors, n);
	members(&have, dir);
	for (i = 0; !*err && i < want.n; i++) {
		int rc;

		if (pids_has(&have, want.v[i]))
			continue;
		snprintf(num, sizeof(num), "%d", (int)want.v[i]);
		rc = write_file(dir, "cgroup.procs", num);
		if (rc == 0)
			moved++;
		else if (rc != -ESRCH) /* one that exited meanwhile is fine */
			*err = rc;
	}
	free(want.v);
	free(have.v);
	return moved;
}

/* 1 once the kernel says every member is frozen. */
static int is_frozen(const char *dir, int v2)
{
	char buf[256];

	if (v2)
		return read_file(dir, "cgroup.events", buf, sizeof(buf)) == 0 &&
		       strstr(buf, "frozen 1") != NULL;
	return read_file(dir, "freezer.state", buf, sizeof(buf)) == 0 &&
	       !strncmp(buf, "FROZEN", 6);
}

/* The state letter of /proc/<pid>/stat ('?' when gone). */
static char task_state(pid_t pid)
{
	char path[64], buf[512], *close_paren;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return '?';
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	close_paren = strrchr(buf, ')');
	return close_paren && close_paren[1] == ' ' ? close_paren[2] : '?';
}

/*
 * Why freezing stalls, for the error: the members and their states
 * ("123:S 124:D"), as many as fit.
 */
static void describe_members(const char *dir, char *out, size_t cap)
{
	struct pids in = { 0 };
	size_t i, len = 0;

	out[0] = '\0';
	members(&in, dir);
	for (i = 0; i < in.n && len + 24 < cap; i++)
		len += (size_t)snprintf(out + len, cap - len, "%s%d:%c",
					i ? " " : "", (int)in.v[i],
					task_state(in.v[i]));
	free(in.v);
}

/* The parent directory of a cgroup path. */
static void parent_dir(char *out, size_t cap, const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t len = slash ? (size_t)(slash - path) : 0;

	snprintf(out, cap, "%.*s", (int)len, path);
}

int local_freezer_freeze(const char *key, const pid_t *monitors, size_t n,
			 char *path, size_t path_cap, char *why,
			 size_t why_len)
{
	char base[PATH_MAX], name[64];
	uint64_t h = 1469598103934665603ULL; /* FNV-1a of the key */
	int kind, v2, rc = 0, round, waited, moved;
	const char *p;

	kind = freezer_base(base, sizeof(base), why, why_len);
	if (kind < 0)
		return -EPERM;
	v2 = kind == 2;
	for (p = key; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	snprintf(name, sizeof(name), CGROUP_NAME_PREFIX "%016llx",
		 (unsigned long long)h);
	if (snprintf(path, path_cap, "%s/%s", base, name) >= (int)path_cap)
		return snprintf(why, why_len, "cgroup path too long"),
		       -ENAMETOOLONG;
	if (mkdir(path, 0755) < 0 && errno != EEXIST) {
		rc = -errno;
		snprintf(why, why_len, "cannot make cgroup '%s': %s", path,
			 strerror(-rc));
		return rc;
	}
	/*
	 * Move in, freeze, and move in again what forked meanwhile (a task
	 * that joins a frozen cgroup is frozen), until a scan moves none.
	 */
	move_in(path, monitors, n, &rc);
	if (!rc)
		rc = write_file(path, v2 ? "cgroup.freeze" : "freezer.state",
				v2 ? "1" : "FROZEN");
	for (round = 0; !rc && round < FREEZE_ROUNDS; round++) {
		moved = move_in(path, monitors, n, &rc);
		if (!moved)
			break;
	}
	/*
	 * A task caught in a sleep the freezer cannot enter (seen with the
	 * v1 freezer under load: it stays FREEZING) is asked again: writing
	 * the state anew makes the kernel try every member once more.
	 */
	for (waited = 0; !rc && !is_frozen(path, v2); waited += 5) {
		if (waited >= FREEZE_WAIT_MS) {
			rc = -ETIMEDOUT;
			break;
		}
		sleep_ms(5);
		if (waited % 50 == 45) {
			move_in(path, monitors, n, &rc);
			if (!rc)
				rc = write_file(path, v2 ? "cgroup.freeze"
							 : "freezer.state",
						v2 ? "1" : "FROZEN");
		}
	}
	if (rc) {
		char ignored[64], who[256] = "";

		if (rc == -ETIMEDOUT)
			describe_members(path, who, sizeof(who));
		snprintf(why, why_len, "cannot freeze cgroup '%s': %s%s%s%s",
			 path, strerror(-rc), who[0] ? " (members: " : "", who,
			 who[0] ? ")" : "");
		local_freezer_thaw(path, ignored, sizeof(ignored));
	}
	return rc;
}

/* A directory of a cgroup filesystem named by us, or not ours to touch. */
static int is_our_cgroup(const char *path)
{
	const char *slash = strrchr(path, '/');
	struct statfs fs;

	if (!slash || strncmp(slash + 1, CGROUP_NAME_PREFIX,
			      strlen(CGROUP_NAME_PREFIX)) ||
	    strstr(path, "/../") || statfs(path, &fs) < 0)
		return 0;
	return fs.f_type == CGROUP_SUPER_MAGIC ||
	       fs.f_type == CGROUP2_SUPER_MAGIC;
}

int local_freezer_thaw(const char *path, char *why, size_t why_len)
{
	char parent[PATH_MAX], num[32], probe[PATH_MAX];
	struct pids in = { 0 };
	int v2, rc, waited, round;
	size_t i;

	if (access(path, F_OK) < 0 && errno == ENOENT)
		return 0;
	if (!is_our_cgroup(path)) {
		snprintf(why, why_len, "'%s' is not a cgroup wsp made", path);
		return -EINVAL;
	}
	snprintf(probe, sizeof(probe), "%s/cgroup.freeze", path);
	v2 = access(probe, F_OK) == 0;
	rc = write_file(path, v2 ? "cgroup.freeze" : "freezer.state",
			v2 ? "0" : "THAWED");
	if (rc) {
		snprintf(why, why_len, "cannot thaw cgroup '%s': %s", path,
			 strerror(-rc));
		return rc;
	}
	parent_dir(parent, sizeof(parent), path);
	/* Back to where they came from, so the cgroup can go. */
	for (round = 0; round < FREEZE_ROUNDS; round++) {
		in.n = 0;
		members(&in, path);
		if (!in.n)
			break;
		for (i = 0; i < in.n; i++) {
			snprintf(num, sizeof(num), "%d", (int)in.v[i]);
			write_file(parent, "cgroup.procs", num);
		}
	}
	free(in.v);
	for (waited = 0; rmdir(path) < 0; waited += 5) {
		if (errno == ENOENT)
			break;
		if (errno != EBUSY || waited >= REMOVE_WAIT_MS) {
			rc = -errno;
			snprintf(why, why_len, "cannot remove cgroup '%s': %s",
				 path, strerror(-rc));
			return rc;
		}
		sleep_ms(5);
	}
	return 0;
}
