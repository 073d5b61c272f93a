/*
 * plugins/sandbox-local/lifecycle.c - start, stop, destroy, status, info
 * and instructions of a local sandbox, and its vtable.
 *
 * A local sandbox is its working directory plus its state directory (where
 * background processes keep their logs and status). It exists once start
 * has made the state directory; a later start with the same id reconnects
 * to it. stop leaves a "stopped" mark that the next start removes.
 */
#include "freezer.h"
#include "env.h"
#include "instance.h"
#include "mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define STOPPED_MARK "stopped"
/* Present while paused; holds the path of the frozen cgroup. */
#define PAUSED_MARK "paused"

static uint32_t state_of(const struct local_sandbox *sb);

/* Removes the mark `name` from the state directory, if it is there. */
static int drop_mark(const struct local_sandbox *sb, const char *name,
		     wsp_error *err)
{
	char *mark = local_path_join(sb->state_dir, name);

	if (!mark)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	unlink(mark);
	free(mark);
	return 0;
}

static int local_start(uint32_t *out_outcome, void *self,
		       const wsp_call *call, uint32_t flags, wsp_error *err)
{
	struct local_sandbox *sb = self;
	struct stat st;
	int rc;

	(void)flags;
	/* Nothing here blocks: the call is checked once, before any change. */
	rc = local_call_check(sb, call, "start", err);
	if (rc)
		return rc;
	rc = local_mkdir_p(sb->working_dir, 0755);
	if (rc < 0)
		return wsp_error_set_os(err, WSP_EIO, -rc,
			"cannot create working directory '%s': %s",
			sb->working_dir, strerror(-rc));
	if (stat(sb->state_dir, &st) == 0 && S_ISDIR(st.st_mode)) {
		*out_outcome = WSP_START_CONNECTED;
	} else {
		rc = local_mkdir_p(sb->state_dir, 0700);
		if (rc < 0)
			return wsp_error_set_os(err, WSP_EIO, -rc,
				"cannot create state directory '%s': %s; set "
				"the option 'state_dir'", sb->state_dir,
				strerror(-rc));
		*out_outcome = WSP_START_CREATED;
	}
	rc = drop_mark(sb, STOPPED_MARK, err);
	if (rc)
		return rc;
	/*
	 * No environment is started here: the core mounts the configured
	 * stores right after start, and the environment binds them when it
	 * starts (mounts.c); one started now could not gain them.
	 */
	return 0;
}

/*
 * The frozen cgroup's path from the paused mark: 1 and path filled while
 * paused, 0 when not, -errno when the mark cannot be read.
 */
static int paused_path(const struct local_sandbox *sb, char *path,
		       size_t cap)
{
	char *mark = local_path_join(sb->state_dir, PAUSED_MARK);
	ssize_t n;
	int fd;

	if (!mark)
		return -ENOMEM;
	fd = open(mark, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	free(mark);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	n = read(fd, path, cap - 1);
	close(fd);
	if (n < 0)
		return -EIO;
	path[n] = '\0';
	path[strcspn(path, "\n")] = '\0';
	return 1;
}

int local_paused_check(struct local_sandbox *sb, const char *what,
		       wsp_error *err)
{
	char path[PATH_MAX];

	if (paused_path(sb, path, sizeof(path)) <= 0)
		return 0;
	return wsp_error_set(err, WSP_EBUSY,
			     "%s: sandbox '%s' is paused; resume it first "
			     "(wsp sandbox resume)", what, sb->id);
}

int local_start_if_stopped(struct local_sandbox *sb, const wsp_call *call,
			   const char *what, wsp_error *err)
{
	uint32_t outcome;
	int rc;

	if (state_of(sb) != WSP_SANDBOX_STOPPED)
		return 0;
	rc = local_start(&outcome, sb, call, 0, err);
	if (rc)
		return rc;
	/* The host names the sandbox first: "sandbox 'x': ..." */
	sb->host->log(sb->host, WSP_LOG_INFO,
		      "it was stopped; %s started it again", what);
	return 0;
}

/*
 * Pause and resume of one sandbox by several wsp processes take turns:
 * an flock on "pause.lock" in the state directory, held until unlock.
 * -1 when it cannot be opened (the state directory is gone: nothing to
 * serialise against).
 */
static int pause_lock(const struct local_sandbox *sb)
{
	char *path = local_path_join(sb->state_dir, "pause.lock");
	int fd = path ? open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
			     0600)
		      : -1;

	free(path);
	if (fd >= 0)
		flock(fd, LOCK_EX);
	return fd;
}

static void pause_unlock(int fd)
{
	if (fd >= 0)
		close(fd); /* releases the flock */
}

static int thaw_locked(struct local_sandbox *sb, wsp_error *err);

/* Thaw and remove the mark; 0 when it was not paused. */
static int thaw(struct local_sandbox *sb, wsp_error *err)
{
	int lock = pause_lock(sb), rc = thaw_locked(sb, err);

	pause_unlock(lock);
	return rc;
}

static int thaw_locked(struct local_sandbox *sb, wsp_error *err)
{
	char path[PATH_MAX], why[PATH_MAX + 128];
	int rc = paused_path(sb, path, sizeof(path));

	if (rc < 0)
		return wsp_error_set_os(err, WSP_EIO, -rc,
					"cannot read the paused mark of "
					"sandbox '%s': %s", sb->id,
					strerror(-rc));
	if (rc == 0)
		return 0;
	rc = local_freezer_thaw(path, why, sizeof(why));
	if (rc)
		return wsp_error_set_os(err, WSP_EIO, -rc, "resume: %s", why);
	return drop_mark(sb, PAUSED_MARK, err);
}

static int pause_locked(struct local_sandbox *sb, const wsp_call *call,
			wsp_error *err);

static int local_pause(void *self, const wsp_call *call, uint32_t flags,
		       wsp_error *err)
{
	struct local_sandbox *sb = self;
	int lock, rc;

	(void)flags;
	lock = pause_lock(sb);
	rc = pause_locked(sb, call, err);
	pause_unlock(lock);
	return rc;
}

static int pause_locked(struct local_sandbox *sb, const wsp_call *call,
			wsp_error *err)
{
	char path[PATH_MAX], why[PATH_MAX + 128], *mark;
	pid_t *monitors = NULL, holder;
	size_t n = 0;
	struct stat st;
	int fd, rc;

	rc = local_call_check(sb, call, "pause", err);
	if (rc)
		return rc;
	if (local_freezer_usable(why, sizeof(why)) < 0)
		return wsp_error_set(err, WSP_ENOTSUP,
				     "pause: the local sandbox cannot freeze "
				     "processes here: %s", why);
	if (stat(sb->state_dir, &st) < 0 ||
	    state_of(sb) == WSP_SANDBOX_STOPPED)
		return wsp_error_set(err, WSP_EBUSY,
				     "pause: sandbox '%s' is not running "
				     "(start it first)", sb->id);
	if (paused_path(sb, path, sizeof(path)) > 0)
		return 0; /* already paused */
	rc = local_procs_monitors(sb, &monitors, &n, err);
	if (rc)
		return rc;
	/* Below the environment's holder: every command run in it. */
	holder = local_env_holder(sb);
	if (holder > 0) {
		pid_t *v = realloc(monitors, (n + 1) * sizeof(*v));

		if (!v) {
			free(monitors);
			return wsp_error_set(err, WSP_ENOMEM, "out of memory");
		}
		monitors = v;
		monitors[n++] = holder;
	}
	rc = local_freezer_freeze(sb->state_dir, monitors, n, path,
				  sizeof(path), why, sizeof(why));
	free(monitors);
	if (rc)
		return wsp_error_set_os(err, rc == -EPERM ? WSP_EPERM : WSP_EIO,
					-rc, "pause: %s", why);
	mark = local_path_join(sb->state_dir, PAUSED_MARK);
	fd = mark ? open(mark, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
				       O_CLOEXEC, 0600)
		  : -1;
	rc = fd < 0 ? (mark ? -errno : -ENOMEM) : 0;
	if (fd >= 0) {
		size_t len = strlen(path);

		if (write(fd, path, len) != (ssize_t)len)
			rc = -EIO;
		close(fd);
	}
	if (rc) {
		/* Without the mark no one could resume it: undo the freeze. */
		if (mark)
			unlink(mark);
		local_freezer_thaw(path, why, sizeof(why));
		free(mark);
		return wsp_error_set_os(err, WSP_EIO, -rc,
					"pause: cannot record the pause in "
					"'%s': %s", sb->state_dir,
					strerror(-rc));
	}
	free(mark);
	return 0;
}

static int local_resume(void *self, const wsp_call *call, uint32_t flags,
			wsp_error *err)
{
	struct local_sandbox *sb = self;
	int rc;

	(void)flags;
	rc = local_call_check(sb, call, "resume", err);
	return rc ? rc : thaw(sb, err);
}

/*
 * A port inside is the host's own while commands share the host's
 * network: isolation none, or bubblewrap with allow_network. Under
 * bubblewrap without it (its own network namespace with only lo) the
 * environment's holder forwards an ephemeral port of the host's
 * 127.0.0.1 into it (agent/forward.c): the URL names that port.
 */
static int local_preview(wsp_preview *out, void *self, const wsp_call *call,
			 uint32_t port, uint32_t flags, wsp_error *err)
{
	struct local_sandbox *sb = self;
	uint32_t outer = port;
	int rc;

	(void)flags;
	rc = local_call_check(sb, call, "preview", err);
	if (!rc)
		rc = local_resolve_isolation(sb, err);
	if (!rc && sb->use_bwrap && !sb->allow_network)
		rc = local_env_forward(sb, port, &outer, err);
	if (rc)
		return rc;
	snprintf(out->url, sizeof(out->url), "http://127.0.0.1:%u", outer);
	return 0;
}

/* Every process of the sandbox: background ones, then the environment. */
static int kill_background(struct local_sandbox *sb, const wsp_call *call,
			   wsp_error *err)
{
	int rc = local_procs_kill_all(sb, call, err);

	if (rc >= 0)
		rc = local_env_stop(sb, err);
	/* the stores last: the environment held its own references */
	return rc < 0 ? rc : local_mounts_unmount_all(sb, err);
}

/* stop's and destroy's start: every process ends, the sandbox's stores
 * are unmounted. 0 or a code. */
static int end_processes(struct local_sandbox *sb, const wsp_call *call,
			 const char *op, wsp_error *err)
{
	int rc = local_call_check(sb, call, op, err);

	if (rc)
		return rc;
	/* Frozen processes cannot act on a signal: thaw, then end them. */
	rc = thaw(sb, err);
	if (rc < 0)
		return rc;
	rc = kill_background(sb, call, err);
	return rc < 0 ? rc : 0;
}

static int local_stop(void *self, const wsp_call *call, uint32_t flags,
		      wsp_error *err)
{
	struct local_sandbox *sb = self;
	struct stat st;
	char *mark;
	int fd, rc;

	(void)flags;
	rc = end_processes(sb, call, "stop", err);
	if (rc)
		return rc;
	if (stat(sb->state_dir, &st) < 0)
		return 0; /* never started: nothing to mark */
	mark = local_path_join(sb->state_dir, STOPPED_MARK);
	if (!mark)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	/* Never through a link: the mark is empty, nothing else is written. */
	fd = open(mark, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	free(mark);
	if (fd >= 0)
		close(fd);
	return 0;
}

static int local_destroy(void *self, const wsp_call *call, uint32_t flags,
			 wsp_error *err)
{
	struct local_sandbox *sb = self;
	int rc;

	rc = end_processes(sb, call, "destroy", err);
	if (rc)
		return rc;
	rc = local_remove_tree(sb->state_dir);
	if (rc < 0)
		return wsp_error_set_os(err, WSP_EIO, -rc,
			"cannot remove state directory '%s': %s",
			sb->state_dir, strerror(-rc));
	if (flags & WSP_DESTROY_FILES) {
		rc = local_remove_tree(sb->working_dir);
		if (rc < 0)
			return wsp_error_set_os(err, WSP_EIO, -rc,
				"cannot remove working directory '%s': %s",
				sb->working_dir, strerror(-rc));
	}
	return 0;
}

static uint32_t state_of(const struct local_sandbox *sb)
{
	struct stat st;
	char *mark;
	uint32_t state = WSP_SANDBOX_RUNNING;

	if (stat(sb->state_dir, &st) < 0)
		return WSP_SANDBOX_ABSENT;
	mark = local_path_join(sb->state_dir, STOPPED_MARK);
	if (mark && stat(mark, &st) == 0)
		state = WSP_SANDBOX_STOPPED;
	free(mark);
	mark = state == WSP_SANDBOX_RUNNING
		       ? local_path_join(sb->state_dir, PAUSED_MARK)
		       : NULL;
	if (mark && lstat(mark, &st) == 0)
		state = WSP_SANDBOX_PAUSED;
	free(mark);
	return state;
}

static int local_status(uint32_t *out_state, void *self,
			const wsp_call *call, uint32_t flags, wsp_error *err)
{
	(void)call;
	(void)flags;
	(void)err;
	*out_state = state_of(self);
	return 0;
}

static const char *state_name(uint32_t s)
{
	switch (s) {
	case WSP_SANDBOX_ABSENT: return "absent";
	case WSP_SANDBOX_RUNNING: return "running";
	case WSP_SANDBOX_STOPPED: return "stopped";
	case WSP_SANDBOX_PAUSED: return "paused";
	default: return "unknown";
	}
}

static long cpu_count(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		return CPU_COUNT(&set);
	return sysconf(_SC_NPROCESSORS_ONLN);
}

static int kv_u64(wsp_kv_fn cb, void *payload, const char *key, uint64_t v)
{
	char num[32];

	snprintf(num, sizeof(num), "%" PRIu64, v);
	return cb(key, num, payload);
}

static int local_info(void *self, const wsp_call *call, uint32_t flags,
		      wsp_kv_fn cb, void *payload, wsp_error *err)
{
	struct local_sandbox *sb = self;
	uint64_t mem = (uint64_t)sysconf(_SC_PHYS_PAGES) *
		       (uint64_t)sysconf(_SC_PAGESIZE);
	const char *iso = local_isolation_name(sb);
	int rc;

	(void)call;
	(void)flags;
	(void)err;
#define KV(k, v)                                   \
	do {                                       \
		if ((rc = cb((k), (v), payload)))  \
			return rc;                 \
	} while (0)
#define KU(k, v)                                              \
	do {                                                  \
		if ((rc = kv_u64(cb, payload, (k), (v))))     \
			return rc;                            \
	} while (0)
	KV("id", sb->id);
	KV("provider", "local");
	KV("state", state_name(state_of(sb)));
	KU("cpus", (uint64_t)cpu_count());
	KU("memory_bytes", mem);
	KV("isolation", iso);
	KV("working_dir", sb->working_dir);
	KV("state_dir", sb->state_dir);
	KV("network", !strcmp(iso, "bwrap") && !sb->allow_network
			      ? "none"
			      : "host");
	KU("timeout_ms", (uint64_t)sb->timeout_ms);
	KU("kill_grace_ms", (uint64_t)sb->kill_grace_ms);
	KU("max_capture", sb->max_capture);
	KU("memory_limit", sb->limits.memory_bytes);
	KU("max_processes", sb->limits.max_processes);
	KU("cpu_time_s", sb->limits.cpu_seconds);
	KU("file_size_limit", sb->limits.file_size);
	if (sb->unisolated_why && !sb->use_bwrap)
		KV("unisolated_because", sb->unisolated_why);
#undef KV
#undef KU
	return 0;
}

/* "Limits per process: ..." for the configured limits, or nothing. */
static int describe_limits(char *buf, size_t cap,
			   const struct local_sandbox *sb)
{
	const struct local_limits *l = &sb->limits;
	size_t n = 0;
	int w;

#define PUT(...)                                                       \
	do {                                                           \
		w = snprintf(buf + n, cap - n, __VA_ARGS__);           \
		if (w < 0 || (size_t)w >= cap - n)                     \
			return (int)n;                                 \
		n += (size_t)w;                                        \
	} while (0)
	if (!l->memory_bytes && !l->cpu_seconds && !l->file_size &&
	    !l->max_processes)
		return 0;
	PUT("Limits per command process:");
	if (l->memory_bytes)
		PUT(" memory %" PRIu64 " MiB;", l->memory_bytes >> 20);
	if (l->cpu_seconds)
		PUT(" CPU time %" PRIu64 " s;", l->cpu_seconds);
	if (l->file_size)
		PUT(" file size %" PRIu64 " KiB;", l->file_size >> 10);
	if (l->max_processes)
		PUT(" processes %" PRIu64 ";", l->max_processes);
	n--; /* the last ';' becomes a full stop */
	PUT(".\n");
#undef PUT
	return (int)n;
}

static int local_instructions(void *self, const wsp_call *call,
			      uint32_t flags, wsp_sink_fn sink, void *payload,
			      wsp_error *err)
{
	struct local_sandbox *sb = self;
	const char *iso = local_isolation_name(sb);
	int isolated = !strcmp(iso, "bwrap");
	char text[2048];
	char timeout[128];
	int n;

	(void)call;
	(void)flags;
	(void)err;
	if (sb->timeout_ms > 0)
		snprintf(timeout, sizeof(timeout),
			 "Commands are stopped after %" PRId64 " ms unless "
			 "the call gives its own timeout.",
			 sb->timeout_ms);
	else
		snprintf(timeout, sizeof(timeout),
			 "Commands have no default time limit.");
	n = snprintf(text, sizeof(text),
		"Commands run on the local machine with /bin/sh. Working "
		"directory: \"%s\" (relative paths resolve there; it is "
		"%s). %s %s %s The environment is clean: only PATH, HOME "
		"and configured variables are set.\n",
		sb->working_dir,
		isolated && sb->read_only_workdir ? "read-only" : "writable",
		isolated ? "Commands run in a bubblewrap sandbox: system "
			   "directories are read-only, /tmp is private and "
			   "other host directories are not visible."
			 : "Commands run unisolated, as the host user.",
		isolated && !sb->allow_network
			? "There is no network access."
			: "Network access is available.",
		timeout);
	if (n < 0)
		return wsp_error_set(err, WSP_ERROR, "cannot format text");
	if ((size_t)n >= sizeof(text))
		n = (int)sizeof(text) - 1;
	n += describe_limits(text + n, sizeof(text) - (size_t)n, sb);
	return sink(text, (size_t)n, payload);
}

const wsp_sandbox_vtable local_sandbox_vtable = {
	.struct_size = sizeof(wsp_sandbox_vtable),
	.exec = local_exec,
	.start = local_start,
	.stop = local_stop,
	.destroy = local_destroy,
	.status = local_status,
	.info = local_info,
	.instructions = local_instructions,
	.pause = local_pause,
	.resume = local_resume,
	.preview = local_preview,
	.mount = local_mount,
	.unmount = local_unmount,
};
