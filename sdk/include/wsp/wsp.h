/*
 * wsp/wsp.h - the umbrella header for programs that embed libwsp (the CLI
 * is one). Providers include <wsp/plugin.h> instead and do not link libwsp.
 */
#ifndef WSP_WSP_H
#define WSP_WSP_H

#include <wsp/common.h>
#include <wsp/version.h>
#include <wsp/plugin.h>
#include <wsp/workspace.h>
#include <wsp/plugins.h>
#include <wsp/cancel.h>
#include <wsp/exec.h>
#include <wsp/process.h>
#include <wsp/files.h>
#include <wsp/tools.h>
#include <wsp/mcp.h>
#include <wsp/ext.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The library's version, "MAJOR.MINOR.PATCH" (may differ from the headers'). */
WSP_EXTERN const char *wsp_version_string(void);

/* Static text for a wsp_errcode ("not found"); unknown codes get "error". */
WSP_EXTERN const char *wsp_strerror(int code);

/*
 * The detail of err a service gave (<wsp/common.h>: http_status,
 * service_code) that its message does not already say, as a suffix to
 * print after it: " (HTTP 404, NoSuchKey)", " (HTTP 503)", or "" when
 * there is none. Writes at most cap bytes (NUL included); returns the
 * length written. Only [A-Za-z0-9._:/-*] of the code is printed.
 */
WSP_EXTERN size_t wsp_error_detail(char *dst, size_t cap,
				   const wsp_error *err);

#ifdef __cplusplus
}
#endif

#endif /* WSP_WSP_H */
