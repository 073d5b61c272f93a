/*
 * plugins/sandbox-daytona/config.c - the provider's options: the schema
 * the core checks before init, then what the core cannot check (choices
 * that exclude each other, names Daytona would refuse later with a less
 * useful message, minutes from durations).
 */
#include "daytona.h"
#include "remote.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

const wsp_option_spec dt_options[] = {
	WSP_OPTION(
		WSP_OPT_SECRET, "api_key", NULL,
		"API key (default: $DAYTONA_API_KEY); never logged or shown"),
	WSP_OPTION(WSP_OPT_STRING, "api_url", "https://app.daytona.io/api",
		   "Daytona API base URL (a local fake in tests)"),
	WSP_OPTION(WSP_OPT_STRING, "target", NULL,
		   "region to create the sandbox in"),
	WSP_OPTION(WSP_OPT_STRING, "snapshot", NULL,
		   "snapshot to create from (default: Daytona's default "
		   "snapshot)"),
	WSP_OPTION(WSP_OPT_STRING, "image", NULL,
		   "container image to build from instead of a snapshot"),
	WSP_OPTION_RANGE(WSP_OPT_INT, "cpu", NULL, "1", "64",
			 "CPUs, with image only"),
	WSP_OPTION_RANGE(WSP_OPT_INT, "memory", NULL, "1", "1024",
			 "memory in GiB, with image only"),
	WSP_OPTION_RANGE(WSP_OPT_INT, "disk", NULL, "1", "4096",
			 "disk in GiB, with image only"),
	WSP_OPTION(WSP_OPT_STRING, "user", NULL, "OS user commands run as"),
	WSP_OPTION(WSP_OPT_STRING, "language", NULL,
		   "code-run language label (python, typescript, javascript)"),
	WSP_OPTION(WSP_OPT_MAP, "env", NULL, "variables in every command"),
	WSP_OPTION(WSP_OPT_MAP, "labels", NULL, "labels on the sandbox"),
	WSP_OPTION(WSP_OPT_LIST, "volumes", NULL,
		   "Daytona volumes to mount: VOLUME:/MOUNT/PATH[:SUBPATH]"),
	WSP_OPTION(WSP_OPT_BOOL, "public", "false", "previews without a token"),
	WSP_OPTION(WSP_OPT_BOOL, "network_block_all", "false",
		   "no network access from the sandbox"),
	WSP_OPTION(WSP_OPT_LIST, "network_allow_list", NULL,
		   "CIDR blocks the sandbox may reach (at most 5)"),
	/* Daytona counts these in minutes, up to a year */
	WSP_OPTION_RANGE(WSP_OPT_DURATION, "auto_stop_interval", NULL, NULL,
			 "365d",
			 "stop after this long idle, whole minutes (0: never)"),
	WSP_OPTION_RANGE(WSP_OPT_DURATION, "auto_archive_interval", NULL, NULL,
			 "365d",
			 "archive after this long stopped, whole minutes (0: "
			 "the maximum)"),
	WSP_OPTION_RANGE(
		WSP_OPT_DURATION, "auto_delete_interval", NULL, NULL, "365d",
		"delete after this long stopped, whole minutes (0: at stop)"),
	WSP_OPTION(WSP_OPT_BOOL, "ephemeral", "false",
		   "delete the sandbox when it stops"),
	WSP_OPTION(
		WSP_OPT_BOOL, "archive_on_stop", "false",
		"archive the sandbox after each stop (cheaper, slower start)"),
	WSP_OPTION(WSP_OPT_DURATION, "timeout", "30s",
		   "default command timeout"),
	WSP_OPTION_RANGE(WSP_OPT_DURATION, "create_timeout", "60s", "1ms", NULL,
			 "how long to wait for a sandbox to start"),
	RMT_OPT_REQUEST_TIMEOUT,
	RMT_OPT_MAX_CAPTURE,
	RMT_OPT_INSTALL_MOUNT_TOOLS,
	WSP_OPTION_END,
};

/* A refused configuration, one line (err is in every caller's scope). */
#define BAD(...) wsp_error_set(err, WSP_ECONFIG, __VA_ARGS__)

/*
 * The numbers and switches, written straight into the config (their
 * ranges are the table's bounds; unset ones keep the zero they have).
 */
static const wsp_option_field dt_fields[] = {
	WSP_OPTION_FIELD(struct dt_config, cpu, "cpu"),
	WSP_OPTION_FIELD(struct dt_config, memory_gib, "memory"),
	WSP_OPTION_FIELD(struct dt_config, disk_gib, "disk"),
	WSP_OPTION_FIELD(struct dt_config, public_, "public"),
	WSP_OPTION_FIELD(struct dt_config, network_block_all,
			 "network_block_all"),
	WSP_OPTION_FIELD(struct dt_config, ephemeral, "ephemeral"),
	WSP_OPTION_FIELD(struct dt_config, archive_on_stop, "archive_on_stop"),
	WSP_OPTION_FIELD(struct dt_config, install_mount_tools,
			 "install_mount_tools"),
	WSP_OPTION_FIELD(struct dt_config, timeout_ms, "timeout"),
	WSP_OPTION_FIELD(struct dt_config, create_timeout_ms, "create_timeout"),
	WSP_OPTION_FIELD(struct dt_config, request_timeout_ms,
			 "request_timeout"),
	WSP_OPTION_FIELD(struct dt_config, max_capture, "max_capture"),
	WSP_OPTION_FIELD_END,
};

/* Daytona counts these intervals in minutes: refuse what does not fit. */
static int minutes_opt(int64_t *out, const wsp_host *h, const wsp_config *cfg,
		       const char *name, wsp_error *err)
{
	int64_t ms = 0;
	int rc = h->opt_duration(&ms, h, cfg, name, err);

	*out = -2;
	if (rc == WSP_ENOTFOUND)
		return 0;
	if (rc)
		return rc;
	if (ms % 60000)
		return wsp_error_set(err, WSP_ECONFIG,
				     "option '%s' must be whole minutes (e.g. "
				     "15m, 2h)",
				     name);
	*out = ms / 60000;
	return 0;
}

/* CIDR text only: digits, dots, one '/', colons for IPv6. */
static int cidr_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > 64 || !strchr(s, '/'))
		return 0;
	for (; *s; s++)
		if (!isxdigit((unsigned char)*s) && !strchr("./:", *s))
			return 0;
	return 1;
}

static int read_lists(struct dt_config *c, const wsp_host *h,
		      const wsp_config *cfg, wsp_error *err)
{
	const char *const *l = NULL;
	size_t i, n = 0, len = 1;
	int rc;

	c->env = c->labels = NULL;
	rc = h->opt_map(&c->env, h, cfg, "env", err);
	if (rc && rc != WSP_ENOTFOUND)
		return rc;
	for (i = 0; c->env && c->env[i]; i += 2)
		if (!rmt_env_name_ok(c->env[i]))
			return BAD("env: '%s' is not a variable name",
				   c->env[i]);
	rc = h->opt_map(&c->labels, h, cfg, "labels", err);
	if (rc && rc != WSP_ENOTFOUND)
		return rc;
	for (i = 0; c->labels && c->labels[i]; i += 2)
		if (!strcmp(c->labels[i], DT_LABEL_ID))
			return BAD("labels: '%s' is wsp's own label",
				   DT_LABEL_ID);
	rc = h->opt_list(&l, h, cfg, "network_allow_list", err);
	if (rc == WSP_ENOTFOUND)
		return 0;
	if (rc)
		return rc;
	for (i = 0; l[i]; i++, n++) {
		if (!cidr_ok(l[i]))
			return BAD("network_allow_list: '%s' is not a "
				   "CIDR block (e.g. 10.0.0.0/8)",
				   l[i]);
		len += strlen(l[i]) + 1;
	}
	if (n > 5)
		return BAD("network_allow_list: %s", "at most 5 blocks");
	if (!n)
		return 0;
	c->network_allow_list = calloc(1, len);
	if (!c->network_allow_list)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	for (i = 0; l[i]; i++) {
		if (i)
			strcat(c->network_allow_list, ",");
		strcat(c->network_allow_list, l[i]);
	}
	return 0;
}

static int read_key(struct dt_config *c, const wsp_host *h,
		    const wsp_config *cfg, wsp_error *err)
{
	const char *env;
	/* The issue's default: the variable Daytona's own SDKs read. */
	int rc = rmt_opt_text(&c->api_key, h, cfg, "api_key",
			      "DAYTONA_API_KEY", err);

	if (rc)
		return rc;
	if (!c->api_key)
		return wsp_error_set(err, WSP_ECONFIG,
				     "no API key: set option 'api_key' or "
				     "DAYTONA_API_KEY");
	/* It travels in a header: refuse what would break the line. */
	for (env = c->api_key; *env; env++)
		if ((unsigned char)*env < 0x20 || *env == 0x7f)
			return wsp_error_set(err, WSP_ECONFIG,
					     "option 'api_key' holds a "
					     "control character");
	return 0;
}

static int read_url(struct dt_config *c, const wsp_host *h,
		    const wsp_config *cfg, wsp_error *err)
{
	size_t n;
	int rc = rmt_opt_text(&c->api_url, h, cfg, "api_url", NULL, err);

	if (rc)
		return rc;
	if (!c->api_url || !rmt_is_http(c->api_url))
		return BAD("option '%s' must be an http:// or https:// URL",
			   "api_url");
	n = strlen(c->api_url);
	if (n > 512 || strpbrk(c->api_url, " \t\r\n?#"))
		return BAD("option '%s' is not a usable base URL", "api_url");
	while (n && c->api_url[n - 1] == '/')
		c->api_url[--n] = '\0';
	return 0;
}

static int read_strings(struct dt_config *c, const wsp_host *h,
			const wsp_config *cfg, wsp_error *err)
{
	int rc;

	if ((rc = rmt_opt_text(&c->target, h, cfg, "target", NULL, err)) ||
	    (rc = rmt_opt_text(&c->snapshot, h, cfg, "snapshot", NULL, err)) ||
	    (rc = rmt_opt_text(&c->image, h, cfg, "image", NULL, err)) ||
	    (rc = rmt_opt_text(&c->user, h, cfg, "user", NULL, err)) ||
	    (rc = rmt_opt_text(&c->language, h, cfg, "language", NULL, err)))
		return rc;
	if (c->snapshot && c->image)
		return BAD("options 'snapshot' and 'image' exclude each "
			   "other");
	if (c->image && strpbrk(c->image, " \t\r\n"))
		return BAD("option '%s' must be one image reference", "image");
	return 0;
}

int dt_config_read(struct dt_config *c, const wsp_host *h,
		   const wsp_config *cfg, wsp_error *err)
{
	int rc;

	memset(c, 0, sizeof(*c));
	if ((rc = read_key(c, h, cfg, err)) ||
	    (rc = read_url(c, h, cfg, err)) ||
	    (rc = read_strings(c, h, cfg, err)) ||
	    (rc = h->opt_fill(c, h, cfg, dt_fields, err)))
		return rc;
	if ((c->cpu || c->memory_gib || c->disk_gib) && !c->image)
		return BAD("options cpu, memory and disk need 'image' (a "
			   "snapshot has its own resources)");
	if ((rc = read_lists(c, h, cfg, err)) ||
	    (rc = dt_volumes_read(c, h, cfg, err)) ||
	    (rc = minutes_opt(&c->auto_stop_min, h, cfg, "auto_stop_interval",
			      err)) ||
	    (rc = minutes_opt(&c->auto_archive_min, h, cfg,
			      "auto_archive_interval", err)) ||
	    (rc = minutes_opt(&c->auto_delete_min, h, cfg,
			      "auto_delete_interval", err)))
		return rc;
	if (c->ephemeral && c->auto_delete_min >= 0)
		return BAD("options 'ephemeral' and "
			   "'auto_delete_interval' exclude each other");
	/* Daytona deletes such a sandbox at stop: nothing left to archive. */
	if (c->archive_on_stop && (c->ephemeral || c->auto_delete_min == 0))
		return BAD("option 'archive_on_stop' excludes '%s'",
			   c->ephemeral ? "ephemeral"
					: "auto_delete_interval: 0");
	return 0;
}

void dt_config_free(struct dt_config *c)
{
	rmt_wipe(c->api_key);
	free(c->api_key);
	free(c->api_url);
	free(c->target);
	free(c->snapshot);
	free(c->image);
	free(c->user);
	free(c->language);
	free(c->network_allow_list);
	dt_volumes_free(c);
	memset(c, 0, sizeof(*c));
}
