/*
 * tests/security/test_state_parsers.c - the readers of a background
 * process's files, on made-up input (no process runs): which statuses
 * proc_status_check() lets through, the spec's numbers (digits only, the
 * log limit bounded), and which files proc_openat() and proc_log_open()
 * refuse. tests/fuzz/fuzz_proclog.c runs the same readers on arbitrary
 * bytes.
 */
#include "cu_main.h"
#include "proc_files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static struct proc_status_file running(void)
{
	struct proc_status_file st;

	memset(&st, 0, sizeof(st));
	st.state = PROC_RUNNING;
	st.stdin_open = 1;
	st.monitor_pid = 4242;
	st.pid = st.pgid = 31337;
	st.start_ticks = 123456;
	snprintf(st.boot_id, sizeof(st.boot_id),
		 "3f0c1d2e-4b5a-4c6d-8e7f-9a0b1c2d3e4f");
	st.started_ms = 1764921600000;
	return st;
}

static void test_status_ranges(void)
{
	struct proc_status_file st = running();

	CU_ASSERT_EQUAL(proc_status_check(&st), 0);
	st.state = PROC_SIGNALED;
	st.term_signal = 9;
	st.exit_code = 137;
	CU_ASSERT_EQUAL(proc_status_check(&st), 0);
#define BAD(field, value)                                          \
	do {                                                       \
		st = running();                                    \
		st.field = value;                                  \
		CU_ASSERT_EQUAL(proc_status_check(&st), -EPROTO);  \
	} while (0)
	BAD(state, PROC_GONE + 1);
	BAD(gaps, -1);
	BAD(state, -1);
	BAD(pid, 0);
	BAD(pid, 1);
	BAD(pid, -31337);
	BAD(pid, (int64_t)PROC_PID_MAX + 1);
	BAD(pgid, 0);
	BAD(pgid, 1);
	BAD(pgid, 31338); /* another group than the command's own */
	BAD(monitor_pid, 1);
	BAD(exit_code, 256);
	BAD(exit_code, -1);
	BAD(term_signal, 65);
	BAD(timed_out, 2);
	BAD(stdin_open, -1);
	BAD(started_ms, -5);
	BAD(boot_id[3], 'G');
	BAD(boot_id[36], 'a');
#undef BAD
	/* A monitor still starting has written nothing else yet. */
	st = running();
	st.state = PROC_STARTING;
	st.pid = st.pgid = 0;
	CU_ASSERT_EQUAL(proc_status_check(&st), 0);
}

static int parse(const char *text, size_t len, struct proc_spec *spec)
{
	int fd = memfd_create("spec", MFD_CLOEXEC), rc;

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(write(fd, text, len) == (ssize_t)len);
	lseek(fd, 0, SEEK_SET);
	rc = proc_spec_read_fd(spec, fd);
	close(fd);
	return rc;
}

#define HEAD "wsp-proc-spec=1\0argv=true\0cwd=/\0"

static void test_spec_numbers(void)
{
	static const char ok[] = HEAD "limit_as=1048576\0timeout_ms=-1\0";
	static const char *const bad[] = {
		HEAD "limit_as=-1\0",	   /* would wrap to 2^64-1 */
		HEAD "limit_as= 5\0",	   HEAD "limit_cpu=+5\0",
		HEAD "limit_nproc=0x10\0", HEAD "log_limit=1099511627776\0",
		HEAD "grace_ms=--1\0",	   HEAD "timeout_ms=\0",
	};
	static const size_t bad_len[] = {
		sizeof(HEAD "limit_as=-1\0") - 1,
		sizeof(HEAD "limit_as= 5\0") - 1,
		sizeof(HEAD "limit_cpu=+5\0") - 1,
		sizeof(HEAD "limit_nproc=0x10\0") - 1,
		sizeof(HEAD "log_limit=1099511627776\0") - 1,
		sizeof(HEAD "grace_ms=--1\0") - 1,
		sizeof(HEAD "timeout_ms=\0") - 1,
	};
	struct proc_spec spec;
	size_t i;

	CU_ASSERT_EQUAL_FATAL(parse(ok, sizeof(ok) - 1, &spec), 0);
	CU_ASSERT_EQUAL(spec.limit_as, 1048576);
	CU_ASSERT_EQUAL(spec.timeout_ms, -1);
	proc_spec_release(&spec);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = parse(bad[i], bad_len[i], &spec);

		if (rc == 0)
			fprintf(stderr, "\naccepted spec %zu\n", i);
		CU_ASSERT_NOT_EQUAL(rc, 0);
	}
}

static char dir[] = "/tmp/wsp-state-parsers-XXXXXX";

static void test_openat_refusals(void)
{
	char path[200];
	int at, fd;

	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	at = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CU_ASSERT_FATAL(at >= 0);
	snprintf(path, sizeof(path), "%s/file", dir);
	CU_ASSERT_FATAL(close(open(path, O_WRONLY | O_CREAT, 0600)) == 0);
	CU_ASSERT_FATAL(mkfifoat(at, "fifo", 0600) == 0);
	CU_ASSERT_FATAL(symlinkat("file", at, "link") == 0);
	CU_ASSERT_FATAL(mkdirat(at, "sub", 0700) == 0);

	fd = proc_openat(at, "file", O_RDONLY, S_IFREG);
	CU_ASSERT(fd >= 0);
	if (fd >= 0)
		close(fd);
	CU_ASSERT_EQUAL(proc_openat(at, "link", O_RDONLY, S_IFREG), -ELOOP);
	CU_ASSERT_EQUAL(proc_openat(at, "fifo", O_RDONLY | O_NONBLOCK,
				    S_IFREG),
			-EMEDIUMTYPE);
	CU_ASSERT_EQUAL(proc_openat(at, "file", O_WRONLY | O_NONBLOCK,
				    S_IFIFO),
			-EMEDIUMTYPE);
	CU_ASSERT_EQUAL(proc_openat(at, "sub", O_RDONLY, S_IFREG),
			-EMEDIUMTYPE);
	CU_ASSERT_EQUAL(proc_openat(at, "none", O_RDONLY, S_IFREG), -ENOENT);
	/* a FIFO nobody reads: ENXIO at once, never a hang */
	CU_ASSERT_EQUAL(proc_openat(at, "fifo", O_WRONLY | O_NONBLOCK,
				    S_IFIFO),
			-ENXIO);
	if (geteuid() == 0) {
		CU_ASSERT_FATAL(chown(path, 65534, 65534) == 0);
		CU_ASSERT_EQUAL(proc_openat(at, "file", O_RDONLY, S_IFREG),
				-EPERM);
	}
	/* the log reader goes through the same door */
	CU_ASSERT_FATAL(renameat(at, "fifo", at, PROC_FILE_LOG) == 0);
	{
		struct proc_log l;

		CU_ASSERT_EQUAL(proc_log_open(&l, at), -EMEDIUMTYPE);
		CU_ASSERT_FATAL(unlinkat(at, PROC_FILE_LOG, 0) == 0);
		CU_ASSERT_FATAL(symlinkat("file", at, PROC_FILE_LOG) == 0);
		CU_ASSERT_EQUAL(proc_log_open(&l, at), -ELOOP);
	}
	close(at);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	CU_ASSERT(system(path) == 0);
}

static CU_TestInfo tests[] = {
	{ "status fields out of range are refused", test_status_ranges },
	{ "spec numbers: digits only, log limit bounded", test_spec_numbers },
	{ "links, other types and other owners are refused",
	  test_openat_refusals },
	CU_TEST_INFO_NULL,
};

CU_MAIN("security: readers of the process files", tests)
