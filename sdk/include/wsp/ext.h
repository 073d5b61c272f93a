/*
 * wsp/ext.h - calling a provider's extension operations (embedding API).
 *
 * A provider lists plain C functions in its descriptor (wsp_ext_op in
 * <wsp/plugin.h>), each with a signature string. The core converts text
 * arguments to the types the signature names, checks their number, and
 * calls the function through libffi with the provider's instance, so no
 * caller needs glue per provider: `wsp ext TARGET OP ARGS...` is this.
 *
 * A target names one configured provider instance: the sandbox's provider
 * name ("local"), a mount's provider name when one mount uses it, or a
 * mount path ("/data"). A call initialises the instance on first use, as
 * any other call does; listing reads the provider's descriptor only and
 * starts nothing.
 *
 * Argument text, per signature letter:
 *   i  a decimal integer that fits int64_t ("-42")
 *   d  a finite decimal number ("0.5", "1e3")
 *   b  true/false, yes/no, on/off or 1/0
 *   s  any text
 */
#ifndef WSP_EXT_H
#define WSP_EXT_H

#include <wsp/common.h>
#include <wsp/workspace.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One extension operation; strings are valid during the callback only. */
typedef int (*wsp_ext_list_fn)(const char *name, const char *signature,
			       const char *help, void *payload);

/*
 * List the extension operations of target, in the provider's order,
 * from its descriptor (the provider is loaded, not initialised). Returns
 * 0, WSP_ENOTFOUND for an unknown target, the provider's load or options
 * error, or the callback's negative return.
 */
WSP_EXTERN int wsp_workspace_ext_list(wsp_workspace *ws, const char *target,
				      wsp_ext_list_fn cb, void *payload,
				      wsp_error *err);

/*
 * Call extension op of target with argc text arguments. On success
 * returns 0 and sets *out_result to the operation's string result (free it
 * with wsp_ext_result_free), or to NULL when it has none. Refuses, before
 * calling anything: an unknown target or op (WSP_ENOTFOUND), the wrong
 * number of arguments or an argument that is not of its type
 * (WSP_EINVAL), an invalid signature (WSP_EABI). Otherwise returns the
 * operation's own status and error.
 */
WSP_EXTERN int wsp_workspace_ext_call(char **out_result, wsp_workspace *ws,
				      const char *target, const char *op,
				      size_t argc, const char *const *argv,
				      wsp_error *err);

/* Free a result of wsp_workspace_ext_call. NULL is a no-op. */
WSP_EXTERN void wsp_ext_result_free(char *result);

#ifdef __cplusplus
}
#endif
#endif /* WSP_EXT_H */
