/*
 * core/loader/plugin_validate.c - the checks a descriptor passes before use.
 *
 * In order: descriptor present, magic, ABI major, descriptor at least as
 * large as ABI 2.0's, the minor it requires (not the one it was built
 * against: a newer plugin that needs nothing newer loads), kind, name,
 * init, the vtables the kind requires (each at least its 2.0 size,
 * required slots set), then the option and extension tables. Each refusal is
 * one line that names the file, what was found, what was expected and what to
 * do. Everything is then copied, sized, into this core's layout, so slots a
 * plugin predates read as NULL and those past what this core knows are
 * never read.
 */
#include "config.h"
#include "internal.h"
#include "names.h"

#include <wsp/plugins.h>

#include <stdlib.h>
#include <string.h>

#define END_OF(type, member)                                                   \
	(offsetof(type, member) + sizeof(((type *)0)->member))

/*
 * Oldest layouts this core accepts. procmgr and ext_ops are optional, so
 * a descriptor may end before them; every fs/sandbox/procmgr slot up to
 * the last required one must be there.
 */
#define DESC_MIN    END_OF(wsp_plugin_desc, sandbox)
#define FS_MIN	    END_OF(wsp_fs_vtable, rmdir)
#define SANDBOX_MIN END_OF(wsp_sandbox_vtable, exec)
#define PROCMGR_MIN END_OF(wsp_procmgr_vtable, release)
#define OPTION_MIN  END_OF(wsp_option_spec, choices)
#define EXT_MIN	    END_OF(wsp_ext_op, help)

/* Bounds on what a descriptor may declare. */
#define ELEM_MAX    4096 /* bytes per option or extension table entry */
#define OPTIONS_MAX 256
#define EXT_OPS_MAX 256
#define CHOICES_MAX 64

const char *wsp_kind_name(uint32_t kind)
{
	switch (kind) {
	case WSP_KIND_FS:
		return "fs";
	case WSP_KIND_SANDBOX:
		return "sandbox";
	default:
		return NULL;
	}
}

uint32_t wsp__kind_from_name(const char *name)
{
	if (!strcmp(name, "fs"))
		return WSP_KIND_FS;
	if (!strcmp(name, "sandbox"))
		return WSP_KIND_SANDBOX;
	return 0;
}

static const char *kind_noun(uint32_t kind)
{
	return kind == WSP_KIND_FS ? "a filesystem" : "a sandbox";
}

/* [a-z][a-z0-9_]* (with allow_dash also '-'; with digit_first [a-z0-9]
 * first), at most 64 characters. */
static int valid_name(const char *s, int allow_dash, int digit_first)
{
	size_t i;

	if (!s || !((*s >= 'a' && *s <= 'z') ||
		    (digit_first && *s >= '0' && *s <= '9')))
		return 0;
	for (i = 1; s[i]; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		      (allow_dash && s[i] == '-')))
			return 0;
	return i <= 64;
}

/* Provider names may also start with a digit ("s3" starts with a letter). */
int wsp__provider_name_ok(const char *s)
{
	return valid_name(s, 1, 1);
}

int wsp__ext_op_name_ok(const char *s)
{
	return valid_name(s, 1, 0);
}

/* Copy what the plugin has, zero what it predates. */
static void copy_sized(void *dst, size_t dst_size, const void *src,
		       size_t src_size)
{
	memset(dst, 0, dst_size);
	memcpy(dst, src, src_size < dst_size ? src_size : dst_size);
}

static int check_signature(const char *sig)
{
	if (!sig)
		return 0;
	if (sig[0] == 'r' && sig[1] == ':')
		sig += 2;
	if (strlen(sig) > 16)
		return 0;
	for (; *sig; sig++)
		if (!strchr("idbs", *sig))
			return 0;
	return 1;
}

/*
 * An option's bounds (ABI 2.1), in the core's copy s: well formed, and
 * only in a plugin that requires 2.1, since a 2.0 core never reads them
 * and would hand its init values out of range.
 */
static int check_bounds(const wsp__provider *p, const wsp_option_spec *s,
			const char *who, wsp_error *err)
{
	char why[WSP_ERROR_MSG_MAX - 64];

	if (!s->min_value && !s->max_value)
		return 0;
	if (p->desc.abi_minor_required < 1)
		return wsp_error_set(err, WSP_EABI,
				     "plugin '%s': option '%s' has bounds, "
				     "which need plugin ABI 2.1, but the "
				     "plugin requires only 2.0, whose cores "
				     "ignore them; require 2.1 (leave "
				     "WSP_PLUGIN_MINOR_REQUIRED alone) or "
				     "drop the bounds",
				     who, s->name);
	if (wsp__option_bounds_check(s, why, sizeof(why)))
		return wsp_error_set(err, WSP_EABI, "plugin '%s': %s; fix the "
				     "table", who, why);
	return 0;
}

static int check_options(wsp__provider *p, const wsp_option_spec *table,
			 const char *who, wsp_error *err)
{
	const unsigned char *base = (const unsigned char *)table;
	const wsp_option_spec *e;
	wsp_option_spec *copy;
	uint32_t esize;
	size_t i, j, c;
	char why[WSP_ERROR_MSG_MAX - 64];
	int rc;

	if (!table)
		return 0;
	esize = table->struct_size;
	if (esize < OPTION_MIN || esize > ELEM_MAX || esize % sizeof(void *))
		return wsp_error_set(err, WSP_EABI,
				     "plugin '%s' has a malformed option "
				     "table: entries of %u bytes, expected "
				     "at least %zu; rebuild it with "
				     "WSP_OPTION_END and "
				     "sizeof(wsp_option_spec)",
				     who, esize, (size_t)OPTION_MIN);
	for (i = 0;; i++) {
		if (i > OPTIONS_MAX)
			return wsp_error_set(err, WSP_EABI,
					     "plugin '%s' declares more than "
					     "%d options or its table lacks "
					     "WSP_OPTION_END; end the table",
					     who, OPTIONS_MAX);
		e = (const wsp_option_spec *)(base + (size_t)i * esize);
		if (!e->name)
			break;
	}
	copy = calloc(i + 1, sizeof(*copy));
	if (!copy)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	p->options = copy;
	p->n_options = i;
	for (i = 0; i < p->n_options; i++) {
		e = (const wsp_option_spec *)(base + i * esize);
		copy_sized(&copy[i], sizeof(copy[i]), e, esize);
		copy[i].struct_size = sizeof(copy[i]);
		if (!valid_name(e->name, 0, 0))
			return wsp_error_set(err, WSP_EABI,
					     "plugin '%s' declares an option "
					     "named '%.40s'; option names "
					     "match [a-z][a-z0-9_]*",
					     who, e->name);
		if (e->type < WSP_OPT_STRING || e->type > WSP_OPT_SECRET)
			return wsp_error_set(err, WSP_EABI,
					     "plugin '%s': option '%s' has "
					     "unknown type %u (this wsp knows "
					     "1 to %d); fix the table",
					     who, e->name, e->type,
					     WSP_OPT_SECRET);
		if (e->flags & ~WSP_OPT_REQUIRED)
			return wsp_error_set(err, WSP_EABI,
					     "plugin '%s': option '%s' has "
					     "unknown flags 0x%x; fix the "
					     "table",
					     who, e->name, e->flags);
		for (j = 0; j < i; j++)
			if (!strcmp(copy[j].name, e->name))
				return wsp_error_set(
					err, WSP_EABI,
					"plugin '%s' declares option '%s' "
					"twice; remove one",
					who, e->name);
		if (e->choices) {
			if (e->type != WSP_OPT_STRING)
				return wsp_error_set(
					err, WSP_EABI,
					"plugin '%s': option '%s' has choices "
					"but is not a string option; fix the "
					"table",
					who, e->name);
			for (c = 0; e->choices[c]; c++)
				if (c >= CHOICES_MAX)
					return wsp_error_set(
						err, WSP_EABI,
						"plugin '%s': option '%s' has "
						"more than %d choices or no "
						"NULL end; fix the table",
						who, e->name, CHOICES_MAX);
		}
		if ((rc = check_bounds(p, &copy[i], who, err)))
			return rc;
		if (wsp__option_default_check(&copy[i], why, sizeof(why)))
			return wsp_error_set(err, WSP_EABI,
					     "plugin '%s': bad default: %s",
					     who, why);
	}
	return 0;
}

static int check_ext_ops(wsp__provider *p, const wsp_ext_op *table,
			 const char *who, wsp_error *err)
{
	const unsigned char *base = (const unsigned char *)table;
	const wsp_ext_op *e;
	uint32_t esize;
	size_t i;

	if (!table)
		return 0;
	esize = table->struct_size;
	if (esize < EXT_MIN || esize > ELEM_MAX || esize % sizeof(void *))
		return wsp_error_set(err, WSP_EABI,
				     "plugin '%s' has a malformed extension "
				     "table: entries of %u bytes, expected at "
				     "least %zu; rebuild it with WSP_EXT_END",
				     who, esize, (size_t)EXT_MIN);
	for (i = 0;; i++) {
		if (i > EXT_OPS_MAX)
			return wsp_error_set(err, WSP_EABI,
					     "plugin '%s' declares more than "
					     "%d extensions or its table lacks "
					     "WSP_EXT_END; end the table",
					     who, EXT_OPS_MAX);
		e = (const wsp_ext_op *)(base + i * esize);
		if (!e->name)
			break;
	}
	p->ext_ops = calloc(i + 1, sizeof(*p->ext_ops));
	if (!p->ext_ops)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	p->n_ext_ops = i;
	for (i = 0; i < p->n_ext_ops; i++) {
		e = (const wsp_ext_op *)(base + i * esize);
		copy_sized(&p->ext_ops[i], sizeof(p->ext_ops[i]), e, esize);
		p->ext_ops[i].struct_size = sizeof(p->ext_ops[i]);
		if (!wsp__ext_op_name_ok(e->name) || !e->fn ||
		    !check_signature(e->signature))
			return wsp_error_set(err, WSP_EABI,
					     "plugin '%s': extension '%.40s' "
					     "needs a name [a-z][a-z0-9_-]*, a "
					     "function and a signature of "
					     "[r:] then i, d, b, s; fix the "
					     "table",
					     who, e->name);
	}
	return 0;
}

#define MISSING(who, what, slot)                                               \
	wsp_error_set(err, WSP_EABI,                                           \
		      "plugin '%s' lacks the required %s slot '%s'; "          \
		      "implement it (see <wsp/%s.h>)",                         \
		      who, what, slot,                                         \
		      !strcmp(what, "filesystem") ? "fs" : "sandbox")

#define SMALL(who, what, got, want)                                            \
	wsp_error_set(err, WSP_EABI,                                           \
		      "plugin '%s' has a %u-byte %s vtable, smaller than "     \
		      "the %zu bytes of ABI 2.0; rebuild it against the "      \
		      "wsp SDK",                                               \
		      who, got, what, (size_t)(want))

/* A filesystem vtable (the fs, or a sandbox's sandbox_fs) into *dst. */
static int check_fs(wsp_fs_vtable *dst, int *has, const wsp_fs_vtable *vt,
		    const char *who, wsp_error *err)
{
	if (vt->struct_size < FS_MIN)
		return SMALL(who, "filesystem", vt->struct_size, FS_MIN);
	copy_sized(dst, sizeof(*dst), vt, vt->struct_size);
	if (!dst->stat)
		return MISSING(who, "filesystem", "stat");
	if (!dst->read)
		return MISSING(who, "filesystem", "read");
	if (!dst->write)
		return MISSING(who, "filesystem", "write");
	if (!dst->list)
		return MISSING(who, "filesystem", "list");
	if (!dst->mkdir)
		return MISSING(who, "filesystem", "mkdir");
	if (!dst->remove)
		return MISSING(who, "filesystem", "remove");
	if (!dst->rmdir)
		return MISSING(who, "filesystem", "rmdir");
	*has = 1;
	return 0;
}

static int check_sandbox(wsp__provider *p, const wsp_sandbox_vtable *vt,
			 const char *who, wsp_error *err)
{
	if (vt->struct_size < SANDBOX_MIN)
		return SMALL(who, "sandbox", vt->struct_size, SANDBOX_MIN);
	copy_sized(&p->sandbox, sizeof(p->sandbox), vt, vt->struct_size);
	if (!p->sandbox.exec)
		return MISSING(who, "sandbox", "exec");
	p->has_sandbox = 1;
	return 0;
}

static int check_procmgr(wsp__provider *p, const wsp_procmgr_vtable *vt,
			 const char *who, wsp_error *err)
{
	const wsp_procmgr_vtable *c = &p->procmgr;

	if (vt->struct_size < PROCMGR_MIN)
		return SMALL(who, "process manager", vt->struct_size,
			     PROCMGR_MIN);
	copy_sized(&p->procmgr, sizeof(p->procmgr), vt, vt->struct_size);
	if (!c->spawn)
		return MISSING(who, "process manager", "spawn");
	if (!c->list)
		return MISSING(who, "process manager", "list");
	if (!c->status)
		return MISSING(who, "process manager", "status");
	if (!c->read_output)
		return MISSING(who, "process manager", "read_output");
	if (!c->signal)
		return MISSING(who, "process manager", "signal");
	if (!c->release)
		return MISSING(who, "process manager", "release");
	p->has_procmgr = 1;
	return 0;
}

static int check(wsp__provider *p, const wsp_plugin_desc *d, uint32_t kind,
		 const char *who, wsp_error *err)
{
	const wsp_plugin_desc *c = &p->desc;
	int rc;

	if (!d)
		return wsp_error_set(err, WSP_ENOTPLUGIN,
				     "'%s' is not a wsp plugin: its entry "
				     "returned no descriptor; return one from "
				     "WSP_PLUGIN_DEFINE",
				     who);
	if (d->magic != WSP_PLUGIN_MAGIC)
		return wsp_error_set(err, WSP_ENOTPLUGIN,
				     "'%s' is not a wsp plugin: its descriptor "
				     "starts with 0x%08x, not the magic "
				     "0x%08x; build it with WSP_PLUGIN_DEFINE "
				     "from <wsp/plugin.h>",
				     who, d->magic, WSP_PLUGIN_MAGIC);
	if (d->abi_major < WSP_PLUGIN_ABI_MAJOR)
		return wsp_error_set(err, WSP_EABI,
				     "plugin '%s' was built for plugin ABI "
				     "%u.%u; rebuild it against the wsp SDK "
				     "%d.x (pkg-config wsp-plugin)",
				     who, d->abi_major, d->abi_minor,
				     WSP_PLUGIN_ABI_MAJOR);
	if (d->abi_major > WSP_PLUGIN_ABI_MAJOR)
		return wsp_error_set(err, WSP_EABI,
				     "plugin '%s' was built for plugin ABI "
				     "%u.%u, a newer major than this wsp's "
				     "%d.%d; upgrade wsp to a release with "
				     "plugin ABI %u, or use a build of the "
				     "plugin for ABI %d",
				     who, d->abi_major, d->abi_minor,
				     WSP_PLUGIN_ABI_MAJOR, WSP_PLUGIN_ABI_MINOR,
				     d->abi_major, WSP_PLUGIN_ABI_MAJOR);
	/* Same major from here: the 2.0 layout, so the size says enough. */
	if (d->struct_size < DESC_MIN)
		return wsp_error_set(err, WSP_EABI,
				     "plugin '%s' has a %u-byte descriptor, "
				     "smaller than the %zu bytes of ABI 2.0; "
				     "rebuild it with WSP_PLUGIN_DEFINE",
				     who, d->struct_size, (size_t)DESC_MIN);
	if (d->abi_minor_required > WSP_PLUGIN_ABI_MINOR)
		return wsp_error_set(
			err, WSP_EABI,
			"plugin '%s' needs wsp plugin ABI %d.%u "
			"or newer; this wsp has %d.%d; upgrade "
			"wsp",
			who, WSP_PLUGIN_ABI_MAJOR, d->abi_minor_required,
			WSP_PLUGIN_ABI_MAJOR, WSP_PLUGIN_ABI_MINOR);
	copy_sized(&p->desc, sizeof(p->desc), d, d->struct_size);
	if (!wsp_kind_name(c->kind))
		return wsp_error_set(err, WSP_EABI,
				     "plugin '%s' declares kind %u, but this "
				     "wsp knows fs (1) and sandbox (2); fix "
				     "its descriptor",
				     who, c->kind);
	if (kind && c->kind != kind)
		return wsp_error_set(err, WSP_EABI,
				     "plugin '%s' is %s provider, not %s "
				     "provider; rename it wsp-%s-<name>.so or "
				     "fix its kind",
				     who, kind_noun(c->kind), kind_noun(kind),
				     wsp_kind_name(c->kind));
	if (!wsp__provider_name_ok(c->name))
		return wsp_error_set(err, WSP_EABI,
				     "plugin '%s' declares no valid name "
				     "(expected [a-z0-9][a-z0-9_-]*); fix its "
				     "descriptor",
				     who);
	if (!c->init)
		return wsp_error_set(err, WSP_EABI,
				     "plugin '%s' has no init function; "
				     "provide one in WSP_PLUGIN_DEFINE",
				     who);
	if (c->kind == WSP_KIND_FS && !c->fs)
		return wsp_error_set(err, WSP_EABI,
				     "plugin '%s' is a filesystem provider "
				     "without a filesystem vtable; set the fs "
				     "argument of WSP_PLUGIN_DEFINE",
				     who);
	if (c->kind == WSP_KIND_SANDBOX && !c->sandbox)
		return wsp_error_set(err, WSP_EABI,
				     "plugin '%s' is a sandbox provider "
				     "without a sandbox vtable; set the "
				     "sandbox argument of WSP_PLUGIN_DEFINE",
				     who);
	if (c->fs && (rc = check_fs(&p->fs, &p->has_fs, c->fs, who, err)))
		return rc;
	/* read only from a sandbox, and only when its descriptor has it */
	if (c->kind == WSP_KIND_SANDBOX && c->sandbox_fs &&
	    (rc = check_fs(&p->sandbox_fs, &p->has_sandbox_fs, c->sandbox_fs,
			   who, err)))
		return rc;
	if (c->sandbox && (rc = check_sandbox(p, c->sandbox, who, err)))
		return rc;
	if (c->procmgr && (rc = check_procmgr(p, c->procmgr, who, err)))
		return rc;
	if ((rc = check_options(p, c->options, who, err)))
		return rc;
	return check_ext_ops(p, c->ext_ops, who, err);
}

int wsp__plugin_check(wsp__provider *out, const wsp_plugin_desc *desc,
		      uint32_t kind, const char *path, wsp_error *err)
{
	wsp__provider tmp;
	wsp__provider *p = out ? out : &tmp;
	int rc;

	memset(p, 0, sizeof(*p));
	rc = check(p, desc, kind, path ? path : "<descriptor>", err);
	if (rc || !out)
		wsp__provider_free_tables(p);
	return rc;
}

void wsp__provider_free_tables(wsp__provider *p)
{
	free(p->options);
	free(p->ext_ops);
	p->options = NULL;
	p->ext_ops = NULL;
	p->n_options = p->n_ext_ops = 0;
}

int wsp_plugin_validate(const wsp_plugin_desc *desc, uint32_t kind,
			wsp_error *err)
{
	return wsp__plugin_check(NULL, desc, kind, NULL, err);
}
