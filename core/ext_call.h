/*
 * core/ext_call.h - extension operations for the core's other modules
 * (never installed): the tool layer exposes them with typed arguments
 * from JSON, where wsp_workspace_ext_call takes text.
 *
 * Both go through the same lookup, checks and libffi call in ext.c; only
 * the conversion to C values differs, and ext.c checks the values it is
 * given against the signature again, so nothing reaches the provider's
 * function unless the argument list matches.
 */
#ifndef WSP_CORE_EXT_CALL_H
#define WSP_CORE_EXT_CALL_H

#include "internal.h"

#include <stdint.h>

#define WSP__EXT_MAX_ARGS    16
#define WSP__EXT_MAX_ARG_LEN (1024 * 1024) /* bytes of a string argument */

/* A parsed signature: whether it returns a string, and the argument types. */
struct wsp__ext_sig {
	int returns;
	size_t n;
	char types[WSP__EXT_MAX_ARGS]; /* 'i', 'd', 'b' or 's' */
};

/* One argument, tagged with its signature letter. */
struct wsp__ext_val {
	char type;
	union {
		int64_t i;
		double d;
		int b;
		const char *s;
	} v;
};

/* Parse a signature ("r:si"); -1 when it is not one. */
WSP_INTERNAL int wsp__ext_sig_parse(struct wsp__ext_sig *out, const char *sig);

/*
 * The instance a target names (the sandbox when its provider is called
 * so, else the mount at that path, else the one mount using that
 * provider), neither loaded nor started. WSP_ENOTFOUND or WSP_EINVAL
 * (an ambiguous provider name) with the reason in err.
 */
struct wsp__inst;
WSP_INTERNAL int wsp__ext_resolve(struct wsp__inst **out, wsp_workspace *ws,
				  const char *target, wsp_error *err);

/*
 * Look op of target up in the provider's descriptor, loading the
 * provider and checking its options but not initialising it (listing a
 * tool must not start a sandbox). *out and *prov_name point into the
 * loaded provider, which stays loaded as long as the workspace. Errors as
 * wsp_workspace_ext_call's before the call.
 */
WSP_INTERNAL int wsp__ext_describe(const wsp_ext_op **out,
				   struct wsp__ext_sig *sig,
				   const char **prov_name, wsp_workspace *ws,
				   const char *target, const char *op,
				   wsp_error *err);

/*
 * wsp_workspace_ext_call with typed values: each must carry the type its
 * position of the signature names (WSP_EINVAL otherwise), strings at most
 * WSP__EXT_MAX_ARG_LEN bytes.
 */
WSP_INTERNAL int wsp__ext_call_values(char **out_result, wsp_workspace *ws,
				      const char *target, const char *op,
				      size_t argc,
				      const struct wsp__ext_val *argv,
				      wsp_error *err);

#endif /* WSP_CORE_EXT_CALL_H */
