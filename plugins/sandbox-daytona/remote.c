/*
 * plugins/sandbox-daytona/remote.c - what wsp keeps of a Sandbox answer,
 * and what Daytona's states mean to wsp.
 *
 * The id goes into URL paths, and the toolbox URL is where commands (and
 * the key) are sent next: both are checked before they are used, so a
 * wrong answer cannot steer requests elsewhere than an http(s) URL.
 */
#include "daytona.h"
#include "remote.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

int dt_id_ok(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (!isalnum((unsigned char)s[n]) && s[n] != '-')
			return 0;
	return n >= 1 && n <= DT_ID_MAX;
}

/* Copy a string member when present; fails only when too long. */
static int copy(char *dst, size_t cap, const cJSON *j, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, name);

	dst[0] = '\0';
	if (!cJSON_IsString(v) || !v->valuestring)
		return 0;
	if (strlen(v->valuestring) >= cap)
		return -1;
	strcpy(dst, v->valuestring);
	return 0;
}

static int64_t num(const cJSON *j, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, name);

	return cJSON_IsNumber(v) && v->valuedouble >= 0 &&
			       v->valuedouble < 1e9
		       ? (int64_t)v->valuedouble
		       : 0;
}

int dt_remote_parse(struct dt_remote *r, const cJSON *j, wsp_error *err)
{
	memset(r, 0, sizeof(*r));
	if (!cJSON_IsObject(j) || copy(r->id, sizeof r->id, j, "id") ||
	    !dt_id_ok(r->id))
		return wsp_error_set(err, WSP_EPROTO,
				     "Daytona's sandbox answer has no usable "
				     "id");
	if (copy(r->state, sizeof r->state, j, "state") ||
	    copy(r->toolbox, sizeof r->toolbox - DT_ID_MAX - 2, j,
		 "toolboxProxyUrl"))
		return wsp_error_set(err, WSP_EPROTO,
				     "Daytona's sandbox answer is malformed");
	if (r->toolbox[0] &&
	    (!rmt_is_http(r->toolbox) || strpbrk(r->toolbox, " \t\r\n?#")))
		return wsp_error_set(err, WSP_EPROTO,
				     "Daytona's toolbox URL is not an "
				     "http(s) URL");
	/* Descriptive only: cut rather than refuse. */
	snprintf(r->target, sizeof r->target, "%s",
		 cJSON_IsString(cJSON_GetObjectItem(j, "target"))
			 ? cJSON_GetObjectItem(j, "target")->valuestring
			 : "");
	if (copy(r->snapshot, sizeof r->snapshot, j, "snapshot"))
		r->snapshot[0] = '\0';
	if (copy(r->user, sizeof r->user, j, "user"))
		r->user[0] = '\0';
	if (copy(r->error_reason, sizeof r->error_reason, j, "errorReason"))
		strcpy(r->error_reason, "(too long to show)");
	r->cpu = num(j, "cpu");
	r->memory_gib = num(j, "memory");
	r->disk_gib = num(j, "disk");
	return 0;
}

static const struct {
	const char *name;
	uint32_t state;
	int settled;
} states[] = {
	{ "started", WSP_SANDBOX_RUNNING, 1 },
	{ "stopped", WSP_SANDBOX_STOPPED, 1 },
	{ "archived", WSP_SANDBOX_STOPPED, 1 },
	/* Daytona's pause keeps memory: what wsp calls paused. */
	{ "paused", WSP_SANDBOX_PAUSED, 1 },
	{ "error", WSP_SANDBOX_ERROR, 1 },
	{ "build_failed", WSP_SANDBOX_ERROR, 1 },
	{ "destroyed", WSP_SANDBOX_ABSENT, 1 },
	{ "destroying", WSP_SANDBOX_ABSENT, 0 },
	{ "creating", WSP_SANDBOX_STARTING, 0 },
	{ "starting", WSP_SANDBOX_STARTING, 0 },
	{ "restoring", WSP_SANDBOX_STARTING, 0 },
	{ "pending_build", WSP_SANDBOX_STARTING, 0 },
	{ "building_snapshot", WSP_SANDBOX_STARTING, 0 },
	{ "pulling_snapshot", WSP_SANDBOX_STARTING, 0 },
	{ "resuming", WSP_SANDBOX_STARTING, 0 },
	{ "stopping", WSP_SANDBOX_STOPPED, 0 },
	{ "archiving", WSP_SANDBOX_STOPPED, 0 },
	{ "pausing", WSP_SANDBOX_PAUSED, 0 },
	{ "resizing", WSP_SANDBOX_RUNNING, 0 },
	{ "snapshotting", WSP_SANDBOX_RUNNING, 0 },
	{ "forking", WSP_SANDBOX_RUNNING, 0 },
};

uint32_t dt_state_map(const char *state)
{
	size_t i;

	for (i = 0; i < sizeof states / sizeof states[0]; i++)
		if (!strcmp(state, states[i].name))
			return states[i].state;
	return WSP_SANDBOX_UNKNOWN;
}

int dt_state_settled(const char *state)
{
	size_t i;

	for (i = 0; i < sizeof states / sizeof states[0]; i++)
		if (!strcmp(state, states[i].name))
			return states[i].settled;
	/* "unknown" and states newer than wsp: wait and see. */
	return 0;
}
