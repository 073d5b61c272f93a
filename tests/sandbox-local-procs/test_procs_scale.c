/*
 * tests/sandbox-local-procs/test_procs_scale.c - 1000 background
 * processes at once: spawned, listed, killed and released, with no
 * descriptor left open and no zombie left behind in the caller.
 */
#include "procs_util.h"
#include "../sandbox-local/fake_host.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define N_PROCS 1000

static struct fake_sandbox fs;

struct tally {
	int count, running;
};

static int on_proc(const char *id, const char *command,
		   const wsp_proc_status *st, void *payload)
{
	struct tally *t = payload;

	(void)id;
	(void)command;
	t->count++;
	t->running += st->state == WSP_PROC_RUNNING;
	return 0;
}

static void test_thousand(void)
{
	static const char *const opts[] = { "isolation=none",
					    "kill_grace=500ms", NULL };
	static char ids[N_PROCS][WSP_PROC_ID_MAX];
	const wsp_procmgr_vtable *pm;
	wsp_proc_status st = { .struct_size = sizeof(st) };
	struct tally t = { 0 };
	wsp_error err = { 0 };
	long long t0, t_spawn, t_list, t_kill;
	int i, fds_before, fds_after, spawned = 0, failures = 0;

	CU_ASSERT_FATAL(fake_open(&fs, opts, &err) == 0);
	pm = fs.desc->procmgr;
	CU_ASSERT_FATAL(pm != NULL);
	fds_before = count_fds();
	CU_ASSERT(count_zombie_children() == 0);

	t0 = fake_now_ms();
	for (i = 0; i < N_PROCS; i++) {
		/* Half with a stdin FIFO, half with stdin at end of file. */
		if (spawn_sh(fs.desc, fs.self, ids[i], "exec sleep 600",
			     i % 2 ? WSP_STDIN_IGNORE : WSP_STDIN_PIPE,
			     &err)) {
			fprintf(stderr, "spawn %d: %s\n", i, err.message);
			break;
		}
		spawned++;
	}
	t_spawn = fake_now_ms() - t0;
	CU_ASSERT(spawned == N_PROCS);
	/* The caller holds nothing per process. */
	CU_ASSERT(count_fds() == fds_before);

	t0 = fake_now_ms();
	CU_ASSERT(pm->list(fs.self, on_proc, &t, &err) == 0);
	t_list = fake_now_ms() - t0;
	CU_ASSERT(t.count == spawned);
	CU_ASSERT(t.running == spawned);

	t0 = fake_now_ms();
	for (i = 0; i < spawned; i++)
		failures += pm->signal(fs.self, ids[i], SIGKILL, &err) != 0;
	for (i = 0; i < spawned; i++) {
		failures += pm->wait(&st, fs.self, ids[i], 20000, NULL,
				     &err) != 0;
		failures += st.state != WSP_PROC_SIGNALED;
		failures += pm->release(fs.self, ids[i], &err) != 0;
	}
	t_kill = fake_now_ms() - t0;
	CU_ASSERT(failures == 0);

	t.count = t.running = 0;
	CU_ASSERT(pm->list(fs.self, on_proc, &t, &err) == 0);
	CU_ASSERT(t.count == 0);
	fds_after = count_fds();
	CU_ASSERT(fds_after == fds_before);
	CU_ASSERT(count_zombie_children() == 0);
	fprintf(stderr,
		"\n%d processes: spawn %lld ms (%.2f ms each), list %lld ms, "
		"kill+wait+release %lld ms; fds %d -> %d\n",
		spawned, t_spawn, (double)t_spawn / (spawned ? spawned : 1),
		t_list, t_kill, fds_before, fds_after);
	fake_close(&fs);
}

static CU_TestInfo tests[] = {
	{ "1000 background processes", test_thousand },
	CU_TEST_INFO_NULL,
};

int main(void)
{
	return procs_main("sandbox-local 1000 background processes", tests);
}
