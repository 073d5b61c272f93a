/*
 * bench/mcp/bench_mcp.c - how fast `wsp mcp` answers and how little it
 * holds: the round-trip time of ping, of tools/call execute_command
 * "true" and of tools/call read_file (a 4 KiB file), p50 and p99 over N
 * calls each, and the resident memory (VmRSS, VmHWM) of the server idle
 * after initialize and again after the calls. Mastra's node process
 * holds ~90 MB; the goal here is <= 8 MiB idle.
 *
 *   bench_mcp [--quick] [-n N] [--isolation none|bwrap|auto]
 */
#include <errno.h>
#include <ftw.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test_files.h"
#include "test_proc.h"

extern char **environ;

struct server {
	pid_t pid;
	int to, from;
	char buf[1 << 16];
	size_t len;
};

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void die(const char *what)
{
	fprintf(stderr, "bench_mcp: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void start(struct server *s, const char *config)
{
	posix_spawn_file_actions_t fa;
	int in[2], out[2];
	char *argv[] = {(char *)WSP_CLI, "--config", (char *)config, "mcp",
			NULL};

	if (pipe(in) || pipe(out))
		die("pipe");
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_addclose(&fa, in[1]);
	posix_spawn_file_actions_addclose(&fa, out[0]);
	if (posix_spawn(&s->pid, WSP_CLI, &fa, NULL, argv, environ))
		die("spawn wsp");
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]);
	close(out[1]);
	s->to = in[1];
	s->from = out[0];
	s->len = 0;
}

/* Send one line, wait for the answer with that id (skip notifications). */
static void call(struct server *s, const char *line, int id)
{
	char want[32], *nl;
	size_t n = strlen(line);
	ssize_t r;

	if (write(s->to, line, n) != (ssize_t)n || write(s->to, "\n", 1) != 1)
		die("write");
	snprintf(want, sizeof(want), "\"id\":%d,", id);
	for (;;) {
		while ((nl = memchr(s->buf, '\n', s->len))) {
			int hit = memmem(s->buf, (size_t)(nl - s->buf), want,
					 strlen(want)) != NULL;

			s->len -= (size_t)(nl + 1 - s->buf);
			memmove(s->buf, nl + 1, s->len);
			if (hit)
				return;
		}
		if (s->len == sizeof(s->buf))
			s->len = 0; /* an answer longer than the buffer */
		r = read(s->from, s->buf + s->len, sizeof(s->buf) - s->len);
		if (r <= 0) {
			fprintf(stderr, "bench_mcp: the server closed\n");
			exit(1);
		}
		s->len += (size_t)r;
	}
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Time n calls of {"jsonrpc":"2.0","id":<id>,<rest>. */
static void measure(struct server *s, const char *label, const char *rest,
		    int n, int *id)
{
	double *t = malloc((size_t)n * sizeof(*t)), t0;
	char line[512];
	int i;

	for (i = 0; i < n; i++) {
		snprintf(line, sizeof(line),
			 "{\"jsonrpc\":\"2.0\",\"id\":%d,%s", ++*id, rest);
		t0 = now_us();
		call(s, line, *id);
		t[i] = now_us() - t0;
	}
	qsort(t, (size_t)n, sizeof(*t), cmp);
	printf("| %-34s | %6d | %9.1f | %9.1f | %9.1f |\n", label, n, t[n / 2],
	       t[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1], t[n - 1]);
	free(t);
}

int main(int argc, char **argv)
{
	const char *isolation = "auto";
	char dir[] = "/tmp/wsp-bench-mcp-XXXXXX", config[256], path[300];
	struct server s;
	int i, n = 1000, id = 1, status;
	long rss0, rss1, hwm, pss, priv;
	FILE *fp;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick"))
			n = 100;
		else if (!strcmp(argv[i], "-n") && i + 1 < argc)
			n = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--isolation") && i + 1 < argc)
			isolation = argv[++i];
		else {
			fprintf(stderr, "usage: bench_mcp [--quick] [-n N] "
					"[--isolation none|bwrap|auto]\n");
			return 2;
		}
	}
	if (n < 1)
		n = 1;
	if (!mkdtemp(dir))
		die("mkdtemp");
	snprintf(path, sizeof(path), "%s/work", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/work/page.txt", dir);
	fp = fopen(path, "w");
	for (i = 0; i < 64; i++)
		fprintf(fp,
			"line %02d of a small text file read by the bench.."
			"......\n",
			i);
	fclose(fp);
	snprintf(config, sizeof(config), "%s/wsp.yaml", dir);
	fp = fopen(config, "w");
	fprintf(fp,
		"sandbox:\n  provider: local\n  options:\n"
		"    working_dir: %s/work\n    isolation: %s\n"
		"    state_dir: %s/state\n"
		"mounts:\n  /:\n    provider: local\n    options:\n"
		"      base_path: %s/work\n",
		dir, isolation, dir, dir);
	fclose(fp);

	start(&s, config);
	call(&s,
	     "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\","
	     "\"params\":{\"protocolVersion\":\"2025-06-18\","
	     "\"capabilities\":{},\"clientInfo\":{\"name\":\"bench\","
	     "\"version\":\"1\"}}}",
	     1);
	usleep(200000);
	rss0 = test_proc_kib(s.pid, "status", "VmRSS:");
	pss = test_proc_kib(s.pid, "smaps_rollup", "Pss:");
	priv = test_proc_kib(s.pid, "smaps_rollup", "Private_Dirty:");

	printf("wsp mcp round trips (isolation: %s), microseconds\n\n",
	       isolation);
	printf("| %-34s | %6s | %9s | %9s | %9s |\n", "call", "n", "p50", "p99",
	       "max");
	printf("|------------------------------------|--------|-----------|"
	       "-----------|-----------|\n");
	measure(&s, "ping", "\"method\":\"ping\"}", n, &id);
	measure(&s, "tools/call execute_command \"true\"",
		"\"method\":\"tools/call\","
		"\"params\":{\"name\":\"execute_command\",\"arguments\":"
		"{\"command\":\"true\"}}}",
		n, &id);
	measure(&s, "tools/call read_file (4 KiB)",
		"\"method\":\"tools/call\","
		"\"params\":{\"name\":\"read_file\",\"arguments\":"
		"{\"path\":\"page.txt\"}}}",
		n, &id);
	usleep(200000);
	rss1 = test_proc_kib(s.pid, "status", "VmRSS:");
	hwm = test_proc_kib(s.pid, "status", "VmHWM:");
	printf("\n| %-34s | %9s |\n", "wsp mcp memory", "KiB");
	printf("|------------------------------------|-----------|\n");
	printf("| %-34s | %9ld |\n", "RSS idle, initialized (goal 8192)", rss0);
	printf("| %-34s | %9ld |\n", "  of which private dirty", priv);
	printf("| %-34s | %9ld |\n", "  PSS (shared pages split)", pss);
	printf("| %-34s | %9ld |\n", "RSS idle after the calls", rss1);
	printf("| %-34s | %9ld |\n", "peak RSS (VmHWM)", hwm);

	close(s.to);
	waitpid(s.pid, &status, 0);
	close(s.from);
	test_remove_tree(dir);
	return rss0 > 0 && WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : 1;
}
