/*
 * util/utf8seq.c - the length of a valid UTF-8 sequence (utf8seq.h). Replaces
 * four hand-written decoders: the core's (core/utf8.c), the CLI's two
 * (cli/json_bytes.c), GCS's name check (plugins/fs-gcs/gcstext.c) and the
 * file tools' binary test (toolkit/tool_files.c).
 *
 * The second byte's range is checked from the lead, as RFC 3629's table
 * does, instead of decoding the code point and comparing it afterwards:
 * overlongs, surrogates and what lies past U+10FFFF are each a second
 * byte out of its lead's range, so nothing else needs checking.
 */
#include "utf8seq.h"

size_t utf8_lead_len(unsigned char c)
{
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return 2;
	if (c >= 0xe0 && c <= 0xef)
		return 3;
	if (c >= 0xf0 && c <= 0xf4)
		return 4;
	return 0;
}

size_t utf8_seq_len(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf; /* the second byte's range */
	size_t len, i;

	if (n == 0)
		return 0;
	len = utf8_lead_len(s[0]);
	if (len == 1)
		return 1;
	if (len == 0 || len > n)
		return 0;
	switch (s[0]) {
	case 0xe0: /* below U+0800: overlong */
		lo = 0xa0;
		break;
	case 0xed: /* U+D800..U+DFFF: surrogates */
		hi = 0x9f;
		break;
	case 0xf0: /* below U+10000: overlong */
		lo = 0x90;
		break;
	case 0xf4: /* past U+10FFFF */
		hi = 0x8f;
		break;
	default:
		break;
	}
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (!utf8_is_cont(s[i]))
			return 0;
	return len;
}
