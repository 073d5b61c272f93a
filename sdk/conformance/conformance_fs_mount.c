/*
 * conformance_fs_mount.c - fs.mount_source: with WSP_CAP_FS_MOUNT_SOURCE
 * the provider describes its store (a type, bounded fields, at most
 * WSP_MOUNT_CRED_MAX credential pairs, a subdirectory's prefix below the
 * root's, WSP_MOUNT_READ_ONLY under its read_only option); without it,
 * the operation answers WSP_ENOTSUP.
 */
#include "conformance_fs.h"

#include <string.h>

/* The provider's own slot, read from its descriptor (NULL if absent). */
static int has_slot(const struct conf *c)
{
	const wsp_fs_vtable *fs = c->desc ? c->desc->fs : NULL;

	return fs && WSP_HAS_MEMBER(wsp_fs_vtable, fs, mount_source) &&
	       fs->mount_source;
}

/* The source of path in ws; wiped by the caller. */
static int get(wsp_mount_source *s, wsp_workspace *ws, const char *path,
	       wsp_error *err)
{
	memset(s, 0, sizeof(*s));
	s->struct_size = sizeof(*s);
	return wsp_files_mount_source(s, ws, NULL, path, err);
}

static void check_shape(const wsp_mount_source *root,
			const wsp_mount_source *sub, const char *subdir)
{
	size_t rl = strlen(root->prefix);

	if (!root->type[0] || strcmp(root->type, sub->type))
		conf_fail("fs.mount-source-type", "type '%s', then '%s'",
			  root->type, sub->type);
	else
		conf_pass("fs.mount-source-type");
	if (root->n_credentials > WSP_MOUNT_CRED_MAX)
		conf_fail("fs.mount-source-credentials", "%u pairs",
			  (unsigned)root->n_credentials);
	else
		conf_pass("fs.mount-source-credentials");
	/* The subdirectory's prefix is the root's plus its path, and '/'. */
	if (strncmp(sub->prefix, root->prefix, rl) ||
	    strncmp(sub->prefix + rl, subdir, strlen(subdir)) ||
	    strcmp(sub->prefix + rl + strlen(subdir), "/") ||
	    strcmp(root->bucket, sub->bucket))
		conf_fail("fs.mount-source-subdir",
			  "root prefix '%s', '%s' gave '%s'", root->prefix,
			  subdir, sub->prefix);
	else
		conf_pass("fs.mount-source-subdir");
	if (root->flags & WSP_MOUNT_READ_ONLY)
		conf_fail("fs.mount-source-writable",
			  "READ_ONLY on a writable instance");
	else
		conf_pass("fs.mount-source-writable");
}

static void check_read_only(struct conf *c)
{
	wsp_mount_source s;
	wsp_workspace *ro = NULL;
	wsp_error err = {0};
	int rc;

	if (!c->has_read_only_opt) {
		conf_skip("fs.mount-source-read-only",
			  "provider declares no 'read_only' option");
		return;
	}
	rc = conf_open(&ro, c, "      read_only: true\n", &err);
	if (!rc)
		rc = get(&s, ro, "/", &err);
	if (rc)
		conf_fail("fs.mount-source-read-only", "%s", err.message);
	else if (!(s.flags & WSP_MOUNT_READ_ONLY))
		conf_fail("fs.mount-source-read-only",
			  "read_only: true, but no WSP_MOUNT_READ_ONLY");
	else
		conf_pass("fs.mount-source-read-only");
	wsp_mount_source_wipe(&s);
	wsp_workspace_close(ro);
}

void conf_fs_run_mount_source(struct conf *c)
{
	wsp_mount_source root, sub;
	char pbuf[256];
	wsp_error err = {0};
	int rc;

	rc = get(&root, c->ws, "/", &err);
	if (!(c->caps & WSP_CAP_FS_MOUNT_SOURCE)) {
		if (rc == WSP_ENOTSUP)
			conf_pass("fs.mount-source-enotsup");
		else
			conf_fail("fs.mount-source-enotsup",
				  "no WSP_CAP_FS_MOUNT_SOURCE, but got %s",
				  conf_errname(rc));
		wsp_mount_source_wipe(&root);
		return;
	}
	if (!has_slot(c)) {
		conf_fail("fs.mount-source", "WSP_CAP_FS_MOUNT_SOURCE declared "
					     "but the mount_source slot is NULL");
		return;
	}
	if (rc) {
		conf_fail("fs.mount-source", "%s", err.message);
		return;
	}
	conf_pass("fs.mount-source");
	/* conf_fs_root is "/wsp-conformance-PID": its path in the store */
	rc = wsp_files_mkdir(c->ws, NULL, P("mounted"), 0, &err);
	if (!rc)
		rc = get(&sub, c->ws, P("mounted"), &err);
	if (rc)
		conf_fail("fs.mount-source-subdir", "%s", err.message);
	else
		check_shape(&root, &sub, P("mounted") + 1);
	wsp_mount_source_wipe(&root);
	wsp_mount_source_wipe(&sub);
	check_read_only(c);
}
