/*
 * plugins/sandbox-daytona/mount.c - object stores mounted inside the
 * Daytona sandbox (the slots mount and unmount): s3fs or rclone run there
 * through this provider's own exec, by the shared remote_mount.c, as for
 * E2B. Daytona's images run commands as a user with password-less sudo;
 * that is how the client gets root there.
 *
 * The one difference: this exec carries stdin inside the session
 * command's text (script.c), which the toolbox keeps and answers with
 * the session, so the credentials go as a file instead, uploaded with
 * bulk-upload (fs_io.c) into a 0700 directory the mount's script reads
 * and removes first thing. Mounts do not survive a stop (FUSE lives in
 * the sandbox's processes): the core mounts configured stores again
 * after each start. Daytona volumes are another thing: the `volumes`
 * option (volumes.c), mounted by Daytona at creation.
 */
#include "daytona.h"
#include "dtfs.h"
#include "remote_mount.h"

static int put(void *self, const wsp_call *call, const char *path,
	       const char *data, size_t len, wsp_error *err)
{
	struct dt_fsx x;
	int rc = dt_fs_begin(&x, self, ".", call, err);

	return rc ? rc : dt_fs_put(&x, path, data, len, err);
}

static struct rmount_sandbox sandbox_of(struct dt *d)
{
	struct rmount_sandbox sb = {.host = d->host,
				    .exec = dt_exec,
				    .self = d,
				    .vendor = "Daytona",
				    .install = d->cfg.install_mount_tools,
				    .put = put};

	return sb;
}

int dt_mount(void *self, const wsp_call *call, const wsp_mount_source *src,
	     const char *path, uint32_t flags, wsp_error *err)
{
	struct rmount_sandbox sb = sandbox_of(self);

	return rmount_mount(&sb, call, src, path, flags, err);
}

int dt_unmount(void *self, const wsp_call *call, const char *path,
	       uint32_t flags, wsp_error *err)
{
	struct rmount_sandbox sb = sandbox_of(self);

	(void)flags;
	return rmount_unmount(&sb, call, path, err);
}
