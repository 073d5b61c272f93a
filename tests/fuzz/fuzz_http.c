/*
 * tests/fuzz/fuzz_http.c - the HTTP service's text handling on arbitrary
 * bytes. The first byte chooses:
 *
 *   0  Retry-After (a server's header): a delay within bounds, and only
 *      for exactly delta-seconds or an IMF-fixdate; as reported in an
 *      error, at most an hour;
 *   1  error bodies and log lines (a server's text): the message is
 *      printable, fits its buffer and never holds a secret, nor do the
 *      masked URL, header and text; the service code fits its buffer,
 *      holds only [A-Za-z0-9._:/-] and the mask's '*', and no secret;
 *   2  SigV4 (paths and queries an agent's keys become): the canonical
 *      URI and query hold only what SigV4 allows, canonicalising them
 *      again changes nothing, and the signed result fits its buffer.
 *
 * The rest is the input; for SigV4 its NUL-separated fields are the
 * path, query, a header's name, its value and the method.
 */
#include "http.h"
#include "sigv4.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW 1700000000 /* seconds since the epoch, in 2023 */

static const char *const secrets[] = {"wJalrXUtnFEMI-K7MDENG", "s3cr3t", NULL};

static void fail_if(bool bad)
{
	if (bad)
		__builtin_trap();
}

/* "Sun, 06 Nov 1994 08:49:37 GMT", digits where digits belong. */
static bool is_fixdate(const char *v)
{
	static const char shape[] = "Aaa, 00 Aaa 0000 00:00:00 GMT";

	if (strlen(v) != sizeof(shape) - 1)
		return false;
	for (size_t i = 0; shape[i]; i++)
		if (shape[i] == '0' ? !isdigit((unsigned char)v[i])
		    : isalpha((unsigned char)shape[i])
			    ? !isalpha((unsigned char)v[i])
			    : v[i] != shape[i])
			return false;
	return true;
}

static void retry_after(const char *v)
{
	int64_t ms = wsp__http_parse_retry_after(v, NOW);
	int64_t reported = wsp__http_retry_after_ms(v, NOW);
	const char *p = v, *e;

	fail_if(reported != (ms > WSP__HTTP_RETRY_AFTER_MAX_MS
				     ? WSP__HTTP_RETRY_AFTER_MAX_MS
				     : ms));

	if (ms < 0) {
		fail_if(ms != -1);
		return;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	if (isdigit((unsigned char)*p)) {
		/* at most a year of seconds, and digits alone */
		fail_if(ms % 1000 || ms > 10LL * 86400 * 366 * 1000);
		for (e = p; isdigit((unsigned char)*e); e++)
			;
		e += strspn(e, " \t");
		fail_if(*e != '\0');
	} else {
		/* a date before year 10000 */
		fail_if(ms > (253402300800LL - NOW) * 1000);
		fail_if(!is_fixdate(p));
	}
}

static void no_secret(const char *s, size_t cap)
{
	fail_if(strlen(s) >= cap);
	for (const char *const *k = secrets; *k; k++)
		fail_if(strstr(s, *k) != NULL);
}

/* The service's code: bounded, code characters only, no secret. */
static void service_code(const uint8_t *data, size_t size, size_t cap)
{
	char code[WSP_ERROR_CODE_MAX], msg[160], again[160];

	memset(code, 'x', sizeof(code));
	wsp__http_error_body(NULL, 0, code, cap, (const char *)data, size,
			     secrets);
	no_secret(code, cap);
	for (const char *c = code; *c; c++)
		fail_if(!strchr("abcdefghijklmnopqrstuvwxyz"
				"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:/-*",
				*c));
	/* the message is the same with or without the code asked for */
	wsp__http_error_body(msg, sizeof(msg), code, cap, (const char *)data,
			     size, secrets);
	wsp__http_server_message(again, sizeof(again), (const char *)data,
				 size, secrets);
	fail_if(strcmp(msg, again) != 0);
}

static void messages(const uint8_t *data, size_t size)
{
	char dst[512], *text;
	size_t cap = size ? (size_t)data[0] % sizeof(dst) + 1 : 1;

	if (size) {
		data++;
		size--;
	}
	wsp__http_server_message(dst, cap, (const char *)data, size, secrets);
	no_secret(dst, cap);
	for (const char *c = dst; *c; c++)
		fail_if((unsigned char)*c < 0x20 || *c == 0x7f);
	service_code(data, size, cap % WSP_ERROR_CODE_MAX + 1);

	text = malloc(size + 1);
	if (!text)
		return;
	memcpy(text, data, size);
	text[size] = '\0';
	wsp__http_mask_secrets(dst, cap, text, secrets);
	no_secret(dst, cap);
	wsp__http_mask_url(dst, cap, text, secrets);
	no_secret(dst, cap);
	wsp__http_mask_header(dst, cap, "X-Fuzz", text, secrets);
	no_secret(dst, cap);
	wsp__http_mask_header(dst, cap, "Authorization", text, secrets);
	no_secret(dst, cap);
	/* the credentials themselves are masked, unless cut off */
	fail_if(strlen(dst) + 1 < cap && strcmp(dst + strlen(dst) - 8, "********"));
	free(text);
}

/* Line n (0-based) of a canonical request, as a copy. */
static char *line(const char *s, int n)
{
	for (; n > 0; n--) {
		s = strchr(s, '\n');
		fail_if(!s);
		s++;
	}
	return strndup(s, strcspn(s, "\n"));
}

/* Only unreserved characters, '/' (path) or '=' '&' (query), and %XX. */
static void check_encoded(const char *s, const char *extra)
{
	for (; *s; s++) {
		if (*s == '%') {
			fail_if(!strchr("0123456789ABCDEF", s[1]) || !s[1] ||
				!strchr("0123456789ABCDEF", s[2]) || !s[2]);
			s += 2;
		} else {
			fail_if(!isalnum((unsigned char)*s) &&
				!strchr("-._~", *s) && !strchr(extra, *s));
		}
	}
}

struct fields {
	uint32_t flags;
	const char *method, *path, *query, *hname, *hvalue;
};

/*
 * Sign f into o, or (buf not NULL) through the host slot into buf's cap
 * bytes, checking that the result fits or is refused.
 */
static int sign(struct wsp__sigv4_out *o, const struct fields *f, char *buf,
		size_t cap)
{
	const wsp_http_header h[] = {
		{"Host", "team-data.s3.us-east-1.amazonaws.com"},
		{"x-amz-date", "20240102T030405Z"},
		{f->hname, f->hvalue},
	};
	wsp_sigv4_request r = {
		.struct_size = sizeof(r),
		.flags = f->flags,
		.method = f->method,
		.path = f->path,
		.query = f->query,
		.headers = h,
		.n_headers = f->hname[0] ? 3 : 2,
		.payload_sha256 = "UNSIGNED-PAYLOAD",
		.amz_date = "20240102T030405Z",
		.region = "us-east-1",
		.service = "s3",
		.access_key_id = "AKIDEXAMPLE",
		.secret_access_key = secrets[0],
		.expires_s = 3600,
	};
	wsp_error err = {0};
	int rc;

	if (!buf)
		return wsp__sigv4_sign(o, &r, &err);
	rc = wsp__sigv4_host_sign(buf, cap, NULL, &r, &err);
	if (!rc)
		fail_if(strlen(buf) >= cap);
	no_secret(err.message, sizeof(err.message));
	return rc;
}

/* How many distinct headers f signs: host, x-amz-date and its own. */
static size_t n_signed(const struct fields *f)
{
	return 2 + (f->hname[0] && strcasecmp(f->hname, "host") &&
		    strcasecmp(f->hname, "x-amz-date"));
}

static void sigv4(uint32_t flags, const char *in[5])
{
	struct fields f = {flags, in[4][0] ? in[4] : "GET", in[0], in[1], in[2],
			   in[3]};
	struct wsp__sigv4_out o, again;
	char *uri, *query, *list, buf[256];
	size_t entries = 1;

	if (sign(&o, &f, NULL, 0))
		return;
	fail_if(strlen(o.signature) != 64 ||
		strspn(o.signature, "0123456789abcdef") != 64);
	uri = line(o.canonical_request, 1);
	query = line(o.canonical_request, 2);
	fail_if(uri[0] != '/');
	check_encoded(uri, "/");
	check_encoded(query, "=&");
	if (flags & WSP_SIGV4_NORMALIZE_PATH)
		fail_if(strstr(uri, "//") || strstr(uri, "/./") ||
			strstr(uri, "/../"));
	/* one SignedHeaders entry per header (after its lines and a blank) */
	list = line(o.canonical_request, 3 + (int)n_signed(&f) + 1);
	for (const char *c = list; *c; c++)
		entries += *c == ';';
	fail_if(entries != n_signed(&f));
	free(list);
	if (!(flags & WSP_SIGV4_PRESIGN)) {
		/* the canonical forms are fixed points */
		struct fields c = f;

		c.path = uri;
		c.query = query;
		fail_if(sign(&again, &c, NULL, 0));
		fail_if(strcmp(o.canonical_request, again.canonical_request));
		wsp__sigv4_out_free(&again);
	}
	free(uri);
	free(query);
	wsp__sigv4_out_free(&o);
	memset(buf, 'x', sizeof(buf));
	sign(NULL, &f, buf, strlen(f.hvalue) % sizeof(buf) + 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *f[5] = {"", "", "", "", ""};
	char *s;
	size_t i, n = 0;

	if (!size)
		return 0;
	if (data[0] % 3 == 1) {
		messages(data + 1, size - 1);
		return 0;
	}
	s = malloc(size);
	if (!s)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	if (data[0] % 3 == 0) {
		retry_after(s);
		free(s);
		return 0;
	}
	f[n++] = s;
	for (i = 0; i + 1 < size && n < 5; i++)
		if (!s[i])
			f[n++] = s + i + 1;
	sigv4((data[0] >> 2) & 3, f);
	free(s);
	return 0;
}
