/*
 * core/host/http_log.c - masking of secrets in the HTTP debug log and messages,
 * and wsp__mask_text(), the routine every output of wsp masks with.
 *
 * Whatever the service logs or puts in an error message goes through one
 * of these functions first. Masking errs on the side of hiding: a header
 * or query parameter whose name merely looks like a credential is masked.
 */
#include "http.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#define MASK WSP__SECRET_MASK

/* Substrings that make a header or parameter name sensitive. */
static const char *const sensitive_words[] = {
	"authorization", "token",      "secret",  "password", "passwd",
	"signature",	 "credential", "api-key", "api_key",  "apikey",
	"cookie",	 "session",    NULL};

static bool contains_word(const char *name, size_t len)
{
	for (const char *const *w = sensitive_words; *w; w++) {
		size_t wl = strlen(*w);

		for (size_t i = 0; i + wl <= len; i++)
			if (!strncasecmp(name + i, *w, wl))
				return true;
	}
	return false;
}

bool wsp__http_sensitive_header(const char *name)
{
	return contains_word(name, strlen(name));
}

bool wsp__http_sensitive_param(const char *name, size_t len)
{
	/* Short names used by query-string auth schemes. */
	static const char *const exact[] = {"key",  "sig",  "code",
					    "auth", "pass", NULL};

	for (const char *const *e = exact; *e; e++)
		if (strlen(*e) == len && !strncasecmp(name, *e, len))
			return true;
	return contains_word(name, len);
}

/* Append n bytes of s to dst at *pos, keeping room for the NUL. */
static void put(char *dst, size_t cap, size_t *pos, const char *s, size_t n)
{
	if (*pos + 1 >= cap)
		return;
	if (n > cap - 1 - *pos)
		n = cap - 1 - *pos;
	memcpy(dst + *pos, s, n);
	*pos += n;
	dst[*pos] = '\0';
}

/*
 * The one masking routine of wsp: the debug log, log lines, error messages,
 * `wsp config show` and tool results all go through it, so a secret is
 * hidden the same way wherever it would appear. At each position the
 * longest matching secret wins, so a secret that contains another is
 * masked whole.
 */
void wsp__mask_text(char *dst, size_t cap, const char *src,
		    const char *const *secrets)
{
	size_t pos = 0, ml = strlen(MASK);

	if (!cap)
		return;
	dst[0] = '\0';
	while (*src) {
		size_t hit = 0;

		for (const char *const *s = secrets; s && *s; s++) {
			size_t sl = strlen(*s);

			if (sl && !strncmp(src, *s, sl) && sl > hit)
				hit = sl;
		}
		if (hit) {
			put(dst, cap, &pos, MASK, ml);
			src += hit;
		} else {
			put(dst, cap, &pos, src, 1);
			src++;
		}
	}
}

void wsp__http_mask_secrets(char *dst, size_t cap, const char *src,
			    const char *const *secrets)
{
	wsp__mask_text(dst, cap, src, secrets);
}

void wsp__http_mask_url(char *dst, size_t cap, const char *url,
			const char *const *secrets)
{
	char tmp[2048];
	size_t pos = 0;
	const char *p = url;
	const char *scheme_end = strstr(url, "://");

	tmp[0] = '\0';
	/* user:password@ in the authority */
	if (scheme_end) {
		const char *auth = scheme_end + 3;
		size_t alen = strcspn(auth, "/?#");
		const char *at = memchr(auth, '@', alen);

		if (at) {
			put(tmp, sizeof(tmp), &pos, url, (size_t)(auth - url));
			put(tmp, sizeof(tmp), &pos, MASK "@", strlen(MASK) + 1);
			p = at + 1;
		}
	}
	const char *q = strchr(p, '?');

	if (!q) {
		put(tmp, sizeof(tmp), &pos, p, strlen(p));
		wsp__http_mask_secrets(dst, cap, tmp, secrets);
		return;
	}
	put(tmp, sizeof(tmp), &pos, p, (size_t)(q - p) + 1);
	p = q + 1;
	while (*p && *p != '#') {
		size_t plen = strcspn(p, "&#");
		size_t nlen = strcspn(p, "=&#");

		put(tmp, sizeof(tmp), &pos, p, nlen);
		if (nlen < plen) {
			if (wsp__http_sensitive_param(p, nlen))
				put(tmp, sizeof(tmp), &pos, "=" MASK,
				    strlen(MASK) + 1);
			else
				put(tmp, sizeof(tmp), &pos, p + nlen,
				    plen - nlen);
		}
		p += plen;
		if (*p == '&') {
			put(tmp, sizeof(tmp), &pos, "&", 1);
			p++;
		}
	}
	/* A fragment is never sent; drop it. */
	wsp__http_mask_secrets(dst, cap, tmp, secrets);
}

void wsp__http_mask_header(char *dst, size_t cap, const char *name,
			   const char *value, const char *const *secrets)
{
	char tmp[1024];
	size_t pos = 0;

	tmp[0] = '\0';
	put(tmp, sizeof(tmp), &pos, name, strlen(name));
	put(tmp, sizeof(tmp), &pos, ": ", 2);
	if (wsp__http_sensitive_header(name)) {
		/* Keep an auth scheme ("Bearer", "AWS4-HMAC-SHA256"). */
		if (!strcasecmp(name, "authorization") ||
		    !strcasecmp(name, "proxy-authorization")) {
			size_t wl = strcspn(value, " ");

			if (value[wl] == ' ') {
				put(tmp, sizeof(tmp), &pos, value, wl + 1);
			}
		}
		put(tmp, sizeof(tmp), &pos, MASK, strlen(MASK));
	} else {
		put(tmp, sizeof(tmp), &pos, value, strlen(value));
	}
	wsp__http_mask_secrets(dst, cap, tmp, secrets);
}
