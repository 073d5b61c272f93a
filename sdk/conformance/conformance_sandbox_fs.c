/*
 * conformance_sandbox_fs.c - the descriptor's sandbox_fs: the sandbox's
 * own files as a filesystem, on the same instance.
 *
 * Offered: a workspace with `mounts: { /: { provider: sandbox } }` is
 * opened and its sandbox started; every filesystem check of the kit then
 * runs through that mount (reported as "sandbox-fs/fs.*"), and a file
 * written through the mount must be what a command reads in the sandbox's
 * working directory, and the other way round (the same instance, not a
 * copy); the sandbox is destroyed afterwards (its files kept). Not offered: such a mount must be refused with the core's
 * message naming sandbox_fs (sandbox.fs-absent), as an absent capability
 * must answer WSP_ENOTSUP.
 */
#include "conformance_fs.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define ROOT_MOUNT "mounts:\n  /:\n    provider: sandbox\n"

static int offers_fs(const struct conf *c)
{
	return c->desc &&
	       WSP_HAS_MEMBER(wsp_plugin_desc, c->desc, sandbox_fs) &&
	       c->desc->sandbox_fs;
}

/* No sandbox_fs: opening or using the mount is WSP_ECONFIG naming it. */
static void check_absent(wsp_workspace *ws, int rc, wsp_error *err)
{
	int there = -1;

	/* under the mount: the core answers "/" itself */
	if (!rc)
		rc = wsp_files_exists(&there, ws, NULL, "/wsp-sandbox-fs", err);
	if (rc == WSP_ECONFIG && strstr(err->message, "sandbox_fs"))
		conf_pass("sandbox.fs-absent");
	else
		conf_fail("sandbox.fs-absent",
			  "no sandbox_fs declared, but a 'provider: sandbox' "
			  "mount gave %s, want WSP_ECONFIG naming sandbox_fs%s%s",
			  conf_errname(rc), rc ? ": " : "",
			  rc ? err->message : "");
}

/* Run sh in the sandbox: 0 when it exits 0 with stdout exactly want. */
static int sh_says(wsp_workspace *ws, const char *sh, const char *want)
{
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	wsp_exec_result r = { .struct_size = sizeof(r) };
	wsp_error err = { 0 };
	int ok;

	o.shell = sh;
	if (wsp_sandbox_exec(&r, ws, NULL, &o, &err))
		return 0;
	ok = r.exit_code == 0 && r.stdout_data &&
	     r.stdout_len == strlen(want) &&
	     !memcmp(r.stdout_data, want, r.stdout_len);
	wsp_exec_result_release(ws, &r);
	return ok;
}

/*
 * The mount's paths are the working directory's (<wsp/plugin.h>): what
 * one side writes, the other reads at once.
 */
static void check_same_instance(wsp_workspace *ws)
{
	char path[128], sh[256], want[64];
	wsp_error err = { 0 };
	long pid = (long)getpid();

	snprintf(path, sizeof(path), "/wsp-sandbox-fs-%ld.txt", pid);
	snprintf(want, sizeof(want), "written through the mount %ld\n", pid);
	snprintf(sh, sizeof(sh), "cat wsp-sandbox-fs-%ld.txt", pid);
	if (conf_put(ws, path, want, &err))
		conf_fail("sandbox.fs-same-instance", "write %s: %s", path,
			  err.message);
	else if (!sh_says(ws, sh, want))
		conf_fail("sandbox.fs-same-instance",
			  "wrote %s through the mount, but '%s' in the "
			  "sandbox did not print it", path, sh);
	else
		conf_pass("sandbox.fs-same-instance");

	snprintf(want, sizeof(want), "written by a command %ld\n", pid);
	snprintf(sh, sizeof(sh),
		 "printf 'written by a command %ld\\n' > "
		 "wsp-sandbox-fs-%ld.txt && echo ok", pid, pid);
	if (!sh_says(ws, sh, "ok\n"))
		conf_fail("sandbox.fs-sees-exec", "'%s' failed", sh);
	else if (!conf_holds(ws, path, want))
		conf_fail("sandbox.fs-sees-exec",
			  "a command rewrote %s, but the mount does not read "
			  "what it wrote", path);
	else
		conf_pass("sandbox.fs-sees-exec");
	if (wsp_files_remove(ws, NULL, path, 0, &err))
		conf_fail("sandbox.fs-cleanup", "remove %s: %s", path,
			  err.message);
}

void conf_run_sandbox_fs(struct conf *c)
{
	wsp_workspace *ws = NULL;
	wsp_error err = { 0 };
	wsp_plugin_desc d;
	struct conf fc;
	uint32_t outcome = 0;
	int rc = conf_open(&ws, c, ROOT_MOUNT, &err);

	if (!offers_fs(c)) {
		check_absent(ws, rc, &err);
		wsp_workspace_close(ws);
		return;
	}
	if (rc) {
		conf_fail("sandbox.fs-open", "%s", err.message);
		return;
	}
	rc = wsp_sandbox_start(&outcome, ws, NULL, &err);
	if (rc) {
		conf_fail("sandbox.fs-start", "%s", err.message);
		wsp_workspace_close(ws);
		return;
	}
	check_same_instance(ws);
	/*
	 * The kit's fs checks as for an fs provider whose vtable is the
	 * sandbox_fs (the core's mount record is the same: the sandbox's
	 * descriptor and capabilities, this vtable, no options of its own,
	 * so no read_only run).
	 */
	memcpy(&d, c->desc, sizeof(d));
	d.fs = c->desc->sandbox_fs;
	fc = *c;
	fc.desc = &d;
	fc.kind = WSP_KIND_FS;
	fc.ws = ws;
	fc.has_read_only_opt = 0;
	conf_set_prefix("sandbox-fs/");
	conf_run_fs(&fc);
	conf_set_prefix("");
	/*
	 * As the lifecycle checks left it: gone, files kept (a sandbox with
	 * no destroy slot is always there, as for the lifecycle checks).
	 */
	if (c->desc->sandbox->destroy &&
	    wsp_sandbox_destroy(ws, NULL, 0, &err))
		conf_fail("sandbox.fs-destroy", "%s", err.message);
	wsp_workspace_close(ws);
}
