/*
 * plugins/fs-gcs/paths.c - from wsp paths to GCS object names and back,
 * and what the file system operations report of an object.
 *
 * A path (already normalised by the core: relative, no '.' or '..'
 * components, "." for the root) becomes prefix + path. Directories are
 * what fs-s3 makes them: a marker object "dir/" (application/x-directory,
 * written by mkdir) or any object under "dir/". The version token of a
 * file is its generation, which writes send back as ifGenerationMatch.
 */
#include "gcs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int gcs_name(char *out, size_t cap, const struct gcs *g, const char *path,
	     wsp_error *err)
{
	char shown[256];
	int n;

	if (!strcmp(path, "."))
		n = snprintf(out, cap, "%s", g->prefix);
	else
		n = snprintf(out, cap, "%s%s", g->prefix, path);
	gcs_printable(shown, sizeof(shown), path, strlen(path));
	if (n < 0 || (size_t)n >= cap || (size_t)n > GCS_NAME_MAX)
		return wsp_error_set(err, WSP_ETOOBIG,
				     "path '%s' makes a GCS object name "
				     "longer than %d bytes",
				     shown, GCS_NAME_MAX);
	/* the root without a prefix is the bucket itself ("") */
	if (n && !gcs_name_ok(out, (size_t)n))
		return wsp_error_set(err, WSP_EINVAL,
				     "path '%s' is not a GCS object name "
				     "(UTF-8 without CR or LF)",
				     shown);
	return 0;
}

void gcs_object_stat(wsp_fs_stat *st, const struct gcs_object *o)
{
	st->type = WSP_FS_TYPE_FILE;
	st->size = o->size;
	st->mtime_ns = o->mtime_ns;
	snprintf(st->version, sizeof(st->version), "%lld",
		 (long long)o->generation);
	snprintf(st->mime_type, sizeof(st->mime_type), "%s", o->content_type);
}

int gcs_parse_version(int64_t *generation, const char *version,
		      wsp_error *err)
{
	uint64_t v;
	char shown[64];

	if (!gcs_parse_u64(&v, version) && v && v <= INT64_MAX) {
		*generation = (int64_t)v;
		return 0;
	}
	gcs_printable(shown, sizeof(shown), version, strlen(version));
	return wsp_error_set(err, WSP_EINVAL,
			     "expected_version '%s' is not a GCS generation",
			     shown);
}

static int stop_at_first(const struct gcs_object *o, const char *prefix,
			 void *payload)
{
	(void)o;
	(void)prefix;
	(void)payload;
	return 1;
}

int gcs_is_dir(struct gcs *g, const char *name, wsp_error *err)
{
	char dir[GCS_NAME_MAX + 2];
	int rc;

	if (!name[0])
		return 1; /* the bucket's root */
	snprintf(dir, sizeof(dir), "%s%s", name,
		 name[strlen(name) - 1] == '/' ? "" : "/");
	/* one object says enough */
	rc = gcs_list_walk(g, dir, true, 1, stop_at_first, NULL, err);
	return rc < 0 ? rc : rc == 1;
}

