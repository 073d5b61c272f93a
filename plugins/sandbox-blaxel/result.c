/*
 * plugins/sandbox-blaxel/result.c - a streamed exec's result event read
 * as its bytes come (see streams.h), never held whole.
 *
 * The result carries the ProcessResponse as a JSON string, and that
 * holds the whole output twice (stdout, stderr and logs): on the fake,
 * and on the service up to its tail limit. Parsing it whole would cost
 * several times the output in memory, so the line's bytes after
 * BL_RESULT_PREFIX are unescaped here (the outer string), the object
 * they spell is walked one byte at a time (the inner JSON), stdout and
 * stderr go out in pieces, and only status and exitCode are kept.
 * Untrusted: every state bounds what it keeps, anything else is bad.
 */
#include "streams.h"

#include <stdlib.h>
#include <string.h>

enum { OUT_STR, OUT_END, OUT_DONE, OUT_BAD };
enum { S_START, S_KEY_OR_END, S_KEY, S_COLON, S_VALUE, S_STR, S_NEST,
       S_SCALAR, S_AFTER, S_DONE, S_BAD };
enum { T_OTHER, T_STDOUT, T_STDERR, T_STATUS, T_EXIT };
enum { J_PLAIN, J_ESC, J_HEX, J_LOW_BS, J_LOW_U, J_LOW_HEX };

/* The UTF-8 of a code point into b; its length. */
static size_t utf8(char *b, uint32_t c)
{
	if (c < 0x80) {
		b[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		b[0] = (char)(0xC0 | c >> 6);
		b[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		b[0] = (char)(0xE0 | c >> 12);
		b[1] = (char)(0x80 | (c >> 6 & 0x3F));
		b[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	b[0] = (char)(0xF0 | c >> 18);
	b[1] = (char)(0x80 | (c >> 12 & 0x3F));
	b[2] = (char)(0x80 | (c >> 6 & 0x3F));
	b[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

static int hexval(unsigned char c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
				      : -1;
}

/*
 * One byte of a JSON string's body: the bytes it stands for go to out
 * (*n of them, at most 8). Returns 1 at the closing quote, -1 when the
 * string is broken, else 0. A lone surrogate becomes U+FFFD.
 */
static int jstr_byte(struct bl_jstr *j, unsigned char c, char *out, size_t *n)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *p;
	int h;

	*n = 0;
	switch (j->st) {
	case J_PLAIN:
		if (c == '"')
			return 1;
		if (c == '\\')
			j->st = J_ESC;
		else if (c < 0x20)
			return -1;
		else
			out[(*n)++] = (char)c;
		return 0;
	case J_ESC:
		if (c == 'u') {
			j->st = J_HEX;
			j->cp = 0;
			j->nhex = 0;
			return 0;
		}
		if (!c || !(p = strchr(from, c)))
			return -1;
		out[(*n)++] = to[p - from];
		j->st = J_PLAIN;
		return 0;
	case J_HEX:
	case J_LOW_HEX:
		if ((h = hexval(c)) < 0)
			return -1;
		j->cp = j->cp << 4 | (uint32_t)h;
		if (++j->nhex < 4)
			return 0;
		if (j->st == J_LOW_HEX) {
			j->st = J_PLAIN;
			if (j->cp >= 0xDC00 && j->cp <= 0xDFFF) {
				*n = utf8(out, 0x10000 + ((j->hi - 0xD800) << 10) +
						       (j->cp - 0xDC00));
				return 0;
			}
			*n = utf8(out, 0xFFFD); /* the high one, alone */
			if (j->cp >= 0xD800 && j->cp <= 0xDBFF) {
				j->hi = j->cp; /* perhaps with the next */
				j->st = J_LOW_BS;
			} else {
				*n += utf8(out + *n, j->cp >= 0xDC00 &&
							     j->cp <= 0xDFFF
						     ? 0xFFFD
						     : j->cp);
			}
			return 0;
		}
		if (j->cp >= 0xD800 && j->cp <= 0xDBFF) {
			j->hi = j->cp;
			j->st = J_LOW_BS;
			return 0;
		}
		j->st = J_PLAIN;
		*n = utf8(out, j->cp >= 0xDC00 && j->cp <= 0xDFFF ? 0xFFFD
								  : j->cp);
		return 0;
	case J_LOW_BS:
		if (c == '\\') {
			j->st = J_LOW_U;
			return 0;
		}
		/* a high surrogate and no escape after it */
		*n = utf8(out, 0xFFFD);
		j->st = J_PLAIN;
		{
			size_t m;
			int rc = jstr_byte(j, c, out + *n, &m);

			*n += m;
			return rc;
		}
	case J_LOW_U:
		if (c == 'u') {
			j->st = J_LOW_HEX;
			j->cp = 0;
			j->nhex = 0;
			return 0;
		}
		/* "\X" after a high surrogate: it, alone, then that escape */
		*n = utf8(out, 0xFFFD);
		j->st = J_ESC;
		{
			size_t m;
			int rc = jstr_byte(j, c, out + *n, &m);

			*n += m;
			return rc;
		}
	}
	return -1;
}

void bl_rscan_init(struct bl_rscan *r, bl_out_fn fn, void *payload)
{
	memset(r, 0, sizeof(*r));
	r->exit_code = -1;
	r->fn = fn;
	r->payload = payload;
}

/* Hand the pending output piece to fn. */
static int flush_out(struct bl_rscan *r)
{
	int rc = 0;

	if (r->plen && (r->target == T_STDOUT || r->target == T_STDERR))
		rc = r->fn(r->target == T_STDERR, r->pend, r->plen,
			   r->payload);
	r->plen = 0;
	return rc;
}

static int is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void end_scalar(struct bl_rscan *r)
{
	char *end;
	double v;

	if (r->target != T_EXIT)
		return;
	r->scalar[r->slen] = '\0';
	v = strtod(r->scalar, &end);
	/* Go's ExitCode(): an int; anything else or out of range is none */
	r->exit_code = end != r->scalar && !*end && v >= -1 && v <= 255
			       ? (int)v
			       : -1;
}

static void start_value(struct bl_rscan *r)
{
	r->target = !strcmp(r->key, "stdout")	  ? T_STDOUT
		    : !strcmp(r->key, "stderr")	  ? T_STDERR
		    : !strcmp(r->key, "status")	  ? T_STATUS
		    : !strcmp(r->key, "exitCode") ? T_EXIT
						  : T_OTHER;
}

/* Skip a nested object or array: quotes and brackets counted. */
static void nest_byte(struct bl_rscan *r, unsigned char c)
{
	if (r->nest_str) {
		if (r->nest_esc)
			r->nest_esc = 0;
		else if (c == '\\')
			r->nest_esc = 1;
		else if (c == '"')
			r->nest_str = 0;
	} else if (c == '"') {
		r->nest_str = 1;
	} else if (c == '{' || c == '[') {
		r->depth++;
	} else if ((c == '}' || c == ']') && --r->depth == 0) {
		r->st = S_AFTER;
	}
}

/* One byte of the ProcessResponse's JSON; fn's non-zero, or 0. */
static int inner_byte(struct bl_rscan *r, unsigned char c)
{
	char b[8];
	size_t n;
	int rc;

	switch (r->st) {
	case S_START:
		if (c == '{')
			r->st = S_KEY_OR_END;
		else if (!is_ws(c))
			r->st = S_BAD;
		return 0;
	case S_KEY_OR_END:
		if (c == '"') {
			r->st = S_KEY;
			r->klen = 0;
			r->key_long = 0;
			memset(&r->j, 0, sizeof(r->j));
		} else if (c == '}') {
			r->st = S_DONE;
		} else if (!is_ws(c)) {
			r->st = S_BAD;
		}
		return 0;
	case S_KEY:
		rc = jstr_byte(&r->j, c, b, &n);
		if (rc < 0) {
			r->st = S_BAD;
		} else if (rc) {
			r->key[r->key_long ? 0 : r->klen] = '\0';
			r->st = S_COLON;
		} else if (r->klen + n < sizeof(r->key)) {
			memcpy(r->key + r->klen, b, n);
			r->klen += n;
		} else {
			r->key_long = 1; /* no name we want is this long */
		}
		return 0;
	case S_COLON:
		if (c == ':') {
			r->st = S_VALUE;
			start_value(r);
		} else if (!is_ws(c)) {
			r->st = S_BAD;
		}
		return 0;
	case S_VALUE:
		if (is_ws(c))
			return 0;
		if (c == '"') {
			r->st = S_STR;
			r->slen = 0;
			memset(&r->j, 0, sizeof(r->j));
			if (r->target == T_STDOUT)
				r->have_out = 1;
			if (r->target == T_STDERR)
				r->have_err = 1;
			/* an empty string settles a held newline too */
			if (r->target == T_STDOUT || r->target == T_STDERR)
				return r->fn(r->target == T_STDERR, "", 0,
					     r->payload);
		} else if (c == '{' || c == '[') {
			r->st = S_NEST;
			r->depth = 1;
			r->nest_str = r->nest_esc = 0;
		} else {
			r->st = S_SCALAR;
			r->slen = 0;
			return inner_byte(r, c);
		}
		return 0;
	case S_STR:
		rc = jstr_byte(&r->j, c, b, &n);
		if (rc < 0) {
			r->st = S_BAD;
			return 0;
		}
		if (rc) {
			if (r->target == T_STATUS)
				r->status[r->slen] = '\0';
			r->st = S_AFTER;
			return flush_out(r);
		}
		if (r->target == T_STATUS) {
			if (r->slen + n < sizeof(r->status)) {
				memcpy(r->status + r->slen, b, n);
				r->slen += n;
			}
		} else if (r->target == T_STDOUT || r->target == T_STDERR) {
			if (r->plen + n > sizeof(r->pend) &&
			    (rc = flush_out(r)))
				return rc;
			memcpy(r->pend + r->plen, b, n);
			r->plen += n;
		}
		return 0;
	case S_NEST:
		nest_byte(r, c);
		return 0;
	case S_SCALAR:
		if (c == ',' || c == '}' || is_ws(c)) {
			end_scalar(r);
			r->st = S_AFTER;
			return inner_byte(r, c);
		}
		if (r->slen + 1 < sizeof(r->scalar))
			r->scalar[r->slen++] = (char)c;
		else if (r->target == T_EXIT)
			r->slen = 0, r->target = T_OTHER; /* no code */
		return 0;
	case S_AFTER:
		if (c == ',')
			r->st = S_KEY_OR_END;
		else if (c == '}')
			r->st = S_DONE;
		else if (!is_ws(c))
			r->st = S_BAD;
		return 0;
	case S_DONE:
		if (!is_ws(c))
			r->st = S_BAD;
		return 0;
	}
	return 0;
}

int bl_rscan_feed(struct bl_rscan *r, const char *data, size_t len)
{
	for (size_t i = 0; i < len && !r->rc; i++) {
		unsigned char c = (unsigned char)data[i];
		char b[8];
		size_t n;
		int rc;

		switch (r->outer) {
		case OUT_STR:
			rc = jstr_byte(&r->o, c, b, &n);
			if (rc < 0)
				r->outer = OUT_BAD;
			else if (rc)
				r->outer = OUT_END;
			for (size_t k = 0; k < n && !r->rc; k++)
				r->rc = inner_byte(r, (unsigned char)b[k]);
			break;
		case OUT_END: /* the event's closing brace */
			r->outer = c == '}' ? OUT_DONE
				   : is_ws(c) ? OUT_END
					      : OUT_BAD;
			break;
		case OUT_DONE:
			if (!is_ws(c))
				r->outer = OUT_BAD;
			break;
		}
	}
	return r->rc;
}

int bl_rscan_end(struct bl_rscan *r)
{
	if (r->rc)
		return r->rc;
	if (r->outer == OUT_BAD || r->st == S_BAD)
		return BL_RSCAN_BAD;
	if (r->outer != OUT_DONE)
		return BL_RSCAN_CUT;
	if (r->st != S_DONE)
		return BL_RSCAN_BAD; /* the string held no whole object */
	/* ended by our kill (SIGKILL) or stop (SIGTERM): Go says -1 */
	if (r->exit_code < 0)
		r->term_signal = !strcmp(r->status, "killed")	 ? 9
				 : !strcmp(r->status, "stopped") ? 15
								 : 0;
	return 0;
}
