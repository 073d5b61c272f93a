/*
 * core/optvalue.c - the text forms of option values.
 *
 *   bool      true/false, yes/no, on/off (any case)
 *   int       signed 64-bit decimal
 *   duration  a whole number with ms, s, m, h or d; bare means seconds
 *   size      a whole number with B, KB, MB, GB, TB (powers of 1000) or
 *             KiB, MiB, GiB, TiB (powers of 1024); bare means bytes
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *wsp__option_type_name(uint32_t type)
{
	switch (type) {
	case WSP_OPT_STRING: return "string";
	case WSP_OPT_INT: return "int";
	case WSP_OPT_BOOL: return "bool";
	case WSP_OPT_DURATION: return "duration";
	case WSP_OPT_SIZE: return "size";
	case WSP_OPT_LIST: return "list";
	case WSP_OPT_MAP: return "map";
	case WSP_OPT_SECRET: return "secret";
	default: return "unknown";
	}
}

/* Leading unsigned decimal of s: 0 and *end set, or -1 (none/overflow). */
static int parse_u64(uint64_t *out, const char *s, const char **end)
{
	uint64_t v = 0;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	*out = v;
	*end = p;
	return 0;
}

static int parse_bool(int *out, const char *s)
{
	static const char *const yes[] = { "true", "yes", "on", NULL };
	static const char *const no[] = { "false", "no", "off", NULL };
	size_t i;

	for (i = 0; yes[i]; i++) {
		if (!strcasecmp(s, yes[i])) {
			*out = 1;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

static int parse_int(int64_t *out, const char *s)
{
	const char *end;
	uint64_t u;
	int neg = 0;

	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (parse_u64(&u, s, &end) < 0 || *end)
		return -1;
	if (u > (uint64_t)INT64_MAX + neg)
		return -1;
	*out = neg ? (int64_t)(0 - u) : (int64_t)u;
	return 0;
}

static int mul_ok(uint64_t *v, uint64_t by)
{
	if (by && *v > UINT64_MAX / by)
		return -1;
	*v *= by;
	return 0;
}

static int parse_duration(int64_t *out_ms, const char *s)
{
	static const struct {
		const char *unit;
		uint64_t ms;
	} units[] = { { "ms", 1 },	   { "s", 1000 },
		      { "", 1000 },	   { "m", 60000 },
		      { "h", 3600000 },	   { "d", 86400000 } };
	const char *end;
	uint64_t v;
	size_t i;

	if (parse_u64(&v, s, &end) < 0)
		return -1;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].unit))
			continue;
		if (mul_ok(&v, units[i].ms) < 0 || v > INT64_MAX)
			return -1;
		*out_ms = (int64_t)v;
		return 0;
	}
	return -1;
}

static int parse_size(uint64_t *out, const char *s)
{
	static const struct {
		const char *unit;
		uint64_t mul;
	} units[] = {
		{ "", 1 },
		{ "b", 1 },
		{ "kb", UINT64_C(1000) },
		{ "mb", UINT64_C(1000000) },
		{ "gb", UINT64_C(1000000000) },
		{ "tb", UINT64_C(1000000000000) },
		{ "kib", UINT64_C(1) << 10 },
		{ "mib", UINT64_C(1) << 20 },
		{ "gib", UINT64_C(1) << 30 },
		{ "tib", UINT64_C(1) << 40 },
	};
	const char *end;
	uint64_t v;
	size_t i;

	if (parse_u64(&v, s, &end) < 0)
		return -1;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcasecmp(end, units[i].unit))
			continue;
		if (mul_ok(&v, units[i].mul) < 0)
			return -1;
		*out = v;
		return 0;
	}
	return -1;
}

int wsp__optvalue_parse(struct wsp__optval *v, uint32_t type,
			const char *text, char *why, size_t why_cap)
{
	switch (type) {
	case WSP_OPT_STRING:
	case WSP_OPT_SECRET:
		return 0;
	case WSP_OPT_BOOL:
		if (!parse_bool(&v->b, text))
			return 0;
		snprintf(why, why_cap,
			 "'%.64s' is not a bool; use true or false", text);
		return WSP_EINVAL;
	case WSP_OPT_INT:
		if (!parse_int(&v->i, text))
			return 0;
		snprintf(why, why_cap,
			 "'%.64s' is not a whole number (like 8 or -1)", text);
		return WSP_EINVAL;
	case WSP_OPT_DURATION:
		if (!parse_duration(&v->i, text))
			return 0;
		snprintf(why, why_cap,
			 "'%.64s' is not a duration; use a whole number with "
			 "ms, s, m, h or d (like 250ms, 30s, 5m)",
			 text);
		return WSP_EINVAL;
	case WSP_OPT_SIZE:
		if (!parse_size(&v->u, text))
			return 0;
		snprintf(why, why_cap,
			 "'%.64s' is not a size; use a whole number with B, "
			 "KiB, MiB, GiB, TiB, KB, MB, GB or TB (like 512MiB)",
			 text);
		return WSP_EINVAL;
	default:
		snprintf(why, why_cap, "options of type %s are not scalars",
			 wsp__option_type_name(type));
		return WSP_EINVAL;
	}
}
