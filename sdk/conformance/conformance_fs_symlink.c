/*
 * conformance_fs_symlink.c - symlinks, for providers that declare
 * WSP_CAP_FS_SYMLINKS. The fs interface has no call that makes a link,
 * so the links are made on the host, under the test directory's
 * host_path: the checks need WSP_CAP_FS_LOCAL_PATH too.
 *
 * A link inside the root is followed; links that lead outside it (an
 * absolute target, a relative one climbing out, a directory) are never
 * followed out: reads, writes, listings and removals through them fail
 * with WSP_EPERM and the files outside stay as they were.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conformance_fs.h"

#define SECRET "outside the root\n"

struct outside {
	char dir[4096];	   /* a fresh directory outside the provider root */
	char secret[4200]; /* dir/secret.txt, holding SECRET */
};

static int make_outside(struct outside *o)
{
	const char *tmp = getenv("TMPDIR");
	FILE *f;

	snprintf(o->dir, sizeof(o->dir), "%s/wsp-conf-outside-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(o->dir))
		return -1;
	snprintf(o->secret, sizeof(o->secret), "%s/secret.txt", o->dir);
	f = fopen(o->secret, "w");
	if (!f)
		return -1;
	fputs(SECRET, f);
	return fclose(f);
}

/* The outside directory holds exactly secret.txt, unchanged. */
static int outside_intact(const struct outside *o)
{
	char buf[64] = "", path[4200];
	FILE *f = fopen(o->secret, "r");
	size_t n = 0;
	struct stat st;

	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/new.txt", o->dir);
	if (!lstat(path, &st))
		return 0;
	snprintf(path, sizeof(path), "%s/made", o->dir);
	if (!lstat(path, &st))
		return 0;
	return n == strlen(SECRET) && !memcmp(buf, SECRET, n);
}

static void remove_outside(const struct outside *o)
{
	char path[4200];

	unlink(o->secret);
	snprintf(path, sizeof(path), "%s/new.txt", o->dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/made", o->dir);
	rmdir(path);
	rmdir(o->dir);
}

/* host/name -> target, made on the host. */
static int link_at(const char *host, const char *name, const char *target)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/%s", host, name);
	return symlink(target, path);
}

/* "../" once per component of host, then target without its '/'. */
static void climbing(char *out, size_t cap, const char *host,
		     const char *target)
{
	size_t len = 0;
	const char *s;

	out[0] = '\0';
	for (s = host; *s; s++)
		if (*s == '/' && s[1] && s[1] != '/' && len + 4 < cap) {
			memcpy(out + len, "../", 4);
			len += 3;
		}
	snprintf(out + len, cap - len, "%s", target + 1);
}

struct link_entry {
	int found, is_link;
	uint32_t type;
	char target[256];
};

static int on_link_entry(const wsp_fs_entry *e, void *payload)
{
	struct link_entry *l = payload;

	if (strcmp(e->path, "link.txt"))
		return 0;
	l->found = 1;
	l->is_link = e->is_symlink != 0;
	l->type = e->type;
	snprintf(l->target, sizeof(l->target), "%s",
		 e->symlink_target ? e->symlink_target : "(null)");
	return 0;
}

static void check_inside_link(wsp_workspace *ws)
{
	wsp_fs_stat st = {.struct_size = sizeof(st)};
	struct link_entry l = {0};
	char pbuf[256];
	wsp_error err = {0};
	int rc;

	if (!conf_holds(ws, P("link.txt"), "0123456789abcdef"))
		conf_fail("fs.symlink-read", "link does not read as target");
	else
		conf_pass("fs.symlink-read");
	rc = wsp_files_stat(&st, ws, NULL, P("link.txt"), 0, &err);
	if (rc)
		conf_fail("fs.symlink-stat", "%s", err.message);
	else if (st.type != WSP_FS_TYPE_FILE || !st.is_symlink || st.size != 16)
		conf_fail("fs.symlink-stat",
			  "type %u is_symlink %u size %llu, want the target's "
			  "file of 16 and is_symlink",
			  st.type, st.is_symlink, (unsigned long long)st.size);
	else
		conf_pass("fs.symlink-stat");
	rc = wsp_files_stat(&st, ws, NULL, P("link.txt"), WSP_FS_NO_FOLLOW,
			    &err);
	if (rc)
		conf_fail("fs.symlink-stat-no-follow", "%s", err.message);
	else if (st.type != WSP_FS_TYPE_SYMLINK)
		conf_fail("fs.symlink-stat-no-follow", "type %u, want symlink",
			  st.type);
	else
		conf_pass("fs.symlink-stat-no-follow");
	rc = wsp_files_list(ws, NULL, conf_fs_root, NULL, on_link_entry, &l,
			    &err);
	if (rc)
		conf_fail("fs.symlink-list", "%s", err.message);
	else if (!l.found || !l.is_link || l.type != WSP_FS_TYPE_SYMLINK ||
		 strcmp(l.target, "range.txt"))
		conf_fail("fs.symlink-list",
			  "entry found %d is_symlink %d type %u target '%s', "
			  "want a symlink to 'range.txt'",
			  l.found, l.is_link, l.type, l.target);
	else
		conf_pass("fs.symlink-list");
	rc = wsp_files_remove(ws, NULL, P("link.txt"), 0, &err);
	if (!conf_expect("fs.symlink-remove", rc, 0, &err))
		return;
	if (conf_there(ws, P("link.txt")) != 0 ||
	    !conf_holds(ws, P("range.txt"), "0123456789abcdef"))
		conf_fail("fs.symlink-remove-link-only",
			  "link left, or its target removed");
	else
		conf_pass("fs.symlink-remove-link-only");
}

/* Pass when rc is WSP_EPERM and nothing outside changed. */
static void expect_contained(const char *check, int rc, const wsp_error *err,
			     const struct outside *o)
{
	if (!outside_intact(o))
		conf_fail(check, "a file outside the root changed (%s)",
			  conf_errname(rc));
	else
		conf_expect(check, rc, WSP_EPERM, err);
}

static void check_escapes(wsp_workspace *ws, const struct outside *o)
{
	static const char *const files[] = {"escape-abs.txt", "escape-rel.txt"};
	wsp_fs_stat st = {.struct_size = sizeof(st)};
	char pbuf[256], qbuf[256], check[64];
	wsp_error err = {0};
	size_t i, n;
	int rc;

	for (i = 0; i < 2; i++) {
		const char *kind = i ? "rel" : "abs";

		n = 0;
		rc = wsp_files_read(ws, NULL, P(files[i]), NULL,
				    conf_count_bytes, &n, &err);
		snprintf(check, sizeof(check), "fs.symlink-escape-%s-read",
			 kind);
		if (n)
			conf_fail(check, "%zu bytes from outside the root", n);
		else
			expect_contained(check, rc, &err, o);
		snprintf(check, sizeof(check), "fs.symlink-escape-%s-stat",
			 kind);
		rc = wsp_files_stat(&st, ws, NULL, P(files[i]), 0, &err);
		expect_contained(check, rc, &err, o);
		snprintf(check, sizeof(check), "fs.symlink-escape-%s-write",
			 kind);
		rc = conf_put(ws, P(files[i]), "overwritten", &err);
		expect_contained(check, rc, &err, o);
		snprintf(check, sizeof(check), "fs.symlink-escape-%s-copy",
			 kind);
		rc = wsp_files_copy(ws, NULL, P(files[i]), Q("stolen.txt"), 0,
				    &err);
		if (conf_there(ws, Q("stolen.txt")) != 0)
			conf_fail(check, "the outside file was copied in");
		else
			expect_contained(check, rc, &err, o);
	}
	/* A directory link: nothing under it is reached through it. */
	n = 0;
	rc = wsp_files_list(ws, NULL, P("escape-dir"), NULL, conf_count_entries,
			    &n, &err);
	if (n)
		conf_fail("fs.symlink-escape-dir-list",
			  "%zu entries from outside the root", n);
	else
		expect_contained("fs.symlink-escape-dir-list", rc, &err, o);
	n = 0;
	rc = wsp_files_read(ws, NULL, P("escape-dir/secret.txt"), NULL,
			    conf_count_bytes, &n, &err);
	if (n)
		conf_fail("fs.symlink-escape-dir-read",
			  "%zu bytes from outside the root", n);
	else
		expect_contained("fs.symlink-escape-dir-read", rc, &err, o);
	rc = conf_put(ws, P("escape-dir/new.txt"), "planted", &err);
	expect_contained("fs.symlink-escape-dir-write", rc, &err, o);
	rc = wsp_files_mkdir(ws, NULL, P("escape-dir/made"), WSP_FS_RECURSIVE,
			     &err);
	expect_contained("fs.symlink-escape-dir-mkdir", rc, &err, o);
	rc = wsp_files_remove(ws, NULL, P("escape-dir/secret.txt"), 0, &err);
	expect_contained("fs.symlink-escape-dir-remove", rc, &err, o);
	/* Removing the links removes them, not what they point to. */
	rc = wsp_files_remove(ws, NULL, P("escape-dir"), 0, &err);
	if (rc || !outside_intact(o) || conf_there(ws, P("escape-dir")) != 0)
		conf_fail("fs.symlink-remove-escaping", "%s; outside %s",
			  rc ? err.message : "removed",
			  outside_intact(o) ? "intact" : "changed");
	else
		conf_pass("fs.symlink-remove-escaping");
	for (i = 0; i < 2; i++)
		wsp_files_remove(ws, NULL, P(files[i]), 0, &err);
}

void conf_fs_run_symlinks(struct conf *c)
{
	char host[4096], target[8192];
	struct outside o;
	wsp_error err = {0};
	size_t hl;

	if (!(c->caps & WSP_CAP_FS_SYMLINKS)) {
		conf_skip("fs.symlink", "provider does not declare "
					"WSP_CAP_FS_SYMLINKS");
		return;
	}
	if (!(c->caps & WSP_CAP_FS_LOCAL_PATH)) {
		conf_skip("fs.symlink", "links can only be made through "
					"host_path (WSP_CAP_FS_LOCAL_PATH)");
		return;
	}
	if (wsp_files_host_path(host, sizeof(host), c->ws, NULL, conf_fs_root,
				&err)) {
		conf_fail("fs.symlink", "host_path: %s", err.message);
		return;
	}
	if (make_outside(&o)) {
		conf_fail("fs.symlink",
			  "cannot make a directory outside the "
			  "root: %s",
			  strerror(errno));
		return;
	}
	/* The "outside" directory must really be outside the root. */
	if (!wsp_files_host_path(target, sizeof(target), c->ws, NULL, "/",
				 &err) &&
	    (hl = strlen(target), !strncmp(o.dir, target, hl)) &&
	    (o.dir[hl] == '/' || !strcmp(target, "/"))) {
		conf_skip("fs.symlink",
			  "the provider root '%s' holds $TMPDIR; "
			  "set TMPDIR elsewhere",
			  target);
		remove_outside(&o);
		return;
	}
	climbing(target, sizeof(target), host, o.secret);
	if (link_at(host, "link.txt", "range.txt") ||
	    link_at(host, "escape-abs.txt", o.secret) ||
	    link_at(host, "escape-rel.txt", target) ||
	    link_at(host, "escape-dir", o.dir)) {
		conf_fail("fs.symlink", "cannot make links in '%s': %s", host,
			  strerror(errno));
	} else {
		check_inside_link(c->ws);
		check_escapes(c->ws, &o);
	}
	remove_outside(&o);
}
