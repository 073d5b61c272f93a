/*
 * core/host/sigv4.c - AWS Signature Version 4 (header and presigned query).
 *
 * canonical request = method \n canonical URI \n canonical query \n
 *                     canonical headers \n signed headers \n payload hash
 * string to sign     = "AWS4-HMAC-SHA256" \n date \n scope \n
 *                     hex(sha256(canonical request))
 * signing key        = HMAC chain over date, region, service,
 *                     "aws4_request", starting from "AWS4" + secret
 *
 * Every input is bounded and checked: a value that would change the
 * structure of what is signed (a newline in a header, a '/' in a region)
 * is refused rather than signed.
 */
#include "internal.h"
#include "sigv4.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_PARAMS  1024
#define MAX_HEADERS 256

struct sbuf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void sb_put(struct sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t nc = b->cap ? b->cap : 256;

		while (nc < b->len + n + 1)
			nc *= 2;
		char *np = realloc(b->p, nc);

		if (!np) {
			b->oom = true;
			return;
		}
		b->p = np;
		b->cap = nc;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_puts(struct sbuf *b, const char *s)
{
	sb_put(b, s, strlen(s));
}

static void sb_putc(struct sbuf *b, char c)
{
	sb_put(b, &c, 1);
}

/* Take the string out of b (an empty string when nothing was put). */
static char *sb_take(struct sbuf *b)
{
	char *p;

	if (b->oom) {
		free(b->p);
		return NULL;
	}
	p = b->p ? b->p : strdup("");
	b->p = NULL;
	b->len = b->cap = 0;
	return p;
}

static bool unreserved(unsigned char c)
{
	return isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
}

/*
 * Decode %XX escapes of s[0..n) and encode the bytes the SigV4 way.
 * A '%' not followed by two hex digits is taken literally.
 */
static void recode(struct sbuf *b, const char *s, size_t n, bool keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '%' && i + 2 < n && wsp__hex_digit(s[i + 1]) >= 0 &&
		    wsp__hex_digit(s[i + 2]) >= 0) {
			c = (unsigned char)(wsp__hex_digit(s[i + 1]) * 16 +
					    wsp__hex_digit(s[i + 2]));
			i += 2;
		}
		if (unreserved(c) || (keep_slash && c == '/')) {
			sb_putc(b, (char)c);
		} else {
			char e[3] = {'%', hex[c >> 4], hex[c & 15]};

			sb_put(b, e, 3);
		}
	}
}

/* One path segment: [s, s + n). */
struct seg {
	const char *s;
	size_t n;
};

/*
 * 1 for a "." segment, 2 for "..", else 0; "%2E" is a dot too, since
 * the segment is signed decoded ("%2E%2E" would be signed as "..").
 */
static int dot_segment(const char *p, size_t l)
{
	int dots = 0;

	for (size_t i = 0; i < l; dots++) {
		if (p[i] == '.')
			i++;
		else if (l - i >= 3 && p[i] == '%' && p[i + 1] == '2' &&
			 (p[i + 2] == 'E' || p[i + 2] == 'e'))
			i += 3;
		else
			return 0;
	}
	return dots <= 2 ? dots : 0;
}

static int canonical_uri(struct sbuf *b, const char *path, bool normalize)
{
	size_t plen = strlen(path);

	if (!plen) {
		sb_putc(b, '/');
		return 0;
	}
	if (!normalize) {
		if (path[0] != '/')
			sb_putc(b, '/');
		recode(b, path, plen, true);
		return 0;
	}
	/* RFC 3986 dot-segment removal, empty segments dropped. */
	struct seg *segs = calloc(plen + 1, sizeof(*segs));
	size_t n = 0;
	bool trailing = path[plen - 1] == '/';

	if (!segs)
		return WSP_ENOMEM;
	for (const char *p = path; *p;) {
		size_t l = strcspn(p, "/");

		int dots = dot_segment(p, l);

		if (dots == 2) {
			if (n)
				n--;
			trailing = true;
		} else if (dots == 1) {
			trailing = true;
		} else if (l) {
			segs[n].s = p;
			segs[n].n = l;
			n++;
			trailing = path[plen - 1] == '/';
		}
		p += l;
		while (*p == '/')
			p++;
	}
	sb_putc(b, '/');
	for (size_t i = 0; i < n; i++) {
		recode(b, segs[i].s, segs[i].n, false);
		if (i + 1 < n || trailing)
			sb_putc(b, '/');
	}
	free(segs);
	return 0;
}

struct param {
	char *name, *value; /* encoded */
};

static int param_cmp(const void *a, const void *b)
{
	const struct param *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : strcmp(x->value, y->value);
}

static int add_param(struct param *ps, size_t *n, const char *name, size_t nl,
		     const char *value, size_t vl)
{
	struct sbuf bn = {0}, bv = {0};

	if (*n >= MAX_PARAMS)
		return WSP_ETOOBIG;
	recode(&bn, name, nl, false);
	recode(&bv, value, vl, false);
	ps[*n].name = sb_take(&bn);
	ps[*n].value = sb_take(&bv);
	if (!ps[*n].name || !ps[*n].value) {
		free(ps[*n].name);
		free(ps[*n].value);
		return WSP_ENOMEM;
	}
	(*n)++;
	return 0;
}

static int parse_query(struct param *ps, size_t *n, const char *q)
{
	while (q && *q) {
		size_t l = strcspn(q, "&");
		const char *eq = memchr(q, '=', l);
		int rc = 0;

		if (l)
			rc = eq ? add_param(ps, n, q, (size_t)(eq - q), eq + 1,
					    l - (size_t)(eq - q) - 1)
				: add_param(ps, n, q, l, "", 0);
		if (rc)
			return rc;
		q += l;
		if (*q == '&')
			q++;
	}
	return 0;
}

struct hdr {
	char *name; /* lower case */
	struct sbuf value;
	size_t order;
};

static int hdr_cmp(const void *a, const void *b)
{
	const struct hdr *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Trimmed, runs of spaces squeezed. */
static void put_trimmed(struct sbuf *b, const char *v)
{
	bool space = false;

	while (*v == ' ' || *v == '\t')
		v++;
	for (; *v; v++) {
		if (*v == ' ' || *v == '\t') {
			space = true;
			continue;
		}
		if (space)
			sb_putc(b, ' ');
		space = false;
		sb_putc(b, *v);
	}
}

static void hex_encode(char *out, const unsigned char *in, size_t n)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[in[i] >> 4];
		out[2 * i + 1] = hex[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static void sha256_hex(char out[65], const void *data, size_t len)
{
	unsigned char md[SHA256_DIGEST_LENGTH];

	SHA256(data, len, md);
	hex_encode(out, md, sizeof(md));
}

static int hmac(unsigned char out[32], const void *key, size_t klen,
		const char *msg)
{
	unsigned int ol = 32;

	if (!HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)msg,
		  strlen(msg), out, &ol))
		return WSP_ERROR;
	return 0;
}

static bool valid_token(const char *s, const char *bad)
{
	if (!s || !*s || strlen(s) > 256)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s < 0x21 || strchr(bad, *s))
			return false;
	return true;
}

/*
 * A header name is an RFC 9110 token: anything else (';' above all,
 * which separates the signed-header list) would let one name pass for
 * several, or change what the list says was signed.
 */
static bool valid_header_name(const char *s)
{
	if (!s || !*s || strlen(s) > 256)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) &&
		    !strchr("!#$%&'*+-.^_`|~", *s))
			return false;
	return true;
}

static bool valid_date(const char *d)
{
	if (!d || strlen(d) != 16 || d[8] != 'T' || d[15] != 'Z')
		return false;
	for (int i = 0; i < 15; i++)
		if (i != 8 && !isdigit((unsigned char)d[i]))
			return false;
	return true;
}

static int check_request(const wsp_sigv4_request *r, wsp_error *err)
{
	if (!r->method || !valid_token(r->method, "") || !r->path)
		return wsp_error_set(err, WSP_EINVAL,
				     "cannot sign request: no method or path");
	if (strpbrk(r->path, "\r\n?#") ||
	    (r->query && strpbrk(r->query, "\r\n#")))
		return wsp_error_set(err, WSP_EINVAL,
				     "cannot sign request: invalid character "
				     "in path or query");
	if (!valid_date(r->amz_date))
		return wsp_error_set(
			err, WSP_EINVAL,
			"cannot sign request: amz_date '%s' is not "
			"YYYYMMDDTHHMMSSZ",
			r->amz_date ? r->amz_date : "");
	if (!valid_token(r->region, "/") || !valid_token(r->service, "/"))
		return wsp_error_set(err, WSP_EINVAL,
				     "cannot sign request: invalid region or "
				     "service name");
	if (!valid_token(r->access_key_id, "/,=") || !r->secret_access_key ||
	    !r->secret_access_key[0] || strlen(r->secret_access_key) > 256)
		return wsp_error_set(err, WSP_EAUTH,
				     "cannot sign request: missing or invalid "
				     "credentials");
	if (r->n_headers > MAX_HEADERS || (r->n_headers && !r->headers))
		return wsp_error_set(err, WSP_EINVAL,
				     "cannot sign request: bad header list");
	if ((r->flags & WSP_SIGV4_PRESIGN) &&
	    (r->expires_s < 1 || r->expires_s > 604800))
		return wsp_error_set(err, WSP_EINVAL,
				     "cannot presign request: expiry must be 1 "
				     "to 604800 seconds");
	if (r->payload_sha256 &&
	    strcmp(r->payload_sha256, "UNSIGNED-PAYLOAD") &&
	    (strlen(r->payload_sha256) != 64 ||
	     strspn(r->payload_sha256, "0123456789abcdef") != 64))
		return wsp_error_set(err, WSP_EINVAL,
				     "cannot sign request: payload hash is not "
				     "64 lower-case hex digits");
	return 0;
}

/* Canonical headers and the signed-header list. */
static int canonical_headers(struct sbuf *canon, struct sbuf *signed_list,
			     const wsp_sigv4_request *r, wsp_error *err)
{
	struct hdr *hs = calloc(r->n_headers + 1, sizeof(*hs));
	size_t n = 0;
	int rc = 0;

	if (!hs)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	for (size_t i = 0; i < r->n_headers; i++) {
		const wsp_http_header *h = &r->headers[i];
		struct hdr *t = NULL;

		if (!valid_header_name(h->name) || !h->value ||
		    strpbrk(h->value, "\r\n")) {
			rc = wsp_error_set(
				err, WSP_EINVAL,
				"cannot sign request: invalid header "
				"'%s'",
				h->name ? h->name : "");
			goto out;
		}
		for (size_t j = 0; j < n; j++)
			if (!strcasecmp(hs[j].name, h->name))
				t = &hs[j];
		if (t) {
			sb_putc(&t->value, ',');
		} else {
			t = &hs[n];
			t->name = strdup(h->name);
			t->order = n++;
			if (!t->name) {
				rc = wsp_error_set(err, WSP_ENOMEM,
						   "out of memory");
				goto out;
			}
			for (char *c = t->name; *c; c++)
				*c = (char)tolower((unsigned char)*c);
		}
		put_trimmed(&t->value, h->value);
	}
	qsort(hs, n, sizeof(*hs), hdr_cmp);
	for (size_t i = 0; i < n; i++) {
		if (hs[i].value.oom) {
			rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
			goto out;
		}
		sb_puts(canon, hs[i].name);
		sb_putc(canon, ':');
		if (hs[i].value.p)
			sb_puts(canon, hs[i].value.p);
		sb_putc(canon, '\n');
		if (i)
			sb_putc(signed_list, ';');
		sb_puts(signed_list, hs[i].name);
	}
out:
	for (size_t i = 0; i < n; i++) {
		free(hs[i].name);
		free(hs[i].value.p);
	}
	free(hs);
	return rc;
}

static int presign_params(struct param *ps, size_t *n,
			  const wsp_sigv4_request *r, const char *scope,
			  const char *signed_list)
{
	char cred[600], exp[24];
	int rc;

	rc = snprintf(cred, sizeof(cred), "%s/%s", r->access_key_id, scope);
	if (rc < 0 || (size_t)rc >= sizeof(cred))
		return WSP_ETOOBIG; /* a cut credential would sign wrongly */
	snprintf(exp, sizeof(exp), "%lld", (long long)r->expires_s);
	rc = add_param(ps, n, "X-Amz-Algorithm", 15, "AWS4-HMAC-SHA256", 16);
	if (!rc)
		rc = add_param(ps, n, "X-Amz-Credential", 16, cred,
			       strlen(cred));
	if (!rc)
		rc = add_param(ps, n, "X-Amz-Date", 10, r->amz_date, 16);
	if (!rc)
		rc = add_param(ps, n, "X-Amz-Expires", 13, exp, strlen(exp));
	if (!rc && r->session_token)
		rc = add_param(ps, n, "X-Amz-Security-Token", 20,
			       r->session_token, strlen(r->session_token));
	if (!rc)
		rc = add_param(ps, n, "X-Amz-SignedHeaders", 19, signed_list,
			       strlen(signed_list));
	return rc;
}

static int signing_key(unsigned char key[32], const wsp_sigv4_request *r)
{
	char date[9];
	size_t sl = strlen(r->secret_access_key);
	char *k0 = malloc(sl + 5);
	int rc;

	if (!k0)
		return WSP_ENOMEM;
	memcpy(k0, "AWS4", 4);
	memcpy(k0 + 4, r->secret_access_key, sl + 1);
	memcpy(date, r->amz_date, 8);
	date[8] = '\0';
	rc = hmac(key, k0, sl + 4, date);
	if (!rc)
		rc = hmac(key, key, 32, r->region);
	if (!rc)
		rc = hmac(key, key, 32, r->service);
	if (!rc)
		rc = hmac(key, key, 32, "aws4_request");
	/* the derived key is as secret as the secret itself */
	memset(k0, 0, sl + 4);
	free(k0);
	return rc;
}

int wsp__sigv4_sign(struct wsp__sigv4_out *out, const wsp_sigv4_request *rin,
		    wsp_error *err)
{
	wsp_sigv4_request r = {0};
	struct sbuf creq = {0}, canon_h = {0}, signed_list = {0};
	struct sbuf sts = {0}, q = {0}, res = {0};
	struct param *ps = NULL;
	size_t np = 0;
	char scope[600], payload_hash[65], creq_hash[65];
	unsigned char key[32], sig[32];
	int rc;

	memset(out, 0, sizeof(*out));
	if (!rin || rin->struct_size < offsetof(wsp_sigv4_request, expires_s))
		return wsp_error_set(err, WSP_EINVAL,
				     "cannot sign request: bad request struct");
	memcpy(&r, rin,
	       rin->struct_size < sizeof(r) ? rin->struct_size : sizeof(r));
	rc = check_request(&r, err);
	if (rc)
		return rc;
	snprintf(scope, sizeof(scope), "%.8s/%s/%s/aws4_request", r.amz_date,
		 r.region, r.service);
	if (r.payload_sha256)
		snprintf(payload_hash, sizeof(payload_hash), "%s",
			 r.payload_sha256);
	else
		sha256_hex(payload_hash, r.payload ? r.payload : "",
			   r.payload ? r.payload_len : 0);

	rc = canonical_headers(&canon_h, &signed_list, &r, err);
	if (rc)
		goto out;
	ps = calloc(MAX_PARAMS, sizeof(*ps));
	if (!ps) {
		rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
		goto out;
	}
	rc = parse_query(ps, &np, r.query);
	if (!rc && (r.flags & WSP_SIGV4_PRESIGN))
		rc = presign_params(ps, &np, &r, scope,
				    signed_list.p ? signed_list.p : "");
	if (rc) {
		rc = wsp_error_set(err, rc,
				   "cannot sign request: query has too many "
				   "parameters or memory ran out");
		goto out;
	}
	qsort(ps, np, sizeof(*ps), param_cmp);
	for (size_t i = 0; i < np; i++) {
		if (i)
			sb_putc(&q, '&');
		sb_puts(&q, ps[i].name);
		sb_putc(&q, '=');
		sb_puts(&q, ps[i].value);
	}

	sb_puts(&creq, r.method);
	sb_putc(&creq, '\n');
	rc = canonical_uri(&creq, r.path, r.flags & WSP_SIGV4_NORMALIZE_PATH);
	if (rc) {
		rc = wsp_error_set(err, rc, "out of memory");
		goto out;
	}
	sb_putc(&creq, '\n');
	if (q.p)
		sb_puts(&creq, q.p);
	sb_putc(&creq, '\n');
	if (canon_h.p)
		sb_puts(&creq, canon_h.p);
	sb_putc(&creq, '\n');
	if (signed_list.p)
		sb_puts(&creq, signed_list.p);
	sb_putc(&creq, '\n');
	sb_puts(&creq, payload_hash);
	if (creq.oom) {
		rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
		goto out;
	}
	sha256_hex(creq_hash, creq.p, creq.len);
	sb_puts(&sts, "AWS4-HMAC-SHA256\n");
	sb_puts(&sts, r.amz_date);
	sb_putc(&sts, '\n');
	sb_puts(&sts, scope);
	sb_putc(&sts, '\n');
	sb_puts(&sts, creq_hash);
	if (sts.oom) {
		rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
		goto out;
	}
	rc = signing_key(key, &r);
	if (!rc)
		rc = hmac(sig, key, sizeof(key), sts.p);
	memset(key, 0, sizeof(key));
	if (rc) {
		rc = wsp_error_set(err, WSP_ERROR,
				   "cannot sign request: HMAC-SHA256 failed");
		goto out;
	}
	hex_encode(out->signature, sig, sizeof(sig));
	if (r.flags & WSP_SIGV4_PRESIGN) {
		if (q.p)
			sb_puts(&res, q.p);
		sb_puts(&res, "&X-Amz-Signature=");
		sb_puts(&res, out->signature);
		out->query = sb_take(&res);
	} else {
		sb_puts(&res, "AWS4-HMAC-SHA256 Credential=");
		sb_puts(&res, r.access_key_id);
		sb_putc(&res, '/');
		sb_puts(&res, scope);
		sb_puts(&res, ", SignedHeaders=");
		if (signed_list.p)
			sb_puts(&res, signed_list.p);
		sb_puts(&res, ", Signature=");
		sb_puts(&res, out->signature);
		out->authorization = sb_take(&res);
	}
	out->canonical_request = sb_take(&creq);
	out->string_to_sign = sb_take(&sts);
	if (!out->canonical_request || !out->string_to_sign ||
	    !(out->query || out->authorization)) {
		wsp__sigv4_out_free(out);
		rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
out:
	for (size_t i = 0; ps && i < np; i++) {
		free(ps[i].name);
		free(ps[i].value);
	}
	free(ps);
	free(creq.p);
	free(canon_h.p);
	free(signed_list.p);
	free(sts.p);
	free(q.p);
	free(res.p);
	return rc;
}

void wsp__sigv4_out_free(struct wsp__sigv4_out *out)
{
	free(out->canonical_request);
	free(out->string_to_sign);
	free(out->authorization);
	free(out->query);
	memset(out, 0, sizeof(*out));
}

int wsp__sigv4_host_sign(char *buf, size_t cap, const wsp_host *host,
			 const wsp_sigv4_request *req, wsp_error *err)
{
	struct wsp__sigv4_out o;
	const char *v;
	int rc;

	(void)host;
	rc = wsp__sigv4_sign(&o, req, err);
	if (rc)
		return rc;
	v = o.query ? o.query : o.authorization;
	if (strlen(v) >= cap) {
		rc = wsp_error_set(err, WSP_ETOOBIG,
				   "cannot sign request: result needs %zu "
				   "bytes, buffer has %zu",
				   strlen(v) + 1, cap);
	} else {
		memcpy(buf, v, strlen(v) + 1);
	}
	wsp__sigv4_out_free(&o);
	return rc;
}
