/*
 * bench/sandbox_local/bench_exec.c - the local sandbox's foreground exec
 * against what it wraps, in the same run, side by side:
 *
 *  1. wsp_sandbox_exec of `sh -c true` (isolation none) per call, against
 *     posix_spawn + waitpid of `/bin/sh -c true` (goal: <= 1.15x);
 *     the same under bubblewrap, in the sandbox's kept environment
 *     (goal: <= 1.5x: no bwrap start per command, issue 13);
 *  2. the whole `wsp exec -- true` process against `sh -c true`; under
 *     bubblewrap against a raw `bwrap ... true` with the same namespaces
 *     (goal: <= 2x);
 *  3. 1 GiB of stdout through exec (output callback on, capture bounded at
 *     1 MiB) against reading the same command's pipe directly (goal:
 *     >= 0.8x of the raw throughput), with the peak resident memory.
 *
 * The two sides alternate call by call, so drift and other load on the
 * machine hit both; per-call times are compared by their medians (the
 * means are printed too), throughput by the best of three runs.
 * --quick divides the work by ten.
 */
#include <wsp/wsp.h>

#include "test_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define GIB (UINT64_C(1) << 30)
#define CHUNK (128 * 1024)

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const wsp_error *err)
{
	fprintf(stderr, "bench: %s: %s\n", what, err ? err->message : "");
	exit(1);
}

/* ---- raw baselines ------------------------------------------------------ */

static void raw_spawn_wait(char *const argv[])
{
	pid_t pid;
	int st;

	if (posix_spawn(&pid, argv[0], NULL, NULL, argv, environ))
		die("posix_spawn", NULL);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
}

/* Read the whole stdout of argv through a pipe; returns bytes read. */
static uint64_t raw_pipe_read(char *const argv[], char *buf)
{
	posix_spawn_file_actions_t fa;
	uint64_t total = 0;
	int p[2], st;
	pid_t pid;
	ssize_t n;

	if (pipe2(p, O_CLOEXEC))
		die("pipe", NULL);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ))
		die("posix_spawn", NULL);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	while ((n = read(p[0], buf, CHUNK)) > 0 || (n < 0 && errno == EINTR))
		if (n > 0)
			total += (uint64_t)n;
	close(p[0]);
	waitpid(pid, &st, 0);
	return total;
}

/*
 * n runs of each program, in two alternating halves (A A.. B B.. A A..
 * B B..), so drift hits both; the total seconds of each.
 */
static void alternate_runs(char *const *a, char *const *b, int n, double *ta,
			   double *tb)
{
	double t0;
	int k, i;

	*ta = *tb = 0;
	for (k = 0; k < 2; k++) {
		t0 = now_s();
		for (i = 0; i < n / 2; i++)
			raw_spawn_wait(a);
		*ta += now_s() - t0;
		t0 = now_s();
		for (i = 0; i < n / 2; i++)
			raw_spawn_wait(b);
		*tb += now_s() - t0;
	}
}

/* ---- through wsp -------------------------------------------------------- */

static void wsp_true(wsp_workspace *ws)
{
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	wsp_exec_result r;
	wsp_error err;

	memset(&r, 0, sizeof(r));
	r.struct_size = sizeof(r);
	o.shell = "true";
	if (wsp_sandbox_exec(&r, ws, NULL, &o, &err))
		die("exec", &err);
	if (r.exit_code != 0)
		die("exec: true failed", NULL);
	wsp_exec_result_release(ws, &r);
}

static int count_bytes(uint32_t stream, const void *data, size_t len,
		       void *payload)
{
	(void)stream;
	(void)data;
	*(uint64_t *)payload += len;
	return 0;
}

static uint64_t wsp_stream(wsp_workspace *ws, const char *cmd,
			   uint64_t *kept)
{
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	wsp_exec_result r;
	wsp_error err;
	uint64_t seen = 0;

	memset(&r, 0, sizeof(r));
	r.struct_size = sizeof(r);
	o.shell = cmd;
	o.on_output = count_bytes;
	o.payload = &seen;
	o.max_capture = 1 << 20;
	o.flags |= WSP_EXEC_NO_TIMEOUT;
	if (wsp_sandbox_exec(&r, ws, NULL, &o, &err))
		die("exec", &err);
	*kept = r.stdout_len;
	if (r.stdout_len + r.stdout_dropped != seen)
		die("exec: kept + dropped != seen", NULL);
	wsp_exec_result_release(ws, &r);
	return seen;
}

static wsp_workspace *open_ws(const char *dir, const char *isolation)
{
	wsp_open_opts oo = WSP_OPEN_OPTS_INIT;
	wsp_workspace *ws;
	wsp_error err;
	char cfg[1024];

	snprintf(cfg, sizeof(cfg),
		 "sandbox:\n"
		 "  provider: local\n"
		 "  id: bench-box\n"
		 "  options:\n"
		 "    isolation: %s\n"
		 "    working_dir: %s/ws\n"
		 "    state_dir: %s/state\n",
		 isolation, dir, dir);
	oo.config_text = cfg;
	oo.config_name = "<bench>";
	if (wsp_workspace_open(&ws, &oo, &err))
		die("open", &err);
	return ws;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void row(const char *what, const char *wsp_col, const char *raw_col,
		double ratio, const char *goal)
{
	printf("%-34s %16s %16s %8.2fx  %s\n", what, wsp_col, raw_col, ratio,
	       goal);
}

int main(int argc, char **argv)
{
	char *const sh_true[] = { "/bin/sh", "-c", "true", NULL };
	char dir[] = "/tmp/wsp-bench-XXXXXX";
	int quick = argc > 1 && !strcmp(argv[1], "--quick");
	int rounds = 10, per_round = quick ? 20 : 200, i, k;
	double t_wsp = 0, t_raw = 0, t_bw = 0, t0;
	char a[64], b[64], cmd[512], cli[512];
	wsp_workspace *ws, *ws_bwrap;
	uint64_t bytes = quick ? GIB / 10 : GIB, seen, kept = 0;
	char *const head[] = { "/usr/bin/head", "-c", NULL, "/dev/zero", NULL };
	char size_arg[32], *buf;
	long rss_before, rss_peak;

	if (!mkdtemp(dir))
		die("mkdtemp", NULL);
	ws = open_ws(dir, "none");
	ws_bwrap = open_ws(dir, "bwrap");
	wsp_true(ws); /* load the provider before timing */

	printf("local sandbox foreground exec (%s run)\n\n",
	       quick ? "quick" : "full");
	printf("%-34s %16s %16s %9s  %s\n", "benchmark", "wsp", "baseline",
	       "ratio", "goal");

	/* 1. exec of true per call, interleaved one by one; medians */
	{
		int n = rounds * per_round;
		double *tw = malloc(sizeof(double) * (size_t)n);
		double *tr = malloc(sizeof(double) * (size_t)n);

		for (i = 0; i < n; i++) {
			t0 = now_s();
			raw_spawn_wait(sh_true);
			tr[i] = now_s() - t0;
			t0 = now_s();
			wsp_true(ws);
			tw[i] = now_s() - t0;
			t_raw += tr[i];
			t_wsp += tw[i];
		}
		qsort(tw, (size_t)n, sizeof(double), cmp_double);
		qsort(tr, (size_t)n, sizeof(double), cmp_double);
		snprintf(a, sizeof(a), "%.1f us/call", tw[n / 2] * 1e6);
		snprintf(b, sizeof(b), "%.1f us/call", tr[n / 2] * 1e6);
		row("exec 'true' (none), median", a, b, tw[n / 2] / tr[n / 2],
		    "<= 1.15x");
		snprintf(a, sizeof(a), "%.1f us/call", t_wsp * 1e6 / n);
		snprintf(b, sizeof(b), "%.1f us/call", t_raw * 1e6 / n);
		row("exec 'true' (none), mean", a, b, t_wsp / t_raw, "");
		free(tw);
		free(tr);
	}

	/* 1b. the same under bubblewrap: commands join the kept environment */
	{
		wsp_error err;
		wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
		wsp_exec_result r;

		memset(&r, 0, sizeof(r));
		r.struct_size = sizeof(r);
		o.shell = "true";
		if (wsp_sandbox_exec(&r, ws_bwrap, NULL, &o, &err) == 0) {
			int n = rounds * (quick ? 10 : 50);
			double *tw = malloc(sizeof(double) * (size_t)n);
			double *tr = malloc(sizeof(double) * (size_t)n);

			wsp_exec_result_release(ws_bwrap, &r);
			for (i = 0; i < n; i++) {
				t0 = now_s();
				raw_spawn_wait(sh_true);
				tr[i] = now_s() - t0;
				t0 = now_s();
				wsp_true(ws_bwrap);
				tw[i] = now_s() - t0;
				t_bw += tw[i];
			}
			qsort(tw, (size_t)n, sizeof(double), cmp_double);
			qsort(tr, (size_t)n, sizeof(double), cmp_double);
			snprintf(a, sizeof(a), "%.1f us/call", tw[n / 2] * 1e6);
			snprintf(b, sizeof(b), "%.1f us/call", tr[n / 2] * 1e6);
			row("exec 'true' (bwrap), median", a, b,
			    tw[n / 2] / tr[n / 2], "<= 1.5x");
			free(tw);
			free(tr);
		} else {
			printf("%-34s (bwrap unavailable: %s)\n",
			       "exec 'true' (bwrap)", err.message);
		}
	}

	/* 2. the whole CLI process */
	snprintf(cli, sizeof(cli), "%s/wsp.yaml", dir);
	{
		FILE *f = fopen(cli, "w");

		if (!f)
			die("config", NULL);
		fprintf(f, "sandbox:\n  provider: local\n  id: bench-box\n"
			   "  options: { isolation: none, working_dir: %s/ws,"
			   " state_dir: %s/state }\n", dir, dir);
		fclose(f);
	}
	{
		char *const cli_argv[] = { WSP_CLI, "--config", cli, "exec",
					   "--", "true", NULL };
		int n = quick ? 20 : 200;
		double tc, ts;

		alternate_runs(cli_argv, sh_true, n, &tc, &ts);
		snprintf(a, sizeof(a), "%.2f ms/run", tc * 1e3 / n);
		snprintf(b, sizeof(b), "%.2f ms/run", ts * 1e3 / n);
		row("process 'wsp exec -- true'", a, b, tc / ts,
		    "(vs sh -c true)");
	}
	/* 2b. the whole CLI under bubblewrap against bwrap itself */
	if (t_bw > 0) {
		char cli_bw[600];
		FILE *f;

		snprintf(cli_bw, sizeof(cli_bw), "%s/wsp-bwrap.yaml", dir);
		f = fopen(cli_bw, "w");
		if (!f)
			die("config", NULL);
		fprintf(f, "sandbox:\n  provider: local\n  id: bench-bwrap\n"
			   "  options: { isolation: bwrap, working_dir: %s/ws,"
			   " state_dir: %s/state-bwrap }\n", dir, dir);
		fclose(f);
		{
			char *const cli_argv[] = { WSP_CLI, "--config", cli_bw,
						   "exec", "--", "true", NULL };
			/* The namespaces and mounts a command gets (bwrap.c). */
			char *const bwrap_true[] = {
				"/usr/bin/bwrap", "--unshare-user",
				"--disable-userns", "--cap-drop", "ALL",
				"--die-with-parent", "--unshare-pid",
				"--unshare-ipc", "--unshare-uts",
				"--unshare-net", "--ro-bind", "/usr", "/usr",
				"--symlink", "usr/bin", "/bin", "--symlink",
				"usr/lib", "/lib", "--symlink", "usr/lib64",
				"/lib64", "--proc", "/proc", "--dev", "/dev",
				"--tmpfs", "/tmp", "--remount-ro", "/", "--",
				"/bin/true", NULL };
			int n = quick ? 20 : 200;
			double tc, tb;

			raw_spawn_wait(cli_argv); /* starts the environment */
			alternate_runs(cli_argv, bwrap_true, n, &tc, &tb);
			snprintf(a, sizeof(a), "%.2f ms/run", tc * 1e3 / n);
			snprintf(b, sizeof(b), "%.2f ms/run", tb * 1e3 / n);
			row("process 'wsp exec' (bwrap)", a, b, tc / tb,
			    "<= 2x (vs bwrap true)");
		}
	}

	/* 3. 1 GiB of stdout */
	buf = malloc(CHUNK);
	snprintf(size_arg, sizeof(size_arg), "%llu", (unsigned long long)bytes);
	((char **)head)[2] = size_arg;
	snprintf(cmd, sizeof(cmd), "exec head -c %s /dev/zero", size_arg);
	rss_before = test_proc_kib(0, "status", "VmRSS:");
	t_raw = t_wsp = 1e9;
	for (k = 0; k < 3; k++) {
		t0 = now_s();
		seen = raw_pipe_read(head, buf);
		if (now_s() - t0 < t_raw)
			t_raw = now_s() - t0;
		if (seen != bytes)
			die("raw read: short", NULL);
		t0 = now_s();
		seen = wsp_stream(ws, cmd, &kept);
		if (now_s() - t0 < t_wsp)
			t_wsp = now_s() - t0;
		if (seen != bytes)
			die("exec: short", NULL);
	}
	rss_peak = test_proc_kib(0, "status", "VmHWM:"); /* the peak so far */
	snprintf(a, sizeof(a), "%.2f GiB/s", (double)bytes / GIB / t_wsp);
	snprintf(b, sizeof(b), "%.2f GiB/s", (double)bytes / GIB / t_raw);
	row(quick ? "stdout 0.1 GiB (best of 3)" : "stdout 1 GiB (best of 3)",
	    a, b, t_raw / t_wsp, ">= 0.8x");
	printf("%-34s %16s %16s\n", "  kept / resident before, peak",
	       "1 MiB kept", "");
	printf("    kept %llu bytes; resident %ld KiB before, peak %ld KiB "
	       "(bounded: not proportional to output)\n",
	       (unsigned long long)kept, rss_before, rss_peak);
	free(buf);

	wsp_workspace_close(ws_bwrap);
	wsp_workspace_close(ws);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 1;
	return 0;
}
