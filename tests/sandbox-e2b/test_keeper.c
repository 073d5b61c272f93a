/*
 * tests/sandbox-e2b/test_keeper.c - wsp-e2b-keeper against the E2B fake:
 * background processes that outlive the wsp that spawned them.
 *
 *   - spawned by another process (this executable run again as
 *     "spawn-child"), which then exits: a fresh instance here lists it,
 *     waits for it and reads both streams and the exit code; the keeper
 *     leaves once nothing runs
 *   - followed from a fresh instance as it prints (WSP_OUTPUT_FOLLOW)
 *   - the keeper killed with SIGKILL: the log says running with nobody
 *     holding it; the next look starts a keeper that reconciles with
 *     envd's list: the process still running is reattached (stdin sent
 *     after reaches it, its output shows) and the gap is reported in the
 *     log; the one that ended unheard is lost, with no output made up
 *   - no secret (the api key, the sandbox's access token) in the
 *     keeper's command line or environment, or in any state file
 *   - the CLI: `wsp spawn` in one run, `wsp logs` (and -f, which exits
 *     with the process's status) in later ones, the keeper found beside
 *     the installed plugin
 *   - stop ends the keeper; what ran is lost, not running
 *
 * The suite is a subreaper, so the keepers it starts (which detach) are
 * its children when their first process exits: it reaps them and sees
 * them go.
 */
#include "e2_env.h"
#include "e2b.h"
#include "proc_log.h"
#include "cu_main.h"
#include "test_files.h"
#include "test_run.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "test_wait.h"

extern char **environ;

#define BOX "keeper-box"

static struct box bx;
static char state[256];

static const wsp_procmgr_vtable *pm(void)
{
	return bx.d->procmgr;
}

static const char *sandbox_of(struct box *b)
{
	return ((struct e2b *)b->self)->conn.id;
}

static int spawn_in(struct box *b, char *id, const char *sh, uint32_t stdin_mode,
		    wsp_error *err)
{
	wsp_spawn_opts o = WSP_SPAWN_OPTS_INIT;

	o.shell = sh;
	o.stdin_mode = stdin_mode;
	return b->d->procmgr->spawn(id, b->self, box_call(b, 30000), &o, err);
}

/* A fresh instance of the suite's sandbox, found again by its id. */
static int fresh(struct box *b)
{
	wsp_error err = {0};
	uint32_t outcome;
	int rc = box_open(b, BOX, NULL, 0, &err);

	if (!rc)
		rc = box_vt(b)->start(&outcome, b->self, box_call(b, 30000), 0,
				      &err);
	if (rc)
		fprintf(stderr, "fresh instance: %s\n", err.message);
	return rc;
}

static int read_all(struct box *b, struct e2_text *t, wsp_proc_status *st,
		    const char *id, uint32_t flags, wsp_error *err)
{
	wsp_output_opts o = WSP_OUTPUT_OPTS_INIT;

	memset(t, 0, sizeof(*t));
	memset(st, 0, sizeof(*st));
	st->struct_size = sizeof(*st);
	o.flags = flags;
	o.streams = WSP_STDOUT | WSP_STDERR; /* as the core fills it in */
	return b->d->procmgr->read_output(st, b->self, box_call(b, 30000), id,
					  &o, e2_text_into, t, err);
}

static int status_of(struct box *b, wsp_proc_status *st, const char *id)
{
	wsp_error err = {0};

	memset(st, 0, sizeof(*st));
	st->struct_size = sizeof(*st);
	return b->d->procmgr->status(st, b->self, box_call(b, 30000), id, 0,
				     &err);
}

/* The log of process id under the state directory base (NULL: the
 * suite's), opened as any reader would. */
static int open_log_in(struct proc_log *l, const char *base,
		       const char *sandbox, const char *id)
{
	char path[1024];
	int dfd, rc;

	snprintf(path, sizeof(path), "%s/e2b/%s/procs/%s", base ? base : state,
		 sandbox, id);
	dfd = open(path, O_RDONLY | O_DIRECTORY);
	if (dfd < 0)
		return -1;
	rc = proc_log_open(l, dfd);
	close(dfd);
	return rc;
}

static int open_log(struct proc_log *l, const char *sandbox, const char *id)
{
	return open_log_in(l, NULL, sandbox, id);
}

/* The keeper that writes id's log (its pid in the status), or -1. */
static pid_t keeper_in(const char *base, const char *sandbox, const char *id)
{
	struct proc_status_file st;
	struct proc_log l;

	if (open_log_in(&l, base, sandbox, id))
		return -1;
	proc_log_get_status(&l, &st);
	proc_log_close(&l);
	return (pid_t)st.monitor_pid;
}

static pid_t keeper_of(const char *sandbox, const char *id)
{
	return keeper_in(NULL, sandbox, id);
}

/*
 * Whether pid still runs. Our child (the keepers are, as we are their
 * subreaper) is dead only once reaped: a killed thread group's leader
 * shows as a zombie while its other threads, and the files they hold
 * (the logs' locks), are still going.
 */
static int alive(pid_t pid)
{
	char path[64], buf[512], *p;
	pid_t r = waitpid(pid, NULL, WNOHANG);
	FILE *f;
	int ok = 0;

	if (r == pid)
		return 0;
	if (r == 0)
		return 1;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (!(f = fopen(path, "r")))
		return 0;
	if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')))
		ok = p[2] != 'Z' && p[2] != 'X';
	fclose(f);
	return ok;
}

static int gone_within(pid_t pid, int ms)
{
	for (int waited = 0; waited < ms; waited += 50) {
		if (!alive(pid))
			return 1;
		usleep(50000);
	}
	return !alive(pid);
}

/* Poll id's status until stdout passed `than` bytes; 1 if it did. */
static int output_past(struct box *b, const char *id, uint64_t than, int ms)
{
	wsp_proc_status st;

	for (int waited = 0; waited <= ms; waited += 50) {
		if (!status_of(b, &st, id) && st.stdout_total > than)
			return 1;
		usleep(50000);
	}
	return 0;
}

/* ---- the other process ------------------------------------------------ */

/* As "spawn-child STATE PORT": spawn, print the id, exit (no release). */
static int spawn_child(char **argv)
{
	struct box b;
	char id[WSP_PROC_ID_MAX];
	wsp_error err = {0};

	fake_env_state_dir = argv[2];
	snprintf(state, sizeof(state), "%s", argv[2]);
	if (fake_env_attach(atoi(argv[3])) || fresh(&b) ||
	    spawn_in(&b, id,
		     "echo one; echo two >&2; sleep 1; echo three; exit 7",
		     WSP_STDIN_IGNORE, &err)) {
		fprintf(stderr, "spawn-child: %s\n", err.message);
		return 1;
	}
	printf("%s\n", id);
	fflush(stdout);
	box_close(&b); /* fini: the process and its keeper go on */
	return 0;
}

struct lookup {
	const char *id;
	int *seen;
};

static int on_proc(const char *id, const char *cmd, const wsp_proc_status *s,
		   void *p)
{
	struct lookup *want = p;

	if (!strcmp(id, want->id) && strstr(cmd, "echo three") &&
	    s->state == WSP_PROC_EXITED)
		(*want->seen)++;
	return 0;
}

static void test_other_process(void)
{
	char port[16], line[WSP_PROC_ID_MAX + 2] = "", *nl;
	char *argv[] = {"/proc/self/exe", "spawn-child", state, port, NULL};
	posix_spawn_file_actions_t fa;
	struct box b;
	struct e2_text t;
	wsp_proc_status st;
	wsp_error err = {0};
	int out[2], status = -1, seen = 0;
	pid_t child, keeper;
	FILE *f;

	snprintf(port, sizeof(port), "%d", fake_port());
	CU_ASSERT_EQUAL_FATAL(pipe(out), 0);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_addclose(&fa, out[0]);
	CU_ASSERT_EQUAL_FATAL(posix_spawn(&child, "/proc/self/exe", &fa, NULL,
					  argv, environ),
			      0);
	posix_spawn_file_actions_destroy(&fa);
	close(out[1]);
	f = fdopen(out[0], "r");
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	waitpid(child, &status, 0);
	CU_ASSERT_TRUE_FATAL(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	if ((nl = strchr(line, '\n')))
		*nl = '\0';
	CU_ASSERT_TRUE_FATAL(line[0] != '\0');

	/* the spawner is gone: a fresh instance here takes it from there */
	CU_ASSERT_EQUAL_FATAL(fresh(&b), 0);
	keeper = keeper_of(sandbox_of(&b), line);
	CU_ASSERT_TRUE(keeper > 0 && keeper != child);
	memset(&st, 0, sizeof(st));
	st.struct_size = sizeof(st);
	CU_ASSERT_EQUAL(b.d->procmgr->wait(&st, b.self, box_call(&b, 30000),
					   line, 15000, 0, &err),
			0);
	CU_ASSERT_EQUAL(st.state, WSP_PROC_EXITED);
	CU_ASSERT_EQUAL(st.exit_code, 7);
	CU_ASSERT_EQUAL(read_all(&b, &t, &st, line, 0, &err), 0);
	CU_ASSERT_STRING_EQUAL(t.out, "one\nthree\n");
	CU_ASSERT_STRING_EQUAL(t.errs, "two\n");
	CU_ASSERT_EQUAL(st.stdout_total, 10);
	CU_ASSERT_EQUAL(st.stderr_total, 4);
	/* listed with its command, by an instance that never spawned */
	struct lookup want = {line, &seen};

	CU_ASSERT_EQUAL(b.d->procmgr->list(b.self, box_call(&b, 30000), 0,
					   on_proc, &want, &err),
			0);
	CU_ASSERT_EQUAL(seen, 1);
	/* nothing runs: its keeper leaves */
	CU_ASSERT_TRUE(gone_within(keeper, 5000));
	CU_ASSERT_EQUAL(b.d->procmgr->release(b.self, box_call(&b, 30000),
					      line, 0, &err),
			0);
	CU_ASSERT_EQUAL(status_of(&b, &st, line), WSP_ENOTFOUND);
	box_close(&b);
}

static void test_follow(void)
{
	char id[WSP_PROC_ID_MAX];
	struct box b;
	struct e2_text t;
	wsp_proc_status st;
	wsp_error err = {0};
	int64_t t0;

	CU_ASSERT_EQUAL_FATAL(spawn_in(&bx, id,
				       "for i in 1 2 3; do echo $i; "
				       "sleep 0.4; done; echo e >&2",
				       WSP_STDIN_IGNORE, &err),
			      0);
	CU_ASSERT_EQUAL_FATAL(fresh(&b), 0);
	t0 = test_now_ms();
	CU_ASSERT_EQUAL(read_all(&b, &t, &st, id, WSP_OUTPUT_FOLLOW, &err), 0);
	/* it followed the process to its end, not one read */
	CU_ASSERT_TRUE(test_now_ms() - t0 >= 700);
	CU_ASSERT_STRING_EQUAL(t.out, "1\n2\n3\n");
	CU_ASSERT_STRING_EQUAL(t.errs, "e\n");
	CU_ASSERT_EQUAL(st.state, WSP_PROC_EXITED);
	CU_ASSERT_EQUAL(st.exit_code, 0);
	CU_ASSERT_EQUAL(st.stdout_total, 6);
	pm()->release(bx.self, box_call(&bx, 30000), id, 0, &err);
	box_close(&b);
}

/* ---- no secret anywhere ------------------------------------------------ */

static int file_has(const char *path, const char *needle)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 20, n;
	char *buf = malloc(cap);
	int found = 0;

	if (!f || !buf) {
		if (f)
			fclose(f);
		free(buf);
		return 0;
	}
	n = fread(buf, 1, cap, f);
	fclose(f);
	found = memmem(buf, n, needle, strlen(needle)) != NULL;
	free(buf);
	return found;
}

static const char *secret_a, *secret_b;
static int leaks;

static int scan(const char *path, const struct stat *sb, int type,
		struct FTW *ftw)
{
	(void)ftw;
	if (type == FTW_F && S_ISREG(sb->st_mode) &&
	    (file_has(path, secret_a) || file_has(path, secret_b))) {
		fprintf(stderr, "a secret in %s\n", path);
		leaks++;
	}
	return 0;
}

static void test_no_secrets(void)
{
	char id[WSP_PROC_ID_MAX], path[64];
	const char *token = ((struct e2b *)bx.self)->conn.token;
	wsp_error err = {0};
	pid_t keeper;

	CU_ASSERT_TRUE_FATAL(token[0] != '\0');
	CU_ASSERT_EQUAL_FATAL(spawn_in(&bx, id, "echo x; sleep 20",
				       WSP_STDIN_PIPE, &err),
			      0);
	keeper = keeper_of(sandbox_of(&bx), id);
	CU_ASSERT_TRUE_FATAL(keeper > 0 && alive(keeper));
	secret_a = E2_KEY;
	secret_b = token;
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)keeper);
	CU_ASSERT_FALSE(file_has(path, E2_KEY));
	CU_ASSERT_FALSE(file_has(path, token));
	snprintf(path, sizeof(path), "/proc/%d/environ", (int)keeper);
	CU_ASSERT_FALSE(file_has(path, E2_KEY));
	CU_ASSERT_FALSE(file_has(path, token));
	leaks = 0;
	nftw(state, scan, 16, FTW_PHYS);
	CU_ASSERT_EQUAL(leaks, 0);
	CU_ASSERT_EQUAL(pm()->release(bx.self, box_call(&bx, 30000), id, 0,
				      &err),
			0);
}

/* ---- kill -9 of the keeper ---------------------------------------------- */

static void test_keeper_killed(void)
{
	char a[WSP_PROC_ID_MAX], b2[WSP_PROC_ID_MAX];
	struct proc_log l;
	struct box b;
	struct e2_text t;
	wsp_proc_status st;
	wsp_error err = {0};
	pid_t keeper, again;

	CU_ASSERT_EQUAL_FATAL(spawn_in(&bx, a,
				       "echo a1; read x; echo got $x; "
				       "sleep 30",
				       WSP_STDIN_PIPE, &err),
			      0);
	CU_ASSERT_EQUAL_FATAL(spawn_in(&bx, b2, "echo b1; sleep 1; echo b2",
				       WSP_STDIN_IGNORE, &err),
			      0);
	CU_ASSERT_TRUE_FATAL(output_past(&bx, a, 2, 10000));
	CU_ASSERT_TRUE_FATAL(output_past(&bx, b2, 2, 10000));
	keeper = keeper_of(sandbox_of(&bx), a);
	CU_ASSERT_TRUE_FATAL(keeper > 0);
	CU_ASSERT_EQUAL_FATAL(kill(keeper, SIGKILL), 0);
	CU_ASSERT_TRUE_FATAL(gone_within(keeper, 5000));
	/* as it was left: "running", but nobody holds it */
	CU_ASSERT_EQUAL_FATAL(open_log(&l, sandbox_of(&bx), a), 0);
	CU_ASSERT_FALSE(proc_log_monitor_alive(&l));
	proc_log_close(&l);
	sleep(2); /* b2 ends unheard: "b2" goes nowhere */

	/* a later wsp: its first look reconciles with envd's list */
	CU_ASSERT_EQUAL_FATAL(fresh(&b), 0);
	wsp_fakehost_log_clear(b.fh);
	CU_ASSERT_EQUAL(status_of(&b, &st, a), 0);
	CU_ASSERT_EQUAL(st.state, WSP_PROC_RUNNING);
	CU_ASSERT_TRUE(wsp_fakehost_log_find(b.fh, WSP_LOG_WARN,
					     "nothing listened") > 0);
	again = keeper_of(sandbox_of(&b), a);
	CU_ASSERT_TRUE(again > 0 && again != keeper && alive(again));
	CU_ASSERT_EQUAL(status_of(&b, &st, b2), 0);
	CU_ASSERT_EQUAL(st.state, WSP_PROC_LOST);
	CU_ASSERT_TRUE(st.ended_ms > 0);
	CU_ASSERT_EQUAL(read_all(&b, &t, &st, b2, 0, &err), 0);
	CU_ASSERT_STRING_EQUAL(t.out, "b1\n"); /* nothing made up */
	/* the reattached stream hears what a says from now on */
	CU_ASSERT_EQUAL(b.d->procmgr->write_stdin(b.self, box_call(&b, 30000),
						  a, "hi\n", 3, 0, &err),
			0);
	CU_ASSERT_TRUE(output_past(&b, a, 3, 10000));
	CU_ASSERT_EQUAL(read_all(&b, &t, &st, a, 0, &err), 0);
	CU_ASSERT_STRING_EQUAL(t.out, "a1\ngot hi\n");
	CU_ASSERT_EQUAL(b.d->procmgr->release(b.self, box_call(&b, 30000), a,
					      0, &err),
			0);
	CU_ASSERT_EQUAL(b.d->procmgr->release(b.self, box_call(&b, 30000), b2,
					      0, &err),
			0);
	CU_ASSERT_TRUE(gone_within(again, 5000));
	box_close(&b);
}

/* ---- the CLI ------------------------------------------------------------ */

static char cli_out[8192];

/* `wsp ARGS` in the CLI's directory: its status, stdout in cli_out. */
static int cli(const char *args)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd),
		 "cd '%s/cli' && XDG_STATE_HOME='%s/cli/state' "
		 "E2B_API_KEY=" E2_KEY " '%s' --config wsp.yaml %s 2>/dev/null",
		 state, state, WSP_TEST_CLI, args);
	return test_run_capture(cmd, cli_out, sizeof(cli_out));
}

/* How many entries dir has (-1: it cannot be read). */
static int entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(d);
	return n;
}

static void test_cli(void)
{
	char dir[512], id[WSP_PROC_ID_MAX + 1], *nl;
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/cli", state);
	CU_ASSERT_EQUAL_FATAL(mkdir(dir, 0700), 0);
	snprintf(dir, sizeof(dir), "%s/cli/wsp.yaml", state);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f = fopen(dir, "w"));
	fprintf(f,
		"sandbox:\n  provider: e2b\n  id: keeper-cli\n  options:\n"
		"    api_url: http://127.0.0.1:%d\n"
		"    sandbox_url: http://127.0.0.1:%d\n",
		fake_port(), fake_port());
	fclose(f);
	CU_ASSERT_EQUAL_FATAL(cli("spawn -c 'echo hi; echo oops >&2; "
				  "sleep 1; echo bye; exit 5'"),
			      0);
	snprintf(id, sizeof(id), "%.*s", (int)sizeof(id) - 1, cli_out);
	if ((nl = strchr(id, '\n')))
		*nl = '\0';
	CU_ASSERT_TRUE_FATAL(!strncmp(id, "e2b-", 4));
	/* the key was in wsp's environment, not in its keeper's */
	{
		char base[512], sandbox[64], path[64];
		const char *dash = strrchr(id, '-');
		pid_t keeper;

		snprintf(base, sizeof(base), "%s/cli/state/wsp", state);
		snprintf(sandbox, sizeof(sandbox), "%.*s",
			 (int)(dash - id - 4), id + 4);
		keeper = keeper_in(base, sandbox, id);
		CU_ASSERT_TRUE(keeper > 0);
		snprintf(path, sizeof(path), "/proc/%d/environ", (int)keeper);
		CU_ASSERT_FALSE(file_has(path, E2_KEY));
		snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)keeper);
		CU_ASSERT_FALSE(file_has(path, E2_KEY));
	}
	/* a later run follows it to its end, exiting with its status */
	snprintf(dir, sizeof(dir), "logs -f %s", id);
	CU_ASSERT_EQUAL(cli(dir), 5);
	CU_ASSERT_STRING_EQUAL(cli_out, "hi\nbye\n");
	/* and another reads it again, after its end */
	snprintf(dir, sizeof(dir), "logs %s", id);
	CU_ASSERT_EQUAL(cli(dir), 0);
	CU_ASSERT_STRING_EQUAL(cli_out, "hi\nbye\n");
	snprintf(dir, sizeof(dir), "ps %s", id);
	CU_ASSERT_EQUAL(cli(dir), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(cli_out, "exited"));
	snprintf(dir, sizeof(dir), "release %s", id);
	CU_ASSERT_EQUAL(cli(dir), 0);
	CU_ASSERT_EQUAL(cli("sandbox destroy"), 0);
	/* its processes' directory went with it */
	snprintf(dir, sizeof(dir), "%s/cli/state/wsp/e2b", state);
	CU_ASSERT_EQUAL(entries(dir), 0);
}

/* ---- stop ---------------------------------------------------------------- */

static void test_stop_ends_keeper(void)
{
	char id[WSP_PROC_ID_MAX];
	wsp_proc_status st;
	wsp_error err = {0};
	uint32_t outcome;
	pid_t keeper;

	CU_ASSERT_EQUAL_FATAL(spawn_in(&bx, id, "sleep 30", WSP_STDIN_IGNORE,
				       &err),
			      0);
	keeper = keeper_of(sandbox_of(&bx), id);
	CU_ASSERT_TRUE_FATAL(keeper > 0 && alive(keeper));
	CU_ASSERT_EQUAL_FATAL(box_vt(&bx)->stop(bx.self, box_call(&bx, 30000),
						0, &err),
			      0);
	CU_ASSERT_TRUE(gone_within(keeper, 5000));
	/* it ended with the sandbox's stop: lost, never "running" */
	CU_ASSERT_EQUAL(status_of(&bx, &st, id), 0);
	CU_ASSERT_EQUAL(st.state, WSP_PROC_LOST);
	CU_ASSERT_TRUE(st.ended_ms > 0);
	CU_ASSERT_EQUAL(box_vt(&bx)->start(&outcome, bx.self,
					   box_call(&bx, 30000), 0, &err),
			0);
	CU_ASSERT_EQUAL(pm()->release(bx.self, box_call(&bx, 30000), id, 0,
				      &err),
			0);
}

static int suite_init(void)
{
	char tmpl[] = "/tmp/wsp-e2b-keeper-XXXXXX";

	/* the keepers detach: their orphans come to us, to be reaped */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	if (!mkdtemp(tmpl))
		return -1;
	snprintf(state, sizeof(state), "%s", tmpl);
	fake_env_state_dir = state;
	return e2_suite_start(&bx, BOX);
}

static int suite_clean(void)
{
	int rc = e2_suite_stop(&bx);

	test_remove_tree(state);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	return rc;
}

static CU_TestInfo tests[] = {
	{"spawned by a process that is gone, read here", test_other_process},
	{"followed from a fresh instance", test_follow},
	{"no secret in the keeper's argv, environment or files",
	 test_no_secrets},
	{"keeper killed: reattached, lost, the gap reported",
	 test_keeper_killed},
	{"CLI: wsp spawn, then wsp logs in later runs", test_cli},
	{"stop ends the keeper", test_stop_ends_keeper},
	CU_TEST_INFO_NULL,
};

int main(int argc, char **argv)
{
	CU_SuiteInfo suites[] = {{"sandbox-e2b keeper", suite_init,
				  suite_clean, NULL, NULL, tests},
				 CU_SUITE_INFO_NULL};

	if (argc == 4 && !strcmp(argv[1], "spawn-child"))
		return spawn_child(argv);
	signal(SIGPIPE, SIG_IGN);
	return cu_run_suites(suites);
}
