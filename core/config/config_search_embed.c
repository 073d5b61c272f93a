/*
 * core/config/config_search_embed.c - search.embeddings: the OpenAI-compatible
 * endpoint that turns chunks and queries into vectors (docs/search.md).
 *
 *   embeddings:
 *     url: https://api.openai.com/v1   wsp POSTs {url}/embeddings
 *     model: text-embedding-3-small    required
 *     api_key: ${OPENAI_API_KEY}       optional; Authorization: Bearer
 *     dimensions: 1536                 optional; answers must have it
 *     batch_size: 64                   chunks per request, 1 to 256
 *
 * The api_key is a secret: no message here quotes it (nor the URL, which
 * could carry credentials too), the workspace masks it in every output
 * (workspace.c adds it to the log sink), `wsp config show` prints the mask.
 */
#include "config.h"
#include "search.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define URL_MAX	  2048
#define MODEL_MAX 256
#define KEY_MAX	  4096

static const char *const known[] = {"url",	  "model",	"api_key",
				    "dimensions", "batch_size", NULL};

#define AT(n) (n)->line, (n)->col

void wsp__config_embed_free(struct wsp__embed_cfg *e)
{
	free(e->url);
	free(e->model);
	if (e->api_key)
		memset(e->api_key, 0, strlen(e->api_key));
	free(e->api_key);
	memset(e, 0, sizeof(*e));
}

/* Printable ASCII, no space: what a header value and a URL may carry. */
static int plain_text(const char *s, int spaces)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x21 || (unsigned char)*s > 0x7e)
			if (!(spaces && *s == ' '))
				return 0;
	return 1;
}

/* A string of 1..max bytes of plain text into *out, or a diagnostic. */
static int text_opt(struct wsp__config *cfg, const struct wsp__ynode *key,
		    const struct wsp__ynode *val, size_t max, int spaces,
		    char **out, struct wsp__diags *d)
{
	size_t n = strlen(val->value);

	if (!n || n > max || !plain_text(val->value, spaces)) {
		/* never the value: it may be the key, or a URL with one */
		wsp__diag_add(d, cfg->file, AT(val),
			      "'%s' of 'search.embeddings' must be 1 to %zu "
			      "bytes of printable ASCII%s",
			      key->value, max, spaces ? "" : " without spaces");
		return 0;
	}
	free(*out);
	*out = strdup(val->value);
	return *out ? 0 : WSP_ENOMEM;
}

static int parse_url(struct wsp__config *cfg, const struct wsp__ynode *key,
		     const struct wsp__ynode *val, struct wsp__diags *d)
{
	struct wsp__embed_cfg *e = &cfg->search.embed;
	size_t n;
	int rc = text_opt(cfg, key, val, URL_MAX, 0, &e->url, d);

	if (rc || !e->url)
		return rc;
	if (strncasecmp(e->url, "http://", 7) &&
	    strncasecmp(e->url, "https://", 8)) {
		wsp__diag_add(d, cfg->file, AT(val),
			      "'url' of 'search.embeddings' must start with "
			      "http:// or https:// (the base URL, such as "
			      "https://api.openai.com/v1)");
		free(e->url);
		e->url = NULL;
		return 0;
	}
	/* the base URL: requests go to {url}/embeddings */
	for (n = strlen(e->url); n > 8 && e->url[n - 1] == '/'; n--)
		e->url[n - 1] = '\0';
	return 0;
}

static void parse_count(struct wsp__config *cfg, const struct wsp__ynode *key,
			const struct wsp__ynode *val, int64_t hi, uint32_t *out,
			struct wsp__diags *d)
{
	struct wsp__optval v = {0};
	char why[160];

	if (wsp__optvalue_parse(&v, WSP_OPT_INT, val->value, why,
				sizeof(why)) ||
	    v.i < 1 || v.i > hi) {
		wsp__diag_add(d, cfg->file, AT(val),
			      "'%s' of 'search.embeddings' must be a whole "
			      "number from 1 to %lld, not '%.64s'",
			      key->value, (long long)hi, val->value);
		return;
	}
	*out = (uint32_t)v.i;
}

static int embed_key(struct wsp__config *cfg, size_t k,
		     const struct wsp__ynode *key, const struct wsp__ynode *val,
		     struct wsp__diags *d)
{
	struct wsp__embed_cfg *e = &cfg->search.embed;

	if (val->type != WSP__Y_SCALAR) {
		wsp__diag_add(d, cfg->file, AT(val),
			      "'%s' of 'search.embeddings' must be a single "
			      "value, not %s",
			      key->value, wsp__yaml_type_name(val));
		return 0;
	}
	switch (k) {
	case 0:
		return parse_url(cfg, key, val, d);
	case 1:
		return text_opt(cfg, key, val, MODEL_MAX, 1, &e->model, d);
	case 2:
		return text_opt(cfg, key, val, KEY_MAX, 0, &e->api_key, d);
	case 3:
		parse_count(cfg, key, val, WSP__EMBED_DIM_MAX, &e->dimensions,
			    d);
		return 0;
	default:
		parse_count(cfg, key, val, WSP__EMBED_BATCH_MAX, &e->batch_size,
			    d);
		return 0;
	}
}

int wsp__config_embed_parse(struct wsp__config *cfg, const struct wsp__ynode *n,
			    struct wsp__diags *d)
{
	struct wsp__embed_cfg *e = &cfg->search.embed;
	size_t before = d->n;
	int rc;

	e->batch_size = 64;
	rc = wsp__config_section(cfg, n, "'search.embeddings'", known,
				 embed_key, d);
	if (rc || d->n != before)
		return rc;
	if (!e->url || !e->model) {
		wsp__diag_add(d, cfg->file, AT(n),
			      "'search.embeddings' needs a 'url' (such as "
			      "https://api.openai.com/v1) and a 'model'");
		/* without both there are no vectors */
		free(e->url);
		e->url = NULL;
	}
	return 0;
}
