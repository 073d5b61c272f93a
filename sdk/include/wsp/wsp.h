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
 * The stable name of a wsp_errcode, what a program driving wsp branches
 * on (`wsp --json` errors carry it as "code"): the POSIX name where POSIX
 * has the condition ("ENOENT" for WSP_ENOTFOUND, "EACCES" for WSP_EPERM,
 * "EFBIG" for WSP_ETOOBIG), else wsp's own without WSP_ ("EAUTH",
 * "ECONFIG"); "EFAIL" for WSP_ERROR and unknown codes. Static text.
 * Since 2.1.
 */
WSP_EXTERN const char *wsp_errname(int code);

/*
 * The duration grammar of the configuration (`timeout: 5m`) and the CLI
 * (`--timeout 1.5s`), in milliseconds: a number, up to 9 decimal places
 * ("30", "1.5"), then ms, s, m, h or d; bare means seconds. A fraction of
 * a millisecond counts as a whole one, so only a zero is 0. 0 and *out_ms
 * set, or WSP_EINVAL (nothing written) for anything else: signs, spaces,
 * exponents, unknown units, more than INT64_MAX ms. Since 2.1.
 */
WSP_EXTERN int wsp_parse_duration_ms(int64_t *out_ms, const char *text);

/*
 * The size grammar of the configuration (`max_file_size: 4MiB`) and the
 * CLI (`--log-limit 8MiB`), in bytes: a number as above, then B, KB, MB,
 * GB, TB (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024; K, M, G,
 * T alone mean the same), in any case; bare means bytes. A fraction of a
 * byte counts as a whole one. 0 and *out_bytes set, or WSP_EINVAL
 * (nothing written). Since 2.1.
 */
WSP_EXTERN int wsp_parse_size(uint64_t *out_bytes, const char *text);

/*
 * The detail of err a service gave (<wsp/common.h>: http_status,
 * service_code) that its message does not already say, as a suffix to
 * print after it: " (HTTP 404, NoSuchKey)", " (HTTP 503)", or "" when
 * there is none. Writes at most cap bytes (NUL included); returns the
 * length written. Only [A-Za-z0-9._:/-*] of the code is printed.
 */
WSP_EXTERN size_t wsp_error_detail(char *dst, size_t cap, const wsp_error *err);

#ifdef __cplusplus
}
#endif

#endif /* WSP_WSP_H */
