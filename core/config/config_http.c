/*
 * core/config/config_http.c - the http: section of wsp.yaml.
 *
 *   http:
 *     ca_bundle: ./ca.pem       PEM file of trusted CAs (relative to the
 *                               config's directory; must be readable)
 *     connect_timeout: 10s      1ms to 1h
 *     timeout: 5m               whole request with its retries; 0 = none
 *     low_speed_time: 30s       stalled this long = timed out (1s to 1h)
 *     low_speed_limit: 1        bytes/s below which a transfer stalls
 *     max_attempts: 4           1 to 10
 *
 * Values use the option syntaxes of optvalue.c (durations, sizes), so a
 * duration here reads exactly like a provider's `timeout` option. Every
 * value is bounded: the file is untrusted input.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HOUR_MS (3600 * INT64_C(1000))
#define DAY_MS	(24 * HOUR_MS)
/* Longest ca_bundle path accepted (PATH_MAX less its NUL). */
#define CA_PATH_MAX 4095

enum key_id {
	K_CONNECT_TIMEOUT,
	K_TIMEOUT,
	K_LOW_SPEED_TIME,
	K_LOW_SPEED_LIMIT,
	K_MAX_ATTEMPTS,
	K_NUMBERS, /* keys below are not numbers */
	K_CA_BUNDLE = K_NUMBERS,
};

static const struct key {
	const char *name;
	uint32_t type;	  /* WSP_OPT_DURATION, _SIZE or _INT */
	int64_t min, max; /* ms for durations */
	const char *range; /* the bounds, as messages show them */
} keys[] = {
	[K_CONNECT_TIMEOUT] = { "connect_timeout", WSP_OPT_DURATION, 1,
				HOUR_MS, "1ms to 1h" },
	[K_TIMEOUT] = { "timeout", WSP_OPT_DURATION, 0, DAY_MS,
			"0 (no limit) to 1d" },
	[K_LOW_SPEED_TIME] = { "low_speed_time", WSP_OPT_DURATION, 1000,
			       HOUR_MS, "1s to 1h" },
	[K_LOW_SPEED_LIMIT] = { "low_speed_limit", WSP_OPT_SIZE, 1,
				INT64_C(1) << 30, "1 to 1GiB (bytes/s)" },
	[K_MAX_ATTEMPTS] = { "max_attempts", WSP_OPT_INT, 1, 10, "1 to 10" },
};

/* Every key, in key_id order (for the lookup and the suggestions). */
static const char *const known[] = { "connect_timeout", "timeout",
				     "low_speed_time", "low_speed_limit",
				     "max_attempts", "ca_bundle", NULL };

#define AT(n) (n)->line, (n)->col

static void store(wsp__http_settings *s, enum key_id k, int64_t v)
{
	switch (k) {
	case K_CONNECT_TIMEOUT:
		s->connect_timeout_ms = v;
		break;
	case K_TIMEOUT:
		s->timeout_ms = v;
		break;
	case K_LOW_SPEED_TIME:
		s->low_speed_time_ms = v;
		break;
	case K_LOW_SPEED_LIMIT:
		s->low_speed_limit = v;
		break;
	case K_MAX_ATTEMPTS:
		s->max_attempts = (uint32_t)v;
		break;
	default:
		break;
	}
}

static void parse_number(struct wsp__config *cfg, enum key_id k,
			 const struct wsp__ynode *val, struct wsp__diags *d)
{
	const struct key *key = &keys[k];
	struct wsp__optval v = { 0 };
	char why[160];
	int64_t n;

	if (wsp__optvalue_parse(&v, key->type, val->value, why, sizeof(why))) {
		wsp__diag_add(d, cfg->file, AT(val), "'%s' of 'http': %s",
			      key->name, why);
		return;
	}
	n = key->type == WSP_OPT_SIZE ? (v.u > INT64_MAX ? INT64_MAX
							 : (int64_t)v.u)
				      : v.i;
	if (n < key->min || n > key->max) {
		wsp__diag_add(d, cfg->file, AT(val),
			      "'%s' of 'http' is out of range: '%.64s'; use %s",
			      key->name, val->value, key->range);
		return;
	}
	store(&cfg->http.set, k, n);
}

/* The CA file must be there now: a typo should fail `config check`. */
static int parse_ca_bundle(struct wsp__config *cfg,
			   const struct wsp__ynode *val, struct wsp__diags *d)
{
	struct stat st;
	char *path, *real;
	int fd;

	if (strlen(val->value) > CA_PATH_MAX) {
		wsp__diag_add(d, cfg->file, AT(val),
			      "'ca_bundle' of 'http' is longer than %d bytes",
			      CA_PATH_MAX);
		return 0;
	}
	path = wsp__config_join(cfg->dir, val->value);
	if (!path)
		return WSP_ENOMEM;
	/* O_NONBLOCK: a FIFO must not hang the check. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		wsp__diag_add(d, cfg->file, AT(val),
			      "'ca_bundle' of 'http': cannot read '%.256s': "
			      "%s; give a PEM file of trusted CA certificates",
			      path, strerror(errno));
		free(path);
		return 0;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		wsp__diag_add(d, cfg->file, AT(val),
			      "'ca_bundle' of 'http': '%.256s' is not a "
			      "regular file; give a PEM file of trusted CA "
			      "certificates",
			      path);
		close(fd);
		free(path);
		return 0;
	}
	close(fd);
	/* "./ca.pem" shown as written would read oddly; it exists */
	real = realpath(path, NULL);
	if (real) {
		free(path);
		path = real;
	}
	free(cfg->http.ca_bundle);
	cfg->http.ca_bundle = path;
	cfg->http.set.ca_bundle = path;
	return 0;
}

static int http_key(struct wsp__config *cfg, size_t k,
		    const struct wsp__ynode *key, const struct wsp__ynode *val,
		    struct wsp__diags *d)
{
	if (val->type != WSP__Y_SCALAR) {
		wsp__diag_add(d, cfg->file, AT(val),
			      "'%s' of 'http' must be a single value, not %s",
			      key->value, wsp__yaml_type_name(val));
		return 0;
	}
	if (k == K_CA_BUNDLE)
		return parse_ca_bundle(cfg, val, d);
	parse_number(cfg, (enum key_id)k, val, d);
	return 0;
}

int wsp__config_http_parse(struct wsp__config *cfg, const struct wsp__ynode *n,
			   struct wsp__diags *d)
{
	return wsp__config_section(cfg, n, "'http'", known, http_key, d);
}
