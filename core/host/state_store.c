/*
 * core/host/state_store.c - where one instance's store lives:
 * <state_dir>/store/<kind>-<provider>/<instance>/. An instance id is a
 * sandbox id or a mount path ("/data") and may hold any byte, so it is
 * escaped to one path component that cannot be "." or "..".
 */
#include "state.h"

#include <openssl/sha.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longest escaped name kept as is; longer ones are hashed. */
#define ESCAPED_MAX 200

static int keep_byte(unsigned char c, size_t at)
{
	if (c == '.')
		return at > 0;
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-';
}

void wsp__state_escape_id(char dst[WSP__STATE_NAME_MAX], const char *id)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)id;
	unsigned char md[SHA256_DIGEST_LENGTH];
	size_t i, o = 0;

	if (!*s) {
		strcpy(dst, "%");
		return;
	}
	for (i = 0; s[i] && o <= ESCAPED_MAX; i++) {
		if (keep_byte(s[i], i)) {
			dst[o++] = (char)s[i];
			continue;
		}
		dst[o++] = '%';
		dst[o++] = hex[s[i] >> 4];
		dst[o++] = hex[s[i] & 15];
	}
	if (!s[i] && o <= ESCAPED_MAX) {
		dst[o] = '\0';
		return;
	}
	SHA256(s, strlen(id), md);
	memcpy(dst, "%h", 2);
	for (i = 0; i < sizeof(md); i++) {
		dst[2 + 2 * i] = hex[md[i] >> 4];
		dst[3 + 2 * i] = hex[md[i] & 15];
	}
	dst[2 + 2 * sizeof(md)] = '\0';
}

int wsp__state_new(wsp_state **out, const char *state_dir, const char *kind,
		   const char *provider, const char *id)
{
	char name[WSP__STATE_NAME_MAX], group[WSP__STATE_NAME_MAX + 32];
	wsp_state *st;

	*out = NULL;
	st = calloc(1, sizeof(*st));
	if (!st)
		return WSP_ENOMEM;
	/* Provider names are validated, but escaping costs nothing. */
	wsp__state_escape_id(name, provider);
	snprintf(group, sizeof(group), "%s-%s", kind, name);
	st->group = strdup(group);
	wsp__state_escape_id(name, id);
	st->inst = strdup(name);
	st->root = strdup(state_dir);
	if (!st->group || !st->inst || !st->root) {
		wsp__state_free(st);
		return WSP_ENOMEM;
	}
	*out = st;
	return 0;
}

void wsp__state_free(wsp_state *st)
{
	if (!st)
		return;
	free(st->root);
	free(st->group);
	free(st->inst);
	free(st);
}
