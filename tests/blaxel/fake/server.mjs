// fake/server.mjs - one HTTP/1.1 server for every plane: /v0/... is the
// control plane (BL_API_URL), /sbx/{name}/... a sandbox's data plane (its
// metadata.url), /preview/{sandbox}/{preview}/... a preview URL, /_fake/
// the admin API. Every client request is logged and may meet an armed
// fault before it is served.
import http from 'node:http';
import { STATUS_CODES } from 'node:http';
import { handleAdmin, Faults, RequestLog } from './admin.mjs';
import { handleControl } from './control.mjs';
import { admit, handleSandbox, wantsDownload } from './dataplane.mjs';
import { forward } from './proxy.mjs';
import { authenticate } from './auth.mjs';
import { Registry } from './sandboxes.mjs';
import { readBody, BodyTooLarge, sendApiError, sendControlError } from './http-util.mjs';

const LIMITS = { admin: 1 << 20, control: 1 << 20, sandbox: 256 << 20, preview: 16 << 20 };

/** Which plane a request is for: {plane, sandbox, rest (the raw path below it)}. */
function route(rawPath) {
  if (rawPath.startsWith('/_fake/')) return { plane: 'admin' };
  let m = rawPath.match(/^\/sbx\/([^/]+)(\/.*)?$/);
  if (m) return { plane: 'sandbox', sandbox: decodeURIComponent(m[1]), rest: m[2] ?? '/' };
  m = rawPath.match(/^\/preview\/([^/]+)\/([^/]+)(\/.*)?$/);
  if (m) return { plane: 'preview', sandbox: decodeURIComponent(m[1]), preview: decodeURIComponent(m[2]), rest: m[3] ?? '/' };
  return { plane: 'control', rest: rawPath };
}

function isStreaming(req, url, plane, rest) {
  if (plane !== 'sandbox') return false;
  if (req.method === 'POST' && rest === '/process') return (req.headers.accept ?? '').includes('text/event-stream');
  if (req.method === 'GET' && /^\/process\/[^/]+\/logs\/stream$/.test(rest)) return true;
  return req.method === 'GET' && rest.startsWith('/filesystem/') && wantsDownload(req, url);
}

function applyFault(res, f, plane) {
  const control = plane === 'control';
  if (f.kind === 'rate_limit') {
    const headers = { 'Retry-After': String(f.retryAfter) };
    if (control) sendControlError(res, 429, 'Too Many Requests', 'rate limit exceeded, retry later', headers);
    else sendApiError(res, 429, 'rate limit exceeded, retry later', headers);
  } else if (f.kind === 'error') {
    const headers = f.retryAfter !== undefined ? { 'Retry-After': String(f.retryAfter) } : {};
    if (control) sendControlError(res, f.status, STATUS_CODES[f.status] ?? 'Error', f.message, headers);
    else sendApiError(res, f.status, f.message, headers);
  } else if (f.kind === 'reset') {
    if (f.rst) res.socket.resetAndDestroy();
    else res.socket.destroy();
  }
  // 'stall' with no afterBytes: never answer; the socket stays open.
}

/** A preview URL: a private preview wants a live token of its own. */
async function handlePreview(req, res, url, rt, registry, body) {
  const sb = registry.get(rt.sandbox);
  const p = sb?.previews.get(rt.preview);
  if (!p) return sendApiError(res, 404, `preview ${rt.preview} not found`);
  if (!p.spec.public) {
    const given = req.headers['x-blaxel-preview-token'] ?? url.searchParams.get('bl_preview_token');
    const ok = given && [...p.tokens.values()].some((t) => t.token === given && Date.parse(t.expiresAt) > Date.now());
    if (!ok) return sendApiError(res, 401, 'a private preview needs a valid X-Blaxel-Preview-Token');
  }
  const admitted = await admit(res, registry, rt.sandbox);
  if (!admitted) return;
  const q = new URLSearchParams(url.search);
  q.delete('bl_preview_token');
  const search = q.toString();
  return forward(req, res, admitted, p.spec.port, rt.rest + (search ? '?' + search : ''), body);
}

export function createFakeServer({ baseDir, opts }) {
  const registry = new Registry({ baseDir, opts });
  const faults = new Faults();
  const log = new RequestLog();

  const server = http.createServer(async (req, res) => {
    const rawPath = req.url.split('?')[0];
    const url = new URL(req.url.replace(/^\/+/, '/'), 'http://fake.invalid');
    const rt = route(rawPath);
    const entry = rt.plane === 'admin' ? null : log.add(req, rt.plane, rt.sandbox);
    let body;
    try {
      body = await readBody(req, LIMITS[rt.plane]);
    } catch (e) {
      if (e instanceof BodyTooLarge) { sendApiError(res, 413, e.message, { Connection: 'close' }); req.resume(); }
      else res.destroy();
      return;
    }
    if (entry) log.body(entry, body);
    try {
      if (rt.plane === 'admin') {
        await handleAdmin(req, res, url, body, { faults, log, registry, opts });
        return;
      }
      const streaming = isStreaming(req, url, rt.plane, rt.rest);
      const fault = faults.take({ plane: rt.plane, method: req.method, path: rt.rest, sandbox: rt.sandbox, streaming });
      if (fault && !streaming) { applyFault(res, fault, rt.plane); return; }
      if (fault && fault.afterBytes === undefined && fault.kind !== 'split') { applyFault(res, fault, rt.plane); return; }
      if (rt.plane === 'preview') return await handlePreview(req, res, url, rt, registry, body);
      const workspace = authenticate(req, res, url);
      if (workspace === null) return;
      if (rt.plane === 'control') {
        if (!rawPath.startsWith('/v0/')) return sendControlError(res, 404, 'Not Found', `no route ${req.method} ${rawPath} (the API is under /v0)`);
        return await handleControl(req, res, url, rawPath.slice(3), body, registry, workspace);
      }
      const sb = await admit(res, registry, rt.sandbox);
      if (!sb) return;
      await handleSandbox(req, res, url, sb, rt.rest, body, fault, opts);
    } catch (e) {
      if (!res.headersSent) sendApiError(res, 500, `fake: ${e.message}`);
      else res.destroy();
      process.stderr.write(`fake-blaxel: ${req.method} ${req.url}: ${e.stack}\n`);
    }
  });
  // Streams live as long as their process; SDK requests are never slow.
  server.requestTimeout = 0;
  server.headersTimeout = 60000;
  server.keepAliveTimeout = 5000;
  return { server, registry, faults, log };
}
