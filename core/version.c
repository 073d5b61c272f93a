/* core/version.c - version and error-code text and names. */
#include "internal.h"

#include <wsp/wsp.h>

const char *wsp_version_string(void)
{
	return WSP_VERSION_STRING;
}

const char *wsp_strerror(int code)
{
	switch (code) {
	case WSP_OK:
		return "success";
	case WSP_ENOMEM:
		return "out of memory";
	case WSP_EINVAL:
		return "invalid argument";
	case WSP_ENOTFOUND:
		return "not found";
	case WSP_EEXIST:
		return "already exists";
	case WSP_EISDIR:
		return "is a directory";
	case WSP_ENOTDIR:
		return "not a directory";
	case WSP_ENOTEMPTY:
		return "directory not empty";
	case WSP_EPERM:
		return "permission denied";
	case WSP_EROFS:
		return "read-only";
	case WSP_ESTALE:
		return "changed since it was read";
	case WSP_ETIMEDOUT:
		return "timed out";
	case WSP_ECANCELED:
		return "canceled";
	case WSP_ENOTSUP:
		return "not supported";
	case WSP_EAUTH:
		return "authentication failed";
	case WSP_ERATELIMIT:
		return "rate limited";
	case WSP_EUNAVAIL:
		return "service unavailable";
	case WSP_EPROTO:
		return "protocol error";
	case WSP_EIO:
		return "input/output error";
	case WSP_EABI:
		return "incompatible plugin ABI";
	case WSP_ENOTPLUGIN:
		return "not a wsp plugin";
	case WSP_ECONFIG:
		return "invalid configuration";
	case WSP_EBUSY:
		return "busy";
	case WSP_ETOOBIG:
		return "too big";
	case WSP_ELOST:
		return "lost";
	default:
		return "error";
	}
}

/*
 * POSIX names where POSIX has the condition (a program already knows
 * them), wsp's own name (without WSP_) where it has none. The CLI's
 * --json errors carry them, so they never change.
 */
const char *wsp_errname(int code)
{
	static const struct {
		int code;
		const char *name;
	} names[] = {
		{WSP_ENOMEM, "ENOMEM"},
		{WSP_EINVAL, "EINVAL"},
		{WSP_ENOTFOUND, "ENOENT"},
		{WSP_EEXIST, "EEXIST"},
		{WSP_EISDIR, "EISDIR"},
		{WSP_ENOTDIR, "ENOTDIR"},
		{WSP_ENOTEMPTY, "ENOTEMPTY"},
		{WSP_EPERM, "EACCES"},
		{WSP_EROFS, "EROFS"},
		{WSP_ESTALE, "ESTALE"},
		{WSP_ETIMEDOUT, "ETIMEDOUT"},
		{WSP_ECANCELED, "ECANCELED"},
		{WSP_ENOTSUP, "ENOTSUP"},
		{WSP_EAUTH, "EAUTH"},
		{WSP_ERATELIMIT, "ERATELIMIT"},
		{WSP_EUNAVAIL, "EUNAVAIL"},
		{WSP_EPROTO, "EPROTO"},
		{WSP_EIO, "EIO"},
		{WSP_EABI, "EABI"},
		{WSP_ENOTPLUGIN, "ENOTPLUGIN"},
		{WSP_ECONFIG, "ECONFIG"},
		{WSP_EBUSY, "EBUSY"},
		{WSP_ETOOBIG, "EFBIG"},
		{WSP_ELOST, "ELOST"},
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].code == code)
			return names[i].name;
	return "EFAIL"; /* WSP_ERROR and anything unknown */
}
