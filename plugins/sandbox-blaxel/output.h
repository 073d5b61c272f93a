/*
 * plugins/sandbox-blaxel/output.h - one output stream of a command:
 * delivery in order and the newest bytes kept (see output.c).
 */
#ifndef WSP_SANDBOX_BLAXEL_OUTPUT_H
#define WSP_SANDBOX_BLAXEL_OUTPUT_H

#include <wsp/plugin.h>

#include <stddef.h>
#include <stdint.h>

struct bl_out {
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
};

void bl_out_init(struct bl_out *o, uint32_t stream, uint64_t cap, int keep,
		 wsp_output_fn fn, void *payload);
void bl_out_free(struct bl_out *o);
/* One streamed event's text; the callback's negative code, or 0. */
int bl_out_event(struct bl_out *o, const char *data, size_t len);
/* The raw output at the end: what lies past the count delivered. */
int bl_out_complete(struct bl_out *o, const char *raw, size_t raw_len);
/* No raw output came: deliver a held newline as it was sent. */
int bl_out_flush(struct bl_out *o);
/* The kept bytes in a host->alloc buffer (NUL-terminated). */
int bl_out_take(char **data, size_t *len, uint64_t *dropped,
		struct bl_out *o, const wsp_host *host);

#endif
