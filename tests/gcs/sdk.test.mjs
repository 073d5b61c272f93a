// tests/gcs/sdk.test.mjs - proves the project's GCS fake (fake-gcs.mjs)
// faithful by driving the official @google-cloud/storage client (pinned
// by package-lock.json) through every operation a GCS filesystem provider
// uses, checking the results for real (bytes, checksums, generations) and
// the requests the client sent (the fake's request log); then the auth
// routes (metadata server, self-signed JWT, the /token JWT-bearer grant
// signed with node:crypto as a C client signs it), the faults, and the
// fake's own lifecycle.
//
// Run: node --test tests/gcs/sdk.test.mjs   (ctest does; `npm ci` in
// tests/gcs first).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes, sign as rsaSign } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { startFake } from './fake-client.mjs';
import { crc32c, crc32cBase64, crc32cUpdate } from './fake/crc32c.mjs';

// Nothing may leave 127.0.0.1 or read the user's Google credentials.
for (const k of ['http_proxy', 'https_proxy', 'HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'all_proxy',
  'STORAGE_EMULATOR_HOST', 'GOOGLE_APPLICATION_CREDENTIALS', 'CLOUDSDK_CONFIG', 'GCE_METADATA_HOST',
  'GCE_METADATA_IP', 'METADATA_SERVER_DETECTION', 'GOOGLE_CLOUD_PROJECT', 'GCLOUD_PROJECT']) {
  delete process.env[k];
}
process.env.NO_PROXY = '127.0.0.1,localhost';
const scratch = mkdtempSync(join(tmpdir(), 'wsp-gcs-test-'));
process.env.HOME = scratch; // no gcloud well-known file
process.env.CLOUDSDK_CONFIG = join(scratch, 'gcloud');

let Storage, CRC32C;
try {
  ({ Storage, CRC32C } = await import('@google-cloud/storage'));
} catch (e) {
  console.error('tests/gcs: @google-cloud/storage is not installed; run `npm ci` in tests/gcs first (' +
    e.message + ')');
  process.exit(1);
}

const BUCKET = 'team-data';
const REWRITE_STEP = 1024 * 1024;
// Retries as the SDK does them, waiting at most a second (async-retry
// in file.save() refuses a maximum below its 1 s minimum).
const retryOptions = { maxRetryDelay: 1, totalTimeout: 30 };
const sdkCrc = (buf) => {
  const c = new CRC32C();
  c.update(buf);
  return c.toString();
};
const md5 = (buf) => createHash('md5').update(buf).digest('base64');
const enc = encodeURIComponent;

let fake, storage, bucket;

before(async () => {
  fake = await startFake(['--bucket', BUCKET, '--rewrite-bytes-per-call', String(REWRITE_STEP)]);
  storage = new Storage({ apiEndpoint: fake.base, projectId: 'fake-project', retryOptions });
  bucket = storage.bucket(BUCKET);
});

after(async () => {
  await fake?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

// The requests logged after `seq`.
const since = async (seq) => fake.requests(seq);

// A save() without preconditions turns automatic retries off for its
// Storage instance for good (7.22: retryOptions.autoRetry is set to false
// and not restored), so tests of retries use a fresh instance.
const freshBucket = () => new Storage({ apiEndpoint: fake.base, projectId: 'fake-project', retryOptions })
  .bucket(BUCKET);

test('crc32c: the check value, and agreement with the SDK\'s own CRC32C', () => {
  assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
  assert.equal(crc32cBase64(crc32c(Buffer.from('hello2'))), 'jwfJwA==');
  for (const n of [0, 1, 7, 8, 9, 4095, 65537]) {
    const b = randomBytes(n);
    assert.equal(crc32cBase64(crc32c(b)), sdkCrc(b), `length ${n}`);
  }
});

test('bucket.exists: GET /b/{b} with a bare ?, and 404 for an unknown bucket', async () => {
  const seq = await fake.mark();
  assert.equal((await bucket.exists())[0], true);
  assert.equal((await storage.bucket('no-such-bucket').exists())[0], false);
  const [hit, miss] = await since(seq);
  assert.equal(hit.method, 'GET');
  assert.equal(hit.path, `/storage/v1/b/${BUCKET}`);
  assert.equal(hit.url, `/storage/v1/b/${BUCKET}?`, 'the SDK ends the URL with a bare ?');
  assert.equal(hit.status, 200);
  assert.equal(miss.status, 404);
  assert.match(hit.headers['user-agent'], /gcloud-node-storage/);
});

test('multipart save: bytes, CRC32C, MD5 and metadata round-trip', async () => {
  const data = randomBytes(100_003);
  const file = bucket.file('docs/report 1+1=2 ü.bin');
  const seq = await fake.mark();
  await file.save(data, { resumable: false, contentType: 'application/x-test',
    metadata: { metadata: { owner: 'rosa' } } });
  const [up] = await since(seq);
  assert.equal(up.method, 'POST');
  assert.equal(up.path, `/upload/storage/v1/b/${BUCKET}/o`);
  assert.equal(up.query.uploadType, 'multipart');
  assert.equal(up.query.name, 'docs/report 1+1=2 ü.bin');
  assert.match(up.headers['content-type'], /^multipart\/related; boundary=/);
  assert.equal(up.chunked, true);
  assert.equal(up.headers['content-length'], undefined);
  assert.ok(up.bodyLength > data.length);
  // The first part is the metadata, as JSON, without the name.
  const part1 = Buffer.from(up.body, up.bodyEncoding).toString('latin1').split('\r\n\r\n')[1].split('\r\n')[0];
  assert.deepEqual(JSON.parse(part1), { contentType: 'application/x-test', metadata: { owner: 'rosa' } });
  assert.equal(up.bodyTruncated, true);
  assert.equal(up.status, 200);

  const [meta] = await file.getMetadata();
  assert.equal(meta.name, 'docs/report 1+1=2 ü.bin');
  assert.equal(meta.bucket, BUCKET);
  assert.equal(meta.size, '100003');
  assert.equal(meta.crc32c, sdkCrc(data));
  assert.equal(meta.md5Hash, md5(data));
  assert.equal(meta.contentType, 'application/x-test');
  assert.deepEqual(meta.metadata, { owner: 'rosa' });
  assert.match(meta.generation, /^\d+$/);
  assert.equal(meta.metageneration, '1');
  const [back] = await file.download();
  assert.ok(back.equals(data));
  const get = (await since(seq)).at(-1);
  assert.equal(get.path, `/storage/v1/b/${BUCKET}/o/${enc('docs/report 1+1=2 ü.bin')}`);
  assert.equal(get.query.alt, 'media');
});

test('create only: ifGenerationMatch=0 writes once, then 412 conditionNotMet', async () => {
  const file = bucket.file('locks/once');
  const seq = await fake.mark();
  await file.save('first', { resumable: false, preconditionOpts: { ifGenerationMatch: 0 } });
  await assert.rejects(
    file.save('second', { resumable: false, preconditionOpts: { ifGenerationMatch: 0 } }),
    (e) => e.code === 412 && /pre-conditions/.test(e.message));
  // A resumable create-only fails at initiation already.
  await assert.rejects(
    file.save('third', { resumable: true, preconditionOpts: { ifGenerationMatch: 0 } }),
    (e) => e.response?.status === 412);
  const reqs = await since(seq);
  assert.equal(reqs[0].query.ifGenerationMatch, '0');
  assert.equal(reqs[1].status, 412);
  assert.equal((await file.download())[0].toString(), 'first');

  const res = await fetch(`${fake.base}/upload/storage/v1/b/${BUCKET}/o?uploadType=media&name=locks%2Fonce&ifGenerationMatch=0`,
    { method: 'POST', body: 'x' });
  assert.equal(res.status, 412);
  assert.deepEqual(await res.json(), { error: { code: 412,
    message: 'At least one of the pre-conditions you specified did not hold.',
    errors: [{ message: 'At least one of the pre-conditions you specified did not hold.',
      domain: 'global', reason: 'conditionNotMet' }] } });
});

test('compare-and-swap: ifGenerationMatch with the current generation; metagenerations', async () => {
  const file = bucket.file('cas/value');
  await file.save('v1', { resumable: false });
  const g1 = (await file.getMetadata())[0].generation;
  await file.save('v2', { resumable: false, preconditionOpts: { ifGenerationMatch: g1 } });
  const [m2] = await file.getMetadata();
  assert.ok(BigInt(m2.generation) > BigInt(g1), 'the generation advances');
  await assert.rejects(file.save('v3', { resumable: false, preconditionOpts: { ifGenerationMatch: g1 } }),
    (e) => e.code === 412);
  assert.equal((await file.download())[0].toString(), 'v2');

  // A metadata update keeps the generation, bumps the metageneration.
  await file.setMetadata({ metadata: { state: 'final' } }, { ifMetagenerationMatch: 1 });
  const [m3] = await file.getMetadata();
  assert.equal(m3.generation, m2.generation);
  assert.equal(m3.metageneration, '2');
  assert.deepEqual(m3.metadata, { state: 'final' });
  await assert.rejects(file.setMetadata({ metadata: { state: 'x' } }, { ifMetagenerationMatch: 1 }),
    (e) => e.code === 412);
  // Reads with preconditions: a failed ifGenerationNotMatch is 304.
  const url = `${fake.base}/storage/v1/b/${BUCKET}/o/cas%2Fvalue`;
  assert.equal((await fetch(`${url}?ifGenerationNotMatch=${m3.generation}`)).status, 304);
  assert.equal((await fetch(`${url}?ifGenerationMatch=${g1}`)).status, 412);
  assert.equal((await fetch(`${url}?ifMetagenerationMatch=2&ifGenerationMatch=${m3.generation}`)).status, 200);
});

test('resumable save with chunkSize: 308 with Range per chunk, 200 at the end', async () => {
  const data = randomBytes(700_000);
  const file = bucket.file('big/chunked.bin');
  const seq = await fake.mark();
  await file.save(data, { resumable: true, chunkSize: 262144 });
  const reqs = await since(seq);
  const init = reqs[0];
  assert.equal(init.method, 'POST');
  assert.equal(init.query.uploadType, 'resumable');
  assert.equal(init.status, 200);
  const puts = reqs.filter((r) => r.method === 'PUT');
  assert.deepEqual(puts.map((r) => [r.headers['content-range'], r.bodyLength, r.status]), [
    ['bytes 0-262143/*', 262144, 308],
    ['bytes 262144-524287/*', 262144, 308],
    ['bytes 524288-699999/700000', 175712, 200],
  ]);
  const [meta] = await file.getMetadata();
  assert.equal(meta.size, '700000');
  assert.equal(meta.md5Hash, md5(data));
  assert.ok((await file.download())[0].equals(data));
});

test('resumable save without chunkSize: one chunked PUT of bytes 0-*/*', async () => {
  const data = randomBytes(300_000);
  const file = bucket.file('big/streamed.bin');
  const seq = await fake.mark();
  await file.save(data);
  const puts = (await since(seq)).filter((r) => r.method === 'PUT');
  assert.equal(puts.length, 1);
  assert.equal(puts[0].headers['content-range'], 'bytes 0-*/*');
  assert.equal(puts[0].chunked, true);
  assert.equal(puts[0].bodyLength, 300_000);
  assert.equal(puts[0].status, 200);
  assert.ok((await file.download())[0].equals(data));
});

test('a resumable upload reset mid-chunk resumes from what the fake kept', async () => {
  const data = randomBytes(600_000);
  const file = freshBucket().file('big/resumed.bin');
  await fake.faults([{ kind: 'reset', afterBytes: 100_000, method: 'PUT' }]);
  const seq = await fake.mark();
  // Create-only makes the upload idempotent, which the SDK wants before
  // it retries (its default idempotency strategy).
  await file.save(data, { resumable: true, chunkSize: 262144, preconditionOpts: { ifGenerationMatch: 0 } });
  const puts = (await since(seq)).filter((r) => r.method === 'PUT');
  assert.deepEqual(puts[0].faults, ['reset']);
  assert.equal(puts[0].bodyLength, 100_000);
  assert.equal(puts[0].status, 0, 'no answer: the connection was reset');
  assert.equal(puts[1].headers['content-range'], 'bytes */*', 'the client asked where to resume');
  assert.equal(puts[1].status, 308);
  assert.match(puts[2].headers['content-range'], /^bytes 100000-/);
  assert.equal(puts.at(-1).status, 200);
  assert.ok((await file.download())[0].equals(data));
});

test('resumable protocol by hand: status queries, overlaps, gaps, completion, cancel', async () => {
  const data = randomBytes(40);
  const init = await fetch(`${fake.base}/upload/storage/v1/b/${BUCKET}/o?uploadType=resumable&name=raw%2Fr.bin`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Upload-Content-Length': '40' },
    body: JSON.stringify({ contentType: 'text/x-raw' }),
  });
  assert.equal(init.status, 200);
  const url = init.headers.get('location');
  assert.match(url, new RegExp(`^${fake.base}/upload/storage/v1/b/${BUCKET}/o\\?.*upload_id=`));
  const put = (range, body) => fetch(url, { method: 'PUT',
    headers: range ? { 'Content-Range': range } : {}, body: body ?? Buffer.alloc(0) });
  let r = await put('bytes */*');
  assert.equal(r.status, 308);
  assert.equal(r.headers.get('range'), null, 'nothing stored yet');
  r = await put('bytes 0-9/*', data.subarray(0, 10));
  assert.equal(r.status, 308);
  assert.equal(r.headers.get('range'), 'bytes=0-9');
  r = await put('bytes 5-19/*', data.subarray(5, 20)); // resends 5-9
  assert.equal(r.headers.get('range'), 'bytes=0-19');
  r = await put('bytes 30-39/40', data.subarray(30, 40)); // a gap
  assert.equal(r.status, 400);
  r = await put('bytes */*');
  assert.equal(r.headers.get('range'), 'bytes=0-19');
  r = await put('bytes 20-39/40', data.subarray(20, 40));
  assert.equal(r.status, 200);
  const obj = await r.json();
  assert.equal(obj.size, '40');
  assert.equal(obj.contentType, 'text/x-raw');
  assert.equal(obj.crc32c, sdkCrc(data));
  r = await put('bytes */*'); // a finished session answers the object again
  assert.equal(r.status, 200);
  assert.equal((await r.json()).generation, obj.generation);

  // Completion by a status query with the total; a wrong client hash.
  const start = async (name) => (await fetch(`${fake.base}/upload/storage/v1/b/${BUCKET}/o?uploadType=resumable&name=${name}`,
    { method: 'POST' })).headers.get('location');
  const u2 = await start('raw%2Fq.bin');
  assert.equal((await fetch(u2, { method: 'PUT', headers: { 'Content-Range': 'bytes 0-3/*' }, body: 'abcd' })).status, 308);
  r = await fetch(u2, { method: 'PUT', headers: { 'Content-Range': 'bytes */4' } });
  assert.equal(r.status, 200);
  assert.equal((await r.json()).size, '4');
  const u3 = await start('raw%2Fbad.bin');
  r = await fetch(u3, { method: 'PUT', headers: { 'Content-Range': 'bytes 0-3/4', 'X-Goog-Hash': `crc32c=${sdkCrc(Buffer.from('abce'))}` },
    body: 'abcd' });
  assert.equal(r.status, 400);
  assert.match((await r.json()).error.message, /doesn't match calculated CRC32C/);
  assert.equal((await bucket.file('raw/bad.bin').exists())[0], false);
  // Cancel: 499, then the session is gone.
  const u4 = await start('raw%2Fcancel.bin');
  assert.equal((await fetch(u4, { method: 'DELETE' })).status, 499);
  assert.equal((await fetch(u4, { method: 'PUT', headers: { 'Content-Range': 'bytes */*' } })).status, 404);
});

test('ranged reads: createReadStream({start, end}) is a 206; suffix and bad ranges', async () => {
  const data = Buffer.from('0123456789abcdef');
  const file = bucket.file('read/range.txt');
  await file.save(data, { resumable: false, contentType: 'text/plain' });
  const seq = await fake.mark();
  const chunks = [];
  for await (const c of file.createReadStream({ start: 1, end: 3 })) chunks.push(c);
  assert.equal(Buffer.concat(chunks).toString(), '123');
  const [req] = await since(seq);
  assert.equal(req.headers.range, 'bytes=1-3');
  assert.equal(req.status, 206);
  const url = `${fake.base}/storage/v1/b/${BUCKET}/o/read%2Frange.txt?alt=media`;
  let r = await fetch(url, { headers: { Range: 'bytes=-3' } });
  assert.equal(r.status, 206);
  assert.equal(r.headers.get('content-range'), 'bytes 13-15/16');
  assert.equal(await r.text(), 'def');
  r = await fetch(url, { headers: { Range: 'bytes=10-' } });
  assert.equal(await r.text(), 'abcdef');
  r = await fetch(url, { headers: { Range: 'bytes=16-20' } });
  assert.equal(r.status, 416);
  assert.equal(r.headers.get('content-range'), 'bytes */16');
  r = await fetch(url);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('x-goog-hash'), `crc32c=${sdkCrc(data)},md5=${md5(data)}`);
  assert.equal(r.headers.get('x-goog-stored-content-encoding'), 'identity');
  assert.equal(await r.text(), data.toString());
});

test('downloads are checked against X-Goog-Hash: a wrong CRC32C fails the SDK', async () => {
  const file = bucket.file('read/checked.bin');
  const data = randomBytes(5000);
  await file.save(data, { resumable: false });
  await fake.faults([{ kind: 'bad_crc32c' }]);
  await assert.rejects(file.download(), (e) => e.code === 'CONTENT_DOWNLOAD_MISMATCH');
  assert.ok((await file.download())[0].equals(data), 'the fault was used up');
});

test('an upload answered with a wrong CRC32C: the SDK deletes the object and throws', async () => {
  const file = bucket.file('write/mismatch.bin');
  await fake.faults([{ kind: 'bad_crc32c', path: '/upload/*' }]);
  const seq = await fake.mark();
  await assert.rejects(file.save(randomBytes(1000), { resumable: false }), (e) => e.code === 'FILE_NO_UPLOAD');
  const reqs = await since(seq);
  assert.deepEqual(reqs.map((r) => [r.method, r.status]), [['POST', 200], ['DELETE', 204]]);
  assert.equal((await file.exists())[0], false);
});

test('client-sent checksums on upload: mismatches are refused', async () => {
  const data = Buffer.from('checked bytes');
  const multipart = (meta) => {
    const b = 'fake-gcs-test-boundary';
    return {
      headers: { 'Content-Type': `multipart/related; boundary=${b}` },
      body: Buffer.concat([
        Buffer.from(`--${b}\r\nContent-Type: application/json\r\n\r\n${JSON.stringify(meta)}\r\n` +
          `--${b}\r\nContent-Type: text/plain\r\n\r\n`), data, Buffer.from(`\r\n--${b}--`)]),
    };
  };
  const post = (name, meta, extra = {}) => {
    const m = multipart(meta);
    return fetch(`${fake.base}/upload/storage/v1/b/${BUCKET}/o?uploadType=multipart&name=${name}`,
      { method: 'POST', headers: { ...m.headers, ...extra }, body: m.body });
  };
  const wrongCrc = crc32cBase64(crc32c(Buffer.from('other bytes')));
  let r = await post('sum%2Fa', { crc32c: wrongCrc });
  assert.equal(r.status, 400);
  assert.match((await r.json()).error.message, new RegExp(`Provided CRC32C "${wrongCrc.replace(/[+/=]/g, '.')}" doesn't match`));
  r = await post('sum%2Fa', { md5Hash: md5(Buffer.from('other')) });
  assert.equal(r.status, 400);
  r = await post('sum%2Fa', {}, { 'X-Goog-Hash': `crc32c=${wrongCrc},md5=${md5(data)}` });
  assert.equal(r.status, 400);
  assert.equal((await bucket.file('sum/a').exists())[0], false);
  r = await post('sum%2Fa', { crc32c: sdkCrc(data), md5Hash: md5(data) },
    { 'X-Goog-Hash': `crc32c=${sdkCrc(data)},md5=${md5(data)}` });
  assert.equal(r.status, 200);
  assert.equal((await bucket.file('sum/a').download())[0].toString(), 'checked bytes');
  // A media part with no header lines is valid multipart.
  const b = 'bare';
  r = await fetch(`${fake.base}/upload/storage/v1/b/${BUCKET}/o?uploadType=multipart`, {
    method: 'POST', headers: { 'Content-Type': `multipart/related; boundary=${b}` },
    body: `--${b}\r\nContent-Type: application/json\r\n\r\n{"name":"sum/bare"}\r\n--${b}\r\n\r\nno headers\r\n--${b}--\r\n` });
  assert.equal(r.status, 200);
  assert.equal((await bucket.file('sum/bare').download())[0].toString(), 'no headers');
});

test('getMetadata and exists: GET /o/{name} with a bare ?, strings for numbers', async () => {
  const file = bucket.file('meta/a b%c');
  await file.save('xyz', { resumable: false, contentType: 'text/plain' });
  const seq = await fake.mark();
  const [meta] = await file.getMetadata();
  assert.equal((await file.exists())[0], true);
  assert.equal((await bucket.file('meta/missing').exists())[0], false);
  await assert.rejects(bucket.file('meta/missing').getMetadata(), (e) => e.code === 404);
  const [get] = await since(seq);
  assert.equal(get.path, `/storage/v1/b/${BUCKET}/o/meta%2Fa%20b%25c`);
  assert.ok(get.url.endsWith('?'));
  assert.deepEqual(get.query, {});
  for (const k of ['generation', 'metageneration', 'size']) assert.equal(typeof meta[k], 'string', k);
  for (const k of ['etag', 'timeCreated', 'updated', 'md5Hash', 'crc32c']) assert.ok(meta[k], k);
  assert.equal(meta.kind, 'storage#object');
  // With and without the trailing bare '?', with and without /storage/v1.
  for (const path of [`/storage/v1/b/${BUCKET}/o/meta%2Fa%20b%25c`, `/storage/v1/b/${BUCKET}/o/meta%2Fa%20b%25c?`,
    `/b/${BUCKET}/o/meta%2Fa%20b%25c?projection=full&prettyPrint=false&someUnknownKey=1`]) {
    const r = await fetch(fake.base + path);
    assert.equal(r.status, 200, path);
    assert.equal((await r.json()).generation, meta.generation);
  }
  // An unencoded slash is not part of a name.
  assert.equal((await fetch(`${fake.base}/storage/v1/b/${BUCKET}/o/meta/a%20b%25c`)).status, 404);
});

test('getFiles: prefix, delimiter, maxResults and pageToken; prefixes from the raw answer', async () => {
  for (const n of ['ls/a', 'ls/b', 'ls/sub/c', 'ls/sub/d', 'ls/sub/deeper/e', 'ls/z/f', 'lsx', 'ls/€uro']) {
    await bucket.file(n).save(n, { resumable: false });
  }
  const seq = await fake.mark();
  const items = [];
  const prefixes = [];
  let query = { prefix: 'ls/', delimiter: '/', autoPaginate: false, maxResults: 1 };
  let pages = 0;
  while (query) {
    const [files, next, raw] = await bucket.getFiles(query);
    items.push(...files.map((f) => f.name));
    prefixes.push(...(raw.prefixes ?? []));
    assert.equal(raw.kind, 'storage#objects');
    assert.equal((raw.items?.length ?? 0) + (raw.prefixes?.length ?? 0), 1);
    query = next;
    pages++;
  }
  assert.deepEqual(items, ['ls/a', 'ls/b', 'ls/€uro']);
  assert.deepEqual(prefixes, ['ls/sub/', 'ls/z/']);
  assert.equal(pages, 5);
  const first = (await since(seq))[0];
  assert.equal(first.path, `/storage/v1/b/${BUCKET}/o`);
  assert.deepEqual(first.query, { prefix: 'ls/', delimiter: '/', maxResults: '1' });
  assert.ok((await since(seq))[1].query.pageToken);
  // Without a delimiter: every name under the prefix, all pages.
  const [all] = await bucket.getFiles({ prefix: 'ls/' });
  assert.deepEqual(all.map((f) => f.name),
    ['ls/a', 'ls/b', 'ls/sub/c', 'ls/sub/d', 'ls/sub/deeper/e', 'ls/z/f', 'ls/€uro']);
  const [, , raw] = await bucket.getFiles({ prefix: 'ls/sub/', delimiter: '/', autoPaginate: false });
  assert.deepEqual(raw.items.map((i) => i.name), ['ls/sub/c', 'ls/sub/d']);
  assert.deepEqual(raw.prefixes, ['ls/sub/deeper/']);
  assert.equal(raw.nextPageToken, undefined);
  const [none, , rawNone] = await bucket.getFiles({ prefix: 'nothing/', autoPaginate: false });
  assert.deepEqual([none.length, rawNone], [0, { kind: 'storage#objects' }]);
  await assert.rejects(storage.bucket('no-such-bucket').getFiles(), (e) => e.code === 404);
});

test('copy: rewriteTo in one call for a small object, with the token loop for a large one', async () => {
  const small = bucket.file('copy/small.txt');
  await small.save('small', { resumable: false, contentType: 'text/plain' });
  let seq = await fake.mark();
  await small.copy(bucket.file('copy/small-copy.txt'));
  let reqs = await since(seq);
  assert.equal(reqs.length, 1);
  assert.equal(reqs[0].path, `/storage/v1/b/${BUCKET}/o/copy%2Fsmall.txt/rewriteTo/b/${BUCKET}/o/copy%2Fsmall-copy.txt`);
  const [copied] = await bucket.file('copy/small-copy.txt').getMetadata();
  assert.equal(copied.contentType, 'text/plain');
  assert.equal((await bucket.file('copy/small-copy.txt').download())[0].toString(), 'small');

  const data = randomBytes(3 * REWRITE_STEP + 12345);
  const big = bucket.file('copy/big.bin');
  await big.save(data, { resumable: false });
  seq = await fake.mark();
  await big.copy(bucket.file('copy/big-copy.bin'));
  reqs = await since(seq);
  assert.equal(reqs.length, 4, 'one rewrite call per step');
  assert.equal(reqs[0].query.rewriteToken, undefined);
  const token = reqs[1].query.rewriteToken;
  assert.ok(token);
  for (const r of reqs.slice(1)) assert.equal(r.query.rewriteToken, token);
  const [src] = await big.getMetadata();
  const [dst] = await bucket.file('copy/big-copy.bin').getMetadata();
  assert.equal(dst.crc32c, src.crc32c);
  assert.equal(dst.md5Hash, src.md5Hash);
  assert.notEqual(dst.generation, src.generation);
  assert.ok((await bucket.file('copy/big-copy.bin').download())[0].equals(data));
  // The raw answers: done:false with a token, then done:true with the resource.
  const url = `${fake.base}/storage/v1/b/${BUCKET}/o/copy%2Fbig.bin/rewriteTo/b/${BUCKET}/o/copy%2Fraw.bin`;
  let r = await (await fetch(url, { method: 'POST', body: '{}' })).json();
  assert.deepEqual([r.kind, r.done, r.totalBytesRewritten, r.objectSize],
    ['storage#rewriteResponse', false, String(REWRITE_STEP), String(data.length)]);
  const bad = await fetch(`${url}?rewriteToken=bogus`, { method: 'POST', body: '{}' });
  assert.equal(bad.status, 400);
  while (!r.done) r = await (await fetch(`${url}?rewriteToken=${r.rewriteToken}`, { method: 'POST', body: '{}' })).json();
  assert.equal(r.resource.crc32c, src.crc32c);
});

test('combine: compose concatenates; CRC32C of the whole, no MD5, componentCount', async () => {
  const a = randomBytes(70_000);
  const b = randomBytes(33_333);
  await bucket.file('compose/a').save(a, { resumable: false });
  await bucket.file('compose/b').save(b, { resumable: false });
  const seq = await fake.mark();
  const [out] = await bucket.combine(['compose/a', 'compose/b'], 'compose/ab');
  const [req] = await since(seq);
  assert.equal(req.path, `/storage/v1/b/${BUCKET}/o/compose%2Fab/compose`);
  const [meta] = await out.getMetadata();
  const ab = Buffer.concat([a, b]);
  assert.equal(meta.size, String(ab.length));
  assert.equal(meta.crc32c, sdkCrc(ab));
  assert.equal(meta.md5Hash, undefined, 'composite objects have no MD5 in GCS');
  assert.equal(meta.componentCount, 2);
  assert.ok((await out.download())[0].equals(ab), 'downloads are checked with the CRC32C alone');
  await assert.rejects(bucket.combine(['compose/a', 'compose/missing'], 'compose/x'), (e) => e.code === 404);
});

test('delete, and deleteFiles by prefix (one list, one DELETE per object)', async () => {
  const file = bucket.file('del/one');
  await file.save('x', { resumable: false });
  await file.delete();
  assert.equal((await file.exists())[0], false);
  await assert.rejects(file.delete(), (e) => e.code === 404);
  for (const n of ['trash/1', 'trash/2', 'trash/sub/3', 'keep/4']) await bucket.file(n).save(n, { resumable: false });
  const seq = await fake.mark();
  await bucket.deleteFiles({ prefix: 'trash/' });
  const reqs = await since(seq);
  assert.equal(reqs[0].method, 'GET');
  const deletes = reqs.filter((r) => r.method === 'DELETE');
  assert.equal(deletes.length, 3);
  for (const d of deletes) {
    assert.equal(d.status, 204);
    assert.equal(d.query.prefix, 'trash/', 'an unknown key the fake ignores');
  }
  assert.deepEqual((await bucket.getFiles({ prefix: 'trash/' }))[0], []);
  assert.equal((await bucket.file('keep/4').exists())[0], true);
});

test('429 and 503 with Retry-After are retried by the SDK', async () => {
  await bucket.file('retry/x').save('x', { resumable: false });
  const file = freshBucket().file('retry/x');
  await fake.faults([{ kind: 'error', status: 503, retryAfter: 0 }, { kind: 'rate_limit', retryAfter: 1 }]);
  const seq = await fake.mark();
  const [meta] = await file.getMetadata();
  assert.equal(meta.size, '1');
  const reqs = await since(seq);
  assert.deepEqual(reqs.map((r) => r.status), [503, 429, 200]);
  assert.deepEqual(reqs.map((r) => r.faults), [['error'], ['rate_limit'], []]);
  await fake.faults([{ kind: 'error', status: 503, retryAfter: 7, count: 2 }]);
  const r = await fetch(`${fake.base}/storage/v1/b/${BUCKET}/o/retry%2Fx`);
  assert.equal(r.status, 503);
  assert.equal(r.headers.get('retry-after'), '7');
  assert.equal((await r.json()).error.errors[0].reason, 'backendError');
  assert.equal((await fake.admin('GET', 'faults')).faults[0].remaining, 1);
  await fake.admin('DELETE', 'faults');
  assert.equal((await fetch(`${fake.base}/storage/v1/b/${BUCKET}/o/retry%2Fx`)).status, 200);
});

test('STORAGE_EMULATOR_HOST: the same calls without /storage/v1', async () => {
  process.env.STORAGE_EMULATOR_HOST = fake.base;
  let emu;
  try {
    emu = new Storage({ projectId: 'fake-project', retryOptions }).bucket(BUCKET);
  } finally {
    delete process.env.STORAGE_EMULATOR_HOST;
  }
  const seq = await fake.mark();
  const data = randomBytes(1000);
  await emu.file('emu/x').save(data, { resumable: false });
  assert.ok((await emu.file('emu/x').download())[0].equals(data));
  const [files] = await emu.getFiles({ prefix: 'emu/' });
  assert.deepEqual(files.map((f) => f.name), ['emu/x']);
  const paths = (await since(seq)).map((r) => `${r.method} ${r.path}`);
  assert.deepEqual(paths, [`POST /upload/storage/v1/b/${BUCKET}/o`, `GET /b/${BUCKET}/o/emu%2Fx`, `GET /b/${BUCKET}/o`]);
});

test('faults: a download cut after K bytes, a 401, and the request log fields', async () => {
  const data = randomBytes(200_000);
  await bucket.file('fault/cut').save(data, { resumable: false });
  await fake.faults([{ kind: 'reset', afterBytes: 1000, method: 'GET' }]);
  const r = await fetch(`${fake.base}/storage/v1/b/${BUCKET}/o/fault%2Fcut?alt=media`);
  assert.equal(r.status, 200);
  let got = 0;
  await assert.rejects((async () => {
    for await (const c of r.body) got += c.length;
  })());
  assert.equal(got, 1000);
  // With rst, a TCP reset: the client may lose what it had not read.
  await fake.faults([{ kind: 'reset', afterBytes: 1000, rst: true, method: 'GET' }]);
  let gotRst = 0;
  await assert.rejects((async () => {
    const rr = await fetch(`${fake.base}/storage/v1/b/${BUCKET}/o/fault%2Fcut?alt=media`);
    for await (const c of rr.body) gotRst += c.length;
  })());
  assert.ok(gotRst <= 1000);
  await fake.faults([{ kind: 'unauthorized' }]);
  await assert.rejects(bucket.file('fault/cut').getMetadata(), (e) => e.code === 401);
  const seq = await fake.mark();
  await fetch(`${fake.base}/upload/storage/v1/b/${BUCKET}/o?uploadType=media&name=fault%2Flog`,
    { method: 'POST', headers: { 'Content-Type': 'text/plain', 'X-Test': 'yes' }, body: 'twelve bytes' });
  const [e] = await since(seq);
  assert.deepEqual([e.method, e.url, e.path, e.query, e.bodyLength, e.body, e.bodyEncoding, e.status, e.headers['x-test']],
    ['POST', `/upload/storage/v1/b/${BUCKET}/o?uploadType=media&name=fault%2Flog`, `/upload/storage/v1/b/${BUCKET}/o`,
      { uploadType: 'media', name: 'fault/log' }, 12, 'twelve bytes', 'utf8', 200, 'yes']);
});

test('a large object streams through disk, not memory', async () => {
  // Its own fake, measured after a full collection (--expose-gc): one
  // that held objects in memory would hold at least their size in
  // buffers or on its heap.
  const f = await startFake(['--bucket', 'big-data'], ['--expose-gc']);
  try {
    const before = await f.admin('GET', 'stats');
    const size = 64 * 1024 * 1024;
    const block = randomBytes(1024 * 1024);
    const sent = createHash('md5');
    const init = await fetch(`${f.base}/upload/storage/v1/b/big-data/o?uploadType=resumable&name=huge.bin`,
      { method: 'POST' });
    // node:http rather than fetch: it streams several times faster.
    const put = request(init.headers.get('location'), { method: 'PUT' });
    for (let i = 0; i < size / block.length; i++) {
      block[0] = i & 0xff; // every MiB differs
      sent.update(block);
      if (!put.write(Buffer.from(block))) await once(put, 'drain');
    }
    put.end();
    const [res] = await once(put, 'response');
    let body = '';
    for await (const c of res) body += c;
    assert.equal(res.statusCode, 200);
    const obj = JSON.parse(body);
    assert.equal(obj.size, String(size));
    assert.equal(obj.md5Hash, sent.digest('base64'));
    // Buffers still queued for the disk or a socket are let go as the I/O
    // completes, which on a loaded machine can trail the response: look
    // again for up to 5 s. What the fake keeps holds on for good.
    let after;
    for (let i = 0; i < 50; i++) {
      after = await f.admin('GET', 'stats');
      if (after.arrayBuffers < size / 4 && after.heapUsed - before.heapUsed < size / 4) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(after.arrayBuffers < size / 4, `the fake holds ${after.arrayBuffers} bytes of buffers`);
    assert.ok(after.heapUsed - before.heapUsed < size / 4, `the fake's heap grew by ${after.heapUsed - before.heapUsed} bytes`);
    const [down] = await once(request(`${f.base}/storage/v1/b/big-data/o/huge.bin?alt=media`).end(), 'response');
    const back = createHash('md5');
    let crc = 0;
    let n = 0;
    for await (const c of down) {
      back.update(c);
      crc = crc32cUpdate(crc, c);
      n += c.length;
    }
    assert.equal(n, size);
    assert.equal(back.digest('base64'), obj.md5Hash);
    assert.equal(crc32cBase64(crc), obj.crc32c);
  } finally {
    await f.stop();
  }
});

test('other routes: bucket insert and list, copyTo, /download, multipart reset', async () => {
  const [created] = await storage.createBucket('scratch-bucket');
  assert.equal(created.name, 'scratch-bucket');
  await assert.rejects(storage.createBucket('scratch-bucket'), (e) => e.code === 409);
  const [buckets] = await storage.getBuckets();
  assert.deepEqual(buckets.map((b) => b.name).sort(), ['scratch-bucket', BUCKET]);

  await bucket.file('other/src').save('copy me', { resumable: false, contentType: 'text/plain' });
  let r = await fetch(`${fake.base}/storage/v1/b/${BUCKET}/o/other%2Fsrc/copyTo/b/scratch-bucket/o/dst`,
    { method: 'POST', body: '' });
  assert.equal(r.status, 200);
  const copied = await r.json();
  assert.deepEqual([copied.bucket, copied.name, copied.contentType, copied.size], ['scratch-bucket', 'dst', 'text/plain', '7']);
  r = await fetch(copied.mediaLink);
  assert.equal(await r.text(), 'copy me');
  assert.match(copied.mediaLink, /\/download\/storage\/v1\/b\/scratch-bucket\/o\/dst\?generation=\d+&alt=media$/);

  // A multipart upload reset after 100 bytes creates nothing.
  await fake.faults([{ kind: 'reset', afterBytes: 100, method: 'POST', url: 'uploadType=multipart' }]);
  await assert.rejects(bucket.file('other/cut').save(randomBytes(5000), { resumable: false }));
  assert.equal((await bucket.file('other/cut').exists())[0], false);
  assert.deepEqual((await fake.admin('GET', 'faults')).faults, []);
  // the batch endpoint wants multipart/mixed (batch.test.mjs has the rest)
  r = await fetch(`${fake.base}/batch/storage/v1`, { method: 'POST', body: '' });
  assert.equal(r.status, 400);
});

test('the admin API: settings, buckets, faults, log, stats, reset', async () => {
  const f = await startFake(['--bucket', 'adm-one']);
  try {
    let cfg = await f.admin('GET', 'config');
    assert.deepEqual([cfg.auth, cfg.rewriteBytesPerCall, cfg.buckets], ['none', 8 * 1024 * 1024, ['adm-one']]);
    cfg = await f.admin('POST', 'config', { auth: 'bearer', rewriteBytesPerCall: 5, tokenLifetime: 60 });
    assert.deepEqual([cfg.auth, cfg.rewriteBytesPerCall, cfg.tokenLifetime], ['bearer', 5, 60]);
    assert.equal((await fetch(`${f.base}/storage/v1/b/adm-one`)).status, 401);
    const meta = await fetch(`${f.base}/computeMetadata/v1/instance/service-accounts/default/token`,
      { headers: { 'Metadata-Flavor': 'Google' } });
    const tok = await meta.json();
    assert.equal(tok.expires_in, 60);
    const auth = { Authorization: `Bearer ${tok.access_token}` };
    assert.equal((await fetch(`${f.base}/storage/v1/b/adm-one`, { headers: auth })).status, 200);
    await f.admin('POST', 'config', { auth: 'none' });
    await f.admin('POST', 'buckets', { name: 'adm-two' });
    assert.equal((await fetch(`${f.base}/storage/v1/b/adm-two`)).status, 200);
    const bad = await fetch(`${f.base}/_fake/faults`, { method: 'POST', body: '{"kind":"explode"}' });
    assert.equal(bad.status, 400);
    const armed = await f.admin('POST', 'faults', [{ kind: 'error', count: 3, method: 'DELETE' }, { kind: 'reset' }]);
    assert.deepEqual(armed.faults.map((x) => [x.kind, x.remaining, x.status, x.method]),
      [['error', 3, 500, 'DELETE'], ['reset', 1, undefined, undefined]]);
    assert.deepEqual((await f.admin('GET', 'faults')).faults, armed.faults);
    // A reset without afterBytes drops the next storage call at once.
    await assert.rejects(fetch(`${f.base}/storage/v1/b/adm-one`));
    assert.equal((await f.requests()).at(-1).status, 0);
    await fetch(`${f.base}/upload/storage/v1/b/adm-two/o?uploadType=media&name=x`, { method: 'POST', body: 'x' });
    // 5 bytes per rewrite call, as set above.
    await fetch(`${f.base}/upload/storage/v1/b/adm-two/o?uploadType=media&name=y`, { method: 'POST', body: '0123456789ab' });
    const rw = await (await fetch(`${f.base}/storage/v1/b/adm-two/o/y/rewriteTo/b/adm-two/o/z`, { method: 'POST' })).json();
    assert.deepEqual([rw.done, rw.totalBytesRewritten], [false, '5']);
    const stats = await f.admin('GET', 'stats');
    assert.deepEqual([stats.objects, stats.rewrites], [2, 1]);
    assert.ok((await f.requests()).length >= 5);
    await f.admin('DELETE', 'requests');
    assert.deepEqual(await f.requests(), []);
    await f.admin('POST', 'reset');
    assert.deepEqual(await f.admin('GET', 'stats').then((s) => [s.objects, s.rewrites, s.sessions]), [0, 0, 0]);
    assert.deepEqual((await f.admin('GET', 'faults')).faults, []);
    assert.equal((await fetch(`${f.base}/storage/v1/b/adm-two/o/x`)).status, 404);
    assert.equal((await fetch(`${f.base}/storage/v1/b/adm-two`)).status, 200, 'buckets stay');
  } finally {
    await f.stop();
  }
});

// ---- auth ---------------------------------------------------------------

async function makeKey(name) {
  const file = join(scratch, `${name}.pem`);
  await promisify(execFile)('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048',
    '-out', file]);
  const key = {
    type: 'service_account',
    project_id: 'fake-project',
    private_key_id: randomBytes(20).toString('hex'),
    private_key: readFileSync(file, 'utf8'),
    client_email: `${name}@fake-project.iam.gserviceaccount.com`,
    client_id: '100000000000000000001',
    token_uri: 'https://oauth2.googleapis.com/token',
  };
  const path = join(scratch, `${name}.json`);
  writeFileSync(path, JSON.stringify(key));
  return { key, path };
}

const b64url = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

// An RS256 JWT signed the way a C client signs one (OpenSSL's
// EVP_DigestSign with SHA-256 over `header.claims`).
function signJwt(key, claims, header = { alg: 'RS256', typ: 'JWT', kid: key.private_key_id }) {
  const input = `${b64url(header)}.${b64url(claims)}`;
  return `${input}.${rsaSign('RSA-SHA256', Buffer.from(input), key.private_key).toString('base64url')}`;
}

test('auth routes', async (t) => {
  const [known, stranger] = await Promise.all([makeKey('wsp-agent'), makeKey('stranger')]);
  const authFake = await startFake(['--bucket', BUCKET, '--auth', 'bearer', '--service-account', known.path]);
  t.after(() => authFake.stop());
  const base = authFake.base;
  const get = (token, path = `/storage/v1/b/${BUCKET}`) =>
    fetch(base + path, { headers: token ? { Authorization: `Bearer ${token}` } : {} });

  await t.test('storage calls need a bearer token', async () => {
    let r = await get(null);
    assert.equal(r.status, 401);
    assert.match(r.headers.get('www-authenticate'), /^Bearer/);
    r = await get('ya29.not-issued');
    assert.equal(r.status, 401);
    assert.equal((await r.json()).error.errors[0].reason, 'authError');
  });

  await t.test('/token: a JWT-bearer grant signed with node:crypto', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = (over = {}) => ({
      iss: known.key.client_email,
      scope: 'https://www.googleapis.com/auth/devstorage.read_write',
      aud: `${base}/token`,
      iat: now,
      exp: now + 3600,
      ...over,
    });
    const exchange = (assertion, grant = 'urn:ietf:params:oauth:grant-type:jwt-bearer') => fetch(`${base}/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `grant_type=${enc(grant)}&assertion=${enc(assertion)}`,
    });
    let r = await exchange(signJwt(known.key, claims()));
    assert.equal(r.status, 200);
    const tok = await r.json();
    assert.deepEqual(Object.keys(tok).sort(), ['access_token', 'expires_in', 'token_type']);
    assert.equal(tok.token_type, 'Bearer');
    assert.equal(tok.expires_in, 3600);
    assert.equal((await get(tok.access_token)).status, 200);
    // Google's own token URI is an audience as good as the fake's.
    assert.equal((await exchange(signJwt(known.key, claims({ aud: 'https://oauth2.googleapis.com/token' })))).status, 200);

    const refused = async (assertion, error, grant) => {
      const res = await exchange(assertion, grant);
      assert.equal(res.status, 400, error);
      assert.equal((await res.json()).error, error);
    };
    await refused(signJwt(stranger.key, { ...claims() }, { alg: 'RS256', typ: 'JWT', kid: known.key.private_key_id }),
      'invalid_grant'); // signed with another key
    await refused(signJwt(stranger.key, claims({ iss: stranger.key.client_email })), 'invalid_grant'); // unknown account
    await refused(signJwt(known.key, claims({ aud: 'https://example.test/token' })), 'invalid_grant');
    await refused(signJwt(known.key, claims({ exp: now + 3601 })), 'invalid_grant');
    await refused(signJwt(known.key, claims({ iat: now - 7200, exp: now - 3600 })), 'invalid_grant');
    await refused(signJwt(known.key, claims({ scope: undefined })), 'invalid_scope');
    await refused(signJwt(known.key, claims(), { alg: 'HS256', typ: 'JWT' }), 'invalid_grant');
    await refused(signJwt(known.key, claims()), 'unsupported_grant_type', 'refresh_token');
    const tampered = signJwt(known.key, claims()).split('.');
    tampered[1] = b64url(claims({ scope: 'https://www.googleapis.com/auth/devstorage.full_control' }));
    await refused(tampered.join('.'), 'invalid_grant');

    // A read-only token reads but cannot write.
    r = await exchange(signJwt(known.key, claims({ scope: 'https://www.googleapis.com/auth/devstorage.read_only' })));
    const ro = (await r.json()).access_token;
    assert.equal((await get(ro)).status, 200);
    r = await fetch(`${base}/upload/storage/v1/b/${BUCKET}/o?uploadType=media&name=ro`,
      { method: 'POST', headers: { Authorization: `Bearer ${ro}` }, body: 'x' });
    assert.equal(r.status, 403);

    // Tokens expire on demand; a new one works.
    assert.ok((await authFake.admin('POST', 'tokens/expire')).expired >= 2);
    assert.equal((await get(tok.access_token)).status, 401);
    r = await exchange(signJwt(known.key, claims()));
    assert.equal((await get((await r.json()).access_token)).status, 200);
  });

  await t.test('the SDK through the metadata server (GCE_METADATA_HOST)', async () => {
    process.env.GCE_METADATA_HOST = authFake.address;
    // Without a project id the auth library asks the gcloud CLI for one
    // (seconds, and the CLI's own config) before the metadata server: keep
    // it off PATH so the metadata server answers.
    const path = process.env.PATH;
    process.env.PATH = join(scratch, 'no-gcloud');
    try {
      const gce = new Storage({ apiEndpoint: base, useAuthWithCustomEndpoint: true, retryOptions });
      const b = gce.bucket(BUCKET);
      const seq = await authFake.mark();
      assert.equal((await b.exists())[0], true);
      const data = randomBytes(10_000);
      await b.file('gce/x').save(data, { resumable: false });
      assert.ok((await b.file('gce/x').download())[0].equals(data));
      // 7.22 does not hand useAuthWithCustomEndpoint to its resumable
      // uploads (File.startResumableUpload_), so they go out without
      // Authorization; the fake refuses them as GCS would.
      await assert.rejects(b.file('gce/y').save(data, { chunkSize: 262144 }), (e) => e.response?.status === 401);
      const reqs = await authFake.requests(seq);
      const meta = reqs.filter((r) => r.path.startsWith('/computeMetadata/'));
      assert.ok(meta.length >= 2);
      for (const r of meta) {
        assert.equal(r.headers['metadata-flavor'], 'Google');
        assert.equal(r.status, 200);
      }
      const tokenReq = meta.find((r) => r.path.endsWith('/service-accounts/default/token'));
      assert.match(tokenReq.query.scopes, /devstorage\.full_control/);
      const storageReqs = reqs.filter((r) => !r.path.startsWith('/computeMetadata/'));
      assert.deepEqual(storageReqs.map((r) => [r.method, r.status, r.headers.authorization?.slice(0, 17)]), [
        ['GET', 200, 'Bearer ya29.fake-'],
        ['POST', 200, 'Bearer ya29.fake-'],
        ['GET', 200, 'Bearer ya29.fake-'],
        ['POST', 401, undefined],
      ]);
      // An expired token is refused with 401, which the SDK reports.
      await authFake.admin('POST', 'tokens/expire');
      await assert.rejects(b.file('gce/x').getMetadata(), (e) => e.code === 401);
    } finally {
      delete process.env.GCE_METADATA_HOST;
      process.env.PATH = path;
    }
    const r = await fetch(`${base}/computeMetadata/v1/project/project-id`);
    assert.equal(r.status, 403, 'the metadata server wants Metadata-Flavor: Google');
    const ok = await fetch(`${base}/computeMetadata/v1/project/project-id`, { headers: { 'Metadata-Flavor': 'Google' } });
    assert.equal(ok.headers.get('metadata-flavor'), 'Google');
    assert.equal(await ok.text(), 'fake-project');
    const email = await fetch(`${base}/computeMetadata/v1/instance/service-accounts/default/email`,
      { headers: { 'Metadata-Flavor': 'Google' } });
    assert.equal(await email.text(), 'fake-gce@fake-project.iam.gserviceaccount.com');
  });

  await t.test('the SDK with a self-signed JWT (universeDomain)', async () => {
    const jwtStorage = (k) => new Storage({
      apiEndpoint: base, useAuthWithCustomEndpoint: true, universeDomain: 'example.test',
      projectId: 'fake-project', credentials: { ...k, universe_domain: 'example.test' }, retryOptions,
    });
    const b = jwtStorage(known.key).bucket(BUCKET);
    const seq = await authFake.mark();
    const data = randomBytes(5000);
    await b.file('jwt/x').save(data, { resumable: false });
    assert.ok((await b.file('jwt/x').download())[0].equals(data));
    const reqs = await authFake.requests(seq);
    assert.equal(reqs.length, 2);
    for (const r of reqs) {
      assert.equal(r.status, 200);
      const [header, claims] = r.headers.authorization.replace(/^Bearer /, '').split('.')
        .slice(0, 2).map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()));
      assert.deepEqual([header.alg, header.kid], ['RS256', known.key.private_key_id]);
      assert.equal(claims.iss, known.key.client_email);
      assert.equal(claims.sub, known.key.client_email);
      assert.ok(claims.exp > claims.iat);
    }
    // A key the fake does not know is refused.
    await assert.rejects(jwtStorage(stranger.key).bucket(BUCKET).file('jwt/x').getMetadata(), (e) => e.code === 401);
  });
});

// ---- lifecycle ------------------------------------------------------------

test('the fake stops at end of file on stdin or on a signal, and removes its data', async () => {
  await Promise.all(['stdin', 'SIGTERM', 'SIGHUP'].map(async (how) => {
    const f = await startFake(['--bucket', 'life', '--dir', scratch]);
    const { dataDir } = await f.admin('GET', 'config');
    assert.ok(dataDir.startsWith(scratch));
    await fetch(`${f.base}/upload/storage/v1/b/life/o?uploadType=media&name=x`, { method: 'POST', body: 'data' });
    assert.ok(existsSync(dataDir));
    const exited = once(f.proc, 'exit');
    if (how === 'stdin') f.proc.stdin.end();
    else f.proc.kill(how);
    const [code] = await exited;
    assert.equal(code, 0, how);
    assert.equal(existsSync(dataDir), false, `${how}: the data directory is gone`);
  }));
});
