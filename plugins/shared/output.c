/*
 * plugins/shared/output.c - a command's output as the caller gets
 * it: every byte to its on_output in order, the newest max_capture bytes
 * kept.
 *
 * E2B's events are the exact bytes (o->exact: delivered as they come).
 * Blaxel's streamed events are not: a last line without
 * a newline gets one at exit, while the final result (and /logs) carry
 * the raw output. So each event's trailing newline is held back until
 * more of that stream comes, and at the end the raw text completes what
 * was delivered (from the count delivered on): the held newline is
 * delivered only if it really was there, and bytes a cut stream lost are
 * delivered from /logs. The result's text is a tail on the real service,
 * so it only ever adds what lies past the count.
 */
#include "output.h"
#include "remote.h"

#include <stdlib.h>
#include <string.h>

void oc_init(struct oc *o, uint32_t stream, uint64_t cap, int keep,
	     wsp_output_fn fn, void *payload)
{
	memset(o, 0, sizeof(*o));
	o->stream = stream;
	o->cap = cap;
	o->keep = keep;
	o->fn = fn;
	o->payload = payload;
}

void oc_free(struct oc *o)
{
	free(o->buf);
	o->buf = NULL;
}

/* Deliver and keep len bytes; the callback's negative code, or 0. */
static int put(struct oc *o, const char *data, size_t len)
{
	if (!len)
		return 0;
	o->delivered += len;
	if (o->keep) {
		if (o->len + len > 2 * o->cap + 4096 || !o->buf) {
			/* keep the newest cap bytes, then append */
			size_t need = o->cap + len + 1, drop = 0;
			char *nb;

			if (o->len > o->cap)
				drop = o->len - o->cap;
			if (!o->buf || need > o->alloc) {
				nb = malloc(need > 2 * o->cap + 4097
						    ? need
						    : 2 * o->cap + 4097);
				if (!nb)
					return WSP_ENOMEM;
				if (o->buf)
					memcpy(nb, o->buf + drop,
					       o->len - drop);
				free(o->buf);
				o->buf = nb;
				o->alloc = need > 2 * o->cap + 4097
						   ? need
						   : 2 * o->cap + 4097;
			} else {
				memmove(o->buf, o->buf + drop, o->len - drop);
			}
			o->len -= drop;
			o->dropped += drop;
		}
		memcpy(o->buf + o->len, data, len);
		o->len += len;
	}
	if (o->fn)
		return o->fn(o->stream, data, len, o->payload);
	return 0;
}

int oc_event(struct oc *o, const char *data, size_t len)
{
	int rc;

	if (!len)
		return 0;
	if (o->held_nl) {
		o->held_nl = 0;
		if ((rc = put(o, "\n", 1)))
			return rc;
	}
	if (!o->exact && data[len - 1] == '\n') {
		o->held_nl = 1;
		len--;
	}
	return put(o, data, len);
}

int oc_complete_at(struct oc *o, uint64_t at, const char *piece, size_t len)
{
	uint64_t have = o->delivered;
	size_t skip;

	o->held_nl = 0;
	if (!piece || at + len <= have)
		return 0;
	skip = have > at ? (size_t)(have - at) : 0;
	return put(o, piece + skip, len - skip);
}

int oc_complete(struct oc *o, const char *raw, size_t raw_len)
{
	return oc_complete_at(o, 0, raw, raw_len);
}

int oc_flush(struct oc *o)
{
	if (!o->held_nl)
		return 0;
	o->held_nl = 0;
	return put(o, "\n", 1);
}

int oc_take(char **data, size_t *len, uint64_t *dropped, struct oc *o,
	    const wsp_host *host)
{
	size_t n = o->len > o->cap ? (size_t)o->cap : o->len;
	size_t skip = o->len - n;

	*dropped = o->dropped + skip;
	*len = n;
	*data = host->alloc(host, n + 1);
	if (!*data)
		return WSP_ENOMEM;
	if (n)
		memcpy(*data, o->buf + skip, n);
	(*data)[n] = '\0';
	return 0;
}

int oc_result(wsp_exec_result *out, int stop, struct oc *so, struct oc *se,
	      const wsp_host *host, wsp_error *err)
{
	int rc;

	if (stop == RMT_TIMED_OUT || stop == RMT_CANCELED) {
		out->flags |= WSP_EXEC_KILLED | (stop == RMT_TIMED_OUT
							 ? WSP_EXEC_TIMED_OUT
							 : WSP_EXEC_CANCELED);
		out->exit_code = stop == RMT_TIMED_OUT ? 124 : 130;
		out->term_signal = 0;
	}
	if ((rc = oc_take(&out->stdout_data, &out->stdout_len,
			  &out->stdout_dropped, so, host)) ||
	    (rc = oc_take(&out->stderr_data, &out->stderr_len,
			  &out->stderr_dropped, se, host))) {
		host->free(host, out->stdout_data);
		out->stdout_data = NULL;
		return wsp_error_set(err, rc, "out of memory");
	}
	return 0;
}
