/* core/version.c - version and error-code text. */
#include "internal.h"

#include <wsp/wsp.h>

const char *wsp_version_string(void)
{
	return WSP_VERSION_STRING;
}

const char *wsp_strerror(int code)
{
	switch (code) {
	case WSP_OK: return "success";
	case WSP_ENOMEM: return "out of memory";
	case WSP_EINVAL: return "invalid argument";
	case WSP_ENOTFOUND: return "not found";
	case WSP_EEXIST: return "already exists";
	case WSP_EISDIR: return "is a directory";
	case WSP_ENOTDIR: return "not a directory";
	case WSP_ENOTEMPTY: return "directory not empty";
	case WSP_EPERM: return "permission denied";
	case WSP_EROFS: return "read-only";
	case WSP_ESTALE: return "changed since it was read";
	case WSP_ETIMEDOUT: return "timed out";
	case WSP_ECANCELED: return "canceled";
	case WSP_ENOTSUP: return "not supported";
	case WSP_EAUTH: return "authentication failed";
	case WSP_ERATELIMIT: return "rate limited";
	case WSP_EUNAVAIL: return "service unavailable";
	case WSP_EPROTO: return "protocol error";
	case WSP_EIO: return "input/output error";
	case WSP_EABI: return "incompatible plugin ABI";
	case WSP_ENOTPLUGIN: return "not a wsp plugin";
	case WSP_ECONFIG: return "invalid configuration";
	case WSP_EBUSY: return "busy";
	case WSP_ETOOBIG: return "too big";
	case WSP_ELOST: return "lost";
	default: return "error";
	}
}
