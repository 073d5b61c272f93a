/*
 * plugins/sandbox-local/procmgr.c - background processes of the local
 * sandbox (wsp_procmgr_vtable).
 *
 * Each process runs under its own monitor (monitor/monitor.c) and is
 * described by a directory under <state dir>/procs/ (proc_files.h). Every
 * slot works from those files alone, so any process of the same user that
 * can read the state directory (another `wsp`, another program using
 * libwsp) sees and drives the same processes, and nothing is kept in
 * memory here. The files are checked as proc_files.h says before use.
 */
#include "cgroup.h"
#include "proc_client.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define COMMAND_MAX 4096 /* bytes of the command line kept for listings */
/* How long release and stop wait for a monitor beyond the kill grace. */
#define EXIT_SLACK_MS 5000

/* ---- spawn -------------------------------------------------------------- */

/* The command line shown by list: the shell string, or argv quoted. */
static char *command_line(const char *shell, const char *const *argv)
{
	size_t len = 0, i, j;
	char *s, *p;

	if (shell)
		return strndup(shell, COMMAND_MAX);
	for (i = 0; argv[i]; i++)
		len += strlen(argv[i]) * 4 + 3;
	s = p = malloc(len + 1);
	if (!s)
		return NULL;
	for (i = 0; argv[i]; i++) {
		const char *a = argv[i];
		int plain = *a && !a[strcspn(a, " \t\n'\"\\$`*?[]{}()<>|&;#~")];

		if (i)
			*p++ = ' ';
		if (plain) {
			p = stpcpy(p, a);
			continue;
		}
		*p++ = '\'';
		for (j = 0; a[j]; j++) {
			if (a[j] == '\'') {
				p = stpcpy(p, "'\\''");
				continue;
			}
			*p++ = a[j];
		}
		*p++ = '\'';
	}
	*p = '\0';
	if (strlen(s) > COMMAND_MAX)
		s[COMMAND_MAX] = '\0';
	return s;
}

/* A fresh id and its directory, made 0700 in rootfd. */
static int make_proc_dir(char id[PROC_ID_LEN + 1], int rootfd)
{
	unsigned char rnd[4];
	int tries;

	for (tries = 0; tries < 100; tries++) {
		if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
			return -errno;
		snprintf(id, PROC_ID_LEN + 1, "p-%02x%02x%02x%02x", rnd[0],
			 rnd[1], rnd[2], rnd[3]);
		if (mkdirat(rootfd, id, 0700) == 0)
			return 0;
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

/*
 * The core checked the struct (<wsp/sandbox.h>); what is left is this
 * provider's: an empty program name, the log limit and its default.
 */
static int check_spawn_opts(wsp_spawn_opts *o, const wsp_spawn_opts *opts,
			    wsp_error *err)
{
	*o = *opts;
	if (!o->shell && !o->argv[0][0])
		return wsp_error_set(err, WSP_EINVAL,
				     "nothing to run: give a shell string "
				     "or an argv");
	if (o->log_limit > PROC_MAX_LOG_LIMIT)
		return wsp_error_set(err, WSP_ETOOBIG,
				     "log limit of %llu bytes is above the "
				     "maximum of 1 GiB",
				     (unsigned long long)o->log_limit);
	if (!o->log_limit)
		o->log_limit = PROC_DEFAULT_LOG_LIMIT;
	return 0;
}

static int proc_spawn(char out_id[WSP_PROC_ID_MAX], void *self,
		      const wsp_call *call, const wsp_spawn_opts *opts,
		      wsp_error *err)
{
	struct local_sandbox *sb = self;
	struct local_prepared prep;
	struct proc_spec spec;
	wsp_spawn_opts o;
	char id[PROC_ID_LEN + 1], *root = NULL, *dir = NULL, *cmdline = NULL;
	int64_t pid;
	int rc, rootfd = -1;

	rc = check_spawn_opts(&o, opts, err);
	if (rc)
		return rc;
	/* Checked last before anything is made: nothing to undo. */
	rc = local_call_check(sb, call, "spawn", err);
	if (!rc)
		rc = local_paused_check(sb, "spawn", err);
	if (!rc)
		rc = local_start_if_stopped(sb, call, "spawn", err);
	if (rc)
		return rc;
	rc = local_prepare(&prep, sb, o.shell, o.argv, o.cwd, o.env, err);
	if (rc)
		return rc;
	/* The monitor's relay needs the environment up (local.h). */
	if (prep.via_env && (rc = local_env_ensure(sb, err)) != 0) {
		local_prepared_release(&prep);
		return rc;
	}
	root = proc_root(sb);
	cmdline = command_line(o.shell, o.argv);
	if (!root || !cmdline) {
		rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
		goto out;
	}
	rootfd = proc_root_open(sb, 1);
	if (rootfd < 0) {
		rc = proc_root_error(err, sb, rootfd);
		goto out;
	}
	rc = make_proc_dir(id, rootfd);
	if (!rc) {
		dir = proc_join(root, id);
		if (!dir) {
			unlinkat(rootfd, id, AT_REMOVEDIR);
			rc = -ENOMEM;
		}
	}
	if (rc) {
		rc = wsp_error_set_os(err, WSP_EIO, -rc,
				      "cannot make a process directory in "
				      "'%s': %s",
				      root, strerror(-rc));
		goto out;
	}
	spec = (struct proc_spec){
		.argv = prep.argv,
		.envp = prep.envp,
		.cwd = prep.cwd,
		.limit_as = prep.limits.memory_bytes,
		/* Root's limit in the environment is its cgroup (env.c). */
		.limit_nproc = prep.via_env && local_cgroup_needed(
						       prep.limits.max_processes)
				       ? 0
				       : prep.limits.max_processes,
		.limit_cpu = prep.limits.cpu_seconds,
		.limit_fsize = prep.limits.file_size,
		.stdin_pipe = o.stdin_mode == WSP_STDIN_PIPE,
		.timeout_ms = o.timeout_ms > 0 ? o.timeout_ms : 0,
		.grace_ms = local_kill_grace_ms(sb),
		.log_limit = o.log_limit,
		.command = cmdline,
		/* bwrap's filter; the environment has its own already. */
		.seccomp = prep.isolated && !prep.via_env,
	};
	rc = proc_launch(&pid, dir, &spec, err);
	if (rc) {
		proc_remove_entry(rootfd, id);
		goto out;
	}
	memcpy(out_id, id, sizeof(id));
out:
	if (rootfd >= 0)
		close(rootfd);
	local_prepared_release(&prep);
	free(root);
	free(dir);
	free(cmdline);
	return rc;
}

/* ---- list / status ------------------------------------------------------ */

struct listed {
	char id[PROC_ID_LEN + 1];
	struct proc_view view;
};

static int by_start(const void *a, const void *b)
{
	const struct listed *x = a, *y = b;

	if (x->view.file.started_ms != y->view.file.started_ms)
		return x->view.file.started_ms < y->view.file.started_ms ? -1
									 : 1;
	return strcmp(x->id, y->id);
}

/*
 * Every process directory in rootfd, observed, oldest first; 0 or -errno.
 * Anything else there (a link, a file, another user's directory) is no
 * process of ours and is left out.
 */
static int scan(struct listed **out, size_t *out_n, int rootfd)
{
	struct listed *all = NULL, *grown;
	size_t n = 0, cap = 0;
	struct dirent *de;
	int fd = dup(rootfd), rc = 0;
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;

	*out = NULL;
	*out_n = 0;
	if (!d) {
		rc = -errno;
		if (fd >= 0)
			close(fd);
		return rc;
	}
	rewinddir(d);
	while (!rc && (de = readdir(d))) {
		if (!proc_id_valid(de->d_name))
			continue; /* ".new-", ".dead-", strangers */
		fd = proc_openat(rootfd, de->d_name, O_RDONLY | O_DIRECTORY,
				 S_IFDIR);
		if (fd < 0)
			continue; /* released meanwhile, or refused */
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			grown = realloc(all, cap * sizeof(*all));
			if (!grown) {
				/* a partial list would hide processes */
				close(fd);
				rc = -ENOMEM;
				break;
			}
			all = grown;
		}
		memcpy(all[n].id, de->d_name, PROC_ID_LEN + 1);
		proc_observe(&all[n].view, fd);
		close(fd);
		/* A spawn still in progress is not a process yet. */
		if (all[n].view.published)
			n++;
	}
	closedir(d);
	if (rc) {
		free(all);
		return rc;
	}
	if (n)
		qsort(all, n, sizeof(*all), by_start);
	*out = all;
	*out_n = n;
	return 0;
}

/*
 * The sandbox's processes (scan) and the directory they live in (-1 when
 * there is none yet), which the caller closes and frees *out; 0 or a
 * WSP_E* code with err filled.
 */
static int collect(struct local_sandbox *sb, struct listed **out,
		   size_t *out_n, int *out_root, wsp_error *err)
{
	int rootfd = proc_root_open(sb, 0), rc;

	*out = NULL;
	*out_n = 0;
	*out_root = -1;
	if (rootfd == -ENOENT)
		return 0;
	if (rootfd < 0)
		return proc_root_error(err, sb, rootfd);
	rc = scan(out, out_n, rootfd);
	if (rc) {
		close(rootfd);
		return wsp_error_set_os(err,
					rc == -ENOMEM ? WSP_ENOMEM : WSP_EIO,
					-rc, "cannot list the processes: %s",
					strerror(-rc));
	}
	*out_root = rootfd;
	return 0;
}

static int proc_list(void *self, const wsp_call *call, uint32_t flags,
		     wsp_proc_fn cb, void *payload, wsp_error *err)
{
	struct local_sandbox *sb = self;
	struct listed *all;
	size_t n, i;
	int rootfd, rc = collect(sb, &all, &n, &rootfd, err);

	(void)call; /* quick: the core's check before the call is enough */
	(void)flags;
	if (rc)
		return rc;
	if (rootfd >= 0)
		close(rootfd);
	for (i = 0; i < n && !rc; i++) {
		wsp_proc_status st = {.struct_size = sizeof(st)};

		proc_fill_status(&st, &all[i].view);
		rc = cb(all[i].id, all[i].view.command, &st, payload);
	}
	free(all);
	return rc;
}

/* A process's directory opened (and its path, when path is not NULL)
 * and what it says now: 0 or a code. */
static int open_seen(int *dirfd, char **path, struct proc_view *v,
		     struct local_sandbox *sb, const char *id, wsp_error *err)
{
	int rc = proc_open(dirfd, path, sb, id, err);

	if (!rc)
		proc_observe(v, *dirfd);
	return rc;
}

static int proc_status(wsp_proc_status *out, void *self,
		       const wsp_call *call, const char *id, uint32_t flags,
		       wsp_error *err)
{
	struct proc_view v;
	int dirfd, rc;

	(void)call;
	(void)flags;
	rc = open_seen(&dirfd, NULL, &v, self, id, err);
	if (rc)
		return rc;
	close(dirfd);
	proc_fill_status(out, &v);
	return 0;
}

/* ---- output ------------------------------------------------------------- */

static int proc_read_output(wsp_proc_status *out, void *self,
			    const wsp_call *call, const char *id,
			    const wsp_output_opts *opts, wsp_output_fn sink,
			    void *payload, wsp_error *err)
{
	struct local_sandbox *sb = self;
	struct proc_view v;
	char *path = NULL;
	int dirfd, rc;

	rc = proc_open(&dirfd, &path, sb, id, err);
	if (rc)
		return rc;
	rc = proc_read(&v, local_host(sb), dirfd, path, id, opts, sink,
		       payload, call, err);
	/* a follow that stopped still says where it got to */
	if (!rc || (opts->flags & WSP_OUTPUT_FOLLOW))
		proc_fill_status(out, &v);
	free(path);
	close(dirfd);
	return rc;
}

/* ---- stdin -------------------------------------------------------------- */

static int stdin_unavailable(const struct proc_view *v, const char *id,
			     wsp_error *err)
{
	if (v->state == WSP_PROC_LOST)
		return wsp_error_set(err, WSP_ELOST,
				     "background process '%s' is lost: its "
				     "monitor is gone",
				     id);
	if (v->state != WSP_PROC_RUNNING)
		return wsp_error_set(err, WSP_EINVAL,
				     "background process '%s' has exited", id);
	return wsp_error_set(err, WSP_EINVAL,
			     "stdin of background process '%s' is closed "
			     "(or was ignored at spawn)",
			     id);
}

/* While a stdin write waits: give up once no one will ever read. */
static int stdin_idle(void *arg)
{
	struct proc_view v;

	proc_observe(&v, *(int *)arg);
	return v.alive && v.file.stdin_open ? 0 : -EPIPE;
}

static int proc_write_stdin(void *self, const wsp_call *call, const char *id,
			    const void *data, size_t len, uint32_t flags,
			    wsp_error *err)
{
	struct proc_view v;
	int dirfd, fd, rc;

	(void)call;
	(void)flags;
	rc = open_seen(&dirfd, NULL, &v, self, id, err);
	if (rc)
		return rc;
	if (v.state != WSP_PROC_RUNNING || !v.file.stdin_open) {
		rc = stdin_unavailable(&v, id, err);
		goto out;
	}
	fd = proc_open_fifo(dirfd, PROC_FILE_STDIN);
	if (fd < 0 && proc_refusal(fd)) {
		rc = proc_refuse(err, id, "stdin FIFO", fd);
		goto out;
	}
	if (fd < 0) {
		proc_observe(&v, dirfd);
		if (v.state == WSP_PROC_RUNNING && v.file.stdin_open)
			v.file.stdin_open = 0; /* it closed meanwhile */
		rc = stdin_unavailable(&v, id, err);
		goto out;
	}
	fcntl(fd, F_SETFL, O_WRONLY | O_NONBLOCK);
	rc = proc_write_all(fd, data, len, stdin_idle, &dirfd);
	close(fd);
	if (rc == -EPIPE) {
		proc_observe(&v, dirfd);
		v.file.stdin_open = 0;
		rc = stdin_unavailable(&v, id, err);
	} else if (rc) {
		rc = wsp_error_set_os(err, WSP_EIO, -rc,
				      "cannot write to the stdin of '%s': %s",
				      id, strerror(-rc));
	}
out:
	close(dirfd);
	return rc;
}

static int proc_close_stdin(void *self, const wsp_call *call, const char *id,
			    uint32_t flags, wsp_error *err)
{
	struct proc_view v;
	int dirfd, rc;

	(void)call;
	(void)flags;
	rc = open_seen(&dirfd, NULL, &v, self, id, err);
	if (rc)
		return rc;
	/* Closing what is closed is done already. */
	if (v.file.stdin_open) {
		int sent = proc_ctl(dirfd, PROC_CTL_CLOSE_STDIN "\n");

		if (proc_refusal(sent)) {
			rc = proc_refuse(err, id, "ctl FIFO", sent);
			goto out;
		}
		if (sent)
			proc_observe(&v, dirfd);
	}
	if (v.state == WSP_PROC_LOST)
		rc = stdin_unavailable(&v, id, err);
out:
	close(dirfd);
	return rc;
}

/* ---- signal / release / wait -------------------------------------------- */

static int proc_signal(void *self, const wsp_call *call, const char *id,
		       int signum, uint32_t flags, wsp_error *err)
{
	struct proc_view v;
	char line[32];
	int dirfd, rc;

	(void)call;
	(void)flags;
	if (signum <= 0 || signum >= NSIG)
		return wsp_error_set(err, WSP_EINVAL,
				     "invalid signal number %d", signum);
	rc = open_seen(&dirfd, NULL, &v, self, id, err);
	if (rc)
		return rc;
	if (v.refused) {
		rc = proc_refuse(err, id, "log", v.refused);
		goto out;
	}
	snprintf(line, sizeof(line), PROC_CTL_SIGNAL " %d\n", signum);
	/* The monitor signals the group: it alone knows it is still its. */
	if (v.alive) {
		int sent = proc_ctl(dirfd, line);

		if (!sent)
			goto out;
		if (proc_refusal(sent)) {
			rc = proc_refuse(err, id, "ctl FIFO", sent);
			goto out;
		}
	}
	proc_observe(&v, dirfd);
	if (v.state == WSP_PROC_LOST && !proc_kill_orphan(&v, signum))
		rc = wsp_error_set(err, WSP_ELOST,
				   "background process '%s' is lost: its "
				   "monitor is gone and its process cannot "
				   "be found",
				   id);
	/* An exited process: nothing left to signal. */
out:
	close(dirfd);
	return rc;
}

static int proc_release(void *self, const wsp_call *call, const char *id,
			uint32_t flags, wsp_error *err)
{
	struct local_sandbox *sb = self;
	struct proc_view v;
	char *path = NULL;
	int dirfd, rootfd = -1, sent = -ESRCH, rc;

	/* Its wait below is the short, bounded end of a kill: not the call's. */
	(void)call;
	(void)flags;
	rc = open_seen(&dirfd, &path, &v, sb, id, err);
	if (rc)
		return rc;
	/* A refused log names nothing to stop: only the files go. */
	if (!v.refused && v.alive)
		sent = proc_ctl(dirfd, PROC_CTL_RELEASE "\n");
	if (proc_refusal(sent)) {
		/* Its monitor may live on: keep it listed. */
		rc = proc_refuse(err, id, "ctl FIFO", sent);
		goto out;
	}
	if (!sent) {
		rc = proc_wait(&v, local_host(sb), dirfd, path, 1,
			       local_kill_grace_ms(sb) + EXIT_SLACK_MS, NULL,
			       err);
		if (rc) {
			rc = wsp_error_set(err, WSP_EBUSY,
					   "background process '%s' did not "
					   "stop; try again",
					   id);
			goto out;
		}
	} else if (!v.refused && v.state == WSP_PROC_LOST) {
		proc_kill_orphan(&v, SIGKILL);
	}
	rootfd = proc_root_open(sb, 0);
	rc = rootfd < 0 ? rootfd : proc_remove(rootfd, dirfd, id);
	if (rc == -ENOENT)
		rc = wsp_error_set(err, WSP_ENOTFOUND,
				   "no background process '%s'", id);
	else if (proc_refusal(rc))
		rc = proc_refuse(err, id, "directory", rc);
	else if (rc)
		rc = wsp_error_set_os(err, WSP_EIO, -rc,
				      "cannot remove background process "
				      "'%s': %s",
				      id, strerror(-rc));
out:
	if (rootfd >= 0)
		close(rootfd);
	close(dirfd);
	free(path);
	return rc;
}

static int proc_wait_slot(wsp_proc_status *out, void *self,
			  const wsp_call *call, const char *id,
			  int64_t timeout_ms, uint32_t flags, wsp_error *err)
{
	struct proc_view v;
	char *path;
	int dirfd, rc;

	(void)flags;
	rc = proc_open(&dirfd, &path, self, id, err);
	if (rc)
		return rc;
	rc = proc_wait(&v, local_host(self), dirfd, path, 0,
		       timeout_ms < 0 ? -1 : timeout_ms, call, err);
	close(dirfd);
	free(path);
	proc_fill_status(out, &v);
	return rc;
}

/* ---- stop --------------------------------------------------------------- */

/* A process directory of the listing, checked again as proc_open does. */
static int open_listed(int rootfd, const struct listed *p)
{
	return proc_openat(rootfd, p->id, O_RDONLY | O_DIRECTORY, S_IFDIR);
}

int local_procs_kill_all(struct local_sandbox *sb, const wsp_call *call,
			 wsp_error *err)
{
	int64_t grace = local_kill_grace_ms(sb);
	struct listed *all;
	char *root;
	size_t n, i;
	int rootfd, rc = collect(sb, &all, &n, &rootfd, err);

	if (rc || rootfd < 0)
		return rc;
	root = proc_root(sb);
	if (!root) {
		rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
		goto out;
	}
	/*
	 * SIGTERM to all first, so their grace periods run together. What
	 * is refused (a forged ctl or log) is skipped: stopping the rest
	 * matters more, and `wsp kill`/`wsp release` of it say why.
	 */
	for (i = 0; i < n; i++) {
		int fd = open_listed(rootfd, &all[i]);

		if (all[i].view.refused)
			all[i].view.state = WSP_PROC_LOST; /* nothing to wait for */
		else if (fd >= 0 && all[i].view.state == WSP_PROC_RUNNING &&
			 proc_refusal(proc_ctl(fd, PROC_CTL_TERMINATE "\n")))
			all[i].view.state = WSP_PROC_LOST;
		else if (all[i].view.state == WSP_PROC_LOST)
			proc_kill_orphan(&all[i].view, SIGKILL);
		if (fd >= 0)
			close(fd);
	}
	for (i = 0; i < n && !rc; i++) {
		char *path;
		struct proc_view v;
		int fd;

		if (all[i].view.state != WSP_PROC_RUNNING)
			continue;
		path = proc_join(root, all[i].id);
		fd = path ? open_listed(rootfd, &all[i]) : -1;
		if (fd >= 0) {
			rc = proc_wait(&v, local_host(sb), fd, path, 0,
				       grace + EXIT_SLACK_MS, call, err);
			close(fd);
		}
		free(path);
	}
out:
	free(all);
	free(root);
	close(rootfd);
	return rc;
}

const wsp_procmgr_vtable local_procmgr_vtable = {
	.struct_size = sizeof(wsp_procmgr_vtable),
	.spawn = proc_spawn,
	.list = proc_list,
	.status = proc_status,
	.read_output = proc_read_output,
	.signal = proc_signal,
	.release = proc_release,
	.write_stdin = proc_write_stdin,
	.close_stdin = proc_close_stdin,
	.wait = proc_wait_slot,
};

int local_procs_monitors(struct local_sandbox *sb, pid_t **out, size_t *out_n,
			 wsp_error *err)
{
	struct listed *all;
	size_t n, i;
	int rootfd, rc = collect(sb, &all, &n, &rootfd, err);

	*out = NULL;
	*out_n = 0;
	if (rc || rootfd < 0)
		return rc;
	close(rootfd);
	*out = calloc(n ? n : 1, sizeof(**out));
	if (!*out) {
		free(all);
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	/* Only a monitor that holds its lock is the pid it recorded. */
	for (i = 0; i < n; i++)
		if (all[i].view.alive && !all[i].view.refused &&
		    all[i].view.state == WSP_PROC_RUNNING &&
		    all[i].view.file.monitor_pid > 1)
			(*out)[(*out_n)++] = (pid_t)all[i].view.file.monitor_pid;
	free(all);
	return 0;
}
