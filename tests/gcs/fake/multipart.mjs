// A streaming reader of the body of a `uploadType=multipart` upload:
// multipart/related with a JSON metadata part and a media part (RFC 2387).
// The metadata part is read into memory (bounded); the media part goes to
// a sink chunk by chunk, so its size is bounded only by the disk.
import { invalid, parseError } from './reply.mjs';

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');
const MAX_HEADERS = 16 * 1024;
const MAX_METADATA = 1024 * 1024;

// A pull reader over an async iterable of Buffers.
class Reader {
  constructor(chunks) {
    this.it = chunks[Symbol.asyncIterator]();
    this.buf = Buffer.alloc(0);
    this.done = false;
  }

  async fill() {
    if (this.done) return false;
    const r = await this.it.next();
    if (r.done) {
      this.done = true;
      return false;
    }
    this.buf = this.buf.length ? Buffer.concat([this.buf, r.value]) : r.value;
    return true;
  }

  async startsWith(bytes) {
    while (this.buf.length < bytes.length && await this.fill());
    return this.buf.subarray(0, bytes.length).equals(bytes);
  }

  skip(n) {
    this.buf = this.buf.subarray(n);
  }

  // Everything before `delim` (which is consumed), at most `limit` bytes.
  async readUntil(delim, limit, what) {
    for (;;) {
      const i = this.buf.indexOf(delim);
      if (i >= 0) {
        const out = this.buf.subarray(0, i);
        this.skip(i + delim.length);
        return out;
      }
      if (this.buf.length > limit + delim.length) throw invalid(`Multipart ${what} is too large`);
      if (!await this.fill()) throw invalid(`Multipart body ended inside the ${what}`);
    }
  }

  // Hands everything before `delim` to `sink`, keeping back only what
  // could be the start of a delimiter split across chunks.
  async streamUntil(delim, sink, what) {
    for (;;) {
      const i = this.buf.indexOf(delim);
      if (i >= 0) {
        if (i) await sink(this.buf.subarray(0, i));
        this.skip(i + delim.length);
        return;
      }
      const keep = delim.length - 1;
      if (this.buf.length > keep) {
        const out = this.buf.subarray(0, this.buf.length - keep);
        this.skip(out.length);
        await sink(out);
      }
      if (!await this.fill()) throw invalid(`Multipart body ended inside the ${what}`);
    }
  }

  async drain() {
    this.buf = Buffer.alloc(0);
    while (await this.fill()) this.buf = Buffer.alloc(0);
  }
}

export function boundaryOf(contentType) {
  const m = /^\s*multipart\/related\s*;(?:.*;)?\s*boundary=(?:"([^"]+)"|([^\s;]+))/i.exec(contentType || '');
  if (!m) throw invalid('Content-Type must be multipart/related with a boundary');
  const b = m[1] || m[2];
  if (b.length > 200) throw invalid('Multipart boundary is too long');
  return b;
}

function parseHeaders(raw) {
  const headers = {};
  for (const line of raw.toString('latin1').split('\r\n')) {
    if (!line) continue;
    const c = line.indexOf(':');
    if (c <= 0) throw invalid(`Malformed multipart header line: '${line}'`);
    headers[line.slice(0, c).trim().toLowerCase()] = line.slice(c + 1).trim();
  }
  return headers;
}

async function partHeaders(r) {
  // A part may have no header lines at all: its body starts right away.
  if (await r.startsWith(CRLF)) {
    r.skip(2);
    return {};
  }
  return parseHeaders(await r.readUntil(HEADER_END, MAX_HEADERS, 'part headers'));
}

// After a delimiter: '--' closes the body, CRLF (maybe after transport
// padding) starts another part. Returns true when another part follows.
async function afterDelimiter(r) {
  if (await r.startsWith(Buffer.from('--'))) return false;
  const pad = await r.readUntil(CRLF, 1024, 'delimiter line');
  if (pad.toString('latin1').trim()) throw invalid('Malformed multipart delimiter line');
  return true;
}

// Reads the body; returns {metadata, mediaContentType} once the media part
// has gone to `sink(buffer)`.
export async function readMultipart(chunks, boundary, sink) {
  const r = new Reader(chunks);
  const dash = Buffer.from(`--${boundary}`);
  const delim = Buffer.from(`\r\n--${boundary}`);
  // The first delimiter may or may not follow a CRLF (preamble).
  if (await r.startsWith(dash)) r.skip(dash.length);
  else await r.readUntil(delim, MAX_HEADERS, 'preamble');
  if (!await afterDelimiter(r)) throw invalid('Multipart body has no parts');

  const metaHeaders = await partHeaders(r);
  const metaType = metaHeaders['content-type'] || 'application/json';
  if (!/^application\/json\b/i.test(metaType)) {
    throw invalid(`The metadata part must be application/json, not '${metaType}'`);
  }
  const rawMeta = await r.readUntil(delim, MAX_METADATA, 'metadata part');
  let metadata;
  try {
    metadata = rawMeta.length ? JSON.parse(rawMeta.toString('utf8')) : {};
  } catch {
    throw parseError();
  }
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw invalid('The metadata part must be a JSON object');
  }
  if (!await afterDelimiter(r)) throw invalid('Multipart body has no media part');

  const mediaHeaders = await partHeaders(r);
  await r.streamUntil(delim, sink, 'media part');
  if (await afterDelimiter(r)) throw invalid('Multipart body has more than two parts');
  await r.drain(); // the epilogue, ignored
  return { metadata, mediaContentType: mediaHeaders['content-type'] };
}
