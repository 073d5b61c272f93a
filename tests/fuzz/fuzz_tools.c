/*
 * tests/fuzz/fuzz_tools.c - what an agent or a user types, on arbitrary
 * bytes: tool arguments (JSON) for every tool of a workspace, extension
 * operations' text arguments, and option values. The first byte chooses:
 *
 *   0..199   wsp_tool_call() of tool number byte % count with the rest
 *            as its JSON arguments: the built-in tools and extension
 *            operations exposed as tools (echo, mix, sum, bump, count,
 *            fail, tag). Only a JSON object may be accepted, a result is
 *            one NUL-terminated text of the length it says, and an
 *            extension tool gets only what its schema allows (integers
 *            within +-9e15, finite numbers).
 *   200..239 wsp_workspace_ext_call() of an operation with the rest's
 *            NUL-separated fields as text arguments: an accepted
 *            integer is "-"? digits, an accepted number a decimal one.
 *   240..255 wsp__optvalue_parse() of the rest as a bool, int, duration
 *            or size, checked against strtoll()/strtoull() and the
 *            public wsp_parse_duration_ms()/wsp_parse_size().
 *
 * The workspace is the extension fixtures' (tests/ext): an extdemo
 * sandbox that runs no command and an extfs root that holds no file, so
 * no call changes anything outside the process. bump requires approval,
 * which is always refused.
 */
#include "config.h"

#include <wsp/wsp.h>

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char config[] = "sandbox:\n"
			     "  provider: extdemo\n"
			     "  id: dev-box\n"
			     "mounts:\n"
			     "  /:\n"
			     "    provider: extfs\n"
			     "tools:\n"
			     "  echo_text: {target: extdemo, op: echo}\n"
			     "  mix_all: {target: extdemo, op: mix}\n"
			     "  add_up: {target: extdemo, op: sum}\n"
			     "  bump:\n"
			     "    target: extdemo\n"
			     "    op: bump\n"
			     "    require_approval: true\n"
			     "  count: {target: extdemo, op: count}\n"
			     "  fail_op: {target: extdemo, op: fail}\n"
			     "  tag_root: {target: /, op: tag}\n";

static wsp_workspace *ws;
static wsp_tools *tools;

static void fail_if(bool bad)
{
	if (bad)
		__builtin_trap();
}

static void open_workspace(void)
{
	wsp_open_opts opts = WSP_OPEN_OPTS_INIT;
	wsp_error err = {0};

	opts.config_text = config;
	opts.config_name = "fuzz.yaml";
	opts.plugin_path = WSP_EXT_FIXTURES;
	if (wsp_workspace_open(&ws, &opts, &err) ||
	    wsp_tools_open(&tools, ws, NULL, &err)) {
		fprintf(stderr, "fuzz_tools: %s\n", err.message);
		abort();
	}
}

static int refuse(const char *name, const char *args, void *payload)
{
	(void)name;
	(void)args;
	(void)payload;
	return 0;
}

/* An extension tool ran: its arguments were what its schema says. */
static void check_ext_args(const char *tool, const cJSON *args)
{
	static const char *const sum[] = {"a", "b", "c", "d", "e",
					  "f", "g", "h", NULL};
	const cJSON *v;

	if (!strcmp(tool, "add_up")) {
		for (const char *const *k = sum; *k; k++) {
			v = cJSON_GetObjectItemCaseSensitive(args, *k);
			fail_if(!cJSON_IsNumber(v) || v->valuedouble > 9e15 ||
				v->valuedouble < -9e15 ||
				(double)(int64_t)v->valuedouble !=
					v->valuedouble);
		}
		v = cJSON_GetObjectItemCaseSensitive(args, "scale");
		fail_if(!cJSON_IsNumber(v));
	} else if (!strcmp(tool, "echo_text")) {
		v = cJSON_GetObjectItemCaseSensitive(args, "text");
		fail_if(!cJSON_IsString(v));
	}
}

static void tool_call(unsigned pick, const char *json, size_t len)
{
	wsp_tool_call_opts opts = WSP_TOOL_CALL_OPTS_INIT;
	wsp_tool_result res = {.struct_size = sizeof(res)};
	wsp_tool_info info = {.struct_size = sizeof(info)};
	wsp_error err = {0};
	cJSON *args;
	int rc;

	fail_if(wsp_tools_get(&info, tools, pick % wsp_tools_count(tools)));
	opts.approve = refuse;
	rc = wsp_tool_call(&res, tools, info.name, json, &opts, &err);
	fail_if(rc && rc != WSP_EINVAL && rc != WSP_ETOOBIG);
	if (rc)
		return;
	fail_if(!res.text || strlen(res.text) != res.len);
	args = cJSON_ParseWithLength(json, len);
	fail_if(len && !cJSON_IsObject(args));
	if (!res.is_error)
		check_ext_args(info.name, args);
	cJSON_Delete(args);
	wsp_tool_result_release(&res);
}

/* "-"? digits: what the documentation calls a decimal integer. */
static bool decimal_integer(const char *s)
{
	s += *s == '-';
	return isdigit((unsigned char)*s) &&
	       strspn(s, "0123456789") == strlen(s);
}

/* Digits, one '.', an exponent: a decimal number (no hex, no space). */
static bool decimal_number(const char *s)
{
	return *s && !isspace((unsigned char)*s) &&
	       strspn(s, "0123456789.eE+-") == strlen(s);
}

static void ext_call(unsigned pick, const char *const *f, size_t n)
{
	static const struct {
		const char *target, *op, *types;
	} ops[] = {
		{"extdemo", "echo", "s"},   {"extdemo", "mix", "isdb"},
		{"/", "tag", "si"},	    {"extdemo", "count", ""},
		{"extdemo", "nothing", ""},
	};
	const size_t n_ops = sizeof(ops) / sizeof(ops[0]);
	wsp_error err = {0};
	char *result = NULL;
	int rc;

	pick %= n_ops;
	rc = wsp_workspace_ext_call(&result, ws, ops[pick].target, ops[pick].op,
				    n, f, &err);
	if (!rc) {
		fail_if(n != strlen(ops[pick].types) || !result);
		for (size_t i = 0; i < n; i++) {
			char t = ops[pick].types[i];

			fail_if(t == 'i' && !decimal_integer(f[i]));
			fail_if(t == 'd' && !decimal_number(f[i]));
		}
		if (!strcmp(ops[pick].op, "echo"))
			fail_if(strcmp(result, f[0]));
	} else {
		fail_if(!err.message[0]);
	}
	wsp_ext_result_free(result);
}

static void option_value(unsigned pick, const char *s)
{
	static const uint32_t types[] = {WSP_OPT_BOOL, WSP_OPT_INT,
					 WSP_OPT_DURATION, WSP_OPT_SIZE};
	struct wsp__optval v;
	char why[256] = "";
	uint32_t type = types[pick % 4];
	uint64_t bytes = 0;
	int64_t ms = 0;
	char *end;
	int rc;

	memset(&v, 0, sizeof(v));
	rc = wsp__optvalue_parse(&v, type, s, why, sizeof(why));
	fail_if(rc && (!why[0] || strlen(why) >= sizeof(why)));
	/* the CLI's entry points are the same grammar, verdict and value */
	if (type == WSP_OPT_DURATION)
		fail_if(wsp_parse_duration_ms(&ms, s) != rc ||
			(!rc && ms != v.i));
	if (type == WSP_OPT_SIZE)
		fail_if(wsp_parse_size(&bytes, s) != rc ||
			(!rc && bytes != v.u));
	if (rc)
		return;
	/* only a zero is 0: a fraction rounds up, never to "none" */
	if (type == WSP_OPT_DURATION || type == WSP_OPT_SIZE)
		fail_if((type == WSP_OPT_DURATION ? v.i == 0 : v.u == 0) &&
			strspn(s, "0.") < strcspn(s, "bBkKmMgGtTsdhi"));
	errno = 0;
	if (type == WSP_OPT_INT) {
		/* the same number strtoll() reads, from digits alone */
		fail_if(!isdigit((unsigned char)s[*s == '-' || *s == '+']));
		fail_if(strtoll(s, &end, 10) != v.i || *end || errno);
	} else if (type == WSP_OPT_DURATION) {
		fail_if(v.i < 0 || !isdigit((unsigned char)*s));
		fail_if(strtoull(s, &end, 10) > (uint64_t)v.i || errno);
	} else if (type == WSP_OPT_SIZE) {
		fail_if(!isdigit((unsigned char)*s));
		fail_if(strtoull(s, &end, 10) > v.u || errno);
	} else {
		fail_if(v.b != 0 && v.b != 1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *f[20];
	size_t n = 0;
	char *s;

	if (!size)
		return 0;
	if (!ws)
		open_workspace();
	s = malloc(size);
	if (!s)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	if (data[0] < 200) {
		tool_call(data[0], s, strlen(s));
	} else if (data[0] < 240) {
		f[n++] = s;
		for (size_t i = 0; i + 1 < size - 1 && n < 20; i++)
			if (!s[i])
				f[n++] = s + i + 1;
		ext_call(data[0], size > 1 ? f : NULL, size > 1 ? n : 0);
	} else {
		option_value(data[0], s);
	}
	free(s);
	return 0;
}
