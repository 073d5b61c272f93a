// Uploads: POST /upload/storage/v1/b/B/o with uploadType=media,
// multipart or resumable, and the PUTs of a resumable session (the
// Location URL with upload_id). Bodies stream to disk, hashed on the way.
import { randomBytes } from 'node:crypto';
import { readMultipart, boundaryOf } from './multipart.mjs';
import { checkPreconditions, parseInteger } from './store.mjs';
import { objectResource, pickWritable } from './resource.mjs';
import { GcsError, invalid, required, notFound, sendJson, sendEmpty } from './reply.mjs';

const MAX_SESSIONS = 10000;
const enc = encodeURIComponent;

export function validateName(name) {
  if (name === null || name === undefined || name === '') throw required('Required: object name');
  if (typeof name !== 'string' || Buffer.byteLength(name) > 1024 || /[\r\n]/.test(name) ||
      name === '.' || name === '..' || name.startsWith('.well-known/acme-challenge/')) {
    throw invalid(`Invalid object name: '${String(name).slice(0, 64)}'`);
  }
  return name;
}

// Hashes a client sent for the whole object, from x-goog-hash
// (`crc32c=…,md5=…`) and from the metadata, each checked on its own.
function clientHashes(meta, header) {
  const given = [];
  for (const part of (header || '').split(',')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    const key = part.slice(0, i).trim().toLowerCase();
    const value = part.slice(i + 1).trim();
    if (key === 'crc32c') given.push(['crc32c', value]);
    if (key === 'md5') given.push(['md5Hash', value]);
  }
  if (meta.crc32c !== undefined) given.push(['crc32c', meta.crc32c]);
  if (meta.md5Hash !== undefined) given.push(['md5Hash', meta.md5Hash]);
  for (const [key, value] of given) {
    const want = key === 'crc32c' ? 4 : 16;
    if (typeof value !== 'string' || Buffer.from(value, 'base64').length !== want ||
        Buffer.from(value, 'base64').toString('base64') !== value) {
      throw invalid(`Invalid ${key === 'crc32c' ? 'CRC32C' : 'MD5 hash'} value: '${String(value).slice(0, 64)}'`);
    }
  }
  return given;
}

function checkHashes(given, h) {
  for (const [key, value] of given) {
    if (value === h[key]) continue;
    throw invalid(key === 'crc32c'
      ? `Provided CRC32C "${value}" doesn't match calculated CRC32C "${h.crc32c}".`
      : `Provided MD5 hash "${value}" doesn't match calculated MD5 hash "${h.md5Hash}".`);
  }
}

export function sendObject(ctx, obj, status = 200) {
  const badCrc = !!ctx.fault('bad_crc32c');
  sendJson(ctx.res, status, objectResource(obj, ctx.base, { badCrc }));
}

// The bytes are in `writer`; checks what the client declared and the
// preconditions, then makes the object live.
async function finish(ctx, { bucket, name, meta, writer, query, hashHeader, declaredSize }) {
  const h = await writer.finish();
  try {
    if (declaredSize !== undefined && h.size !== declaredSize) {
      throw invalid(`X-Upload-Content-Length was ${declaredSize} but ${h.size} bytes were uploaded`);
    }
    checkHashes(clientHashes(meta, hashHeader), h);
    const store = ctx.state.store;
    checkPreconditions(store.get(bucket, name), query);
    const fields = { ...pickWritable(meta), size: h.size, crc32c: h.crc32c, md5Hash: h.md5Hash };
    fields.contentType ??= 'application/octet-stream';
    return store.commit(bucket, name, fields, writer.path);
  } catch (e) {
    await writer.discard();
    throw e;
  }
}

async function streamTo(ctx, writer) {
  try {
    for await (const chunk of ctx.body()) await writer.write(chunk);
  } catch (e) {
    await writer.discard();
    throw e;
  }
}

async function mediaUpload(ctx, bucket) {
  const name = validateName(ctx.query.get('name'));
  const meta = { contentType: ctx.req.headers['content-type'] };
  const writer = ctx.state.store.newBlob();
  ctx.armReset();
  await streamTo(ctx, writer);
  const obj = await finish(ctx, { bucket, name, meta, writer, query: ctx.query,
    hashHeader: ctx.req.headers['x-goog-hash'] });
  sendObject(ctx, obj);
}

async function multipartUpload(ctx, bucket) {
  const boundary = boundaryOf(ctx.req.headers['content-type']);
  const writer = ctx.state.store.newBlob();
  ctx.armReset();
  let parsed;
  try {
    parsed = await readMultipart(ctx.body(), boundary, (b) => writer.write(b));
  } catch (e) {
    await writer.discard();
    throw e;
  }
  const meta = { ...parsed.metadata };
  meta.contentType ??= parsed.mediaContentType;
  let name;
  try {
    name = validateName(ctx.query.get('name') ?? meta.name);
  } catch (e) {
    await writer.discard();
    throw e;
  }
  const obj = await finish(ctx, { bucket, name, meta, writer, query: ctx.query,
    hashHeader: ctx.req.headers['x-goog-hash'] });
  sendObject(ctx, obj);
}

async function startResumable(ctx, bucket) {
  const { state, req, query } = ctx;
  const meta = await ctx.json();
  const name = validateName(query.get('name') ?? meta.name);
  // Checked here and again when the last byte arrives.
  checkPreconditions(state.store.get(bucket, name), query);
  let declaredSize;
  const len = req.headers['x-upload-content-length'];
  if (len !== undefined) {
    if (!/^\d{1,16}$/.test(len)) throw invalid(`Invalid X-Upload-Content-Length: '${len}'`);
    declaredSize = Number(len);
  }
  if (meta.contentType === undefined && req.headers['x-upload-content-type']) {
    meta.contentType = req.headers['x-upload-content-type'];
  }
  if (state.sessions.size >= MAX_SESSIONS) {
    throw new GcsError(429, 'rateLimitExceeded', 'Too many unfinished resumable uploads');
  }
  const id = randomBytes(24).toString('base64url');
  state.sessions.set(id, {
    id, bucket, name, meta, declaredSize,
    query: new URLSearchParams(ctx.rawQuery),
    writer: null, received: 0, result: null, busy: false,
  });
  sendEmpty(ctx.res, 200, {
    Location: `${ctx.base}/upload/storage/v1/b/${enc(bucket)}/o?uploadType=resumable` +
      `&name=${enc(name)}&upload_id=${id}`,
    'X-GUploader-UploadID': id,
  });
}

// Content-Range of a resumable PUT: `bytes A-B/T`, `bytes A-B/*`,
// `bytes A-*/T|*` (the rest of the object, however long the body),
// `bytes */T|*` (no bytes: a status query, or completion at T). A PUT
// without one carries the whole object.
function parseContentRange(h) {
  if (h === undefined) return { start: 0, end: '*', total: '*' };
  let m = /^bytes \*\/(\d{1,16}|\*)$/.exec(h.trim());
  if (m) return { query: true, total: m[1] === '*' ? '*' : Number(m[1]) };
  m = /^bytes (\d{1,16})-(\d{1,16}|\*)\/(\d{1,16}|\*)$/.exec(h.trim());
  if (!m) throw invalid(`Invalid Content-Range: '${h}'`);
  const r = {
    start: Number(m[1]),
    end: m[2] === '*' ? '*' : Number(m[2]),
    total: m[3] === '*' ? '*' : Number(m[3]),
  };
  if ((r.end !== '*' && r.end < r.start) || (r.total !== '*' && r.end !== '*' && r.end >= r.total)) {
    throw invalid(`Invalid Content-Range: '${h}'`);
  }
  return r;
}

function sendIncomplete(ctx, s) {
  const headers = { 'X-GUploader-UploadID': s.id };
  if (s.received > 0) headers.Range = `bytes=0-${s.received - 1}`;
  sendEmpty(ctx.res, 308, headers);
}

async function completeSession(ctx, s) {
  const { state } = ctx;
  const writer = s.writer ?? state.store.newBlob();
  s.writer = null;
  try {
    s.result = await finish(ctx, { bucket: s.bucket, name: s.name, meta: s.meta, writer,
      query: s.query, hashHeader: ctx.req.headers['x-goog-hash'], declaredSize: s.declaredSize });
  } catch (e) {
    state.sessions.delete(s.id); // a failed upload cannot be resumed
    throw e;
  }
  sendObject(ctx, s.result);
}

async function resumablePut(ctx, s) {
  const range = parseContentRange(ctx.req.headers['content-range']);
  if (s.result) {
    await ctx.drain();
    return sendObject(ctx, s.result);
  }
  if (range.query) {
    await ctx.drain();
    if (range.total !== '*' && s.received > range.total) {
      throw invalid(`${s.received} bytes were already received, more than ${range.total}`);
    }
    if (range.total === s.received && !s.busy) return completeSession(ctx, s);
    return sendIncomplete(ctx, s);
  }
  if (s.busy) {
    await ctx.drain();
    throw new GcsError(503, 'backendError', 'Another request is writing to this upload; retry');
  }
  if (range.start > s.received) {
    await ctx.drain();
    throw invalid(`The chunk starts at byte ${range.start} but only ${s.received} bytes were ` +
      "received; ask with 'Content-Range: bytes */*' where to resume");
  }
  if (range.total !== '*' && s.declaredSize !== undefined && range.total !== s.declaredSize) {
    await ctx.drain();
    throw invalid(`The total ${range.total} differs from X-Upload-Content-Length ${s.declaredSize}`);
  }
  s.busy = true;
  s.writer ??= ctx.state.store.newBlob();
  ctx.armReset();
  let skip = s.received - range.start; // bytes the client resent
  let got = 0;
  try {
    for await (let chunk of ctx.body()) {
      got += chunk.length;
      if (skip) {
        const n = Math.min(skip, chunk.length);
        chunk = chunk.subarray(n);
        skip -= n;
      }
      await s.writer.write(chunk);
      s.received += chunk.length;
    }
  } finally {
    // On a reset or a client that went away, what arrived is kept, as GCS
    // keeps what it persisted; the client asks with `bytes */*`.
    s.busy = false;
    await s.writer?.pause();
  }
  if (range.end !== '*' && got !== range.end - range.start + 1) {
    throw invalid(`Content-Range announced ${range.end - range.start + 1} bytes but the body had ${got}`);
  }
  if (range.total !== '*' && s.received > range.total) {
    throw invalid(`${s.received} bytes received, more than the total ${range.total}`);
  }
  let last = range.total !== '*' && s.received === range.total;
  if (range.end === '*') {
    if (range.total !== '*' && !last) throw invalid(`The upload ended at ${s.received} bytes, not ${range.total}`);
    last = true;
  }
  return last ? completeSession(ctx, s) : sendIncomplete(ctx, s);
}

async function resumableRequest(ctx, id) {
  const s = ctx.state.sessions.get(id);
  if (!s) {
    await ctx.drain();
    throw notFound('No such upload session');
  }
  if (ctx.req.method === 'DELETE') {
    await ctx.drain();
    ctx.state.sessions.delete(id);
    await s.writer?.discard();
    return sendEmpty(ctx.res, 499);
  }
  if (ctx.req.method !== 'PUT' && ctx.req.method !== 'POST') {
    await ctx.drain();
    throw new GcsError(405, 'methodNotAllowed', 'Use PUT on an upload session');
  }
  return resumablePut(ctx, s);
}

// /upload/storage/v1/b/{bucket}/o
export async function handleUpload(ctx, bucket) {
  const { req, query } = ctx;
  const id = query.get('upload_id');
  if (id !== null) return resumableRequest(ctx, id);
  if (req.method !== 'POST') {
    await ctx.drain();
    throw new GcsError(405, 'methodNotAllowed', 'Uploads are POSTed');
  }
  ctx.state.store.bucket(bucket); // 404 before reading a body
  parseInteger(query, 'ifGenerationMatch'); // a malformed precondition fails early
  const multipart = /^multipart\/related\b/i.test(req.headers['content-type'] || '');
  switch (query.get('uploadType') ?? (multipart ? 'multipart' : 'media')) {
    case 'media': return mediaUpload(ctx, bucket);
    case 'multipart': return multipartUpload(ctx, bucket);
    case 'resumable': return startResumable(ctx, bucket);
    default:
      await ctx.drain();
      throw invalid(`Invalid uploadType: '${query.get('uploadType')}'`);
  }
}
