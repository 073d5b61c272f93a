/*
 * toolkit/tools_guard.c - what keeps an agent's writes safe: the version of
 * each file it read (so a write to a file changed since fails as stale)
 * and one writer per path at a time.
 *
 * A small list under one mutex: a tool set tracks the files one agent
 * touches, tens to thousands, and every entry costs a path and a token.
 * Entries are bounded; past the bound the oldest read is forgotten, which
 * only makes read-before-write stricter.
 */
#include "tools_impl.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_ENTRIES 65536

struct entry {
	struct entry *next;
	char *path;
	char *version; /* NULL: not read */
	int locked;
	int waiters;
};

struct wsp__guard {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct entry *head;
	size_t n;
};

struct wsp__guard *wsp__guard_new(void)
{
	struct wsp__guard *g = calloc(1, sizeof(*g));
	pthread_condattr_t ca;

	if (!g)
		return NULL;
	pthread_mutex_init(&g->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&g->cv, &ca);
	pthread_condattr_destroy(&ca);
	return g;
}

void wsp__guard_free(struct wsp__guard *g)
{
	struct entry *e, *next;

	if (!g)
		return;
	for (e = g->head; e; e = next) {
		next = e->next;
		free(e->path);
		free(e->version);
		free(e);
	}
	pthread_cond_destroy(&g->cv);
	pthread_mutex_destroy(&g->mu);
	free(g);
}

static struct entry *find(struct wsp__guard *g, const char *path, int create)
{
	struct entry *e, **pp;

	for (e = g->head; e; e = e->next)
		if (!strcmp(e->path, path))
			return e;
	if (!create)
		return NULL;
	if (g->n >= MAX_ENTRIES) {
		/* drop the last idle entry (oldest first-touched) */
		struct entry **victim = NULL;

		for (pp = &g->head; *pp; pp = &(*pp)->next)
			if (!(*pp)->locked && !(*pp)->waiters)
				victim = pp;
		if (victim) {
			e = *victim;
			*victim = e->next;
			free(e->path);
			free(e->version);
			free(e);
			g->n--;
		}
	}
	e = calloc(1, sizeof(*e));
	if (!e || !(e->path = strdup(path))) {
		free(e);
		return NULL;
	}
	e->next = g->head;
	g->head = e;
	g->n++;
	return e;
}

static void drop_if_idle(struct wsp__guard *g, struct entry *e)
{
	struct entry **pp;

	if (e->version || e->locked || e->waiters)
		return;
	for (pp = &g->head; *pp; pp = &(*pp)->next) {
		if (*pp == e) {
			*pp = e->next;
			free(e->path);
			free(e);
			g->n--;
			return;
		}
	}
}

void wsp__guard_note_read(struct wsp__guard *g, const char *path,
			  const char *version)
{
	struct entry *e;
	char *v;

	pthread_mutex_lock(&g->mu);
	e = find(g, path, 1);
	if (e && (v = strdup(version ? version : ""))) {
		free(e->version);
		e->version = v;
	}
	pthread_mutex_unlock(&g->mu);
}

int wsp__guard_last_read(struct wsp__guard *g, const char *path, char *out,
			 size_t cap)
{
	struct entry *e;
	int found = 0;

	pthread_mutex_lock(&g->mu);
	e = find(g, path, 0);
	if (e && e->version) {
		found = 1;
		if (cap) {
			strncpy(out, e->version, cap - 1);
			out[cap - 1] = '\0';
		}
	}
	pthread_mutex_unlock(&g->mu);
	return found;
}

void wsp__guard_forget(struct wsp__guard *g, const char *path)
{
	struct entry *e;

	pthread_mutex_lock(&g->mu);
	e = find(g, path, 0);
	if (e) {
		free(e->version);
		e->version = NULL;
		drop_if_idle(g, e);
	}
	pthread_mutex_unlock(&g->mu);
}

int wsp__guard_lock(struct wsp__guard *g, const char *path, int64_t timeout_ms)
{
	struct timespec until;
	struct entry *e;
	int rc = 0;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&g->mu);
	e = find(g, path, 1);
	if (!e) {
		pthread_mutex_unlock(&g->mu);
		return WSP_ENOMEM;
	}
	e->waiters++;
	while (e->locked && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&g->cv, &g->mu, &until);
	e->waiters--;
	if (e->locked) {
		pthread_mutex_unlock(&g->mu);
		return WSP_ETIMEDOUT;
	}
	e->locked = 1;
	pthread_mutex_unlock(&g->mu);
	return 0;
}

void wsp__guard_unlock(struct wsp__guard *g, const char *path)
{
	struct entry *e;

	pthread_mutex_lock(&g->mu);
	e = find(g, path, 0);
	if (e) {
		e->locked = 0;
		drop_if_idle(g, e);
	}
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
}
