/*
 * core/host/host.h - the host table given to each provider instance.
 *
 * Each instance gets its own table (inside a struct wsp__host), so its
 * log lines carry its name ("mount '/data'") and go to the log function
 * of the workspace that made it, with every known secret masked.
 */
#ifndef WSP_CORE_HOST_H
#define WSP_CORE_HOST_H

#include "internal.h"

#include <pthread.h>

/* Where log lines go; shared by a workspace and all its instances. */
struct wsp__logsink {
	wsp_log_fn fn;     /* NULL: stderr */
	void *payload;
	int level;         /* highest level passed on */
	pthread_mutex_t lock; /* guards secrets */
	char **secrets;    /* values masked in every line, NULL-terminated */
	size_t n_secrets;
	/*
	 * Lines reach fn unmasked (wsp_host_harness_open: a provider test
	 * checks them for secrets itself); secrets still mask the messages
	 * wsp__logsink_mask() and wsp__host_secrets() serve.
	 */
	int raw;
};

struct wsp__http_settings;

struct wsp__host {
	wsp_host pub;      /* first: providers get &pub */
	struct wsp__logsink *sink;
	char prefix[96];   /* "sandbox 'local'", or "" for the core */
	/* The workspace's http: settings (it outlives the table), or NULL. */
	const struct wsp__http_settings *http;
};

/* A host table for an instance named prefix (may be ""). */
WSP_INTERNAL void wsp__host_setup(struct wsp__host *h,
				  struct wsp__logsink *sink,
				  const char *prefix);

/*
 * The http: settings of the workspace that made h, or NULL when h is not
 * one of the core's tables (a test's own host) or has none.
 */
WSP_INTERNAL const struct wsp__http_settings *
wsp__host_http_settings(const wsp_host *h);

/* host->opt_fill (optfill.c). */
WSP_INTERNAL int wsp__host_opt_fill(void *dst, const wsp_host *h,
				    const wsp_config *cfg,
				    const wsp_option_field *fields,
				    wsp_error *err);

/* The core's struct around h, or NULL when h is not one of its tables. */
WSP_INTERNAL struct wsp__host *wsp__host_of(const wsp_host *h);

/*
 * Every secret h's workspace masks plus those of extra (may be NULL), as
 * a NULL-terminated list of copies (free with wsp__host_secrets_free),
 * or NULL when out of memory. For work that outlives the call, such as
 * a stream's messages.
 */
WSP_INTERNAL char **wsp__host_secrets(const wsp_host *h,
				      const char *const *extra);
WSP_INTERNAL void wsp__host_secrets_free(char **list);

/* Log through sink as the core (printf-style). */
WSP_INTERNAL void wsp__log(struct wsp__logsink *sink, int level,
			   const char *fmt, ...) WSP_PRINTF(3, 4);

/* Mask value in every later line (secrets of a validated config). */
WSP_INTERNAL int wsp__logsink_add_secret(struct wsp__logsink *sink,
					 const char *value);
WSP_INTERNAL void wsp__logsink_init(struct wsp__logsink *sink, wsp_log_fn fn,
				    void *payload, int level);
WSP_INTERNAL void wsp__logsink_fini(struct wsp__logsink *sink);

/*
 * Replace each occurrence of a known secret in line (in place) by
 * "********", through wsp__mask_text() like every other output.
 */
WSP_INTERNAL void wsp__logsink_mask(struct wsp__logsink *sink, char *line,
				    size_t cap);

/* A masked copy of text (malloc'd), NULL when out of memory. */
WSP_INTERNAL char *wsp__logsink_mask_dup(struct wsp__logsink *sink,
					 const char *text);

#endif /* WSP_CORE_HOST_H */
