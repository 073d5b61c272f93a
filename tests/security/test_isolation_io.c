/*
 * tests/security/test_isolation_io.c - what a command under
 * `isolation: bwrap` gets from the one who runs it: no way to push input
 * into the caller's terminal (TIOCSTI), no descriptor beyond 0, 1 and 2,
 * a writable working directory whose new files belong to the caller,
 * read-only `read_only_paths`, and an environment that can neither weaken
 * the isolation (finding 9) nor leak into the command or its command line.
 * As root and as an unprivileged user.
 */
#include "cu_main.h"
#include "isolation_util.h"
#include "test_files.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define SECRET "s3cr3t-team-token-4471"

static struct iso t, host;
static char ro_dir[400];

static int suite_init(void)
{
	char options[1200], path[500];
	FILE *f;

	if (iso_setup(&host, "none", NULL))
		return 1;
	/* A read-only path outside the working directory, and one inside. */
	snprintf(ro_dir, sizeof(ro_dir), "%s/ro", host.dir);
	snprintf(path, sizeof(path), "%s/kept", ro_dir);
	if (mkdir(ro_dir, 0755) < 0 || !(f = fopen(path, "w")))
		return 1;
	fputs("kept\n", f);
	fclose(f);
	snprintf(options, sizeof(options),
		 "    read_only_paths: [%s, ./ws/inside-ro]\n"
		 "    env: { TEAM_TOKEN: %s }\n",
		 ro_dir, SECRET);
	if (iso_setup(&t, "bwrap", options))
		return 1;
	snprintf(path, sizeof(path), "%s/inside-ro", t.ws);
	if (mkdir(path, 0755) < 0)
		return 1;
	/* The configuration names the read-only paths relative to itself. */
	return 0;
}

static int suite_clean(void)
{
	iso_teardown(&t);
	iso_teardown(&host);
	return 0;
}

/*
 * Run the probe's tiocsti check through wsp whose controlling terminal is
 * a fresh pty (as when a person runs wsp in a terminal); into out. Returns
 * the number of bytes that arrived as input on that terminal.
 */
static int run_in_terminal(struct iso *w, char *out, size_t cap)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC), slave;
	struct termios raw;
	size_t len = 0;
	char buf[256];
	pid_t pid;
	int st, pidfd, injected = 0;

	out[0] = '\0';
	if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0)
		return -1;
	slave = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0 || tcgetattr(slave, &raw) < 0)
		return -1;
	cfmakeraw(&raw); /* any injected byte is readable at once */
	tcsetattr(slave, TCSANOW, &raw);
	pid = fork();
	if (pid == 0) {
		int tty;

		setsid();
		tty = open(ptsname(master), O_RDWR);
		if (tty < 0 || ioctl(tty, TIOCSCTTY, 0) < 0 ||
		    dup2(tty, 0) < 0 || dup2(tty, 1) < 0 || dup2(tty, 2) < 0 ||
		    chdir(w->ws) < 0)
			_exit(120);
		execl(WSP_CLI, WSP_CLI, "--config", w->config, "exec", "--",
		      "./probe", "tiocsti", (char *)NULL);
		_exit(121);
	}
	/* Everything wsp writes to the terminal, until it exits. */
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	fcntl(master, F_SETFL, O_NONBLOCK);
	for (;;) {
		struct pollfd p[2] = { { master, POLLIN, 0 },
				       { pidfd, POLLIN, 0 } };
		ssize_t n;

		if (poll(p, 2, 60000) <= 0)
			break;
		while ((n = read(master, buf, sizeof(buf))) > 0) {
			if (len + (size_t)n < cap) {
				memcpy(out + len, buf, (size_t)n);
				len += (size_t)n;
				out[len] = '\0';
			}
		}
		if (p[1].revents)
			break; /* wsp exited; its output was read above */
	}
	close(pidfd);
	waitpid(pid, &st, 0);
	/* Input the terminal received: what TIOCSTI would have pushed. */
	fcntl(slave, F_SETFL, O_NONBLOCK);
	while (read(slave, buf, sizeof(buf)) > 0)
		injected++;
	close(slave);
	close(master);
	return injected;
}

/* The probe's line "name=value" in text (CRs of the terminal dropped). */
static int has_line(const char *text, const char *line)
{
	const char *p = strstr(text, line);
	size_t n = strlen(line);

	return p && (p == text || p[-1] == '\n') &&
	       (p[n] == '\r' || p[n] == '\n');
}

static void test_terminal(void)
{
	char out[8192];

	/* Unisolated, TIOCSTI works on a terminal of one's own. */
	CU_ASSERT_EQUAL(run_in_terminal(&host, out, sizeof(out)), 0);
	CU_ASSERT(has_line(out, "tiocsti_own_pty=ok"));
	CU_ASSERT(has_line(out, "tiocsti_stdin=ENOTTY"));
	CU_ASSERT(has_line(out, "tiocsti_stdout=ENOTTY"));
	CU_ASSERT(has_line(out, "dev_tty=ENXIO"));

	CU_ASSERT_EQUAL(run_in_terminal(&t, out, sizeof(out)), 0);
	if (!has_line(out, "tiocsti_own_pty=EPERM"))
		fprintf(stderr, "\n%s\n", out);
	/* stdio are not the terminal (the filter refuses first), and no
	 * terminal controls the command */
	CU_ASSERT(has_line(out, "tiocsti_stdin=EPERM"));
	CU_ASSERT(has_line(out, "tiocsti_stdout=EPERM"));
	CU_ASSERT(has_line(out, "tiocsti_stderr=EPERM"));
	CU_ASSERT(has_line(out, "dev_tty=ENXIO"));
	/* and the request itself is refused, even on its own terminal */
	CU_ASSERT(has_line(out, "tiocsti_own_pty=EPERM"));
}

static void test_descriptors(void)
{
	int file = open(t.config, O_RDONLY), sock = socket(AF_UNIX,
							    SOCK_STREAM, 0);
	int high = fcntl(file, F_DUPFD, 20);

	/* Left open (no close-on-exec) for wsp to inherit on purpose. */
	CU_ASSERT_FATAL(file >= 3 && sock >= 3 && high >= 20);
	CU_ASSERT_EQUAL(iso_probe(&t, "fds", NULL, NULL), 0);
	CU_ASSERT_STRING_EQUAL(iso_get(&t, "fds"), "0 1 2 ");
	CU_ASSERT_EQUAL(iso_probe(&host, "fds", NULL, NULL), 0);
	CU_ASSERT_STRING_EQUAL(iso_get(&host, "fds"), "0 1 2 ");
	close(file);
	close(sock);
	close(high);
}

static void test_working_directory(void)
{
	char path[500];
	struct stat st;

	CU_ASSERT_EQUAL(iso_probe(&t, "write", "made", NULL), 0);
	CU_ASSERT_STRING_EQUAL(iso_get(&t, "write"), "ok");
	snprintf(path, sizeof(path), "%s/made", t.ws);
	CU_ASSERT_EQUAL_FATAL(stat(path, &st), 0);
	/* Written by the command, owned by whoever ran wsp. */
	CU_ASSERT_EQUAL(st.st_uid, geteuid());
	CU_ASSERT_EQUAL(st.st_gid, getegid());
	/* a subdirectory too, through the shell */
	CU_ASSERT_EQUAL(iso_wsp(&t, (const char *const[]){
				"sh", "mkdir -p sub && echo x > sub/f", NULL }),
			0);
	snprintf(path, sizeof(path), "%s/sub/f", t.ws);
	CU_ASSERT_EQUAL_FATAL(stat(path, &st), 0);
	CU_ASSERT_EQUAL(st.st_uid, geteuid());
}

static void test_read_only_paths(void)
{
	char path[500];

	snprintf(path, sizeof(path), "%s/new", ro_dir);
	CU_ASSERT_EQUAL(iso_probe(&t, "write", path, NULL), 0);
	CU_ASSERT_STRING_EQUAL(iso_get(&t, "write"), "EROFS");
	snprintf(path, sizeof(path), "%s/kept", ro_dir);
	CU_ASSERT_EQUAL(iso_probe(&t, "write", path, NULL), 0);
	CU_ASSERT_STRING_EQUAL(iso_get(&t, "write"), "EROFS");
	CU_ASSERT_EQUAL(iso_probe(&t, "write", "inside-ro/new", NULL), 0);
	CU_ASSERT_STRING_EQUAL(iso_get(&t, "write"), "EROFS");
	/* readable all the same */
	snprintf(path, sizeof(path), "cat %s/kept", ro_dir);
	CU_ASSERT_EQUAL(iso_wsp(&t, (const char *const[]){ "sh", path,
							   NULL }),
			0);
	CU_ASSERT_STRING_EQUAL(t.out, "kept\n");
}

/* Finding 9: the environment never turns isolation off. */
static void test_environment_cannot_weaken(void)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd),
		 "test -e %s && echo visible || echo hidden", t.config);
	setenv("WSP_LOCAL_ISOLATION", "none", 1);
	CU_ASSERT_EQUAL(iso_wsp(&t, (const char *const[]){ "sh", cmd, NULL }),
			0);
	CU_ASSERT_STRING_EQUAL(t.out, "hidden\n");
	unsetenv("WSP_LOCAL_ISOLATION");
	/* the operator's own choice on the command line does change it */
	CU_ASSERT_EQUAL(iso_wsp(&t, (const char *const[]){
				"sh", "--isolation", "none", cmd, NULL }),
			0);
	CU_ASSERT_STRING_EQUAL(t.out, "visible\n");
}

/* Only PATH, HOME and configured variables; values never in argv. */
static void test_environment_contents(void)
{
	char id[64], token[32];
	const char *const spawn[] = { "spawn", "--no-stdin", "--", "sleep",
				      token, NULL };

	/* A sleep of an hour no other process on this host is running. */
	snprintf(token, sizeof(token), "3600.%d", (int)getpid());
	setenv("WSP_ISO_HOST_SECRET", SECRET "-host", 1);
	CU_ASSERT_EQUAL(iso_wsp(&t, (const char *const[]){ "exec", "--",
							   "env", NULL }),
			0);
	unsetenv("WSP_ISO_HOST_SECRET");
	CU_ASSERT_PTR_NULL(strstr(t.out, "WSP_ISO_HOST_SECRET"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t.out, "TEAM_TOKEN=" SECRET "\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t.out, "PATH="));
	/* While a command runs, no host command line carries the value. */
	CU_ASSERT_EQUAL_FATAL(iso_wsp(&t, spawn), 0);
	snprintf(id, sizeof(id), "%.*s", (int)strcspn(t.out, "\n"), t.out);
	CU_ASSERT(iso_wait_procs(token, 1, 10000) >= 1);
	CU_ASSERT_EQUAL(iso_count_procs(SECRET), 0);
	CU_ASSERT_EQUAL(iso_count_procs("TEAM_TOKEN=" SECRET), 0);
	CU_ASSERT_EQUAL(iso_wsp(&t, (const char *const[]){ "release", id,
							   NULL }),
			0);
}

static CU_TestInfo tests[] = {
	{ "no keystrokes into a terminal (TIOCSTI)", test_terminal },
	{ "only descriptors 0, 1 and 2 reach the command", test_descriptors },
	{ "the working directory is writable, files are the caller's",
	  test_working_directory },
	{ "read_only_paths stay read-only", test_read_only_paths },
	{ "the environment cannot weaken the isolation",
	  test_environment_cannot_weaken },
	{ "the environment: configured variables only, never in argv",
	  test_environment_contents },
	CU_TEST_INFO_NULL,
};

CU_MAIN_SUITE("security: terminal, descriptors, files, environment",
	      suite_init, suite_clean, tests)
