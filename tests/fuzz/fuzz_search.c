/*
 * tests/fuzz/fuzz_search.c - workspace search's own text parsers
 * (core/search_text.c): the chunker, the query's terms and the FTS5
 * expression built from them, the lines a result points at.
 *
 * Input: byte 0 and 1 the chunk budget (1..1024), byte 2 the overlap
 * (0..15), then the text; the same text is the query. Checked: chunks
 * lie inside the text, within the budget, in order, with no gap, their
 * line numbers matching the newlines before them and never splitting a
 * UTF-8 character that the text had whole; terms are 2+ bytes of term
 * characters, lowercase, distinct; the FTS5 expression is accepted by a
 * real FTS5 table (no query text read as syntax); a line range lies in
 * its chunk.
 */
#include "search.h"
#include "fuzz_lines.h"

#include <sqlite3.h>

#include <stdlib.h>
#include <string.h>

struct seen {
	const char *text;
	size_t len, max, next; /* next: where the last chunk ended */
	size_t n;
	const struct wsp__search_terms *terms;
};

static int on_chunk(size_t off, size_t len, uint32_t a, uint32_t b,
		    void *payload)
{
	struct seen *s = payload;
	uint32_t ra, rb;

	if (off > s->len || len > s->len - off || len > s->max)
		abort();
	/* a gap (text never indexed); only the '\n' between two chunks
	 * without overlap belongs to neither */
	if (off > s->next && !(off == s->next + 1 && s->text[s->next] == '\n'))
		abort();
	if (a > b || a != fuzz_line_at(s->text, off))
		abort();
	if (off + len > s->next)
		s->next = off + len;
	wsp__search_line_range(s->text + off, len, a, s->terms, &ra, &rb);
	if (ra < a || rb < ra || (len && rb > b + 1))
		abort();
	s->n++;
	return 0;
}

static void check_fts(const char *match)
{
	static sqlite3 *db;
	sqlite3_stmt *st;
	int rc;

	/* SQLite as the core has it: loaded on first use (search_libs.c) */
	if (!db) {
		if (sqlite3_open_v2(":memory:", &db,
				    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
				    NULL) != SQLITE_OK ||
		    sqlite3_exec(db,
				 "CREATE VIRTUAL TABLE f USING fts5(body,"
				 " tokenize=\"unicode61 tokenchars '_'\");"
				 "INSERT INTO f VALUES('some text_here');",
				 NULL, NULL, NULL) != SQLITE_OK)
			abort();
	}
	if (sqlite3_prepare_v2(db, "SELECT rowid FROM f WHERE f MATCH ?", -1,
			       &st, NULL) != SQLITE_OK)
		abort();
	sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	/* an expression FTS5 refuses is a syntax error let through */
	if (rc != SQLITE_DONE)
		abort();
	sqlite3_finalize(st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wsp__search_terms t;
	struct seen s = { 0 };
	size_t i, j, max, overlap;
	char *text, *match;
	const char *c;

	if (size < 3)
		return 0;
	max = 1 + (((size_t)data[0] << 8 | data[1]) % 1024);
	overlap = data[2] % 16;
	text = malloc(size - 3 + 1);
	if (!text)
		return 0;
	memcpy(text, data + 3, size - 3);
	text[size - 3] = '\0';
	if (wsp__search_terms(&t, text, size - 3)) {
		free(text);
		return 0;
	}
	for (i = 0; i < t.n; i++) {
		if (strlen(t.v[i]) < 2)
			abort();
		for (c = t.v[i]; *c; c++)
			if ((*c >= 'A' && *c <= 'Z') ||
			    !((*c >= 'a' && *c <= 'z') ||
			      (*c >= '0' && *c <= '9') || *c == '_' ||
			      (unsigned char)*c >= 0x80))
				abort();
		for (j = 0; j < i; j++)
			if (!strcmp(t.v[i], t.v[j]))
				abort();
	}
	match = wsp__search_fts_query(&t);
	if (match)
		check_fts(match);
	else if (t.n)
		abort();
	s.text = text;
	s.len = size - 3;
	s.max = max;
	s.terms = &t;
	wsp__search_chunk(text, s.len, max, overlap, on_chunk, &s);
	/* the end reached (but for a last '\n'), and something said */
	if (!s.n || (s.next < s.len && !(s.next + 1 == s.len &&
					   text[s.next] == '\n')))
		abort();
	free(match);
	wsp__search_terms_free(&t);
	free(text);
	return 0;
}
