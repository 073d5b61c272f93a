// Server-side copies: rewriteTo (in steps with a rewrite token above a
// configurable size, as GCS does for large objects), copyTo (one step)
// and compose (concatenation; the result has a CRC-32C but no MD5, as a
// composite object in GCS).
import { randomBytes } from 'node:crypto';
import { openSync, closeSync, readSync } from 'node:fs';
import { checkPreconditions, parseInteger } from './store.mjs';
import { objectResource, pickWritable } from './resource.mjs';
import { GcsError, invalid, required, sendJson } from './reply.mjs';
import { sendObject, validateName } from './uploads.mjs';

const MAX_REWRITES = 10000;
const MAX_COMPONENTS = 32;
const STEP = 1024 * 1024; // bytes read per read(2)

// Appends bytes [from, to) of an open blob to `writer`, then closes it.
// Blobs are opened synchronously right after the object is looked up, so
// an overwrite that unlinks them meanwhile takes nothing away.
async function copyRange(fd, writer, from, to) {
  try {
    const buf = Buffer.allocUnsafe(Math.min(STEP, Math.max(to - from, 1)));
    let pos = from;
    while (pos < to) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, to - pos), pos);
      if (n === 0) throw new Error(`a blob is shorter than ${to} bytes`);
      await writer.write(Buffer.from(buf.subarray(0, n)));
      pos += n;
    }
  } finally {
    closeSync(fd);
  }
}

function source(ctx, bucket, name) {
  const obj = ctx.state.store.require(bucket, name, parseInteger(ctx.query, 'sourceGeneration'));
  checkPreconditions(obj, ctx.query, { prefix: 'Source' });
  return obj;
}

// What the copy gets: the request body's metadata if it has any, else
// the source's.
function copyFields(src, meta, h) {
  const given = pickWritable(meta);
  const fields = Object.keys(given).length ? given : pickWritable(src);
  fields.size = h.size;
  fields.crc32c = h.crc32c;
  if (src.md5Hash) fields.md5Hash = h.md5Hash;
  if (src.componentCount) fields.componentCount = src.componentCount;
  return fields;
}

async function commitCopy(ctx, src, dstBucket, dstName, meta, writer) {
  const h = await writer.finish();
  const store = ctx.state.store;
  try {
    checkPreconditions(store.get(dstBucket, dstName), ctx.query);
    return store.commit(dstBucket, dstName, copyFields(src, meta, h), writer.path);
  } catch (e) {
    await writer.discard();
    throw e;
  }
}

// POST /b/SB/o/SO/rewriteTo/b/DB/o/DO[?rewriteToken=…]
export async function rewrite(ctx, srcBucket, srcName, dstBucket, dstName, meta) {
  const { state, query } = ctx;
  validateName(dstName);
  const store = state.store;
  store.bucket(dstBucket);
  const tokenIn = query.get('rewriteToken');
  let job;
  if (tokenIn) {
    job = state.rewrites.get(tokenIn);
    if (!job || job.srcBucket !== srcBucket || job.srcName !== srcName ||
        job.dstBucket !== dstBucket || job.dstName !== dstName) {
      throw invalid('Invalid rewrite token');
    }
  }
  // A token pins the source generation; the fake keeps no older
  // generations, so an overwritten source is gone (404).
  const src = job
    ? store.require(srcBucket, srcName, job.generation)
    : source(ctx, srcBucket, srcName);
  checkPreconditions(store.get(dstBucket, dstName), query);
  if (!job) {
    if (state.rewrites.size >= MAX_REWRITES) {
      throw new GcsError(429, 'rateLimitExceeded', 'Too many unfinished rewrites');
    }
    job = { token: null, srcBucket, srcName, dstBucket, dstName, generation: src.generation,
      meta, done: 0, writer: store.newBlob() };
  }
  let step = state.config.rewriteBytesPerCall;
  const asked = parseInteger(query, 'maxBytesRewrittenPerCall');
  if (asked !== undefined && Number(asked) > 0) step = Math.min(step, Number(asked));
  const to = Math.min(src.size, job.done + step);
  if (job.busy) throw new GcsError(503, 'backendError', 'This rewrite is already running; retry');
  job.busy = true;
  try {
    await copyRange(openSync(src.blob, 'r'), job.writer, job.done, to);
  } catch (e) {
    state.rewrites.delete(job.token);
    await job.writer.discard();
    throw e;
  } finally {
    job.busy = false;
  }
  job.done = to;
  const out = {
    kind: 'storage#rewriteResponse',
    totalBytesRewritten: String(job.done),
    objectSize: String(src.size),
  };
  if (job.done < src.size) {
    if (!job.token) {
      job.token = randomBytes(32).toString('base64url');
      state.rewrites.set(job.token, job);
    }
    await job.writer.pause();
    out.done = false;
    out.rewriteToken = job.token;
    return sendJson(ctx.res, 200, out);
  }
  if (job.token) state.rewrites.delete(job.token);
  const obj = await commitCopy(ctx, src, dstBucket, dstName, job.meta, job.writer);
  out.done = true;
  out.resource = objectResource(obj, ctx.base, { badCrc: !!ctx.fault('bad_crc32c') });
  sendJson(ctx.res, 200, out);
}

// POST /b/SB/o/SO/copyTo/b/DB/o/DO: the whole copy in one call.
export async function copyTo(ctx, srcBucket, srcName, dstBucket, dstName, meta) {
  validateName(dstName);
  ctx.state.store.bucket(dstBucket);
  const src = source(ctx, srcBucket, srcName);
  checkPreconditions(ctx.state.store.get(dstBucket, dstName), ctx.query);
  const fd = openSync(src.blob, 'r');
  const writer = ctx.state.store.newBlob();
  try {
    await copyRange(fd, writer, 0, src.size);
  } catch (e) {
    await writer.discard();
    throw e;
  }
  sendObject(ctx, await commitCopy(ctx, src, dstBucket, dstName, meta, writer));
}

// POST /b/B/o/D/compose {destination, sourceObjects:[{name, generation,
// objectPreconditions:{ifGenerationMatch}}]}
export async function compose(ctx, bucket, dstName, body) {
  const store = ctx.state.store;
  validateName(dstName);
  store.bucket(bucket);
  const list = body.sourceObjects;
  if (!Array.isArray(list) || list.length === 0) throw required('Required: sourceObjects');
  if (list.length > MAX_COMPONENTS) {
    throw invalid(`The number of source components provided (${list.length}) exceeds the maximum (${MAX_COMPONENTS})`);
  }
  const sources = list.map((s) => {
    if (!s || typeof s.name !== 'string') throw required('Required: sourceObjects[].name');
    const gen = s.generation === undefined ? undefined : String(s.generation);
    const obj = store.require(bucket, s.name, gen);
    const want = s.objectPreconditions?.ifGenerationMatch;
    if (want !== undefined && String(want) !== obj.generation) {
      throw new GcsError(412, 'conditionNotMet', 'At least one of the pre-conditions you specified did not hold.');
    }
    return obj;
  });
  const components = sources.reduce((n, o) => n + (o.componentCount || 1), 0);
  if (components > 1024) throw invalid('The composite object would exceed 1024 components');
  checkPreconditions(store.get(bucket, dstName), ctx.query);
  const fds = sources.map((src) => openSync(src.blob, 'r'));
  const writer = store.newBlob();
  let h;
  try {
    for (let i = 0; i < sources.length; i++) {
      const fd = fds[i];
      fds[i] = null;
      await copyRange(fd, writer, 0, sources[i].size);
    }
    h = await writer.finish();
    checkPreconditions(store.get(bucket, dstName), ctx.query);
  } catch (e) {
    for (const fd of fds) if (fd !== null) closeSync(fd);
    await writer.discard();
    throw e;
  }
  const fields = { ...pickWritable(body.destination || {}), size: h.size, crc32c: h.crc32c,
    componentCount: components };
  sendObject(ctx, store.commit(bucket, dstName, fields, writer.path));
}
