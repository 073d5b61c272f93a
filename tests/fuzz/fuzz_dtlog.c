/*
 * tests/fuzz/fuzz_dtlog.c - the Daytona provider's readers of a
 * command's log on arbitrary bytes: the demultiplexer of the toolbox's
 * marked log (plugins/sandbox-daytona/logmux.c) and the reader of the
 * script's trailer (script.c, dt_script_output), both compiled in.
 *
 * First byte: the seed of the piece sizes and, low two bits, the
 * trailer reader's mode. The rest: the log. Checked besides crashes, UB
 * and leaks: the split is the same fed whole and in pieces, never longer
 * than the log, with no empty call; an accepted trailer lies inside the
 * log, starts with the nonce, and its tag is one the reader names; a
 * finished log read without a trailer is refused.
 */
#include "../../plugins/sandbox-daytona/logmux.c"
#include "../../plugins/sandbox-daytona/script.c"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NONCE "wsp-abcdefghij0123456789"

struct out {
	char *s[2];
	size_t n[2], cap;
};

static int collect(int stream, const char *p, size_t n, void *payload)
{
	struct out *o = payload;

	if (!n || stream < 0 || stream > 1 || o->n[stream] + n > o->cap)
		abort();
	memcpy(o->s[stream] + o->n[stream], p, n);
	o->n[stream] += n;
	return 0;
}

static void split(struct out *o, const char *p, size_t len, unsigned seed)
{
	struct dt_mux m;
	size_t off = 0;

	dt_mux_init(&m);
	while (off < len) {
		size_t k = seed ? 1 + (seed % 7) : len - off;

		if (k > len - off)
			k = len - off;
		if (dt_mux_feed(&m, p + off, k, collect, o))
			abort();
		off += k;
		seed = seed * 1103515245u + 12345u;
		if (!seed)
			seed = 1;
	}
	if (dt_mux_end(&m, collect, o))
		abort();
}

static void trailer(const char *p, size_t len, int mode)
{
	size_t out = (size_t)-1, nl = strlen(NONCE);
	int tag = -1, rc = dt_script_output(&out, &tag, p, len, NONCE, mode);

	if (rc) {
		if (mode != DT_LOG_DONE || rc != WSP_EPROTO)
			abort();
		return;
	}
	if (out > len || tag < 0 || tag > DT_END_SIG + 64 ||
	    (tag > DT_END_TIMEOUT && tag <= DT_END_SIG))
		abort();
	/* a trailer found: the nonce follows the output */
	if (mode == DT_LOG_DONE &&
	    (out + nl > len || memcmp(p + out, NONCE, nl)))
		abort();
	/* running: whole lines only, or up to a trailer */
	if (mode != DT_LOG_DONE && out && p[out - 1] != '\n' &&
	    (out + nl > len || memcmp(p + out, NONCE, nl)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct out whole, pieces;
	const char *p = (const char *)data + 1;
	size_t len, i;

	if (!size)
		return 0;
	len = size - 1;
	memset(&whole, 0, sizeof whole);
	memset(&pieces, 0, sizeof pieces);
	whole.cap = pieces.cap = len;
	for (i = 0; i < 2; i++) {
		whole.s[i] = malloc(len + 1);
		pieces.s[i] = malloc(len + 1);
	}
	split(&whole, p, len, 0);
	split(&pieces, p, len, data[0] | 1u);
	for (i = 0; i < 2; i++)
		if (whole.n[i] != pieces.n[i] ||
		    memcmp(whole.s[i], pieces.s[i], whole.n[i]))
			abort();
	if (whole.n[0] + whole.n[1] > len)
		abort();
	for (i = 0; i < 2; i++) {
		free(whole.s[i]);
		free(pieces.s[i]);
	}
	trailer(p, len, data[0] & 3 ? (data[0] & 3) - 1 : DT_LOG_RUNNING);
	return 0;
}
