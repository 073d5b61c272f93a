/*
 * core/search_embed_parse.c - the answer of an OpenAI-compatible
 * embeddings endpoint (POST {url}/embeddings), which wsp does not trust:
 *
 *   {"object":"list","data":[{"object":"embedding","index":0,
 *     "embedding":[0.0023,-0.0091,...]},...],"model":"...","usage":{...}}
 *
 * The body is bounded before it gets here (WSP__EMBED_BODY_MAX); here the
 * shape is checked: one entry per input, each index once, vectors of one
 * size (the configured or stored one), numbers finite and within float
 * range (1e39 would become infinity, and one NaN or infinity in a stored
 * vector would spoil every cosine). Messages name what was wrong, never
 * the answer's own text. tests/fuzz/fuzz_embed.c feeds it anything.
 */
#include "search.h"

#include <cjson/cJSON.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FAIL(...) (snprintf(why, why_cap, __VA_ARGS__), WSP_EPROTO)

/* The entry's index: its "index", or its position when there is none. */
static int entry_index(size_t *at, const cJSON *item, size_t pos, size_t n)
{
	const cJSON *ix = cJSON_GetObjectItemCaseSensitive(item, "index");
	double d;

	if (!ix) {
		*at = pos;
		return 0;
	}
	if (!cJSON_IsNumber(ix))
		return -1;
	d = ix->valuedouble;
	/* in range first, so the conversion is defined; then whole */
	if (!(d >= 0 && d < (double)n) || d != (double)(size_t)d)
		return -1;
	*at = (size_t)d;
	return 0;
}

/* One entry's numbers into v (dim of them); 0 or -1 with why. */
static int entry_vector(float *v, const cJSON *emb, uint32_t dim, size_t at,
			char *why, size_t why_cap)
{
	int size = cJSON_GetArraySize(emb);
	const cJSON *x;
	uint32_t k = 0;
	double d;

	if (size < 0 || (uint32_t)size != dim)
		return FAIL("entry %zu: %d numbers, not %u", at, size, dim);
	cJSON_ArrayForEach(x, emb)
	{
		if (!cJSON_IsNumber(x))
			return FAIL("entry %zu: an embedding holds something "
				    "other than a number",
				    at);
		d = x->valuedouble;
		if (!isfinite(d) || fabs(d) > FLT_MAX)
			return FAIL("entry %zu: a number is not finite or "
				    "out of float range",
				    at);
		v[k++] = (float)d;
	}
	return 0;
}

static int parse_tree(float **out, uint32_t *dim, const cJSON *root, size_t n,
		      uint32_t want, char *why, size_t why_cap)
{
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(root, "data");
	const cJSON *item, *emb;
	unsigned char *seen = NULL;
	float *v = NULL;
	size_t pos = 0, at, size;
	int rc = 0;

	if (!cJSON_IsArray(data))
		return FAIL("no \"data\" list");
	if ((size_t)cJSON_GetArraySize(data) != n)
		return FAIL("%d embeddings for %zu inputs",
			    cJSON_GetArraySize(data), n);
	*dim = want;
	cJSON_ArrayForEach(item, data)
	{
		emb = cJSON_GetObjectItemCaseSensitive(item, "embedding");
		if (!cJSON_IsArray(emb)) {
			rc = FAIL("entry %zu has no \"embedding\" list of "
				  "numbers (a base64 one is not asked for)",
				  pos);
			break;
		}
		if (!*dim) {
			size = (size_t)cJSON_GetArraySize(emb);
			if (size < 1 || size > WSP__EMBED_DIM_MAX) {
				rc = FAIL("%zu dimensions; at most %d are "
					  "taken",
					  size, WSP__EMBED_DIM_MAX);
				break;
			}
			*dim = (uint32_t)size;
		}
		if (!v) {
			v = calloc(n * *dim, sizeof(*v));
			seen = calloc(n, 1);
			if (!v || !seen) {
				rc = WSP_ENOMEM;
				break;
			}
		}
		if (entry_index(&at, item, pos, n) || seen[at]) {
			rc = FAIL("entry %zu: \"index\" missing from 0..%zu "
				  "or repeated",
				  pos, n - 1);
			break;
		}
		seen[at] = 1;
		if ((rc = entry_vector(v + at * *dim, emb, *dim, at, why,
				       why_cap)))
			break;
		pos++;
	}
	free(seen);
	if (rc) {
		free(v);
		return rc;
	}
	*out = v;
	return 0;
}

int wsp__embed_parse(float **out, uint32_t *dim, const char *body, size_t len,
		     size_t n, uint32_t want, char *why, size_t why_cap)
{
	cJSON *root;
	int rc;

	*out = NULL;
	*dim = 0;
	if (!n || n > WSP__EMBED_BATCH_MAX || want > WSP__EMBED_DIM_MAX)
		return FAIL("%zu inputs or %u dimensions asked for", n, want);
	if (len > WSP__EMBED_BODY_MAX)
		return FAIL("an answer of %zu bytes", len);
	root = cJSON_ParseWithLength(body, len);
	if (!root)
		return FAIL("the answer is not JSON");
	rc = parse_tree(out, dim, root, n, want, why, why_cap);
	cJSON_Delete(root);
	if (rc)
		*dim = 0;
	return rc;
}

void wsp__vec_normalize(float *v, uint32_t dim)
{
	double sum = 0, scale;
	uint32_t i;

	for (i = 0; i < dim; i++)
		sum += (double)v[i] * v[i];
	if (!(sum > 0) || !isfinite(sum))
		return;
	scale = 1 / wsp__search_sqrt(sum);
	if (!isfinite(scale)) /* libm could not be loaded */
		return;
	for (i = 0; i < dim; i++)
		v[i] = (float)(v[i] * scale);
}
