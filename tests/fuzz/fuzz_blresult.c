/*
 * tests/fuzz/fuzz_blresult.c - the Blaxel provider's cutting of a
 * streamed exec's raw answer into lines and its reading of the result
 * event as it comes (plugins/sandbox-blaxel/lines.c and result.c,
 * compiled in). Untrusted: the body is the sandbox-api's.
 *
 * The input's first byte picks how the rest is cut into pieces; the rest
 * is the body, fed once in those pieces and once whole. Checked besides
 * crashes, leaks and UB: both feeds see the same lines, the same output
 * bytes and the same results (a state kept wrongly across pieces shows
 * as a difference); no line longer than BL_LINE_MAX is handed over; a
 * whole result's exit code is -1..255, a signal only 9 for killed or 15
 * for stopped with exit code -1; the output is never longer than the
 * body. And where the body is one result line that ndjson.c, reading
 * it whole with cJSON, takes as a process without repeated members, the
 * two agree on exit code, signal and stdout's bytes. stdout also goes
 * through inline.c as exec.c sends it: whole output at offsets 0, 1, 2..
 * in order, or (after the marker) a tail only measured, and the bytes it
 * passed, the marker and the tail add up to the text.
 */
#include "../../plugins/sandbox-blaxel/lines.c"
#include "../../plugins/shared/growbuf.c"
#include "../../plugins/sandbox-blaxel/result.c"
#include "../../plugins/sandbox-blaxel/ndjson.c"
#include "../../plugins/sandbox-blaxel/inline.c"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail_if(int bad)
{
	if (bad)
		__builtin_trap();
}

/* What one feed saw, as a digest and counts (order matters). */
struct seen {
	uint64_t hash, lines, out_bytes, results;
	size_t limit;
	char *out; /* stdout of the results, when collected (size limit) */
	size_t out_len;
	int rc, exit_code, term_signal, have_out; /* the last result's */
	struct bl_inline inl; /* the result's stdout, as exec.c reads it */
	uint64_t text_bytes;  /* of that stdout */
};

static void mix(struct seen *s, uint64_t v)
{
	s->hash = (s->hash ^ v) * 0x100000001b3ull;
}

/* inline.c's whole output: in order from 0, nothing twice. */
static int on_raw(uint64_t at, const char *d, size_t len, void *p)
{
	struct seen *s = p;

	fail_if(at != s->inl.at);
	mix(s, 0x70 + at);
	for (size_t i = 0; i < len; i++)
		mix(s, (unsigned char)d[i]);
	return 0;
}

static int on_out(int is_stderr, const char *d, size_t len, void *p)
{
	struct seen *s = p;

	if (!is_stderr) {
		s->text_bytes += len;
		bl_inline_feed(&s->inl, d, len, on_raw, s);
	}

	mix(s, 0x10 + (uint64_t)is_stderr);
	for (size_t i = 0; i < len; i++)
		mix(s, (unsigned char)d[i]);
	s->out_bytes += len;
	fail_if(s->out_bytes > s->limit);
	if (s->out && !is_stderr) {
		memcpy(s->out + s->out_len, d, len);
		s->out_len += len;
	}
	return 0;
}

static int on_line(const char *line, size_t len, void *p)
{
	struct seen *s = p;

	fail_if(len > BL_LINE_MAX);
	mix(s, 0x20);
	for (size_t i = 0; i < len; i++)
		mix(s, (unsigned char)line[i]);
	s->lines++;
	return 0;
}

static int on_begin(struct bl_rscan *rs, void *p)
{
	struct seen *s = p;

	bl_rscan_init(rs, on_out, p);
	bl_inline_init(&s->inl);
	s->text_bytes = 0;
	mix(p, 0x30);
	return 0;
}

static int on_end(struct bl_rscan *rs, void *p)
{
	struct seen *s = p;
	int rc = bl_rscan_end(rs);

	fail_if(rc < 0 || rc > BL_RSCAN_CUT);
	mix(s, 0x40 + (uint64_t)rc);
	s->rc = rc;
	s->exit_code = rs->exit_code;
	s->term_signal = rs->term_signal;
	s->have_out = rs->have_out;
	if (!rc && rs->have_out) {
		bl_inline_end(&s->inl, on_raw, s);
		fail_if(s->inl.kind == BL_INLINE_OPEN);
		fail_if(s->inl.kind == BL_INLINE_RAW
				? s->inl.at != s->text_bytes
				: s->inl.tail_len + BL_MARKER_LEN !=
					  s->text_bytes);
		mix(s, (uint64_t)s->inl.kind << 16 | s->inl.last);
		mix(s, s->inl.tail_len);
	}
	if (!rc) {
		fail_if(rs->exit_code < -1 || rs->exit_code > 255);
		fail_if(rs->term_signal && rs->exit_code != -1);
		fail_if(rs->term_signal == 9 && strcmp(rs->status, "killed"));
		fail_if(rs->term_signal == 15 && strcmp(rs->status, "stopped"));
		fail_if(rs->term_signal != 0 && rs->term_signal != 9 &&
			rs->term_signal != 15);
		mix(s, (uint64_t)(rs->exit_code + 1) << 8 |
			       (uint64_t)rs->term_signal);
		mix(s, (uint64_t)rs->have_out << 1 | (uint64_t)rs->have_err);
	}
	s->results++;
	return 0;
}

static const struct bl_lines_ops ops = {on_line, on_begin, on_end};

static void feed(struct seen *s, const char *body, size_t size,
		 unsigned cut, char *out)
{
	struct bl_lines l;
	size_t off = 0, k = 0;
	int rc = 0;

	memset(s, 0, sizeof(*s));
	s->limit = size;
	s->out = out;
	bl_lines_init(&l, &ops, s);
	while (off < size && !rc) {
		/* pieces of 1..cut bytes, varying; cut 0: all at once */
		size_t n = cut ? 1 + (k++ * 7 + cut) % cut : size;

		if (n > size - off)
			n = size - off;
		rc = bl_lines_feed(&l, body + off, n);
		off += n;
	}
	mix(s, 0x50 + (uint64_t)rc);
	if (!rc)
		mix(s, 0x60 + (uint64_t)bl_lines_end(&l));
	bl_lines_free(&l);
}

/* How many members of o are named name. */
static int members(const cJSON *o, const char *name)
{
	int n = 0;

	for (const cJSON *c = o ? o->child : NULL; c; c = c->next)
		n += c->string && !strcmp(c->string, name);
	return n;
}

/* One result line read whole by ndjson.c: the same as read as it came. */
static void same_as_whole(const struct seen *s, const char *line, size_t len)
{
	struct bl_event ev;

	if (bl_event_parse(&ev, line, len) == BL_EV_RESULT && !s->rc &&
	    s->results == 1 && members(ev.json, "type") == 1 &&
	    members(ev.json, "data") == 1 &&
	    members(ev.result, "stdout") <= 1 &&
	    members(ev.result, "exitCode") <= 1 &&
	    members(ev.result, "status") <= 1 &&
	    !memchr(s->out, '\0', s->out_len)) {
		fail_if(s->exit_code != ev.exit_code);
		fail_if(s->term_signal != ev.term_signal);
		fail_if(s->have_out != (ev.out != NULL));
		fail_if(ev.out && (strlen(ev.out) != s->out_len ||
				   memcmp(ev.out, s->out, s->out_len)));
	}
	bl_event_free(&ev);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seen whole, pieces;
	const char *body = (const char *)data + 1;
	char *out;

	if (!size || !(out = malloc(size)))
		return 0;
	feed(&whole, body, size - 1, 0, out);
	feed(&pieces, body, size - 1, 1 + data[0] % 64, NULL);
	fail_if(whole.hash != pieces.hash || whole.lines != pieces.lines ||
		whole.out_bytes != pieces.out_bytes ||
		whole.results != pieces.results);
	if (size > 1 && !memchr(body, '\n', size - 1))
		same_as_whole(&whole, body, size - 1);
	free(out);
	return 0;
}
