/*
 * tests/proclog/test_proc_log.c - a reader of a background process's log
 * (plugins/shared/proclog) against a writer caught inside a status change.
 *
 * A writer can be stopped by the scheduler between making the sequence
 * odd and making it even again: on a crowded machine for milliseconds.
 * A reader must wait that out while the writer lives (a status read as
 * "lost" there once failed a thousand-process run in CI), and must not
 * wait for a writer that died inside the change.
 */
#include "cu_main.h"
#include "proc_log.h"
#include "proc_view.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char dir[64];
static int dirfd_ = -1;

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* A fresh process directory holding a log whose writer is `w`. */
static void new_writer(struct proc_log *w)
{
	if (dirfd_ >= 0) {
		unlinkat(dirfd_, PROC_FILE_LOG, 0);
		close(dirfd_);
	}
	dirfd_ = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CU_ASSERT_FATAL(dirfd_ >= 0);
	CU_ASSERT_FATAL(proc_log_create(w, dirfd_, 4096, "sleep 600") == 0);
}

static struct proc_status_file running_status(void)
{
	struct proc_status_file st = {0};

	st.state = PROC_RUNNING;
	st.monitor_pid = getpid();
	st.pid = getpid();
	st.pgid = getpid();
	st.stdin_open = 1;
	st.started_ms = 1000;
	return st;
}

/* The writer's side of proc_log_set_status, stopped half way: seq odd. */
static void begin_change(struct proc_log *w)
{
	__atomic_add_fetch(&w->hdr->seq, 1, __ATOMIC_SEQ_CST);
}

struct finisher {
	struct proc_log *w;
	long after_ms;
};

/* Ends the change begun by begin_change() with a "killed" status. */
static void *finish_later(void *arg)
{
	struct finisher *f = arg;
	struct proc_status_file st = running_status();

	sleep_ms(f->after_ms);
	st.state = PROC_SIGNALED;
	st.term_signal = 9;
	st.stdin_open = 0;
	st.ended_ms = 2000;
	memcpy(&f->w->hdr->status, &st, sizeof(st));
	__atomic_add_fetch(&f->w->hdr->seq, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static void test_plain_read(void)
{
	struct proc_status_file st = running_status(), got;
	struct proc_log w, r;

	new_writer(&w);
	proc_log_set_status(&w, &st);
	CU_ASSERT_FATAL(proc_log_open(&r, dirfd_) == 0);
	CU_ASSERT(proc_log_get_status(&r, &got) == 0);
	CU_ASSERT(got.state == PROC_RUNNING);
	CU_ASSERT(got.pid == getpid());
	CU_ASSERT(proc_log_monitor_alive(&r));
	proc_log_close(&r);
	proc_log_close(&w);
}

/* 50 ms inside a change: far more than any spin, well inside the wait. */
static void test_waits_out_a_stopped_writer(void)
{
	struct proc_status_file st = running_status(), got;
	struct finisher f;
	struct proc_log w, r;
	struct proc_view v;
	pthread_t t;

	new_writer(&w);
	proc_log_set_status(&w, &st);
	f.w = &w;
	f.after_ms = 50;

	begin_change(&w);
	CU_ASSERT_FATAL(pthread_create(&t, NULL, finish_later, &f) == 0);
	CU_ASSERT_FATAL(proc_log_open(&r, dirfd_) == 0);
	CU_ASSERT(proc_log_get_status(&r, &got) == 0);
	CU_ASSERT(got.state == PROC_SIGNALED);
	CU_ASSERT(got.term_signal == 9);
	pthread_join(t, NULL);
	proc_log_close(&r);

	/* The same through a manager's view: killed, never "lost". */
	begin_change(&w);
	CU_ASSERT_FATAL(pthread_create(&t, NULL, finish_later, &f) == 0);
	proc_observe(&v, dirfd_);
	CU_ASSERT(v.state == WSP_PROC_SIGNALED);
	CU_ASSERT(v.alive);
	pthread_join(t, NULL);
	proc_log_close(&w);
}

/* A writer that died inside a change: answered at once, as lost. */
static void test_dead_writer_inside_a_change(void)
{
	struct proc_status_file st = running_status(), got;
	struct proc_log w, r;
	struct proc_view v;
	long long t0;

	new_writer(&w);
	proc_log_set_status(&w, &st);
	begin_change(&w);
	proc_log_close(&w); /* its lock goes with it */

	CU_ASSERT_FATAL(proc_log_open(&r, dirfd_) == 0);
	memset(&got, 0x5a, sizeof(got));
	t0 = now_ms();
	CU_ASSERT(proc_log_get_status(&r, &got) == -EAGAIN);
	CU_ASSERT(now_ms() - t0 < 1000);
	CU_ASSERT(got.state == PROC_STARTING);
	CU_ASSERT(got.pid == 0);
	CU_ASSERT(got.boot_id[0] == '\0');
	proc_log_close(&r);

	proc_observe(&v, dirfd_);
	CU_ASSERT(v.state == WSP_PROC_LOST);
	CU_ASSERT(!v.alive);
	CU_ASSERT(v.file.pid == 0);
}

static int suite_init(void)
{
	snprintf(dir, sizeof(dir), "%s/wsp-proclog-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	return mkdtemp(dir) ? 0 : -1;
}

static int suite_clean(void)
{
	if (dirfd_ >= 0) {
		unlinkat(dirfd_, PROC_FILE_LOG, 0);
		close(dirfd_);
	}
	return rmdir(dir);
}

static CU_TestInfo tests[] = {
	{"a consistent status is read", test_plain_read},
	{"a writer stopped inside a change is waited for",
	 test_waits_out_a_stopped_writer},
	{"a writer dead inside a change is not waited for",
	 test_dead_writer_inside_a_change},
	CU_TEST_INFO_NULL,
};

CU_MAIN_SUITE("proclog status", suite_init, suite_clean, tests)
