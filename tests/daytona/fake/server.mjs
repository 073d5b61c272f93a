// fake/server.mjs - one HTTP/1.1 server for both planes, as a client sees
// Daytona through its API and its proxy: /api/… is the API, /toolbox/{id}/…
// a sandbox's toolbox (the URL the API hands out as toolboxProxyUrl),
// /_fake/ the admin API. WebSocket upgrades arrive through the same
// dispatch. Every client request is logged and may meet an armed fault
// before it is served.
import http from 'node:http';
import { handleAdmin, Faults, RequestLog, REQUEST_KINDS } from './admin.mjs';
import { handleControl } from './control.mjs';
import { handleToolbox, toolboxRoute } from './toolbox.mjs';
import { Registry } from './sandboxes.mjs';
import { readBody, BodyTooLarge, apiError, daemonError, goText } from './http-util.mjs';

const LIMITS = { admin: 1 << 20, api: 1 << 20, toolbox: 16 << 20, upload: 512 << 20 };
const UPLOADS = ['/files/bulk-upload', '/files/upload'];
const DOWNLOADS = ['/files/bulk-download', '/files/download'];

function applyFault(ctx, f) {
  const { res, req } = ctx;
  if (f.kind === 'rate_limit') {
    const headers = { 'Retry-After': String(f.retryAfter), 'X-RateLimit-Limit-authenticated': '10000', 'X-RateLimit-Remaining-authenticated': '0', 'X-RateLimit-Reset-authenticated': String(f.retryAfter) };
    if (ctx.plane === 'api') apiError(res, req, 429, 'ThrottlerException: Too Many Requests', headers);
    else daemonError(res, ctx, 429, 'TOO_MANY_REQUESTS', 'too many requests', headers);
  } else if (f.kind === 'error') {
    if (ctx.plane === 'api') apiError(res, req, f.status, f.message);
    else daemonError(res, ctx, f.status, (http.STATUS_CODES[f.status] ?? 'ERROR').toUpperCase().replace(/[^A-Z]+/g, '_'), f.message);
  } else if (f.kind === 'drop') {
    const s = res.socket ?? ctx.socket;
    if (f.rst) s.resetAndDestroy();
    else s.destroy();
  }
  // 'stall' at once: never answer; the socket stays open until the client gives up.
}

export function createFakeServer({ baseDir, startMs, stopMs, minuteMs, mountNs = false, hide = [] }) {
  const registry = new Registry({ baseDir, startMs, stopMs, minuteMs, mountNs, hide });
  const faults = new Faults();
  const log = new RequestLog();

  async function dispatch(req, res, socket, head) {
    const url = new URL(req.url, 'http://fake.invalid');
    const admin = url.pathname.startsWith('/_fake/');
    const tb = admin ? null : toolboxRoute(url.pathname);
    const plane = admin ? 'admin' : tb ? 'toolbox' : 'api';
    const ctx = { req, res, url, socket, head, registry, plane, sandboxId: tb?.sandboxId, toolboxPath: tb?.toolboxPath };
    if (plane === 'api') ctx.sandboxId = /^\/api\/sandbox\/([^/]+)/.exec(url.pathname)?.[1];
    const entry = admin ? null : log.add(req, url, plane, ctx.sandboxId);
    const limit = admin ? LIMITS.admin : plane === 'api' ? LIMITS.api : UPLOADS.includes(tb.toolboxPath) ? LIMITS.upload : LIMITS.toolbox;
    try {
      ctx.body = await readBody(req, limit);
    } catch (e) {
      if (e instanceof BodyTooLarge) { apiError(res, req, 413, 'request entity too large', { Connection: 'close' }); req.resume(); }
      else res.destroy();
      return;
    }
    if (entry) log.body(entry, ctx.body);
    try {
      if (admin) return await handleAdmin(req, res, url, ctx.body, { faults, log, registry });
      const follow = plane === 'toolbox' && /\/logs$/.test(tb.toolboxPath) && (req.headers.upgrade === 'websocket' || url.searchParams.get('follow') === 'true');
      const download = plane === 'toolbox' && DOWNLOADS.includes(tb.toolboxPath);
      const attrs = { plane, method: req.method, path: url.pathname, sandboxId: ctx.sandboxId, follow, download };
      const fault = faults.take(attrs, REQUEST_KINDS);
      if (fault && fault.afterFrames === undefined && fault.afterBytes === undefined) {
        if (fault.kind !== 'autostop') return applyFault(ctx, fault);
        registry.get(ctx.sandboxId ?? '')?.autoStopNow();
      } else {
        ctx.fault = fault;
      }
      if (plane === 'api') {
        if (!url.pathname.startsWith('/api/') && url.pathname !== '/api') return apiError(res, req, 404, `Cannot ${req.method} ${url.pathname}`);
        return await handleControl(req, res, url, ctx.body, registry, (kind) => faults.take(attrs, [kind]));
      }
      await handleToolbox(ctx);
    } catch (e) {
      process.stderr.write(`fake-daytona: ${req.method} ${req.url}: ${e.stack}\n`);
      if (!res.headersSent) goText(res, 500, `fake: ${e.message}`);
      else res.destroy();
    }
  }

  const server = http.createServer((req, res) => { dispatch(req, res, null, null); });
  server.on('upgrade', (req, socket, head) => {
    // An upgrade request gets a response object on its socket, for the
    // answers that refuse it; the log follow detaches it to speak WebSocket.
    socket.on('error', () => {});
    const res = new http.ServerResponse(req);
    res.shouldKeepAlive = false;
    res.assignSocket(socket);
    res.on('finish', () => socket.end());
    dispatch(req, res, socket, head);
  });
  // Long-lived follows must not be cut by the default timeouts.
  server.requestTimeout = 0;
  server.headersTimeout = 60000;
  server.keepAliveTimeout = 5000;
  server.on('listening', () => { registry.port = server.address().port; });
  return { server, registry, faults, log };
}
