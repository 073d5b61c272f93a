/* plugins/fs-local/errors.c - errno to wsp_errcode, with Git-style text. */
#include "local.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

int lfs_errno_code(int os_errno)
{
	switch (os_errno) {
	case ENOENT:
		return WSP_ENOTFOUND;
	case EEXIST:
		return WSP_EEXIST;
	case EISDIR:
		return WSP_EISDIR;
	case ENOTDIR:
		return WSP_ENOTDIR;
	case ENOTEMPTY:
		return WSP_ENOTEMPTY;
	case EACCES:
	case EPERM:
	case EXDEV: /* from the resolvers: the path leaves the root */
		return WSP_EPERM;
	case EROFS:
		return WSP_EROFS;
	case ENOMEM:
		return WSP_ENOMEM;
	case EBUSY:
	case ETXTBSY:
		return WSP_EBUSY;
	case ELOOP:
	case ENAMETOOLONG:
	case EINVAL:
		return WSP_EINVAL;
	case EFBIG:
		return WSP_ETOOBIG;
	case ECANCELED: /* set by the tree walks when the call expired */
		return WSP_ECANCELED;
	case ETIMEDOUT:
		return WSP_ETIMEDOUT;
	default:
		return WSP_EIO;
	}
}

int lfs_fail(wsp_error *err, int os_errno, const char *op, const char *path)
{
	char buf[128];
	const char *why;
	int code = lfs_errno_code(os_errno);

	if (os_errno == EXDEV) {
		why = "path escapes the filesystem root";
	} else if (os_errno == ELOOP) {
		why = "too many levels of symbolic links";
	} else {
		why = strerror_r(os_errno, buf, sizeof(buf));
		if (why != buf)
			snprintf(buf, sizeof(buf), "%s", why);
		buf[0] = (char)tolower((unsigned char)buf[0]);
		why = buf;
	}
	return wsp_error_set_os(err, code, os_errno, "cannot %s '%s': %s", op,
				path, why);
}

int lfs_expired(const struct lfs *fs, const wsp_call *call, wsp_error *err,
		const char *op, const char *path)
{
	int code = fs->host->call_expired(fs->host, call);

	if (!code)
		return 0;
	return wsp_error_set(err, code, "cannot %s '%s': %s", op, path,
			     code == WSP_ECANCELED ? "canceled"
						   : "the deadline passed");
}

int lfs_read_only(wsp_error *err, const char *path)
{
	return wsp_error_set(err, WSP_EROFS,
			     "cannot change '%s': the filesystem is read-only",
			     path);
}
