/*
 * plugins/shared/fs_ext.c - see fs_ext.h.
 */
#include "fs_ext.h"

#include <string.h>

bool fs_ext_kept(const char *name, const char *const *exts)
{
	size_t n = strlen(name);

	if (!exts)
		return true;
	for (; *exts; exts++) {
		const char *e = **exts == '.' ? *exts + 1 : *exts;
		size_t k = strlen(e);

		if (k && n > k + 1 && name[n - k - 1] == '.' &&
		    !memcmp(name + n - k, e, k))
			return true;
	}
	return false;
}
