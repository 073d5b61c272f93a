/*
 * cli/json_bytes.c - output bytes as JSON: one string of arbitrary bytes
 * (exec --json), and JSON lines of a live stream (logs -f --json, exec
 * --json --stream) that never split a UTF-8 character across two lines.
 */
#include "cli.h"
#include "utf8seq.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * A JSON string of arbitrary bytes: valid UTF-8 is kept, control
 * characters are escaped, and each invalid byte becomes U+FFFD.
 */
void cli_put_json_bytes(FILE *f, const char *data, size_t n)
{
	const unsigned char *s = (const unsigned char *)data;
	size_t i = 0, len;

	fputc('"', f);
	while (i < n) {
		unsigned char c = s[i];

		if (c == '"' || c == '\\') {
			fputc('\\', f);
			fputc(c, f);
			i++;
		} else if (c == '\n') {
			fputs("\\n", f);
			i++;
		} else if (c == '\t') {
			fputs("\\t", f);
			i++;
		} else if (c == '\r') {
			fputs("\\r", f);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\u%04x", c);
			i++;
		} else if ((len = utf8_seq_len(s + i, n - i))) {
			fwrite(s + i, 1, len, f);
			i += len;
		} else {
			fputs("\\ufffd", f);
			i++;
		}
	}
	fputc('"', f);
}

/* Where a chunk ends short of a character it has begun (else n). */
static size_t utf8_cut(const unsigned char *s, size_t n)
{
	size_t back;

	for (back = 1; back <= 3 && back <= n; back++) {
		unsigned char c = s[n - back];

		/* a lead byte, ASCII or a byte that starts nothing (0) */
		if (!utf8_is_cont(c))
			return utf8_lead_len(c) > back ? n - back : n;
	}
	return n;
}

static void put_line(FILE *f, uint32_t stream, const char *data, size_t n)
{
	fprintf(f, "{\"stream\":\"%s\",\"data\":",
		stream == WSP_STDERR ? "stderr" : "stdout");
	cli_put_json_bytes(f, data, n);
	fputs("}\n", f);
}

int cli_jsonl_chunk(struct cli_jsonl *j, uint32_t stream, const void *data,
		    size_t len)
{
	int k = stream == WSP_STDERR;
	size_t n = j->n_carry[k] + len, cut;
	unsigned char *buf = malloc(n ? n : 1);

	if (!buf)
		return WSP_ENOMEM;
	memcpy(buf, j->carry[k], j->n_carry[k]);
	memcpy(buf + j->n_carry[k], data, len);
	cut = utf8_cut(buf, n);
	if (cut)
		put_line(j->f, stream, (const char *)buf, cut);
	j->n_carry[k] = n - cut;
	memcpy(j->carry[k], buf + cut, n - cut);
	free(buf);
	return fflush(j->f) == 0 ? 0 : WSP_EIO;
}

void cli_jsonl_finish(struct cli_jsonl *j)
{
	int k;

	for (k = 0; k < 2; k++)
		if (j->n_carry[k])
			put_line(j->f, k ? WSP_STDERR : WSP_STDOUT,
				 (const char *)j->carry[k], j->n_carry[k]);
	j->n_carry[0] = j->n_carry[1] = 0;
}
