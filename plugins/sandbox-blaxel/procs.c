/*
 * plugins/sandbox-blaxel/procs.c - background processes: the process
 * manager over the sandbox-api's process routes.
 *
 * A process's wsp id is its Blaxel name (`wsp-proc-<16 hex>`): Blaxel
 * keeps processes and their output by name, so any later wsp, or another
 * one at the same time, reaches the same process, and its output outlives
 * the wsp that started it. What Blaxel does not keep is kept in the state
 * store under the instance, one small key per fact: released (Blaxel has
 * no way to forget a process), stdin closed by us, signaled by us, and
 * started with a timeout (so a kill by Blaxel's own timer reads as
 * timed_out).
 *
 * Output reads are `/logs`, the raw bytes of each stream, cut to the
 * caller's offsets and tails here (past the sandbox's cap /logs holds only
 * a tail: procs_logs.c). A wait follows `/logs/stream`, which ends when
 * the process does: no polling while it runs.
 */
#include "httpdate.h"
#include "procs.h"
#include "remote.h"
#include "stream_queue.h"
#include "streams.h"

#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PROC_PREFIX "wsp-proc-"

/* Ids reach URL paths: only what a Blaxel name or pid may hold. */
static int id_ok(const char *id)
{
	size_t n = strlen(id);

	if (!n || n >= WSP_PROC_ID_MAX)
		return 0;
	for (; *id; id++)
		if (!isalnum((unsigned char)*id) && *id != '-' && *id != '_' &&
		    *id != '.')
			return 0;
	return 1;
}

static int unknown(const char *id, wsp_error *err)
{
	char shown[WSP_PROC_ID_MAX];

	return wsp_error_set(err, WSP_ENOTFOUND, "no process '%s'",
			     rmt_printable(shown, sizeof(shown), id));
}

/* ---- facts in the state store ------------------------------------------ */

static void fact_key(char *key, size_t cap, const char *fact, const char *id)
{
	snprintf(key, cap, "proc.%s.%s", id, fact);
	for (char *c = key; *c; c++) /* store keys are [a-z0-9._-] */
		*c = (char)tolower((unsigned char)*c);
}

int bl_fact(struct bl *b, const char *fact, const char *id)
{
	char key[128], *v = NULL;
	size_t len = 0;

	if (!b->state || !b->host->state_get)
		return 0;
	fact_key(key, sizeof(key), fact, id);
	if (b->host->state_get(&v, &len, b->host, b->state, key, NULL))
		return 0;
	b->host->free(b->host, v);
	return 1;
}

void bl_fact_set(struct bl *b, const char *fact, const char *id)
{
	char key[128];

	if (!b->state || !b->host->state_put)
		return;
	fact_key(key, sizeof(key), fact, id);
	b->host->state_put(b->host, b->state, key, "1", 1, NULL);
}

/* ---- requests ----------------------------------------------------------- */

int bl_proc_request(int *status, cJSON **out, struct bl *b,
		    const wsp_call *call, const char *method, const char *id,
		    const char *suffix, const void *body, size_t body_len,
		    const char *ctype, wsp_error *err)
{
	char url[BL_URL_MAX + 128];
	struct bl_req r = {.method = method, .url = url, .call = call,
			   .body = body, .body_len = body_len,
			   .content_type = ctype};
	int rc;

	if ((rc = bl_ready(url, BL_URL_MAX, b, call, err)))
		return rc;
	snprintf(url + strlen(url), sizeof(url) - strlen(url), "/process%s%s%s",
		 id ? "/" : "", id ? id : "", suffix ? suffix : "");
	return bl_request(status, out, b, &r, err);
}

/* GET the process: 0 with *pr, or WSP_ENOTFOUND (released counts). */
int bl_proc_get(cJSON **pr, struct bl *b, const wsp_call *call,
		const char *id, wsp_error *err)
{
	int status = 0, rc;

	*pr = NULL;
	if (!id_ok(id) || bl_fact(b, "released", id))
		return unknown(id, err);
	rc = bl_proc_request(&status, pr, b, call, "GET", id, NULL, NULL, 0,
			     NULL, err);
	if (rc)
		return rc;
	if (status == 200 && cJSON_IsObject(*pr))
		return 0;
	rc = status == 404 ? unknown(id, err)
			   : bl_fail(b, status, *pr, "cannot get the process",
				     err);
	cJSON_Delete(*pr);
	*pr = NULL;
	return rc;
}

/* "Sun, 06 Dec 2026 03:01:06 GMT" (Go's http.TimeFormat) -> epoch ms;
 * 0 (unknown) when absent or not such a date. */
static int64_t go_date_ms(const char *s)
{
	return http_date_ns_or0(s) / 1000000;
}

/*
 * A stream's total from its text. What GET /process inlines (no /logs)
 * is past 64 KiB the marker and a tail (inline.c): its length a floor.
 */
static uint64_t inline_total(const char *text, int is_inline)
{
	const char *tail;
	size_t len = text ? strlen(text) : 0, tail_len = len;

	if (is_inline)
		bl_logs_tail(&tail, &tail_len, text, len);
	return tail_len;
}

void bl_proc_status(wsp_proc_status *out, struct bl *b, const char *id,
		    const cJSON *pr, const cJSON *logs)
{
	const char *st = bl_str(pr, "status"), *pid = bl_str(pr, "pid");
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(pr, "exitCode");
	const cJSON *in = cJSON_GetObjectItemCaseSensitive(pr, "stdin");
	const char *so = bl_str(logs ? logs : pr, "stdout");
	const char *se = bl_str(logs ? logs : pr, "stderr");
	int ec = cJSON_IsNumber(code) ? (int)code->valuedouble : 0;
	uint32_t size = out->struct_size;

	memset(out, 0, sizeof(*out));
	out->struct_size = size;
	out->os_pid = pid ? strtoll(pid, NULL, 10) : -1;
	out->started_ms = go_date_ms(bl_str(pr, "startedAt"));
	out->stdout_total = inline_total(so, !logs);
	out->stderr_total = inline_total(se, !logs);
	/* stopped/killed is said at once, ended only with completedAt */
	if (!st || !strcmp(st, "running") || !bl_str(pr, "completedAt") ||
	    !*bl_str(pr, "completedAt")) {
		out->state = WSP_PROC_RUNNING;
		out->stdin_open = cJSON_IsTrue(in) &&
				  !bl_fact(b, "stdin-closed", id);
		return;
	}
	out->ended_ms = go_date_ms(bl_str(pr, "completedAt"));
	if ((!strcmp(st, "killed") || !strcmp(st, "stopped")) && ec < 0) {
		out->state = WSP_PROC_SIGNALED;
		out->term_signal = !strcmp(st, "killed") ? SIGKILL : SIGTERM;
		out->exit_code = 128 + out->term_signal;
		/* Blaxel's own timer (keepAlive + timeout) kills */
		out->timed_out = bl_fact(b, "timeout", id) &&
				 !bl_fact(b, "signaled", id);
	} else {
		out->state = WSP_PROC_EXITED;
		out->exit_code = ec;
	}
}

/* The process and its raw output: the status with exact totals. */
int bl_proc_logs(wsp_proc_status *out, cJSON **logs, unsigned *partial,
		 struct bl *b, const wsp_call *call, const char *id,
		 wsp_error *err)
{
	cJSON *pr = NULL, *lg = NULL;
	int status = 0, rc = bl_proc_get(&pr, b, call, id, err);

	*partial = 0;
	if (rc)
		return rc;
	rc = bl_proc_request(&status, &lg, b, call, "GET", id, "/logs", NULL,
			     0, NULL, err);
	if (!rc && (status != 200 || !cJSON_IsObject(lg)))
		rc = status == 404 ? unknown(id, err)
				   : bl_fail(b, status, lg,
					     "cannot read the output", err);
	if (!rc) {
		/* read before /logs was: ended means /logs holds it all */
		wsp_proc_status st = {.struct_size = sizeof(st)};

		bl_proc_status(&st, b, id, pr, NULL);
		rc = bl_logs_whole(lg, partial, st.state != WSP_PROC_RUNNING,
				   b, call, id, err);
	}
	if (!rc && out)
		bl_proc_status(out, b, id, pr, lg);
	cJSON_Delete(pr);
	if (!rc && logs)
		*logs = lg;
	else
		cJSON_Delete(lg);
	return rc;
}

int bl_proc_full_status(wsp_proc_status *out, cJSON **logs, struct bl *b,
			const wsp_call *call, const char *id, wsp_error *err)
{
	unsigned partial = 0;
	int rc = bl_proc_logs(out, logs, &partial, b, call, id, err);

	if (!rc && logs && partial) {
		cJSON_Delete(*logs);
		*logs = NULL;
		rc = bl_logs_partial_error(partial, id, err);
	}
	return rc;
}

/* ---- slots -------------------------------------------------------------- */

int bl_spawn(char out_id[WSP_PROC_ID_MAX], void *self, const wsp_call *call,
	     const wsp_spawn_opts *o, wsp_error *err)
{
	struct bl *b = self;
	wsp_exec_opts eo = {.struct_size = sizeof(eo), .shell = o->shell,
			    .argv = o->argv};
	cJSON *body = cJSON_CreateObject(), *env = NULL, *ans = NULL;
	char id[WSP_PROC_ID_MAX], *cmd = NULL, *wd = NULL, *text = NULL;
	int64_t limit = o->flags & WSP_SPAWN_NO_TIMEOUT ? 0 : o->timeout_ms;
	int status = 0, rc;

	bl_random_name(id, sizeof(id), PROC_PREFIX);
	if (!body || bl_command_text(&cmd, &eo)) {
		rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = bl_working_dir(&wd, b, o->cwd, err)) ||
	    (rc = bl_env_object(&env, o->env, err)))
		goto out;
	cJSON_AddStringToObject(body, "command", cmd);
	cJSON_AddStringToObject(body, "workingDir", wd);
	cJSON_AddItemToObject(body, "env", env);
	cJSON_AddStringToObject(body, "name", id);
	cJSON_AddBoolToObject(body, "waitForCompletion", 0);
	cJSON_AddBoolToObject(body, "stdin", o->stdin_mode == WSP_STDIN_PIPE);
	if (limit > 0) {
		/* Blaxel kills at its timeout only with keepAlive; whole
		 * seconds, rounded up */
		cJSON_AddBoolToObject(body, "keepAlive", 1);
		cJSON_AddNumberToObject(body, "timeout",
					(double)((limit + 999) / 1000));
		bl_fact_set(b, "timeout", id);
	}
	if (!(text = cJSON_PrintUnformatted(body))) {
		rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
		goto out;
	}
	/* a POST is not retried by the core: resent only when the name
	 * shows it never ran (resend.c) */
	for (int attempt = 1;; attempt++) {
		int started = 0;

		cJSON_Delete(ans);
		ans = NULL;
		rc = bl_proc_request(&status, &ans, b, call, "POST", NULL, NULL,
				     text, strlen(text), NULL, err);
		if (rc || status == 200 || status == 201)
			break;
		if (bl_resend(&started, b, call, id, attempt, status, err,
			      &(wsp_error){0}))
			continue;
		if (!started)
			rc = bl_fail(b, status, ans, "cannot start the process",
				     err);
		break;
	}
	if (!rc)
		snprintf(out_id, WSP_PROC_ID_MAX, "%s", id);
out:
	cJSON_Delete(body);
	cJSON_Delete(ans);
	free(cmd);
	free(wd);
	free(text);
	return rc;
}

int bl_list(void *self, const wsp_call *call, uint32_t flags, wsp_proc_fn cb,
	    void *payload, wsp_error *err)
{
	struct bl *b = self;
	cJSON *ans = NULL, *arr, *p;
	int status = 0, rc;

	(void)flags;
	rc = bl_proc_request(&status, &ans, b, call, "GET", NULL, NULL, NULL, 0,
			     NULL, err);
	if (!rc && status != 200)
		rc = bl_fail(b, status, ans, "cannot list processes", err);
	/* a bare array, or {"data": [...]} as the newer lists are */
	arr = rc ? NULL
	    : cJSON_IsArray(ans) ? ans
				 : cJSON_GetObjectItemCaseSensitive(ans, "data");
	cJSON_ArrayForEach(p, arr)
	{
		const char *name = bl_str(p, "name");
		const char *cmd = bl_str(p, "command");
		wsp_proc_status st = {.struct_size = sizeof(st)};

		/* ours only (exec's are wsp-exec-), and not forgotten */
		if (!name || strncmp(name, PROC_PREFIX, strlen(PROC_PREFIX)) ||
		    !id_ok(name) || bl_fact(b, "released", name))
			continue;
		bl_proc_status(&st, b, name, p, NULL);
		if ((rc = cb(name, cmd ? cmd : "", &st, payload))) {
			rc = wsp_error_set(err, rc, "listing stopped");
			break;
		}
	}
	cJSON_Delete(ans);
	return rc;
}

int bl_pstatus(wsp_proc_status *out, void *self, const wsp_call *call,
	       const char *id, uint32_t flags, wsp_error *err)
{
	(void)flags;
	return bl_proc_full_status(out, NULL, self, call, id, err);
}

int bl_signal(void *self, const wsp_call *call, const char *id, int signum,
	      uint32_t flags, wsp_error *err)
{
	struct bl *b = self;
	cJSON *pr = NULL;
	int status = 0, rc;

	(void)flags;
	if (signum != SIGTERM && signum != SIGKILL)
		return wsp_error_set(err, WSP_ENOTSUP,
				     "Blaxel sends only SIGTERM and SIGKILL");
	if ((rc = bl_proc_get(&pr, b, call, id, err)))
		return rc;
	cJSON_Delete(pr);
	bl_fact_set(b, "signaled", id);
	rc = bl_proc_request(&status, NULL, b, call, "DELETE", id,
			     signum == SIGKILL ? "/kill" : NULL, NULL, 0, NULL,
			     err);
	/* 404 here: it ended meanwhile, nothing left to signal */
	if (!rc && status != 200 && status != 404)
		rc = bl_fail(b, status, NULL, "cannot signal the process", err);
	return rc;
}

int bl_release(void *self, const wsp_call *call, const char *id,
	       uint32_t flags, wsp_error *err)
{
	struct bl *b = self;
	cJSON *pr = NULL;
	const char *st;
	int status = 0, rc;

	(void)flags;
	if ((rc = bl_proc_get(&pr, b, call, id, err)))
		return rc;
	st = bl_str(pr, "status");
	/* stopped/killed is said at once, ended only with completedAt */
	if (!st || !strcmp(st, "running") || !bl_str(pr, "completedAt") ||
	    !*bl_str(pr, "completedAt")) {
		/* released means gone: the whole command, children too */
		bl_fact_set(b, "signaled", id);
		rc = bl_proc_request(&status, NULL, b, call, "DELETE", id,
				     "/kill", NULL, 0, NULL, err);
		if (!rc && status != 200 && status != 404)
			rc = bl_fail(b, status, NULL,
				     "cannot kill the process", err);
	}
	cJSON_Delete(pr);
	if (!rc)
		bl_fact_set(b, "released", id);
	return rc;
}

int bl_write_stdin(void *self, const wsp_call *call, const char *id,
		   const void *data, size_t len, uint32_t flags,
		   wsp_error *err)
{
	struct bl *b = self;
	cJSON *ans = NULL;
	int status = 0, rc;

	(void)flags;
	if (!id_ok(id) || bl_fact(b, "released", id))
		return unknown(id, err);
	if (bl_fact(b, "stdin-closed", id))
		return wsp_error_set(err, WSP_EINVAL, "stdin is closed");
	rc = bl_proc_request(&status, &ans, b, call, "POST", id, "/stdin", data,
			     len, "application/octet-stream", err);
	if (!rc && status != 200)
		rc = status == 404 ? unknown(id, err)
				   : bl_fail(b, status, ans,
					     "cannot write stdin", err);
	cJSON_Delete(ans);
	return rc;
}

int bl_close_stdin(void *self, const wsp_call *call, const char *id,
		   uint32_t flags, wsp_error *err)
{
	struct bl *b = self;
	int status = 0, rc;

	(void)flags;
	if (!id_ok(id) || bl_fact(b, "released", id))
		return unknown(id, err);
	rc = bl_proc_request(&status, NULL, b, call, "DELETE", id, "/stdin",
			     NULL, 0, NULL, err);
	/* 409: it has no stdin, or it ended: EOF either way */
	if (!rc && status != 200 && status != 409)
		rc = status == 404 ? unknown(id, err)
				   : bl_fail(b, status, NULL,
					     "cannot close stdin", err);
	if (!rc)
		bl_fact_set(b, "stdin-closed", id);
	return rc;
}
