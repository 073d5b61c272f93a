// The fake's batch endpoint (POST /batch/storage/v1) on the wire, byte by
// byte: @google-cloud/storage never sends a batch, so these tests speak
// the format of Google's "Sending batch requests" page themselves
// (multipart/mixed, application/http parts, Content-ID echoed as
// response-ID) and check the fake answers in it. ctest gcs_fake_batch.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes, sign as rsaSign } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFake } from './fake-client.mjs';

for (const k of ['http_proxy', 'https_proxy', 'HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'all_proxy']) {
  delete process.env[k];
}

const BUCKET = 'team-data';
const BOUNDARY = 'wsp_batch_0123456789abcdef';
const scratch = mkdtempSync(join(tmpdir(), 'wsp-gcs-batch-'));
let fake, key;

async function makeKey() {
  const file = join(scratch, 'key.pem');
  await promisify(execFile)('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048',
    '-out', file]);
  const k = { type: 'service_account', private_key_id: randomBytes(20).toString('hex'),
    private_key: readFileSync(file, 'utf8'), client_email: 'batch-robot@fake-project.iam.gserviceaccount.com' };
  writeFileSync(join(scratch, 'key.json'), JSON.stringify(k));
  return k;
}

// A self-signed JWT the fake takes as a bearer token (iss = sub, scope).
function bearer() {
  const now = Math.floor(Date.now() / 1000);
  const b64 = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const input = `${b64({ alg: 'RS256', typ: 'JWT', kid: key.private_key_id })}.${b64({ iss: key.client_email,
    sub: key.client_email, scope: 'https://www.googleapis.com/auth/devstorage.read_write', iat: now, exp: now + 600 })}`;
  return `Bearer ${input}.${rsaSign('RSA-SHA256', Buffer.from(input), key.private_key).toString('base64url')}`;
}

before(async () => {
  key = await makeKey();
  fake = await startFake(['--bucket', BUCKET, '--auth', 'bearer', '--service-account', join(scratch, 'key.json')]);
});

after(async () => {
  await fake?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

async function put(name, text) {
  const r = await fetch(`${fake.base}/upload/storage/v1/b/${BUCKET}/o?uploadType=media&name=${encodeURIComponent(name)}`,
    { method: 'POST', headers: { Authorization: bearer(), 'Content-Type': 'text/plain' }, body: text });
  assert.equal(r.status, 200);
  return (await r.json()).generation;
}

async function exists(name) {
  const r = await fetch(`${fake.base}/storage/v1/b/${BUCKET}/o/${encodeURIComponent(name)}`,
    { headers: { Authorization: bearer() } });
  await r.arrayBuffer();
  return r.status === 200;
}

// One part as Google's page shows it: part headers, a blank line, the
// nested request (request line, its headers, a blank line).
const part = (id, line) => `--${BOUNDARY}\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n` +
  (id ? `Content-ID: <${id}>\r\n` : '') + `\r\n${line} HTTP/1.1\r\n\r\n`;
const del = (name, gen) => `DELETE /storage/v1/b/${BUCKET}/o/${encodeURIComponent(name)}` +
  (gen ? `?ifGenerationMatch=${gen}` : '');

function send(body, { auth = true, type = `multipart/mixed; boundary=${BOUNDARY}` } = {}) {
  const headers = { 'Content-Type': type };
  if (auth) headers.Authorization = bearer();
  return fetch(`${fake.base}/batch/storage/v1`, { method: 'POST', headers, body });
}

// The answer's text with its boundary (random per answer) as BOUNDARY.
async function answer(r) {
  const m = /^multipart\/mixed; boundary=(batch_[A-Za-z0-9_-]{16})$/.exec(r.headers.get('content-type'));
  assert.ok(m, r.headers.get('content-type'));
  const text = await r.text();
  assert.equal(Buffer.byteLength(text), Number(r.headers.get('content-length')));
  return text.split(m[1]).join('B');
}

const errorPart = (id, status, reason, message) => {
  const json = JSON.stringify({ error: { code: status, message, errors: [{ message, domain: 'global', reason }] } });
  return `--B\r\nContent-Type: application/http\r\nContent-ID: <response-${id}>\r\n\r\n` +
    `HTTP/1.1 ${status} ${{ 404: 'Not Found', 412: 'Precondition Failed', 429: 'Too Many Requests',
      501: 'Not Implemented', 503: 'Service Unavailable' }[status]}\r\n` +
    `Content-Type: application/json; charset=UTF-8\r\nContent-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}\r\n`;
};
const okPart = (id) => `--B\r\nContent-Type: application/http\r\nContent-ID: <response-${id}>\r\n\r\n` +
  'HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n\r\n';

test('batch delete: one part per nested request, in order, Content-ID echoed, byte for byte', async () => {
  const g1 = await put('docs/a b.txt', 'a');
  const g2 = await put('docs/c.txt', 'c');
  await put('docs/keep.txt', 'k');
  const seq = await fake.mark();
  const r = await send(part('1', del('docs/a b.txt', g1)) + part('2', del('docs/keep.txt', '1')) +
    part('3', del('docs/gone.txt')) + part('4', del('docs/c.txt', g2)) +
    part('5', `GET /storage/v1/b/${BUCKET}/o/docs%2Fkeep.txt`) + `--${BOUNDARY}--\r\n`);
  assert.equal(r.status, 200);
  assert.equal(await answer(r), okPart(1) +
    errorPart(2, 412, 'conditionNotMet', 'At least one of the pre-conditions you specified did not hold.') +
    errorPart(3, 404, 'notFound', 'No such object: team-data/docs/gone.txt') + okPart(4) +
    errorPart(5, 501, 'notImplemented', 'The fake runs only object DELETE in a batch') + '--B--\r\n');
  // one logged request: the batch, not the nested ones
  const log = await fake.requests(seq);
  assert.deepEqual(log.map((e) => `${e.method} ${e.path} ${e.status}`), ['POST /batch/storage/v1 200']);
  assert.equal(await exists('docs/a b.txt'), false);
  assert.equal(await exists('docs/c.txt'), false);
  assert.equal(await exists('docs/keep.txt'), true);
});

test('batch: the outer token stands for every part; without one nothing runs', async () => {
  const g = await put('auth/x', 'x');
  let r = await send(part('1', del('auth/x', g)) + `--${BOUNDARY}--\r\n`, { auth: false });
  assert.equal(r.status, 401);
  assert.equal((await r.json()).error.code, 401);
  assert.equal(await exists('auth/x'), true);
  r = await send(part('1', del('auth/x', g)) + `--${BOUNDARY}--\r\n`);
  assert.equal(await answer(r), okPart(1) + '--B--\r\n');
});

test('batch: faults fail single parts (error, rate_limit) or leave them out (batch_omit)', async () => {
  const gens = [];
  for (let i = 0; i < 4; i++) gens.push(await put(`f/${i}`, String(i)));
  await fake.faults([{ kind: 'error', status: 503, method: 'DELETE', url: 'f%2F1' },
    { kind: 'rate_limit', method: 'DELETE', url: 'f%2F2', retryAfter: 0 },
    { kind: 'batch_omit', method: 'DELETE', url: 'f%2F3' }]);
  const r = await send(gens.map((g, i) => part(String(i + 1), del(`f/${i}`, g))).join('') + `--${BOUNDARY}--\r\n`);
  assert.equal(r.status, 200);
  assert.equal(await answer(r), okPart(1) + errorPart(2, 503, 'backendError', 'Injected fault 503') +
    errorPart(3, 429, 'rateLimitExceeded', 'The rate of requests is too high (injected fault)') + '--B--\r\n');
  assert.deepEqual(await Promise.all([0, 1, 2, 3].map((i) => exists(`f/${i}`))), [false, true, true, true]);
  assert.deepEqual((await fake.admin('GET', 'faults')).faults, []);
});

test('batch: a part without Content-ID is answered without one; a preamble is skipped', async () => {
  const g = await put('p/x', 'x');
  const r = await send(`preamble\r\n${part(null, del('p/x', g))}--${BOUNDARY}--\r\nepilogue`);
  assert.equal(await answer(r), '--B\r\nContent-Type: application/http\r\n\r\n' +
    'HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n\r\n--B--\r\n');
});

test('batch: malformed or oversized batches are 400; other methods and paths 404', async () => {
  const bad = async (body, opts, re) => {
    const r = await send(body, opts);
    assert.equal(r.status, 400);
    assert.match((await r.json()).error.message, re);
  };
  const many = Array.from({ length: 101 }, (_, i) => part(String(i + 1), del(`m/${i}`))).join('');
  await bad(many + `--${BOUNDARY}--\r\n`, {}, /at most 100/);
  await bad(part('1', del('m/0')) + `--${BOUNDARY}--`, { type: 'multipart/related; boundary=x' }, /multipart\/mixed/);
  await bad(part('1', del('m/0')), {}, /ended inside a part/);
  await bad(`--${BOUNDARY}--\r\n`, {}, /at least one/);
  await bad(`--${BOUNDARY}\r\nContent-Type: application/http\r\n`, {}, /ended inside a part/);
  const r = await fetch(`${fake.base}/batch/storage/v1`, { headers: { Authorization: bearer() } });
  assert.equal(r.status, 404);
  await r.arrayBuffer();
  // 100 parts are fine
  const hundred = Array.from({ length: 100 }, (_, i) => part(String(i + 1), del(`m/${i}`))).join('');
  const ok = await send(hundred + `--${BOUNDARY}--\r\n`);
  assert.equal(ok.status, 200);
  assert.equal((await answer(ok)).split('HTTP/1.1 404 Not Found').length, 101);
});
