/*
 * plugins/sandbox-local/s3fs.c - Debian's s3fs for S3 stores (s3fs.h):
 * its command line. s3fs gets the credentials in a 0600 file removed once
 * it has mounted (a session token through its environment, its passwd
 * file having no place for one), never on its command line; it returns
 * once it has mounted and gone to the background (fusemount.c runs it).
 */
#include "s3fs.h"
#include "fusemount.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define S3FS "/usr/bin/s3fs"

/* s3fs's passwd file ("id:key"), 0600: 0 or -errno. */
static int write_passwd(const char *file, const wsp_mount_source *src)
{
	const char *id = wsp_mount_source_credential(src, "access_key_id");
	const char *key = wsp_mount_source_credential(src, "secret_access_key");
	size_t n;
	char *line;
	int rc;

	if (!id || !key)
		return -EINVAL;
	n = strlen(id) + strlen(key) + 3;
	line = malloc(n);
	if (!line)
		return -ENOMEM;
	snprintf(line, n, "%s:%s\n", id, key);
	rc = local_fuse_secret_file(file, line, strlen(line));
	local_fuse_wipe_free(line);
	return rc;
}

/* What mount needs, built from src with nothing secret in it. */
struct s3fs_cmd {
	char bucket[WSP_MOUNT_BUCKET_MAX + WSP_MOUNT_PREFIX_MAX + 4];
	char opts[WSP_MOUNT_ENDPOINT_MAX + WSP_MOUNT_REGION_MAX + 4096 + 256];
};

static int s3fs_cmd_build(struct s3fs_cmd *c, const wsp_mount_source *src,
			  const char *passwd, int ro)
{
	size_t plen = strlen(src->prefix), n;

	if (strchr(src->endpoint, ',') || strchr(src->region, ','))
		return -EINVAL; /* s3fs splits its options at commas */
	/* bucket:/prefix, without the prefix's final '/' */
	if (plen)
		snprintf(c->bucket, sizeof(c->bucket), "%s:/%.*s", src->bucket,
			 (int)(src->prefix[plen - 1] == '/' ? plen - 1 : plen),
			 src->prefix);
	else
		snprintf(c->bucket, sizeof(c->bucket), "%s", src->bucket);
	/* files the caller's (the sandbox's uid) and no one else's */
	n = (size_t)snprintf(c->opts, sizeof(c->opts),
			     "uid=%u,gid=%u,umask=0077,mp_umask=0077",
			     (unsigned)getuid(), (unsigned)getgid());
	if (src->endpoint[0])
		n += (size_t)snprintf(c->opts + n, sizeof(c->opts) - n,
				      ",url=%s", src->endpoint);
	if (src->region[0])
		n += (size_t)snprintf(c->opts + n, sizeof(c->opts) - n,
				      ",endpoint=%s", src->region);
	if (src->flags & WSP_MOUNT_PATH_STYLE)
		n += (size_t)snprintf(c->opts + n, sizeof(c->opts) - n,
				      ",use_path_request_style");
	if (ro)
		n += (size_t)snprintf(c->opts + n, sizeof(c->opts) - n, ",ro");
	if (src->flags & WSP_MOUNT_ANONYMOUS)
		n += (size_t)snprintf(c->opts + n, sizeof(c->opts) - n,
				      ",public_bucket=1");
	else if (passwd)
		n += (size_t)snprintf(c->opts + n, sizeof(c->opts) - n,
				      ",passwd_file=%s", passwd);
	return n < sizeof(c->opts) ? 0 : -ENAMETOOLONG;
}

int local_s3fs_mount(const char *dir, const char *mnt,
		     const wsp_mount_source *src, int ro, wsp_error *err)
{
	const char *token = wsp_mount_source_credential(src, "session_token");
	int anon = (src->flags & WSP_MOUNT_ANONYMOUS) != 0;
	char *passwd = local_path_join(dir, "passwd");
	char *log = local_path_join(dir, "s3fs.log");
	char *envp[5] = {local_fuse_path_env, NULL};
	struct s3fs_cmd *c = calloc(1, sizeof(*c));
	int rc, i;

	if (!passwd || !log || !c) {
		rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
		goto out;
	}
	if (!anon && token) {
		const char *id =
			wsp_mount_source_credential(src, "access_key_id");
		const char *key =
			wsp_mount_source_credential(src, "secret_access_key");

		envp[1] = local_fuse_secret_env("AWSACCESSKEYID", id ? id : "");
		envp[2] = local_fuse_secret_env("AWSSECRETACCESSKEY",
						key ? key : "");
		envp[3] = local_fuse_secret_env("AWSSESSIONTOKEN", token);
		rc = envp[1] && envp[2] && envp[3] ? 0 : -ENOMEM;
	} else {
		rc = anon ? 0 : write_passwd(passwd, src);
	}
	if (rc) {
		rc = wsp_error_set_os(
			err, rc == -EINVAL ? WSP_EINVAL : WSP_EIO, -rc,
			"cannot hand the credentials to s3fs: %s",
			rc == -EINVAL ? "the source has no access key pair"
				      : strerror(-rc));
		goto out;
	}
	rc = s3fs_cmd_build(c, src, anon || token ? NULL : passwd, ro);
	if (rc) {
		rc = wsp_error_set(
			err, WSP_EINVAL,
			"cannot pass the store's endpoint or region to s3fs: "
			"%s",
			rc == -EINVAL ? "it holds a comma" : "too long");
		goto out;
	}
	{
		char *argv[] = {S3FS, c->bucket, (char *)mnt,
				"-o", c->opts,	 NULL};
		struct local_fuse_run r = {
			.client = "s3fs",
			.argv = argv,
			.envp = envp,
			.log = log,
			.secret_file = passwd,
			.bucket = src->bucket,
			.mnt = mnt,
			.silent_hint = " (s3fs ended, or the bucket did not "
				       "answer; its messages go to syslog once "
				       "mounted)",
		};

		rc = local_fuse_mount(&r, err);
	}
out:
	for (i = 1; i < 4; i++)
		local_fuse_wipe_free(envp[i]);
	if (passwd)
		unlink(passwd);
	free(passwd);
	free(log);
	free(c);
	return rc;
}

int local_s3fs_usable(wsp_error *err)
{
	return local_fuse_client_usable(S3FS, "s3", err);
}
