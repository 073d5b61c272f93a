/*
 * plugins/sandbox-blaxel/find.c - the sandbox of wsp's logical id, found
 * by its `wsp-id` label when no name reaches it.
 *
 * A sandbox's name comes from the id (or the `name` option), and the
 * state store keeps the one last reached. Both can miss: the store is
 * gone (another machine, a wiped state directory) and the options name
 * another sandbox now, or two ids give the same name ("Dev.Box" and
 * "dev_box" are both "dev-box"). Every sandbox wsp makes carries the
 * label wsp-id = the logical id, so the list call's `q` (a substring of
 * names and label keys and values, lower-cased by Blaxel) narrows the
 * workspace's sandboxes and only an exact label match here counts.
 */
#include "blaxel.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define LABEL_ID "wsp-id"
/* Blaxel's longest q; a prefix of the id still finds it (a substring) */
#define Q_MAX 200
/* pages of 50 looked at: a bound, not a walk of a huge workspace */
#define PAGES_MAX 8

int bl_owned(const struct bl *b, const cJSON *sb)
{
	const cJSON *md = cJSON_GetObjectItemCaseSensitive(sb, "metadata");
	const char *id = bl_str(cJSON_GetObjectItemCaseSensitive(md, "labels"),
				LABEL_ID);

	/* one made outside wsp (no label) is the user's to name: ours */
	return !id || !strcmp(id, b->instance_id);
}

/* Percent-encode s (at most max bytes of it) for a query value. */
static int escape(char *out, size_t cap, const char *s, size_t max)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;

	for (size_t i = 0; s[i] && i < max; i++) {
		unsigned char c = (unsigned char)s[i];

		if (n + 4 > cap)
			return WSP_ETOOBIG;
		if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
			out[n++] = (char)c;
		} else {
			out[n++] = '%';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 15];
		}
	}
	out[n] = '\0';
	return 0;
}

static int usable(const struct bl *b, const cJSON *sb, char *name,
		  size_t cap)
{
	const cJSON *md = cJSON_GetObjectItemCaseSensitive(sb, "metadata");
	const char *n = bl_str(md, "name"), *st = bl_str(sb, "status");
	const char *id = bl_str(cJSON_GetObjectItemCaseSensitive(md, "labels"),
				LABEL_ID);
	char tmp[BL_NAME_MAX + 1];

	/* exact label (q is a substring), a name safe in a path, not going */
	if (!id || strcmp(id, b->instance_id) || !n ||
	    bl_name_from_id(tmp, sizeof(tmp), n) || strcmp(tmp, n) ||
	    (st && (!strcmp(st, "DELETING") || !strcmp(st, "TERMINATED"))) ||
	    strlen(n) >= cap)
		return 0;
	snprintf(name, cap, "%s", n);
	return 1;
}

int bl_find_by_label(char *name, size_t cap, struct bl *b,
		     const wsp_call *call, wsp_error *err)
{
	char q[Q_MAX * 3 + 1], cursor[1024] = "", url[BL_URL_MAX + 1700];
	struct bl_req r = {.method = "GET", .url = url, .call = call};

	if (escape(q, sizeof(q), b->instance_id, Q_MAX))
		return wsp_error_set(err, WSP_ETOOBIG, "sandbox id too long");
	for (int page = 0; page < PAGES_MAX; page++) {
		cJSON *ans = NULL, *it, *list;
		const cJSON *meta, *more;
		const char *next;
		int status = 0, rc, found = 0;

		/* newest first: of two (a crash between two creates), the
		 * one a wsp made last */
		snprintf(url, sizeof(url),
			 "%s/sandboxes?q=%s&limit=50&sort=createdAt:desc%s%s",
			 b->api_url, q, cursor[0] ? "&cursor=" : "", cursor);
		if ((rc = bl_request(&status, &ans, b, &r, err)))
			return rc;
		if (status != 200) {
			rc = bl_fail(b, status, ans,
				     "cannot list the Blaxel sandboxes", err);
			cJSON_Delete(ans);
			return rc;
		}
		/* {"data","meta"} for our Blaxel-Version; a bare array before */
		list = cJSON_IsArray(ans)
			       ? ans
			       : cJSON_GetObjectItemCaseSensitive(ans, "data");
		cJSON_ArrayForEach(it, list)
		{
			if ((found = usable(b, it, name, cap)))
				break;
		}
		meta = cJSON_GetObjectItemCaseSensitive(ans, "meta");
		more = cJSON_GetObjectItemCaseSensitive(meta, "hasMore");
		next = bl_str(meta, "nextCursor");
		if (found || !cJSON_IsTrue(more) || !next || !*next ||
		    escape(cursor, sizeof(cursor), next, SIZE_MAX)) {
			cJSON_Delete(ans);
			return found ? 0 : WSP_ENOTFOUND;
		}
		cJSON_Delete(ans);
	}
	return WSP_ENOTFOUND;
}
