/*
 * core/host/host_harness.c - wsp_host_harness_open() (<wsp/harness.h>): the
 * core's own host table, option checking and state store for a provider
 * under test, without a workspace.
 *
 * The table is set up by wsp__host_setup() like an instance's, so every
 * slot is production's; only allocation is counted (tests assert that
 * every buffer a provider hands back is freed) and log lines reach the
 * caller unmasked (the secrets still mask error and stream messages).
 */
#include "config.h"
#include "host.h"
#include "state.h"

#include <wsp/harness.h>

#include <stdlib.h>
#include <string.h>

#define DEFAULT_FILE "options.yaml"
#define DEFAULT_ID   "test"

/* One set_options result; kept until close (an instance may hold it). */
struct optset {
	struct optset *next;
	struct wsp__ynode *tree;
	wsp_config *cfg;
	wsp_instance_args args;
	char **secrets; /* NULL-ended */
};

struct harness {
	wsp_host_harness pub; /* first: callers get &pub */
	struct wsp__host host;
	struct wsp__logsink sink;
	wsp__provider prov; /* the checked, sized option table */
	wsp_state *state;
	char *state_dir, *config_dir, *id;
	struct optset *sets; /* newest first */
	long live;
};

static const char *const no_secrets[] = {NULL};

static struct harness *of_pub(const wsp_host_harness *h)
{
	return (struct harness *)(uintptr_t)h;
}

static struct harness *of_host(const wsp_host *h)
{
	return (struct harness *)((char *)(uintptr_t)h -
				  offsetof(struct harness, host.pub));
}

static void *counted_alloc(const wsp_host *h, size_t size)
{
	void *p = malloc(size ? size : 1);

	if (p)
		__atomic_add_fetch(&of_host(h)->live, 1, __ATOMIC_SEQ_CST);
	return p;
}

static void counted_free(const wsp_host *h, void *p)
{
	if (p)
		__atomic_sub_fetch(&of_host(h)->live, 1, __ATOMIC_SEQ_CST);
	free(p);
}

static long live_allocs(const wsp_host_harness *h)
{
	return __atomic_load_n(&of_pub(h)->live, __ATOMIC_SEQ_CST);
}

static void optset_free(struct optset *s)
{
	for (size_t i = 0; s->secrets && s->secrets[i]; i++)
		free(s->secrets[i]);
	free(s->secrets);
	wsp__options_free(s->cfg);
	wsp__yaml_free(s->tree);
	free(s);
}

/* The values of the SECRET options set in s, each masked from now on. */
static int collect_secrets(struct harness *hh, struct optset *s)
{
	size_t i, n = 0;

	s->secrets = calloc(hh->prov.n_options + 1, sizeof(char *));
	if (!s->secrets)
		return WSP_ENOMEM;
	for (i = 0; i < hh->prov.n_options; i++) {
		if (hh->prov.options[i].type != WSP_OPT_SECRET ||
		    !s->cfg->vals[i].set || !s->cfg->vals[i].text ||
		    !*s->cfg->vals[i].text)
			continue;
		s->secrets[n] = strdup(s->cfg->vals[i].text);
		if (!s->secrets[n] ||
		    wsp__logsink_add_secret(&hh->sink, s->secrets[n]))
			return WSP_ENOMEM;
		n++;
	}
	return 0;
}

/* Parse and check; problems to d. */
static int check(struct harness *hh, struct optset *s, const char *yaml,
		 const char *file, struct wsp__diags *d)
{
	char what[128];
	int rc;

	rc = wsp__yaml_parse(&s->tree, yaml ? yaml : "",
			     yaml ? strlen(yaml) : 0, file, d);
	if (rc)
		return rc;
	if (s->tree && wsp__yaml_is_null(s->tree)) {
		wsp__yaml_free(s->tree);
		s->tree = NULL;
	}
	if (s->tree && s->tree->type != WSP__Y_MAP) {
		wsp__diag_add(d, file, s->tree->line, s->tree->col,
			      "the options must be a mapping, not %s",
			      wsp__yaml_type_name(s->tree));
		return WSP_ECONFIG;
	}
	snprintf(what, sizeof(what), "%s provider '%.64s'",
		 wsp_kind_name(hh->prov.desc.kind), hh->prov.desc.name);
	return wsp__options_check(&s->cfg, hh->prov.options, hh->prov.n_options,
				  s->tree, NULL, what, file, d);
}

static int set_options(wsp_host_harness *h, const char *yaml, const char *file,
		       wsp_error *err)
{
	struct harness *hh = of_pub(h);
	struct wsp__diags d = {0};
	struct optset *s = calloc(1, sizeof(*s));
	int rc;

	if (!s)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	rc = check(hh, s, yaml, file ? file : DEFAULT_FILE, &d);
	for (size_t i = 0; i < d.n; i++)
		wsp__log(&hh->sink, WSP_LOG_ERROR, "%s", d.lines[i]);
	if (rc == WSP_ECONFIG)
		rc = wsp__diag_to_error(&d, err);
	else if (!rc)
		rc = collect_secrets(hh, s);
	if (rc == WSP_ENOMEM)
		wsp_error_set(err, rc, "out of memory");
	wsp__diag_clear(&d);
	if (rc) {
		optset_free(s);
		return rc;
	}
	s->args.struct_size = sizeof(s->args);
	s->args.instance_id = hh->id;
	s->args.options = s->cfg;
	s->args.config_dir = hh->config_dir;
	s->args.state_dir = hh->state_dir;
	s->args.state = hh->state;
	s->next = hh->sets;
	hh->sets = s;
	h->args = &s->args;
	h->secrets = (const char *const *)s->secrets;
	return 0;
}

static void harness_close(wsp_host_harness *h)
{
	struct harness *hh = of_pub(h);
	struct optset *s, *next;

	if (!h)
		return;
	for (s = hh->sets; s; s = next) {
		next = s->next;
		optset_free(s);
	}
	wsp__state_free(hh->state);
	wsp__provider_free_tables(&hh->prov);
	wsp__logsink_fini(&hh->sink);
	free(hh->state_dir);
	free(hh->config_dir);
	free(hh->id);
	free(hh);
}

int wsp_host_harness_open(wsp_host_harness **out,
			  const wsp_host_harness_args *args, wsp_error *err)
{
	wsp_host_harness_args a = {0};
	struct harness *hh;
	int rc;

	*out = NULL;
	if (!args ||
	    args->struct_size < offsetof(wsp_host_harness_args, log_payload) +
					sizeof(void *))
		return wsp_error_set(err, WSP_EINVAL,
				     "wsp_host_harness_open: args missing or "
				     "too small (struct_size)");
	memcpy(&a, args, sizeof(a));
	if (!a.desc || !a.state_dir || !*a.state_dir)
		return wsp_error_set(err, WSP_EINVAL,
				     "wsp_host_harness_open: a descriptor "
				     "and a state directory are required");
	hh = calloc(1, sizeof(*hh));
	if (!hh)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	wsp__logsink_init(&hh->sink, a.log, a.log_payload, WSP_LOG_DEBUG);
	hh->sink.raw = 1;
	rc = wsp__plugin_check(&hh->prov, a.desc, a.desc->kind, NULL, err);
	if (rc) {
		wsp__logsink_fini(&hh->sink);
		free(hh);
		return rc;
	}
	hh->state_dir = strdup(a.state_dir);
	hh->config_dir = strdup(a.config_dir ? a.config_dir : a.state_dir);
	hh->id = strdup(a.instance_id ? a.instance_id : DEFAULT_ID);
	if (!hh->state_dir || !hh->config_dir || !hh->id ||
	    wsp__state_new(&hh->state, hh->state_dir,
			   wsp_kind_name(hh->prov.desc.kind),
			   hh->prov.desc.name, hh->id))
		goto oom;
	wsp__host_setup(&hh->host, &hh->sink, "");
	hh->host.pub.alloc = counted_alloc;
	hh->host.pub.free = counted_free;
	hh->pub.struct_size = sizeof(hh->pub);
	hh->pub.host = &hh->host.pub;
	hh->pub.secrets = no_secrets;
	hh->pub.set_options = set_options;
	hh->pub.live_allocs = live_allocs;
	hh->pub.close = harness_close;
	*out = &hh->pub;
	return 0;
oom:
	harness_close(&hh->pub);
	return wsp_error_set(err, WSP_ENOMEM, "out of memory");
}
