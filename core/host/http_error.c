/*
 * core/host/http_error.c - HTTP statuses and libcurl failures to wsp codes, and
 * the messages that go with them. Shared by the blocking service (http.c)
 * and the streaming engine (http_stream*.c).
 *
 * Error bodies are untrusted: only their first bytes are looked at, the
 * message is cut, stripped of control characters and masked before it
 * reaches a wsp_error.
 */
#include "http.h"

#include <cjson/cJSON.h>
#include <time.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How much of an error body is examined. */
#define ERROR_BODY_SCAN 16384

int wsp__http_status_code(long status)
{
	switch (status) {
	case 400:
	case 422:
	case 416:
		return WSP_EINVAL;
	case 401:
	case 403:
		return WSP_EAUTH;
	case 404:
	case 410:
		return WSP_ENOTFOUND;
	case 405:
	case 501:
		return WSP_ENOTSUP;
	case 408:
		return WSP_ETIMEDOUT;
	case 409:
	case 412:
		/* The caller knows whether this means "exists" or "stale". */
		return WSP_ESTALE;
	case 413:
		return WSP_ETOOBIG;
	case 429:
		return WSP_ERATELIMIT;
	default:
		break;
	}
	if (status >= 500)
		return WSP_EUNAVAIL;
	return WSP_ERROR;
}

/* The text between <tag> and </tag>, if any. */
static bool xml_element(const char *body, size_t len, const char *tag,
			const char **out, size_t *out_len)
{
	char open[32], close[32];
	size_t ol = (size_t)snprintf(open, sizeof(open), "<%s>", tag);
	size_t cl = (size_t)snprintf(close, sizeof(close), "</%s>", tag);
	const char *s = memmem(body, len, open, ol);

	if (!s)
		return false;
	s += ol;
	const char *e = memmem(s, len - (size_t)(s - body), close, cl);

	if (!e)
		return false;
	*out = s;
	*out_len = (size_t)(e - s);
	return true;
}

static const char *json_message(const cJSON *root)
{
	static const char *const keys[] = {
		"message", "error_description", "detail", "error", "msg", NULL};

	if (!cJSON_IsObject(root))
		return NULL;
	for (const char *const *k = keys; *k; k++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, *k);

		if (cJSON_IsString(v) && v->valuestring[0])
			return v->valuestring;
		if (cJSON_IsObject(v)) {
			const char *m = json_message(v);

			if (m)
				return m;
		}
	}
	return NULL;
}

/* Copy printable text, squeezing runs of whitespace into one space. */
static void sanitise(char *dst, size_t cap, const char *src, size_t len)
{
	size_t pos = 0;
	bool space = true; /* drops leading whitespace */

	for (size_t i = 0; i < len && pos + 1 < cap; i++) {
		unsigned char c = (unsigned char)src[i];

		if (c == '\0')
			break;
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			if (!space)
				dst[pos++] = ' ';
			space = true;
			continue;
		}
		if (c < 0x20 || c == 0x7f)
			continue;
		dst[pos++] = (char)c;
		space = false;
	}
	while (pos && dst[pos - 1] == ' ')
		pos--;
	dst[pos] = '\0';
}

/* A string member's text, or NULL when absent, empty or not a string. */
static const char *json_string(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(v) && v->valuestring[0] ? v->valuestring : NULL;
}

/*
 * The service's own code: "code", "errorCode", "error.code" when it is a
 * string (Google's is the HTTP status again), then "error.status"
 * ("NOT_FOUND"). Numbers are not codes: they repeat the status.
 */
static const char *json_code(const cJSON *root)
{
	const cJSON *e;
	const char *c;

	if (!cJSON_IsObject(root))
		return NULL;
	if ((c = json_string(root, "code")) ||
	    (c = json_string(root, "errorCode")))
		return c;
	e = cJSON_GetObjectItemCaseSensitive(root, "error");
	if (!cJSON_IsObject(e))
		return NULL;
	if ((c = json_string(e, "code")) || (c = json_string(e, "status")))
		return c;
	return NULL;
}

/* The characters a service code is made of; everything else is dropped. */
static bool code_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == ':' ||
	       c == '/' || c == '-';
}

static size_t code_filter(char *dst, const char *src, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len && src[i]; i++)
		if (code_char((unsigned char)src[i]))
			dst[n++] = src[i];
	dst[n] = '\0';
	return n;
}

/*
 * Filter, mask, then cut to cap, as the message is cleaned, masked and
 * cut. Filtering joins what it leaves ("sk-$live" becomes "sk-live"), so
 * each secret is masked both as it is and as the filter leaves it; the
 * mask's '*' is the only byte outside the code characters that appears.
 * Without memory the code is left out rather than risk a secret.
 */
static void code_clean(char *dst, size_t cap, const char *src, size_t len,
		       const char *const *secrets)
{
	size_t n = 0, k = 0, i;
	char *filtered = malloc(len + 1), *masked = malloc(4 * len + 1);
	const char **list;
	char **joined;

	dst[0] = '\0';
	while (secrets && secrets[n])
		n++;
	list = calloc(2 * n + 1, sizeof(*list));
	joined = calloc(n + 1, sizeof(*joined));
	if (!filtered || !masked || !list || !joined)
		goto out;
	code_filter(filtered, src, len);
	for (i = 0; i < n; i++) {
		size_t sl = strlen(secrets[i]);

		list[k++] = secrets[i];
		joined[i] = malloc(sl + 1);
		if (!joined[i])
			goto out;
		if (code_filter(joined[i], secrets[i], sl) &&
		    strcmp(joined[i], secrets[i]))
			list[k++] = joined[i];
	}
	wsp__http_mask_secrets(masked, 4 * len + 1, filtered, list);
	snprintf(dst, cap, "%s", masked);
out:
	for (i = 0; joined && i < n; i++)
		free(joined[i]);
	free(joined);
	free(list);
	free(masked);
	free(filtered);
}

/* XML <Code>, else JSON's code members: the text before any cleaning. */
static bool raw_code(const char *body, size_t len, const cJSON *root,
		     const char **out, size_t *out_len)
{
	if (xml_element(body, len, "Code", out, out_len))
		return *out_len > 0;
	*out = json_code(root);
	*out_len = *out ? strlen(*out) : 0;
	return *out != NULL;
}

void wsp__http_server_message(char *dst, size_t cap, const char *body,
			      size_t len, const char *const *secrets)
{
	wsp__http_error_body(dst, cap, NULL, 0, body, len, secrets);
}

void wsp__http_error_body(char *dst, size_t cap, char *code, size_t code_cap,
			  const char *body, size_t len,
			  const char *const *secrets)
{
	const char *m = NULL, *c = NULL;
	size_t ml = 0, cl = 0;
	cJSON *root = NULL;
	char *copy, *masked;

	if (cap)
		dst[0] = '\0';
	if (code_cap)
		code[0] = '\0';
	if (!body || !len)
		return;
	if (len > ERROR_BODY_SCAN)
		len = ERROR_BODY_SCAN;
	/* One parse for both; an XML error document is not JSON. */
	if (!xml_element(body, len, "Message", &m, &ml) &&
	    !xml_element(body, len, "Code", &m, &ml))
		root = cJSON_ParseWithLength(body, len);
	if (code_cap && raw_code(body, len, root, &c, &cl))
		code_clean(code, code_cap, c, cl, secrets);
	if (!cap) {
		cJSON_Delete(root);
		return;
	}
	if (root) {
		m = json_message(root);
		ml = m ? strlen(m) : 0;
	}
	if (!m) {
		m = body;
		ml = len;
	}
	if (ml > ERROR_BODY_SCAN)
		ml = ERROR_BODY_SCAN;
	/*
	 * Clean, then mask, then cut: masking the raw text missed a secret
	 * with a control character inside ("sk-\x01live"), which cleaning
	 * then joined up; masking before the cut leaves no half secret.
	 */
	copy = malloc(ml + 1);
	masked = malloc(4 * ml + 1);
	if (copy && masked) {
		sanitise(copy, ml + 1, m, ml);
		wsp__http_mask_secrets(masked, 4 * ml + 1, copy, secrets);
		sanitise(dst, cap, masked, strlen(masked));
	}
	free(copy);
	free(masked);
	cJSON_Delete(root);
}

int wsp__http_curl_code(int curl_rc, bool *transient)
{
	*transient = false;
	switch ((CURLcode)curl_rc) {
	case CURLE_OPERATION_TIMEDOUT:
		*transient = true;
		return WSP_ETIMEDOUT;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_SSL_CONNECT_ERROR:
		*transient = true;
		return WSP_EUNAVAIL;
	case CURLE_PARTIAL_FILE:
		*transient = true;
		return WSP_EPROTO;
	case CURLE_ABORTED_BY_CALLBACK:
		return WSP_ECANCELED;
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		return WSP_EINVAL;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_BAD_CONTENT_ENCODING:
	case CURLE_WEIRD_SERVER_REPLY:
		return WSP_EPROTO;
	case CURLE_OUT_OF_MEMORY:
		return WSP_ENOMEM;
	default:
		return WSP_EIO;
	}
}

/* What to do about a certificate that was not accepted. */
static void tls_hint(char *why, size_t cap, CURLcode rc)
{
	size_t n = strlen(why);

	if (rc == CURLE_PEER_FAILED_VERIFICATION &&
	    strstr(why, "certificate problem"))
		snprintf(why + n, cap - n,
			 "; for a private CA set 'ca_bundle' under 'http:' "
			 "in wsp.yaml");
	else if (rc == CURLE_PEER_FAILED_VERIFICATION)
		snprintf(why + n, cap - n,
			 "; use a host name the certificate names");
	else if (rc == CURLE_SSL_CACERT_BADFILE)
		snprintf(why + n, cap - n,
			 "; 'ca_bundle' (or $CURL_CA_BUNDLE, $SSL_CERT_FILE) "
			 "must be a PEM file");
}

void wsp__http_curl_detail(char *dst, size_t cap, int curl_rc,
			   const char *errbuf, const char *const *secrets)
{
	CURLcode rc = (CURLcode)curl_rc;

	wsp__http_mask_secrets(dst, cap,
			       errbuf && errbuf[0] ? errbuf
						   : curl_easy_strerror(rc),
			       secrets);
	/* "Failed to connect" reads "failed..."; "SSL" stays */
	if (dst[0] >= 'A' && dst[0] <= 'Z' && !(dst[1] >= 'A' && dst[1] <= 'Z'))
		dst[0] = (char)(dst[0] + 32);
	tls_hint(dst, cap, rc);
}

void wsp__http_detail_of(struct wsp__http_detail *d, long status,
			 const char *body, size_t len, const char *retry_after,
			 const char *const *secrets)
{
	memset(d, 0, sizeof(*d));
	d->status = status > 0 && status < 1000 ? (int32_t)status : 0;
	wsp__http_error_body(NULL, 0, d->service_code,
			     sizeof(d->service_code), body, len, secrets);
	if (wsp__http_retryable_status(status))
		d->flags |= WSP_ERROR_RETRYABLE;
	d->retry_after_ms =
		retry_after && retry_after[0]
			? wsp__http_retry_after_ms(retry_after,
						   (int64_t)time(NULL))
			: -1;
	if (d->retry_after_ms >= 0)
		d->flags |= WSP_ERROR_HAS_RETRY_AFTER;
	else
		d->retry_after_ms = 0;
}

void wsp__http_detail_apply(wsp_error *err, const struct wsp__http_detail *d)
{
	if (!err)
		return;
	err->http_status = d->status;
	err->flags = d->flags;
	err->retry_after_ms = d->retry_after_ms;
	memcpy(err->service_code, d->service_code, sizeof(err->service_code));
}
