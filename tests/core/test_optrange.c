/*
 * tests/core/test_optrange.c - declarative provider options (ABI 2.1):
 * min_value/max_value checked by the core with FILE:LINE:COL, bounds that
 * need 2.1 refused in a plugin that requires 2.0, a released 2.0
 * plugin's shorter option table read entry by entry, and host->opt_fill
 * writing a provider's struct from its field table.
 */
#include "config.h"
#include "host.h"
#include "internal.h"
#include "loader.h"
#include "workspace_impl.h"
#include "testutil.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIX(dir) WSP_FIXTURE_DIR "/" dir

static char lines[8192];

/*
 * Check yaml, an options mapping read as "t.yaml", against spec (n
 * entries) as the core checks a provider's options; the problems, one
 * FILE:LINE:COL line each, in lines. *out gets the config (NULL: freed).
 */
static int check_opts(wsp_config **out, const wsp_option_spec *spec, size_t n,
		      const char *yaml)
{
	struct wsp__diags d = { 0 };
	struct wsp__ynode *node = NULL;
	wsp_config *cfg = NULL;
	size_t i, len = 0;
	int rc;

	lines[0] = '\0';
	CU_ASSERT_EQUAL_FATAL(
		wsp__yaml_parse(&node, yaml, strlen(yaml), "t.yaml", &d), 0);
	rc = wsp__options_check(&cfg, spec, n, node, NULL, "test", "t.yaml",
				&d);
	for (i = 0; i < d.n && len < sizeof(lines); i++)
		len += (size_t)snprintf(lines + len, sizeof(lines) - len,
					"%s\n", d.lines[i]);
	wsp__diag_clear(&d);
	wsp__yaml_free(node);
	if (out)
		*out = cfg;
	else
		wsp__options_free(cfg);
	return rc;
}

/* A loader's view of one fixture directory. */
static struct wsp__loader cur;
static int have_cur;

static int load(wsp__provider **out, const char *dir, const char *name,
		wsp_error *err)
{
	struct wsp__diags d = { 0 };
	int rc;

	unsetenv("WSP_PLUGIN_PATH");
	if (have_cur)
		wsp__loader_fini(&cur);
	have_cur = 0;
	CU_ASSERT_EQUAL_FATAL(wsp__loader_init(&cur, dir, NULL, &d, err), 0);
	have_cur = 1;
	rc = wsp__loader_get(out, &cur, WSP_KIND_FS, name, err);
	wsp__diag_clear(&d);
	return rc;
}

/* The ranged fixture's option table, as the loader copied it. */
static const wsp__provider *ranged(void)
{
	wsp__provider *p = NULL;
	wsp_error err;

	CU_ASSERT_EQUAL_FATAL(load(&p, FIX("ranged"), "ranged", &err), 0);
	return p;
}

/* Each value outside its bounds is refused where it stands. */
static void test_out_of_range_refused_with_position(void)
{
	const wsp__provider *p = ranged();

	CU_ASSERT_EQUAL(check_opts(NULL, p->options, p->n_options,
				   "root: /x\n"
				   "workers: 0\n"
				   "interval: 2h\n"
				   "chunk: 1KiB\n"
				   "level: 10\n"),
			WSP_ECONFIG);
	CU_ASSERT_STRING_EQUAL(
		lines, "t.yaml:2:10: option 'workers' is 0; it must be 1 to 64\n"
		       "t.yaml:3:11: option 'interval' is 2h; it must be "
		       "100ms to 1h\n"
		       "t.yaml:4:8: option 'chunk' is 1KiB; it must be at "
		       "least 4KiB\n"
		       "t.yaml:5:8: option 'level' is 10; it must be at most "
		       "9\n");
	/* Compared as values, not as text: 1.5h is above 1h. */
	CU_ASSERT_EQUAL(check_opts(NULL, p->options, p->n_options,
				   "{root: /x, interval: 1.5h}"),
			WSP_ECONFIG);
	TU_ASSERT_CONTAINS(lines, "t.yaml:1:22: option 'interval' is 1.5h");
	CU_ASSERT_EQUAL(check_opts(NULL, p->options, p->n_options,
				   "{root: /x, workers: 65}"),
			WSP_ECONFIG);
	TU_ASSERT_CONTAINS(lines, "it must be 1 to 64");
}

/* A value set later (wsp_sandbox_set_option) meets the same bounds. */
static void test_override_checked(void)
{
	const wsp__provider *p = ranged();
	wsp_config *cfg = NULL;
	char why[256];

	CU_ASSERT_EQUAL_FATAL(check_opts(&cfg, p->options, p->n_options,
					 "{root: /x}"),
			      0);
	CU_ASSERT_EQUAL(wsp__options_override(cfg, "workers", "100", why,
					      sizeof(why)),
			WSP_EINVAL);
	CU_ASSERT_STRING_EQUAL(why,
			       "option 'workers' is 100; it must be 1 to 64");
	CU_ASSERT_EQUAL(cfg->vals[9].i, 4); /* the default stays */
	CU_ASSERT_EQUAL(wsp__options_override(cfg, "workers", "64", why,
					      sizeof(why)),
			0);
	CU_ASSERT_EQUAL(cfg->vals[9].i, 64);
	wsp__options_free(cfg);
}

/* The bounds are inclusive, and an unbounded side takes anything. */
static void test_bounds_inclusive(void)
{
	const wsp__provider *p = ranged();

	CU_ASSERT_EQUAL(check_opts(NULL, p->options, p->n_options,
				   "{root: /x, workers: 64, interval: 0.1s, "
				   "chunk: 4096, "
				   "level: -9223372036854775808}"),
			0);
	CU_ASSERT_STRING_EQUAL(lines, "");
	CU_ASSERT_EQUAL(check_opts(NULL, p->options, p->n_options,
				   "{root: /x, workers: 1, interval: 60m, "
				   "chunk: 15TiB}"),
			0);
}

static void test_bounds_copied_for_info(void)
{
	wsp__provider *p = NULL;
	wsp_error err;

	CU_ASSERT_EQUAL_FATAL(load(&p, FIX("ranged"), "ranged", &err), 0);
	CU_ASSERT_EQUAL(p->desc.abi_minor_required, 1);
	CU_ASSERT_EQUAL(p->n_options, 13);
	CU_ASSERT_STRING_EQUAL(p->options[9].name, "workers");
	CU_ASSERT_STRING_EQUAL(p->options[9].min_value, "1");
	CU_ASSERT_STRING_EQUAL(p->options[9].max_value, "64");
	CU_ASSERT_STRING_EQUAL(p->options[11].min_value, "4KiB");
	CU_ASSERT_PTR_NULL(p->options[11].max_value);
	CU_ASSERT_PTR_NULL(p->options[12].min_value);
	CU_ASSERT_PTR_NULL(p->options[0].min_value);
}

/*
 * Bounds in a plugin that requires only 2.0: a 2.0 core would load it and
 * never read them, so its init would see values out of range. Refused.
 */
static void test_bounds_need_minor_1(void)
{
	wsp__provider *p = NULL;
	wsp_error err;

	CU_ASSERT_EQUAL(load(&p, FIX("bad"), "bounds20", &err), WSP_EABI);
	CU_ASSERT_PTR_NULL(p);
	TU_ASSERT_CONTAINS(err.message, "option 'workers' has bounds, which "
					"need plugin ABI 2.1, but the plugin "
					"requires only 2.0");
	TU_ASSERT_CONTAINS(err.message, "/bad/wsp-fs-bounds20.so");
}

/*
 * A provider built against the released 2.0 headers: its option entries
 * are 2.0's size, shorter than this core's, and every one is read whole
 * at its own stride, with the members 2.1 appended read as absent.
 */
static void test_released_2_0_option_table(void)
{
	static const struct {
		const char *name, *def;
		uint32_t type, flags;
	} want[] = {
		{ "root", NULL, WSP_OPT_STRING, WSP_OPT_REQUIRED },
		{ "mode", "safe", WSP_OPT_STRING, 0 },
		{ "retries", "3", WSP_OPT_INT, 0 },
		{ "verbose", "false", WSP_OPT_BOOL, 0 },
		{ "timeout", "30s", WSP_OPT_DURATION, 0 },
		{ "max_size", "64KiB", WSP_OPT_SIZE, 0 },
		{ "tags", NULL, WSP_OPT_LIST, 0 },
		{ "labels", NULL, WSP_OPT_MAP, 0 },
		{ "token", NULL, WSP_OPT_SECRET, 0 },
	};
	wsp__provider *p = NULL;
	wsp_error err;
	size_t i;

	CU_ASSERT_EQUAL_FATAL(load(&p, FIX("v20"), "v20", &err), 0);
	/* as built: 2.0's entry size, which ends with choices */
	CU_ASSERT_EQUAL(p->desc.options->struct_size,
			offsetof(wsp_option_spec, min_value));
	CU_ASSERT(p->desc.options->struct_size < sizeof(wsp_option_spec));
	CU_ASSERT_EQUAL_FATAL(p->n_options, 9);
	for (i = 0; i < 9; i++) {
		const wsp_option_spec *s = &p->options[i];

		CU_ASSERT_EQUAL(s->struct_size, sizeof(wsp_option_spec));
		CU_ASSERT_STRING_EQUAL(s->name, want[i].name);
		CU_ASSERT_EQUAL(s->type, want[i].type);
		CU_ASSERT_EQUAL(s->flags, want[i].flags);
		if (want[i].def) {
			CU_ASSERT_STRING_EQUAL(s->default_value, want[i].def);
		} else {
			CU_ASSERT_PTR_NULL(s->default_value);
		}
		CU_ASSERT_PTR_NOT_NULL(s->help);
		CU_ASSERT_PTR_NULL(s->min_value);
		CU_ASSERT_PTR_NULL(s->max_value);
	}
	CU_ASSERT_STRING_EQUAL(p->options[1].choices[0], "fast");
	CU_ASSERT_STRING_EQUAL(p->options[1].choices[1], "safe");
	CU_ASSERT_PTR_NULL(p->options[1].choices[2]);
	CU_ASSERT_PTR_NULL(p->options[9].name);
	/* Its values are checked by its table: no bounds, choices kept. */
	CU_ASSERT_EQUAL(check_opts(NULL, p->options, p->n_options,
				   "{root: /x, retries: 100000, mode: fast}"),
			0);
	CU_ASSERT_EQUAL(check_opts(NULL, p->options, p->n_options,
				   "{root: /x, mode: wild}"),
			WSP_ECONFIG);
	TU_ASSERT_CONTAINS(lines, "option 'mode' is 'wild', not one of: fast, "
				  "safe");
}

/* Bounds a table may not declare, refused with the plugin named. */
static void test_bad_bounds_refused(void)
{
	static const struct {
		uint32_t type;
		const char *def, *min, *max, *why;
	} cases[] = {
		{ WSP_OPT_STRING, NULL, "a", NULL,
		  "has a min_value or max_value but is a string option" },
		{ WSP_OPT_BOOL, NULL, NULL, "true", "but is a bool option" },
		{ WSP_OPT_SIZE, NULL, "5XB", NULL,
		  "option 'n' has a bad bound: '5XB' is not a size" },
		{ WSP_OPT_DURATION, NULL, "1h", "1m",
		  "option 'n' has min_value 1h above max_value 1m" },
		{ WSP_OPT_INT, "0", "1", "9",
		  "bad default: option 'n' is 0; it must be 1 to 9" },
		{ WSP_OPT_SIZE, "1GiB", NULL, "1GB",
		  "bad default: option 'n' is 1GiB; it must be at most 1GB" },
	};
	wsp_option_spec t[2];
	wsp__provider *p = NULL;
	wsp_plugin_desc d;
	wsp_error err;
	size_t i;

	/* the good fixture's descriptor, with a table of one option */
	CU_ASSERT_EQUAL_FATAL(load(&p, FIX("good"), "fixture", &err), 0);
	d = p->desc;
	d.options = t;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(t, 0, sizeof(t));
		t[0].struct_size = t[1].struct_size = sizeof(t[0]);
		t[0].type = cases[i].type;
		t[0].name = "n";
		t[0].default_value = cases[i].def;
		t[0].min_value = cases[i].min;
		t[0].max_value = cases[i].max;
		CU_ASSERT_EQUAL(wsp__plugin_check(NULL, &d, 0, "p.so", &err),
				WSP_EABI);
		TU_ASSERT_CONTAINS(err.message, "plugin 'p.so'");
		TU_ASSERT_CONTAINS(err.message, cases[i].why);
	}
}

#define SPEC(t, n) WSP_OPTION(t, n, NULL, NULL)

/* Whether a and b hold the same members, strings compared as pointers. */
static int same_spec(const wsp_option_spec *a, const wsp_option_spec *b)
{
	return a->struct_size == b->struct_size && a->type == b->type &&
	       a->flags == b->flags && a->reserved == b->reserved &&
	       a->name == b->name && a->default_value == b->default_value &&
	       a->help == b->help && a->choices == b->choices &&
	       a->min_value == b->min_value && a->max_value == b->max_value;
}

/*
 * <wsp/options.h>'s entry macros put each argument in the member of its
 * name, and leave the others empty: every provider's table is written
 * with them, so a swapped pair would move every default or bound.
 */
static void test_option_macros(void)
{
	static const char *const modes[] = { "fast", "safe", NULL };
	static const char name[] = "n", def[] = "d", help[] = "h", lo[] = "1",
			  hi[] = "9";
	const struct {
		wsp_option_spec got, want;
	} cases[] = {
		{ WSP_OPTION(WSP_OPT_INT, name, def, help),
		  { .struct_size = sizeof(wsp_option_spec),
		    .type = WSP_OPT_INT,
		    .name = name,
		    .default_value = def,
		    .help = help } },
		{ WSP_OPTION_RANGE(WSP_OPT_SIZE, name, def, lo, hi, help),
		  { .struct_size = sizeof(wsp_option_spec),
		    .type = WSP_OPT_SIZE,
		    .name = name,
		    .default_value = def,
		    .help = help,
		    .min_value = lo,
		    .max_value = hi } },
		{ WSP_OPTION_REQUIRED(WSP_OPT_SECRET, name, help),
		  { .struct_size = sizeof(wsp_option_spec),
		    .type = WSP_OPT_SECRET,
		    .flags = WSP_OPT_REQUIRED,
		    .name = name,
		    .help = help } },
		{ WSP_OPTION_CHOICE(name, def, modes, help),
		  { .struct_size = sizeof(wsp_option_spec),
		    .type = WSP_OPT_STRING,
		    .name = name,
		    .default_value = def,
		    .help = help,
		    .choices = modes } },
		{ WSP_OPTION_SPEC(WSP_OPT_STRING, WSP_OPT_REQUIRED, name, def,
				  modes, lo, hi, help),
		  { .struct_size = sizeof(wsp_option_spec),
		    .type = WSP_OPT_STRING,
		    .flags = WSP_OPT_REQUIRED,
		    .name = name,
		    .default_value = def,
		    .help = help,
		    .choices = modes,
		    .min_value = lo,
		    .max_value = hi } },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CU_ASSERT(same_spec(&cases[i].got, &cases[i].want));
}

/* What opt_fill refuses: sizes no type fits, numbers too big, names. */
static void test_fill_refusals(void)
{
	static const wsp_option_spec spec[] = {
		SPEC(WSP_OPT_INT, "big"),      SPEC(WSP_OPT_SIZE, "huge"),
		SPEC(WSP_OPT_STRING, "name"),  SPEC(WSP_OPT_BOOL, "flag"),
		SPEC(WSP_OPT_INT, "unset"),    WSP_OPTION_END,
	};
	struct dst {
		int32_t big32;
		uint32_t huge32;
		int16_t short16;
		int64_t name_wrong;
		bool flag;
		int unset;
	} o;
	const wsp_option_field too_big[] = {
		WSP_OPTION_FIELD(struct dst, big32, "big"),
		WSP_OPTION_FIELD_END,
	};
	const wsp_option_field too_huge[] = {
		WSP_OPTION_FIELD(struct dst, huge32, "huge"),
		WSP_OPTION_FIELD_END,
	};
	const wsp_option_field odd_size[] = {
		WSP_OPTION_FIELD(struct dst, flag, "flag"),
		WSP_OPTION_FIELD(struct dst, short16, "big"),
		WSP_OPTION_FIELD_END,
	};
	const wsp_option_field wrong_type[] = {
		WSP_OPTION_FIELD(struct dst, big32, "name"),
		WSP_OPTION_FIELD_END,
	};
	const wsp_option_field undeclared[] = {
		WSP_OPTION_FIELD(struct dst, unset, "unset"),
		WSP_OPTION_FIELD(struct dst, big32, "nope"),
		WSP_OPTION_FIELD_END,
	};
	wsp_config *cfg = NULL;
	wsp_host h;
	wsp_error err;

	CU_ASSERT_EQUAL_FATAL(check_opts(&cfg, spec, 5,
					 "{big: 2147483648, huge: 4294967296, "
					 "name: x, flag: on}"),
			      0);
	wsp__host_init(&h);
	CU_ASSERT_PTR_NOT_NULL_FATAL(h.opt_fill);
	memset(&o, 0, sizeof(o));
	CU_ASSERT_EQUAL(h.opt_fill(&o, &h, cfg, too_big, &err), WSP_EINVAL);
	TU_ASSERT_CONTAINS(err.message, "option 'big' does not fit its 4-byte "
					"field; declare a max_value");
	CU_ASSERT_EQUAL(o.big32, 0);
	CU_ASSERT_EQUAL(h.opt_fill(&o, &h, cfg, too_huge, &err), WSP_EINVAL);
	TU_ASSERT_CONTAINS(err.message, "option 'huge' does not fit");
	/* entries before the bad one are written */
	CU_ASSERT_EQUAL(h.opt_fill(&o, &h, cfg, odd_size, &err), WSP_EINVAL);
	TU_ASSERT_CONTAINS(err.message, "option field 'big' is 2 bytes, which "
					"no int option fills");
	CU_ASSERT(o.flag);
	CU_ASSERT_EQUAL(h.opt_fill(&o, &h, cfg, wrong_type, &err), WSP_EINVAL);
	TU_ASSERT_CONTAINS(err.message, "which no string option fills");
	o.unset = 42;
	CU_ASSERT_EQUAL(h.opt_fill(&o, &h, cfg, undeclared, &err), WSP_EINVAL);
	TU_ASSERT_CONTAINS(err.message, "option field 'nope' names no "
					"declared option");
	CU_ASSERT_EQUAL(o.unset, 42); /* not set, no default: untouched */
	CU_ASSERT_EQUAL(h.opt_fill(NULL, &h, cfg, too_big, &err), WSP_EINVAL);
	wsp__options_free(cfg);
}

/*
 * A provider's init reads every member type with one opt_fill (the
 * ranged fixture reports what it got), defaults included.
 */
static void test_fill_through_instance(void)
{
	wsp_open_opts o = WSP_OPEN_OPTS_INIT;
	wsp_workspace *ws = NULL;
	wsp__instance *inst = NULL;
	char *dir = tu_tmpdir(), *report;
	wsp_error err;

	setenv("WSP_FIXTURE_REPORT", tu_path(dir, "report"), 1);
	setenv("XDG_STATE_HOME", dir, 1);
	unsetenv("WSP_PLUGIN_PATH");
	o.plugin_path = FIX("ranged");
	o.config_text = "mounts:\n  /:\n    provider: ranged\n    options:\n"
			"      root: /srv\n      token: t0k\n"
			"      tags: [red, blue]\n      labels: {team: data}\n"
			"      max_size: 5GiB\n      verbose: yes\n"
			"      workers: 33\n      level: -5\n";
	o.config_name = "fill.yaml";
	CU_ASSERT_EQUAL_FATAL(wsp_workspace_open(&ws, &o, &err), 0);
	CU_ASSERT_EQUAL(wsp__workspace_mount_instance(&inst, ws, 0, &err), 0);
	report = tu_read(tu_path(dir, "report"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(report);
	TU_ASSERT_CONTAINS(report, "fill_rc=0\n");
	TU_ASSERT_CONTAINS(report, "fill_root=/srv\nfill_mode=safe\n"
				   "fill_token=set\n");
	TU_ASSERT_CONTAINS(report, "fill_tags=red\nfill_labels=data\n");
	TU_ASSERT_CONTAINS(report, "fill_retries=3\nfill_timeout_ms=30000\n");
	TU_ASSERT_CONTAINS(report, "fill_workers=33\nfill_level=-5\n");
	TU_ASSERT_CONTAINS(report, "fill_max_size=5368709120\nfill_chunk=7\n");
	TU_ASSERT_CONTAINS(report, "fill_verbose=1\nfill_interval_ms=1000\n");
	free(report);
	wsp_workspace_close(ws);
	tu_rmrf(dir);
	free(dir);
	unsetenv("WSP_FIXTURE_REPORT");
	unsetenv("XDG_STATE_HOME");
}

static const CU_TestInfo tests[] = {
	{ "out of range: refused at FILE:LINE:COL",
	  test_out_of_range_refused_with_position },
	{ "bounds are inclusive", test_bounds_inclusive },
	{ "an override meets the bounds", test_override_checked },
	{ "bounds copied for plugins info", test_bounds_copied_for_info },
	{ "bounds need a plugin requiring 2.1", test_bounds_need_minor_1 },
	{ "released 2.0 option table read whole",
	  test_released_2_0_option_table },
	{ "bad bounds refused", test_bad_bounds_refused },
	{ "option entry macros", test_option_macros },
	{ "opt_fill refusals", test_fill_refusals },
	{ "opt_fill through an instance", test_fill_through_instance },
	CU_TEST_INFO_NULL,
};

int main(void)
{
	int rc = tu_main("core_optrange", tests);

	if (have_cur)
		wsp__loader_fini(&cur);
	return rc;
}
