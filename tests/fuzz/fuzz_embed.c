/*
 * tests/fuzz/fuzz_embed.c - the answer of an embeddings endpoint
 * (core/search_embed_parse.c), untrusted JSON from whatever search.embeddings
 * points at.
 *
 * Input: byte 0 how many inputs were sent (1..8), byte 1 the dimensions
 * wanted (0: learned from the answer, else 1..16), then the body. Checked
 * besides crashes, leaks and UB: an accepted answer has a size of 1 to
 * WSP__EMBED_DIM_MAX equal to the wanted one, n * dim numbers that are
 * finite and within float range, and normalises to length 1 or stays
 * zero; a refused one has no vector and a NUL-terminated reason of
 * printable text.
 */
#include "search.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why[200];
	float *v = (float *)1;
	uint32_t dim = 7, want;
	size_t n, i, k;
	double len;
	int rc;

	if (size < 2)
		return 0;
	n = 1 + data[0] % 8;
	want = data[1] % 17;
	memset(why, 'x', sizeof(why));
	rc = wsp__embed_parse(&v, &dim, (const char *)data + 2, size - 2, n,
			      want, why, sizeof(why));
	if (rc) {
		if (v || dim || (rc != WSP_EPROTO && rc != WSP_ENOMEM))
			abort();
		if (rc == WSP_EPROTO) {
			if (!memchr(why, '\0', sizeof(why)))
				abort();
			for (i = 0; why[i]; i++)
				if ((unsigned char)why[i] < 0x20 ||
				    (unsigned char)why[i] > 0x7e)
					abort();
		}
		return 0;
	}
	if (!v || dim < 1 || dim > WSP__EMBED_DIM_MAX || (want && dim != want))
		abort();
	for (i = 0; i < n; i++) {
		for (k = 0; k < dim; k++)
			if (!isfinite(v[i * dim + k]) ||
			    fabsf(v[i * dim + k]) > FLT_MAX)
				abort();
		wsp__vec_normalize(v + i * dim, dim);
		for (len = 0, k = 0; k < dim; k++)
			len += (double)v[i * dim + k] * v[i * dim + k];
		if (len != 0 && fabs(len - 1) > 1e-3)
			abort();
	}
	free(v);
	return 0;
}
