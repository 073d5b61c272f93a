/*
 * bench/search/tree.h - what bench_search and bench_search_vec share: the
 * generated tree of text files, a workspace on it with the `search`
 * tool, timing.
 */
#ifndef WSP_BENCH_SEARCH_TREE_H
#define WSP_BENCH_SEARCH_TREE_H

#include <stddef.h>
#include <stdint.h>

/*
 * A made-up vocabulary of VOCAB words ("bakedo", "tirumi", ...) used with
 * Zipf frequencies (rank r drawn with weight 1/r), as words are in real
 * text: the first ones are in nearly every file, most are rare.
 */
#define VOCAB 5000
extern char vocab[VOCAB][16];

void make_vocab(void);
/* xorshift: the same tree and queries every run */
uint64_t rnd(void);
double now(void);
void die(const char *what, const char *why);

/*
 * dir/tree/dNNN/fNNNNNN.md, n files of 10 lines of 8 Zipf words and one
 * word of its own ("uniqNNNNNN") on line 6; kept when a marker says the
 * same n was written before. Returns the bytes of the tree.
 */
uint64_t make_tree(const char *dir, long n);

/* dir (cap bytes) set to user_dir, else $TMPDIR/name, created, and the
 * vocabulary and a tree of n files made there: make_tree's bytes. */
uint64_t prepare_tree(char *dir, size_t cap, const char *user_dir,
		      const char *name, long n);

/* The tree read with standard tools (rg, else find | xargs cat), warm:
 * seconds; *what names the command. */
double read_tree(const char *dir, const char **what);

/*
 * Open a workspace on dir (local mount at /, auto_index_paths /tree, the
 * index at dir/INDEX), search_extra appended to its search: section
 * (lines indented by two spaces). Closed by close_ws.
 */
void open_ws(const char *dir, const char *index, const char *search_extra);
void close_ws(void);

/* Seconds of one search tool call with args JSON; dies unless it answers
 * "(MODE search)". */
double search_args(const char *args, const char *mode);

/* A tool call that must succeed (its answer dropped). */
void tool_call(const char *tool, const char *args);

/* The p-th percentile (0..100) of v[0..n) (sorted in place). */
double percentile(double *v, int n, int p);

#endif
