/* core/config/suggest.c - "did you mean" for misspelt keys and names. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

/* Longer words than this are not typos worth guessing at. */
#define WORD_MAX 64

/* Levenshtein distance, two rows; words are short (keys, names). */
size_t wsp__edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, best;
	size_t row0[WORD_MAX + 1], row1[WORD_MAX + 1], *prev = row0,
						       *cur = row1, *tmp;

	if (la > WORD_MAX || lb > WORD_MAX)
		return (size_t)-1;
	for (j = 0; j <= lb; j++)
		prev[j] = j;
	for (i = 1; i <= la; i++) {
		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			best = prev[j - 1] + (a[i - 1] != b[j - 1]);
			if (prev[j] + 1 < best)
				best = prev[j] + 1;
			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			cur[j] = best;
		}
		tmp = prev;
		prev = cur;
		cur = tmp;
	}
	return prev[lb];
}

const char *wsp__suggest(const char *word, const char *const *candidates)
{
	const char *best = NULL;
	size_t i, d, best_d = (size_t)-1, limit;

	if (!candidates)
		return NULL;
	/* A third of the word, at least 1 and at most 3 edits. */
	limit = strlen(word) / 3;
	if (limit < 1)
		limit = 1;
	if (limit > 3)
		limit = 3;
	for (i = 0; candidates[i]; i++) {
		d = wsp__edit_distance(word, candidates[i]);
		if (d < best_d) {
			best_d = d;
			best = candidates[i];
		}
	}
	return best_d <= limit ? best : NULL;
}

void wsp__diag_unknown_key(struct wsp__diags *d, const char *file,
			   const struct wsp__ynode *key, const char *where,
			   const char *const *known)
{
	const char *hint = wsp__suggest(key->value, known);

	if (hint)
		wsp__diag_add(d, file, key->line, key->col,
			      "unknown key '%.64s' in %s; did you mean '%s'?",
			      key->value, where, hint);
	else
		wsp__diag_add(d, file, key->line, key->col,
			      "unknown key '%.64s' in %s", key->value, where);
}
