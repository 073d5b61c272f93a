/*
 * tests/fuzz/fuzz_dtanswer.c - the Daytona provider's readers of what the
 * API says about a sandbox, and of the `volumes` option, on arbitrary
 * bytes: the Sandbox answer (remote.c: its id, state, toolbox URL and
 * descriptive members; Daytona's states as wsp's) and one `volumes` entry
 * (volumes.c), both compiled in.
 *
 * First byte 0: the rest is one Sandbox answer; 1: a list page
 * (`{"items":[...]}`, as the label search reads it); 2: the rest is one
 * `volumes` entry, up to a NUL. Checked besides crashes, UB and leaks: an
 * accepted answer has an id wsp puts in URLs and a toolbox URL that is
 * empty or http(s) with no space, '?' or '#' (the key is sent there); its
 * strings end inside their arrays; its state maps to a wsp state, and a
 * settled one is never `creating`, `starting` or `pausing`. An accepted
 * volume entry is a volume name of [A-Za-z0-9._-], an absolute mount path
 * other than "/" and an optional relative subpath, none with a "", "." or
 * ".." segment, and joined again it is the entry itself.
 */
#include "../../plugins/sandbox-daytona/remote.c"
#include "../../plugins/sandbox-daytona/volumes.c"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void ends_inside(const char *s, size_t cap)
{
	if (!memchr(s, '\0', cap))
		abort();
}

static void sandbox_one(const cJSON *j)
{
	struct dt_remote r;
	wsp_error err = {0};
	uint32_t st;

	if (dt_remote_parse(&r, j, &err)) {
		if (!err.code || !err.message[0])
			abort();
		return;
	}
	ends_inside(r.id, sizeof r.id);
	ends_inside(r.state, sizeof r.state);
	ends_inside(r.toolbox, sizeof r.toolbox);
	ends_inside(r.target, sizeof r.target);
	ends_inside(r.snapshot, sizeof r.snapshot);
	ends_inside(r.user, sizeof r.user);
	ends_inside(r.error_reason, sizeof r.error_reason);
	if (!dt_id_ok(r.id))
		abort();
	if (r.toolbox[0] && ((strncmp(r.toolbox, "http://", 7) &&
			      strncmp(r.toolbox, "https://", 8)) ||
			     strpbrk(r.toolbox, " \t\r\n?#")))
		abort();
	/* room for "/{id}" after it: the toolbox base */
	if (strlen(r.toolbox) + 1 + DT_ID_MAX >= DT_URL_MAX)
		abort();
	if (r.cpu < 0 || r.memory_gib < 0 || r.disk_gib < 0)
		abort();
	st = dt_state_map(r.state);
	if (st > WSP_SANDBOX_ERROR)
		abort();
	if (dt_state_settled(r.state) &&
	    (!strcmp(r.state, "creating") || !strcmp(r.state, "starting") ||
	     !strcmp(r.state, "pausing")))
		abort();
}

static int seg_bad(const char *s)
{
	return strstr(s, "//") || !strcmp(s, ".") || !strcmp(s, "..") ||
	       !strncmp(s, "./", 2) || !strncmp(s, "../", 3) ||
	       strstr(s, "/./") || strstr(s, "/../") ||
	       (strlen(s) >= 2 && !strcmp(s + strlen(s) - 2, "/.")) ||
	       (strlen(s) >= 3 && !strcmp(s + strlen(s) - 3, "/.."));
}

static void volume_one(const char *e)
{
	struct dt_volume v = {0};
	wsp_error err = {0};
	char joined[2048];
	const char *p;
	int rc = one(&v, e, &err);

	if (rc) {
		if (rc != WSP_ECONFIG && rc != WSP_ENOMEM)
			abort();
	} else {
		if (!v.volume || !v.mount ||
		    !name_ok(v.volume, strlen(v.volume)))
			abort();
		if (v.mount[0] != '/' || !v.mount[1] || seg_bad(v.mount) ||
		    v.mount[strlen(v.mount) - 1] == '/')
			abort();
		if (v.subpath &&
		    (v.subpath[0] == '/' || !*v.subpath || seg_bad(v.subpath) ||
		     v.subpath[strlen(v.subpath) - 1] == '/'))
			abort();
		for (p = v.mount; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				abort();
		snprintf(joined, sizeof joined, "%s:%s%s%s", v.volume, v.mount,
			 v.subpath ? ":" : "", v.subpath ? v.subpath : "");
		if (strcmp(joined, e))
			abort();
	}
	free(v.volume);
	free(v.mount);
	free(v.subpath);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cJSON *j, *it;
	char *text;

	if (size < 1 || size > 65536)
		return 0;
	if (data[0] == 2) {
		text = malloc(size);
		if (!text)
			return 0;
		memcpy(text, data + 1, size - 1);
		text[size - 1] = '\0';
		if (strlen(text) < 1024)
			volume_one(text);
		free(text);
		return 0;
	}
	if (data[0] > 2)
		return 0;
	j = cJSON_ParseWithLength((const char *)data + 1, size - 1);
	if (!j)
		return 0;
	if (data[0] == 0) {
		sandbox_one(j);
	} else {
		cJSON_ArrayForEach(it, cJSON_GetObjectItem(j, "items"))
			sandbox_one(it);
	}
	cJSON_Delete(j);
	return 0;
}
