/*
 * core/files/files_call.c - the call context of the file API: the caller's
 * wsp_call made full size (call.c), and the check the core makes before
 * each slot it dispatches and between the chunks of its own emulations,
 * so an expired call never reaches a provider.
 */
#include "call.h"
#include "files.h"

void wsp__files_call_init(wsp_call *out, const wsp_call *in)
{
	wsp__call_normalize(out, in);
}

int wsp__files_call_check(const wsp_call *call, const char *op,
			  const char *path, wsp_error *err)
{
	int code = wsp__call_expired(call);

	if (!code)
		return 0;
	return wsp_error_set(err, code, "cannot %s '%s': %s", op, path,
			     code == WSP_ECANCELED ? "canceled"
						   : "the deadline passed");
}
