// The JSON resources GCS answers with: numbers that can exceed 2^53
// (generation, metageneration, size) are strings, as in the real API.

const enc = encodeURIComponent;

// Metadata a client may set on an object (upload, compose, rewrite, patch).
export const WRITABLE = ['contentType', 'contentEncoding', 'contentDisposition',
  'contentLanguage', 'cacheControl', 'metadata', 'customTime'];

export function pickWritable(meta) {
  const out = {};
  for (const k of WRITABLE) {
    if (meta && meta[k] !== undefined && meta[k] !== null) out[k] = meta[k];
  }
  return out;
}

export function etag(obj) {
  return Buffer.from(`${obj.generation}/${obj.metageneration}`).toString('base64');
}

// A CRC-32C that is valid base64 of four bytes but not the object's.
export function wrongCrc32c(crc) {
  const b = Buffer.from(crc, 'base64');
  for (let i = 0; i < b.length; i++) b[i] ^= 0xff;
  return b.toString('base64');
}

export function objectResource(obj, base, { badCrc = false } = {}) {
  const self = `${base}/storage/v1/b/${enc(obj.bucket)}/o/${enc(obj.name)}`;
  const r = {
    kind: 'storage#object',
    id: `${obj.bucket}/${obj.name}/${obj.generation}`,
    selfLink: self,
    mediaLink: `${base}/download/storage/v1/b/${enc(obj.bucket)}/o/${enc(obj.name)}` +
      `?generation=${obj.generation}&alt=media`,
    name: obj.name,
    bucket: obj.bucket,
    generation: obj.generation,
    metageneration: String(obj.metageneration),
    storageClass: 'STANDARD',
    size: String(obj.size),
    crc32c: badCrc ? wrongCrc32c(obj.crc32c) : obj.crc32c,
    etag: etag(obj),
    timeCreated: obj.timeCreated,
    updated: obj.updated,
    timeStorageClassUpdated: obj.timeCreated,
  };
  // Composite objects have no MD5 in GCS.
  if (obj.md5Hash) r.md5Hash = obj.md5Hash;
  if (obj.componentCount) r.componentCount = obj.componentCount;
  for (const k of WRITABLE) if (obj[k] !== undefined) r[k] = obj[k];
  return r;
}

export function bucketResource(bucket, base, projectNumber) {
  return {
    kind: 'storage#bucket',
    selfLink: `${base}/storage/v1/b/${enc(bucket.name)}`,
    id: bucket.name,
    name: bucket.name,
    projectNumber,
    metageneration: '1',
    location: 'US',
    storageClass: 'STANDARD',
    etag: 'CAE=',
    timeCreated: bucket.timeCreated,
    updated: bucket.timeCreated,
    locationType: 'multi-region',
    iamConfiguration: {
      bucketPolicyOnly: { enabled: true },
      uniformBucketLevelAccess: { enabled: true },
      publicAccessPrevention: 'enforced',
    },
  };
}
