/*
 * tests/security/test_isolation_procs.c - no process outlives what ended
 * its command: a timeout, `wsp kill` or `wsp release`, including
 * descendants that left the command's session (setsid) or were orphaned
 * on purpose (a double fork), under bubblewrap and, for background
 * processes, also under `isolation: none` (finding 9). And the limits
 * hold: memory, processes (for root through a pids cgroup, since the
 * kernel does not apply RLIMIT_NPROC to root), CPU time and file size.
 * Survivors are looked for in the host's /proc by a token argument no
 * other process has. As root and as an unprivileged user.
 */
#include "cu_main.h"
#include "isolation_util.h"
#include "test_files.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* How long a process may take to show up, or to be gone. */
#define SETTLE_MS 15000

static struct iso t, host, lim, nproc;

static int processes_of_uid(void);

/*
 * The max_processes line for a limit a little above what runs now: for
 * root a cgroup of the command's own, for a user RLIMIT_NPROC, which
 * counts every process of the uid on the host (of other programs too, so
 * it is taken just before use).
 */
static const char *nproc_option(void)
{
	static char options[64];

	snprintf(options, sizeof(options), "    max_processes: %d\n",
		 iso_root() ? 8 : processes_of_uid() + 24);
	return options;
}

/* The processes of our uid on the whole host. */
static int processes_of_uid(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	struct stat st;
	char path[300];
	int n = 0;

	while (d && (e = readdir(d)))
		if (e->d_name[0] >= '1' && e->d_name[0] <= '9') {
			snprintf(path, sizeof(path), "/proc/%s", e->d_name);
			n += stat(path, &st) == 0 && st.st_uid == geteuid();
		}
	if (d)
		closedir(d);
	return n;
}

static int suite_init(void)
{
	return iso_setup(&t, "bwrap", NULL) || iso_setup(&host, "none", NULL) ||
	       iso_setup(&lim, "bwrap",
			 "    memory_limit: 64MiB\n"
			 "    cpu_time: 1s\n"
			 "    file_size_limit: 1MiB\n") ||
	       iso_setup(&nproc, "bwrap", nproc_option());
}

static int suite_clean(void)
{
	iso_teardown(&t);
	iso_teardown(&host);
	iso_teardown(&lim);
	iso_teardown(&nproc);
	return 0;
}

/* A number of seconds to sleep that only this test's processes use. */
static const char *new_token(void)
{
	static char token[32];
	static int n;

	snprintf(token, sizeof(token), "7000.%d%d", (int)getpid(), ++n);
	return token;
}

/*
 * A shell command leaving three sleepers: one in a session of its own
 * still holding the command's output, one orphaned by a double fork into
 * a new session with its output elsewhere, and a plain child.
 */
static const char *escapees(const char *token)
{
	static char cmd[512];

	snprintf(cmd, sizeof(cmd),
		 "setsid sleep %s & "
		 "(setsid sleep %s </dev/null >/dev/null 2>&1 &); "
		 "sleep %s & wait",
		 token, token, token);
	return cmd;
}

static void test_timeout(void)
{
	const char *token = new_token();
	pid_t pid = iso_wsp_start(&t, (const char *const[]){
		"exec", "--timeout", "5s", "--", "sh", "-c", escapees(token),
		NULL });

	CU_ASSERT_FATAL(pid > 0);
	/* all three run before the deadline, then none after it */
	CU_ASSERT_EQUAL(iso_wait_procs(token, 3, SETTLE_MS), 3);
	CU_ASSERT_EQUAL(iso_wsp_finish(&t, pid), 124);
	CU_ASSERT_EQUAL(iso_wait_procs(token, 0, SETTLE_MS), 0);
}

/* Spawn the escapees in the background; the process id, or "". */
static const char *spawn_escapees(struct iso *w, const char *token)
{
	static char id[64];

	id[0] = '\0';
	if (iso_wsp(w, (const char *const[]){ "spawn", "--no-stdin", "-c",
					      escapees(token), NULL }) == 0)
		snprintf(id, sizeof(id), "%.*s", (int)strcspn(w->out, "\n"),
			 w->out);
	return id;
}

static void ended_by(struct iso *w, const char *verb)
{
	const char *token = new_token(), *id = spawn_escapees(w, token);
	char ids[64];

	CU_ASSERT_FATAL(id[0] != '\0');
	snprintf(ids, sizeof(ids), "%s", id);
	CU_ASSERT_EQUAL(iso_wait_procs(token, 3, SETTLE_MS), 3);
	CU_ASSERT_EQUAL(iso_wsp(w, (const char *const[]){ verb, ids, NULL }),
			0);
	CU_ASSERT_EQUAL(iso_wait_procs(token, 0, SETTLE_MS), 0);
	if (strcmp(verb, "release"))
		iso_wsp(w, (const char *const[]){ "release", ids, NULL });
}

static void test_kill(void)
{
	ended_by(&t, "kill");
}

static void test_release(void)
{
	ended_by(&t, "release");
}

/* Unisolated there is no PID namespace: the monitor ends them itself. */
static void test_release_unisolated(void)
{
	ended_by(&host, "release");
}

static void test_background_timeout_unisolated(void)
{
	const char *token = new_token();

	CU_ASSERT_EQUAL_FATAL(
		iso_wsp(&host, (const char *const[]){
				"spawn", "--no-stdin", "--timeout", "5s", "-c",
				escapees(token), NULL }),
		0);
	CU_ASSERT_EQUAL(iso_wait_procs(token, 3, SETTLE_MS), 3);
	CU_ASSERT_EQUAL(iso_wait_procs(token, 0, SETTLE_MS), 0);
}

/* The result names the limit (`wsp --json exec`). */
static int limit_is(const struct iso *w, const char *limit)
{
	char want[64];

	snprintf(want, sizeof(want), "\"limit\":\"%s\"", limit);
	if (!strstr(w->out, want))
		fprintf(stderr, "\nwant %s in %s\n", want, w->out);
	return strstr(w->out, want) != NULL;
}

static void test_memory_limit(void)
{
	CU_ASSERT_EQUAL(iso_wsp(&lim, (const char *const[]){
				"--json", "exec", "--", "./probe", "alloc",
				"256", NULL }),
			3);
	CU_ASSERT(limit_is(&lim, "memory"));
	/* what fits still runs */
	CU_ASSERT_EQUAL(iso_probe(&lim, "alloc", "8", NULL), 0);
	CU_ASSERT_EQUAL(iso_probe(&t, "alloc", "256", NULL), 0);
}

static void test_process_limit(void)
{
	const char *many = "i=0; while [ $i -lt 128 ]; do sleep 2 & "
			   "i=$((i+1)); done; wait";
	struct iso within;

	CU_ASSERT_NOT_EQUAL(iso_wsp(&nproc, (const char *const[]){
				    "--json", "sh", many, NULL }),
			    0);
	CU_ASSERT(limit_is(&nproc, "processes"));
	/* a command within the limit runs */
	CU_ASSERT_EQUAL_FATAL(iso_setup(&within, "bwrap", nproc_option()), 0);
	CU_ASSERT_EQUAL(iso_wsp(&within, (const char *const[]){
				"sh", "sleep 0 & wait", NULL }),
			0);
	iso_teardown(&within);
	/* without the limit the same command runs */
	CU_ASSERT_EQUAL(iso_wsp(&t, (const char *const[]){ "sh", many, NULL }),
			0);
}

/*
 * `wsp ARGS` run by script, which makes every cgroup mount read-only in a
 * mount namespace of its own: its exit status, what it said on stderr in
 * text. The foreground and the background refusal are both seen so.
 */
static int wsp_without_cgroups(const char *script, const char *args,
			       char *text, size_t cap)
{
	char cmd[2000];
	int st;

	snprintf(cmd, sizeof(cmd),
		 "cd %s && unshare -m --propagation private sh %s "
		 "%s --config %s %s",
		 nproc.dir, script, WSP_CLI, nproc.config, args);
	st = system(cmd);
	snprintf(cmd, sizeof(cmd), "%s/err", nproc.dir);
	test_read_text(cmd, text, cap);
	return st;
}

/*
 * Root's process limit is a cgroup: where none can be made (here: every
 * cgroup mount read-only in a mount namespace of the test's own), a command
 * with max_processes is refused, never run without its limit. A user's
 * limit is RLIMIT_NPROC, which always holds: nothing to refuse.
 */
static void test_process_limit_unenforceable(void)
{
	char script[500], path[600], text[4096];
	FILE *f;
	int st;

	if (!iso_root())
		return;
	/*
	 * The limit is the cgroup of the sandbox's environment: an
	 * environment still running from the test above holds it already.
	 * Stopped, the next command must start one, and cannot.
	 */
	CU_ASSERT_EQUAL(iso_wsp(&nproc, (const char *const[]){ "sandbox",
							       "stop", NULL }),
			0);
	snprintf(script, sizeof(script), "%s/ro-cgroups.sh", nproc.dir);
	f = fopen(script, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("for m in $(awk '$3 ~ /^cgroup/ {print $2}' /proc/mounts); do\n"
	      "\tmount -o remount,bind,ro \"$m\" || exit 99\n"
	      "done\n"
	      "\"$@\" >out 2>err\n",
	      f);
	fclose(f);
	st = wsp_without_cgroups(script, "sh 'echo ran'", text, sizeof(text));
	CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 126);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "needs a pids cgroup"));
	snprintf(path, sizeof(path), "%s/out", nproc.dir);
	test_read_text(path, text, sizeof(text));
	CU_ASSERT_PTR_NULL(strstr(text, "ran"));
	/* a background process likewise */
	st = wsp_without_cgroups(script, "spawn -c 'echo ran'", text,
				 sizeof(text));
	CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "needs a pids cgroup"));
}

static void test_cpu_limit(void)
{
	CU_ASSERT_NOT_EQUAL(iso_wsp(&lim, (const char *const[]){
				    "--json", "exec", "--", "./probe", "spin",
				    NULL }),
			    0);
	CU_ASSERT(limit_is(&lim, "cpu"));
	CU_ASSERT_PTR_NULL(strstr(lim.out, "\"timed_out\":true"));
}

static void test_file_size_limit(void)
{
	char path[400];
	struct stat st;

	CU_ASSERT_NOT_EQUAL(iso_wsp(&lim, (const char *const[]){
				    "--json", "exec", "--", "./probe", "fill",
				    "big", "4", NULL }),
			    0);
	CU_ASSERT(limit_is(&lim, "file_size"));
	snprintf(path, sizeof(path), "%s/big", lim.ws);
	CU_ASSERT_EQUAL_FATAL(stat(path, &st), 0);
	CU_ASSERT(st.st_size <= 1024 * 1024);
}

static CU_TestInfo tests[] = {
	{ "nothing survives a timeout", test_timeout },
	{ "nothing survives wsp kill", test_kill },
	{ "nothing survives wsp release", test_release },
	{ "unisolated: nothing survives wsp release", test_release_unisolated },
	{ "unisolated: nothing survives a background timeout",
	  test_background_timeout_unisolated },
	{ "memory limit", test_memory_limit },
	{ "process limit", test_process_limit },
	{ "root: an unenforceable process limit refuses the command",
	  test_process_limit_unenforceable },
	{ "cpu time limit", test_cpu_limit },
	{ "file size limit", test_file_size_limit },
	CU_TEST_INFO_NULL,
};

CU_MAIN_SUITE("security: processes and limits", suite_init, suite_clean,
	      tests)
