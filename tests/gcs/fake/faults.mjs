// Faults the tests arm through the admin API, and the log of the requests
// the fake received (so a test can assert what a client sent). Specs and
// log entries follow the E2B fake's (tests/e2b/README.md), so C tests can
// drive both alike.
import { invalid } from './reply.mjs';

const KINDS = ['rate_limit', 'error', 'reset', 'bad_crc32c', 'unauthorized', 'batch_omit'];
const LOG_LIMIT = 10000;
const LOG_BODY_BYTES = 8 << 10;

const wholeNumber = (v, name) => {
  if (!Number.isInteger(v) || v < 0) throw invalid(`'${name}' must be a whole number`);
  return v;
};

function validateFault(spec, id) {
  if (typeof spec !== 'object' || spec === null) throw invalid('a fault is a JSON object');
  const { kind } = spec;
  if (!KINDS.includes(kind)) throw invalid(`unknown fault kind '${kind}' (one of ${KINDS.join(', ')})`);
  const count = spec.count ?? 1;
  if (!Number.isInteger(count) || count < 1) throw invalid("'count' must be a positive integer");
  const f = { id, kind, remaining: count };
  if (spec.method !== undefined) f.method = String(spec.method).toUpperCase();
  if (spec.path !== undefined) f.path = String(spec.path);
  if (spec.url !== undefined) {
    try { new RegExp(spec.url); } catch { throw invalid("'url' is not a regular expression"); }
    f.url = String(spec.url);
  }
  if (kind === 'rate_limit') f.retryAfter = wholeNumber(spec.retryAfter ?? 1, 'retryAfter');
  if (kind === 'error') {
    f.status = spec.status ?? 500;
    if (!Number.isInteger(f.status) || f.status < 400 || f.status > 599) throw invalid("'status' must be 400..599");
    if (spec.retryAfter !== undefined) f.retryAfter = wholeNumber(spec.retryAfter, 'retryAfter');
  }
  if (spec.afterBytes !== undefined) {
    if (kind !== 'reset') throw invalid("'afterBytes' goes with 'reset'");
    f.afterBytes = wholeNumber(spec.afterBytes, 'afterBytes');
  }
  if (spec.rst !== undefined) {
    if (kind !== 'reset' || typeof spec.rst !== 'boolean') throw invalid("'rst' is a boolean of 'reset' faults");
    f.rst = spec.rst;
  }
  return f;
}

export class Faults {
  constructor() {
    this.list = [];
    this.nextId = 1;
  }

  // Arms one fault or an array of them (all or none); returns those added.
  add(specs) {
    const added = (Array.isArray(specs) ? specs : [specs]).map((s, i) => validateFault(s, this.nextId + i));
    this.nextId += added.length;
    this.list.push(...added);
    return added;
  }

  clear() {
    this.list = [];
  }

  // The first armed fault of one of `kinds` that matches the request and
  // `accept`s it, used up by one; null when there is none. Without `path`
  // or `url` a fault matches only storage calls (not the token, metadata
  // or admin routes).
  take(kinds, ctx, accept = () => true) {
    const i = this.list.findIndex((f) => kinds.includes(f.kind) && accept(f) &&
      (f.method === undefined || f.method === ctx.req.method) &&
      (f.path === undefined || (f.path.endsWith('*') ? ctx.rawPath.startsWith(f.path.slice(0, -1)) : ctx.rawPath === f.path)) &&
      (f.url === undefined || new RegExp(f.url).test(ctx.req.url)) &&
      (f.path !== undefined || f.url !== undefined || ctx.route === 'storage'));
    if (i < 0) return null;
    const f = this.list[i];
    if (--f.remaining === 0) this.list.splice(i, 1);
    ctx.entry.faults.push(f.kind);
    return f;
  }
}

export class RequestLog {
  constructor() {
    this.entries = [];
    this.seq = 0;
  }

  // Credentials are logged as sent: they are the fake's own test tokens,
  // and tests assert on them.
  start(req, rawPath, query) {
    const entry = {
      seq: ++this.seq,
      time: new Date().toISOString(),
      method: req.method,
      url: req.url,
      path: rawPath,
      query: Object.fromEntries(query),
      headers: { ...req.headers },
      chunked: /chunked/i.test(req.headers['transfer-encoding'] ?? ''),
      bodyLength: 0,
      status: null,
      faults: [],
      head: [], // the first LOG_BODY_BYTES of the body
      headLength: 0,
    };
    this.entries.push(entry);
    if (this.entries.length > LOG_LIMIT) this.entries.shift();
    return entry;
  }

  // Counts body bytes as they are read, keeping the first ones.
  body(entry, chunk) {
    entry.bodyLength += chunk.length;
    if (entry.headLength < LOG_BODY_BYTES) {
      const part = chunk.subarray(0, LOG_BODY_BYTES - entry.headLength);
      entry.head.push(Buffer.from(part));
      entry.headLength += part.length;
    }
  }

  // The entries after `seq`, with the kept body as UTF-8 text when it is
  // text, base64 otherwise.
  since(seq) {
    return this.entries.filter((e) => e.seq > seq).map(({ head, headLength, ...e }) => {
      const kept = Buffer.concat(head);
      const text = kept.toString('utf8');
      const isText = Buffer.from(text, 'utf8').equals(kept) && !/[\x00-\x08\x0e-\x1f]/.test(text);
      return { ...e, body: isText ? text : kept.toString('base64'), bodyEncoding: isText ? 'utf8' : 'base64',
        bodyTruncated: e.bodyLength > kept.length };
    });
  }

  clear() {
    this.entries = [];
  }
}
