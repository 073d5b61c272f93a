// fake/control.mjs - Daytona's API under /api (specs/api/openapi.yaml,
// v0.190.0's NestJS controllers): sandboxes created, found by id or name,
// listed with cursor paging, started, stopped, archived, deleted, their
// auto-stop interval set, their preview and toolbox URLs. Auth: any
// non-empty bearer token. Errors are the exception filter's
// {path, timestamp, statusCode, error, message}.
import { randomBytes } from 'node:crypto';
import { apiJson, apiError } from './http-util.mjs';

export const STATES = ['creating', 'restoring', 'destroyed', 'destroying', 'started', 'stopped', 'starting', 'stopping',
  'error', 'build_failed', 'pending_build', 'building_snapshot', 'unknown', 'pulling_snapshot', 'archived', 'archiving',
  'resizing', 'snapshotting', 'forking', 'pausing', 'paused', 'resuming'];
const LISTABLE = STATES.filter((s) => s !== 'destroyed');
const SORTS = { name: (s) => s.name, cpu: (s) => s.cpu, memoryGib: (s) => s.memory, diskGib: (s) => s.disk,
  lastActivityAt: (s) => s.lastActivityMs, createdAt: (s) => s.createdMs };
export const DEFAULT_SNAPSHOT = 'daytonaio/sandbox:0.5.0';
export const PREVIEW_DOMAIN = 'daytona-fake.localhost';

class ApiFailure extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}
const bad = (m) => new ApiFailure(400, m);
const notFound = (id) => new ApiFailure(404, `Sandbox with ID or name ${id} not found`);
const inProgress = () => new ApiFailure(409, 'Sandbox state change in progress');

/** class-validator's checks of CreateSandbox, its messages joined as the filter joins them. */
function validateCreate(b) {
  const problems = [];
  const str = ['name', 'snapshot', 'user', 'target', 'networkAllowList', 'domainAllowList', 'linkedSandbox'];
  const int = ['cpu', 'gpu', 'memory', 'disk', 'autoStopInterval', 'autoArchiveInterval', 'autoDeleteInterval'];
  for (const k of str) if (b[k] !== undefined && typeof b[k] !== 'string') problems.push(`${k} must be a string`);
  for (const k of int) if (b[k] !== undefined && !Number.isInteger(b[k])) problems.push(`${k} must be an integer number`);
  for (const k of ['public', 'networkBlockAll']) if (b[k] !== undefined && typeof b[k] !== 'boolean') problems.push(`${k} must be a boolean value`);
  for (const k of ['env', 'labels']) {
    const v = b[k];
    if (v !== undefined && (v === null || typeof v !== 'object' || Array.isArray(v) || Object.values(v).some((x) => typeof x !== 'string'))) {
      problems.push(`${k} must be an object of strings`);
    }
  }
  if (b.volumes !== undefined) {
    if (!Array.isArray(b.volumes)) problems.push('volumes must be an array');
    else {
      b.volumes.forEach((v, i) => {
        if (!v || typeof v !== 'object' || Array.isArray(v)) { problems.push(`volumes.${i} must be an object`); return; }
        for (const k of ['volumeId', 'mountPath']) if (typeof v[k] !== 'string') problems.push(`volumes.${i}.${k} must be a string`);
        if (v.subpath !== undefined && typeof v.subpath !== 'string') problems.push(`volumes.${i}.subpath must be a string`);
      });
    }
  }
  if (b.buildInfo !== undefined && (typeof b.buildInfo !== 'object' || b.buildInfo === null || typeof b.buildInfo.dockerfileContent !== 'string')) {
    problems.push('buildInfo.dockerfileContent must be a string');
  }
  // The fake's own rule: the user becomes a name in the sandbox's /etc/passwd and its home directory.
  if (typeof b.user === 'string' && !/^[a-z_][a-z0-9_-]{0,31}$/.test(b.user)) problems.push('user must be a valid user name');
  if (problems.length) throw bad(problems.join(', '));
}

function create(registry, body, slowStart) {
  let b;
  try {
    b = JSON.parse(body.toString('utf8') || '{}');
  } catch (e) {
    throw bad(e.message);
  }
  if (!b || typeof b !== 'object' || Array.isArray(b)) throw bad('the body must be a JSON object');
  validateCreate(b);
  if (b.buildInfo) {
    if (b.snapshot) throw bad('Cannot specify a snapshot when using a build info entry');
  } else if (b.cpu || b.gpu || b.memory || b.disk) {
    throw bad('Cannot specify Sandbox resources when using a snapshot');
  }
  if (b.autoStopInterval < 0) throw bad('Auto-stop interval must be non-negative');
  if (b.autoArchiveInterval < 0) throw bad('Auto-archive interval must be non-negative');
  if (b.name && registry.get(b.name)) throw new ApiFailure(409, `Sandbox with name ${b.name} already exists`);
  const sb = registry.create({
    ...b,
    snapshot: b.buildInfo ? undefined : (b.snapshot?.trim() || DEFAULT_SNAPSHOT),
    cpu: b.buildInfo ? b.cpu : undefined, memory: b.buildInfo ? b.memory : undefined,
    disk: b.buildInfo ? b.disk : undefined, gpu: b.buildInfo ? b.gpu : undefined,
  }, slowStart);
  if (b.buildInfo) sb.snapshot = sb.snapshotRef();
  return sb;
}

function list(registry, url) {
  const q = url.searchParams;
  let limit = 100;
  if (q.has('limit')) {
    limit = Number(q.get('limit'));
    if (!Number.isInteger(limit)) throw bad('limit must be an integer number');
    if (limit < 1) throw bad('limit must not be less than 1');
    if (limit > 200) throw bad('limit must not be greater than 200');
  }
  const states = q.getAll('states');
  if (states.some((s) => !LISTABLE.includes(s))) throw bad(`each value must be one of the following values: ${LISTABLE.join(', ')}`);
  let labels = null;
  if (q.get('labels')) {
    try { labels = JSON.parse(q.get('labels')); } catch { throw bad('Invalid labels JSON format'); }
    if (!labels || typeof labels !== 'object') throw bad('Invalid labels JSON format');
  }
  const sortName = q.get('sort') ?? 'lastActivityAt';
  const key = SORTS[sortName];
  if (!key) throw bad(`sort must be one of the following values: ${Object.keys(SORTS).join(', ')}`);
  const order = q.get('order') ?? 'desc';
  if (order !== 'asc' && order !== 'desc') throw bad('order must be one of the following values: asc, desc');
  const idPrefix = q.get('id'), namePrefix = q.get('name');
  const dir = order === 'asc' ? 1 : -1;
  const cmp = (a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0) * dir;
  let items = [...registry.sandboxes.values()].filter((s) => s.state !== 'destroyed' &&
    (!states.length || states.includes(s.state)) &&
    (!labels || Object.entries(labels).every(([k, v]) => s.labels[k] === v)) &&
    (!idPrefix || s.id.startsWith(idPrefix)) && (!namePrefix || s.name.startsWith(namePrefix)));
  const sortKey = (s) => [key(s), s.id];
  items.sort((a, b) => cmp(sortKey(a), sortKey(b)));
  if (q.get('cursor')) {
    let after;
    try {
      after = JSON.parse(Buffer.from(q.get('cursor'), 'base64url').toString('utf8'));
      if (!Array.isArray(after) || after.length !== 2) throw new Error();
    } catch { throw bad('Invalid cursor'); }
    items = items.filter((s) => cmp(sortKey(s), after) > 0);
  }
  const page = items.slice(0, limit);
  const nextCursor = items.length > limit ? Buffer.from(JSON.stringify(sortKey(page[page.length - 1]))).toString('base64url') : null;
  return { items: page.map((s) => s.toListItem()), nextCursor };
}

function previewUrl(sb, port, token) {
  return `http://${port}-${token}.${PREVIEW_DOMAIN}:${sb.registry.port}`;
}

function portOf(raw) {
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw bad('Invalid port');
  return port;
}

/** Serves one request under /api; `take(kind)` consumes a matching armed fault of that kind. */
export async function handleControl(req, res, url, body, registry, take) {
  if (!/^Bearer\s+\S/.test(req.headers.authorization ?? '')) return apiError(res, req, 401, 'Invalid credentials');
  const p = url.pathname.replace(/\/+$/, '');
  const m = req.method;
  try {
    if (p === '/api/sandbox' && m === 'POST') return apiJson(res, 200, create(registry, body, take('slow_start')?.ms).toDto());
    if (p === '/api/sandbox' && m === 'GET') return apiJson(res, 200, list(registry, url));
    const r = /^\/api\/sandbox\/([^/]+)(?:\/(.*))?$/.exec(p);
    if (!r) throw new ApiFailure(404, `Cannot ${m} ${url.pathname}`);
    let id;
    try { id = decodeURIComponent(r[1]); } catch { id = r[1]; }
    const rest = r[2] ?? '';
    const known = /^(|start|stop|pause|archive|last-activity|toolbox-proxy-url|autostop\/[^/]+|ports\/[^/]+\/(signed-)?preview-url)$/.test(rest);
    if (!known || (rest === '' && m !== 'GET' && m !== 'DELETE')) throw new ApiFailure(404, `Cannot ${m} ${url.pathname}`);
    const sb = registry.get(id);
    if (!sb) throw notFound(id);
    if (rest === '' && m === 'GET') return apiJson(res, 200, sb.toDto());
    if (rest === '' && m === 'DELETE') {
      if (sb.changing && sb.state !== 'pending_build') throw inProgress();
      sb.destroy();
      return apiJson(res, 200, sb.toDto());
    }
    if (rest === 'start' && m === 'POST') {
      if (sb.state === 'started' && sb.desiredState === 'started') return apiJson(res, 200, sb.toDto());
      if (sb.state === 'error' || sb.state === 'build_failed') throw bad('Sandbox is in an errored state');
      if (sb.changing) throw inProgress();
      if (sb.state !== 'stopped' && sb.state !== 'archived' && sb.state !== 'paused') throw bad('Sandbox is not in valid state');
      sb.start(take('slow_start')?.ms ?? registry.startMs);
      return apiJson(res, 200, sb.toDto());
    }
    if (rest === 'stop' && m === 'POST') {
      if (sb.state === 'error' || sb.state === 'build_failed') throw bad('Sandbox is in an errored state');
      if (sb.changing) throw inProgress();
      if (sb.state !== 'started' && sb.state !== 'paused') throw bad('Sandbox is not in a stoppable state');
      sb.stop();
      return apiJson(res, 200, sb.toDto());
    }
    if (rest === 'pause' && m === 'POST') {
      if (sb.state === 'error' || sb.state === 'build_failed') throw bad('Sandbox is in an errored state');
      if (sb.changing) throw inProgress();
      if (sb.state === 'paused') return apiJson(res, 200, sb.toDto());
      if (sb.state !== 'started') throw bad('Sandbox is not started');
      sb.pause();
      return apiJson(res, 200, sb.toDto());
    }
    if (rest === 'archive' && m === 'POST') {
      if (sb.changing) throw inProgress();
      if (sb.state !== 'stopped') throw bad('Sandbox is not stopped');
      if (sb.autoDeleteInterval === 0) throw bad('Ephemeral sandboxes cannot be archived');
      sb.archive();
      return apiJson(res, 200, sb.toDto());
    }
    if (rest.startsWith('autostop/') && m === 'POST') {
      const n = Number(rest.slice('autostop/'.length));
      if (!Number.isInteger(n) || n < 0) throw bad('Auto-stop interval must be non-negative');
      sb.setAutoStopInterval(n);
      return apiJson(res, 201, sb.toDto()); // a POST without @HttpCode: Nest's 201
    }
    if (rest === 'last-activity' && m === 'POST') {
      sb.touch();
      res.writeHead(201, { 'Content-Length': 0 });
      return res.end();
    }
    if (rest === 'toolbox-proxy-url' && m === 'GET') return apiJson(res, 200, { url: registry.toolboxProxyUrl() });
    const pr = /^ports\/([^/]+)\/(signed-)?preview-url$/.exec(rest);
    if (pr && m === 'GET') {
      const port = portOf(pr[1]);
      if (!pr[2]) return apiJson(res, 200, { sandboxId: sb.id, url: previewUrl(sb, port, sb.id), token: sb.authToken });
      let expires = 60;
      if (url.searchParams.has('expiresInSeconds')) expires = Number(url.searchParams.get('expiresInSeconds'));
      if (!Number.isInteger(expires) || expires < 1 || expires > 86400) throw bad('expiresInSeconds must be between 1 second and 24 hours');
      const token = randomBytes(12).toString('base64url').toLowerCase().replace(/[^a-z0-9]/g, '0').slice(0, 16);
      sb.signedTokens ??= new Map();
      sb.signedTokens.set(`${port}:${token}`, Date.now() + expires * 1000);
      return apiJson(res, 200, { sandboxId: sb.id, port, token, url: previewUrl(sb, port, token) });
    }
    throw new ApiFailure(404, `Cannot ${m} ${url.pathname}`);
  } catch (e) {
    if (e instanceof ApiFailure) return apiError(res, req, e.status, e.message);
    throw e;
  }
}
