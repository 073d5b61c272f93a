/*
 * toolkit/tool_files.c - the file tools: read_file, write_file, edit_file,
 * delete, file_stat, mkdir.
 *
 * Writes are guarded: one writer per path (the set's lock table), and a
 * file the agent read is only replaced if it is still the version read
 * (the filesystem checks the version token atomically with the write, so
 * a change between check and write is caught too).
 */
#include "lsp.h"
#include "tool_schemas.h"
#include "tools_backend.h"
#include "utf8seq.h"

#include <inttypes.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define MAX_READ      (32u << 20) /* bytes a read or edit loads */
#define WRITE_LOCK_MS 30000	  /* Mastra's writeLockTimeoutMs */
#define TOKEN_MAX     (WSP_FS_VERSION_MAX + 32)
#define MAX_MEDIA     (10u << 20) /* Mastra's maxMediaBytes */

/* ---- helpers ---------------------------------------------------------- */

void wsp__tools_path_key(char *out, size_t cap, const char *path)
{
	size_t o = 0, n;
	const char *p = path, *seg;

	if (cap < 2) {
		if (cap)
			out[0] = '\0';
		return;
	}
	while (*p) {
		while (*p == '/')
			p++;
		seg = p;
		while (*p && *p != '/')
			p++;
		n = (size_t)(p - seg);
		if (!n || (n == 1 && seg[0] == '.'))
			continue;
		if (n == 2 && seg[0] == '.' && seg[1] == '.') {
			while (o && out[o - 1] != '/')
				o--;
			if (o)
				o--;
			continue;
		}
		if (o + 1 + n + 1 > cap)
			break;
		out[o++] = '/';
		memcpy(out + o, seg, n);
		o += n;
	}
	if (!o)
		out[o++] = '/';
	out[o] = '\0';
}

/* The token a write must match: the version, or the mtime without one. */
static void version_token(char *out, size_t cap, const wsp_fs_stat *st)
{
	if (st->version[0])
		snprintf(out, cap, "v:%s", st->version);
	else
		snprintf(out, cap, "m:%" PRId64, st->mtime_ns);
}

/*
 * Binary: a NUL byte, a byte that starts no UTF-8 sequence, or a lead
 * without its continuation bytes. Only the shape is checked, not the
 * code point: an overlong form, a surrogate or a code point past U+10FFFF
 * passes as text (read_file shows it, edit_file edits it), and the MCP
 * server cleans a result before it sends it (core/utf8.c).
 */
static int is_binary(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n, k;

	while (i < len) {
		if (p[i] == 0)
			return 1;
		n = utf8_lead_len(p[i]);
		if (n == 0 || n > len - i)
			return 1;
		for (k = 1; k < n; k++)
			if (!utf8_is_cont(p[i + k]))
				return 1;
		i += n;
	}
	return 0;
}

static int stat_path(struct wsp__tool_ctx *c, wsp_fs_stat *st, const char *path,
		     wsp_error *err)
{
	memset(st, 0, sizeof(*st));
	st->struct_size = sizeof(*st);
	return wsp_files_stat(st, c->ws, &c->call, path, 0, err);
}

/* ---- read_file -------------------------------------------------------- */

static void encode(struct wsp__tbuf *b, const unsigned char *p, size_t len,
		   const char *enc)
{
	enum { PIECE = 3072 }; /* bytes: 4096 characters of base64 */
	static const char hex[] = "0123456789abcdef";
	char q[4], piece[PIECE / 3 * 4 + 1];
	size_t i;

	if (!strcmp(enc, "hex")) {
		for (i = 0; i < len; i++) {
			q[0] = hex[p[i] >> 4];
			q[1] = hex[p[i] & 15];
			wsp__tbuf_add(b, q, 2);
		}
	} else if (!strcmp(enc, "binary")) {
		/* Node's "binary" is latin1: one character per byte */
		for (i = 0; i < len; i++) {
			if (p[i] < 0x80) {
				wsp__tbuf_add(b, p + i, 1);
			} else {
				q[0] = (char)(0xc0 | (p[i] >> 6));
				q[1] = (char)(0x80 | (p[i] & 0x3f));
				wsp__tbuf_add(b, q, 2);
			}
		}
	} else {
		/* OpenSSL's encoder, a piece at a time (its length is an int)
		 */
		for (i = 0; i < len; i += PIECE) {
			size_t n = len - i < PIECE ? len - i : PIECE;
			int out = EVP_EncodeBlock((unsigned char *)piece, p + i,
						  (int)n);

			wsp__tbuf_add(b, piece, (size_t)out);
		}
	}
}

/* Files a model can look at, by extension (Mastra's media types). */
static const char *media_type_of(const char *path)
{
	static const char *const types[][2] = {
		{".png", "image/png"},	 {".jpg", "image/jpeg"},
		{".jpeg", "image/jpeg"}, {".gif", "image/gif"},
		{".webp", "image/webp"}, {".pdf", "application/pdf"},
	};
	size_t i, n = strlen(path), k;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		k = strlen(types[i][0]);
		if (n > k && !strcasecmp(path + n - k, types[i][0]))
			return types[i][1];
	}
	return NULL;
}

static int read_file(struct wsp__tool_ctx *c)
{
	const char *path = wsp__arg_str(c, "path", "");
	const char *enc = wsp__arg_str(c, "encoding", NULL);
	int64_t offset, limit;
	int numbers = wsp__arg_bool(c, "showLineNumbers", 1);
	struct wsp__tbuf data = {0}, text = {0};
	char key[4096], token[TOKEN_MAX];
	size_t total = 1, i, start, end, line, width, digits;
	const char *p, *q, *stop;
	wsp_fs_stat st;
	wsp_error err = {0};
	int rc;

	/* 0 stands for absent: the schema's minimum for both is 1 */
	if (wsp__arg_int(c, "offset", 0, 1, WSP__JSON_INT_MAX, &offset) ||
	    wsp__arg_int(c, "limit", 0, 1, WSP__JSON_INT_MAX, &limit))
		return 0;
	if (stat_path(c, &st, path, &err))
		return wsp__tool_fail_err(c, &err);
	if (st.type == WSP_FS_TYPE_DIR)
		return wsp__tool_fail(c,
				      "Error: '%s' is a directory; use "
				      "list_files to see what it holds",
				      path);
	rc = wsp__tb_read(&data, c->ws, &c->call, path, MAX_READ, &err);
	if (rc) {
		wsp__tbuf_free(&data);
		return wsp__tool_fail_err(c, &err);
	}
	wsp__tools_path_key(key, sizeof(key), path);
	version_token(token, sizeof(token), &st);
	wsp__guard_note_read(wsp__tools_guard(c->set), key, token);

	if ((!enc || !strcmp(enc, "utf-8") || !strcmp(enc, "utf8")) &&
	    media_type_of(path) && data.len <= MAX_MEDIA &&
	    is_binary(data.p ? data.p : "", data.len)) {
		/* shown to the model as an image (or document), not as text */
		c->media_type = media_type_of(path);
		encode(&c->media, (const unsigned char *)data.p, data.len,
		       "base64");
		wsp__tbuf_addf(&c->out, "%s (%zu bytes)", path, data.len);
		wsp__tbuf_free(&data);
		return 0;
	}
	if (enc && strcmp(enc, "utf-8") && strcmp(enc, "utf8")) {
		wsp__tbuf_addf(&text, "%s (%zu bytes, %s)\n", path, data.len,
			       enc);
		encode(&text, (const unsigned char *)(data.p ? data.p : ""),
		       data.len, enc);
		goto out;
	}
	if (is_binary(data.p ? data.p : "", data.len)) {
		wsp__tbuf_addf(&text,
			       "%s (%zu bytes, binary: not shown as text; use "
			       "encoding \"base64\" or \"hex\" to read its "
			       "bytes)",
			       path, data.len);
		goto out;
	}
	/* lines as JavaScript's split("\n") counts them */
	for (i = 0; i < data.len; i++)
		if (data.p[i] == '\n')
			total++;
	start = offset ? (size_t)offset : 1;
	end = limit ? start + (size_t)limit - 1 : total;
	if (end > total)
		end = total;
	if (offset || limit)
		wsp__tbuf_addf(&text, "%s (lines %zu-%zu of %zu, %zu bytes)\n",
			       path, start, end, total, data.len);
	else
		wsp__tbuf_addf(&text, "%s (%zu bytes)\n", path, data.len);
	for (digits = 1, i = end < start ? start : end; i >= 10; i /= 10)
		digits++;
	width = digits + 1 > 6 ? digits + 1 : 6;
	p = data.p ? data.p : "";
	stop = p + data.len;
	for (line = 1; line <= end && p <= stop; line++) {
		q = memchr(p, '\n', (size_t)(stop - p));
		if (!q)
			q = stop;
		if (line >= start) {
			if (line > start)
				wsp__tbuf_add(&text, "\n", 1);
			if (numbers)
				wsp__tbuf_addf(&text, "%*zu\xe2\x86\x92",
					       (int)width, line);
			wsp__tbuf_add(&text, p, (size_t)(q - p));
		}
		p = q + 1;
	}
out:
	wsp__text_limit(&c->out, text.p ? text.p : "", text.len,
			WSP__OUTPUT_TOKENS);
	wsp__tbuf_free(&text);
	wsp__tbuf_free(&data);
	return 0;
}

/* ---- writes ----------------------------------------------------------- */

/*
 * Before replacing an existing file: refuse a blind overwrite when the
 * set asks for read-before-write, and a stale one always. *expected gets
 * the token to write against ("" = none).
 */
static int check_fresh(struct wsp__tool_ctx *c, const char *path,
		       const char *key, const wsp_fs_stat *now, char *expected,
		       size_t cap)
{
	char seen[TOKEN_MAX], cur[TOKEN_MAX];

	expected[0] = '\0';
	if (!wsp__guard_last_read(wsp__tools_guard(c->set), key, seen,
				  sizeof(seen))) {
		if (wsp__tools_flags(c->set) & WSP_TOOLS_READ_BEFORE_WRITE) {
			wsp__tool_fail(c,
				       "Error: '%s' exists and was not read in "
				       "this session; read it with read_file "
				       "before changing it",
				       path);
			return -1;
		}
		version_token(expected, cap, now);
		return 0;
	}
	version_token(cur, sizeof(cur), now);
	if (strcmp(seen, cur)) {
		wsp__tool_fail(c,
			       "Error: '%s' changed since it was last read; "
			       "read it again with read_file before changing "
			       "it",
			       path);
		return -1;
	}
	snprintf(expected, cap, "%s", seen);
	return 0;
}

static int lock_path(struct wsp__tool_ctx *c, const char *path, const char *key)
{
	int rc = wsp__guard_lock(wsp__tools_guard(c->set), key, WRITE_LOCK_MS);

	if (rc == WSP_ETIMEDOUT)
		wsp__tool_fail(c,
			       "Error: another write to '%s' is still in "
			       "progress (write-lock timeout after %d s)",
			       path, WRITE_LOCK_MS / 1000);
	else if (rc)
		return rc;
	return rc ? 1 : 0;
}

static void stale_or_fail(struct wsp__tool_ctx *c, const char *path, int rc,
			  const wsp_error *err)
{
	if (rc == WSP_ESTALE)
		wsp__tool_fail(c,
			       "Error: '%s' changed since it was last read; "
			       "read it again with read_file before changing "
			       "it",
			       path);
	else
		wsp__tool_fail_err(c, err);
}

static int write_file(struct wsp__tool_ctx *c)
{
	const char *path = wsp__arg_str(c, "path", "");
	const char *content = wsp__arg_str(c, "content", "");
	int overwrite = wsp__arg_bool(c, "overwrite", 1);
	char key[4096], expected[TOKEN_MAX] = "", token[TOKEN_MAX];
	size_t len = strlen(content);
	wsp_fs_stat st, now;
	wsp_error err = {0};
	int rc;

	wsp__tools_path_key(key, sizeof(key), path);
	if ((rc = lock_path(c, path, key)))
		return rc < 0 ? rc : 0;
	rc = stat_path(c, &now, path, &err);
	if (rc == 0 && now.type == WSP_FS_TYPE_DIR) {
		wsp__tool_fail(c, "Error: '%s' is a directory", path);
		goto out;
	}
	if (rc == 0 && !overwrite) {
		wsp__tool_fail(c,
			       "Error: '%s' already exists; pass overwrite: "
			       "true to replace it",
			       path);
		goto out;
	}
	if (rc == 0 &&
	    check_fresh(c, path, key, &now, expected, sizeof(expected)))
		goto out;
	/*
	 * A path refused as such (one escaping its mount through a
	 * symlinked ancestor) is left to the write, whose refusal says what
	 * was refused and why; "cannot stat" would hide that it was the
	 * write.
	 */
	if (rc && rc != WSP_ENOTFOUND && rc != WSP_EPERM) {
		wsp__tool_fail_err(c, &err);
		goto out;
	}
	memset(&st, 0, sizeof(st));
	st.struct_size = sizeof(st);
	rc = wsp__tb_write(&st, c->ws, &c->call, path, content, len,
			   rc == WSP_ENOTFOUND ? WSP_FS_WRITE_NO_OVERWRITE : 0,
			   expected[0] ? expected : NULL, &err);
	if (rc == WSP_EEXIST)
		rc = WSP_ESTALE; /* created by someone else meanwhile */
	if (rc) {
		stale_or_fail(c, path, rc, &err);
		goto out;
	}
	version_token(token, sizeof(token), &st);
	wsp__guard_note_read(wsp__tools_guard(c->set), key, token);
	wsp__tool_say(c, "Wrote %zu bytes to %s", len, path);
	wsp__lsp_diagnostics(wsp__tools_lsp(c->set), c, path, content);
out:
	wsp__guard_unlock(wsp__tools_guard(c->set), key);
	return 0;
}

static size_t count_occurrences(const char *s, size_t len, const char *needle,
				size_t nlen)
{
	size_t n = 0;
	const char *p = s, *end = s + len, *hit;

	if (!nlen)
		return 0;
	while (p + nlen <= end &&
	       (hit = memmem(p, (size_t)(end - p), needle, nlen))) {
		n++;
		p = hit + nlen;
	}
	return n;
}

static size_t line_of(const char *s, size_t off)
{
	size_t i, line = 1;

	for (i = 0; i < off; i++)
		if (s[i] == '\n')
			line++;
	return line;
}

static int edit_file(struct wsp__tool_ctx *c)
{
	const char *path = wsp__arg_str(c, "path", "");
	const char *old = wsp__arg_str(c, "old_string", "");
	const char *new = wsp__arg_str(c, "new_string", "");
	int all = wsp__arg_bool(c, "replace_all", 0);
	size_t olen = strlen(old), nlen = strlen(new), count, first = 0,
	       last_end = 0;
	struct wsp__tbuf data = {0}, res = {0};
	char key[4096], expected[TOKEN_MAX], token[TOKEN_MAX];
	const char *p, *end, *hit;
	wsp_fs_stat now, st;
	wsp_error err = {0};
	int rc;

	wsp__tools_path_key(key, sizeof(key), path);
	if ((rc = lock_path(c, path, key)))
		return rc < 0 ? rc : 0;
	if (stat_path(c, &now, path, &err)) {
		wsp__tool_fail_err(c, &err);
		goto out;
	}
	if (now.type == WSP_FS_TYPE_DIR) {
		wsp__tool_fail(c, "Error: '%s' is a directory", path);
		goto out;
	}
	if (check_fresh(c, path, key, &now, expected, sizeof(expected)))
		goto out;
	rc = wsp__tb_read(&data, c->ws, &c->call, path, MAX_READ, &err);
	if (rc) {
		wsp__tool_fail_err(c, &err);
		goto out;
	}
	if (is_binary(data.p ? data.p : "", data.len)) {
		wsp__tool_fail(c, "Cannot edit binary files. Use the write "
				  "file tool instead.");
		goto out;
	}
	count = count_occurrences(data.p ? data.p : "", data.len, old, olen);
	if (!count) {
		wsp__tool_fail(c, "The specified text was not found. Make sure "
				  "you use the exact text from the file.");
		goto out;
	}
	if (count > 1 && !all) {
		wsp__tool_fail(c,
			       "The specified text appears %zu times. Provide "
			       "more surrounding context to make the match "
			       "unique, or use replace_all to replace all "
			       "occurrences.",
			       count);
		goto out;
	}
	p = data.p;
	end = data.p + data.len;
	count = 0;
	while (p + olen <= end &&
	       (hit = memmem(p, (size_t)(end - p), old, olen))) {
		wsp__tbuf_add(&res, p, (size_t)(hit - p));
		if (!count)
			first = res.len;
		wsp__tbuf_add(&res, new, nlen);
		last_end = res.len;
		p = hit + olen;
		count++;
		if (!all)
			break;
	}
	wsp__tbuf_add(&res, p, (size_t)(end - p));
	if (res.oom) {
		rc = WSP_ENOMEM;
		goto out;
	}
	memset(&st, 0, sizeof(st));
	st.struct_size = sizeof(st);
	rc = wsp__tb_write(&st, c->ws, &c->call, path, res.p ? res.p : "",
			   res.len, 0, expected, &err);
	if (rc) {
		stale_or_fail(c, path, rc, &err);
		rc = 0;
		goto out;
	}
	version_token(token, sizeof(token), &st);
	wsp__guard_note_read(wsp__tools_guard(c->set), key, token);
	wsp__tbuf_addf(&c->out,
		       "Replaced %zu occurrence%s in %s (lines "
		       "%zu-%zu)",
		       count, count == 1 ? "" : "s", path,
		       line_of(res.p, first),
		       line_of(res.p, last_end > first ? last_end - 1 : first));
	wsp__lsp_diagnostics(wsp__tools_lsp(c->set), c, path,
			     res.p ? res.p : "");
out:
	wsp__tbuf_free(&data);
	wsp__tbuf_free(&res);
	wsp__guard_unlock(wsp__tools_guard(c->set), key);
	return rc < 0 ? rc : 0;
}

static int delete_path(struct wsp__tool_ctx *c)
{
	const char *path = wsp__arg_str(c, "path", "");
	int recursive = wsp__arg_bool(c, "recursive", 0);
	char key[4096];
	wsp_fs_stat st;
	wsp_error err = {0};
	int rc;

	wsp__tools_path_key(key, sizeof(key), path);
	if ((rc = lock_path(c, path, key)))
		return rc < 0 ? rc : 0;
	/*
	 * The link itself, not what it points to: a link out of the
	 * workspace can be deleted (its target never is).
	 */
	memset(&st, 0, sizeof(st));
	st.struct_size = sizeof(st);
	rc = wsp_files_stat(&st, c->ws, &c->call, path, WSP_FS_NO_FOLLOW, &err);
	if (!rc && st.type == WSP_FS_TYPE_DIR)
		rc = wsp_files_rmdir(
			c->ws, &c->call, path,
			recursive ? WSP_FS_RECURSIVE | WSP_FS_FORCE : 0, &err);
	else if (!rc)
		rc = wsp_files_remove(c->ws, &c->call, path, 0, &err);
	if (rc == WSP_ENOTEMPTY)
		wsp__tool_fail(c,
			       "Error: directory '%s' is not empty; pass "
			       "recursive: true to delete it with its contents",
			       path);
	else if (rc)
		wsp__tool_fail_err(c, &err);
	else
		wsp__tool_say(c, "Deleted %s", path);
	wsp__guard_forget(wsp__tools_guard(c->set), key);
	wsp__guard_unlock(wsp__tools_guard(c->set), key);
	return 0;
}

static int file_stat(struct wsp__tool_ctx *c)
{
	const char *path = wsp__arg_str(c, "path", "");
	char when[64];
	wsp_fs_stat st;
	wsp_error err = {0};
	struct tm tm;
	time_t secs;
	int rc;

	rc = stat_path(c, &st, path, &err);
	if (rc == WSP_ENOTFOUND) {
		wsp__tbuf_addf(&c->out, "%s: not found", path);
		return 0;
	}
	if (rc)
		return wsp__tool_fail_err(c, &err);
	secs = (time_t)(st.mtime_ns / 1000000000);
	gmtime_r(&secs, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	wsp__tbuf_addf(&c->out,
		       "%s Type: %s Size: %" PRIu64 " bytes Modified: %s.%03dZ",
		       path, st.type == WSP_FS_TYPE_DIR ? "directory" : "file",
		       st.size, when, (int)((st.mtime_ns / 1000000) % 1000));
	return 0;
}

static int make_dir(struct wsp__tool_ctx *c)
{
	const char *path = wsp__arg_str(c, "path", "");
	int recursive = wsp__arg_bool(c, "recursive", 1);
	wsp_error err = {0};

	if (wsp_files_mkdir(c->ws, &c->call, path,
			    recursive ? WSP_FS_RECURSIVE : 0, &err))
		return wsp__tool_fail_err(c, &err);
	wsp__tool_say(c, "Created directory %s", path);
	return 0;
}

/* ---- definitions ------------------------------------------------------ */

const struct wsp__tool_def wsp__tool_read_file = {
	.name = "read_file",
	.description =
		"Read the contents of a file from the workspace filesystem. "
		"Use offset/limit parameters to read specific line ranges for "
		"large files.",
	.schema = wsp__schema_read_file,
	.flags = WSP__TOOL_NEEDS_FS,
	.run = read_file,
};

const struct wsp__tool_def wsp__tool_write_file = {
	.name = "write_file",
	.description = "Write content to a file in the workspace filesystem. "
		       "Creates parent directories if needed.",
	.schema = wsp__schema_write_file,
	.flags = WSP_TOOL_WRITES | WSP__TOOL_NEEDS_FS,
	.run = write_file,
};

const struct wsp__tool_def wsp__tool_edit_file = {
	.name = "edit_file",
	.description =
		"Edit a file by replacing specific text. The old_string must "
		"match exactly and be unique in the file.\n\n"
		"Usage:\n"
		"- Read the file first to get the exact text to replace.\n"
		"- By default, read file output includes line number prefixes "
		"(e.g., \"     1\xe2\x86\x92\"). Ensure you preserve the exact "
		"indentation as it appears AFTER the arrow. Never include any "
		"part of the line number prefix in old_string or "
		"new_string.\n"
		"- Include enough surrounding context (multiple lines) to make "
		"old_string unique. If it still isn't unique, include more "
		"lines.\n"
		"- Use replace_all only when intentionally replacing all "
		"occurrences.",
	.schema = wsp__schema_edit_file,
	.flags = WSP_TOOL_WRITES | WSP__TOOL_NEEDS_FS,
	.run = edit_file,
};

const struct wsp__tool_def wsp__tool_delete = {
	.name = "delete",
	.description = "Delete a file or directory from the workspace "
		       "filesystem",
	.schema = wsp__schema_delete,
	.flags = WSP_TOOL_WRITES | WSP__TOOL_NEEDS_FS,
	.run = delete_path,
};

const struct wsp__tool_def wsp__tool_file_stat = {
	.name = "file_stat",
	.description = "Get file or directory metadata from the workspace. "
		       "Returns existence, type, size, and modification time.",
	.schema = wsp__schema_file_stat,
	.flags = WSP__TOOL_NEEDS_FS,
	.run = file_stat,
};

const struct wsp__tool_def wsp__tool_mkdir = {
	.name = "mkdir",
	.description = "Create a directory in the workspace filesystem",
	.schema = wsp__schema_mkdir,
	.flags = WSP_TOOL_WRITES | WSP__TOOL_NEEDS_FS,
	.run = make_dir,
};
