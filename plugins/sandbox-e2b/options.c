/*
 * plugins/sandbox-e2b/options.c - the provider's options and an instance
 * made from them.
 *
 * Defaults come from the variables E2B's own SDK reads (E2B_API_KEY,
 * E2B_API_URL, E2B_SANDBOX_URL, E2B_DOMAIN), so a machine set up for the
 * SDK works without repeating them. The key is a SECRET: it goes into one
 * request header only, every request names it as a secret so the core
 * masks it in every log line and message, no error here quotes it, and a
 * sandbox variable holding it is refused.
 */
#include "e2b.h"
#include "remote.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const wsp_option_spec e2b_options[] = {
	WSP_OPTION(WSP_OPT_SECRET, "api_key", NULL,
		   "E2B API key (default: $E2B_API_KEY)"),
	WSP_OPTION(WSP_OPT_STRING, "domain", NULL,
		   "E2B domain (default: $E2B_DOMAIN, else e2b.app)"),
	WSP_OPTION(WSP_OPT_STRING, "api_url", NULL,
		   "control plane URL (default: $E2B_API_URL, else "
		   "https://api.DOMAIN)"),
	WSP_OPTION(WSP_OPT_STRING, "sandbox_url", NULL,
		   "envd URL for every sandbox (default: $E2B_SANDBOX_URL, "
		   "else https://49983-ID.DOMAIN)"),
	WSP_OPTION(WSP_OPT_STRING, "template", "base",
		   "template (id or alias) a new sandbox starts from"),
	WSP_OPTION_RANGE(WSP_OPT_DURATION, "timeout", "5m", "1s", "24h",
			 "the sandbox's lifetime, renewed at each start (whole "
			 "seconds; 24h is E2B's limit)"),
	WSP_OPTION(WSP_OPT_MAP, "metadata", NULL,
		   "metadata of a new sandbox (wsp-id is always added)"),
	WSP_OPTION(WSP_OPT_MAP, "env", NULL,
		   "variables of every command in a new sandbox"),
	WSP_OPTION(WSP_OPT_BOOL, "allow_internet", "true",
		   "a new sandbox may reach the internet"),
	WSP_OPTION(WSP_OPT_LIST, "allow_out", NULL,
		   "addresses (CIDR, IP or host) a new sandbox may reach, past "
		   "deny_out"),
	WSP_OPTION(WSP_OPT_LIST, "deny_out", NULL,
		   "addresses (CIDR, IP or host) a new sandbox may not reach "
		   "(0.0.0.0/0: all but allow_out)"),
	WSP_OPTION(WSP_OPT_BOOL, "public_traffic", "true",
		   "a new sandbox's ports are reachable without its traffic "
		   "token"),
	WSP_OPTION(WSP_OPT_BOOL, "recreate", "false",
		   "a command finding the sandbox gone (expired, killed) makes "
		   "a new one and runs there (the old one's files are lost)"),
	WSP_OPTION(WSP_OPT_BOOL, "auto_pause", "false",
		   "at its timeout the sandbox is paused (kept) instead of "
		   "killed"),
	WSP_OPTION(WSP_OPT_BOOL, "secure", "true",
		   "envd requires the sandbox's access token"),
	WSP_OPTION(WSP_OPT_STRING, "working_dir", "/home/user",
		   "absolute directory commands run in"),
	WSP_OPTION(WSP_OPT_STRING, "user", NULL,
		   "the sandbox user commands run as (default: the template's, "
		   "'user')"),
	WSP_OPTION_RANGE(WSP_OPT_DURATION, "command_timeout", "30s", "1ms",
			 NULL, "default timeout of a command"),
	RMT_OPT_REQUEST_TIMEOUT,
	RMT_OPT_MAX_CAPTURE,
	RMT_OPT_INSTALL_MOUNT_TOOLS,
	WSP_OPTION_END,
};

/* A hostname suffix: letters, digits, '-', '.', and ':' for a port. */
static int domain_ok(const char *d)
{
	if (!*d || *d == '.' || *d == '-' || strlen(d) > 253)
		return 0;
	for (; *d; d++)
		if (!isalnum((unsigned char)*d) && !strchr("-.:", *d))
			return 0;
	return 1;
}

/* {"K":"V"} from a map option; NULL when empty. */
static int map_opt(cJSON **out, struct e2b *e, const wsp_config *cfg,
		   const char *name, wsp_error *err)
{
	const char *const *kv = NULL;
	int rc = e->host->opt_map(&kv, e->host, cfg, name, err);
	char shown[64];

	*out = NULL;
	if (rc == WSP_ENOTFOUND)
		return 0;
	if (rc)
		return rc;
	if (!(*out = cJSON_CreateObject()))
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	for (size_t i = 0; kv && kv[i] && kv[i + 1]; i += 2) {
		rmt_printable(shown, sizeof(shown), kv[i]);
		if (!strcmp(name, "env") && !rmt_env_name_ok(kv[i]))
			return wsp_error_set(err, WSP_ECONFIG,
					     "env: '%s' is not a variable name",
					     shown);
		if (!strcmp(name, "metadata") && !strcmp(kv[i], E2B_META_ID))
			return wsp_error_set(err, WSP_ECONFIG,
					     "metadata: '" E2B_META_ID
					     "' is wsp's own (the sandbox id)");
		/* the key must never reach the sandbox */
		if (e->api_key && strstr(kv[i + 1], e->api_key))
			return wsp_error_set(err, WSP_ECONFIG,
					     "%s: '%s' holds the E2B API key; it "
					     "is never passed into the sandbox",
					     name, shown);
		cJSON_DeleteItemFromObjectCaseSensitive(*out, kv[i]);
		if (!cJSON_AddStringToObject(*out, kv[i], kv[i + 1]))
			return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	return 0;
}

/* A list of network rules: each a CIDR, an IP or a host name. */
static int rules_opt(cJSON **out, struct e2b *e, const wsp_config *cfg,
		     const char *name, wsp_error *err)
{
	const char *const *items = NULL;
	int rc = e->host->opt_list(&items, e->host, cfg, name, err);
	char shown[64];

	*out = NULL;
	if (rc == WSP_ENOTFOUND || (!rc && (!items || !items[0])))
		return 0;
	if (rc)
		return rc;
	if (!(*out = cJSON_CreateArray()))
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	for (size_t i = 0; items[i]; i++) {
		const char *r = items[i];
		size_t n = strspn(r, "abcdefghijklmnopqrstuvwxyz"
				     "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:/*");

		if (!*r || r[n] || n > 253)
			return wsp_error_set(err, WSP_ECONFIG,
					     "%s: '%s' is not a CIDR, an IP or "
					     "a host name",
					     name,
					     rmt_printable(shown, sizeof(shown), r));
		if (!cJSON_AddItemToArray(*out, cJSON_CreateString(r)))
			return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	return 0;
}

static int read_urls(struct e2b *e, const wsp_config *cfg, wsp_error *err)
{
	char shown[128];
	int rc;

	if ((rc = rmt_opt_text(&e->domain, e->host, cfg, "domain", "E2B_DOMAIN", err)))
		return rc;
	if (!e->domain && !(e->domain = strdup("e2b.app")))
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	if (!domain_ok(e->domain))
		return wsp_error_set(err, WSP_ECONFIG,
				     "domain '%s' is not a host name",
				     rmt_printable(shown, sizeof(shown),
					       e->domain));
	if ((rc = rmt_opt_text(&e->api_url, e->host, cfg, "api_url", "E2B_API_URL",
			   err)))
		return rc;
	if (!e->api_url && asprintf(&e->api_url, "https://api.%s",
				    e->domain) < 0) {
		e->api_url = NULL;
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	if ((rc = rmt_url_ok(e->api_url, "api_url", err)) ||
	    (rc = rmt_opt_text(&e->sandbox_url, e->host, cfg, "sandbox_url",
			   "E2B_SANDBOX_URL", err)))
		return rc;
	return e->sandbox_url ? rmt_url_ok(e->sandbox_url, "sandbox_url", err)
			      : 0;
}

/* The numbers and switches, written straight into e (bounds: the table's). */
static const wsp_option_field e2b_fields[] = {
	WSP_OPTION_FIELD(struct e2b, exec_timeout_ms, "command_timeout"),
	WSP_OPTION_FIELD(struct e2b, request_timeout_ms, "request_timeout"),
	WSP_OPTION_FIELD(struct e2b, max_capture, "max_capture"),
	WSP_OPTION_FIELD(struct e2b, allow_internet, "allow_internet"),
	WSP_OPTION_FIELD(struct e2b, auto_pause, "auto_pause"),
	WSP_OPTION_FIELD(struct e2b, secure, "secure"),
	WSP_OPTION_FIELD(struct e2b, public_traffic, "public_traffic"),
	WSP_OPTION_FIELD(struct e2b, recreate, "recreate"),
	WSP_OPTION_FIELD(struct e2b, install_mount_tools,
			 "install_mount_tools"),
	WSP_OPTION_FIELD_END,
};

static int read_numbers(struct e2b *e, const wsp_config *cfg, wsp_error *err)
{
	const wsp_host *h = e->host;
	int64_t life = 0;
	int rc;

	if ((rc = h->opt_fill(e, h, cfg, e2b_fields, err)) ||
	    (rc = h->opt_duration(&life, h, cfg, "timeout", err)))
		return rc;
	if (life % 1000)
		return wsp_error_set(err, WSP_ECONFIG,
				     "timeout: whole seconds (E2B counts no "
				     "less)");
	e->lifetime_s = life / 1000;
	return 0;
}

static int read_options(struct e2b *e, const wsp_config *cfg,
			wsp_error *err)
{
	char shown[64];
	int rc;

	if ((rc = rmt_opt_text(&e->api_key, e->host, cfg, "api_key", "E2B_API_KEY",
			   err)))
		return rc;
	if (!e->api_key)
		return wsp_error_set(err, WSP_ECONFIG,
				     "no E2B API key: set the option api_key "
				     "or E2B_API_KEY");
	if (strpbrk(e->api_key, "\r\n"))
		return wsp_error_set(err, WSP_ECONFIG,
				     "the E2B API key holds a line break");
	if ((rc = read_urls(e, cfg, err)) ||
	    (rc = rmt_opt_text(&e->template_id, e->host, cfg, "template", NULL, err)) ||
	    (rc = rmt_opt_text(&e->working_dir, e->host, cfg, "working_dir", NULL,
			   err)) ||
	    (rc = rmt_opt_text(&e->user, e->host, cfg, "user", NULL, err)) ||
	    (rc = read_numbers(e, cfg, err)) ||
	    (rc = map_opt(&e->metadata, e, cfg, "metadata", err)) ||
	    (rc = map_opt(&e->envs, e, cfg, "env", err)) ||
	    (rc = rules_opt(&e->allow_out, e, cfg, "allow_out", err)) ||
	    (rc = rules_opt(&e->deny_out, e, cfg, "deny_out", err)))
		return rc;
	if (!e->template_id || !e->working_dir || e->working_dir[0] != '/')
		return wsp_error_set(err, WSP_ECONFIG,
				     "template must be set and working_dir "
				     "absolute");
	if (e->user && (!rmt_env_name_ok(e->user) || strlen(e->user) > 64))
		return wsp_error_set(err, WSP_ECONFIG,
				     "user '%s' is not a user name",
				     rmt_printable(shown, sizeof(shown), e->user));
	/* how a later wsp, or an operator, finds the sandbox by its id */
	if (!e->metadata && !(e->metadata = cJSON_CreateObject()))
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	if (!cJSON_AddStringToObject(e->metadata, E2B_META_ID, e->instance_id))
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	return 0;
}

int e2b_open(struct e2b **out, const wsp_host *host,
	     const wsp_instance_args *args, wsp_error *err)
{
	struct e2b *e = calloc(1, sizeof(*e));
	int rc;

	if (!e)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	e->host = host;
	e->state = WSP_HAS_MEMBER(wsp_instance_args, args, state) ? args->state
								  : NULL;
	pthread_mutex_init(&e->lock, NULL);
	if (!(e->instance_id = strdup(args->instance_id ? args->instance_id
							 : "")) ||
	    !(e->state_dir = strdup(args->state_dir ? args->state_dir : ""))) {
		e2b_close(e);
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	if (!e->instance_id[0] || strlen(e->instance_id) > 256)
		rc = wsp_error_set(err, WSP_ECONFIG,
				   "an E2B sandbox needs an id of 1..256 bytes");
	else if (!(rc = rmt_need_streams(host, err)))
		rc = read_options(e, args->options, err);
	if (rc) {
		e2b_close(e);
		return rc;
	}
	*out = e;
	return 0;
}

void e2b_close(struct e2b *e)
{
	if (!e)
		return;
	/* wipe the secrets before the memory goes back */
	rmt_wipe(e->api_key);
	rmt_wipe(e->conn.token);
	rmt_wipe(e->conn.traffic);
	free(e->api_key);
	free(e->api_url);
	free(e->sandbox_url);
	free(e->domain);
	free(e->template_id);
	free(e->working_dir);
	free(e->user);
	free(e->instance_id);
	free(e->state_dir);
	cJSON_Delete(e->metadata);
	cJSON_Delete(e->envs);
	cJSON_Delete(e->allow_out);
	cJSON_Delete(e->deny_out);
	pthread_mutex_destroy(&e->lock);
	free(e);
}
