/*
 * plugins/fs-gcs/plugin.c - wsp-fs-gcs.so: files in a Google Cloud
 * Storage bucket under an optional object name prefix, through the JSON
 * API. The descriptor, init and fini; the slots are in fsops.c, fslist.c
 * and fswrite.c, the options in config.c.
 */
#include "gcs.h"

#include <stdlib.h>

static int init(void **out_self, const wsp_host *host,
		const wsp_instance_args *args, wsp_error *err)
{
	struct gcs *g = NULL;
	const char *ps = getenv("WSP_FS_GCS_PAGE_SIZE");
	int rc = gcs_open(&g, host, args->options, err);

	if (rc)
		return rc;
	/* tests shrink pages to walk listings by their page tokens */
	if (ps) {
		long n = strtol(ps, NULL, 10);

		if (n >= 1 && n <= 1000)
			g->page_size = (uint32_t)n;
	}
	*out_self = g;
	return 0;
}

static void fini(void *self)
{
	gcs_close(self);
}

static const wsp_fs_vtable vtable = {
	.struct_size = sizeof(wsp_fs_vtable),
	.stat = gcs_fs_stat,
	.read = gcs_fs_read,
	.write = gcs_fs_write,
	.list = gcs_fs_list,
	.mkdir = gcs_fs_mkdir,
	.remove = gcs_fs_remove,
	.rmdir = gcs_fs_rmdir,
	.copy = gcs_fs_copy,
	.move = gcs_fs_move,
	.exists = gcs_fs_exists,
	.mount_source = gcs_mount_source,
	/* host_path: NULL, objects are not on the local disk */
};

/*
 * STREAMING: reads and writes go through in pieces; ATOMIC_WRITE: an
 * object appears whole or not at all (appends excepted, as the slot
 * allows); CONDITIONAL: generations are the version token, sent as
 * ifGenerationMatch; MOUNT_SOURCE: mount.c describes the bucket for
 * tools inside sandboxes. No symlinks, no local path.
 */
WSP_PLUGIN_DEFINE(WSP_KIND_FS, "gcs", "0.1.0",
		  "files in a Google Cloud Storage bucket",
		  WSP_CAP_FS_STREAMING | WSP_CAP_FS_ATOMIC_WRITE |
			  WSP_CAP_FS_CONDITIONAL | WSP_CAP_FS_MOUNT_SOURCE,
		  gcs_options, init, fini, &vtable, NULL, NULL, NULL)
