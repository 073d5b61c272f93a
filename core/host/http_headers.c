/*
 * core/host/http_headers.c - a request's headers as libcurl's list, checked so
 * no value can smuggle a second header or line in, and the options every
 * transfer sets. Shared by the blocking service (http.c) and the
 * streaming engine (http_stream_easy.c).
 */
#include "http.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool has_crlf(const char *s)
{
	return s && strpbrk(s, "\r\n");
}

int wsp__http_header_list(struct curl_slist **out,
			  const wsp_http_header *headers, size_t n,
			  wsp_error *err)
{
	struct curl_slist *list = NULL;

	*out = NULL;
	for (size_t i = 0; i < n; i++) {
		const wsp_http_header *h = &headers[i];
		char *line;
		int len;

		if (!h->name || !h->name[0] || strpbrk(h->name, ":\r\n ") ||
		    has_crlf(h->value)) {
			curl_slist_free_all(list);
			return wsp_error_set(err, WSP_EINVAL,
					     "invalid http header '%s'",
					     h->name ? h->name : "(null)");
		}
		/* libcurl sends "Name;" as an empty header, "Name:" drops it */
		if (h->value && h->value[0])
			len = asprintf(&line, "%s: %s", h->name, h->value);
		else if (h->value)
			len = asprintf(&line, "%s;", h->name);
		else
			len = asprintf(&line, "%s:", h->name);
		if (len < 0) {
			curl_slist_free_all(list);
			return wsp_error_set(err, WSP_ENOMEM, "out of memory");
		}
		struct curl_slist *nl = curl_slist_append(list, line);

		free(line);
		if (!nl) {
			curl_slist_free_all(list);
			return wsp_error_set(err, WSP_ENOMEM, "out of memory");
		}
		list = nl;
	}
	*out = list;
	return 0;
}

int wsp__http_easy_base(void *easy, const char *url, long http_version,
			const char *ca, char *errbuf, struct curl_slist *hdrs)
{
	CURLcode rc = CURLE_OK;

#define SET(opt, val) WSP__CURL_SET(rc, easy, opt, val)
	SET(CURLOPT_URL, url);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_PATH_AS_IS, 1L); /* signed paths go out unchanged */
	SET(CURLOPT_HTTP_VERSION, http_version);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	if (ca && ca[0])
		SET(CURLOPT_CAINFO, ca);
	SET(CURLOPT_TCP_KEEPALIVE, 1L);
	SET(CURLOPT_ERRORBUFFER, errbuf);
	SET(CURLOPT_HTTPHEADER, hdrs);
#undef SET
	return (int)rc;
}
