// Reading, listing, updating and deleting objects:
// GET /b/B/o (list), GET /b/B/o/O (metadata, or the bytes with
// alt=media), PATCH /b/B/o/O, DELETE /b/B/o/O.
import { openSync, closeSync, createReadStream } from 'node:fs';
import { checkPreconditions, parseInteger, utf8Order } from './store.mjs';
import { objectResource, pickWritable, etag, wrongCrc32c } from './resource.mjs';
import { GcsError, invalid, sendEmpty, sendJson } from './reply.mjs';
import { sendObject } from './uploads.mjs';

export function getMetadata(ctx, bucket, name) {
  const obj = ctx.state.store.require(bucket, name, parseInteger(ctx.query, 'generation'));
  checkPreconditions(obj, ctx.query, { read: true });
  sendObject(ctx, obj);
}

// `Range: bytes=A-B | A- | -N`. Returns [start, end] (inclusive), null for
// the whole object (no header, or one the fake ignores as a server may:
// other units, several ranges), or 'unsatisfiable'.
function parseRange(h, size) {
  if (!h) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(h.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0 || size === 0) return 'unsatisfiable';
    return [Math.max(0, size - n), size - 1];
  }
  const start = Number(m[1]);
  let end = m[2] === '' ? size - 1 : Number(m[2]);
  if (m[2] !== '' && end < start) return null;
  if (start >= size) return 'unsatisfiable';
  if (end >= size) end = size - 1;
  return [start, end];
}

// Resolves once `res` can take more, or is gone.
const writable = (res) => new Promise((resolve) => {
  const done = () => {
    res.off('drain', done);
    res.off('close', done);
    resolve();
  };
  res.on('drain', done);
  res.on('close', done);
});

export async function download(ctx, bucket, name) {
  const { res, req, state } = ctx;
  const obj = state.store.require(bucket, name, parseInteger(ctx.query, 'generation'));
  checkPreconditions(obj, ctx.query, { read: true });
  const range = parseRange(req.headers.range, obj.size);
  if (range === 'unsatisfiable') {
    throw new GcsError(416, 'requestedRangeNotSatisfiable', 'Request range not satisfiable',
      { 'Content-Range': `bytes */${obj.size}` });
  }
  const crc = ctx.fault('bad_crc32c') ? wrongCrc32c(obj.crc32c) : obj.crc32c;
  const [start, end] = range ?? [0, obj.size - 1];
  const headers = {
    'Content-Type': obj.contentType ?? 'application/octet-stream',
    'Content-Length': end - start + 1,
    'X-Goog-Hash': `crc32c=${crc}` + (obj.md5Hash ? `,md5=${obj.md5Hash}` : ''),
    'X-Goog-Generation': obj.generation,
    'X-Goog-Metageneration': String(obj.metageneration),
    'X-Goog-Stored-Content-Encoding': obj.contentEncoding ?? 'identity',
    'X-Goog-Stored-Content-Length': String(obj.size),
    'X-Goog-Storage-Class': 'STANDARD',
    ETag: `"${etag(obj)}"`,
    'Last-Modified': new Date(obj.updated).toUTCString(),
    'Accept-Ranges': 'bytes',
    'Cache-Control': 'no-cache, no-store, max-age=0, must-revalidate',
  };
  if (range) headers['Content-Range'] = `bytes ${start}-${end}/${obj.size}`;
  // Opened now, so a concurrent overwrite (which unlinks the file) cannot
  // pull the bytes away.
  const fd = openSync(obj.blob, 'r');
  const cut = ctx.fault('reset', (f) => f.afterBytes !== undefined);
  res.writeHead(range ? 206 : 200, headers);
  if (obj.size === 0 || end < start) {
    closeSync(fd);
    return res.end();
  }
  const file = createReadStream(null, { fd, start, end, highWaterMark: 256 * 1024 });
  let sent = 0;
  try {
    for await (let chunk of file) {
      if (res.destroyed) return;
      if (cut && sent + chunk.length >= cut.afterBytes) {
        // A download broken mid-way: these bytes reach the client, then the
        // connection closes; with `rst`, a TCP reset, which may drop what
        // the client has not read yet.
        chunk = chunk.subarray(0, cut.afterBytes - sent);
        const close = () => (cut.rst ? res.socket?.resetAndDestroy() : res.socket?.destroy());
        if (chunk.length) res.write(chunk, close);
        else {
          res.flushHeaders();
          if (cut.rst) res.write('', close);
          else res.socket?.end();
        }
        return;
      }
      sent += chunk.length;
      if (!res.write(chunk)) await writable(res);
    }
    res.end();
  } finally {
    file.destroy();
  }
}

export function patchObject(ctx, bucket, name, patch) {
  const store = ctx.state.store;
  const obj = store.require(bucket, name, parseInteger(ctx.query, 'generation'));
  checkPreconditions(obj, ctx.query);
  for (const [k, v] of Object.entries(pickWritable({ ...patch, metadata: undefined }))) obj[k] = v;
  for (const k of ['contentType', 'contentEncoding', 'contentDisposition', 'contentLanguage', 'cacheControl']) {
    if (patch[k] === null) delete obj[k];
  }
  if (patch.metadata === null) delete obj.metadata;
  else if (patch.metadata && typeof patch.metadata === 'object') {
    // Keys set to null are removed, as in GCS.
    const m = { ...(obj.metadata || {}) };
    for (const [k, v] of Object.entries(patch.metadata)) {
      if (v === null) delete m[k];
      else m[k] = String(v);
    }
    obj.metadata = m;
  }
  obj.metageneration += 1;
  obj.updated = new Date().toISOString();
  sendObject(ctx, obj);
}

export function deleteObject(ctx, bucket, name) {
  const store = ctx.state.store;
  const obj = store.require(bucket, name, parseInteger(ctx.query, 'generation'));
  checkPreconditions(obj, ctx.query);
  store.remove(bucket, name);
  sendEmpty(ctx.res, 204);
}

// Page tokens are opaque to clients: base64url of the last entry returned
// and whether it was a prefix (then every name under it is skipped).
const encodeToken = (key, isPrefix) => Buffer.from(JSON.stringify([key, isPrefix])).toString('base64url');

function decodeToken(token) {
  try {
    const [key, isPrefix] = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (typeof key === 'string' && typeof isPrefix === 'boolean') return { key, isPrefix };
  } catch { /* fall through */ }
  throw invalid('Invalid pageToken');
}

// First index whose name sorts after `key` (or at/after when `inclusive`).
function lowerBound(names, key, inclusive) {
  let lo = 0;
  let hi = names.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const c = utf8Order(names[mid], key);
    if (c < 0 || (c === 0 && !inclusive)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function listObjects(ctx, bucket) {
  const { query, state } = ctx;
  const store = state.store;
  const names = store.sortedNames(bucket);
  const objects = store.bucket(bucket).objects;
  const prefix = query.get('prefix') ?? '';
  const delimiter = query.get('delimiter') ?? '';
  const startOffset = query.get('startOffset');
  const endOffset = query.get('endOffset');
  const trailing = query.get('includeTrailingDelimiter') === 'true';
  let max = 1000;
  if (query.get('maxResults') !== null) {
    const v = query.get('maxResults');
    if (!/^\d{1,9}$/.test(v)) throw invalid(`Invalid value for maxResults: '${v}'`);
    max = Math.min(Number(v) || 1000, 1000);
  }
  const token = query.get('pageToken') ? decodeToken(query.get('pageToken')) : null;

  let i = lowerBound(names, prefix, true);
  if (startOffset !== null) i = Math.max(i, lowerBound(names, startOffset, true));
  if (token) {
    i = Math.max(i, lowerBound(names, token.key, false));
    while (token.isPrefix && i < names.length && names[i].startsWith(token.key)) i++;
  }
  const items = [];
  const prefixes = [];
  let last = null;
  let more = false;
  while (i < names.length) {
    const name = names[i];
    if (!name.startsWith(prefix)) break;
    if (endOffset !== null && utf8Order(name, endOffset) >= 0) break;
    const cut = delimiter ? name.indexOf(delimiter, prefix.length) : -1;
    const isPrefix = cut >= 0;
    const key = isPrefix ? name.slice(0, cut + delimiter.length) : name;
    if (items.length + prefixes.length === max) {
      more = true;
      break;
    }
    if (isPrefix) {
      prefixes.push(key);
      if (trailing && objects.has(key)) items.push(objectResource(objects.get(key), ctx.base));
      while (i < names.length && names[i].startsWith(key)) i++;
    } else {
      items.push(objectResource(objects.get(name), ctx.base));
      i++;
    }
    last = [key, isPrefix];
  }
  const out = { kind: 'storage#objects' };
  if (items.length) {
    if (ctx.fault('bad_crc32c')) items[0].crc32c = wrongCrc32c(items[0].crc32c);
    out.items = items;
  }
  if (prefixes.length) out.prefixes = prefixes;
  if (more) out.nextPageToken = encodeToken(...last);
  sendJson(ctx.res, 200, out);
}
