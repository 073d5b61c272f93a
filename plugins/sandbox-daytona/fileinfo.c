/*
 * plugins/sandbox-daytona/fileinfo.c - what the toolbox says of a file
 * (a FileInfo, untrusted JSON) read into what wsp takes, and the names
 * of a listing wsp walks into. Nothing here makes a request: fuzzed on
 * its own (tests/fuzz/fuzz_dtfs.c).
 */
#include "dtfs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* RFC 3339 (modifiedAt) in ns since the epoch; 0 if not one. */
static int64_t time_ns(const char *s)
{
	struct tm tm = { 0 };
	int64_t frac = 0, scale = 1000000000, off = 0, t;
	int oh = 0, om = 0;
	const char *p;

	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year,
			 &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
			 &tm.tm_sec) != 6 || strlen(s) < 19)
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	p = s + 19;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			if (scale > 1) {
				scale /= 10;
				frac += (*p - '0') * scale;
			}
	/* Go writes the zone as Z or +hh:mm */
	if ((*p == '+' || *p == '-') && sscanf(p + 1, "%2d:%2d", &oh, &om) == 2)
		off = (*p == '-' ? -1 : 1) * ((int64_t)oh * 3600 + om * 60);
	t = (int64_t)timegm(&tm) - off;
	/* what ns since the epoch can hold (years 1678..2262) */
	if (t < -9000000000LL || t > 9000000000LL)
		return 0;
	return t * 1000000000 + frac;
}

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
	out->mtime_ns = time_ns(cJSON_IsString(at) ? at->valuestring : NULL);
	return 0;
}

/* A name the toolbox lists that wsp takes: no '/', not "." or "..". */
int dt_fs_name_ok(const char *n)
{
	return *n && !strchr(n, '/') && strcmp(n, ".") && strcmp(n, "..");
}
