/*
 * tests/fuzz/fuzz_e2bevent.c - the E2B provider's reader of envd's process
 * events and its base64 (plugins/sandbox-e2b/envelope.c, compiled in: the
 * plugin links nothing of the core). The core splits the stream into
 * Connect envelopes (fuzz_frames); each message then reaches this code.
 *
 * First byte even: the rest is one message for e2b_event_parse, and also
 * the JSON of a request envelope; odd: the rest is base64 text. Checked
 * besides crashes, leaks and UB: a parsed event has a known kind and only
 * the members of its kind; decoded output fits its bound and re-encodes
 * to text that decodes to the same bytes; status and error text is
 * printable and NUL-terminated; an envelope carries its length big-endian
 * and the message unchanged.
 */
#include "../../plugins/sandbox-e2b/envelope.c"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail_if(int bad)
{
	if (bad)
		__builtin_trap();
}

static void printable(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	fail_if(n >= cap);
	for (size_t i = 0; i < n; i++)
		fail_if(s[i] < 0x20 || s[i] >= 0x7f);
}

/* bytes -> base64 -> bytes gives them back */
static void round_trip(const unsigned char *p, size_t n)
{
	char *text = malloc(4 * ((n + 2) / 3) + 1);
	unsigned char *back = malloc(n + 3);
	size_t tl;

	fail_if(!text || !back);
	tl = e2b_base64_encode(text, p, n);
	fail_if(tl != 4 * ((n + 2) / 3) || strlen(text) != tl);
	fail_if(e2b_base64_decode(back, text, tl) != (long)n);
	fail_if(n && memcmp(back, p, n));
	free(text);
	free(back);
}

static void event(const char *msg, size_t len)
{
	struct e2b_event ev;
	int rc = e2b_event_parse(&ev, msg, len);

	fail_if(rc != 0 && rc != -1 && rc != -2);
	if (!rc) {
		fail_if(ev.kind < E2B_EV_START || ev.kind > E2B_EV_OTHER);
		fail_if(ev.kind == E2B_EV_START && !ev.pid);
		fail_if(ev.kind != E2B_EV_DATA && (ev.data || ev.len));
		if (ev.kind == E2B_EV_DATA) {
			fail_if(ev.stream != 1 && ev.stream != 2);
			fail_if(ev.len > len);
			round_trip(ev.data, ev.len);
		}
		fail_if(ev.signal < 0 || ev.signal > 15);
		fail_if(ev.exited && ev.signal);
	}
	printable(ev.status, sizeof(ev.status));
	printable(ev.error, sizeof(ev.error));
	e2b_event_free(&ev);
}

static void envelope(const char *msg, size_t len)
{
	char *env = NULL;
	size_t n = 0;

	fail_if(e2b_envelope(&env, &n, msg, len) || n != len + 5);
	fail_if((unsigned char)env[0] != 0);
	fail_if(((size_t)(unsigned char)env[1] << 24 |
		 (size_t)(unsigned char)env[2] << 16 |
		 (size_t)(unsigned char)env[3] << 8 |
		 (unsigned char)env[4]) != len);
	fail_if(len && memcmp(env + 5, msg, len));
	free(env);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *rest = (const char *)data + 1;
	size_t len = size ? size - 1 : 0;

	if (!size)
		return 0;
	if (!(data[0] & 1)) {
		event(rest, len);
		envelope(rest, len);
	} else {
		unsigned char *out = malloc(len / 4 * 3 + 3);
		long n;

		fail_if(!out);
		n = e2b_base64_decode(out, rest, len);
		fail_if(n < -1 || n > (long)(len / 4 * 3 + 2));
		if (n >= 0)
			round_trip(out, (size_t)n);
		free(out);
	}
	return 0;
}
