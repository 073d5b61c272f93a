/*
 * core/host/private_dir.c - opening a directory that only the caller can
 * change. The state store keeps facts wsp acts on (remote ids, process
 * ids) there; a directory someone else can write, or a link someone put
 * in its place, would let them choose those facts.
 */
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* Why the entry name under parent is no directory we may open. */
static int refuse_kind(int parent, const char *name, const char **why)
{
	struct stat st;

	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return WSP_EIO;
	*why = S_ISLNK(st.st_mode) ? "it is a symbolic link" :
				     "it is not a directory";
	return WSP_EPERM;
}

int wsp__private_dir_open(int *out, int parent, const char *name,
			  int create, const char **why)
{
	const int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	struct stat st;
	int fd;

	*out = -1;
	*why = NULL;
	fd = openat(parent, name, flags);
	if (fd < 0 && errno == ENOENT && create) {
		/* Another process may make it first: then open theirs. */
		if (mkdirat(parent, name, 0700) < 0 && errno != EEXIST)
			return WSP_EIO;
		fd = openat(parent, name, flags);
	}
	if (fd < 0) {
		if (errno == ENOENT)
			return WSP_ENOTFOUND;
		if (errno == ELOOP || errno == ENOTDIR)
			return refuse_kind(parent, name, why);
		return WSP_EIO;
	}
	/* Checked on what was opened, so nothing can swap it in between. */
	if (fstat(fd, &st) < 0) {
		close(fd);
		return WSP_EIO;
	}
	if (st.st_uid != geteuid())
		*why = "it belongs to another user";
	else if (st.st_mode & (S_IWGRP | S_IWOTH))
		*why = "group or others can write it";
	if (*why) {
		close(fd);
		return WSP_EPERM;
	}
	*out = fd;
	return 0;
}
