/*
 * plugins/sandbox-blaxel/plugin.c - wsp-sandbox-blaxel.so: commands in a
 * Blaxel sandbox (a micro-VM behind Blaxel's API). The descriptor, init
 * and fini; options in options.c, the lifecycle in lifecycle.c, commands
 * in exec.c.
 */
#include "blfs.h"
#include "procs.h"

static int init(void **out_self, const wsp_host *host,
		const wsp_instance_args *args, wsp_error *err)
{
	struct bl *b = NULL;
	int rc = bl_open(&b, host, args, err);

	if (!rc)
		*out_self = b;
	return rc;
}

static void fini(void *self)
{
	/* no stream outlives its slot: exec ends its own before returning */
	bl_close(self);
}

static const wsp_sandbox_vtable vtable = {
	.struct_size = sizeof(wsp_sandbox_vtable),
	.exec = bl_exec,
	.start = bl_start,
	.stop = bl_stop,
	.destroy = bl_destroy,
	.status = bl_status,
	.info = bl_info,
	.instructions = bl_instructions,
	/*
	 * pause/resume: Blaxel's standby is automatic (idle 15 s, resumed
	 * by the next request) and has no call of its own; set_timeout:
	 * Blaxel's ttl deletes rather than stops. NULL, their
	 * capabilities absent.
	 */
	.preview = bl_preview,
	.mount = bl_mount,
	.unmount = bl_unmount,
};

static const wsp_procmgr_vtable procmgr = {
	.struct_size = sizeof(wsp_procmgr_vtable),
	.spawn = bl_spawn,
	.list = bl_list,
	.status = bl_pstatus,
	.read_output = bl_read_output,
	.signal = bl_signal,
	.release = bl_release,
	.write_stdin = bl_write_stdin,
	.close_stdin = bl_close_stdin,
	.wait = bl_wait,
};

/*
 * ISOLATION: a micro-VM of its own; RECONNECT: by the name the sandbox
 * id gives (and the state store keeps); LIMITS: memory (and the CPUs
 * Blaxel derives from it) at creation; PREVIEW: a private Blaxel preview
 * per port with a fresh token (preview.c). MOUNT: S3 and GCS stores
 * mounted inside with s3fs and rclone (mount.c). Processes: Blaxel keeps
 * them and their output by name, so they outlive this wsp (DETACHED) and are read
 * again from 0 by another (OUTPUT_HISTORY); stdin is a pipe written and
 * closed by name. FOLLOW: the log stream, woken by the sandbox
 * (procs_follow.c). FS_STREAMING, FS_ATOMIC_WRITE: its disk as a
 * filesystem, streamed both ways, writes renamed into place (fs_io.c).
 */
WSP_PLUGIN_DEFINE_SANDBOX_FS(WSP_KIND_SANDBOX, "blaxel", "0.1.0",
		  "commands in a Blaxel sandbox",
		  WSP_CAP_SANDBOX_ISOLATION | WSP_CAP_SANDBOX_RECONNECT |
			  WSP_CAP_SANDBOX_LIMITS | WSP_CAP_SANDBOX_PREVIEW |
			  WSP_CAP_SANDBOX_MOUNT |
			  WSP_CAP_PROC_BACKGROUND |
			  WSP_CAP_PROC_STDIN | WSP_CAP_PROC_CLOSE_STDIN |
			  WSP_CAP_PROC_DETACHED | WSP_CAP_PROC_OUTPUT_HISTORY |
			  WSP_CAP_PROC_FOLLOW | WSP_CAP_FS_STREAMING |
			  WSP_CAP_FS_ATOMIC_WRITE,
		  bl_options, init, fini, NULL, &vtable, &procmgr, NULL,
		  &bl_fs)
