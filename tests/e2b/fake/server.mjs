// fake/server.mjs - one HTTP/1.1 server for both planes, as E2B's shared
// host does: a request carrying E2b-Sandbox-Id (or sent to a
// `PORT-SANDBOXID.` host) goes to that sandbox's envd, anything else to the
// control plane; /_fake/ is the admin API. Every client request is logged
// and may meet an armed fault before it is served.
import http from 'node:http';
import { handleAdmin, Faults, RequestLog } from './admin.mjs';
import { handleControl } from './control.mjs';
import { handleEnvd, isStreaming, ENVD_PORT } from './envd.mjs';
import { Registry } from './sandboxes.mjs';
import { readBody, BodyTooLarge, sendError, sendJson } from './http-util.mjs';

const LIMITS = { admin: 1 << 20, control: 1 << 20, envd: 16 << 20, files: 512 << 20 };

/** Which plane a request is for: {plane, sandboxId, port}. */
function route(req) {
  const id = req.headers['e2b-sandbox-id'];
  if (id) return { plane: 'envd', sandboxId: id, port: Number(req.headers['e2b-sandbox-port'] ?? ENVD_PORT) };
  const host = (req.headers.host ?? '').match(/^(\d+)-([a-z0-9]+)\./);
  if (host) return { plane: 'envd', sandboxId: host[2], port: Number(host[1]) };
  return { plane: 'control', sandboxId: undefined, port: undefined };
}

function applyFault(res, f, plane, sandboxId) {
  if (f.kind === 'rate_limit') {
    sendError(res, 429, 'Rate limit exceeded, please try again later', {}, { 'Retry-After': String(f.retryAfter) });
  } else if (f.kind === 'error') {
    if (plane === 'envd') sendJson(res, f.status, { sandboxId, message: f.message, code: f.status });
    else sendError(res, f.status, f.message);
  } else if (f.kind === 'reset') {
    const s = res.socket;
    if (f.rst) s.resetAndDestroy();
    else s.destroy();
  }
  // 'stall' with no afterEnvelopes: never answer; the socket stays open.
}

export function createFakeServer({ baseDir, envdVersion, mountNs = false, hide = [] }) {
  const registry = new Registry({ baseDir, envdVersion, mountNs, hide });
  const faults = new Faults();
  const log = new RequestLog();

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://fake.invalid');
    const admin = url.pathname.startsWith('/_fake/');
    const { plane, sandboxId, port } = admin ? { plane: 'admin' } : route(req);
    const entry = admin ? null : log.add(req, plane, sandboxId);
    const limit = admin ? LIMITS.admin : plane === 'envd' ? (url.pathname === '/files' ? LIMITS.files : LIMITS.envd) : LIMITS.control;
    let body;
    try {
      body = await readBody(req, limit);
    } catch (e) {
      if (e instanceof BodyTooLarge) { sendError(res, 413, e.message, {}, { Connection: 'close' }); req.resume(); }
      else res.destroy();
      return;
    }
    if (entry) log.body(entry, body);
    try {
      if (admin) {
        await handleAdmin(req, res, url, body, { faults, log, registry });
        return;
      }
      const streaming = plane === 'envd' && isStreaming(url.pathname);
      const download = plane === 'envd' && url.pathname === '/files' && req.method === 'GET';
      let fault = faults.take({ plane, method: req.method, path: url.pathname, sandboxId, streaming, download });
      if (fault && fault.afterEnvelopes === undefined && fault.afterBytes === undefined) {
        applyFault(res, fault, plane, sandboxId);
        return;
      }
      if (plane === 'envd') await handleEnvd(req, res, url, body, { registry, id: sandboxId, port, fault });
      else await handleControl(req, res, url, body, registry);
    } catch (e) {
      if (!res.headersSent) sendError(res, 500, `fake: ${e.message}`);
      else res.destroy();
      process.stderr.write(`fake-e2b: ${req.method} ${req.url}: ${e.stack}\n`);
    }
  });
  // SDK requests are never slow enough to need the default timeouts, and
  // long-lived streams must not be cut by them.
  server.requestTimeout = 0;
  server.headersTimeout = 60000;
  server.keepAliveTimeout = 5000;
  return { server, registry, faults, log };
}
