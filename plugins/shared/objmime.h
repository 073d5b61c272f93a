/*
 * plugins/shared/objmime.h - the Content-Type an object store's upload
 * carries (fs-s3, fs-gcs). The core's own table (<wsp/files.h>) is not
 * theirs to call: providers do not link libwsp, so the stores keep this
 * short list of the common kinds, one for both.
 */
#ifndef WSP_PLUGIN_OBJMIME_H
#define WSP_PLUGIN_OBJMIME_H

#include <wsp/plugin.h>

/* The type of a file name's extension (any case), else
 * "application/octet-stream". */
const char *objmime_type(const char *path);

/* The caller's type (o->mime_type), when given, else objmime_type(path). */
const char *objmime_upload_type(const wsp_fs_write_opts *o, const char *path);

#endif
