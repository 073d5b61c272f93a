/*
 * tests/fakehost/probe_provider.c - a small sandbox provider the fake
 * host's tests drive: options of several types, a secret it logs only
 * when told to, a state store write at init, and an exec that waits for
 * its call (cancel token or deadline) the way a remote provider waits
 * for an answer.
 */
#include "probe_provider.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>

static const char *const modes[] = { "fast", "careful", NULL };

static const wsp_option_spec probe_options[] = {
	WSP_OPTION_REQUIRED(WSP_OPT_STRING, "endpoint",
			    "where the made-up service listens"),
	WSP_OPTION(WSP_OPT_SECRET, "token", NULL, "the service's token"),
	WSP_OPTION(WSP_OPT_INT, "retries", "3", "attempts"),
	WSP_OPTION(WSP_OPT_DURATION, "wait", "30s", "how long exec waits"),
	WSP_OPTION_CHOICE("mode", "fast", modes, "how it works"),
	WSP_OPTION(WSP_OPT_BOOL, "log_token", "false",
		   "log the token (a bug the fake host must catch)"),
	WSP_OPTION_END,
};

struct probe {
	const wsp_host *host;
	int64_t wait_ms;
};

static int probe_init(void **out, const wsp_host *host,
		      const wsp_instance_args *args, wsp_error *err)
{
	const char *endpoint, *token = NULL;
	struct probe *p;
	int log_token = 0, rc;

	rc = host->opt_string(&endpoint, host, args->options, "endpoint", err);
	if (rc)
		return rc;
	if (host->opt_string(&token, host, args->options, "token", NULL))
		token = NULL;
	host->opt_bool(&log_token, host, args->options, "log_token", NULL);
	p = calloc(1, sizeof(*p));
	if (!p)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	p->host = host;
	rc = host->opt_duration(&p->wait_ms, host, args->options, "wait",
				err);
	if (rc)
		goto fail;
	host->log(host, WSP_LOG_INFO, "probe: talking to %s", endpoint);
	if (log_token && token)
		host->log(host, WSP_LOG_DEBUG, "probe: using token %s", token);
	rc = host->state_put(host, args->state, "endpoint", endpoint,
			     strlen(endpoint), err);
	if (rc)
		goto fail;
	*out = p;
	return 0;
fail:
	free(p);
	return rc;
}

static void probe_fini(void *self)
{
	free(self);
}

/* Wait for the call as a provider waits for a slow answer. */
static int probe_exec(wsp_exec_result *out, void *self, const wsp_call *call,
		      const wsp_exec_opts *opts, wsp_error *err)
{
	struct probe *p = self;
	const wsp_host *h = p->host;
	int64_t end = p->wait_ms, left;
	struct pollfd pfd = { h->call_fd(h, call), POLLIN, 0 };
	int rc;

	(void)opts;
	while ((rc = h->call_expired(h, call)) == 0 && end > 0) {
		left = h->call_remaining_ms(h, call);
		if (left < 0 || left > 20)
			left = 20; /* also notices a deadline fired early */
		poll(&pfd, pfd.fd >= 0 ? 1 : 0, (int)left);
		end -= left;
	}
	if (rc)
		return wsp_error_set(err, rc, "probe: the call ended (%d)", rc);
	out->exit_code = 0;
	return 0;
}

static const wsp_sandbox_vtable probe_vtable = {
	.struct_size = sizeof(wsp_sandbox_vtable),
	.exec = probe_exec,
};

static const wsp_plugin_desc probe_desc = {
	.magic = WSP_PLUGIN_MAGIC,
	.abi_major = WSP_PLUGIN_ABI_MAJOR,
	.abi_minor = WSP_PLUGIN_ABI_MINOR,
	.struct_size = sizeof(wsp_plugin_desc),
	.abi_minor_required = WSP_PLUGIN_MINOR_REQUIRED,
	.kind = WSP_KIND_SANDBOX,
	.name = "probe",
	.version = "1.0",
	.description = "the fake host's test provider",
	.options = probe_options,
	.init = probe_init,
	.fini = probe_fini,
	.sandbox = &probe_vtable,
};

const wsp_plugin_desc *probe_descriptor(void)
{
	return &probe_desc;
}
