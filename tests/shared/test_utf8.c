/*
 * tests/shared/test_utf8.c - the one UTF-8 reader (util/utf8seq.c): a table
 * of every boundary RFC 3629 draws, truncations, NUL, each input in a
 * buffer of exactly its length (ASan sees a read past it), and counts
 * over whole ranges of sequences that a wrong range would change.
 */
#include "utf8seq.h"

#include "cu_main.h"

#include <CUnit/Basic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

struct ucase {
	const char *in;
	size_t n;   /* bytes the reader may read */
	size_t len; /* what it must answer */
};

static const struct ucase cases[] = {
	/* one byte: ASCII, NUL included; 80..BF never lead */
	{"\x00", 1, 1},
	{"A", 1, 1},
	{"\x7f", 1, 1},
	{"\x80", 1, 0},
	{"\xbf", 1, 0},
	{"\x80\x80", 2, 0},
	/* two: C0 and C1 only ever overlong, C2 the first lead */
	{"\xc0\x80", 2, 0}, /* a NUL, overlong (Java's modified UTF-8) */
	{"\xc0\xaf", 2, 0}, /* '/', overlong */
	{"\xc1\xbf", 2, 0},
	{"\xc2\x80", 2, 2}, /* U+0080 */
	{"\xc2\x7f", 2, 0}, /* second byte not a continuation */
	{"\xc2\xc0", 2, 0},
	{"\xc3\xa9", 2, 2},
	{"\xdf\xbf", 2, 2}, /* U+07FF */
	{"\xc3", 1, 0},	    /* truncated */
	{"\xc3\xa9", 1, 0}, /* truncated by n, the byte after unread */
	/* three: E0's overlongs, ED's surrogates */
	{"\xe0\x80\x80", 3, 0},
	{"\xe0\x9f\xbf", 3, 0}, /* U+07FF, overlong */
	{"\xe0\xa0\x80", 3, 3}, /* U+0800 */
	{"\xe1\x80\x80", 3, 3}, /* U+1000 */
	{"\xe2\x82\xac", 3, 3}, /* the euro sign */
	{"\xed\x9f\xbf", 3, 3}, /* U+D7FF */
	{"\xed\xa0\x80", 3, 0}, /* U+D800 */
	{"\xed\xbf\xbf", 3, 0}, /* U+DFFF */
	{"\xee\x80\x80", 3, 3}, /* U+E000 */
	{"\xef\xbf\xbd", 3, 3}, /* U+FFFD */
	{"\xef\xbf\xbf", 3, 3}, /* U+FFFF: a noncharacter, valid */
	{"\xe2\x82", 2, 0},
	{"\xe2", 1, 0},
	{"\xe2\x82\x41", 3, 0}, /* third byte not a continuation */
	{"\xe2\x41\xac", 3, 0},
	/* four: F0's overlongs, F4 90 past U+10FFFF, F5.. never */
	{"\xf0\x80\x80\x80", 4, 0},
	{"\xf0\x8f\xbf\xbf", 4, 0}, /* U+FFFF, overlong */
	{"\xf0\x90\x80\x80", 4, 4}, /* U+10000 */
	{"\xf0\x9f\x98\x80", 4, 4}, /* an emoji */
	{"\xf3\xbf\xbf\xbf", 4, 4}, /* U+FFFFF */
	{"\xf4\x8f\xbf\xbf", 4, 4}, /* U+10FFFF */
	{"\xf4\x90\x80\x80", 4, 0}, /* U+110000 */
	{"\xf5\x80\x80\x80", 4, 0},
	{"\xf7\xbf\xbf\xbf", 4, 0},
	{"\xf8\x88\x80\x80\x80", 5, 0}, /* the old five-byte form */
	{"\xfe", 1, 0},
	{"\xff", 1, 0},
	{"\xf0\x9f\x98", 3, 0},
	{"\xf0\x9f", 2, 0},
	{"\xf0", 1, 0},
	{"\xf0\x9f\x98\x41", 4, 0},
	{"\xf0\x9f\x41\x80", 4, 0},
	/* only the first sequence counts */
	{"ab", 2, 1},
	{"\xc3\xa9\xff", 3, 2},
	{"\xe2\x82\xac\x80", 4, 3},
};

/* The reader on exactly n bytes of a fresh allocation. */
static size_t seq_len(const void *in, size_t n)
{
	unsigned char *b = malloc(n ? n : 1);
	size_t len;

	CU_ASSERT_FATAL(b != NULL);
	memcpy(b, in, n);
	len = utf8_seq_len(b, n);
	free(b);
	return len;
}

static void test_table(void)
{
	size_t i;

	for (i = 0; i < COUNT(cases); i++) {
		const struct ucase *c = &cases[i];
		size_t len = seq_len(c->in, c->n);

		if (len != c->len)
			fprintf(stderr, "case %zu: %zu, not %zu\n", i, len,
				c->len);
		CU_ASSERT_EQUAL(len, c->len);
	}
}

/* A valid sequence cut short anywhere is no sequence; nothing is one at n 0. */
static void test_truncated(void)
{
	size_t i, n;

	CU_ASSERT_EQUAL(utf8_seq_len((const unsigned char *)"A", 0), 0);
	for (i = 0; i < COUNT(cases); i++)
		for (n = 0; cases[i].len && n < cases[i].len; n++)
			CU_ASSERT_EQUAL(seq_len(cases[i].in, n), 0);
}

static size_t encode(unsigned char *b, uint32_t cp)
{
	if (cp < 0x80) {
		b[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		b[0] = (unsigned char)(0xc0 | cp >> 6);
		b[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		b[0] = (unsigned char)(0xe0 | cp >> 12);
		b[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		b[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	b[0] = (unsigned char)(0xf0 | cp >> 18);
	b[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
	b[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
	b[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Every scalar value's encoding is taken whole; a surrogate's never. */
static void test_every_code_point(void)
{
	unsigned char b[4];
	uint32_t cp;
	size_t bad = 0;

	for (cp = 0; cp <= 0x10ffff; cp++) {
		size_t n = encode(b, cp);
		int surrogate = cp >= 0xd800 && cp <= 0xdfff;

		bad += utf8_seq_len(b, n) != (surrogate ? 0 : n);
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/*
 * Over all two- and three-byte inputs, exactly the encodings of
 * U+0080..U+07FF and of U+0800..U+FFFF less the surrogates are taken
 * with that length: a range one byte too wide or narrow changes a count.
 */
static void test_counts(void)
{
	unsigned char b[3];
	unsigned x, y, z;
	size_t two = 0, three = 0;

	for (x = 0; x < 256; x++)
		for (y = 0; y < 256; y++) {
			b[0] = (unsigned char)x;
			b[1] = (unsigned char)y;
			two += utf8_seq_len(b, 2) == 2;
			for (z = 0; z < 256; z++) {
				b[2] = (unsigned char)z;
				three += utf8_seq_len(b, 3) == 3;
			}
		}
	CU_ASSERT_EQUAL(two, 0x800 - 0x80);
	CU_ASSERT_EQUAL(three, 0x10000 - 0x800 - 0x800);
}

/* The lead alone: the length it promises, or 0 for no lead. */
static void test_lead(void)
{
	unsigned c;

	for (c = 0; c < 256; c++) {
		size_t want = c < 0x80		       ? 1
			      : c >= 0xc2 && c <= 0xdf ? 2
			      : c >= 0xe0 && c <= 0xef ? 3
			      : c >= 0xf0 && c <= 0xf4 ? 4
						       : 0;

		CU_ASSERT_EQUAL(utf8_lead_len((unsigned char)c), want);
		CU_ASSERT_EQUAL(utf8_is_cont((unsigned char)c),
				c >= 0x80 && c <= 0xbf);
	}
}

static CU_TestInfo tests[] = {
	{"boundaries: accepted and refused sequences", test_table},
	{"every valid sequence cut short refused", test_truncated},
	{"every code point's encoding", test_every_code_point},
	{"counts over all two- and three-byte inputs", test_counts},
	{"lead and continuation bytes", test_lead},
	CU_TEST_INFO_NULL,
};

CU_MAIN_SUITE("UTF-8", NULL, NULL, tests)
