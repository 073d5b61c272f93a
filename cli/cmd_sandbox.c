/*
 * cli/cmd_sandbox.c - `wsp sandbox start|stop|destroy|status|info|
 * instructions|mount|unmount`: the lifecycle of the workspace's sandbox,
 * and object stores mounted inside it (pause, resume, timeout and
 * preview: cmd_sandbox_slots.c).
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	SB_FILES = CLI_LONG,
	SB_READ_ONLY,
	SB_KEEPALIVE,
	SB_SHOW_SECRET
};

static const struct cli_opt sandbox_opts[] = {
	{SB_FILES, "files", NULL, "destroy: also remove its working files"},
	{SB_READ_ONLY, "read-only", NULL, "mount: mount it read-only"},
	{SB_KEEPALIVE, "keepalive", NULL, "timeout: only mark it active now"},
	{SB_SHOW_SECRET, "show-secret", NULL,
	 "preview: print the header's value"},
	{0, NULL, NULL, NULL},
};

/* The subcommand each option of sandbox_opts belongs to, in order. */
static const char *const opt_sub[] = {"destroy", "mount", "timeout",
				      "preview"};

static const struct cli_cmd sandbox_cmd = {
	"sandbox",
	"usage: wsp sandbox start\n"
	"   or: wsp sandbox stop\n"
	"   or: wsp sandbox destroy [--files]\n"
	"   or: wsp sandbox status\n"
	"   or: wsp sandbox info\n"
	"   or: wsp sandbox instructions\n"
	"   or: wsp sandbox mount [--read-only] STORE_PATH SANDBOX_PATH\n"
	"   or: wsp sandbox unmount SANDBOX_PATH\n"
	"   or: wsp sandbox pause | resume\n"
	"   or: wsp sandbox timeout DURATION | --keepalive\n"
	"   or: wsp sandbox preview PORT [--show-secret]\n"
	"\n"
	"start         create the sandbox, or reconnect to it by its configured\n"
	"              id; prints \"created\" or \"connected\"\n"
	"stop          stop it and kill its background processes (files and\n"
	"              state stay; start makes it run again)\n"
	"destroy       stop it and remove its state (the local sandbox's state\n"
	"              directory: background process logs and status)\n"
	"status        print its state: absent, running, stopped, ...\n"
	"info          print what it is: id, provider, state, cpus, memory,\n"
	"              isolation, directories, limits (a key and its value a line)\n"
	"instructions  print the text describing it to an agent\n"
	"mount         mount the store behind workspace path STORE_PATH (an S3\n"
	"              or GCS mount, say) at SANDBOX_PATH inside the sandbox; its\n"
	"              credentials go to the sandbox provider only\n"
	"unmount       unmount what is mounted at SANDBOX_PATH\n"
	"pause         freeze it and its background processes (memory and files\n"
	"              kept); commands and new processes are refused until\n"
	"              resume. The local sandbox needs a writable cgroup freezer\n"
	"              (root); elsewhere it says \"not supported\"\n"
	"resume        thaw what pause froze\n"
	"timeout       stop it once idle for DURATION (30s, 10m, 1h; 0 = never)\n"
	"preview       print a URL reaching PORT inside the sandbox, and the\n"
	"              header a request needs, if any (its value masked)\n",
	sandbox_opts,
	"Operations a provider does not offer fail with \"not supported\".\n"
	"With the global --json every subcommand prints one JSON object: start\n"
	"{outcome}, stop {state}, destroy {destroyed, files}, status {state},\n"
	"info {key: value...}, instructions {instructions}, mount {mounted,\n"
	"read_only}, unmount {unmounted}, pause and resume {state}, timeout\n"
	"{idle_ms} or {keepalive}, preview {url, header}.\n",
	0, NULL};

void cli_put_json(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

struct info_out {
	int json;
	int count;
};

static int print_kv(const char *key, const char *value, void *payload)
{
	struct info_out *o = payload;

	if (o->json) {
		fputs(o->count ? "," : "{", stdout);
		cli_put_json(key);
		putchar(':');
		cli_put_json(value);
	} else {
		printf("%-20s %s\n", key, value);
	}
	o->count++;
	return 0;
}

static int print_text(const void *data, size_t len, void *payload)
{
	(void)payload;
	fwrite(data, 1, len, stdout);
	return 0;
}

static int fail(wsp_error *err)
{
	cli_fail_error(err);
	return WSP_EXIT_FAIL;
}

/* Collects the instructions for --json. */
struct text_buf {
	char *data;
	size_t len;
};

static int keep_text(const void *data, size_t len, void *payload)
{
	struct text_buf *t = payload;
	char *p = realloc(t->data, t->len + len + 1);

	if (!p)
		return WSP_ENOMEM;
	memcpy(p + t->len, data, len);
	t->len += len;
	p[t->len] = '\0';
	t->data = p;
	return 0;
}

/* The text as it comes, or with --json {"instructions": text}. */
static int print_instructions(struct wsp_cli *cli, wsp_workspace *ws)
{
	struct text_buf t = { NULL, 0 };
	wsp_error err;

	if (!cli->json)
		return wsp_sandbox_instructions(ws, NULL, print_text, NULL,
						&err) < 0
			       ? fail(&err)
			       : WSP_EXIT_OK;
	if (wsp_sandbox_instructions(ws, NULL, keep_text, &t, &err) < 0) {
		free(t.data);
		return fail(&err);
	}
	fputs("{\"instructions\":", stdout);
	cli_put_json(t.data ? t.data : "");
	puts("}");
	free(t.data);
	return WSP_EXIT_OK;
}

int cmd_sandbox(struct wsp_cli *cli, int argc, char **argv)
{
	struct sandbox_args a = {0};
	const char *sub;
	struct cli_parse p;
	wsp_workspace *ws;
	wsp_error err;
	uint32_t v = 0;
	unsigned seen = 0; /* bit k - SB_FILES: that option given */
	size_t j;
	int k;

	cli_parse_begin(&p, cli, &sandbox_cmd, argc, argv);
	while ((k = cli_parse_next(&p)) > 0)
		seen |= 1u << (k - SB_FILES);
	if (k != CLI_END)
		return cli_parse_exit(k);
	if (!p.n_operands)
		return cli_usage("sandbox", "no subcommand given");
	sub = p.operands[0];
	if (strcmp(sub, "start") && strcmp(sub, "stop") &&
	    strcmp(sub, "destroy") && strcmp(sub, "status") &&
	    strcmp(sub, "info") && strcmp(sub, "instructions") &&
	    strcmp(sub, "mount") && strcmp(sub, "unmount") &&
	    strcmp(sub, "pause") && strcmp(sub, "resume") &&
	    strcmp(sub, "timeout") && strcmp(sub, "preview"))
		return cli_usage("sandbox", "unknown subcommand '%s'", sub);
	/* each option is one subcommand's (opt_sub) */
	for (j = 0; j < sizeof(opt_sub) / sizeof(opt_sub[0]); j++)
		if ((seen & (1u << j)) && strcmp(sub, opt_sub[j]))
			return cli_usage("sandbox", "%s takes no option '--%s'",
					 sub, sandbox_opts[j].name);
	a.files = !!(seen & (1u << (SB_FILES - SB_FILES)));
	a.read_only = !!(seen & (1u << (SB_READ_ONLY - SB_FILES)));
	a.keepalive = !!(seen & (1u << (SB_KEEPALIVE - SB_FILES)));
	a.show_secret = !!(seen & (1u << (SB_SHOW_SECRET - SB_FILES)));
	a.args = p.operands + 1;
	a.n_args = p.n_operands - 1;
	if (!strcmp(sub, "pause") || !strcmp(sub, "resume") ||
	    !strcmp(sub, "timeout") || !strcmp(sub, "preview"))
		return cmd_sandbox_slot(cli, sub, &a);
	if ((!strcmp(sub, "mount") && a.n_args != 2) ||
	    (!strcmp(sub, "unmount") && a.n_args != 1))
		return cli_usage("sandbox", "%s needs %s", sub,
				 !strcmp(sub, "mount")
					 ? "STORE_PATH and SANDBOX_PATH"
					 : "SANDBOX_PATH");
	if (strcmp(sub, "mount") && strcmp(sub, "unmount") && a.n_args)
		return cli_usage("sandbox", "unexpected argument '%s'",
				 a.args[0]);
	if (cli_workspace(&ws, cli))
		return WSP_EXIT_FAIL;

	if (!strcmp(sub, "start")) {
		if (wsp_sandbox_start(&v, ws, NULL, &err) < 0)
			return fail(&err);
		if (cli->json)
			printf("{\"outcome\":\"%s\"}\n",
			       v == WSP_START_CREATED ? "created"
						      : "connected");
		else
			puts(v == WSP_START_CREATED ? "created" : "connected");
	} else if (!strcmp(sub, "mount")) {
		if (wsp_sandbox_mount(ws, NULL, a.args[0], a.args[1],
				      a.read_only ? WSP_MOUNT_READ_ONLY : 0,
				      &err) < 0)
			return fail(&err);
		if (cli->json) {
			fputs("{\"mounted\":", stdout);
			cli_put_json(a.args[1]);
			printf(",\"read_only\":%s}\n",
			       a.read_only ? "true" : "false");
		}
	} else if (!strcmp(sub, "unmount")) {
		if (wsp_sandbox_unmount(ws, NULL, a.args[0], 0, &err) < 0)
			return fail(&err);
		if (cli->json) {
			fputs("{\"unmounted\":", stdout);
			cli_put_json(a.args[0]);
			puts("}");
		}
	} else if (!strcmp(sub, "stop")) {
		if (wsp_sandbox_stop(ws, NULL, &err) < 0)
			return fail(&err);
		if (cli->json)
			puts("{\"state\":\"stopped\"}");
	} else if (!strcmp(sub, "destroy")) {
		if (wsp_sandbox_destroy(ws, NULL,
					a.files ? WSP_DESTROY_FILES : 0,
					&err) < 0)
			return fail(&err);
		if (cli->json)
			printf("{\"destroyed\":true,\"files\":%s}\n",
			       a.files ? "true" : "false");
	} else if (!strcmp(sub, "status")) {
		if (wsp_sandbox_status(&v, ws, NULL, &err) < 0)
			return fail(&err);
		if (cli->json)
			printf("{\"state\":\"%s\"}\n",
			       wsp_sandbox_state_name(v));
		else
			puts(wsp_sandbox_state_name(v));
	} else if (!strcmp(sub, "info")) {
		struct info_out o = { cli->json, 0 };

		if (wsp_sandbox_info(ws, NULL, print_kv, &o, &err) < 0)
			return fail(&err);
		if (cli->json)
			puts(o.count ? "}" : "{}");
	} else {
		return print_instructions(cli, ws);
	}
	return WSP_EXIT_OK;
}
