/*
 * tests/sandbox-local-procs/test_procs.c - background processes of
 * wsp-sandbox-local.so, driven through its process-manager vtable with a
 * fake host: spawn, list, status, output (tail lines/bytes, offsets,
 * waiting), stdin, signals to the whole group, timeouts, release, lost
 * monitors, and another process driving what this one started.
 */
#include "procs_util.h"
#include "../sandbox-local/local_box.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const opts_none[] = {"isolation=none", "kill_grace=500ms",
					NULL};

static struct fake_sandbox fs;
static const wsp_procmgr_vtable *pm;

static void open_sandbox(const char *const *opts)
{
	wsp_error err = {0};
	int rc = fake_open(&fs, opts, &err);

	if (rc)
		fprintf(stderr, "init: %s\n", err.message);
	CU_ASSERT_FATAL(rc == 0);
	CU_ASSERT_FATAL(fs.desc->procmgr != NULL);
	CU_ASSERT_FATAL(fs.desc->caps & WSP_CAP_PROC_DETACHED);
	pm = fs.desc->procmgr;
}

static void spawn_ok(char id[WSP_PROC_ID_MAX], const char *sh,
		     uint32_t stdin_mode)
{
	wsp_error err = {0};
	int rc = spawn_sh(fs.desc, fs.self, id, sh, stdin_mode, &err);

	if (rc)
		fprintf(stderr, "spawn '%s': %s\n", sh, err.message);
	CU_ASSERT_FATAL(rc == 0);
}

static void release_ok(const char *id)
{
	wsp_error err = {0};
	int rc = pm->release(fs.self, &fake_call, id, 0, &err);

	if (rc)
		fprintf(stderr, "release %s: %s\n", id, err.message);
	CU_ASSERT(rc == 0);
}

static int wait_for(const char *id, int64_t ms, wsp_proc_status *st)
{
	wsp_error err;

	memset(st, 0, sizeof(*st));
	st->struct_size = sizeof(*st);
	return pm->wait(st, fs.self, &fake_call, id, ms, 0, &err);
}

/* ---- list callback ------------------------------------------------------ */

struct seen {
	const char *want_id;
	int found, count;
	char command[256];
	uint32_t state;
};

static int on_proc(const char *id, const char *command,
		   const wsp_proc_status *st, void *payload)
{
	struct seen *s = payload;

	s->count++;
	if (s->want_id && !strcmp(id, s->want_id)) {
		s->found = 1;
		snprintf(s->command, sizeof(s->command), "%s", command);
		s->state = st->state;
	}
	return 0;
}

/* True once the stdout of id equals want (within 20 s). */
static int output_is(const char *id, const char *want)
{
	wsp_proc_status st = {.struct_size = sizeof(st)};
	struct collected c;
	int i, ok = 0;

	for (i = 0; i < 2000 && !ok; i++) {
		read_all(fs.desc, fs.self, id, 0, &c, &st);
		ok = c.data[WSP_STDOUT] && !strcmp(c.data[WSP_STDOUT], want);
		collected_free(&c);
		if (!ok)
			usleep(10000);
	}
	return ok;
}

/* ---- tests -------------------------------------------------------------- */

static void test_spawn_list_status_output(void)
{
	char id[WSP_PROC_ID_MAX];
	struct collected c;
	wsp_proc_status st = {.struct_size = sizeof(st)};
	struct seen s = {0};
	wsp_error err;
	size_t i;

	open_sandbox(opts_none);
	spawn_ok(id, "echo hello; echo oops >&2; exit 3", WSP_STDIN_PIPE);
	/* Ids are short and printable, no path characters. */
	CU_ASSERT(strlen(id) == 10 && !strncmp(id, "p-", 2));
	for (i = 0; id[i]; i++)
		CU_ASSERT(id[i] != '/' && id[i] != '.' && id[i] > ' ');
	CU_ASSERT(wait_for(id, 10000, &st) == 0);
	CU_ASSERT(st.state == WSP_PROC_EXITED);
	CU_ASSERT(st.exit_code == 3);
	CU_ASSERT(st.os_pid > 0);
	CU_ASSERT(st.started_ms > 0 && st.ended_ms >= st.started_ms);
	CU_ASSERT(st.stdout_total == 6 && st.stderr_total == 5);
	CU_ASSERT(st.stdin_open == 0);

	s.want_id = id;
	CU_ASSERT(pm->list(fs.self, &fake_call, 0, on_proc, &s, &err) == 0);
	CU_ASSERT(s.found && s.count == 1);
	CU_ASSERT_STRING_EQUAL(s.command, "echo hello; echo oops >&2; exit 3");
	CU_ASSERT(s.state == WSP_PROC_EXITED);

	/* Readable after exit, and again: reading does not forget it. */
	for (i = 0; i < 2; i++) {
		CU_ASSERT(read_all(fs.desc, fs.self, id, 0, &c, &st) == 0);
		CU_ASSERT(!c.bad_stream);
		CU_ASSERT_STRING_EQUAL(c.data[WSP_STDOUT], "hello\n");
		CU_ASSERT_STRING_EQUAL(c.data[WSP_STDERR], "oops\n");
		CU_ASSERT(st.state == WSP_PROC_EXITED);
		collected_free(&c);
	}
	release_ok(id);
	CU_ASSERT(pm->status(&st, fs.self, &fake_call, id, 0, &err) ==
		  WSP_ENOTFOUND);
	s.found = s.count = 0;
	CU_ASSERT(pm->list(fs.self, &fake_call, 0, on_proc, &s, &err) == 0);
	CU_ASSERT(s.count == 0);
	fake_close(&fs);
}

static void test_argv_and_signaled(void)
{
	const char *const argv[] = {"sh", "-c", "kill -TERM $$", NULL};
	wsp_spawn_opts o = WSP_SPAWN_OPTS_INIT;
	char id[WSP_PROC_ID_MAX], bad[WSP_PROC_ID_MAX];
	wsp_proc_status st = {.struct_size = sizeof(st)};
	struct seen s = {0};
	wsp_error err;

	open_sandbox(opts_none);
	o.argv = argv;
	CU_ASSERT_FATAL(pm->spawn(id, fs.self, &fake_call, &o, &err) == 0);
	CU_ASSERT(wait_for(id, 10000, &st) == 0);
	CU_ASSERT(st.state == WSP_PROC_SIGNALED);
	CU_ASSERT(st.term_signal == SIGTERM);
	s.want_id = id;
	pm->list(fs.self, &fake_call, 0, on_proc, &s, &err);
	CU_ASSERT_STRING_EQUAL(s.command, "sh -c 'kill -TERM $$'");
	release_ok(id);

	/* A command that cannot run fails the spawn and leaves nothing. */
	{
		const char *const missing[] = {"/nonexistent/tool", NULL};

		o.argv = missing;
		CU_ASSERT(pm->spawn(bad, fs.self, &fake_call, &o, &err) < 0);
		CU_ASSERT(strstr(err.message, "/nonexistent/tool") != NULL);
		s.count = 0;
		pm->list(fs.self, &fake_call, 0, on_proc, &s, &err);
		CU_ASSERT(s.count == 0);
	}
	/* Ids that are not ids, or name paths, are simply not found. */
	CU_ASSERT(pm->status(&st, fs.self, &fake_call, "p-00000000", 0, &err) ==
		  WSP_ENOTFOUND);
	CU_ASSERT(pm->status(&st, fs.self, &fake_call, "../../etc", 0, &err) ==
		  WSP_ENOTFOUND);
	CU_ASSERT(pm->release(fs.self, &fake_call, "p-0000/../x", 0, &err) ==
		  WSP_ENOTFOUND);
	fake_close(&fs);
}

static void test_tail_and_offset(void)
{
	char id[WSP_PROC_ID_MAX], expect[1024];
	wsp_output_opts o = WSP_OUTPUT_OPTS_INIT;
	struct collected c = {0};
	wsp_proc_status st = {.struct_size = sizeof(st)};
	wsp_error err;
	size_t len = 0;
	int i;

	open_sandbox(opts_none);
	spawn_ok(id, "seq 1 100; printf 'e1\\ne2\\ne3' >&2", WSP_STDIN_IGNORE);
	CU_ASSERT(wait_for(id, 10000, &st) == 0);
	for (i = 1; i <= 100; i++)
		len += (size_t)sprintf(expect + len, "%d\n", i);
	CU_ASSERT(st.stdout_total == len);

	o.streams = WSP_STDOUT | WSP_STDERR; /* as the core fills it in */
	o.tail_lines = 3;
	CU_ASSERT(pm->read_output(&st, fs.self, &fake_call, id, &o,
				  collect_sink, &c, &err) == 0);
	CU_ASSERT_STRING_EQUAL(c.data[WSP_STDOUT], "98\n99\n100\n");
	/* No final newline: the unfinished line counts as one. */
	CU_ASSERT_STRING_EQUAL(c.data[WSP_STDERR], "e1\ne2\ne3");
	collected_free(&c);

	o.tail_lines = 0;
	o.tail_bytes = 5;
	o.streams = WSP_STDOUT;
	CU_ASSERT(pm->read_output(&st, fs.self, &fake_call, id, &o,
				  collect_sink, &c, &err) == 0);
	CU_ASSERT_STRING_EQUAL(c.data[WSP_STDOUT], "\n100\n");
	CU_ASSERT(c.data[WSP_STDERR] == NULL);
	collected_free(&c);

	o.tail_bytes = 0;
	o.offset = 250;
	CU_ASSERT(pm->read_output(&st, fs.self, &fake_call, id, &o,
				  collect_sink, &c, &err) == 0);
	CU_ASSERT(c.len[WSP_STDOUT] == len - 250);
	CU_ASSERT(!memcmp(c.data[WSP_STDOUT], expect + 250, len - 250));
	collected_free(&c);

	/* An offset at the end reads nothing. */
	o.offset = len;
	CU_ASSERT(pm->read_output(&st, fs.self, &fake_call, id, &o,
				  collect_sink, &c, &err) == 0);
	CU_ASSERT(c.len[WSP_STDOUT] == 0);
	collected_free(&c);

	o.offset = 0;
	o.streams = WSP_STDERR;
	o.tail_lines = 2;
	CU_ASSERT(pm->read_output(&st, fs.self, &fake_call, id, &o,
				  collect_sink, &c, &err) == 0);
	CU_ASSERT_STRING_EQUAL(c.data[WSP_STDERR], "e2\ne3");
	collected_free(&c);
	release_ok(id);
	fake_close(&fs);
}

/* Follow a live process by offsets; it prints while we read. */
static void test_follow_and_wait(void)
{
	char id[WSP_PROC_ID_MAX];
	wsp_output_opts o = WSP_OUTPUT_OPTS_INIT;
	struct collected c = {0};
	wsp_proc_status st = {.struct_size = sizeof(st)};
	wsp_error err;
	long long t0;
	int rounds = 0;

	open_sandbox(opts_none);
	spawn_ok(id, "for i in 1 2 3 4 5; do echo line$i; sleep 0.1; done",
		 WSP_STDIN_IGNORE);
	o.streams = WSP_STDOUT;
	do {
		o.offset = c.len[WSP_STDOUT];
		o.wait_ms = 50;
		CU_ASSERT_FATAL(pm->read_output(&st, fs.self, &fake_call, id,
						&o, collect_sink, &c,
						&err) == 0);
		rounds++;
	} while (st.state == WSP_PROC_RUNNING && rounds < 400);
	/* One last read after exit: nothing may be missed. */
	o.offset = c.len[WSP_STDOUT];
	CU_ASSERT(pm->read_output(&st, fs.self, &fake_call, id, &o,
				  collect_sink, &c, &err) == 0);
	CU_ASSERT(rounds > 2);
	CU_ASSERT_STRING_EQUAL(c.data[WSP_STDOUT],
			       "line1\nline2\nline3\nline4\nline5\n");
	collected_free(&c);
	release_ok(id);

	/* wait: times out on a running process, which keeps running. */
	spawn_ok(id, "sleep 30", WSP_STDIN_IGNORE);
	t0 = test_now_ms();
	CU_ASSERT(wait_for(id, 200, &st) == WSP_ETIMEDOUT);
	CU_ASSERT(test_now_ms() - t0 >= 190);
	CU_ASSERT(st.state == WSP_PROC_RUNNING);
	/* read_output's wait running out still reads. */
	o.offset = 0;
	o.wait_ms = 100;
	CU_ASSERT(pm->read_output(&st, fs.self, &fake_call, id, &o,
				  collect_sink, &c, &err) == 0);
	CU_ASSERT(st.state == WSP_PROC_RUNNING);
	collected_free(&c);
	/* A canceled wait returns at once. */
	{
		wsp_call *call = fake_call_new(&fs);

		wsp_fakehost_call_cancel(call);
		t0 = test_now_ms();
		CU_ASSERT(pm->wait(&st, fs.self, call, id, -1, 0, &err) ==
			  WSP_ECANCELED);
		/* not at the end of the 30 s sleep */
		CU_ASSERT(test_now_ms() - t0 < 15000);
	}
	release_ok(id);
	fake_close(&fs);
}

static void test_stdin_round_trip(void)
{
	char id[WSP_PROC_ID_MAX], *big;
	struct collected c;
	wsp_proc_status st = {.struct_size = sizeof(st)};
	wsp_error err;
	size_t big_len = 1u << 20, i;

	open_sandbox(opts_none);
	spawn_ok(id, "cat", WSP_STDIN_PIPE);
	CU_ASSERT(pm->status(&st, fs.self, &fake_call, id, 0, &err) == 0);
	CU_ASSERT(st.stdin_open == 1);
	CU_ASSERT(pm->write_stdin(fs.self, &fake_call, id, "hello ", 6, 0,
				  &err) == 0);
	CU_ASSERT(pm->write_stdin(fs.self, &fake_call, id, "world\n", 6, 0,
				  &err) == 0);
	/* More than any pipe buffer: flows as cat reads. */
	big = malloc(big_len);
	CU_ASSERT_FATAL(big != NULL);
	for (i = 0; i < big_len; i++)
		big[i] = (char)('a' + i % 26);
	CU_ASSERT(pm->write_stdin(fs.self, &fake_call, id, big, big_len, 0,
				  &err) == 0);
	CU_ASSERT(pm->close_stdin(fs.self, &fake_call, id, 0, &err) == 0);
	CU_ASSERT(wait_for(id, 10000, &st) == 0);
	CU_ASSERT(st.state == WSP_PROC_EXITED && st.exit_code == 0);
	CU_ASSERT(st.stdin_open == 0);
	CU_ASSERT(read_all(fs.desc, fs.self, id, 0, &c, &st) == 0);
	CU_ASSERT(c.len[WSP_STDOUT] == 12 + big_len);
	CU_ASSERT(c.len[WSP_STDOUT] == 12 + big_len &&
		  !memcmp(c.data[WSP_STDOUT], "hello world\n", 12) &&
		  !memcmp(c.data[WSP_STDOUT] + 12, big, big_len));
	collected_free(&c);
	/* Writing after exit is refused plainly. */
	CU_ASSERT(pm->write_stdin(fs.self, &fake_call, id, "x", 1, 0, &err) ==
		  WSP_EINVAL);
	release_ok(id);
	free(big);
	fake_close(&fs);
}

static void test_stdin_ignore_eof(void)
{
	char id[WSP_PROC_ID_MAX];
	wsp_proc_status st = {.struct_size = sizeof(st)};
	struct collected c;
	wsp_error err;
	long long t0 = test_now_ms();

	open_sandbox(opts_none);
	/* cat and read get end of file at once: nothing hangs. */
	spawn_ok(id, "cat; read x; echo eof:$?", WSP_STDIN_IGNORE);
	CU_ASSERT(wait_for(id, 30000, &st) == 0);
	CU_ASSERT(test_now_ms() - t0 < 15000);
	CU_ASSERT(st.state == WSP_PROC_EXITED && st.exit_code == 0);
	CU_ASSERT(st.stdin_open == 0);
	CU_ASSERT(read_all(fs.desc, fs.self, id, 0, &c, &st) == 0);
	CU_ASSERT_STRING_EQUAL(c.data[WSP_STDOUT], "eof:1\n");
	collected_free(&c);
	CU_ASSERT(pm->write_stdin(fs.self, &fake_call, id, "x", 1, 0, &err) ==
		  WSP_EINVAL);
	release_ok(id);
	fake_close(&fs);
}

/* Pids printed by the command, once it printed n lines. */
static int read_pids(const char *id, pid_t *pids, int n)
{
	struct collected c;
	wsp_proc_status st = {.struct_size = sizeof(st)};
	int tries, got = 0;

	for (tries = 0; tries < 2000 && got < n; tries++) {
		char *p;

		read_all(fs.desc, fs.self, id, 0, &c, &st);
		got = 0;
		for (p = c.data[WSP_STDOUT]; p && *p && got < n; got++) {
			pids[got] = (pid_t)strtol(p, &p, 10);
			if (*p == '\n')
				p++;
		}
		collected_free(&c);
		if (got < n)
			usleep(10000);
	}
	return got;
}

static void test_signal_whole_group(void)
{
	char id[WSP_PROC_ID_MAX];
	wsp_proc_status st = {.struct_size = sizeof(st)};
	wsp_error err;
	pid_t pids[3];

	open_sandbox(opts_none);
	/* Grandchildren that ignore SIGTERM, and a shell waiting on them. */
	spawn_ok(id,
		 "trap '' TERM; (trap '' TERM; sleep 60) & echo $!; "
		 "sleep 60 & echo $!; echo $$; wait",
		 WSP_STDIN_IGNORE);
	CU_ASSERT_FATAL(read_pids(id, pids, 3) == 3);
	CU_ASSERT(pm->signal(fs.self, &fake_call, id, SIGTERM, 0, &err) == 0);
	CU_ASSERT(wait_for(id, 300, &st) == WSP_ETIMEDOUT);
	CU_ASSERT(!pid_gone_within(pids[0], 0));
	CU_ASSERT(pm->signal(fs.self, &fake_call, id, SIGKILL, 0, &err) == 0);
	CU_ASSERT(wait_for(id, 10000, &st) == 0);
	CU_ASSERT(st.state == WSP_PROC_SIGNALED);
	CU_ASSERT(st.term_signal == SIGKILL);
	CU_ASSERT(pid_gone_within(pids[0], 10000));
	CU_ASSERT(pid_gone_within(pids[1], 10000));
	CU_ASSERT(pid_gone_within(pids[2], 10000));
	CU_ASSERT(pm->signal(fs.self, &fake_call, id, 0, 0, &err) ==
		  WSP_EINVAL);
	/* Signalling an exited process is harmless. */
	CU_ASSERT(pm->signal(fs.self, &fake_call, id, SIGTERM, 0, &err) == 0);
	release_ok(id);
	fake_close(&fs);
}

static void test_timeout_and_release(void)
{
	wsp_spawn_opts o = WSP_SPAWN_OPTS_INIT;
	char id[WSP_PROC_ID_MAX], path[600];
	wsp_proc_status st = {.struct_size = sizeof(st)};
	wsp_error err;
	pid_t pid;

	open_sandbox(opts_none);
	o.shell = "trap '' TERM; sleep 30";
	o.timeout_ms = 200;
	CU_ASSERT_FATAL(pm->spawn(id, fs.self, &fake_call, &o, &err) == 0);
	CU_ASSERT(wait_for(id, 10000, &st) == 0);
	CU_ASSERT(st.timed_out == 1);
	CU_ASSERT(st.exit_code == 124);
	/* SIGTERM ignored: SIGKILL after the 500 ms grace. */
	CU_ASSERT(st.ended_ms - st.started_ms >= 600);
	CU_ASSERT(st.ended_ms - st.started_ms < 15000); /* not the sleep */
	release_ok(id);

	/* Release kills a running process and removes its state. */
	spawn_ok(id, "sleep 60", WSP_STDIN_PIPE);
	CU_ASSERT(pm->status(&st, fs.self, &fake_call, id, 0, &err) == 0);
	pid = (pid_t)st.os_pid;
	CU_ASSERT(st.state == WSP_PROC_RUNNING);
	release_ok(id);
	CU_ASSERT(pid_gone_within(pid, 10000));
	CU_ASSERT(pm->status(&st, fs.self, &fake_call, id, 0, &err) ==
		  WSP_ENOTFOUND);
	snprintf(path, sizeof(path), "%s/procs/%s", fs.statedir, id);
	CU_ASSERT(access(path, F_OK) < 0 && errno == ENOENT);
	CU_ASSERT(pm->release(fs.self, &fake_call, id, 0, &err) ==
		  WSP_ENOTFOUND);
	fake_close(&fs);
}

/* 20 MiB through an 8 MiB ring: the last 8 MiB kept, 12 MiB dropped. */
static void test_log_bound(void)
{
	const size_t lines = 2097152, line = 10, total = lines * line;
	const size_t keep = 8u << 20;
	char id[WSP_PROC_ID_MAX], *expect;
	struct collected c;
	wsp_proc_status st = {.struct_size = sizeof(st)};
	size_t i;

	open_sandbox(opts_none);
	spawn_ok(id,
		 "awk 'BEGIN { for (i = 0; i < 2097152; i++) "
		 "printf \"%09d\\n\", i }'",
		 WSP_STDIN_IGNORE);
	CU_ASSERT(wait_for(id, 60000, &st) == 0);
	CU_ASSERT(st.exit_code == 0);
	CU_ASSERT(st.stdout_total == total);
	CU_ASSERT(st.stdout_dropped == total - keep);
	expect = malloc(total + 1);
	CU_ASSERT_FATAL(expect != NULL);
	for (i = 0; i < lines; i++)
		snprintf(expect + i * line, line + 1, "%09zu\n", i);
	CU_ASSERT(read_all(fs.desc, fs.self, id, 0, &c, &st) == 0);
	CU_ASSERT(c.len[WSP_STDOUT] == keep);
	CU_ASSERT(c.len[WSP_STDOUT] == keep &&
		  !memcmp(c.data[WSP_STDOUT], expect + total - keep, keep));
	collected_free(&c);
	free(expect);
	release_ok(id);
	fake_close(&fs);
}

static void test_lost_monitor(void)
{
	char id[WSP_PROC_ID_MAX];
	wsp_proc_status st = {.struct_size = sizeof(st)};
	wsp_error err;
	pid_t mon, pid;
	int i;

	open_sandbox(opts_none);
	spawn_ok(id, "sleep 60", WSP_STDIN_PIPE);
	CU_ASSERT(pm->status(&st, fs.self, &fake_call, id, 0, &err) == 0);
	CU_ASSERT(st.state == WSP_PROC_RUNNING);
	pid = (pid_t)st.os_pid;
	mon = test_proc_parent(pid);
	CU_ASSERT_FATAL(mon > 1 && mon != pid && mon != getpid());
	CU_ASSERT(kill(mon, SIGKILL) == 0);
	CU_ASSERT(pid_gone_within(mon, 10000));
	/* Never running without its monitor. */
	CU_ASSERT(wait_for(id, 10000, &st) == 0);
	CU_ASSERT(st.state == WSP_PROC_LOST);
	CU_ASSERT(st.stdin_open == 0);
	CU_ASSERT(pm->write_stdin(fs.self, &fake_call, id, "x", 1, 0, &err) ==
		  WSP_ELOST);
	/* Its command is still there, provably the same: kill it. */
	CU_ASSERT(!pid_gone_within(pid, 0));
	CU_ASSERT(pm->signal(fs.self, &fake_call, id, SIGKILL, 0, &err) == 0);
	CU_ASSERT(pid_gone_within(pid, 10000));
	/* Once reaped (by procs_main), there is nothing left to signal. */
	for (i = 0; i < 1000 && kill(pid, 0) == 0; i++)
		usleep(10000);
	CU_ASSERT(pm->signal(fs.self, &fake_call, id, SIGKILL, 0, &err) ==
		  WSP_ELOST);
	release_ok(id);
	fake_close(&fs);
}

/* A second process (forked, sharing nothing but the files) drives it. */
static void test_other_process_reads_and_kills(void)
{
	char id[WSP_PROC_ID_MAX];
	wsp_proc_status st = {.struct_size = sizeof(st)};
	pid_t child;
	int status;

	open_sandbox(opts_none);
	spawn_ok(id, "echo ready; exec sleep 60", WSP_STDIN_PIPE);
	child = fork();
	CU_ASSERT_FATAL(child >= 0);
	if (child == 0) {
		wsp_error err;

		if (!output_is(id, "ready\n") ||
		    pm->status(&st, fs.self, &fake_call, id, 0, &err) ||
		    st.state != WSP_PROC_RUNNING ||
		    pm->signal(fs.self, &fake_call, id, SIGKILL, 0, &err))
			_exit(1);
		_exit(wait_for(id, 10000, &st) == 0 &&
				      st.state == WSP_PROC_SIGNALED
			      ? 0
			      : 2);
	}
	CU_ASSERT(waitpid(child, &status, 0) == child);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CU_ASSERT(wait_for(id, 10000, &st) == 0);
	CU_ASSERT(st.state == WSP_PROC_SIGNALED && st.term_signal == SIGKILL);
	release_ok(id);
	fake_close(&fs);
}

/* Stopping the sandbox ends its background processes (state kept). */
static void test_stop_kills_all(void)
{
	char a[WSP_PROC_ID_MAX], b[WSP_PROC_ID_MAX];
	wsp_proc_status st = {.struct_size = sizeof(st)};
	wsp_error err = {0};
	uint32_t outcome;

	open_sandbox(opts_none);
	if (fs.desc->sandbox->start)
		CU_ASSERT(fs.desc->sandbox->start(&outcome, fs.self, &fake_call,
						  0, &err) == 0);
	spawn_ok(a, "sleep 60", WSP_STDIN_PIPE);
	spawn_ok(b, "trap '' TERM; echo ready; sleep 60", WSP_STDIN_IGNORE);
	/* The trap must be set before the stop. */
	CU_ASSERT_FATAL(output_is(b, "ready\n"));
	CU_ASSERT_FATAL(fs.desc->sandbox->stop != NULL);
	CU_ASSERT(fs.desc->sandbox->stop(fs.self, &fake_call, 0, &err) == 0);
	CU_ASSERT(pm->status(&st, fs.self, &fake_call, a, 0, &err) == 0);
	CU_ASSERT(st.state == WSP_PROC_SIGNALED && st.term_signal == SIGTERM);
	CU_ASSERT(pm->status(&st, fs.self, &fake_call, b, 0, &err) == 0);
	CU_ASSERT(st.state == WSP_PROC_SIGNALED && st.term_signal == SIGKILL);
	release_ok(a);
	release_ok(b);
	fake_close(&fs);
}

static void test_bwrap(void)
{
	static const char *const opts[] = {"isolation=bwrap",
					   "kill_grace=500ms", NULL};
	char id[WSP_PROC_ID_MAX];
	struct collected c;
	wsp_proc_status st = {.struct_size = sizeof(st)};
	wsp_error err;

	if (!fake_have_bwrap()) {
		fprintf(stderr,
			"bubblewrap unusable here: bwrap case not run\n");
		CU_FAIL("bubblewrap is needed for this test");
		return;
	}
	open_sandbox(opts);
	spawn_ok(id, "echo inside > marker; cat marker; exec cat",
		 WSP_STDIN_PIPE);
	CU_ASSERT(pm->write_stdin(fs.self, &fake_call, id, "via stdin\n", 10, 0,
				  &err) == 0);
	CU_ASSERT(pm->close_stdin(fs.self, &fake_call, id, 0, &err) == 0);
	CU_ASSERT(wait_for(id, 10000, &st) == 0);
	CU_ASSERT(st.state == WSP_PROC_EXITED && st.exit_code == 0);
	CU_ASSERT(read_all(fs.desc, fs.self, id, 0, &c, &st) == 0);
	CU_ASSERT_STRING_EQUAL(c.data[WSP_STDOUT], "inside\nvia stdin\n");
	collected_free(&c);
	release_ok(id);

	spawn_ok(id, "sleep 60 & sleep 60", WSP_STDIN_IGNORE);
	CU_ASSERT(pm->signal(fs.self, &fake_call, id, SIGKILL, 0, &err) == 0);
	CU_ASSERT(wait_for(id, 10000, &st) == 0);
	CU_ASSERT(st.state == WSP_PROC_SIGNALED);
	release_ok(id);
	fake_close(&fs);
}

static CU_TestInfo tests[] = {
	{"spawn, list, status, output", test_spawn_list_status_output},
	{"argv, signaled, bad ids", test_argv_and_signaled},
	{"tail lines, tail bytes, offsets", test_tail_and_offset},
	{"follow by offset, wait timeout", test_follow_and_wait},
	{"stdin round trip through cat", test_stdin_round_trip},
	{"stdin ignored gives EOF at once", test_stdin_ignore_eof},
	{"signal reaches the whole group", test_signal_whole_group},
	{"timeout and release", test_timeout_and_release},
	{"20 MiB into an 8 MiB log", test_log_bound},
	{"lost monitor", test_lost_monitor},
	{"another process reads and kills", test_other_process_reads_and_kills},
	{"stop kills all", test_stop_kills_all},
	{"under bubblewrap", test_bwrap},
	CU_TEST_INFO_NULL,
};

int main(void)
{
	return procs_main("sandbox-local background processes", tests);
}
