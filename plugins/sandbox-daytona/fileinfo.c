/*
 * plugins/sandbox-daytona/fileinfo.c - what the toolbox says of a file
 * (a FileInfo, untrusted JSON) read into what wsp takes, and the names
 * of a listing wsp walks into. Nothing here makes a request: fuzzed on
 * its own (tests/fuzz/fuzz_dtfs.c).
 */
#include "dtfs.h"
#include "rfc3339.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What a FileInfo says; 0, or WSP_EPROTO for one that is not one. */
int dt_fs_info(struct dt_fs_info *out, const cJSON *fi)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(fi, "name");
	const cJSON *dir = cJSON_GetObjectItemCaseSensitive(fi, "isDir");
	const cJSON *size = cJSON_GetObjectItemCaseSensitive(fi, "size");
	const cJSON *mode = cJSON_GetObjectItemCaseSensitive(fi, "mode");
	const cJSON *perm = cJSON_GetObjectItemCaseSensitive(fi, "permissions");
	const cJSON *at = cJSON_GetObjectItemCaseSensitive(fi, "modifiedAt");

	if (!cJSON_IsObject(fi) || !cJSON_IsString(name) || !cJSON_IsBool(dir))
		return WSP_EPROTO;
	out->name = name->valuestring;
	out->is_dir = cJSON_IsTrue(dir);
	out->size = cJSON_IsNumber(size) && size->valuedouble > 0 &&
				    size->valuedouble < 9.0e18
			    ? (uint64_t)size->valuedouble
			    : 0;
	/* Go's FileMode string: 'L' first for a link (Lstat), '-' a file */
	out->is_link = cJSON_IsString(mode) && mode->valuestring[0] == 'L';
	out->mode = cJSON_IsString(perm)
			    ? (uint32_t)strtoul(perm->valuestring, NULL, 8) &
				      07777
			    : 0;
	out->mtime_ns =
		rfc3339_ns_or0(cJSON_IsString(at) ? at->valuestring : NULL);
	return 0;
}

/* A name the toolbox lists that wsp takes: no '/', not "." or "..". */
int dt_fs_name_ok(const char *n)
{
	return *n && !strchr(n, '/') && strcmp(n, ".") && strcmp(n, "..");
}
