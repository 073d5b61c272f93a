/*
 * tests/security/test_state_procs.c - wsp trusts no file of the state
 * directory that it did not make (findings 3 and 4 of the security
 * review). Each case forges what someone able to write the state
 * directory could, then drives the real CLI against it:
 *
 *   - an entry naming another process group (a sleeper of the test's,
 *     in a group and session of its own), pgid 0 and 1: `wsp kill`,
 *     `wsp release` and `wsp sandbox stop` signal none of them;
 *   - procs/<id>, or procs itself, a symlink to a directory of victim
 *     files: `wsp release` and `wsp sandbox stop` delete none of them;
 *   - ctl (and stdin) a symlink to a victim file, or a regular file:
 *     nothing is written to them, and the refusal says why;
 *   - an entry, or its log, owned by another user (as root);
 *   - a log that is a FIFO (nothing hangs), a status out of range.
 *
 * And the real thing still works: spawn, ps, kill, release. As root and
 * as an unprivileged user; the ownership cases need root to chown.
 */
#include "cu_main.h"
#include "isolation_util.h"
#include "proc_files.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SETTLE_MS 15000

static struct iso t;
static char procs[400], victim[400];
static pid_t sleeper = -1; /* the test's own group and session */
static char token[32];

/* A sleeper in a session (so a group) of its own, as a user would have. */
static pid_t start_sleeper(void)
{
	pid_t pid;

	snprintf(token, sizeof(token), "7100.%d", (int)getpid());
	pid = fork();
	if (pid == 0) {
		setsid();
		execlp("sleep", "sleep", token, (char *)NULL);
		_exit(127);
	}
	return pid;
}

static int sleeper_alive(void)
{
	return waitpid(sleeper, NULL, WNOHANG) == 0 && kill(sleeper, 0) == 0;
}

static int suite_init(void)
{
	struct timespec tick = { 0, 10 * 1000000L };
	int i;

	if (iso_setup(&t, "none", NULL))
		return -1;
	snprintf(procs, sizeof(procs), "%s/state/" PROC_DIR_NAME, t.dir);
	snprintf(victim, sizeof(victim), "%s/victim", t.dir);
	if (iso_wsp(&t, (const char *const[]){ "sandbox", "start", NULL }) ||
	    mkdir(procs, 0700) < 0)
		return -1;
	sleeper = start_sleeper();
	/* until it is sleep, with its own start time */
	for (i = 0; i < 500 && iso_count_procs(token) < 1; i++)
		nanosleep(&tick, NULL);
	return sleeper > 0 && iso_count_procs(token) == 1 ? 0 : -1;
}

static int suite_clean(void)
{
	if (sleeper > 0) {
		kill(sleeper, SIGKILL);
		waitpid(sleeper, NULL, 0);
	}
	iso_teardown(&t);
	return 0;
}

/* ---- forging ------------------------------------------------------------ */

struct forged {
	char id[PROC_ID_LEN + 1];
	char dir[500];
	int lock; /* held: the entry's "monitor" is alive; else -1 */
};

static void path_in(char *out, size_t cap, const struct forged *f,
		    const char *name)
{
	snprintf(out, cap, "%s/%s", f->dir, name);
}

/* Write a log holding st into dir (which exists). */
static int write_log(const char *dir, const struct proc_status_file *st)
{
	static char page[PROC_LOG_HEADER_SIZE];
	struct proc_shared *h = (struct proc_shared *)page;
	char path[600];
	int fd, ok;

	memset(page, 0, sizeof(page));
	memcpy(h->magic, PROC_LOG_MAGIC, sizeof(h->magic));
	h->capacity = 4096;
	h->status = *st;
	snprintf(h->command, sizeof(h->command), "forged");
	snprintf(path, sizeof(path), "%s/" PROC_FILE_LOG, dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	ok = pwrite(fd, page, sizeof(page), 0) == (ssize_t)sizeof(page);
	close(fd);
	return ok ? 0 : -1;
}

/* A status naming pid and pgid, running, in this boot. */
static struct proc_status_file status_of(pid_t pid, pid_t pgid)
{
	struct proc_status_file st;

	memset(&st, 0, sizeof(st));
	st.state = PROC_RUNNING;
	st.stdin_open = 1;
	st.monitor_pid = 0;
	st.pid = pid;
	st.pgid = pgid;
	st.start_ticks = proc_start_ticks(pid > 0 ? pid : getpid());
	proc_boot_id(st.boot_id, sizeof(st.boot_id));
	st.started_ms = proc_now_ms();
	return st;
}

/*
 * A new entry procs/<id> with a log of st; alive: the test holds the
 * log's lock as a monitor would, so wsp talks to it through ctl.
 */
static void forge(struct forged *f, int n, const struct proc_status_file *st,
		  int alive)
{
	char log[600];

	memset(f, 0, sizeof(*f));
	f->lock = -1;
	snprintf(f->id, sizeof(f->id), "p-%08x", 0x5ec00000u + (unsigned)n);
	snprintf(f->dir, sizeof(f->dir), "%s/%s", procs, f->id);
	CU_ASSERT_FATAL(mkdir(f->dir, 0700) == 0);
	CU_ASSERT_FATAL(write_log(f->dir, st) == 0);
	if (!alive)
		return;
	path_in(log, sizeof(log), f, PROC_FILE_LOG);
	f->lock = open(log, O_RDONLY | O_CLOEXEC);
	CU_ASSERT_FATAL(f->lock >= 0 && flock(f->lock, LOCK_EX) == 0);
}

static void unforge(struct forged *f)
{
	char cmd[700];

	if (f->lock >= 0)
		close(f->lock);
	f->lock = -1;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	CU_ASSERT(system(cmd) == 0);
}

/* A file with known content; 1 if path still holds exactly it. */
static void write_victim_file(const char *path)
{
	FILE *v = fopen(path, "w");

	CU_ASSERT_FATAL(v != NULL);
	fputs("precious\n", v);
	CU_ASSERT_FATAL(fclose(v) == 0);
}

static int victim_file_intact(const char *path)
{
	char buf[64] = "";
	FILE *v = fopen(path, "r");
	size_t n;

	if (!v)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, v);
	fclose(v);
	buf[n] = '\0';
	return !strcmp(buf, "precious\n");
}

static int wsp2(const char *a, const char *b)
{
	return iso_wsp(&t, (const char *const[]){ a, b, NULL });
}

static int wsp3(const char *a, const char *b, const char *c)
{
	return iso_wsp(&t, (const char *const[]){ a, b, c, NULL });
}

static int kill9(const char *id)
{
	return iso_wsp(&t, (const char *const[]){ "kill", "--signal", "KILL",
						  id, NULL });
}

static int err_has(const char *what)
{
	if (!strstr(t.err, what))
		fprintf(stderr, "\nwant '%s' in: %s\n", what, t.err);
	return strstr(t.err, what) != NULL;
}

static int listed(const char *id)
{
	CU_ASSERT_EQUAL(iso_wsp(&t, (const char *const[]){ "ps", NULL }), 0);
	return strstr(t.out, id) != NULL;
}

/* ---- finding 3: signals reach no group wsp did not start ---------------- */

/*
 * An orphan (no monitor) whose pid is a live process of ours with its
 * true start time, and whose pgid is the sleeper's group.
 */
static void test_other_group(void)
{
	struct proc_status_file st = status_of(getpid(), sleeper);
	struct forged f;

	forge(&f, 1, &st, 0);
	CU_ASSERT_NOT_EQUAL(wsp2("kill", f.id), 0);
	CU_ASSERT_NOT_EQUAL(kill9(f.id), 0);
	CU_ASSERT_EQUAL(wsp2("sandbox", "stop"), 0);
	CU_ASSERT_EQUAL(wsp2("sandbox", "start"), 0);
	CU_ASSERT_EQUAL(wsp2("release", f.id), 0);
	CU_ASSERT(sleeper_alive());
	unforge(&f);
}

/*
 * A group leader that leads no session: the monitor starts every command
 * in a session of its own, so this is no command of wsp's, even with
 * pid == pgid and its true start time.
 */
static void test_leader_of_no_session(void)
{
	struct timespec tick = { 0, 10 * 1000000L };
	struct proc_status_file st;
	struct forged f;
	char tok[32];
	pid_t leader;
	int i;

	snprintf(tok, sizeof(tok), "7101.%d", (int)getpid());
	leader = fork();
	CU_ASSERT_FATAL(leader >= 0);
	if (leader == 0) {
		setpgid(0, 0);
		execlp("sleep", "sleep", tok, (char *)NULL);
		_exit(127);
	}
	setpgid(leader, leader); /* either of us may be first */
	for (i = 0; i < 500 && iso_count_procs(tok) < 1; i++)
		nanosleep(&tick, NULL);
	st = status_of(leader, leader);
	forge(&f, 2, &st, 0);
	CU_ASSERT_NOT_EQUAL(kill9(f.id), 0);
	CU_ASSERT(err_has("cannot be found"));
	CU_ASSERT_EQUAL(wsp2("sandbox", "stop"), 0);
	CU_ASSERT_EQUAL(wsp2("sandbox", "start"), 0);
	CU_ASSERT_EQUAL(wsp2("release", f.id), 0);
	CU_ASSERT_EQUAL(waitpid(leader, NULL, WNOHANG), 0);
	kill(leader, SIGKILL);
	waitpid(leader, NULL, 0);
	unforge(&f);
}

/* 1 when pid is stopped (state T in /proc/<pid>/stat). */
static int stopped(pid_t pid)
{
	char path[64], text[512], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	p = strrchr(text, ')');
	return p && p[1] == ' ' && p[2] == 'T';
}

/*
 * pgid 0 is the caller's own group, -1 every process on the machine.
 * Only SIGCONT goes through these entries, to the stopped sleeper's
 * witness: were the check ever lost, kill(-1) would resume stopped
 * processes instead of killing every process of the machine (as root),
 * and `wsp release`/`sandbox stop`, which send SIGKILL to orphans, are
 * not run on them (the files are removed by hand).
 */
static void test_pgid_zero_and_one(void)
{
	struct proc_status_file st;
	struct forged f;
	int i;

	CU_ASSERT_FATAL(kill(sleeper, SIGSTOP) == 0);
	for (i = 0; i < 500 && !stopped(sleeper); i++)
		usleep(10000);
	CU_ASSERT_FATAL(stopped(sleeper));
	for (i = 0; i < 3; i++) {
		if (i == 0)
			st = status_of(getpid(), 0);
		else if (i == 1)
			st = status_of(sleeper, 1);
		else
			st = status_of(1, 1); /* init itself, true start time */
		forge(&f, 10 + i, &st, 0);
		CU_ASSERT_NOT_EQUAL(
			iso_wsp(&t, (const char *const[]){ "kill", "--signal",
							  "CONT", f.id,
							  NULL }),
			0);
		CU_ASSERT(err_has("refusing its log"));
		CU_ASSERT(stopped(sleeper));
		unforge(&f);
	}
	CU_ASSERT(kill(sleeper, SIGCONT) == 0);
	CU_ASSERT(sleeper_alive());
}

/* ---- finding 4: no link is followed, no stranger's file used ------------ */

/* procs/<id> a link to a directory of victim files, with a valid log. */
static void test_entry_symlink(void)
{
	struct proc_status_file st = status_of(sleeper, sleeper);
	char link[500], file[500];

	st.state = PROC_EXITED;
	CU_ASSERT_FATAL(mkdir(victim, 0700) == 0);
	snprintf(file, sizeof(file), "%s/precious", victim);
	write_victim_file(file);
	CU_ASSERT_FATAL(write_log(victim, &st) == 0);
	snprintf(link, sizeof(link), "%s/p-5ec00020", procs);
	CU_ASSERT_FATAL(symlink(victim, link) == 0);

	CU_ASSERT_NOT_EQUAL(wsp2("release", "p-5ec00020"), 0);
	CU_ASSERT(err_has("refusing its directory: it is a symbolic link"));
	CU_ASSERT_FALSE(listed("p-5ec00020"));
	CU_ASSERT_NOT_EQUAL(wsp2("kill", "p-5ec00020"), 0);
	CU_ASSERT_EQUAL(wsp2("sandbox", "stop"), 0);
	CU_ASSERT_EQUAL(wsp2("sandbox", "start"), 0);
	CU_ASSERT(victim_file_intact(file));
	snprintf(file, sizeof(file), "%s/" PROC_FILE_LOG, victim);
	CU_ASSERT(access(file, F_OK) == 0);
	CU_ASSERT(unlink(link) == 0);
}

/* procs itself a link to the victim directory. */
static void test_procs_symlink(void)
{
	char moved[500], file[500];

	snprintf(moved, sizeof(moved), "%s.real", procs);
	snprintf(file, sizeof(file), "%s/precious", victim);
	CU_ASSERT_FATAL(rename(procs, moved) == 0);
	CU_ASSERT_FATAL(symlink(victim, procs) == 0);
	CU_ASSERT_NOT_EQUAL(iso_wsp(&t, (const char *const[]){ "ps", NULL }),
			    0);
	CU_ASSERT(err_has("refusing the process directory"));
	CU_ASSERT_NOT_EQUAL(wsp2("release", "p-5ec00020"), 0);
	CU_ASSERT_NOT_EQUAL(wsp2("sandbox", "stop"), 0);
	CU_ASSERT(victim_file_intact(file));
	CU_ASSERT(unlink(procs) == 0);
	CU_ASSERT_FATAL(rename(moved, procs) == 0);
	CU_ASSERT_EQUAL(wsp2("sandbox", "start"), 0);
}

/* A live entry (the test holds its lock) whose ctl is a link to a file. */
static void test_ctl_symlink(void)
{
	struct proc_status_file st = status_of(sleeper, sleeper);
	char file[500], ctl[600], in[600];
	struct forged f;

	snprintf(file, sizeof(file), "%s/precious-ctl", t.dir);
	write_victim_file(file);
	forge(&f, 30, &st, 1);
	path_in(ctl, sizeof(ctl), &f, PROC_FILE_CTL);
	path_in(in, sizeof(in), &f, PROC_FILE_STDIN);
	CU_ASSERT_FATAL(symlink(file, ctl) == 0 && symlink(file, in) == 0);

	CU_ASSERT_NOT_EQUAL(wsp2("kill", f.id), 0);
	CU_ASSERT(err_has("refusing its ctl FIFO: it is a symbolic link"));
	CU_ASSERT_NOT_EQUAL(wsp2("release", f.id), 0);
	CU_ASSERT(err_has("refusing its ctl FIFO"));
	CU_ASSERT_NOT_EQUAL(wsp3("send", f.id, "data\n"), 0);
	CU_ASSERT(err_has("refusing its stdin FIFO: it is a symbolic link"));
	CU_ASSERT_NOT_EQUAL(wsp3("send", "--close", f.id), 0);
	CU_ASSERT_EQUAL(wsp2("sandbox", "stop"), 0);
	CU_ASSERT_EQUAL(wsp2("sandbox", "start"), 0);
	CU_ASSERT(victim_file_intact(file));
	CU_ASSERT(sleeper_alive());
	unforge(&f);
}

/* ctl a regular file: nothing is written into it either. */
static void test_ctl_regular_file(void)
{
	struct proc_status_file st = status_of(sleeper, sleeper);
	char ctl[600];
	struct forged f;
	struct stat sb;

	forge(&f, 31, &st, 1);
	path_in(ctl, sizeof(ctl), &f, PROC_FILE_CTL);
	CU_ASSERT_FATAL(close(open(ctl, O_WRONLY | O_CREAT, 0600)) == 0);
	CU_ASSERT_NOT_EQUAL(wsp2("kill", f.id), 0);
	CU_ASSERT(err_has("refusing its ctl FIFO: it is not the kind of file"));
	CU_ASSERT_NOT_EQUAL(wsp2("release", f.id), 0);
	CU_ASSERT_EQUAL(wsp2("sandbox", "stop"), 0);
	CU_ASSERT_EQUAL(wsp2("sandbox", "start"), 0);
	CU_ASSERT(stat(ctl, &sb) == 0 && sb.st_size == 0);
	CU_ASSERT(sleeper_alive());
	unforge(&f);
}

/* Another user's entry, or another user's log in ours: as root only. */
static void test_other_owner(void)
{
	struct proc_status_file st = status_of(sleeper, sleeper);
	char log[600];
	struct forged f;

	if (!iso_root())
		return; /* only root can give a file away; see the root run */
	forge(&f, 40, &st, 0);
	CU_ASSERT_FATAL(chown(f.dir, 65534, 65534) == 0);
	CU_ASSERT_NOT_EQUAL(kill9(f.id), 0);
	CU_ASSERT(err_has("refusing its directory: it belongs to another user"));
	CU_ASSERT_FALSE(listed(f.id));
	CU_ASSERT_NOT_EQUAL(wsp2("release", f.id), 0);
	CU_ASSERT(access(f.dir, F_OK) == 0);
	CU_ASSERT_EQUAL(wsp2("sandbox", "stop"), 0);
	CU_ASSERT_EQUAL(wsp2("sandbox", "start"), 0);
	CU_ASSERT(sleeper_alive());

	CU_ASSERT_FATAL(chown(f.dir, 0, 0) == 0);
	path_in(log, sizeof(log), &f, PROC_FILE_LOG);
	CU_ASSERT_FATAL(chown(log, 65534, 65534) == 0);
	CU_ASSERT_NOT_EQUAL(kill9(f.id), 0);
	CU_ASSERT(err_has("refusing its log: it belongs to another user"));
	CU_ASSERT_EQUAL(wsp2("sandbox", "stop"), 0);
	CU_ASSERT_EQUAL(wsp2("sandbox", "start"), 0);
	CU_ASSERT(sleeper_alive());
	/* our directory with a stranger's file: release tidies it */
	CU_ASSERT_EQUAL(wsp2("release", f.id), 0);
	CU_ASSERT(access(f.dir, F_OK) != 0);
	unforge(&f);
}

/* A FIFO as the log: listing does not hang on it (ctest's timeout would
 * end a hang), and it is no process. */
static void test_log_fifo(void)
{
	char dir[500], log[600];

	snprintf(dir, sizeof(dir), "%s/p-5ec00050", procs);
	snprintf(log, sizeof(log), "%s/" PROC_FILE_LOG, dir);
	CU_ASSERT_FATAL(mkdir(dir, 0700) == 0 && mkfifo(log, 0600) == 0);
	CU_ASSERT_FALSE(listed("p-5ec00050"));
	CU_ASSERT_NOT_EQUAL(wsp2("kill", "p-5ec00050"), 0);
	CU_ASSERT(err_has("refusing its log: it is not the kind of file"));
	CU_ASSERT_EQUAL(wsp2("sandbox", "stop"), 0);
	CU_ASSERT_EQUAL(wsp2("sandbox", "start"), 0);
	CU_ASSERT_EQUAL(wsp2("release", "p-5ec00050"), 0);
	CU_ASSERT(access(dir, F_OK) != 0);
}

/* A status out of range is listed as lost, with no pid, and released. */
static void test_status_out_of_range(void)
{
	struct proc_status_file st = status_of(sleeper, sleeper);
	struct forged f;

	st.state = PROC_EXITED;
	st.exit_code = 4096;
	forge(&f, 60, &st, 0);
	CU_ASSERT_EQUAL(iso_wsp(&t, (const char *const[]){ "--json", "ps",
							  NULL }),
			0);
	CU_ASSERT_PTR_NOT_NULL(strstr(t.out, f.id));
	CU_ASSERT_PTR_NOT_NULL(strstr(t.out, "\"state\":\"lost\""));
	CU_ASSERT_PTR_NULL(strstr(t.out, "4096"));
	CU_ASSERT_NOT_EQUAL(kill9(f.id), 0);
	CU_ASSERT(err_has("its content is malformed"));
	CU_ASSERT_EQUAL(wsp2("release", f.id), 0);
	CU_ASSERT(sleeper_alive());
	unforge(&f);
}

/* ---- the real thing still works ----------------------------------------- */

static void test_real_process(void)
{
	char id[64], tok[32];

	snprintf(tok, sizeof(tok), "7200.%d", (int)getpid());
	CU_ASSERT_EQUAL_FATAL(
		iso_wsp(&t, (const char *const[]){ "spawn", "--no-stdin",
						   "--", "sleep", tok, NULL }),
		0);
	snprintf(id, sizeof(id), "%.*s", (int)strcspn(t.out, "\n"), t.out);
	CU_ASSERT_EQUAL(iso_wait_procs(tok, 1, SETTLE_MS), 1);
	CU_ASSERT_TRUE(listed(id));
	CU_ASSERT_EQUAL(wsp2("kill", id), 0);
	CU_ASSERT_EQUAL(iso_wait_procs(tok, 0, SETTLE_MS), 0);
	CU_ASSERT_EQUAL(wsp2("release", id), 0);
	CU_ASSERT_FALSE(listed(id));
	CU_ASSERT(sleeper_alive());
}

static CU_TestInfo tests[] = {
	{ "an entry naming another group: kill, stop, release spare it",
	  test_other_group },
	{ "an entry naming a group leader of no session: nothing is "
	  "signalled",
	  test_leader_of_no_session },
	{ "pgid 0 and 1, and init: nothing is signalled",
	  test_pgid_zero_and_one },
	{ "procs/<id> a symlink: release deletes nothing through it",
	  test_entry_symlink },
	{ "procs a symlink: refused, nothing deleted", test_procs_symlink },
	{ "ctl and stdin symlinks to a file: nothing written",
	  test_ctl_symlink },
	{ "ctl a regular file: nothing written", test_ctl_regular_file },
	{ "another user's entry or log (root): refused",
	  test_other_owner },
	{ "a FIFO as the log: nothing hangs", test_log_fifo },
	{ "a status out of range: lost, no pid", test_status_out_of_range },
	{ "spawn, ps, kill and release still work", test_real_process },
	CU_TEST_INFO_NULL,
};

CU_MAIN_SUITE("security: forged files in the state directory", suite_init,
	      suite_clean, tests)
