/*
 * conformance_sandbox_mount.c - sandbox.mount / unmount: with
 * WSP_CAP_SANDBOX_MOUNT both slots are there, unmounting a path nothing
 * was mounted at is WSP_ENOTFOUND, and a call canceled before mount or
 * unmount is refused; without it, both answer WSP_ENOTSUP. Mounting a
 * real store needs one (an S3 server and its provider): the provider's
 * own tests do that (see tests/sandbox-mount for the core's side).
 */
#include "conformance.h"

#include <string.h>

#define WHERE "/mnt/wsp-conformance"

static int has_slots(const struct conf *c)
{
	const wsp_sandbox_vtable *sb = c->desc ? c->desc->sandbox : NULL;

	return sb && WSP_HAS_MEMBER(wsp_sandbox_vtable, sb, unmount) &&
	       sb->mount && sb->unmount;
}

void conf_run_sandbox_mount(struct conf *c)
{
	wsp_call call = { sizeof(call), 0, NULL, 0 };
	wsp_cancel *tok = NULL;
	wsp_error err = { 0 };
	int rc;

	rc = wsp_sandbox_unmount(c->ws, NULL, WHERE, 0, &err);
	if (!(c->caps & WSP_CAP_SANDBOX_MOUNT)) {
		if (rc == WSP_ENOTSUP)
			conf_pass("sandbox.mount-enotsup");
		else
			conf_fail("sandbox.mount-enotsup",
				  "no WSP_CAP_SANDBOX_MOUNT, but unmount "
				  "gave %s",
				  conf_errname(rc));
		return;
	}
	if (!has_slots(c)) {
		conf_fail("sandbox.mount", "WSP_CAP_SANDBOX_MOUNT declared but "
					   "mount or unmount is NULL");
		return;
	}
	if (rc == WSP_ENOTFOUND)
		conf_pass("sandbox.unmount-enotfound");
	else
		conf_fail("sandbox.unmount-enotfound",
			  "nothing mounted at " WHERE ", but got %s",
			  conf_errname(rc));
	if (wsp_cancel_new(&tok, &err) == 0) {
		wsp_cancel_fire(tok);
		call.cancel = tok;
		rc = wsp_sandbox_unmount(c->ws, &call, WHERE, 0, &err);
		conf_expect("sandbox.unmount-canceled", rc, WSP_ECANCELED,
			    &err);
		wsp_cancel_free(tok);
	}
	conf_skip("sandbox.mount-store",
		  "mounting needs a store (an S3 server): the provider's own "
		  "tests check it");
}
