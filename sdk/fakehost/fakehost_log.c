/*
 * sdk/fakehost/fakehost_log.c - the recorded log and secret detection.
 *
 * The harness hands every line over unmasked, so a provider that logs a
 * secret is caught here instead of being hidden by the core's masking.
 */
#include "fakehost_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MASK "********"

/* The first secret in text, or NULL (caller holds the lock). */
static const char *find_secret(const wsp_fakehost *fh, const char *text,
			       size_t *at)
{
	const char *const *lists[2] = { fh->harness ? fh->harness->secrets :
						      NULL,
					(const char *const *)fh->secrets };
	const char *hit;

	for (size_t l = 0; l < 2; l++)
		for (size_t i = 0; lists[l] && lists[l][i]; i++)
			if ((hit = strstr(text, lists[l][i]))) {
				*at = (size_t)(hit - text);
				return lists[l][i];
			}
	return NULL;
}

/* text with every secret replaced by the mask (malloc'd), or NULL. */
static char *masked(const wsp_fakehost *fh, const char *text)
{
	size_t cap = strlen(text) + 1, at, rounds = cap;
	char *out = malloc(cap), *grown;
	const char *s;

	if (!out)
		return NULL;
	memcpy(out, text, cap);
	/* Bounded: a secret inside the mask itself must not loop forever. */
	while (rounds-- && (s = find_secret(fh, out, &at))) {
		size_t sl = strlen(s), len = strlen(out);

		if (sl < sizeof(MASK) - 1) {
			grown = realloc(out, len + sizeof(MASK));
			if (!grown) {
				free(out);
				return NULL;
			}
			out = grown;
		}
		memmove(out + at + sizeof(MASK) - 1, out + at + sl,
			len - at - sl + 1);
		memcpy(out + at, MASK, sizeof(MASK) - 1);
	}
	return out;
}

static void report_leak(wsp_fakehost *fh, const char *line, int level)
{
	char *m = masked(fh, line);
	const char *shown = m ? m : MASK;

	fh->leaks++;
	if (fh->on_leak) {
		fh->on_leak(shown, level, fh->leak_payload);
		free(m);
		return;
	}
	fprintf(stderr,
		"wsp-fakehost: FAIL: provider '%s' logged a secret value "
		"(level %d): %s\n",
		fh->desc && fh->desc->name ? fh->desc->name : "?", level,
		shown);
	fflush(stderr);
	abort();
}

void wsp__fakehost_log(int level, const char *line, void *payload)
{
	wsp_fakehost *fh = payload;
	struct fh_line *grown;
	size_t at;

	pthread_mutex_lock(&fh->lock);
	if (fh->echo)
		fprintf(stderr, "wsp-fakehost: log %d: %s\n", level, line);
	if (find_secret(fh, line, &at))
		report_leak(fh, line, level);
	if (fh->n_lines == fh->cap_lines) {
		size_t cap = fh->cap_lines ? fh->cap_lines * 2 : 32;

		grown = realloc(fh->lines, cap * sizeof(*grown));
		if (!grown)
			goto out;
		fh->lines = grown;
		fh->cap_lines = cap;
	}
	fh->lines[fh->n_lines].level = level;
	fh->lines[fh->n_lines].text = strdup(line);
	if (fh->lines[fh->n_lines].text)
		fh->n_lines++;
out:
	pthread_mutex_unlock(&fh->lock);
}

/*
 * A count of fh read under its lock: tests read the fake host while the
 * provider's threads log into it. Its getters take fh const, the lock is
 * not (the cast is only for the mutex).
 */
static size_t count_locked(const wsp_fakehost *fh, const size_t *count)
{
	wsp_fakehost *m = (wsp_fakehost *)(uintptr_t)fh;
	size_t n;

	pthread_mutex_lock(&m->lock);
	n = *count;
	pthread_mutex_unlock(&m->lock);
	return n;
}

size_t wsp_fakehost_log_count(const wsp_fakehost *fh)
{
	return count_locked(fh, &fh->n_lines);
}

const char *wsp_fakehost_log_line(const wsp_fakehost *fh, size_t i,
				  int *level)
{
	wsp_fakehost *m = (wsp_fakehost *)(uintptr_t)fh;
	const char *text = NULL;

	pthread_mutex_lock(&m->lock);
	if (i < fh->n_lines) {
		text = fh->lines[i].text;
		if (level)
			*level = fh->lines[i].level;
	}
	pthread_mutex_unlock(&m->lock);
	return text;
}

size_t wsp_fakehost_log_find(const wsp_fakehost *fh, int max_level,
			     const char *needle)
{
	wsp_fakehost *m = (wsp_fakehost *)(uintptr_t)fh;
	size_t n = 0;

	pthread_mutex_lock(&m->lock);
	for (size_t i = 0; i < fh->n_lines; i++)
		if (fh->lines[i].level <= max_level &&
		    strstr(fh->lines[i].text, needle ? needle : ""))
			n++;
	pthread_mutex_unlock(&m->lock);
	return n;
}

void wsp_fakehost_log_clear(wsp_fakehost *fh)
{
	pthread_mutex_lock(&fh->lock);
	for (size_t i = 0; i < fh->n_lines; i++)
		free(fh->lines[i].text);
	fh->n_lines = 0;
	pthread_mutex_unlock(&fh->lock);
}

void wsp_fakehost_log_echo(wsp_fakehost *fh, int on)
{
	pthread_mutex_lock(&fh->lock);
	fh->echo = on;
	pthread_mutex_unlock(&fh->lock);
}

int wsp_fakehost_add_secret(wsp_fakehost *fh, const char *value,
			    wsp_error *err)
{
	char **grown, *copy;

	if (!value || !*value)
		return wsp_error_set(err, WSP_EINVAL,
				     "fake host: an empty secret matches "
				     "every line");
	copy = strdup(value);
	pthread_mutex_lock(&fh->lock);
	grown = copy ? realloc(fh->secrets,
			       (fh->n_secrets + 2) * sizeof(*grown)) :
		       NULL;
	if (grown) {
		fh->secrets = grown;
		grown[fh->n_secrets++] = copy;
		grown[fh->n_secrets] = NULL;
	}
	pthread_mutex_unlock(&fh->lock);
	if (!grown) {
		free(copy);
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	return 0;
}

int wsp_fakehost_text_leaks(const wsp_fakehost *fh, const char *text)
{
	wsp_fakehost *m = (wsp_fakehost *)(uintptr_t)fh;
	size_t at;
	int hit;

	pthread_mutex_lock(&m->lock);
	hit = text && find_secret(fh, text, &at) != NULL;
	pthread_mutex_unlock(&m->lock);
	return hit;
}

void wsp_fakehost_on_leak(wsp_fakehost *fh, wsp_fakehost_leak_fn fn,
			  void *payload)
{
	pthread_mutex_lock(&fh->lock);
	fh->on_leak = fn;
	fh->leak_payload = payload;
	pthread_mutex_unlock(&fh->lock);
}

size_t wsp_fakehost_leaks(const wsp_fakehost *fh)
{
	return count_locked(fh, &fh->leaks);
}

void wsp__fakehost_log_fini(wsp_fakehost *fh)
{
	wsp_fakehost_log_clear(fh);
	free(fh->lines);
	for (size_t i = 0; i < fh->n_secrets; i++)
		free(fh->secrets[i]);
	free(fh->secrets);
}
