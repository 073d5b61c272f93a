/*
 * cli/cmd_plugins.c - `wsp plugins [list|info NAME]`: the providers on the
 * plugin path, refused ones included with the reason.
 */
#include "cli.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct cli_cmd plugins_cmd = {
	"plugins",
	"usage: wsp plugins [list]\n"
	"   or: wsp plugins info NAME\n"
	"\n"
	"list  every wsp-<kind>-<name>.so on the plugin path, in search\n"
	"      order: kind, name, version, ABI built against, lowest wsp\n"
	"      plugin ABI it runs on (NEEDS), file; refused plugins with\n"
	"      the reason, shadowed ones with the file that wins\n"
	"info  one provider in full: capabilities, option schema and\n"
	"      extension operations. NAME is 'local', or 'fs-local' /\n"
	"      'sandbox-local' to pick a kind\n"
	"\n"
	"The plugin path is --plugin-path, $WSP_PLUGIN_PATH, plugin_path:\n"
	"in the configuration, then the install directory.\n"
	"With the global --json, both print JSON.\n",
	NULL, NULL, 0, NULL};

static const struct {
	uint64_t bit;
	const char *name;
} cap_names[] = {
	{WSP_CAP_FS_STREAMING, "streaming"},
	{WSP_CAP_FS_ATOMIC_WRITE, "atomic-write"},
	{WSP_CAP_FS_CONDITIONAL, "conditional-write"},
	{WSP_CAP_FS_SYMLINKS, "symlinks"},
	{WSP_CAP_FS_LOCAL_PATH, "local-path"},
	{WSP_CAP_FS_MOUNT_SOURCE, "mount-source"},
	{WSP_CAP_SANDBOX_ISOLATION, "isolation"},
	{WSP_CAP_SANDBOX_NETWORK_CONTROL, "network-control"},
	{WSP_CAP_SANDBOX_LIMITS, "limits"},
	{WSP_CAP_SANDBOX_RECONNECT, "reconnect"},
	{WSP_CAP_SANDBOX_MOUNT, "mount"},
	{WSP_CAP_PROC_BACKGROUND, "background"},
	{WSP_CAP_PROC_STDIN, "stdin"},
	{WSP_CAP_PROC_CLOSE_STDIN, "close-stdin"},
	{WSP_CAP_PROC_DETACHED, "detached"},
	{WSP_CAP_PROC_FOLLOW, "follow"},
	{WSP_CAP_PROC_OUTPUT_HISTORY, "output-history"},
};

/* A kind this wsp does not know (a newer plugin's) prints as "?". */
static const char *kind_name(uint32_t kind)
{
	const char *name = wsp_kind_name(kind);

	return name ? name : "?";
}

static const char *status_name(uint32_t status)
{
	switch (status) {
	case WSP_PLUGIN_OK:
		return "ok";
	case WSP_PLUGIN_SHADOWED:
		return "shadowed";
	default:
		return "refused";
	}
}

static const char *type_name(uint32_t type)
{
	static const char *const names[] = {"?",    "string",	"int",
					    "bool", "duration", "size",
					    "list", "map",	"secret"};

	return type < sizeof(names) / sizeof(names[0]) ? names[type] : "?";
}

static void caps_text(char *buf, size_t cap, uint64_t caps)
{
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof(cap_names) / sizeof(cap_names[0]); i++)
		if ((caps & cap_names[i].bit) && n < cap)
			n += (size_t)snprintf(buf + n, cap - n, "%s%s",
					      n ? " " : "", cap_names[i].name);
	if (!buf[0])
		snprintf(buf, cap, "-");
}

static cJSON *info_json(const wsp_plugin_info *p)
{
	cJSON *o = cJSON_CreateObject(), *arr, *e, *ch;
	char abi[32];
	size_t i, c;

	cJSON_AddStringToObject(o, "kind", kind_name(p->kind));
	cJSON_AddStringToObject(o, "name", p->name);
	cJSON_AddStringToObject(o, "status", status_name(p->status));
	cJSON_AddStringToObject(o, "file", p->path);
	if (p->message)
		cJSON_AddStringToObject(o, "message", p->message);
	if (p->status != WSP_PLUGIN_OK)
		return o;
	cJSON_AddStringToObject(o, "version", p->version ? p->version : "");
	cJSON_AddStringToObject(o, "description",
				p->description ? p->description : "");
	snprintf(abi, sizeof(abi), "%u.%u", p->abi_major, p->abi_minor);
	cJSON_AddStringToObject(o, "abi", abi);
	snprintf(abi, sizeof(abi), "%u.%u", p->abi_major,
		 p->abi_minor_required);
	cJSON_AddStringToObject(o, "abi_required", abi);
	arr = cJSON_AddArrayToObject(o, "capabilities");
	for (i = 0; i < sizeof(cap_names) / sizeof(cap_names[0]); i++)
		if (p->caps & cap_names[i].bit)
			cJSON_AddItemToArray(
				arr, cJSON_CreateString(cap_names[i].name));
	arr = cJSON_AddArrayToObject(o, "options");
	for (i = 0; i < p->n_options; i++) {
		const wsp_option_spec *s = &p->options[i];

		e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "name", s->name);
		cJSON_AddStringToObject(e, "type", type_name(s->type));
		cJSON_AddBoolToObject(e, "required",
				      (s->flags & WSP_OPT_REQUIRED) != 0);
		if (s->default_value)
			cJSON_AddStringToObject(e, "default", s->default_value);
		if (s->help)
			cJSON_AddStringToObject(e, "help", s->help);
		if (s->choices) {
			ch = cJSON_AddArrayToObject(e, "choices");
			for (c = 0; s->choices[c]; c++)
				cJSON_AddItemToArray(
					ch, cJSON_CreateString(s->choices[c]));
		}
		if (s->min_value)
			cJSON_AddStringToObject(e, "min", s->min_value);
		if (s->max_value)
			cJSON_AddStringToObject(e, "max", s->max_value);
		cJSON_AddItemToArray(arr, e);
	}
	arr = cJSON_AddArrayToObject(o, "extensions");
	for (i = 0; i < p->n_ext_ops; i++) {
		e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "name", p->ext_ops[i].name);
		cJSON_AddStringToObject(e, "signature",
					p->ext_ops[i].signature);
		if (p->ext_ops[i].help)
			cJSON_AddStringToObject(e, "help", p->ext_ops[i].help);
		cJSON_AddItemToArray(arr, e);
	}
	return o;
}

static void print_json(cJSON *doc)
{
	char *text = cJSON_Print(doc);

	if (text)
		printf("%s\n", text);
	free(text);
	cJSON_Delete(doc);
}

struct list_state {
	int json;
	cJSON *arr;
	int count;
};

static int list_one(const wsp_plugin_info *p, void *payload)
{
	struct list_state *st = payload;
	char abi[16], needs[16];

	st->count++;
	if (st->json) {
		cJSON_AddItemToArray(st->arr, info_json(p));
		return 0;
	}
	if (p->status == WSP_PLUGIN_OK) {
		snprintf(abi, sizeof(abi), "%u.%u", p->abi_major, p->abi_minor);
		snprintf(needs, sizeof(needs), "%u.%u", p->abi_major,
			 p->abi_minor_required);
	} else {
		snprintf(abi, sizeof(abi), "-");
		snprintf(needs, sizeof(needs), "-");
	}
	printf("%-8s %-7s %-12s %-10s %-5s %-5s %s\n", status_name(p->status),
	       kind_name(p->kind), p->name,
	       p->version && p->status == WSP_PLUGIN_OK ? p->version : "-", abi,
	       needs, p->path);
	if (p->message)
		printf("         %s\n", p->message);
	return 0;
}

static int print_dir(const char *dir, const char *source, void *payload)
{
	cJSON *arr = payload, *o;

	if (!arr) {
		printf("  %s  (%s)\n", dir, source);
		return 0;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "dir", dir);
	cJSON_AddStringToObject(o, "source", source);
	cJSON_AddItemToArray(arr, o);
	return 0;
}

static int list(struct wsp_cli *cli, wsp_workspace *ws)
{
	struct list_state st = {cli->json, NULL, 0};
	cJSON *doc = NULL, *dirs = NULL;
	wsp_error err;

	if (cli->json) {
		doc = cJSON_CreateObject();
		dirs = cJSON_AddArrayToObject(doc, "plugin_path");
		st.arr = cJSON_AddArrayToObject(doc, "plugins");
	} else {
		printf("plugin path:\n");
	}
	wsp_workspace_plugin_dirs(ws, print_dir, dirs, &err);
	if (!cli->json)
		printf("\n%-8s %-7s %-12s %-10s %-5s %-5s %s\n", "STATUS",
		       "KIND", "NAME", "VERSION", "ABI", "NEEDS", "FILE");
	if (wsp_workspace_plugins(ws, list_one, &st, &err) < 0) {
		cJSON_Delete(doc);
		cli_fail_error(&err);
		return WSP_EXIT_FAIL;
	}
	if (doc)
		print_json(doc);
	else if (!st.count)
		printf("(no plugins found)\n");
	return WSP_EXIT_OK;
}

static int info_one(const wsp_plugin_info *p, void *payload)
{
	struct list_state *st = payload;
	char caps[256], flags[64];
	size_t i, c;

	st->count++;
	if (st->json) {
		cJSON_AddItemToArray(st->arr, info_json(p));
		return 0;
	}
	if (st->count > 1)
		printf("\n");
	printf("%s provider '%s'\n", kind_name(p->kind), p->name);
	printf("  file:         %s\n", p->path);
	printf("  status:       %s\n", status_name(p->status));
	if (p->message)
		printf("  message:      %s\n", p->message);
	if (p->status != WSP_PLUGIN_OK)
		return 0;
	caps_text(caps, sizeof(caps), p->caps);
	printf("  version:      %s\n", p->version ? p->version : "-");
	printf("  abi:          %u.%u (built against)\n", p->abi_major,
	       p->abi_minor);
	printf("  needs:        wsp plugin ABI %u.%u or newer\n", p->abi_major,
	       p->abi_minor_required);
	printf("  description:  %s\n", p->description ? p->description : "");
	printf("  capabilities: %s\n", caps);
	printf("  options:%s\n", p->n_options ? "" : "      (none)");
	for (i = 0; i < p->n_options; i++) {
		const wsp_option_spec *s = &p->options[i];

		snprintf(flags, sizeof(flags), "%s",
			 s->flags & WSP_OPT_REQUIRED ? ", required" : "");
		printf("    %-20s  %s%s", s->name, type_name(s->type), flags);
		if (s->default_value)
			printf(", default %s", s->default_value);
		printf("\n");
		if (s->choices) {
			printf("    %-20s  one of:", "");
			for (c = 0; s->choices[c]; c++)
				printf(" %s", s->choices[c]);
			printf("\n");
		}
		if (s->min_value && s->max_value)
			printf("    %-20s  from %s to %s\n", "", s->min_value,
			       s->max_value);
		else if (s->min_value || s->max_value)
			printf("    %-20s  at %s %s\n", "",
			       s->min_value ? "least" : "most",
			       s->min_value ? s->min_value : s->max_value);
		if (s->help)
			printf("    %-20s  %s\n", "", s->help);
	}
	if (p->n_ext_ops)
		printf("  extensions:\n");
	for (i = 0; i < p->n_ext_ops; i++)
		printf("    %-20s  (%s) %s\n", p->ext_ops[i].name,
		       p->ext_ops[i].signature,
		       p->ext_ops[i].help ? p->ext_ops[i].help : "");
	return 0;
}

static int info(struct wsp_cli *cli, wsp_workspace *ws, const char *arg)
{
	struct list_state st = {cli->json, NULL, 0};
	cJSON *doc = NULL;
	const char *name = arg;
	uint32_t kinds[2] = {WSP_KIND_FS, WSP_KIND_SANDBOX};
	size_t nk = 2, i;
	wsp_error err;
	int rc;

	if (!strncmp(arg, "fs-", 3) || !strncmp(arg, "fs/", 3)) {
		nk = 1;
		name = arg + 3;
	} else if (!strncmp(arg, "sandbox-", 8) ||
		   !strncmp(arg, "sandbox/", 8)) {
		kinds[0] = WSP_KIND_SANDBOX;
		nk = 1;
		name = arg + 8;
	}
	if (cli->json)
		st.arr = doc = cJSON_CreateArray();
	for (i = 0; i < nk; i++) {
		rc = wsp_workspace_plugin(ws, kinds[i], name, info_one, &st,
					  &err);
		if (rc < 0 && rc != WSP_ENOTFOUND) {
			cJSON_Delete(doc);
			cli_fail_error(&err);
			return WSP_EXIT_FAIL;
		}
	}
	if (!st.count) {
		cJSON_Delete(doc);
		cli_error("no provider '%s' on the plugin path; see 'wsp "
			  "plugins list'",
			  arg);
		return WSP_EXIT_FAIL;
	}
	if (doc)
		print_json(doc);
	return WSP_EXIT_OK;
}

/*
 * The plugin path comes partly from the configuration; when that is
 * broken, still list what the rest of the path holds (a broken config is
 * often why someone looks at their plugins), with a warning.
 */
static int open_for_listing(wsp_workspace **out, struct wsp_cli *cli)
{
	wsp_open_opts opts;
	wsp_error err;

	cli_open_options(&opts, cli);
	if (!wsp_workspace_open(&cli->ws, &opts, &err)) {
		*out = cli->ws;
		return WSP_EXIT_OK;
	}
	if (err.code != WSP_ECONFIG) {
		cli_fail_error(&err);
		return WSP_EXIT_FAIL;
	}
	fprintf(stderr,
		"wsp: warning: %s\nwsp: warning: listing without "
		"the configuration's plugin_path\n",
		err.message);
	opts.flags |= WSP_OPEN_DEFAULT_CONFIG;
	if (wsp_workspace_open(&cli->ws, &opts, &err) < 0) {
		cli_fail_error(&err);
		return WSP_EXIT_FAIL;
	}
	*out = cli->ws;
	return WSP_EXIT_OK;
}

int cmd_plugins(struct wsp_cli *cli, int argc, char **argv)
{
	struct cli_parse p;
	wsp_workspace *ws;
	char **w;
	int rc, n;

	rc = cli_parse_all(&p, cli, &plugins_cmd, argc, argv);
	if (rc != CLI_END)
		return cli_parse_exit(rc);
	w = p.operands;
	n = p.n_operands;
	if (n > 0 && strcmp(w[0], "list") && strcmp(w[0], "info"))
		return cli_usage("plugins", "unknown subcommand '%s'", w[0]);
	if (n > 0 && !strcmp(w[0], "info") && n != 2)
		return cli_usage("plugins", "'info' takes one NAME");
	if (n > 0 && !strcmp(w[0], "list") && n != 1)
		return cli_usage("plugins", "unexpected argument '%s'", w[1]);
	rc = open_for_listing(&ws, cli);
	if (rc)
		return rc;
	if (n > 0 && !strcmp(w[0], "info"))
		return info(cli, ws, w[1]);
	return list(cli, ws);
}
