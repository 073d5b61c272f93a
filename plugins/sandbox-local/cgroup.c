/*
 * plugins/sandbox-local/cgroup.c - a pids cgroup per command, the process
 * limit for root (see cgroup.h for why).
 *
 * The cgroup is made below the caller's own cgroup of the pids hierarchy
 * (/proc/self/cgroup), under the mount /proc/self/mountinfo names: cgroup
 * v1's pids hierarchy when there is one, else the v2 hierarchy with the
 * pids controller enabled for the caller's children (which v2 allows only
 * where the caller's cgroup may have children with controllers: its root,
 * or a delegated subtree). Its name is "wsp-<pid>-<n>".
 *
 * The cgroup also finds what a command left behind: at the end every
 * process still in it is killed, whatever session or process group it
 * moved to, and the cgroup is removed.
 */
#include "cgroup.h"

#include <errno.h>
#include <linux/magic.h>
#include <sys/vfs.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* How long destroy waits for killed processes to leave the cgroup. */
#define CGROUP_DRAIN_MS 2000

int local_cgroup_needed(uint64_t max_processes)
{
	return max_processes && geteuid() == 0;
}

/* True if the comma-separated list has the item. */
static int has_item(const char *list, size_t len, const char *item)
{
	size_t n = strlen(item);
	const char *p = list, *end = list + len;

	while (p < end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		size_t l = comma ? (size_t)(comma - p) : (size_t)(end - p);

		if (l == n && !memcmp(p, item, n))
			return 1;
		p += l + 1;
	}
	return 0;
}

/* The caller's cgroup paths: of the v1 hierarchy of ctrl, and of v2. */
static void own_cgroups(const char *ctrl, char *v1, char *v2, size_t cap)
{
	FILE *f = fopen("/proc/self/cgroup", "re");
	char *line = NULL;
	size_t len = 0;

	v1[0] = v2[0] = '\0';
	if (!f)
		return;
	while (getline(&line, &len, f) > 0) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':')
						       : NULL;

		if (!c2)
			continue;
		c2[1 + strcspn(c2 + 1, "\n")] = '\0';
		if (has_item(c1 + 1, (size_t)(c2 - c1 - 1), ctrl))
			snprintf(v1, cap, "%s", c2 + 1);
		else if (c2 == c1 + 1 && !strncmp(line, "0:", 2))
			snprintf(v2, cap, "%s", c2 + 1);
	}
	free(line);
	fclose(f);
}

/* mountinfo escapes blanks and backslashes as \ooo: undo in place. */
static void unescape(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
				      (s[3] - '0'));
			s += 3;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

/*
 * Where a hierarchy is mounted: the first mount of fstype (with the super
 * option opt, if given); its mount point and the cgroup it shows as its
 * root. 0, or -1 when there is none.
 */
static int find_mount(const char *fstype, const char *opt, char *point,
		      char *root, size_t cap)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL;
	size_t len = 0;
	int found = -1;

	if (!f)
		return -1;
	while (found < 0 && getline(&line, &len, f) > 0) {
		char *field[5], *sep = strstr(line, " - "), *type, *opts, *save;
		int i;

		if (!sep)
			continue;
		*sep = '\0';
		type = strtok_r(sep + 3, " ", &save);
		if (!type || strcmp(type, fstype) ||
		    !strtok_r(NULL, " ", &save)) /* the source */
			continue;
		opts = strtok_r(NULL, " \n", &save);
		if (opt && (!opts || !has_item(opts, strlen(opts), opt)))
			continue;
		field[0] = strtok_r(line, " ", &save);
		for (i = 1; i < 5 && field[i - 1]; i++)
			field[i] = strtok_r(NULL, " ", &save);
		if (i < 5 || !field[4])
			continue;
		unescape(field[3]);
		unescape(field[4]);
		snprintf(root, cap, "%s", field[3]);
		snprintf(point, cap, "%s", field[4]);
		found = 0;
	}
	free(line);
	fclose(f);
	return found;
}

/* mount point + the part of path below the mount's root. */
static int join_base(char *out, size_t cap, const char *point,
		     const char *root, const char *path)
{
	size_t rl = strlen(root);

	if (strcmp(root, "/")) {
		if (strncmp(path, root, rl) || (path[rl] && path[rl] != '/'))
			return -1; /* our cgroup is not under this mount */
		path += rl;
	}
	return snprintf(out, cap, "%s%s", point, path) < (int)cap ? 0 : -1;
}

int local_cgroup_own_dir(const char *ctrl, char *out, size_t cap)
{
	char v1[PATH_MAX], v2[PATH_MAX], point[PATH_MAX], root[PATH_MAX];

	own_cgroups(ctrl ? ctrl : "", v1, v2, sizeof(v1));
	if (ctrl)
		return v1[0] && !find_mount("cgroup", ctrl, point, root,
					    sizeof(point)) &&
			       !join_base(out, cap, point, root, v1)
			       ? 0
			       : -1;
	return v2[0] && !find_mount("cgroup2", NULL, point, root,
				    sizeof(point)) &&
		       !join_base(out, cap, point, root, v2)
		       ? 0
		       : -1;
}

static int write_text(int dirfd, const char *file, const char *text)
{
	int fd = openat(dirfd, file, O_WRONLY | O_CLOEXEC), e;
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	e = n < 0 ? errno : 0;
	close(fd);
	return -e;
}

/*
 * The directory new cgroups go in, open; or -errno with why. cgroup v2
 * needs the pids controller enabled for the children of that directory.
 */
static int pids_parent(char *why, size_t why_len)
{
	char v1[PATH_MAX], v2[PATH_MAX], point[PATH_MAX], root[PATH_MAX];
	char base[PATH_MAX], ctl[256];
	int fd, rc, n;

	own_cgroups("pids", v1, v2, sizeof(v1));
	if (v1[0] && !find_mount("cgroup", "pids", point, root, sizeof(point)) &&
	    !join_base(base, sizeof(base), point, root, v1)) {
		fd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0) {
			rc = -errno;
			snprintf(why, why_len, "cannot open '%s': %s", base,
				 strerror(-rc));
		}
		return fd < 0 ? rc : fd;
	}
	if (!v2[0] || find_mount("cgroup2", NULL, point, root, sizeof(point)) ||
	    join_base(base, sizeof(base), point, root, v2)) {
		snprintf(why, why_len, "no cgroup hierarchy with the pids "
				       "controller is mounted");
		return -ENOENT;
	}
	fd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		snprintf(why, why_len, "cannot open '%s': %s", base,
			 strerror(-rc));
		return rc;
	}
	n = openat(fd, "cgroup.subtree_control", O_RDONLY | O_CLOEXEC);
	rc = n < 0 ? -errno : 0;
	if (n >= 0) {
		ssize_t got = read(n, ctl, sizeof(ctl) - 1);

		close(n);
		ctl[got > 0 ? got : 0] = '\0';
		if (strstr(ctl, "pids"))
			return fd;
		rc = write_text(fd, "cgroup.subtree_control", "+pids");
	}
	if (rc) {
		snprintf(why, why_len, "cannot enable the pids controller in "
				       "'%s': %s", base, strerror(-rc));
		close(fd);
		return rc;
	}
	return fd;
}

int local_cgroup_create(struct local_cgroup *cg, uint64_t max, char *why,
			size_t why_len)
{
	static unsigned counter;
	char num[32];
	int dir, rc;

	*cg = (struct local_cgroup)LOCAL_CGROUP_INIT;
	cg->parent_fd = pids_parent(why, why_len);
	if (cg->parent_fd < 0)
		return cg->parent_fd;
	snprintf(cg->name, sizeof(cg->name), "wsp-%d-%u", (int)getpid(),
		 __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED));
	if (mkdirat(cg->parent_fd, cg->name, 0755) < 0) {
		rc = -errno;
		snprintf(why, why_len, "cannot make cgroup '%s': %s",
			 cg->name, strerror(-rc));
		close(cg->parent_fd);
		cg->parent_fd = -1;
		return rc;
	}
	dir = openat(cg->parent_fd, cg->name, O_RDONLY | O_DIRECTORY |
						     O_CLOEXEC);
	snprintf(num, sizeof(num), "%llu", (unsigned long long)max);
	rc = dir < 0 ? -errno : write_text(dir, "pids.max", num);
	if (!rc) {
		cg->procs_fd = openat(dir, "cgroup.procs", O_WRONLY | O_CLOEXEC);
		rc = cg->procs_fd < 0 ? -errno : 0;
	}
	if (dir >= 0)
		close(dir);
	if (rc) {
		snprintf(why, why_len, "cannot set up cgroup '%s': %s",
			 cg->name, strerror(-rc));
		local_cgroup_destroy(cg);
	}
	return rc;
}

int local_cgroup_join(const struct local_cgroup *cg)
{
	/* "0" is the writer itself. */
	return write(cg->procs_fd, "0", 1) == 1 ? 0 : -1;
}

int local_cgroup_path(const struct local_cgroup *cg, char *out, size_t cap)
{
	char link[64], parent[PATH_MAX];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", cg->parent_fd);
	n = readlink(link, parent, sizeof(parent) - 1);
	if (cg->parent_fd < 0 || n <= 0)
		return -1;
	parent[n] = '\0';
	n = snprintf(out, cap, "%s/%s", parent, cg->name);
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

int local_cgroup_open_path(struct local_cgroup *cg, const char *path)
{
	const char *name = strrchr(path, '/');
	struct statfs fs;
	char parent[PATH_MAX];
	size_t len;
	int fd, e;

	*cg = (struct local_cgroup)LOCAL_CGROUP_INIT;
	if (path[0] != '/' || !name || strncmp(name + 1, "wsp-", 4) ||
	    strlen(name + 1) >= sizeof(cg->name) || strstr(path, "/.."))
		return -EINVAL;
	len = (size_t)(name - path);
	if (len >= sizeof(parent))
		return -ENAMETOOLONG;
	memcpy(parent, path, len);
	parent[len ? len : 1] = '\0';
	fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	e = fstatfs(fd, &fs) < 0 ? errno
	    : fs.f_type != CGROUP_SUPER_MAGIC && fs.f_type != CGROUP2_SUPER_MAGIC
		    ? EMEDIUMTYPE
		    : 0;
	if (e) {
		close(fd);
		return -e;
	}
	cg->parent_fd = fd;
	snprintf(cg->name, sizeof(cg->name), "%s", name + 1);
	return 0;
}

/* True if /proc/<pid>/cgroup puts pid in the cgroup called name. */
static int in_cgroup(long pid, const char *name)
{
	char path[64], text[4096], *line, *save = NULL;
	size_t n = strlen(name);
	ssize_t got;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/cgroup", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	got = read(fd, text, sizeof(text) - 1);
	close(fd);
	text[got > 0 ? got : 0] = '\0';
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		size_t l = strlen(line);

		if (l > n && line[l - n - 1] == '/' &&
		    !strcmp(line + l - n, name))
			return 1;
	}
	return 0;
}

/*
 * SIGKILL one listed process, if it still is the one listed: a pidfd pins
 * it, and it must still be in the cgroup, so a pid reused meanwhile by an
 * unrelated process is never hit.
 */
static void kill_member(long pid, const char *name)
{
	int fd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);

	if (fd < 0)
		return;
	if (in_cgroup(pid, name))
		syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0);
	close(fd);
}

/* SIGKILL what cgroup.procs lists; the number of processes listed. */
static int kill_listed(const struct local_cgroup *cg)
{
	char path[sizeof(cg->name) + 16], buf[4096], *p, *end;
	int fd, count = 0;
	ssize_t n;
	size_t keep = 0;

	snprintf(path, sizeof(path), "%s/cgroup.procs", cg->name);
	fd = openat(cg->parent_fd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	while ((n = read(fd, buf + keep, sizeof(buf) - 1 - keep)) > 0) {
		buf[keep + (size_t)n] = '\0';
		for (p = buf;; p = end + 1) {
			long pid;

			end = strchr(p, '\n');
			if (!end)
				break;
			pid = strtol(p, NULL, 10);
			if (pid > 1) {
				kill_member(pid, cg->name);
				count++;
			}
		}
		keep = strlen(p); /* a partial last line */
		memmove(buf, p, keep);
	}
	close(fd);
	return count;
}

void local_cgroup_kill(const struct local_cgroup *cg)
{
	char path[sizeof(cg->name) + 16];
	int rounds;

	if (cg->parent_fd < 0)
		return;
	/* cgroup v2 (5.14+) kills the whole cgroup at once. */
	snprintf(path, sizeof(path), "%s/cgroup.kill", cg->name);
	if (write_text(cg->parent_fd, path, "1") == 0)
		return;
	/* A process may fork while we read: go on until none is left. */
	for (rounds = 0; rounds < 100 && kill_listed(cg); rounds++)
		;
}

void local_cgroup_destroy(struct local_cgroup *cg)
{
	struct timespec tick = { 0, 1000000L };
	int waited;

	if (cg->procs_fd >= 0)
		close(cg->procs_fd);
	cg->procs_fd = -1;
	if (cg->parent_fd < 0)
		return;
	local_cgroup_kill(cg);
	/* Killed processes leave the cgroup as they finish exiting. */
	for (waited = 0; waited < CGROUP_DRAIN_MS; waited++) {
		if (unlinkat(cg->parent_fd, cg->name, AT_REMOVEDIR) == 0 ||
		    errno != EBUSY)
			break;
		if (waited % 50 == 0)
			local_cgroup_kill(cg);
		nanosleep(&tick, NULL);
	}
	close(cg->parent_fd);
	cg->parent_fd = -1;
}
