/*
 * plugins/sandbox-daytona/session.c - a toolbox session and its
 * commands: create the session, start a command asynchronously, look at
 * its status and log (answers read by cmdanswer.c), send it input,
 * delete the session.
 *
 * A running command has its session to itself: the daemon writes each
 * command into the session's one shell, which runs them one after another
 * (daemon pkg/session/execute.go), so a session shared by two running
 * commands would hold the second back until the first ended; and
 * deleting the session is the toolbox's only kill. An idle session takes
 * the next command (pool.c).
 */
#include "daytona.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int dt_cmd_call(struct dt_cmd *c, const char *method, const char *path,
		cJSON *json, cJSON **out, const wsp_call *call,
		uint32_t flags, wsp_error *err)
{
	char full[DT_PATH_MAX];
	struct dt_req q = { .base = c->base, .method = method, .path = full,
			    .json = json, .call = call, .flags = flags };

	/* path is below the session: "" for the session itself */
	if ((size_t)snprintf(full, sizeof full, "/process/session/%s%s",
			     c->sid, path) >= sizeof full)
		return wsp_error_set(err, WSP_ETOOBIG, "request URL too long");
	return dt_request(c->d, &q, out, NULL, err);
}

/*
 * Creating a session under a fresh name may be sent again (429, 5xx, a
 * dropped connection): at worst the name is taken by our own first try.
 */
static int new_session(struct dt_cmd *c, cJSON *b, const wsp_call *call,
		       wsp_error *err)
{
	struct dt_req q = { .base = c->base, .method = "POST",
			    .path = "/process/session", .json = b,
			    .call = call, .flags = WSP_HTTP_IDEMPOTENT };
	int rc = dt_request(c->d, &q, NULL, NULL, err);

	return rc == WSP_ESTALE || rc == WSP_EEXIST ? 0 : rc;
}

int dt_session_open(struct dt_cmd *c, const wsp_call *call, wsp_error *err)
{
	cJSON *b = cJSON_CreateObject();
	int rc;

	if (!b || !cJSON_AddStringToObject(b, "sessionId", c->sid)) {
		cJSON_Delete(b);
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	if (!(rc = dt_ensure(c->base, c->d, call, err)))
		rc = new_session(c, b, call, err);
	if (rc && rc != WSP_ECANCELED && rc != WSP_ETIMEDOUT &&
	    rc != WSP_EAUTH) {
		/* Stopped since we last looked (auto-stop): start it. */
		dt_forget_toolbox(c->d);
		rc = dt_ensure(c->base, c->d, call, err);
		if (!rc)
			rc = new_session(c, b, call, err);
	}
	cJSON_Delete(b);
	return rc;
}

int dt_session_launch(struct dt_cmd *c, const char *text, int quiet_input,
		      const wsp_call *call, wsp_error *err)
{
	cJSON *b = cJSON_CreateObject(), *a = NULL;
	int rc;

	if (!b || !cJSON_AddStringToObject(b, "command", text) ||
	    !cJSON_AddBoolToObject(b, "runAsync", 1) ||
	    (quiet_input &&
	     !cJSON_AddBoolToObject(b, "suppressInputEcho", 1))) {
		cJSON_Delete(b);
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	rc = dt_cmd_call(c, "POST", "/exec", b, &a, call, 0, err);
	cJSON_Delete(b);
	if (!rc)
		rc = dt_cmd_id_read(c->cid, a, err);
	cJSON_Delete(a);
	return rc;
}

int dt_session_status(struct dt_cmd *c, int *done, int *exit_code,
		      const wsp_call *call, wsp_error *err)
{
	char path[DT_PATH_MAX];
	cJSON *st = NULL;
	int rc;

	snprintf(path, sizeof path, "/command/%s", c->cid);
	if ((rc = dt_cmd_call(c, "GET", path, NULL, &st, call, 0, err)))
		return rc;
	rc = dt_exit_read(done, exit_code, st, err);
	cJSON_Delete(st);
	return rc;
}

int dt_session_look(struct dt_cmd *c, int *done, int *exit_code,
		    cJSON **logs, const wsp_call *call, wsp_error *err)
{
	char path[DT_PATH_MAX];
	int rc;

	*logs = NULL;
	if ((rc = dt_session_status(c, done, exit_code, call, err)))
		return rc;
	/* Status first: an exit code means the log is complete. */
	snprintf(path, sizeof path, "/command/%s/logs", c->cid);
	if ((rc = dt_cmd_call(c, "GET", path, NULL, logs, call, 0, err)))
		return rc;
	if ((rc = dt_log_read(*logs, err))) {
		cJSON_Delete(*logs);
		*logs = NULL;
	}
	return rc;
}

int dt_session_input(struct dt_cmd *c, const char *line,
		     const wsp_call *call, wsp_error *err)
{
	char path[DT_PATH_MAX];
	cJSON *b = cJSON_CreateObject();
	int rc;

	if (!b || !cJSON_AddStringToObject(b, "data", line)) {
		cJSON_Delete(b);
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	snprintf(path, sizeof path, "/command/%s/input", c->cid);
	rc = dt_cmd_call(c, "POST", path, b, NULL, call, 0, err);
	cJSON_Delete(b);
	return rc;
}

int dt_session_delete(struct dt_cmd *c, const wsp_call *call, wsp_error *err)
{
	/* A session gone already is what we wanted. */
	int rc = dt_cmd_call(c, "DELETE", "", NULL, NULL, call,
			     WSP_HTTP_IDEMPOTENT, err);

	return rc == WSP_ENOTFOUND ? 0 : rc;
}
