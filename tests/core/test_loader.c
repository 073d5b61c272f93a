/*
 * tests/core/test_loader.c - the loader against real fixture plugins:
 * every refusal (code and message), older and newer minors (built
 * against vs requires), the search order, shadowing, laziness and the
 * public listing.
 */
#include "loader.h"
#include "workspace_impl.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FIX(dir) WSP_FIXTURE_DIR "/" dir
#define STR_(x)	 #x
#define STR(x)	 STR_(x)
/* This core's plugin ABI, as refusals print it ("2.0"). */
#define CORE_ABI STR(WSP_PLUGIN_ABI_MAJOR) "." STR(WSP_PLUGIN_ABI_MINOR)

/*
 * The "requires" fixture needs minor 3 and "newer" is built against 3: a
 * core of 2.3 or later must move them on.
 */
_Static_assert(WSP_PLUGIN_ABI_MINOR < 3, "move the newer-minor fixtures on");

static void reset_env(void)
{
	unsetenv("WSP_PLUGIN_PATH");
	unsetenv("WSP_CONFIG");
}

static int mapped(const char *needle)
{
	char *maps = tu_read("/proc/self/maps");
	int found = maps && strstr(maps, needle);

	free(maps);
	return found;
}

/* The loader of the last load(); its providers live until the next. */
static struct wsp__loader cur;
static int have_cur;

static void drop_loader(void)
{
	if (have_cur)
		wsp__loader_fini(&cur);
	have_cur = 0;
}

/* Load kind/name from the given path; returns the code, err filled. */
static int load(wsp__provider **out, const char *path, uint32_t kind,
		const char *name, wsp_error *err)
{
	struct wsp__diags d = {0};
	int rc;

	reset_env();
	drop_loader();
	rc = wsp__loader_init(&cur, path, NULL, &d, err);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	have_cur = 1;
	rc = wsp__loader_get(out, &cur, kind, name, err);
	wsp__diag_clear(&d);
	return rc;
}

static void expect_refusal(const char *name, int code, const char *frag1,
			   const char *frag2)
{
	wsp__provider *p = NULL;
	wsp_error err;
	int rc;

	memset(&err, 0, sizeof(err));
	rc = load(&p, FIX("bad"), WSP_KIND_FS, name, &err);
	CU_ASSERT_EQUAL(rc, code);
	CU_ASSERT_PTR_NULL(p);
	TU_ASSERT_CONTAINS(err.message, frag1);
	TU_ASSERT_CONTAINS(err.message, frag2);
	/* Every refusal names the file, and is one line. */
	TU_ASSERT_CONTAINS(err.message, "/bad/wsp-fs-");
	TU_ASSERT_LACKS(err.message, "\n");
}

static void test_good_plugin_loads(void)
{
	wsp__provider *p = NULL;
	wsp_error err;

	CU_ASSERT_EQUAL(load(&p, FIX("good"), WSP_KIND_FS, "fixture", &err), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_STRING_EQUAL(p->desc.name, "fixture");
	CU_ASSERT_STRING_EQUAL(p->desc.version, "1.2.3");
	CU_ASSERT(p->has_fs);
	CU_ASSERT(!p->has_sandbox);
	CU_ASSERT_PTR_NOT_NULL(p->fs.rmdir);
	CU_ASSERT_PTR_NOT_NULL(p->fs.copy);
	CU_ASSERT_EQUAL(p->n_options, 9);
	CU_ASSERT_STRING_EQUAL(p->options[0].name, "root");
	CU_ASSERT_PTR_NULL(p->options[p->n_options].name);
	TU_ASSERT_CONTAINS(p->path, "/good/wsp-fs-fixture.so");
}

static void test_refuse_not_shared_object(void)
{
	expect_refusal("x", WSP_ENOTPLUGIN, "cannot load plugin",
		       "not a shared object (no ELF header)");
}

static void test_refuse_truncated_file(void)
{
	expect_refusal("cut", WSP_ENOTPLUGIN,
		       "truncated: the file has 700 "
		       "bytes, its segments need",
		       "rebuild or reinstall it");
}

static void test_refuse_no_entry(void)
{
	expect_refusal("noentry", WSP_ENOTPLUGIN, "is not a wsp plugin",
		       "exports no 'wsp_plugin_entry' symbol");
}

static void test_refuse_bad_magic(void)
{
	expect_refusal("badmagic", WSP_ENOTPLUGIN, "starts with 0x454c4621",
		       "not the magic 0x57535050");
}

static void test_refuse_other_major(void)
{
	expect_refusal("major", WSP_EABI,
		       "built for plugin ABI 3.0, a newer major than this "
		       "wsp's " CORE_ABI,
		       "upgrade wsp to a release with plugin ABI 3, or use a "
		       "build of the plugin for ABI 2");
}

/*
 * A third party's plugin built against the frozen 1.0 headers: only its
 * frozen header is read, and the refusal says how to rebuild.
 */
static void test_refuse_abi_1_0(void)
{
	expect_refusal("v1", WSP_EABI, "was built for plugin ABI 1.0; ",
		       "rebuild it against the wsp SDK 2.x (pkg-config "
		       "wsp-plugin)");
}

/* Built against 2.3 and needing 2.3: this core is too old for it. */
static void test_refuse_newer_required(void)
{
	expect_refusal("requires", WSP_EABI,
		       "needs wsp plugin ABI 2.3 or newer; ",
		       "this wsp has " CORE_ABI "; upgrade wsp");
}

static void test_refuse_truncated_descriptor(void)
{
	expect_refusal("trunc", WSP_EABI, "has a 12-byte descriptor",
		       "smaller than the");
}

static void test_refuse_missing_slot(void)
{
	wsp__provider *p = NULL;
	wsp_error err;

	expect_refusal("noslot", WSP_EABI,
		       "lacks the required filesystem slot 'rmdir'",
		       "implement it");
	CU_ASSERT_EQUAL(load(&p, FIX("bad"), WSP_KIND_SANDBOX, "noslot", &err),
			WSP_EABI);
	TU_ASSERT_CONTAINS(err.message,
			   "lacks the required sandbox slot 'exec'");
}

static void test_refuse_kind_mismatch(void)
{
	expect_refusal("kind", WSP_EABI, "is a sandbox provider",
		       "not a filesystem provider");
}

static void test_refuse_bad_option_table(void)
{
	expect_refusal("badopts", WSP_EABI, "declares option 'retries' twice",
		       "remove one");
}

static void test_refuse_misnamed(void)
{
	expect_refusal("misnamed", WSP_EABI, "calls itself 'other'",
		       "rename it wsp-fs-other.so");
}

static void test_not_found(void)
{
	wsp__provider *p;
	wsp_error err;

	CU_ASSERT_EQUAL(load(&p, FIX("good"), WSP_KIND_FS, "nowhere", &err),
			WSP_ENOTFOUND);
	TU_ASSERT_CONTAINS(err.message, "no fs provider 'nowhere'");
	TU_ASSERT_CONTAINS(err.message, "wsp-fs-nowhere.so");
	TU_ASSERT_CONTAINS(err.message, "--plugin-path");
}

/* Copy src to dir/name with mode. */
static void copy_file(const char *src, const char *dst, mode_t mode)
{
	char *data;
	FILE *in = fopen(src, "rb"), *out = fopen(dst, "wb");
	size_t n;

	CU_ASSERT_PTR_NOT_NULL_FATAL(in);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	data = malloc(1 << 16);
	while ((n = fread(data, 1, 1 << 16, in)) > 0)
		fwrite(data, 1, n, out);
	free(data);
	fclose(in);
	fclose(out);
	chmod(dst, mode);
}

/* A plugin anyone could replace is refused before it is opened. */
static void test_refuse_world_writable(void)
{
	char *dir = tu_tmpdir();
	wsp__provider *p = NULL;
	wsp_error err;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	copy_file(FIX("good/wsp-fs-fixture.so"),
		  tu_path(dir, "wsp-fs-fixture.so"), 0757);
	CU_ASSERT_EQUAL(load(&p, dir, WSP_KIND_FS, "fixture", &err), WSP_EPERM);
	TU_ASSERT_CONTAINS(err.message, "the file is writable by every user");
	CU_ASSERT(!mapped(dir));
	chmod(tu_path(dir, "wsp-fs-fixture.so"), 0755);
	chmod(dir, 0777);
	CU_ASSERT_EQUAL(load(&p, dir, WSP_KIND_FS, "fixture", &err), WSP_EPERM);
	TU_ASSERT_CONTAINS(err.message, "is writable by its group and every "
					"user (mode 0777, not sticky)");
	TU_ASSERT_CONTAINS(err.message, dir);
	/* With the sticky bit (as /tmp has) the directory is fine. */
	chmod(dir, 01777);
	CU_ASSERT_EQUAL(load(&p, dir, WSP_KIND_FS, "fixture", &err), 0);
	drop_loader();
	tu_rmrf(dir);
	free(dir);
}

/*
 * ssh's StrictModes: the file and every directory above it belong to root
 * or the caller and only they may write them (sticky directories aside).
 */
static void test_refuse_others_could_replace(void)
{
	char *dir = tu_tmpdir(), sub[2048], plug[4096];
	wsp__provider *p = NULL;
	wsp_error err;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	snprintf(sub, sizeof(sub), "%s/parent", dir);
	CU_ASSERT_EQUAL_FATAL(mkdir(sub, 0755), 0);
	snprintf(sub, sizeof(sub), "%s/parent/plugins", dir);
	CU_ASSERT_EQUAL_FATAL(mkdir(sub, 0755), 0);
	snprintf(plug, sizeof(plug), "%s/wsp-fs-fixture.so", sub);
	copy_file(FIX("good/wsp-fs-fixture.so"), plug, 0755);
	CU_ASSERT_EQUAL(load(&p, sub, WSP_KIND_FS, "fixture", &err), 0);
	drop_loader();
	/* Writable by its group: refused like by everyone. */
	chmod(plug, 0775);
	CU_ASSERT_EQUAL(load(&p, sub, WSP_KIND_FS, "fixture", &err), WSP_EPERM);
	TU_ASSERT_CONTAINS(err.message, "the file is writable by its group");
	chmod(plug, 0755);
	/* A directory two levels up that others may write, not sticky. */
	snprintf(sub, sizeof(sub), "%s/parent", dir);
	chmod(sub, 0777);
	snprintf(sub, sizeof(sub), "%s/parent/plugins", dir);
	CU_ASSERT_EQUAL(load(&p, sub, WSP_KIND_FS, "fixture", &err), WSP_EPERM);
	TU_ASSERT_CONTAINS(err.message, "/parent' is writable by");
	/* The same directory sticky (as /tmp): fine. */
	snprintf(sub, sizeof(sub), "%s/parent", dir);
	chmod(sub, 01777);
	snprintf(sub, sizeof(sub), "%s/parent/plugins", dir);
	CU_ASSERT_EQUAL(load(&p, sub, WSP_KIND_FS, "fixture", &err), 0);
	drop_loader();
	/* The plugin directory itself writable by its group, or by all. */
	chmod(sub, 0775);
	CU_ASSERT_EQUAL(load(&p, sub, WSP_KIND_FS, "fixture", &err), WSP_EPERM);
	TU_ASSERT_CONTAINS(err.message, "/plugins' is writable by its group "
					"(mode 0775, not sticky)");
	TU_ASSERT_CONTAINS(err.message, plug);
	chmod(sub, 0757);
	CU_ASSERT_EQUAL(load(&p, sub, WSP_KIND_FS, "fixture", &err), WSP_EPERM);
	TU_ASSERT_CONTAINS(err.message, "/plugins' is writable by every user "
					"(mode 0757, not sticky)");
	chmod(sub, 0755);
	/* Owned by another user: that user could replace it. */
	if (geteuid() == 0) {
		CU_ASSERT_EQUAL(chown(plug, 65534, 65534), 0);
		CU_ASSERT_EQUAL(load(&p, sub, WSP_KIND_FS, "fixture", &err),
				WSP_EPERM);
		TU_ASSERT_CONTAINS(err.message,
				   "the file belongs to uid 65534");
		CU_ASSERT_EQUAL(chown(plug, 0, 0), 0);
		CU_ASSERT_EQUAL(chown(sub, 65534, 65534), 0);
		CU_ASSERT_EQUAL(load(&p, sub, WSP_KIND_FS, "fixture", &err),
				WSP_EPERM);
		TU_ASSERT_CONTAINS(err.message,
				   "/plugins' belongs to uid 65534");
	}
	drop_loader();
	tu_rmrf(dir);
	free(dir);
}

/*
 * The same ownership rule for an unprivileged caller, who cannot give a
 * file away: run-unprivileged.sh leaves a directory and a file of another
 * user (uid 1001) for it. Root's plugins (the build tree's fixtures, as
 * CI builds as root) load for it, which test_good_plugin_loads shows.
 */
static void test_refuse_other_user_unprivileged(void)
{
	const char *foreign = getenv("WSP_TEST_FOREIGN_DIR"),
		   *file = getenv("WSP_TEST_FOREIGN_FILE");
	char plugins[2048], plug[4096], mine[4096], *slash;
	wsp__provider *p = NULL;
	wsp_error err;

	if (geteuid() == 0)
		return; /* test_refuse_others_could_replace chowns instead */
	if (!foreign || !file) {
		/* ctest as a plain user: the _unprivileged twin is skipped too
		 */
		fprintf(stderr, "not run by run-unprivileged.sh: no file of "
				"another user to check ownership with\n");
		return;
	}
	/* A directory of uid 1001 above the caller's own plugins/. */
	snprintf(plugins, sizeof(plugins), "%s/plugins", foreign);
	snprintf(plug, sizeof(plug), "%s/wsp-fs-fixture.so", plugins);
	copy_file(FIX("good/wsp-fs-fixture.so"), plug, 0755);
	CU_ASSERT_EQUAL(load(&p, plugins, WSP_KIND_FS, "fixture", &err),
			WSP_EPERM);
	TU_ASSERT_CONTAINS(err.message, plug);
	snprintf(mine, sizeof(mine),
		 "the directory '%s' belongs to uid 1001, "
		 "not to root or to the caller (uid %u)",
		 foreign, (unsigned)geteuid());
	TU_ASSERT_CONTAINS(err.message, mine);
	CU_ASSERT(!mapped(plug));
	drop_loader();
	/* A file of uid 1001 in the caller's own directory. */
	snprintf(mine, sizeof(mine), "%s", file);
	slash = strrchr(mine, '/');
	CU_ASSERT_PTR_NOT_NULL_FATAL(slash);
	*slash = '\0';
	CU_ASSERT_EQUAL(load(&p, mine, WSP_KIND_FS, "fixture", &err),
			WSP_EPERM);
	TU_ASSERT_CONTAINS(err.message, file);
	TU_ASSERT_CONTAINS(err.message, "the file belongs to uid 1001");
	drop_loader();
}

static void test_not_found_suggests(void)
{
	wsp__provider *p;
	wsp_error err;

	CU_ASSERT_EQUAL(load(&p, FIX("good"), WSP_KIND_SANDBOX, "fixtur", &err),
			WSP_ENOTFOUND);
	TU_ASSERT_CONTAINS(err.message, "no sandbox provider 'fixtur' in the ");
	TU_ASSERT_CONTAINS(err.message, "did you mean 'fixture'?");
}

/*
 * As built against an older minor, with a descriptor that ends
 * before procmgr and an fs vtable that ends before copy. Its struct holds
 * a copy slot past its struct_size: the loader must not have read it.
 */
static void test_older_minor_loads_with_slots_absent(void)
{
	wsp__provider *p = NULL;
	wsp_error err;

	CU_ASSERT_EQUAL_FATAL(load(&p, FIX("old"), WSP_KIND_FS, "old", &err),
			      0);
	CU_ASSERT_PTR_NOT_NULL(p->fs.stat);
	CU_ASSERT_PTR_NOT_NULL(p->fs.rmdir);
	CU_ASSERT_PTR_NULL(p->fs.copy);
	CU_ASSERT_PTR_NULL(p->fs.move);
	CU_ASSERT_PTR_NULL(p->fs.host_path);
	CU_ASSERT_PTR_NULL(p->desc.procmgr);
	CU_ASSERT_PTR_NULL(p->desc.ext_ops);
	CU_ASSERT(!p->has_procmgr);
	CU_ASSERT_EQUAL(p->desc.struct_size,
			offsetof(wsp_plugin_desc, procmgr));
}

static void test_public_validate(void)
{
	wsp_plugin_desc d;
	wsp_error err;

	memset(&d, 0, sizeof(d));
	CU_ASSERT_EQUAL(wsp_plugin_validate(NULL, 0, &err), WSP_ENOTPLUGIN);
	CU_ASSERT_EQUAL(wsp_plugin_validate(&d, 0, &err), WSP_ENOTPLUGIN);
	d.magic = WSP_PLUGIN_MAGIC;
	d.abi_major = WSP_PLUGIN_ABI_MAJOR;
	d.struct_size = sizeof(d);
	d.kind = WSP_KIND_FS;
	d.name = "fine";
	CU_ASSERT_EQUAL(wsp_plugin_validate(&d, 0, &err), WSP_EABI);
	TU_ASSERT_CONTAINS(err.message, "no init function");
	/* The minor it was built against is not checked, the one it needs is.
	 */
	d.abi_minor = 999;
	CU_ASSERT_EQUAL(wsp_plugin_validate(&d, 0, &err), WSP_EABI);
	TU_ASSERT_CONTAINS(err.message, "no init function");
	d.abi_minor_required = WSP_PLUGIN_ABI_MINOR;
	CU_ASSERT_EQUAL(wsp_plugin_validate(&d, 0, &err), WSP_EABI);
	TU_ASSERT_CONTAINS(err.message, "no init function");
	d.abi_minor_required = WSP_PLUGIN_ABI_MINOR + 1;
	CU_ASSERT_EQUAL(wsp_plugin_validate(&d, 0, &err), WSP_EABI);
	TU_ASSERT_CONTAINS(err.message, "'<descriptor>' needs wsp plugin ABI");
	TU_ASSERT_CONTAINS(err.message, "this wsp has " CORE_ABI "; upgrade "
					"wsp");
}

/* First on the path wins: --plugin-path, $WSP_PLUGIN_PATH, plugin_path:. */
static const char *winner(const char *cli, const char *env,
			  const char *cfg_text, wsp_error *err, int *rc)
{
	static char path[4096];
	struct wsp__config *cfg = NULL;
	struct wsp__diags d = {0};
	struct wsp__loaded *f;
	struct wsp__loader l;

	reset_env();
	if (env)
		setenv("WSP_PLUGIN_PATH", env, 1);
	path[0] = '\0';
	if (cfg_text)
		CU_ASSERT_EQUAL_FATAL(wsp__config_parse(&cfg, cfg_text,
							strlen(cfg_text), "t",
							"/", 0, &d),
				      0);
	*rc = wsp__loader_init(&l, cli, cfg, &d, err);
	if (!*rc) {
		*rc = wsp__loader_resolve(&f, &l, WSP_KIND_FS, "fixture", err);
		if (!*rc)
			snprintf(path, sizeof(path), "%s", f->path);
	}
	wsp__loader_fini(&l);
	wsp__config_free(cfg);
	wsp__diag_clear(&d);
	reset_env();
	return path;
}

static void test_search_order(void)
{
	wsp_error err;
	int rc;

	TU_ASSERT_CONTAINS(winner(FIX("good"), FIX("second"),
				  "plugin_path: [" FIX("third") "]", &err, &rc),
			   "/good/");
	TU_ASSERT_CONTAINS(winner(NULL, FIX("second") ":" FIX("good"),
				  "plugin_path: [" FIX("third") "]", &err, &rc),
			   "/second/");
	TU_ASSERT_CONTAINS(
		winner(NULL, NULL,
		       "plugin_path: [" FIX("third") ", " FIX("good") "]", &err,
		       &rc),
		"/third/");
	/* Colon lists keep their order; empty entries are skipped. */
	TU_ASSERT_CONTAINS(winner(":" FIX("third") "::" FIX("good"), NULL, NULL,
				  &err, &rc),
			   "/third/");
}

static void test_missing_plugin_dir(void)
{
	wsp_error err;
	int rc;

	winner("/nonexistent/wsp-plugins", NULL, NULL, &err, &rc);
	CU_ASSERT_EQUAL(rc, WSP_ENOTFOUND);
	TU_ASSERT_CONTAINS(err.message,
			   "plugin directory '/nonexistent/wsp-plugins' (from "
			   "--plugin-path) cannot be searched");
	winner(NULL, "/nonexistent/env-dir", NULL, &err, &rc);
	CU_ASSERT_EQUAL(rc, WSP_ENOTFOUND);
	TU_ASSERT_CONTAINS(err.message, "(from $WSP_PLUGIN_PATH)");
	winner(NULL, NULL, "\nplugin_path:\n  - /nonexistent/cfg-dir\n", &err,
	       &rc);
	CU_ASSERT_EQUAL(rc, WSP_ECONFIG);
	TU_ASSERT_CONTAINS(err.message,
			   "t:3:5: plugin directory '/nonexistent/cfg-dir' "
			   "cannot be searched");
}

static char warnings[4096], infos[4096];

static void collect_log(int level, const char *line, void *payload)
{
	char *into = level == WSP_LOG_WARN   ? warnings
		     : level == WSP_LOG_INFO ? infos
					     : NULL;

	(void)payload;
	if (into)
		snprintf(into + strlen(into), sizeof(warnings) - strlen(into),
			 "%s\n", line);
}

struct seen {
	int ok, refused, shadowed;
	char text[16384];
};

static int on_plugin(const wsp_plugin_info *p, void *payload)
{
	struct seen *s = payload;
	size_t n = strlen(s->text);

	/* The build tree's own plugins are listed too; count ours. */
	if (strncmp(p->path, WSP_FIXTURE_DIR, strlen(WSP_FIXTURE_DIR)))
		return 0;
	if (p->status == WSP_PLUGIN_OK)
		s->ok++;
	else if (p->status == WSP_PLUGIN_REFUSED)
		s->refused++;
	else
		s->shadowed++;
	snprintf(s->text + n, sizeof(s->text) - n, "%u %s %s %s\n", p->status,
		 p->name, p->path, p->message ? p->message : "");
	return 0;
}

static wsp_workspace *open_ws(const char *plugin_path, const char *text)
{
	wsp_open_opts o = WSP_OPEN_OPTS_INIT;
	wsp_workspace *ws = NULL;
	wsp_error err;

	reset_env();
	o.plugin_path = plugin_path;
	o.config_text = text;
	o.log = collect_log;
	o.log_level = WSP_LOG_DEBUG;
	if (wsp_workspace_open(&ws, &o, &err))
		fprintf(stderr, "open: %s\n", err.message);
	CU_ASSERT_PTR_NOT_NULL(ws);
	return ws;
}

/* A refused plugin never stops the others; shadowed ones are named. */
static void test_listing(void)
{
	wsp_workspace *ws = open_ws(
		FIX("good") ":" FIX("bad") ":" FIX("second"), "mounts: {}\n");
	struct seen s;
	wsp_error err;

	if (!ws)
		return;
	memset(&s, 0, sizeof(s));
	CU_ASSERT_EQUAL(wsp_workspace_plugins(ws, on_plugin, &s, &err), 0);
	/*
	 * good: 2 ok; bad: 13 refused, one misnamed and initfail (which
	 * loads); second: 1 shadowed.
	 */
	CU_ASSERT_EQUAL(s.ok, 3);
	CU_ASSERT_EQUAL(s.refused, 15);
	TU_ASSERT_CONTAINS(s.text, "wsp-filesystem-x.so' is not named "
				   "wsp-fs-NAME.so or wsp-sandbox-NAME.so");
	CU_ASSERT_EQUAL(s.shadowed, 1);
	if (s.ok != 3 || s.refused != 15)
		fprintf(stderr, "%s", s.text);
	TU_ASSERT_CONTAINS(s.text, "built for plugin ABI 3.0");
	TU_ASSERT_CONTAINS(s.text,
			   "shadowed by '" FIX("good/wsp-fs-fixture.so"));
	wsp_workspace_close(ws);
}

static void test_duplicate_warning(void)
{
	wsp_workspace *ws = open_ws(FIX("good") ":" FIX("second"),
				    "mounts: {/: {provider: fixture, options: "
				    "{root: /srv}}}\n");
	wsp__instance *inst;
	const char *first;
	wsp_error err;

	if (!ws)
		return;
	warnings[0] = infos[0] = '\0';
	CU_ASSERT_EQUAL(wsp__workspace_mount_instance(&inst, ws, 0, &err), 0);
	/* An information (-v), once, not a warning on every command. */
	TU_ASSERT_CONTAINS(
		infos,
		"plugin '" FIX("second/wsp-fs-fixture.so") "' is shadowed by "
							   "'" FIX("good/"
								   "wsp-fs-"
								   "fixture."
								   "so"));
	first = strstr(infos, "shadowed");
	CU_ASSERT(first && !strstr(first + 1, "shadowed"));
	CU_ASSERT_PTR_NULL(strstr(warnings, "shadowed"));
	wsp_workspace_close(ws);
}

/*
 * Opening parses and checks; a provider is loaded only when used. The
 * "lazy" fixture is opened by no other test of this program.
 */
static void test_lazy_loading(void)
{
	wsp_workspace *ws = open_ws(FIX("lazy") ":" FIX("bad"),
				    "sandbox: {provider: initfail}\n"
				    "mounts:\n"
				    "  /: {provider: lazy, options: "
				    "{root: /}}\n"
				    "  /old: {provider: major}\n");
	wsp__instance *inst = NULL;
	wsp_error err;

	if (!ws)
		return;
	CU_ASSERT(!mapped("/lazy/wsp-fs-lazy.so"));
	CU_ASSERT_EQUAL(wsp__workspace_mount_count(ws), 2);
	CU_ASSERT_EQUAL(wsp__workspace_mount_instance(&inst, ws, 0, &err), 0);
	CU_ASSERT(mapped("/lazy/wsp-fs-lazy.so"));
	CU_ASSERT_EQUAL(wsp__workspace_mount_instance(&inst, ws, 1, &err),
			WSP_EABI);
	TU_ASSERT_CONTAINS(err.message, "built for plugin ABI 3.0");
	/* The sandbox is a sandbox-kind lookup: not found under that name. */
	CU_ASSERT_EQUAL(wsp__workspace_sandbox(&inst, ws, &err), WSP_ENOTFOUND);
	TU_ASSERT_CONTAINS(err.message, "no sandbox provider 'initfail'");
	wsp_workspace_close(ws);
}

static void test_init_failure(void)
{
	wsp_workspace *ws =
		open_ws(FIX("bad"), "mounts: {/data: {provider: initfail, "
				    "options: {root: /srv}}}\n");
	wsp__instance *inst = NULL;
	wsp_error err;

	if (!ws)
		return;
	CU_ASSERT_EQUAL(wsp__workspace_mount_instance(&inst, ws, 0, &err),
			WSP_EAUTH);
	TU_ASSERT_CONTAINS(err.message, "wsp-fs-initfail.so' failed to start "
					"mount '/data': credentials for "
					"'team-data' were rejected");
	CU_ASSERT_PTR_NULL(inst);
	wsp_workspace_close(ws);
}

static int on_newer(const wsp_plugin_info *p, void *payload)
{
	*(wsp_plugin_info *)payload = *p;
	return 0;
}

/*
 * Built against 2.3, needing 2.0: it loads on this core. The member and
 * the slot it has past this core's descriptor and fs vtable hold junk
 * (slot address 1): the copies the core made stop at its own sizes, and
 * starting an instance never touches them.
 */
static void test_newer_minor_loads_extra_ignored(void)
{
	wsp__provider *p = NULL;
	wsp_workspace *ws;
	wsp__instance *inst = NULL;
	wsp_plugin_info info;
	wsp_error err;

	CU_ASSERT_EQUAL_FATAL(
		load(&p, FIX("newer"), WSP_KIND_FS, "newer", &err), 0);
	CU_ASSERT_EQUAL(p->desc.abi_minor, 3);
	CU_ASSERT_EQUAL(p->desc.abi_minor_required, 0);
	/* What it declared is kept; what was copied is this core's size. */
	CU_ASSERT(p->desc.struct_size > sizeof(wsp_plugin_desc));
	CU_ASSERT(p->fs.struct_size > sizeof(wsp_fs_vtable));
	CU_ASSERT_EQUAL(sizeof(p->desc), sizeof(wsp_plugin_desc));
	CU_ASSERT_EQUAL(sizeof(p->fs), sizeof(wsp_fs_vtable));
	CU_ASSERT_PTR_NOT_NULL(p->fs.stat);
	CU_ASSERT_PTR_NOT_NULL(p->fs.rmdir);
	CU_ASSERT_PTR_NOT_NULL(p->fs.copy);
	CU_ASSERT_STRING_EQUAL(p->desc.name, "newer");
	CU_ASSERT_EQUAL(p->n_options, 9);

	ws = open_ws(FIX("newer"), "mounts: {/: {provider: newer, options: "
				   "{root: /srv}}}\n");
	if (!ws)
		return;
	CU_ASSERT_EQUAL(wsp__workspace_mount_instance(&inst, ws, 0, &err), 0);
	CU_ASSERT_PTR_NOT_NULL(inst);
	memset(&info, 0, sizeof(info));
	CU_ASSERT_EQUAL(wsp_workspace_plugin(ws, WSP_KIND_FS, "newer", on_newer,
					     &info, &err),
			0);
	CU_ASSERT_EQUAL(info.status, WSP_PLUGIN_OK);
	CU_ASSERT_EQUAL(info.abi_major, WSP_PLUGIN_ABI_MAJOR);
	CU_ASSERT_EQUAL(info.abi_minor, 3);
	CU_ASSERT_EQUAL(info.abi_minor_required, 0);
	wsp_workspace_close(ws);
}

/*
 * Built by a third party against the released 2.0 headers
 * (tests/abi/sdk-2.0): every 2.x core loads it and starts its instances,
 * whatever this tree's headers have grown since.
 */
static void test_released_2_0_loads(void)
{
	wsp__provider *p = NULL;
	wsp_workspace *ws;
	wsp__instance *inst = NULL;
	wsp_error err;

	CU_ASSERT_EQUAL_FATAL(load(&p, FIX("v20"), WSP_KIND_FS, "v20", &err),
			      0);
	CU_ASSERT_EQUAL(p->desc.abi_major, 2);
	CU_ASSERT_EQUAL(p->desc.abi_minor, 0);
	CU_ASSERT_EQUAL(p->desc.abi_minor_required, 0);
	CU_ASSERT_PTR_NOT_NULL(p->fs.stat);
	CU_ASSERT_PTR_NOT_NULL(p->fs.copy);
	ws = open_ws(FIX("v20"), "mounts: {/: {provider: v20, options: "
				 "{root: /srv}}}\n");
	if (!ws)
		return;
	CU_ASSERT_EQUAL(wsp__workspace_mount_instance(&inst, ws, 0, &err), 0);
	CU_ASSERT_PTR_NOT_NULL(inst);
	wsp_workspace_close(ws);
}

static const CU_TestInfo tests[] = {
	{"good plugin loads", test_good_plugin_loads},
	{"refuse: not a shared object", test_refuse_not_shared_object},
	{"refuse: truncated .so", test_refuse_truncated_file},
	{"refuse: no entry symbol", test_refuse_no_entry},
	{"refuse: bad magic", test_refuse_bad_magic},
	{"refuse: other major", test_refuse_other_major},
	{"refuse: ABI 1.0", test_refuse_abi_1_0},
	{"refuse: needs a newer minor", test_refuse_newer_required},
	{"refuse: truncated descriptor", test_refuse_truncated_descriptor},
	{"refuse: missing required slot", test_refuse_missing_slot},
	{"refuse: kind mismatch", test_refuse_kind_mismatch},
	{"refuse: malformed option table", test_refuse_bad_option_table},
	{"refuse: name differs from file", test_refuse_misnamed},
	{"not found", test_not_found},
	{"not found: did you mean", test_not_found_suggests},
	{"refuse: writable by anyone", test_refuse_world_writable},
	{"refuse: others could replace it", test_refuse_others_could_replace},
	{"refuse: another user's directory or file, unprivileged",
	 test_refuse_other_user_unprivileged},
	{"older minor loads, newer slots absent",
	 test_older_minor_loads_with_slots_absent},
	{"newer minor needing 2.0 loads, extra ignored",
	 test_newer_minor_loads_extra_ignored},
	{"provider built against released 2.0 loads", test_released_2_0_loads},
	{"public validator", test_public_validate},
	{"search order", test_search_order},
	{"missing plugin directory", test_missing_plugin_dir},
	{"listing: refused never stops others", test_listing},
	{"duplicate names: first wins, noted once (-v)",
	 test_duplicate_warning},
	{"lazy loading", test_lazy_loading},
	{"init failure", test_init_failure},
	CU_TEST_INFO_NULL,
};

int main(void)
{
	int rc = tu_main("core_loader", tests);

	drop_loader();
	return rc;
}
