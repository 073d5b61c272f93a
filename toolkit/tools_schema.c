/*
 * toolkit/tools_schema.c - check tool arguments against a JSON Schema.
 *
 * Only the subset the tools' schemas use: type (one or a list), enum,
 * properties, required, additionalProperties (false), items, minimum,
 * maximum, minLength, maxLength, minItems. Messages name the property
 * path ("'offset' must be an integer") so a model can correct itself.
 */
#include "json_num.h"
#include "tools_impl.h"

#include <stdio.h>
#include <string.h>

#define MAX_DEPTH 16

static const char *json_type(const cJSON *v)
{
	if (cJSON_IsString(v))
		return "string";
	if (cJSON_IsBool(v))
		return "boolean";
	if (cJSON_IsNull(v))
		return "null";
	if (cJSON_IsArray(v))
		return "array";
	if (cJSON_IsObject(v))
		return "object";
	if (cJSON_IsNumber(v))
		return "number";
	return "unknown";
}

/* Strictly within +-2^53 (exact as a double), no fraction. */
static int is_integer(const cJSON *v)
{
	const int64_t max = (INT64_C(1) << 53) - 1;
	int64_t i;

	return cJSON_IsNumber(v) &&
	       !wsp__num_to_int(v->valuedouble, -max, max, &i) &&
	       (double)i == v->valuedouble;
}

static int type_matches(const char *want, const cJSON *v)
{
	if (!strcmp(want, "integer"))
		return is_integer(v);
	return !strcmp(want, json_type(v));
}

static const char *article(const char *t)
{
	return strchr("aeiou", t[0]) ? "an" : "a";
}

static int fail(char *why, size_t cap, const char *at, const char *fmt, ...)
	WSP_PRINTF(4, 5);
static int fail(char *why, size_t cap, const char *at, const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	if (at[0])
		n = snprintf(why, cap, "'%s' ", at);
	if (n < 0 || (size_t)n >= cap)
		return WSP_EINVAL;
	va_start(ap, fmt);
	vsnprintf(why + n, cap - (size_t)n, fmt, ap);
	va_end(ap);
	return WSP_EINVAL;
}

static int check(const cJSON *schema, const cJSON *v, const char *at, int depth,
		 char *why, size_t cap);

static int check_type(const cJSON *type, const cJSON *v, const char *at,
		      char *why, size_t cap)
{
	const cJSON *t;
	char list[128] = "";
	size_t n = 0;

	if (cJSON_IsString(type)) {
		if (type_matches(type->valuestring, v))
			return 0;
		return fail(why, cap, at, "must be %s %s, not %s",
			    article(type->valuestring), type->valuestring,
			    json_type(v));
	}
	cJSON_ArrayForEach(t, type)
	{
		if (!cJSON_IsString(t))
			continue;
		if (type_matches(t->valuestring, v))
			return 0;
		n += (size_t)snprintf(list + n,
				      n < sizeof(list) ? sizeof(list) - n : 0,
				      "%s%s", n ? " or " : "", t->valuestring);
	}
	return fail(why, cap, at, "must be %s, not %s", list, json_type(v));
}

static int check_enum(const cJSON *e, const cJSON *v, const char *at, char *why,
		      size_t cap)
{
	const cJSON *x;

	cJSON_ArrayForEach(x, e) if (cJSON_Compare(x, v, 1)) return 0;
	return fail(why, cap, at, "must be one of the listed values");
}

static int check_object(const cJSON *schema, const cJSON *v, const char *at,
			int depth, char *why, size_t cap)
{
	const cJSON *props =
		cJSON_GetObjectItemCaseSensitive(schema, "properties");
	const cJSON *req = cJSON_GetObjectItemCaseSensitive(schema, "required");
	const cJSON *extra = cJSON_GetObjectItemCaseSensitive(
		schema, "additionalProperties");
	const cJSON *m, *r;
	char sub[256];
	int rc;

	cJSON_ArrayForEach(r, req)
	{
		if (!cJSON_IsString(r))
			continue;
		if (!cJSON_GetObjectItemCaseSensitive(v, r->valuestring)) {
			snprintf(sub, sizeof(sub), "%s%s%s", at,
				 at[0] ? "." : "", r->valuestring);
			return fail(why, cap, sub, "is required");
		}
	}
	cJSON_ArrayForEach(m, v)
	{
		const cJSON *ps =
			cJSON_GetObjectItemCaseSensitive(props, m->string);

		snprintf(sub, sizeof(sub), "%s%s%s", at, at[0] ? "." : "",
			 m->string ? m->string : "");
		if (!ps) {
			if (cJSON_IsFalse(extra))
				return fail(why, cap, sub,
					    "is not a known property");
			continue;
		}
		rc = check(ps, m, sub, depth + 1, why, cap);
		if (rc)
			return rc;
	}
	return 0;
}

static int check(const cJSON *schema, const cJSON *v, const char *at, int depth,
		 char *why, size_t cap)
{
	const cJSON *k;
	char sub[256];
	int rc, i = 0;

	if (depth > MAX_DEPTH)
		return fail(why, cap, at, "is nested too deeply");
	if ((k = cJSON_GetObjectItemCaseSensitive(schema, "type")) &&
	    (rc = check_type(k, v, at, why, cap)))
		return rc;
	if ((k = cJSON_GetObjectItemCaseSensitive(schema, "enum")) &&
	    (rc = check_enum(k, v, at, why, cap)))
		return rc;
	if (cJSON_IsNumber(v)) {
		k = cJSON_GetObjectItemCaseSensitive(schema, "minimum");
		if (cJSON_IsNumber(k) && v->valuedouble < k->valuedouble)
			return fail(why, cap, at, "must be at least %g",
				    k->valuedouble);
		k = cJSON_GetObjectItemCaseSensitive(schema, "maximum");
		if (cJSON_IsNumber(k) && v->valuedouble > k->valuedouble)
			return fail(why, cap, at, "must be at most %g",
				    k->valuedouble);
	}
	if (cJSON_IsString(v)) {
		size_t len = strlen(v->valuestring);

		k = cJSON_GetObjectItemCaseSensitive(schema, "minLength");
		if (cJSON_IsNumber(k) && (double)len < k->valuedouble)
			return fail(why, cap, at,
				    "must be at least %g characters long",
				    k->valuedouble);
		k = cJSON_GetObjectItemCaseSensitive(schema, "maxLength");
		if (cJSON_IsNumber(k) && (double)len > k->valuedouble)
			return fail(why, cap, at,
				    "must be at most %g characters long",
				    k->valuedouble);
	}
	if (cJSON_IsArray(v)) {
		const cJSON *items =
			cJSON_GetObjectItemCaseSensitive(schema, "items");
		const cJSON *x;

		k = cJSON_GetObjectItemCaseSensitive(schema, "minItems");
		if (cJSON_IsNumber(k) &&
		    (double)cJSON_GetArraySize(v) < k->valuedouble)
			return fail(why, cap, at, "must have at least %g items",
				    k->valuedouble);
		cJSON_ArrayForEach(x, v)
		{
			snprintf(sub, sizeof(sub), "%s[%d]", at, i++);
			if (items &&
			    (rc = check(items, x, sub, depth + 1, why, cap)))
				return rc;
		}
	}
	if (cJSON_IsObject(v))
		return check_object(schema, v, at, depth, why, cap);
	return 0;
}

int wsp__schema_check(const cJSON *schema, const cJSON *value, char *why,
		      size_t why_cap)
{
	if (!cJSON_IsObject(value))
		return fail(why, why_cap, "",
			    "arguments must be a JSON object, "
			    "not %s",
			    json_type(value));
	return check(schema, value, "", 0, why, why_cap);
}
