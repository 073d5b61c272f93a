/*
 * plugins/sandbox-local/proc_client.c - the manager's view of a process
 * directory: whether its monitor lives, what it reported, how much output
 * there is; requests to the monitor; waiting for changes.
 *
 * Liveness is the monitor's flock on the log file: the kernel drops it
 * when the monitor dies however it dies, and no lock survives a reboot,
 * so a process is never shown running without a monitor behind it.
 */
#include "proc_client.h"
#include "instance.h"
#include <wsp/sigpipe.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

char *proc_join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *p = malloc(la + lb + 2);

	if (!p)
		return NULL;
	memcpy(p, a, la);
	p[la] = '/';
	memcpy(p + la + 1, b, lb + 1);
	return p;
}

char *proc_root(struct local_sandbox *sb)
{
	return proc_join(local_state_dir(sb), PROC_DIR_NAME);
}

int proc_mkdirs(const char *path, mode_t mode)
{
	char *copy = strdup(path), *s;
	int rc = 0;

	if (!copy)
		return -ENOMEM;
	for (s = copy + 1;; s++) {
		char c = *s;

		if (c != '/' && c != '\0')
			continue;
		*s = '\0';
		if (mkdir(copy, mode) < 0 && errno != EEXIST) {
			rc = -errno;
			break;
		}
		*s = c;
		if (!c)
			break;
	}
	free(copy);
	return rc;
}

int proc_root_open(struct local_sandbox *sb, int create)
{
	int state, fd;

	if (create) {
		char *root = proc_root(sb);
		int rc = root ? proc_mkdirs(root, 0700) : -ENOMEM;

		free(root);
		if (rc)
			return rc;
	}
	/* The state directory's own path is the configuration's. */
	state = open(local_state_dir(sb), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (state < 0)
		return -errno;
	fd = proc_openat(state, PROC_DIR_NAME, O_RDONLY | O_DIRECTORY,
			 S_IFDIR);
	close(state);
	return fd;
}

int proc_refuse(wsp_error *err, const char *id, const char *what, int rc)
{
	return wsp_error_set(err, WSP_EPERM,
			     "background process '%s': refusing its %s: %s",
			     id, what, proc_refusal(rc));
}

int proc_root_error(wsp_error *err, struct local_sandbox *sb, int rc)
{
	char shown[200];

	local_printable(shown, sizeof(shown), local_state_dir(sb));
	if (proc_refusal(rc))
		return wsp_error_set(err, WSP_EPERM,
				     "refusing the process directory '%s/"
				     PROC_DIR_NAME "': %s",
				     shown, proc_refusal(rc));
	return wsp_error_set_os(err, WSP_EIO, -rc,
				"cannot open the process directory '%s/"
				PROC_DIR_NAME "': %s",
				shown, strerror(-rc));
}

int proc_open(int *out_dirfd, char **out_path, struct local_sandbox *sb,
	      const char *id, wsp_error *err)
{
	char *root, *path;
	int rootfd, fd;

	if (!proc_id_valid(id))
		return wsp_error_set(err, WSP_ENOTFOUND,
				     "no background process '%.64s'",
				     id ? id : "");
	rootfd = proc_root_open(sb, 0);
	if (rootfd == -ENOENT)
		return wsp_error_set(err, WSP_ENOTFOUND,
				     "no background process '%s'", id);
	if (rootfd < 0)
		return proc_root_error(err, sb, rootfd);
	fd = proc_openat(rootfd, id, O_RDONLY | O_DIRECTORY, S_IFDIR);
	close(rootfd);
	if (fd == -ENOENT)
		return wsp_error_set(err, WSP_ENOTFOUND,
				     "no background process '%s'", id);
	if (fd < 0 && proc_refusal(fd))
		return proc_refuse(err, id, "directory", fd);
	if (fd < 0)
		return wsp_error_set_os(
			err, WSP_EIO, -fd,
			"cannot open background process '%s': %s", id,
			strerror(-fd));
	root = proc_root(sb);
	path = root ? proc_join(root, id) : NULL;
	free(root);
	if (!path) {
		close(fd);
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	*out_dirfd = fd;
	if (out_path)
		*out_path = path;
	else
		free(path);
	return 0;
}

int proc_open_fifo(int dirfd, const char *name)
{
	/* O_NONBLOCK: ENXIO at once when no monitor has it open. */
	int fd = proc_openat(dirfd, name, O_WRONLY | O_NONBLOCK, S_IFIFO);

	if (fd == -ENXIO || fd == -ENOENT)
		return -ESRCH;
	return fd;
}

int proc_ctl(int dirfd, const char *line)
{
	struct wsp_sigpipe_hold hold;
	size_t len = strlen(line);
	struct pollfd p;
	int fd, tries, rc = -EAGAIN;
	ssize_t n;

	fd = proc_open_fifo(dirfd, PROC_FILE_CTL);
	if (fd < 0)
		return fd;
	/* The monitor closes the FIFO as its process ends: EPIPE, not death. */
	wsp_sigpipe_hold_begin(&hold);
	for (tries = 0; tries < 50; tries++) {
		n = write(fd, line, len); /* < PIPE_BUF: all or nothing */
		if (n == (ssize_t)len) {
			rc = 0;
			break;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			rc = errno == EPIPE ? -ESRCH : -errno;
			break;
		}
		p = (struct pollfd){fd, POLLOUT, 0};
		poll(&p, 1, 100);
	}
	wsp_sigpipe_hold_end(&hold, rc == -ESRCH);
	close(fd);
	return rc;
}

int proc_kill_orphan(const struct proc_view *v, int sig)
{
	const struct proc_status_file *f = &v->file;
	struct proc_stat now;
	char boot[40];

	/*
	 * The status is a file anyone who can write the state directory
	 * could forge: signal a group only when its leader is the recorded
	 * pid, alive with the recorded start time in this boot, leading its
	 * own session and group as the monitor made it, and ours. Never a
	 * group of pid 0 or 1, never a group led by another process.
	 */
	if (v->refused || f->pid <= 1 || f->pid > PROC_PID_MAX ||
	    f->pgid != f->pid || !f->start_ticks || !f->boot_id[0])
		return 0;
	if (proc_boot_id(boot, sizeof(boot)) < 0 || strcmp(boot, f->boot_id))
		return 0; /* another boot: that pid is someone else's */
	if (proc_stat_read((pid_t)f->pid, &now) < 0 ||
	    now.start_ticks != f->start_ticks)
		return 0; /* gone, or the pid was reused */
	if (now.pgrp != f->pid || now.session != f->pid ||
	    now.uid != geteuid())
		return 0; /* not the group the monitor started */
	return kill(-(pid_t)f->pid, sig) == 0;
}

/*
 * Remove the files of the directory open as dirfd (the descriptor stays
 * the caller's). unlinkat never follows a link: a link is removed, never
 * what it points to.
 */
static int empty_dir(int dirfd)
{
	DIR *d = local_opendir_dup(dirfd);
	struct dirent *de;
	int rc = 0;

	if (!d)
		return -errno;
	rewinddir(d);
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
		    unlinkat(dirfd, de->d_name, 0) < 0 && !rc)
			rc = -errno;
	closedir(d);
	return rc;
}

/* True when name in at is the very directory open as dirfd. */
static int same_dir(int at, const char *name, int dirfd)
{
	struct stat a, b;

	return fstatat(at, name, &a, AT_SYMLINK_NOFOLLOW) == 0 &&
	       fstat(dirfd, &b) == 0 && S_ISDIR(a.st_mode) &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int proc_remove(int rootfd, int dirfd, const char *id)
{
	char dead[64], suffix[8] = {0};
	unsigned char rnd[4] = {0};
	int rc;

	if (getrandom(rnd, sizeof(rnd), 0) < 0)
		rnd[0] = (unsigned char)getpid();
	snprintf(suffix, sizeof(suffix), "%02x%02x%02x", rnd[0], rnd[1],
		 rnd[2]);
	snprintf(dead, sizeof(dead), PROC_DEAD_PREFIX "%s-%s", id, suffix);
	/* Only the directory proc_open() checked, nothing put in its place. */
	if (!same_dir(rootfd, id, dirfd))
		return fstatat(rootfd, id, &(struct stat){0},
			       AT_SYMLINK_NOFOLLOW) < 0
			       ? -ENOENT
			       : -EMEDIUMTYPE;
	/* Out of every listing first, in one step. */
	if (renameat(rootfd, id, rootfd, dead) < 0)
		return -errno;
	rc = empty_dir(dirfd);
	if (!same_dir(rootfd, dead, dirfd))
		return rc ? rc : -EMEDIUMTYPE;
	if (unlinkat(rootfd, dead, AT_REMOVEDIR) < 0 && !rc)
		rc = -errno;
	return rc;
}

int proc_remove_entry(int rootfd, const char *name)
{
	int fd = proc_openat(rootfd, name, O_RDONLY | O_DIRECTORY, S_IFDIR);
	int rc;

	if (fd < 0)
		return fd;
	rc = empty_dir(fd);
	if (!same_dir(rootfd, name, fd))
		rc = rc ? rc : -EMEDIUMTYPE;
	else if (unlinkat(rootfd, name, AT_REMOVEDIR) < 0 && !rc)
		rc = -errno;
	close(fd);
	return rc;
}

int proc_write_all(int fd, const void *data, size_t len, int (*idle)(void *arg),
		   void *arg)
{
	struct wsp_sigpipe_hold hold;
	const char *p = data;
	int rc = 0;

	wsp_sigpipe_hold_begin(&hold);
	while (len) {
		struct pollfd pfd = {fd, POLLOUT, 0};
		ssize_t n = write(fd, p, len);

		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN) {
			rc = -errno;
			break;
		}
		if (poll(&pfd, 1, 1000) == 0 && idle && (rc = idle(arg)))
			break;
	}
	wsp_sigpipe_hold_end(&hold, rc == -EPIPE);
	return rc;
}
