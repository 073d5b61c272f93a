/*
 * core/config/optvalue.c - the text forms of option values.
 *
 *   bool      true/false, yes/no, on/off (any case)
 *   int       signed 64-bit decimal
 *   duration  a number with ms, s, m, h or d; bare means seconds
 *   size      a number with B, KB, MB, GB, TB (powers of 1000) or
 *             KiB, MiB, GiB, TiB (powers of 1024, also K, M, G, T), any
 *             case; bare means bytes
 *
 * A number is digits with up to 9 decimal places ("1.5h", "0.5GiB"). The
 * duration and size grammars are public (wsp_parse_duration_ms,
 * wsp_parse_size) so that the CLI's --timeout and --log-limit read
 * exactly what the configuration reads.
 */
#include "config.h"

#include <wsp/wsp.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *wsp__option_type_name(uint32_t type)
{
	switch (type) {
	case WSP_OPT_STRING:
		return "string";
	case WSP_OPT_INT:
		return "int";
	case WSP_OPT_BOOL:
		return "bool";
	case WSP_OPT_DURATION:
		return "duration";
	case WSP_OPT_SIZE:
		return "size";
	case WSP_OPT_LIST:
		return "list";
	case WSP_OPT_MAP:
		return "map";
	case WSP_OPT_SECRET:
		return "secret";
	default:
		return "unknown";
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
	static const char *const yes[] = {"true", "yes", "on", NULL};
	static const char *const no[] = {"false", "no", "off", NULL};
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

/*
 * The number of a duration or a size: digits, then optionally '.' and
 * one to 9 more, then a unit looked up in units (strcmp or strcasecmp).
 * *out = number * unit's multiplier, a fraction of one rounded up (so no
 * value above zero ever becomes 0, which means "none" to many users);
 * 0, or -1 when malformed or beyond max.
 */
struct unit {
	const char *name;
	uint64_t mul;
};

static int parse_scaled(uint64_t *out, const char *s, const struct unit *units,
			size_t n_units, int fold_case, uint64_t max)
{
	uint64_t whole, frac = 0, den = 1, q, r, up, v;
	const char *p;
	size_t i;

	if (parse_u64(&whole, s, &p) < 0)
		return -1;
	if (*p == '.') {
		if (*++p < '0' || *p > '9')
			return -1;
		for (; *p >= '0' && *p <= '9'; p++) {
			if (den == UINT64_C(1000000000))
				return -1; /* more than 9 places */
			frac = frac * 10 + (uint64_t)(*p - '0');
			den *= 10;
		}
	}
	for (i = 0; i < n_units; i++)
		if (!(fold_case ? strcasecmp(p, units[i].name)
				: strcmp(p, units[i].name)))
			break;
	if (i == n_units || (units[i].mul && whole > UINT64_MAX / units[i].mul))
		return -1;
	/* frac/den * mul without overflow: mul = q*den + r, frac < den */
	q = units[i].mul / den;
	r = units[i].mul % den;
	v = whole * units[i].mul;
	if (frac * q > UINT64_MAX - v)
		return -1;
	v += frac * q;
	up = (frac * r + den - 1) / den; /* frac * r < den * den <= 10^18 */
	if (up > UINT64_MAX - v)
		return -1;
	v += up;
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

int wsp_parse_duration_ms(int64_t *out_ms, const char *text)
{
	static const struct unit units[] = {
		{"ms", 1},    {"s", 1000},    {"", 1000},
		{"m", 60000}, {"h", 3600000}, {"d", 86400000},
	};
	uint64_t v;

	if (!out_ms || !text ||
	    parse_scaled(&v, text, units, sizeof(units) / sizeof(units[0]), 0,
			 INT64_MAX) < 0)
		return WSP_EINVAL;
	*out_ms = (int64_t)v;
	return 0;
}

int wsp_parse_size(uint64_t *out_bytes, const char *text)
{
	/* any case; K, M, G, T alone are the powers of 1024, as ls -h and
	 * ulimit mean them */
	static const struct unit units[] = {
		{"", 1},
		{"b", 1},
		{"kb", UINT64_C(1000)},
		{"mb", UINT64_C(1000000)},
		{"gb", UINT64_C(1000000000)},
		{"tb", UINT64_C(1000000000000)},
		{"kib", UINT64_C(1) << 10},
		{"mib", UINT64_C(1) << 20},
		{"gib", UINT64_C(1) << 30},
		{"tib", UINT64_C(1) << 40},
		{"k", UINT64_C(1) << 10},
		{"m", UINT64_C(1) << 20},
		{"g", UINT64_C(1) << 30},
		{"t", UINT64_C(1) << 40},
	};

	if (!out_bytes || !text ||
	    parse_scaled(out_bytes, text, units,
			 sizeof(units) / sizeof(units[0]), 1, UINT64_MAX) < 0)
		return WSP_EINVAL;
	return 0;
}

int wsp__optvalue_parse(struct wsp__optval *v, uint32_t type, const char *text,
			char *why, size_t why_cap)
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
		if (!wsp_parse_duration_ms(&v->i, text))
			return 0;
		snprintf(why, why_cap, "'%.64s' is not a duration; %s", text,
			 WSP__DURATION_HINT);
		return WSP_EINVAL;
	case WSP_OPT_SIZE:
		if (!wsp_parse_size(&v->u, text))
			return 0;
		snprintf(why, why_cap, "'%.64s' is not a size; %s", text,
			 WSP__SIZE_HINT);
		return WSP_EINVAL;
	default:
		snprintf(why, why_cap, "options of type %s are not scalars",
			 wsp__option_type_name(type));
		return WSP_EINVAL;
	}
}
