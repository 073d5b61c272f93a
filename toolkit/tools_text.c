/*
 * toolkit/tools_text.c - shaping tool output for a model: the tail of
 * command output, token budgets, ANSI escapes.
 *
 * Token counts are estimates (a token per four bytes, rounded up, per
 * line), close to what tokenx reports for code and logs and cheap enough
 * to run on every line. The notes inserted match Mastra's wording so an
 * agent prompt written for Mastra reads the same.
 */
#include "tools_impl.h"

#include <stdlib.h>
#include <string.h>

struct line {
	const char *p;
	size_t len;
};

size_t wsp__text_tokens(const char *s, size_t len)
{
	(void)s;
	return (len + 3) / 4;
}

/* Split s into lines (a trailing newline ends the last line, no more). */
static size_t split_lines(struct line **out, const char *s, size_t len,
			  int *trailing_nl)
{
	size_t n = 1, i, k = 0;
	struct line *v;
	const char *start = s;

	*trailing_nl = len && s[len - 1] == '\n';
	if (*trailing_nl)
		len--;
	for (i = 0; i < len; i++)
		if (s[i] == '\n')
			n++;
	v = malloc(n * sizeof(*v));
	if (!v)
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] == '\n') {
			v[k].p = start;
			v[k++].len = (size_t)(s + i - start);
			start = s + i + 1;
		}
	}
	v[k].p = start;
	v[k++].len = (size_t)(s + len - start);
	*out = v;
	return k;
}

static void add_lines(struct wsp__tbuf *b, const struct line *v, size_t from,
		      size_t to)
{
	size_t i;

	for (i = from; i < to; i++) {
		if (i > from)
			wsp__tbuf_add(b, "\n", 1);
		wsp__tbuf_add(b, v[i].p, v[i].len);
	}
}

/*
 * The lines of s (*v, *nl as split_lines) when s has more than max_tokens
 * (*total: how many); 0 when it has not, or cannot be split: then s is
 * added to b as it is.
 */
static size_t lines_over(struct line **v, int *nl, size_t *total,
			 struct wsp__tbuf *b, const char *s, size_t len,
			 size_t max_tokens)
{
	size_t n = 0;

	*v = NULL;
	*total = wsp__text_tokens(s, len);
	if (!len || *total <= max_tokens || !(n = split_lines(v, s, len, nl))) {
		wsp__tbuf_add(b, s, len);
		free(*v);
		*v = NULL;
		return 0;
	}
	return n;
}

/* How many of the first n lines fit in budget tokens (at least one);
 * *tok: their tokens. */
static size_t head_within(const struct line *v, size_t n, size_t budget,
			  size_t *tok)
{
	size_t i, kept = 0, t;

	*tok = 0;
	for (i = 0; i < n; i++) {
		t = wsp__text_tokens(v[i].p, v[i].len);
		if (*tok + t > budget && kept)
			break;
		kept++;
		*tok += t;
	}
	return kept;
}

static void sandwich(struct wsp__tbuf *b, const char *s, size_t len,
		     size_t max_tokens)
{
	struct line *v;
	size_t n, i, head, tail = 0, head_tok, tail_tok = 0, total;
	size_t head_budget = max_tokens / 10, tail_budget, t;
	int nl;

	n = lines_over(&v, &nl, &total, b, s, len, max_tokens);
	if (!n)
		return;
	tail_budget = max_tokens - head_budget;
	head = head_within(v, n, head_budget, &head_tok);
	for (i = n; i > head; i--) {
		t = wsp__text_tokens(v[i - 1].p, v[i - 1].len);
		if (tail_tok + t > tail_budget && tail)
			break;
		tail++;
		tail_tok += t;
	}
	if (head + tail >= n) {
		/* every line is kept: the text as it is (len counts its
		 * newline already; split_lines only left it out of v) */
		wsp__tbuf_add(b, s, len);
		free(v);
		return;
	}
	add_lines(b, v, 0, head);
	wsp__tbuf_addf(
		b,
		"\n[...%zu lines truncated \xe2\x80\x94 showing first ~%zu "
		"+ last ~%zu of ~%zu tokens...]\n",
		n - head - tail, head_tok, tail_tok, total);
	add_lines(b, v, n - tail, n);
	if (nl)
		wsp__tbuf_add(b, "\n", 1);
	free(v);
}

void wsp__text_truncate(struct wsp__tbuf *b, const char *s, size_t len,
			size_t tail, size_t max_tokens)
{
	struct wsp__tbuf tmp = {0};
	size_t n = 0, i, skip;
	int nl = len && s[len - 1] == '\n';
	const char *p = s;

	if (!len)
		return;
	if (tail) {
		for (i = 0; i < len - (size_t)nl; i++)
			if (s[i] == '\n')
				n++;
		n++;
		if (n > tail) {
			/* skip the first n - tail lines */
			for (skip = n - tail; skip; p++)
				if (*p == '\n')
					skip--;
			wsp__tbuf_addf(&tmp,
				       "[showing last %zu of %zu lines]\n",
				       tail, n);
			wsp__tbuf_add(&tmp, p, (size_t)(s + len - p));
			sandwich(b, tmp.p ? tmp.p : "", tmp.len, max_tokens);
			wsp__tbuf_free(&tmp);
			return;
		}
	}
	sandwich(b, s, len, max_tokens);
}

void wsp__text_limit(struct wsp__tbuf *b, const char *s, size_t len,
		     size_t max_tokens)
{
	struct line *v;
	size_t n, kept, tok, total;
	int nl;

	n = lines_over(&v, &nl, &total, b, s, len, max_tokens);
	if (!n)
		return;
	kept = head_within(v, n, max_tokens, &tok);
	if (kept >= n) {
		wsp__tbuf_add(b, s, len);
		free(v);
		return;
	}
	add_lines(b, v, 0, kept);
	wsp__tbuf_addf(
		b, "\n[output truncated: showing first ~%zu of ~%zu tokens]",
		tok, total);
	free(v);
}

/*
 * ANSI escapes: CSI (ESC [ or 0x9B, parameters, one final byte), OSC
 * (ESC ] ... BEL or ESC \), and two-byte ESC sequences.
 */
void wsp__text_strip_ansi(struct wsp__tbuf *b, const char *s, size_t len)
{
	size_t i = 0, run = 0;

	while (i < len) {
		unsigned char c = (unsigned char)s[i];

		if (c != 0x1b) {
			i++;
			continue;
		}
		wsp__tbuf_add(b, s + run, i - run);
		i++;
		if (i < len && s[i] == '[') {
			for (i++; i < len; i++) {
				c = (unsigned char)s[i];
				if (c >= 0x40 && c <= 0x7e) {
					i++;
					break;
				}
			}
		} else if (i < len && s[i] == ']') {
			for (i++; i < len; i++) {
				if (s[i] == '\a') {
					i++;
					break;
				}
				if (s[i] == 0x1b && i + 1 < len &&
				    s[i + 1] == '\\') {
					i += 2;
					break;
				}
			}
		} else if (i < len) {
			i++;
		}
		run = i;
	}
	/* s is NULL when a command printed nothing: no pointer arithmetic */
	if (run < len)
		wsp__tbuf_add(b, s + run, len - run);
}
