/*
 * plugins/fs-s3/s3xml.c - a small forward-only XML reader for S3 answers.
 *
 * S3 answers with flat, namespace-free documents (ListBucketResult,
 * InitiateMultipartUploadResult, DeleteResult, Error). This reader walks
 * elements and reports leaf text with its element path; it skips the
 * prolog, comments, CDATA-free text, processing instructions and
 * attributes. Input is untrusted: depth, path and text are bounded, and
 * anything else malformed ends the walk with an error.
 */
#include "s3.h"

#include "growbuf.h"

#include <stdlib.h>
#include <string.h>

#define S3XML_MAX_DEPTH 16
#define S3XML_MAX_TEXT	(1 << 20)

void s3xml_init(struct s3xml *x, const char *doc, size_t len)
{
	memset(x, 0, sizeof(*x));
	x->p = doc;
	x->end = doc + len;
	/* XML has no NUL character; a document with one is not XML */
	x->bad = doc && memchr(doc, '\0', len);
}

void s3xml_free(struct s3xml *x)
{
	free(x->text);
	x->text = NULL;
}

/* Append n bytes to the text, kept NUL-terminated once there is one. */
static int text_put(struct s3xml *x, const char *s, size_t n)
{
	if (growbuf_append(&x->text, &x->text_len, &x->text_cap,
			   S3XML_MAX_TEXT - 1, s, n))
		return -1;
	if (x->text)
		x->text[x->text_len] = '\0';
	return 0;
}

/* UTF-8 encoding of a numeric character reference. */
static int put_codepoint(struct s3xml *x, unsigned long cp)
{
	char b[4];
	size_t n;

	if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		b[0] = (char)(0xf0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return text_put(x, b, n);
}

/* Decode text [s, e) with its entities into x->text. */
static int decode_text(struct s3xml *x, const char *s, const char *e)
{
	static const struct {
		const char *name;
		char c;
	} ents[] = {{"amp;", '&'},
		    {"lt;", '<'},
		    {"gt;", '>'},
		    {"quot;", '"'},
		    {"apos;", '\''}};

	while (s < e) {
		const char *amp = memchr(s, '&', (size_t)(e - s));

		if (!amp)
			return text_put(x, s, (size_t)(e - s));
		if (text_put(x, s, (size_t)(amp - s)))
			return -1;
		s = amp + 1;
		const char *semi = memchr(s, ';', (size_t)(e - s));

		if (!semi || semi - s > 10)
			return -1;
		if (*s == '#') {
			unsigned long cp = 0;
			const char *d = s + 1;
			int base = 10;

			if (d < semi && (*d == 'x' || *d == 'X')) {
				base = 16;
				d++;
			}
			if (d == semi)
				return -1;
			for (; d < semi; d++) {
				int v;

				if (*d >= '0' && *d <= '9')
					v = *d - '0';
				else if (base == 16 && *d >= 'a' && *d <= 'f')
					v = *d - 'a' + 10;
				else if (base == 16 && *d >= 'A' && *d <= 'F')
					v = *d - 'A' + 10;
				else
					return -1;
				cp = cp * (unsigned long)base +
				     (unsigned long)v;
				if (cp > 0x10ffff)
					return -1;
			}
			if (put_codepoint(x, cp))
				return -1;
		} else {
			size_t i, n = sizeof(ents) / sizeof(ents[0]);

			for (i = 0; i < n; i++) {
				size_t l = strlen(ents[i].name);

				if ((size_t)(semi + 1 - s) == l &&
				    !memcmp(s, ents[i].name, l))
					break;
			}
			if (i == n || text_put(x, &ents[i].c, 1))
				return -1;
		}
		s = semi + 1;
	}
	return 0;
}

static const char *find(const struct s3xml *x, const char *from,
			const char *needle)
{
	size_t nl = strlen(needle);

	if (from > x->end || (size_t)(x->end - from) < nl)
		return NULL;
	return memmem(from, (size_t)(x->end - from), needle, nl);
}

static void pop(struct s3xml *x)
{
	const char *last = memrchr(x->path, '/', x->path_len);

	x->path_len = last ? (size_t)(last - x->path) : 0;
	x->path[x->path_len] = '\0';
	x->depth--;
}

/* The innermost open element's name. */
static const char *innermost(const struct s3xml *x, size_t *len)
{
	const char *last = memrchr(x->path, '/', x->path_len);
	const char *open = last ? last + 1 : x->path;

	*len = x->path_len - (size_t)(open - x->path);
	return open;
}

static void strip_ns(const char **name, size_t *nl)
{
	const char *colon = memchr(*name, ':', *nl);

	if (colon) {
		*nl -= (size_t)(colon + 1 - *name);
		*name = colon + 1;
	}
}

/*
 * An element's text is a string even when empty; growbuf allocates
 * nothing for nothing, so the first one appends a byte to get a buffer.
 */
static int set_empty_text(struct s3xml *x)
{
	if (!x->text && text_put(x, "", 1))
		return -1;
	x->text_len = 0;
	x->text[0] = '\0';
	return 0;
}

int s3xml_next(struct s3xml *x)
{
	if (x->bad)
		return -1;
	if (x->pending_pop) {
		pop(x);
		x->pending_pop = false;
	}
	for (;;) {
		const char *lt, *gt, *name;
		size_t nl;

		if (x->p >= x->end)
			return x->depth ? -1 : 0;
		lt = memchr(x->p, '<', (size_t)(x->end - x->p));
		if (!lt)
			return x->depth ? -1 : 0;
		if (x->opened) {
			/* text between an opening tag and what follows */
			if (set_empty_text(x) || decode_text(x, x->p, lt))
				return -1;
		}
		x->p = lt + 1;
		if (x->p >= x->end)
			return -1;
		if (*x->p == '?' || *x->p == '!') {
			const char *close;

			if (x->end - x->p >= 3 && !strncmp(x->p, "!--", 3))
				close = find(x, x->p, "-->");
			else
				close = find(x, x->p, ">");
			if (!close)
				return -1;
			x->p = close + 1;
			continue;
		}
		gt = memchr(x->p, '>', (size_t)(x->end - x->p));
		if (!gt)
			return -1;
		if (*x->p == '/') {
			size_t ol;
			const char *open;

			name = x->p + 1;
			nl = (size_t)(gt - name);
			while (nl && strchr(" \t\r\n", name[nl - 1]))
				nl--;
			strip_ns(&name, &nl);
			if (!x->depth)
				return -1;
			open = innermost(x, &ol);
			if (ol != nl || memcmp(open, name, nl))
				return -1;
			x->p = gt + 1;
			if (x->opened) {
				/* a leaf: report it, pop on the next call */
				x->opened = false;
				x->pending_pop = true;
				return 1;
			}
			pop(x);
			continue;
		}
		/* opening (or empty-element) tag */
		name = x->p;
		nl = strcspn(name, " \t\r\n/>");
		if (name + nl > gt)
			return -1;
		bool empty = gt[-1] == '/';

		strip_ns(&name, &nl);
		if (!nl || x->depth >= S3XML_MAX_DEPTH ||
		    x->path_len + nl + 2 > sizeof(x->path))
			return -1;
		if (x->path_len)
			x->path[x->path_len++] = '/';
		memcpy(x->path + x->path_len, name, nl);
		x->path_len += nl;
		x->path[x->path_len] = '\0';
		x->depth++;
		x->p = gt + 1;
		x->opened = true;
		if (empty) {
			/* <Tag/>: a leaf with empty text */
			if (set_empty_text(x))
				return -1;
			x->opened = false;
			x->pending_pop = true;
			return 1;
		}
	}
}

char *s3xml_find(const char *doc, size_t len, const char *path)
{
	struct s3xml x;
	char *res = NULL;
	int rc;

	s3xml_init(&x, doc, len);
	while ((rc = s3xml_next(&x)) > 0) {
		if (!strcmp(x.path, path)) {
			res = strdup(x.text ? x.text : "");
			break;
		}
	}
	s3xml_free(&x);
	return res;
}
