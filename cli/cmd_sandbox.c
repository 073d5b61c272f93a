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

static const char usage_text[] =
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
	"  --files     also remove its working files\n"
	"status        print its state: absent, running, stopped, ...\n"
	"info          print what it is: id, provider, state, cpus, memory,\n"
	"              isolation, directories, limits (a key and its value a line)\n"
	"instructions  print the text describing it to an agent\n"
	"mount         mount the store behind workspace path STORE_PATH (an S3\n"
	"              or GCS mount, say) at SANDBOX_PATH inside the sandbox; its\n"
	"              credentials go to the sandbox provider only\n"
	"  --read-only mount it read-only\n"
	"unmount       unmount what is mounted at SANDBOX_PATH\n"
	"pause         freeze it and its background processes (memory and files\n"
	"              kept); commands and new processes are refused until\n"
	"              resume. The local sandbox needs a writable cgroup freezer\n"
	"              (root); elsewhere it says \"not supported\"\n"
	"resume        thaw what pause froze\n"
	"timeout       stop it once idle for DURATION (30s, 10m, 1h; 0 = never)\n"
	"  --keepalive only mark it active now\n"
	"preview       print a URL reaching PORT inside the sandbox, and the\n"
	"              header a request needs, if any (its value masked)\n"
	"  --show-secret  print the header's value\n"
	"\n"
	"Operations a provider does not offer fail with \"not supported\".\n"
	"With the global --json every subcommand prints one JSON object: start\n"
	"{outcome}, stop {state}, destroy {destroyed, files}, status {state},\n"
	"info {key: value...}, instructions {instructions}, mount {mounted,\n"
	"read_only}, unmount {unmounted}, pause and resume {state}, timeout\n"
	"{idle_ms} or {keepalive}, preview {url, header}.\n";

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
	const char *sub = argc > 1 ? argv[1] : NULL;
	wsp_workspace *ws;
	wsp_error err;
	uint32_t v = 0;
	int files = 0, read_only = 0, n_paths = 0, i;
	const char *paths[2] = { NULL, NULL };

	if (cli_wants_help(argc, argv)) {
		fputs(usage_text, stdout);
		return WSP_EXIT_OK;
	}
	if (!sub)
		return cli_usage("sandbox", "no subcommand given");
	if (!strcmp(sub, "pause") || !strcmp(sub, "resume") ||
	    !strcmp(sub, "timeout") || !strcmp(sub, "preview"))
		return cmd_sandbox_slot(cli, argc, argv);
	for (i = 2; i < argc; i++) {
		if (!strcmp(sub, "destroy") && !strcmp(argv[i], "--files"))
			files = 1;
		else if (!strcmp(sub, "mount") &&
			 !strcmp(argv[i], "--read-only"))
			read_only = 1;
		else if ((!strcmp(sub, "mount") && n_paths < 2) ||
			 (!strcmp(sub, "unmount") && n_paths < 1))
			paths[n_paths++] = argv[i];
		else
			return cli_usage("sandbox", "unexpected argument '%s'",
					 argv[i]);
	}
	if (strcmp(sub, "start") && strcmp(sub, "stop") &&
	    strcmp(sub, "destroy") && strcmp(sub, "status") &&
	    strcmp(sub, "info") && strcmp(sub, "instructions") &&
	    strcmp(sub, "mount") && strcmp(sub, "unmount"))
		return cli_usage("sandbox", "unknown subcommand '%s'", sub);
	if ((!strcmp(sub, "mount") && n_paths != 2) ||
	    (!strcmp(sub, "unmount") && n_paths != 1))
		return cli_usage("sandbox", "%s needs %s", sub,
				 !strcmp(sub, "mount")
					 ? "STORE_PATH and SANDBOX_PATH"
					 : "SANDBOX_PATH");
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
		if (wsp_sandbox_mount(ws, NULL, paths[0], paths[1],
				      read_only ? WSP_MOUNT_READ_ONLY : 0,
				      &err) < 0)
			return fail(&err);
		if (cli->json) {
			fputs("{\"mounted\":", stdout);
			cli_put_json(paths[1]);
			printf(",\"read_only\":%s}\n",
			       read_only ? "true" : "false");
		}
	} else if (!strcmp(sub, "unmount")) {
		if (wsp_sandbox_unmount(ws, NULL, paths[0], 0, &err) < 0)
			return fail(&err);
		if (cli->json) {
			fputs("{\"unmounted\":", stdout);
			cli_put_json(paths[0]);
			puts("}");
		}
	} else if (!strcmp(sub, "stop")) {
		if (wsp_sandbox_stop(ws, NULL, &err) < 0)
			return fail(&err);
		if (cli->json)
			puts("{\"state\":\"stopped\"}");
	} else if (!strcmp(sub, "destroy")) {
		if (wsp_sandbox_destroy(ws, NULL, files ? WSP_DESTROY_FILES : 0,
					&err) < 0)
			return fail(&err);
		if (cli->json)
			printf("{\"destroyed\":true,\"files\":%s}\n",
			       files ? "true" : "false");
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
