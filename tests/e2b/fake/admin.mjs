// fake/admin.mjs - the admin API under /_fake/ (a path no E2B client
// uses): faults to arm, the log of the requests clients sent, and the
// sandboxes as the fake holds them. README.md documents every route.
import { parseEnvelopes } from './connect.mjs';
import { sendJson, sendEmpty, sendError } from './http-util.mjs';
import { FaultList, faultFits, recordBody, handleFaultsAndLog } from '../../common/fake/admin.mjs';

const KINDS = ['rate_limit', 'error', 'reset', 'stall', 'kill_sandbox'];
const LOG_LIMIT = 10000;
const LOG_BODY_BYTES = 64 << 10;

export class Faults extends FaultList {
  constructor() {
    super(KINDS);
  }

  /** Validates and arms one fault; returns it or throws a message. */
  add(spec) {
    const { kind, count } = this.kindAndCount(spec);
    const plane = spec.plane ?? (kind === 'rate_limit' ? 'control' : undefined);
    if (plane !== undefined && plane !== 'control' && plane !== 'envd') throw new Error("'plane' is 'control' or 'envd'");
    const f = {
      id: this.nextId++, kind, remaining: count, plane,
      method: spec.method?.toUpperCase(), path: spec.path, sandboxId: spec.sandboxId,
    };
    if (kind === 'rate_limit') {
      f.retryAfter = spec.retryAfter ?? 1;
      if (!Number.isInteger(f.retryAfter) || f.retryAfter < 0) throw new Error("'retryAfter' must be a whole number of seconds");
    }
    if (kind === 'error') {
      f.status = spec.status ?? 500;
      if (!Number.isInteger(f.status) || f.status < 400 || f.status > 599) throw new Error("'status' must be 400..599");
      f.message = spec.message ?? 'injected failure';
    }
    if (spec.rst !== undefined) {
      if (kind !== 'reset' || typeof spec.rst !== 'boolean') throw new Error("'rst' is a boolean of 'reset' faults");
      f.rst = spec.rst;
    }
    if (kind === 'kill_sandbox' && spec.afterEnvelopes === undefined) f.afterEnvelopes = 1;
    else if (spec.afterEnvelopes !== undefined) f.afterEnvelopes = spec.afterEnvelopes;
    if (f.afterEnvelopes !== undefined && (!Number.isInteger(f.afterEnvelopes) || f.afterEnvelopes < 0)) {
      throw new Error("'afterEnvelopes' must be a whole number");
    }
    if (spec.afterBytes !== undefined) {
      if (kind !== 'reset' && kind !== 'stall') throw new Error("'afterBytes' goes with 'reset' or 'stall'");
      if (f.afterEnvelopes !== undefined) throw new Error("'afterBytes' and 'afterEnvelopes' exclude each other");
      if (!Number.isInteger(spec.afterBytes) || spec.afterBytes < 0) throw new Error("'afterBytes' must be a whole number");
      f.afterBytes = spec.afterBytes;
    }
    this.list.push(f);
    return f;
  }

  /**
   * The first armed fault matching this request, used up by one; faults
   * with `afterEnvelopes` match only streaming calls (Start, Connect),
   * those with `afterBytes` only downloads (GET /files).
   */
  take({ plane, method, path, sandboxId, streaming, download }) {
    return this.takeFirst((f) =>
      faultFits(f, { plane, method, path }) &&
      (f.sandboxId === undefined || f.sandboxId === sandboxId) &&
      (f.afterEnvelopes === undefined || streaming) &&
      (f.afterBytes === undefined || download));
  }
}

/** What each client request looked like, for tests to assert on. */
export class RequestLog {
  constructor() {
    this.entries = [];
    this.seq = 0;
  }

  add(req, plane, sandboxId) {
    const url = new URL(req.url, 'http://fake');
    const e = {
      seq: ++this.seq, time: new Date().toISOString(), plane, sandboxId: sandboxId ?? null,
      method: req.method, url: req.url, path: url.pathname,
      query: Object.fromEntries(url.searchParams), headers: { ...req.headers },
      chunked: /chunked/i.test(req.headers['transfer-encoding'] ?? ''),
      bodyLength: 0,
    };
    this.entries.push(e);
    if (this.entries.length > LOG_LIMIT) this.entries.shift();
    return e;
  }

  /** Records the body: UTF-8 text when it is, base64 otherwise; envelopes decoded. */
  body(e, buf) {
    recordBody(e, buf, LOG_BODY_BYTES);
    if (/^application\/connect\+json/.test(e.headers['content-type'] ?? '')) {
      try { e.envelopes = parseEnvelopes(buf); } catch { e.envelopes = null; }
    }
  }
}

/** Routes under /_fake/; returns false for any other path. */
export async function handleAdmin(req, res, url, body, { faults, log, registry }) {
  const p = url.pathname;
  if (!p.startsWith('/_fake/')) return false;
  const method = req.method;
  if (handleFaultsAndLog(req, res, url, body, { faults, log }, { json: sendJson, fail: (status, message) => sendError(res, status, message) })) return true;
  if (p === '/_fake/sandboxes' && method === 'GET') {
    sendJson(res, 200, {
      sandboxes: [...registry.sandboxes.values()].map((s) => ({
        sandboxID: s.id, state: s.state, endAt: new Date(s.endAt).toISOString(),
        dir: s.dir, processes: s.procs.describe(), spawners: s.procs.spawnerView(),
      })),
    });
  } else if (/^\/_fake\/sandboxes\/[^/]+\/(kill|expire)$/.test(p) && method === 'POST') {
    const [, , , id, action] = p.split('/');
    const sb = registry.get(id);
    if (!sb) { sendError(res, 404, `sandbox '${id}' not found`); return true; }
    if (action === 'kill') await sb.kill();
    else sb.expire();
    sendEmpty(res, 204);
  } else {
    sendError(res, 404, `no admin route ${method} ${p}`);
  }
  return true;
}
