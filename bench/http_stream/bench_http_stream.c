/*
 * bench/http_stream/bench_http_stream.c - N concurrent chunked streams
 * from a local server (tests/http-stream/stream_server.c, its own
 * process) read two ways: through the streaming engine on one thread
 * (core/http_stream*.c), and with one thread per stream each running a
 * blocking curl_easy_perform(). Each way runs in a child process of its
 * own, so wait4() gives that way's CPU time and peak RSS alone. Every
 * byte is checked against the server's pattern in both.
 *
 *   bench_http_stream [--quick] [-n STREAMS] [--chunks N] [--size BYTES]
 *                     [--gap MS]
 *
 * Goal: the engine holds 500 streams in <= 64 MiB resident.
 */
#include "http_stream.h"
#include "stream_server_proc.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct cfg {
	int n, chunks, size, gap;
	char url[256];
};

/* What one child reports back through its pipe. */
struct result {
	double wall_s;
	long long bytes;
	int ok, failed, bad_bytes;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One stream's reader: bytes seen and pattern errors. */
struct reader {
	long long got;
	int bad;
};

static void check(struct reader *r, const char *data, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (data[i] !=
		    (char)('a' + (size_t)(r->got + (long long)i) % 26))
			r->bad++;
	r->got += (long long)len;
}

/* --- the engine: every stream on its one loop thread --- */

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int done_n, failed_n;

static int eng_data(wsp__hs_stream *s, const char *data, size_t len, void *p)
{
	(void)s;
	check(p, data, len);
	return 0;
}

static void eng_done(wsp__hs_stream *s, long status, const wsp_error *err,
		     void *p)
{
	(void)s;
	(void)status;
	(void)p;
	pthread_mutex_lock(&mu);
	done_n++;
	if (err) {
		if (failed_n++ < 3)
			fprintf(stderr, "bench_http_stream: %s\n",
				err->message);
	}
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
}

static void run_engine(const struct cfg *c, struct result *res)
{
	struct reader *rd = calloc((size_t)c->n, sizeof(*rd));
	wsp__hs_stream **s = calloc((size_t)c->n, sizeof(*s));
	wsp__hs_engine *eng = NULL;
	wsp_error err = {0};
	double t0;

	if (!rd || !s || wsp__hs_engine_new(&eng, &err)) {
		res->failed = c->n;
		return;
	}
	t0 = now_s();
	for (int i = 0; i < c->n; i++) {
		wsp__hs_request r = {.method = "GET",
				     .url = c->url,
				     .on_data = eng_data,
				     .on_done = eng_done,
				     .payload = &rd[i]};

		if (wsp__hs_start(eng, &r, &s[i], &err)) {
			fprintf(stderr, "bench_http_stream: %s\n", err.message);
			res->failed++;
		}
	}
	pthread_mutex_lock(&mu);
	while (done_n < c->n - res->failed)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
	res->wall_s = now_s() - t0;
	res->failed += failed_n;
	for (int i = 0; i < c->n; i++) {
		res->bytes += rd[i].got;
		res->bad_bytes += rd[i].bad;
		wsp__hs_release(s[i]);
	}
	res->ok = c->n - res->failed;
	wsp__hs_engine_free(eng);
	free(rd);
	free(s);
}

/* --- a thread per stream, each a blocking transfer --- */

struct worker {
	pthread_t t;
	const struct cfg *c;
	struct reader rd;
	CURLcode rc;
};

static size_t thr_write(char *data, size_t size, size_t n, void *p)
{
	check(p, data, size * n);
	return size * n;
}

static void *thr_main(void *arg)
{
	struct worker *w = arg;
	CURL *h = curl_easy_init();

	if (!h) {
		w->rc = CURLE_OUT_OF_MEMORY;
		return NULL;
	}
	curl_easy_setopt(h, CURLOPT_URL, w->c->url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 30L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, thr_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &w->rd);
	w->rc = curl_easy_perform(h);
	curl_easy_cleanup(h);
	return NULL;
}

static void run_threads(const struct cfg *c, struct result *res)
{
	struct worker *w = calloc((size_t)c->n, sizeof(*w));
	bool *started = calloc((size_t)c->n, sizeof(*started));
	double t0;

	if (!w || !started) {
		res->failed = c->n;
		return;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	t0 = now_s();
	for (int i = 0; i < c->n; i++) {
		w[i].c = c;
		started[i] = !pthread_create(&w[i].t, NULL, thr_main, &w[i]);
	}
	for (int i = 0; i < c->n; i++) {
		if (!started[i]) {
			res->failed++;
			continue;
		}
		pthread_join(w[i].t, NULL);
		res->bytes += w[i].rd.got;
		res->bad_bytes += w[i].rd.bad;
		if (w[i].rc != CURLE_OK) {
			if (res->failed++ < 3)
				fprintf(stderr, "bench_http_stream: %s\n",
					curl_easy_strerror(w[i].rc));
		}
	}
	res->wall_s = now_s() - t0;
	res->ok = c->n - res->failed;
	curl_global_cleanup();
	free(w);
	free(started);
}

/* Run one way in a child; its result, CPU seconds and peak RSS (KiB). */
static int measure(const struct cfg *c, bool engine, struct result *res,
		   double *cpu_s, long *rss_kib)
{
	struct rusage ru;
	int fds[2], status;
	pid_t pid;

	memset(res, 0, sizeof(*res));
	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		struct result r = {0};

		close(fds[0]);
		if (engine)
			run_engine(c, &r);
		else
			run_threads(c, &r);
		if (write(fds[1], &r, sizeof(r)) != (ssize_t)sizeof(r))
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	if (read(fds[0], res, sizeof(*res)) != (ssize_t)sizeof(*res))
		res->failed = c->n;
	close(fds[0]);
	if (wait4(pid, &status, 0, &ru) != pid)
		return -1;
	*cpu_s = (double)ru.ru_utime.tv_sec +
		 (double)ru.ru_utime.tv_usec / 1e6 +
		 (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	*rss_kib = ru.ru_maxrss;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static void row(const char *label, const struct result *r, double cpu, long rss)
{
	double mib = (double)r->bytes / (1 << 20);

	printf("| %-28s | %5d | %8.1f | %7.2f | %8.1f | %7.2f | %9.1f |\n",
	       label, r->ok, mib, r->wall_s,
	       r->wall_s > 0 ? mib / r->wall_s : 0, cpu, (double)rss / 1024);
}

int main(int argc, char **argv)
{
	struct cfg c = {.n = 500, .chunks = 100, .size = 4096, .gap = 20};
	struct stream_server_proc srv;
	struct result re, rt;
	double cpu_e = 0, cpu_t = 0;
	long rss_e = 0, rss_t = 0;
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick")) {
			c.n = 100;
			c.chunks = 20;
		} else if (!strcmp(argv[i], "-n") && i + 1 < argc) {
			c.n = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--chunks") && i + 1 < argc) {
			c.chunks = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--size") && i + 1 < argc) {
			c.size = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--gap") && i + 1 < argc) {
			c.gap = atoi(argv[++i]);
		} else {
			fprintf(stderr,
				"usage: bench_http_stream [--quick] [-n "
				"STREAMS] "
				"[--chunks N] [--size BYTES] [--gap MS]\n");
			return 2;
		}
	}
	if (c.n < 1 || c.chunks < 1 || c.size < 1 || c.gap < 0)
		return 2;
	if (stream_server_proc_start(&srv, WSP_BENCH_STREAM_SERVER)) {
		fprintf(stderr,
			"bench_http_stream: the server did not start\n");
		return 1;
	}
	snprintf(c.url, sizeof(c.url),
		 "http://127.0.0.1:%d/chunks?n=%d&size=%d&gap=%d", srv.port,
		 c.chunks, c.size, c.gap);
	if (measure(&c, true, &re, &cpu_e, &rss_e) ||
	    measure(&c, false, &rt, &cpu_t, &rss_t))
		rc = 1;
	stream_server_proc_stop(&srv);
	printf("%d concurrent chunked streams (%d chunks of %d bytes, %d ms "
	       "apart) from a local server process\n\n",
	       c.n, c.chunks, c.size, c.gap);
	printf("| %-28s | %5s | %8s | %7s | %8s | %7s | %9s |\n", "client",
	       "ok", "MiB", "wall s", "MiB/s", "CPU s", "max RSS MiB");
	printf("|------------------------------|-------|----------|---------|"
	       "----------|---------|-------------|\n");
	row("engine, one loop thread", &re, cpu_e, rss_e);
	row("a thread each, blocking curl", &rt, cpu_t, rss_t);
	printf("\ngoal: the engine's max RSS <= 64 MiB for 500 streams\n");
	if (re.failed || rt.failed || re.bad_bytes || rt.bad_bytes ||
	    re.bytes != (long long)c.n * c.chunks * c.size ||
	    rt.bytes != (long long)c.n * c.chunks * c.size) {
		fprintf(stderr,
			"bench_http_stream: streams failed or bytes were "
			"wrong (engine %d failed, %d bad; threads %d failed, "
			"%d bad)\n",
			re.failed, re.bad_bytes, rt.failed, rt.bad_bytes);
		rc = 1;
	}
	return rc;
}
