/*
 * core/config/config_env.c - ${VAR} and ${VAR:-default} in configuration values.
 *
 * Only scalar values are expanded, never keys. "$${" writes a literal
 * "${". The variable's value is not itself expanded again, so a value
 * cannot smuggle in a second reference.
 */
#include "config.h"
#include "tbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Append to b, up to the size a YAML value may have. */
static int put(struct wsp__tbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > WSP__YAML_MAX_BYTES)
		return WSP_ETOOBIG;
	wsp__tbuf_add(b, s, n);
	return b->oom ? WSP_ENOMEM : 0;
}

static int is_name_char(char ch, int first)
{
	if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || ch == '_')
		return 1;
	return !first && ch >= '0' && ch <= '9';
}

int wsp__config_expand(char **out, const char *in, char *why, size_t why_cap)
{
	struct wsp__tbuf b = { 0 };
	const char *s = in, *name, *end, *val, *def;
	size_t name_len;
	char var[128];
	int rc = 0;

	*out = NULL;
	while (*s && !rc) {
		if (s[0] == '$' && s[1] == '$' && s[2] == '{') {
			rc = put(&b, "${", 2);
			s += 3;
			continue;
		}
		if (s[0] != '$' || s[1] != '{') {
			end = strchr(s + 1, '$');
			if (!end)
				end = s + strlen(s);
			rc = put(&b, s, (size_t)(end - s));
			s = end;
			continue;
		}
		name = s + 2;
		for (end = name; is_name_char(*end, end == name); end++)
			;
		name_len = (size_t)(end - name);
		if (!name_len || name_len >= sizeof(var) ||
		    (*end != '}' && !(end[0] == ':' && end[1] == '-'))) {
			snprintf(why, why_cap,
				 "bad variable reference; write ${NAME} or "
				 "${NAME:-default} (or $${ for a literal ${)");
			rc = WSP_ECONFIG;
			break;
		}
		memcpy(var, name, name_len);
		var[name_len] = '\0';
		def = NULL;
		if (*end == ':') {
			def = end + 2;
			end = strchr(def, '}');
			if (!end) {
				snprintf(why, why_cap,
					 "'${%s:-' is not closed by '}'", var);
				rc = WSP_ECONFIG;
				break;
			}
		}
		val = getenv(var);
		if (val && *val) {
			rc = put(&b, val, strlen(val));
		} else if (def) {
			rc = put(&b, def, (size_t)(end - def));
		} else if (val) {
			rc = put(&b, "", 0);
		} else {
			snprintf(why, why_cap,
				 "environment variable '%s' is not set; set "
				 "it or write ${%s:-default}",
				 var, var);
			rc = WSP_ECONFIG;
			break;
		}
		s = end + 1;
	}
	if (!rc && !b.p)
		rc = put(&b, "", 0);
	if (rc == WSP_ETOOBIG)
		snprintf(why, why_cap, "value is longer than 1 MiB once "
				       "variables are expanded");
	else if (rc == WSP_ENOMEM)
		snprintf(why, why_cap, "out of memory");
	if (rc) {
		wsp__tbuf_free(&b);
		return rc;
	}
	*out = b.p;
	return 0;
}
