/*
 * tests/http/test_http_net.c - the HTTP service against real servers on
 * 127.0.0.1 (net_servers.js): TLS verification with and without the CA,
 * the http: section of wsp.yaml (ca_bundle, timeouts, max_attempts)
 * opened through the workspace API, the CA variables of the environment,
 * HTTP/2 negotiation and connection reuse, and the proxy variables.
 *
 * Environment variables are set only between requests, from this one
 * thread: libcurl reads them when a request sets up its connection.
 */
#include "http.h"
#include "internal.h"
#include "net_servers.h"
#include "test_host.h"
#include "testutil.h"

#include <wsp/wsp.h>

#include "cu_main.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static struct net_servers srv;

static const char *const env_vars[] = {
	"CURL_CA_BUNDLE", "SSL_CERT_FILE", "http_proxy",  "HTTP_PROXY",
	"https_proxy",	  "HTTPS_PROXY",   "all_proxy",	  "ALL_PROXY",
	"no_proxy",	  "NO_PROXY",	   NULL
};

static void clear_env(void)
{
	for (size_t i = 0; env_vars[i]; i++)
		unsetenv(env_vars[i]);
}

/* A host table not made by a workspace: no http: settings reach it. */
static wsp_host bare;

static const wsp_host *bare_host(void)
{
	return &bare;
}

static int suite_init(void)
{
	bare = *test_host();
	bare.http_request = wsp__http_request;
	bare.http_response_release = wsp__http_response_release;
	clear_env();
	wsp__http_configure(NULL, NULL);
	return net_servers_start(&srv);
}

static int suite_clean(void)
{
	clear_env();
	wsp__http_shutdown();
	net_servers_stop(&srv);
	return 0;
}

static const char *file_of(const char *name)
{
	return tu_path(srv.dir, name);
}

/* A workspace whose configuration is text (absolute paths in it). */
static wsp_workspace *open_ws(const char *yaml)
{
	wsp_open_opts o = WSP_OPEN_OPTS_INIT;
	wsp_workspace *ws = NULL;
	wsp_error err = { 0 };

	o.config_text = yaml;
	o.config_name = "net.yaml";
	if (wsp_workspace_open(&ws, &o, &err))
		fprintf(stderr, "open: %s\n", err.message);
	return ws;
}

/* A workspace trusting the file ca (ca.pem, other-ca.pem) of srv.dir. */
static wsp_workspace *open_ws_ca(const char *ca, const char *more)
{
	char yaml[8192];

	snprintf(yaml, sizeof(yaml), "http:\n  ca_bundle: %s\n%s",
		 file_of(ca), more ? more : "");
	return open_ws(yaml);
}

struct got {
	wsp_http_response resp;
	wsp_error err;
	char proto[16]; /* x-proto response header */
	int64_t ms;
	int rc;
};

static int on_header(const char *name, const char *value, void *payload)
{
	if (!strcasecmp(name, "x-proto"))
		snprintf(payload, 16, "%s", value);
	return 0;
}

/* GET url through host; the caller releases g->resp. */
static void get(struct got *g, const wsp_host *host, const char *url)
{
	wsp_http_request r = {
		.struct_size = sizeof(r),
		.method = "GET",
		.url = url,
		.on_header = on_header,
		.header_payload = g->proto,
	};
	int64_t t0 = test_now_ms();

	memset(g, 0, sizeof(*g));
	g->resp.struct_size = sizeof(g->resp);
	g->rc = host->http_request(&g->resp, host, &r, &g->err);
	g->ms = test_now_ms() - t0;
	if (g->rc)
		fprintf(stderr, "\n  GET %s: %d %s\n", url, g->rc,
			g->err.message);
}

static void release(const wsp_host *host, struct got *g)
{
	host->http_response_release(host, &g->resp);
}

static const char *tls_url(const char *host, const char *path)
{
	static char url[8][128];
	static int next;
	char *u = url[next++ % 8];

	snprintf(u, sizeof(url[0]), "https://%s:%d%s", host, srv.tls_port,
		 path);
	return u;
}

static const char *http_url(const char *path)
{
	static char url[4][128];
	static int next;
	char *u = url[next++ % 4];

	snprintf(u, sizeof(url[0]), "http://127.0.0.1:%d%s", srv.http_port,
		 path);
	return u;
}

/* GET /proto over TLS through host: 0 and "2.0", or the error code. */
static int get_proto(const wsp_host *host, const char *want_proto)
{
	struct got g;

	get(&g, host, tls_url("127.0.0.1", "/proto"));
	if (!g.rc) {
		CU_ASSERT_EQUAL(g.resp.status, 200);
		CU_ASSERT_STRING_EQUAL(g.resp.body, want_proto);
		CU_ASSERT_STRING_EQUAL(g.proto, want_proto);
	}
	release(host, &g);
	return g.rc;
}

/* ---- TLS verification --------------------------------------------------- */

static void test_tls_untrusted(void)
{
	const wsp_host *host = bare_host();
	struct got g;

	get(&g, host, tls_url("127.0.0.1", "/proto"));
	CU_ASSERT_EQUAL(g.rc, WSP_EPROTO);
	CU_ASSERT_EQUAL(g.resp.attempts, 1); /* not worth a retry */
	TU_ASSERT_CONTAINS(g.err.message, "cannot GET 'https://127.0.0.1:");
	TU_ASSERT_CONTAINS(g.err.message, "SSL certificate problem");
	TU_ASSERT_CONTAINS(g.err.message, "'ca_bundle'");
	release(host, &g);
}

/* wsp.yaml with a relative ca_bundle, opened from its file. */
static void test_tls_ca_bundle_from_file(void)
{
	wsp_open_opts o = WSP_OPEN_OPTS_INIT;
	wsp_workspace *ws = NULL, *plain;
	wsp_error err = { 0 };
	const char *yaml = file_of("wsp.yaml");

	tu_write(yaml, "http:\n  ca_bundle: ./ca.pem\n");
	o.config_path = yaml;
	CU_ASSERT_EQUAL_FATAL(wsp_workspace_open(&ws, &o, &err), 0);
	CU_ASSERT_EQUAL(get_proto(wsp__workspace_host(ws), "2.0"), 0);
	/*
	 * Another workspace of the same process has its own settings, and
	 * the connection the first one verified is not lent to it.
	 */
	plain = open_ws("mounts: {}\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(plain);
	CU_ASSERT_EQUAL(get_proto(wsp__workspace_host(plain), "2.0"),
			WSP_EPROTO);
	CU_ASSERT_EQUAL(get_proto(wsp__workspace_host(ws), "2.0"), 0);
	wsp_workspace_close(plain);
	wsp_workspace_close(ws);
	unlink(yaml);
}

static void test_tls_wrong_host(void)
{
	wsp_workspace *ws = open_ws_ca("ca.pem", NULL);
	const wsp_host *host;
	struct got g;

	CU_ASSERT_PTR_NOT_NULL_FATAL(ws);
	host = wsp__workspace_host(ws);
	/* The certificate names IP 127.0.0.1 only; localhost is that too. */
	get(&g, host, tls_url("localhost", "/proto"));
	CU_ASSERT_EQUAL(g.rc, WSP_EPROTO);
	TU_ASSERT_CONTAINS(g.err.message, "cannot GET 'https://localhost:");
	TU_ASSERT_CONTAINS(g.err.message, "'localhost'");
	TU_ASSERT_CONTAINS(g.err.message, "host name");
	release(host, &g);
	wsp_workspace_close(ws);
}

/* A ca_bundle that is there but holds no certificate. */
static void test_tls_bad_bundle(void)
{
	wsp_workspace *ws;
	const wsp_host *host;
	struct got g;

	tu_write(file_of("garbage.pem"), "not a certificate\n");
	ws = open_ws_ca("garbage.pem", NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ws);
	host = wsp__workspace_host(ws);
	get(&g, host, tls_url("127.0.0.1", "/proto"));
	CU_ASSERT_EQUAL(g.rc, WSP_EPROTO);
	TU_ASSERT_CONTAINS(g.err.message, "must be a PEM file");
	release(host, &g);
	wsp_workspace_close(ws);
	unlink(file_of("garbage.pem"));
}

/* $CURL_CA_BUNDLE and $SSL_CERT_FILE count; ca_bundle wins over them. */
static void test_tls_ca_from_env(void)
{
	wsp_workspace *right, *wrong;

	setenv("CURL_CA_BUNDLE", file_of("ca.pem"), 1);
	CU_ASSERT_EQUAL(get_proto(bare_host(), "2.0"), 0);
	unsetenv("CURL_CA_BUNDLE");
	setenv("SSL_CERT_FILE", file_of("ca.pem"), 1);
	CU_ASSERT_EQUAL(get_proto(bare_host(), "2.0"), 0);
	/* the config's unrelated CA wins over the right one of the env */
	wrong = open_ws_ca("other-ca.pem", NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(wrong);
	CU_ASSERT_EQUAL(get_proto(wsp__workspace_host(wrong), "2.0"),
			WSP_EPROTO);
	unsetenv("SSL_CERT_FILE");
	/* and the config's right CA over an unrelated one in the env */
	setenv("CURL_CA_BUNDLE", file_of("other-ca.pem"), 1);
	CU_ASSERT_EQUAL(get_proto(bare_host(), "2.0"), WSP_EPROTO);
	right = open_ws_ca("ca.pem", NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(right);
	CU_ASSERT_EQUAL(get_proto(wsp__workspace_host(right), "2.0"), 0);
	unsetenv("CURL_CA_BUNDLE");
	wsp_workspace_close(right);
	wsp_workspace_close(wrong);
}

/* ---- protocols ---------------------------------------------------------- */

static void test_h2_negotiated_and_reused(void)
{
	wsp_workspace *ws = open_ws_ca("ca.pem", NULL);
	long sessions, conns, reqs;

	CU_ASSERT_PTR_NOT_NULL_FATAL(ws);
	wsp__http_shutdown(); /* no connection left from earlier tests */
	sessions = net_servers_stat(&srv, "h2Sessions");
	conns = net_servers_stat(&srv, "tlsConnections");
	reqs = net_servers_stat(&srv, "tlsRequests");
	CU_ASSERT_FATAL(sessions >= 0 && conns >= 0 && reqs >= 0);
	for (int i = 0; i < 5; i++)
		CU_ASSERT_EQUAL(get_proto(wsp__workspace_host(ws), "2.0"), 0);
	CU_ASSERT_EQUAL(net_servers_stat(&srv, "tlsRequests") - reqs, 5);
	CU_ASSERT_EQUAL(net_servers_stat(&srv, "h2Sessions") - sessions, 1);
	CU_ASSERT_EQUAL(net_servers_stat(&srv, "tlsConnections") - conns, 1);
	wsp_workspace_close(ws);
}

static void test_plain_http_is_1_1(void)
{
	struct got g;

	get(&g, bare_host(), http_url("/proto"));
	CU_ASSERT_EQUAL(g.rc, 0);
	CU_ASSERT_STRING_EQUAL(g.resp.body, "1.1");
	CU_ASSERT_STRING_EQUAL(g.proto, "1.1");
	release(bare_host(), &g);
}

/* ---- proxies ------------------------------------------------------------ */

struct proxy_counts {
	long requests, connects, http, tls;
};

static void proxy_counts(struct proxy_counts *c)
{
	c->requests = net_servers_stat(&srv, "proxyRequests");
	c->connects = net_servers_stat(&srv, "proxyConnects");
	c->http = net_servers_stat(&srv, "httpRequests");
	c->tls = net_servers_stat(&srv, "tlsRequests");
	CU_ASSERT_FATAL(c->requests >= 0 && c->connects >= 0 && c->http >= 0 &&
			c->tls >= 0);
}

/*
 * Three GETs over http and three over https through host, starting with
 * no cached connection: a tunnel (CONNECT) the proxy opened earlier would
 * rightly be reused and hide which way https went.
 */
static void six_requests(const wsp_host *host, struct proxy_counts *delta)
{
	struct proxy_counts before, after;
	struct got g;

	wsp__http_shutdown();
	proxy_counts(&before);
	for (int i = 0; i < 3; i++) {
		get(&g, host, http_url("/proto"));
		CU_ASSERT_EQUAL(g.rc, 0);
		CU_ASSERT_STRING_EQUAL(g.resp.body, "1.1");
		release(host, &g);
		CU_ASSERT_EQUAL(get_proto(host, "2.0"), 0);
	}
	proxy_counts(&after);
	delta->requests = after.requests - before.requests;
	delta->connects = after.connects - before.connects;
	delta->http = after.http - before.http;
	delta->tls = after.tls - before.tls;
	if (getenv("WSP_TEST_VERBOSE"))
		fprintf(stderr,
			"\n  proxy %ld, connect %ld, http %ld, tls %ld\n",
			delta->requests, delta->connects, delta->http,
			delta->tls);
	/* through the proxy or not, each reached its server */
	CU_ASSERT_EQUAL(delta->http, 3);
	CU_ASSERT_EQUAL(delta->tls, 3);
}

static void test_proxy_from_env(void)
{
	wsp_workspace *ws = open_ws_ca("ca.pem", NULL);
	const wsp_host *host;
	struct proxy_counts d;
	char proxy[64];

	CU_ASSERT_PTR_NOT_NULL_FATAL(ws);
	host = wsp__workspace_host(ws);
	snprintf(proxy, sizeof(proxy), "http://127.0.0.1:%d", srv.proxy_port);

	/* lower-case http_proxy, upper-case HTTPS_PROXY */
	setenv("http_proxy", proxy, 1);
	setenv("HTTPS_PROXY", proxy, 1);
	six_requests(host, &d);
	CU_ASSERT_EQUAL(d.requests, 3); /* absolute-URI requests */
	CU_ASSERT_EQUAL(d.connects, 1); /* one tunnel, reused */

	/* NO_PROXY bypasses it */
	setenv("NO_PROXY", "127.0.0.1", 1);
	six_requests(host, &d);
	CU_ASSERT_EQUAL(d.requests, 0);
	CU_ASSERT_EQUAL(d.connects, 0);
	clear_env();

	/* upper-case HTTP_PROXY is ignored (as libcurl does, for CGI) */
	setenv("HTTP_PROXY", proxy, 1);
	six_requests(host, &d);
	CU_ASSERT_EQUAL(d.requests, 0);
	clear_env();

	/* ALL_PROXY covers both schemes */
	setenv("ALL_PROXY", proxy, 1);
	six_requests(host, &d);
	CU_ASSERT_EQUAL(d.requests, 3);
	CU_ASSERT_EQUAL(d.connects, 1);
	clear_env();
	wsp_workspace_close(ws);
}

/* ---- timeouts and attempts from wsp.yaml -------------------------------- */

/*
 * Wall-clock bounds are generous: they only tell the configured value
 * (1 s) from the built-in default it replaces (10 s connect, 30 s
 * stalled, no total limit).
 */
static void expect_timeout(const char *yaml, const char *url,
			   const char *why, int64_t max_ms)
{
	wsp_workspace *ws = open_ws(yaml);
	const wsp_host *host;
	struct got g;

	CU_ASSERT_PTR_NOT_NULL_FATAL(ws);
	host = wsp__workspace_host(ws);
	get(&g, host, url);
	CU_ASSERT_EQUAL(g.rc, WSP_ETIMEDOUT);
	CU_ASSERT_EQUAL(g.resp.attempts, 1);
	TU_ASSERT_CONTAINS(g.err.message, why);
	CU_ASSERT(g.ms >= 500);
	CU_ASSERT(g.ms < max_ms);
	release(host, &g);
	wsp_workspace_close(ws);
}

static void test_timeout(void)
{
	expect_timeout("http: {timeout: 1s, max_attempts: 1}\n",
		       http_url("/hang"), "timed out", 20000);
}

static void test_low_speed(void)
{
	expect_timeout("http:\n  low_speed_time: 1s\n  low_speed_limit: 100\n"
		       "  max_attempts: 1\n",
		       http_url("/stall"), "too slow", 20000);
}

static void test_connect_timeout(void)
{
	int fds[16], n, port;
	char url[64];

	CU_ASSERT_EQUAL_FATAL(net_full_listener(&port, fds, 16, &n), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", port);
	/* 1 s, clearly short of the 10 s default it replaces */
	expect_timeout("http: {connect_timeout: 1s, max_attempts: 1}\n", url,
		       "failed to connect", 5000);
	while (n > 0)
		close(fds[--n]);
}

/* max_attempts bounds the retries of a refused connection. */
static void test_max_attempts(void)
{
	int fds[16], n, port;
	char url[64];
	wsp_workspace *ws = open_ws("http: {max_attempts: 2}\n");
	struct got g;

	CU_ASSERT_PTR_NOT_NULL_FATAL(ws);
	/* a port that was just free: nothing listens there any more */
	CU_ASSERT_EQUAL_FATAL(net_full_listener(&port, fds, 16, &n), 0);
	while (n > 0)
		close(fds[--n]);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", port);
	get(&g, wsp__workspace_host(ws), url);
	CU_ASSERT_EQUAL(g.rc, WSP_EUNAVAIL);
	CU_ASSERT_EQUAL(g.resp.attempts, 2);
	release(wsp__workspace_host(ws), &g);
	wsp_workspace_close(ws);
}

static CU_TestInfo tests[] = {
	{ "TLS: untrusted CA is a clear error", test_tls_untrusted },
	{ "TLS: ca_bundle of wsp.yaml, per workspace",
	  test_tls_ca_bundle_from_file },
	{ "TLS: wrong host name", test_tls_wrong_host },
	{ "TLS: ca_bundle without certificates", test_tls_bad_bundle },
	{ "TLS: CA from the environment, config wins", test_tls_ca_from_env },
	{ "HTTP/2 negotiated, one connection reused",
	  test_h2_negotiated_and_reused },
	{ "plain http is HTTP/1.1", test_plain_http_is_1_1 },
	{ "proxy variables", test_proxy_from_env },
	{ "timeout from wsp.yaml", test_timeout },
	{ "low_speed_time from wsp.yaml", test_low_speed },
	{ "connect_timeout from wsp.yaml", test_connect_timeout },
	{ "max_attempts from wsp.yaml", test_max_attempts },
	CU_TEST_INFO_NULL,
};

CU_MAIN_SUITE("http service vs TLS, HTTP/2, proxy servers", suite_init,
	      suite_clean, tests)
