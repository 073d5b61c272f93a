/*
 * plugins/sandbox-blaxel/mount.c - object stores mounted inside the
 * Blaxel sandbox (the slots mount and unmount): s3fs or rclone run
 * there through this provider's own exec, by the shared remote_mount.c,
 * as for E2B.
 * Blaxel's sandbox-api runs commands as root, so no sudo is needed.
 */
#include "blaxel.h"
#include "remote_mount.h"

static struct rmount_sandbox sandbox_of(struct bl *b)
{
	struct rmount_sandbox sb = {.host = b->host,
				    .exec = bl_exec,
				    .self = b,
				    .vendor = "Blaxel",
				    .install = b->install_mount_tools};

	return sb;
}

int bl_mount(void *self, const wsp_call *call, const wsp_mount_source *src,
	     const char *path, uint32_t flags, wsp_error *err)
{
	struct rmount_sandbox sb = sandbox_of(self);

	return rmount_mount(&sb, call, src, path, flags, err);
}

int bl_unmount(void *self, const wsp_call *call, const char *path,
	       uint32_t flags, wsp_error *err)
{
	struct rmount_sandbox sb = sandbox_of(self);

	(void)flags;
	return rmount_unmount(&sb, call, path, err);
}
