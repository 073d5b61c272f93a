/*
 * core/error_detail.c - the one formatter of a wsp_error's detail
 * (wsp_error_detail() in <wsp/wsp.h>): the CLI's errors and the tools'
 * provider errors end with the same " (HTTP 404, NoSuchKey)".
 */
#include "internal.h"

#include <wsp/wsp.h>

#include <stdio.h>
#include <string.h>

/*
 * A provider may fill service_code itself: only the characters the HTTP
 * service keeps (and the mask's '*') are printed, so no escape sequence
 * reaches a terminal.
 */
static void printable_code(char *dst, size_t cap, const char *src)
{
	size_t n = 0;

	for (size_t i = 0; i < WSP_ERROR_CODE_MAX && src[i] && n + 1 < cap;
	     i++) {
		unsigned char c = (unsigned char)src[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("._:/-*", c))
			dst[n++] = (char)c;
	}
	dst[n] = '\0';
}

size_t wsp_error_detail(char *dst, size_t cap, const wsp_error *err)
{
	char status[32] = "", code[WSP_ERROR_CODE_MAX] = "";
	int n;

	if (!cap)
		return 0;
	dst[0] = '\0';
	if (!err)
		return 0;
	/* Only what the message does not already say. */
	if (err->http_status > 0) {
		snprintf(status, sizeof(status), "HTTP %d",
			 (int)err->http_status);
		if (strstr(err->message, status))
			status[0] = '\0';
	}
	printable_code(code, sizeof(code), err->service_code);
	if (code[0] && strstr(err->message, code))
		code[0] = '\0';
	if (!status[0] && !code[0])
		return 0;
	n = snprintf(dst, cap, " (%s%s%s)", status, status[0] && code[0] ? ", " : "",
		     code);
	if (n < 0) {
		dst[0] = '\0';
		return 0;
	}
	return (size_t)n < cap ? (size_t)n : cap - 1;
}
