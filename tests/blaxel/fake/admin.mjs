// fake/admin.mjs - the admin API under /_fake/ (a path no Blaxel client
// uses): faults to arm, the log of the requests clients sent (the E2B
// fake's RequestLog, so both read alike), the sandboxes as the fake holds
// them, and the timing settings. README.md documents every route.
import { sendJson, sendEmpty, sendApiError } from './http-util.mjs';
import { FaultList, faultFits, handleFaultsAndLog } from '../../common/fake/admin.mjs';

export { RequestLog } from '../../e2b/fake/admin.mjs';

const KINDS = ['rate_limit', 'error', 'reset', 'stall', 'standby', 'split'];
// Kinds that act on a streamed answer (exec NDJSON, logs/stream, a raw download).
const STREAM_KINDS = ['standby', 'split'];
const PLANES = ['control', 'sandbox', 'preview'];

function whole(v, name, min = 0) {
  if (!Number.isInteger(v) || v < min) throw new Error(`'${name}' must be a whole number${min ? ` >= ${min}` : ''}`);
  return v;
}

export class Faults extends FaultList {
  constructor() {
    super(KINDS);
  }

  /** Validates and arms one fault; returns it or throws a message. */
  add(spec) {
    const { kind, count } = this.kindAndCount(spec);
    const f = {
      id: this.nextId++, kind, remaining: count,
      plane: spec.plane ?? (kind === 'rate_limit' ? 'control' : undefined),
      method: spec.method?.toUpperCase(), path: spec.path, sandbox: spec.sandbox,
    };
    if (f.plane !== undefined && !PLANES.includes(f.plane)) throw new Error(`'plane' is one of ${PLANES.join(', ')}`);
    if (kind === 'rate_limit') f.retryAfter = whole(spec.retryAfter ?? 1, 'retryAfter');
    if (kind === 'error') {
      f.status = spec.status ?? 500;
      if (!Number.isInteger(f.status) || f.status < 400 || f.status > 599) throw new Error("'status' must be 400..599");
      f.message = spec.message ?? 'injected failure';
      if (spec.retryAfter !== undefined) f.retryAfter = whole(spec.retryAfter, 'retryAfter');
    }
    if (spec.rst !== undefined) {
      if (kind !== 'reset' || typeof spec.rst !== 'boolean') throw new Error("'rst' is a boolean of 'reset' faults");
      f.rst = spec.rst;
    }
    if (spec.afterBytes !== undefined) {
      if (!['reset', 'stall', 'standby'].includes(kind)) throw new Error("'afterBytes' goes with 'reset', 'stall' or 'standby'");
      f.afterBytes = whole(spec.afterBytes, 'afterBytes');
    } else if (kind === 'standby') {
      f.afterBytes = 0;
    }
    if (kind === 'split') f.chunkBytes = whole(spec.chunkBytes, 'chunkBytes', 1);
    else if (spec.chunkBytes !== undefined) throw new Error("'chunkBytes' goes with 'split'");
    this.list.push(f);
    return f;
  }

  /**
   * The first armed fault matching this request, used up by one. Faults
   * that count bytes or split chunks match only streamed answers.
   */
  take({ plane, method, path, sandbox, streaming }) {
    return this.takeFirst((f) =>
      faultFits(f, { plane, method, path }) &&
      (f.sandbox === undefined || f.sandbox === sandbox) &&
      ((f.afterBytes === undefined && !STREAM_KINDS.includes(f.kind)) || streaming));
  }
}

const SETTINGS = ['deployMs', 'archiveMs', 'standbyMs', 'execKeepaliveMs', 'logKeepaliveMs', 'downloadRanges'];

/** Routes under /_fake/; returns false for any other path. */
export async function handleAdmin(req, res, url, body, { faults, log, registry, opts }) {
  const p = url.pathname;
  if (!p.startsWith('/_fake/')) return false;
  const m = req.method;
  const json = () => JSON.parse(body.toString('utf8'));
  if (handleFaultsAndLog(req, res, url, body, { faults, log }, { json: sendJson, fail: (status, message) => sendApiError(res, status, message) })) return true;
  if (p === '/_fake/config' && (m === 'GET' || m === 'POST')) {
    if (m === 'POST') {
      let c;
      try { c = json(); } catch { sendApiError(res, 400, 'the body is not JSON'); return true; }
      for (const [k, v] of Object.entries(c)) {
        if (!SETTINGS.includes(k)) { sendApiError(res, 400, `unknown setting '${k}' (one of ${SETTINGS.join(', ')})`); return true; }
        if (k === 'downloadRanges' && v !== 0 && v !== 1) { sendApiError(res, 400, "'downloadRanges' is 0 or 1"); return true; }
        if (!Number.isInteger(v) || v < 0) { sendApiError(res, 400, `'${k}' must be a whole number of milliseconds`); return true; }
      }
      Object.assign(opts, c);
    }
    sendJson(res, 200, Object.fromEntries(SETTINGS.map((k) => [k, opts[k]])));
  } else if (p === '/_fake/sandboxes' && m === 'GET') {
    sendJson(res, 200, {
      sandboxes: [...registry.sandboxes.values()].map((s) => ({
        name: s.name, status: s.status, state: s.state, network: s.network, dir: s.dir, processes: s.procs.hostView(),
        spawner: s.procs.spawner?.describe() ?? null,
      })),
    });
  } else if (/^\/_fake\/sandboxes\/[^/]+\/(standby|expire)$/.test(p) && m === 'POST') {
    const [, , , name, action] = p.split('/');
    const sb = registry.get(decodeURIComponent(name));
    if (!sb) { sendApiError(res, 404, `sandbox '${name}' not found`); return true; }
    if (action === 'standby') {
      if (sb.status !== 'DEPLOYED') { sendApiError(res, 409, `sandbox '${name}' is ${sb.status}`); return true; }
      sb.standby();
    } else {
      await sb.remove();
    }
    sendEmpty(res, 204);
  } else {
    sendApiError(res, 404, `no admin route ${m} ${p}`);
  }
  return true;
}
