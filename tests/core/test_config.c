/*
 * tests/core/test_config.c - wsp.yaml: parsing, every validation error
 * with its exact FILE:LINE:COL, ${VAR} expansion, value syntaxes,
 * bounds, masking in `config show`, and the configuration lookup order.
 */
#include "config.h"
#include "testutil.h"
#include "value_cases.h"

#include <wsp/wsp.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FIX(dir) WSP_FIXTURE_DIR "/" dir

static char lines[16384];

static void collect(const char *line, void *payload)
{
	size_t n = strlen(lines);

	(void)payload;
	snprintf(lines + n, sizeof(lines) - n, "%s\n", line);
}

/* Check text as "t.yaml" with the fixtures on the path; lines collected. */
static int check(const char *text)
{
	wsp_open_opts o = WSP_OPEN_OPTS_INIT;
	wsp_error err;

	unsetenv("WSP_PLUGIN_PATH");
	lines[0] = '\0';
	o.config_text = text;
	o.config_name = "t.yaml";
	o.plugin_path = FIX("good") ":" FIX("bad");
	return wsp_config_check(&o, 0, collect, NULL, &err);
}

/* The check finds exactly this one problem. */
static void expect_one(const char *text, const char *line)
{
	char want[1024];

	CU_ASSERT_EQUAL(check(text), WSP_ECONFIG);
	snprintf(want, sizeof(want), "%s\n", line);
	if (strcmp(lines, want))
		fprintf(stderr, "\nwant: %sgot:  %s", want, lines);
	CU_ASSERT_STRING_EQUAL(lines, want);
}

static const char good[] =
	"plugin_path: []\n"
	"sandbox:\n"
	"  provider: fixture\n"
	"  id: dev-box\n"
	"  options: {root: /w}\n"
	"mounts:\n"
	"  /:\n"
	"    provider: fixture\n"
	"    options:\n"
	"      root: ./workspace\n"
	"  /data:\n"
	"    provider: fixture\n"
	"    read_only: true\n"
	"    options: { root: /srv, timeout: 5m, max_size: 1GB,\n"
	"               tags: solo }\n"
	"tools:\n"
	"  execute_command: { require_approval: true }\n"
	"  grep: { enabled: false, name: search }\n"
	"  read_file:\n";

static void test_good_config(void)
{
	CU_ASSERT_EQUAL(check(good), 0);
	CU_ASSERT_STRING_EQUAL(lines, "");
}

static void test_model(void)
{
	struct wsp__config *cfg = NULL;
	struct wsp__diags d = {0};

	CU_ASSERT_EQUAL_FATAL(wsp__config_parse(&cfg, good, strlen(good),
						"t.yaml", "/etc/x", 1, &d),
			      0);
	CU_ASSERT(cfg->has_sandbox);
	CU_ASSERT_STRING_EQUAL(cfg->sandbox_id, "dev-box");
	CU_ASSERT_STRING_EQUAL(cfg->sandbox.provider, "fixture");
	CU_ASSERT_EQUAL(cfg->n_mounts, 2);
	CU_ASSERT_STRING_EQUAL(cfg->mounts[0].path, "/");
	CU_ASSERT_EQUAL(cfg->mounts[0].read_only, 0);
	CU_ASSERT_STRING_EQUAL(cfg->mounts[1].path, "/data");
	CU_ASSERT_EQUAL(cfg->mounts[1].read_only, 1);
	CU_ASSERT_EQUAL(cfg->n_tools, 3);
	CU_ASSERT_STRING_EQUAL(cfg->tools[0].tool, "execute_command");
	CU_ASSERT_EQUAL(cfg->tools[0].require_approval, 1);
	CU_ASSERT_EQUAL(cfg->tools[0].enabled, 1);
	CU_ASSERT_EQUAL(cfg->tools[1].enabled, 0);
	CU_ASSERT_STRING_EQUAL(cfg->tools[1].rename, "search");
	CU_ASSERT_EQUAL(cfg->tools[2].require_approval, -1);
	wsp__config_free(cfg);
	wsp__diag_clear(&d);
}

static void test_default_config(void)
{
	struct wsp__config *cfg = NULL;
	struct wsp__diags d = {0};

	CU_ASSERT_EQUAL_FATAL(wsp__config_parse(&cfg, wsp__default_config,
						strlen(wsp__default_config),
						"<default>", "/", 0, &d),
			      0);
	CU_ASSERT_STRING_EQUAL(cfg->sandbox.provider, "local");
	CU_ASSERT_EQUAL(strncmp(cfg->sandbox_id, "ws-", 3), 0);
	CU_ASSERT_EQUAL(cfg->n_mounts, 1);
	CU_ASSERT_STRING_EQUAL(cfg->mounts[0].path, "/");
	CU_ASSERT_STRING_EQUAL(cfg->mounts[0].ref.provider, "local");
	wsp__config_free(cfg);
	wsp__diag_clear(&d);
}

/* The sandbox id of a config without `id:`, parsed in directory dir. */
static void default_id_in(char *out, size_t cap, const char *dir)
{
	struct wsp__config *cfg = NULL;
	struct wsp__diags d = {0};

	CU_ASSERT_EQUAL_FATAL(wsp__config_parse(&cfg, wsp__default_config,
						strlen(wsp__default_config),
						"<default>", dir, 0, &d),
			      0);
	snprintf(out, cap, "%s", cfg->sandbox_id);
	wsp__config_free(cfg);
	wsp__diag_clear(&d);
}

/*
 * Without `id:`, workspaces in different directories get different
 * sandboxes (so they never see each other's background processes), and
 * the same directory always reconnects to the same one.
 */
static void test_default_sandbox_id_per_directory(void)
{
	char a[64], a_again[64], b[64];

	default_id_in(a, sizeof(a), "/srv/projects/team-data");
	default_id_in(a_again, sizeof(a_again), "/srv/projects/team-data");
	default_id_in(b, sizeof(b), "/srv/projects/team-docs");
	CU_ASSERT_STRING_EQUAL(a, a_again);
	CU_ASSERT_STRING_NOT_EQUAL(a, b);
	CU_ASSERT_EQUAL(strlen(a), 19); /* "ws-" + 16 hex digits */
}

static void test_malformed_yaml(void)
{
	expect_one("sandbox:\n  provider: [local\n",
		   "t.yaml:3:1: invalid YAML: did not find expected ',' or "
		   "']' while parsing a flow sequence; check the indentation "
		   "and quoting");
	expect_one("mounts:\n  /: {provider: local\n",
		   "t.yaml:3:1: invalid YAML: did not find expected ',' or "
		   "'}' while parsing a flow mapping; check the indentation "
		   "and quoting");
	expect_one("a: b\n c: d\n", "t.yaml:2:3: invalid YAML: mapping "
				    "values are not allowed in this context; "
				    "check the indentation and quoting");
}

static void test_shape_errors(void)
{
	expect_one("mount:\n  /: {}\n",
		   "t.yaml:1:1: unknown key 'mount' in the configuration; "
		   "did you mean 'mounts'?");
	expect_one("[1, 2]\n", "t.yaml:1:1: the configuration must be a "
			       "mapping (key: value lines), not a list");
	expect_one("plugin_path: {a: b}\n",
		   "t.yaml:1:14: 'plugin_path' must be a list of directories, "
		   "not a mapping");
	expect_one("sandbox:\n  id: x\n",
		   "t.yaml:2:3: 'sandbox' has no 'provider'; add e.g. "
		   "'provider: local'");
	expect_one("sandbox: {provider: fixture, options: {root: /w}, "
		   "extra: 1}\n",
		   "t.yaml:1:51: unknown key 'extra' in 'sandbox'");
	expect_one("sandbox:\n  provider: Fix/ture\n",
		   "t.yaml:2:13: bad provider name 'Fix/ture'; names use a-z, "
		   "0-9, '_' and '-' (like 'local' or 's3')");
	expect_one("sandbox:\n  provider: fixture\n  id: ../etc\n",
		   "t.yaml:3:7: bad sandbox id '../etc'; use up to 64 letters, "
		   "digits, '.', '_' or '-' (like 'dev-box')");
	expect_one("sandbox:\n  provider: fixture\n  options: [root]\n",
		   "t.yaml:3:12: 'options' of 'sandbox' must be a mapping "
		   "(key: value lines), not a list");
	expect_one("mounts:\n  /:\n    provider: fixture\n    read_only: "
		   "maybe\n    options: {root: /}\n",
		   "t.yaml:4:16: 'read_only' of mount '/': 'maybe' is not a "
		   "bool; use true or false");
}

static void test_mount_paths(void)
{
	CU_ASSERT_EQUAL(check("mounts:\n"
			      "  /data: {provider: fixture}\n"
			      "  /data/x: {provider: fixture}\n"
			      "  data: {provider: fixture}\n"
			      "  /a/../b: {provider: fixture}\n"
			      "  /data/: {provider: fixture}\n"),
			WSP_ECONFIG);
	CU_ASSERT_STRING_EQUAL(
		lines,
		"t.yaml:3:3: mount '/data/x' nests with mount '/data'; only "
		"'/' may hold other mounts, so give each its own top path\n"
		"t.yaml:4:3: mount path 'data' must be absolute (start with "
		"'/')\n"
		"t.yaml:5:3: mount path '/a/../b' may not contain '.' or '..'\n"
		"t.yaml:6:3: mount '/data' is listed twice (first at line 2); "
		"keep one\n");
	/* Options are checked once the shape is right. */
	expect_one("mounts:\n  /data: {provider: fixture}\n",
		   "t.yaml:2:10: missing required option 'root' for fs "
		   "provider 'fixture' of mount '/data': where the files live");
	/* "/" beside other mounts is the normal table. */
	CU_ASSERT_EQUAL(check("mounts:\n"
			      "  //: {provider: fixture, options: {root: /}}\n"
			      "  /a//b/: {provider: fixture, options: "
			      "{root: /}}\n"),
			0);
}

static void test_provider_errors(void)
{
	expect_one("mounts:\n  /:\n    provider: nope\n",
		   "t.yaml:3:15: no fs provider 'nope': 'wsp-fs-nope.so' is "
		   "in none of the 4 plugin directories (see 'wsp plugins'); "
		   "install it or add its directory with --plugin-path");
	CU_ASSERT_EQUAL(check("mounts:\n  /:\n    provider: cut\n"),
			WSP_ECONFIG);
	TU_ASSERT_CONTAINS(lines, "t.yaml:3:15: cannot load plugin '");
	TU_ASSERT_CONTAINS(lines, "truncated");
}

static void test_option_errors(void)
{
	expect_one("mounts:\n  /:\n    provider: fixture\n    options:\n"
		   "      root: /x\n      retires: 2\n",
		   "t.yaml:6:7: unknown option 'retires' for fs provider "
		   "'fixture' of mount '/'; did you mean 'retries'?");
	expect_one("mounts:\n  /:\n    provider: fixture\n    options:\n"
		   "      root: /x\n      colour: red\n",
		   "t.yaml:6:7: unknown option 'colour' for fs provider "
		   "'fixture' of mount '/'; see 'wsp plugins info' for its "
		   "options");
	CU_ASSERT_EQUAL(check("mounts:\n  /:\n    provider: fixture\n"
			      "    options:\n"
			      "      root: /x\n"
			      "      retries: many\n"
			      "      timeout: 5 minutes\n"
			      "      max_size: 12XB\n"
			      "      mode: reckless\n"
			      "      tags: {a: b}\n"
			      "      labels: [a]\n"
			      "      verbose: {x: 1}\n"
			      "      token: [1]\n"),
			WSP_ECONFIG);
	CU_ASSERT_STRING_EQUAL(
		lines,
		"t.yaml:6:16: option 'retries': 'many' is not a whole number "
		"(like 8 or -1)\n"
		"t.yaml:7:16: option 'timeout': '5 minutes' is not a duration; "
		"use a number with ms, s, m, h or d (like 250ms, 1.5s, 5m)\n"
		"t.yaml:8:17: option 'max_size': '12XB' is not a size; use a "
		"number with B, KiB, MiB, GiB, TiB (or K, M, G, T), KB, MB, "
		"GB or TB (like 512MiB)\n"
		"t.yaml:9:13: option 'mode' is 'reckless', not one of: fast, "
		"safe\n"
		"t.yaml:10:13: option 'tags' must be a list, not a mapping\n"
		"t.yaml:11:15: option 'labels' must be a mapping, not a list\n"
		"t.yaml:12:16: option 'verbose' must be a single bool value, "
		"not a mapping\n"
		"t.yaml:13:14: option 'token' must be a single secret value, "
		"not a list\n");
	expect_one("mounts:\n  /:\n    provider: fixture\n    options:\n"
		   "      mode: fast\n",
		   "t.yaml:5:7: missing required option 'root' for fs "
		   "provider 'fixture' of mount '/': where the files live");
	expect_one("mounts:\n  /:\n    provider: fixture\n",
		   "t.yaml:3:5: missing required option 'root' for fs "
		   "provider 'fixture' of mount '/': where the files live");
}

static void test_tools_errors(void)
{
	CU_ASSERT_EQUAL(check("tools:\n  execute_comand: {}\n"
			      "  read_file: {require_approval: sometimes, "
			      "colour: red}\n  zzz: {}\n"
			      "  grep: {name: \"find files\"}\n"),
			WSP_ECONFIG);
	CU_ASSERT_STRING_EQUAL(
		lines,
		"t.yaml:2:3: unknown tool 'execute_comand'; did you mean "
		"'execute_command'?\n"
		"t.yaml:3:33: 'require_approval': 'sometimes' is not a bool; "
		"use true or false\n"
		"t.yaml:3:44: unknown key 'colour' in tool 'read_file'\n"
		"t.yaml:4:3: unknown tool 'zzz'; 'wsp tools' lists them\n"
		"t.yaml:5:16: bad tool name 'find files'; use up to 64 "
		"letters, "
		"digits, '_' or '-'\n");
}

static void test_bounds(void)
{
	char *big, *deep;
	size_t i;

	expect_one("a: 1\nb: 2\na: 3\n",
		   "t.yaml:3:1: duplicate key 'a' (first at line 1); remove "
		   "one of them");
	expect_one("x: &a [1]\ny: *a\n",
		   "t.yaml:2:4: YAML aliases ('*name') are not supported; "
		   "write the value out");
	expect_one("a: 1\n---\nb: 2\n",
		   "t.yaml:2:1: more than one YAML document; keep one (no "
		   "'---' between sections)");
	expect_one("a: \"x\\0y\"\n", "t.yaml:1:4: value contains a NUL "
				     "character");
	big = malloc(WSP__YAML_MAX_BYTES + 64);
	memset(big, '#', WSP__YAML_MAX_BYTES + 10);
	big[WSP__YAML_MAX_BYTES + 10] = '\0';
	expect_one(big, "t.yaml: file is 1048586 bytes, more than the 1 MiB "
			"a configuration may have");
	free(big);
	deep = malloc(200);
	for (i = 0; i < 40; i++)
		deep[i] = '[';
	deep[40] = '\0';
	expect_one(deep, "t.yaml:1:33: nesting too deep (the limit is 32 "
			 "levels)");
	free(deep);
}

/*
 * ${VAR} expansion of one string: what it gives, or the WSP_ECONFIG it
 * fails with and what the reason says (NULL: not checked).
 */
struct expand_case {
	const char *in;
	const char *out; /* NULL: it fails */
	const char *why; /* a failure's reason contains this */
};

static const struct expand_case expand_cases[] = {
	{"r=${WSP_T_REGION}!", "r=eu-west-1!", NULL},
	{"${WSP_T_UNSET:-us-east-1}", "us-east-1", NULL},
	/* ":-" also covers a variable set but empty. */
	{"${WSP_T_EMPTY:-dflt}", "dflt", NULL},
	{"[${WSP_T_EMPTY}]", "[]", NULL},
	{"$${WSP_T_REGION} costs $5", "${WSP_T_REGION} costs $5", NULL},
	/* A value is not expanded again. */
	{"${WSP_T_NESTED}", "${WSP_T_REGION}", NULL},
	{"${WSP_T_UNSET}", NULL,
	 "environment variable 'WSP_T_UNSET' is not set"},
	{"${WSP_T_REGION", NULL, NULL},
	{"${WSP_T_UNSET:-x", NULL, "is not closed by '}'"},
	{"${1x}", NULL, NULL},
};

static void test_expand(void)
{
	setenv("WSP_T_REGION", "eu-west-1", 1);
	setenv("WSP_T_EMPTY", "", 1);
	unsetenv("WSP_T_UNSET");
	setenv("WSP_T_NESTED", "${WSP_T_REGION}", 1);
	for (size_t i = 0; i < sizeof(expand_cases) / sizeof(*expand_cases);
	     i++) {
		const struct expand_case *c = &expand_cases[i];
		char why[256] = "";
		char *out = NULL;
		int rc = wsp__config_expand(&out, c->in, why, sizeof(why));

		if (rc != (c->out ? 0 : WSP_ECONFIG))
			fprintf(stderr, "\nexpand case '%s' gave %d (%s)\n",
				c->in, rc, why);
		if (c->out) {
			CU_ASSERT_EQUAL(rc, 0);
			CU_ASSERT_STRING_EQUAL(out ? out : "(null)", c->out);
			free(out);
		} else {
			CU_ASSERT_EQUAL(rc, WSP_ECONFIG);
		}
		if (c->why)
			TU_ASSERT_CONTAINS(why, c->why);
	}

	/* In a file: the error points at the value. */
	expect_one("mounts:\n  /:\n    provider: fixture\n    options:\n"
		   "      root: ${WSP_T_UNSET}\n",
		   "t.yaml:5:13: environment variable 'WSP_T_UNSET' is not "
		   "set; set it or write ${WSP_T_UNSET:-default}");
	/* Keys are never expanded. */
	expect_one("${WSP_T_REGION}: 1\n",
		   "t.yaml:1:1: unknown key '${WSP_T_REGION}' in the "
		   "configuration");
}

/* One grammar case through the public parser and a typed option value. */
static void check_value_case(uint32_t type, const struct value_case *c)
{
	struct wsp__optval v;
	char why[256];
	int64_t ms = -7;
	uint64_t bytes = 7;
	int rc, pub;

	memset(&v, 0, sizeof(v));
	why[0] = '\0';
	rc = wsp__optvalue_parse(&v, type, c->text, why, sizeof(why));
	pub = type == WSP_OPT_DURATION ? wsp_parse_duration_ms(&ms, c->text)
				       : wsp_parse_size(&bytes, c->text);
	if ((rc == 0) != c->ok || (pub == 0) != c->ok)
		fprintf(stderr, "\nvalue case '%s' gave %d and %d\n", c->text,
			rc, pub);
	CU_ASSERT_EQUAL(rc == 0, c->ok);
	CU_ASSERT_EQUAL(pub, c->ok ? 0 : WSP_EINVAL);
	if (!c->ok) {
		/* nothing written, and the error says what would do */
		CU_ASSERT(type == WSP_OPT_DURATION ? ms == -7 : bytes == 7);
		CU_ASSERT_PTR_NOT_NULL(strstr(why, "use a number with"));
		return;
	}
	if (type == WSP_OPT_DURATION) {
		CU_ASSERT_EQUAL((uint64_t)v.i, c->value);
		CU_ASSERT_EQUAL((uint64_t)ms, c->value);
	} else {
		CU_ASSERT_EQUAL(v.u, c->value);
		CU_ASSERT_EQUAL(bytes, c->value);
	}
}

static void test_values(void)
{
	static const struct {
		uint32_t type;
		const char *text;
		int ok;
		int64_t i;
	} cases[] = {
		{WSP_OPT_INT, "-9223372036854775808", 1, INT64_MIN},
		{WSP_OPT_INT, "9223372036854775807", 1, INT64_MAX},
		{WSP_OPT_INT, "9223372036854775808", 0, 0},
		{WSP_OPT_INT, "0x10", 0, 0},
		{WSP_OPT_INT, "", 0, 0},
		{WSP_OPT_BOOL, "Yes", 1, 1},
		{WSP_OPT_BOOL, "off", 1, 0},
		{WSP_OPT_BOOL, "2", 0, 0},
	};
	struct wsp__optval v;
	char why[256];
	size_t i;
	int rc;

	for (i = 0; i < VALUE_CASES_N(duration_cases); i++)
		check_value_case(WSP_OPT_DURATION, &duration_cases[i]);
	for (i = 0; i < VALUE_CASES_N(size_cases); i++)
		check_value_case(WSP_OPT_SIZE, &size_cases[i]);
	/* NULL is refused, not followed */
	CU_ASSERT_EQUAL(wsp_parse_duration_ms(NULL, "1s"), WSP_EINVAL);
	CU_ASSERT_EQUAL(wsp_parse_size(NULL, "1"), WSP_EINVAL);
	CU_ASSERT_EQUAL(wsp_parse_size(&v.u, NULL), WSP_EINVAL);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&v, 0, sizeof(v));
		rc = wsp__optvalue_parse(&v, cases[i].type, cases[i].text, why,
					 sizeof(why));
		if ((rc == 0) != cases[i].ok)
			fprintf(stderr, "\nvalue case '%s' gave %d\n",
				cases[i].text, rc);
		CU_ASSERT_EQUAL(rc == 0, cases[i].ok);
		if (!cases[i].ok)
			continue;
		if (cases[i].type == WSP_OPT_BOOL) {
			CU_ASSERT_EQUAL(v.b, cases[i].i);
		} else {
			CU_ASSERT_EQUAL(v.i, cases[i].i);
		}
	}
}

/* The names the CLI's --json errors carry, now the core's. */
static void test_names(void)
{
	CU_ASSERT_STRING_EQUAL(wsp_errname(WSP_ENOTFOUND), "ENOENT");
	CU_ASSERT_STRING_EQUAL(wsp_errname(WSP_EPERM), "EACCES");
	CU_ASSERT_STRING_EQUAL(wsp_errname(WSP_ETOOBIG), "EFBIG");
	CU_ASSERT_STRING_EQUAL(wsp_errname(WSP_ECONFIG), "ECONFIG");
	CU_ASSERT_STRING_EQUAL(wsp_errname(WSP_ELOST), "ELOST");
	CU_ASSERT_STRING_EQUAL(wsp_errname(WSP_ERROR), "EFAIL");
	CU_ASSERT_STRING_EQUAL(wsp_errname(12345), "EFAIL");
	CU_ASSERT_STRING_EQUAL(wsp_kind_name(WSP_KIND_FS), "fs");
	CU_ASSERT_STRING_EQUAL(wsp_kind_name(WSP_KIND_SANDBOX), "sandbox");
	CU_ASSERT_PTR_NULL(wsp_kind_name(0));
	CU_ASSERT_PTR_NULL(wsp_kind_name(99));
	CU_ASSERT_EQUAL(wsp__kind_from_name(wsp_kind_name(WSP_KIND_FS)),
			WSP_KIND_FS);
}

static void test_suggest(void)
{
	static const char *const words[] = {"base_path", "bucket", "region",
					    NULL};

	CU_ASSERT_EQUAL(wsp__edit_distance("kitten", "sitting"), 3);
	CU_ASSERT_EQUAL(wsp__edit_distance("", "abc"), 3);
	CU_ASSERT_STRING_EQUAL(wsp__suggest("base_pth", words), "base_path");
	CU_ASSERT_STRING_EQUAL(wsp__suggest("regoin", words), "region");
	CU_ASSERT_PTR_NULL(wsp__suggest("timeout", words));
}

static char shown[16384];

static int to_buf(const void *data, size_t len, void *payload)
{
	size_t n = strlen(shown);

	(void)payload;
	if (n + len >= sizeof(shown))
		return WSP_ETOOBIG;
	memcpy(shown + n, data, len);
	shown[n + len] = '\0';
	return 0;
}

/* The secret reaches neither YAML nor JSON; defaults are filled in. */
static void test_show_masks_secrets(void)
{
	wsp_open_opts o = WSP_OPEN_OPTS_INIT;
	wsp_workspace *ws = NULL;
	wsp_error err;

	setenv("WSP_T_TOKEN", "s3cr3t-v4lue-91", 1);
	unsetenv("WSP_PLUGIN_PATH");
	o.plugin_path = FIX("good");
	o.config_name = "show.yaml";
	o.config_text = "mounts:\n  /data:\n    provider: fixture\n"
			"    options:\n      root: /srv\n"
			"      token: ${WSP_T_TOKEN}\n"
			"      tags: [a, \"b c\"]\n";
	CU_ASSERT_EQUAL_FATAL(wsp_workspace_open(&ws, &o, &err), 0);
	shown[0] = '\0';
	CU_ASSERT_EQUAL(wsp_workspace_config_show(ws, 0, to_buf, NULL, &err),
			0);
	TU_ASSERT_LACKS(shown, "s3cr3t");
	TU_ASSERT_CONTAINS(shown, "      token: \"********\"\n");
	TU_ASSERT_CONTAINS(shown, "      mode: safe\n");
	TU_ASSERT_CONTAINS(shown, "      timeout: \"30s\"\n");
	TU_ASSERT_CONTAINS(shown,
			   "      tags:\n        - a\n        - \"b c\"\n");
	TU_ASSERT_CONTAINS(shown, "  /data:\n    provider: fixture\n");
	TU_ASSERT_CONTAINS(shown, "    read_only: false\n");
	shown[0] = '\0';
	CU_ASSERT_EQUAL(wsp_workspace_config_show(ws, WSP_SHOW_JSON, to_buf,
						  NULL, &err),
			0);
	TU_ASSERT_LACKS(shown, "s3cr3t");
	TU_ASSERT_CONTAINS(shown, "\"token\":\t\"********\"");
	TU_ASSERT_CONTAINS(shown, "\"retries\":\t3");
	CU_ASSERT_STRING_EQUAL(wsp_workspace_config_name(ws), "show.yaml");
	wsp_workspace_close(ws);
	unsetenv("WSP_T_TOKEN");
}

static char logged[4096];

static void log_to_buf(int level, const char *line, void *payload)
{
	size_t n = strlen(logged);

	(void)level;
	(void)payload;
	snprintf(logged + n, sizeof(logged) - n, "%s\n", line);
}

/*
 * wsp_sandbox_set_option: a caller's override is checked like the file's
 * value, reaches the provider, is masked when secret, and is refused once
 * the sandbox is in use (its provider has read its options by then).
 */
static void test_sandbox_set_option(void)
{
	wsp_open_opts o = WSP_OPEN_OPTS_INIT;
	wsp_workspace *ws = NULL;
	wsp_error err;
	uint32_t state;
	char *dir = tu_tmpdir(), *report, *seen;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	report = strdup(tu_path(dir, "report"));
	setenv("WSP_FIXTURE_REPORT", report, 1);
	unsetenv("WSP_PLUGIN_PATH");
	o.plugin_path = FIX("good");
	o.config_text = "sandbox:\n  provider: fixture\n"
			"  options: { root: /w, retries: 2 }\n";
	o.log = log_to_buf;
	o.log_level = WSP_LOG_WARN;
	logged[0] = '\0';
	CU_ASSERT_EQUAL_FATAL(wsp_workspace_open(&ws, &o, &err), 0);
	CU_ASSERT_EQUAL(wsp_sandbox_set_option(ws, "retries", "7", &err), 0);
	CU_ASSERT_EQUAL(wsp_sandbox_set_option(ws, "mode", "reckless", &err),
			WSP_ECONFIG);
	TU_ASSERT_CONTAINS(err.message, "'mode' is 'reckless'");
	CU_ASSERT_EQUAL(wsp_sandbox_set_option(ws, "retries", "", &err),
			WSP_ECONFIG);
	CU_ASSERT_EQUAL(wsp_sandbox_set_option(ws, "nope", "1", &err),
			WSP_ENOTFOUND);
	TU_ASSERT_CONTAINS(err.message, "no option 'nope'");
	CU_ASSERT_EQUAL(wsp_sandbox_set_option(ws, "mode", "fast", &err), 0);
	CU_ASSERT_EQUAL(
		wsp_sandbox_set_option(ws, "token", "s3cr3t-set-91", &err), 0);
	/* the first call that uses the sandbox starts it */
	CU_ASSERT_EQUAL(wsp_sandbox_status(&state, ws, NULL, &err), 0);
	seen = tu_read(report);
	CU_ASSERT_PTR_NOT_NULL_FATAL(seen);
	TU_ASSERT_CONTAINS(seen, "retries=7\n");
	TU_ASSERT_CONTAINS(seen, "mode=fast\n");
	TU_ASSERT_CONTAINS(seen, "token_len=13\n");
	TU_ASSERT_CONTAINS(logged, "token is ");
	TU_ASSERT_LACKS(logged, "s3cr3t");
	CU_ASSERT_EQUAL(wsp_sandbox_set_option(ws, "retries", "9", &err),
			WSP_EBUSY);
	TU_ASSERT_CONTAINS(err.message, "already in use");
	wsp_workspace_close(ws);
	unsetenv("WSP_FIXTURE_REPORT");
	free(seen);
	free(report);
	tu_rmrf(dir);
	free(dir);
}

/* The output of show reads back as an equivalent configuration. */
static void test_show_round_trips(void)
{
	wsp_open_opts o = WSP_OPEN_OPTS_INIT;
	wsp_workspace *ws = NULL;
	wsp_error err;

	unsetenv("WSP_PLUGIN_PATH");
	o.plugin_path = FIX("good");
	o.config_text = good;
	CU_ASSERT_EQUAL_FATAL(wsp_workspace_open(&ws, &o, &err), 0);
	shown[0] = '\0';
	CU_ASSERT_EQUAL(wsp_workspace_config_show(ws, 0, to_buf, NULL, &err),
			0);
	wsp_workspace_close(ws);
	CU_ASSERT_EQUAL(check(shown), 0);
	CU_ASSERT_STRING_EQUAL(lines, "");
}

/* ---- the http: section ---------------------------------------------- */

static void test_http_model(void)
{
	static const char text[] = "http:\n"
				   "  ca_bundle: certs/ca.pem\n"
				   "  connect_timeout: 1.5s\n"
				   "  timeout: 2m\n"
				   "  low_speed_time: 10s\n"
				   "  low_speed_limit: 1KiB\n"
				   "  max_attempts: 10\n";
	struct wsp__config *cfg = NULL;
	struct wsp__diags d = {0};
	char *dir = tu_tmpdir(), want[4200];

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	CU_ASSERT_EQUAL(mkdir(tu_path(dir, "certs"), 0700), 0);
	tu_write(tu_path(dir, "certs/ca.pem"), "-----BEGIN CERTIFICATE-----\n");
	CU_ASSERT_EQUAL_FATAL(wsp__config_parse(&cfg, text, strlen(text),
						"t.yaml", dir, 1, &d),
			      0);
	snprintf(want, sizeof(want), "%s/certs/ca.pem", dir);
	CU_ASSERT_STRING_EQUAL(cfg->http.ca_bundle, want);
	CU_ASSERT_PTR_EQUAL(cfg->http.set.ca_bundle, cfg->http.ca_bundle);
	CU_ASSERT_EQUAL(cfg->http.set.connect_timeout_ms, 1500);
	CU_ASSERT_EQUAL(cfg->http.set.timeout_ms, 120000);
	CU_ASSERT_EQUAL(cfg->http.set.low_speed_time_ms, 10000);
	CU_ASSERT_EQUAL(cfg->http.set.low_speed_limit, 1024);
	CU_ASSERT_EQUAL(cfg->http.set.max_attempts, 10);
	wsp__config_free(cfg);
	/* absent, empty or null: nothing set, nothing wrong */
	CU_ASSERT_EQUAL_FATAL(wsp__config_parse(&cfg, "http:\n  timeout:\n", 17,
						"t.yaml", dir, 1, &d),
			      0);
	CU_ASSERT_EQUAL(cfg->http.set.timeout_ms, 0);
	CU_ASSERT_PTR_NULL(cfg->http.ca_bundle);
	wsp__config_free(cfg);
	wsp__diag_clear(&d);
	tu_rmrf(dir);
	free(dir);
}

static void test_http_errors(void)
{
	char *dir = tu_tmpdir(), text[4096], want[8192];

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	expect_one("http:\n  conect_timeout: 1s\n",
		   "t.yaml:2:3: unknown key 'conect_timeout' in 'http'; did "
		   "you mean 'connect_timeout'?");
	expect_one("http: {proxy: x}\n",
		   "t.yaml:1:8: unknown key 'proxy' in 'http'");
	expect_one("htp: {}\n", "t.yaml:1:1: unknown key 'htp' in the "
				"configuration; did you mean 'http'?");
	expect_one("http: [timeout]\n", "t.yaml:1:7: 'http' must be a "
					"mapping (key: value lines), not a "
					"list");
	CU_ASSERT_EQUAL(check("http:\n"
			      "  timeout: 5 minutes\n"
			      "  max_attempts: 0\n"
			      "  connect_timeout: [1s]\n"
			      "  low_speed_time: 500ms\n"
			      "  low_speed_limit: fast\n"),
			WSP_ECONFIG);
	CU_ASSERT_STRING_EQUAL(
		lines,
		"t.yaml:2:12: 'timeout' of 'http': '5 minutes' is not a "
		"duration; use a number with ms, s, m, h or d (like 250ms, "
		"1.5s, 5m)\n"
		"t.yaml:3:17: 'max_attempts' of 'http' is out of range: '0'; "
		"use 1 to 10\n"
		"t.yaml:4:20: 'connect_timeout' of 'http' must be a single "
		"value, not a list\n"
		"t.yaml:5:19: 'low_speed_time' of 'http' is out of range: "
		"'500ms'; use 1s to 1h\n"
		"t.yaml:6:20: 'low_speed_limit' of 'http': 'fast' is not a "
		"size; use a number with B, KiB, MiB, GiB, TiB (or K, M, G, "
		"T), KB, MB, GB or TB (like 512MiB)\n");
	expect_one("http: {max_attempts: 11}\n",
		   "t.yaml:1:22: 'max_attempts' of 'http' is out of range: "
		   "'11'; use 1 to 10");
	expect_one("http: {timeout: 2d}\n",
		   "t.yaml:1:17: 'timeout' of 'http' is out of range: '2d'; "
		   "use 0 (no limit) to 1d");
	expect_one("http: {low_speed_limit: 2GiB}\n",
		   "t.yaml:1:25: 'low_speed_limit' of 'http' is out of range: "
		   "'2GiB'; use 1 to 1GiB (bytes/s)");
	expect_one("http: {max_attempts: 99999999999999999999}\n",
		   "t.yaml:1:22: 'max_attempts' of 'http': "
		   "'99999999999999999999' is not a whole number (like 8 or "
		   "-1)");
	/* the CA file must be a readable regular file */
	snprintf(text, sizeof(text), "http:\n  ca_bundle: %s\n",
		 tu_path(dir, "missing.pem"));
	snprintf(want, sizeof(want),
		 "t.yaml:2:14: 'ca_bundle' of 'http': cannot read '%s': No "
		 "such file or directory; give a PEM file of trusted CA "
		 "certificates",
		 tu_path(dir, "missing.pem"));
	expect_one(text, want);
	snprintf(text, sizeof(text), "http:\n  ca_bundle: %s\n", dir);
	snprintf(want, sizeof(want),
		 "t.yaml:2:14: 'ca_bundle' of 'http': '%s' is not a regular "
		 "file; give a PEM file of trusted CA certificates",
		 dir);
	expect_one(text, want);
	/* bounded before the file system is asked */
	memset(want, 0, sizeof(want));
	memcpy(want, "http: {ca_bundle: ", 18);
	memset(want + 18, 'a', 4096);
	memcpy(want + 18 + 4096, "}\n", 3);
	expect_one(want, "t.yaml:1:19: 'ca_bundle' of 'http' is longer than "
			 "4095 bytes");
	tu_rmrf(dir);
	free(dir);
}

/* show prints what requests get: the file's values, defaults elsewhere. */
static void test_http_show(void)
{
	wsp_open_opts o = WSP_OPEN_OPTS_INIT;
	wsp_workspace *ws = NULL;
	char *dir = tu_tmpdir(), want[4300];
	wsp_error err;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	tu_write(tu_path(dir, "ca.pem"), "-----BEGIN CERTIFICATE-----\n");
	tu_write(tu_path(dir, "wsp.yaml"),
		 "http:\n  ca_bundle: ./ca.pem\n  timeout: 90s\n"
		 "  max_attempts: 2\n");
	o.config_path = tu_path(dir, "wsp.yaml");
	CU_ASSERT_EQUAL_FATAL(wsp_workspace_open(&ws, &o, &err), 0);
	shown[0] = '\0';
	CU_ASSERT_EQUAL(wsp_workspace_config_show(ws, 0, to_buf, NULL, &err),
			0);
	snprintf(want, sizeof(want),
		 "http:\n  ca_bundle: %s/ca.pem\n  connect_timeout: \"10s\"\n"
		 "  timeout: \"90s\"\n  low_speed_time: \"30s\"\n"
		 "  low_speed_limit: 1\n  max_attempts: 2\n",
		 dir);
	TU_ASSERT_CONTAINS(shown, want);
	wsp_workspace_close(ws);
	/* and what it shows reads back as the same settings */
	CU_ASSERT_EQUAL(check(strchr(shown, '\n') + 1), 0);
	CU_ASSERT_STRING_EQUAL(lines, "");
	tu_rmrf(dir);
	free(dir);
}

/* ---- lookup order ------------------------------------------------------ */

static const char *used(const char *config_path, wsp_error *err, int *rc)
{
	static char name[4096];
	wsp_open_opts o = WSP_OPEN_OPTS_INIT;
	wsp_workspace *ws = NULL;

	o.config_path = config_path;
	o.plugin_path = FIX("good");
	*rc = wsp_workspace_open(&ws, &o, err);
	snprintf(name, sizeof(name), "%s",
		 ws ? wsp_workspace_config_name(ws) : "(failed)");
	wsp_workspace_close(ws);
	return name;
}

static void test_lookup_order(void)
{
	char *dir = tu_tmpdir(), cwd[PATH_MAX], path[PATH_MAX];
	const char *cfg = "mounts: {}\n", *old;
	char *home = NULL, *xdg = NULL;
	wsp_error err;
	int rc;

	if ((old = getenv("HOME")))
		home = strdup(old);
	if ((old = getenv("XDG_CONFIG_HOME")))
		xdg = strdup(old);

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	CU_ASSERT_PTR_NOT_NULL_FATAL(getcwd(cwd, sizeof(cwd)));
	mkdir(tu_path(dir, "work"), 0700);
	mkdir(tu_path(dir, "xdg"), 0700);
	mkdir(tu_path(dir, "xdg/wsp"), 0700);
	mkdir(tu_path(dir, "home"), 0700);
	mkdir(tu_path(dir, "home/.config"), 0700);
	mkdir(tu_path(dir, "home/.config/wsp"), 0700);
	tu_write(tu_path(dir, "explicit.yaml"), cfg);
	tu_write(tu_path(dir, "env.yaml"), cfg);
	tu_write(tu_path(dir, "work/wsp.yaml"), cfg);
	tu_write(tu_path(dir, "xdg/wsp/wsp.yaml"), cfg);
	tu_write(tu_path(dir, "home/.config/wsp/wsp.yaml"), cfg);
	CU_ASSERT_EQUAL_FATAL(chdir(tu_path(dir, "work")), 0);
	setenv("WSP_CONFIG", tu_path(dir, "env.yaml"), 1);
	setenv("XDG_CONFIG_HOME", tu_path(dir, "xdg"), 1);
	setenv("HOME", tu_path(dir, "home"), 1);

	snprintf(path, sizeof(path), "%s", tu_path(dir, "explicit.yaml"));
	CU_ASSERT_STRING_EQUAL(used(path, &err, &rc), path);
	snprintf(path, sizeof(path), "%s", tu_path(dir, "env.yaml"));
	CU_ASSERT_STRING_EQUAL(used(NULL, &err, &rc), path);
	unsetenv("WSP_CONFIG");
	CU_ASSERT_STRING_EQUAL(used(NULL, &err, &rc), "wsp.yaml");
	unlink(tu_path(dir, "work/wsp.yaml"));
	snprintf(path, sizeof(path), "%s", tu_path(dir, "xdg/wsp/wsp.yaml"));
	CU_ASSERT_STRING_EQUAL(used(NULL, &err, &rc), path);
	unsetenv("XDG_CONFIG_HOME");
	snprintf(path, sizeof(path), "%s",
		 tu_path(dir, "home/.config/wsp/wsp.yaml"));
	CU_ASSERT_STRING_EQUAL(used(NULL, &err, &rc), path);
	unlink(path);
	/* Nothing left (assuming no /etc/wsp/wsp.yaml): the default. */
	if (access("/etc/wsp/wsp.yaml", F_OK) != 0) {
		CU_ASSERT_STRING_EQUAL(used(NULL, &err, &rc), "<default>");
	}
	/* Explicit files must exist. */
	used(tu_path(dir, "missing.yaml"), &err, &rc);
	CU_ASSERT_EQUAL(rc, WSP_ENOTFOUND);
	TU_ASSERT_CONTAINS(err.message, "missing.yaml': No such file");
	setenv("WSP_CONFIG", tu_path(dir, "gone.yaml"), 1);
	used(NULL, &err, &rc);
	CU_ASSERT_EQUAL(rc, WSP_ENOTFOUND);
	TU_ASSERT_CONTAINS(err.message, "gone.yaml");
	unsetenv("WSP_CONFIG");
	/* A directory, and an oversized file, are refused. */
	used(tu_path(dir, "work"), &err, &rc);
	CU_ASSERT_EQUAL(rc, WSP_ECONFIG);
	TU_ASSERT_CONTAINS(err.message, "is not a regular file");

	CU_ASSERT_EQUAL(chdir(cwd), 0);
	if (home)
		setenv("HOME", home, 1);
	if (xdg)
		setenv("XDG_CONFIG_HOME", xdg, 1);
	else
		unsetenv("XDG_CONFIG_HOME");
	free(home);
	free(xdg);
	tu_rmrf(dir);
	free(dir);
}

/* plugin_path: entries are relative to the file's own directory. */
static void test_plugin_path_relative_to_file(void)
{
	char *dir = tu_tmpdir(), link_target[PATH_MAX];
	wsp_error err;
	int rc;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	snprintf(link_target, sizeof(link_target), "%s", FIX("good"));
	CU_ASSERT_EQUAL(symlink(link_target, tu_path(dir, "more-plugins")), 0);
	tu_write(tu_path(dir, "wsp.yaml"),
		 "plugin_path: [./more-plugins]\n"
		 "mounts: {/: {provider: fixture, options: {root: /}}}\n");
	{
		wsp_open_opts o = WSP_OPEN_OPTS_INIT;

		o.config_path = tu_path(dir, "wsp.yaml");
		rc = wsp_config_check(&o, 0, NULL, NULL, &err);
		CU_ASSERT_EQUAL(rc, 0);
		if (rc)
			fprintf(stderr, "%s\n", err.message);
	}
	tu_rmrf(dir);
	free(dir);
}

static const CU_TestInfo tests[] = {
	{"a good config passes", test_good_config},
	{"model of a good config", test_model},
	{"embedded default", test_default_config},
	{"default sandbox id per directory",
	 test_default_sandbox_id_per_directory},
	{"malformed YAML", test_malformed_yaml},
	{"shape errors", test_shape_errors},
	{"mount paths", test_mount_paths},
	{"provider errors", test_provider_errors},
	{"option errors", test_option_errors},
	{"tools errors", test_tools_errors},
	{"bounds", test_bounds},
	{"variable expansion", test_expand},
	{"value syntaxes", test_values},
	{"error and kind names", test_names},
	{"did you mean", test_suggest},
	{"show masks secrets", test_show_masks_secrets},
	{"show round-trips", test_show_round_trips},
	{"sandbox options set through the API", test_sandbox_set_option},
	{"http: section", test_http_model},
	{"http: errors", test_http_errors},
	{"http: show", test_http_show},
	{"lookup order", test_lookup_order},
	{"plugin_path relative to the file", test_plugin_path_relative_to_file},
	CU_TEST_INFO_NULL,
};

int main(void)
{
	return tu_main("core_config", tests);
}
