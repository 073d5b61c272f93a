/*
 * plugins/sandbox-daytona/preview.c - how to reach a port inside the
 * sandbox: Daytona's preview URL, and for a private sandbox the header
 * X-Daytona-Preview-Token with its token (a secret: never logged, never
 * in a message; the CLI masks it).
 */
#include "daytona.h"
#include "remote.h"

#include <stdio.h>
#include <string.h>

int dt_preview(wsp_preview *out, void *self, const wsp_call *call,
	       uint32_t port, uint32_t flags, wsp_error *err)
{
	struct dt *d = self;
	struct dt_remote r;
	struct dt_req q = { .method = "GET", .call = call };
	char path[DT_ID_MAX + 48];
	const cJSON *url, *tok;
	cJSON *j = NULL;
	int rc;

	(void)flags;
	if (port < 1 || port > 65535)
		return wsp_error_set(err, WSP_EINVAL, "port %u is not a TCP "
				     "port", port);
	rc = dt_locate(&r, d, call, err);
	if (rc == WSP_ENOTFOUND)
		return wsp_error_set(err, WSP_ENOTFOUND,
				     "no Daytona sandbox '%s'", d->logical_id);
	if (rc)
		return rc;
	snprintf(path, sizeof path, "/sandbox/%s/ports/%u/preview-url", r.id,
		 port);
	q.path = path;
	if ((rc = dt_request(d, &q, &j, NULL, err)))
		return rc;
	url = cJSON_GetObjectItem(j, "url");
	tok = cJSON_GetObjectItem(j, "token");
	if (!cJSON_IsString(url) || strlen(url->valuestring) >= sizeof out->url ||
	    !rmt_is_http(url->valuestring) ||
	    (cJSON_IsString(tok) &&
	     (strlen(tok->valuestring) >= sizeof out->header_value ||
	      strpbrk(tok->valuestring, "\r\n")))) {
		cJSON_Delete(j);
		return wsp_error_set(err, WSP_EPROTO,
				     "Daytona's preview answer is unusable");
	}
	strcpy(out->url, url->valuestring);
	/* A public sandbox needs no token, whatever the answer holds. */
	if (!d->cfg.public_ && cJSON_IsString(tok) && tok->valuestring[0]) {
		strcpy(out->header_name, "X-Daytona-Preview-Token");
		strcpy(out->header_value, tok->valuestring);
	}
	cJSON_Delete(j);
	return 0;
}
