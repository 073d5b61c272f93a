/*
 * plugins/sandbox-daytona/logmux.c - splitting the toolbox's multiplexed
 * log into stdout and stderr (see logmux.h).
 *
 * Bytes 01 and 02 are ordinary output too, so only three of the same in
 * a row are a marker: a run of one or two is held until the next byte
 * says which (a third makes the marker; anything else makes the run
 * output of the stream in force). Output before any marker counts as
 * stdout, as in the SDKs. A command's own 01 01 01 is indistinguishable
 * from a marker: the format cannot tell them apart.
 */
#include "logmux.h"

void dt_mux_init(struct dt_mux *m)
{
	m->stream = 0;
	m->run_byte = 0;
	m->run = 0;
}

/* The held run, as output of the stream in force. */
static int flush_run(struct dt_mux *m, dt_mux_fn fn, void *payload)
{
	static const char ones[2] = { 1, 1 }, twos[2] = { 2, 2 };
	unsigned n = m->run;

	m->run = 0;
	if (!n)
		return 0;
	return fn(m->stream, m->run_byte == 1 ? ones : twos, n, payload);
}

int dt_mux_feed(struct dt_mux *m, const char *p, size_t len, dt_mux_fn fn,
		void *payload)
{
	size_t i, from = 0; /* p[from..i) is output not yet handed out */
	int rc;

	for (i = 0; i < len; i++) {
		unsigned char b = (unsigned char)p[i];

		if (b != 1 && b != 2) {
			if (m->run && (rc = flush_run(m, fn, payload)))
				return rc;
			continue;
		}
		/* a marker byte: what came before it goes out first */
		if (i > from && (rc = fn(m->stream, p + from, i - from,
					 payload)))
			return rc;
		from = i + 1;
		if (m->run && m->run_byte != b &&
		    (rc = flush_run(m, fn, payload)))
			return rc;
		m->run_byte = b;
		if (++m->run == 3) {
			m->run = 0;
			m->stream = b == 1 ? 0 : 1;
		}
	}
	if (i > from)
		return fn(m->stream, p + from, i - from, payload);
	return 0;
}

int dt_mux_end(struct dt_mux *m, dt_mux_fn fn, void *payload)
{
	return flush_run(m, fn, payload);
}
