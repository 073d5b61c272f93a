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
 *                with a common one; the most common word alone (worst):
 *                its first query in the process and the first after an
 *                edit (each builds the word's list, core/search_impact.c),
 *                then p50 of 20
 *
 * beside `rg --files | xargs cat` reading the same tree (or, without
 * ripgrep, `find -type f -print0 | xargs -0 cat`), so the index's
 * throughput is read against the cost of just reading the files. Caches
 * are warm for both (the tree was just written, or read once before).
 */
#include "tree.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[1024];
static long n_files = 100000;
static int n_queries = 200;

static double search(const char *query)
{
	char args[256];

	snprintf(args, sizeof(args), "{\"query\":\"%s\"}", query);
	return search_args(args, "bm25");
}

/* An edit through wsp (the index follows it, dropping the lists). */
static void edit(int i)
{
	char args[256];

	snprintf(args, sizeof(args),
		 "{\"path\":\"/tree/edited.md\",\"content\":\"%s %d\\n\"}",
		 vocab[i % VOCAB], i);
	tool_call("write_file", args);
}

int main(int argc, char **argv)
{
	char path[1200], q[64], *user_dir = NULL;
	double t_first, t_recheck, t_cat, *lat, p50, p99, u50, w50, w_first,
		w_edit;
	const char *cat;
	uint64_t bytes;
	int i;

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
	bytes = prepare_tree(dir, sizeof(dir), user_dir, "wsp-bench-search",
			     n_files);
	printf("bench_search: %ld files, %.1f MiB, in %s\n", n_files,
	       (double)bytes / 1048576.0, dir);

	/* reading the same tree with standard tools */
	t_cat = read_tree(dir, &cat);

	snprintf(path, sizeof(path), "%s/tree/edited.md", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/index.sqlite", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/index.sqlite-wal", dir);
	unlink(path);
	open_ws(dir, "index.sqlite", NULL);
	t_first = search(vocab[500]);
	close_ws();
	open_ws(dir, "index.sqlite", NULL);
	t_recheck = search(vocab[500]);

	/* n_queries, and 20 for the worst case */
	lat = calloc((size_t)(n_queries > 20 ? n_queries : 20), sizeof(*lat));
	if (!lat)
		die("memory", strerror(errno));
	/* the most common word's first query: its list is built */
	w_first = search(vocab[0]);
	/* two words an agent might look for: below the 100 most common */
	for (i = 0; i < n_queries; i++) {
		snprintf(q, sizeof(q), "%s %s",
			 vocab[100 + rnd() % (VOCAB - 100)],
			 vocab[100 + rnd() % (VOCAB - 100)]);
		lat[i] = search(q);
	}
	p50 = percentile(lat, n_queries, 50);
	p99 = percentile(lat, n_queries, 99);
	/* a file's unique word with a common one */
	for (i = 0; i < n_queries; i++) {
		snprintf(q, sizeof(q), "uniq%06ld %s",
			 (long)(rnd() % (uint64_t)n_files), vocab[rnd() % 20]);
		lat[i] = search(q);
	}
	u50 = percentile(lat, n_queries, 50);
	/* worst case: the most common word, in nearly every chunk */
	for (i = 0; i < 20; i++)
		lat[i] = search(vocab[0]);
	w50 = percentile(lat, 20, 50);
	/* after an edit the lists are built again: median of 5 */
	for (i = 0; i < 5; i++) {
		edit(i);
		lat[i] = search(vocab[0]);
	}
	w_edit = percentile(lat, 5, 50);
	close_ws();
	snprintf(path, sizeof(path), "%s/tree/edited.md", dir);
	unlink(path);

	printf("\n%-44s %12s %14s\n", "", "seconds", "MiB/s (files/s)");
	printf("%-44s %12.3f %8.1f (%.0f)\n",
	       "first index (search tool, cold index)", t_first,
	       (double)bytes / 1048576.0 / t_first, (double)n_files / t_first);
	printf("%-44s %12.3f %8.1f (%.0f)\n", cat, t_cat,
	       (double)bytes / 1048576.0 / t_cat, (double)n_files / t_cat);
	printf("%-44s %12.3f %8s (%.0f)\n",
	       "re-check on reopen (nothing changed)", t_recheck, "",
	       (double)n_files / t_recheck);
	printf("\nquery, top 5 (goal: p50 <= 20 ms):\n"
	       "  2 words below the 100 most common (%d): p50 %.2f ms, p99 "
	       "%.2f ms\n"
	       "  a unique word + one of the 20 most common (%d): p50 %.2f "
	       "ms\n"
	       "  the most common word alone ('%s', worst case): p50 %.2f "
	       "ms\n"
	       "    its first query in the process (list built): %.2f ms\n"
	       "    its first query after an edit (lists built again, "
	       "median of 5): %.2f ms\n",
	       n_queries, p50 * 1e3, p99 * 1e3, n_queries, u50 * 1e3,
	       vocab[0], w50 * 1e3, w_first * 1e3, w_edit * 1e3);
	free(lat);
	return 0;
}
