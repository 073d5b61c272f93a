/*
 * core/host/host.c - the services behind wsp_host: logging (levels, masking),
 * allocation, typed option getters, cancel tokens and call contexts
 * (call.c). The HTTP service (http*.c) adds its two slots in
 * wsp__host_init().
 */
#include "host.h"
#include "call.h"
#include "config.h"
#include "http.h"
#include "http_stream_host.h"
#include "sigv4.h"
#include "state.h"

#include <wsp/cancel.h>

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINE_MAX_BYTES 2048
#define MASK WSP__SECRET_MASK

void wsp__logsink_init(struct wsp__logsink *sink, wsp_log_fn fn,
		       void *payload, int level)
{
	memset(sink, 0, sizeof(*sink));
	sink->fn = fn;
	sink->payload = payload;
	sink->level = level;
	pthread_mutex_init(&sink->lock, NULL);
}

void wsp__logsink_fini(struct wsp__logsink *sink)
{
	size_t i;

	for (i = 0; i < sink->n_secrets; i++)
		free(sink->secrets[i]);
	free(sink->secrets);
	pthread_mutex_destroy(&sink->lock);
}

int wsp__logsink_add_secret(struct wsp__logsink *sink, const char *value)
{
	char **s, *copy;
	size_t i;
	int rc = 0;

	if (!value || !*value)
		return 0;
	pthread_mutex_lock(&sink->lock);
	for (i = 0; i < sink->n_secrets; i++)
		if (!strcmp(sink->secrets[i], value))
			goto out;
	copy = strdup(value);
	/* Kept NULL-terminated: the list wsp__mask_text() takes. */
	s = copy ? realloc(sink->secrets, (sink->n_secrets + 2) * sizeof(*s)) :
		   NULL;
	if (!s) {
		free(copy);
		rc = WSP_ENOMEM;
		goto out;
	}
	sink->secrets = s;
	s[sink->n_secrets++] = copy;
	s[sink->n_secrets] = NULL;
out:
	pthread_mutex_unlock(&sink->lock);
	return rc;
}

/*
 * A line cut to its buffer may end in the first bytes of a secret, which
 * no whole-secret search finds: mask such a tail too.
 */
static void mask_cut_tail(struct wsp__logsink *sink, char *line, size_t cap)
{
	size_t i, n, len = strlen(line), slen;

	for (i = 0; i < sink->n_secrets; i++) {
		slen = strlen(sink->secrets[i]);
		for (n = slen - 1; n > 0; n--) {
			if (n > len ||
			    memcmp(line + len - n, sink->secrets[i], n))
				continue;
			/* Make room for the mask if the cut left none. */
			n = len - n;
			if (n + sizeof(MASK) > cap)
				n = cap >= sizeof(MASK) ? cap - sizeof(MASK) :
							  0;
			line[n] = '\0';
			if (n + sizeof(MASK) <= cap)
				strcat(line, MASK);
			len = strlen(line);
			break;
		}
	}
}

/* A masked copy of text (caller holds the lock); NULL without memory. */
static char *mask_dup(struct wsp__logsink *sink, const char *text)
{
	/* Each byte may become a whole mask (a one-byte secret). */
	size_t cap = strlen(text) * (sizeof(MASK) - 1) + 1;
	char *out = malloc(cap);

	if (out)
		wsp__mask_text(out, cap, text,
			       (const char *const *)sink->secrets);
	return out;
}

void wsp__logsink_mask(struct wsp__logsink *sink, char *line, size_t cap)
{
	char *out;
	int cut = strlen(line) + 1 >= cap;

	pthread_mutex_lock(&sink->lock);
	if (cut)
		mask_cut_tail(sink, line, cap);
	if (sink->n_secrets) {
		out = mask_dup(sink, line);
		if (out)
			snprintf(line, cap, "%s", out);
		else /* hide everything rather than leak */
			snprintf(line, cap, "%s", MASK);
		free(out);
	}
	pthread_mutex_unlock(&sink->lock);
}

char *wsp__logsink_mask_dup(struct wsp__logsink *sink, const char *text)
{
	char *out;

	pthread_mutex_lock(&sink->lock);
	out = mask_dup(sink, text);
	pthread_mutex_unlock(&sink->lock);
	return out;
}

static void deliver(struct wsp__logsink *sink, int level, const char *prefix,
		    const char *fmt, va_list ap) WSP_PRINTF(4, 0);

static void deliver(struct wsp__logsink *sink, int level, const char *prefix,
		    const char *fmt, va_list ap)
{
	static const char *const names[] = { "error", "warning", "info",
					     "debug" };
	char line[LINE_MAX_BYTES];
	size_t n = 0;

	if (!sink || level > sink->level)
		return;
	if (prefix && *prefix)
		n = (size_t)snprintf(line, sizeof(line), "%s: ", prefix);
	vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	if (!sink->raw)
		wsp__logsink_mask(sink, line, sizeof(line));
	if (sink->fn) {
		sink->fn(level, line, sink->payload);
		return;
	}
	if (level < 0 || level > WSP_LOG_DEBUG)
		level = WSP_LOG_ERROR;
	fprintf(stderr, "wsp: %s: %s\n", names[level], line);
}

void wsp__log(struct wsp__logsink *sink, int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	deliver(sink, level, NULL, fmt, ap);
	va_end(ap);
}

static struct wsp__host *host_of(const wsp_host *h)
{
	return (struct wsp__host *)((char *)(uintptr_t)h -
				    offsetof(struct wsp__host, pub));
}

static void host_log(const wsp_host *h, int level, const char *fmt, ...)
	WSP_PRINTF(3, 4);

static void host_log(const wsp_host *h, int level, const char *fmt, ...)
{
	struct wsp__host *hh;
	va_list ap;

	if (!h || !fmt)
		return;
	hh = host_of(h);
	va_start(ap, fmt);
	deliver(hh->sink, level, hh->prefix, fmt, ap);
	va_end(ap);
}

static void *host_alloc(const wsp_host *h, size_t size)
{
	(void)h;
	return malloc(size ? size : 1);
}

static void host_free(const wsp_host *h, void *p)
{
	(void)h;
	free(p);
}

/* The value of option name if it is declared with type t1 or t2. */
static int lookup(const struct wsp__optval **out, const wsp_config *cfg,
		  const char *name, uint32_t t1, uint32_t t2, wsp_error *err)
{
	long i = wsp__options_find(cfg, name);

	if (i < 0)
		return wsp_error_set(err, WSP_EINVAL,
				     "option '%s' is not declared by this "
				     "provider; add it to its option table",
				     name ? name : "(null)");
	if (cfg->spec[i].type != t1 && cfg->spec[i].type != t2)
		return wsp_error_set(
			err, WSP_EINVAL,
			"option '%s' is declared as %s, not %s", name,
			wsp__option_type_name(cfg->spec[i].type),
			wsp__option_type_name(t1));
	if (!cfg->vals[i].set)
		return wsp_error_set(err, WSP_ENOTFOUND,
				     "option '%s' is not set and has no "
				     "default",
				     name);
	*out = &cfg->vals[i];
	return 0;
}

static int opt_string(const char **out, const wsp_host *h,
		      const wsp_config *cfg, const char *name, wsp_error *err)
{
	const struct wsp__optval *v;
	int rc = lookup(&v, cfg, name, WSP_OPT_STRING, WSP_OPT_SECRET, err);

	(void)h;
	if (!rc)
		*out = v->text;
	return rc;
}

static int opt_int(int64_t *out, const wsp_host *h, const wsp_config *cfg,
		   const char *name, wsp_error *err)
{
	const struct wsp__optval *v;
	int rc = lookup(&v, cfg, name, WSP_OPT_INT, WSP_OPT_INT, err);

	(void)h;
	if (!rc)
		*out = v->i;
	return rc;
}

static int opt_bool(int *out, const wsp_host *h, const wsp_config *cfg,
		    const char *name, wsp_error *err)
{
	const struct wsp__optval *v;
	int rc = lookup(&v, cfg, name, WSP_OPT_BOOL, WSP_OPT_BOOL, err);

	(void)h;
	if (!rc)
		*out = v->b;
	return rc;
}

static int opt_duration(int64_t *out, const wsp_host *h,
			const wsp_config *cfg, const char *name,
			wsp_error *err)
{
	const struct wsp__optval *v;
	int rc = lookup(&v, cfg, name, WSP_OPT_DURATION, WSP_OPT_DURATION,
			err);

	(void)h;
	if (!rc)
		*out = v->i;
	return rc;
}

static int opt_size(uint64_t *out, const wsp_host *h, const wsp_config *cfg,
		    const char *name, wsp_error *err)
{
	const struct wsp__optval *v;
	int rc = lookup(&v, cfg, name, WSP_OPT_SIZE, WSP_OPT_SIZE, err);

	(void)h;
	if (!rc)
		*out = v->u;
	return rc;
}

static int opt_list(const char *const **out, const wsp_host *h,
		    const wsp_config *cfg, const char *name, wsp_error *err)
{
	const struct wsp__optval *v;
	int rc = lookup(&v, cfg, name, WSP_OPT_LIST, WSP_OPT_LIST, err);

	(void)h;
	if (!rc)
		*out = (const char *const *)v->items;
	return rc;
}

static int opt_map(const char *const **out, const wsp_host *h,
		   const wsp_config *cfg, const char *name, wsp_error *err)
{
	const struct wsp__optval *v;
	int rc = lookup(&v, cfg, name, WSP_OPT_MAP, WSP_OPT_MAP, err);

	(void)h;
	if (!rc)
		*out = (const char *const *)v->items;
	return rc;
}

static int cancel_requested(const wsp_host *h, const wsp_cancel *c)
{
	(void)h;
	return wsp_cancel_requested(c);
}

static int cancel_fd(const wsp_host *h, const wsp_cancel *c)
{
	(void)h;
	return wsp_cancel_fd(c);
}

static int call_expired(const wsp_host *h, const wsp_call *call)
{
	(void)h;
	return wsp__call_expired(call);
}

static int64_t call_remaining_ms(const wsp_host *h, const wsp_call *call)
{
	(void)h;
	return wsp__call_remaining_ms(call);
}

static int call_fd(const wsp_host *h, const wsp_call *call)
{
	(void)h;
	return wsp__call_fd(call);
}

void wsp__host_init(wsp_host *h)
{
	memset(h, 0, sizeof(*h));
	h->struct_size = sizeof(*h);
	h->abi_major = WSP_PLUGIN_ABI_MAJOR;
	h->abi_minor = WSP_PLUGIN_ABI_MINOR;
	h->log = host_log;
	h->alloc = host_alloc;
	h->free = host_free;
	h->opt_string = opt_string;
	h->opt_int = opt_int;
	h->opt_bool = opt_bool;
	h->opt_duration = opt_duration;
	h->opt_size = opt_size;
	h->opt_list = opt_list;
	h->opt_map = opt_map;
	h->cancel_requested = cancel_requested;
	h->cancel_fd = cancel_fd;
	h->http_request = wsp__http_request;
	h->http_response_release = wsp__http_response_release;
	h->sign_aws_v4 = wsp__sigv4_host_sign;
	h->state_get = wsp__state_get;
	h->state_put = wsp__state_put;
	h->state_update = wsp__state_update;
	h->state_delete = wsp__state_delete;
	h->state_list = wsp__state_list;
	h->call_expired = call_expired;
	h->call_remaining_ms = call_remaining_ms;
	h->call_fd = call_fd;
	h->http_stream_open = wsp__hs_host_open;
	h->http_stream_resume = wsp__hs_host_resume;
	h->http_stream_cancel = wsp__hs_host_cancel;
	h->http_stream_release = wsp__hs_host_release;
	h->opt_fill = wsp__host_opt_fill;
}

struct wsp__host *wsp__host_of(const wsp_host *h)
{
	/* Only tables set up here sit inside a struct wsp__host. */
	if (!h || h->log != host_log)
		return NULL;
	return host_of(h);
}

const struct wsp__http_settings *wsp__host_http_settings(const wsp_host *h)
{
	struct wsp__host *hh = wsp__host_of(h);

	return hh ? hh->http : NULL;
}

char **wsp__host_secrets(const wsp_host *h, const char *const *extra)
{
	struct wsp__host *hh = wsp__host_of(h);
	struct wsp__logsink *sink = hh ? hh->sink : NULL;
	size_t n = 0, i = 0, k;
	char **out;
	bool fail = false;

	while (extra && extra[n])
		n++;
	if (sink)
		pthread_mutex_lock(&sink->lock);
	k = sink ? sink->n_secrets : 0;
	out = calloc(n + k + 1, sizeof(*out));
	for (size_t j = 0; out && j < k && !fail; j++)
		fail = !(out[i++] = strdup(sink->secrets[j]));
	if (sink)
		pthread_mutex_unlock(&sink->lock);
	for (size_t j = 0; out && j < n && !fail; j++)
		fail = !(out[i++] = strdup(extra[j]));
	if (fail) {
		wsp__host_secrets_free(out);
		return NULL;
	}
	return out;
}

void wsp__host_secrets_free(char **list)
{
	for (size_t i = 0; list && list[i]; i++)
		free(list[i]);
	free(list);
}

void wsp__host_setup(struct wsp__host *h, struct wsp__logsink *sink,
		     const char *prefix)
{
	wsp__host_init(&h->pub);
	h->sink = sink;
	h->http = NULL;
	snprintf(h->prefix, sizeof(h->prefix), "%s", prefix ? prefix : "");
}
