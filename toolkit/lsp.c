/*
 * toolkit/lsp.c - the language servers of one tool set: which server takes a
 * file, started on first use and again after it died, diagnostics shaped
 * for a write's result, and lsp_inspect's three questions.
 *
 * A file's server is found by its extension (lsp: servers, file_types);
 * its root is the mount holding the file, and both are given to the
 * server as file:// URIs of their host paths: the local sandbox runs
 * commands (bubblewrap or not) with the working directory at its host
 * path, so that is where the server finds them. A mount without a host
 * path (a remote store) gets no diagnostics.
 *
 * One mutex per set: a server is one conversation, and the calls of an
 * MCP session may come from several threads.
 */
#include "lsp.h"
#include "lsp_impl.h"
#include "tools_backend.h"
#include "utf8seq.h"
#include "workspace_impl.h"

#include <wsp/files.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILE      (UINT64_C(16) << 20)
#define MAX_LOCATIONS 50
#define HOVER_MAX     4000

struct wsp__lsp {
	wsp_workspace *ws;
	const struct wsp__lsp_cfg *cfg;
	pthread_mutex_t mu;
	struct wsp__lsp_server *srv;
	size_t n;
};

struct wsp__lsp *wsp__lsp_new(wsp_workspace *ws)
{
	struct wsp__lsp *l;

	if (!ws->cfg->lsp.configured || !ws->cfg->lsp.n)
		return NULL;
	l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->ws = ws;
	l->cfg = &ws->cfg->lsp;
	pthread_mutex_init(&l->mu, NULL);
	return l;
}

void wsp__lsp_free(struct wsp__lsp *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->n; i++) {
		wsp__lsp_server_stop(&l->srv[i], l->ws);
		free(l->srv[i].root_ws);
		free(l->srv[i].root_host);
	}
	free(l->srv);
	pthread_mutex_destroy(&l->mu);
	free(l);
}

/* ---- which server ----------------------------------------------------- */

static const char *extension(const char *path)
{
	const char *slash = strrchr(path, '/'), *dot = strrchr(path, '.');

	return dot && (!slash || dot > slash + 1) ? dot + 1 : NULL;
}

static const char *language_id(const struct wsp__lsp_server_cfg *s,
			       const char *ext)
{
	static const char *const map[] = {
		"c",	"c",	       "h",   "c",
		"cc",	"cpp",	       "cpp", "cpp",
		"cxx",	"cpp",	       "hpp", "cpp",
		"hh",	"cpp",	       "hxx", "cpp",
		"py",	"python",      "pyi", "python",
		"ts",	"typescript",  "tsx", "typescriptreact",
		"js",	"javascript",  "jsx", "javascriptreact",
		"go",	"go",	       "rs",  "rust",
		"java", "java",	       "rb",  "ruby",
		"sh",	"shellscript", NULL};
	size_t i;

	if (s->language_id)
		return s->language_id;
	for (i = 0; map[i]; i += 2)
		if (!strcmp(map[i], ext))
			return map[i + 1];
	return ext;
}

/* The mount holding normalised path p (longest prefix). */
static const char *mount_of(wsp_workspace *ws, const char *p)
{
	const char *m, *best = "/";
	size_t i, n, bl = 0;

	for (i = 0; !wsp_files_mount(&m, NULL, ws, i); i++) {
		n = strlen(m);
		if (n > 1 && !strncmp(p, m, n) && (!p[n] || p[n] == '/') &&
		    n > bl) {
			best = m;
			bl = n;
		}
	}
	return best;
}

struct target {
	struct wsp__lsp_server *srv;
	char norm[WSP_FILES_PATH_MAX + 2];
	char host[4096];
	char *uri;
	const char *lang;
};

/*
 * The server of path (started), its URI and language: 0, 1 when no
 * server takes such files, or a wsp_errcode with why.
 */
static int target(struct target *t, struct wsp__lsp *l, wsp_call *call,
		  const char *path, char *why, size_t cap)
{
	const struct wsp__lsp_server_cfg *s = NULL;
	struct wsp__lsp_server *v;
	char root[4096];
	const char *ext, *mount;
	wsp_error err;
	size_t i, j;
	int rc;

	memset(t, 0, sizeof(*t));
	if (wsp_files_normalize(t->norm, sizeof(t->norm), path, &err))
		return snprintf(why, cap, "%s", err.message), err.code;
	ext = extension(t->norm);
	for (i = 0; ext && !s && i < l->cfg->n; i++)
		for (j = 0; l->cfg->servers[i].types[j]; j++)
			if (!strcmp(l->cfg->servers[i].types[j], ext))
				s = &l->cfg->servers[i];
	if (!s)
		return 1;
	mount = mount_of(l->ws, t->norm);
	if (wsp_files_host_path(root, sizeof(root), l->ws, call, mount, &err) ||
	    wsp_files_host_path(t->host, sizeof(t->host), l->ws, call, t->norm,
				&err))
		return snprintf(why, cap, "%s", err.message), err.code;
	for (i = 0; i < l->n; i++)
		if (l->srv[i].cfg == s && !strcmp(l->srv[i].root_ws, mount))
			break;
	if (i == l->n) {
		v = realloc(l->srv, (l->n + 1) * sizeof(*v));
		if (!v)
			return snprintf(why, cap, "out of memory"), WSP_ENOMEM;
		l->srv = v;
		memset(&v[l->n], 0, sizeof(*v));
		v[l->n].cfg = s;
		v[l->n].root_ws = strdup(mount);
		v[l->n].root_host = strdup(root);
		if (!v[l->n].root_ws || !v[l->n].root_host) {
			free(v[l->n].root_ws);
			free(v[l->n].root_host);
			return snprintf(why, cap, "out of memory"), WSP_ENOMEM;
		}
		l->n++;
	}
	t->srv = &l->srv[i];
	t->lang = language_id(s, ext);
	t->uri = wsp__lsp_uri(t->host);
	if (!t->uri)
		return snprintf(why, cap, "out of memory"), WSP_ENOMEM;
	rc = wsp__lsp_server_ensure(t->srv, l->ws, call->cancel,
				    l->cfg->init_timeout_ms, why, cap);
	return rc;
}

/* A server that broke the protocol or vanished is not asked again. */
static void after_error(struct wsp__lsp *l, struct wsp__lsp_server *srv, int rc)
{
	if (rc != WSP_ETIMEDOUT && rc != WSP_ECANCELED)
		wsp__lsp_server_drop(srv, l->ws);
}

/* ---- diagnostics ------------------------------------------------------ */

/* One line of text: control characters (a message's newlines) as spaces. */
static void add_flat(struct wsp__tbuf *b, const char *s, size_t max)
{
	size_t i;
	char ch;

	for (i = 0; s[i] && i < max; i++) {
		ch = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? ' ' : s[i];
		wsp__tbuf_add(b, &ch, 1);
	}
}

static int line_seen(const struct wsp__tbuf *b, const char *line)
{
	const char *p = b->p;
	size_t n = strlen(line);

	while (p && (p = strstr(p, line))) {
		if ((p == b->p || p[-1] == '\n') && (!p[n] || p[n] == '\n'))
			return 1;
		p += n;
	}
	return 0;
}

static void format_diags(struct wsp__tbuf *out, const cJSON *diags,
			 size_t max_chars)
{
	static const char *const labels[] = {"Errors", "Warnings", "Info",
					     "Hints"};
	struct wsp__tbuf b = {0}, one = {0};
	const cJSON *d, *sev, *msg, *src, *start;
	int group, s, any = 0, header;
	double ln, ch;
	size_t cut;

	wsp__tbuf_puts(&b, "\n\nLSP Diagnostics:");
	for (group = 1; group <= 4; group++) {
		header = 0;
		cJSON_ArrayForEach(d, diags)
		{
			sev = cJSON_GetObjectItemCaseSensitive(d, "severity");
			s = cJSON_IsNumber(sev) && sev->valuedouble >= 1 &&
					    sev->valuedouble <= 4
				    ? (int)sev->valuedouble
				    : 2; /* unknown: a warning, as Mastra */
			msg = cJSON_GetObjectItemCaseSensitive(d, "message");
			if (s != group || !cJSON_IsString(msg))
				continue;
			start = cJSON_GetObjectItemCaseSensitive(
				cJSON_GetObjectItemCaseSensitive(d, "range"),
				"start");
			ln = cJSON_GetNumberValue(
				cJSON_GetObjectItemCaseSensitive(start,
								 "line"));
			ch = cJSON_GetNumberValue(
				cJSON_GetObjectItemCaseSensitive(start,
								 "character"));
			src = cJSON_GetObjectItemCaseSensitive(d, "source");
			one.len = 0;
			wsp__tbuf_addf(&one, "  %lld:%lld - ",
				       ln == ln && ln >= 0 && ln < 1e9
					       ? (long long)ln + 1
					       : 1,
				       ch == ch && ch >= 0 && ch < 1e9
					       ? (long long)ch + 1
					       : 1);
			add_flat(&one, msg->valuestring, 1000);
			if (cJSON_IsString(src) && src->valuestring[0]) {
				wsp__tbuf_puts(&one, " [");
				add_flat(&one, src->valuestring, 100);
				wsp__tbuf_puts(&one, "]");
			}
			if (!one.p || line_seen(&b, one.p))
				continue;
			if (!header++)
				wsp__tbuf_addf(&b, "\n%s:", labels[group - 1]);
			wsp__tbuf_puts(&b, "\n");
			wsp__tbuf_puts(&b, one.p);
			any = 1;
		}
	}
	if (any && b.p) {
		if (b.len > max_chars) {
			for (cut = max_chars; cut > 0 && b.p[cut] != '\n';
			     cut--)
				;
			b.len = cut ? cut : max_chars;
			b.p[b.len] = '\0';
			wsp__tbuf_puts(&b, "\n  ... (truncated)");
		}
		wsp__tbuf_add(out, b.p, b.len);
	}
	wsp__tbuf_free(&b);
	wsp__tbuf_free(&one);
}

void wsp__lsp_diagnostics(struct wsp__lsp *l, struct wsp__tool_ctx *c,
			  const char *path, const char *text)
{
	wsp_call call = c->call;
	struct target t;
	char why[512];
	cJSON *diags = NULL;
	int rc, version;

	if (!l)
		return;
	pthread_mutex_lock(&l->mu);
	rc = target(&t, l, &call, path, why, sizeof(why));
	if (rc)
		goto out;
	call.deadline_ms = wsp_deadline_in(l->cfg->diagnostic_timeout_ms);
	rc = wsp__lsp_server_sync(t.srv, l->ws, &call, t.uri, t.lang, text,
				  strlen(text), &version, why, sizeof(why));
	if (!rc)
		rc = wsp__lsp_server_diagnostics(t.srv, l->ws, &call, t.uri,
						 version, &diags, why,
						 sizeof(why));
	if (rc)
		after_error(l, t.srv, rc);
	else
		format_diags(&c->out, diags, l->cfg->max_chars);
	cJSON_Delete(diags);
out:
	/* a failed or late server leaves the write's result as it is */
	free(t.uri);
	pthread_mutex_unlock(&l->mu);
}

/* ---- inspect ---------------------------------------------------------- */

/* UTF-16 code units of the first n bytes of s (LSP's default columns). */
static unsigned utf16_units(const char *s, size_t n)
{
	unsigned u = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (utf8_is_cont(ch))
			continue;
		u += ch >= 0xf0 ? 2 : 1;
	}
	return u;
}

/* The workspace path of a server's location, else its host path. */
static void add_location(cJSON *arr, const struct wsp__lsp_server *srv,
			 const cJSON *loc)
{
	const cJSON *uri = cJSON_GetObjectItemCaseSensitive(loc, "uri");
	const cJSON *range = cJSON_GetObjectItemCaseSensitive(loc, "range");
	const cJSON *start;
	size_t rl = strlen(srv->root_host);
	char *host, *shown = NULL;
	cJSON *o;

	if (!cJSON_IsString(uri)) {
		uri = cJSON_GetObjectItemCaseSensitive(loc, "targetUri");
		range = cJSON_GetObjectItemCaseSensitive(loc, "targetRange");
	}
	if (!cJSON_IsString(uri) ||
	    !(host = wsp__lsp_uri_path(uri->valuestring)))
		return;
	if (!strncmp(host, srv->root_host, rl) && host[rl] == '/') {
		shown = malloc(strlen(srv->root_ws) + strlen(host + rl) + 1);
		if (shown)
			strcat(strcpy(shown, strcmp(srv->root_ws, "/")
						     ? srv->root_ws
						     : ""),
			       host + rl);
	}
	start = cJSON_GetObjectItemCaseSensitive(range, "start");
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "path", shown ? shown : host);
	cJSON_AddNumberToObject(
		o, "line",
		cJSON_GetNumberValue(
			cJSON_GetObjectItemCaseSensitive(start, "line")) +
			1);
	cJSON_AddNumberToObject(
		o, "character",
		cJSON_GetNumberValue(
			cJSON_GetObjectItemCaseSensitive(start, "character")) +
			1);
	cJSON_AddItemToArray(arr, o);
	free(shown);
	free(host);
}

static cJSON *locations(const struct wsp__lsp_server *srv, const cJSON *r,
			const char *self, int64_t line, int *total)
{
	cJSON *arr = cJSON_CreateArray(), *it, *last;
	const cJSON *loc;

	*total = 0;
	if (cJSON_IsObject(r)) { /* a single Location */
		add_location(arr, srv, r);
		*total = cJSON_GetArraySize(arr);
		return arr;
	}
	cJSON_ArrayForEach(loc, r)
	{
		if (cJSON_GetArraySize(arr) >= MAX_LOCATIONS) {
			(*total)++;
			continue;
		}
		add_location(arr, srv, loc);
		last = cJSON_GetArrayItem(arr, cJSON_GetArraySize(arr) - 1);
		it = cJSON_GetObjectItemCaseSensitive(last, "path");
		/* the place asked about is no answer to "where is it" */
		if (self && last && cJSON_IsString(it) &&
		    !strcmp(it->valuestring, self) &&
		    cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(
			    last, "line")) == (double)line) {
			cJSON_DeleteItemFromArray(arr,
						  cJSON_GetArraySize(arr) - 1);
			continue;
		}
		(*total)++;
	}
	return arr;
}

static void add_hover(cJSON *res, const cJSON *h)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(h, "contents"), *v;
	const char *value = NULL, *kind = "plaintext";
	cJSON *o;
	char *cut;

	if (cJSON_IsArray(c))
		c = cJSON_GetArrayItem(c, 0);
	if (cJSON_IsString(c)) {
		value = c->valuestring;
	} else if (cJSON_IsObject(c)) {
		v = cJSON_GetObjectItemCaseSensitive(c, "value");
		value = cJSON_IsString(v) ? v->valuestring : NULL;
		v = cJSON_GetObjectItemCaseSensitive(c, "kind");
		kind = cJSON_IsString(v) ? v->valuestring : "markdown";
	}
	if (!value || !value[0])
		return;
	o = cJSON_AddObjectToObject(res, "hover");
	cut = strndup(value, HOVER_MAX);
	cJSON_AddStringToObject(o, "value", cut ? cut : "");
	cJSON_AddStringToObject(o, "kind",
				!strcmp(kind, "markdown") ? "markdown"
							  : "plaintext");
	free(cut);
}

static cJSON *position(const char *uri, int64_t line, unsigned ch)
{
	cJSON *p = cJSON_CreateObject(), *pos;

	cJSON_AddStringToObject(cJSON_AddObjectToObject(p, "textDocument"),
				"uri", uri);
	pos = cJSON_AddObjectToObject(p, "position");
	cJSON_AddNumberToObject(pos, "line", (double)(line - 1));
	cJSON_AddNumberToObject(pos, "character", ch);
	return p;
}

/* The cursor's byte column in the file's line: match (marker removed)
 * found in it, else the marker's own offset (as Mastra). */
static size_t cursor_col(const char *ln, size_t ll, const char *match,
			 size_t mark)
{
	size_t bl = mark, al = strlen(match + mark + 3), i;

	for (i = 0; i + bl + al <= ll; i++)
		if (!memcmp(ln + i, match, bl) &&
		    !memcmp(ln + i + bl, match + mark + 3, al))
			return i + bl;
	return mark < ll ? mark : ll;
}

static int ask(struct wsp__lsp *l, struct target *t, wsp_call *call,
	       int64_t line, unsigned ch, cJSON *res, char *why, size_t cap)
{
	cJSON *r = NULL, *p;
	int rc, total;

	rc = wsp__lsp_server_request(t->srv, l->ws, call, "textDocument/hover",
				     position(t->uri, line, ch), &r, why, cap);
	if (rc)
		return rc;
	add_hover(res, r);
	cJSON_Delete(r);
	rc = wsp__lsp_server_request(t->srv, l->ws, call,
				     "textDocument/definition",
				     position(t->uri, line, ch), &r, why, cap);
	if (rc)
		return rc;
	p = locations(t->srv, r, t->norm, line, &total);
	cJSON_Delete(r);
	if (cJSON_GetArraySize(p))
		cJSON_AddItemToObject(res, "definition", p);
	else
		cJSON_Delete(p);
	p = position(t->uri, line, ch);
	cJSON_AddFalseToObject(cJSON_AddObjectToObject(p, "context"),
			       "includeDeclaration");
	rc = wsp__lsp_server_request(t->srv, l->ws, call,
				     "textDocument/references", p, &r, why,
				     cap);
	if (rc)
		return rc;
	p = locations(t->srv, r, NULL, 0, &total);
	cJSON_Delete(r);
	if (cJSON_GetArraySize(p)) {
		cJSON_AddItemToObject(res, "references", p);
		if (total > cJSON_GetArraySize(p))
			cJSON_AddNumberToObject(res, "references_total", total);
	} else {
		cJSON_Delete(p);
	}
	return 0;
}

int wsp__lsp_inspect(struct wsp__lsp *l, struct wsp__tool_ctx *c,
		     const char *path, int64_t line, const char *match)
{
	struct wsp__tbuf data = {0};
	wsp_call call = c->call;
	const char *m, *ln, *p, *end;
	size_t marks = 0, mark = 0;
	struct target t = {0};
	char why[512], *text;
	int64_t i;
	wsp_error err;
	cJSON *res;
	int rc, version;

	for (m = match; (m = strstr(m, "<<<")); m += 3)
		if (!marks++)
			mark = (size_t)(m - match);
	if (!marks)
		return wsp__tool_fail(c, "No <<< cursor marker found in match");
	if (marks > 1)
		return wsp__tool_fail(c,
				      "Multiple <<< markers found (found %zu, "
				      "expected 1)",
				      marks);
	if (!l)
		return wsp__tool_fail(c, "LSP is not configured for this "
					 "workspace. Enable LSP in workspace "
					 "config to use this tool.");
	rc = wsp__tb_read(&data, c->ws, &c->call, path, MAX_FILE, &err);
	if (rc) {
		wsp__tbuf_free(&data);
		return wsp__tool_fail_err(c, &err);
	}
	text = data.p ? data.p : "";
	end = text + data.len;
	for (ln = text, i = 1; i < line && ln < end; i++) {
		p = memchr(ln, '\n', (size_t)(end - ln));
		ln = p ? p + 1 : end;
	}
	if (i < line || (ln == end && line > 1 && end[-1] == '\n')) {
		wsp__tbuf_free(&data);
		return wsp__tool_fail(c,
				      "Error: line %lld is past the end of "
				      "'%s'",
				      (long long)line, path);
	}
	p = memchr(ln, '\n', (size_t)(end - ln));
	pthread_mutex_lock(&l->mu);
	rc = target(&t, l, &call, path, why, sizeof(why));
	if (rc == 1) {
		wsp__tool_fail(c,
			       "No language server available for files of "
			       "this type: %s",
			       path);
		goto out;
	}
	call.deadline_ms = wsp_deadline_in(l->cfg->init_timeout_ms);
	if (!rc)
		rc = wsp__lsp_server_sync(t.srv, l->ws, &call, t.uri, t.lang,
					  text, data.len, &version, why,
					  sizeof(why));
	res = cJSON_CreateObject();
	cJSON_AddStringToObject(res, "path", t.norm[0] ? t.norm : path);
	if (!rc)
		rc = ask(l, &t, &call, line,
			 utf16_units(ln, cursor_col(ln,
						    p ? (size_t)(p - ln)
						      : (size_t)(end - ln),
						    match, mark)),
			 res, why, sizeof(why));
	if (rc) {
		if (t.srv)
			after_error(l, t.srv, rc);
		wsp__tool_fail(c, "LSP query failed: %s", why);
	} else {
		char *s = cJSON_PrintUnformatted(res);

		wsp__tbuf_puts(&c->out, s ? s : "");
		if (!s)
			c->out.oom = 1;
		free(s);
	}
	cJSON_Delete(res);
out:
	pthread_mutex_unlock(&l->mu);
	free(t.uri);
	wsp__tbuf_free(&data);
	return 0;
}
