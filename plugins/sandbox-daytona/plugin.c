/*
 * plugins/sandbox-daytona/plugin.c - wsp-sandbox-daytona.so: commands in
 * a Daytona sandbox. The descriptor, init and fini; the slots are in
 * lifecycle.c, describe.c, exec.c, procs.c and procs_read.c, the options
 * in config.c.
 */
#include "daytona.h"
#include "procs.h"

#include <stdlib.h>
#include <string.h>

static void fini(void *self)
{
	struct dt *d = self;

	if (!d)
		return;
	dt_pool_clear(d, 1); /* the idle sessions execs left */
	dt_config_free(&d->cfg);
	free(d->logical_id);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

static int init(void **out_self, const wsp_host *host,
		const wsp_instance_args *args, wsp_error *err)
{
	struct dt *d;
	int rc;

	if (!host->http_request || !WSP_HAS_MEMBER(wsp_host, host, state_list))
		return wsp_error_set(err, WSP_ENOTSUP,
				     "this wsp has no HTTP service or state "
				     "store for remote sandboxes");
	if (!args->instance_id || !*args->instance_id ||
	    strlen(args->instance_id) > 128)
		return wsp_error_set(err, WSP_ECONFIG,
				     "a Daytona sandbox needs an id of 1..128 "
				     "bytes");
	d = calloc(1, sizeof(*d));
	if (!d || !(d->logical_id = strdup(args->instance_id))) {
		free(d);
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	pthread_mutex_init(&d->lock, NULL);
	d->host = host;
	d->state = WSP_HAS_MEMBER(wsp_instance_args, args, state) ? args->state
								  : NULL;
	rc = dt_config_read(&d->cfg, host, args->options, err);
	if (rc) {
		fini(d);
		return rc;
	}
	d->secrets[0] = d->cfg.api_key;
	d->secrets[1] = NULL;
	*out_self = d;
	return 0;
}

static const wsp_sandbox_vtable vtable = {
	.struct_size = sizeof(wsp_sandbox_vtable),
	.exec = dt_exec,
	.start = dt_start,
	.stop = dt_stop,
	.destroy = dt_destroy,
	.status = dt_status,
	.info = dt_info,
	.instructions = dt_instructions,
	.set_timeout = dt_set_timeout,
	.pause = dt_pause,
	.resume = dt_resume,
	.preview = dt_preview,
	.mount = dt_mount,
	.unmount = dt_unmount,
};

static const wsp_procmgr_vtable procmgr = {
	.struct_size = sizeof(wsp_procmgr_vtable),
	.spawn = dt_spawn,
	.list = dt_list,
	.status = dt_pstatus,
	.read_output = dt_read_output,
	.signal = dt_signal,
	.release = dt_release,
	.write_stdin = dt_write_stdin,
	.close_stdin = dt_close_stdin,
	.wait = dt_wait,
};

/*
 * ISOLATION: each sandbox is its own container on Daytona's machines;
 * RECONNECT: the state store, then the label, find it again by its id;
 * TIMEOUT: Daytona's auto-stop and last-activity; PREVIEW: its preview
 * URLs. Processes: session commands the toolbox keeps with their logs
 * until released, found again through the state store (DETACHED) and
 * read from 0 by another wsp (OUTPUT_HISTORY); stdin written and closed
 * through the script's control loop; FOLLOW: the toolbox's WebSocket log
 * follow (procs_follow.c). PAUSE: Daytona's pause, or a stop where the
 * sandbox class has none (pause.c). MOUNT: S3 and GCS stores mounted
 * inside with s3fs and rclone (mount.c). FS_*: its disk as a
 * filesystem (fs.c, fs_io.c), streamed both ways, writes renamed into
 * place.
 */
WSP_PLUGIN_DEFINE_SANDBOX_FS(
	WSP_KIND_SANDBOX, "daytona", "0.1.0",
	"commands in a Daytona cloud sandbox",
	WSP_CAP_SANDBOX_ISOLATION | WSP_CAP_SANDBOX_RECONNECT |
		WSP_CAP_SANDBOX_TIMEOUT | WSP_CAP_SANDBOX_PREVIEW |
		WSP_CAP_SANDBOX_PAUSE | WSP_CAP_SANDBOX_MOUNT |
		WSP_CAP_PROC_BACKGROUND |
		WSP_CAP_PROC_STDIN | WSP_CAP_PROC_CLOSE_STDIN |
		WSP_CAP_PROC_DETACHED | WSP_CAP_PROC_OUTPUT_HISTORY |
		WSP_CAP_PROC_FOLLOW | WSP_CAP_FS_STREAMING |
		WSP_CAP_FS_ATOMIC_WRITE,
	dt_options, init, fini, NULL, &vtable, &procmgr, NULL, &dt_fs)
