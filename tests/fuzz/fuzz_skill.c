/*
 * tests/fuzz/fuzz_skill.c - a SKILL.md's front matter (core/skill_parse.c):
 * the '---' markers, the YAML (libyaml through the bounded tree), the
 * conversion of every key to JSON, Mastra's name and description checks.
 *
 * Input: byte 0 picks the directory name the skill must match (the name
 * field's value itself, a fixed name, or none), then the file. Checked: a
 * success has a name and a description that pass the checks again (1..64
 * allowed bytes, matching the directory; 1..2048 characters), the front
 * matter as a JSON object holding both, and a body offset and line inside
 * the file where the text after the closing marker starts; a failure has
 * a reason, NUL-terminated within its buffer.
 */
#include "skills.h"
#include "fuzz_lines.h"

#include <stdlib.h>
#include <string.h>

static void check_ok(const struct wsp__skill_doc *d, const char *text,
		     size_t len, const char *dir)
{
	const cJSON *v;
	size_t i, n = strlen(d->name);

	if (!n || n > WSP__SKILL_NAME_MAX || !d->description[0])
		abort();
	for (i = 0; i < n; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789-",
			    d->name[i]))
			abort();
	if (d->name[0] == '-' || d->name[n - 1] == '-' ||
	    strstr(d->name, "--") || (dir && strcmp(dir, d->name)))
		abort();
	if (!cJSON_IsObject(d->front))
		abort();
	v = cJSON_GetObjectItemCaseSensitive(d->front, "name");
	if (!cJSON_IsString(v) || strcmp(v->valuestring, d->name))
		abort();
	v = cJSON_GetObjectItemCaseSensitive(d->front, "description");
	if (!cJSON_IsString(v) || strcmp(v->valuestring, d->description))
		abort();
	if (d->body_off > len || d->body_off < 7 ||
	    (d->body_off < len && text[d->body_off - 1] != '\n'))
		abort();
	/* the body's line: a UTF-8 BOM is not a line */
	if (d->body_line != fuzz_line_at(text, d->body_off) +
				    (d->body_off == len && text[len - 1] != '\n'))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wsp__skill_doc doc;
	char why[512], *text;
	const char *dir = "pdf-tools";
	const char *want;
	size_t len;
	int rc;

	if (size < 1 || size > WSP__SKILL_FILE_MAX + 2)
		return 0;
	len = size - 1;
	text = malloc(len + 1);
	if (!text)
		return 0;
	memcpy(text, data + 1, len);
	text[len] = '\0';
	want = data[0] % 3 == 0 ? dir : data[0] % 3 == 1 ? NULL : "";
	rc = wsp__skill_parse(&doc, text, len, "/s/SKILL.md", want, why,
			      sizeof(why));
	if (rc == 0) {
		check_ok(&doc, text, len, want && *want ? want : NULL);
		wsp__skill_doc_free(&doc);
	} else if (rc != WSP_EINVAL && rc != WSP_ENOMEM) {
		abort();
	} else if (rc == WSP_EINVAL && (!memchr(why, '\0', sizeof(why)) ||
					!why[0])) {
		abort();
	}
	if (data[0] % 3 == 2 && rc == 0)
		abort(); /* "" never matches a valid name */
	free(text);
	return 0;
}
