/*
 * tests/tools/test_search_units.c - core/search_text.c with known
 * answers: chunks and their line ranges as Mastra's splitIntoChunks gives
 * them (counted in bytes), long lines cut on UTF-8 boundaries, the query's
 * terms (stopwords, short words, case, duplicates) and their FTS5 form,
 * the lines a result points at; (search_rank.c, search_impact.c) that the
 * pruned ranking answers as the full ranking does, on a generated corpus
 * and after changes; (search_bm25.c) Mastra's BM25 scores.
 */
#include "search.h"

#include "cu_main.h"

#include <CUnit/Basic.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct got {
	char buf[16][64]; /* "off+len a-b" */
	size_t n;
};

static int keep(size_t off, size_t len, uint32_t a, uint32_t b, void *p)
{
	struct got *g = p;

	if (g->n < 16)
		snprintf(g->buf[g->n++], sizeof(g->buf[0]), "%zu+%zu %u-%u",
			 off, len, a, b);
	return 0;
}

static void test_chunks(void)
{
	/* lines of 5 bytes + '\n': "l01\n" style, 6 lines */
	const char *t = "aaaa\nbbbb\ncccc\ndddd\neeee\nffff";
	struct got g = { 0 };

	/* fits: one chunk, all lines */
	wsp__search_chunk(t, strlen(t), 1000, 3, keep, &g);
	CU_ASSERT_EQUAL(g.n, 1);
	CU_ASSERT_STRING_EQUAL(g.buf[0], "0+29 1-6");

	/* 14 bytes: three lines (4+1+4+1+4), overlap 1 */
	memset(&g, 0, sizeof(g));
	wsp__search_chunk(t, strlen(t), 14, 1, keep, &g);
	CU_ASSERT_EQUAL(g.n, 3);
	CU_ASSERT_STRING_EQUAL(g.buf[0], "0+14 1-3");
	CU_ASSERT_STRING_EQUAL(g.buf[1], "10+14 3-5");
	CU_ASSERT_STRING_EQUAL(g.buf[2], "20+9 5-6");

	/* overlap as large as a chunk: no loop, moves on */
	memset(&g, 0, sizeof(g));
	wsp__search_chunk(t, strlen(t), 9, 5, keep, &g);
	CU_ASSERT_EQUAL(g.n, 3);
	CU_ASSERT_STRING_EQUAL(g.buf[2], "20+9 5-6");
}

static void test_long_line_utf8(void)
{
	/* "é" is 2 bytes: 7 of them = 14 bytes on one line, budget 5 */
	const char *t = "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
			"\xc3\xa9\nx";
	struct got g = { 0 };

	wsp__search_chunk(t, strlen(t), 5, 0, keep, &g);
	/* cut at 4 bytes (never 5, inside a character), then the rest */
	CU_ASSERT_STRING_EQUAL(g.buf[0], "0+4 1-1");
	CU_ASSERT_STRING_EQUAL(g.buf[1], "4+4 1-1");
	CU_ASSERT_STRING_EQUAL(g.buf[2], "8+4 1-1");
	CU_ASSERT_STRING_EQUAL(g.buf[3], "12+2 1-1");
	CU_ASSERT_STRING_EQUAL(g.buf[4], "15+1 2-2");
	CU_ASSERT_EQUAL(g.n, 5);
}

static void test_terms(void)
{
	struct wsp__search_terms t;
	char *q;

	CU_ASSERT_EQUAL(wsp__search_terms(&t, "The Kernel's x-y of kernel, "
					      "snake_case \"NEAR\" caf\xc3\xa9",
					  strlen("The Kernel's x-y of kernel, "
						 "snake_case \"NEAR\" "
						 "caf\xc3\xa9")),
			0);
	CU_ASSERT_EQUAL(t.n, 4);
	CU_ASSERT_STRING_EQUAL(t.v[0], "kernel");
	CU_ASSERT_STRING_EQUAL(t.v[1], "snake_case");
	CU_ASSERT_STRING_EQUAL(t.v[2], "near");
	CU_ASSERT_STRING_EQUAL(t.v[3], "caf\xc3\xa9");
	q = wsp__search_fts_query(&t);
	CU_ASSERT_STRING_EQUAL(q, "\"kernel\" OR \"snake_case\" OR \"near\" OR "
				  "\"caf\xc3\xa9\"");
	free(q);
	wsp__search_terms_free(&t);

	/* only stopwords and one-letter words: nothing to search */
	CU_ASSERT_EQUAL(wsp__search_terms(&t, "the a of I to", 13), 0);
	CU_ASSERT_EQUAL(t.n, 0);
	CU_ASSERT_PTR_NULL(wsp__search_fts_query(&t));
}

static void test_line_range(void)
{
	struct wsp__search_terms t;
	const char *chunk = "one\ntwo Kernel\nthree\nkernel four\nfive";
	uint32_t a, b;

	wsp__search_terms(&t, "kernel", 6);
	wsp__search_line_range(chunk, strlen(chunk), 40, &t, &a, &b);
	CU_ASSERT_EQUAL(a, 41);
	CU_ASSERT_EQUAL(b, 43);
	wsp__search_terms_free(&t);
	/* no term there (a prefix is no word): the chunk's range */
	wsp__search_terms(&t, "kern", 4);
	wsp__search_line_range(chunk, strlen(chunk), 40, &t, &a, &b);
	CU_ASSERT_EQUAL(a, 40);
	CU_ASSERT_EQUAL(b, 44);
	wsp__search_terms_free(&t);
}

/*
 * The ranking of wsp__sdb_rank (and, when lists says so, of its lists
 * alone) is FTS5's full ranking: the same chunks in the same order (ties
 * included) with the same scores, to the bit.
 */
static void same_answer_min(struct wsp__search_db *db, const char *query,
			    size_t k, int has_min, double min_score,
			    int lists)
{
	struct wsp__search_hits a, b, c;
	struct wsp__search_terms t;
	wsp_error err;
	char *full;
	size_t i;
	int same = 1;

	wsp__search_terms(&t, query, strlen(query));
	full = wsp__search_fts_query(&t);
	CU_ASSERT_EQUAL_FATAL(wsp__sdb_rank(&a, db, &t, k, has_min, min_score,
					    &err),
			      0);
	CU_ASSERT_EQUAL_FATAL(wsp__sdb_query(&b, db, full, k, has_min,
					     min_score, &err),
			      0);
	CU_ASSERT_EQUAL(a.n, b.n);
	for (i = 0; i < a.n && i < b.n; i++)
		same = same && a.v[i].chunk == b.v[i].chunk &&
		       a.v[i].score == b.v[i].score &&
		       !strcmp(a.v[i].path, b.v[i].path);
	if (lists) {
		/* the lists answered it themselves */
		CU_ASSERT_EQUAL_FATAL(wsp__sdb_rank_lists(&c, db, &t, k,
							  has_min, min_score,
							  &err),
				      1);
		CU_ASSERT_EQUAL(c.n, b.n);
		for (i = 0; i < c.n && i < b.n; i++)
			same = same && c.v[i].chunk == b.v[i].chunk &&
			       c.v[i].score == b.v[i].score;
		wsp__search_hits_free(&c);
	}
	if (!same)
		fprintf(stderr, "\nranking differs: '%s' top %zu\n", query, k);
	CU_ASSERT(same);
	wsp__search_hits_free(&a);
	wsp__search_hits_free(&b);
	free(full);
	wsp__search_terms_free(&t);
}

static void same_answer(struct wsp__search_db *db, const char *query,
			size_t k)
{
	same_answer_min(db, query, k, 0, 0, 0);
}

static void test_rank_pruned(void)
{
	char path[] = "/tmp/wsp-search-units-XXXXXX", db_path[64], id[32],
	     text[256];
	struct wsp__search_db *db;
	wsp_error err;
	int i, n;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(path));
	snprintf(db_path, sizeof(db_path), "%s/i.sqlite", path);
	CU_ASSERT_EQUAL_FATAL(wsp__sdb_open(&db, db_path, "t", &err), 0);
	wsp__sdb_begin(db, &err);
	/* "common" everywhere (more chunks than the rare limit), "rare" in
	 * every 7th, lengths varying so that scores differ */
	for (i = 0; i < 3000; i++) {
		n = snprintf(text, sizeof(text), "common filler %s",
			     i % 7 ? "" : "rare");
		while (n < 20 + i % 50)
			n += snprintf(text + n, sizeof(text) - (size_t)n,
				      " pad%d", i % 3);
		if (i % 11 == 0)
			snprintf(text + n, sizeof(text) - (size_t)n,
				 " common");
		snprintf(id, sizeof(id), "/d/%04d", i);
		CU_ASSERT_EQUAL(wsp__sdb_put(db, id, 1, 1, 0, NULL, text,
					     strlen(text), 4000, 3, &err),
				0);
	}
	wsp__sdb_put(db, "/d/only", 1, 1, 0, NULL, "unique common", 13, 4000,
		     3, &err);
	wsp__sdb_commit(db, &err);
	same_answer(db, "rare common", 5);
	same_answer(db, "rare common", 50);
	same_answer(db, "unique common", 5); /* falls back: 1 candidate */
	same_answer(db, "common", 5);
	same_answer(db, "rare", 5);
	wsp__sdb_close(db);
	snprintf(text, sizeof(text), "rm -rf %s", path);
	CU_ASSERT_EQUAL(system(text), 0);
}

/* xorshift: the same corpus every run */
static uint64_t corpus_rnd = 0x9E3779B97F4A7C15ull;
static unsigned next_rnd(void)
{
	corpus_rnd ^= corpus_rnd << 13;
	corpus_rnd ^= corpus_rnd >> 7;
	corpus_rnd ^= corpus_rnd << 17;
	return (unsigned)(corpus_rnd >> 11);
}

/* A word w00..w59: w00 about half the draws, each next one rarer. */
static int zipf(void)
{
	unsigned r = next_rnd() % 1000;
	int w = 0;

	while (w < 59 && r >= 1000u / (unsigned)(w + 2) + 10)
		w++, r = next_rnd() % 1000;
	return w;
}

/* Documents of Zipf words (some of several chunks), a fifth of them the
 * same few lines (ties), every 13th with a rare word. */
static void put_corpus(struct wsp__search_db *db, int from, int n)
{
	char text[2048], id[32];
	wsp_error err;
	int i, j, len, words;

	wsp__sdb_begin(db, &err);
	for (i = from; i < from + n; i++) {
		if (i % 5 == 0) {
			len = snprintf(text, sizeof(text), "w00 w01 w02\n"
							    "w03 w00\n");
		} else {
			len = 0;
			words = 2 + (int)(next_rnd() % (i % 9 ? 12 : 120));
			for (j = 0; j < words; j++)
				len += snprintf(text + len,
						sizeof(text) - (size_t)len,
						"w%02d%s", zipf(),
						j % 7 == 6 ? "\n" : " ");
			if (i % 13 == 0)
				len += snprintf(text + len,
						sizeof(text) - (size_t)len,
						"rare%d", i % 40);
		}
		snprintf(id, sizeof(id), "/g/%05d", i);
		CU_ASSERT_EQUAL(wsp__sdb_put(db, id, 1, 1, 0, NULL, text,
					     (size_t)len, 200, 1, &err),
				0);
	}
	wsp__sdb_commit(db, &err);
}

static void rank_generated(struct wsp__search_db *db)
{
	static const char *const queries[] = {
		"w00", "w01", "w03 w01", "w00 w07", "rare3 w00", "w00 w01 w02",
		"w10 w20 w00", "absentword w01", "w02 rare7 w40 w00 w05",
		"w01 w00", NULL
	};
	static const size_t ks[] = { 1, 5, 17, 100 };
	size_t q, k;

	for (q = 0; queries[q]; q++)
		for (k = 0; k < sizeof(ks) / sizeof(ks[0]); k++)
			same_answer_min(db, queries[q], ks[k], 0, 0, 1);
	/* a minScore keeping some, and one keeping none */
	same_answer_min(db, "w00 w07", 50, 1, 3.0, 1);
	same_answer_min(db, "w00", 5, 1, 100.0, 1);
	/* rare words only, and a folded one: the full ranking answers */
	same_answer(db, "rare3 rare4", 5);
	same_answer(db, "w00 caf\xc3\xa9", 5);
}

static void test_rank_lists(void)
{
	char path[] = "/tmp/wsp-search-lists-XXXXXX", db_path[64], cmd[64];
	struct wsp__search_db *db, *other;
	wsp_error err;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(path));
	snprintf(db_path, sizeof(db_path), "%s/i.sqlite", path);
	CU_ASSERT_EQUAL_FATAL(wsp__sdb_open(&db, db_path, "t", &err), 0);
	put_corpus(db, 0, 6000);
	rank_generated(db);
	/* the index changes through this handle: lists built again, the
	 * first for a word no chunk holds */
	put_corpus(db, 6000, 1500);
	CU_ASSERT_EQUAL(wsp__sdb_del(db, "/g/00005", 0, &err), 0);
	same_answer_min(db, "absentword w00", 5, 0, 0, 1);
	rank_generated(db);
	/* and through another one (another process's commit) */
	CU_ASSERT_EQUAL_FATAL(wsp__sdb_open(&other, db_path, "t", &err), 0);
	put_corpus(other, 7500, 700);
	CU_ASSERT_EQUAL(wsp__sdb_del(other, "/g/00", 1, &err), 0);
	wsp__sdb_close(other);
	rank_generated(db);
	wsp__sdb_close(db);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", path);
	CU_ASSERT_EQUAL(system(cmd), 0);
}

/* FTS5's fts_docsize values: one varint, nothing more, within int. */
static void test_docsize(void)
{
	static const unsigned char one[] = { 0x05 }, two[] = { 0x81, 0x00 },
				   cut[] = { 0x81 }, more[] = { 0x05, 0x00 },
				   big[] = { 0x88, 0x80, 0x80, 0x80, 0x00 },
				   max[] = { 0x87, 0xff, 0xff, 0xff, 0x7f };
	int64_t dl = -7;

	CU_ASSERT(wsp__search_docsize(one, 1, &dl) == 0 && dl == 5);
	CU_ASSERT(wsp__search_docsize(two, 2, &dl) == 0 && dl == 128);
	CU_ASSERT(wsp__search_docsize(max, 5, &dl) == 0 && dl == INT32_MAX);
	CU_ASSERT_EQUAL(wsp__search_docsize(cut, 1, &dl), -1);
	CU_ASSERT_EQUAL(wsp__search_docsize(more, 2, &dl), -1);
	CU_ASSERT_EQUAL(wsp__search_docsize(big, 5, &dl), -1);
	CU_ASSERT_EQUAL(wsp__search_docsize(one, 0, &dl), -1);
}

/* wsp_bm25 gives Mastra's BM25 numbers (k1 1.5, b 0.75, idf + 1). */
static void test_bm25_numbers(void)
{
	char path[] = "/tmp/wsp-search-bm25-XXXXXX", db_path[64], cmd[64];
	struct wsp__search_hits h;
	struct wsp__search_db *db;
	wsp_error err;
	/* N = 3, n = 2, average length 2 tokens */
	double idf = log((3 - 2 + 0.5) / (2 + 0.5) + 1);
	double s2 = idf * 2 * 2.5 / (2 + 1.5 * (0.25 + 0.75 * 3 / 2.0));
	double s1 = idf * 1 * 2.5 / (1 + 1.5 * (0.25 + 0.75 * 2 / 2.0));

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(path));
	snprintf(db_path, sizeof(db_path), "%s/i.sqlite", path);
	CU_ASSERT_EQUAL_FATAL(wsp__sdb_open(&db, db_path, "t", &err), 0);
	wsp__sdb_put(db, "/one", 1, 1, 0, NULL, "cat dog", 7, 4000, 3, &err);
	wsp__sdb_put(db, "/two", 1, 1, 0, NULL, "cat cat fish", 12, 4000, 3,
		     &err);
	wsp__sdb_put(db, "/three", 1, 1, 0, NULL, "bird", 4, 4000, 3, &err);
	CU_ASSERT_EQUAL_FATAL(wsp__sdb_query(&h, db, "\"cat\"", 5, 0, 0, &err),
			      0);
	CU_ASSERT_EQUAL_FATAL(h.n, 2);
	CU_ASSERT_STRING_EQUAL(h.v[0].path, "/two");
	CU_ASSERT_DOUBLE_EQUAL(h.v[0].score, s2, 1e-9);
	CU_ASSERT_STRING_EQUAL(h.v[1].path, "/one");
	CU_ASSERT_DOUBLE_EQUAL(h.v[1].score, s1, 1e-9);
	wsp__search_hits_free(&h);
	/* minScore between the two keeps the first */
	CU_ASSERT_EQUAL(wsp__sdb_query(&h, db, "\"cat\"", 5, 1,
				       (s1 + s2) / 2, &err),
			0);
	CU_ASSERT_EQUAL(h.n, 1);
	wsp__search_hits_free(&h);
	wsp__sdb_close(db);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", path);
	CU_ASSERT_EQUAL(system(cmd), 0);
}

/* A hit of chunk id with a score (path and text owned). */
static void hit(struct wsp__search_hits *h, int64_t chunk, double score)
{
	struct wsp__search_hit *x = &h->v[h->n++];

	memset(x, 0, sizeof(*x));
	x->chunk = chunk;
	x->score = score;
	x->path = strdup("/p");
	x->text = strdup("t");
}

/* Mastra's hybrid numbers, by hand: bm25 scores 4, 2, 1 normalise to
 * 1, 1/3, 0; weight 0.7 on the cosine. */
static void test_fuse(void)
{
	struct wsp__search_hits vec = {calloc(4, sizeof(*vec.v)), 0};
	struct wsp__search_hits bm = {calloc(4, sizeof(*bm.v)), 0};
	struct wsp__search_hits out;

	hit(&vec, 10, 0.9); /* also bm25's last (0): 0.63 */
	hit(&vec, 11, 0.5); /* vector only: 0.35 */
	hit(&bm, 20, 4.0);  /* bm25 only, best: 0.3 */
	hit(&bm, 21, 2.0);  /* bm25 only: 0.1 */
	hit(&bm, 10, 1.0);
	CU_ASSERT_EQUAL_FATAL(wsp__search_fuse(&out, &vec, &bm, 0.7, 10, 0, 0),
			      0);
	CU_ASSERT_EQUAL_FATAL(out.n, 4);
	CU_ASSERT_EQUAL(out.v[0].chunk, 10);
	CU_ASSERT(fabs(out.v[0].score - 0.63) < 1e-12);
	CU_ASSERT_EQUAL(out.v[1].chunk, 11);
	CU_ASSERT(fabs(out.v[1].score - 0.35) < 1e-12);
	CU_ASSERT_EQUAL(out.v[2].chunk, 20);
	CU_ASSERT(fabs(out.v[2].score - 0.3) < 1e-12);
	CU_ASSERT_EQUAL(out.v[3].chunk, 21);
	CU_ASSERT(fabs(out.v[3].score - 0.3 * (1.0 / 3)) < 1e-12);
	CU_ASSERT_EQUAL(vec.n, 0);
	CU_ASSERT_EQUAL(bm.n, 0);
	wsp__search_hits_free(&out);

	/* equal bm25 scores all normalise to 1; minScore and topK apply to
	 * the fused score; ties keep vector hits first */
	vec.v = calloc(2, sizeof(*vec.v));
	bm.v = calloc(2, sizeof(*bm.v));
	hit(&vec, 1, 0.2);
	hit(&bm, 2, 3.0);
	hit(&bm, 3, 3.0);
	CU_ASSERT_EQUAL_FATAL(wsp__search_fuse(&out, &vec, &bm, 0.5, 2, 1, 0.2),
			      0);
	CU_ASSERT_EQUAL_FATAL(out.n, 2);
	CU_ASSERT_EQUAL(out.v[0].chunk, 2);
	CU_ASSERT_EQUAL(out.v[1].chunk, 3);
	CU_ASSERT(fabs(out.v[0].score - 0.5) < 1e-12);
	wsp__search_hits_free(&out);
	vec.v = calloc(1, sizeof(*vec.v));
	bm.v = calloc(1, sizeof(*bm.v));
	hit(&vec, 1, 0.4);
	hit(&bm, 1, 5.0);
	CU_ASSERT_EQUAL_FATAL(
		wsp__search_fuse(&out, &vec, &bm, 0.5, 5, 1, 0.71), 0);
	CU_ASSERT_EQUAL(out.n, 0); /* 0.5 * 0.4 + 0.5 * 1 = 0.7 */
	wsp__search_hits_free(&out);
}

/* The endpoint's answer: order by index, sizes, numbers. */
static void test_embed_parse(void)
{
	static const char two[] =
		"{\"object\":\"list\",\"data\":[{\"object\":\"embedding\","
		"\"index\":1,\"embedding\":[3,4]},{\"index\":0,"
		"\"embedding\":[0.5,-0.25]}],\"usage\":{}}";
	char why[200];
	uint32_t dim;
	float *v;

	CU_ASSERT_EQUAL_FATAL(wsp__embed_parse(&v, &dim, two, strlen(two), 2, 0,
					       why, sizeof(why)),
			      0);
	CU_ASSERT_EQUAL(dim, 2);
	CU_ASSERT(v[0] == 0.5f && v[1] == -0.25f && v[2] == 3 && v[3] == 4);
	wsp__vec_normalize(v + 2, 2);
	CU_ASSERT(fabs(v[2] - 0.6) < 1e-6 && fabs(v[3] - 0.8) < 1e-6);
	free(v);
	CU_ASSERT_EQUAL(wsp__embed_parse(&v, &dim, two, strlen(two), 2, 3, why,
					 sizeof(why)),
			WSP_EPROTO);
	CU_ASSERT_STRING_EQUAL(why, "entry 1: 2 numbers, not 3");
	CU_ASSERT_PTR_NULL(v);
	CU_ASSERT_EQUAL(wsp__embed_parse(&v, &dim, two, strlen(two), 3, 0, why,
					 sizeof(why)),
			WSP_EPROTO);
	CU_ASSERT_STRING_EQUAL(why, "2 embeddings for 3 inputs");
	CU_ASSERT_EQUAL(wsp__embed_parse(&v, &dim,
					 "{\"data\":[{\"embedding\":"
					 "[1e39]}]}",
					 31, 1, 0, why, sizeof(why)),
			WSP_EPROTO);
	CU_ASSERT(strstr(why, "not finite or out of float range") != NULL);
	CU_ASSERT_EQUAL(wsp__embed_parse(&v, &dim,
					 "{\"data\":[{\"index\":0.5,"
					 "\"embedding\":[1]}]}",
					 40, 1, 0, why, sizeof(why)),
			WSP_EPROTO);
	CU_ASSERT(strstr(why, "\"index\" missing") != NULL);
}

static CU_TestInfo tests[] = {
	{"chunks", test_chunks},
	{"long line, UTF-8", test_long_line_utf8},
	{"terms", test_terms},
	{"line range", test_line_range},
	{"ranking pruned = full ranking", test_rank_pruned},
	{"ranking from the lists = full ranking, generated", test_rank_lists},
	{"chunk lengths (fts_docsize)", test_docsize},
	{"Mastra's BM25 numbers", test_bm25_numbers},
	{"hybrid fusion", test_fuse},
	{"embeddings answer", test_embed_parse},
	CU_TEST_INFO_NULL,
};

CU_MAIN("search text", tests)
