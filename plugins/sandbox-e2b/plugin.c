/*
 * plugins/sandbox-e2b/plugin.c - wsp-sandbox-e2b.so: commands in an E2B
 * sandbox (a Firecracker micro-VM behind E2B's API). The descriptor,
 * init and fini; the rest in the modules e2b.h lists.
 */
#include "procs.h"

static int init(void **out_self, const wsp_host *host,
		const wsp_instance_args *args, wsp_error *err)
{
	struct e2b *e = NULL;
	int rc = e2b_open(&e, host, args, err);

	if (!rc)
		*out_self = e;
	return rc;
}

static void fini(void *self)
{
	/* exec ends its streams before returning; background processes'
	 * streams are the keeper's and outlive this instance */
	e2b_close(self);
}

static const wsp_sandbox_vtable vtable = {
	.struct_size = sizeof(wsp_sandbox_vtable),
	.exec = e2b_exec,
	.start = e2b_start,
	.stop = e2b_stop,
	.destroy = e2b_destroy,
	.status = e2b_status,
	.info = e2b_info,
	.instructions = e2b_instructions,
	.pause = e2b_pause,
	.resume = e2b_resume,
	.set_timeout = e2b_set_timeout,
	.preview = e2b_preview,
	.mount = e2b_mount,
	.unmount = e2b_unmount,
};

static const wsp_procmgr_vtable procmgr = {
	.struct_size = sizeof(wsp_procmgr_vtable),
	.spawn = e2b_spawn,
	.list = e2b_plist,
	.status = e2b_pstatus,
	.read_output = e2b_read_output,
	.signal = e2b_psignal,
	.release = e2b_prelease,
	.write_stdin = e2b_write_stdin,
	.close_stdin = e2b_close_stdin,
	.wait = e2b_pwait,
};

/*
 * ISOLATION: a micro-VM of its own; RECONNECT: by the id the state store
 * keeps, else by the metadata wsp-id; PAUSE: E2B's pause keeps memory;
 * TIMEOUT: E2B's lifetime, renewed from now; PREVIEW: E2B's proxy URL of
 * a port, with the traffic token when the sandbox wants one. MOUNT: S3
 * and GCS stores mounted inside with s3fs and rclone (mount.c). FS_*: its
 * disk as a filesystem, streamed both ways, writes renamed into place.
 * PROC_*: background processes whose streams the sandbox's keeper holds
 * (DETACHED, OUTPUT_HISTORY: a later wsp lists and reads them from the
 * state directory; FOLLOW: inotify on the keeper's log, no polling).
 */
WSP_PLUGIN_DEFINE_SANDBOX_FS(WSP_KIND_SANDBOX, "e2b", "0.1.0",
			     "commands in an E2B sandbox",
			     WSP_CAP_SANDBOX_ISOLATION |
				     WSP_CAP_SANDBOX_RECONNECT |
				     WSP_CAP_SANDBOX_PAUSE |
				     WSP_CAP_SANDBOX_TIMEOUT |
				     WSP_CAP_SANDBOX_PREVIEW |
				     WSP_CAP_SANDBOX_MOUNT |
				     WSP_CAP_FS_STREAMING |
				     WSP_CAP_FS_ATOMIC_WRITE |
				     WSP_CAP_PROC_BACKGROUND |
				     WSP_CAP_PROC_STDIN |
				     WSP_CAP_PROC_CLOSE_STDIN |
				     WSP_CAP_PROC_DETACHED |
				     WSP_CAP_PROC_FOLLOW |
				     WSP_CAP_PROC_OUTPUT_HISTORY,
			     e2b_options, init, fini, NULL, &vtable, &procmgr,
			     NULL, &e2b_fs)
