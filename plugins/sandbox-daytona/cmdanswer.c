/*
 * plugins/sandbox-daytona/cmdanswer.c - what the toolbox answers about a
 * session command, read and checked: the command id an exec gives, the
 * exit code a status gives, the log a snapshot gives (its streams made
 * from the marked "output" when the toolbox sent that alone). No network
 * here (session.c asks), so tests/fuzz/fuzz_dtsession.c reads the same
 * answers on arbitrary bytes.
 */
#include "daytona.h"
#include "logmux.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int dt_cmd_id_read(char out[DT_ID_MAX + 1], const cJSON *a, wsp_error *err)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(a, "cmdId");

	/* it goes into URL paths: only what dt_id_ok lets through */
	if (!cJSON_IsString(id) || !dt_id_ok(id->valuestring))
		return wsp_error_set(err, WSP_EPROTO,
				     "the toolbox gave no usable command id");
	snprintf(out, DT_ID_MAX + 1, "%s", id->valuestring);
	return 0;
}

int dt_exit_read(int *done, int *code, const cJSON *st, wsp_error *err)
{
	const cJSON *ec = cJSON_GetObjectItemCaseSensitive(st, "exitCode");

	*done = 0;
	if (!cJSON_IsObject(st))
		return wsp_error_set(err, WSP_EPROTO,
				     "the toolbox's command status is not an "
				     "object");
	if (!ec || cJSON_IsNull(ec))
		return 0; /* running */
	/* a shell's $?: 0..255, whole */
	if (!cJSON_IsNumber(ec) || ec->valuedouble < 0 ||
	    ec->valuedouble > 255 ||
	    (double)(int)ec->valuedouble != ec->valuedouble)
		return wsp_error_set(err, WSP_EPROTO,
				     "the toolbox's exit code is not one");
	*done = 1;
	*code = (int)ec->valuedouble;
	return 0;
}

struct split {
	char *buf[2];
	size_t len[2], cap[2];
};

static int split_put(int stream, const char *p, size_t n, void *payload)
{
	struct split *x = payload;
	size_t need = x->len[stream] + n + 1;

	if (need > x->cap[stream]) {
		size_t cap = x->cap[stream] ? x->cap[stream] : 256;
		char *nb;

		while (cap < need)
			cap *= 2;
		if (!(nb = realloc(x->buf[stream], cap)))
			return WSP_ENOMEM;
		x->buf[stream] = nb;
		x->cap[stream] = cap;
	}
	memcpy(x->buf[stream] + x->len[stream], p, n);
	x->len[stream] += n;
	x->buf[stream][x->len[stream]] = '\0';
	return 0;
}

/*
 * A log answer without "stdout" and "stderr" (a toolbox that does not
 * demultiplex for our SDK version) has them made here from "output".
 */
static int demux_output(cJSON *logs, wsp_error *err)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(logs, "output");
	struct split x = {{NULL, NULL}, {0, 0}, {0, 0}};
	struct dt_mux m;
	int rc;

	if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(logs, "stdout")) ||
	    cJSON_IsString(cJSON_GetObjectItemCaseSensitive(logs, "stderr")) ||
	    !cJSON_IsString(o))
		return 0;
	dt_mux_init(&m);
	rc = dt_mux_feed(&m, o->valuestring, strlen(o->valuestring), split_put,
			 &x);
	if (!rc)
		rc = dt_mux_end(&m, split_put, &x);
	if (!rc && (!cJSON_AddStringToObject(logs, "stdout",
					     x.buf[0] ? x.buf[0] : "") ||
		    !cJSON_AddStringToObject(logs, "stderr",
					     x.buf[1] ? x.buf[1] : "")))
		rc = WSP_ENOMEM;
	free(x.buf[0]);
	free(x.buf[1]);
	return rc ? wsp_error_set(err, rc, "out of memory") : 0;
}

int dt_log_read(cJSON *logs, wsp_error *err)
{
	if (!cJSON_IsObject(logs))
		return wsp_error_set(err, WSP_EPROTO,
				     "the toolbox's log is not an object");
	return demux_output(logs, err);
}

const char *dt_log_text(const cJSON *logs, int stderr_, size_t *len)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(
		logs, stderr_ ? "stderr" : "stdout");
	const char *p = cJSON_IsString(s) ? s->valuestring : "";

	*len = strlen(p);
	return p;
}
