/*
 * cli/errors.c - the one place the CLI prints a failure: a failed call's
 * wsp_error (its message and the service's detail, wsp_error_detail()),
 * or with --json a JSON object carrying a stable code and the detail as
 * fields. The code is what a program driving wsp branches on, so it is
 * the core's wsp_errname() of the wsp_error code alone, never derived
 * from a provider's wording: the same condition gives the same code whichever
 * provider serves the path.
 */
#include "cli.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
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

/* {"error": message, "code": name, "reason": text, detail...} */
static int print_json(const char *message, const char *name, const char *reason,
		      const wsp_error *err)
{
	cJSON *o = cJSON_CreateObject();
	char *text;

	if (!o)
		return -1;
	cJSON_AddStringToObject(o, "error", message);
	cJSON_AddStringToObject(o, "code", name);
	cJSON_AddStringToObject(o, "reason", reason);
	if (err)
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

	if (cli_json_errors && !print_json(err->message, wsp_errname(err->code),
					   wsp_strerror(err->code), err))
		return;
	wsp_error_detail(suffix, sizeof(suffix), err);
	cli_error("%s%s", err->message, suffix);
}

int cli_fail(const char *name, const char *reason, const char *fmt, ...)
{
	char msg[WSP_ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!cli_json_errors || print_json(msg, name, reason, NULL))
		cli_error("%s", msg);
	return WSP_EXIT_FAIL;
}
