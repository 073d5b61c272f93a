/*
 * plugins/sandbox-blaxel/fs_path.c - a path of the sandbox's disk in a
 * /filesystem URL, in either of the two forms the sandbox-api reads as
 * absolute (blfs.h, remote-providers.md §3.4). The only place either is
 * made.
 *
 * The sandbox-api decides by the raw URL: one holding "%2F" is decoded
 * and used as it is; any other loses its first slash and is relative to
 * the server's directory. So the escaped form escapes every '/' (and
 * every byte outside [A-Za-z0-9._-]), and the raw form must never hold
 * "%2F": it escapes '%' and the bytes a URL cannot carry, never '/'. A
 * path starting "~" would be the user's home: ours start with '/'.
 */
#include "blfs.h"

#include <stdio.h>
#include <string.h>

static int plain(unsigned char c, enum bl_path_form form)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')
		return 1;
	return form == BL_PATH_RAW && c == '/';
}

int bl_fs_url(char *out, const char *base, const char *route,
	      const char *abs, enum bl_path_form form, const char *query,
	      wsp_error *err)
{
	static const char hex[] = "0123456789ABCDEF";
	int n = snprintf(out, BL_FS_URL_MAX, "%s%s/", base, route);
	size_t at = n > 0 ? (size_t)n : BL_FS_URL_MAX;

	if (abs[0] != '/')
		return wsp_error_set(err, WSP_EINVAL, "not an absolute path");
	for (const unsigned char *p = (const unsigned char *)abs; *p; p++) {
		if (at + 4 >= BL_FS_URL_MAX)
			return wsp_error_set(err, WSP_ETOOBIG, "path too long");
		if (plain(*p, form)) {
			out[at++] = (char)*p;
			continue;
		}
		out[at++] = '%';
		out[at++] = hex[*p >> 4];
		out[at++] = hex[*p & 15];
	}
	out[at] = '\0';
	if (query && (size_t)snprintf(out + at, BL_FS_URL_MAX - at, "?%s",
				      query) >= BL_FS_URL_MAX - at)
		return wsp_error_set(err, WSP_ETOOBIG, "path too long");
	return 0;
}
