/*
 * plugins/fs-gcs/config.c - the provider's options and an instance made
 * from them (what init will call once the 2.0 fs vtable is in).
 *
 * Option values are user input: what an error quotes of them is made
 * printable first, and `credentials` (a key file path or the key itself)
 * is a SECRET, never quoted at all.
 */
#include "gcs.h"
#include "objfs.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KIB (1024ull)

const wsp_option_spec gcs_options[] = {
	WSP_OPTION_REQUIRED(WSP_OPT_STRING, "bucket", "bucket name"),
	WSP_OPTION(WSP_OPT_STRING, "prefix", NULL,
		   "object name prefix the mount lives under (\"team/\")"),
	WSP_OPTION(WSP_OPT_STRING, "project_id", NULL,
		   "project billed for requester-pays buckets (userProject)"),
	WSP_OPTION(WSP_OPT_SECRET, "credentials", NULL,
		   "service-account key: a file path or the JSON itself "
		   "(default: Application Default Credentials)"),
	WSP_OPTION(WSP_OPT_BOOL, "anonymous", "false",
		   "send no credentials (public buckets)"),
	WSP_OPTION(WSP_OPT_STRING, "endpoint", NULL,
		   "http(s)://host[:port] of the JSON API (default: "
		   "https://storage.googleapis.com)"),
	WSP_OPTION(WSP_OPT_BOOL, "read_only", "false",
		   "refuse every change (and ask for a read-only token)"),
	WSP_OPTION_RANGE(WSP_OPT_SIZE, "chunk_size", "8MiB", "256KiB", "1GiB",
			 "resumable upload chunk (a multiple of 256KiB)"),
	WSP_OPTION_RANGE(
		WSP_OPT_SIZE, "resumable_threshold", "8MiB", NULL, "5TiB",
		"larger writes (and streams of unknown size) are resumable"),
	WSP_OPTION_RANGE(WSP_OPT_INT, "parallelism", "4", "1", "64",
			 "requests at once for recursive removes and copies"),
	WSP_OPTION_END,
};

/* The options as host->opt_fill writes them (strings are the config's). */
struct gcs_opts {
	const char *bucket, *prefix, *project_id, *credentials, *endpoint;
	bool anonymous, read_only;
	uint64_t chunk, threshold;
	int32_t parallelism;
};

static const wsp_option_field gcs_fields[] = {
	WSP_OPTION_FIELD(struct gcs_opts, bucket, "bucket"),
	WSP_OPTION_FIELD(struct gcs_opts, prefix, "prefix"),
	WSP_OPTION_FIELD(struct gcs_opts, project_id, "project_id"),
	WSP_OPTION_FIELD(struct gcs_opts, credentials, "credentials"),
	WSP_OPTION_FIELD(struct gcs_opts, endpoint, "endpoint"),
	WSP_OPTION_FIELD(struct gcs_opts, anonymous, "anonymous"),
	WSP_OPTION_FIELD(struct gcs_opts, read_only, "read_only"),
	WSP_OPTION_FIELD(struct gcs_opts, chunk, "chunk_size"),
	WSP_OPTION_FIELD(struct gcs_opts, threshold, "resumable_threshold"),
	WSP_OPTION_FIELD(struct gcs_opts, parallelism, "parallelism"),
	WSP_OPTION_FIELD_END,
};

/* A copy of an optional string option: NULL when absent or empty. */
static int dup_given(char **out, const char *v, wsp_error *err)
{
	*out = NULL;
	if (!v || !*v)
		return 0;
	*out = strdup(v);
	return *out ? 0 : wsp_error_set(err, WSP_ENOMEM, "out of memory");
}

/*
 * GCS bucket names: 3 to 63 characters of a-z, 0-9, '-', '_' and '.'
 * (up to 222 with dots, each part at most 63), starting and ending with
 * a letter or digit.
 */
bool gcs_bucket_ok(const char *b)
{
	size_t n = strlen(b), part = 0;

	if (n < 3 || n > 222 || (n > 63 && !strchr(b, '.')))
		return false;
	if (!isalnum((unsigned char)b[0]) || !isalnum((unsigned char)b[n - 1]))
		return false;
	for (const char *c = b; *c; c++) {
		if (*c == '.') {
			if (!part)
				return false;
			part = 0;
			continue;
		}
		if (!(islower((unsigned char)*c) || isdigit((unsigned char)*c) ||
		      *c == '-' || *c == '_') ||
		    ++part > 63)
			return false;
	}
	return true;
}

/* "team/data" -> "team/data/"; no empty, '.' or '..' components. */
int gcs_normalise_prefix(char **out, const char *p, wsp_error *err)
{
	char shown[256];
	size_t n;

	while (*p == '/')
		p++;
	n = strlen(p);
	while (n && p[n - 1] == '/')
		n--;
	gcs_printable(shown, sizeof(shown), p, strlen(p));
	if (n && !gcs_name_ok(p, n))
		return wsp_error_set(err, WSP_ECONFIG,
				     "invalid prefix '%s': not a GCS object "
				     "name",
				     shown);
	return objfs_prefix(out, p, shown, err);
}

/* scheme://host[:port] and nothing else; kept without a trailing '/'. */
static int check_endpoint(char **ep, wsp_error *err)
{
	const char *auth;
	char shown[256];
	size_t al, n = strlen(*ep);

	while (n > 8 && (*ep)[n - 1] == '/')
		(*ep)[--n] = '\0';
	gcs_printable(shown, sizeof(shown), *ep, n);
	if (!strncmp(*ep, "https://", 8))
		auth = *ep + 8;
	else if (!strncmp(*ep, "http://", 7))
		auth = *ep + 7;
	else
		return wsp_error_set(err, WSP_ECONFIG,
				     "invalid endpoint '%s': use http:// or "
				     "https://",
				     shown);
	al = strcspn(auth, "/?#@ \t\r\n");
	if (!al || auth[al])
		return wsp_error_set(err, WSP_ECONFIG,
				     "invalid endpoint '%s': expected "
				     "scheme://host[:port]",
				     shown);
	return 0;
}

void gcs_close(struct gcs *g)
{
	if (!g)
		return;
	gcs_auth_free(&g->auth);
	free(g->endpoint);
	free(g->bucket);
	free(g->prefix);
	free(g->project_id);
	free(g);
}

int gcs_open(struct gcs **out, const wsp_host *host, const wsp_config *cfg,
	     wsp_error *err)
{
	struct gcs *g = calloc(1, sizeof(*g));
	struct gcs_opts o = {0};
	int rc;

	*out = NULL;
	if (!g)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	g->host = host;
	if (!host->http_request || !host->http_response_release) {
		free(g);
		return wsp_error_set(err, WSP_ENOTSUP,
				     "the GCS provider needs a core with the "
				     "HTTP service");
	}
	/* types, defaults and the bounds are the core's checks */
	rc = host->opt_fill(&o, host, cfg, gcs_fields, err);
	if (!rc)
		rc = dup_given(&g->bucket, o.bucket, err);
	if (!rc)
		rc = dup_given(&g->project_id, o.project_id, err);
	if (!rc)
		rc = dup_given(&g->endpoint, o.endpoint, err);
	if (rc)
		goto fail;
	if (!g->bucket || !gcs_bucket_ok(g->bucket)) {
		char shown[256];

		gcs_printable(shown, sizeof(shown), g->bucket ? g->bucket : "",
			      g->bucket ? strlen(g->bucket) : 0);
		rc = wsp_error_set(err, WSP_ECONFIG,
				   "invalid bucket name '%s': 3 to 63 "
				   "characters of a-z, 0-9, '-', '_' and '.'",
				   shown);
		goto fail;
	}
	if (o.chunk % (256 * KIB)) {
		rc = wsp_error_set(err, WSP_ECONFIG,
				   "invalid chunk_size: a multiple of 256KiB "
				   "(GCS refuses other chunks)");
		goto fail;
	}
	if (g->endpoint)
		rc = check_endpoint(&g->endpoint, err);
	else if (!(g->endpoint = strdup(GCS_ENDPOINT_DEFAULT)))
		rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
	if (!rc)
		rc = gcs_normalise_prefix(&g->prefix, o.prefix ? o.prefix : "",
					  err);
	if (rc)
		goto fail;
	g->read_only = o.read_only;
	g->chunk_size = o.chunk;
	g->resumable_threshold = o.threshold;
	g->parallelism = (uint32_t)o.parallelism;
	g->page_size = 1000;
	rc = gcs_auth_init(&g->auth, host,
			   o.credentials && *o.credentials ? o.credentials
							   : NULL,
			   o.anonymous, o.read_only, err);
	if (rc)
		goto fail;
	*out = g;
	return 0;
fail:
	gcs_close(g);
	return rc;
}
