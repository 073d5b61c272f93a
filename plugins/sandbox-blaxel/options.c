/*
 * plugins/sandbox-blaxel/options.c - the provider's options and an
 * instance made from them.
 *
 * Credentials default from the variables Blaxel's own tools read
 * (BL_API_KEY, BL_WORKSPACE, BL_API_URL, BL_REGION), so a machine set up
 * for the `bl` CLI or the SDK works without repeating them. The key is a
 * SECRET: it goes into request headers only, and the requests name it as
 * a secret so the core masks it in every log line and message; no error
 * here ever quotes it, and a sandbox variable holding it is refused.
 */
#include "blaxel.h"
#include "remote.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIB (1024ull * 1024ull)

const wsp_option_spec bl_options[] = {
	WSP_OPTION(WSP_OPT_SECRET, "api_key", NULL,
		   "Blaxel API key (default: $BL_API_KEY)"),
	WSP_OPTION(WSP_OPT_STRING, "workspace", NULL,
		   "Blaxel workspace (default: $BL_WORKSPACE)"),
	WSP_OPTION(WSP_OPT_STRING, "api_url", NULL,
		   "control plane URL (default: $BL_API_URL or "
		   "https://api.blaxel.ai/v0)"),
	WSP_OPTION(WSP_OPT_STRING, "name", NULL,
		   "the sandbox's Blaxel name (default: from the sandbox id)"),
	WSP_OPTION(WSP_OPT_STRING, "image", "blaxel/base-image:latest",
		   "image a new sandbox starts from"),
	WSP_OPTION_RANGE(WSP_OPT_SIZE, "memory", "4GiB", "512MiB", "256GiB",
			 "memory of a new sandbox (whole MiB; CPUs follow it)"),
	WSP_OPTION(
		WSP_OPT_STRING, "region", NULL,
		"region of a new sandbox (default: $BL_REGION, else Blaxel's)"),
	WSP_OPTION_RANGE(WSP_OPT_DURATION, "ttl", NULL, "1s", NULL,
			 "a new sandbox is deleted this long after creation "
			 "(whole seconds; none: kept)"),
	WSP_OPTION(WSP_OPT_LIST, "ports", NULL,
		   "ports a new sandbox exposes: [NAME:]PORT[/HTTP|/TCP]"),
	WSP_OPTION(WSP_OPT_MAP, "env", NULL,
		   "variables of every command in a new sandbox"),
	WSP_OPTION(WSP_OPT_MAP, "labels", NULL,
		   "labels of a new sandbox (wsp-id is always added)"),
	WSP_OPTION(WSP_OPT_STRING, "working_dir", "/blaxel",
		   "absolute directory commands run in"),
	WSP_OPTION_RANGE(WSP_OPT_DURATION, "timeout", "30s", "1ms", NULL,
			 "default timeout of a command"),
	RMT_OPT_REQUEST_TIMEOUT,
	WSP_OPTION_RANGE(WSP_OPT_DURATION, "start_timeout", "5m", "1ms", NULL,
			 "longest wait for a sandbox to be deployed"),
	RMT_OPT_MAX_CAPTURE,
	RMT_OPT_INSTALL_MOUNT_TOOLS,
	WSP_OPTION_END,
};

/*
 * wsp's ids are free text; Blaxel names are [a-z0-9-] of at most 49,
 * starting and ending with a letter or digit. Lower-case, and anything
 * else becomes '-'; an id that leaves nothing usable is refused.
 */
int bl_name_from_id(char *out, size_t cap, const char *id)
{
	size_t n = 0;

	for (const char *c = id; *c && n + 1 < cap && n < BL_NAME_MAX; c++) {
		unsigned char ch = (unsigned char)tolower((unsigned char)*c);

		out[n++] = isalnum(ch) && ch < 128 ? (char)ch : '-';
	}
	while (n && out[n - 1] == '-')
		n--;
	out[n] = '\0';
	return n && out[0] != '-' ? 0 : WSP_EINVAL;
}

static int name_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > BL_NAME_MAX || s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (; *s; s++)
		if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) ||
		      *s == '-'))
			return 0;
	return 1;
}

/* "web:3000/http" -> {"name":"web","target":3000,"protocol":"HTTP"} */
static int parse_port(cJSON *arr, const char *item, wsp_error *err)
{
	char buf[128], what[64], *colon, *slash, *end, *num = buf;
	const char *proto = "HTTP";
	cJSON *p;
	long v;

	rmt_printable(what, sizeof(what), item);
	if (strlen(item) >= sizeof(buf))
		return wsp_error_set(err, WSP_ECONFIG, "ports: '%s' is too long",
				     what);
	strcpy(buf, item);
	slash = strchr(buf, '/');
	if (slash) {
		*slash++ = '\0';
		if (!strcasecmp(slash, "tcp"))
			proto = "TCP";
		else if (strcasecmp(slash, "http"))
			return wsp_error_set(err, WSP_ECONFIG,
					     "ports: '%s': the protocol is "
					     "HTTP or TCP",
					     what);
	}
	colon = strchr(buf, ':');
	if (colon) {
		*colon = '\0';
		num = colon + 1;
		if (!name_ok(buf))
			return wsp_error_set(err, WSP_ECONFIG,
					     "ports: '%s': a port's name is "
					     "[a-z0-9-]",
					     what);
	}
	v = strtol(num, &end, 10);
	if (!*num || *end || v < 1 || v > 65535)
		return wsp_error_set(err, WSP_ECONFIG,
				     "ports: '%s' is not [NAME:]PORT[/HTTP|/TCP] "
				     "with PORT 1..65535",
				     what);
	if (v == 80 || v == 443 || v == 8080)
		return wsp_error_set(err, WSP_ECONFIG,
				     "ports: %ld is reserved by Blaxel (80, 443 "
				     "and 8080 are)",
				     v);
	p = cJSON_CreateObject();
	if (!p || !cJSON_AddStringToObject(p, "name", colon ? buf : "") ||
	    !cJSON_AddNumberToObject(p, "target", (double)v) ||
	    !cJSON_AddStringToObject(p, "protocol", proto)) {
		cJSON_Delete(p);
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	if (!colon) { /* Blaxel wants a name: make one from the number */
		snprintf(buf, sizeof(buf), "port-%ld", v);
		cJSON_ReplaceItemInObject(p, "name", cJSON_CreateString(buf));
	}
	cJSON_AddItemToArray(arr, p);
	return 0;
}

static int read_ports(struct bl *b, const wsp_config *cfg, wsp_error *err)
{
	const char *const *items = NULL;
	int rc = b->host->opt_list(&items, b->host, cfg, "ports", err);

	if (rc == WSP_ENOTFOUND || (!rc && (!items || !items[0])))
		return 0;
	if (rc)
		return rc;
	b->ports = cJSON_CreateArray();
	if (!b->ports)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	for (size_t i = 0; items[i]; i++)
		if ((rc = parse_port(b->ports, items[i], err)))
			return rc;
	return 0;
}

static int read_env(struct bl *b, const wsp_config *cfg, wsp_error *err)
{
	const char *const *kv = NULL;
	int rc = b->host->opt_map(&kv, b->host, cfg, "env", err);
	char what[64];

	if (rc == WSP_ENOTFOUND || (!rc && (!kv || !kv[0])))
		return 0;
	if (rc)
		return rc;
	b->envs = cJSON_CreateArray();
	if (!b->envs)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	for (size_t i = 0; kv[i] && kv[i + 1]; i += 2) {
		cJSON *e;

		rmt_printable(what, sizeof(what), kv[i]);
		if (!rmt_env_name_ok(kv[i]))
			return wsp_error_set(err, WSP_ECONFIG,
					     "env: '%s' is not a variable name",
					     what);
		/* the key must never reach a command's environment */
		if (b->api_key && !strcmp(kv[i + 1], b->api_key))
			return wsp_error_set(err, WSP_ECONFIG,
					     "env: '%s' holds the Blaxel API "
					     "key; it is never passed into the "
					     "sandbox",
					     what);
		e = cJSON_CreateObject();
		if (!e || !cJSON_AddStringToObject(e, "name", kv[i]) ||
		    !cJSON_AddStringToObject(e, "value", kv[i + 1])) {
			cJSON_Delete(e);
			return wsp_error_set(err, WSP_ENOMEM, "out of memory");
		}
		cJSON_AddItemToArray(b->envs, e);
	}
	return 0;
}

static int read_labels(struct bl *b, const wsp_config *cfg, wsp_error *err)
{
	const char *const *kv = NULL;
	int rc = b->host->opt_map(&kv, b->host, cfg, "labels", err);
	char what[64];

	if (rc && rc != WSP_ENOTFOUND)
		return rc;
	b->labels = cJSON_CreateObject();
	if (!b->labels)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	for (size_t i = 0; !rc && kv && kv[i] && kv[i + 1]; i += 2) {
		rmt_printable(what, sizeof(what), kv[i]);
		if (!strcmp(kv[i], "wsp-id"))
			return wsp_error_set(err, WSP_ECONFIG,
					     "labels: 'wsp-id' is wsp's own "
					     "(the sandbox id)");
		if (!*kv[i] || strlen(kv[i]) > 63 || strlen(kv[i + 1]) > 256)
			return wsp_error_set(err, WSP_ECONFIG,
					     "labels: '%s': keys are 1..63 "
					     "bytes, values at most 256",
					     what);
		cJSON_AddStringToObject(b->labels, kv[i], kv[i + 1]);
	}
	/* how a later wsp, or an operator, finds the sandbox by its id */
	if (!cJSON_AddStringToObject(b->labels, "wsp-id", b->instance_id))
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	return 0;
}

static int read_names(struct bl *b, const wsp_config *cfg,
		      const wsp_instance_args *args, wsp_error *err)
{
	char *name = NULL, what[64];
	int rc = rmt_opt_text(&name, b->host, cfg, "name", NULL, err);

	if (rc)
		return rc;
	if (name) {
		rmt_printable(what, sizeof(what), name);
		rc = name_ok(name) ? 0
				   : wsp_error_set(err, WSP_ECONFIG,
						   "name '%s': Blaxel names are "
						   "1..%d of [a-z0-9-], not "
						   "starting or ending with '-'",
						   what, BL_NAME_MAX);
		if (!rc)
			snprintf(b->config_name, sizeof(b->config_name), "%s",
				 name);
		free(name);
		return rc;
	}
	rmt_printable(what, sizeof(what), args->instance_id ? args->instance_id : "");
	if (!args->instance_id ||
	    bl_name_from_id(b->config_name, sizeof(b->config_name),
			    args->instance_id))
		return wsp_error_set(err, WSP_ECONFIG,
				     "the sandbox id '%s' gives no Blaxel name; "
				     "set the option name",
				     what);
	return 0;
}

/* The numbers and switches written straight into b. */
static const wsp_option_field bl_fields[] = {
	WSP_OPTION_FIELD(struct bl, timeout_ms, "timeout"),
	WSP_OPTION_FIELD(struct bl, request_timeout_ms, "request_timeout"),
	WSP_OPTION_FIELD(struct bl, start_timeout_ms, "start_timeout"),
	WSP_OPTION_FIELD(struct bl, max_capture, "max_capture"),
	WSP_OPTION_FIELD(struct bl, install_mount_tools, "install_mount_tools"),
	WSP_OPTION_FIELD_END,
};

static int read_sizes(struct bl *b, const wsp_config *cfg, wsp_error *err)
{
	const wsp_host *h = b->host;
	uint64_t mem = 0;
	int64_t ttl = 0;
	int rc;

	/* ranges are the table's bounds; what is left is Blaxel's units */
	if ((rc = h->opt_fill(b, h, cfg, bl_fields, err)) ||
	    (rc = h->opt_size(&mem, h, cfg, "memory", err)))
		return rc;
	if (mem % MIB)
		return wsp_error_set(err, WSP_ECONFIG, "memory: whole MiB");
	b->memory_mb = mem / MIB;
	rc = h->opt_duration(&ttl, h, cfg, "ttl", err);
	if (rc && rc != WSP_ENOTFOUND)
		return rc;
	if (!rc) {
		if (ttl % 1000)
			return wsp_error_set(err, WSP_ECONFIG,
					     "ttl: whole seconds");
		if (asprintf(&b->ttl, "%llds", (long long)(ttl / 1000)) < 0) {
			b->ttl = NULL;
			return wsp_error_set(err, WSP_ENOMEM, "out of memory");
		}
	}
	return 0;
}

static int read_options(struct bl *b, const wsp_config *cfg,
			const wsp_instance_args *args, wsp_error *err)
{
	const wsp_host *h = b->host;
	int rc;

	if ((rc = rmt_opt_text(&b->api_key, h, cfg, "api_key", "BL_API_KEY",
			     err)))
		return rc;
	if (!b->api_key)
		return wsp_error_set(err, WSP_ECONFIG,
				     "no Blaxel API key: set the option "
				     "api_key or BL_API_KEY");
	b->secrets[0] = b->api_key;
	if ((rc = rmt_opt_text(&b->workspace, h, cfg, "workspace",
			     "BL_WORKSPACE", err)))
		return rc;
	if (!b->workspace)
		return wsp_error_set(err, WSP_ECONFIG,
				     "no Blaxel workspace: set the option "
				     "workspace or BL_WORKSPACE");
	if ((rc = rmt_opt_text(&b->api_url, h, cfg, "api_url", "BL_API_URL",
			     err)))
		return rc;
	if (!b->api_url && !(b->api_url = strdup("https://api.blaxel.ai/v0")))
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	if ((rc = rmt_url_ok(b->api_url, "api_url", err)) ||
	    (rc = read_names(b, cfg, args, err)) ||
	    (rc = rmt_opt_text(&b->image, h, cfg, "image", NULL, err)) ||
	    (rc = rmt_opt_text(&b->region, h, cfg, "region", "BL_REGION",
			     err)) ||
	    (rc = rmt_opt_text(&b->working_dir, h, cfg, "working_dir", NULL,
			     err)) ||
	    (rc = read_sizes(b, cfg, err)) || (rc = read_ports(b, cfg, err)) ||
	    (rc = read_env(b, cfg, err)) || (rc = read_labels(b, cfg, err)))
		return rc;
	if (!b->image || !b->working_dir || b->working_dir[0] != '/')
		return wsp_error_set(err, WSP_ECONFIG,
				     "image must be set and working_dir "
				     "absolute");
	return 0;
}

int bl_open(struct bl **out, const wsp_host *host,
	    const wsp_instance_args *args, wsp_error *err)
{
	struct bl *b = calloc(1, sizeof(*b));
	int rc;

	if (!b)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	b->host = host;
	b->state = WSP_HAS_MEMBER(wsp_instance_args, args, state) ? args->state
								  : NULL;
	pthread_mutex_init(&b->lock, NULL);
	b->instance_id = strdup(args->instance_id ? args->instance_id : "");
	if (!b->instance_id) {
		bl_close(b);
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	rc = rmt_need_streams(host, err);
	if (!rc)
		rc = read_options(b, args->options, args, err);
	if (rc) {
		bl_close(b);
		return rc;
	}
	memcpy(b->name, b->config_name, sizeof(b->name));
	*out = b;
	return 0;
}

void bl_close(struct bl *b)
{
	if (!b)
		return;
	rmt_wipe(b->api_key); /* before the memory goes back */
	free(b->api_key);
	free(b->workspace);
	free(b->api_url);
	free(b->image);
	free(b->region);
	free(b->ttl);
	free(b->working_dir);
	free(b->instance_id);
	cJSON_Delete(b->ports);
	cJSON_Delete(b->envs);
	cJSON_Delete(b->labels);
	pthread_mutex_destroy(&b->lock);
	free(b);
}
