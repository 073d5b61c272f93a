/*
 * plugins/sandbox-e2b/procs.c - background processes (issue 14): spawned
 * through the sandbox's keeper, read from the state directory.
 *
 * E2B replays no output, so the Start stream of a background process is
 * held by wsp-e2b-keeper (keeper.h), one detached process per sandbox,
 * which writes the output and the exit into <state>/e2b/<sandbox>/procs/
 * <id>/log, the format the local sandbox's monitor writes
 * (plugins/shared/proclog). Everything here but spawn works from those
 * files, so a later wsp lists, reads, follows and waits for what an
 * earlier one started; stdin, close and signals go straight to envd by
 * the pid the log records. The process's own timeout is envd's deadline
 * (Connect-Timeout-Ms): envd kills it then.
 *
 * A log whose keeper is gone (its lock free) while it says running is
 * an orphan: a keeper is started to reconcile it with envd's own list
 * (reattached, with the gap counted, or marked gone), and until then it
 * reads as lost. Output nobody heard is never made up: a process with
 * gaps says so in the log at every look.
 */
#include "keeper.h"
#include "procs.h"
#include "proc_view.h"
#include "remote.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_LOG_LIMIT (1u << 20)
#define COMMAND_MAX 2000

/* One process's directory, open. */
struct pdir {
	char sandbox[E2B_ID_MAX];
	char path[4200];
	int fd;
	struct proc_view v;
};

static int unknown(const char *id, wsp_error *err)
{
	char shown[WSP_PROC_ID_MAX];

	snprintf(shown, sizeof(shown), "%s", id ? id : "");
	for (char *c = shown; *c; c++)
		if (*c < 0x20 || *c > 0x7e)
			*c = '?';
	return wsp_error_set(err, WSP_ENOTFOUND, "no process '%s' here",
			     shown);
}

/* An orphan: running by its log, but no keeper holds it. */
static int orphan(const struct proc_view *v)
{
	return !v->refused && v->file.state == PROC_RUNNING && !v->alive;
}

/* The sandbox this instance reaches, or the one its store keeps. */
static void current_sandbox(char *out, struct e2b *e)
{
	pthread_mutex_lock(&e->lock);
	snprintf(out, E2B_ID_MAX, "%s", e->conn.id);
	if (!out[0])
		e2b_kept_id(out, E2B_ID_MAX, e);
	pthread_mutex_unlock(&e->lock);
}

/* Ask the keeper of sandbox to reattach (starting one to reconcile when
 * launch), as far as the sandbox can be reached now. */
static void reattach(struct e2b *e, const char *sandbox, int launch,
		     const wsp_call *call)
{
	cJSON *req = cJSON_CreateObject(), *ans = NULL;
	wsp_error ignored = {0};
	struct e2b_conn c;

	cJSON_AddStringToObject(req, "op", "reattach");
	if (!launch)
		e2b_keeper_tell(&ans, e, sandbox, req, call, &ignored);
	else if (!e2b_reach_id(&c, e, sandbox, call, &ignored))
		e2b_keeper_call(&ans, e, &c, req, 1, call, &ignored);
	memset(&c, 0, sizeof(c));
	cJSON_Delete(req);
	cJSON_Delete(ans);
}

/* Say that output went unheard: envd replays nothing, so it is gone. */
static void report_gaps(struct e2b *e, const char *id,
			const struct proc_view *v)
{
	if (v->file.gaps > 0)
		e->host->log(e->host, WSP_LOG_WARN,
			     "background process '%s': output it wrote while "
			     "nothing listened is lost (%d time%s; E2B "
			     "replays nothing)",
			     id, v->file.gaps, v->file.gaps == 1 ? "" : "s");
}

/* Open process id's directory and look at it; orphans reconciled. */
static int open_proc(struct pdir *d, struct e2b *e, const char *id,
		     const wsp_call *call, wsp_error *err)
{
	char dir[4096];
	int root;

	d->fd = -1;
	if (e2b_proc_sandbox(d->sandbox, id) ||
	    e2b_keeper_dir(dir, sizeof(dir), e, d->sandbox))
		return unknown(id, err);
	snprintf(d->path, sizeof(d->path), "%s/" KEEPER_PROCS "/%s", dir, id);
	root = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (root >= 0) {
		int procs = proc_openat(root, KEEPER_PROCS,
					O_RDONLY | O_DIRECTORY, S_IFDIR);

		if (procs >= 0) {
			d->fd = proc_openat(procs, id, O_RDONLY | O_DIRECTORY,
					    S_IFDIR);
			close(procs);
		}
		close(root);
	}
	if (d->fd < 0)
		return unknown(id, err);
	proc_observe(&d->v, d->fd);
	if (orphan(&d->v)) {
		reattach(e, d->sandbox, 1, call);
		proc_observe(&d->v, d->fd);
	}
	report_gaps(e, id, &d->v);
	return 0;
}

static void close_proc(struct pdir *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}

static void fill(wsp_proc_status *out, const struct proc_view *v)
{
	uint32_t size;

	if (!out)
		return;
	size = out->struct_size;
	proc_fill_status(out, v);
	out->struct_size = size;
}

static const char *shown_command(const wsp_spawn_opts *o, char *buf,
				 size_t cap)
{
	size_t n = 0;

	if (o->shell)
		return o->shell;
	buf[0] = '\0';
	for (size_t i = 0; o->argv[i] && n + 1 < cap; i++)
		n += (size_t)snprintf(buf + n, cap - n, "%s%s", i ? " " : "",
				      o->argv[i]);
	return buf;
}

int e2b_spawn(char out_id[WSP_PROC_ID_MAX], void *self, const wsp_call *call,
	      const wsp_spawn_opts *so, wsp_error *err)
{
	struct e2b *e = self;
	wsp_exec_opts xo = WSP_EXEC_OPTS_INIT;
	uint64_t cap = so->log_limit ? so->log_limit : DEFAULT_LOG_LIMIT;
	int64_t deadline = !(so->flags & WSP_SPAWN_NO_TIMEOUT) &&
					   so->timeout_ms > 0
				   ? so->timeout_ms
				   : 0;
	cJSON *req = NULL, *start = NULL, *ans = NULL;
	const cJSON *id;
	struct e2b_conn c;
	char shown[COMMAND_MAX];
	int rc;

	if (cap > PROC_MAX_LOG_LIMIT)
		return wsp_error_set(err, WSP_ETOOBIG,
				     "log limit of %llu bytes is above the "
				     "maximum of 1 GiB",
				     (unsigned long long)cap);
	xo.shell = so->shell;
	xo.argv = so->argv;
	xo.cwd = so->cwd;
	xo.env = so->env;
	if ((rc = e2b_ready(&c, e, call, err)) ||
	    (rc = e2b_start_request(&start, e, &xo,
				    so->stdin_mode == WSP_STDIN_PIPE, err)))
		goto out;
	req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "op", "spawn");
	cJSON_AddItemToObject(req, "start", start);
	cJSON_AddNumberToObject(req, "deadline_ms", (double)deadline);
	cJSON_AddNumberToObject(req, "log_limit", (double)cap);
	cJSON_AddStringToObject(req, "command",
				shown_command(so, shown, sizeof(shown)));
	if ((rc = e2b_keeper_call(&ans, e, &c, req, 1, call, err)))
		goto out;
	id = cJSON_GetObjectItemCaseSensitive(ans, "id");
	if (!cJSON_IsString(id) || e2b_proc_sandbox(shown, id->valuestring)) {
		rc = wsp_error_set(err, WSP_EPROTO,
				   "the process keeper named no process");
		goto out;
	}
	snprintf(out_id, WSP_PROC_ID_MAX, "%s", id->valuestring);
out:
	memset(&c, 0, sizeof(c));
	cJSON_Delete(req);
	cJSON_Delete(ans);
	return rc;
}

struct listed {
	char id[WSP_PROC_ID_MAX];
	struct proc_view v;
};

static int by_start(const void *a, const void *b)
{
	const struct listed *x = a, *y = b;

	return (x->v.file.started_ms > y->v.file.started_ms) -
	       (x->v.file.started_ms < y->v.file.started_ms);
}

/* The processes of sandbox (sorted by start), *n of them. */
static int collect(struct listed **out, size_t *n, struct e2b *e,
		   const char *sandbox, int *orphans)
{
	char dir[4200], check[E2B_ID_MAX];
	struct listed *all = NULL;
	size_t cap = 0;
	struct dirent *de;
	DIR *d;
	int root, fd;

	*out = NULL;
	*n = 0;
	if (e2b_keeper_dir(dir, sizeof(dir), e, sandbox))
		return 0;
	root = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	fd = root < 0 ? -1
		      : proc_openat(root, KEEPER_PROCS, O_RDONLY | O_DIRECTORY,
				    S_IFDIR);
	if (root >= 0)
		close(root);
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while ((de = readdir(d))) {
		int pfd;

		if (e2b_proc_sandbox(check, de->d_name) ||
		    strcmp(check, sandbox))
			continue; /* ".", "..", a removal in progress */
		pfd = proc_openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY,
				  S_IFDIR);
		if (pfd < 0)
			continue;
		if (*n == cap) {
			struct listed *more =
				realloc(all, (cap = cap ? cap * 2 : 16) *
						     sizeof(*all));

			if (!more) {
				close(pfd);
				closedir(d);
				free(all);
				return WSP_ENOMEM;
			}
			all = more;
		}
		snprintf(all[*n].id, sizeof(all[*n].id), "%.*s",
			 (int)sizeof(all[*n].id) - 1, de->d_name);
		proc_observe(&all[*n].v, pfd);
		close(pfd);
		/* a spawn in progress (no status yet) is not listed */
		if (all[*n].v.file.state == PROC_STARTING && all[*n].v.alive)
			continue;
		*orphans += orphan(&all[*n].v);
		(*n)++;
	}
	closedir(d);
	if (*n)
		qsort(all, *n, sizeof(*all), by_start);
	*out = all;
	return 0;
}

int e2b_plist(void *self, const wsp_call *call, uint32_t flags,
	      wsp_proc_fn cb, void *payload, wsp_error *err)
{
	struct e2b *e = self;
	char sandbox[E2B_ID_MAX];
	struct listed *all = NULL;
	size_t n = 0;
	int rc, orphans = 0;

	(void)flags;
	current_sandbox(sandbox, e);
	if (!sandbox[0])
		return 0;
	rc = collect(&all, &n, e, sandbox, &orphans);
	if (!rc && orphans) {
		free(all);
		reattach(e, sandbox, 1, call);
		orphans = 0;
		rc = collect(&all, &n, e, sandbox, &orphans);
	}
	if (rc)
		return wsp_error_set(err, rc, "out of memory");
	for (size_t i = 0; i < n && !rc; i++) {
		wsp_proc_status st = {.struct_size = sizeof(st)};

		report_gaps(e, all[i].id, &all[i].v);
		fill(&st, &all[i].v);
		rc = cb(all[i].id, all[i].v.command, &st, payload);
	}
	free(all);
	return rc ? wsp_error_set(err, rc, "listing stopped by its callback")
		  : 0;
}

int e2b_pstatus(wsp_proc_status *out, void *self, const wsp_call *call,
		const char *id, uint32_t flags, wsp_error *err)
{
	struct pdir d;
	int rc = open_proc(&d, self, id, call, err);

	(void)flags;
	if (!rc)
		fill(out, &d.v);
	close_proc(&d);
	return rc;
}

int e2b_pwait(wsp_proc_status *out, void *self, const wsp_call *call,
	      const char *id, int64_t timeout_ms, uint32_t flags,
	      wsp_error *err)
{
	struct e2b *e = self;
	struct pdir d;
	int rc = open_proc(&d, e, id, call, err);

	(void)flags;
	if (rc)
		return rc;
	rc = proc_wait(&d.v, e->host, d.fd, d.path, 0,
		       timeout_ms >= 0 ? timeout_ms : -1, call, err);
	fill(out, &d.v); /* also when it still runs */
	close_proc(&d);
	return rc;
}

int e2b_read_output(wsp_proc_status *out, void *self, const wsp_call *call,
		    const char *id, const wsp_output_opts *o,
		    wsp_output_fn sink, void *payload, wsp_error *err)
{
	struct e2b *e = self;
	struct pdir d;
	int rc = open_proc(&d, e, id, call, err);

	if (rc)
		return rc;
	rc = proc_read(&d.v, e->host, d.fd, d.path, id, o, sink, payload,
		       call, err);
	if (!rc || (o->flags & WSP_OUTPUT_FOLLOW))
		fill(out, &d.v);
	close_proc(&d);
	return rc;
}

/* A running process of this instance's sandbox: its pid, and c. */
static int live(struct pdir *d, struct e2b_conn *c, struct e2b *e,
		const char *id, const wsp_call *call, int *ended,
		wsp_error *err)
{
	int rc = open_proc(d, e, id, call, err);

	*ended = 0;
	if (rc)
		return rc;
	if (d->v.state != WSP_PROC_RUNNING) {
		*ended = 1;
		return 0;
	}
	return e2b_reach_id(c, e, d->sandbox, call, err);
}

int e2b_psignal(void *self, const wsp_call *call, const char *id, int signum,
		uint32_t flags, wsp_error *err)
{
	struct e2b *e = self;
	struct e2b_conn c;
	struct pdir d;
	char json[96];
	int ended, rc;

	(void)flags;
	rc = live(&d, &c, e, id, call, &ended, err);
	if (!rc && !ended && signum != SIGKILL && signum != SIGTERM) {
		rc = wsp_error_set(err, WSP_ENOTSUP,
				   "envd sends only SIGTERM and SIGKILL");
	} else if (!rc && !ended) {
		snprintf(json, sizeof(json),
			 "{\"process\":{\"pid\":%lld},\"signal\":"
			 "\"SIGNAL_%s\"}",
			 (long long)d.v.file.pid,
			 signum == SIGKILL ? "SIGKILL" : "SIGTERM");
		rc = e2b_process_call(e, &c, "SendSignal", json, call, err);
	}
	memset(&c, 0, sizeof(c));
	close_proc(&d);
	return rc;
}

/* Tell the keeper (if one runs) about id: op "forget", "stdin-closed". */
static void tell(struct e2b *e, const char *sandbox, const char *op,
		 const char *id, const wsp_call *call)
{
	cJSON *req = cJSON_CreateObject(), *ans = NULL;
	wsp_error ignored = {0};

	cJSON_AddStringToObject(req, "op", op);
	cJSON_AddStringToObject(req, "id", id);
	e2b_keeper_tell(&ans, e, sandbox, req, call, &ignored);
	cJSON_Delete(req);
	cJSON_Delete(ans);
}

/* Out of every listing in one step, then its files. */
static int remove_proc(struct pdir *d, const char *id)
{
	char dead[WSP_PROC_ID_MAX + 16], parent[4200];
	int root, rc = 0;

	snprintf(parent, sizeof(parent), "%s", d->path);
	*strrchr(parent, '/') = '\0';
	snprintf(dead, sizeof(dead), ".dead-%s", id);
	root = open(parent, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (root < 0 || renameat(root, id, root, dead) < 0)
		rc = -errno;
	if (!rc) {
		unlinkat(d->fd, PROC_FILE_LOG, 0);
		if (unlinkat(root, dead, AT_REMOVEDIR) < 0)
			rc = -errno;
	}
	if (root >= 0)
		close(root);
	return rc;
}

int e2b_prelease(void *self, const wsp_call *call, const char *id,
		 uint32_t flags, wsp_error *err)
{
	struct e2b *e = self;
	struct e2b_conn c;
	struct pdir d;
	int ended, rc = live(&d, &c, e, id, call, &ended, err);
	wsp_error ignored = {0};

	(void)flags;
	if (rc && d.fd >= 0) {
		/* its sandbox is held or gone: forget it anyway */
		ended = 1;
		rc = 0;
	}
	if (rc) {
		close_proc(&d);
		return rc;
	}
	if (!ended) {
		char json[96];

		snprintf(json, sizeof(json),
			 "{\"process\":{\"pid\":%lld},\"signal\":"
			 "\"SIGNAL_SIGKILL\"}",
			 (long long)d.v.file.pid);
		e2b_process_call(e, &c, "SendSignal", json, call, &ignored);
	}
	memset(&c, 0, sizeof(c));
	tell(e, d.sandbox, "forget", id, call);
	rc = remove_proc(&d, id);
	close_proc(&d);
	return rc ? wsp_error_set_os(err, WSP_EIO, -rc,
				     "cannot remove process '%s': %s", id,
				     strerror(-rc))
		  : 0;
}

int e2b_write_stdin(void *self, const wsp_call *call, const char *id,
		    const void *data, size_t len, uint32_t flags,
		    wsp_error *err)
{
	struct e2b *e = self;
	struct e2b_conn c;
	struct pdir d;
	int ended, rc = live(&d, &c, e, id, call, &ended, err);

	(void)flags;
	if (!rc && (ended || !d.v.file.stdin_open))
		rc = wsp_error_set(err, WSP_EINVAL,
				   "the stdin of '%s' is closed", id);
	else if (!rc)
		rc = e2b_send_input(e, &c, (uint32_t)d.v.file.pid, data, len,
				    call, err);
	memset(&c, 0, sizeof(c));
	close_proc(&d);
	return rc;
}

int e2b_close_stdin(void *self, const wsp_call *call, const char *id,
		    uint32_t flags, wsp_error *err)
{
	struct e2b *e = self;
	struct e2b_conn c;
	struct pdir d;
	char json[64];
	int ended, rc = live(&d, &c, e, id, call, &ended, err);

	(void)flags;
	if (!rc && !ended && d.v.file.stdin_open) {
		snprintf(json, sizeof(json), "{\"process\":{\"pid\":%lld}}",
			 (long long)d.v.file.pid);
		rc = e2b_process_call(e, &c, "CloseStdin", json, call, err);
		if (!rc)
			tell(e, d.sandbox, "stdin-closed", id, call);
	}
	memset(&c, 0, sizeof(c));
	close_proc(&d);
	return rc;
}

void e2b_procs_reattach(struct e2b *e)
{
	char sandbox[E2B_ID_MAX];
	struct listed *all = NULL;
	size_t n = 0;
	int orphans = 0;

	current_sandbox(sandbox, e);
	if (!sandbox[0])
		return;
	/* a keeper that runs takes its streams back; orphans need one */
	collect(&all, &n, e, sandbox, &orphans);
	free(all);
	reattach(e, sandbox, orphans > 0, NULL);
}

/* A destroyed sandbox's directory goes: its processes' logs, the
 * keeper's lock and socket (only what the keeper makes, no link followed). */
static void remove_sandbox_dir(struct e2b *e, const char *sandbox)
{
	char dir[4096];
	struct dirent *de;
	int root, procs;
	DIR *d;

	if (e2b_keeper_dir(dir, sizeof(dir), e, sandbox) ||
	    (root = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
				      O_CLOEXEC)) < 0)
		return;
	procs = proc_openat(root, KEEPER_PROCS, O_RDONLY | O_DIRECTORY,
			    S_IFDIR);
	if (procs >= 0 && (d = fdopendir(procs))) {
		while ((de = readdir(d))) {
			int pfd = de->d_name[0] == '.'
					  ? -1
					  : proc_openat(procs, de->d_name,
							O_RDONLY | O_DIRECTORY,
							S_IFDIR);

			if (pfd < 0)
				continue;
			unlinkat(pfd, PROC_FILE_LOG, 0);
			close(pfd);
			unlinkat(procs, de->d_name, AT_REMOVEDIR);
		}
		closedir(d);
	} else if (procs >= 0) {
		close(procs);
	}
	unlinkat(root, KEEPER_PROCS, AT_REMOVEDIR);
	unlinkat(root, KEEPER_SOCK, 0);
	unlinkat(root, KEEPER_LOCK, 0);
	close(root);
	rmdir(dir);
}

void e2b_procs_end(struct e2b *e, const char *sandbox, const char *why)
{
	cJSON *req = cJSON_CreateObject(), *ans = NULL;
	wsp_error ignored = {0};

	if (!sandbox[0])
		return;
	cJSON_AddStringToObject(req, "op", "end");
	cJSON_AddStringToObject(req, "why", why);
	e2b_keeper_tell(&ans, e, sandbox, req, NULL, &ignored);
	cJSON_Delete(req);
	cJSON_Delete(ans);
	if (!strcmp(why, "destroyed"))
		remove_sandbox_dir(e, sandbox);
}
