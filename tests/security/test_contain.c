/*
 * tests/security/test_contain.c - containment through every entry point
 * (docs/security.md, "Tests"): `wsp fs`, `wsp tool` and `wsp mcp` refuse
 * every way out of the workspace root and touch nothing outside it.
 *
 * The layout, in a temporary directory D (the working directory):
 *   D/wsp.yaml      one local mount, base_path ./root
 *   D/root/         the workspace: in.txt, sub/, and links out of it:
 *                   lfile -> D/outside/canary, ldir -> D/outside,
 *                   dangle -> D/outside/new, sub/rel -> ../../outside
 *   D/outside/      canary (CANARY), cdir/q9-hidden (a name no answer
 *                   may show)
 *   D/host/         the CLI's local files (put, get) and XDG state
 *
 * Each case (a path, written as in a JSON string) meets each operation of
 * each entry point, on a fresh copy of D/root. After every attempt:
 * D/outside (names, types, contents, link targets), D's own entries and
 * the host's /etc/passwd are as they were; no output shows the canary's
 * content or a name under D/outside; and unless the case lets that kind
 * of operation succeed (it stays inside: an absolute host path is the
 * workspace's own), the attempt is refused with a clear error. Adding a
 * case is one line in cases[]; an operation, one line in cli_ops[] or
 * tool_ops[]. Runs as the invoking user and as uid 65534.
 */
#include "mcp_client.h"
#include "testutil.h"
#include "test_files.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CANARY "wsp-canary-content-73\n"
#define LEAK_CONTENT "content-73" /* in no path, pattern or argument */
#define LEAK_NAME "q9-hidden"

/* What an operation does to its path; a case says which may succeed. */
#define R 1u /* reads it, lists it or searches it */
#define W 2u /* writes, edits or creates it */
#define D 4u /* removes or renames the entry itself (a link: the link) */
#define X 8u /* replaces the entry by a copy or a move onto it */
#define ALL (R | W | D | X)

struct pcase {
	const char *name;
	const char *path; /* as inside a JSON string: escapes allowed */
	unsigned may;
};

static char abs_canary[512], abs_outside[512], long_escape[8192],
	long_inside[8192];

static const struct pcase cases[] = {
	{ "dot-dot", "../outside/canary", 0 },
	{ "dot-dot to the outside dir", "../outside", 0 },
	{ "dot-dot from the root", "/../outside/canary", 0 },
	{ "down, then out", "a/../../outside/canary", 0 },
	{ "down, then out to a dir", "/sub/../../outside/cdir", 0 },
	{ "the host's /etc/passwd", "/etc/passwd", W | X },
	{ "the canary's host path", abs_canary, W | X },
	{ "the outside dir's host path", abs_outside, W | X },
	{ "percent-encoded dots", "%2e%2e/outside/canary", W | X },
	{ "percent-encoded slashes", "..%2foutside%2fcanary", W | X },
	{ "backslashes", "..\\\\outside\\\\canary", W | X },
	{ "a link to an outside file", "lfile", D | X },
	{ "a link to the outside dir", "ldir", D | X },
	{ "a file through the linked dir", "ldir/canary", 0 },
	{ "a dir through the linked dir", "ldir/cdir", 0 },
	{ "a new file in the linked dir", "ldir/new.txt", 0 },
	{ "a relative link as a parent", "sub/rel/canary", 0 },
	{ "a new file below a relative link", "sub/rel/cdir/new", 0 },
	{ "a dangling link out", "dangle", D | X },
	{ "a NUL, then dot-dot", "in.txt\\u0000/../../outside/canary", 0 },
	{ "over PATH_MAX, out", long_escape, 0 },
	{ "over PATH_MAX, inside", long_inside, 0 },
	{ "the root (walks meet the links)", "/", ALL },
	{ "dot (walks meet the links)", ".", ALL },
};
#define N_CASES (sizeof(cases) / sizeof(cases[0]))

/* `wsp fs`: "@P" is the path, "@L" a local file, "@G" where get writes. */
struct cli_op {
	const char *name;
	const char *argv[7];
	unsigned kind;
};

static const struct cli_op cli_ops[] = {
	{ "cat", { "fs", "cat", "@P" }, R },
	{ "ls -l", { "fs", "ls", "-l", "@P" }, R },
	{ "ls -R", { "fs", "ls", "-R", "@P" }, R },
	{ "stat", { "fs", "stat", "@P" }, R },
	{ "get", { "fs", "get", "@P", "@G" }, R },
	{ "cp -r from", { "fs", "cp", "-r", "@P", "copied" }, R },
	{ "put", { "fs", "put", "@L", "@P" }, W },
	{ "mkdir -p", { "fs", "mkdir", "-p", "@P" }, W },
	{ "rm -r", { "fs", "rm", "-r", "@P" }, D },
	{ "mv from", { "fs", "mv", "@P", "moved" }, D },
	{ "mv onto", { "fs", "mv", "in.txt", "@P" }, X },
	{ "cp onto", { "fs", "cp", "in.txt", "@P" }, X },
};

/* `wsp tool` and MCP tools/call: the arguments, "%s" the path. */
struct tool_op {
	const char *tool;
	const char *args;
	unsigned kind;
};

static const struct tool_op tool_ops[] = {
	{ "read_file", "{\"path\":\"%s\"}", R },
	{ "list_files", "{\"path\":\"%s\",\"maxDepth\":6,\"showHidden\":true}",
	  R },
	{ "grep", "{\"pattern\":\"canary-conten\",\"path\":\"%s\","
		  "\"includeHidden\":true}", R },
	{ "file_stat", "{\"path\":\"%s\"}", R },
	{ "write_file", "{\"path\":\"%s\",\"content\":\"pwned\"}", W },
	{ "edit_file", "{\"path\":\"%s\",\"old_string\":\"canary-conten\","
		       "\"new_string\":\"pwned\"}", W },
	{ "mkdir", "{\"path\":\"%s\",\"recursive\":true}", W },
	{ "delete", "{\"path\":\"%s\",\"recursive\":true}", D },
};

/* A refusal says why in words a user understands. */
static const char *const clear[] = {
	"escapes",	  "no such file", "not found",	    "NUL character",
	"longer than",	  "not a directory", "file exists", "is a directory",
	"into itself",	  "mount point",
};

static char *dir; /* D */
static char *snap0; /* the outside as it must stay */
static int attempts, refusals, failures;

static char *out, *err;

/* ---- the world outside ------------------------------------------------ */

struct buf {
	char *s;
	size_t len, cap;
};

static void add(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = realloc(b->s, b->cap);
		if (!b->s)
			abort();
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void add_file(struct buf *b, const char *path)
{
	char *text = tu_read(path);

	add(b, text ? text : "(unreadable)", strlen(text ? text : "(unreadable)"));
	free(text);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Every entry below path: name, type, content or target, sorted. */
static void add_tree(struct buf *b, const char *path, int depth)
{
	struct dirent **list;
	int n = scandir(path, &list, NULL, by_name), i;

	if (n < 0) {
		add(b, "(no dir)\n", 9);
		return;
	}
	for (i = 0; i < n; i++) {
		char sub[4096], line[4608], target[1024];
		struct stat st;
		ssize_t t;

		if (!strcmp(list[i]->d_name, ".") ||
		    !strcmp(list[i]->d_name, "..")) {
			free(list[i]);
			continue;
		}
		snprintf(sub, sizeof(sub), "%s/%s", path, list[i]->d_name);
		if (lstat(sub, &st) < 0)
			st.st_mode = 0;
		snprintf(line, sizeof(line), "%*s%s %o %lld\n", depth * 2, "",
			 list[i]->d_name, (unsigned)st.st_mode,
			 (long long)st.st_size);
		add(b, line, strlen(line));
		if (S_ISREG(st.st_mode)) {
			add_file(b, sub);
		} else if (S_ISLNK(st.st_mode)) {
			t = readlink(sub, target, sizeof(target) - 1);
			target[t < 0 ? 0 : t] = '\0';
			add(b, target, strlen(target));
		} else if (S_ISDIR(st.st_mode) && depth < 8) {
			add_tree(b, sub, depth + 1);
		}
		add(b, "\n", 1);
		free(list[i]);
	}
	free(list);
}

static char *snapshot(void)
{
	struct buf b = { 0 };
	struct dirent **list;
	int n = scandir(dir, &list, NULL, by_name), i;

	add(&b, "[outside]\n", 10);
	add_tree(&b, tu_path(dir, "outside"), 0);
	add(&b, "[D]\n", 4);
	for (i = 0; i < n; i++) {
		add(&b, list[i]->d_name, strlen(list[i]->d_name));
		add(&b, "\n", 1);
		free(list[i]);
	}
	free(list);
	add(&b, "[/etc/passwd]\n", 14);
	add_file(&b, "/etc/passwd");
	return b.s;
}

/* ---- the workspace ---------------------------------------------------- */

/* D/outside as the suite starts; rebuilt only after a failure. */
static int make_outside(void)
{
	tu_rmrf(tu_path(dir, "outside"));
	if (mkdir(tu_path(dir, "outside"), 0755) ||
	    mkdir(tu_path(dir, "outside/cdir"), 0755) ||
	    test_write_text(tu_path(dir, "outside/canary"), CANARY) ||
	    test_write_text(tu_path(dir, "outside/cdir/" LEAK_NAME), CANARY))
		return -1;
	return 0;
}

/* A fresh D/root: its entries removed and made again, the directory
 * itself kept (the MCP server may hold it open). */
static int reset_root(void)
{
	struct dirent *e;
	char root[600], link[600];
	DIR *d;

	/* a copy: tu_path()'s buffers rotate */
	snprintf(root, sizeof(root), "%s/root", dir);
	d = opendir(root);
	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			tu_rmrf(tu_path(root, e->d_name));
	closedir(d);
	tu_rmrf(tu_path(dir, "host/got"));
	if (mkdir(tu_path(root, "sub"), 0755) ||
	    test_write_text(tu_path(root, "in.txt"), "inside\n"))
		return -1;
	snprintf(link, sizeof(link), "%s/outside/canary", dir);
	if (symlink(link, tu_path(root, "lfile")))
		return -1;
	snprintf(link, sizeof(link), "%s/outside", dir);
	if (symlink(link, tu_path(root, "ldir")))
		return -1;
	snprintf(link, sizeof(link), "%s/outside/new", dir);
	if (symlink(link, tu_path(root, "dangle")))
		return -1;
	return symlink("../../outside", tu_path(root, "sub/rel"));
}

/* ---- one attempt ------------------------------------------------------ */

static int is_clear(const char *text)
{
	size_t i;

	for (i = 0; i < sizeof(clear) / sizeof(clear[0]); i++)
		if (strstr(text, clear[i]))
			return 1;
	return 0;
}

/*
 * Judge one attempt: refused says whether the entry point refused, text
 * is all it said. Counts and prints every failure with its case.
 */
static void judge(const char *entry, const char *op, const struct pcase *c,
		  unsigned kind, int refused, const char *text)
{
	char *snap = snapshot(), *got = tu_read(tu_path(dir, "host/got"));
	const char *why = NULL;

	attempts++;
	refusals += refused;
	if (strcmp(snap, snap0))
		why = "changed something outside the workspace";
	else if (strstr(text, LEAK_CONTENT) ||
		 (got && strstr(got, LEAK_CONTENT)))
		why = "showed the canary's content";
	else if (strstr(text, LEAK_NAME))
		why = "showed a name from outside the workspace";
	else if (!(c->may & kind) && !refused)
		why = "was not refused";
	else if (!(c->may & kind) && !is_clear(text))
		why = "was refused without a clear reason";
	CU_ASSERT_PTR_NULL(why);
	if (why) {
		failures++;
		fprintf(stderr,
			"\n%s %s, case '%s' (%.80s): %s\n  said: %.600s\n",
			entry, op, c->name, c->path, why, text);
		if (strcmp(snap, snap0)) {
			fprintf(stderr, "  outside now:\n%s\n", snap);
			if (make_outside())
				CU_FAIL_FATAL("cannot rebuild the outside");
		}
	}
	free(snap);
	free(got);
}

static const char *const *env(void)
{
	static char state[600], cfg[600];
	static const char *e[] = { state, cfg, "WSP_CONFIG", "WSP_PLUGIN_PATH",
				   NULL };

	snprintf(state, sizeof(state), "XDG_STATE_HOME=%s/host/state", dir);
	snprintf(cfg, sizeof(cfg), "XDG_CONFIG_HOME=%s/host/cfg", dir);
	return e;
}

static int run(const char *const *argv)
{
	free(out);
	free(err);
	out = err = NULL;
	return tu_run(argv, env(), dir, &out, &err);
}

/* The path as the CLI gets it (the JSON string decoded); NULL when it
 * holds a NUL, which no argument can. malloc'd. */
static char *cli_path(const char *json)
{
	char *quoted, *s = NULL;
	cJSON *v;

	if (strstr(json, "\\u0000") || asprintf(&quoted, "\"%s\"", json) < 0)
		return NULL;
	v = cJSON_Parse(quoted);
	if (cJSON_IsString(v))
		s = strdup(v->valuestring);
	cJSON_Delete(v);
	free(quoted);
	return s;
}

static char *both(void)
{
	char *t;

	if (asprintf(&t, "%s%s", out ? out : "", err ? err : "") < 0)
		abort();
	return t;
}

/* ---- the entry points ------------------------------------------------- */

static void test_cli(void)
{
	char local[600], get[600];
	size_t i, j, k;

	snprintf(local, sizeof(local), "%s/host/local.txt", dir);
	snprintf(get, sizeof(get), "%s/host/got", dir);
	for (i = 0; i < N_CASES; i++) {
		char *path = cli_path(cases[i].path);

		if (!path)
			continue; /* argv cannot carry a NUL */
		for (j = 0; j < sizeof(cli_ops) / sizeof(cli_ops[0]); j++) {
			const char *argv[10] = { WSP_CLI };
			char *text;
			int rc;

			CU_ASSERT_EQUAL_FATAL(reset_root(), 0);
			for (k = 0; cli_ops[j].argv[k]; k++) {
				const char *a = cli_ops[j].argv[k];

				argv[k + 1] = !strcmp(a, "@P")	 ? path
					      : !strcmp(a, "@L") ? local
					      : !strcmp(a, "@G") ? get
								 : a;
			}
			rc = run(argv);
			text = both();
			judge("wsp fs", cli_ops[j].name, &cases[i],
			      cli_ops[j].kind, rc != 0, text);
			free(text);
		}
		free(path);
	}
}

/* The tool's arguments for this case (malloc'd). */
static char *tool_args(const struct tool_op *op, const struct pcase *c)
{
	const char *at = strstr(op->args, "%s");
	char *a;

	/* spliced by hand: the arguments are no format (-Wformat) */
	if (!at || asprintf(&a, "%.*s%s%s", (int)(at - op->args), op->args,
			    c->path, at + 2) < 0)
		abort();
	return a;
}

static void test_tool(void)
{
	size_t i, j;

	for (i = 0; i < N_CASES; i++)
		for (j = 0; j < sizeof(tool_ops) / sizeof(tool_ops[0]); j++) {
			char *args = tool_args(&tool_ops[j], &cases[i]);
			const char *argv[] = { WSP_CLI, "tool",
					       tool_ops[j].tool, args, NULL };
			char *text;
			int rc;

			CU_ASSERT_EQUAL_FATAL(reset_root(), 0);
			rc = run(argv);
			text = both();
			/* grep and file_stat answer a missing path with a
			 * success saying so */
			judge("wsp tool", tool_ops[j].tool, &cases[i],
			      tool_ops[j].kind,
			      rc != 0 || strstr(text, "not found"), text);
			free(text);
			free(args);
		}
}

static void test_mcp(void)
{
	struct mcp m;
	size_t i, j;
	int id = 0;

	CU_ASSERT_EQUAL_FATAL(reset_root(), 0);
	CU_ASSERT_EQUAL_FATAL(mcp_start(&m, dir, env()), 0);
	CU_ASSERT_EQUAL_FATAL(mcp_initialize(&m), 0);
	for (i = 0; i < N_CASES; i++)
		for (j = 0; j < sizeof(tool_ops) / sizeof(tool_ops[0]); j++) {
			char *args = tool_args(&tool_ops[j], &cases[i]);
			char *line, key[16], *text;
			const cJSON *res, *flag;
			cJSON *a;
			int refused;

			CU_ASSERT_EQUAL_FATAL(reset_root(), 0);
			snprintf(key, sizeof(key), "%d", ++id);
			if (asprintf(&line, "{\"jsonrpc\":\"2.0\",\"id\":%s,"
					    "\"method\":\"tools/call\","
					    "\"params\":{\"name\":\"%s\","
					    "\"arguments\":%s}}",
				     key, tool_ops[j].tool, args) < 0)
				abort();
			CU_ASSERT_EQUAL(mcp_send(&m, line, strlen(line)), 0);
			a = mcp_answer(&m, key, 60000);
			CU_ASSERT_PTR_NOT_NULL_FATAL(a);
			res = cJSON_GetObjectItemCaseSensitive(a, "result");
			flag = cJSON_GetObjectItemCaseSensitive(res, "isError");
			text = cJSON_PrintUnformatted(a);
			refused = !res || cJSON_IsTrue(flag) ||
				  strstr(text, "not found");
			judge("mcp", tool_ops[j].tool, &cases[i],
			      tool_ops[j].kind, refused, text);
			free(text);
			cJSON_Delete(a);
			free(line);
			free(args);
		}
	CU_ASSERT_EQUAL(mcp_stop(&m), 0);
	CU_ASSERT_EQUAL(m.bad, 0);
}

static void test_summary(void)
{
	fprintf(stderr, "\nsecurity_contain: %zu cases, %d attempts, %d "
			"refused, %d failed\n",
		N_CASES, attempts, refusals, failures);
	CU_ASSERT(attempts > 0);
}

static const CU_TestInfo tests[] = {
	{ "wsp fs: every escape refused, nothing outside touched", test_cli },
	{ "wsp tool: every escape refused, nothing outside touched",
	  test_tool },
	{ "wsp mcp: every escape refused, nothing outside touched", test_mcp },
	{ "summary", test_summary },
	CU_TEST_INFO_NULL,
};

/* D's tree, the escapes that name it, and snap0 of what lies outside. */
static int prepare(void)
{
	size_t i;

	snprintf(abs_canary, sizeof(abs_canary), "%s/outside/canary", dir);
	snprintf(abs_outside, sizeof(abs_outside), "%s/outside", dir);
	/* 1400 levels down, 1401 up: out by one, and 7000 bytes long */
	for (i = 0; i < 1400; i++)
		memcpy(long_escape + i * 2, "a/", 2);
	for (i = 0; i < 1401; i++)
		memcpy(long_escape + 2800 + i * 3, "../", 3);
	strcpy(long_escape + 2800 + 1401 * 3, "outside/canary");
	/* 20 names of 250 bytes: each name fits, the path does not */
	for (i = 0; i < 20; i++) {
		memset(long_inside + i * 251, 'n', 250);
		long_inside[i * 251 + 250] = '/';
	}
	strcpy(long_inside + 20 * 251, "f");
	if (mkdir(tu_path(dir, "root"), 0755) ||
	    mkdir(tu_path(dir, "host"), 0755) ||
	    test_write_text(tu_path(dir, "host/local.txt"), "pwned\n") ||
	    test_write_text(tu_path(dir, "wsp.yaml"),
			    "mounts:\n  /: {provider: local, options: "
			    "{base_path: ./root}}\n") ||
	    make_outside() || reset_root())
		return -1;
	snap0 = snapshot();
	return 0;
}

int main(void)
{
	int rc = tu_main_in_tmpdir("security_contain", tests, &dir, prepare,
				   &out, &err);

	free(snap0);
	return rc;
}
