// tests/common/fake/admin.mjs - the parts of a fake's admin API (under
// /_fake/, a path no vendor client uses) that the E2B, Daytona and Blaxel
// fakes have alike: arming, listing and matching faults, reading and
// clearing the request log, and how the log keeps a request's body. Each fake keeps its
// own fault kinds, its own log entries and its vendor's error bodies.

/**
 * The armed faults of a fake, the `faults` handleFaultsAndLog serves.
 * Each fake's subclass checks the rest of a spec in its add(), after
 * kindAndCount, and says in its take() which faults fit a request, through
 * takeFirst and faultFits.
 */
export class FaultList {
  constructor(kinds) {
    this.kinds = kinds;
    this.list = [];
    this.nextId = 1;
  }

  /**
   * The kind and count (default 1) of `spec`; throws a message unless it
   * is a JSON object of a known kind, to be taken at least once.
   */
  kindAndCount(spec) {
    if (!spec || typeof spec !== 'object' || Array.isArray(spec)) throw new Error('a fault is a JSON object');
    const { kind } = spec;
    const count = spec.count ?? 1;
    if (!this.kinds.includes(kind)) throw new Error(`unknown fault kind '${kind}' (one of ${this.kinds.join(', ')})`);
    if (!Number.isInteger(count) || count < 1) throw new Error("'count' must be a positive integer");
    return { kind, count };
  }

  /** The first armed fault `fits` accepts, used up by one: a copy of it, or null. */
  takeFirst(fits) {
    const i = this.list.findIndex(fits);
    if (i < 0) return null;
    const f = this.list[i];
    if (--f.remaining === 0) this.list.splice(i, 1);
    return { ...f };
  }
}

/**
 * Whether fault `f` fits a request on `plane` with `method` and `path`:
 * what the fault leaves unset fits anything, a path ending in '*' is a
 * prefix.
 */
export function faultFits(f, { plane, method, path }) {
  return (f.plane === undefined || f.plane === plane) &&
    (f.method === undefined || f.method === method) &&
    (f.path === undefined || (f.path.endsWith('*') ? path.startsWith(f.path.slice(0, -1)) : path === f.path));
}

/**
 * Keeps a request body in the log entry `e`: its length, and its first
 * `limit` bytes as UTF-8 text when they are text, base64 otherwise.
 */
export function recordBody(e, buf, limit) {
  e.bodyLength = buf.length;
  const kept = buf.subarray(0, limit);
  e.bodyTruncated = buf.length > kept.length;
  const text = kept.toString('utf8');
  const isText = Buffer.from(text, 'utf8').equals(kept) && !/[\x00-\x08\x0e-\x1f]/.test(text);
  e.bodyEncoding = isText ? 'utf8' : 'base64';
  e.body = isText ? text : kept.toString('base64');
}

/**
 * The routes /_fake/faults (POST arms one fault or a list of them, all or
 * none; GET lists those still armed; DELETE disarms all) and
 * /_fake/requests (GET the entries after ?since=SEQ and the last SEQ;
 * DELETE forgets them). `faults` has add(spec) and list, `log` entries and
 * seq; `json(res, status, value)` writes the fake's JSON answer and
 * `fail(status, message)` its error. True when the route was one of these.
 */
export function handleFaultsAndLog(req, res, url, body, { faults, log }, { json, fail }) {
  const p = url.pathname;
  const method = req.method;
  if (p === '/_fake/faults' && method === 'POST') {
    let spec;
    try { spec = JSON.parse(body.toString('utf8')); } catch { fail(400, 'the body is not JSON'); return true; }
    const specs = Array.isArray(spec) ? spec : [spec];
    const added = [];
    try {
      for (const s of specs) added.push(faults.add(s));
    } catch (e) {
      for (const f of added) faults.list.splice(faults.list.indexOf(f), 1);
      fail(400, e.message);
      return true;
    }
    json(res, 201, { faults: added });
  } else if (p === '/_fake/faults' && method === 'GET') {
    json(res, 200, { faults: faults.list });
  } else if (p === '/_fake/faults' && method === 'DELETE') {
    faults.list.length = 0;
    res.writeHead(204).end();
  } else if (p === '/_fake/requests' && method === 'GET') {
    const since = Number(url.searchParams.get('since') ?? 0);
    json(res, 200, { requests: log.entries.filter((e) => e.seq > since), last: log.seq });
  } else if (p === '/_fake/requests' && method === 'DELETE') {
    log.entries.length = 0;
    res.writeHead(204).end();
  } else {
    return false;
  }
  return true;
}
