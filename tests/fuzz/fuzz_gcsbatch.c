/*
 * tests/fuzz/fuzz_gcsbatch.c - the GCS provider's reader of batch answers
 * (plugins/fs-gcs/batchparse.c) on arbitrary bytes. The first byte gives
 * how many requests the batch had (1..100); the bytes up to the first
 * '\n' are the answer's Content-Type, the rest its body.
 *
 * Besides crashes, leaks and UB: an accepted boundary is 1..70 of RFC
 * 2046's characters; every answered part has a status 100..599 and a
 * body inside the answer; the count returned is the number answered.
 *
 * The reader lives in the plugin, which links nothing of the core, so
 * its source file is compiled in here.
 */
#include "../../plugins/fs-gcs/batchparse.c"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gcs_batch_part parts[GCS_BATCH_MAX];
	char boundary[GCS_BOUNDARY_MAX + 1];
	const char *nl;
	char *ct, *body;
	size_t n, ctlen, blen, answered = 0, got;

	if (size < 1)
		return 0;
	n = (size_t)data[0] % GCS_BATCH_MAX + 1;
	data++, size--;
	nl = memchr(data, '\n', size);
	ctlen = nl ? (size_t)(nl - (const char *)data) : size;
	ct = strndup((const char *)data, ctlen);
	if (!ct)
		return 0;
	blen = nl ? size - ctlen - 1 : 0;
	/* a copy of its own, so that reads past it are caught */
	body = malloc(blen ? blen : 1);
	if (!body) {
		free(ct);
		return 0;
	}
	if (blen)
		memcpy(body, nl + 1, blen);
	if (!gcs_batch_boundary(boundary, ct)) {
		size_t l = strlen(boundary);

		if (!l || l > GCS_BOUNDARY_MAX || boundary[l - 1] == ' ')
			__builtin_trap();
		for (size_t i = 0; i < l; i++)
			if (boundary[i] != ' ' && !bchar(boundary[i]))
				__builtin_trap();
	} else {
		/* the body with a boundary of its own choosing, too */
		memcpy(boundary, "B", 2);
	}
	got = gcs_batch_parse(parts, n, boundary, body, blen);
	for (size_t i = 0; i < n; i++) {
		if (!parts[i].status)
			continue;
		answered++;
		if (parts[i].status < 100 || parts[i].status > 599 ||
		    parts[i].body < body ||
		    parts[i].body + parts[i].body_len > body + blen)
			__builtin_trap();
	}
	if (answered != got)
		__builtin_trap();
	free(ct);
	free(body);
	return 0;
}
