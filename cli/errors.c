/*
 * cli/errors.c - the one place the CLI prints a failed call's wsp_error:
 * the message and the service's detail (wsp_error_detail()), or with
 * --json a JSON object carrying the detail as fields.
 */
#include "cli.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>

int cli_json_errors;

/* Only what a service said: members stay out of the object when unset. */
static void add_detail(cJSON *o, const wsp_error *err)
{
	char code[WSP_ERROR_CODE_MAX];

	if (err->http_status > 0)
		cJSON_AddNumberToObject(o, "http_status", err->http_status);
	snprintf(code, sizeof(code), "%s", err->service_code);
	if (code[0])
		cJSON_AddStringToObject(o, "service_code", code);
	if (err->flags & WSP_ERROR_RETRYABLE)
		cJSON_AddTrueToObject(o, "retryable");
	if (err->flags & WSP_ERROR_HAS_RETRY_AFTER)
		cJSON_AddNumberToObject(o, "retry_after_ms",
					(double)err->retry_after_ms);
}

static int print_json(const wsp_error *err)
{
	cJSON *o = cJSON_CreateObject();
	char *text;

	if (!o)
		return -1;
	cJSON_AddStringToObject(o, "error", err->message);
	cJSON_AddStringToObject(o, "code", wsp_strerror(err->code));
	add_detail(o, err);
	/* cJSON escapes control characters: one line, safe to print */
	text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (!text)
		return -1;
	fprintf(stderr, "%s\n", text);
	free(text);
	return 0;
}

void cli_fail_error(const wsp_error *err)
{
	char suffix[WSP_ERROR_CODE_MAX + 32];

	if (cli_json_errors && !print_json(err))
		return;
	wsp_error_detail(suffix, sizeof(suffix), err);
	cli_error("%s%s", err->message, suffix);
}
