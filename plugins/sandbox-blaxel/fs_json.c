/*
 * plugins/sandbox-blaxel/fs_json.c - the sandbox-api's Directory answer
 * (`GET /filesystem/{dir}`: files with size, Go's FileMode in octal and
 * the modification time; subdirectories with a name and path only) read
 * into validated entries. The answer is the server's, so untrusted: its
 * size is bounded where it is received (BL_JSON_MAX), every field is
 * checked here, and an entry that is not what wsp can take is skipped.
 * Nothing here makes a request: fuzzed on its own (tests/fuzz/fuzz_blfs).
 */
#include "blfs.h"
#include "rfc3339.h"

#include <stdio.h>
#include <string.h>

/* Go's os.FileMode bits (the type bits sit above the permissions). */
#define GO_DIR (1u << 31)
#define GO_SYMLINK (1u << 27)
#define GO_SETUID (1u << 23)
#define GO_SETGID (1u << 22)
#define GO_STICKY (1u << 20)

static int name_ok(const char *n)
{
	size_t len = n ? strlen(n) : 0;

	return len && len <= 255 && strcmp(n, ".") && strcmp(n, "..") &&
	       !strchr(n, '/');
}

/* The entry's name: `name`, else the last component of `path`. */
static const char *name_of(const cJSON *e)
{
	const char *n = bl_str(e, "name"), *p = bl_str(e, "path"), *slash;

	if (n && *n)
		return n;
	if (!p)
		return NULL;
	slash = strrchr(p, '/');
	return slash ? slash + 1 : p;
}

/* Go's FileMode as "%o": 1 and *out, or 0 when it is not one. */
static int go_mode(uint32_t *out, const char *s)
{
	unsigned long long v = 0;

	if (!s || !*s || strlen(s) > 11)
		return 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '7')
			return 0;
		v = v * 8 + (unsigned)(*p - '0');
	}
	if (v > UINT32_MAX)
		return 0;
	*out = (uint32_t)v;
	return 1;
}

static int one(const cJSON *e, int dir, bl_fs_entry_fn cb, void *payload)
{
	struct bl_fs_entry en = {.name = name_of(e), .is_dir = dir};
	const cJSON *size = cJSON_GetObjectItemCaseSensitive(e, "size");
	uint32_t mode = 0;

	if (!cJSON_IsObject(e) || !name_ok(en.name))
		return 0;
	if (!dir) {
		if (!cJSON_IsNumber(size) || size->valuedouble < 0 ||
		    size->valuedouble > 9007199254740992.0 ||
		    !go_mode(&mode, bl_str(e, "permissions")))
			return 0;
		en.size = (uint64_t)size->valuedouble;
		en.is_link = !!(mode & GO_SYMLINK);
		/* a listing names a link to a directory among the files */
		en.mode = (mode & 0777) | (mode & GO_SETUID ? 04000 : 0) |
			  (mode & GO_SETGID ? 02000 : 0) |
			  (mode & GO_STICKY ? 01000 : 0);
		en.mtime_ns = rfc3339_ns_or0(bl_str(e, "lastModified"));
		if (mode & GO_DIR) /* never seen in files; take it as said */
			en.is_dir = 1, en.size = 0;
	}
	return cb(&en, payload);
}

int bl_fs_dir_each(const cJSON *dir, bl_fs_entry_fn cb, void *payload,
		   wsp_error *err)
{
	const cJSON *files = cJSON_GetObjectItemCaseSensitive(dir, "files");
	const cJSON *subs =
		cJSON_GetObjectItemCaseSensitive(dir, "subdirectories");
	const cJSON *it, *list;
	int rc;

	if (cJSON_IsObject(dir) &&
	    cJSON_GetObjectItemCaseSensitive(dir, "content"))
		return wsp_error_set(err, WSP_ENOTDIR, "not a directory");
	/* Go marshals an empty slice as null, a missing one not at all */
	if (!cJSON_IsObject(dir) ||
	    (!cJSON_IsArray(files) && !cJSON_IsNull(files) && files) ||
	    (!cJSON_IsArray(subs) && !cJSON_IsNull(subs) && subs) ||
	    (!files && !subs))
		return wsp_error_set(err, WSP_EPROTO,
				     "the sandbox answered no directory "
				     "listing");
	list = cJSON_IsArray(files) ? files : NULL;
	cJSON_ArrayForEach(it, list)
		if ((rc = one(it, 0, cb, payload)))
			return rc;
	list = cJSON_IsArray(subs) ? subs : NULL;
	cJSON_ArrayForEach(it, list)
		if ((rc = one(it, 1, cb, payload)))
			return rc;
	return 0;
}
