/*
 * plugins/sandbox-blaxel/logline.c - a process's log stream: what each
 * line is, and where its bytes lie in the stream's raw output (see
 * streams.h). The core's engine has already joined lines cut across
 * chunks ("stdout:li" + "ne2\n" is one line); here each line is named
 * and its bytes placed, so a follower starting at any offset, seeing a
 * replay after a cut, or mixing in /logs snapshots delivers each raw
 * byte exactly once and in order.
 */
#include "streams.h"

#include <string.h>

enum bl_log_kind bl_logline(const char **text, size_t *len, const char *line,
			    size_t n)
{
	*text = NULL;
	*len = 0;
	if (n >= 7 && (!memcmp(line, "stdout:", 7) ||
		       !memcmp(line, "stderr:", 7))) {
		*text = line + 7;
		*len = n - 7;
		return line[3] == 'o' ? BL_LOG_STDOUT : BL_LOG_STDERR;
	}
	/* the sandbox-api's keepalive, written every 30 s while it runs */
	if (n == 11 && !memcmp(line, "[keepalive]", 11))
		return BL_LOG_KEEPALIVE;
	/* "[Process is being gracefully terminated]", blank lines around
	 * it, an error body sent after a 200's headers: not output */
	return BL_LOG_OTHER;
}

void bl_logpos_init(struct bl_logpos *p, uint64_t offset)
{
	p->pos = 0;
	p->done = offset;
	p->held = 0;
}

void bl_logpos_replay(struct bl_logpos *p)
{
	p->pos = 0;
	p->held = 0;
}

/* len bytes that lie at p->pos: the part past done goes out. */
static int place(struct bl_logpos *p, const char *data, size_t len,
		 bl_bytes_fn fn, void *payload)
{
	uint64_t end = p->pos + len;
	int rc = 0;

	if (end > p->done) {
		/* a gap (done < pos) cannot come from a stream that counts
		 * from 0; deliver from where this piece starts then */
		size_t skip = p->done > p->pos ? (size_t)(p->done - p->pos) : 0;

		rc = fn(data + skip, len - skip, payload);
		if (!rc)
			p->done = end;
	}
	if (!rc)
		p->pos = end;
	return rc;
}

int bl_logpos_line(struct bl_logpos *p, const char *text, size_t len,
		   bl_bytes_fn fn, void *payload)
{
	int rc = 0;

	/* another line of this stream: the one before did end in "\n" */
	if (p->held && (rc = place(p, "\n", 1, fn, payload)))
		return rc;
	p->held = 0;
	if (len && (rc = place(p, text, len, fn, payload)))
		return rc;
	p->held = 1;
	return 0;
}

int bl_logpos_raw(struct bl_logpos *p, const char *raw, size_t len,
		  bl_bytes_fn fn, void *payload)
{
	int rc;

	if (len <= p->done)
		return 0;
	rc = fn(raw + p->done, len - (size_t)p->done, payload);
	if (!rc)
		p->done = len;
	return rc;
}
