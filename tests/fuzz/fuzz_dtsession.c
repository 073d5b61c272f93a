/*
 * tests/fuzz/fuzz_dtsession.c - the Daytona provider's readers of what
 * the toolbox answers about a session command, on arbitrary bytes
 * (plugins/sandbox-daytona/cmdanswer.c, with logmux.c and remote.c's id
 * check, compiled in).
 *
 * First byte 0: the rest is an exec answer (`{"cmdId":...}`); 1: a
 * command status (`{"id","command","exitCode"}`); 2: a log snapshot
 * (`{"output","stdout","stderr"}`); 3: the rest is the marked "output"
 * of a log snapshot that has no streams of its own, up to a NUL. Checked
 * besides crashes, UB and leaks: an accepted command id is the answer's,
 * one wsp puts in URLs; an accepted exit code is the answer's number and
 * a shell's (0..255), and a status without one is running; an accepted
 * log has both streams, kept as sent when the answer had them, and made
 * from "output" never longer than it; a refusal says why.
 */
#include "../../plugins/sandbox-daytona/cmdanswer.c"
#include "../../plugins/sandbox-daytona/logmux.c"
#include "../../plugins/sandbox-daytona/remote.c"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void refused(const wsp_error *err)
{
	if (!err->code || !err->message[0])
		abort();
}

static void cmd_id(const cJSON *j)
{
	char out[DT_ID_MAX + 1];
	wsp_error err = {0};
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(j, "cmdId");

	if (dt_cmd_id_read(out, j, &err)) {
		refused(&err);
		return;
	}
	if (!memchr(out, '\0', sizeof out) || !dt_id_ok(out) ||
	    !cJSON_IsString(id) || strcmp(out, id->valuestring))
		abort();
}

static void exit_code(const cJSON *j)
{
	const cJSON *ec = cJSON_GetObjectItemCaseSensitive(j, "exitCode");
	wsp_error err = {0};
	int done = -1, code = -1;

	if (dt_exit_read(&done, &code, j, &err)) {
		refused(&err);
		if (done)
			abort();
		return;
	}
	if (!done) {
		if (ec && !cJSON_IsNull(ec))
			abort();
		return;
	}
	if (done != 1 || code < 0 || code > 255 || !cJSON_IsNumber(ec) ||
	    ec->valuedouble != (double)code)
		abort();
}

static void log_answer(cJSON *j)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(j, "output");
	const cJSON *so = cJSON_GetObjectItemCaseSensitive(j, "stdout");
	const cJSON *se = cJSON_GetObjectItemCaseSensitive(j, "stderr");
	int had = cJSON_IsString(so) || cJSON_IsString(se);
	char *sent[2] = {NULL, NULL};
	wsp_error err = {0};
	size_t n[2], i;
	const char *t[2];

	for (i = 0; i < 2; i++) {
		const cJSON *s = i ? se : so;

		if (cJSON_IsString(s) && !(sent[i] = strdup(s->valuestring)))
			return;
	}
	if (dt_log_read(j, &err)) {
		refused(&err);
		goto out;
	}
	t[0] = dt_log_text(j, 0, &n[0]);
	t[1] = dt_log_text(j, 1, &n[1]);
	if (had) {
		/* the toolbox's own streams, untouched */
		for (i = 0; i < 2; i++)
			if (strcmp(t[i], sent[i] ? sent[i] : ""))
				abort();
	} else if (cJSON_IsString(o)) {
		if (n[0] + n[1] > strlen(o->valuestring))
			abort();
		if (!cJSON_IsString(cJSON_GetObjectItem(j, "stdout")) ||
		    !cJSON_IsString(cJSON_GetObjectItem(j, "stderr")))
			abort();
	} else if (n[0] || n[1]) {
		abort();
	}
out:
	free(sent[0]);
	free(sent[1]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cJSON *j;

	if (size < 1)
		return 0;
	if (data[0] % 4 == 3) {
		/* the marked output alone, as an older toolbox sends it */
		char *s = malloc(size);

		if (!s)
			return 0;
		memcpy(s, data + 1, size - 1);
		s[size - 1] = '\0';
		j = cJSON_CreateObject();
		if (j && cJSON_AddStringToObject(j, "output", s))
			log_answer(j);
		cJSON_Delete(j);
		free(s);
		return 0;
	}
	j = cJSON_ParseWithLength((const char *)data + 1, size - 1);
	if (!j)
		return 0;
	switch (data[0] % 4) {
	case 0:
		cmd_id(j);
		break;
	case 1:
		exit_code(j);
		break;
	default:
		log_answer(j);
	}
	cJSON_Delete(j);
	return 0;
}
