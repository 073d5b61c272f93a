/*
 * tests/fuzz/fuzz_searchlen.c - workspace search's reader of FTS5's chunk
 * lengths (wsp__search_docsize, core/search_impact.c): a row of the
 * fts_docsize table of the index file in the state directory, which
 * search_impact.c reads to score common words without FTS5.
 *
 * Input: records of one length byte (its low 4 bits, 0..15) and that many
 * bytes, each one fts_docsize value. Checked against a reference reading
 * of SQLite's varint: accepted exactly when the value is one varint of
 * 1..5 bytes using all of it (every byte but the last with its high bit
 * set) and at most INT32_MAX, with the value that reading gives; a
 * refused value leaves the output alone.
 */
#include "search.h"

#include <stdint.h>
#include <stdlib.h>

/* The reference: SQLite's varint, 7 bits a byte, big-endian. */
static int reference(const uint8_t *p, size_t n, int64_t *v)
{
	uint64_t x = 0;
	size_t i;

	if (n < 1 || n > 5)
		return -1;
	for (i = 0; i < n; i++) {
		if ((i + 1 < n) != ((p[i] & 0x80) != 0))
			return -1; /* a continuation bit where none may be */
		x = x * 128 + (p[i] & 0x7f);
	}
	if (x > INT32_MAX)
		return -1;
	*v = (int64_t)x;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off = 0, n;
	int64_t got, want;
	int a, b;

	while (off < size) {
		n = data[off++] & 15;
		if (n > size - off)
			n = size - off;
		got = -7;
		want = -7;
		a = wsp__search_docsize(data + off, n, &got);
		b = reference(data + off, n, &want);
		if (a != b || (a == 0 && (got != want || got < 0)) ||
		    (a != 0 && got != -7))
			abort();
		off += n;
	}
	return 0;
}
