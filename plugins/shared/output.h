/*
 * plugins/shared/output.h - one output stream of a command: delivery in
 * order and the newest bytes kept (see output.c). Shared by the remote
 * sandboxes (sandbox-blaxel, sandbox-e2b), which compile it in.
 */
#ifndef WSP_PLUGIN_SHARED_OUTPUT_H
#define WSP_PLUGIN_SHARED_OUTPUT_H

#include <wsp/plugin.h>

#include <stddef.h>
#include <stdint.h>

struct oc {
	uint32_t stream; /* WSP_STDOUT or WSP_STDERR */
	uint64_t cap;    /* newest bytes kept */
	int keep;        /* 0: WSP_EXEC_NO_CAPTURE */
	wsp_output_fn fn;
	void *payload;
	char *buf;
	size_t len, alloc;
	uint64_t dropped;   /* older bytes no longer kept */
	uint64_t delivered; /* bytes handed out so far */
	int held_nl;        /* an event's last '\n', not delivered yet */
	int exact;          /* events are the exact bytes: nothing held */
};

void oc_init(struct oc *o, uint32_t stream, uint64_t cap, int keep,
	     wsp_output_fn fn, void *payload);
void oc_free(struct oc *o);
/* One streamed event's text; the callback's negative code, or 0. */
int oc_event(struct oc *o, const char *data, size_t len);
/* The raw output at the end: what lies past the count delivered. */
int oc_complete(struct oc *o, const char *raw, size_t raw_len);
/*
 * The same, a piece at a time: len bytes that lie at byte `at` of the
 * raw output, pieces in order from 0 (a result read as it comes).
 */
int oc_complete_at(struct oc *o, uint64_t at, const char *piece, size_t len);
/* No raw output came: deliver a held newline as it was sent. */
int oc_flush(struct oc *o);
/* The kept bytes in a host->alloc buffer (NUL-terminated). */
int oc_take(char **data, size_t *len, uint64_t *dropped, struct oc *o,
	    const wsp_host *host);

/*
 * A foreground command's result from its two streams' kept bytes; the
 * caller set exit_code, term_signal and duration_ms. stop is why it
 * ended (enum rmt_stop): one the slot stopped at its limit or on cancel
 * gets 124 or 130, no signal, and the flags that say so.
 */
int oc_result(wsp_exec_result *out, int stop, struct oc *so, struct oc *se,
	      const wsp_host *host, wsp_error *err);

#endif
