/*
 * plugins/sandbox-local/sibling.c - finding the executables beside the
 * plugin (sibling.h).
 */
#include "sibling.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *local_sibling(const char *name, wsp_error *err)
{
	Dl_info info;
	const char *slash;
	size_t dir, len = strlen(name);
	char *path;

	/* Our own .so's path: the helpers live beside it. */
	if (!dladdr((void *)local_sibling, &info) || !info.dli_fname) {
		wsp_error_set(err, WSP_ERROR,
			      "cannot locate '%s': the plugin's own path is "
			      "unknown", name);
		return NULL;
	}
	slash = strrchr(info.dli_fname, '/');
	dir = slash ? (size_t)(slash - info.dli_fname) : 1;
	path = malloc(dir + len + 2);
	if (!path) {
		wsp_error_set(err, WSP_ENOMEM, "out of memory");
		return NULL;
	}
	memcpy(path, slash ? info.dli_fname : ".", dir);
	path[dir] = '/';
	memcpy(path + dir + 1, name, len + 1);
	if (access(path, X_OK) < 0) {
		wsp_error_set_os(err, WSP_ENOTFOUND, errno,
				 "cannot run '%s': %s; reinstall wsp so it "
				 "sits next to the plugin", path,
				 strerror(errno));
		free(path);
		return NULL;
	}
	return path;
}
