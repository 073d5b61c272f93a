/*
 * tests/gcs/gcs_open.h - the provider's state (plugins/fs-gcs/gcs.h) on
 * the project's GCS fake, for the suites that drive its calls directly
 * (test_gcs_objects, test_gcs_interop, test_gcs_mount): gcs_test_open
 * zeroes g, then sets host, the fake's endpoint (or endpoint when not
 * NULL), BUCKET below prefix, read_only, and the auth gcs_auth_init makes
 * of credentials, anonymous and read_only; sizes stay 0 for the test to
 * set. 0, or -1 after printing why. gcs_test_close frees it all and zeroes
 * g. gcs_test_reads tells whether len bytes of object name from off on
 * (gcs_download's range) read back as want[0..n). A header of its own: gcs_env.c is also built where the provider's
 * code is not (the remote sandboxes' GCS mount tests).
 */
#ifndef WSP_TEST_GCS_OPEN_H
#define WSP_TEST_GCS_OPEN_H

#include "gcs.h"
#include "gcs_env.h"
#include "test_bytes.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline int gcs_test_open(struct gcs *g, const char *endpoint,
				const char *prefix, const char *credentials,
				bool anonymous, bool read_only)
{
	char ep[64];
	wsp_error err = {0};

	snprintf(ep, sizeof(ep), "http://127.0.0.1:%d", port);
	memset(g, 0, sizeof(*g));
	g->host = host;
	g->endpoint = strdup(endpoint ? endpoint : ep);
	g->bucket = strdup(BUCKET);
	g->prefix = strdup(prefix);
	g->read_only = read_only;
	if (gcs_auth_init(&g->auth, host, credentials, anonymous, read_only,
			  &err)) {
		fprintf(stderr, "%s\n", err.message);
		return -1;
	}
	return 0;
}

static inline void gcs_test_close(struct gcs *g)
{
	gcs_auth_free(&g->auth);
	free(g->endpoint);
	free(g->bucket);
	free(g->prefix);
	memset(g, 0, sizeof(*g));
}

static inline int gcs_test_reads(struct gcs *g, const char *name,
				 uint64_t off, uint64_t len, const char *want,
				 size_t n)
{
	struct bytes_sink b = {NULL, 0, 0};
	wsp_error err = {0};
	int rc = gcs_download(g, name, off, len, bytes_take, &b, &err);
	int same = !rc && b.len == n && !memcmp(b.p ? b.p : "", want, n);

	if (!same)
		fprintf(stderr, "%s from %llu: %s (%zu bytes, %zu wanted)\n",
			name, (unsigned long long)off,
			rc ? err.message : "other bytes", b.len, n);
	free(b.p);
	return same;
}

#endif
