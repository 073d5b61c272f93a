// fake/control.mjs - Blaxel's control plane under /v0
// (specs/controlplane.yml, plus archive/unarchive, which only the SDK
// knows): sandboxes (create, get, list, update, delete, archive,
// unarchive), their previews and preview tokens. Errors are the API's
// `{"error","code","message"}`, a failed create its SandboxError.
import { randomBytes } from 'node:crypto';
import { sendJson, sendControlError, parseGoJson } from './http-util.mjs';
import { apiVersion } from './auth.mjs';
import { parseDuration } from './sandboxes.mjs';
import { randomId } from '../../common/fake/random-id.mjs';

const NAME = /^[a-z0-9]([a-z0-9-]{0,47}[a-z0-9])?$/;
const MAX_LIMIT = 200;

function sandboxError(res, status, code, message, name, workspace) {
  sendJson(res, status, {
    code, message, sandbox_name: name, status_code: status, step: 'validate_and_prepare',
    timestamp: new Date().toISOString(), workspace,
  });
}

const notFound = (res, what, name) => sendControlError(res, 404, 'Not Found', `${what} ${name} not found`);

function create(res, url, body, registry, workspace) {
  let b;
  try { b = parseGoJson(body); } catch (e) { return sandboxError(res, 400, 'INVALID_REQUEST', e.message, '', workspace); }
  const md = b.metadata ?? {};
  const spec = b.spec ?? {};
  const name = md.name ?? 'sandbox-' + randomId(8);
  if (typeof name !== 'string' || !NAME.test(name)) {
    return sandboxError(res, 400, 'INVALID_NAME', `sandbox name '${name}' must be lowercase letters, digits and hyphens, at most 49 characters`, String(name), workspace);
  }
  const rt = spec.runtime ?? {};
  if (rt.ttl !== undefined && parseDuration(rt.ttl) === null) {
    return sandboxError(res, 400, 'INVALID_REQUEST', `invalid ttl '${rt.ttl}' (e.g. 30s, 5m, 1h, 7d)`, name, workspace);
  }
  for (const p of rt.ports ?? []) {
    if (!Number.isInteger(p.target) || p.target < 1 || p.target > 65535 || [80, 443, 8080].includes(p.target)) {
      return sandboxError(res, 400, 'INVALID_PORT', `port ${p.target} is reserved or invalid`, name, workspace);
    }
  }
  const existing = registry.get(name);
  if (existing) {
    if (url.searchParams.get('createIfNotExist') === 'true') return sendJson(res, 200, existing.toJSON());
    return sandboxError(res, 409, 'SANDBOX_ALREADY_EXISTS', `Sandbox ${name} already exists`, name, workspace);
  }
  const sb = registry.create({
    name, labels: md.labels, externalId: md.externalId, displayName: md.displayName, workspace,
    spec: { ...spec, runtime: { image: 'blaxel/base-image:latest', memory: 4096, ...rt }, enabled: spec.enabled ?? true },
  });
  sendJson(res, 200, sb.toJSON());
}

/** GET /sandboxes: {data, meta} with cursors from 2026-04-28, a bare array before. */
function list(req, res, url, registry) {
  const q = url.searchParams;
  let items = [...registry.sandboxes.values()].sort((a, b) => a.createdAt - b.createdAt || (a.name < b.name ? -1 : 1));
  const status = q.get('status');
  if (status) items = items.filter((s) => status.split(',').includes(s.status));
  if (q.get('externalId')) items = items.filter((s) => s.externalId === q.get('externalId'));
  // q: a substring of the name, display name or any label key or value,
  // trimmed and lower-cased; under 2 characters it filters nothing
  // (controlplane.yml PaginationQuery), honoured from 2026-04-28
  const term = (q.get('q') ?? '').trim().toLowerCase();
  if (term.length >= 2 && apiVersion(req) >= '2026-04-28') {
    if (term.length > 200) return sendControlError(res, 400, 'Bad Request', 'q is longer than 200 characters');
    items = items.filter((s) => [s.name, s.displayName ?? '', ...Object.entries(s.labels ?? {}).flat()]
      .some((v) => String(v).toLowerCase().includes(term)));
  }
  // sort: createdAt:desc by default (controlplane.yml PaginationSort)
  const sort = q.get('sort') ?? 'createdAt:desc';
  if (!['createdAt:desc', 'createdAt:asc', 'name:asc', 'name:desc'].includes(sort)) return sendControlError(res, 400, 'Bad Request', `invalid sort '${sort}'`);
  if (sort.endsWith(':desc')) items.reverse();
  if (sort.startsWith('name')) items.sort((a, b) => (a.name < b.name ? -1 : 1) * (sort.endsWith(':desc') ? -1 : 1));
  if (apiVersion(req) < '2026-04-28') return sendJson(res, 200, items.map((s) => s.toJSON()));
  let limit = 50;
  if (q.get('limit') !== null) {
    limit = Number(q.get('limit'));
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) return sendControlError(res, 400, 'Bad Request', `limit must be between 1 and ${MAX_LIMIT}`);
  }
  let start = 0;
  if (q.get('cursor')) {
    start = Number(Buffer.from(q.get('cursor'), 'base64url').toString('utf8'));
    if (!Number.isInteger(start) || start < 0) return sendControlError(res, 400, 'Bad Request', 'invalid cursor');
  }
  const page = items.slice(start, start + limit);
  const more = start + limit < items.length;
  sendJson(res, 200, {
    data: page.map((s) => s.toJSON()),
    meta: { hasMore: more, nextCursor: more ? Buffer.from(String(start + limit)).toString('base64url') : '', total: registry.sandboxes.size },
  });
}

function update(res, sb, body) {
  let b;
  try { b = parseGoJson(body); } catch (e) { return sendControlError(res, 400, 'Bad Request', e.message); }
  const md = b.metadata ?? {};
  if (md.labels !== undefined) sb.labels = md.labels;
  if (md.displayName !== undefined) sb.displayName = md.displayName;
  if (b.spec) {
    const rt = b.spec.runtime ?? sb.spec.runtime;
    if (rt.ttl !== undefined && rt.ttl !== null && parseDuration(rt.ttl) === null) return sendControlError(res, 400, 'Bad Request', `invalid ttl '${rt.ttl}'`);
    sb.spec = { ...sb.spec, ...b.spec, runtime: { ...rt } };
    if (sb.spec.runtime.ttl === null) delete sb.spec.runtime.ttl;
  }
  sb.updatedAt = Date.now();
  sb.armExpiry();
  sendJson(res, 200, sb.toJSON());
}

function previewJSON(sb, p) {
  return {
    metadata: {
      name: p.name, resourceName: sb.name, resourceType: 'sandbox', workspace: sb.workspace,
      createdAt: p.createdAt, updatedAt: p.createdAt, createdBy: 'fake-user', updatedBy: 'fake-user',
      ...(p.displayName !== undefined ? { displayName: p.displayName } : {}),
    },
    spec: { ...p.spec, url: `${sb.registry.baseUrl}/preview/${sb.name}/${p.name}` },
    status: 'DEPLOYED',
  };
}

function tokenJSON(sb, p, t) {
  return {
    metadata: { name: t.name, previewName: p.name, resourceName: sb.name, resourceType: 'sandbox', workspace: sb.workspace },
    spec: { token: t.token, expiresAt: t.expiresAt, expired: Date.parse(t.expiresAt) <= Date.now() },
  };
}

function previews(req, res, url, sb, rest, body) {
  const m = req.method;
  const [pname, sub, tname, extra] = rest;
  if (extra !== undefined) return sendControlError(res, 404, 'Not Found', 'no such route');
  if (pname === undefined) {
    if (m === 'GET') return sendJson(res, 200, [...sb.previews.values()].map((p) => previewJSON(sb, p)));
    if (m !== 'POST') return sendControlError(res, 405, 'Method Not Allowed', `${m} is not allowed here`);
    let b;
    try { b = parseGoJson(body); } catch (e) { return sendControlError(res, 400, 'Bad Request', e.message); }
    const name = b.metadata?.name;
    if (typeof name !== 'string' || !NAME.test(name)) return sendControlError(res, 400, 'Bad Request', `preview name '${name}' must be lowercase letters, digits and hyphens`);
    const port = b.spec?.port;
    if (!Number.isInteger(port) || port < 1 || port > 65535) return sendControlError(res, 400, 'Bad Request', 'spec.port must be a port number');
    if (sb.previews.has(name) && url.searchParams.get('force') !== 'true') return sendControlError(res, 409, 'Conflict', `preview ${name} already exists`);
    const p = { name, displayName: b.metadata.displayName, spec: { public: false, ...b.spec, region: sb.spec.region }, tokens: new Map(), createdAt: new Date().toISOString() };
    sb.previews.set(name, p);
    return sendJson(res, 200, previewJSON(sb, p));
  }
  const p = sb.previews.get(pname);
  if (!p) return notFound(res, 'preview', pname);
  if (sub === undefined) {
    if (m === 'GET') return sendJson(res, 200, previewJSON(sb, p));
    if (m === 'DELETE') { sb.previews.delete(pname); return sendJson(res, 200, previewJSON(sb, p)); }
    return sendControlError(res, 405, 'Method Not Allowed', `${m} is not allowed here`);
  }
  if (sub !== 'tokens') return sendControlError(res, 404, 'Not Found', 'no such route');
  if (tname === undefined) {
    if (m === 'GET') return sendJson(res, 200, [...p.tokens.values()].map((t) => tokenJSON(sb, p, t)));
    if (m !== 'POST') return sendControlError(res, 405, 'Method Not Allowed', `${m} is not allowed here`);
    let b;
    try { b = parseGoJson(body); } catch (e) { return sendControlError(res, 400, 'Bad Request', e.message); }
    const expiresAt = b.spec?.expiresAt;
    if (typeof expiresAt !== 'string' || Number.isNaN(Date.parse(expiresAt))) return sendControlError(res, 400, 'Bad Request', 'spec.expiresAt must be an ISO date');
    const t = { name: b.metadata?.name ?? 'token-' + Date.now(), token: randomBytes(24).toString('hex'), expiresAt };
    p.tokens.set(t.name, t);
    return sendJson(res, 200, tokenJSON(sb, p, t));
  }
  const t = p.tokens.get(tname);
  if (!t) return notFound(res, 'preview token', tname);
  if (m !== 'DELETE') return sendControlError(res, 405, 'Method Not Allowed', `${m} is not allowed here`);
  p.tokens.delete(tname);
  return sendJson(res, 200, tokenJSON(sb, p, t));
}

/** Serves one authenticated control-plane request; `path` is below /v0. */
export async function handleControl(req, res, url, path, body, registry, workspace) {
  const parts = path.split('/').filter(Boolean).map((s) => { try { return decodeURIComponent(s); } catch { return s; } });
  const m = req.method;
  if (parts[0] !== 'sandboxes') return sendControlError(res, 404, 'Not Found', `no route ${m} ${url.pathname}`);
  if (parts.length === 1) {
    if (m === 'POST') return create(res, url, body, registry, workspace);
    if (m === 'GET') return list(req, res, url, registry);
    return sendControlError(res, 405, 'Method Not Allowed', `${m} is not allowed here`);
  }
  const sb = registry.get(parts[1]);
  if (!sb) return notFound(res, 'sandbox', parts[1] ?? '');
  const action = parts[2];
  if (action === undefined) {
    if (m === 'GET') return sendJson(res, 200, sb.toJSON());
    if (m === 'PUT') return update(res, sb, body);
    if (m === 'DELETE') {
      const out = sb.toJSON();
      await sb.remove();
      return sendJson(res, 200, { ...out, status: 'DELETING' });
    }
  } else if ((action === 'archive' || action === 'unarchive') && parts.length === 3 && m === 'POST') {
    const from = action === 'archive' ? 'DEPLOYED' : 'ARCHIVED';
    if (sb.status !== from) {
      return sendControlError(res, 409, 'Conflict', `sandbox ${sb.name} is ${sb.status}: it can be ${action}d only when ${from}`);
    }
    if (action === 'archive') await sb.archive();
    else sb.unarchive();
    return sendJson(res, 200, sb.toJSON());
  } else if (action === 'previews') {
    return previews(req, res, url, sb, parts.slice(3), body);
  }
  return sendControlError(res, 404, 'Not Found', `no route ${m} ${url.pathname}`);
}
