/*
 * bench/search/bench_search.c - workspace search (issue 20) on a
 * generated tree of N text files (default 100000, about 600 bytes each,
 * words of a made-up vocabulary with Zipf frequencies)
 * on a local mount, through the public tool API (`search`, as an agent
 * calls it):
 *
 *   first index: the first search of a process with no index yet (list,
 *                read every file through the file API, chunk, insert)
 *   re-check:    the first search of the next process (every file's size
 *                and mtime compared; nothing changed)
 *   query:       p50 and p99 of Q searches of two words (below the 100
 *                most common) on the open index; p50 of a unique word
 *                with a common one; the most common word alone (worst)
 *
 * beside `rg --files | xargs cat` reading the same tree (or, without
 * ripgrep, `find -type f -print0 | xargs -0 cat`), so the index's
 * throughput is read against the cost of just reading the files. Caches
 * are warm for both (the tree was just written, or read once before).
 */
#include <wsp/wsp.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char dir[1024];
static long n_files = 100000;
static int n_queries = 200;

/*
 * A made-up vocabulary of VOCAB words ("bakedo", "tirumi", ...) used with
 * Zipf frequencies (rank r drawn with weight 1/r), as words are in real
 * text: the first ones are in nearly every file, most are rare.
 */
#define VOCAB 5000
static char vocab[VOCAB][16];
static double cumul[VOCAB];

static void make_vocab(void)
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

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *why)
{
	fprintf(stderr, "bench_search: %s: %s\n", what, why);
	exit(1);
}

/* xorshift: the same tree every run */
static uint64_t rnd_state = 88172645463325252ull;
static uint64_t rnd(void)
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

/* dir/tree/dNNN/fNNNNNN.md; each file 10 lines of 8 words and one word
 * of its own ("uniqNNNNNN"), so a unique term exists for every file. */
static uint64_t make_tree(void)
{
	char path[1200], marker[1200], line[256];
	uint64_t bytes = 0;
	struct stat st;
	long i;
	int l, w, n;
	FILE *f;

	snprintf(marker, sizeof(marker), "%s/tree/.zipf-%ld", dir, n_files);
	snprintf(path, sizeof(path), "%s/tree", dir);
	mkdir(path, 0755);
	for (i = 0; i < n_files; i++) {
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
			n = 0;
			for (w = 0; w < 8; w++)
				n += snprintf(line + n, sizeof(line) - (size_t)n,
					      "%s%s", w ? " " : "",
					      zipf_word());
			if (l == 5)
				n += snprintf(line + n, sizeof(line) - (size_t)n,
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

static wsp_workspace *ws;
static wsp_tools *tools;

static void open_ws(void)
{
	wsp_open_options o = WSP_OPEN_OPTIONS_INIT;
	wsp_tools_options to = WSP_TOOLS_OPTIONS_INIT;
	char yaml[4096];
	wsp_error err;

	snprintf(yaml, sizeof(yaml),
		 "mounts:\n  /:\n    provider: local\n    options:\n"
		 "      base_path: %s\n"
		 "search:\n  auto_index_paths: [/tree]\n"
		 "  index_path: %s/index.sqlite\n",
		 dir, dir);
	o.config_text = yaml;
	o.config_name = "<bench>";
	if (wsp_workspace_open(&ws, &o, &err) ||
	    wsp_tools_open(&tools, ws, &to, &err))
		die("open", err.message);
}

static void close_ws(void)
{
	wsp_tools_close(tools);
	wsp_workspace_close(ws);
}

static double search(const char *query)
{
	wsp_tool_result r = { .struct_size = sizeof(r) };
	char args[256];
	wsp_error err;
	double t = now();

	snprintf(args, sizeof(args), "{\"query\":\"%s\"}", query);
	if (wsp_tool_call(&r, tools, "search", args, NULL, &err))
		die("search", err.message);
	t = now() - t;
	if (r.is_error)
		die("search", r.text);
	if (!strstr(r.text, "(bm25 search)"))
		die("search", "unexpected answer");
	wsp_tool_result_release(&r);
	return t;
}

static double shell(const char *cmd)
{
	double t = now();

	if (system(cmd) != 0)
		die(cmd, "failed");
	return now() - t;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	char cmd[2400], q[64], *user_dir = NULL;
	double t_first, t_recheck, t_cat, *lat, p50, p99, u50, w50;
	uint64_t bytes;
	int i, have_rg;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick"))
			n_files = 10000, n_queries = 50;
		else if (!strcmp(argv[i], "--files") && i + 1 < argc)
			n_files = strtol(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--queries") && i + 1 < argc)
			n_queries = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--dir") && i + 1 < argc)
			user_dir = argv[++i];
		else
			die(argv[i], "usage: bench_search [--quick] "
				     "[--files N] [--queries Q] [--dir DIR]");
	}
	if (n_files < 1 || n_queries < 1)
		die("arguments", "--files and --queries must be positive");
	if (user_dir)
		snprintf(dir, sizeof(dir), "%s", user_dir);
	else
		snprintf(dir, sizeof(dir), "%s/wsp-bench-search",
			 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	mkdir(dir, 0755);
	make_vocab();
	bytes = make_tree();
	printf("bench_search: %ld files, %.1f MiB, in %s\n", n_files,
	       (double)bytes / 1048576.0, dir);

	/* reading the same tree with standard tools (warm cache: twice) */
	if (!system("command -v rg >/dev/null 2>&1"))
		snprintf(cmd, sizeof(cmd),
			 "cd '%s/tree' && rg --files | xargs cat > /dev/null",
			 dir);
	else
		snprintf(cmd, sizeof(cmd),
			 "cd '%s/tree' && find . -type f -print0 | xargs -0 "
			 "cat > /dev/null",
			 dir);
	shell(cmd);
	t_cat = shell(cmd);
	have_rg = strstr(cmd, "rg --files") != NULL;

	snprintf(cmd, sizeof(cmd), "%s/index.sqlite", dir);
	unlink(cmd);
	snprintf(cmd, sizeof(cmd), "%s/index.sqlite-wal", dir);
	unlink(cmd);
	open_ws();
	t_first = search(vocab[500]);
	close_ws();
	open_ws();
	t_recheck = search(vocab[500]);

	/* n_queries, and 20 for the worst case */
	lat = calloc((size_t)(n_queries > 20 ? n_queries : 20), sizeof(*lat));
	if (!lat)
		die("memory", strerror(errno));
	/* two words an agent might look for: below the 100 most common */
	for (i = 0; i < n_queries; i++) {
		snprintf(q, sizeof(q), "%s %s",
			 vocab[100 + rnd() % (VOCAB - 100)],
			 vocab[100 + rnd() % (VOCAB - 100)]);
		lat[i] = search(q);
	}
	qsort(lat, (size_t)n_queries, sizeof(*lat), cmp_d);
	p50 = lat[n_queries / 2];
	p99 = lat[(n_queries * 99) / 100 < n_queries ? (n_queries * 99) / 100
						     : n_queries - 1];
	/* a file's unique word with a common one */
	for (i = 0; i < n_queries; i++) {
		snprintf(q, sizeof(q), "uniq%06ld %s",
			 (long)(rnd() % (uint64_t)n_files), vocab[rnd() % 20]);
		lat[i] = search(q);
	}
	qsort(lat, (size_t)n_queries, sizeof(*lat), cmp_d);
	u50 = lat[n_queries / 2];
	/* worst case: the most common word, in nearly every chunk */
	for (i = 0; i < 20; i++)
		lat[i] = search(vocab[0]);
	qsort(lat, 20, sizeof(*lat), cmp_d);
	w50 = lat[10];
	close_ws();

	printf("\n%-44s %12s %14s\n", "", "seconds", "MiB/s (files/s)");
	printf("%-44s %12.3f %8.1f (%.0f)\n", "first index (search tool, cold index)",
	       t_first, (double)bytes / 1048576.0 / t_first,
	       (double)n_files / t_first);
	printf("%-44s %12.3f %8.1f (%.0f)\n",
	       have_rg ? "rg --files | xargs cat"
					 : "find -print0 | xargs -0 cat",
	       t_cat, (double)bytes / 1048576.0 / t_cat,
	       (double)n_files / t_cat);
	printf("%-44s %12.3f %8s (%.0f)\n", "re-check on reopen (nothing changed)",
	       t_recheck, "", (double)n_files / t_recheck);
	printf("\nquery, top 5 (goal: p50 <= 20 ms):\n"
	       "  2 words below the 100 most common (%d): p50 %.2f ms, p99 "
	       "%.2f ms\n"
	       "  a unique word + one of the 20 most common (%d): p50 %.2f "
	       "ms\n"
	       "  the most common word alone ('%s', worst case): p50 %.2f "
	       "ms\n",
	       n_queries, p50 * 1e3, p99 * 1e3, n_queries, u50 * 1e3,
	       vocab[0], w50 * 1e3);
	free(lat);
	return 0;
}
