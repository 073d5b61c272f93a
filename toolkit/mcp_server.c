/*
 * toolkit/mcp_server.c - the MCP server loop (see <wsp/mcp.h>).
 *
 * The calling thread reads lines and answers the quick methods itself;
 * each tools/call runs on its own detached worker thread holding a cancel
 * token, so a notifications/cancelled (or the end of the session) can stop
 * its command while other calls go on. Every line out goes through one
 * mutex so messages never interleave. A worker that needs the user's
 * approval sends elicitation/create and waits for the client's answer,
 * which the reading thread hands over.
 */
#include "mcp_impl.h"

#include <wsp/cancel.h>
#include <wsp/mcp.h>
#include <wsp/sigpipe.h>
#include <wsp/tools.h>
#include <wsp/wsp.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_MAX_MESSAGE (4u << 20)
#define DEFAULT_IN_FLIGHT   32
#define READ_CHUNK	    65536

struct server;

struct call {
	struct call *next;
	struct server *srv;
	cJSON *id; /* the request's id (copy) */
	char *key; /* id as JSON text, to match cancellations */
	char *name;
	char *args;	 /* JSON text */
	cJSON *progress; /* progressToken (copy) or NULL */
	double progress_n;
	wsp_cancel *cancel;
	int cancelled; /* by the client: no answer is sent */
};

/* An elicitation/create we sent, waiting for the client's answer. */
struct pending {
	struct pending *next;
	char key[32];
	cJSON *answer; /* the response's result, or NULL */
	int answered;
};

struct server {
	wsp_tools *tools;
	int in_fd, out_fd;
	size_t max_message;
	uint32_t max_in_flight;
	const char *instructions;
	cJSON *tool_list;

	pthread_mutex_t out_mu;
	int out_failed;

	pthread_mutex_t mu; /* everything below */
	pthread_cond_t cv;
	struct call *calls;
	uint32_t n_calls;
	struct pending *pendings;
	unsigned long next_request;
	int elicitation; /* the client can be asked */
	int closing;
};

/* ---- output ----------------------------------------------------------- */

static void send_line(struct server *s, char *line)
{
	struct wsp_sigpipe_hold hold;
	size_t len, off = 0;
	int epipe = 0;
	ssize_t n;

	if (!line)
		return;
	len = strlen(line);
	pthread_mutex_lock(&s->out_mu);
	/* A client that hung up is an output error, not the host's death. */
	wsp_sigpipe_hold_begin(&hold);
	while (!s->out_failed && off < len) {
		n = write(s->out_fd, line + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			s->out_failed = n < 0 ? errno : EIO;
			epipe = s->out_failed == EPIPE;
			break;
		}
		off += (size_t)n;
	}
	wsp_sigpipe_hold_end(&hold, epipe);
	pthread_mutex_unlock(&s->out_mu);
	free(line);
}

static void send_error(struct server *s, const cJSON *id, int code,
		       const char *msg)
{
	send_line(s, wsp__mcp_error(id, code, msg));
}

static void send_result(struct server *s, const cJSON *id, cJSON *result)
{
	send_line(s, wsp__mcp_result(id, result));
}

/* ---- tools/call workers ----------------------------------------------- */

static int on_output(uint32_t stream, const void *data, size_t len,
		     void *payload)
{
	struct call *c = payload;
	cJSON *o, *p;
	char *text, *line;

	(void)stream;
	if (wsp_cancel_requested(c->cancel))
		return WSP_ECANCELED;
	if (!c->progress || !len)
		return 0;
	text = wsp__utf8_clean(data, len);
	o = cJSON_CreateObject();
	if (!text || !o) {
		free(text);
		cJSON_Delete(o);
		return 0;
	}
	cJSON_AddStringToObject(o, "jsonrpc", "2.0");
	cJSON_AddStringToObject(o, "method", "notifications/progress");
	p = cJSON_AddObjectToObject(o, "params");
	cJSON_AddItemToObject(p, "progressToken",
			      cJSON_Duplicate(c->progress, 0));
	cJSON_AddNumberToObject(p, "progress", ++c->progress_n);
	cJSON_AddStringToObject(p, "message", text);
	free(text);
	line = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (line) {
		size_t n = strlen(line);
		char *l = realloc(line, n + 2);

		if (!l) {
			free(line);
			return 0;
		}
		l[n] = '\n';
		l[n + 1] = '\0';
		send_line(c->srv, l);
	}
	return 0;
}

static void wait_tick(struct server *s)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 100 * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&s->cv, &s->mu, &ts);
}

/* Ask the user through the client (elicitation/create). */
static int elicit(const char *name, const char *args_json, void *payload)
{
	struct call *c = payload;
	struct server *s = c->srv;
	struct pending pd, **pp;
	cJSON *req, *params, *schema, *props, *ap, *id;
	const cJSON *action, *content, *approve;
	char msg[1024];
	int ok = 0;

	memset(&pd, 0, sizeof(pd));
	pthread_mutex_lock(&s->mu);
	snprintf(pd.key, sizeof(pd.key), "wsp-%lu", ++s->next_request);
	pd.next = s->pendings;
	s->pendings = &pd;
	pthread_mutex_unlock(&s->mu);

	snprintf(msg, sizeof(msg),
		 "Allow the tool '%s' to run with these arguments?\n%.900s",
		 name, args_json);
	req = cJSON_CreateObject();
	id = cJSON_CreateString(pd.key);
	cJSON_AddStringToObject(req, "jsonrpc", "2.0");
	cJSON_AddItemToObject(req, "id", id);
	cJSON_AddStringToObject(req, "method", "elicitation/create");
	params = cJSON_AddObjectToObject(req, "params");
	{
		char *clean = wsp__utf8_clean(msg, strlen(msg));

		cJSON_AddStringToObject(params, "message", clean ? clean : "");
		free(clean);
	}
	schema = cJSON_AddObjectToObject(params, "requestedSchema");
	cJSON_AddStringToObject(schema, "type", "object");
	props = cJSON_AddObjectToObject(schema, "properties");
	ap = cJSON_AddObjectToObject(props, "approve");
	cJSON_AddStringToObject(ap, "type", "boolean");
	cJSON_AddStringToObject(ap, "title", "Approve");
	cJSON_AddStringToObject(ap, "description",
				"Run the tool with these arguments");
	cJSON_AddItemToObject(
		schema, "required",
		cJSON_CreateStringArray((const char *const[]){"approve"}, 1));
	{
		char *line = cJSON_PrintUnformatted(req);
		size_t n = line ? strlen(line) : 0;
		char *l = line ? realloc(line, n + 2) : NULL;

		if (l) {
			l[n] = '\n';
			l[n + 1] = '\0';
			send_line(s, l);
		} else {
			free(line);
		}
	}
	cJSON_Delete(req);

	pthread_mutex_lock(&s->mu);
	while (!pd.answered && !s->closing && !wsp_cancel_requested(c->cancel))
		wait_tick(s);
	for (pp = &s->pendings; *pp; pp = &(*pp)->next) {
		if (*pp == &pd) {
			*pp = pd.next;
			break;
		}
	}
	pthread_mutex_unlock(&s->mu);
	if (pd.answer) {
		action = cJSON_GetObjectItemCaseSensitive(pd.answer, "action");
		content =
			cJSON_GetObjectItemCaseSensitive(pd.answer, "content");
		approve = cJSON_GetObjectItemCaseSensitive(content, "approve");
		ok = cJSON_IsString(action) &&
		     !strcmp(action->valuestring, "accept") &&
		     cJSON_IsTrue(approve);
		cJSON_Delete(pd.answer);
	}
	return ok;
}

static cJSON *call_result(const char *text, int is_error,
			  const wsp_tool_result *res)
{
	cJSON *r = cJSON_CreateObject(), *content, *item;
	char *clean = wsp__utf8_clean(text, strlen(text));

	if (!r || !clean) {
		free(clean);
		cJSON_Delete(r);
		return NULL;
	}
	content = cJSON_AddArrayToObject(r, "content");
	item = cJSON_CreateObject();
	cJSON_AddItemToArray(content, item);
	cJSON_AddStringToObject(item, "type", "text");
	cJSON_AddStringToObject(item, "text", clean);
	if (res->media_type && res->media_base64) {
		item = cJSON_CreateObject();
		cJSON_AddItemToArray(content, item);
		if (!strncmp(res->media_type, "image/", 6)) {
			cJSON_AddStringToObject(item, "type", "image");
			cJSON_AddStringToObject(item, "data",
						res->media_base64);
			cJSON_AddStringToObject(item, "mimeType",
						res->media_type);
		} else {
			cJSON *blob;

			cJSON_AddStringToObject(item, "type", "resource");
			blob = cJSON_AddObjectToObject(item, "resource");
			cJSON_AddStringToObject(blob, "uri", "file:///");
			cJSON_AddStringToObject(blob, "mimeType",
						res->media_type);
			cJSON_AddStringToObject(blob, "blob",
						res->media_base64);
		}
	}
	cJSON_AddBoolToObject(r, "isError", is_error);
	free(clean);
	return r;
}

static void call_free(struct call *c)
{
	cJSON_Delete(c->id);
	cJSON_Delete(c->progress);
	free(c->key);
	free(c->name);
	free(c->args);
	wsp_cancel_free(c->cancel);
	free(c);
}

static void *run_call(void *arg)
{
	struct call *c = arg, **pp;
	struct server *s = c->srv;
	wsp_tool_call_opts o = WSP_TOOL_CALL_OPTS_INIT;
	wsp_tool_result res = {.struct_size = sizeof(res)};
	wsp_error err = {0};
	int rc, cancelled;

	o.cancel = c->cancel;
	o.on_output = on_output;
	o.output_payload = c;
	if (s->elicitation) {
		o.approve = elicit;
		o.approve_payload = c;
	}
	rc = wsp_tool_call(&res, s->tools, c->name, c->args, &o, &err);

	pthread_mutex_lock(&s->mu);
	cancelled = c->cancelled;
	pthread_mutex_unlock(&s->mu);
	/* MCP: a request the client cancelled gets no answer */
	if (!cancelled) {
		if (rc == WSP_ENOTFOUND || rc == WSP_EINVAL ||
		    rc == WSP_ETOOBIG)
			send_error(s, c->id, WSP__RPC_INVALID_PARAMS,
				   err.message);
		else if (rc < 0)
			send_error(s, c->id, WSP__RPC_INTERNAL_ERROR,
				   err.message);
		else
			send_result(s, c->id,
				    call_result(res.text, res.is_error, &res));
	}
	wsp_tool_result_release(&res);

	pthread_mutex_lock(&s->mu);
	for (pp = &s->calls; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	s->n_calls--;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	call_free(c);
	return NULL;
}

static void start_call(struct server *s, const struct wsp__mcp_msg *m)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(m->params, "name");
	const cJSON *args =
		cJSON_GetObjectItemCaseSensitive(m->params, "arguments");
	const cJSON *meta =
		cJSON_GetObjectItemCaseSensitive(m->params, "_meta");
	const cJSON *tok =
		cJSON_GetObjectItemCaseSensitive(meta, "progressToken");
	struct call *c;
	pthread_attr_t attr;
	pthread_t th;
	wsp_error err;
	int rc;

	if (!cJSON_IsString(name)) {
		send_error(s, m->id, WSP__RPC_INVALID_PARAMS,
			   "Invalid params: 'name' must be a string");
		return;
	}
	if (cJSON_IsNull(args))
		args = NULL;
	if (args && !cJSON_IsObject(args)) {
		send_error(s, m->id, WSP__RPC_INVALID_PARAMS,
			   "Invalid params: 'arguments' must be an object");
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		goto oom;
	c->srv = s;
	c->id = cJSON_Duplicate(m->id, 0);
	c->key = cJSON_PrintUnformatted(m->id);
	c->name = strdup(name->valuestring);
	c->args = args ? cJSON_PrintUnformatted(args) : strdup("{}");
	/* echoed in every progress notification: UTF-8 only */
	if ((cJSON_IsString(tok) && wsp__utf8_valid(tok->valuestring)) ||
	    cJSON_IsNumber(tok))
		c->progress = cJSON_Duplicate(tok, 0);
	if (!c->id || !c->key || !c->name || !c->args ||
	    wsp_cancel_new(&c->cancel, &err))
		goto oom;

	pthread_mutex_lock(&s->mu);
	if (s->n_calls >= s->max_in_flight) {
		pthread_mutex_unlock(&s->mu);
		send_error(s, m->id, WSP__RPC_INTERNAL_ERROR,
			   "too many tool calls in flight; wait for one to "
			   "finish");
		call_free(c);
		return;
	}
	c->next = s->calls;
	s->calls = c;
	s->n_calls++;
	pthread_mutex_unlock(&s->mu);

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	/* tools keep little on the stack; 512 KiB keeps idle memory low */
	pthread_attr_setstacksize(&attr, 512 * 1024);
	rc = pthread_create(&th, &attr, run_call, c);
	pthread_attr_destroy(&attr);
	if (rc) {
		struct call **pp;

		pthread_mutex_lock(&s->mu);
		for (pp = &s->calls; *pp; pp = &(*pp)->next) {
			if (*pp == c) {
				*pp = c->next;
				break;
			}
		}
		s->n_calls--;
		pthread_mutex_unlock(&s->mu);
		send_error(s, m->id, WSP__RPC_INTERNAL_ERROR,
			   "could not start a worker thread");
		call_free(c);
	}
	return;
oom:
	if (c)
		call_free(c);
	send_error(s, m->id, WSP__RPC_INTERNAL_ERROR, "out of memory");
}

/* ---- dispatch --------------------------------------------------------- */

static void on_initialize(struct server *s, const struct wsp__mcp_msg *m)
{
	const cJSON *v =
		cJSON_GetObjectItemCaseSensitive(m->params, "protocolVersion");
	const cJSON *caps =
		cJSON_GetObjectItemCaseSensitive(m->params, "capabilities");
	cJSON *r = cJSON_CreateObject(), *c, *info;

	pthread_mutex_lock(&s->mu);
	s->elicitation = cJSON_IsObject(
		cJSON_GetObjectItemCaseSensitive(caps, "elicitation"));
	pthread_mutex_unlock(&s->mu);
	if (!r) {
		send_error(s, m->id, WSP__RPC_INTERNAL_ERROR, "out of memory");
		return;
	}
	cJSON_AddStringToObject(
		r, "protocolVersion",
		wsp__mcp_negotiate(cJSON_IsString(v) ? v->valuestring : NULL));
	c = cJSON_AddObjectToObject(r, "capabilities");
	cJSON_AddBoolToObject(cJSON_AddObjectToObject(c, "tools"),
			      "listChanged", 0);
	info = cJSON_AddObjectToObject(r, "serverInfo");
	cJSON_AddStringToObject(info, "name", "wsp");
	cJSON_AddStringToObject(info, "version", wsp_version_string());
	if (s->instructions && s->instructions[0]) {
		char *clean = wsp__utf8_clean(s->instructions,
					      strlen(s->instructions));

		if (clean)
			cJSON_AddStringToObject(r, "instructions", clean);
		free(clean);
	}
	send_result(s, m->id, r);
}

static void on_cancelled(struct server *s, const struct wsp__mcp_msg *m)
{
	const cJSON *rid =
		cJSON_GetObjectItemCaseSensitive(m->params, "requestId");
	char *key;
	struct call *c;

	if (!rid)
		return;
	key = cJSON_PrintUnformatted(rid);
	if (!key)
		return;
	pthread_mutex_lock(&s->mu);
	for (c = s->calls; c; c = c->next) {
		if (!strcmp(c->key, key)) {
			c->cancelled = 1;
			wsp_cancel_fire(c->cancel);
		}
	}
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	free(key);
}

static void on_response(struct server *s, const struct wsp__mcp_msg *m)
{
	struct pending *p;

	if (!cJSON_IsString(m->id))
		return;
	pthread_mutex_lock(&s->mu);
	for (p = s->pendings; p; p = p->next) {
		if (!strcmp(p->key, m->id->valuestring) && !p->answered) {
			p->answered = 1;
			p->answer = m->result ? cJSON_Duplicate(m->result, 1)
					      : NULL;
			pthread_cond_broadcast(&s->cv);
			break;
		}
	}
	pthread_mutex_unlock(&s->mu);
}

static void handle_line(struct server *s, const char *line, size_t len)
{
	struct wsp__mcp_msg m;
	char msg[160];

	wsp__mcp_parse(&m, line, len);
	switch (m.kind) {
	case WSP__MCP_INVALID:
		send_error(s, m.id, m.error_code, m.error_text);
		break;
	case WSP__MCP_RESPONSE:
		on_response(s, &m);
		break;
	case WSP__MCP_NOTIFICATION:
		if (!strcmp(m.method, "notifications/cancelled"))
			on_cancelled(s, &m);
		/* others (initialized, roots/list_changed...) need nothing */
		break;
	case WSP__MCP_REQUEST:
		if (!strcmp(m.method, "initialize")) {
			on_initialize(s, &m);
		} else if (!strcmp(m.method, "ping")) {
			send_result(s, m.id, cJSON_CreateObject());
		} else if (!strcmp(m.method, "tools/list")) {
			cJSON *r = cJSON_CreateObject();

			if (r)
				cJSON_AddItemToObject(
					r, "tools",
					cJSON_Duplicate(s->tool_list, 1));
			send_result(s, m.id, r);
		} else if (!strcmp(m.method, "tools/call")) {
			if (!m.params)
				send_error(s, m.id, WSP__RPC_INVALID_PARAMS,
					   "Invalid params: tools/call needs "
					   "params");
			else
				start_call(s, &m);
		} else {
			snprintf(msg, sizeof(msg), "Method not found: %.100s",
				 m.method);
			send_error(s, m.id, WSP__RPC_METHOD_NOT_FOUND, msg);
		}
		break;
	}
	wsp__mcp_msg_free(&m);
}

/* ---- the loop --------------------------------------------------------- */

static void too_big(struct server *s)
{
	char msg[128];

	snprintf(msg, sizeof(msg), "Parse error: message over %zu bytes",
		 s->max_message);
	send_error(s, NULL, WSP__RPC_PARSE_ERROR, msg);
}

static void handle_lines(struct server *s, char *buf, size_t *len,
			 int *discarding)
{
	size_t start = 0, i, n;

	for (i = 0; i < *len; i++) {
		if (buf[i] != '\n')
			continue;
		n = i - start;
		if (n && buf[start + n - 1] == '\r')
			n--;
		if (*discarding)
			*discarding = 0; /* the end of a line already refused */
		else if (n > s->max_message)
			too_big(s);
		else if (n)
			handle_line(s, buf + start, n);
		start = i + 1;
	}
	memmove(buf, buf + start, *len - start);
	*len -= start;
}

static int read_loop(struct server *s, const wsp_cancel *stop, wsp_error *err)
{
	size_t cap = READ_CHUNK, len = 0;
	char *buf = malloc(cap), *nb;
	int discarding = 0, rc = 0;
	struct pollfd fds[2];
	ssize_t n;

	if (!buf)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	fds[0].fd = s->in_fd;
	fds[0].events = POLLIN;
	fds[1].fd = stop ? wsp_cancel_fd(stop) : -1;
	fds[1].events = POLLIN;
	for (;;) {
		if (s->out_failed) {
			rc = wsp_error_set_os(err, WSP_EIO, s->out_failed,
					      "cannot write MCP messages: %s",
					      strerror(s->out_failed));
			break;
		}
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			rc = wsp_error_set_os(err, WSP_EIO, errno,
					      "cannot wait for MCP input: %s",
					      strerror(errno));
			break;
		}
		if (fds[1].revents || wsp_cancel_requested(stop))
			break;
		if (!fds[0].revents)
			continue;
		if (len == cap) {
			if (len > s->max_message) {
				/* no end of line within the bound: refuse it
				 * and skip to the next newline */
				too_big(s);
				discarding = 1;
				len = 0;
			} else {
				size_t ncap = cap * 2 > s->max_message + 2
						      ? s->max_message + 2
						      : cap * 2;

				nb = realloc(buf, ncap);
				if (!nb) {
					rc = wsp_error_set(err, WSP_ENOMEM,
							   "out of memory");
					break;
				}
				buf = nb;
				cap = ncap;
			}
		}
		n = read(s->in_fd, buf + len, cap - len);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0) {
			rc = wsp_error_set_os(err, WSP_EIO, errno,
					      "cannot read MCP input: %s",
					      strerror(errno));
			break;
		}
		if (n == 0) {
			if (len && !discarding && len <= s->max_message)
				handle_line(s, buf, len);
			else if (len && !discarding)
				too_big(s);
			break;
		}
		len += (size_t)n;
		handle_lines(s, buf, &len, &discarding);
		if (discarding)
			len = 0;
	}
	free(buf);
	return rc;
}

int wsp_mcp_serve(wsp_tools *tools, const wsp_mcp_opts *opts, wsp_error *err)
{
	static const wsp_mcp_opts defaults = WSP_MCP_OPTS_INIT;
	struct server s;
	struct call *c;
	char *list;
	int rc;

	if (!tools)
		return wsp_error_set(err, WSP_EINVAL, "no tool set given");
	if (!opts)
		opts = &defaults;
	memset(&s, 0, sizeof(s));
	s.tools = tools;
	s.in_fd = opts->in_fd;
	s.out_fd = opts->out_fd;
	s.max_message =
		opts->max_message ? opts->max_message : DEFAULT_MAX_MESSAGE;
	s.max_in_flight =
		opts->max_in_flight ? opts->max_in_flight : DEFAULT_IN_FLIGHT;
	s.instructions = opts->instructions;
	rc = wsp_tools_list_json(&list, tools, err);
	if (rc)
		return rc;
	s.tool_list = cJSON_Parse(list);
	wsp_tools_free(list);
	if (!s.tool_list)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	pthread_mutex_init(&s.out_mu, NULL);
	pthread_mutex_init(&s.mu, NULL);
	pthread_cond_init(&s.cv, NULL);

	rc = read_loop(&s, opts->stop, err);

	/* stop what still runs (foreground commands die with their call) */
	pthread_mutex_lock(&s.mu);
	s.closing = 1;
	for (c = s.calls; c; c = c->next)
		wsp_cancel_fire(c->cancel);
	pthread_cond_broadcast(&s.cv);
	while (s.n_calls)
		wait_tick(&s);
	pthread_mutex_unlock(&s.mu);
	if (opts->flags & WSP_MCP_KILL_BACKGROUND) {
		wsp_error kerr;

		wsp_tools_kill_background(tools, &kerr);
	}

	cJSON_Delete(s.tool_list);
	pthread_cond_destroy(&s.cv);
	pthread_mutex_destroy(&s.mu);
	pthread_mutex_destroy(&s.out_mu);
	return rc;
}
