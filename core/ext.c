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
#include "ext_call.h"
#include "workspace_impl.h"

#include <wsp/ext.h>

#include <ctype.h>
#include <errno.h>
#include <ffi.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define EXT_MAX_ARGS WSP__EXT_MAX_ARGS
#define EXT_MAX_ARG_LEN WSP__EXT_MAX_ARG_LEN
#define EXT_MAX_RESULT (64 * 1024 * 1024)

int wsp__ext_sig_parse(struct wsp__ext_sig *out, const char *sig)
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

/*
 * Whether text is a decimal number as <wsp/ext.h> documents them: an
 * optional '-', then a digit (or '.', for a number), then only digits
 * (and for a number '.', an exponent). strtoll() and strtod() alone also
 * take leading spaces, '+', and strtod() hexadecimal ("0x1p3").
 */
static bool decimal_text(const char *text, bool number)
{
	const char *s = text + (*text == '-');

	if (!isdigit((unsigned char)*s) && !(number && *s == '.'))
		return false;
	return strspn(s, number ? "0123456789.eE+-" : "0123456789") ==
	       strlen(s);
}

/* Convert one text argument to type t; -1 when it is not of that type. */
static int convert(struct wsp__ext_val *out, char t, const char *text)
{
	char *end;

	out->type = t;
	switch (t) {
	case 'i':
		if (!decimal_text(text, false))
			return -1;
		errno = 0;
		out->v.i = strtoll(text, &end, 10);
		return (!*text || *end || errno) ? -1 : 0;
	case 'd':
		if (!decimal_text(text, true))
			return -1;
		errno = 0;
		out->v.d = strtod(text, &end);
		return (!*text || *end || errno || !isfinite(out->v.d)) ? -1
									  : 0;
	case 'b':
		if (!strcasecmp(text, "true") || !strcasecmp(text, "yes") ||
		    !strcasecmp(text, "on") || !strcmp(text, "1"))
			out->v.b = 1;
		else if (!strcasecmp(text, "false") || !strcasecmp(text, "no") ||
			 !strcasecmp(text, "off") || !strcmp(text, "0"))
			out->v.b = 0;
		else
			return -1;
		return 0;
	default:
		out->v.s = text;
		return strnlen(text, EXT_MAX_ARG_LEN + 1) > EXT_MAX_ARG_LEN ? -1
									   : 0;
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
int wsp__ext_resolve(struct wsp__inst **out, wsp_workspace *ws,
		     const char *target, wsp_error *err)
{
	const struct wsp__config *cfg = ws->cfg;
	size_t i, found = 0, hits = 0;

	if (!target || !*target)
		return wsp_error_set(err, WSP_EINVAL,
				     "no target given; name the sandbox's "
				     "provider, a mount's provider or a mount "
				     "path");
	if (cfg->has_sandbox && same_name(cfg->sandbox.provider, target)) {
		*out = &ws->sandbox;
		return 0;
	}
	for (i = 0; i < cfg->n_mounts; i++) {
		if (same_name(cfg->mounts[i].path, target)) {
			*out = &ws->mounts[i];
			return 0;
		}
		if (same_name(cfg->mounts[i].ref.provider, target)) {
			found = i;
			hits++;
		}
	}
	if (hits == 1) {
		*out = &ws->mounts[found];
		return 0;
	}
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

/* The provider of target: loaded (start 0) or initialised (start 1). */
static int ready(struct wsp__inst **out, wsp_workspace *ws, const char *target,
		 int start, wsp_error *err)
{
	struct wsp__diags d = { 0 };
	int rc = wsp__ext_resolve(out, ws, target, err);

	if (rc)
		return rc;
	pthread_mutex_lock(&ws->lock);
	rc = start ? wsp__inst_init(ws, *out, err)
		   : wsp__inst_prepare(ws, *out, &d, err);
	pthread_mutex_unlock(&ws->lock);
	wsp__diag_clear(&d);
	return rc;
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
	struct wsp__inst *in;
	const wsp__provider *p;
	size_t i;
	int rc;

	if (!ws || !cb)
		return wsp_error_set(err, WSP_EINVAL, "no workspace or callback");
	/* the descriptor has them all: listing starts nothing */
	rc = ready(&in, ws, target, 0, err);
	if (rc)
		return rc;
	p = in->pub.prov;
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

/* An operation ready to be called: found, its signature checked. */
struct ext_target {
	struct wsp__inst *in;
	const wsp_ext_op *e;
	const char *prov;
	struct wsp__ext_sig sig;
};

static int lookup(struct ext_target *t, wsp_workspace *ws, const char *target,
		  const char *op, int start, wsp_error *err)
{
	char names[160];
	int rc;

	rc = ready(&t->in, ws, target, start, err);
	if (rc)
		return rc;
	t->prov = t->in->pub.prov->desc.name;
	t->e = op ? find_op(t->in->pub.prov, op) : NULL;
	if (!t->e) {
		op_names(names, sizeof(names), t->in->pub.prov);
		return wsp_error_set(err, WSP_ENOTFOUND,
				     "provider '%.40s' has no extension "
				     "'%.40s'; %s%s",
				     t->prov, op ? op : "",
				     *names ? "it has: " : "it has none",
				     names);
	}
	if (wsp__ext_sig_parse(&t->sig, t->e->signature) || !t->e->fn)
		return wsp_error_set(err, WSP_EABI,
				     "extension " WHO " has an invalid "
				     "signature '%.20s'; use [r:] then i, d, "
				     "b, s (at most %d); fix the provider",
				     t->e->name, t->prov,
				     t->e->signature ? t->e->signature
						     : "(none)",
				     EXT_MAX_ARGS);
	return 0;
}

int wsp__ext_describe(const wsp_ext_op **out, struct wsp__ext_sig *sig,
		      const char **prov_name, wsp_workspace *ws,
		      const char *target, const char *op, wsp_error *err)
{
	struct ext_target t;
	int rc;

	*out = NULL;
	if (!ws)
		return wsp_error_set(err, WSP_EINVAL, "no workspace given");
	rc = lookup(&t, ws, target, op, 0, err);
	if (rc)
		return rc;
	*out = t.e;
	*sig = t.sig;
	*prov_name = t.prov;
	return 0;
}

static int check_count(const struct ext_target *t, size_t argc,
		       wsp_error *err)
{
	const wsp_ext_op *e = t->e;

	if (argc == t->sig.n)
		return 0;
	return wsp_error_set(err, WSP_EINVAL,
			     "extension " WHO " takes %zu argument%s (%.80s), "
			     "not %zu",
			     e->name, t->prov, t->sig.n,
			     t->sig.n == 1 ? "" : "s",
			     e->help && *e->help ? e->help : e->signature,
			     argc);
}

/* A call's operation, its provider started, and the argument count. */
static int lookup_call(struct ext_target *t, wsp_workspace *ws,
		       const char *target, const char *op, size_t argc,
		       wsp_error *err)
{
	int rc = lookup(t, ws, target, op, 1, err);

	return rc ? rc : check_count(t, argc, err);
}

/*
 * The call itself: int fn([char **result,] void *self, args..., wsp_error *)
 * built from the signature; args were checked against it.
 */
static int call(char **result, const struct ext_target *t,
		const struct wsp__ext_val *args, wsp_error *err)
{
	ffi_type *types[EXT_MAX_ARGS + 3];
	void *values[EXT_MAX_ARGS + 3];
	char **result_p = result;
	void *self = t->in->pub.self;
	wsp_error *err_p = err;
	ffi_cif cif;
	ffi_arg rc = 0;
	unsigned n = 0;
	size_t i;

	if (t->sig.returns) {
		types[n] = &ffi_type_pointer;
		values[n++] = &result_p;
	}
	types[n] = &ffi_type_pointer;
	values[n++] = &self;
	for (i = 0; i < t->sig.n; i++) {
		/* const: libffi reads through these, never writes */
		void *v = (void *)&args[i].v;

		switch (t->sig.types[i]) {
		case 'i':
			types[n] = &ffi_type_sint64;
			break;
		case 'd':
			types[n] = &ffi_type_double;
			break;
		case 'b':
			types[n] = &ffi_type_sint;
			break;
		default:
			types[n] = &ffi_type_pointer;
			break;
		}
		values[n++] = v;
	}
	types[n] = &ffi_type_pointer;
	values[n++] = &err_p;
	if (ffi_prep_cif(&cif, FFI_DEFAULT_ABI, n, &ffi_type_sint, types) !=
	    FFI_OK)
		return wsp_error_set(err, WSP_ERROR,
				     "cannot prepare the call of " WHO,
				     t->e->name, t->prov);
	ffi_call(&cif, t->e->fn, &rc, values);
	return (int)(ffi_sarg)rc;
}

/* Call with checked arguments; the operation's result copied out. */
static int invoke(char **out_result, const struct ext_target *t,
		  const struct wsp__ext_val *args, wsp_error *err)
{
	wsp_error local = { 0 };
	wsp_error *e_out = err ? err : &local;
	const wsp_host *host = t->in->pub.host;
	char *result = NULL;
	int rc;

	e_out->code = 0;
	e_out->os_errno = 0;
	e_out->message[0] = '\0';
	rc = call(&result, t, args, e_out);
	if (rc < 0) {
		if (result)
			host->free(host, result);
		if (!e_out->message[0])
			wsp_error_set(e_out, rc, "extension " WHO " failed: %s",
				      t->e->name, t->prov, wsp_strerror(rc));
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
		host->free(host, result);
		if (len > EXT_MAX_RESULT)
			return wsp_error_set(err, WSP_ETOOBIG,
					     "the result of " WHO " exceeds "
					     "%d MiB",
					     t->e->name, t->prov,
					     EXT_MAX_RESULT / (1024 * 1024));
		if (!*out_result)
			return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	return 0;
}

int wsp_workspace_ext_call(char **out_result, wsp_workspace *ws,
			   const char *target, const char *op, size_t argc,
			   const char *const *argv, wsp_error *err)
{
	struct wsp__ext_val args[EXT_MAX_ARGS];
	struct ext_target t;
	size_t i;
	int rc;

	if (out_result)
		*out_result = NULL;
	if (!ws || !out_result || (argc && !argv))
		return wsp_error_set(err, WSP_EINVAL,
				     "no workspace, result or arguments");
	rc = lookup_call(&t, ws, target, op, argc, err);
	if (rc)
		return rc;
	for (i = 0; i < argc; i++) {
		if (!argv[i])
			return wsp_error_set(err, WSP_EINVAL,
					     "argument %zu of " WHO
					     " is missing",
					     i + 1, t.e->name, t.prov);
		if (convert(&args[i], t.sig.types[i], argv[i]))
			return wsp_error_set(err, WSP_EINVAL,
					     "argument %zu of " WHO " must be "
					     "%s, not '%.40s'",
					     i + 1, t.e->name, t.prov,
					     type_noun(t.sig.types[i]),
					     argv[i]);
	}
	return invoke(out_result, &t, args, err);
}

int wsp__ext_call_values(char **out_result, wsp_workspace *ws,
			 const char *target, const char *op, size_t argc,
			 const struct wsp__ext_val *argv, wsp_error *err)
{
	struct ext_target t;
	size_t i;
	int rc;

	*out_result = NULL;
	if (!ws || (argc && !argv))
		return wsp_error_set(err, WSP_EINVAL,
				     "no workspace or arguments");
	rc = lookup_call(&t, ws, target, op, argc, err);
	if (rc)
		return rc;
	for (i = 0; i < argc; i++) {
		const struct wsp__ext_val *a = &argv[i];

		if (a->type != t.sig.types[i] ||
		    (a->type == 'd' && !isfinite(a->v.d)) ||
		    (a->type == 'b' && a->v.b != 0 && a->v.b != 1) ||
		    (a->type == 's' &&
		     (!a->v.s ||
		      strnlen(a->v.s, EXT_MAX_ARG_LEN + 1) > EXT_MAX_ARG_LEN)))
			return wsp_error_set(err, WSP_EINVAL,
					     "argument %zu of " WHO " must be "
					     "%s",
					     i + 1, t.e->name, t.prov,
					     type_noun(t.sig.types[i]));
	}
	return invoke(out_result, &t, argv, err);
}

void wsp_ext_result_free(char *result)
{
	free(result);
}
