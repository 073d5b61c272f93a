/*
 * core/config/optfill.c - host->opt_fill (ABI 2.1): a provider's validated
 * options written into its own struct from a table of wsp_option_field.
 *
 * Why in the core: every provider's init used to read its options one
 * getter at a time, check each result and copy it into its struct, and
 * many range-checked numbers again. The values are validated (type,
 * choices, bounds) before init runs, so what is left is a copy the core
 * can do from the table; the member's size says which C type it is
 * (wsp_option_field in <wsp/options.h>).
 */
#include "config.h"
#include "host.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#define FIELD_MIN  (offsetof(wsp_option_field, size) + sizeof(size_t))
#define FIELDS_MAX 1024 /* entries before a missing end is assumed */

static int bad_size(const wsp_option_field *f, uint32_t type, wsp_error *err)
{
	return wsp_error_set(err, WSP_EINVAL,
			     "option field '%s' is %zu bytes, which no %s "
			     "option fills; see wsp_option_field in "
			     "<wsp/options.h>",
			     f->name, f->size, wsp__option_type_name(type));
}

static int too_big(const wsp_option_field *f, wsp_error *err)
{
	return wsp_error_set(err, WSP_EINVAL,
			     "option '%s' does not fit its %zu-byte field; "
			     "declare a max_value",
			     f->name, f->size);
}

/* Write v, an option of type, into the member f describes at base. */
static int fill_one(unsigned char *base, const wsp_option_field *f,
		    uint32_t type, const struct wsp__optval *v, wsp_error *err)
{
	unsigned char *at = base + f->offset;

	switch (type) {
	case WSP_OPT_STRING:
	case WSP_OPT_SECRET:
	case WSP_OPT_LIST:
	case WSP_OPT_MAP: {
		const void *p = type == WSP_OPT_STRING || type == WSP_OPT_SECRET
					? (const void *)v->text
					: (const void *)v->items;

		if (f->size != sizeof(p))
			return bad_size(f, type, err);
		memcpy(at, &p, sizeof(p));
		return 0;
	}
	case WSP_OPT_BOOL:
		if (f->size == sizeof(bool)) {
			bool b = v->b != 0;

			memcpy(at, &b, sizeof(b));
		} else if (f->size == sizeof(int)) {
			memcpy(at, &v->b, sizeof(v->b));
		} else {
			return bad_size(f, type, err);
		}
		return 0;
	case WSP_OPT_INT:
	case WSP_OPT_DURATION:
		if (f->size == sizeof(int64_t)) {
			memcpy(at, &v->i, sizeof(v->i));
		} else if (f->size == sizeof(int32_t)) {
			int32_t n = (int32_t)v->i;

			if (v->i < INT32_MIN || v->i > INT32_MAX)
				return too_big(f, err);
			memcpy(at, &n, sizeof(n));
		} else {
			return bad_size(f, type, err);
		}
		return 0;
	case WSP_OPT_SIZE:
		if (f->size == sizeof(uint64_t)) {
			memcpy(at, &v->u, sizeof(v->u));
		} else if (f->size == sizeof(uint32_t)) {
			uint32_t n = (uint32_t)v->u;

			if (v->u > UINT32_MAX)
				return too_big(f, err);
			memcpy(at, &n, sizeof(n));
		} else {
			return bad_size(f, type, err);
		}
		return 0;
	default:
		return bad_size(f, type, err);
	}
}

int wsp__host_opt_fill(void *dst, const wsp_host *h, const wsp_config *cfg,
		       const wsp_option_field *fields, wsp_error *err)
{
	const unsigned char *table = (const unsigned char *)fields;
	const wsp_option_field *f;
	uint32_t esize;
	size_t i;
	long k;
	int rc;

	(void)h;
	if (!dst || !cfg || !fields)
		return wsp_error_set(err, WSP_EINVAL,
				     "opt_fill needs a struct, the options "
				     "and a field table");
	esize = fields->struct_size;
	if (esize < FIELD_MIN || esize % sizeof(void *))
		return wsp_error_set(err, WSP_EINVAL,
				     "malformed option field table: entries "
				     "of %u bytes; write them with "
				     "WSP_OPTION_FIELD",
				     esize);
	for (i = 0;; i++) {
		if (i == FIELDS_MAX)
			return wsp_error_set(err, WSP_EINVAL,
					     "option field table has no "
					     "WSP_OPTION_FIELD_END");
		f = (const wsp_option_field *)(table + i * esize);
		if (!f->name)
			return 0;
		k = wsp__options_find(cfg, f->name);
		if (k < 0)
			return wsp_error_set(err, WSP_EINVAL,
					     "option field '%s' names no "
					     "declared option; add it to the "
					     "option table",
					     f->name);
		if (!cfg->vals[k].set)
			continue;
		rc = fill_one(dst, f, cfg->spec[k].type, &cfg->vals[k], err);
		if (rc)
			return rc;
	}
}
