// The JSON API's batch endpoint, POST /batch/storage/v1: a multipart/mixed
// body of at most 100 `application/http` parts, each a nested request
// (request line, headers, body), answered by one multipart/mixed answer
// with a part per nested request, in order, each carrying `Content-ID:
// <response-ID>` when the request's part had `Content-ID: <ID>`.
//
// The fake runs object DELETE only (what a recursive remove sends); any
// other nested call answers 501 in its part. Nested requests meet the
// armed `rate_limit`, `error` and `batch_omit` faults as requests of their
// own (matched by their method and path), so a test can fail some parts
// of a batch and not others; `batch_omit` leaves the part's answer out.
import { randomBytes } from 'node:crypto';
import { GcsError, invalid, sendError } from './reply.mjs';
import { deleteObject } from './objects.mjs';

export const MAX_PARTS = 100;
const MAX_BODY = 10 * 1024 * 1024; // "must be less than 10MB"
const MAX_PART_HEADERS = 16 * 1024;

const REASONS = { 200: 'OK', 204: 'No Content', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden',
  404: 'Not Found', 412: 'Precondition Failed', 429: 'Too Many Requests', 500: 'Internal Server Error',
  501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' };

function boundaryOf(contentType) {
  const m = /^\s*multipart\/mixed\s*;(?:.*;)?\s*boundary=(?:"([^"]{1,70})"|([^\s;"]{1,70}))\s*(?:;|$)/i
    .exec(contentType || '');
  if (!m) throw invalid('Content-Type must be multipart/mixed with a boundary of 1 to 70 characters');
  return m[1] || m[2];
}

function headerLines(text) {
  const headers = {};
  for (const line of text.split('\r\n')) {
    if (!line) continue;
    const c = line.indexOf(':');
    if (c <= 0) throw invalid(`Malformed header line in a batch part: '${line.slice(0, 64)}'`);
    headers[line.slice(0, c).trim().toLowerCase()] = line.slice(c + 1).trim();
  }
  return headers;
}

// The parts of a multipart/mixed body, each {headers, content: Buffer}.
export function splitParts(body, boundary) {
  const delim = Buffer.from(`\r\n--${boundary}`);
  const parts = [];
  // the first delimiter may open the body or follow a preamble
  let at;
  if (body.subarray(0, delim.length - 2).equals(delim.subarray(2))) at = delim.length - 2;
  else {
    const i = body.indexOf(delim);
    if (i < 0) throw invalid('Multipart body has no delimiter');
    at = i + delim.length;
  }
  for (;;) {
    if (body.subarray(at, at + 2).toString('latin1') === '--') return parts;
    const eol = body.indexOf('\r\n', at);
    if (eol < 0 || body.subarray(at, eol).toString('latin1').trim()) throw invalid('Malformed multipart delimiter line');
    const next = body.indexOf(delim, eol + 2);
    if (next < 0) throw invalid('Multipart body ended inside a part');
    if (parts.length === MAX_PARTS) throw invalid(`A batch holds at most ${MAX_PARTS} requests`);
    const part = body.subarray(eol + 2, next);
    const end = part.indexOf('\r\n\r\n');
    if (end < 0 || end > MAX_PART_HEADERS) throw invalid('Malformed batch part headers');
    parts.push({ headers: headerLines(part.subarray(0, end).toString('latin1')), content: part.subarray(end + 4) });
    at = next + delim.length;
  }
}

// The answer a nested request's handler gives, kept instead of sent.
class Captured {
  constructor() {
    this.status = 0;
    this.headers = {};
    this.body = '';
  }

  writeHead(status, headers = {}) {
    this.status = status;
    this.headers = headers;
    return this;
  }

  end(body) {
    if (body !== undefined) this.body = String(body);
    return this;
  }
}

function segment(s) {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

// Runs one nested request ("DELETE /storage/v1/b/B/o/O?q HTTP/1.1" and
// headers); returns its Captured answer, or null when a fault omits it.
function runNested(ctx, part) {
  const res = new Captured();
  try {
    if (!/^application\/http\b/i.test(part.headers['content-type'] ?? '')) {
      throw invalid('A batch part must be Content-Type: application/http');
    }
    const text = part.content.toString('latin1');
    const eol = text.indexOf('\r\n');
    const m = /^([A-Z]{1,10}) (\/[^\s]*) HTTP\/1\.[01]$/.exec(eol < 0 ? text : text.slice(0, eol));
    if (!m) throw invalid('A batch part must hold an HTTP request line');
    const [, method, url] = m;
    const q = url.indexOf('?');
    const rawPath = q < 0 ? url : url.slice(0, q);
    const sub = { state: ctx.state, entry: ctx.entry, route: 'storage', rawPath, req: { method, url },
      query: new URLSearchParams(q < 0 ? '' : url.slice(q + 1)), res };
    const f = ctx.state.faults.take(['rate_limit', 'error', 'batch_omit'], sub);
    if (f?.kind === 'batch_omit') return null;
    if (f) {
      const status = f.kind === 'rate_limit' ? 429 : f.status;
      throw new GcsError(status, status === 429 ? 'rateLimitExceeded' : status >= 500 ? 'backendError' : 'injectedFault',
        status === 429 ? 'The rate of requests is too high (injected fault)' : `Injected fault ${status}`);
    }
    let parts = rawPath.split('/').slice(1);
    if (parts[0] === 'storage' && parts[1] === 'v1') parts = parts.slice(2);
    const s = parts.map(segment);
    if (s.length !== 4 || s[0] !== 'b' || s[2] !== 'o' || s.includes(null) || method !== 'DELETE') {
      throw new GcsError(501, 'notImplemented', 'The fake runs only object DELETE in a batch');
    }
    deleteObject(sub, s[1], s[3]);
  } catch (e) {
    sendError(res, e);
  }
  return res;
}

function answerPart(boundary, id, r) {
  const head = [`--${boundary}`, 'Content-Type: application/http'];
  if (id !== undefined) head.push(`Content-ID: <response-${id}>`);
  const lines = [`HTTP/1.1 ${r.status} ${REASONS[r.status] ?? 'Error'}`];
  for (const [k, v] of Object.entries(r.headers)) if (k !== 'Content-Length') lines.push(`${k}: ${v}`);
  lines.push(`Content-Length: ${Buffer.byteLength(r.body)}`);
  return `${head.join('\r\n')}\r\n\r\n${lines.join('\r\n')}\r\n\r\n${r.body}\r\n`;
}

export async function handleBatch(ctx) {
  const boundary = boundaryOf(ctx.req.headers['content-type']);
  const body = await ctx.readAll(MAX_BODY);
  if (body === null) throw invalid('The batch body must be less than 10 MiB');
  const parts = splitParts(body, boundary);
  if (!parts.length) throw invalid('A batch holds at least one request');
  const out = `batch_${randomBytes(12).toString('base64url')}`;
  let text = '';
  for (const part of parts) {
    const r = runNested(ctx, part);
    if (!r) continue;
    const id = /^<(.*)>$/.exec(part.headers['content-id'] ?? '')?.[1] ?? part.headers['content-id'];
    text += answerPart(out, id, r);
  }
  text += `--${out}--\r\n`;
  ctx.res.writeHead(200, { 'Content-Type': `multipart/mixed; boundary=${out}`,
    'Content-Length': Buffer.byteLength(text) });
  ctx.res.end(text);
}
