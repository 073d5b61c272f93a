/*
 * bench/search/tree.c - the generated tree, the workspace and timing that
 * bench_search and bench_search_vec share (tree.h).
 */
#include "tree.h"

#include <wsp/wsp.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

char vocab[VOCAB][16];
static double cumul[VOCAB];

void make_vocab(void)
{
	static const char *const syl[] = { "ba", "ke", "do", "ti", "ru",
					   "mi", "so", "la", "ne", "po",
					   "gu", "fa", "zi", "wo", "he",
					   "ca" };
	double sum = 0;
	int r, k, v;

	for (r = 0; r < VOCAB; r++) {
		vocab[r][0] = '\0';
		for (v = r + 1, k = 0; k < 3 || v; k++, v /= 16)
			strcat(vocab[r], syl[v % 16]);
		sum += 1.0 / (r + 1);
		cumul[r] = sum;
	}
	for (r = 0; r < VOCAB; r++)
		cumul[r] /= sum;
}

double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void die(const char *what, const char *why)
{
	fprintf(stderr, "bench_search: %s: %s\n", what, why);
	exit(1);
}

static uint64_t rnd_state = 88172645463325252ull;
uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/* A word of the vocabulary with Zipf frequency. */
static const char *zipf_word(void)
{
	double u = (double)(rnd() >> 11) / 9007199254740992.0;
	int lo = 0, hi = VOCAB - 1, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (cumul[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return vocab[lo];
}

uint64_t make_tree(const char *dir, long n)
{
	char path[1200], marker[1200], line[256];
	uint64_t bytes = 0;
	struct stat st;
	long i;
	int l, w, len;
	FILE *f;

	snprintf(marker, sizeof(marker), "%s/tree/.zipf-%ld", dir, n);
	snprintf(path, sizeof(path), "%s/tree", dir);
	mkdir(path, 0755);
	for (i = 0; i < n; i++) {
		if (i % 1000 == 0) {
			snprintf(path, sizeof(path), "%s/tree/d%03ld", dir,
				 i / 1000);
			mkdir(path, 0755);
		}
		snprintf(path, sizeof(path), "%s/tree/d%03ld/f%06ld.md", dir,
			 i / 1000, i);
		if (!stat(marker, &st) && !stat(path, &st)) {
			bytes += (uint64_t)st.st_size;
			continue;
		}
		f = fopen(path, "w");
		if (!f)
			die(path, strerror(errno));
		for (l = 0; l < 10; l++) {
			len = 0;
			for (w = 0; w < 8; w++)
				len += snprintf(line + len,
						sizeof(line) - (size_t)len,
						"%s%s", w ? " " : "",
						zipf_word());
			if (l == 5)
				len += snprintf(line + len,
						sizeof(line) - (size_t)len,
						" uniq%06ld", i);
			bytes += (uint64_t)fprintf(f, "%s\n", line);
		}
		fclose(f);
	}
	f = fopen(marker, "w");
	if (f)
		fclose(f);
	return bytes;
}

uint64_t prepare_tree(char *dir, size_t cap, const char *user_dir,
		      const char *name, long n)
{
	if (user_dir)
		snprintf(dir, cap, "%s", user_dir);
	else
		snprintf(dir, cap, "%s/%s",
			 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", name);
	mkdir(dir, 0755);
	make_vocab();
	return make_tree(dir, n);
}

static double shell(const char *cmd)
{
	double t = now();

	if (system(cmd) != 0)
		die(cmd, "failed");
	return now() - t;
}

double read_tree(const char *dir, const char **what)
{
	char cmd[1400];
	int rg = !system("command -v rg >/dev/null 2>&1");

	if (rg)
		snprintf(cmd, sizeof(cmd),
			 "cd '%s/tree' && rg --files | xargs cat > /dev/null",
			 dir);
	else
		snprintf(cmd, sizeof(cmd),
			 "cd '%s/tree' && find . -type f -print0 | xargs -0 "
			 "cat > /dev/null",
			 dir);
	*what = rg ? "rg --files | xargs cat" : "find -print0 | xargs -0 cat";
	shell(cmd); /* warm the cache first */
	return shell(cmd);
}

static wsp_workspace *ws;
static wsp_tools *tools;

void open_ws(const char *dir, const char *index, const char *search_extra)
{
	wsp_open_opts o = WSP_OPEN_OPTS_INIT;
	wsp_tools_opts to = WSP_TOOLS_OPTS_INIT;
	char yaml[8192];
	wsp_error err;

	snprintf(yaml, sizeof(yaml),
		 "mounts:\n  /:\n    provider: local\n    options:\n"
		 "      base_path: %s\n"
		 "search:\n  auto_index_paths: [/tree]\n"
		 "  index_path: %s/%s\n%s",
		 dir, dir, index, search_extra ? search_extra : "");
	o.config_text = yaml;
	o.config_name = "<bench>";
	if (wsp_workspace_open(&ws, &o, &err) ||
	    wsp_tools_open(&tools, ws, &to, &err))
		die("open", err.message);
}

void close_ws(void)
{
	wsp_tools_close(tools);
	wsp_workspace_close(ws);
}

double search_args(const char *args, const char *mode)
{
	wsp_tool_result r = { .struct_size = sizeof(r) };
	char want[64];
	wsp_error err;
	double t = now();

	if (wsp_tool_call(&r, tools, "search", args, NULL, &err))
		die("search", err.message);
	t = now() - t;
	if (r.is_error)
		die("search", r.text);
	snprintf(want, sizeof(want), "(%s search)", mode);
	if (!strstr(r.text, want))
		die("search", "unexpected answer");
	wsp_tool_result_release(&r);
	return t;
}

void tool_call(const char *tool, const char *args)
{
	wsp_tool_result r = { .struct_size = sizeof(r) };
	wsp_error err;

	if (wsp_tool_call(&r, tools, tool, args, NULL, &err))
		die(tool, err.message);
	if (r.is_error)
		die(tool, r.text);
	wsp_tool_result_release(&r);
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double percentile(double *v, int n, int p)
{
	int i = (n * p) / 100;

	qsort(v, (size_t)n, sizeof(*v), cmp_d);
	return v[i < n ? i : n - 1];
}
