/*
 * bench/proc_follow/bench_follow.c - following a background process of
 * the local sandbox: WSP_OUTPUT_FOLLOW (one call, woken by inotify when
 * the monitor appends) beside the loop `wsp logs -f` ran before it (read
 * from the last totals, each read first waiting up to 250 ms for the
 * exit), on the same writer, side by side.
 *
 *   bench_follow [--lines N] [--interval MS] [--dir DIR]
 *
 * The writer (this program again, --writer) prints N lines, one every
 * interval, each holding the CLOCK_MONOTONIC time it was written (the
 * clock is the machine's, so it compares across processes). The follower
 * records, for each line, how long it took to reach its sink, and the
 * CPU time its own thread spent following (CLOCK_THREAD_CPUTIME_ID).
 */
#include <wsp/wsp.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_LINES 100000

static void die(const char *what, const wsp_error *err)
{
	fprintf(stderr, "bench_follow: %s: %s\n", what,
		err ? err->message : strerror(errno));
	exit(1);
}

static double clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int writer(int lines, int interval_ms)
{
	struct timespec pause = {interval_ms / 1000,
				 (long)(interval_ms % 1000) * 1000000L};
	int i;

	setvbuf(stdout, NULL, _IONBF, 0);
	for (i = 0; i < lines; i++) {
		printf("%.3f\n", clock_ms(CLOCK_MONOTONIC));
		nanosleep(&pause, NULL);
	}
	return 0;
}

struct follower {
	double *latency;
	int n;
	char partial[64];
	size_t plen;
};

/* Lines may arrive split across chunks: keep the unfinished one. */
static int on_output(uint32_t stream, const void *data, size_t len,
		     void *payload)
{
	struct follower *f = payload;
	const char *p = data;
	double now = clock_ms(CLOCK_MONOTONIC);
	size_t i;

	if (stream != WSP_STDOUT)
		return 0;
	for (i = 0; i < len; i++) {
		if (p[i] != '\n') {
			if (f->plen < sizeof(f->partial) - 1)
				f->partial[f->plen++] = p[i];
			continue;
		}
		f->partial[f->plen] = '\0';
		if (f->n < MAX_LINES)
			f->latency[f->n++] = now - strtod(f->partial, NULL);
		f->plen = 0;
	}
	return 0;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

struct result {
	double p50, p99, max, cpu_ms, wall_ms;
	int lines;
};

static void spawn_writer(char id[WSP_PROC_ID_MAX], wsp_workspace *ws,
			 const char *self, int lines, int interval)
{
	wsp_spawn_opts so = WSP_SPAWN_OPTS_INIT;
	char n[32], ms[32];
	const char *argv[] = {self, "--writer", n, ms, NULL};
	wsp_error err;

	snprintf(n, sizeof(n), "%d", lines);
	snprintf(ms, sizeof(ms), "%d", interval);
	so.argv = argv;
	so.stdin_mode = WSP_STDIN_IGNORE;
	if (wsp_proc_spawn(id, ws, NULL, &so, &err))
		die("spawn", &err);
}

static void follow_once(struct result *r, wsp_workspace *ws, const char *self,
			int lines, int interval, int polling)
{
	wsp_output_opts oo = WSP_OUTPUT_OPTS_INIT;
	wsp_proc_status st = {.struct_size = sizeof(st)};
	struct follower f = {0};
	char id[WSP_PROC_ID_MAX];
	double cpu0, wall0;
	wsp_error err;
	int rc, ended = 0;

	f.latency = calloc(MAX_LINES, sizeof(double));
	if (!f.latency)
		die("calloc", NULL);
	spawn_writer(id, ws, self, lines, interval);
	cpu0 = clock_ms(CLOCK_THREAD_CPUTIME_ID);
	wall0 = clock_ms(CLOCK_MONOTONIC);
	oo.streams = WSP_STDOUT;
	if (!polling) {
		oo.flags = WSP_OUTPUT_FOLLOW;
		rc = wsp_proc_read_output(&st, ws, NULL, id, &oo, on_output, &f,
					  &err);
	} else {
		/* The loop of `wsp logs -f` before 0.3.0-dev.14. */
		rc = wsp_proc_read_output(&st, ws, NULL, id, &oo, on_output, &f,
					  &err);
		while (rc == 0 && !ended) {
			ended = st.state != WSP_PROC_RUNNING;
			oo.offset = st.stdout_total;
			oo.wait_ms = ended ? 0 : 250;
			rc = wsp_proc_read_output(&st, ws, NULL, id, &oo,
						  on_output, &f, &err);
		}
	}
	if (rc)
		die("follow", &err);
	r->cpu_ms = clock_ms(CLOCK_THREAD_CPUTIME_ID) - cpu0;
	r->wall_ms = clock_ms(CLOCK_MONOTONIC) - wall0;
	r->lines = f.n;
	qsort(f.latency, (size_t)f.n, sizeof(double), by_value);
	r->p50 = f.n ? f.latency[f.n / 2] : -1;
	r->p99 = f.n ? f.latency[(f.n * 99) / 100 < f.n ? (f.n * 99) / 100
							: f.n - 1]
		     : -1;
	r->max = f.n ? f.latency[f.n - 1] : -1;
	free(f.latency);
	wsp_proc_release(ws, NULL, id, &err);
}

int main(int argc, char **argv)
{
	wsp_open_opts oo = WSP_OPEN_OPTS_INIT;
	const char *dir = NULL;
	struct result fol, pol;
	char cfg[2048], tmpl[] = "/tmp/wsp-bench-follow-XXXXXX", self[4096];
	int lines = 200, interval = 10, i;
	wsp_workspace *ws;
	wsp_error err;
	ssize_t n;

	if (argc == 4 && !strcmp(argv[1], "--writer"))
		return writer(atoi(argv[2]), atoi(argv[3]));
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--lines") && i + 1 < argc)
			lines = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--interval") && i + 1 < argc)
			interval = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--dir") && i + 1 < argc)
			dir = argv[++i];
		else {
			fprintf(stderr, "usage: bench_follow [--lines N] "
					"[--interval MS] [--dir DIR]\n");
			return 2;
		}
	}
	if (lines < 1 || lines > MAX_LINES || interval < 0)
		die("--lines 1..100000 and --interval >= 0", NULL);
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		die("readlink /proc/self/exe", NULL);
	self[n] = '\0';
	if (!dir && !(dir = mkdtemp(tmpl)))
		die("mkdtemp", NULL);
	snprintf(cfg, sizeof(cfg),
		 "sandbox:\n"
		 "  provider: local\n"
		 "  id: bench-follow\n"
		 "  options:\n"
		 "    isolation: none\n"
		 "    working_dir: %s/ws\n"
		 "    state_dir: %s/state\n",
		 dir, dir);
	oo.config_text = cfg;
	oo.config_name = "<bench>";
	if (wsp_workspace_open(&ws, &oo, &err))
		die("open", &err);
	follow_once(&fol, ws, self, lines, interval, 0);
	follow_once(&pol, ws, self, lines, interval, 1);
	printf("\n%d lines, one every %d ms, followed from a background "
	       "process (local sandbox)\n\n",
	       lines, interval);
	printf("%-28s %14s %14s %10s\n", "", "WSP_OUTPUT_FOLLOW", "poll 250 ms",
	       "ratio");
	printf("%-28s %14d %14d\n", "lines delivered", fol.lines, pol.lines);
	printf("%-28s %11.2f ms %11.2f ms %9.3fx\n", "latency p50", fol.p50,
	       pol.p50, fol.p50 / pol.p50);
	printf("%-28s %11.2f ms %11.2f ms %9.3fx\n", "latency p99", fol.p99,
	       pol.p99, fol.p99 / pol.p99);
	printf("%-28s %11.2f ms %11.2f ms %9.3fx\n", "latency max", fol.max,
	       pol.max, fol.max / pol.max);
	printf("%-28s %11.2f ms %11.2f ms %9.3fx\n", "follower CPU", fol.cpu_ms,
	       pol.cpu_ms, fol.cpu_ms / pol.cpu_ms);
	printf("%-28s %11.0f ms %11.0f ms\n", "wall", fol.wall_ms, pol.wall_ms);
	wsp_workspace_close(ws);
	return fol.lines == lines && pol.lines == lines ? 0 : 1;
}
