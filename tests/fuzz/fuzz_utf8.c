/*
 * tests/fuzz/fuzz_utf8.c - the one UTF-8 reader (util/utf8seq.c, linked:
 * wsp_internal brings wsp_util) on arbitrary bytes, and the core's
 * cleaning built on it (core/utf8.c), which MCP answers and embedding
 * requests go through.
 *
 * A reference written differently from the reader decides validity: it
 * decodes the code point from the lead's bits and compares it with the
 * ranges afterwards, where the reader checks the second byte's range
 * from the lead. Checked besides crashes and UB, at every offset of the
 * input and for every length the reader may read there (the input ends
 * the buffer, so a read past it is ASan's):
 * - the reader's length is the reference's, 0 or 1..4;
 * - a sequence it takes has the length its lead promises (utf8_lead_len)
 *   and a continuation byte never starts one;
 * - walking the input by its lengths (an invalid byte as one) ends
 *   exactly at the end;
 * - the cleaned text is valid UTF-8 by the reference, without NUL, and
 *   is the input with each invalid byte and each NUL as U+FFFD.
 */
#include "utf8.h"
#include "utf8seq.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail_if(int bad)
{
	if (bad)
		__builtin_trap();
}

/* RFC 3629 by code point: the length of the sequence at s, or 0. */
static size_t ref_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	uint32_t cp;

	if (n == 0)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		len = 2, cp = s[0] & 0x1fu;
	else if ((s[0] & 0xf0) == 0xe0)
		len = 3, cp = s[0] & 0x0fu;
	else if ((s[0] & 0xf8) == 0xf0)
		len = 4, cp = s[0] & 0x07u;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3fu);
	}
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
	    (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static void check_clean(const unsigned char *p, size_t size)
{
	char *clean = wsp__utf8_clean((const char *)p, size);
	const unsigned char *c = (const unsigned char *)clean;
	size_t i = 0, o = 0, n, len;

	if (!clean)
		return; /* out of memory */
	len = strlen(clean);
	while (i < size) { /* the input, replaced where it must be */
		n = p[i] ? ref_len(p + i, size - i) : 0;
		if (n) {
			fail_if(o + n > len || memcmp(c + o, p + i, n) != 0);
			o += n;
			i += n;
		} else {
			fail_if(o + 3 > len || memcmp(c + o, "\xef\xbf\xbd", 3));
			o += 3;
			i++;
		}
	}
	fail_if(o != len); /* and nothing else, no NUL inside */
	fail_if(!wsp__utf8_valid(clean));
	free(clean);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const unsigned char *p = data;
	size_t i, n, len, walked = 0;

	for (i = 0; i < size; i++) {
		for (n = 0; n <= size - i && n <= 5; n++) {
			len = utf8_seq_len(p + i, n);
			fail_if(len != ref_len(p + i, n));
		}
		len = utf8_seq_len(p + i, size - i);
		fail_if(len != ref_len(p + i, size - i) || len > 4);
		fail_if(len && len != utf8_lead_len(p[i]));
		fail_if(len && utf8_is_cont(p[i]));
		fail_if(utf8_is_cont(p[i]) != ((p[i] & 0xc0) == 0x80));
	}
	for (i = 0; i < size; i += len ? len : 1, walked++)
		len = utf8_seq_len(p + i, size - i);
	fail_if(i != size || walked > size);
	check_clean(p, size);
	return 0;
}
