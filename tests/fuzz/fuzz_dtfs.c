/*
 * tests/fuzz/fuzz_dtfs.c - the Daytona provider's readers of what the
 * toolbox says about the sandbox's files, on arbitrary bytes: the
 * FileInfo reader and the listed-name check (fileinfo.c), and the cutting
 * of a part of a file out of a download's body with the answer's
 * Content-Range (plugins/shared/remote_io.c), both compiled in.
 *
 * First byte even: the rest is JSON, a FileInfo or a listing of them.
 * Checked: an accepted one has a name, a mode of permission bits only,
 * and a name taken for a walk holds no '/' and is not "." or "..".
 * First byte odd: the next 12 bytes are the offset, the length and where
 * a 206 starts (each mod the file's size), then a Content-Range value up
 * to a NUL, the rest the file. The body is the file from that start (or
 * from 0, without the header), fed in pieces. Checked: exactly the
 * asked bytes reach the sink, in order, and the sink is told it is full
 * just when the part ends inside the file; a refused header stops all.
 */
#include "../../plugins/sandbox-daytona/fileinfo.c"
#include "../../plugins/shared/remote_io.c"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void info_one(const cJSON *j)
{
	struct dt_fs_info fi;

	if (dt_fs_info(&fi, j))
		return;
	if (!fi.name || fi.mode > 07777 || fi.is_dir > 1 || fi.is_link > 1)
		abort();
	if (dt_fs_name_ok(fi.name) &&
	    (strchr(fi.name, '/') || !*fi.name || !strcmp(fi.name, ".") ||
	     !strcmp(fi.name, "..")))
		abort();
}

static void infos(const uint8_t *data, size_t size)
{
	cJSON *j = cJSON_ParseWithLength((const char *)data, size), *it;

	info_one(j);
	cJSON_ArrayForEach(it, j)
		info_one(it);
	cJSON_Delete(j);
}

struct got {
	const uint8_t *want;
	size_t n, cap;
};

static int take(const void *p, size_t len, void *payload)
{
	struct got *g = payload;

	if (!len || g->n + len > g->cap || memcmp(g->want + g->n, p, len))
		abort();
	g->n += len;
	return 0;
}

static uint32_t u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void part(const uint8_t *data, size_t size)
{
	const uint8_t *nul, *file;
	char header[128];
	size_t n, off, len, start, at, hlen, seed;
	struct got g;
	struct rio_part s;
	int rc = 0, has_header;

	if (size < 13)
		return;
	nul = memchr(data + 13, 0, size - 13);
	if (!nul)
		return;
	hlen = (size_t)(nul - (data + 13));
	file = nul + 1;
	n = size - (size_t)(file - data);
	if (!n || hlen >= sizeof header)
		return;
	memcpy(header, data + 13, hlen);
	header[hlen] = '\0';
	off = u32(data + 1) % n;
	len = 1 + u32(data + 5) % (2 * n); /* may reach past the end */
	start = u32(data + 9) % (off + 1);
	has_header = hlen > 0;
	seed = data[12];
	g = (struct got){ .want = file + off,
			  .cap = len < n - off ? len : n - off };
	s = (struct rio_part){ .offset = off, .skip = off, .left = len,
			      .sink = take, .payload = &g };
	/* the value as sent, or a well-formed one for the chosen start */
	if (has_header && header[0] == '=')
		snprintf(header, sizeof header, "bytes %zu-%zu/%zu", start,
			 n - 1, n);
	else
		start = 0;
	if (has_header && rio_part_header("content-range", header, &s)) {
		if (!s.bad_range)
			abort();
		return;
	}
	if (has_header && !s.bad_range) {
		/* an accepted header starts at or before the offset */
		unsigned long long st;

		if (sscanf(header, "bytes %llu-", &st) != 1 || st > off)
			abort();
		start = (size_t)st;
	}
	if (start > n)
		return;
	for (at = start; at < n && !rc;) {
		size_t k = 1 + seed % 97;

		if (k > n - at)
			k = n - at;
		rc = rio_part_take(file + at, k, &s);
		at += k;
		seed = seed * 1103515245u + 12345u;
	}
	if (rc && (rc != WSP_ECANCELED || !s.full))
		abort();
	if (g.n != g.cap || s.full != (len <= n - off))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	if (data[0] & 1)
		part(data, size);
	else
		infos(data + 1, size - 1);
	return 0;
}
