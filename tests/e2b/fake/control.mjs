// fake/control.mjs - E2B's control plane (specs/openapi.yml), both the v2
// routes the SDK calls (create, connect, list) and the v1 routes of the
// published spec. Auth: any non-empty X-API-KEY (or a bearer token).
import { sendJson, sendEmpty, sendError } from './http-util.mjs';

const MAX_TIMEOUT_S = 86400;

const notFound = (res, id) => sendError(res, 404, `sandbox "${id}" doesn't exist or you don't have access to it`);

function parseBody(res, body, required) {
  const text = body.toString('utf8');
  if (text.trim() === '') {
    if (required) { sendError(res, 400, 'request body has an error: value is required but missing'); return null; }
    return {};
  }
  try {
    const v = JSON.parse(text);
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
    return v;
  } catch (e) {
    sendError(res, 400, `request body has an error: doesn't match schema: ${e.message}`);
    return null;
  }
}

/** A whole number of seconds in 0..24 h, `fallback` when absent; null after a 400. */
function timeoutOf(res, v, fallback, name = 'timeout') {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || v < 0) { sendError(res, 400, `request body has an error: ${name} must be a non-negative integer`); return null; }
  if (v > MAX_TIMEOUT_S) { sendError(res, 400, `Timeout cannot be greater than ${MAX_TIMEOUT_S / 3600} hours`); return null; }
  return v;
}

function stringMap(res, v, name) {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v) || Object.values(v).some((x) => typeof x !== 'string')) {
    sendError(res, 400, `request body has an error: ${name} must be an object of strings`);
    return null;
  }
  return v;
}

function create(res, body, v2, registry) {
  const b = parseBody(res, body, true);
  if (!b) return;
  if (typeof b.templateID !== 'string' || b.templateID === '') {
    sendError(res, 400, 'request body has an error: templateID is required');
    return;
  }
  const timeout = timeoutOf(res, b.timeout, v2 ? 300 : 15);
  if (timeout === null) return;
  const metadata = stringMap(res, b.metadata, 'metadata');
  if (!metadata) return;
  const envVars = stringMap(res, b.envVars, 'envVars');
  if (!envVars) return;
  const autoResume = b.autoResume?.enabled === true;
  if (autoResume && b.autoPause !== true) {
    sendError(res, 400, 'autoResume can only be enabled together with autoPause');
    return;
  }
  const sb = registry.create({
    templateID: b.templateID, timeout, metadata, envVars,
    autoPause: b.autoPause === true, autoPauseMemory: b.autoPauseMemory, autoResume,
    allowInternetAccess: b.allow_internet_access, network: b.network,
    // v2 secures every sandbox; v1 only when asked.
    secure: v2 ? true : b.secure === true,
  });
  sendJson(res, 201, sb.toSandbox());
}

/** `k=v&k2=v2` with each key and value URL-encoded once more, as the SDK sends it. */
function parseMetadataQuery(q) {
  const out = [];
  for (const [k, v] of new URLSearchParams(q)) {
    const dec = (s) => { try { return decodeURIComponent(s); } catch { return s; } };
    out.push([dec(k), dec(v)]);
  }
  return out;
}

function list(res, url, registry, v2) {
  const q = url.searchParams;
  let states = ['running', 'paused'];
  if (!v2) states = ['running'];
  else if (q.get('state')) {
    states = q.get('state').split(',');
    const bad = states.find((s) => s !== 'running' && s !== 'paused');
    if (bad) { sendError(res, 400, `invalid state '${bad}'`); return; }
  }
  const meta = parseMetadataQuery(q.get('metadata') ?? '');
  const template = q.get('template');
  const startedAfter = q.get('startedAfter') ? Date.parse(q.get('startedAfter')) : null;
  if (Number.isNaN(startedAfter)) { sendError(res, 400, 'invalid startedAfter'); return; }
  const order = q.get('order') ?? 'desc';
  if (order !== 'asc' && order !== 'desc') { sendError(res, 400, `invalid order '${order}'`); return; }
  let limit = 100;
  if (q.get('limit') !== null) {
    limit = Number(q.get('limit'));
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) { sendError(res, 400, 'limit must be between 1 and 100'); return; }
  }
  let items = [...registry.sandboxes.values()].filter((s) =>
    states.includes(s.state) &&
    meta.every(([k, v]) => s.metadata[k] === v) &&
    (!template || s.templateID === template) &&
    (startedAfter === null || s.startedAt >= startedAfter));
  const key = (s) => [s.startedAt, s.id];
  const cmp = (a, b) => (a[0] - b[0]) || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);
  items.sort((a, b) => (order === 'asc' ? 1 : -1) * cmp(key(a), key(b)));
  const running = items.filter((s) => s.state === 'running').length;
  const token = q.get('nextToken');
  if (token) {
    let after;
    try {
      after = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
      if (!Array.isArray(after) || after.length !== 2) throw new Error();
    } catch { sendError(res, 400, 'invalid next token'); return; }
    items = items.filter((s) => (order === 'asc' ? 1 : -1) * cmp(key(s), after) > 0);
  }
  if (!v2) { sendJson(res, 200, items.map((s) => s.toListed())); return; }
  const page = items.slice(0, limit);
  const headers = {};
  if (items.length > limit) {
    headers['X-Next-Token'] = Buffer.from(JSON.stringify(key(page[page.length - 1]))).toString('base64url');
  }
  if (states.includes('running')) headers['X-Total-Running'] = String(running);
  sendJson(res, 200, page.map((s) => s.toListed()), headers);
}

function connect(res, sb, body, v2) {
  const b = parseBody(res, body, !v2);
  if (!b) return;
  if (!v2 && b.timeout === undefined) { sendError(res, 400, 'request body has an error: timeout is required'); return; }
  const timeout = timeoutOf(res, b.timeout, 300);
  if (timeout === null) return;
  if (sb.state === 'paused') {
    sb.resume(timeout);
    sendJson(res, 201, sb.toSandbox());
  } else {
    sb.extendTimeout(timeout);
    sendJson(res, 200, sb.toSandbox());
  }
}

/** Serves one control-plane request; `body` is the whole request body. */
export async function handleControl(req, res, url, body, registry) {
  const key = req.headers['x-api-key'];
  const bearer = /^Bearer\s+\S/.test(req.headers.authorization ?? '');
  if (!key && !bearer) {
    sendError(res, 401, 'authorization header is missing');
    return;
  }
  const p = url.pathname.replace(/\/+$/, '') || '/';
  const m = req.method;
  if (p === '/health' && m === 'GET') return sendEmpty(res, 204);
  if (p === '/v2/sandboxes' && m === 'POST') return create(res, body, true, registry);
  if (p === '/sandboxes' && m === 'POST') return create(res, body, false, registry);
  if (p === '/v2/sandboxes' && m === 'GET') return list(res, url, registry, true);
  if (p === '/sandboxes' && m === 'GET') return list(res, url, registry, false);

  const r = p.match(/^(\/v2)?\/sandboxes\/([^/]+)(?:\/([a-z]+))?$/);
  if (!r) return sendError(res, 404, `no route ${m} ${p}`);
  const [, v2, id, action] = r;
  const sb = registry.get(decodeURIComponent(id));
  const route = `${v2 ?? ''} ${action ?? '-'} ${m}`;
  const known = [' - GET', ' - DELETE', ' timeout POST', ' refreshes POST', ' pause POST',
    ' resume POST', ' connect POST', '/v2 connect POST'];
  if (!known.includes(route)) return sendError(res, 404, `no route ${m} ${p}`);
  if (!sb) return notFound(res, id);

  if (route === ' - GET') return sendJson(res, 200, sb.toDetail());
  if (route === ' - DELETE') { await sb.kill(); return sendEmpty(res, 204); }
  if (route === ' timeout POST') {
    const b = parseBody(res, body, true);
    if (!b) return;
    if (b.timeout === undefined) return sendError(res, 400, 'request body has an error: timeout is required');
    const t = timeoutOf(res, b.timeout, 0);
    if (t === null) return;
    sb.setTimeout(t);
    return sendEmpty(res, 204);
  }
  if (route === ' refreshes POST') {
    const b = parseBody(res, body, false);
    if (!b) return;
    const d = b.duration ?? 0;
    if (!Number.isInteger(d) || d < 0 || d > 3600) return sendError(res, 400, 'duration must be between 0 and 3600');
    sb.extendTimeout(d);
    return sendEmpty(res, 204);
  }
  if (route === ' pause POST') {
    const b = parseBody(res, body, false);
    if (!b) return;
    if (sb.state === 'paused') return sendError(res, 409, `sandbox "${sb.id}" is already paused`);
    sb.pause(b.memory !== false);
    return sendEmpty(res, 204);
  }
  if (route === ' resume POST') {
    const b = parseBody(res, body, false);
    if (!b) return;
    if (sb.state !== 'paused') return sendError(res, 409, `sandbox "${sb.id}" is already running`);
    const t = timeoutOf(res, b.timeout, 15);
    if (t === null) return;
    sb.resume(t);
    return sendJson(res, 201, sb.toSandbox());
  }
  return connect(res, sb, body, !!v2);
}
