/*
 * plugins/sandbox-local/rclone.c - Debian's rclone for GCS stores
 * (rclone.h): its command line. The source's fields become one remote
 * (plugins/shared/rclone_conf.c, shared with the remote sandboxes) in a
 * 0600 config file of the slot's private directory, removed once rclone
 * has mounted; the credentials go nowhere else (not its command line,
 * its environment or a log line). `rclone mount
 * --daemon` returns once the mount is there (fusemount.c runs it).
 */
#include "rclone.h"
#include "fusemount.h"
#include "rclone_conf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RCLONE "/usr/bin/rclone"

int local_rclone_mount(const char *dir, const char *mnt,
		       const wsp_mount_source *src, int ro, wsp_error *err)
{
	char *file = local_path_join(dir, "rclone.conf");
	char *log = local_path_join(dir, "rclone.log");
	char *cache = local_path_join(dir, "cache");
	char *envp[] = {local_fuse_path_env, NULL};
	char remote[WSP_MOUNT_BUCKET_MAX + WSP_MOUNT_PREFIX_MAX + 8];
	char uid[16], gid[16];
	struct rclone_conf *c = calloc(1, sizeof(*c));
	int rc;

	if (!file || !log || !cache || !c) {
		rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
		goto out;
	}
	rc = rclone_conf_gcs(c, src);
	if (!rc)
		rc = local_fuse_secret_file(file, c->text, c->n);
	if (rc) {
		rc = wsp_error_set_os(
			err, rc == -EINVAL ? WSP_EINVAL : WSP_EIO, -rc,
			"cannot hand the credentials to rclone: %s",
			rc == -EINVAL ? "they are neither a service-account "
					"key, a gcloud user file nor a token"
				      : strerror(-rc));
		goto out;
	}
	rclone_conf_remote(remote, sizeof(remote), src);
	/* files the caller's (the sandbox's uid) and no one else's */
	snprintf(uid, sizeof(uid), "%u", (unsigned)getuid());
	snprintf(gid, sizeof(gid), "%u", (unsigned)getgid());
	{
		char *argv[] = {RCLONE, "mount", remote, (char *)mnt,
				"--config", file, "--cache-dir", cache,
				"--log-file", log, "--daemon",
				/* gives up before fusemount.c's wait does */
				"--daemon-wait", "20s", "--uid", uid, "--gid",
				gid, "--umask", "077",
				/* what the API changed shows within seconds */
				"--dir-cache-time", "5s",
				ro ? "--read-only" : NULL, NULL};
		struct local_fuse_run r = {
			.client = "rclone",
			.argv = argv,
			.envp = envp,
			.log = log,
			.secret_file = file,
			.bucket = src->bucket,
			.mnt = mnt,
			.silent_hint = " (rclone ended, or the bucket did not "
				       "answer)",
		};

		rc = local_fuse_mount(&r, err);
	}
out:
	if (c)
		rclone_conf_wipe(c);
	if (file)
		unlink(file);
	free(c);
	free(file);
	free(log);
	free(cache);
	return rc;
}

int local_rclone_usable(wsp_error *err)
{
	return local_fuse_client_usable(RCLONE, "gcs", err);
}
