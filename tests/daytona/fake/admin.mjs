// fake/admin.mjs - the admin API under /_fake/ (a path no Daytona client
// uses): faults to arm, the log of the requests clients sent, the
// sandboxes as the fake holds them. README.md documents every route.
import { apiJson, apiError } from './http-util.mjs';
import { FaultList, faultFits, recordBody, handleFaultsAndLog } from '../../common/fake/admin.mjs';

const KINDS = ['rate_limit', 'error', 'drop', 'stall', 'autostop', 'slow_start', 'ping'];
const LOG_LIMIT = 10000;
const LOG_BODY_BYTES = 64 << 10;

const wholeNumber = (v) => Number.isInteger(v) && v >= 0;

export class Faults extends FaultList {
  constructor() {
    super(KINDS);
  }

  /** Validates and arms one fault; returns it or throws a message. */
  add(spec) {
    const { kind, count } = this.kindAndCount(spec);
    const plane = spec.plane ?? (kind === 'rate_limit' || kind === 'slow_start' ? 'api' : undefined);
    if (plane !== undefined && plane !== 'api' && plane !== 'toolbox') throw new Error("'plane' is 'api' or 'toolbox'");
    const f = { id: this.nextId++, kind, remaining: count, plane, method: spec.method?.toUpperCase(), path: spec.path, sandboxId: spec.sandboxId };
    if (f.path !== undefined && typeof f.path !== 'string') throw new Error("'path' is a string");
    if (kind === 'rate_limit') {
      f.retryAfter = spec.retryAfter ?? 1;
      if (!wholeNumber(f.retryAfter)) throw new Error("'retryAfter' must be a whole number of seconds");
    }
    if (kind === 'error') {
      f.status = spec.status ?? 500;
      if (!Number.isInteger(f.status) || f.status < 400 || f.status > 599) throw new Error("'status' must be 400..599");
      f.message = spec.message ?? 'injected failure';
    }
    if (kind === 'slow_start') {
      f.ms = spec.ms;
      if (!wholeNumber(f.ms)) throw new Error("'ms' (the time to reach started) must be a whole number");
    }
    for (const k of ['afterFrames', 'afterBytes']) {
      if (spec[k] === undefined) continue;
      if (!wholeNumber(spec[k])) throw new Error(`'${k}' must be a whole number`);
      f[k] = spec[k];
    }
    if (kind === 'ping') f.afterFrames ??= 0; // a ping is sent inside a WebSocket follow only
    if (f.afterFrames !== undefined && !['drop', 'stall', 'autostop', 'ping'].includes(kind)) throw new Error("'afterFrames' goes with 'drop', 'stall', 'autostop' or 'ping'");
    if (f.afterBytes !== undefined && !['drop', 'stall'].includes(kind)) throw new Error("'afterBytes' goes with 'drop' or 'stall'");
    if (f.afterBytes !== undefined && f.afterFrames !== undefined) throw new Error("'afterBytes' and 'afterFrames' exclude each other");
    if (spec.rst !== undefined) {
      if (kind !== 'drop' || typeof spec.rst !== 'boolean') throw new Error("'rst' is a boolean of 'drop' faults");
      f.rst = spec.rst;
    }
    this.list.push(f);
    return f;
  }

  /**
   * The first armed fault matching this request, used up by one. `kinds`
   * limits the search (slow_start is taken only by create and start);
   * faults with afterFrames match only log follows, those with afterBytes
   * only downloads.
   */
  take({ plane, method, path, sandboxId, follow, download }, kinds) {
    return this.takeFirst((f) =>
      kinds.includes(f.kind) &&
      faultFits(f, { plane, method, path }) &&
      (f.sandboxId === undefined || f.sandboxId === sandboxId) &&
      (f.afterFrames === undefined || follow) &&
      (f.afterBytes === undefined || download));
  }
}

export const REQUEST_KINDS = ['rate_limit', 'error', 'drop', 'stall', 'autostop', 'ping'];

/** What each client request looked like, for tests to assert on. */
export class RequestLog {
  constructor() {
    this.entries = [];
    this.seq = 0;
  }

  add(req, url, plane, sandboxId) {
    const query = {};
    for (const k of new Set(url.searchParams.keys())) {
      const all = url.searchParams.getAll(k);
      query[k] = all.length > 1 ? all : all[0];
    }
    const e = {
      seq: ++this.seq, time: new Date().toISOString(), plane, sandboxId: sandboxId ?? null,
      method: req.method, url: req.url, path: url.pathname, query, headers: { ...req.headers },
      upgrade: req.headers.upgrade === 'websocket',
      chunked: /chunked/i.test(req.headers['transfer-encoding'] ?? ''), bodyLength: 0, body: '', bodyEncoding: 'utf8',
      bodyTruncated: false,
    };
    this.entries.push(e);
    if (this.entries.length > LOG_LIMIT) this.entries.shift();
    return e;
  }

  /** Records the body: UTF-8 text when it is, base64 otherwise. */
  body(e, buf) {
    recordBody(e, buf, LOG_BODY_BYTES);
  }
}

/** Routes under /_fake/. */
export async function handleAdmin(req, res, url, body, { faults, log, registry }) {
  const p = url.pathname;
  const method = req.method;
  const fail = (status, message) => apiJson(res, status, { statusCode: status, message });
  if (handleFaultsAndLog(req, res, url, body, { faults, log }, { json: apiJson, fail })) return true;
  if (p === '/_fake/sandboxes' && method === 'GET') {
    apiJson(res, 200, {
      sandboxes: [...registry.sandboxes.values()].map((s) => ({
        id: s.id, name: s.name, state: s.state, user: s.osUser.name, dir: s.dir,
        spawner: s.spawner?.describe() ?? null, sessions: s.sessions.describe(),
      })),
    });
  } else if (/^\/_fake\/sandboxes\/[^/]+\/autostop$/.test(p) && method === 'POST') {
    const sb = registry.get(decodeURIComponent(p.split('/')[3]));
    if (!sb) return fail(404, `sandbox '${p.split('/')[3]}' not found`);
    if (sb.state !== 'started') return fail(409, `sandbox '${sb.id}' is ${sb.state}, not started`);
    await sb.stop();
    res.writeHead(204).end();
  } else {
    apiError(res, req, 404, `no admin route ${method} ${p}`);
  }
}
