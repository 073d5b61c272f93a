/*
 * plugins/fs-s3/plugin.c - wsp-fs-s3.so: files in an S3 bucket (or an
 * S3-compatible store: R2, MinIO, a test server) under an optional key
 * prefix. Options, instance set-up and the vtable.
 */
#include "s3.h"
#include "objfs.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const wsp_option_spec options[] = {
	WSP_OPTION_REQUIRED(WSP_OPT_STRING, "bucket", "bucket name"),
	WSP_OPTION(WSP_OPT_STRING, "region", NULL,
		   "AWS region (default: AWS_REGION, the profile, us-east-1)"),
	WSP_OPTION(WSP_OPT_STRING, "endpoint", NULL,
		   "http(s)://host[:port] of an S3-compatible store"),
	WSP_OPTION(
		WSP_OPT_BOOL, "force_path_style", NULL,
		"address the bucket in the path (default: on with endpoint)"),
	WSP_OPTION(WSP_OPT_STRING, "prefix", NULL,
		   "key prefix the mount lives under (\"team/\")"),
	WSP_OPTION(WSP_OPT_STRING, "access_key_id", NULL,
		   "access key id (default: AWS_* env, then the profile)"),
	WSP_OPTION(WSP_OPT_SECRET, "secret_access_key", NULL,
		   "secret access key"),
	WSP_OPTION(WSP_OPT_SECRET, "session_token", NULL,
		   "session token of temporary credentials"),
	WSP_OPTION(WSP_OPT_STRING, "profile", NULL,
		   "profile of ~/.aws/credentials and ~/.aws/config"),
	WSP_OPTION(WSP_OPT_BOOL, "anonymous", "false",
		   "send unsigned requests (public buckets)"),
	WSP_OPTION(WSP_OPT_BOOL, "read_only", "false", "refuse every change"),
	/* S3's limits on a part: 5 MiB to 5 GiB */
	WSP_OPTION_RANGE(WSP_OPT_SIZE, "multipart_threshold", "8MiB", "5MiB",
			 "5GiB",
			 "files larger than this are uploaded in parts"),
	WSP_OPTION_RANGE(WSP_OPT_SIZE, "part_size", "8MiB", "5MiB", "5GiB",
			 "size of each uploaded part"),
	WSP_OPTION_RANGE(WSP_OPT_INT, "parallelism", "4", "1", "64",
			 "parts uploaded at once"),
	WSP_OPTION_RANGE(
		WSP_OPT_SIZE, "multipart_copy_threshold", "5GiB", "5MiB",
		"5GiB",
		"objects larger than this are copied in part_size parts"),
	WSP_OPTION_END,
};

/* The options as host->opt_fill writes them (strings are the config's). */
struct s3_opts {
	const char *bucket, *region, *endpoint, *prefix, *profile;
	const char *akid, *secret, *token;
	int anonymous, read_only;
	int path_style; /* -1 when not given: on with an endpoint */
	uint64_t threshold, part, copy;
	int32_t parallelism;
};

static const wsp_option_field fields[] = {
	WSP_OPTION_FIELD(struct s3_opts, bucket, "bucket"),
	WSP_OPTION_FIELD(struct s3_opts, region, "region"),
	WSP_OPTION_FIELD(struct s3_opts, endpoint, "endpoint"),
	WSP_OPTION_FIELD(struct s3_opts, path_style, "force_path_style"),
	WSP_OPTION_FIELD(struct s3_opts, prefix, "prefix"),
	WSP_OPTION_FIELD(struct s3_opts, akid, "access_key_id"),
	WSP_OPTION_FIELD(struct s3_opts, secret, "secret_access_key"),
	WSP_OPTION_FIELD(struct s3_opts, token, "session_token"),
	WSP_OPTION_FIELD(struct s3_opts, profile, "profile"),
	WSP_OPTION_FIELD(struct s3_opts, anonymous, "anonymous"),
	WSP_OPTION_FIELD(struct s3_opts, read_only, "read_only"),
	WSP_OPTION_FIELD(struct s3_opts, threshold, "multipart_threshold"),
	WSP_OPTION_FIELD(struct s3_opts, part, "part_size"),
	WSP_OPTION_FIELD(struct s3_opts, parallelism, "parallelism"),
	WSP_OPTION_FIELD(struct s3_opts, copy, "multipart_copy_threshold"),
	WSP_OPTION_FIELD_END,
};

static void s3_free(struct s3 *s)
{
	if (!s)
		return;
	if (s->secret)
		memset(s->secret, 0, strlen(s->secret));
	free(s->bucket);
	free(s->region);
	free(s->scheme);
	free(s->authority);
	free(s->prefix);
	free(s->akid);
	free(s->secret);
	free(s->token);
	free(s);
}

static void fini(void *self)
{
	s3_free(self);
}

/* An optional string option: NULL when absent or empty. */
static const char *given(const char *v)
{
	return v && *v ? v : NULL;
}

/* The credential options into c, as copies s3_creds_resolve may keep. */
static int creds_from(struct s3_creds *c, const struct s3_opts *o,
		      wsp_error *err)
{
	const char *const from[] = {o->akid, o->secret, o->token, o->region};
	char **const to[] = {&c->akid, &c->secret, &c->token, &c->region};

	for (size_t i = 0; i < sizeof(from) / sizeof(from[0]); i++)
		if (given(from[i]) && !(*to[i] = strdup(from[i])))
			return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	return 0;
}

static bool valid_bucket(const char *b)
{
	size_t n = strlen(b);

	if (n < 3 || n > 63)
		return false;
	for (; *b; b++)
		if (!islower((unsigned char)*b) &&
		    !isdigit((unsigned char)*b) && *b != '-' && *b != '.')
			return false;
	return true;
}

/* "team/data" -> "team/data/"; refuses "..", ".", empty components. */
static int normalise_prefix(char **out, const char *p, wsp_error *err)
{
	while (*p == '/')
		p++;
	return objfs_prefix(out, p, p, err);
}

static int parse_endpoint(struct s3 *s, const char *ep, wsp_error *err)
{
	const char *auth;
	size_t al;

	if (!strncmp(ep, "https://", 8)) {
		s->scheme = strdup("https");
		auth = ep + 8;
	} else if (!strncmp(ep, "http://", 7)) {
		s->scheme = strdup("http");
		auth = ep + 7;
	} else {
		return wsp_error_set(err, WSP_ECONFIG,
				     "invalid endpoint '%s': use http:// or "
				     "https://",
				     ep);
	}
	al = strcspn(auth, "/?#");
	if (!al || auth[al + strspn(auth + al, "/")] || memchr(auth, '@', al))
		return wsp_error_set(err, WSP_ECONFIG,
				     "invalid endpoint '%s': expected "
				     "scheme://host[:port]",
				     ep);
	s->authority = strndup(auth, al);
	return s->scheme && s->authority
		       ? 0
		       : wsp_error_set(err, WSP_ENOMEM, "out of memory");
}

static int init(void **out_self, const wsp_host *host,
		const wsp_instance_args *args, wsp_error *err)
{
	struct s3 *s = calloc(1, sizeof(*s));
	struct s3_creds c = {0};
	struct s3_opts o = {.path_style = -1};
	const char *endpoint, *profile;
	int rc;

	if (!s)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	s->host = host;
	if (!host->http_request || !host->http_response_release ||
	    !WSP_HAS_MEMBER(wsp_host, host, sign_aws_v4) ||
	    !host->sign_aws_v4) {
		s3_free(s);
		return wsp_error_set(err, WSP_ENOTSUP,
				     "the S3 provider needs a core with the "
				     "HTTP service and SigV4 signing");
	}
	/* types, defaults and the multipart limits are the core's checks */
	rc = host->opt_fill(&o, host, args->options, fields, err);
	if (!rc)
		rc = creds_from(&c, &o, err);
	if (rc)
		goto fail;
	endpoint = given(o.endpoint);
	profile = given(o.profile);
	if (!o.bucket || !valid_bucket(o.bucket)) {
		rc = wsp_error_set(err, WSP_ECONFIG,
				   "invalid bucket name '%s': 3 to 63 "
				   "characters of a-z, 0-9, '.' and '-'",
				   o.bucket ? o.bucket : "");
		goto fail;
	}
	s->bucket = strdup(o.bucket);
	if (!s->bucket) {
		rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
		goto fail;
	}
	s->multipart_threshold = o.threshold;
	s->part_size = o.part;
	s->copy_threshold = o.copy;
	s->parallelism = (uint32_t)o.parallelism;
	s->max_keys = 1000;
	/* tests shrink pages to exercise continuation tokens */
	if (getenv("WSP_FS_S3_MAX_KEYS")) {
		long mk = strtol(getenv("WSP_FS_S3_MAX_KEYS"), NULL, 10);

		if (mk >= 1 && mk <= 1000)
			s->max_keys = (uint32_t)mk;
	}
	s->anonymous = o.anonymous;
	s->read_only = o.read_only;
	rc = normalise_prefix(&s->prefix, o.prefix ? o.prefix : "", err);
	if (rc)
		goto fail;
	if (!o.anonymous) {
		rc = s3_creds_resolve(&c, profile, err);
		if (rc)
			goto fail;
		if (!c.akid || !c.secret) {
			rc = wsp_error_set(err, WSP_EAUTH,
					   "no AWS credentials for bucket "
					   "'%s': set access_key_id and "
					   "secret_access_key, AWS_* variables "
					   "or a profile, or anonymous: true",
					   s->bucket);
			goto fail;
		}
		s->akid = c.akid;
		s->secret = c.secret;
		s->token = c.token;
		c.akid = c.secret = c.token = NULL;
	} else if (!c.region) {
		s3_creds_resolve(&c, profile, NULL);
		free(c.akid);
		free(c.secret);
		free(c.token);
		c.akid = c.secret = c.token = NULL;
	}
	s->region = c.region ? c.region : strdup("us-east-1");
	c.region = NULL;
	if (!s->region) {
		rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
		goto fail;
	}
	if (endpoint) {
		rc = parse_endpoint(s, endpoint, err);
		if (rc)
			goto fail;
		s->path_style = o.path_style != 0;
	} else {
		s->scheme = strdup("https");
		if (asprintf(&s->authority, "s3.%s.amazonaws.com", s->region) <
		    0)
			s->authority = NULL;
		/* dotted names break TLS with virtual hosts */
		s->path_style = o.path_style == 1 || strchr(s->bucket, '.');
		if (!s->scheme || !s->authority) {
			rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
			goto fail;
		}
	}
	s3_creds_free(&c);
	*out_self = s;
	return 0;
fail:
	s3_creds_free(&c);
	s3_free(s);
	return rc;
}

static const wsp_fs_vtable vtable = {
	.struct_size = sizeof(wsp_fs_vtable),
	.stat = s3_stat,
	.read = s3_read,
	.write = s3_write,
	.list = s3_list,
	.mkdir = s3_mkdir,
	.remove = s3_remove,
	.rmdir = s3_rmdir,
	.copy = s3_copy,
	.move = s3_move,
	.exists = s3_exists,
	.mount_source = s3_mount_source,
};

WSP_PLUGIN_DEFINE(WSP_KIND_FS, "s3", "0.1.0",
		  "files in an S3 bucket (or an S3-compatible store)",
		  WSP_CAP_FS_STREAMING | WSP_CAP_FS_ATOMIC_WRITE |
			  WSP_CAP_FS_CONDITIONAL | WSP_CAP_FS_MOUNT_SOURCE,
		  options, init, fini, &vtable, NULL, NULL, NULL)
