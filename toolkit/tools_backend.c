/*
 * toolkit/tools_backend.c - file reads and writes as the tools need them: a
 * read bounded to what a tool may hold in memory, and a write whose
 * precondition is the tools' own version token. Everything else the tools
 * call through the public embedding API (<wsp/exec.h>, <wsp/process.h>,
 * <wsp/files.h>).
 */
#include "tools_backend.h"

#include <stdlib.h>
#include <string.h>

struct reader {
	struct wsp__tbuf *b;
	uint64_t max;
};

static int collect(const void *data, size_t len, void *payload)
{
	struct reader *r = payload;

	if (r->b->len + len > r->max)
		return WSP_ETOOBIG;
	wsp__tbuf_add(r->b, data, len);
	return r->b->oom ? WSP_ENOMEM : 0;
}

int wsp__tb_read(struct wsp__tbuf *b, wsp_workspace *ws, const wsp_call *call,
		 const char *path, uint64_t max, wsp_error *err)
{
	struct reader r = {b, max};
	int rc;

	rc = wsp_files_read(ws, call, path, NULL, collect, &r, err);
	if (rc == WSP_ETOOBIG)
		return wsp_error_set(err, rc,
				     "'%s' is larger than %llu bytes, the most "
				     "a tool reads",
				     path, (unsigned long long)max);
	if (rc == WSP_ENOMEM)
		return wsp_error_set(err, rc, "out of memory");
	if (!rc && !b->p)
		wsp__tbuf_add(b, "", 0);
	return rc;
}

int wsp__tb_write(wsp_fs_stat *out, wsp_workspace *ws, const wsp_call *call,
		  const char *path, const void *data, size_t len,
		  uint32_t flags, const char *expected, wsp_error *err)
{
	wsp_fs_write_opts wo = WSP_FS_WRITE_OPTS_INIT;

	wo.flags = flags | WSP_FS_WRITE_SIZE_KNOWN;
	wo.size_hint = len;
	/* the tools' version tokens: "v:<version>" or "m:<mtime ns>" */
	if (expected && !strncmp(expected, "v:", 2))
		wo.expected_version = expected + 2;
	else if (expected && !strncmp(expected, "m:", 2))
		wo.expected_mtime_ns = strtoll(expected + 2, NULL, 10);
	return wsp_files_write_buf(out, ws, call, path, &wo, data, len, err);
}
