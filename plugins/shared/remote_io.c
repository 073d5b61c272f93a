/*
 * plugins/shared/remote_io.c - a part of a download cut to the asked
 * range, an upload body around the caller's source and its boundary, a
 * write's refusals and a command on files (remote_io.h). Moved here
 * from sandbox-daytona when sandbox-blaxel needed the same (issue 16).
 */
#include "remote_io.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

int rio_part_take(const void *data, size_t len, void *payload)
{
	struct rio_part *s = payload;
	const char *p = data;
	size_t n;
	int rc;

	if (s->skip) {
		n = s->skip < len ? (size_t)s->skip : len;
		s->skip -= n;
		p += n;
		len -= n;
	}
	n = s->left < len ? (size_t)s->left : len;
	if (!n)
		return 0;
	if ((rc = s->sink(p, n, s->payload)))
		return rc;
	s->left -= n;
	if (s->left)
		return 0;
	s->full = 1;
	return WSP_ECANCELED; /* no need for the rest */
}

/* A 206's "Content-Range: bytes S-E/T": the body starts at S. */
int rio_part_header(const char *name, const char *value, void *payload)
{
	struct rio_part *s = payload;
	unsigned long long start;

	if (strcasecmp(name, "Content-Range"))
		return 0;
	if (sscanf(value, "bytes %llu-", &start) != 1 || start > s->offset) {
		s->bad_range = 1;
		return WSP_EPROTO;
	}
	s->skip = s->offset - start;
	return 0;
}

/* Both remote sandboxes end a part's download the same way: the stop
 * rio_part_take asked for is no failure, a wrong Content-Range is. */
int rio_part_end(const struct rio_part *s, int rc, const char *who,
		 wsp_error *err)
{
	if (rc && s->full) /* stopped by rio_part_take once the part was out */
		rc = 0;
	if (s->bad_range)
		rc = wsp_error_set(err, WSP_EPROTO,
				   "%s answered another range than asked", who);
	return rc;
}

int rio_wrap_give(void *buf, size_t cap, size_t *out_n, void *payload)
{
	struct rio_wrap *u = payload;
	const char *from = u->stage == 0 ? u->head : u->tail;
	size_t len = u->stage == 0 ? u->head_len : u->tail_len, n;
	int rc;

	*out_n = 0;
	if (u->stage == 1) {
		if ((rc = u->source(buf, cap, out_n, u->payload)))
			return rc;
		if (*out_n)
			return 0;
		u->stage = 2; /* the source's end: the tail follows */
		u->off = 0;
		from = u->tail;
		len = u->tail_len;
	}
	if (u->stage == 3)
		return 0;
	n = len - u->off < cap ? len - u->off : cap;
	memcpy(buf, from + u->off, n);
	u->off += n;
	*out_n = n;
	if (u->off == len) {
		u->stage++;
		u->off = 0;
	}
	return 0;
}

int64_t rio_wrap_form(struct rio_wrap *w, char *tail, size_t tail_cap,
		      const char *boundary, const wsp_fs_write_opts *opts,
		      wsp_source_fn source, void *payload)
{
	w->tail_len = (size_t)snprintf(tail, tail_cap, "\r\n--%s--\r\n",
				       boundary);
	w->tail = tail;
	w->source = source;
	w->payload = payload;
	return opts->flags & WSP_FS_WRITE_SIZE_KNOWN
		       ? (int64_t)(w->head_len + opts->size_hint + w->tail_len)
		       : -1;
}

int rio_boundary(char *out, const char *tmp, wsp_error *err)
{
	unsigned char r[16];
	char hex[2 * sizeof r + 1];

	if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
		return wsp_error_set(err, WSP_EIO, "no random bytes");
	for (size_t i = 0; i < sizeof r; i++)
		snprintf(hex + 2 * i, 3, "%02x", r[i]);
	snprintf(out, 40, "wsp-%s", hex);
	/* the path travels inside the body: it must not end the part */
	if (strstr(tmp, out))
		return wsp_error_set(err, WSP_EINVAL, "unlucky path");
	return 0;
}

int rio_part_range(char *out, size_t cap, const wsp_fs_read_opts *o,
		   uint64_t size)
{
	uint64_t last;

	if (!o->offset && o->length >= size)
		return 0;
	last = o->length < size - o->offset ? o->offset + o->length - 1
					    : size - 1;
	snprintf(out, cap, "bytes=%llu-%llu", (unsigned long long)o->offset,
		 (unsigned long long)last);
	return 1;
}

int rio_write_plain(const wsp_fs_write_opts *o, const char *who,
		    wsp_error *err)
{
	if (o->flags & WSP_FS_WRITE_APPEND)
		return wsp_error_set(err, WSP_ENOTSUP,
				     "%s cannot append to a file", who);
	if (o->expected_mtime_ns || o->expected_version)
		return wsp_error_set(err, WSP_ENOTSUP,
				     "%s has no conditional write", who);
	return 0;
}

int rio_fs_run(rio_exec_fn exec, void *self, const wsp_host *h,
	       const wsp_call *call, const char *const *prefix, const char *a,
	       const char *b, wsp_error *err)
{
	const char *argv[8];
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	wsp_exec_result r = {.struct_size = sizeof(r)};
	size_t n = 0;
	int rc;

	while (prefix[n] && n < 5) {
		argv[n] = prefix[n];
		n++;
	}
	argv[n++] = a;
	if (b)
		argv[n++] = b;
	argv[n] = NULL;
	o.argv = argv;
	o.flags = WSP_EXEC_NO_TIMEOUT;
	o.max_capture = 1024;
	if ((rc = exec(&r, self, call, &o, err)))
		return rc;
	if (r.exit_code)
		rc = wsp_error_set(err, WSP_EIO,
				   "%s in the sandbox exited %d: %.200s",
				   prefix[0], r.exit_code,
				   r.stderr_data ? r.stderr_data : "");
	h->free(h, r.stdout_data);
	h->free(h, r.stderr_data);
	return rc;
}
