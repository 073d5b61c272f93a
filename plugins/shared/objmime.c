/*
 * plugins/shared/objmime.c - see objmime.h.
 */
#include "objmime.h"

#include <string.h>
#include <strings.h>

const char *objmime_type(const char *path)
{
	static const struct {
		const char *ext, *mime;
	} map[] = {
		{"txt", "text/plain"},
		{"md", "text/markdown"},
		{"html", "text/html"},
		{"htm", "text/html"},
		{"css", "text/css"},
		{"csv", "text/csv"},
		{"js", "text/javascript"},
		{"mjs", "text/javascript"},
		{"json", "application/json"},
		{"xml", "application/xml"},
		{"yaml", "application/yaml"},
		{"yml", "application/yaml"},
		{"pdf", "application/pdf"},
		{"zip", "application/zip"},
		{"gz", "application/gzip"},
		{"tar", "application/x-tar"},
		{"png", "image/png"},
		{"jpg", "image/jpeg"},
		{"jpeg", "image/jpeg"},
		{"gif", "image/gif"},
		{"svg", "image/svg+xml"},
		{"webp", "image/webp"},
		{"py", "text/x-python"},
		{"c", "text/x-c"},
		{"h", "text/x-c"},
		{"sh", "application/x-sh"},
		{"wasm", "application/wasm"},
	};
	const char *slash = strrchr(path, '/');
	const char *dot = strrchr(slash ? slash + 1 : path, '.');

	if (dot && dot[1])
		for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
			if (!strcasecmp(dot + 1, map[i].ext))
				return map[i].mime;
	return "application/octet-stream";
}

const char *objmime_upload_type(const wsp_fs_write_opts *o, const char *path)
{
	return o->mime_type && o->mime_type[0] ? o->mime_type
					       : objmime_type(path);
}
