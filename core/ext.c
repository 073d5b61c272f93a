/*
 * core/ext.c - extension operations: a provider's own functions, called by
 * name through libffi (wsp_workspace_ext_list, wsp_workspace_ext_call).
 *
 * The signature string of an operation (see wsp_ext_op in <wsp/plugin.h>)
 * is the whole contract: it is checked again here before anything is
 * called (the loader checked it once), the text arguments are converted to
 * exactly the C types it names and counted against it, and the call is
 * built from it. Nothing reaches the provider's function unless the
 * argument list matches, because a mismatched libffi call cannot fail
 * cleanly: it reads garbage registers or the wrong stack slots.
 */
#include "internal.h"
#include "workspace_impl.h"

#include <wsp/ext.h>

#include <errno.h>
#include <ffi.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define EXT_MAX_ARGS 16
#define EXT_MAX_ARG_LEN (1024 * 1024)
#define EXT_MAX_RESULT (64 * 1024 * 1024)

/* A parsed signature: whether it returns a string, and the argument types. */
struct ext_sig {
	int returns;
	size_t n;
	char types[EXT_MAX_ARGS];
};

static int parse_signature(struct ext_sig *out, const char *sig)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!sig)
		return -1;
	if (sig[0] == 'r' && sig[1] == ':') {
		out->returns = 1;
		sig += 2;
	}
	for (i = 0; sig[i]; i++) {
		if (i >= EXT_MAX_ARGS || !strchr("idbs", sig[i]))
			return -1;
		out->types[i] = sig[i];
	}
	out->n = i;
	return 0;
}

static const char *type_noun(char t)
{
	switch (t) {
	case 'i':
		return "an integer";
	case 'd':
		return "a number";
	case 'b':
		return "a boolean (true or false)";
	default:
		return "text";
	}
}

union ext_arg {
	int64_t i;
	double d;
	int b;
	const char *s;
};

/* Convert one text argument to type t; -1 when it is not of that type. */
static int convert(union ext_arg *out, char t, const char *text)
{
	char *end;

	switch (t) {
	case 'i':
		errno = 0;
		out->i = strtoll(text, &end, 10);
		return (!*text || *end || errno) ? -1 : 0;
	case 'd':
		errno = 0;
		out->d = strtod(text, &end);
		return (!*text || *end || errno || !isfinite(out->d)) ? -1 : 0;
	case 'b':
		if (!strcasecmp(text, "true") || !strcasecmp(text, "yes") ||
		    !strcasecmp(text, "on") || !strcmp(text, "1"))
			out->b = 1;
		else if (!strcasecmp(text, "false") || !strcasecmp(text, "no") ||
			 !strcasecmp(text, "off") || !strcmp(text, "0"))
			out->b = 0;
		else
			return -1;
		return 0;
	default:
		if (strnlen(text, EXT_MAX_ARG_LEN + 1) > EXT_MAX_ARG_LEN)
			return -1;
		out->s = text;
		return 0;
	}
}

static int same_name(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

/*
 * The instance a target names: the sandbox when its provider is called
 * so, else the mount at that path, else the one mount using that provider.
 */
static int resolve(wsp__instance **out, wsp_workspace *ws, const char *target,
		   wsp_error *err)
{
	const struct wsp__config *cfg = ws->cfg;
	size_t i, found = 0, hits = 0;

	if (!target || !*target)
		return wsp_error_set(err, WSP_EINVAL,
				     "no target given; name the sandbox's "
				     "provider, a mount's provider or a mount "
				     "path");
	if (cfg->has_sandbox && same_name(cfg->sandbox.provider, target))
		return wsp__workspace_sandbox(out, ws, err);
	for (i = 0; i < cfg->n_mounts; i++) {
		if (same_name(cfg->mounts[i].path, target))
			return wsp__workspace_mount_instance(out, ws, i, err);
		if (same_name(cfg->mounts[i].ref.provider, target)) {
			found = i;
			hits++;
		}
	}
	if (hits == 1)
		return wsp__workspace_mount_instance(out, ws, found, err);
	if (hits > 1)
		return wsp_error_set(err, WSP_EINVAL,
				     "provider '%.64s' serves %zu mounts; name "
				     "the mount by its path (like '%.64s')",
				     target, hits, cfg->mounts[found].path);
	return wsp_error_set(err, WSP_ENOTFOUND,
			     "no sandbox or mount uses '%.64s'; name the "
			     "sandbox's provider, a mount's provider or a mount "
			     "path (see 'wsp config show')",
			     target);
}

static const wsp_ext_op *find_op(const wsp__provider *p, const char *op)
{
	size_t i;

	for (i = 0; i < p->n_ext_ops; i++)
		if (same_name(p->ext_ops[i].name, op))
			return &p->ext_ops[i];
	return NULL;
}

int wsp_workspace_ext_list(wsp_workspace *ws, const char *target,
			   wsp_ext_list_fn cb, void *payload, wsp_error *err)
{
	wsp__instance *in;
	const wsp__provider *p;
	size_t i;
	int rc;

	if (!ws || !cb)
		return wsp_error_set(err, WSP_EINVAL, "no workspace or callback");
	rc = resolve(&in, ws, target, err);
	if (rc)
		return rc;
	p = in->prov;
	for (i = 0; i < p->n_ext_ops; i++) {
		rc = cb(p->ext_ops[i].name, p->ext_ops[i].signature,
			p->ext_ops[i].help ? p->ext_ops[i].help : "", payload);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* "'restore' of provider 'local'", for messages. */
#define WHO "'%.40s' of provider '%.40s'"

/* List the operations a provider has, for the unknown-op message. */
static void op_names(char *buf, size_t cap, const wsp__provider *p)
{
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < p->n_ext_ops && len + 1 < cap; i++) {
		int n = snprintf(buf + len, cap - len, "%s%s", i ? ", " : "",
				 p->ext_ops[i].name);

		if (n < 0)
			break;
		len += (size_t)n;
	}
}

static int check_args(union ext_arg *args, const struct ext_sig *sig,
		      const wsp_ext_op *e, const char *prov, size_t argc,
		      const char *const *argv, wsp_error *err)
{
	size_t i;

	if (argc != sig->n)
		return wsp_error_set(err, WSP_EINVAL,
				     "extension " WHO " takes %zu argument%s "
				     "(%.80s), not %zu",
				     e->name, prov, sig->n, sig->n == 1 ? "" : "s",
				     e->help && *e->help ? e->help : e->signature,
				     argc);
	for (i = 0; i < argc; i++) {
		if (!argv[i])
			return wsp_error_set(err, WSP_EINVAL,
					     "argument %zu of " WHO " is missing",
					     i + 1, e->name, prov);
		if (convert(&args[i], sig->types[i], argv[i]))
			return wsp_error_set(err, WSP_EINVAL,
					     "argument %zu of " WHO " must be "
					     "%s, not '%.40s'",
					     i + 1, e->name, prov,
					     type_noun(sig->types[i]), argv[i]);
	}
	return 0;
}

/*
 * The call itself: int fn([char **result,] void *self, args..., wsp_error *)
 * built from the signature.
 */
static int call(char **result, const wsp__instance *in, const wsp_ext_op *e,
		const struct ext_sig *sig, union ext_arg *args, wsp_error *err)
{
	ffi_type *types[EXT_MAX_ARGS + 3];
	void *values[EXT_MAX_ARGS + 3];
	char **result_p = result;
	void *self = in->self;
	wsp_error *err_p = err;
	ffi_cif cif;
	ffi_arg rc = 0;
	unsigned n = 0;
	size_t i;

	if (sig->returns) {
		types[n] = &ffi_type_pointer;
		values[n++] = &result_p;
	}
	types[n] = &ffi_type_pointer;
	values[n++] = &self;
	for (i = 0; i < sig->n; i++) {
		switch (sig->types[i]) {
		case 'i':
			types[n] = &ffi_type_sint64;
			values[n++] = &args[i].i;
			break;
		case 'd':
			types[n] = &ffi_type_double;
			values[n++] = &args[i].d;
			break;
		case 'b':
			types[n] = &ffi_type_sint;
			values[n++] = &args[i].b;
			break;
		default:
			types[n] = &ffi_type_pointer;
			values[n++] = &args[i].s;
			break;
		}
	}
	types[n] = &ffi_type_pointer;
	values[n++] = &err_p;
	if (ffi_prep_cif(&cif, FFI_DEFAULT_ABI, n, &ffi_type_sint, types) !=
	    FFI_OK)
		return wsp_error_set(err, WSP_ERROR,
				     "cannot prepare the call of " WHO,
				     e->name, in->prov->desc.name);
	ffi_call(&cif, e->fn, &rc, values);
	return (int)(ffi_sarg)rc;
}

int wsp_workspace_ext_call(char **out_result, wsp_workspace *ws,
			   const char *target, const char *op, size_t argc,
			   const char *const *argv, wsp_error *err)
{
	union ext_arg args[EXT_MAX_ARGS];
	wsp_error local = { 0, 0, "" };
	wsp_error *e_out = err ? err : &local;
	const wsp_ext_op *e;
	const char *prov;
	struct ext_sig sig;
	wsp__instance *in;
	char *result = NULL, names[160];
	int rc;

	if (out_result)
		*out_result = NULL;
	if (!ws || !out_result || (argc && !argv))
		return wsp_error_set(err, WSP_EINVAL,
				     "no workspace, result or arguments");
	rc = resolve(&in, ws, target, err);
	if (rc)
		return rc;
	prov = in->prov->desc.name;
	e = op ? find_op(in->prov, op) : NULL;
	if (!e) {
		op_names(names, sizeof(names), in->prov);
		return wsp_error_set(err, WSP_ENOTFOUND,
				     "provider '%.40s' has no extension "
				     "'%.40s'; %s%s",
				     prov, op ? op : "",
				     *names ? "it has: " : "it has none",
				     names);
	}
	if (parse_signature(&sig, e->signature) || !e->fn)
		return wsp_error_set(err, WSP_EABI,
				     "extension " WHO " has an invalid "
				     "signature '%.20s'; use [r:] then i, d, b, "
				     "s (at most %d); fix the provider",
				     e->name, prov,
				     e->signature ? e->signature : "(none)",
				     EXT_MAX_ARGS);
	rc = check_args(args, &sig, e, prov, argc, argv, err);
	if (rc)
		return rc;

	e_out->code = 0;
	e_out->os_errno = 0;
	e_out->message[0] = '\0';
	rc = call(&result, in, e, &sig, args, e_out);
	if (rc < 0) {
		if (result)
			in->host->free(in->host, result);
		if (!e_out->message[0])
			wsp_error_set(e_out, rc, "extension " WHO " failed: %s",
				      e->name, prov, wsp_strerror(rc));
		e_out->code = rc;
		return rc;
	}
	if (result) {
		size_t len = strnlen(result, EXT_MAX_RESULT + 1);

		if (len <= EXT_MAX_RESULT) {
			*out_result = malloc(len + 1);
			if (*out_result)
				memcpy(*out_result, result, len + 1);
		}
		in->host->free(in->host, result);
		if (len > EXT_MAX_RESULT)
			return wsp_error_set(err, WSP_ETOOBIG,
					     "the result of " WHO " exceeds "
					     "%d MiB",
					     e->name, prov,
					     EXT_MAX_RESULT / (1024 * 1024));
		if (!*out_result)
			return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	return 0;
}

void wsp_ext_result_free(char *result)
{
	free(result);
}
