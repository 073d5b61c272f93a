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
 *
 * Also the rebuild of a whole output from the same lines as a replay
 * (plugins/sandbox-blaxel/replay.c, compiled in) when /logs holds only a
 * tail (the last 1 + byte 0/1 bytes of the raw output): a rebuild it
 * accepts is exactly the raw bytes; one after the marker is refused; a
 * /logs answer is a tail just when the marker leads it.
 */
#include "../../plugins/sandbox-blaxel/logline.c"
#include "../../plugins/sandbox-blaxel/replay.c"
#include "../../plugins/shared/growbuf.c"

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

/*
 * The body as a whole replay: each stream's lines rebuilt, checked
 * against a tail of the raw output they stand for (a last line with
 * text had its newline when bit s of byte 2 says so; an empty one
 * always did: the service never sends an empty unfinished line).
 */
static void check_replay(const uint8_t *data, const char *body, size_t len)
{
	struct bl_replay r;
	const char *tail;
	size_t tl, i = 0, last_len[2] = {0, 0};
	int any[2] = {0, 0};

	fail_if(bl_logs_tail(&tail, &tl, body, len) !=
		(len >= BL_MARKER_LEN &&
		 !memcmp(body, BL_TRUNCATION_MARKER, BL_MARKER_LEN)));
	fail_if(tail + tl != body + len);
	bl_replay_init(&r, (size_t)1 << 30);
	while (i < len) {
		const char *nl = memchr(body + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (body + i)) : len - i;
		const char *text;
		size_t tlen;
		enum bl_log_kind k = bl_logline(&text, &tlen, body + i, n);

		fail_if(bl_replay_line(&r, body + i, n));
		if ((k == BL_LOG_STDOUT || k == BL_LOG_STDERR) &&
		    !(r.gone && r.lines == 1)) {
			any[k == BL_LOG_STDERR] = 1;
			last_len[k == BL_LOG_STDERR] = tlen;
		}
		i += n + (nl != NULL);
	}
	for (int s = 0; s < 2; s++) {
		size_t raw_len = r.len[s], whole = 0, k;
		int rc;

		if (!any[s] || r.gone) {
			fail_if(r.gone && bl_replay_settle(&whole, &r, s, "x",
							   1) != BL_REPLAY_GONE);
			continue;
		}
		if (last_len[s] && !(data[2] >> s & 1))
			raw_len--; /* the added newline */
		if (!raw_len)
			continue;
		k = 1 + data[s] % raw_len;
		rc = bl_replay_settle(&whole, &r, s, r.buf[s] + raw_len - k, k);
		fail_if(rc || whole != raw_len);
		fail_if(bl_replay_settle(&whole, &r, s, "", 0) !=
			BL_REPLAY_MISMATCH);
	}
	bl_replay_free(&r);
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
	check_replay(data, body, len);
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
