// Servers for tests/http/test_http_net.c, all on 127.0.0.1 with ports the
// kernel picks, using only Node's built-in modules:
//
//   node net_servers.js CERT.pem KEY.pem
//
//   tls    HTTP/2 over TLS (HTTP/1.1 too, by ALPN) with the given cert
//   http   plain HTTP/1.1
//   proxy  a forward proxy: absolute-URI requests for http://, CONNECT
//          tunnels for https://; it only ever reaches 127.0.0.1
//
// Routes of tls and http:
//   /proto  answers the HTTP version the server saw ("2.0", "1.1"),
//           also in the x-proto header
//   /stats  the counters below, as JSON
//   /stall  headers and 10 of 1000 promised bytes, then nothing
//   /hang   never answers
//
// When all three listen it prints {"tls":N,"http":N,"proxy":N} on one
// line. It exits on SIGTERM or when its stdin closes, so a test that dies
// leaves no server behind.
'use strict';

const fs = require('fs');
const http = require('http');
const http2 = require('http2');
const net = require('net');

const [certFile, keyFile] = process.argv.slice(2);
const stats = {
  tlsConnections: 0, // TLS handshakes done
  h2Sessions: 0, // HTTP/2 sessions among them
  tlsRequests: 0,
  httpConnections: 0,
  httpRequests: 0,
  proxyRequests: 0, // absolute-URI requests forwarded
  proxyConnects: 0, // CONNECT tunnels opened
};

function route(req, res) {
  const path = req.url.split('?')[0];

  switch (path) {
    case '/proto':
      res.setHeader('x-proto', req.httpVersion);
      res.end(req.httpVersion);
      return;
    case '/stats':
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(stats));
      return;
    case '/stall':
      res.writeHead(200, { 'content-length': '1000' });
      res.write('0123456789');
      return;
    case '/hang':
      return;
    default:
      res.statusCode = 404;
      res.end('no such route');
  }
}

const tls = http2.createSecureServer(
  { cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile), allowHTTP1: true },
  (req, res) => {
    if (!req.url.startsWith('/stats'))
      stats.tlsRequests++;
    route(req, res);
  });
tls.on('secureConnection', () => stats.tlsConnections++);
tls.on('session', () => stats.h2Sessions++);
// A failed handshake (an untrusted CA) is what some tests want.
tls.on('tlsClientError', () => {});

// Reading /stats is not counted: it would change what it reports.
const plain = http.createServer((req, res) => {
  if (!req.url.startsWith('/stats'))
    stats.httpRequests++;
  route(req, res);
});
plain.on('connection', () => stats.httpConnections++);

function local(host) {
  return host === '127.0.0.1' || host === 'localhost';
}

const proxy = http.createServer((req, res) => {
  let target;

  try {
    target = new URL(req.url);
  } catch (e) {
    res.statusCode = 400;
    res.end('a proxy request needs an absolute URI');
    return;
  }
  if (target.protocol !== 'http:' || !local(target.hostname)) {
    res.statusCode = 403;
    res.end('this proxy only reaches 127.0.0.1');
    return;
  }
  stats.proxyRequests++;
  const headers = { ...req.headers };
  delete headers['proxy-connection'];
  const up = http.request({
    host: '127.0.0.1',
    port: target.port,
    method: req.method,
    path: target.pathname + target.search,
    headers,
  }, (ur) => {
    res.writeHead(ur.statusCode, ur.headers);
    ur.pipe(res);
  });
  up.on('error', () => {
    res.statusCode = 502;
    res.end('upstream failed');
  });
  req.pipe(up);
});
proxy.on('connect', (req, sock, head) => {
  const i = req.url.lastIndexOf(':');
  const host = req.url.slice(0, i);
  const port = Number(req.url.slice(i + 1));

  if (!local(host) || !port) {
    sock.end('HTTP/1.1 403 Forbidden\r\n\r\n');
    return;
  }
  stats.proxyConnects++;
  const up = net.connect(port, '127.0.0.1', () => {
    sock.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length)
      up.write(head);
    up.pipe(sock);
    sock.pipe(up);
  });
  up.on('error', () => sock.destroy());
  sock.on('error', () => up.destroy());
});

const servers = { tls, http: plain, proxy };
let waiting = Object.keys(servers).length;

for (const s of Object.values(servers)) {
  s.listen(0, '127.0.0.1', () => {
    if (--waiting)
      return;
    const ports = {};
    for (const [name, srv] of Object.entries(servers))
      ports[name] = srv.address().port;
    process.stdout.write(JSON.stringify(ports) + '\n');
  });
}

process.on('SIGTERM', () => process.exit(0));
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
