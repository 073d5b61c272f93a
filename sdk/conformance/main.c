/*
 * wsp-conformance - run behavioural checks on a provider .so.
 *
 *   wsp-conformance PLUGIN.so [--options FILE] [--expect-fail CHECK]...
 *
 * The provider is loaded as an operator would load it: through a
 * workspace whose plugin path is the .so's directory and whose root mount
 * (fs) or sandbox (sandbox) names it, with the options of FILE (a YAML
 * map). Every check prints PASS, FAIL or SKIP; any failure exits 1.
 *
 * --expect-fail names a check known to fail for a reason outside the
 * provider (a test server that ignores a feature): its failure prints
 * XFAIL and does not count, but its passing, or not running at all, is a
 * failure, so the list cannot outlive the gap it excuses.
 */
#include <dlfcn.h>
#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conformance.h"

#define MAX_EXPECT_FAIL 32

static unsigned n_pass, n_fail, n_skip, n_xfail;

/* The --expect-fail checks and whether each has failed as expected. */
static const char *expect_fail[MAX_EXPECT_FAIL];
static int expect_failed[MAX_EXPECT_FAIL], expect_passed[MAX_EXPECT_FAIL];
static int n_expect_fail;

static int expected_failure(const char *check)
{
	int i;

	for (i = 0; i < n_expect_fail; i++)
		if (!strcmp(expect_fail[i], check))
			return i;
	return -1;
}

/* Put before every check's name (a run of the fs checks elsewhere). */
static const char *check_prefix = "";

void conf_set_prefix(const char *prefix)
{
	check_prefix = prefix ? prefix : "";
}

/* check with the prefix, in buf. */
static const char *named(char *buf, size_t cap, const char *check)
{
	snprintf(buf, cap, "%s%s", check_prefix, check);
	return buf;
}

void conf_pass(const char *check_)
{
	char buf[192];
	const char *check = named(buf, sizeof(buf), check_);
	int x = expected_failure(check);

	if (x >= 0) {
		expect_passed[x] = 1;
		n_fail++;
		printf("FAIL %s: passed, but --expect-fail names it; drop it "
		       "from the list\n",
		       check);
		fflush(stdout);
		return;
	}
	n_pass++;
	printf("PASS %s\n", check);
	fflush(stdout);
}

void conf_fail(const char *check_, const char *fmt, ...)
{
	char buf[192];
	const char *check = named(buf, sizeof(buf), check_);
	int x = expected_failure(check);
	va_list ap;

	if (x >= 0) {
		n_xfail++;
		expect_failed[x] = 1;
		printf("XFAIL %s (expected by --expect-fail): ", check);
	} else {
		n_fail++;
		printf("FAIL %s: ", check);
	}
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

void conf_skip(const char *check_, const char *fmt, ...)
{
	char buf[192];
	const char *check = named(buf, sizeof(buf), check_);
	va_list ap;

	n_skip++;
	printf("SKIP %s: ", check);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

int conf_expect(const char *check, int rc, int want, const wsp_error *err)
{
	if (rc == want) {
		conf_pass(check);
		return 1;
	}
	if (rc == WSP_ENOTSUP)
		conf_skip(check, "provider lacks the operation (%s)",
			  err->message);
	else if (rc)
		conf_fail(check, "got %s, want %s: %s", conf_errname(rc),
			  conf_errname(want), err->message);
	else
		conf_fail(check, "succeeded, want %s", conf_errname(want));
	return 0;
}

int conf_count_bytes(const void *data, size_t len, void *payload)
{
	(void)data;
	*(size_t *)payload += len;
	return 0;
}

int64_t conf_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *conf_errname(int code)
{
	static const char *const names[] = {
		"WSP_OK",	  "WSP_ERROR",	    "WSP_ENOMEM",
		"WSP_EINVAL",	  "WSP_ENOTFOUND",  "WSP_EEXIST",
		"WSP_EISDIR",	  "WSP_ENOTDIR",    "WSP_ENOTEMPTY",
		"WSP_EPERM",	  "WSP_EROFS",	    "WSP_ESTALE",
		"WSP_ETIMEDOUT",  "WSP_ECANCELED",  "WSP_ENOTSUP",
		"WSP_EAUTH",	  "WSP_ERATELIMIT", "WSP_EUNAVAIL",
		"WSP_EPROTO",	  "WSP_EIO",	    "WSP_EABI",
		"WSP_ENOTPLUGIN", "WSP_ECONFIG",    "WSP_EBUSY",
		"WSP_ETOOBIG",	  "WSP_ELOST",
	};

	if (code <= 0 && -code < (int)(sizeof(names) / sizeof(names[0])))
		return names[-code];
	return "unknown code";
}

/* The options file, each line indented by indent to sit under "options:". */
static char *read_options(const char *path, int indent)
{
	char line[4096];
	char *out = calloc(1, 1);
	size_t len = 0;
	FILE *f;

	if (!out)
		return NULL;
	if (!path)
		return out;
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "error: cannot open '%s': %s\n", path,
			strerror(errno));
		free(out);
		return NULL;
	}
	while (fgets(line, sizeof(line), f)) {
		size_t n = strlen(line);
		char *grown = realloc(out, len + n + (size_t)indent + 2);

		if (!grown) {
			free(out);
			fclose(f);
			return NULL;
		}
		out = grown;
		len += (size_t)sprintf(out + len, "%*s%s%s", indent, "", line,
				       n && line[n - 1] == '\n' ? "" : "\n");
	}
	fclose(f);
	return out;
}

int conf_open(wsp_workspace **out, const struct conf *c, const char *extra,
	      wsp_error *err)
{
	wsp_open_opts o = WSP_OPEN_OPTS_INIT;
	size_t cap = strlen(c->options) + (extra ? strlen(extra) : 0) + 512;
	char *yaml = malloc(cap);
	int rc;

	if (!yaml)
		return WSP_ENOMEM;
	if (c->kind == WSP_KIND_FS)
		snprintf(yaml, cap,
			 "mounts:\n  /:\n    provider: %s\n    options:\n%s%s",
			 c->name, c->options, extra ? extra : "");
	else
		snprintf(yaml, cap,
			 "sandbox:\n  provider: %s\n  id: conformance\n"
			 "  options:\n%s%s",
			 c->name, c->options, extra ? extra : "");
	o.config_text = yaml;
	o.config_name = "<conformance>";
	o.plugin_path = c->dir;
	rc = wsp_workspace_open(out, &o, err);
	free(yaml);
	return rc;
}

/* Split "wsp-<kind>-<name>.so" into kind and name. */
static int parse_file_name(struct conf *c)
{
	char copy[4096];
	const char *base, *rest;
	size_t n;

	snprintf(copy, sizeof(copy), "%s", c->so_path);
	snprintf(c->dir, sizeof(c->dir), "%s", dirname(copy));
	snprintf(copy, sizeof(copy), "%s", c->so_path);
	base = basename(copy);
	if (!strncmp(base, "wsp-fs-", 7)) {
		c->kind = WSP_KIND_FS;
		rest = base + 7;
	} else if (!strncmp(base, "wsp-sandbox-", 12)) {
		c->kind = WSP_KIND_SANDBOX;
		rest = base + 12;
	} else {
		return -1;
	}
	n = strlen(rest);
	if (n < 4 || strcmp(rest + n - 3, ".so") || n - 3 >= sizeof(c->name))
		return -1;
	memcpy(c->name, rest, n - 3);
	c->name[n - 3] = '\0';
	return 0;
}

static int on_plugin(const wsp_plugin_info *info, void *payload)
{
	struct conf *c = payload;
	size_t i;

	if (info->status != WSP_PLUGIN_OK) {
		conf_fail("load", "'%s' refused: %s", info->path,
			  info->message ? info->message : "no reason given");
		return WSP_ENOTPLUGIN;
	}
	c->caps = info->caps;
	c->has_procmgr = info->has_procmgr != 0;
	for (i = 0; i < info->n_options; i++)
		if (info->options[i].name &&
		    !strcmp(info->options[i].name, "read_only") &&
		    info->options[i].type == WSP_OPT_BOOL)
			c->has_read_only_opt = 1;
	conf_pass("load");
	return 0;
}

/*
 * The descriptor as the provider hands it out, for its slots: the core
 * has loaded the same .so, so this only takes another reference.
 */
static void *read_descriptor(struct conf *c)
{
	wsp_plugin_entry_fn entry;
	void *dl = dlopen(c->so_path, RTLD_NOW | RTLD_LOCAL);

	if (!dl)
		return NULL;
	*(void **)&entry = dlsym(dl, WSP_PLUGIN_ENTRY_SYMBOL);
	if (entry)
		c->desc = entry(WSP_PLUGIN_ABI_MAJOR, WSP_PLUGIN_ABI_MINOR);
	return dl;
}

/* Every --expect-fail check must have failed; say which did not. */
static void report_expected(void)
{
	int i;

	for (i = 0; i < n_expect_fail; i++) {
		if (expect_failed[i] || expect_passed[i])
			continue; /* failed as expected, or reported passing */
		n_fail++;
		printf("FAIL %s: named by --expect-fail but never failed\n",
		       expect_fail[i]);
	}
	if (n_xfail)
		printf("NOTE %u expected failure%s (--expect-fail): these "
		       "checks are not verified by this run\n",
		       n_xfail, n_xfail == 1 ? "" : "s");
}

#define USAGE                                                                 \
	"usage: wsp-conformance PLUGIN.so [--options FILE] "                  \
	"[--only sandbox-fs] [--expect-fail CHECK]...\n"

static int usage(void)
{
	fputs(USAGE "Try 'wsp-conformance --help'.\n", stderr);
	return 2;
}

/* Also the source of wsp-conformance(1) (help2man, tools/gen-man.sh). */
static int help(void)
{
	fputs(USAGE
	      "\n"
	      "Check a wsp provider's behaviour: load PLUGIN.so as an operator's\n"
	      "workspace would, run the shared checks for every interface it\n"
	      "declares and print one line per check (PASS, FAIL, SKIP with the\n"
	      "reason, XFAIL), then 'N passed, N failed, N skipped'.\n"
	      "\n"
	      "options:\n"
	      "  --options FILE      the provider's options, a YAML map (for\n"
	      "                      fs-local 'base_path: /some/dir')\n"
	      "  --only sandbox-fs   run only the checks of the sandbox's files\n"
	      "                      mounted with 'provider: sandbox'\n"
	      "  --expect-fail CHECK a check a test server cannot pass: its\n"
	      "                      failure is not counted, and the run fails if\n"
	      "                      it passes or never fails (repeatable)\n"
	      "  -h, --help          show this help\n"
	      "  --version           print the wsp and plugin ABI versions\n"
	      "\n"
	      "A check is skipped only for what the provider declares it lacks (a\n"
	      "capability, an optional slot, WSP_ENOTSUP). The checks work under\n"
	      "one fresh directory, /wsp-conformance-PID, which they remove;\n"
	      "sandbox checks stop, restart and destroy the sandbox 'conformance'.\n"
	      "\n"
	      "exit status: 0 all checks passed, 1 a check failed, 2 bad usage or\n"
	      "the provider could not be loaded\n",
	      stdout);
	return 0;
}

int main(int argc, char **argv)
{
	struct conf c = {0};
	const char *opt_file = NULL;
	wsp_error err = {0};
	void *dl;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return help();
		if (!strcmp(argv[i], "--version")) {
			printf("wsp-conformance %s (plugin ABI %d.%d)\n",
			       wsp_version_string(), WSP_PLUGIN_ABI_MAJOR,
			       WSP_PLUGIN_ABI_MINOR);
			return 0;
		}
		if (!strcmp(argv[i], "--options") && i + 1 < argc) {
			opt_file = argv[++i];
		} else if (!strcmp(argv[i], "--only") && i + 1 < argc &&
			   !strcmp(argv[i + 1], "sandbox-fs")) {
			c.only_sandbox_fs = 1;
			i++;
		} else if (!strcmp(argv[i], "--expect-fail") && i + 1 < argc) {
			if (n_expect_fail == MAX_EXPECT_FAIL) {
				fprintf(stderr,
					"error: more than %d "
					"--expect-fail checks\n",
					MAX_EXPECT_FAIL);
				return 2;
			}
			expect_fail[n_expect_fail++] = argv[++i];
		} else if (argv[i][0] == '-' || c.so_path)
			return usage();
		else
			c.so_path = argv[i];
	}
	if (!c.so_path)
		return usage();
	if (parse_file_name(&c)) {
		fprintf(stderr,
			"error: '%s' is not named wsp-<fs|sandbox>-<name>.so\n",
			c.so_path);
		return 2;
	}
	c.options = read_options(opt_file, c.kind == WSP_KIND_FS ? 6 : 4);
	if (!c.options)
		return 2;
	if (conf_open(&c.ws, &c, NULL, &err)) {
		fprintf(stderr, "error: cannot open a workspace on '%s': %s\n",
			c.so_path, err.message);
		free(c.options);
		return 2;
	}
	dl = NULL;
	if (wsp_workspace_plugin(c.ws, c.kind, c.name, on_plugin, &c, &err)) {
		if (err.code && err.code != WSP_ENOTPLUGIN)
			conf_fail("load", "%s", err.message);
	} else if (!(dl = read_descriptor(&c)) || !c.desc) {
		conf_fail("load", "cannot read the descriptor of '%s': %s",
			  c.so_path, dl ? "no entry point" : dlerror());
	} else if (c.kind == WSP_KIND_FS) {
		conf_run_fs(&c);
	} else {
		conf_run_sandbox(&c);
	}
	wsp_workspace_close(c.ws);
	if (dl)
		dlclose(dl);
	free(c.options);
	report_expected();
	printf("%u passed, %u failed, %u skipped", n_pass, n_fail, n_skip);
	if (n_xfail)
		printf(", %u failed as expected", n_xfail);
	putchar('\n');
	return n_fail ? 1 : 0;
}
