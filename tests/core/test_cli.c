/*
 * tests/core/test_cli.c - the wsp command on bad input: one clear message,
 * the documented exit status (1 failure, 2 usage), never a crash; plus
 * --help everywhere, --json output, and secrets kept out of every output.
 */
#include "testutil.h"

#include <wsp/plugin.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIX(dir) WSP_FIXTURE_DIR "/" dir
#define STR_(x)	 #x
#define STR(x)	 STR_(x)
/* This core's plugin ABI, as the CLI prints it ("2.1"). */
#define CORE_ABI STR(WSP_PLUGIN_ABI_MAJOR) "." STR(WSP_PLUGIN_ABI_MINOR)

static char *dir;
static char *out, *err;

static int lines_in(const char *s)
{
	int n = 0;

	for (; s && *s; s++)
		n += *s == '\n';
	return n;
}

/* Run wsp with the NULL-terminated arguments in the scratch directory. */
static int wsp(const char *first, ...)
{
	const char *argv[16] = { WSP_CLI };
	char home[4096], xdg[4096], state[4096];
	const char *a = first;
	size_t n = 1;
	va_list ap;
	const char *env[] = { "WSP_CONFIG", "WSP_PLUGIN_PATH", home, xdg,
			      state, "WSP_T_SECRET=hunter2-x81", NULL };
	int rc;

	va_start(ap, first);
	while (a && n < 15) {
		argv[n++] = a;
		a = va_arg(ap, const char *);
	}
	va_end(ap);
	argv[n] = NULL;
	snprintf(home, sizeof(home), "HOME=%s", dir);
	snprintf(xdg, sizeof(xdg), "XDG_CONFIG_HOME=%s/xdg", dir);
	snprintf(state, sizeof(state), "XDG_STATE_HOME=%s/state", dir);
	free(out);
	free(err);
	rc = tu_run(argv, env, dir, &out, &err);
	/* Never a crash, whatever the input. */
	CU_ASSERT(rc >= 0 && rc < 126);
	return rc;
}

#define W(...) wsp(__VA_ARGS__, (const char *)NULL)

static const char *file(const char *name, const char *text)
{
	const char *p = tu_path(dir, name);

	tu_write(p, text);
	return p;
}

static void test_usage_errors(void)
{
	CU_ASSERT_EQUAL(wsp(NULL), 2);
	TU_ASSERT_CONTAINS(err, "usage: wsp");
	CU_ASSERT_EQUAL(W("frobnicate"), 2);
	TU_ASSERT_CONTAINS(err, "unknown command 'frobnicate'");
	CU_ASSERT_EQUAL(W("--bogus", "version"), 2);
	TU_ASSERT_CONTAINS(err, "unknown option '--bogus'");
	CU_ASSERT_EQUAL(W("--config"), 2);
	TU_ASSERT_CONTAINS(err, "needs a value");
	CU_ASSERT_EQUAL(W("config"), 2);
	CU_ASSERT_EQUAL(W("config", "bogus"), 2);
	TU_ASSERT_CONTAINS(err, "unknown subcommand 'bogus'");
	CU_ASSERT_EQUAL(W("config", "check", "a.yaml", "b.yaml"), 2);
	CU_ASSERT_EQUAL(W("config", "check", "--frob"), 2);
	CU_ASSERT_EQUAL(W("config", "show", "extra"), 2);
	CU_ASSERT_EQUAL(W("plugins", "info"), 2);
	CU_ASSERT_EQUAL(W("plugins", "bogus"), 2);
	CU_ASSERT_EQUAL(W("version", "extra"), 2);
	/* durations no int64_t of milliseconds holds: refused, never
	 * converted (undefined behaviour the sanitizer build traps); wsp
	 * exec's own failures are 125, not 2 */
	CU_ASSERT_EQUAL(W("exec", "--timeout", "nan", "true"), 125);
	TU_ASSERT_CONTAINS(err, "invalid duration 'nan'");
	CU_ASSERT_EQUAL(W("exec", "--timeout", "1e12d", "true"), 125);
	TU_ASSERT_CONTAINS(err, "invalid duration '1e12d'");
}

static void test_help_everywhere(void)
{
	static const char *const cmds[] = { "version", "plugins", "config",
					    NULL };
	size_t i;

	CU_ASSERT_EQUAL(W("--help"), 0);
	TU_ASSERT_CONTAINS(out, "commands:");
	for (i = 0; cmds[i]; i++) {
		CU_ASSERT_EQUAL(W(cmds[i], "--help"), 0);
		TU_ASSERT_CONTAINS(out, "usage: wsp ");
		TU_ASSERT_CONTAINS(out, cmds[i]);
		/* --help wins over bad arguments. */
		CU_ASSERT_EQUAL(W(cmds[i], "bogus", "-h"), 0);
	}
}

/* Bad input: one line naming the problem, exit 1. */
static void expect_fail(const char *fragment)
{
	CU_ASSERT_EQUAL(lines_in(err), 1);
	TU_ASSERT_CONTAINS(err, fragment);
	TU_ASSERT_LACKS(out, "ok\n");
}

static void test_config_check_bad_input(void)
{
	const char *p;

	p = file("malformed.yaml", "sandbox:\n  provider: [local\n");
	CU_ASSERT_EQUAL(W("config", "check", p), 1);
	expect_fail("malformed.yaml:3:1: invalid YAML");

	p = file("type.yaml", "mounts:\n  /:\n    provider: fixture\n"
			      "    options: {root: /w, retries: lots}\n");
	CU_ASSERT_EQUAL(W("--plugin-path", FIX("good"), "config", "check", p),
			1);
	expect_fail("type.yaml:4:34: option 'retries': 'lots' is not a whole "
		    "number");

	p = file("unknown.yaml", "sandbox: {provider: nosuch}\n");
	CU_ASSERT_EQUAL(W("--plugin-path", FIX("good"), "config", "check", p),
			1);
	expect_fail("unknown.yaml:1:21: no sandbox provider 'nosuch'");

	CU_ASSERT_EQUAL(W("--plugin-path", "/nonexistent/plugins", "config",
			  "check", p),
			1);
	expect_fail("plugin directory '/nonexistent/plugins' (from "
		    "--plugin-path) cannot be searched: No such file or "
		    "directory");

	p = file("cut.yaml", "mounts: {/: {provider: cut}}\n");
	CU_ASSERT_EQUAL(W("--plugin-path", FIX("bad"), "config", "check", p),
			1);
	expect_fail("cut.yaml:1:24: cannot load plugin");
	TU_ASSERT_CONTAINS(err, "truncated");

	p = file("garbage.yaml", "mounts: {/: {provider: x}}\n");
	CU_ASSERT_EQUAL(W("--plugin-path", FIX("bad"), "config", "check", p),
			1);
	expect_fail("not a shared object");

	p = file("init.yaml", "mounts: {/: {provider: initfail, options: "
			      "{root: /w}}}\n");
	CU_ASSERT_EQUAL(W("--plugin-path", FIX("bad"), "config", "check", p),
			0);
	TU_ASSERT_CONTAINS(out, "ok\n");
	CU_ASSERT_EQUAL(W("--plugin-path", FIX("bad"), "config", "check",
			  "--init", p),
			1);
	expect_fail("init.yaml:1:24: plugin '");
	TU_ASSERT_CONTAINS(err, "failed to start mount '/': credentials for "
				"'team-data' were rejected");

	CU_ASSERT_EQUAL(W("config", "check", tu_path(dir, "absent.yaml")), 1);
	expect_fail("absent.yaml': No such file or directory");

	/* Several problems: all reported, one per line. */
	p = file("many.yaml", "mount: {}\ntools: {grepp: {}}\n");
	CU_ASSERT_EQUAL(W("config", "check", p), 1);
	CU_ASSERT_EQUAL(lines_in(err), 2);
	TU_ASSERT_CONTAINS(err, "many.yaml:1:1: unknown key 'mount'");
	TU_ASSERT_CONTAINS(err, "many.yaml:2:9: unknown tool 'grepp'; did "
				"you mean 'grep'?");
}

static void test_config_check_good(void)
{
	const char *p = file("good.yaml",
			     "sandbox: {provider: fixture, id: dev-box, "
			     "options: {root: /w}}\n"
			     "mounts:\n  /: {provider: fixture, options: "
			     "{root: ./workspace}}\n");

	CU_ASSERT_EQUAL(W("--plugin-path", FIX("good"), "config", "check", p),
			0);
	CU_ASSERT_STRING_EQUAL(out, "ok\n");
	CU_ASSERT_STRING_EQUAL(err, "");
	CU_ASSERT_EQUAL(W("--plugin-path", FIX("good"), "config", "check",
			  "--init", p),
			0);
	/* --config is used when no FILE is given. */
	CU_ASSERT_EQUAL(W("--plugin-path", FIX("good"), "--config", p, "config",
			  "check"),
			0);
	CU_ASSERT_EQUAL(W("--plugin-path", FIX("good"), "--json", "config",
			  "check", p),
			0);
	TU_ASSERT_CONTAINS(out, "\"ok\":\ttrue");
}

static void test_config_show_masks(void)
{
	const char *p = file("secret.yaml",
			     "mounts:\n  /:\n    provider: fixture\n"
			     "    options:\n      root: /w\n"
			     "      token: ${WSP_T_SECRET}\n");

	CU_ASSERT_EQUAL(W("--plugin-path", FIX("good"), "--config", p, "config",
			  "show"),
			0);
	TU_ASSERT_CONTAINS(out, "token: \"********\"");
	TU_ASSERT_LACKS(out, "hunter2");
	TU_ASSERT_LACKS(err, "hunter2");
	CU_ASSERT_EQUAL(W("--plugin-path", FIX("good"), "--config", p, "--json",
			  "config", "show"),
			0);
	CU_ASSERT(out && out[0] == '{');
	TU_ASSERT_CONTAINS(out, "\"token\":\t\"********\"");
	TU_ASSERT_LACKS(out, "hunter2");
	/* A provider that cannot be loaded: an error, not a guess. */
	p = file("unloadable.yaml", "mounts: {/: {provider: major}}\n");
	CU_ASSERT_EQUAL(W("--plugin-path", FIX("bad"), "--config", p, "config",
			  "show"),
			1);
	TU_ASSERT_CONTAINS(err, "built for plugin ABI 3.0");
}

/*
 * One ${VAR} feeding a secret and plain options of this and of another
 * instance (the sandbox, shown before the mount whose secret it is): the
 * value is masked everywhere it appears, and in errors quoting it.
 */
static void test_secret_everywhere(void)
{
	const char *p = file("shared.yaml",
			     "sandbox:\n  provider: fixture\n  options:\n"
			     "    root: \"/w/${WSP_T_SECRET}\"\n"
			     "    labels: {KEY: \"${WSP_T_SECRET}\"}\n"
			     "    tags: [\"a${WSP_T_SECRET}b\"]\n"
			     "mounts:\n  /:\n    provider: fixture\n"
			     "    options:\n      root: \"x${WSP_T_SECRET}\"\n"
			     "      token: ${WSP_T_SECRET}\n");
	const char *bad = file("shared-bad.yaml",
			       "mounts:\n  /:\n    provider: fixture\n"
			       "    options:\n      root: /w\n"
			       "      retries: ${WSP_T_SECRET}\n"
			       "      token: ${WSP_T_SECRET}\n");

	CU_ASSERT_EQUAL(W("--plugin-path", FIX("good"), "--config", p, "config",
			  "show"),
			0);
	TU_ASSERT_CONTAINS(out, "root: \"/w/********\"");
	TU_ASSERT_CONTAINS(out, "KEY: \"********\"");
	TU_ASSERT_CONTAINS(out, "a********b");
	TU_ASSERT_CONTAINS(out, "root: \"x********\"");
	TU_ASSERT_LACKS(out, "hunter2");
	TU_ASSERT_LACKS(err, "hunter2");
	CU_ASSERT_EQUAL(W("--plugin-path", FIX("good"), "--config", p, "--json",
			  "config", "show"),
			0);
	TU_ASSERT_CONTAINS(out, "\"/w/********\"");
	TU_ASSERT_LACKS(out, "hunter2");
	TU_ASSERT_LACKS(err, "hunter2");
	/* A provider's error quoting the value (here in a path). */
	CU_ASSERT_EQUAL(W("--plugin-path", FIX("good"), "--config", p, "fs",
			  "cat", "/hunter2-x81"),
			1);
	TU_ASSERT_CONTAINS(err, "'********' does not exist");
	TU_ASSERT_LACKS(err, "hunter2");
	/* An error quoting the value of a plain option fed by the secret. */
	CU_ASSERT_EQUAL(W("--plugin-path", FIX("good"), "--config", bad,
			  "config", "show"),
			1);
	TU_ASSERT_CONTAINS(err, "retries");
	TU_ASSERT_LACKS(err, "hunter2");
	TU_ASSERT_LACKS(out, "hunter2");
	CU_ASSERT_EQUAL(W("--plugin-path", FIX("good"), "config", "check", bad),
			1);
	TU_ASSERT_CONTAINS(err, "'retries': '********' is not");
	TU_ASSERT_LACKS(out, "hunter2");
	TU_ASSERT_LACKS(err, "hunter2");
}

static void test_plugins(void)
{
	CU_ASSERT_EQUAL(W("--plugin-path",
			  FIX("good") ":" FIX("newer") ":" FIX("bad"),
			  "plugins"),
			0);
	TU_ASSERT_CONTAINS(out, "VERSION    ABI   NEEDS FILE");
	/* Built against, then the lowest minor it runs on. */
	TU_ASSERT_CONTAINS(out, "ok       fs      fixture      1.2.3      " CORE_ABI
				"   " CORE_ABI "   " FIX("good/"));
	TU_ASSERT_CONTAINS(out, "ok       fs      newer        1.2.3      2.3   "
				"2.0   " FIX("newer/"));
	TU_ASSERT_CONTAINS(out, "refused  fs      major");
	TU_ASSERT_CONTAINS(out, "built for plugin ABI 3.0");
	TU_ASSERT_CONTAINS(out, "refused  fs      requires     -          -     "
				"-     " FIX("bad/"));
	TU_ASSERT_CONTAINS(out, "needs wsp plugin ABI 2.3 or newer; this wsp "
				"has " CORE_ABI "; upgrade wsp");
	TU_ASSERT_CONTAINS(out, "wsp-fs-v1.so' was built for plugin ABI 1.0; "
				"rebuild it against the wsp SDK 2.x "
				"(pkg-config wsp-plugin)");
	TU_ASSERT_CONTAINS(out, "(--plugin-path)");
	CU_ASSERT_EQUAL(W("--plugin-path", FIX("newer"), "plugins", "info",
			  "newer"),
			0);
	TU_ASSERT_CONTAINS(out, "  abi:          2.3 (built against)\n"
				"  needs:        wsp plugin ABI 2.0 or newer\n");
	CU_ASSERT_EQUAL(W("--plugin-path", FIX("newer"), "--json", "plugins",
			  "info", "newer"),
			0);
	TU_ASSERT_CONTAINS(out, "\"abi\":\t\"2.3\"");
	TU_ASSERT_CONTAINS(out, "\"abi_required\":\t\"2.0\"");
	CU_ASSERT_EQUAL(W("--plugin-path", FIX("good") ":" FIX("bad"), "--json",
			  "plugins", "list"),
			0);
	TU_ASSERT_CONTAINS(out, "\"status\":\t\"refused\"");
	TU_ASSERT_CONTAINS(out, "\"status\":\t\"ok\"");
	CU_ASSERT_EQUAL(W("--plugin-path", FIX("good"), "plugins", "info",
			  "fs-fixture"),
			0);
	TU_ASSERT_CONTAINS(out, "fs provider 'fixture'");
	TU_ASSERT_CONTAINS(out, "root                  string, required");
	TU_ASSERT_CONTAINS(out, "max_size              size, default 64KiB");
	TU_ASSERT_CONTAINS(out, "one of: fast safe");
	TU_ASSERT_LACKS(out, "sandbox provider");
	/* Bounds (ABI 2.1), as declared: both, a lowest, a highest. */
	CU_ASSERT_EQUAL(W("--plugin-path", FIX("ranged"), "plugins", "info",
			  "ranged"),
			0);
	TU_ASSERT_CONTAINS(out, "workers               int, default 4\n"
				"                          from 1 to 64\n");
	TU_ASSERT_CONTAINS(out, "from 100ms to 1h\n");
	TU_ASSERT_CONTAINS(out, "chunk                 size\n"
				"                          at least 4KiB\n");
	TU_ASSERT_CONTAINS(out, "at most 9\n");
	CU_ASSERT_EQUAL(W("--plugin-path", FIX("ranged"), "--json", "plugins",
			  "info", "ranged"),
			0);
	TU_ASSERT_CONTAINS(out, "\"min\":\t\"4KiB\"");
	TU_ASSERT_CONTAINS(out, "\"max\":\t\"1h\"");
	/* A bare name shows every kind with that name. */
	CU_ASSERT_EQUAL(W("--plugin-path", FIX("good"), "plugins", "info",
			  "fixture"),
			0);
	TU_ASSERT_CONTAINS(out, "fs provider 'fixture'");
	TU_ASSERT_CONTAINS(out, "sandbox provider 'fixture'");
	CU_ASSERT_EQUAL(W("--plugin-path", FIX("good"), "--json", "plugins",
			  "info", "sandbox-fixture"),
			0);
	TU_ASSERT_CONTAINS(out, "\"type\":\t\"duration\"");
	CU_ASSERT_EQUAL(W("--plugin-path", FIX("good"), "plugins", "info",
			  "nosuch"),
			1);
	expect_fail("no provider 'nosuch' on the plugin path");
	CU_ASSERT_EQUAL(W("--plugin-path", FIX("bad"), "plugins", "info",
			  "trunc"),
			0);
	TU_ASSERT_CONTAINS(out, "status:       refused");
	TU_ASSERT_CONTAINS(out, "12-byte descriptor");
}

/* A broken configuration does not hide the rest of the plugin path. */
static void test_plugins_with_broken_config(void)
{
	const char *p = file("broken.yaml", "mounts: [\n");

	CU_ASSERT_EQUAL(W("--plugin-path", FIX("good"), "--config", p,
			  "plugins"),
			0);
	TU_ASSERT_CONTAINS(err, "broken.yaml:2:1: invalid YAML");
	TU_ASSERT_CONTAINS(err, "listing without the configuration's "
				"plugin_path");
	TU_ASSERT_CONTAINS(out, "ok       fs      fixture");
	/* A missing --plugin-path directory is still an error. */
	CU_ASSERT_EQUAL(W("--plugin-path", "/nonexistent/x", "plugins"), 1);
	expect_fail("cannot be searched");
}

/* A build tree's wsp searches the build tree's plugins with no setting. */
static void test_build_tree_plugins(void)
{
	CU_ASSERT_EQUAL(W("plugins"), 0);
	TU_ASSERT_CONTAINS(out,
			   "  " WSP_TEST_BUILD_PLUGIN_DIR "  (build tree)\n");
	/* It comes after the explicit directories, before the install dir. */
	CU_ASSERT_EQUAL(W("--plugin-path", FIX("good"), "plugins"), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT(strstr(out, "(--plugin-path)") &&
		  strstr(out, "(build tree)") &&
		  strstr(out, "(--plugin-path)") < strstr(out, "(build tree)"));
	CU_ASSERT(strstr(out, "(install dir)") &&
		  strstr(out, "(build tree)") < strstr(out, "(install dir)"));
}

static void test_version(void)
{
	CU_ASSERT_EQUAL(W("version"), 0);
	TU_ASSERT_CONTAINS(out, "(plugin ABI " CORE_ABI ")");
	CU_ASSERT_EQUAL(W("--json", "version"), 0);
	TU_ASSERT_CONTAINS(out, "\"plugin_abi\":\"" CORE_ABI "\"");
}

static const CU_TestInfo tests[] = {
	{ "usage errors exit 2", test_usage_errors },
	{ "--help on every command", test_help_everywhere },
	{ "config check: bad input", test_config_check_bad_input },
	{ "config check: good", test_config_check_good },
	{ "config show masks secrets", test_config_show_masks },
	{ "a secret fed to plain options is masked", test_secret_everywhere },
	{ "plugins list and info", test_plugins },
	{ "plugins with a broken config", test_plugins_with_broken_config },
	{ "build tree plugins found", test_build_tree_plugins },
	{ "version", test_version },
	CU_TEST_INFO_NULL,
};

int main(void)
{
	return tu_main_in_tmpdir("core_cli", tests, &dir, NULL,
				 &out, &err);
}
