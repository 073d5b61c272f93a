/*
 * plugins/shared/remote_io.h - the two halves of a remote sandbox's file
 * transfer that are the same whatever the service (sandbox-daytona,
 * sandbox-blaxel): a part of a file cut out of a download's body, and an
 * upload body made of a fixed head, the caller's bytes and a fixed tail
 * (a one-file multipart form). Neither makes a request nor holds the
 * file: both stream. Also a write's refusals and a command on files
 * (sandbox-e2b's copy runs through it too); what their disks do alike
 * besides is in remote_fs.h, the time stamps their servers (Go) write in
 * util/rfc3339.h. The part's readers are fuzzed (tests/fuzz/fuzz_dtfs).
 */
#ifndef WSP_PLUGIN_SHARED_REMOTE_IO_H
#define WSP_PLUGIN_SHARED_REMOTE_IO_H

#include <wsp/plugin.h>

#include <stddef.h>
#include <stdint.h>

/*
 * The Range header's value for o of a file of size bytes (o->offset <
 * size) into out: 1 when a part is asked, 0 when the whole file is.
 */
int rio_part_range(char *out, size_t cap, const wsp_fs_read_opts *o,
		   uint64_t size);

/*
 * The caller's sink, given only [offset, offset + length) of a download's
 * body. A server that honours the Range answers 206 with Content-Range
 * (rio_part_header says where its body starts); one that ignores it (or a
 * proxy that drops the header) sends the whole file, cut here. Set
 * offset, skip = offset, left = length, sink and payload.
 */
struct rio_part {
	uint64_t offset, skip, left; /* skip: offset, less where 206 starts */
	int bad_range; /* a Content-Range past the offset, or unreadable */
	wsp_sink_fn sink;
	void *payload;
	int full; /* the part went out: the transfer was stopped on purpose
		   * (rio_part_take answered WSP_ECANCELED) */
};
int rio_part_take(const void *data, size_t len, void *payload);
/* A wsp_http_header_fn: reads a 206's "Content-Range: bytes S-E/T". */
int rio_part_header(const char *name, const char *value, void *payload);
/*
 * What a read through s comes to, given its transfer's rc: 0 when
 * rio_part_take stopped it once the part was out; WSP_EPROTO when the
 * server's Content-Range was not the one asked ("<who> answered another
 * range than asked", who e.g. "the sandbox"); else rc.
 */
int rio_part_end(const struct rio_part *s, int rc, const char *who,
		 wsp_error *err);

/*
 * A request body: head, then the source's bytes up to its end, then
 * tail (both kept, not copied). Set head, head_len, tail, tail_len,
 * source and payload; the rest zero.
 */
struct rio_wrap {
	const char *head, *tail;
	size_t head_len, tail_len, off; /* off: into head, then tail */
	int stage;                      /* 0 head, 1 body, 2 tail, 3 end */
	wsp_source_fn source;
	void *payload;
};
int rio_wrap_give(void *buf, size_t cap, size_t *out_n, void *payload);

/*
 * A one-file multipart form as a rio_wrap: the caller writes the head
 * (its parts, then the file part's headers) into w->head and sets
 * w->head_len; this writes the form's closing line for boundary into
 * tail (tail_cap bytes, 64 are enough), sets the rest of w (source and
 * payload after the head), and answers the body's size: head, opts's
 * size_hint and tail when opts says the size is known, else -1.
 */
int64_t rio_wrap_form(struct rio_wrap *w, char *tail, size_t tail_cap,
		      const char *boundary, const wsp_fs_write_opts *opts,
		      wsp_source_fn source, void *payload);

/*
 * A multipart boundary "wsp-<32 hex>" into out (40 bytes) that tmp, a
 * path the body carries, does not contain (WSP_EIO: no random bytes).
 */
int rio_boundary(char *out, const char *tmp, wsp_error *err);

/*
 * A write's options a service without append or conditional writes
 * refuses: WSP_ENOTSUP naming who (e.g. "Blaxel's sandbox-api"), else 0.
 * The rules on its target are rfs_write_ok's (remote_fs.h).
 */
int rio_write_plain(const wsp_fs_write_opts *o, const char *who,
		    wsp_error *err);

/* A sandbox's exec slot (the provider's own, on its instance). */
typedef int (*rio_exec_fn)(wsp_exec_result *out, void *self,
			   const wsp_call *call, const wsp_exec_opts *opts,
			   wsp_error *err);
/*
 * prefix (at most 5 words) then a and b (b may be NULL) run by exec as
 * an argv, no timeout but the call's: 0 when it exits 0, else WSP_EIO
 * with what it said on stderr (bounded: paths, no secret).
 */
int rio_fs_run(rio_exec_fn exec, void *self, const wsp_host *h,
	       const wsp_call *call, const char *const *prefix, const char *a,
	       const char *b, wsp_error *err);

#endif
