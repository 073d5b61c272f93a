/*
 * toolkit/lsp_client.c - one language server, run as a background process of
 * the workspace's sandbox (docs/lsp.md).
 *
 * The process API is all it needs: requests go in through
 * wsp_proc_write_stdin, and its stdout is read from our own offset with
 * WSP_OUTPUT_FOLLOW, which sleeps (inotify) until the server writes. The
 * sink stops the follow after each chunk it was handed, and counts the
 * bytes itself: those are the next offset, whatever the provider had
 * read ahead. So the server runs wherever the sandbox runs commands
 * (under bubblewrap by default) and sees the files at the paths commands
 * see.
 */
#include "lsp_impl.h"
#include "call.h"

#include <wsp/process.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SPAWN_LOG_LIMIT (UINT64_C(8) << 20)

static int fail(char *why, size_t cap, int rc, const char *fmt, ...)
	WSP_PRINTF(4, 5);

static int fail(char *why, size_t cap, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, cap, fmt, ap);
	va_end(ap);
	return rc;
}

/* ---- URIs ------------------------------------------------------------- */

char *wsp__lsp_uri(const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i, n = strlen(path);
	char *u = malloc(7 + 3 * n + 1), *p;

	if (!u)
		return NULL;
	p = u + sprintf(u, "file://");
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)path[i];

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || strchr("/-._~+", ch)) {
			*p++ = (char)ch;
			continue;
		}
		*p++ = '%';
		*p++ = hex[ch >> 4];
		*p++ = hex[ch & 15];
	}
	*p = '\0';
	return u;
}

char *wsp__lsp_uri_path(const char *uri)
{
	const char *s;
	char *out, *p;
	int hi, lo;

	if (strncmp(uri, "file://", 7))
		return NULL;
	s = uri + 7;
	if (*s != '/') /* file://host/... */
		return NULL;
	out = p = malloc(strlen(s) + 1);
	if (!out)
		return NULL;
	for (; *s; s++) {
		if (*s == '%' && (hi = wsp__hex_digit(s[1])) >= 0 &&
		    (lo = wsp__hex_digit(s[2])) >= 0 && (hi || lo)) {
			*p++ = (char)(hi * 16 + lo);
			s += 2;
		} else {
			*p++ = *s;
		}
	}
	*p = '\0';
	return out;
}

/* ---- sending ---------------------------------------------------------- */

static int send_msg(struct wsp__lsp_server *srv, wsp_workspace *ws,
		    const wsp_call *call, cJSON *msg, char *why, size_t cap)
{
	char *body, *frame;
	size_t len;
	wsp_error err;
	int rc;

	cJSON_AddStringToObject(msg, "jsonrpc", "2.0");
	body = cJSON_PrintUnformatted(msg);
	cJSON_Delete(msg);
	if (!body)
		return fail(why, cap, WSP_ENOMEM, "out of memory");
	frame = wsp__lsp_frame_encode(body, strlen(body), &len);
	free(body);
	if (!frame)
		return fail(why, cap, WSP_ENOMEM, "out of memory");
	rc = wsp_proc_write_stdin(ws, call, srv->id, frame, len, &err);
	free(frame);
	if (rc)
		return fail(why, cap, rc, "writing to %s: %s", srv->cfg->name,
			    err.message);
	return 0;
}

static int notify(struct wsp__lsp_server *srv, wsp_workspace *ws,
		  const wsp_call *call, const char *method, cJSON *params,
		  char *why, size_t cap)
{
	cJSON *m = cJSON_CreateObject();

	if (!m || !cJSON_AddStringToObject(m, "method", method)) {
		cJSON_Delete(m);
		cJSON_Delete(params);
		return fail(why, cap, WSP_ENOMEM, "out of memory");
	}
	if (params)
		cJSON_AddItemToObject(m, "params", params);
	return send_msg(srv, ws, call, m, why, cap);
}

/* A server's request answered: configuration items as null, else null. */
static int answer(struct wsp__lsp_server *srv, wsp_workspace *ws,
		  const wsp_call *call, const cJSON *req, char *why, size_t cap)
{
	const cJSON *method = cJSON_GetObjectItemCaseSensitive(req, "method");
	const cJSON *params = cJSON_GetObjectItemCaseSensitive(req, "params");
	cJSON *m = cJSON_CreateObject(), *result;
	int i, n;

	if (!m)
		return fail(why, cap, WSP_ENOMEM, "out of memory");
	cJSON_AddItemToObject(
		m, "id",
		cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(req, "id"),
				1));
	if (cJSON_IsString(method) &&
	    !strcmp(method->valuestring, "workspace/configuration")) {
		result = cJSON_CreateArray();
		n = cJSON_GetArraySize(
			cJSON_GetObjectItemCaseSensitive(params, "items"));
		for (i = 0; result && i < n && i < 1000; i++)
			cJSON_AddItemToArray(result, cJSON_CreateNull());
	} else {
		result = cJSON_CreateNull();
	}
	cJSON_AddItemToObject(m, "result", result);
	return send_msg(srv, ws, call, m, why, cap);
}

/* ---- receiving -------------------------------------------------------- */

struct sink {
	struct wsp__lsp_server *srv;
	size_t fed;
	int oom;
};

/* Take a chunk, then stop the read: its bytes are the next offset. */
static int sink_fn(uint32_t stream, const void *data, size_t len, void *p)
{
	struct sink *s = p;

	(void)stream;
	if (wsp__lsp_frame_feed(&s->srv->fr, data, len)) {
		s->oom = 1;
		return WSP_ENOMEM;
	}
	s->fed += len;
	s->srv->out_off += len;
	return WSP_EBUSY;
}

static int still_running(struct wsp__lsp_server *srv, wsp_workspace *ws)
{
	wsp_proc_status st;
	wsp_error err;

	memset(&st, 0, sizeof(st));
	st.struct_size = sizeof(st);
	return !wsp_proc_get_status(&st, ws, NULL, srv->id, &err) &&
	       st.state == WSP_PROC_RUNNING;
}

/*
 * More of its stdout into the reader: 1 when bytes came, WSP_ELOST when
 * it ended, the call's WSP_ETIMEDOUT or WSP_ECANCELED. follow 0: only
 * what is there now (0 when nothing was).
 */
static int read_more(struct wsp__lsp_server *srv, wsp_workspace *ws,
		     const wsp_call *call, int follow, char *why, size_t cap)
{
	wsp_output_opts o = WSP_OUTPUT_OPTS_INIT;
	struct sink s;
	wsp_error err;
	int rc;

	s.srv = srv;
	s.fed = 0;
	s.oom = 0;
	o.streams = WSP_STDOUT;
	o.offset = srv->out_off;
	o.flags = follow ? WSP_OUTPUT_FOLLOW : 0;
	for (;;) {
		rc = wsp_proc_read_output(NULL, ws, call, srv->id, &o, sink_fn,
					  &s, &err);
		if (s.oom)
			return fail(why, cap, WSP_ENOMEM, "out of memory");
		if (s.fed)
			return 1;
		if (!follow && (!rc || rc == WSP_EBUSY))
			return 0;
		if (rc == WSP_ENOTSUP && (o.flags & WSP_OUTPUT_FOLLOW)) {
			o.flags = 0; /* a provider that cannot follow: poll */
			continue;
		}
		if (rc == WSP_ETIMEDOUT || rc == WSP_ECANCELED)
			return fail(why, cap, rc, "%s did not answer in time",
				    srv->cfg->name);
		if (rc && rc != WSP_EBUSY)
			return fail(why, cap, rc, "reading from %s: %s",
				    srv->cfg->name, err.message);
		if (!still_running(srv, ws))
			return fail(why, cap, WSP_ELOST, "%s exited",
				    srv->cfg->name);
		if (o.flags & WSP_OUTPUT_FOLLOW)
			continue;
		if (call && call->deadline_ms &&
		    wsp__now_ms() >= call->deadline_ms)
			return fail(why, cap, WSP_ETIMEDOUT,
				    "%s did not answer in time",
				    srv->cfg->name);
		nanosleep(&(struct timespec){0, 20000000}, NULL);
	}
}

/* What a wait is for: a response, or a file's diagnostics. */
struct want {
	int id;		 /* > 0: the response to this request */
	const char *uri; /* else: publishDiagnostics of this document */
	int version;	 /* ...of this version or later, when it says */
	cJSON *out;
};

/* 1 when m is what w waits for (w->out then set). */
static int match(struct want *w, cJSON *m)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(m, "id");
	const cJSON *method = cJSON_GetObjectItemCaseSensitive(m, "method");
	cJSON *params, *v, *diags;

	if (w->id > 0 && !method && cJSON_IsNumber(id) &&
	    id->valuedouble == w->id) {
		v = cJSON_DetachItemFromObjectCaseSensitive(m, "error");
		if (!v)
			v = cJSON_DetachItemFromObjectCaseSensitive(m,
								    "result");
		w->out = v ? v : cJSON_CreateNull();
		return 1;
	}
	if (!w->uri || !cJSON_IsString(method) ||
	    strcmp(method->valuestring, "textDocument/publishDiagnostics"))
		return 0;
	params = cJSON_GetObjectItemCaseSensitive(m, "params");
	v = cJSON_GetObjectItemCaseSensitive(params, "uri");
	if (!cJSON_IsString(v) || strcmp(v->valuestring, w->uri))
		return 0;
	v = cJSON_GetObjectItemCaseSensitive(params, "version");
	if (cJSON_IsNumber(v) && v->valuedouble < w->version)
		return 0;
	diags = cJSON_DetachItemFromObjectCaseSensitive(params, "diagnostics");
	w->out = cJSON_IsArray(diags) ? diags : cJSON_CreateArray();
	if (!cJSON_IsArray(diags))
		cJSON_Delete(diags);
	return 1;
}

/*
 * Handle the server's messages until w is met (w NULL: only those already
 * received, reading what is there without waiting).
 */
static int pump(struct wsp__lsp_server *srv, wsp_workspace *ws,
		const wsp_call *call, struct want *w, char *why, size_t cap)
{
	const char *body;
	size_t len;
	cJSON *m;
	int rc;

	for (;;) {
		rc = wsp__lsp_frame_next(&srv->fr, &body, &len, why, cap);
		if (rc < 0)
			return rc; /* why says what was wrong */
		if (rc == 0) {
			rc = read_more(srv, ws, call, w != NULL, why, cap);
			if (rc < 0)
				return rc;
			if (!w && !rc)
				return 0; /* nothing more there now */
			continue;
		}
		m = cJSON_ParseWithLength(body, len);
		if (!cJSON_IsObject(m)) {
			cJSON_Delete(m);
			return fail(why, cap, WSP_EPROTO,
				    "%s sent a message that is not a JSON "
				    "object",
				    srv->cfg->name);
		}
		rc = 0;
		if (cJSON_GetObjectItemCaseSensitive(m, "method") &&
		    cJSON_GetObjectItemCaseSensitive(m, "id"))
			rc = answer(srv, ws, call, m, why, cap);
		else if (w && match(w, m))
			rc = 1;
		cJSON_Delete(m);
		if (rc)
			return rc > 0 ? 0 : rc;
	}
}

int wsp__lsp_server_request(struct wsp__lsp_server *srv, wsp_workspace *ws,
			    const wsp_call *call, const char *method,
			    cJSON *params, cJSON **out, char *why, size_t cap)
{
	cJSON *m = cJSON_CreateObject(), *msg;
	struct want w;
	int rc;

	memset(&w, 0, sizeof(w));
	*out = NULL;
	if (!m) {
		cJSON_Delete(params);
		return fail(why, cap, WSP_ENOMEM, "out of memory");
	}
	w.id = ++srv->next_id;
	cJSON_AddNumberToObject(m, "id", w.id);
	cJSON_AddStringToObject(m, "method", method);
	cJSON_AddItemToObject(m, "params", params);
	rc = send_msg(srv, ws, call, m, why, cap);
	if (!rc)
		rc = pump(srv, ws, call, &w, why, cap);
	if (rc) {
		cJSON_Delete(w.out);
		return rc;
	}
	msg = cJSON_GetObjectItemCaseSensitive(w.out, "message");
	if (cJSON_IsObject(w.out) && cJSON_IsString(msg) &&
	    cJSON_GetObjectItemCaseSensitive(w.out, "code")) {
		rc = fail(why, cap, WSP_EPROTO, "%s answered %s: %.200s",
			  srv->cfg->name, method, msg->valuestring);
		cJSON_Delete(w.out);
		return rc;
	}
	*out = w.out;
	return 0;
}

/* ---- documents -------------------------------------------------------- */

static struct wsp__lsp_doc *find_doc(struct wsp__lsp_server *srv,
				     const char *uri)
{
	size_t i;

	for (i = 0; i < srv->n_docs; i++)
		if (!strcmp(srv->docs[i].uri, uri))
			return &srv->docs[i];
	return NULL;
}

int wsp__lsp_server_sync(struct wsp__lsp_server *srv, wsp_workspace *ws,
			 const wsp_call *call, const char *uri,
			 const char *language_id, const char *text, size_t len,
			 int *version, char *why, size_t cap)
{
	struct wsp__lsp_doc *doc, *v;
	cJSON *p, *td, *changes, *ch;
	int rc;

	rc = pump(srv, ws, call, NULL, why, cap); /* what came before */
	if (rc)
		return rc;
	doc = find_doc(srv, uri);
	if (!doc) {
		v = realloc(srv->docs, (srv->n_docs + 1) * sizeof(*v));
		if (!v)
			return fail(why, cap, WSP_ENOMEM, "out of memory");
		srv->docs = v;
		doc = &v[srv->n_docs];
		doc->uri = strdup(uri);
		doc->version = 0;
		if (!doc->uri)
			return fail(why, cap, WSP_ENOMEM, "out of memory");
		srv->n_docs++;
	}
	doc->version++;
	*version = doc->version;
	p = cJSON_CreateObject();
	td = cJSON_AddObjectToObject(p, "textDocument");
	cJSON_AddStringToObject(td, "uri", uri);
	cJSON_AddNumberToObject(td, "version", doc->version);
	if (doc->version == 1) {
		cJSON_AddStringToObject(td, "languageId", language_id);
		cJSON_AddItemToObject(td, "text",
				      cJSON_CreateStringReference(text));
		(void)len; /* the text is NUL-terminated (a tool's content) */
		return notify(srv, ws, call, "textDocument/didOpen", p, why,
			      cap);
	}
	changes = cJSON_AddArrayToObject(p, "contentChanges");
	ch = cJSON_CreateObject();
	cJSON_AddItemToArray(changes, ch);
	cJSON_AddItemToObject(ch, "text", cJSON_CreateStringReference(text));
	return notify(srv, ws, call, "textDocument/didChange", p, why, cap);
}

int wsp__lsp_server_diagnostics(struct wsp__lsp_server *srv, wsp_workspace *ws,
				const wsp_call *call, const char *uri,
				int version, cJSON **out, char *why, size_t cap)
{
	struct want w;
	int rc;

	memset(&w, 0, sizeof(w));
	w.uri = uri;
	w.version = version;
	rc = pump(srv, ws, call, &w, why, cap);

	*out = rc ? NULL : w.out;
	if (rc)
		cJSON_Delete(w.out);
	return rc;
}

/* ---- the process ------------------------------------------------------ */

static void forget(struct wsp__lsp_server *srv)
{
	size_t i;

	for (i = 0; i < srv->n_docs; i++)
		free(srv->docs[i].uri);
	free(srv->docs);
	srv->docs = NULL;
	srv->n_docs = 0;
	srv->id[0] = '\0';
	srv->out_off = 0;
	srv->inited = 0;
	wsp__lsp_frame_free(&srv->fr);
}

void wsp__lsp_server_drop(struct wsp__lsp_server *srv, wsp_workspace *ws)
{
	wsp_error err;

	if (srv->id[0])
		wsp_proc_release(ws, NULL, srv->id, &err);
	forget(srv);
}

void wsp__lsp_server_stop(struct wsp__lsp_server *srv, wsp_workspace *ws)
{
	wsp_call call;
	char why[256];
	cJSON *r = NULL;

	memset(&call, 0, sizeof(call));
	call.struct_size = sizeof(call);
	call.deadline_ms = wsp_deadline_in(500);
	if (srv->id[0] && srv->inited &&
	    !wsp__lsp_server_request(srv, ws, &call, "shutdown", NULL, &r, why,
				     sizeof(why)))
		notify(srv, ws, &call, "exit", NULL, why, sizeof(why));
	cJSON_Delete(r);
	wsp__lsp_server_drop(srv, ws);
}

static cJSON *init_params(const struct wsp__lsp_server *srv)
{
	cJSON *p = cJSON_CreateObject(), *caps, *td, *f, *arr;
	char *uri = wsp__lsp_uri(srv->root_host);

	if (!p || !uri) {
		cJSON_Delete(p);
		free(uri);
		return NULL;
	}
	/* our pid means nothing in the sandbox's pid namespace */
	cJSON_AddNullToObject(p, "processId");
	f = cJSON_AddObjectToObject(p, "clientInfo");
	cJSON_AddStringToObject(f, "name", "wsp");
	cJSON_AddStringToObject(p, "rootUri", uri);
	cJSON_AddStringToObject(p, "rootPath", srv->root_host);
	arr = cJSON_AddArrayToObject(p, "workspaceFolders");
	f = cJSON_CreateObject();
	cJSON_AddItemToArray(arr, f);
	cJSON_AddStringToObject(f, "uri", uri);
	cJSON_AddStringToObject(f, "name", "workspace");
	free(uri);
	caps = cJSON_AddObjectToObject(p, "capabilities");
	td = cJSON_AddObjectToObject(caps, "textDocument");
	f = cJSON_AddObjectToObject(td, "synchronization");
	cJSON_AddFalseToObject(f, "dynamicRegistration");
	f = cJSON_AddObjectToObject(td, "publishDiagnostics");
	cJSON_AddTrueToObject(f, "versionSupport");
	f = cJSON_AddObjectToObject(td, "hover");
	arr = cJSON_AddArrayToObject(f, "contentFormat");
	cJSON_AddItemToArray(arr, cJSON_CreateString("plaintext"));
	cJSON_AddItemToArray(arr, cJSON_CreateString("markdown"));
	cJSON_AddObjectToObject(td, "definition");
	cJSON_AddObjectToObject(td, "references");
	f = cJSON_AddObjectToObject(caps, "workspace");
	cJSON_AddTrueToObject(f, "configuration");
	cJSON_AddTrueToObject(f, "workspaceFolders");
	return p;
}

static int start(struct wsp__lsp_server *srv, wsp_workspace *ws,
		 const wsp_call *call, char *why, size_t cap)
{
	/* Caches (jedi's, clangd's) go to the sandbox's /tmp, never into
	 * the working directory, which is $HOME there. */
	static const char *const env[] = {"XDG_CACHE_HOME=/tmp/wsp-lsp-cache",
					  NULL};
	wsp_spawn_opts o = WSP_SPAWN_OPTS_INIT;
	cJSON *params, *r = NULL;
	wsp_error err;
	int rc;

	o.argv = srv->cfg->argv;
	o.cwd = srv->root_host;
	o.env = env;
	o.stdin_mode = WSP_STDIN_PIPE;
	o.flags = WSP_SPAWN_NO_TIMEOUT;
	o.log_limit = SPAWN_LOG_LIMIT;
	wsp__lsp_frame_init(&srv->fr, WSP__LSP_MAX_BODY);
	rc = wsp_proc_spawn(srv->id, ws, call, &o, &err);
	if (rc) {
		srv->id[0] = '\0';
		return fail(why, cap, rc, "cannot start %s: %s", srv->cfg->name,
			    err.message);
	}
	params = init_params(srv);
	if (!params)
		return fail(why, cap, WSP_ENOMEM, "out of memory");
	rc = wsp__lsp_server_request(srv, ws, call, "initialize", params, &r,
				     why, cap);
	cJSON_Delete(r);
	if (!rc)
		rc = notify(srv, ws, call, "initialized", cJSON_CreateObject(),
			    why, cap);
	if (!rc)
		srv->inited = 1;
	return rc;
}

int wsp__lsp_server_ensure(struct wsp__lsp_server *srv, wsp_workspace *ws,
			   const wsp_cancel *cancel, int64_t init_timeout_ms,
			   char *why, size_t cap)
{
	wsp_call call;
	int rc;

	memset(&call, 0, sizeof(call));
	call.struct_size = sizeof(call);
	call.cancel = cancel;
	call.deadline_ms = wsp_deadline_in(init_timeout_ms);
	if (srv->id[0] && srv->inited && still_running(srv, ws))
		return 0;
	wsp__lsp_server_drop(srv, ws); /* died, or never answered */
	rc = start(srv, ws, &call, why, cap);
	if (rc)
		wsp__lsp_server_drop(srv, ws);
	return rc;
}
