/*
 * tests/fuzz/fuzz_bllog.c - the Blaxel provider's reader of a process's
 * log stream (plugins/sandbox-blaxel/logline.c, compiled in): what each
 * `stdout:`/`stderr:` line is and where its bytes lie in the raw output.
 * The core joins lines cut across chunks (fuzz_frames); this code gets
 * whole lines.
 *
 * Input: byte 0 and 1, where stdout and stderr are followed from; byte 2,
 * bit 0/1: whether stdout's/stderr's last line really ended in a newline,
 * the rest: after how many lines the stream is cut and replayed from the
 * start, as a new log stream does; then the stream's body. Checked
 * besides crashes, leaks and UB: a line's text lies inside it, only
 * after its prefix; what is delivered never goes back; once /logs (the
 * raw bytes, built here from the lines) settles the end, each stream
 * delivered exactly its raw bytes from the offset on, none twice, in
 * order, whatever the cut.
 */
#include "../../plugins/sandbox-blaxel/logline.c"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail_if(int bad)
{
	if (bad)
		__builtin_trap();
}

struct buf {
	char *p;
	size_t n;
};

static int add(const char *d, size_t n, void *payload)
{
	struct buf *b = payload;

	fail_if(!n); /* an empty delivery is never made */
	b->p = realloc(b->p, b->n + n + 1);
	fail_if(!b->p);
	memcpy(b->p + b->n, d, n);
	b->n += n;
	return 0;
}

/* Feed lines [0, upto) of the body. */
static void feed(struct bl_logpos p[2], struct buf got[2], const char *body,
		 size_t len, size_t upto, struct buf *raw)
{
	size_t i = 0, line = 0;

	while (i < len && line < upto) {
		const char *nl = memchr(body + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (body + i)) : len - i;
		const char *text;
		size_t tl;
		enum bl_log_kind k = bl_logline(&text, &tl, body + i, n);

		if (k == BL_LOG_STDOUT || k == BL_LOG_STDERR) {
			int s = k == BL_LOG_STDERR;
			uint64_t before = p[s].done;

			fail_if(text != body + i + 7 || tl != n - 7);
			if (raw) { /* the raw output these lines stand for */
				if (p[s].held)
					add("\n", 1, &raw[s]);
				if (tl)
					add(text, tl, &raw[s]);
			}
			fail_if(bl_logpos_line(&p[s], text, tl, add, &got[s]));
			fail_if(p[s].done < before);
			fail_if(!p[s].held);
		} else {
			fail_if(text || tl);
		}
		i += n + (nl != NULL);
		line++;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bl_logpos p[2], q[2];
	struct buf got[2] = {{0}}, raw[2] = {{0}}, none[2] = {{0}};
	const char *body;
	size_t len, cut;

	if (size < 3)
		return 0;
	body = (const char *)data + 3;
	len = size - 3;
	cut = data[2] >> 2;
	for (int s = 0; s < 2; s++)
		bl_logpos_init(&p[s], data[s]);
	/* the raw bytes, from a pass that delivers from 0 */
	bl_logpos_init(&q[0], 0);
	bl_logpos_init(&q[1], 0);
	feed(q, none, body, len, SIZE_MAX, raw);
	for (int s = 0; s < 2; s++) {
		if (q[s].held && (data[2] >> s & 1))
			add("\n", 1, &raw[s]);
		fail_if(none[s].n > raw[s].n ||
			(none[s].n && memcmp(none[s].p, raw[s].p, none[s].n)));
	}
	/* the follower: cut after `cut` lines, then a replay of all */
	feed(p, got, body, len, cut, NULL);
	bl_logpos_replay(&p[0]);
	bl_logpos_replay(&p[1]);
	feed(p, got, body, len, SIZE_MAX, NULL);
	for (int s = 0; s < 2; s++) {
		size_t from = data[s] < raw[s].n ? data[s] : raw[s].n;

		fail_if(bl_logpos_raw(&p[s], raw[s].p, raw[s].n, add,
				      &got[s]));
		fail_if(got[s].n != raw[s].n - from);
		fail_if(got[s].n && memcmp(got[s].p, raw[s].p + from,
					   got[s].n));
		fail_if(p[s].done != (raw[s].n > data[s] ? raw[s].n : data[s]));
		free(got[s].p);
		free(raw[s].p);
		free(none[s].p);
	}
	return 0;
}
