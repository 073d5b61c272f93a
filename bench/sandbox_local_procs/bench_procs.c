/*
 * bench/sandbox_local_procs/bench_procs.c - background processes of the
 * local sandbox, through the embedding API (<wsp/process.h>): N
 * processes spawned, listed, killed and released, against the same N
 * started with raw posix_spawn and killed with kill+waitpid (no monitor,
 * no logs, nothing surviving the caller), side by side.
 *
 *   bench_procs [--count N] [--threads T] [--isolation none|bwrap]
 *               [--dir DIR] [--quick]
 *
 * With T > 1, T threads spawn and kill at once (the calls are
 * thread-safe; a spawn mostly waits for processes to start).
 *
 * Reports times, and the resident memory of the caller (the manager:
 * it keeps nothing per process) and of a monitor.
 */
#include <wsp/wsp.h>

#include "subreaper.h"
#include "test_proc.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static void die(const char *what, const wsp_error *err)
{
	fprintf(stderr, "bench_procs: %s: %s\n", what,
		err ? err->message : strerror(errno));
	exit(1);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Spawning from several threads: each takes every T-th id. */
struct spawner {
	pthread_t thread;
	wsp_workspace *ws;
	char (*ids)[WSP_PROC_ID_MAX];
	int first, step, n;
};

static void *spawn_some(void *arg)
{
	struct spawner *sp = arg;
	wsp_spawn_opts so = WSP_SPAWN_OPTS_INIT;
	wsp_error err;
	int i;

	so.shell = "exec sleep 600";
	so.stdin_mode = WSP_STDIN_IGNORE;
	for (i = sp->first; i < sp->n; i += sp->step)
		if (wsp_proc_spawn(sp->ids[i], sp->ws, NULL, &so, &err))
			die("spawn", &err);
	return NULL;
}

static int threads = 1;

struct results {
	double spawn, list, kill, release;
	long rss_before, rss_after, monitor_rss;
};

static void run_wsp(struct results *r, const char *dir, const char *iso, int n)
{
	wsp_open_opts oo = WSP_OPEN_OPTS_INIT;
	wsp_proc_status st = {.struct_size = sizeof(st)};
	struct test_proc_tally t = {0};
	wsp_workspace *ws;
	wsp_error err;
	char cfg[2048], (*ids)[WSP_PROC_ID_MAX];
	double t0;
	int i;

	snprintf(cfg, sizeof(cfg),
		 "sandbox:\n"
		 "  provider: local\n"
		 "  id: bench-procs\n"
		 "  options:\n"
		 "    isolation: %s\n"
		 "    working_dir: %s/ws\n"
		 "    state_dir: %s/state\n",
		 iso, dir, dir);
	oo.config_text = cfg;
	oo.config_name = "<bench>";
	if (wsp_workspace_open(&ws, &oo, &err))
		die("open", &err);
	ids = calloc((size_t)n, sizeof(*ids));
	if (!ids)
		die("calloc", NULL);
	/* Load the provider before measuring. */
	if (wsp_proc_list(ws, NULL, test_proc_tally_add, &t, &err))
		die("list", &err);
	r->rss_before = test_proc_kib(0, "status", "VmRSS:");

	t0 = now_ms();
	{
		struct spawner sp[64];

		for (i = 0; i < threads; i++) {
			sp[i] = (struct spawner){0, ws, ids, i, threads, n};
			if (pthread_create(&sp[i].thread, NULL, spawn_some,
					   &sp[i]))
				die("pthread_create", NULL);
		}
		for (i = 0; i < threads; i++)
			pthread_join(sp[i].thread, NULL);
	}
	r->spawn = now_ms() - t0;
	r->rss_after = test_proc_kib(0, "status", "VmRSS:");
	if (wsp_proc_get_status(&st, ws, NULL, ids[0], &err))
		die("status", &err);
	r->monitor_rss = test_proc_kib(test_proc_parent((pid_t)st.os_pid),
				       "status", "VmRSS:");

	t.count = t.running = 0;
	t0 = now_ms();
	if (wsp_proc_list(ws, NULL, test_proc_tally_add, &t, &err))
		die("list", &err);
	r->list = now_ms() - t0;
	if (t.count != n || t.running != n)
		fprintf(stderr, "bench_procs: listed %d, %d running (of %d)\n",
			t.count, t.running, n);

	t0 = now_ms();
	for (i = 0; i < n; i++)
		if (wsp_proc_signal(ws, NULL, ids[i], SIGKILL, &err))
			die("signal", &err);
	for (i = 0; i < n; i++)
		if (wsp_proc_wait(&st, ws, NULL, ids[i], 30000, &err))
			die("wait", &err);
	r->kill = now_ms() - t0;
	t0 = now_ms();
	for (i = 0; i < n; i++)
		if (wsp_proc_release(ws, NULL, ids[i], &err))
			die("release", &err);
	r->release = now_ms() - t0;
	free(ids);
	wsp_workspace_close(ws);
}

static void run_raw(struct results *r, int n)
{
	char *argv[] = {"sh", "-c", "exec sleep 600", NULL};
	posix_spawnattr_t attr;
	pid_t *pids = calloc((size_t)n, sizeof(*pids));
	double t0;
	int i;

	if (!pids)
		die("calloc", NULL);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
	r->rss_before = test_proc_kib(0, "status", "VmRSS:");
	t0 = now_ms();
	for (i = 0; i < n; i++)
		if (posix_spawn(&pids[i], "/bin/sh", NULL, &attr, argv,
				environ))
			die("posix_spawn", NULL);
	r->spawn = now_ms() - t0;
	r->rss_after = test_proc_kib(0, "status", "VmRSS:");
	t0 = now_ms();
	for (i = 0; i < n; i++)
		kill(-pids[i], SIGKILL);
	for (i = 0; i < n; i++)
		waitpid(pids[i], NULL, 0);
	r->kill = now_ms() - t0;
	posix_spawnattr_destroy(&attr);
	free(pids);
}

static void print_table(const struct results *w, const struct results *raw,
			int n, const char *iso)
{
	printf("\n%d background processes (`exec sleep 600`), isolation %s, "
	       "%d spawning thread%s\n\n",
	       n, iso, threads, threads > 1 ? "s" : "");
	printf("%-34s %16s %16s\n", "", "wsp (monitor)", "raw posix_spawn");
	printf("%-34s %13.0f ms %13.0f ms\n", "spawn all", w->spawn,
	       raw->spawn);
	printf("%-34s %13.2f ms %13.2f ms\n", "spawn, per process",
	       w->spawn / n, raw->spawn / n);
	printf("%-34s %13.0f ms %16s\n", "list all (status of each)", w->list,
	       "-");
	printf("%-34s %13.0f ms %13.0f ms\n", "kill all (SIGKILL + wait)",
	       w->kill, raw->kill);
	printf("%-34s %13.0f ms %16s\n", "release all (remove state)",
	       w->release, "-");
	printf("%-34s %13ld KiB %12ld KiB\n", "caller RSS before spawning",
	       w->rss_before, raw->rss_before);
	printf("%-34s %13ld KiB %12ld KiB\n", "caller RSS with all running",
	       w->rss_after, raw->rss_after);
	printf("%-34s %13ld KiB %16s\n", "RSS of one monitor", w->monitor_rss,
	       "-");
	printf("\nwsp's processes outlive the caller, keep bounded logs and "
	       "an exit status,\nand are reachable from any other process; "
	       "the raw ones are the caller's\nchildren and nothing more.\n");
}

int main(int argc, char **argv)
{
	struct results w = {0}, raw = {0};
	const char *iso = "none", *base = NULL;
	char dir[512], cmd[600];
	int i, n = 1000;
	pid_t runner;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--count") && i + 1 < argc)
			n = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
			threads = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--isolation") && i + 1 < argc)
			iso = argv[++i];
		else if (!strcmp(argv[i], "--dir") && i + 1 < argc)
			base = argv[++i];
		else if (!strcmp(argv[i], "--quick"))
			n = 100;
		else {
			fprintf(stderr,
				"usage: bench_procs [--count N] "
				"[--threads T] [--isolation none|bwrap] "
				"[--dir DIR] [--quick]\n");
			return 2;
		}
	}
	if (n <= 0 || threads < 1 || threads > 64)
		return 2;
	/* Monitors are nobody's children: let the orphans come to us. */
	runner = subreaper_fork();
	if (runner < 0)
		die("fork", NULL);
	if (runner > 0)
		return subreaper_wait(runner, 1);

	snprintf(dir, sizeof(dir), "%s/wsp-bench-procs-XXXXXX",
		 base ? base : "/tmp");
	if (!mkdtemp(dir))
		die("mkdtemp", NULL);
	run_wsp(&w, dir, iso, n);
	run_raw(&raw, n);
	print_table(&w, &raw, n, iso);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_procs: could not remove '%s'\n", dir);
	return 0;
}
