/*
 * plugins/sandbox-blaxel/ndjson.c - one line of a streamed exec's NDJSON
 * answer, classified and checked (see streams.h). Untrusted: the line is
 * bounded by the stream's frame limit, parsed by cJSON, and only members
 * of the right type are taken.
 */
#include "streams.h"

#include <string.h>

/* The log keepalive shares the exec stream, as stdout (sandbox-api). */
#define LOG_KEEPALIVE "[keepalive]\n"

static const char *str(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void take_result(struct bl_event *ev, const char *data)
{
	const cJSON *code;

	ev->result = data ? cJSON_Parse(data) : NULL;
	if (!cJSON_IsObject(ev->result)) {
		ev->kind = BL_EV_BAD_RESULT;
		return;
	}
	code = cJSON_GetObjectItemCaseSensitive(ev->result, "exitCode");
	ev->exit_code = -1;
	/* Go's ExitCode(): an int; anything else or out of range is none */
	if (cJSON_IsNumber(code) && code->valuedouble >= -1 &&
	    code->valuedouble <= 255)
		ev->exit_code = (int)code->valuedouble;
	ev->status = str(ev->result, "status");
	ev->out = str(ev->result, "stdout");
	ev->err = str(ev->result, "stderr");
	/* ended by our kill (SIGKILL) or stop (SIGTERM): Go says -1 */
	if (ev->status && ev->exit_code < 0)
		ev->term_signal = !strcmp(ev->status, "killed")	   ? 9
				  : !strcmp(ev->status, "stopped") ? 15
								   : 0;
}

enum bl_ev_kind bl_event_parse(struct bl_event *ev, const char *line,
			       size_t len)
{
	const char *type, *data;

	memset(ev, 0, sizeof(*ev));
	ev->exit_code = -1;
	ev->json = line && len ? cJSON_ParseWithLength(line, len) : NULL;
	type = str(ev->json, "type");
	if (!cJSON_IsObject(ev->json) || !type)
		return ev->kind = BL_EV_NOT_EVENT;
	data = str(ev->json, "data");
	if (!strcmp(type, "stdout") || !strcmp(type, "stderr")) {
		ev->kind = type[3] == 'o' ? BL_EV_STDOUT : BL_EV_STDERR;
		if (ev->kind == BL_EV_STDOUT && data &&
		    !strcmp(data, LOG_KEEPALIVE))
			ev->kind = BL_EV_KEEPALIVE;
	} else if (!strcmp(type, "keepalive")) {
		ev->kind = BL_EV_KEEPALIVE;
	} else if (!strcmp(type, "result")) {
		ev->kind = BL_EV_RESULT;
		take_result(ev, data);
		data = NULL;
	} else if (!strcmp(type, "error")) {
		ev->kind = BL_EV_ERROR;
	} else {
		ev->kind = BL_EV_OTHER;
		data = NULL;
	}
	if (ev->kind == BL_EV_KEEPALIVE)
		data = NULL;
	ev->data = data;
	ev->data_len = data ? strlen(data) : 0;
	return ev->kind;
}

void bl_event_free(struct bl_event *ev)
{
	cJSON_Delete(ev->result);
	cJSON_Delete(ev->json);
	memset(ev, 0, sizeof(*ev));
}
