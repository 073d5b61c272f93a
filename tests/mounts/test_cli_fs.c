/*
 * tests/mounts/test_cli_fs.c - `wsp fs` end to end: the real binary on a
 * workspace of two local mounts (one read-only) in a temporary directory.
 * Checks outputs, --json documents, exit codes, streaming through
 * stdin/stdout, and the progress bar on a pseudo-terminal.
 */
#include <CUnit/Basic.h>
#include <cjson/cJSON.h>
#include <fcntl.h>
#include <ftw.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cu_main.h"
#include "test_files.h"

static char top[512], cfg[600];

struct run {
	int status;
	char out[65536], err[8192];
};

/* Run wsp --config cfg ARGS with stdin from in_path (or /dev/null). */
static void run(struct run *r, const char *in_path, int pty_stderr,
		const char *const *args)
{
	const char *argv[32];
	int o[2], e[2], master = -1, slave = -1, n = 0, i;
	pid_t pid;
	ssize_t k;
	size_t on = 0, en = 0;

	argv[n++] = WSP_CLI;
	argv[n++] = "--config";
	argv[n++] = cfg;
	for (i = 0; args[i]; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	memset(r, 0, sizeof(*r));
	if (pipe(o) || pipe(e))
		return;
	if (pty_stderr && openpty(&master, &slave, NULL, NULL, NULL) < 0)
		return;
	pid = fork();
	if (pid == 0) {
		int in = open(in_path ? in_path : "/dev/null", O_RDONLY);

		dup2(in, 0);
		dup2(o[1], 1);
		dup2(pty_stderr ? slave : e[1], 2);
		close(o[0]);
		close(e[0]);
		if (chdir(top) < 0)
			_exit(126);
		execv(WSP_CLI, (char *const *)argv);
		_exit(127);
	}
	close(o[1]);
	close(e[1]);
	if (pty_stderr)
		close(slave);
	while ((k = read(o[0], r->out + on, sizeof(r->out) - 1 - on)) > 0)
		on += (size_t)k;
	if (pty_stderr) {
		while ((k = read(master, r->err + en,
				 sizeof(r->err) - 1 - en)) > 0)
			en += (size_t)k;
		close(master);
	} else {
		while ((k = read(e[0], r->err + en, sizeof(r->err) - 1 - en)) >
		       0)
			en += (size_t)k;
	}
	close(o[0]);
	close(e[0]);
	waitpid(pid, &r->status, 0);
	r->status = WIFEXITED(r->status) ? WEXITSTATUS(r->status) : -1;
}

#define RUN(r, ...)                                                            \
	do {                                                                   \
		const char *const a_[] = {__VA_ARGS__, NULL};                  \
		run(r, NULL, 0, a_);                                           \
	} while (0)

static char *at(const char *rel)
{
	static char buf[4][1024];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", top, rel);
	return buf[i];
}

static int suite_init(void)
{
	const char *t = getenv("TMPDIR");
	FILE *fp;

	snprintf(top, sizeof(top), "%s/wsp-clifs-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(top))
		return -1;
	snprintf(cfg, sizeof(cfg), "%s/wsp.yaml", top);
	fp = fopen(cfg, "w");
	if (!fp)
		return -1;
	/* base paths relative to the config file's directory */
	fputs("mounts:\n"
	      "  /:\n    provider: local\n    options:\n"
	      "      base_path: root\n"
	      "  /team-data:\n    provider: local\n    read_only: true\n"
	      "    options:\n      base_path: shared\n",
	      fp);
	fclose(fp);
	mkdir(at("shared"), 0755);
	fp = fopen(at("shared/report.csv"), "w");
	fputs("a,b\n1,2\n", fp);
	fclose(fp);
	return 0;
}

static int suite_fini(void)
{
	test_remove_tree(top);
	return 0;
}

static void test_put_get_cat(void)
{
	struct run r;
	FILE *fp = fopen(at("local.txt"), "w");
	const char *const put_stdin[] = {"fs", "put", "-", "/notes/in.md",
					 NULL};

	fputs("from a local file\n", fp);
	fclose(fp);
	RUN(&r, "fs", "put", at("local.txt"), "/notes/a.txt");
	CU_ASSERT_EQUAL(r.status, 0);
	RUN(&r, "fs", "cat", "notes/a.txt");
	CU_ASSERT_EQUAL(r.status, 0);
	CU_ASSERT_STRING_EQUAL(r.out, "from a local file\n");
	run(&r, at("local.txt"), 0, put_stdin);
	CU_ASSERT_EQUAL(r.status, 0);
	RUN(&r, "fs", "get", "/notes/in.md", "-");
	CU_ASSERT_STRING_EQUAL(r.out, "from a local file\n");
	RUN(&r, "fs", "get", "/team-data/report.csv", at("got.csv"));
	CU_ASSERT_EQUAL(r.status, 0);
	RUN(&r, "fs", "get", "--json", "/team-data/report.csv", at("got.csv"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "\"size\":8"));
	/* no clobber */
	RUN(&r, "fs", "put", "-n", at("local.txt"), "/notes/a.txt");
	CU_ASSERT_EQUAL(r.status, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "already exists"));
	/* a missing file: exit 1, message names it */
	RUN(&r, "fs", "cat", "/notes/none.txt");
	CU_ASSERT_EQUAL(r.status, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "'/notes/none.txt'"));
	RUN(&r, "fs", "get", "/notes/none.txt", at("never.txt"));
	CU_ASSERT_EQUAL(access(at("never.txt"), F_OK), -1);
	/* read-only mount and escape attempts */
	RUN(&r, "fs", "put", at("local.txt"), "/team-data/x");
	CU_ASSERT_EQUAL(r.status, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "read-only"));
	RUN(&r, "fs", "cat", "../../etc/passwd");
	CU_ASSERT_EQUAL(r.status, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "escapes"));
}

static void test_ls_stat_json(void)
{
	struct run r;
	cJSON *doc, *it;
	int saw_mount = 0, saw_notes = 0;

	RUN(&r, "fs", "ls");
	CU_ASSERT_EQUAL(r.status, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "team-data/\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "notes/\n"));
	RUN(&r, "fs", "ls", "-lR", "/");
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "team-data/report.csv"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "notes/a.txt"));
	RUN(&r, "--json", "fs", "ls");
	doc = cJSON_Parse(r.out);
	CU_ASSERT_FATAL(cJSON_IsArray(doc));
	cJSON_ArrayForEach(it, doc)
	{
		const char *p =
			cJSON_GetStringValue(cJSON_GetObjectItem(it, "path"));
		const char *t =
			cJSON_GetStringValue(cJSON_GetObjectItem(it, "type"));

		saw_mount |= p && t && !strcmp(p, "team-data") &&
			     !strcmp(t, "directory");
		saw_notes |= p && !strcmp(p, "notes");
	}
	CU_ASSERT(saw_mount && saw_notes);
	cJSON_Delete(doc);
	RUN(&r, "fs", "stat", "/team-data/report.csv", "--json");
	doc = cJSON_Parse(r.out);
	CU_ASSERT_FATAL(doc != NULL);
	CU_ASSERT_STRING_EQUAL(
		cJSON_GetStringValue(cJSON_GetObjectItem(doc, "mime_type")),
		"text/csv");
	CU_ASSERT_EQUAL(cJSON_GetObjectItem(doc, "size")->valuedouble, 8);
	cJSON_Delete(doc);
	RUN(&r, "fs", "stat", "/notes");
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "directory"));
}

static void test_change_commands(void)
{
	struct run r;

	RUN(&r, "fs", "mkdir", "/deep/er");
	CU_ASSERT_EQUAL(r.status, 1);
	RUN(&r, "fs", "mkdir", "-p", "/deep/er");
	CU_ASSERT_EQUAL(r.status, 0);
	CU_ASSERT_EQUAL(access(at("root/deep/er"), F_OK), 0);
	RUN(&r, "fs", "cp", "/team-data/report.csv", "/deep/er/r.csv");
	CU_ASSERT_EQUAL(r.status, 0);
	CU_ASSERT_EQUAL(access(at("root/deep/er/r.csv"), F_OK), 0);
	RUN(&r, "fs", "cp", "/deep", "/deep2");
	CU_ASSERT_EQUAL(r.status, 1);
	RUN(&r, "fs", "cp", "-r", "/deep", "/deep2");
	CU_ASSERT_EQUAL(r.status, 0);
	CU_ASSERT_EQUAL(access(at("root/deep2/er/r.csv"), F_OK), 0);
	RUN(&r, "fs", "mv", "/deep2", "/deep3", "--json");
	CU_ASSERT_EQUAL(r.status, 0);
	CU_ASSERT_STRING_EQUAL(r.out, "{\"ok\":true}\n");
	CU_ASSERT_EQUAL(access(at("root/deep3/er/r.csv"), F_OK), 0);
	RUN(&r, "fs", "rm", "/deep3");
	CU_ASSERT_EQUAL(r.status, 1);
	RUN(&r, "fs", "rm", "-r", "/deep3");
	CU_ASSERT_EQUAL(r.status, 0);
	CU_ASSERT_EQUAL(access(at("root/deep3"), F_OK), -1);
	RUN(&r, "fs", "rm", "-f", "/deep3");
	CU_ASSERT_EQUAL(r.status, 0);
	/* into an existing directory, as cp(1), mv(1) */
	RUN(&r, "fs", "mkdir", "/box");
	RUN(&r, "fs", "cp", "/team-data/report.csv", "/box");
	CU_ASSERT_EQUAL(r.status, 0);
	CU_ASSERT_EQUAL(access(at("root/box/report.csv"), F_OK), 0);
	RUN(&r, "fs", "mv", "/box/report.csv", "/notes/");
	CU_ASSERT_EQUAL(r.status, 0);
	CU_ASSERT_EQUAL(access(at("root/notes/report.csv"), F_OK), 0);
	CU_ASSERT_EQUAL(access(at("root/box/report.csv"), F_OK), -1);
	RUN(&r, "fs", "put", at("local.txt"), "/box");
	CU_ASSERT_EQUAL(r.status, 0);
	CU_ASSERT_EQUAL(access(at("root/box/local.txt"), F_OK), 0);
	RUN(&r, "fs", "rm", "-rf", "/team-data");
	CU_ASSERT_EQUAL(r.status, 1);
	CU_ASSERT_EQUAL(access(at("shared/report.csv"), F_OK), 0);
}

static void test_usage(void)
{
	static const char *const subs[] = {"ls",    "cat",  "put", "get", "rm",
					   "mkdir", "stat", "cp",  "mv"};
	struct run r;
	size_t i;

	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		char want[64];

		RUN(&r, "fs", subs[i], "--help");
		CU_ASSERT_EQUAL(r.status, 0);
		snprintf(want, sizeof(want), "usage: wsp fs %s", subs[i]);
		CU_ASSERT_PTR_NOT_NULL(strstr(r.out, want));
	}
	RUN(&r, "fs", "--help");
	CU_ASSERT_EQUAL(r.status, 0);
	RUN(&r, "fs");
	CU_ASSERT_EQUAL(r.status, 2);
	RUN(&r, "fs", "frob");
	CU_ASSERT_EQUAL(r.status, 2);
	RUN(&r, "fs", "rm", "-z", "/x");
	CU_ASSERT_EQUAL(r.status, 2);
	RUN(&r, "fs", "cp", "/only-one");
	CU_ASSERT_EQUAL(r.status, 2);
	RUN(&r, "fs", "cat", "/a", "/b");
	CU_ASSERT_EQUAL(r.status, 2);
}

static void test_progress_on_tty(void)
{
	const char *const put[] = {"fs", "put", NULL, "/big.bin", NULL};
	const char *const get[] = {"fs", "get", "/big.bin", NULL, NULL};
	const char *args[5];
	struct run r;
	FILE *fp = fopen(at("big.bin"), "w");
	int i;

	for (i = 0; i < 3 * 1024; i++)
		fprintf(fp, "%01023d\n", i);
	fclose(fp);
	memcpy(args, put, sizeof(args));
	args[2] = at("big.bin");
	run(&r, NULL, 1, args);
	CU_ASSERT_EQUAL(r.status, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "100%"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "3.0 MiB"));
	memcpy(args, get, sizeof(args));
	args[3] = at("big.back");
	run(&r, NULL, 1, args);
	CU_ASSERT_EQUAL(r.status, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "100%"));
	/* not a terminal: no progress bar */
	RUN(&r, "fs", "get", "/big.bin", at("big.back"));
	CU_ASSERT_PTR_NULL(strstr(r.err, "%"));
	{
		struct stat a, b;

		CU_ASSERT_EQUAL(stat(at("big.bin"), &a), 0);
		CU_ASSERT_EQUAL(stat(at("big.back"), &b), 0);
		CU_ASSERT_EQUAL(a.st_size, b.st_size);
	}
}

static CU_TestInfo tests[] = {
	{"put, get, cat", test_put_get_cat},
	{"ls, stat, --json", test_ls_stat_json},
	{"mkdir, cp, mv, rm", test_change_commands},
	{"usage and --help", test_usage},
	{"progress bar on a terminal", test_progress_on_tty},
	CU_TEST_INFO_NULL,
};

int main(void)
{
	return cu_run_suite("wsp fs", suite_init, suite_fini, tests);
}
