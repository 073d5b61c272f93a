/*
 * plugins/sandbox-daytona/create.c - the body of POST /sandbox from the
 * options (CreateSandbox, provider-wire-apis.md §2.2).
 *
 * No name is sent: Daytona names must be unique in the organization, and
 * two workspaces may both call their sandbox "dev-box". wsp finds its
 * sandbox again by the remote id in the state store, or by the label
 * DT_LABEL_ID carrying the logical id.
 */
#include "daytona.h"

#include <stdio.h>
#include <string.h>

static int add_map(cJSON *obj, const char *name, const char *const *kv)
{
	cJSON *m = cJSON_AddObjectToObject(obj, name);
	size_t i;

	if (!m)
		return -1;
	for (i = 0; kv && kv[i] && kv[i + 1]; i += 2)
		if (!cJSON_AddStringToObject(m, kv[i], kv[i + 1]))
			return -1;
	return 0;
}

static int add_image(cJSON *body, const struct dt_config *c)
{
	char dockerfile[600];
	cJSON *bi;

	if ((size_t)snprintf(dockerfile, sizeof dockerfile, "FROM %s\n",
			     c->image) >= sizeof dockerfile)
		return -1;
	bi = cJSON_AddObjectToObject(body, "buildInfo");
	if (!bi ||
	    !cJSON_AddStringToObject(bi, "dockerfileContent", dockerfile))
		return -1;
	if ((c->cpu && !cJSON_AddNumberToObject(body, "cpu", (double)c->cpu)) ||
	    (c->memory_gib &&
	     !cJSON_AddNumberToObject(body, "memory", (double)c->memory_gib)) ||
	    (c->disk_gib &&
	     !cJSON_AddNumberToObject(body, "disk", (double)c->disk_gib)))
		return -1;
	return 0;
}

static int add_str(cJSON *body, const char *name, const char *v)
{
	return v && !cJSON_AddStringToObject(body, name, v) ? -1 : 0;
}

static int add_minutes(cJSON *body, const char *name, int64_t min)
{
	return min >= 0 && !cJSON_AddNumberToObject(body, name, (double)min)
		       ? -1
		       : 0;
}

cJSON *dt_create_body(const struct dt *d)
{
	const struct dt_config *c = &d->cfg;
	cJSON *body = cJSON_CreateObject(), *labels;

	if (!body || add_str(body, "snapshot", c->snapshot) ||
	    (c->image && add_image(body, c)) ||
	    add_str(body, "target", c->target) ||
	    add_str(body, "user", c->user) || add_map(body, "env", c->env) ||
	    add_map(body, "labels", c->labels) || dt_volumes_add(body, c))
		goto fail;
	labels = cJSON_GetObjectItem(body, "labels");
	if (!cJSON_AddStringToObject(labels, DT_LABEL_ID, d->logical_id) ||
	    (c->language &&
	     !cJSON_AddStringToObject(labels, "code-toolbox-language",
				      c->language)) ||
	    !cJSON_AddBoolToObject(body, "public", c->public_) ||
	    !cJSON_AddBoolToObject(body, "networkBlockAll",
				   c->network_block_all) ||
	    add_str(body, "networkAllowList", c->network_allow_list) ||
	    add_minutes(body, "autoStopInterval", c->auto_stop_min) ||
	    add_minutes(body, "autoArchiveInterval", c->auto_archive_min) ||
	    /* ephemeral is Daytona's "delete at stop": interval 0 */
	    add_minutes(body, "autoDeleteInterval",
			c->ephemeral ? 0 : c->auto_delete_min))
		goto fail;
	return body;
fail:
	cJSON_Delete(body);
	return NULL;
}
