/*
 * core/search_text.c - the text work of workspace search, kept apart from
 * SQLite so a fuzz target can drive it: chunking with line ranges (as
 * Mastra's splitIntoChunks), the terms of a query as the index's
 * tokenizer sees them (unicode61 with '_' a token character, like
 * Mastra's \w), the FTS5 expression made from them, and the lines of a
 * chunk a result points at (as Mastra's findLineRange).
 */
#include "search.h"
#include "utf8seq.h"

#include <stdlib.h>
#include <string.h>

/* ---- chunking ----------------------------------------------------------- */

/* Line breaks inside text (a final '\n' ends the last line, adds none). */
static size_t newlines(const char *t, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i + 1 < len; i++)
		n += t[i] == '\n';
	return n;
}

/* End of the line starting at i (the '\n' or len). */
static size_t line_end(const char *t, size_t len, size_t i)
{
	const char *nl = memchr(t + i, '\n', len - i);

	return nl ? (size_t)(nl - t) : len;
}

/* A cut at most max bytes into [off, end) that splits no UTF-8 character. */
static size_t piece(const char *t, size_t off, size_t end, size_t max)
{
	size_t n = end - off < max ? end - off : max;

	if (off + n < end)
		while (n > 1 && utf8_is_cont((unsigned char)t[off + n]))
			n--;
	return n;
}

int wsp__search_chunk(const char *text, size_t len, size_t max_chars,
		      size_t overlap, wsp__chunk_fn cb, void *payload)
{
	size_t *starts, n_lines = 1, i, j, s, e, chars, pos, n;
	uint32_t la;
	int rc = 0;

	if (max_chars < 1)
		max_chars = 1;
	if (len <= max_chars)
		return cb(0, len, 1, 1 + (uint32_t)newlines(text, len),
			  payload);
	for (i = 0; i < len; i++)
		n_lines += text[i] == '\n';
	/* where each line starts; line k is [starts[k], line_end) */
	starts = malloc(n_lines * sizeof(*starts));
	if (!starts)
		return WSP_ENOMEM;
	for (i = 0, j = 0; j < n_lines; j++) {
		starts[j] = i;
		i = line_end(text, len, i) + 1;
	}
	s = 0;
	while (!rc && s < n_lines) {
		e = s;
		chars = 0;
		while (e < n_lines) {
			n = line_end(text, len, starts[e]) - starts[e] +
			    (e > s);
			if (chars + n > max_chars && e > s)
				break;
			chars += n;
			e++;
		}
		pos = starts[s];
		la = (uint32_t)(s + 1);
		if (chars <= max_chars) {
			rc = cb(pos, chars, la, (uint32_t)e, payload);
		} else {
			/* one line longer than the budget: cut it */
			size_t end = pos + chars;

			while (!rc && pos < end) {
				n = piece(text, pos, end, max_chars);
				rc = cb(pos, n, la, la, payload);
				pos += n;
			}
		}
		if (e >= n_lines)
			break;
		s = e > s + overlap ? e - overlap : e;
	}
	free(starts);
	return rc;
}

/* ---- terms -------------------------------------------------------------- */

/* Mastra's DEFAULT_STOPWORDS. */
static const char *const stopwords[] = {
	"a",	"an",  "and", "are",  "as",   "at",   "be", "by",	"for",
	"from", "has", "he",  "in",   "is",   "it",   "its", "of",	"on",
	"or",	"that", "the", "to",  "was",  "were", "will", "with", NULL
};

static int is_term_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c >= 0x80;
}

static int kept(const struct wsp__search_terms *t, const char *w, size_t n)
{
	size_t i;

	if (n < 2)
		return 0;
	for (i = 0; stopwords[i]; i++)
		if (strlen(stopwords[i]) == n && !memcmp(stopwords[i], w, n))
			return 0;
	for (i = 0; i < t->n; i++)
		if (strlen(t->v[i]) == n && !memcmp(t->v[i], w, n))
			return 0;
	return 1;
}

/*
 * Call fn for each lowercased word of s (at most 255 bytes kept of one;
 * longer ones are cut, as no query term is that long). Stops at nonzero.
 */
static int each_word(const char *s, size_t len,
		     int (*fn)(const char *w, size_t n, void *p), void *p)
{
	char w[256];
	size_t i = 0, n;
	int rc = 0;

	while (!rc && i < len) {
		while (i < len && !is_term_byte((unsigned char)s[i]))
			i++;
		for (n = 0; i < len && is_term_byte((unsigned char)s[i]); i++)
			if (n < sizeof(w) - 1)
				w[n++] = s[i] >= 'A' && s[i] <= 'Z'
						 ? (char)(s[i] - 'A' + 'a')
						 : s[i];
		if (n)
			rc = fn(w, n, p);
	}
	return rc;
}

static int add_term(const char *w, size_t n, void *p)
{
	struct wsp__search_terms *t = p;
	char *c;

	if (t->n >= WSP__SEARCH_TERMS_MAX)
		return 1; /* enough: the rest is ignored */
	if (!kept(t, w, n))
		return 0;
	c = malloc(n + 1);
	if (!c)
		return WSP_ENOMEM;
	memcpy(c, w, n);
	c[n] = '\0';
	t->v[t->n++] = c;
	return 0;
}

int wsp__search_terms(struct wsp__search_terms *t, const char *q, size_t len)
{
	int rc;

	memset(t, 0, sizeof(*t));
	if (len > WSP__SEARCH_QUERY_MAX)
		len = WSP__SEARCH_QUERY_MAX;
	rc = each_word(q, len, add_term, t);
	if (rc < 0) {
		wsp__search_terms_free(t);
		return rc;
	}
	return 0;
}

void wsp__search_terms_free(struct wsp__search_terms *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->v[i]);
	t->n = 0;
}

char *wsp__search_fts_query(const struct wsp__search_terms *t)
{
	size_t i, cap = 1, len = 0;
	const char *c;
	char *q;

	if (!t->n)
		return NULL;
	for (i = 0; i < t->n; i++)
		cap += 2 * strlen(t->v[i]) + 6;
	q = malloc(cap);
	if (!q)
		return NULL;
	for (i = 0; i < t->n; i++) {
		if (i) {
			memcpy(q + len, " OR ", 4);
			len += 4;
		}
		q[len++] = '"';
		/* terms hold no '"', but a string is escaped all the same */
		for (c = t->v[i]; *c; c++) {
			if (*c == '"')
				q[len++] = '"';
			q[len++] = *c;
		}
		q[len++] = '"';
	}
	q[len] = '\0';
	return q;
}

/* ---- line ranges -------------------------------------------------------- */

static int has_term(const char *w, size_t n, void *p)
{
	const struct wsp__search_terms *t = p;
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strlen(t->v[i]) == n && !memcmp(t->v[i], w, n))
			return 1;
	return 0;
}

void wsp__search_line_range(const char *text, size_t len, uint32_t first,
			    const struct wsp__search_terms *t, uint32_t *a,
			    uint32_t *b)
{
	size_t i = 0, e;
	uint32_t line = first;
	int found = 0;

	*a = first;
	*b = first + (uint32_t)newlines(text, len);
	while (i <= len) {
		e = line_end(text, len, i);
		if (each_word(text + i, e - i, has_term, (void *)t) > 0) {
			if (!found)
				*a = line;
			*b = line;
			found = 1;
		}
		if (e >= len)
			break;
		i = e + 1;
		line++;
	}
	if (!found)
		*b = first + (uint32_t)newlines(text, len);
}
