// Buckets and their live objects. Metadata lives in memory; each object's
// bytes are one file under DIR/blobs, named by a counter (never by the
// object's name, so no name can reach outside DIR). Only the live
// generation of an object is kept, as in a bucket without versioning.
import { mkdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { BlobWriter } from './blob.mjs';
import { GcsError, notFound, invalid, conditionNotMet } from './reply.mjs';

export const bucketNotFound = () => notFound('The specified bucket does not exist.');
export const objectNotFound = (b, o) => notFound(`No such object: ${b}/${o}`);

// GCS orders names by their UTF-8 bytes.
const utf8Order = (a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b));

export class Store {
  constructor(dir, projectNumber) {
    this.dir = dir;
    this.blobs = join(dir, 'blobs');
    mkdirSync(this.blobs, { recursive: true, mode: 0o700 });
    this.projectNumber = projectNumber;
    this.buckets = new Map();
    this.counter = 0;
    this.lastGeneration = 0n;
  }

  createBucket(name) {
    if (!/^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/.test(name)) throw invalid(`Invalid bucket name: '${name}'`);
    if (this.buckets.has(name)) {
      throw new GcsError(409, 'conflict',
        'Your previous request to create the named bucket succeeded and you already own it.');
    }
    const now = new Date().toISOString();
    const bucket = { name, timeCreated: now, objects: new Map(), sorted: null };
    this.buckets.set(name, bucket);
    return bucket;
  }

  bucket(name) {
    const b = this.buckets.get(name);
    if (!b) throw bucketNotFound();
    return b;
  }

  // The live object, or undefined.
  get(bucketName, name) {
    return this.bucket(bucketName).objects.get(name);
  }

  // The live object; 404 when there is none or `generation` (if given) is
  // not the live one.
  require(bucketName, name, generation) {
    const obj = this.get(bucketName, name);
    if (!obj || (generation !== undefined && obj.generation !== generation)) {
      throw objectNotFound(bucketName, name);
    }
    return obj;
  }

  newBlob() {
    return new BlobWriter(join(this.blobs, String(++this.counter)));
  }

  // Generations are microseconds since the epoch, as in GCS, and strictly
  // increasing within one fake.
  nextGeneration() {
    let g = BigInt(Date.now()) * 1000n;
    if (g <= this.lastGeneration) g = this.lastGeneration + 1n;
    this.lastGeneration = g;
    return g.toString();
  }

  // Makes `blobPath` (hashes in `fields`) the live object `name`, replacing
  // any previous generation. Synchronous, so the preconditions checked just
  // before hold: nothing else runs in between.
  commit(bucketName, name, fields, blobPath) {
    const b = this.bucket(bucketName);
    const old = b.objects.get(name);
    const now = new Date().toISOString();
    const obj = {
      ...fields,
      bucket: bucketName,
      name,
      generation: this.nextGeneration(),
      metageneration: 1,
      timeCreated: now,
      updated: now,
      blob: blobPath,
    };
    b.objects.set(name, obj);
    if (!old) b.sorted = null;
    else this.dropBlob(old);
    return obj;
  }

  remove(bucketName, name) {
    const b = this.bucket(bucketName);
    const old = b.objects.get(name);
    if (old) {
      b.objects.delete(name);
      b.sorted = null;
      this.dropBlob(old);
    }
  }

  // Readers open a blob synchronously before reading, so unlinking it here
  // never pulls bytes from under one (an open file stays readable).
  dropBlob(obj) {
    try { unlinkSync(obj.blob); } catch { /* already gone */ }
  }

  // Names of the live objects, sorted as GCS lists them.
  sortedNames(bucketName) {
    const b = this.bucket(bucketName);
    if (!b.sorted) b.sorted = [...b.objects.keys()].sort(utf8Order);
    return b.sorted;
  }

  clear() {
    for (const b of this.buckets.values()) {
      for (const obj of b.objects.values()) this.dropBlob(obj);
      b.objects.clear();
      b.sorted = null;
    }
  }
}

export { utf8Order };

// Query preconditions, as GCS checks them. `prefix` is '' for the object
// a call writes or reads, 'Source' for a rewrite's source. Reads answer a
// failed *NotMatch with 304, everything else with 412.
const KEYS = ['GenerationMatch', 'GenerationNotMatch', 'MetagenerationMatch', 'MetagenerationNotMatch'];

export function parseInteger(query, key) {
  const v = query.get(key);
  if (v === null) return undefined;
  if (!/^\d{1,20}$/.test(v)) throw invalid(`Invalid value for ${key}: '${v}'`);
  return BigInt(v).toString();
}

export function checkPreconditions(obj, query, { prefix = '', read = false } = {}) {
  const want = {};
  for (const k of KEYS) want[k] = parseInteger(query, `if${prefix}${k}`);
  const notModified = () => new GcsError(304, 'notModified', 'Not Modified');
  const gen = obj?.generation;
  const meta = obj ? String(obj.metageneration) : undefined;
  if (want.GenerationMatch !== undefined) {
    const ok = want.GenerationMatch === '0' ? !obj : gen === want.GenerationMatch;
    if (!ok) throw conditionNotMet();
  }
  if (want.GenerationNotMatch !== undefined) {
    // 0 asks for a live object to exist.
    const ok = want.GenerationNotMatch === '0' ? !!obj : gen !== want.GenerationNotMatch;
    if (!ok) throw read ? notModified() : conditionNotMet();
  }
  if (want.MetagenerationMatch !== undefined && meta !== want.MetagenerationMatch) {
    throw conditionNotMet();
  }
  if (want.MetagenerationNotMatch !== undefined && meta === want.MetagenerationNotMatch) {
    throw read ? notModified() : conditionNotMet();
  }
}
