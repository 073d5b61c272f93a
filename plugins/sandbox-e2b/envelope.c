/*
 * plugins/sandbox-e2b/envelope.c - a Start request's envelope and the
 * messages of envd's process streams (remote-providers.md §1.3).
 *
 * Connect's JSON codec over HTTP/1.1: each message is [flags][uint32
 * big-endian length][JSON]. The core's streaming engine splits the
 * answer into messages and judges the end-of-stream one; what is left is
 * reading each message, which comes from the sandbox and is untrusted:
 * bounded, every field checked for its type, output decoded from base64
 * (proto3's JSON form of bytes: either alphabet, padding optional), text
 * kept printable. fuzz_e2bevent runs this file on arbitrary bytes.
 */
#include "envelope.h"

#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

int e2b_envelope(char **out, size_t *out_len, const char *json, size_t json_len)
{
	unsigned char *b;

	*out = NULL;
	if (json_len > UINT32_MAX ||
	    !(b = malloc(E2B_ENVELOPE_HEAD + json_len + 1)))
		return -1;
	b[0] = 0; /* a message, not compressed */
	b[1] = (unsigned char)(json_len >> 24);
	b[2] = (unsigned char)(json_len >> 16);
	b[3] = (unsigned char)(json_len >> 8);
	b[4] = (unsigned char)json_len;
	memcpy(b + E2B_ENVELOPE_HEAD, json, json_len);
	b[E2B_ENVELOPE_HEAD + json_len] = '\0';
	*out = (char *)b;
	*out_len = E2B_ENVELOPE_HEAD + json_len;
	return 0;
}

static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

long e2b_base64_decode(unsigned char *out, const char *in, size_t len)
{
	unsigned acc = 0;
	size_t n = 0, bits = 0, pad = 0;

	/* padding only at the end, at most two, completing a quantum */
	while (len && in[len - 1] == '=') {
		len--;
		pad++;
	}
	if (pad > 2 || (pad && (len + pad) % 4) || len % 4 == 1)
		return -1;
	for (size_t i = 0; i < len; i++) {
		int v = b64_value(in[i]);

		if (v < 0)
			return -1;
		acc = (acc << 6 | (unsigned)v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (unsigned char)(acc >> bits);
		}
	}
	/* the bits left over must be zero (canonical, as Go's decoder) */
	if (bits && (acc & ((1u << bits) - 1)))
		return -1;
	return (long)n;
}

size_t e2b_base64_encode(char *out, const unsigned char *in, size_t len)
{
	/* OpenSSL's encoder; len is a bounded piece (1 MiB at most) */
	return (size_t)EVP_EncodeBlock((unsigned char *)out, in, (int)len);
}

int e2b_signal_number(const char *status)
{
	/* Go's os.Signal names, as envd prints "signal: killed" */
	static const struct {
		const char *name;
		int num;
	} sigs[] = {
		{"hangup", 1},
		{"interrupt", 2},
		{"quit", 3},
		{"illegal instruction", 4},
		{"trace/breakpoint trap", 5},
		{"aborted", 6},
		{"bus error", 7},
		{"floating point exception", 8},
		{"killed", 9},
		{"user defined signal 1", 10},
		{"segmentation fault", 11},
		{"user defined signal 2", 12},
		{"broken pipe", 13},
		{"alarm clock", 14},
		{"terminated", 15},
	};
	static const char pre[] = "signal: ";

	if (!status || strncmp(status, pre, sizeof(pre) - 1))
		return 0;
	status += sizeof(pre) - 1;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (!strcmp(status, sigs[i].name))
			return sigs[i].num;
	return 0;
}

/* A proto3 JSON integer: a number, or its decimal string. */
static int int_of(const cJSON *v, long long lo, long long hi, long long *out)
{
	char *end;

	if (cJSON_IsNumber(v)) {
		double d = v->valuedouble;

		if (d < (double)lo || d > (double)hi ||
		    d != (double)(long long)d)
			return -1;
		*out = (long long)d;
		return 0;
	}
	if (!cJSON_IsString(v) || !v->valuestring[0] ||
	    strlen(v->valuestring) > 20)
		return -1;
	*out = strtoll(v->valuestring, &end, 10);
	return *end || *out < lo || *out > hi ? -1 : 0;
}

/* Printable ASCII, cut to cap. */
static void text_of(char *out, size_t cap, const cJSON *v)
{
	const char *s = cJSON_IsString(v) ? v->valuestring : "";
	size_t n = 0;

	for (; *s && n + 1 < cap; s++)
		out[n++] = *s >= 0x20 && *s < 0x7f ? *s : '?';
	out[n] = '\0';
}

static int parse_data(struct e2b_event *ev, const cJSON *d)
{
	const cJSON *so = cJSON_GetObjectItemCaseSensitive(d, "stdout");
	const cJSON *se = cJSON_GetObjectItemCaseSensitive(d, "stderr");
	const cJSON *v = cJSON_IsString(so) ? so : se;
	size_t n;
	long got;

	ev->kind = E2B_EV_DATA;
	if (!cJSON_IsString(v)) { /* a pty's output, or nothing: ignored */
		ev->kind = E2B_EV_OTHER;
		return 0;
	}
	ev->stream = v == so ? 1 : 2;
	n = strlen(v->valuestring);
	if (!(ev->data = malloc(n / 4 * 3 + 3)))
		return -2;
	got = e2b_base64_decode(ev->data, v->valuestring, n);
	if (got < 0)
		return -1;
	ev->len = (size_t)got;
	return 0;
}

static int parse_end(struct e2b_event *ev, const cJSON *end)
{
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(end, "exitCode");
	long long c = 0;

	ev->kind = E2B_EV_END;
	if (code && int_of(code, INT32_MIN, INT32_MAX, &c))
		return -1;
	ev->exit_code = (int)c;
	ev->exited =
		cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(end, "exited"));
	text_of(ev->status, sizeof(ev->status),
		cJSON_GetObjectItemCaseSensitive(end, "status"));
	text_of(ev->error, sizeof(ev->error),
		cJSON_GetObjectItemCaseSensitive(end, "error"));
	ev->signal = ev->exited ? 0 : e2b_signal_number(ev->status);
	return 0;
}

int e2b_event_parse(struct e2b_event *ev, const char *msg, size_t len)
{
	cJSON *root, *event, *x;
	long long pid = 0;
	int rc = -1;

	memset(ev, 0, sizeof(*ev));
	if (!msg || !len || len > E2B_EVENT_MAX)
		return -1;
	root = cJSON_ParseWithLength(msg, len);
	event = cJSON_GetObjectItemCaseSensitive(root, "event");
	if (!cJSON_IsObject(event)) {
		rc = -1;
	} else if ((x = cJSON_GetObjectItemCaseSensitive(event, "start"))) {
		ev->kind = E2B_EV_START;
		rc = cJSON_IsObject(x) &&
				     !int_of(cJSON_GetObjectItemCaseSensitive(
						     x, "pid"),
					     1, UINT32_MAX, &pid)
			     ? 0
			     : -1;
		ev->pid = (uint32_t)pid;
	} else if ((x = cJSON_GetObjectItemCaseSensitive(event, "data"))) {
		rc = cJSON_IsObject(x) ? parse_data(ev, x) : -1;
	} else if ((x = cJSON_GetObjectItemCaseSensitive(event, "end"))) {
		rc = cJSON_IsObject(x) ? parse_end(ev, x) : -1;
	} else if (cJSON_GetObjectItemCaseSensitive(event, "keepalive")) {
		ev->kind = E2B_EV_KEEPALIVE;
		rc = 0;
	} else {
		ev->kind = E2B_EV_OTHER; /* a newer event */
		rc = 0;
	}
	cJSON_Delete(root);
	return rc;
}

void e2b_event_free(struct e2b_event *ev)
{
	free(ev->data);
	ev->data = NULL;
	ev->len = 0;
}
