/*
 * cli/cmd_sandbox_slots.c - `wsp sandbox pause|resume|timeout|preview`:
 * the sandbox operations that came with ABI 2.0, each optional (a
 * provider that cannot do one answers "not supported", exit 1).
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Mask shown for a preview header's value unless --show-secret. */
#define SECRET_MASK "********"

static int fail(wsp_error *err)
{
	cli_fail_error(err);
	return WSP_EXIT_FAIL;
}

static int pause_resume(struct wsp_cli *cli, const char *sub,
			const struct sandbox_args *a)
{
	wsp_workspace *ws;
	wsp_error err;
	int pause = !strcmp(sub, "pause");

	if (a->n_args)
		return cli_usage("sandbox", "%s takes no arguments", sub);
	if (cli_workspace(&ws, cli))
		return WSP_EXIT_FAIL;
	if ((pause ? wsp_sandbox_pause(ws, NULL, &err)
		   : wsp_sandbox_resume(ws, NULL, &err)) < 0)
		return fail(&err);
	if (cli->json)
		printf("{\"state\":\"%s\"}\n", pause ? "paused" : "running");
	return WSP_EXIT_OK;
}

static int timeout(struct wsp_cli *cli, const struct sandbox_args *a)
{
	const char *dur = a->n_args ? a->args[0] : NULL;
	int keepalive = a->keepalive;
	int64_t ms = 0;
	wsp_workspace *ws;
	wsp_error err;

	if (a->n_args > 1)
		return cli_usage("sandbox", "unexpected argument '%s'",
				 a->args[1]);
	if (keepalive == !!dur)
		return cli_usage("sandbox", "timeout needs a duration (0 for "
					    "none) or --keepalive");
	if (dur && wsp_parse_duration_ms(&ms, dur))
		return cli_usage("sandbox",
				 "bad duration '%s' (e.g. 30s, "
				 "1.5h, 0)",
				 dur);
	if (cli_workspace(&ws, cli))
		return WSP_EXIT_FAIL;
	if (wsp_sandbox_set_timeout(ws, NULL, (uint64_t)ms,
				    keepalive ? WSP_SANDBOX_KEEPALIVE : 0,
				    &err) < 0)
		return fail(&err);
	if (cli->json && keepalive)
		puts("{\"keepalive\":true}");
	else if (cli->json)
		printf("{\"idle_ms\":%lld}\n", (long long)ms);
	return WSP_EXIT_OK;
}

static int preview(struct wsp_cli *cli, const struct sandbox_args *a)
{
	const char *port_arg = a->n_args ? a->args[0] : NULL;
	int show = a->show_secret, rc = WSP_EXIT_OK;
	unsigned long port;
	char *end;
	wsp_preview p;
	wsp_workspace *ws;
	wsp_error err;

	if (a->n_args > 1)
		return cli_usage("sandbox", "unexpected argument '%s'",
				 a->args[1]);
	if (!port_arg)
		return cli_usage("sandbox", "preview needs a port");
	port = strtoul(port_arg, &end, 10);
	if (*end || end == port_arg || port < 1 || port > 65535)
		return cli_usage("sandbox", "bad port '%s' (1..65535)",
				 port_arg);
	if (cli_workspace(&ws, cli))
		return WSP_EXIT_FAIL;
	memset(&p, 0, sizeof(p));
	p.struct_size = sizeof(p);
	if (wsp_sandbox_preview(&p, ws, NULL, (uint32_t)port, &err) < 0)
		return fail(&err);
	if (cli->json) {
		fputs("{\"url\":", stdout);
		cli_put_json(p.url);
		if (p.header_name[0]) {
			fputs(",\"header\":{\"name\":", stdout);
			cli_put_json(p.header_name);
			fputs(",\"value\":", stdout);
			cli_put_json(show ? p.header_value : SECRET_MASK);
			putchar('}');
		}
		puts("}");
	} else {
		puts(p.url);
		if (p.header_name[0])
			printf("%s: %s\n", p.header_name,
			       show ? p.header_value : SECRET_MASK);
	}
	memset(p.header_value, 0, sizeof(p.header_value));
	return rc;
}

int cmd_sandbox_slot(struct wsp_cli *cli, const char *sub,
		     const struct sandbox_args *a)
{
	if (!strcmp(sub, "pause") || !strcmp(sub, "resume"))
		return pause_resume(cli, sub, a);
	if (!strcmp(sub, "timeout"))
		return timeout(cli, a);
	return preview(cli, a);
}
