/*
 * plugins/sandbox-e2b/mount.c - object stores mounted inside the E2B
 * sandbox (the slots mount and unmount): s3fs or rclone run there
 * through this provider's own exec, by the shared remote_mount.c. E2B's
 * templates run commands as 'user' with password-less sudo; that is how
 * the client gets root there. Mounts do not survive a pause (FUSE lives in
 * the VM's processes): the core mounts configured stores again after each
 * start.
 */
#include "e2b.h"
#include "remote_mount.h"

static struct rmount_sandbox sandbox_of(struct e2b *e)
{
	struct rmount_sandbox sb = {.host = e->host,
				    .exec = e2b_exec,
				    .self = e,
				    .vendor = "E2B",
				    .install = e->install_mount_tools};

	return sb;
}

int e2b_mount(void *self, const wsp_call *call, const wsp_mount_source *src,
	      const char *path, uint32_t flags, wsp_error *err)
{
	struct rmount_sandbox sb = sandbox_of(self);

	return rmount_mount(&sb, call, src, path, flags, err);
}

int e2b_unmount(void *self, const wsp_call *call, const char *path,
		uint32_t flags, wsp_error *err)
{
	struct rmount_sandbox sb = sandbox_of(self);

	(void)flags;
	return rmount_unmount(&sb, call, path, err);
}
