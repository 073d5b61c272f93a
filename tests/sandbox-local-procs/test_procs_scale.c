/*
 * tests/sandbox-local-procs/test_procs_scale.c - 1000 background
 * processes at once: spawned, listed, killed and released, with no
 * descriptor left open and no zombie left behind in the caller. Eight
 * threads share the work, which also drives the slots concurrently.
 */
#include "procs_util.h"
#include "../sandbox-local/local_box.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define N_PROCS 1000
/* Spawning waits mostly on other processes starting: overlap that (and
 * prove the slots thread-safe) with a few callers at once. */
#define N_THREADS 8

static struct fake_sandbox fs;
static char ids[N_PROCS][WSP_PROC_ID_MAX];

struct worker {
	pthread_t thread;
	int first;
	int (*fn)(int i);
	int failures;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	int i;

	for (i = w->first; i < N_PROCS; i += N_THREADS)
		w->failures += w->fn(i) != 0;
	return NULL;
}

/* fn(i) for every i, N_THREADS at a time; the failures. */
static int in_parallel(int (*fn)(int i))
{
	struct worker w[N_THREADS];
	int t, failures = 0;

	for (t = 0; t < N_THREADS; t++) {
		w[t] = (struct worker){.first = t, .fn = fn};
		if (pthread_create(&w[t].thread, NULL, work, &w[t]))
			return N_PROCS;
	}
	for (t = 0; t < N_THREADS; t++) {
		pthread_join(w[t].thread, NULL);
		failures += w[t].failures;
	}
	return failures;
}

static int spawn_one(int i)
{
	wsp_error err;
	int rc;

	/* Half with a stdin FIFO, half with stdin at end of file. */
	rc = spawn_sh(fs.desc, fs.self, ids[i], "exec sleep 600",
		      i % 2 ? WSP_STDIN_IGNORE : WSP_STDIN_PIPE, &err);
	if (rc)
		fprintf(stderr, "spawn %d: %s\n", i, err.message);
	return rc;
}

static int kill_one(int i)
{
	wsp_error err;

	if (fs.desc->procmgr->signal(fs.self, &fake_call, ids[i], SIGKILL, 0,
				     &err)) {
		fprintf(stderr, "kill %d: %s\n", i, err.message);
		return -1;
	}
	return 0;
}

/*
 * This test is about scale and leaks, not speed: a cold or crowded
 * machine (CI in a fresh VM ran this 40 times slower than a warm one)
 * may take long to end a thousand monitors, so the wait is generous and
 * a release answered "did not stop; try again" (WSP_EBUSY, its
 * documented answer when the monitor is slow to go) is tried again.
 */
#define REAP_WAIT_MS 120000
#define RELEASE_TRIES 10

static int reap_one(int i)
{
	const wsp_procmgr_vtable *pm = fs.desc->procmgr;
	wsp_proc_status st = {.struct_size = sizeof(st)};
	wsp_error err;
	int rc, tries = 0;

	if (pm->wait(&st, fs.self, &fake_call, ids[i], REAP_WAIT_MS, 0,
		     &err)) {
		fprintf(stderr, "wait %d: %s\n", i, err.message);
		return -1;
	}
	if (st.state != WSP_PROC_SIGNALED || st.term_signal != SIGKILL) {
		fprintf(stderr, "wait %d: state %d signal %d\n", i,
			(int)st.state, st.term_signal);
		return -1;
	}
	do
		rc = pm->release(fs.self, &fake_call, ids[i], 0, &err);
	while (rc == WSP_EBUSY && ++tries < RELEASE_TRIES);
	if (rc || tries)
		fprintf(stderr, "release %d: %s after %d tries\n", i,
			rc ? err.message : "released", tries + 1);
	return rc;
}

static void test_thousand(void)
{
	static const char *const opts[] = {"isolation=none", "kill_grace=500ms",
					   NULL};
	const wsp_procmgr_vtable *pm;
	struct test_proc_tally t = {0};
	wsp_error err = {0};
	long long t0, t_spawn, t_list, t_kill;
	int fds_before, fds_after, spawned, failures;

	CU_ASSERT_FATAL(fake_open(&fs, opts, &err) == 0);
	pm = fs.desc->procmgr;
	CU_ASSERT_FATAL(pm != NULL);
	fds_before = count_fds();
	CU_ASSERT(count_zombie_children() == 0);

	t0 = test_now_ms();
	failures = in_parallel(spawn_one);
	spawned = N_PROCS - failures;
	t_spawn = test_now_ms() - t0;
	CU_ASSERT_FATAL(failures == 0);
	/* The caller holds nothing per process. */
	CU_ASSERT(count_fds() == fds_before);

	t0 = test_now_ms();
	CU_ASSERT(pm->list(fs.self, &fake_call, 0, test_proc_tally_add, &t, &err) == 0);
	t_list = test_now_ms() - t0;
	CU_ASSERT(t.count == spawned);
	CU_ASSERT(t.running == spawned);

	t0 = test_now_ms();
	failures = in_parallel(kill_one);
	failures += in_parallel(reap_one);
	t_kill = test_now_ms() - t0;
	CU_ASSERT(failures == 0);

	t.count = t.running = 0;
	CU_ASSERT(pm->list(fs.self, &fake_call, 0, test_proc_tally_add, &t, &err) == 0);
	CU_ASSERT(t.count == 0);
	fds_after = count_fds();
	CU_ASSERT(fds_after == fds_before);
	CU_ASSERT(count_zombie_children() == 0);
	fprintf(stderr,
		"\n%d processes (%d threads): spawn %lld ms (%.2f ms each), "
		"list %lld ms, kill+wait+release %lld ms; fds %d -> %d\n",
		spawned, N_THREADS, t_spawn,
		(double)t_spawn / (spawned ? spawned : 1), t_list, t_kill,
		fds_before, fds_after);
	fake_close(&fs);
}

static CU_TestInfo tests[] = {
	{"1000 background processes", test_thousand},
	CU_TEST_INFO_NULL,
};

int main(void)
{
	return procs_main("sandbox-local 1000 background processes", tests);
}
