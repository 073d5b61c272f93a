/*
 * bench/search/bench_search_vec.c - vector and hybrid search (issue 20)
 * beside bm25 on the same generated tree (default 30000 files, so that it
 * runs in a couple of minutes), through the public tool API, with
 * tests/embeddings/embed-server.mjs as the OpenAI-compatible embeddings
 * endpoint on 127.0.0.1 (deterministic hashed bag-of-words vectors of
 * --dim numbers; its cost is node's, a real endpoint's is the network's
 * and the model's):
 *
 *   first index: the first search of a process with no index, bm25 only
 *                (no embeddings configured), then with embeddings (the
 *                same, plus every chunk's vector: batch_size chunks a
 *                request);
 *   query:       p50 and p99 of Q searches of two words (below the 100
 *                most common) in each mode, the same queries for each,
 *                top 5 (hybrid asks each side for 10).
 */
#include "node_fake.h"
#include "tree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[1024];
static long n_files = 30000;
static int n_queries = 100, dim = 256;

static void fresh(const char *index)
{
	char path[1200];

	snprintf(path, sizeof(path), "%s/%s", dir, index);
	unlink(path);
	snprintf(path, sizeof(path), "%s/%s-wal", dir, index);
	unlink(path);
}

/* p50 and p99 of the queries in mode, in ms. */
static void run_mode(char (*q)[64], const char *mode, double *lat,
		     double *p50, double *p99)
{
	char args[256];
	int i;

	for (i = 0; i < n_queries; i++) {
		snprintf(args, sizeof(args),
			 "{\"query\":\"%s\",\"mode\":\"%s\"}", q[i], mode);
		lat[i] = search_args(args, mode);
	}
	*p50 = percentile(lat, n_queries, 50) * 1e3;
	*p99 = percentile(lat, n_queries, 99) * 1e3;
}

int main(int argc, char **argv)
{
	static const char *const modes[] = { "bm25", "vector", "hybrid" };
	const char *server[] = { WSP_BENCH_EMBED_SERVER, "--dim", NULL, NULL };
	char extra[512], dims[16], stats[256], (*q)[64], *user_dir = NULL;
	double t_bm25, t_vec, *lat, p50[3], p99[3];
	struct node_fake nf = { 0 };
	uint64_t bytes;
	int i, m;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--files") && i + 1 < argc)
			n_files = strtol(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--queries") && i + 1 < argc)
			n_queries = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--dim") && i + 1 < argc)
			dim = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--dir") && i + 1 < argc)
			user_dir = argv[++i];
		else
			die(argv[i], "usage: bench_search_vec [--files N] "
				     "[--queries Q] [--dim D] [--dir DIR]");
	}
	if (n_files < 1 || n_queries < 1 || dim < 1 || dim > 8192)
		die("arguments", "--files, --queries and --dim (up to 8192) "
				 "must be positive");
	bytes = prepare_tree(dir, sizeof(dir), user_dir,
			     "wsp-bench-search-vec", n_files);
	printf("bench_search_vec: %ld files, %.1f MiB, in %s; %d dimensions\n",
	       n_files, (double)bytes / 1048576.0, dir, dim);
	q = calloc((size_t)n_queries, sizeof(*q));
	lat = calloc((size_t)n_queries, sizeof(*lat));
	if (!q || !lat)
		die("memory", "out of memory");
	for (i = 0; i < n_queries; i++)
		snprintf(q[i], sizeof(q[i]), "%s %s",
			 vocab[100 + rnd() % (VOCAB - 100)],
			 vocab[100 + rnd() % (VOCAB - 100)]);

	/* bm25 alone */
	fresh("index-bm25.sqlite");
	open_ws(dir, "index-bm25.sqlite", NULL);
	t_bm25 = search_args("{\"query\":\"kebaba\"}", "bm25");
	close_ws();

	/* with embeddings */
	snprintf(dims, sizeof(dims), "%d", dim);
	server[2] = dims;
	if (node_fake_start(&nf, "wsp-bench-embed", server))
		die("embeddings server", "did not start");
	snprintf(extra, sizeof(extra),
		 "  embeddings:\n    url: http://127.0.0.1:%d/v1\n"
		 "    model: wsp-test-embed-1\n",
		 nf.port);
	fresh("index-vec.sqlite");
	open_ws(dir, "index-vec.sqlite", extra);
	t_vec = search_args("{\"query\":\"kebaba\",\"mode\":\"vector\"}",
			    "vector");
	dprintf(nf.stdin_fd, "stats\n");
	if (!fgets(stats, sizeof(stats), nf.stdout_f))
		die("embeddings server", "no stats");
	stats[strcspn(stats, "\n")] = '\0';
	for (m = 0; m < 3; m++)
		run_mode(q, modes[m], lat, &p50[m], &p99[m]);
	close_ws();
	node_fake_stop(&nf);

	printf("\n%-48s %10s %10s\n", "first index", "seconds", "files/s");
	printf("%-48s %10.3f %10.0f\n", "bm25 only (no embeddings)", t_bm25,
	       (double)n_files / t_bm25);
	printf("%-48s %10.3f %10.0f\n", "bm25 + vectors (batches of 64)",
	       t_vec, (double)n_files / t_vec);
	printf("  embeddings server after it: %s\n", stats + 3);
	printf("\nquery, top 5, 2 words below the 100 most common (%d each):\n",
	       n_queries);
	for (m = 0; m < 3; m++)
		printf("  %-8s p50 %8.2f ms, p99 %8.2f ms\n", modes[m], p50[m],
		       p99[m]);
	free(q);
	free(lat);
	return 0;
}
